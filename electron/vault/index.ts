/**
 * The engine's one entry module: everything the front doors (the CLI in
 * electron/cli, Electron's main in electron/main, later the REST server)
 * use of the engine, and the only engine module they may import
 * (eslint.config.js enforces it). Tests may still reach into the engine's
 * files, which they mirror.
 *
 * Cheap to import, on purpose: `coffer --version`, `--help` and usage errors
 * load this module (electron/cli/errors.ts needs CofferError) and must not
 * pay for the engine (test/unit/cli/startup.test.ts). So at top level this
 * module re-exports types, and value modules that import only Node built-ins,
 * shared/ and each other: errors, the profile paths, the keychain adapter
 * (which loads @napi-rs/keyring on first use), the atomic new-file writer,
 * the child-process environment, PEM, and the CLI's input parsers. Whatever pulls
 * in the crypto primitives, Argon2id or the format — the engine proper
 * (vault.ts), the recovery-key parser, the identity files and the conflicted-copies merge — is
 * loaded on first use through loadEngine(), loadRecoveryKey(), loadIdentities() and
 * loadConflictedCopies().
 */
import type { VaultEngine } from './api.js';

// ------------------------------------------------------------------ types

export type * from './api.js';
export type { CreateIdentityFileOptions, IdentityCard, Invitation, MemberIdentity } from './access/identity-file.js';
export type { RoleName } from '../../shared/keyvault.js';
export type { ConflictedCopiesReport, ConflictedCopy, ConflictedCopyResult, MergeConflictedCopiesOptions, SyncService } from './merge/conflicted-copies.js';

// ------------------------------------------------------------------ light modules

export { CofferError, EXIT_CODES, isCofferError, type ErrorCode } from './errors.js';
export { defaultVaultPath, ensureProfileDir, resolveProfileDir } from './store/profile.js';
export { osKeychain, type OsKeychainOptions } from './store/keychain.js';
export { writeNewFile, type WriteNewFileOptions } from './store/vault-file.js';
export { childProcessEnv } from './store/child-env.js';
export { derOrPem, looksLikePem, pemBlocks, toPem } from './crypto/pem.js';
export { parseBoolean, parseDotenv, parseImportJson, parseTagArgs, parseTime, parseTimeOrNone } from './secrets/parse.js';

// ------------------------------------------------------------------ loaded on first use

/**
 * The engine (vault.ts): VaultEngine (api.ts), plus `describeVaultFile`, one
 * line per commit read without unlocking (`coffer vault textconv`).
 */
export type Engine = VaultEngine & {
  describeVaultFile(path: string): Promise<string[]>;
};

/** Loads the engine, with the crypto primitives and Argon2id's native module; Node caches it after the first call. */
export function loadEngine(): Promise<Engine> {
  return import('./vault.js');
}

/** The recovery-key parser (access/recovery-key.ts), loaded on first use: it pulls in the crypto primitives. */
export async function loadRecoveryKey(): Promise<{ parseRecoveryKey(text: string): Uint8Array }> {
  const { parseRecoveryKey } = await import('./access/recovery-key.js');
  return { parseRecoveryKey };
}

/**
 * Identity files, invites and fingerprints (access/identity-file.ts), the
 * profile identity remembered in the OS keychain (access/remembered.ts) and the
 * role-name parser (access/roles.ts), loaded on first use: they pull in the
 * crypto primitives and the object kinds.
 */
export type Identities = Pick<
  typeof import('./access/identity-file.js'),
  | 'defaultIdentityPath'
  | 'checkDisplayName'
  | 'createIdentityFile'
  | 'identityExists'
  | 'readIdentityFile'
  | 'unlockIdentityFile'
  | 'wipeIdentity'
  | 'parseInvite'
  | 'fingerprint'
  | 'findMember'
> &
  Pick<typeof import('./access/remembered.js'), 'isProfileIdentityRemembered' | 'rememberProfileIdentity' | 'openRememberedProfileIdentity' | 'forgetProfileIdentity'> &
  Pick<typeof import('./access/roles.js'), 'parseRole'>;

export async function loadIdentities(): Promise<Identities> {
  const [files, remembered, { parseRole }] = await Promise.all([import('./access/identity-file.js'), import('./access/remembered.js'), import('./access/roles.js')]);
  const { isProfileIdentityRemembered, rememberProfileIdentity, openRememberedProfileIdentity, forgetProfileIdentity } = remembered;
  return { ...files, isProfileIdentityRemembered, rememberProfileIdentity, openRememberedProfileIdentity, forgetProfileIdentity, parseRole };
}

/** Sync folders' conflicted copies of a vault (merge/conflicted-copies.ts): found by each service's naming, merged in place and moved aside. */
export type ConflictedCopies = Pick<typeof import('./merge/conflicted-copies.js'), 'conflictedCopyService' | 'findConflictedCopies' | 'mergeConflictedCopies'>;

/** Loaded on first use: merging pulls in the format and the crypto primitives. */
export async function loadConflictedCopies(): Promise<ConflictedCopies> {
  const { conflictedCopyService, findConflictedCopies, mergeConflictedCopies } = await import('./merge/conflicted-copies.js');
  return { conflictedCopyService, findConflictedCopies, mergeConflictedCopies };
}
