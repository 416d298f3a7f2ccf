/**
 * Secrets as the renderer holds them: lists and attributes (never a value),
 * plus ONE map of revealed values keyed by version id, filled only by an
 * explicit Reveal, emptied on Hide, on a change of selection and on lock
 * (resetAllStores).
 */
import { create } from 'zustand';
import type { ChannelInput, ErrorResult } from '../../../shared/contract.js';
import type { DeletedSecretItem, SecretItem } from '../../../shared/keyvault.js';
import { L } from '../../app/labels.js';
import { call } from '../../lib/api.js';
import { onReset } from '../../lib/reset.js';
import type { SortKey } from './status.js';

export type View = 'secrets' | 'deleted';

interface Data {
  view: View;
  items: SecretItem[] | null;
  deleted: DeletedSecretItem[] | null;
  query: string;
  sort: SortKey;
  /** The secret whose detail shows. */
  selected: string | null;
  versions: SecretItem[] | null;
  /** version id → value, only while shown. */
  revealed: Record<string, string>;
  error: string | null;
  status: string | null;
}

interface Actions {
  setView(view: View): void;
  setQuery(query: string): void;
  setSort(sort: SortKey): void;
  clearMessages(): void;
  loadList(): Promise<void>;
  loadDeleted(): Promise<void>;
  select(name: string | null): Promise<void>;
  loadVersions(): Promise<void>;
  reveal(name: string, version: string): Promise<void>;
  hide(version: string): void;
  copy(name: string, version: string): Promise<void>;
  setEnabled(name: string, version: string, enabled: boolean): Promise<void>;
  /** For the dialogs: the error goes back to the dialog, not to the page. */
  setSecret(input: ChannelInput<'secrets:set'>): Promise<ErrorResult | null>;
  update(input: ChannelInput<'secrets:update'>): Promise<ErrorResult | null>;
  remove(name: string): Promise<ErrorResult | null>;
  recover(name: string): Promise<void>;
  purge(name: string): Promise<ErrorResult | null>;
}

const initial: Data = {
  view: 'secrets',
  items: null,
  deleted: null,
  query: '',
  sort: 'name',
  selected: null,
  versions: null,
  revealed: {},
  error: null,
  status: null,
};

export const useSecrets = create<Data & Actions>()((set, get) => ({
  ...initial,

  setView(view) {
    set({ view, error: null, status: null });
    if (view === 'deleted') void get().loadDeleted();
    else void get().loadList();
  },
  setQuery(query) {
    set({ query });
  },
  setSort(sort) {
    set({ sort });
  },
  clearMessages() {
    set({ error: null, status: null });
  },

  async loadList() {
    const r = await call('secrets:list', {});
    if (r.ok) set({ items: r.value });
    else set({ error: r.message, items: get().items ?? [] });
  },

  async loadDeleted() {
    const r = await call('secrets:listDeleted', {});
    if (r.ok) set({ deleted: r.value });
    else set({ error: r.message, deleted: get().deleted ?? [] });
  },

  async select(name) {
    // A new selection never shows an old value.
    set({ selected: name, versions: null, revealed: {}, error: null, status: null });
    if (name !== null) await get().loadVersions();
  },

  async loadVersions() {
    const name = get().selected;
    if (name === null) return;
    const r = await call('secrets:listVersions', { name });
    if (get().selected !== name) return;
    if (r.ok) set({ versions: [...r.value].sort((a, b) => b.attributes.created - a.attributes.created) });
    else set({ error: r.message, versions: [] });
  },

  async reveal(name, version) {
    set({ error: null });
    const r = await call('secrets:reveal', { name, version });
    // Selection changed or the vault locked meanwhile: drop the value.
    if (get().selected !== name) return;
    if (r.ok) set({ revealed: { ...get().revealed, [version]: r.value.value } });
    else set({ error: r.message });
  },

  hide(version) {
    const next = { ...get().revealed };
    delete next[version];
    set({ revealed: next });
  },

  async copy(name, version) {
    set({ error: null, status: null });
    const r = await call('secrets:copy', { name, version });
    if (r.ok) set({ status: L.copied(r.value.clearsInSeconds) });
    else set({ error: r.message });
  },

  async setEnabled(name, version, enabled) {
    set({ error: null, status: null });
    // update() hides a version it disables and reloads the versions and the list.
    const err = await get().update({ name, version, patch: { enabled } });
    if (err) set({ error: err.message });
  },

  async setSecret(input) {
    const r = await call('secrets:set', input);
    if (!r.ok) return r;
    await get().loadList();
    if (get().selected === input.name) await get().loadVersions();
    return null;
  },

  async update(input) {
    const r = await call('secrets:update', input);
    if (!r.ok) return r;
    if (input.patch.enabled === false && input.version) get().hide(input.version);
    await Promise.all([get().loadVersions(), get().loadList()]);
    return null;
  },

  async remove(name) {
    const r = await call('secrets:delete', { name });
    if (!r.ok) return r;
    if (get().selected === name) set({ selected: null, versions: null, revealed: {} });
    await Promise.all([get().loadList(), get().loadDeleted()]);
    return null;
  },

  async recover(name) {
    set({ error: null, status: null });
    const r = await call('secrets:recover', { name });
    if (!r.ok) {
      set({ error: r.message });
      return;
    }
    await Promise.all([get().loadList(), get().loadDeleted()]);
  },

  async purge(name) {
    const r = await call('secrets:purge', { name });
    if (!r.ok) return r;
    await get().loadDeleted();
    return null;
  },
}));

onReset(() => useSecrets.setState({ ...initial, revealed: {} }));
