/**
 * The app's settings as main keeps them (settings:get / settings:set, stored
 * in the profile's settings.json): how long the vault may sit idle before it
 * locks, how long a copied value stays on the clipboard, and whether
 * minimising the window locks it (done by main, which reads the setting when
 * the window is minimised). useAutoLock follows `settings.autoLockMinutes`,
 * so a change applies at once.
 */
import { create } from 'zustand';
import type { AppSettings, ErrorResult } from '../../../shared/contract.js';
import { call } from '../../lib/api.js';
import { onReset } from '../../lib/reset.js';

interface SettingsState {
  /** Null until loaded. */
  settings: AppSettings | null;
  load(): Promise<void>;
  save(patch: Partial<AppSettings>): Promise<ErrorResult | null>;
}

export const useSettings = create<SettingsState>()((set) => ({
  settings: null,
  async load() {
    const r = await call('settings:get', {});
    if (r.ok) set({ settings: r.value });
  },
  async save(patch) {
    const r = await call('settings:set', patch);
    if (!r.ok) return r;
    set({ settings: r.value });
    return null;
  },
}));

// Read again after the next unlock (another app or the CLI may have changed the file).
onReset(() => useSettings.setState({ settings: null }));
