/**
 * `coffer secret ...` (CLI.md "Secrets", as `az keyvault secret`): the verbs,
 * their options and help. What each verb does is in ./secret-actions.ts,
 * loaded only when a verb runs, so that `coffer --help`, `--version` and
 * usage errors never load it nor the engine behind it.
 *
 * Deliberate deviation from az: `secret set` prints the SecretBundle WITHOUT
 * its `value`, so that values set by scripts do not end up in CI logs. Use
 * `secret show` (bundle with value) or `secret get` (raw value) to read it back.
 */
import { Option, type Command } from 'commander';
import type { CliIo } from './io.js';
import { withCommonOptions } from './options.js';
import type { DownloadOptions, ImportOptions, NameOptions, SetAttributesOptions, SetOptions, VersionOptions } from './secret-actions.js';

const NAME_HELP = 'the secret name (letters, digits and -, up to 127 characters; case-insensitive)';
const VERSION_HELP = 'a 32-hex-character version id (default: the current version)';
const TAGS_HELP = 'tags as k=v pairs, replacing the whole tag set; --tags "" clears it';

/** The verbs' code, and the engine behind it: loaded when a verb runs. */
const actions = (): Promise<typeof import('./secret-actions.js')> => import('./secret-actions.js');

export function addSecretCommands(program: Command, io: CliIo): void {
  const secret = program
    .command('secret')
    .description('store, read and manage secrets (as `az keyvault secret`)')
    .addHelpText(
      'after',
      '\nExamples:\n' +
        '  printf %s "$TOKEN" | coffer secret set -n api-token --value-stdin\n' +
        '  coffer secret set -n tls-key --file key.pem --content-type application/x-pem-file --tags env=prod team=web\n' +
        '  coffer secret get -n api-token > token.txt        # the raw value, no newline added\n' +
        '  coffer secret show -n api-token --version 0f1e...  # SecretBundle JSON, with value\n' +
        '  coffer secret import -f .env                      # one commit; FOO_BAR becomes FOO-BAR\n',
    );

  const verb = (name: string): Command => secret.command(name);

  verb('set')
    .description('add a new version of a secret and print its SecretBundle, WITHOUT the value (unlike az: keeps values out of logs)')
    .requiredOption('-n, --name <name>', NAME_HELP)
    .option('--value <value>', 'the value (visible in shell history and process lists: prefer --file or --value-stdin)')
    .option('-f, --file <path>', 'read the value from a file, bytes as they are (non-UTF-8 is stored as binary)')
    .option('--value-stdin', 'read the value from stdin to its end, bytes as they are (use printf, not echo, to avoid a newline)')
    .option('--content-type <type>', 'a free-form content type, e.g. text/plain')
    .option('--tags <k=v...>', TAGS_HELP)
    .option('--expires <iso8601>', 'expiry time, ISO 8601 (no zone means UTC)')
    .option('--not-before <iso8601>', 'not usable before this time, ISO 8601 (no zone means UTC)')
    .option('--disabled', 'create the version disabled')
    .addHelpText('after', '\nGive exactly one of --value, --file and --value-stdin.')
    .action(async (opts: SetOptions, cmd: Command) => (await actions()).setSecret(io, opts, cmd));

  verb('show')
    .description('print a SecretBundle, with its value (text, or base64 for binary values)')
    .requiredOption('-n, --name <name>', NAME_HELP)
    .option('--version <id>', VERSION_HELP)
    .action(async (opts: VersionOptions, cmd: Command) => (await actions()).showSecret(io, opts, cmd));

  verb('get')
    .description('write the value alone to stdout, raw bytes, with no newline added')
    .requiredOption('-n, --name <name>', NAME_HELP)
    .option('--version <id>', VERSION_HELP)
    .action(async (opts: VersionOptions, cmd: Command) => (await actions()).getSecret(io, opts, cmd));

  verb('list')
    .description('print the secrets as SecretItem[] (no values)')
    .action(async (_opts: unknown, cmd: Command) => (await actions()).listSecrets(io, cmd));

  verb('list-versions')
    .description('print the versions of a secret as SecretItem[] (no values)')
    .requiredOption('-n, --name <name>', NAME_HELP)
    .action(async (opts: NameOptions, cmd: Command) => (await actions()).listSecretVersions(io, opts, cmd));

  verb('set-attributes')
    .description("change a version's attributes, content type or tags; prints the SecretBundle without its value")
    .requiredOption('-n, --name <name>', NAME_HELP)
    .option('--version <id>', VERSION_HELP)
    .option('--enabled <true|false>', 'enable or disable the version')
    .option('--expires <iso8601|none>', 'expiry time, ISO 8601; none clears it')
    .option('--not-before <iso8601|none>', 'not usable before this time, ISO 8601; none clears it')
    .option('--content-type <type>', 'the content type; --content-type "" clears it')
    .option('--tags <k=v...>', TAGS_HELP)
    .action(async (opts: SetAttributesOptions, cmd: Command) => (await actions()).setSecretAttributes(io, opts, cmd));

  verb('delete')
    .description('soft-delete a secret (all its versions) and print the DeletedSecretBundle')
    .requiredOption('-n, --name <name>', NAME_HELP)
    .action(async (opts: NameOptions, cmd: Command) => (await actions()).deleteSecret(io, opts, cmd));

  verb('list-deleted')
    .description('print the deleted secrets as DeletedSecretItem[]')
    .action(async (_opts: unknown, cmd: Command) => (await actions()).listDeletedSecrets(io, cmd));

  verb('show-deleted')
    .description('print a deleted secret as a DeletedSecretBundle')
    .requiredOption('-n, --name <name>', NAME_HELP)
    .action(async (opts: NameOptions, cmd: Command) => (await actions()).showDeletedSecret(io, opts, cmd));

  verb('recover')
    .description('undo the deletion of a secret and print its SecretBundle')
    .requiredOption('-n, --name <name>', NAME_HELP)
    .action(async (opts: NameOptions, cmd: Command) => (await actions()).recoverSecret(io, opts, cmd));

  verb('purge')
    .description('permanently remove a deleted secret (prints nothing)')
    .requiredOption('-n, --name <name>', NAME_HELP)
    .action(async (opts: NameOptions, cmd: Command) => (await actions()).purgeSecret(io, opts, cmd));

  verb('backup')
    .description('write an encrypted backup of a secret, restorable into this vault only; prints {"file": path}')
    .requiredOption('-n, --name <name>', NAME_HELP)
    .requiredOption('-f, --file <path>', 'the backup file to write (must not exist)')
    .action(async (opts: NameOptions & { file: string }, cmd: Command) => (await actions()).backupSecret(io, opts, cmd));

  verb('restore')
    .description('restore a secret from a backup file and print its SecretBundle')
    .requiredOption('-f, --file <path>', 'a file written by `coffer secret backup`')
    .action(async (opts: { file: string }, cmd: Command) => (await actions()).restoreSecret(io, opts, cmd));

  verb('download')
    .description('write the value to a file (raw bytes, mode 0600); prints nothing')
    .requiredOption('-n, --name <name>', NAME_HELP)
    .requiredOption('-f, --file <path>', 'the file to write')
    .option('--version <id>', VERSION_HELP)
    .option('--overwrite', 'replace the file if it exists (refused otherwise)')
    .option('-e, --encoding <encoding>', "utf-8 (default: the value as stored) or base64 (decode a base64 value, e.g. a certificate's PFX secret, into its bytes)")
    .action(async (opts: DownloadOptions, cmd: Command) => (await actions()).downloadSecret(io, opts, cmd));

  verb('import')
    .description('import a .env or JSON file in one commit; prints {"imported": N, "versions": M}')
    .requiredOption('-f, --file <path>', 'the file to import')
    .addOption(
      new Option('--format <format>', 'the file format (default: json for *.json, else dotenv)').choices(['json', 'dotenv']),
    )
    .addHelpText(
      'after',
      '\nJSON: an array of {"name", "value", "contentType"?, "tags"?, "expires"?}.\n' +
        'dotenv: KEY=value lines; "_" in names becomes "-" (Key Vault names allow no underscore)\n' +
        'and the original name is kept in the tag env-name.\n' +
        'A name that appears several times gets one version per appearance, in order.\n' +
        'If anything in the file is invalid, nothing is imported and the error names the line or index.',
    )
    .action(async (opts: ImportOptions, cmd: Command) => (await actions()).importSecrets(io, opts, cmd));

  // Last, so that each verb's help lists its own options first.
  for (const command of secret.commands) withCommonOptions(command, { unlock: true });
}
