/**
 * The person's identity in the profile, as main reads it (identity:get):
 * public data only (name, id, fingerprint, invite). Its passphrase never
 * enters this store: the forms keep it in component state and pass it
 * straight to `call`. It is the profile's, not the vault's: a lock does not
 * clear it (lib/reset.ts clears what came from the unlocked vault), so the
 * unlock screen does not ask main again each time.
 */
import { create } from 'zustand';
import type { ErrorResult, IdentityView } from '../../../shared/contract.js';
import { L } from '../../app/labels.js';
import { call } from '../../lib/api.js';

interface IdentityState {
  /** Undefined until main answered; null when the profile has no identity. */
  identity: IdentityView | null | undefined;
  error: string | null;
  status: string | null;
  load(): Promise<void>;
  create(name: string, passphrase: string): Promise<ErrorResult | null>;
  copyInvite(): Promise<void>;
  /** Remembers the identity on this computer (OS keychain) once main confirmed the passphrase; forget undoes it. */
  remember(passphrase: string): Promise<ErrorResult | null>;
  forget(): Promise<void>;
}

export const useIdentity = create<IdentityState>()((set) => ({
  identity: undefined,
  error: null,
  status: null,

  async load() {
    const r = await call('identity:get', {});
    if (r.ok) set({ identity: r.value, error: null });
    else set({ error: r.message });
  },

  async create(name, passphrase) {
    const r = await call('identity:create', { name, passphrase });
    if (!r.ok) return r;
    set({ identity: r.value, error: null, status: null });
    return null;
  },

  async remember(passphrase) {
    const r = await call('identity:remember', { passphrase });
    if (!r.ok) return r;
    set({ identity: r.value, error: null, status: L.identityRemembered });
    return null;
  },

  async forget() {
    set({ error: null, status: null });
    const r = await call('identity:forget', {});
    if (r.ok) set({ identity: r.value, status: L.identityForgotten });
    else set({ error: r.message });
  },

  async copyInvite() {
    set({ error: null, status: null });
    const r = await call('identity:copyInvite', {});
    if (r.ok) set({ status: L.copied(r.value.clearsInSeconds) });
    else set({ error: r.message });
  },
}));
