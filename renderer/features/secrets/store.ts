/**
 * Secrets as the renderer holds them: the shared object slice (lists and
 * attributes, never a value) plus ONE map of revealed values keyed by
 * version id, filled only by an explicit Reveal, emptied on Hide, on a
 * change of selection and on lock (resetAllStores).
 */
import { create } from 'zustand';
import type { ChannelInput, ErrorResult } from '../../../shared/contract.js';
import type { DeletedSecretItem, SecretItem } from '../../../shared/keyvault.js';
import { L } from '../../app/labels.js';
import { call } from '../../lib/api.js';
import { initialObjects, objectsSlice, type ObjectsState } from '../../lib/objects/store.js';
import { onReset } from '../../lib/reset.js';
import { onVaultChanged } from '../../lib/reload.js';

interface SecretsExtra {
  /** version id → value, only while shown. */
  revealed: Record<string, string>;
  reveal(name: string, version: string): Promise<void>;
  hide(version: string): void;
  copy(name: string, version: string): Promise<void>;
  setEnabled(name: string, version: string, enabled: boolean): Promise<void>;
  /** For the dialogs: the error goes back to the dialog, not to the page. */
  setSecret(input: ChannelInput<'secrets:set'>): Promise<ErrorResult | null>;
  update(input: ChannelInput<'secrets:update'>): Promise<ErrorResult | null>;
}

type SecretsState = ObjectsState<SecretItem, DeletedSecretItem> & SecretsExtra;

export const useSecrets = create<SecretsState>()((set, get) => ({
  ...objectsSlice<SecretItem, DeletedSecretItem, SecretItem, SecretsState>(
    {
      list: () => call('secrets:list', {}),
      listVersions: (name) => call('secrets:listVersions', { name }),
      listDeleted: () => call('secrets:listDeleted', {}),
      remove: (name) => call('secrets:delete', { name }),
      recover: (name) => call('secrets:recover', { name }),
      purge: (name) => call('secrets:purge', { name }),
    },
    set,
    get,
    // A new selection never shows an old value.
    () => ({ revealed: {} }),
  ),
  revealed: {},

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
    await get().refresh(input.name);
    return null;
  },

  async update(input) {
    const r = await call('secrets:update', input);
    if (!r.ok) return r;
    if (input.patch.enabled === false && input.version) get().hide(input.version);
    await Promise.all([get().loadVersions(), get().loadList()]);
    return null;
  },
}));

onReset(() => useSecrets.setState({ ...initialObjects<SecretItem, DeletedSecretItem>(), revealed: {} }));
onVaultChanged(() => useSecrets.getState().reloadShown());
