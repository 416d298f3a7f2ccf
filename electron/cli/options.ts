/**
 * The options every command shares, and what the command actions share with
 * `main`. Loaded when the commands are registered, so it imports nothing but
 * commander's types: the rest of the CLI loads only inside the actions.
 */
import type { Command } from 'commander';

/** Options every command accepts, before the group or after the verb. */
export interface CommonOptions {
  vault?: string;
  passphraseFile?: string;
  /** A copy that lacks commits this computer saw before is intended: forget those commits. */
  acceptRollback?: boolean;
}

export const ACCEPT_ROLLBACK_HELP =
  'use a copy that lacks commits this computer saw before (an older backup or git branch) as it is: ' +
  'this computer forgets those commits, so there is no warning and writes are not refused with VaultRolledBack';

/** What the command actions share with `main`: the exit code when it is not 0 without an error (`vault check`). */
export interface RunState {
  exitCode: number;
}

/** Adds `--vault` (and `--passphrase-file` when the command unlocks) to a verb, so they may follow it too. */
export function withCommonOptions(command: Command, options: { unlock: boolean; opens?: boolean }): Command {
  command.option('--vault <file>', 'the vault file (default: $COFFER_VAULT, else personal.coffer in the profile folder)');
  if (options.unlock) {
    command.option('--passphrase-file <file>', 'read the passphrase from this file (one trailing newline is ignored)');
  }
  if (options.opens ?? options.unlock) command.option('--accept-rollback', ACCEPT_ROLLBACK_HELP);
  return command;
}
