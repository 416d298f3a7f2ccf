/**
 * The session: which screen shows (start / unlock / vault) and the vault's
 * path and summary. Passphrases never enter this store: the forms keep them
 * in component state and pass them straight to `call`.
 */
import { create } from 'zustand';
import type { ErrorResult, RecentVault, Result, VaultStatus, VaultSummary } from '../../../shared/contract.js';
import type { UnlockMethod } from '../../../shared/vault-types.js';
import { call } from '../../lib/api.js';
import { onReset, resetAllStores } from '../../lib/reset.js';
import { onVaultChanged } from '../../lib/reload.js';
import { L } from '../../app/labels.js';

export type Screen = 'loading' | 'start' | 'unlock' | 'vault';

/** An identity's passphrase left empty: main uses the identity this computer remembers. */
const byIdentity = (path: string, passphrase: string): { path: string; passphrase?: string } => (passphrase === '' ? { path } : { path, passphrase });

interface SessionState {
  screen: Screen;
  /** The open vault's path, or the one to unlock. */
  path: string | null;
  vault: VaultSummary | null;
  /** Locked: whether this computer remembers the vault at `path` (the unlock screen offers the keychain). */
  remembered: boolean;
  /** How the vault at `path` was last unlocked in this run: the unlock screen offers the same way first (a member's identity). */
  openedWith: UnlockMethod | null;
  recent: RecentVault[];
  /** An error from lock or status, shown on the screen that follows. */
  error: string | null;
  /** Shown once on the vault screen (e.g. the vault opened but could not be remembered). */
  notice: string | null;
  init(): Promise<void>;
  applyStatus(status: VaultStatus): void;
  loadRecent(): Promise<void>;
  create(path: string, passphrase: string): Promise<ErrorResult | null>;
  /** A team vault of the profile's identity, with its passphrase; an empty one: the identity this computer remembers. */
  createWithIdentity(path: string, passphrase: string): Promise<ErrorResult | null>;
  /** With `remember`, once open the vault is remembered on this computer (a failure becomes `notice`). */
  open(path: string, passphrase: string, remember?: boolean): Promise<ErrorResult | null>;
  unlockWithKeychain(path: string): Promise<ErrorResult | null>;
  /** Opens as a member, with the profile's identity and its passphrase; an empty one: the identity this computer remembers. */
  openWithIdentity(path: string, passphrase: string): Promise<ErrorResult | null>;
  resetPassphrase(path: string, recoveryKey: string, newPassphrase: string): Promise<ErrorResult | null>;
  /** The vault at `path` no longer unlocks with the keychain here. */
  forget(path: string): Promise<ErrorResult | null>;
  /** Asks main again (after a keychain failure, the remembered flag may have changed). */
  refresh(): Promise<void>;
  dismissNotice(): void;
  lock(): Promise<void>;
  /** Main locked the vault (menu, quit): clear everything, then show what main says. */
  lockedByMain(): Promise<void>;
  goStart(): void;
}

export const useSession = create<SessionState>()((set, get) => {
  /** Every store and the screen back to locked, synchronously, then `next` (a call to main). */
  /** A create or an unlock main answered: on success every store starts afresh on the vault main opened. */
  const enter = (r: Result<VaultStatus>): ErrorResult | null => {
    if (!r.ok) return r;
    resetAllStores();
    get().applyStatus(r.value);
    return null;
  };
  const clearThen = <T>(next: () => Promise<T>): Promise<T> => {
    const { path, vault, remembered } = get();
    resetAllStores();
    // Until main answers, the unlock screen goes by what the open vault said (the
    // Security dialog may have remembered or forgotten it since the last unlock).
    set({ screen: path ? 'unlock' : 'start', vault: null, remembered: vault?.remembered ?? remembered, error: null });
    return next();
  };
  return {
  screen: 'loading',
  path: null,
  vault: null,
  remembered: false,
  openedWith: null,
  recent: [],
  error: null,
  notice: null,

  async init() {
    const r = await call('vault:status', {});
    if (r.ok) get().applyStatus(r.value);
    else set({ screen: 'start', error: r.message });
  },

  applyStatus(status) {
    if (status.state === 'unlocked') set({ screen: 'vault', path: status.path, vault: status.vault, openedWith: status.vault.unlockedWith, error: null });
    else set({ screen: status.path ? 'unlock' : 'start', path: status.path, vault: null, remembered: status.remembered });
  },

  async loadRecent() {
    const r = await call('vault:recent', {});
    if (r.ok) set({ recent: r.value });
  },

  async create(path, passphrase) {
    return enter(await call('vault:create', { path, passphrase }));
  },

  async createWithIdentity(path, passphrase) {
    return enter(await call('vault:createWithIdentity', byIdentity(path, passphrase)));
  },

  async open(path, passphrase, remember = false) {
    // On a wrong passphrase main keeps the path to offer again, and has locked whatever was open.
    const err = enter(await call('vault:open', { path, passphrase }));
    if (err) return err;
    if (remember) {
      // The vault is open either way; a keychain that refuses is said on the vault screen.
      const m = await call('vault:remember', { passphrase });
      if (m.ok) get().applyStatus(m.value);
      else set({ notice: L.rememberFailed(m.message) });
    }
    return null;
  },

  async unlockWithKeychain(path) {
    const err = enter(await call('vault:unlockWithKeychain', { path }));
    // A keychain that could not unlock may also have stopped remembering the vault: ask main.
    if (err) await get().refresh();
    return err;
  },

  async openWithIdentity(path, passphrase) {
    return enter(await call('vault:openWithIdentity', byIdentity(path, passphrase)));
  },

  async resetPassphrase(path, recoveryKey, newPassphrase) {
    return enter(await call('vault:resetPassphrase', { path, recoveryKey, newPassphrase }));
  },

  async forget(path) {
    const r = await call('vault:forget', { path });
    if (!r.ok) return r;
    get().applyStatus(r.value);
    return null;
  },

  async refresh() {
    const r = await call('vault:status', {});
    if (r.ok) get().applyStatus(r.value);
  },

  dismissNotice() {
    set({ notice: null });
  },

  async lock() {
    // Clear every store (and so the DOM) before asking main: nothing waits on IPC.
    const r = await clearThen(() => call('vault:lock', {}));
    if (r.ok) get().applyStatus(r.value);
    else set({ error: r.message });
  },

  async lockedByMain() {
    // Main has locked already: only ask what it shows now.
    const r = await clearThen(() => call('vault:status', {}));
    if (r.ok) get().applyStatus(r.value);
  },

  goStart() {
    resetAllStores();
    set({ screen: 'start', vault: null, error: null });
  },
  };
});

onReset(() => useSession.setState({ recent: [], notice: null }));
// The summary (counts, the caller's roles, rejected commits) follows the vault's file.
onVaultChanged(() => useSession.getState().refresh());
