/** The Keys screen: New key, Import key, the tabs Keys / Deleted, list + detail. */
import { useEffect, useRef, useState } from 'react';
import { useShallow } from 'zustand/react/shallow';
import type { KeyListItem } from '../../../shared/contract.js';
import { L } from '../../app/labels.js';
import { useShellRequest } from '../../app/shell.js';
import { nameFromId } from '../../lib/format.js';
import { DeletedList } from '../../lib/objects/DeletedList.js';
import { KindScreen } from '../../lib/objects/KindScreen.js';
import { KindTabs } from '../../lib/objects/KindTabs.js';
import { ListPane } from '../../lib/objects/ListPane.js';
import { CreateKeyDialog, ImportKeyDialog } from './dialogs.js';
import { KeyDetail } from './KeyDetail.js';
import { useKeys } from './store.js';

const nameOf = (i: { kid: string }) => nameFromId(i.kid);
const typeOf = (i: KeyListItem) => L.keyTypeText(i.kty, i.size, i.crv);
const LIST_LABELS = { search: L.searchKeys, list: L.keysList, empty: L.emptyKeys, noMatch: L.noMatchKeys, count: L.keyCount };

export function KeysScreen() {
  const { view, error, status, query, sort, items, deleted, selected } = useKeys(
    useShallow((s) => ({ view: s.view, error: s.error, status: s.status, query: s.query, sort: s.sort, items: s.items, deleted: s.deleted, selected: s.selected })),
  );
  const { setView, setQuery, setSort, loadList, loadDeleted, select, recover, purge } = useKeys.getState();
  const [dialog, setDialog] = useState<'create' | 'import' | null>(null);
  const searchRef = useRef<HTMLInputElement>(null);

  useEffect(() => {
    void loadList();
  }, [loadList]);

  useShellRequest('keys', (type) => {
    if (type === 'new') setDialog('create');
    else {
      setView('live');
      requestAnimationFrame(() => searchRef.current?.focus());
    }
  });

  const opened = (name: string) => {
    setView('live');
    void select(name);
  };

  return (
    <KindScreen
      title={L.keysTab}
      error={error}
      status={status}
      actions={
        <>
          <button type="button" className="primary" onClick={() => setDialog('create')}>
            {L.newKeyButton}
          </button>
          <button type="button" onClick={() => setDialog('import')}>
            {L.importKeyButton}
          </button>
        </>
      }
    >
      <KindTabs view={view} setView={setView} liveLabel={L.keysTab}>
        {view === 'live' ? (
          <div className="split">
            <ListPane
              items={items}
              nameOf={nameOf}
              searchText={typeOf}
              query={query}
              setQuery={setQuery}
              sort={sort}
              setSort={setSort}
              selected={selected}
              onOpen={(name) => void select(name)}
              searchRef={searchRef}
              labels={LIST_LABELS}
              extra={typeOf}
            />
            <KeyDetail />
          </div>
        ) : (
          <DeletedList deleted={deleted} nameOf={nameOf} load={loadDeleted} recover={recover} purge={purge} labels={{ list: L.deletedKeysList, empty: L.emptyDeletedKeys }} />
        )}
      </KindTabs>
      {dialog === 'create' ? <CreateKeyDialog onClose={() => setDialog(null)} onCreated={opened} /> : null}
      {dialog === 'import' ? <ImportKeyDialog onClose={() => setDialog(null)} onCreated={opened} /> : null}
    </KindScreen>
  );
}
