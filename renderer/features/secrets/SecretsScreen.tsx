/** The Secrets screen: New secret, the tabs Secrets / Deleted, list + detail. */
import { useEffect, useRef, useState } from 'react';
import type { SecretItem } from '../../../shared/keyvault.js';
import { L } from '../../app/labels.js';
import { useShellRequest } from '../../app/shell.js';
import { nameFromId } from '../../lib/format.js';
import { DeletedList } from '../../lib/objects/DeletedList.js';
import { KindScreen } from '../../lib/objects/KindScreen.js';
import { KindTabs } from '../../lib/objects/KindTabs.js';
import { ListPane } from '../../lib/objects/ListPane.js';
import { NewSecretDialog } from './dialogs.js';
import { SecretDetail } from './SecretDetail.js';
import { useSecrets } from './store.js';

const nameOf = (i: { id: string }) => nameFromId(i.id);
const searchText = (i: SecretItem) => i.contentType ?? '';
const LIST_LABELS = { search: L.search, list: L.secretsList, empty: L.emptySecrets, noMatch: L.noMatch, count: L.secretCount };

export function SecretsScreen() {
  const { view, error, status, query, sort, items, deleted, selected } = useSecrets();
  const { setView, setQuery, setSort, loadList, loadDeleted, select, recover, purge } = useSecrets.getState();
  const [newOpen, setNewOpen] = useState(false);
  const searchRef = useRef<HTMLInputElement>(null);

  useEffect(() => {
    void loadList();
  }, [loadList]);

  // The app menu's New secret (Ctrl/Cmd+N) and Find (Ctrl/Cmd+F), sent by main through the shell.
  useShellRequest('secrets', (type) => {
    if (type === 'new') setNewOpen(true);
    else {
      setView('live');
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
      <KindTabs view={view} setView={setView} liveLabel={L.secretsTab}>
        {view === 'live' ? (
          <div className="split">
            <ListPane
              items={items}
              nameOf={nameOf}
              searchText={searchText}
              query={query}
              setQuery={setQuery}
              sort={sort}
              setSort={setSort}
              selected={selected}
              onOpen={(name) => void select(name)}
              searchRef={searchRef}
              labels={LIST_LABELS}
              extra={(i) => i.contentType}
            />
            <SecretDetail />
          </div>
        ) : (
          <DeletedList deleted={deleted} nameOf={nameOf} load={loadDeleted} recover={recover} purge={purge} labels={{ list: L.deletedList, empty: L.emptyDeleted }} />
        )}
      </KindTabs>
      {newOpen ? (
        <NewSecretDialog
          onClose={() => setNewOpen(false)}
          onCreated={(name) => {
            setView('live');
            void select(name);
          }}
        />
      ) : null}
    </KindScreen>
  );
}
