/**
 * Who changed what, and the open vault kept current while others write to it.
 *
 * `vault:history` is the engine's Vault.history. A team vault is one file that
 * several members write, through git or a synced folder (VAULT-MODEL C3–C5):
 * while it is open, main watches the file's folder (a folder, not the file, so a
 * copy renamed over it by git or a sync tool is seen too), and soon after the
 * file changes asks the engine to take the new commits in (Vault.refresh: read
 * and verified under the vault's lock, without a relock). When another writer
 * added commits, the renderer is told (`vaultChanged`) so it reloads what it
 * shows. Watching stops when the vault locks.
 */
import { watch, type FSWatcher } from 'node:fs';
import { basename, dirname } from 'node:path';
import { VAULT_CHANGED_LIMITS, type AppEvent, type Channel } from '../../../shared/contract.js';
import { isCofferError, type HistoryEntry, type Vault } from '../../vault/index.js';
import type { Handlers } from '../ipc/register.js';
import { realTimers, type TimersLike } from './clipboard.js';
import type { VaultSessionManager } from './session.js';

export type HistoryChannel = Extract<Channel, 'vault:history'>;

export function historyHandlers({ session }: { session: Pick<VaultSessionManager, 'current'> }): Pick<Handlers, HistoryChannel> {
  return {
    'vault:history': async ({ since, object }) =>
      session.current().history({ ...(since === undefined ? {} : { since }), ...(object === undefined ? {} : { object }) }),
  };
}

/** Saves come as bursts of events (a write, a rename, git's several steps): one refresh after they settle. */
export const WATCH_DEBOUNCE_MS = 300;

export interface VaultWatcherOptions {
  session: Pick<VaultSessionManager, 'onUnlock' | 'onLock' | 'isOpen'>;
  notify?: (event: AppEvent) => void;
  timers?: TimersLike;
  debounceMs?: number;
  /** A refresh that failed (the file briefly missing during a replace, a damaged copy): the engine's message. */
  onWarning?: (message: string) => void;
}

export class VaultWatcher {
  private readonly timers: TimersLike;
  private vault: Vault | undefined;
  private watcher: FSWatcher | undefined;
  private handle: unknown;
  /** The refresh in progress; a change seen meanwhile runs another after it. */
  private running: Promise<void> | undefined;
  private again = false;

  constructor(private readonly options: VaultWatcherOptions) {
    this.timers = options.timers ?? realTimers;
    options.session.onUnlock((vault) => this.start(vault));
    options.session.onLock(() => this.stop());
  }

  /** Whether the open vault's folder is watched. */
  get watching(): boolean {
    return this.watcher !== undefined;
  }

  /** Resolves when the refresh in progress, if any, is done (quitting waits for it; tests too). */
  async whenIdle(): Promise<void> {
    while (this.running) await this.running;
  }

  private start(vault: Vault): void {
    this.stop();
    this.vault = vault;
    const name = basename(vault.path);
    try {
      // Some platforms name no file in an event: then any change in the folder counts.
      this.watcher = watch(dirname(vault.path), { persistent: false }, (_type, file) => {
        if (file === null || file.toString() === name) this.changed(vault);
      });
      this.watcher.on('error', (e) => this.warn(`The vault's folder is no longer watched for changes: ${e.message}`));
    } catch (e) {
      this.watcher = undefined;
      this.warn(`The vault's folder cannot be watched for changes; changes by others show after the next unlock or save: ${(e as Error).message}`);
    }
  }

  private stop(): void {
    this.watcher?.close();
    this.watcher = undefined;
    if (this.handle !== undefined) this.timers.clearTimeout(this.handle);
    this.handle = undefined;
    this.vault = undefined;
  }

  private changed(vault: Vault): void {
    if (this.vault !== vault) return;
    if (this.handle !== undefined) this.timers.clearTimeout(this.handle);
    this.handle = this.timers.setTimeout(() => {
      this.handle = undefined;
      if (this.running) {
        this.again = true;
        return;
      }
      const run = this.refresh(vault).finally(() => {
        if (this.running === run) this.running = undefined;
        if (this.again) {
          this.again = false;
          this.changed(vault);
        }
      });
      this.running = run;
    }, this.options.debounceMs ?? WATCH_DEBOUNCE_MS);
  }

  /** One refresh; tells the renderer what came. Never rejects. */
  private async refresh(vault: Vault): Promise<void> {
    const open = () => this.vault === vault && this.options.session.isOpen(vault);
    if (!open()) return;
    try {
      const { changed, commits } = await vault.refresh();
      if (changed && open()) this.options.notify?.(changedEvent(commits));
    } catch (e) {
      // A lock while reading: nothing to tell. Anything else is tried again at the next change.
      if (!open()) return;
      this.warn(`The vault file changed, but its new content could not be read: ${isCofferError(e) ? e.message : 'unknown error'}`);
    }
  }

  private warn(message: string): void {
    this.options.onWarning?.(message);
  }
}

/** The event for new commits, within the bounds the preload checks (VAULT_CHANGED_LIMITS). */
export function changedEvent(commits: readonly HistoryEntry[]): Extract<AppEvent, { type: 'vaultChanged' }> {
  return {
    type: 'vaultChanged',
    count: commits.length,
    commits: commits.slice(0, VAULT_CHANGED_LIMITS.commits).map((e) => (e.changes ? { ...e, changes: e.changes.slice(0, VAULT_CHANGED_LIMITS.changes) } : e)),
  };
}
