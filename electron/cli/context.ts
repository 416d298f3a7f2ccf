/**
 * What every command needs: the vault path, the profile folder, the engine,
 * and "open the vault, run this, close it" with the passphrase wiped.
 * Loaded by the command actions only (see main.ts).
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { CofferError, defaultVaultPath, ensureProfileDir, loadIdentities, osKeychain, resolveProfileDir, type Keychain, type MemberIdentity, type Vault } from '../vault/index.js';
import { loadEngine, type CliEngine } from './engine.js';
import { fileError, usageError } from './errors.js';
import type { CliIo } from './io.js';
import type { CommonOptions } from './options.js';
import { printWarning } from './output.js';
import { givenPassphrase, obtainPassphrase, promptPassphrase, unlockIdentity } from './unlock.js';

export class CliContext {
  readonly io: CliIo;
  private readonly common: CommonOptions;

  constructor(io: CliIo, common: CommonOptions) {
    this.io = io;
    this.common = common;
  }

  /** Common options given after the verb win over those given before the group. */
  static fromCommand(io: CliIo, command: Command): CliContext {
    const common: CommonOptions = {};
    for (let c: Command | null = command; c !== null; c = c.parent) {
      const opts = c.opts<CommonOptions>();
      common.vault ??= opts.vault;
      common.passphraseFile ??= opts.passphraseFile;
      common.acceptRollback ??= opts.acceptRollback;
      common.identity ??= opts.identity;
    }
    return new CliContext(io, common);
  }

  /** `$COFFER_HOME`, else the platform's profile folder (DECISIONS.md "Files and folders"). */
  profileDir(): string {
    return resolve(this.io.cwd, resolveProfileDir(this.io.env));
  }

  /** `--vault`, else `$COFFER_VAULT`, else `personal.coffer` in the profile folder. */
  vaultPath(): string {
    const given = this.common.vault ?? nonEmpty(this.io.env.COFFER_VAULT);
    return resolve(this.io.cwd, given ?? defaultVaultPath(this.profileDir()));
  }

  path(p: string): string {
    return resolve(this.io.cwd, p);
  }

  engine(): Promise<CliEngine> {
    return this.io.engine !== undefined ? Promise.resolve(this.io.engine) : loadEngine();
  }

  onWarning = (message: string): void => printWarning(this.io, message);

  warn(message: string): void {
    printWarning(this.io, message);
  }

  /** The passphrase given by --passphrase-file or $COFFER_PASSPHRASE, else undefined: never a prompt, never the keychain. */
  givenPassphrase(): Promise<Uint8Array | undefined> {
    return givenPassphrase(this.io, this.common.passphraseFile);
  }

  /** The passphrase if there is a way to get one (file, environment, terminal); undefined otherwise. */
  async tryPassphrase(vaultPath: string): Promise<Uint8Array | undefined> {
    try {
      return await obtainPassphrase({ io: this.io, passphraseFile: this.common.passphraseFile, vaultPath, purpose: 'open' });
    } catch (e) {
      if (e instanceof CofferError && e.code === 'VaultLocked') return undefined;
      throw e;
    }
  }

  /** Reads a file the user named (`--file`, `-f`...) as bytes, with errors that name the flag. */
  async readUserFile(flag: string, p: string): Promise<Buffer> {
    const path = this.path(p);
    try {
      return await readFile(path);
    } catch (error) {
      throw fileError(error, flag, path);
    }
  }

  /**
   * Creates a vault, runs `fn`, closes it. With an identity file (identityFile()), a team
   * vault whose creator is that member, named as in the file (C8: no passphrase slot);
   * otherwise a personal vault (passphrase asked twice at a prompt).
   */
  async createVault<T>(
    options: { retentionDays?: number; kdf?: { memoryKiB: number; iterations: number; parallelism: number } },
    fn: (vault: Vault) => Promise<T>,
  ): Promise<T> {
    const path = this.vaultPath();
    if (existsSync(path)) {
      throw new CofferError('VaultExists', `A vault already exists at ${path}`);
    }
    const settings = {
      path,
      ...(options.retentionDays === undefined ? {} : { retentionDays: options.retentionDays }),
      ...(options.kdf === undefined ? {} : { kdf: options.kdf }),
      onWarning: this.onWarning,
    };
    const identityFile = this.identityFile();
    if (identityFile !== undefined) {
      if (options.kdf !== undefined) throw usageError('The --kdf-* options set a passphrase slot; a vault created by --identity has none');
      const profileDir = this.profileDir();
      const [engine] = await Promise.all([this.engine(), ensureProfileDir(profileDir)]);
      return this.run(await this.asIdentity(identityFile, (member, name) => engine.createVault({ ...settings, profileDir, identity: member, displayName: name })), fn);
    }
    return this.withUnlocked(path, 'create', fn, (engine, profileDir, passphrase) => engine.createVault({ ...settings, profileDir, passphrase }));
  }

  /** The OS keychain (a fake in tests); `$COFFER_KEYCHAIN_SERVICE` names the service its entries are filed under. */
  keychain(): Keychain {
    this.keychainInstance ??= this.io.keychain ?? osKeychain({ ...(nonEmpty(this.io.env.COFFER_KEYCHAIN_SERVICE) ? { service: this.io.env.COFFER_KEYCHAIN_SERVICE! } : {}) });
    return this.keychainInstance;
  }

  private keychainInstance: Keychain | undefined;

  /** withVault, unlocked by the passphrase only (never the keychain). */
  withVaultByPassphrase<T>(fn: (vault: Vault) => Promise<T>): Promise<T> {
    if (this.common.identity !== undefined) {
      throw usageError('This command acts on the vault\'s passphrase slot: it takes no --identity');
    }
    return this.withVault(fn, { passphraseOnly: true });
  }

  /**
   * The identity file to open the vault with, if any (CLI.md "Common"): `--identity`, unless
   * `--passphrase-file` is also given (a usage error); else `$COFFER_IDENTITY` when no
   * passphrase is given (`--passphrase-file`, `$COFFER_PASSPHRASE`). A flag wins over a variable.
   */
  private identityFile(): string | undefined {
    if (this.common.identity !== undefined) {
      if (this.common.passphraseFile !== undefined) throw usageError('Give --identity or --passphrase-file, not both');
      return this.path(this.common.identity);
    }
    if (this.common.passphraseFile !== undefined || nonEmpty(this.io.env.COFFER_PASSPHRASE) !== undefined) return undefined;
    const fromEnv = nonEmpty(this.io.env.COFFER_IDENTITY);
    return fromEnv === undefined ? undefined : this.path(fromEnv);
  }

  /**
   * Unlocks `identityFile` (its passphrase from $COFFER_IDENTITY_PASSPHRASE or a prompt) and hands
   * the member and the file's display name to `use`, which opens or creates a vault with them.
   */
  private async asIdentity(identityFile: string, use: (member: MemberIdentity, name: string) => Promise<Vault>): Promise<Vault> {
    const identities = await loadIdentities();
    const member = await unlockIdentity(this.io, identities, identityFile);
    try {
      return await use(member, (await identities.readIdentityFile(identityFile)).name);
    } catch (e) {
      // An open that fails early may not have taken the identity yet: its keys go here.
      identities.wipeIdentity(member);
      throw e;
    }
  }

  /** Opens the vault as the member of `identityFile`. */
  private openAsIdentity(engine: CliEngine, path: string, profileDir: string, identityFile: string): Promise<Vault> {
    return this.asIdentity(identityFile, (member) =>
      engine.openVault({
        path,
        profileDir,
        identity: member,
        onWarning: this.onWarning,
        ...(this.common.acceptRollback === true ? { acceptRollback: true } : {}),
      }),
    );
  }

  /**
   * Opens the vault (asking for the passphrase only once the file is known to exist), runs `fn`, closes it.
   * Unlock order (CLI.md "Common"): --passphrase-file or --identity (not both), $COFFER_PASSPHRASE,
   * $COFFER_IDENTITY (identityFile()), the OS keychain when this computer remembers the vault, a prompt
   * on a terminal. `passphraseOnly` leaves
   * the identity and the keychain out: for commands that act on the passphrase (remember, change-passphrase,
   * recovery-key), knowing it is the point.
   */
  async withVault<T>(fn: (vault: Vault) => Promise<T>, options: { passphraseOnly?: boolean } = {}): Promise<T> {
    const path = this.vaultPath();
    this.requireVaultFile(path);
    const profileDir = this.profileDir();
    // The profile folder is made or checked on the thread pool while the engine loads.
    const [engine] = await Promise.all([this.engine(), ensureProfileDir(profileDir)]);
    const identityFile = options.passphraseOnly ? undefined : this.identityFile();
    if (identityFile !== undefined) return this.run(await this.openAsIdentity(engine, path, profileDir, identityFile), fn);
    const open = (unlock: { passphrase: Uint8Array } | { keychain: Keychain }) =>
      engine.openVault({
        path,
        profileDir,
        ...unlock,
        onWarning: this.onWarning,
        ...(this.common.acceptRollback === true ? { acceptRollback: true } : {}),
      });
    let passphrase = await givenPassphrase(this.io, this.common.passphraseFile);
    let vault: Vault | undefined;
    try {
      let reason: string | undefined;
      if (!passphrase && !options.passphraseOnly && (await engine.isVaultRemembered({ path, profileDir }))) {
        try {
          vault = await open({ keychain: this.keychain() });
        } catch (e) {
          // The keychain could not unlock (unavailable, locked, entry deleted): say why, then ask.
          if (!(e instanceof CofferError) || e.code !== 'VaultLocked') throw e;
          reason = e.message;
          if (this.io.isTTY.stdin) this.warn(e.message);
        }
      }
      if (!vault) {
        passphrase ??= await promptPassphrase({ io: this.io, passphraseFile: undefined, vaultPath: path, purpose: 'open', ...(reason ? { reason } : {}) });
        vault = await open({ passphrase });
      }
    } finally {
      // Wiped as soon as the vault holds its keys.
      passphrase?.fill(0);
    }
    return this.run(vault, fn);
  }

  /** Runs `fn` on the open vault, then closes it. */
  private async run<T>(vault: Vault, fn: (vault: Vault) => Promise<T>): Promise<T> {
    try {
      return await fn(vault);
    } finally {
      vault.close();
      // Its audit records and warm snapshot are written behind: the command ends when they are.
      await vault.settled();
    }
  }

  /** Profile, engine and passphrase (wiped as soon as the vault holds its keys); `fn` runs on the vault, which is then closed. */
  private async withUnlocked<T>(
    path: string,
    purpose: 'open' | 'create',
    fn: (vault: Vault) => Promise<T>,
    unlock: (engine: CliEngine, profileDir: string, passphrase: Uint8Array) => Promise<Vault>,
  ): Promise<T> {
    const profileDir = this.profileDir();
    await ensureProfileDir(profileDir);
    const engine = await this.engine();
    const passphrase = await obtainPassphrase({ io: this.io, passphraseFile: this.common.passphraseFile, vaultPath: path, purpose });
    let vault: Vault;
    try {
      vault = await unlock(engine, profileDir, passphrase);
    } finally {
      passphrase.fill(0);
    }
    return this.run(vault, fn);
  }

  requireVaultFile(path: string): void {
    if (!existsSync(path)) {
      throw new CofferError(
        'VaultNotFound',
        `No vault at ${path}: create one with \`coffer vault create\`, or pass --vault FILE or set COFFER_VAULT`,
      );
    }
  }
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}
