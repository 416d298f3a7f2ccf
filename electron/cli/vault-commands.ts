/** `coffer vault ...` (CLI.md "Vault"). */
import type { Command } from 'commander';
import { CliContext, withCommonOptions, type RunState } from './context.js';
import { usageError } from './errors.js';
import type { CliIo } from './io.js';
import { printJson } from './output.js';
import { positiveInteger } from './parsers.js';
import { givenPassphrase, promptPassphrase, readSecretFile } from './unlock.js';
import type { KdfParams } from '../vault/api.js';
import { CofferError } from '../vault/errors.js';

interface CreateOptions extends KdfOptions {
  retentionDays?: number;
}

export function addVaultCommands(program: Command, io: CliIo, state: RunState): void {
  const vault = program.command('vault').description('create, inspect, check, repair and merge vault files');

  vault
    .command('create')
    .description('create a new vault (asks for a new passphrase twice on a terminal) and print its info')
    .option('--retention-days <days>', 'soft-delete retention, 7..90 days, fixed at creation (default 90)', positiveInteger)
    .option('--kdf-memory <MiB>', 'Argon2id memory in MiB (default 64)', positiveInteger)
    .option('--kdf-iterations <n>', 'Argon2id iterations', positiveInteger)
    .option('--kdf-parallelism <n>', 'Argon2id parallelism', positiveInteger)
    .addHelpText(
      'after',
      '\nThe three --kdf-* options go together. Values below the defaults make the passphrase\n' +
        'cheaper to guess: they are for tests, and creation prints a warning.',
    )
    .action(async (opts: CreateOptions, cmd: Command) => {
      const ctx = CliContext.fromCommand(io, cmd);
      const kdf = kdfFromOptions(opts);
      await ctx.createVault(
        { ...(opts.retentionDays === undefined ? {} : { retentionDays: opts.retentionDays }), ...(kdf ? { kdf } : {}) },
        (v) => printJson(io, v.info()),
      );
    });

  vault
    .command('info')
    .description('print the vault: id, format version, KDF parameters, counts, your roles')
    .action(async (_opts: unknown, cmd: Command) => {
      await CliContext.fromCommand(io, cmd).withVault((v) => printJson(io, v.info()));
    });

  vault
    .command('merge')
    .description('merge the commits of another copy of this vault (no passphrase needed) and print {commits, added}')
    .requiredOption('--other <file>', 'the other copy of the vault')
    .option('--output <file>', 'where to write the result (default: the vault itself)')
    .action(async (opts: { other: string; output?: string }, cmd: Command) => {
      const ctx = CliContext.fromCommand(io, cmd);
      const ours = ctx.vaultPath();
      ctx.requireVaultFile(ours);
      const theirs = ctx.path(opts.other);
      ctx.requireVaultFile(theirs);
      const output = opts.output === undefined ? ours : ctx.path(opts.output);
      const engine = await ctx.engine();
      await printJson(io, await engine.mergeVaultFiles(ours, theirs, output));
    });

  vault
    .command('merge-driver')
    .description('git merge driver: unions the commits of OURS and THEIRS into OURS (set up by `coffer git setup`)')
    .argument('<base>', 'the common ancestor (%O; not needed: commits are unioned)')
    .argument('<ours>', 'our version (%A); the result is written here')
    .argument('<theirs>', 'their version (%B)')
    .action(async (_base: string, ours: string, theirs: string, _opts: unknown, cmd: Command) => {
      const ctx = CliContext.fromCommand(io, cmd);
      const oursPath = ctx.path(ours);
      const engine = await ctx.engine();
      await engine.mergeVaultFiles(oursPath, ctx.path(theirs), oursPath);
    });

  vault
    .command('check')
    .description('verify the structure and signature of every commit (no passphrase needed); exit 5 if damaged')
    .action(async (_opts: unknown, cmd: Command) => {
      const ctx = CliContext.fromCommand(io, cmd);
      const path = ctx.vaultPath();
      ctx.requireVaultFile(path);
      const engine = await ctx.engine();
      const report = await engine.checkVaultFile(path);
      await printJson(io, report);
      if (!report.ok) state.exitCode = 5;
    });

  vault
    .command('repair')
    .description('write a new vault holding every intact commit of a damaged one')
    .requiredOption('--output <file>', 'the repaired vault to write (must not exist)')
    .action(async (opts: { output: string }, cmd: Command) => {
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
    });

  vault
    .command('textconv')
    .description('git diff helper: one line per commit (id, author, seq, parents), read without unlocking')
    .argument('<file>', 'the vault file')
    .action(async (file: string, _opts: unknown, cmd: Command) => {
      const ctx = CliContext.fromCommand(io, cmd);
      const path = ctx.path(file);
      ctx.requireVaultFile(path);
      const engine = await ctx.engine();
      if (engine.describeVaultFile === undefined) {
        throw usageError('This build of the engine cannot describe vault files');
      }
      const lines = await engine.describeVaultFile(path);
      await new Promise<void>((done) => io.stdout.write(lines.map((l) => `${l}\n`).join(''), () => done()));
    });

  vault
    .command('remember')
    .description('unlock with the passphrase, then remember the vault on this computer: later commands unlock through the OS keychain')
    .addHelpText(
      'after',
      '\nWhat it trades: anyone who can use your logged-in session (or run programs as you)\n' +
        'can then open this vault without the passphrase. `coffer vault forget` undoes it.',
    )
    .action(async (_opts: unknown, cmd: Command) => {
      const ctx = CliContext.fromCommand(io, cmd);
      await ctx.withVaultByPassphrase(async (v) => {
        await v.remember(ctx.keychain());
        ctx.warn(`${v.path} now unlocks without its passphrase for anyone logged in as you here; \`coffer vault forget\` undoes it`);
        await printJson(io, { remembered: true, vault: v.id, keychain: ctx.keychain().description });
      });
    });

  vault
    .command('forget')
    .description('forget the vault on this computer: delete its key from the OS keychain (no passphrase needed)')
    .action(async (_opts: unknown, cmd: Command) => {
      const ctx = CliContext.fromCommand(io, cmd);
      const path = ctx.vaultPath();
      ctx.requireVaultFile(path);
      const engine = await ctx.engine();
      const r = await engine.forgetVault({ path, profileDir: ctx.profileDir(), keychain: ctx.keychain() });
      if (r.keychainEntryLeft) ctx.warn(r.keychainEntryLeft);
      await printJson(io, { forgotten: r.forgotten });
    });

  vault
    .command('change-passphrase')
    .description('unlock with the current passphrase, then seal your identity under a new one (and new KDF parameters, if given)')
    .option('--new-passphrase-file <file>', 'read the new passphrase from this file (else $COFFER_NEW_PASSPHRASE, else asked twice)')
    .option('--kdf-memory <MiB>', 'Argon2id memory in MiB (default: keep the current parameters)', positiveInteger)
    .option('--kdf-iterations <n>', 'Argon2id iterations', positiveInteger)
    .option('--kdf-parallelism <n>', 'Argon2id parallelism', positiveInteger)
    .addHelpText('after', '\nA recovery key and a remembered unlock keep working. Old copies of the file still open\nwith the old passphrase.')
    .action(async (opts: KdfOptions & { newPassphraseFile?: string }, cmd: Command) => {
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
    });

  vault
    .command('reset-passphrase')
    .description('passphrase lost: unlock with your recovery key, then set a new passphrase')
    .option('--recovery-key-file <file>', 'read the recovery key from this file (else $COFFER_RECOVERY_KEY, else asked)')
    .option('--new-passphrase-file <file>', 'read the new passphrase from this file (else $COFFER_NEW_PASSPHRASE, else asked twice)')
    .action(async (opts: { recoveryKeyFile?: string; newPassphraseFile?: string }, cmd: Command) => {
      const ctx = CliContext.fromCommand(io, cmd);
      const path = ctx.vaultPath();
      ctx.requireVaultFile(path);
      const profileDir = ctx.profileDir();
      const engine = await ctx.engine();
      const typed = await recoveryKeyText(ctx, path, opts.recoveryKeyFile);
      // Loaded here, like the engine: `coffer --help` never loads the crypto modules.
      const { parseRecoveryKey } = await import('../vault/access/recovery-key.js');
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
      }
    });

  const recovery = vault.command('recovery-key').description('a printable key that unlocks the vault when the passphrase is lost');
  recovery
    .command('create')
    .description('unlock with the passphrase, then print a new recovery key (shown this once; replaces an earlier one)')
    .action(async (_opts: unknown, cmd: Command) => {
      const ctx = CliContext.fromCommand(io, cmd);
      await ctx.withVaultByPassphrase(async (v) => {
        const key = await v.createRecoveryKey();
        ctx.warn('write this recovery key down and keep it away from this computer: it opens the vault without the passphrase, and it is shown only this once');
        await printJson(io, { recoveryKey: key });
      });
    });
  recovery
    .command('remove')
    .description('unlock with the passphrase, then remove your recovery key')
    .action(async (_opts: unknown, cmd: Command) => {
      const ctx = CliContext.fromCommand(io, cmd);
      await ctx.withVaultByPassphrase(async (v) => {
        await v.removeRecoveryKey();
        await printJson(io, v.info());
      });
    });
  for (const command of recovery.commands) withCommonOptions(command, { unlock: true });

  // Last, so that each verb's help lists its own options first.
  const unlocks = new Set(['create', 'info', 'remember', 'change-passphrase']);
  const opens = new Set(['info', 'remember', 'change-passphrase', 'reset-passphrase']);
  const takesVault = new Set(['create', 'info', 'merge', 'check', 'repair', 'remember', 'forget', 'change-passphrase', 'reset-passphrase']);
  for (const command of vault.commands) {
    const name = command.name();
    if (takesVault.has(name)) withCommonOptions(command, { unlock: unlocks.has(name), opens: opens.has(name) });
  }
}

interface KdfOptions {
  kdfMemory?: number;
  kdfIterations?: number;
  kdfParallelism?: number;
}

/** The three --kdf-* options, given together or not at all. */
function kdfFromOptions(opts: KdfOptions): KdfParams | undefined {
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
