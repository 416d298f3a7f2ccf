/**
 * The `coffer` command line (../../shared/design/CLI.md): a front door to the
 * vault engine. bin/coffer.mjs calls `main(process.argv.slice(2))` and exits
 * with the code it returns; tests call it in-process with their own `io`.
 *
 * Start-up loads only commander and the declarations of the commands
 * (*-commands.ts, options.ts, parsers.ts, launcher.ts): `coffer --version`,
 * `--help` and usage errors need nothing else. Each verb's code
 * (*-actions.ts, git-setup.ts), and through it the engine, Argon2 and the
 * keychain, is imported when the verb runs; error reporting when there is an
 * error.
 */
import { Command, CommanderError } from 'commander';
import { addCaCommands } from './ca-commands.js';
import { addCertificateCommands } from './certificate-commands.js';
import { addGitCommands } from './git-commands.js';
import { addIdentityCommands } from './identity-commands.js';
import { defaultIo, type CliIo } from './io.js';
import { addKeyCommands } from './key-commands.js';
import { packageVersion } from './launcher.js';
import { addMemberCommands } from './member-commands.js';
import { ACCEPT_ROLLBACK_HELP, IDENTITY_HELP, type RunState } from './options.js';
import { addSecretCommands } from './secret-commands.js';
import { addVaultCommands } from './vault-commands.js';

export type { CliIo } from './io.js';

const MAIN_HELP = `
Environment:
  COFFER_VAULT          the vault file when --vault is not given
  COFFER_PASSPHRASE     the passphrase when --passphrase-file is not given
  COFFER_IDENTITY       the identity file to open vaults with when --identity is not given
                        (and no passphrase is: --passphrase-file or COFFER_PASSPHRASE)
  COFFER_IDENTITY_PASSPHRASE   the passphrase of that identity file (else a prompt)
  COFFER_HOME           the profile folder (default: $XDG_CONFIG_HOME/coffer or ~/.config/coffer
                        on Linux, ~/Library/Application Support/Coffer on macOS, %APPDATA%\\Coffer)
  COFFER_DEBUG=1        print a stack trace after an error

Unlocking: --passphrase-file, else --identity FILE, else $COFFER_PASSPHRASE, else $COFFER_IDENTITY,
else the OS keychain if this computer remembers the vault (\`coffer vault remember\`), else a
hidden prompt on a terminal. Without a terminal and without any of these, commands that unlock
fail at once (exit 4). An identity is a team member's (\`coffer identity create\`, then an
Administrator's \`coffer member add\`).

A copy of a vault that lacks commits this computer has seen (an older backup, another git
branch) opens with a one-line warning naming what it lacks. Writing to it works, unless the
commits it lacks change members, roles or keys: then writes fail with VaultRolledBack (exit 5)
until the newer copy is merged in (\`coffer vault merge --other FILE\`). --accept-rollback
makes this computer forget the commits the copy lacks, when the older copy is intended.

Output: JSON on stdout, pretty on a terminal and on one line otherwise; \`secret get\`
writes the raw value. Errors: one line on stderr,
  coffer: error: <Code>: <message>            e.g. SecretNotFound, BadParameter, WrongPassphrase
  coffer: error: <Code>: <InnerCode>: <message>   e.g. Forbidden: SecretDisabled: ...

Exit codes: 0 ok, 1 other error, 2 usage or bad parameter, 3 not found,
4 wrong passphrase, locked or forbidden, 5 vault damaged or tampered, 6 conflict.

Get started:
  coffer vault create
  printf %s "$DB_PASSWORD" | coffer secret set -n db-password --value-stdin
  coffer secret get -n db-password
  coffer secret list
`;

export function buildProgram(io: CliIo, state: RunState): Command {
  const program = new Command('coffer');
  program
    .usage('[--vault FILE] [--passphrase-file FILE] GROUP VERB [options]')
    .description('Coffer: a local vault for secrets, keys and certificates, with the commands of `az keyvault`.')
    .exitOverride()
    .configureOutput({
      writeOut: (text) => void io.stdout.write(text),
      writeErr: (text) => void io.stderr.write(text),
      // Errors are printed by reportError, in the one-line format.
      outputError: () => undefined,
    })
    .enablePositionalOptions()
    .version(packageVersion(), '-V, --version', 'print the version of coffer')
    .option('--vault <file>', 'the vault file (default: $COFFER_VAULT, else personal.coffer in the profile folder)')
    .option('--passphrase-file <file>', 'read the passphrase from this file (one trailing newline is ignored)')
    .option('--accept-rollback', ACCEPT_ROLLBACK_HELP)
    .option('--identity <file>', IDENTITY_HELP)
    .helpOption('-h, --help', 'print help')
    .addHelpText('after', MAIN_HELP);

  addVaultCommands(program, io, state);
  addSecretCommands(program, io);
  addKeyCommands(program, io);
  addCertificateCommands(program, io);
  addCaCommands(program, io);
  addIdentityCommands(program, io);
  addMemberCommands(program, io);
  addGitCommands(program, io);
  return program;
}

/**
 * Runs one command line and returns its exit code (CLI.md "Common"):
 * 0 ok · 1 other error · 2 usage · 3 not found · 4 wrong passphrase or
 * forbidden · 5 vault damaged · 6 conflict · 130 cancelled at a prompt.
 */
export async function main(argv: string[], io: Partial<CliIo> = {}): Promise<number> {
  const cli = defaultIo(io);
  const state: RunState = { exitCode: 0 };
  try {
    const program = buildProgram(cli, state);
    await program.parseAsync(argv, { from: 'user' });
    return state.exitCode;
  } catch (error) {
    if (error instanceof CommanderError) {
      if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version') return 0;
      // `coffer help [group]` (exit 0), or a group without a verb: help printed on stderr, a usage error.
      if (error.code === 'commander.help') return error.exitCode === 0 ? 0 : 2;
    }
    const { reportError } = await import('./errors.js');
    return reportError(cli, error);
  }
}
