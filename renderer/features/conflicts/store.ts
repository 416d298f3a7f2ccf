/**
 * The open vault's conflicted copies (main finds them beside the vault by each
 * sync service's naming, when the vault opens and whenever main says its file
 * changed) and, once the user asked main to merge them, what
 * became of each. After a merge every store shows the vault again (main took
 * the merged commits in), as after another writer's change (lib/reload.ts).
 */
import { create } from 'zustand';
import type { ConflictedCopyOutcome, ConflictedCopyView } from '../../../shared/contract.js';
import { call } from '../../lib/api.js';
import { onVaultChanged, reloadAllStores } from '../../lib/reload.js';
import { onReset } from '../../lib/reset.js';

interface ConflictsState {
  copies: ConflictedCopyView[];
  /** The last merge's outcome per copy, until dismissed. */
  report: ConflictedCopyOutcome[] | null;
  busy: boolean;
  error: string | null;
  check(): Promise<void>;
  merge(): Promise<void>;
  dismiss(): void;
}

const initial = { copies: [], report: null, busy: false, error: null };

export const useConflicts = create<ConflictsState>()((set, get) => ({
  ...initial,

  async check() {
    const r = await call('vault:conflictedCopies', {});
    // Finding them is a courtesy beside the vault's own work: a folder that cannot be listed shows no banner.
    set({ copies: r.ok ? r.value : [] });
  },

  async merge() {
    if (get().busy) return;
    set({ busy: true, error: null });
    const r = await call('vault:mergeConflictedCopies', {});
    if (!r.ok) {
      set({ busy: false, error: r.message });
      return;
    }
    set({ busy: false, copies: [], report: r.value });
    await reloadAllStores();
  },

  dismiss() {
    set({ report: null });
  },
}));

onReset(() => useConflicts.setState(initial));
// A sync service that changed the vault's file may have left a conflicted copy beside it too: look again.
onVaultChanged(() => useConflicts.getState().check());
