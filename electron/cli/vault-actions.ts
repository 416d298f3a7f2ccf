/**
 * What each `coffer vault` verb does (./vault-commands.ts declares them):
 * loaded when a verb runs, with the engine behind CliContext.
 */
import type { Command } from 'commander';
import { existsSync } from 'node:fs';
import { CofferError, loadConflictedCopies, loadIdentities, loadRecoveryKey, type CheckReport, type KdfParams } from '../vault/index.js';
import { CliContext } from './context.js';
import { batchFailureError, usageError } from './errors.js';
import type { CliIo } from './io.js';
import type { RunState } from './options.js';
import { printJson } from './output.js';
import { givenPassphrase, promptPassphrase, readSecretFile } from './unlock.js';

export interface KdfOptions {
  kdfMemory?: number;
  kdfIterations?: number;
  kdfParallelism?: number;
}

export interface CreateOptions extends KdfOptions {
  retentionDays?: number;
}

export interface ChangePassphraseOptions extends KdfOptions {
  newPassphraseFile?: string;
}

export interface ResetPassphraseOptions {
  recoveryKeyFile?: string;
  newPassphraseFile?: string;
}

/** `vault create`: a new vault; prints its info. */
export async function createVault(io: CliIo, opts: CreateOptions, cmd: Command): Promise<void> {
  const ctx = CliContext.fromCommand(io, cmd);
  const kdf = kdfFromOptions(opts);
  await ctx.createVault(
    { ...(opts.retentionDays === undefined ? {} : { retentionDays: opts.retentionDays }), ...(kdf ? { kdf } : {}) },
    (v) => printJson(io, v.info()),
  );
}

/** `vault info`. */
export async function vaultInfo(io: CliIo, cmd: Command): Promise<void> {
  await CliContext.fromCommand(io, cmd).withVault((v) => printJson(io, v.info()));
}

export interface MergeOptions {
  other?: string;
  output?: string;
  conflicts?: boolean;
}

/**
 * `vault merge`: no passphrase needed. With --other, prints {commits, added}; with --conflicts,
 * the sync folder's conflicted copies (mergeConflicts).
 */
export async function mergeVault(io: CliIo, opts: MergeOptions, cmd: Command): Promise<void> {
  if (opts.conflicts === true) {
    if (opts.other !== undefined || opts.output !== undefined) throw usageError('--conflicts merges the copies beside the vault into it: give it without --other and --output');
    return mergeConflicts(io, cmd);
  }
  if (opts.other === undefined) throw usageError('Give --other FILE (another copy of the vault), or --conflicts to merge the conflicted copies a sync folder left beside it');
  const ctx = CliContext.fromCommand(io, cmd);
  const ours = ctx.vaultPath();
  ctx.requireVaultFile(ours);
  const theirs = ctx.path(opts.other);
  ctx.requireVaultFile(theirs);
  const output = opts.output === undefined ? ours : ctx.path(opts.output);
  const engine = await ctx.engine();
  await printJson(io, await engine.mergeVaultFiles(ours, theirs, output));
}

/**
 * `vault merge --conflicts`: prints {vault, copies, summary}, then fails as a batch verb does
 * (batchFailureError: the first copy not merged gives the exit code) unless every copy was merged.
 */
async function mergeConflicts(io: CliIo, cmd: Command): Promise<void> {
  const ctx = CliContext.fromCommand(io, cmd);
  const path = ctx.vaultPath();
  ctx.requireVaultFile(path);
  const { mergeConflictedCopies } = await loadConflictedCopies();
  const report = await mergeConflictedCopies(path, { profileDir: ctx.profileDir() });
  await printJson(io, report);
  const notMerged = report.copies.flatMap((c) => (c.result === 'merged' ? [] : [{ name: c.file, code: c.code, message: c.message }]));
  if (notMerged.length > 0) {
    throw batchFailureError(notMerged, `${notMerged.length} of ${report.copies.length} conflicted copies were not merged and were left as they are`);
  }
}

