/**
 * `coffer secret ...` (CLI.md "Secrets", as `az keyvault secret`).
 *
 * Deliberate deviation from az: `secret set` prints the SecretBundle WITHOUT
 * its `value`, so that values set by scripts do not end up in CI logs. Use
 * `secret show` (bundle with value) or `secret get` (raw value) to read it back.
 */
import { existsSync } from 'node:fs';
import { extname } from 'node:path';
import type { Readable } from 'node:stream';
import { Option, type Command } from 'commander';
import type { ImportEntry, SecretAttributesPatch, SetSecretInput } from '../vault/api.js';
import { CofferError } from '../vault/errors.js';
import {
  parseBoolean,
  parseDotenv,
  parseImportJson,
  parseTagArgs,
  parseTime,
  parseTimeOrNone,
} from '../vault/secrets/parse.js';
import { writeNewFile } from '../vault/store/vault-file.js';
import { CliContext, withCommonOptions } from './context.js';
import { usageError } from './errors.js';
import type { CliIo } from './io.js';
import { printJson, withoutValue, writeRaw } from './output.js';

const NAME_HELP = 'the secret name (letters, digits and -, up to 127 characters; case-insensitive)';
const VERSION_HELP = 'a 32-hex-character version id (default: the current version)';
const TAGS_HELP = 'tags as k=v pairs, replacing the whole tag set; --tags "" clears it';

interface SetOptions {
  name: string;
  value?: string;
  file?: string;
  valueStdin?: boolean;
  contentType?: string;
  tags?: string[];
  expires?: string;
  notBefore?: string;
  disabled?: boolean;
}

