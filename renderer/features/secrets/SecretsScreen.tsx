/** The Secrets screen: New secret, the tabs Secrets / Deleted, list + detail. */
import { useState } from 'react';
import type { SecretItem } from '../../../shared/keyvault.js';
import { L } from '../../app/labels.js';
import { nameFromId } from '../../lib/format.js';
import { KindScreen } from '../../lib/objects/KindScreen.js';
import { ObjectsView } from '../../lib/objects/ObjectsView.js';
import { NewSecretDialog } from './dialogs.js';
import { SecretDetail } from './SecretDetail.js';
import { useSecrets } from './store.js';

const nameOf = (i: { id: string }) => nameFromId(i.id);
const contentTypeOf = (i: SecretItem) => i.contentType ?? '';
const LABELS = {
  live: L.secretsTab,
  search: L.search,
  list: L.secretsList,
  empty: L.emptySecrets,
  noMatch: L.noMatch,
  count: L.secretCount,
  deletedList: L.deletedList,
  deletedEmpty: L.emptyDeleted,
};

export function SecretsScreen() {
  const error = useSecrets((s) => s.error);
  const status = useSecrets((s) => s.status);
  const [newOpen, setNewOpen] = useState(false);

  return (
    <KindScreen
      title={L.secretsTab}
      error={error}
      status={status}
      actions={
        <button type="button" className="primary" onClick={() => setNewOpen(true)} aria-keyshortcuts="Control+N Meta+N">
          {L.newSecretButton}
        </button>
      }
    >
      <ObjectsView
        kind="secrets"
        store={useSecrets}
        onNew={() => setNewOpen(true)}
        nameOf={nameOf}
        searchText={contentTypeOf}
        extra={contentTypeOf}
        detail={<SecretDetail />}
        labels={LABELS}
      />
      {newOpen ? (
        <NewSecretDialog
          onClose={() => setNewOpen(false)}
          onCreated={(name) => {
            useSecrets.getState().setView('live');
            void useSecrets.getState().select(name);
          }}
        />
      ) : null}
    </KindScreen>
  );
}
