/**
 * The History view's state: the vault's commits of the last 1, 7 or 30 days as
 * main lists them (the engine's Vault.history: author, time, changes; rejected
 * commits with their reason). Names and times only, never a value.
 */
import { create } from 'zustand';
import type { HistoryEntry } from '../../../shared/vault-types.js';
import { call } from '../../lib/api.js';
import { onReset } from '../../lib/reset.js';
import { onVaultChanged } from '../../lib/reload.js';
import { realClock } from '../../lib/clock.js';

/** The periods the view offers, in days. */
export const HISTORY_PERIODS = [1, 7, 30] as const;
export type HistoryPeriod = (typeof HISTORY_PERIODS)[number];

const DAY_MS = 24 * 60 * 60 * 1000;

interface HistoryState {
  days: HistoryPeriod;
  /** Null until loaded. */
  entries: HistoryEntry[] | null;
  error: string | null;
  /** `now`: milliseconds since the epoch (the renderer's clock). */
  load(now: number): Promise<void>;
  setDays(days: HistoryPeriod, now: number): Promise<void>;
}

export const useHistory = create<HistoryState>()((set, get) => ({
  days: 7,
  entries: null,
  error: null,
  async load(now) {
    const days = get().days;
    const r = await call('vault:history', { since: Math.max(0, now - days * DAY_MS) });
    // A period chosen while this was being asked for wins.
    if (get().days !== days) return;
    if (r.ok) set({ entries: r.value, error: null });
    else set({ error: r.message, entries: get().entries ?? [] });
  },
  async setDays(days, now) {
    set({ days });
    await get().load(now);
  },
}));

onReset(() => useHistory.setState({ days: 7, entries: null, error: null }));
onVaultChanged(async () => {
  if (useHistory.getState().entries !== null) await useHistory.getState().load(realClock.now());
});