/** `vault checkpoint`: an Administrator's checkpoint commit. */
export async function checkpointVault(io: CliIo, cmd: Command): Promise<void> {
  await CliContext.fromCommand(io, cmd).withVault(async (v) => printJson(io, await v.checkpoint()));
}

/** `vault upgrade`: the file's header to the current format. */
export async function upgradeVault(io: CliIo, cmd: Command): Promise<void> {
  const ctx = CliContext.fromCommand(io, cmd);
  const path = ctx.vaultPath();
  ctx.requireVaultFile(path);
  const engine = await ctx.engine();
  await printJson(io, await engine.upgradeVaultFile(path));
}

/**
 * `vault merge-driver BASE OURS THEIRS` (git): the union of OURS and THEIRS, written to OURS.
 * BASE (%O, the common ancestor; the command's first argument) is a hint: where it is a
 * prefix of both copies, only what each side appended after it is parsed.
 */
export async function mergeDriver(io: CliIo, ours: string, theirs: string, cmd: Command): Promise<void> {
  const ctx = CliContext.fromCommand(io, cmd);
  const oursPath = ctx.path(ours);
  const base = cmd.processedArgs[0] as unknown;
  const engine = await ctx.engine();
  await engine.mergeVaultFiles(oursPath, ctx.path(theirs), oursPath, typeof base === 'string' && base !== '' ? { base: ctx.path(base) } : {});
}

/**
 * `vault check`: exit 5 (through `state`) when anything is damaged. It needs no unlock: a
 * passphrase given by --passphrase-file or $COFFER_PASSPHRASE (never a prompt, never the
 * keychain) lets it also name live values whose lines are missing.
 */
export async function checkVault(io: CliIo, state: RunState, cmd: Command): Promise<void> {
  const ctx = CliContext.fromCommand(io, cmd);
  const path = ctx.vaultPath();
  ctx.requireVaultFile(path);
  const engine = await ctx.engine();
  const passphrase = await ctx.givenPassphrase();
  let report: CheckReport;
  try {
    report = await engine.checkVaultFile(path, passphrase ? { passphrase } : undefined);
  } finally {
    passphrase?.fill(0);
  }
  await printJson(io, report);
  if (!report.ok) state.exitCode = 5;
}

/** `vault repair`: a new vault holding every intact commit. */
export async function repairVault(io: CliIo, opts: { output: string }, cmd: Command): Promise<void> {
  const ctx = CliContext.fromCommand(io, cmd);
  const path = ctx.vaultPath();
  ctx.requireVaultFile(path);
  const output = ctx.path(opts.output);
  const engine = await ctx.engine();
  // With a way to unlock, repair also records the loss of values whose lines were damaged
  // (so the new vault opens); without one it salvages the structure only and says so.
  const passphrase = await ctx.tryPassphrase(path);
  try {
    const result = await engine.repairVaultFile(path, output, passphrase ? { passphrase } : undefined);
    if (!passphrase) ctx.warn('repaired without unlocking: if values were lost, run repair again with the passphrase so the new vault opens');
    await printJson(io, { file: output, ...result });
  } finally {
    passphrase?.fill(0);
  }
}

/** `vault textconv` (git diff): one line per commit, read without unlocking. */
export async function textconv(io: CliIo, file: string, cmd: Command): Promise<void> {
  const ctx = CliContext.fromCommand(io, cmd);
  const path = ctx.path(file);
  ctx.requireVaultFile(path);
  const engine = await ctx.engine();
  if (engine.describeVaultFile === undefined) {
    throw usageError('This build of the engine cannot describe vault files');
  }
  const lines = await engine.describeVaultFile(path);
  await new Promise<void>((done) => io.stdout.write(lines.map((l) => `${l}\n`).join(''), () => done()));
}

/** `vault remember`: unlocked by the passphrase only. */
export async function rememberVault(io: CliIo, cmd: Command): Promise<void> {
  const ctx = CliContext.fromCommand(io, cmd);
  await ctx.withVaultByPassphrase(async (v) => {
    await v.remember(ctx.keychain());
    ctx.warn(`${v.path} now unlocks without its passphrase for anyone logged in as you here; \`coffer vault forget\` undoes it`);
    await printJson(io, { remembered: true, vault: v.id, keychain: ctx.keychain().description });
  });
}

