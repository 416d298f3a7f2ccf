/**
 * A kind's tabs and panels, on its store: its live objects (search, sort,
 * list, and the kind's detail beside it) or the deleted ones (recover,
 * purge). It carries out the menu's requests for the kind: Find shows the
 * list and focuses its search box, New calls `onNew`. The kind's screen adds
 * its title, actions and dialogs around it.
 */
import { useEffect, useRef, type ReactNode } from 'react';
import { useShellRequest, type KindId } from '../../app/shell.js';
import type { StoreApi, UseBoundStore } from 'zustand';
import { useShallow } from 'zustand/react/shallow';
import type { DeletionInfo } from '../../../shared/keyvault.js';
import { DeletedList } from './DeletedList.js';
import { KindTabs } from './KindTabs.js';
import { ListPane } from './ListPane.js';
import type { ListItem } from './status.js';
import type { ObjectsState } from './store.js';

/** The kind's store: the shared slice over its list items and deleted items, whatever its versions and additions. */
type KindState = ObjectsState<ListItem, DeletionInfo, unknown>;
type ItemOf<S extends KindState> = NonNullable<S['items']>[number];
type DeletedOf<S extends KindState> = NonNullable<S['deleted']>[number];

export interface ObjectsViewProps<S extends KindState> {
  kind: KindId;
  store: UseBoundStore<StoreApi<S>>;
  /** The menu's New (Ctrl/Cmd+N) for this kind. */
  onNew: () => void;
  nameOf: (item: ItemOf<S> | DeletedOf<S>) => string;
  searchText?: (item: ItemOf<S>) => string;
  extra?: (item: ItemOf<S>) => ReactNode;
  detail: ReactNode;
  labels: {
    live: string;
    search: string;
    list: string;
    empty: string;
    noMatch: string;
    count: (n: number) => string;
    deletedList: string;
    deletedEmpty: string;
  };
}

export function ObjectsView<S extends KindState>({ kind, store, onNew, nameOf, searchText, extra, detail, labels }: ObjectsViewProps<S>) {
  const { view, query, sort, items, deleted, selected } = store(
    useShallow((s: S) => ({ view: s.view, query: s.query, sort: s.sort, items: s.items, deleted: s.deleted, selected: s.selected })),
  );
  const { setView, setQuery, setSort, loadList, loadDeleted, select, recover, purge } = store.getState();

  const searchRef = useRef<HTMLInputElement>(null);

  useEffect(() => {
    void loadList();
  }, [loadList]);

  useShellRequest(kind, (type) => {
    if (type === 'new') onNew();
    else {
      setView('live');
      // After the live tab has rendered its search box.
      requestAnimationFrame(() => searchRef.current?.focus());
    }
  });

  return (
    <KindTabs view={view} setView={setView} liveLabel={labels.live}>
      {view === 'live' ? (
        <div className="split">
          <ListPane
            items={items}
            nameOf={nameOf}
            {...(searchText ? { searchText } : {})}
            query={query}
            setQuery={setQuery}
            sort={sort}
            setSort={setSort}
            selected={selected}
            onOpen={(name) => void select(name)}
            searchRef={searchRef}
            labels={labels}
            {...(extra ? { extra } : {})}
          />
          {detail}
        </div>
      ) : (
        <DeletedList deleted={deleted} nameOf={nameOf} load={loadDeleted} recover={recover} purge={purge} labels={{ list: labels.deletedList, empty: labels.deletedEmpty }} />
      )}
    </KindTabs>
  );
}
