/**
 * `coffer vault ...` (CLI.md "Vault"): the verbs, their options and help.
 * What each verb does is in ./vault-actions.ts, loaded only when a verb runs,
 * so that `coffer --help`, `--version` and usage errors never load it nor the
 * engine behind it.
 */
import type { Command } from 'commander';
import type { CliIo } from './io.js';
import { KDF_HELP_AFTER, withCommonOptions, withKdfOptions, type RunState } from './options.js';
import { collect, positiveInteger } from './parsers.js';
import type { ChangePassphraseOptions, CreateOptions, MergeOptions, RefoundOptions, ResetPassphraseOptions } from './vault-actions.js';

/** The verbs' code, and the engine behind it: loaded when a verb runs. */
const actions = (): Promise<typeof import('./vault-actions.js')> => import('./vault-actions.js');

export function addVaultCommands(program: Command, io: CliIo, state: RunState): void {
  const vault = program.command('vault').description('create, inspect, check, repair and merge vault files');

  withKdfOptions(
    vault
      .command('create')
      .description('create a new vault (asks for a new passphrase twice on a terminal, or is created by --identity) and print its info')
      .option('--retention-days <days>', 'soft-delete retention, 7..90 days, fixed at creation (default 90)', positiveInteger),
    'Argon2id memory in MiB (default 64)',
  )
    .addHelpText(
      'after',
      KDF_HELP_AFTER +
        '\n\nWith --identity FILE (or $COFFER_IDENTITY), a team vault: that identity is its creator and\n' +
        'Administrator, under the name in the file, and there is no passphrase: each member opens it\n' +
        'with their own identity file (add them with `coffer member add --invite ...`).',
    )
    .action(async (opts: CreateOptions, cmd: Command) => (await actions()).createVault(io, opts, cmd));

  vault
    .command('info')
    .description('print the vault: id, format version, KDF parameters, counts, your roles')
    .action(async (_opts: unknown, cmd: Command) => (await actions()).vaultInfo(io, cmd));

  vault
    .command('merge')
    .description('merge the commits of another copy of this vault (no passphrase needed) and print {commits, added}')
    .option('--other <file>', 'the other copy of the vault')
    .option('--output <file>', 'where to write the result (default: the vault itself)')
    .option('--conflicts', "merge the sync folder's conflicted copies of the vault into it and move each merged one aside")
    .addHelpText(
      'after',
      '\nWith --conflicts (instead of --other), the copies beside the vault that Dropbox, OneDrive,\n' +
        'Nextcloud or Syncthing left under their conflicted-copy names are merged one by one; each\n' +
        'merged copy is renamed `<copy>.merged-<UTC time>` beside it (never deleted). A copy of another\n' +
        'vault or a damaged copy is reported and left as it is. Prints {vault, copies, summary}; exit 0\n' +
        'when every copy was merged, else the code of the first that was not.',
    )
    .action(async (opts: MergeOptions, cmd: Command) => (await actions()).mergeVault(io, opts, cmd));

  vault
    .command('checkpoint')
    .description('write a checkpoint (Administrators) so a computer that never opened the vault reads only what follows it; prints {commits}')
    .addHelpText('after', '\nAn Administrator\'s write adds one anyway when 10,000 commits follow the last checkpoint.')
    .action(async (_opts: unknown, cmd: Command) => (await actions()).checkpointVault(io, cmd));

  vault
    .command('upgrade')
    .description('rewrite a vault of an older format in the current one (no passphrase needed) and print {from, to, upgraded}')
    .addHelpText('after', '\nThe first write of this Coffer upgrades a vault anyway. Older Coffers cannot open an upgraded vault.')
    .action(async (_opts: unknown, cmd: Command) => (await actions()).upgradeVault(io, cmd));

  vault
    .command('merge-driver')
    .description('git merge driver: unions the commits of OURS and THEIRS into OURS (set up by `coffer git setup`)')
    .argument('<base>', 'the common ancestor (%O): where it is a prefix of both copies, only what each appended after it is read')
    .argument('<ours>', 'our version (%A); the result is written here')
    .argument('<theirs>', 'their version (%B)')
    .action(async (_base: string, ours: string, theirs: string, _opts: unknown, cmd: Command) => (await actions()).mergeDriver(io, ours, theirs, cmd));

  vault
    .command('check')
    .description('verify the structure and signature of every commit (no passphrase needed); exit 5 if damaged')
    .addHelpText(
      'after',
      '\nGiven a passphrase by --passphrase-file or $COFFER_PASSPHRASE (it never prompts and never\n' +
        'uses the keychain), check also opens the vault, without changing anything, and names each\n' +
        'live secret version whose value line is missing. Without one, value lines that are absent\n' +
        'but may have been purged are only counted in "notes".',
    )
    .action(async (_opts: unknown, cmd: Command) => (await actions()).checkVault(io, state, cmd));

  vault
    .command('repair')
    .description('write a new vault holding every intact commit of a damaged one')
    .requiredOption('--output <file>', 'the repaired vault to write (must not exist)')
    .action(async (opts: { output: string }, cmd: Command) => (await actions()).repairVault(io, opts, cmd));

  vault
    .command('textconv')
    .description('git diff helper: one line per commit (id, author, seq, parents), read without unlocking')
    .argument('<file>', 'the vault file')
    .action(async (file: string, _opts: unknown, cmd: Command) => (await actions()).textconv(io, file, cmd));

  vault
    .command('remember')
    .description('unlock with the passphrase, then remember the vault on this computer: later commands unlock through the OS keychain')
    .addHelpText(
      'after',
      '\nWhat it trades: anyone who can use your logged-in session (or run programs as you)\n' +
        'can then open this vault without the passphrase. `coffer vault forget` undoes it.',
    )
    .action(async (_opts: unknown, cmd: Command) => (await actions()).rememberVault(io, cmd));

  vault
    .command('forget')
    .description('forget the vault on this computer: delete its key from the OS keychain (no passphrase needed)')
    .action(async (_opts: unknown, cmd: Command) => (await actions()).forgetVault(io, cmd));

  withKdfOptions(
    vault
      .command('change-passphrase')
      .description('unlock with the current passphrase, then seal your identity under a new one (and new KDF parameters, if given)')
      .option('--new-passphrase-file <file>', 'read the new passphrase from this file (else $COFFER_NEW_PASSPHRASE, else asked twice)'),
    'Argon2id memory in MiB (default: keep the current parameters)',
  )
    .addHelpText('after', '\nA recovery key and a remembered unlock keep working. Old copies of the file still open\nwith the old passphrase.')
    .action(async (opts: ChangePassphraseOptions, cmd: Command) => (await actions()).changePassphrase(io, opts, cmd));

  vault
    .command('reset-passphrase')
    .description('passphrase lost: unlock with your recovery key, then set a new passphrase')
    .option('--recovery-key-file <file>', 'read the recovery key from this file (else $COFFER_RECOVERY_KEY, else asked)')
    .option('--new-passphrase-file <file>', 'read the new passphrase from this file (else $COFFER_NEW_PASSPHRASE, else asked twice)')
    .action(async (opts: ResetPassphraseOptions, cmd: Command) => (await actions()).resetPassphrase(io, opts, cmd));

  withKdfOptions(
    vault
      .command('refound')
      .description('copy every object into a new vault that you create, add the members again with their roles, and print what was copied')
      .requiredOption('--to <file>', 'the new vault file (must not exist); the vault itself is left as it is')
      .option('--leave-out <member>', 'a member not to add again (id or fingerprint, as `coffer member list` prints them); repeat for several', collect, [])
      .option('--new-passphrase-file <file>', 'opened by a passphrase: the new vault\'s passphrase from this file (else $COFFER_NEW_PASSPHRASE, else asked twice)'),
    'opened by a passphrase: Argon2id memory in MiB for the new vault (default 64)',
  )
    .addHelpText(
      'after',
      '\nFor a team that cannot reach its creator (who alone may remove or demote the other\n' +
        'Administrators): an Administrator re-founds the vault and becomes the new one\'s creator.\n' +
        'Opened by --identity, the new vault is a team vault created by that identity; opened by a\n' +
        'passphrase, it is sealed by a new one. Copied: every secret, key and certificate with all\n' +
        'their versions, attributes and values (version ids are kept; a deleted one is deleted again,\n' +
        'its purge date starting over), rotation and certificate policies, the CAs with what they\n' +
        'issued and revoked, issuers and contacts. Not copied, and listed: pending certificate\n' +
        'requests. The new vault has a new id, so object ids change; every member then opens the\n' +
        'new file.',
    )
    .action(async (opts: RefoundOptions, cmd: Command) => (await actions()).refound(io, opts, cmd));

  const recovery = vault.command('recovery-key').description('a printable key that unlocks the vault when the passphrase is lost');
  recovery
    .command('create')
    .description('unlock with the passphrase, then print a new recovery key (shown this once; replaces an earlier one)')
    .action(async (_opts: unknown, cmd: Command) => (await actions()).createRecoveryKey(io, cmd));
  recovery
    .command('remove')
    .description('unlock with the passphrase, then remove your recovery key')
    .action(async (_opts: unknown, cmd: Command) => (await actions()).removeRecoveryKey(io, cmd));
  for (const command of recovery.commands) withCommonOptions(command, { unlock: true, identity: false });

  // Last, so that each verb's help lists its own options first.
  const unlocks = new Set(['create', 'info', 'check', 'remember', 'change-passphrase', 'refound']);
  const opens = new Set(['info', 'remember', 'change-passphrase', 'reset-passphrase', 'refound']);
  const takesVault = new Set(['create', 'info', 'merge', 'check', 'repair', 'remember', 'forget', 'change-passphrase', 'reset-passphrase', 'refound']);
  for (const command of vault.commands) {
    const name = command.name();
    if (takesVault.has(name)) withCommonOptions(command, { unlock: unlocks.has(name), opens: opens.has(name), identity: name === 'info' || name === 'create' || name === 'refound' });
  }
}