/** `vault forget`: no passphrase needed. */
export async function forgetVault(io: CliIo, cmd: Command): Promise<void> {
  const ctx = CliContext.fromCommand(io, cmd);
  const path = ctx.vaultPath();
  ctx.requireVaultFile(path);
  const engine = await ctx.engine();
  const r = await engine.forgetVault({ path, profileDir: ctx.profileDir(), keychain: ctx.keychain() });
  if (r.keychainEntryLeft) ctx.warn(r.keychainEntryLeft);
  await printJson(io, { forgotten: r.forgotten });
}

/** `vault change-passphrase`: the current passphrase, then the new one (and KDF, if given). */
export async function changePassphrase(io: CliIo, opts: ChangePassphraseOptions, cmd: Command): Promise<void> {
  const ctx = CliContext.fromCommand(io, cmd);
  const kdf = kdfFromOptions(opts);
  await ctx.withVaultByPassphrase(async (v) => {
    const next = await newPassphrase(ctx, v.path, opts.newPassphraseFile);
    try {
      await v.changePassphrase(next, kdf);
    } finally {
      next.fill(0);
    }
    await printJson(io, v.info());
  });
}

/** `vault reset-passphrase`: the recovery key, then a new passphrase. */
export async function resetPassphrase(io: CliIo, opts: ResetPassphraseOptions, cmd: Command): Promise<void> {
  const ctx = CliContext.fromCommand(io, cmd);
  const path = ctx.vaultPath();
  ctx.requireVaultFile(path);
  const profileDir = ctx.profileDir();
  const engine = await ctx.engine();
  const typed = await recoveryKeyText(ctx, path, opts.recoveryKeyFile);
  // Loaded here, like the engine: only this verb needs it.
  const { parseRecoveryKey } = await loadRecoveryKey();
  const recoveryKey = parseRecoveryKey(typed);
  let v;
  try {
    v = await engine.openVault({ path, profileDir, recoveryKey, onWarning: ctx.onWarning });
  } finally {
    recoveryKey.fill(0);
  }
  try {
    const next = await newPassphrase(ctx, path, opts.newPassphraseFile);
    try {
      await v.changePassphrase(next);
    } finally {
      next.fill(0);
    }
    await printJson(io, v.info());
  } finally {
    v.close();
    await v.settled();
  }
}

/** `vault recovery-key create`: printed this once. */
export async function createRecoveryKey(io: CliIo, cmd: Command): Promise<void> {
  const ctx = CliContext.fromCommand(io, cmd);
  await ctx.withVaultByPassphrase(async (v) => {
    const key = await v.createRecoveryKey();
    ctx.warn('write this recovery key down and keep it away from this computer: it opens the vault without the passphrase, and it is shown only this once');
    await printJson(io, { recoveryKey: key });
  });
}

/** `vault recovery-key remove`. */
export async function removeRecoveryKey(io: CliIo, cmd: Command): Promise<void> {
  const ctx = CliContext.fromCommand(io, cmd);
  await ctx.withVaultByPassphrase(async (v) => {
    await v.removeRecoveryKey();
    await printJson(io, v.info());
  });
}

export interface RefoundOptions extends KdfOptions {
  to: string;
  newPassphraseFile?: string;
  leaveOut: string[];
}

/**
 * `vault refound --to FILE` (VAULT-MODEL C5): a new vault created by whoever opens this one
 * (a team vault when opened by --identity, else one sealed by a new passphrase), holding a
 * copy of every object, with the members added again; prints what was copied.
 */
