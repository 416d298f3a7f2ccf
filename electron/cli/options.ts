/**
 * The options every command shares, and what the command actions share with
 * `main`. Loaded when the commands are registered, so it imports nothing but
 * commander's types and the option parsers: the rest of the CLI loads only
 * inside the actions.
 */
import type { Command } from 'commander';
import { positiveInteger } from './parsers.js';

/** Options every command accepts, before the group or after the verb. */
export interface CommonOptions {
  vault?: string;
  passphraseFile?: string;
  /** A copy that lacks commits this computer saw before is intended: forget those commits. */
  acceptRollback?: boolean;
  /** Open the vault as the member whose identity file this is (CLI.md "Common"). */
  identity?: string;
}

export const IDENTITY_HELP = 'open the vault as the member whose identity file this is (default: $COFFER_IDENTITY); its passphrase: $COFFER_IDENTITY_PASSPHRASE or a prompt';

export const KDF_HELP_AFTER =
  '\nThe three --kdf-* options go together. Values below the defaults make the passphrase\n' +
  'cheaper to guess: they are for tests, and creation prints a warning.';

/** The three Argon2id options of commands that seal something under a passphrase (`vault create`, `identity create`...). */
export function withKdfOptions(command: Command, memoryHelp: string): Command {
  return command
    .option('--kdf-memory <MiB>', memoryHelp, positiveInteger)
    .option('--kdf-iterations <n>', 'Argon2id iterations', positiveInteger)
    .option('--kdf-parallelism <n>', 'Argon2id parallelism', positiveInteger);
}

export const ACCEPT_ROLLBACK_HELP =
  'use a copy that lacks commits this computer saw before (an older backup or git branch) as it is: ' +
  'this computer forgets those commits, so there is no warning and writes are not refused with VaultRolledBack';

/** What the command actions share with `main`: the exit code when it is not 0 without an error (`vault check`). */
export interface RunState {
  exitCode: number;
}

/** Adds `--vault` (and `--passphrase-file`, or `--identity` when the command opens the vault) to a verb, so they may follow it too. */
export function withCommonOptions(command: Command, options: { unlock: boolean; opens?: boolean; identity?: boolean }): Command {
  command.option('--vault <file>', 'the vault file (default: $COFFER_VAULT, else personal.coffer in the profile folder)');
  if (options.unlock) {
    command.option('--passphrase-file <file>', 'read the passphrase from this file (one trailing newline is ignored)');
  }
  const opens = options.opens ?? options.unlock;
  if (opens) command.option('--accept-rollback', ACCEPT_ROLLBACK_HELP);
  // Commands that act on the vault's passphrase slot (remember, change-passphrase...) say identity: false.
  if (options.identity ?? opens) command.option('--identity <file>', IDENTITY_HELP);
  return command;
}
