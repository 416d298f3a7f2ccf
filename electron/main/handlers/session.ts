/**
 * The vault the app has open: at most one at a time. Creating or opening
 * first locks the current one; lock closes it (the engine's close() wipes the
 * keys it holds: session.ts) and tells listeners (the clipboard service
 * clears a copied value).
 *
 * Passphrases arrive over IPC as strings (structured clone has no way to move
 * bytes the renderer could wipe). They are encoded to a Uint8Array that is
 * wiped as soon as the engine has derived its keys, as the CLI does
 * (electron/cli/context.ts). The string itself cannot be wiped: it is
 * garbage-collected with the IPC message. The bytes are the UTF-8 of the
 * string as typed, not normalized, so the CLI (which reads bytes) opens the
 * same vault with the same passphrase.
 *
 * Create, open and lock run one at a time, so two quick clicks cannot leave
 * two vaults open.
 */
import type { KdfParams, Vault, VaultEngine } from '../../vault/api.js';
import { CofferError } from '../../vault/errors.js';
import type { VaultStatus, VaultSummary } from '../../../shared/contract.js';

export type SessionEngine = Pick<VaultEngine, 'createVault' | 'openVault'>;

/**
 * Why the vault locked: asked to ('lock': the renderer, the menu, idle),
 * replaced by a create or open of another vault ('replace': the renderer is
 * already moving to it), or the app is quitting ('quit').
 */
export type LockReason = 'lock' | 'replace' | 'quit';

export interface VaultSessionManagerOptions {
  profileDir: string;
  /** The engine (injected for tests; the app passes electron/vault/vault.js). */
  engine: SessionEngine;
  /**
   * KDF parameters for new vaults. Unset in the app (the engine's defaults);
   * tests pass DECISIONS.md's small parameters. Not reachable over IPC: a
   * renderer must not be able to weaken a vault's KDF.
   */
  kdf?: KdfParams;
  onWarning?: (message: string) => void;
}

export class VaultSessionManager {
  private vault: Vault | undefined;
  private lastPath: string | null = null;
  private queue: Promise<unknown> = Promise.resolve();
  private readonly lockListeners = new Set<(reason: LockReason) => void>();

  constructor(private readonly options: VaultSessionManagerOptions) {}

  /** Called after the vault locks (explicitly or by create/open of another). */
  onLock(listener: (reason: LockReason) => void): () => void {
    this.lockListeners.add(listener);
    return () => this.lockListeners.delete(listener);
  }

  create(input: { path: string; passphrase: string; retentionDays?: number | undefined }): Promise<VaultStatus> {
    return this.exclusive(async () => {
      this.lockNow('replace');
      const vault = await withPassphraseBytes(input.passphrase, (passphrase) =>
        this.options.engine.createVault({
          path: input.path,
          profileDir: this.options.profileDir,
          passphrase,
          ...(input.retentionDays === undefined ? {} : { retentionDays: input.retentionDays }),
          ...(this.options.kdf === undefined ? {} : { kdf: this.options.kdf }),
          ...(this.options.onWarning === undefined ? {} : { onWarning: this.options.onWarning }),
        }),
      );
      return this.adopt(vault);
    });
  }

  open(input: { path: string; passphrase: string }): Promise<VaultStatus> {
    return this.exclusive(async () => {
      this.lockNow('replace');
      // Remembered even if the passphrase is wrong: the unlock screen offers it again.
      this.lastPath = input.path;
      const vault = await withPassphraseBytes(input.passphrase, (passphrase) =>
        this.options.engine.openVault({
          path: input.path,
          profileDir: this.options.profileDir,
          passphrase,
          ...(this.options.onWarning === undefined ? {} : { onWarning: this.options.onWarning }),
        }),
      );
      return this.adopt(vault);
    });
  }

  lock(): Promise<VaultStatus> {
    return this.exclusive(async () => {
      this.lockNow();
      return this.status();
    });
  }

  status(): VaultStatus {
    if (!this.vault) return { state: 'locked', path: this.lastPath };
    return { state: 'unlocked', path: this.vault.path, vault: summarize(this.vault) };
  }

  /** Whether `vault` is still the open one (not locked or replaced meanwhile). */
  isOpen(vault: Vault): boolean {
    return this.vault === vault;
  }

  get isUnlocked(): boolean {
    return this.vault !== undefined;
  }

  /** The open vault, or VaultLocked. */
  current(): Vault {
    if (!this.vault) throw new CofferError('VaultLocked', 'The vault is locked: unlock it first.');
    return this.vault;
  }

  private adopt(vault: Vault): VaultStatus {
    this.vault = vault;
    this.lastPath = vault.path;
    return this.status();
  }

  /** Synchronous so it can also run on quit or screen lock without awaiting. */
  lockNow(reason: LockReason = 'lock'): void {
    const v = this.vault;
    if (!v) return;
    this.vault = undefined;
    try {
      v.close();
    } finally {
      for (const l of this.lockListeners) {
        try {
          l(reason);
        } catch {
          // A listener's failure must not keep the vault open or skip the others.
        }
      }
    }
  }

  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.queue.then(fn, fn);
    this.queue = next.catch(() => undefined);
    return next;
  }
}

/** UTF-8 bytes of the passphrase for the duration of `fn`, then zeroed. */
export async function withPassphraseBytes<T>(passphrase: string, fn: (bytes: Uint8Array) => Promise<T>): Promise<T> {
  const bytes = new TextEncoder().encode(passphrase);
  try {
    return await fn(bytes);
  } finally {
    bytes.fill(0);
  }
}

function summarize(vault: Vault): VaultSummary {
  const i = vault.info();
  return {
    id: i.id,
    formatVersion: i.formatVersion,
    path: i.path,
    retentionDays: i.retentionDays,
    kdf: { memoryKiB: i.kdf.memoryKiB, iterations: i.kdf.iterations, parallelism: i.kdf.parallelism },
    counts: { ...i.counts },
    roles: [...i.roles],
    rejectedCommits: i.rejectedCommits.map((r) => ({ id: r.id, reason: r.reason })),
  };
}