export async function refound(io: CliIo, opts: RefoundOptions, cmd: Command): Promise<void> {
  const ctx = CliContext.fromCommand(io, cmd);
  const to = ctx.path(opts.to);
  if (existsSync(to)) throw new CofferError('VaultExists', `A vault already exists at ${to}`);
  const kdf = kdfFromOptions(opts);
  const [engine, identities] = await Promise.all([ctx.engine(), loadIdentities()]);
  await ctx.withVault(async (v) => {
    const leaveOut = opts.leaveOut.map((ref) => identities.findMember(v.members.list(), ref).member.signPub);
    const byIdentity = v.info().unlockedWith === 'identity';
    if (byIdentity && (opts.newPassphraseFile !== undefined || kdf !== undefined)) {
      throw usageError('Opened by an identity, the vault is re-founded as a team vault created by that identity: it takes no --new-passphrase-file and no --kdf-* options');
    }
    const passphrase = byIdentity ? undefined : await newPassphrase(ctx, to, opts.newPassphraseFile);
    try {
      const result = await engine.refoundVault(v, { path: to, ...(passphrase ? { passphrase } : {}), ...(kdf ? { kdf } : {}), leaveOut, onWarning: ctx.onWarning });
      const pending = result.notCopied.pendingCertificates.length;
      if (pending > 0) ctx.warn(`${pending} pending certificate request(s) were not copied (listed in "notCopied"): complete or cancel them in the old vault`);
      if (result.deletedAgain.length > 0) ctx.warn(`${result.deletedAgain.length} deleted object(s) were copied and deleted again (listed in "deletedAgain"): their purge dates start over`);
      ctx.warn(`the new vault has a new id, so every object id names it; version ids are kept. The members added again open ${to} from now on; ${v.path} is left as it was`);
      await printJson(io, result);
    } finally {
      passphrase?.fill(0);
    }
  });
}

/** The three --kdf-* options, given together or not at all. */
export function kdfFromOptions(opts: KdfOptions): KdfParams | undefined {
  const given = [opts.kdfMemory, opts.kdfIterations, opts.kdfParallelism].filter((v) => v !== undefined);
  if (given.length !== 0 && given.length !== 3) {
    throw usageError('Give --kdf-memory, --kdf-iterations and --kdf-parallelism together');
  }
  return opts.kdfMemory !== undefined && opts.kdfIterations !== undefined && opts.kdfParallelism !== undefined
    ? { memoryKiB: opts.kdfMemory * 1024, iterations: opts.kdfIterations, parallelism: opts.kdfParallelism }
    : undefined;
}

/** The new passphrase: --new-passphrase-file, $COFFER_NEW_PASSPHRASE, else asked twice on a terminal. */
async function newPassphrase(ctx: CliContext, vaultPath: string, file: string | undefined): Promise<Uint8Array> {
  if (file !== undefined) return readSecretFile(ctx.io, file, '--new-passphrase-file');
  const given = await givenPassphrase(ctx.io, undefined, 'COFFER_NEW_PASSPHRASE');
  if (given) return given;
  if (!ctx.io.isTTY.stdin) throw usageError('No new passphrase: pass --new-passphrase-file, set COFFER_NEW_PASSPHRASE or run in a terminal');
  return promptPassphrase({ io: ctx.io, passphraseFile: undefined, vaultPath, purpose: 'create' });
}

/** The recovery key as typed: --recovery-key-file, $COFFER_RECOVERY_KEY, else asked (hidden) on a terminal. */
async function recoveryKeyText(ctx: CliContext, vaultPath: string, file: string | undefined): Promise<string> {
  let bytes: Uint8Array | undefined;
  if (file !== undefined) bytes = await readSecretFile(ctx.io, file, '--recovery-key-file');
  else bytes = await givenPassphrase(ctx.io, undefined, 'COFFER_RECOVERY_KEY');
  if (!bytes) {
    if (!ctx.io.isTTY.stdin) throw new CofferError('VaultLocked', 'No recovery key: pass --recovery-key-file, set COFFER_RECOVERY_KEY or run in a terminal');
    bytes = await ctx.io.readPassphrase(`Recovery key for ${vaultPath}: `);
  }
  try {
    return Buffer.from(bytes).toString('utf8');
  } finally {
    bytes.fill(0);
  }
}
