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
import { CofferError, loadRecoveryKey, type KdfParams, type Keychain, type MemberIdentity, type Vault, type VaultEngine } from '../../vault/index.js';
import type { VaultStatus, VaultSummary } from '../../../shared/contract.js';
import { DEFAULT_KDF } from '../../../shared/limits.js';
import { unlockProfileIdentity } from './identity.js';

export type SessionEngine = Pick<VaultEngine, 'createVault' | 'openVault' | 'isVaultRemembered' | 'forgetVault'>;

/**
 * Why the vault locked: asked to ('lock': the renderer, the menu, idle, OS
 * suspend or screen lock), replaced by a create or open of another vault
 * ('replace': the renderer is already moving to it), or the app is quitting
 * ('quit').
 */
export type LockReason = 'lock' | 'replace' | 'quit';

export interface VaultSessionManagerOptions {
  profileDir: string;
  /** The engine (injected for tests; the app passes electron/vault/vault.js). */
  engine: SessionEngine;
  /** The OS keychain for "remember on this computer" (store/keychain.ts osKeychain() in the app). */
  keychain: Keychain;
  /**
   * KDF parameters for new vaults, and the floor a passphrase change raises a
   * vault's parameters to. Unset in the app (the engine's defaults, V8); tests
   * pass DECISIONS.md's small parameters. Not reachable over IPC: a renderer
   * must not be able to weaken a vault's KDF.
   */
  kdf?: KdfParams;
  onWarning?: (message: string) => void;
}

export class VaultSessionManager {
  private vault: Vault | undefined;
  private lastPath: string | null = null;
  /** Counts locks asked for other than by replacing: an unlock that overlaps one does not stand. */
  private lockRequests = 0;
  private queue: Promise<unknown> = Promise.resolve();
  private readonly lockListeners = new Set<(reason: LockReason) => void>();
  private readonly unlockListeners = new Set<(vault: Vault) => void>();
  /** Closed vaults still writing in the background (audit records, the warm snapshot): a quit waits for them. */
  private readonly closing = new Set<Promise<void>>();

  constructor(private readonly options: VaultSessionManagerOptions) {}

  /** Called after the vault locks (explicitly or by create/open of another). */
  onLock(listener: (reason: LockReason) => void): () => void {
    this.lockListeners.add(listener);
    return () => this.lockListeners.delete(listener);
  }

  /** Called once a vault is open, however it was unlocked (create, open, keychain, recovery key). */
  onUnlock(listener: (vault: Vault) => void): () => void {
    this.unlockListeners.add(listener);
    return () => this.unlockListeners.delete(listener);
  }

  private get warn(): { onWarning?: (message: string) => void } {
    return this.options.onWarning === undefined ? {} : { onWarning: this.options.onWarning };
  }

  /**
   * Every way of opening a vault: lock the current one, unlock the next (the
   * engine call in `unlock`), take it unless a lock came meanwhile (adopt).
   * `offer` is remembered for the unlock screen even if the unlock fails.
   */
  private replaceWith(offer: string | null, unlock: () => Promise<Vault>): Promise<VaultStatus> {
    return this.exclusive(async () => {
      this.lockNow('replace');
      const generation = this.lockRequests;
      if (offer !== null) this.lastPath = offer;
      return this.adopt(await unlock(), generation);
    });
  }

  create(input: { path: string; passphrase: string; retentionDays?: number | undefined }): Promise<VaultStatus> {
    return this.replaceWith(null, () =>
      withPassphraseBytes(input.passphrase, (passphrase) =>
        this.options.engine.createVault({
          path: input.path,
          profileDir: this.options.profileDir,
          passphrase,
          ...(input.retentionDays === undefined ? {} : { retentionDays: input.retentionDays }),
          ...(this.options.kdf === undefined ? {} : { kdf: this.options.kdf }),
          ...this.warn,
        }),
      ),
    );
  }

