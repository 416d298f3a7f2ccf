/**
 * Keys as the renderer holds them: the shared object slice (lists, versions,
 * soft delete) plus the details of the version in view (its public key,
 * thumbprint and the algorithms each operation takes) and the version the
 * "Use key" panel works with. Private and symmetric material never reaches
 * the renderer; a decryption's output does, only when asked for, and the
 * panel drops it on close, on a change of selection and on lock.
 */
import { create } from 'zustand';
import type { ChannelInput, ErrorResult, KeyDetails, KeyListItem } from '../../../shared/contract.js';
import type { DeletedKeyItem, KeyItem } from '../../../shared/keyvault.js';
import { L, shortVersion } from '../../app/labels.js';
import { call } from '../../lib/api.js';
import { versionFromId } from '../../lib/format.js';
import { initialObjects, objectsSlice, type ObjectsState } from '../../lib/objects/store.js';
import { onReset } from '../../lib/reset.js';
import { onVaultChanged } from '../../lib/reload.js';

interface KeysExtra {
  /** The details of the current version of the selected key. */
  details: KeyDetails | null;
  /** The version the Use key panel is open for, or null. */
  using: string | null;
  loadDetails(): Promise<void>;
  use(version: string | null): void;
  setEnabled(name: string, version: string, enabled: boolean): Promise<void>;
  copyPublic(name: string, format: 'pem' | 'jwk'): Promise<void>;
  /** For the dialogs: the error goes back to the dialog, not to the page. */
  create(input: ChannelInput<'keys:create'>): Promise<ErrorResult | null>;
  importKey(input: ChannelInput<'keys:import'>): Promise<ErrorResult | null>;
  update(input: ChannelInput<'keys:update'>): Promise<ErrorResult | null>;
  rotate(name: string): Promise<void>;
  /** After main rotated keys on schedule: the list, and the selected key's versions and details if it was one of them. */
  rotated(names: readonly string[]): Promise<void>;
}

/** The list's items carry their type; versions are Key Vault's KeyItem. */
type KeysState = ObjectsState<KeyListItem, DeletedKeyItem, KeyItem> & KeysExtra;

export const useKeys = create<KeysState>()((set, get) => ({
  ...objectsSlice<KeyListItem, DeletedKeyItem, KeyItem, KeysState>(
    {
      list: () => call('keys:list', {}),
      listVersions: (name) => call('keys:listVersions', { name }),
      listDeleted: () => call('keys:listDeleted', {}),
      remove: (name) => call('keys:delete', { name }),
      recover: (name) => call('keys:recover', { name }),
      purge: (name) => call('keys:purge', { name }),
    },
    set,
    get,
    () => ({ details: null, using: null }),
  ),
  details: null,
  using: null,

  async loadDetails() {
    const name = get().selected;
    if (name === null) return;
    const r = await call('keys:get', { name });
    if (get().selected !== name) return;
    if (r.ok) set({ details: r.value });
    else set({ error: r.message, details: null });
  },

  use(version) {
    set({ using: version, error: null, status: null });
  },

  async setEnabled(name, version, enabled) {
    set({ error: null, status: null });
    const err = await get().update({ name, version, patch: { enabled } });
    if (err) set({ error: err.message });
  },

  async copyPublic(name, format) {
    set({ error: null, status: null });
    const r = await call('keys:copyPublic', { name, format });
    if (r.ok) set({ status: L.copied(r.value.clearsInSeconds) });
    else set({ error: r.message });
  },

  async create(input) {
    const r = await call('keys:create', input);
    if (!r.ok) return r;
    await get().loadList();
    return null;
  },

  async importKey(input) {
    const r = await call('keys:import', input);
    if (!r.ok) return r;
    await get().loadList();
    return null;
  },

  async update(input) {
    const r = await call('keys:update', input);
    if (!r.ok) return r;
    // A disabled version cannot be used: close its panel.
    if (input.patch.enabled === false && get().using === input.version) set({ using: null });
    await Promise.all([get().loadVersions(), get().loadList(), get().loadDetails()]);
    return null;
  },

  async rotate(name) {
    set({ error: null, status: null });
    const r = await call('keys:rotate', { name });
    if (!r.ok) {
      set({ error: r.message });
      return;
    }
    await Promise.all([get().refresh(name), get().selected === name ? get().loadDetails() : undefined]);
    set({ status: L.rotated(shortVersion(versionFromId(r.value.key.kid))) });
  },

  async rotated(names) {
    const selected = get().selected;
    const mine = selected !== null && names.some((n) => n.toLowerCase() === selected.toLowerCase());
    await Promise.all([get().items === null ? undefined : get().loadList(), mine ? get().loadVersions() : undefined, mine ? get().loadDetails() : undefined]);
  },
}));

onReset(() => useKeys.setState({ ...initialObjects<KeyListItem, DeletedKeyItem, KeyItem>(), details: null, using: null }));
onVaultChanged(async () => void (await Promise.all([useKeys.getState().reloadShown(), useKeys.getState().loadDetails()])));
