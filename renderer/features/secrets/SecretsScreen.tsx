/** The Secrets screen: New secret, the tabs Secrets / Deleted, list + detail. */
import { useRef, useState } from 'react';
import type { SecretItem } from '../../../shared/keyvault.js';
import { L } from '../../app/labels.js';
import { useShellRequest } from '../../app/shell.js';
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
  const searchRef = useRef<HTMLInputElement>(null);

  // The app menu's New secret (Ctrl/Cmd+N) and Find (Ctrl/Cmd+F), sent by main through the shell.
  useShellRequest('secrets', (type) => {
    if (type === 'new') setNewOpen(true);
    else {
      useSecrets.getState().setView('live');
      // After the Secrets tab has rendered its search box.
      requestAnimationFrame(() => searchRef.current?.focus());
    }
  });

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
      <ObjectsView store={useSecrets} nameOf={nameOf} searchText={contentTypeOf} extra={contentTypeOf} searchRef={searchRef} detail={<SecretDetail />} labels={LABELS} />
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