  /**
   * A team vault (VAULT-MODEL C8): the profile's identity, unlocked as for
   * openWithIdentity, creates it as its Administrator under its display name
   * (as `coffer vault create --identity` does), and it opens as that member;
   * no passphrase slot is written.
   */
  createWithIdentity(input: { path: string; passphrase?: string | undefined }): Promise<VaultStatus> {
    return this.replaceWith(null, () =>
      this.asProfileIdentity(input.passphrase, (identity, displayName) =>
        this.options.engine.createVault({ path: input.path, profileDir: this.options.profileDir, identity, displayName, ...this.warn }),
      ),
    );
  }

  /** The path is offered again on the unlock screen even if the passphrase is wrong. */
  open(input: { path: string; passphrase: string }): Promise<VaultStatus> {
    return this.replaceWith(input.path, () =>
      withPassphraseBytes(input.passphrase, (passphrase) =>
        this.options.engine.openVault({ path: input.path, profileDir: this.options.profileDir, passphrase, ...this.warn }),
      ),
    );
  }

  /**
   * Opens the vault as the member whose identity is the profile's identity.json
   * (VAULT-MODEL C2: a team vault holds no passphrase slot for its members):
   * the identity's own passphrase unlocks it here, or without one the OS
   * keychain when this computer remembers it (identity.ts); the engine takes
   * it (it wipes it on close), and an open that fails wipes it at once. The
   * engine refuses an identity that is not (or no longer) a member (Forbidden).
   */
  openWithIdentity(input: { path: string; passphrase?: string | undefined }): Promise<VaultStatus> {
    return this.replaceWith(input.path, () =>
      this.asProfileIdentity(input.passphrase, (identity) =>
        this.options.engine.openVault({ path: input.path, profileDir: this.options.profileDir, identity, ...this.warn }),
      ),
    );
  }

  /** `use` takes the profile's identity (the vault it returns wipes it on close); when it fails, the identity is wiped at once. */
  private async asProfileIdentity(passphrase: string | undefined, use: (identity: MemberIdentity, name: string) => Promise<Vault>): Promise<Vault> {
    const { identities, identity, name } = await unlockProfileIdentity(this.options.profileDir, this.options.keychain, passphrase);
    try {
      return await use(identity, name);
    } catch (e) {
      identities.wipeIdentity(identity);
      throw e;
    }
  }

  /** Unlock with the key kept in the OS keychain; VaultLocked (saying why) when it cannot. */
  unlockWithKeychain(input: { path: string }): Promise<VaultStatus> {
    return this.replaceWith(input.path, () =>
      this.options.engine.openVault({ path: input.path, profileDir: this.options.profileDir, keychain: this.options.keychain, ...this.warn }),
    );
  }

  /** Passphrase lost: open with the recovery key, then seal the identity under a new passphrase. */
  resetPassphrase(input: { path: string; recoveryKey: string; newPassphrase: string }): Promise<VaultStatus> {
    return this.replaceWith(input.path, async () => {
      const { parseRecoveryKey } = await loadRecoveryKey();
      const key = parseRecoveryKey(input.recoveryKey);
      let vault: Vault;
      try {
        vault = await this.options.engine.openVault({ path: input.path, profileDir: this.options.profileDir, recoveryKey: key, ...this.warn });
      } finally {
        key.fill(0);
      }
      try {
        await withPassphraseBytes(input.newPassphrase, (next) => vault.changePassphrase(next, undefined));
      } catch (e) {
        vault.close();
        throw e;
      }
      return vault;
    });
  }

  /** Remembers the open vault here, once the passphrase is confirmed. */
  remember(input: { passphrase: string }): Promise<VaultStatus> {
    return this.exclusive(async () => {
      const vault = this.current();
      await withPassphraseBytes(input.passphrase, (p) => vault.verifyPassphrase(p));
      await vault.remember(this.options.keychain);
      return this.status();
    });
  }

