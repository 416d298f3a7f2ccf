/**
 * The left pane of a kind's screen: search (name, tags and what the kind
 * adds), sort (name, last updated, expiry) and the virtualized list. Rows are
 * sorted when the items or the sort change, and only filtered on a keystroke.
 */
import { useId, useMemo, type ReactNode, type Ref } from 'react';
import { L } from '../../app/labels.js';
import { ObjectList } from './ObjectList.js';
import { filterRows, sortRows, type ListItem, type SortKey } from './status.js';

export interface ListPaneProps<T extends ListItem> {
  items: T[] | null;
  nameOf: (item: T) => string;
  /** What a search matches besides the name and tags. */
  searchText?: (item: T) => string;
  query: string;
  setQuery: (q: string) => void;
  sort: SortKey;
  setSort: (s: SortKey) => void;
  selected: string | null;
  onOpen: (name: string) => void;
  searchRef?: Ref<HTMLInputElement>;
  labels: { search: string; list: string; empty: string; noMatch: string; count: (n: number) => string };
  extra?: (item: T) => ReactNode;
}

export function ListPane<T extends ListItem>(p: ListPaneProps<T>) {
  const searchId = useId();
  const sortId = useId();
  const { nameOf, searchText } = p;
  const sorted = useMemo(() => sortRows(p.items ?? [], p.sort, nameOf, searchText), [p.items, p.sort, nameOf, searchText]);
  const rows = useMemo(() => filterRows(sorted, p.query), [sorted, p.query]);
  return (
    <div className="list-pane">
      <div className="toolbar">
        <label htmlFor={searchId} className="visually-hidden">
          {p.labels.search}
        </label>
        <input
          ref={p.searchRef}
          id={searchId}
          type="search"
          placeholder={p.labels.search}
          value={p.query}
          onChange={(e) => p.setQuery(e.target.value)}
          spellCheck={false}
          autoComplete="off"
        />
        <label htmlFor={sortId}>{L.sortBy}</label>
        <select id={sortId} value={p.sort} onChange={(e) => p.setSort(e.target.value as SortKey)}>
          <option value="name">{L.sortName}</option>
          <option value="updated">{L.sortUpdated}</option>
          <option value="expires">{L.sortExpires}</option>
        </select>
      </div>
      <ObjectList
        total={p.items === null ? null : p.items.length}
        rows={rows}
        selected={p.selected}
        onOpen={p.onOpen}
        label={p.labels.list}
        empty={p.labels.empty}
        noMatch={p.labels.noMatch}
        count={p.labels.count}
        {...(p.extra ? { extra: p.extra } : {})}
      />
    </div>
  );
}
