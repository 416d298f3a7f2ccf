/** `coffer vault ...` (CLI.md "Vault"). */
import type { Command } from 'commander';
import { CliContext, withCommonOptions, type RunState } from './context.js';
import { usageError } from './errors.js';
import type { CliIo } from './io.js';
import { printJson } from './output.js';
import { positiveInteger } from './parsers.js';

interface CreateOptions {
  retentionDays?: number;
  kdfMemory?: number;
  kdfIterations?: number;
  kdfParallelism?: number;
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
      const kdfGiven = [opts.kdfMemory, opts.kdfIterations, opts.kdfParallelism].filter((v) => v !== undefined);
      if (kdfGiven.length !== 0 && kdfGiven.length !== 3) {
        throw usageError('Give --kdf-memory, --kdf-iterations and --kdf-parallelism together');
      }
      const kdf =
        opts.kdfMemory !== undefined && opts.kdfIterations !== undefined && opts.kdfParallelism !== undefined
          ? { memoryKiB: opts.kdfMemory * 1024, iterations: opts.kdfIterations, parallelism: opts.kdfParallelism }
          : undefined;
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

  // Last, so that each verb's help lists its own options first.
  const unlocks = new Set(['create', 'info']);
  const takesVault = new Set(['create', 'info', 'merge', 'check', 'repair']);
  for (const command of vault.commands) {
    const name = command.name();
    if (takesVault.has(name)) withCommonOptions(command, { unlock: unlocks.has(name), opens: name === 'info' });
  }
}