  /** Forgets the vault at `path` on this computer; a keychain entry left behind is reported as a warning. */
  forget(input: { path: string }): Promise<VaultStatus> {
    return this.exclusive(async () => {
      const r = await this.options.engine.forgetVault({ path: input.path, profileDir: this.options.profileDir, keychain: this.options.keychain });
      if (r.keychainEntryLeft) this.options.onWarning?.(r.keychainEntryLeft);
      return this.status();
    });
  }

  /** The current passphrase, then the new one; parameters below the floor (the defaults in the app) are raised. */
  changePassphrase(input: { current: string; next: string }): Promise<VaultStatus> {
    return this.exclusive(async () => {
      const vault = this.current();
      const floor = this.options.kdf ?? DEFAULT_KDF;
      const now = vault.info().kdf;
      const kdf: KdfParams = {
        memoryKiB: Math.max(now.memoryKiB, floor.memoryKiB),
        iterations: Math.max(now.iterations, floor.iterations),
        parallelism: Math.max(now.parallelism, floor.parallelism),
      };
      await withPassphraseBytes(input.current, (current) =>
        withPassphraseBytes(input.next, (next) => vault.changePassphrase(next, kdf, { current })),
      );
      return this.status();
    });
  }

  /** A new recovery key, once the passphrase is confirmed. */
  createRecoveryKey(input: { passphrase: string }): Promise<{ recoveryKey: string }> {
    return this.exclusive(async () => {
      const vault = this.current();
      await withPassphraseBytes(input.passphrase, (p) => vault.verifyPassphrase(p));
      return { recoveryKey: await vault.createRecoveryKey() };
    });
  }

  removeRecoveryKey(): Promise<VaultStatus> {
    return this.exclusive(async () => {
      await this.current().removeRecoveryKey();
      return this.status();
    });
  }

  lock(): Promise<VaultStatus> {
    return this.exclusive(async () => {
      this.lockNow();
      return this.status();
    });
  }

  async status(): Promise<VaultStatus> {
    if (this.vault) return { state: 'unlocked', path: this.vault.path, vault: summarize(this.vault) };
    const path = this.lastPath;
    // Whether to offer the keychain: a file that moved or is unreadable is simply not remembered.
    const remembered = path === null ? false : await this.options.engine.isVaultRemembered({ path, profileDir: this.options.profileDir }).catch(() => false);
    return { state: 'locked', path, remembered };
  }

  /** At start-up: the vault to offer on the unlock screen (the most recent one), unless one was opened already. */
  offerPath(path: string): void {
    this.lastPath ??= path;
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

  /**
   * Takes `vault` as the open one, unless a lock was asked for while it was being
   * unlocked (OS suspend or screen lock during the Argon2id run): then it is closed
   * at once, and the unlock answers VaultLocked.
   */
  private adopt(vault: Vault, generation: number): Promise<VaultStatus> {
    if (generation !== this.lockRequests) {
      vault.close();
      throw new CofferError('VaultLocked', 'The vault was locked while it was being unlocked.');
    }
    this.vault = vault;
    this.lastPath = vault.path;
    for (const l of this.unlockListeners) {
      try {
        l(vault);
      } catch {
        // A listener's failure must not fail an unlock that worked, or skip the others.
      }
    }
    return this.status();
  }

  /** Resolves when the vaults closed so far have written what they left to the background. */
  async settled(): Promise<void> {
    await Promise.allSettled([...this.closing]);
  }

  /** Synchronous so it can also run on quit or screen lock without awaiting. */
  lockNow(reason: LockReason = 'lock'): void {
    if (reason !== 'replace') this.lockRequests++;
    const v = this.vault;
    if (!v) return;
    this.vault = undefined;
    try {
      v.close();
      const done = v.settled().finally(() => this.closing.delete(done));
      this.closing.add(done);
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

/**
 * The engine's VaultInfo is the contract's VaultSummary (one type, shared/vault-types.ts).
 * Copied as IPC would copy it (structured clone), so nothing handed out is the
 * session's own object, and a value that cannot cross IPC fails here, in main.
 */
function summarize(vault: Vault): VaultSummary {
  return structuredClone(vault.info());
}