interface SetAttributesOptions {
  name: string;
  version?: string;
  enabled?: string;
  expires?: string;
  notBefore?: string;
  contentType?: string;
  tags?: string[];
}

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
    .action(async (opts: SetOptions, cmd: Command) => {
      const ctx = CliContext.fromCommand(io, cmd);
      const sources = [opts.value !== undefined, opts.file !== undefined, opts.valueStdin === true].filter(Boolean);
      if (sources.length !== 1) throw usageError('Give exactly one of --value, --file and --value-stdin');
      const input: Omit<SetSecretInput, 'value'> = { name: opts.name };
      if (opts.contentType !== undefined) input.contentType = opts.contentType;
      if (opts.tags !== undefined) input.tags = parseTagArgs(opts.tags);
      if (opts.expires !== undefined) input.exp = parseTime(opts.expires, '--expires');
      if (opts.notBefore !== undefined) input.nbf = parseTime(opts.notBefore, '--not-before');
      if (opts.disabled === true) input.enabled = false;

      // A value typed on a terminal is read after the passphrase prompt (which needs the terminal too).
      const stdinAfterUnlock = opts.valueStdin === true && io.isTTY.stdin;
      let value: Uint8Array | undefined;
      if (opts.value !== undefined) value = Buffer.from(opts.value, 'utf8');
      else if (opts.file !== undefined) value = await ctx.readUserFile('--file', opts.file);
      else if (!stdinAfterUnlock) value = await readAll(io.stdin);
      try {
        await ctx.withVault(async (vault) => {
          value ??= await readAll(io.stdin);
          const bundle = await vault.secrets.set({ ...input, value });
          await printJson(io, withoutValue(bundle));
        });
      } finally {
        value?.fill(0);
      }
    });

  verb('show')
    .description('print a SecretBundle, with its value (text, or base64 for binary values)')
    .requiredOption('-n, --name <name>', NAME_HELP)
    .option('--version <id>', VERSION_HELP)
    .action(async (opts: { name: string; version?: string }, cmd: Command) => {
      await CliContext.fromCommand(io, cmd).withVault(async (vault) => {
        await printJson(io, await vault.secrets.get(opts.name, opts.version));
      });
    });

  verb('get')
    .description('write the value alone to stdout, raw bytes, with no newline added')
    .requiredOption('-n, --name <name>', NAME_HELP)
    .option('--version <id>', VERSION_HELP)
    .action(async (opts: { name: string; version?: string }, cmd: Command) => {
      await CliContext.fromCommand(io, cmd).withVault(async (vault) => {
        const value = await vault.secrets.getValue(opts.name, opts.version);
        try {
          await writeRaw(io, value);
        } finally {
          value.fill(0);
        }
      });
    });

  verb('list')
    .description('print the secrets as SecretItem[] (no values)')
    .action(async (_opts: unknown, cmd: Command) => {
      await CliContext.fromCommand(io, cmd).withVault((vault) => printJson(io, vault.secrets.list()));
    });

  verb('list-versions')
    .description('print the versions of a secret as SecretItem[] (no values)')
    .requiredOption('-n, --name <name>', NAME_HELP)
    .action(async (opts: { name: string }, cmd: Command) => {
      await CliContext.fromCommand(io, cmd).withVault((vault) => printJson(io, vault.secrets.listVersions(opts.name)));
    });

  verb('set-attributes')
    .description("change a version's attributes, content type or tags; prints the SecretBundle without its value")
    .requiredOption('-n, --name <name>', NAME_HELP)
    .option('--version <id>', VERSION_HELP)
    .option('--enabled <true|false>', 'enable or disable the version')
    .option('--expires <iso8601|none>', 'expiry time, ISO 8601; none clears it')
    .option('--not-before <iso8601|none>', 'not usable before this time, ISO 8601; none clears it')
    .option('--content-type <type>', 'the content type; --content-type "" clears it')
    .option('--tags <k=v...>', TAGS_HELP)
    .action(async (opts: SetAttributesOptions, cmd: Command) => {
      const patch: SecretAttributesPatch = {};
      if (opts.enabled !== undefined) patch.enabled = parseBoolean(opts.enabled, '--enabled');
      if (opts.expires !== undefined) patch.exp = parseTimeOrNone(opts.expires, '--expires');
      if (opts.notBefore !== undefined) patch.nbf = parseTimeOrNone(opts.notBefore, '--not-before');
      if (opts.contentType !== undefined) patch.contentType = opts.contentType === '' ? null : opts.contentType;
      if (opts.tags !== undefined) patch.tags = parseTagArgs(opts.tags);
      await CliContext.fromCommand(io, cmd).withVault(async (vault) => {
        const bundle = await vault.secrets.update(opts.name, opts.version, patch);
        await printJson(io, withoutValue(bundle));
      });
    });

  verb('delete')
    .description('soft-delete a secret (all its versions) and print the DeletedSecretBundle')
    .requiredOption('-n, --name <name>', NAME_HELP)
    .action(async (opts: { name: string }, cmd: Command) => {
      await CliContext.fromCommand(io, cmd).withVault(async (vault) => {
        await printJson(io, await vault.secrets.delete(opts.name));
      });
    });

  verb('list-deleted')
    .description('print the deleted secrets as DeletedSecretItem[]')
    .action(async (_opts: unknown, cmd: Command) => {
      await CliContext.fromCommand(io, cmd).withVault((vault) => printJson(io, vault.secrets.listDeleted()));
    });

  verb('show-deleted')
    .description('print a deleted secret as a DeletedSecretBundle')
    .requiredOption('-n, --name <name>', NAME_HELP)
    .action(async (opts: { name: string }, cmd: Command) => {
      await CliContext.fromCommand(io, cmd).withVault((vault) => printJson(io, vault.secrets.getDeleted(opts.name)));
    });

  verb('recover')
    .description('undo the deletion of a secret and print its SecretBundle')
    .requiredOption('-n, --name <name>', NAME_HELP)
    .action(async (opts: { name: string }, cmd: Command) => {
      await CliContext.fromCommand(io, cmd).withVault(async (vault) => {
        await printJson(io, await vault.secrets.recover(opts.name));
      });
    });

  verb('purge')
    .description('permanently remove a deleted secret (prints nothing)')
    .requiredOption('-n, --name <name>', NAME_HELP)
    .action(async (opts: { name: string }, cmd: Command) => {
      await CliContext.fromCommand(io, cmd).withVault((vault) => vault.secrets.purge(opts.name));
    });

  verb('backup')
    .description('write an encrypted backup of a secret, restorable into this vault only; prints {"file": path}')
    .requiredOption('-n, --name <name>', NAME_HELP)
    .requiredOption('-f, --file <path>', 'the backup file to write (must not exist)')
    .action(async (opts: { name: string; file: string }, cmd: Command) => {
      const ctx = CliContext.fromCommand(io, cmd);
      const path = ctx.path(opts.file);
      refuseExisting(path, '--file');
      await ctx.withVault(async (vault) => {
        const blob = await vault.secrets.backup(opts.name);
        await writeNewFile(path, toBuffer(blob), { overwrite: false, mode: 0o600 });
        await printJson(io, { file: path });
      });
    });

  verb('restore')
    .description('restore a secret from a backup file and print its SecretBundle')
    .requiredOption('-f, --file <path>', 'a file written by `coffer secret backup`')
    .action(async (opts: { file: string }, cmd: Command) => {
      const ctx = CliContext.fromCommand(io, cmd);
      const blob = await ctx.readUserFile('--file', opts.file);
      await ctx.withVault(async (vault) => printJson(io, await vault.secrets.restore(blob)));
    });

  verb('download')
    .description('write the value to a file (raw bytes, mode 0600); prints nothing')
    .requiredOption('-n, --name <name>', NAME_HELP)
    .requiredOption('-f, --file <path>', 'the file to write')
    .option('--version <id>', VERSION_HELP)
    .option('--overwrite', 'replace the file if it exists (refused otherwise)')
    .action(async (opts: { name: string; file: string; version?: string; overwrite?: boolean }, cmd: Command) => {
      const ctx = CliContext.fromCommand(io, cmd);
      const path = ctx.path(opts.file);
      const overwrite = opts.overwrite === true;
      if (!overwrite) refuseExisting(path, '--file', ' (pass --overwrite to replace it)');
      await ctx.withVault(async (vault) => {
        const value = await vault.secrets.getValue(opts.name, opts.version);
        try {
          await writeNewFile(path, toBuffer(value), { overwrite, mode: 0o600 });
        } finally {
          value.fill(0);
        }
      });
    });

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
    .action(async (opts: { file: string; format?: 'json' | 'dotenv' }, cmd: Command) => {
      const ctx = CliContext.fromCommand(io, cmd);
      const format = opts.format ?? (extname(opts.file).toLowerCase() === '.json' ? 'json' : 'dotenv');
      const bytes = await ctx.readUserFile('--file', opts.file);
      let entries: ImportEntry[];
      try {
        const text = bytes.toString('utf8');
        entries = format === 'json' ? parseImportJson(text) : parseDotenv(text);
      } finally {
        bytes.fill(0);
      }
      try {
        await ctx.withVault(async (vault) => printJson(io, await vault.secrets.import(entries)));
      } finally {
        for (const entry of entries) entry.value.fill(0);
      }
    });

  // Last, so that each verb's help lists its own options first.
  for (const command of secret.commands) withCommonOptions(command, { unlock: true });
}

function refuseExisting(path: string, flag: string, hint = ''): void {
  if (existsSync(path)) throw new CofferError('Conflict', `${flag} ${path}: the file already exists${hint}`);
}

/** A Buffer view of the same memory (wiping one wipes the other). */
function toBuffer(bytes: Uint8Array): Buffer {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** Reads a stream to its end into one buffer, wiping the chunks. */
async function readAll(stream: Readable): Promise<Uint8Array> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) {
    chunks.push(typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : (chunk as Buffer));
  }
  const all = Buffer.concat(chunks);
  for (const chunk of chunks) chunk.fill(0);
  return all;
}
