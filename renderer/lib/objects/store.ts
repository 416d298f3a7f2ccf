/**
 * The state every object kind's screen shares, as a zustand slice: the list,
 * the deleted list, search and sort, the selected object and its versions,
 * and soft delete (delete, recover, purge). A kind's store spreads
 * `objectsSlice(calls, set, get)` and adds its own (a secret's revealed
 * values, a key's details). Messages go to the page (`error`, `status`);
 * dialogs get their error back instead (an ErrorResult or null).
 */
import type { StoreApi } from 'zustand';
import type { ErrorResult, Result } from '../../../shared/contract.js';
import type { SortKey } from './status.js';

/** The kind's tab: its live objects or its deleted ones. */
export type ObjectsView = 'live' | 'deleted';

/** The calls a kind's slice makes to main (its channels). */
export interface KindCalls<Item, Deleted, Version> {
  list(): Promise<Result<Item[]>>;
  /** The versions in their order in the history, oldest first (as the engine lists them). */
  listVersions(name: string): Promise<Result<Version[]>>;
  listDeleted(): Promise<Result<Deleted[]>>;
  remove(name: string): Promise<Result<unknown>>;
  recover(name: string): Promise<Result<unknown>>;
  purge(name: string): Promise<Result<unknown>>;
}

/** Item: what the list shows; Version: what the versions table shows (a key's list items carry its type, its versions do not). */
export interface ObjectsData<Item, Deleted, Version = Item> {
  view: ObjectsView;
  items: Item[] | null;
  deleted: Deleted[] | null;
  query: string;
  sort: SortKey;
  /** The object whose detail shows. */
  selected: string | null;
  /**
   * Its versions newest first, by their order in the history: two versions
   * made in the same second still show in the order they were made. The
   * first is the current version.
   */
  versions: Version[] | null;
  error: string | null;
  status: string | null;
}

export interface ObjectsActions {
  setView(view: ObjectsView): void;
  setQuery(query: string): void;
  setSort(sort: SortKey): void;
  clearMessages(): void;
  loadList(): Promise<void>;
  loadDeleted(): Promise<void>;
  select(name: string | null): Promise<void>;
  loadVersions(): Promise<void>;
  /** Reloads the list and, if it is selected, the object's versions (after a write to `name`). */
  refresh(name: string): Promise<void>;
  /** Reloads what the screen shows (the list of its tab, the selected object's versions): another writer changed the vault. */
  reloadShown(): Promise<void>;
  remove(name: string): Promise<ErrorResult | null>;
  recover(name: string): Promise<void>;
  purge(name: string): Promise<ErrorResult | null>;
}

export type ObjectsState<Item, Deleted, Version = Item> = ObjectsData<Item, Deleted, Version> & ObjectsActions;

export function initialObjects<Item, Deleted, Version = Item>(): ObjectsData<Item, Deleted, Version> {
  return { view: 'live', items: null, deleted: null, query: '', sort: 'name', selected: null, versions: null, error: null, status: null };
}

/**
 * The shared slice. `onDeselect` runs whenever the selection changes or the
 * selected object goes away: a kind drops what it showed of it (a revealed
 * value, a key's details).
 */
export function objectsSlice<Item, Deleted, Version, S extends ObjectsState<Item, Deleted, Version>>(
  calls: KindCalls<Item, Deleted, Version>,
  set: StoreApi<S>['setState'],
  get: StoreApi<S>['getState'],
  onDeselect: () => Partial<S> = () => ({}),
): ObjectsState<Item, Deleted, Version> {
  const patch = (p: Partial<ObjectsData<Item, Deleted, Version>>) => set(p as Partial<S>);
  return {
    ...initialObjects<Item, Deleted, Version>(),

    setView(view) {
      patch({ view, error: null, status: null });
      if (view === 'deleted') void get().loadDeleted();
      else void get().loadList();
    },
    setQuery(query) {
      patch({ query });
    },
    setSort(sort) {
      patch({ sort });
    },
    clearMessages() {
      patch({ error: null, status: null });
    },

    async loadList() {
      const r = await calls.list();
      if (r.ok) patch({ items: r.value });
      else patch({ error: r.message, items: get().items ?? [] });
    },

    async loadDeleted() {
      const r = await calls.listDeleted();
      if (r.ok) patch({ deleted: r.value });
      else patch({ error: r.message, deleted: get().deleted ?? [] });
    },

    async select(name) {
      set({ ...onDeselect(), selected: name, versions: null, error: null, status: null } as Partial<S>);
      if (name !== null) await get().loadVersions();
    },

    async loadVersions() {
      const name = get().selected;
      if (name === null) return;
      const r = await calls.listVersions(name);
      if (get().selected !== name) return;
      if (r.ok) patch({ versions: [...r.value].reverse() });
      else patch({ error: r.message, versions: [] });
    },

    async refresh(name) {
      await Promise.all([get().loadList(), get().selected === name ? get().loadVersions() : undefined]);
    },

    async reloadShown() {
      const { view, items, deleted, selected } = get();
      await Promise.all([
        view === 'deleted' ? (deleted === null ? undefined : get().loadDeleted()) : items === null ? undefined : get().loadList(),
        selected === null ? undefined : get().loadVersions(),
      ]);
    },

    async remove(name) {
      const r = await calls.remove(name);
      if (!r.ok) return r;
      if (get().selected === name) set({ ...onDeselect(), selected: null, versions: null } as Partial<S>);
      await Promise.all([get().loadList(), get().loadDeleted()]);
      return null;
    },

    async recover(name) {
      patch({ error: null, status: null });
      const r = await calls.recover(name);
      if (!r.ok) {
        patch({ error: r.message });
        return;
      }
      await Promise.all([get().loadList(), get().loadDeleted()]);
    },

    async purge(name) {
      const r = await calls.purge(name);
      if (!r.ok) return r;
      await get().loadDeleted();
      return null;
    },
  };
}
