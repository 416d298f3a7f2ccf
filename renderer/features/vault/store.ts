/**
 * The session: which screen shows (start / unlock / vault) and the vault's
 * path and summary. Passphrases never enter this store: the forms keep them
 * in component state and pass them straight to `call`.
 */
import { create } from 'zustand';
import type { ErrorResult, RecentVault, VaultStatus, VaultSummary } from '../../../shared/contract.js';
import { call } from '../../lib/api.js';
import { onReset, resetAllStores } from '../../lib/reset.js';

export type Screen = 'loading' | 'start' | 'unlock' | 'vault';

interface SessionState {
  screen: Screen;
  /** The open vault's path, or the one to unlock. */
  path: string | null;
  vault: VaultSummary | null;
  recent: RecentVault[];
  /** An error from lock or status, shown on the screen that follows. */
  error: string | null;
  init(): Promise<void>;
  applyStatus(status: VaultStatus): void;
  loadRecent(): Promise<void>;
  create(path: string, passphrase: string): Promise<ErrorResult | null>;
  open(path: string, passphrase: string): Promise<ErrorResult | null>;
  lock(): Promise<void>;
  /** Main locked the vault (menu, quit): clear everything, then show what main says. */
  lockedByMain(): Promise<void>;
  goStart(): void;
}

export const useSession = create<SessionState>()((set, get) => {
  /** Every store and the screen back to locked, synchronously, then `next` (a call to main). */
  const clearThen = <T>(next: () => Promise<T>): Promise<T> => {
    const path = get().path;
    resetAllStores();
    set({ screen: path ? 'unlock' : 'start', vault: null, error: null });
    return next();
  };
  return {
  screen: 'loading',
  path: null,
  vault: null,
  recent: [],
  error: null,

  async init() {
    const r = await call('vault:status', {});
    if (r.ok) get().applyStatus(r.value);
    else set({ screen: 'start', error: r.message });
  },

  applyStatus(status) {
    if (status.state === 'unlocked') set({ screen: 'vault', path: status.path, vault: status.vault, error: null });
    else set({ screen: status.path ? 'unlock' : 'start', path: status.path, vault: null });
  },

  async loadRecent() {
    const r = await call('vault:recent', {});
    if (r.ok) set({ recent: r.value });
  },

  async create(path, passphrase) {
    const r = await call('vault:create', { path, passphrase });
    if (!r.ok) return r;
    resetAllStores();
    get().applyStatus(r.value);
    return null;
  },

  async open(path, passphrase) {
    const r = await call('vault:open', { path, passphrase });
    if (!r.ok) {
      // Main remembers the path even on a wrong passphrase, and has locked whatever was open.
      return r;
    }
    resetAllStores();
    get().applyStatus(r.value);
    return null;
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

onReset(() => useSession.setState({ recent: [] }));
