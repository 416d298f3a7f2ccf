/**
 * `coffer key ...` (CLI.md "Keys", as `az keyvault key`): the verbs, their
 * options and help. What each verb does is in ./key-actions.ts, loaded only
 * when a verb runs, so that `--help` and usage errors never load the engine.
 *
 * Private and symmetric material never reaches stdout: bundles carry public
 * JWKs only, and `key export` writes the private key to a file.
 */
import { Option, type Command } from 'commander';
import type { CliIo } from './io.js';
import type {
  CipherOptions,
  CreateOptions,
  DownloadKeyOptions,
  ExportOptions,
  ImportKeyOptions,
  KeyAttributesOptions,
  PolicyUpdateOptions,
  SignOptions,
  VerifyOptions,
} from './key-actions.js';
import { withCommonOptions } from './options.js';
import { positiveInteger } from './parsers.js';
import type { NameOptions, VersionOptions } from './secret-actions.js';

const NAME_HELP = 'the key name (letters, digits and -, up to 127 characters; case-insensitive)';
const VERSION_HELP = 'a 32-hex-character version id (default: the current version)';
const TAGS_HELP = 'tags as k=v pairs, replacing the whole tag set; --tags "" clears it';
const OPS_HELP = 'the permitted operations (key_ops): encrypt decrypt sign verify wrapKey unwrapKey ... (default: all the key type can do)';
const ALG_HELP = 'the algorithm, e.g. RSA-OAEP-256, A256GCM, ES256, PS256, EdDSA, A256KW';

/** The verbs' code, and the engine behind it: loaded when a verb runs. */
const actions = (): Promise<typeof import('./key-actions.js')> => import('./key-actions.js');

/** The options a new version takes, shared by create and import. */
function withVersionOptions(command: Command): Command {
  return command
    .option('--ops <op...>', OPS_HELP)
    .option('--exportable', 'allow the private material to be exported later (`key export`); fixed per version')
    .option('--expires <iso8601>', 'expiry time, ISO 8601 (no zone means UTC)')
    .option('--not-before <iso8601>', 'not usable before this time, ISO 8601 (no zone means UTC)')
    .option('--disabled', 'create the version disabled')
    .option('--tags <k=v...>', TAGS_HELP);
}

function withCipherOptions(command: Command, input: string): Command {
  return command
    .requiredOption('-n, --name <name>', NAME_HELP)
    .option('--version <id>', VERSION_HELP)
    .requiredOption('-a, --algorithm <alg>', ALG_HELP)
    .requiredOption('--value <b64>', input)
    .option('--iv <b64>', 'AES-CBC/GCM initialization vector, base64 or base64url')
    .option('--aad <b64>', 'AES-GCM additional authenticated data, base64 or base64url')
    .option('--tag <b64>', 'AES-GCM authentication tag (decrypt), base64 or base64url');
}

export function addKeyCommands(program: Command, io: CliIo): void {
  const key = program
    .command('key')
    .description('create, use and manage cryptographic keys (as `az keyvault key`)')
    .addHelpText(
      'after',
      '\nBinary inputs (--value, --digest, --signature, --iv, --aad, --tag) are base64 or base64url;\n' +
        'binary outputs are base64url, as in Key Vault.\n' +
        '\nExamples:\n' +
        '  coffer key create -n signer --kty EC --curve P-256\n' +
        '  coffer key sign -n signer -a ES256 --digest "$(printf %s data | openssl dgst -sha256 -binary | base64)"\n' +
        '  coffer key create -n box --kty RSA --size 3072 --ops encrypt decrypt\n' +
        '  coffer key encrypt -n box -a RSA-OAEP-256 --value hello --data-type plaintext\n' +
        '  coffer key download -n signer -f signer.pem       # the public key\n',
    );

  const verb = (name: string, parent: Command = key): Command => parent.command(name);

  withVersionOptions(
    verb('create')
      .description('create a key (or a new version of it) and print its KeyBundle (public JWK only)')
      .requiredOption('-n, --name <name>', NAME_HELP)
      .addOption(new Option('--kty <type>', 'the key type').choices(['RSA', 'EC', 'oct', 'OKP']).makeOptionMandatory())
      .option('--size <bits>', 'RSA: 2048, 3072 or 4096 (default 2048); oct: 128, 192 or 256 (default 256)', positiveInteger)
      .addOption(new Option('--curve <crv>', 'EC: P-256 (default), P-384, P-521, P-256K; OKP: Ed25519').choices(['P-256', 'P-384', 'P-521', 'P-256K', 'Ed25519'])),
  ).action(async (opts: CreateOptions, cmd: Command) => (await actions()).createKey(io, opts, cmd));

  withVersionOptions(
    verb('import')
      .description('import a private key from a PEM or JWK file and print its KeyBundle (public JWK only)')
      .requiredOption('-n, --name <name>', NAME_HELP)
      .option('--pem-file <path>', 'a PEM file: PKCS#8, PKCS#1, SEC 1, or encrypted PKCS#8')
      .option('--pem-password <password>', 'the password of an encrypted PEM (visible in shell history and process lists)')
      .option('--jwk-file <path>', 'a JSON file holding a private JWK'),
  )
    .addHelpText('after', '\nGive exactly one of --pem-file and --jwk-file.')
    .action(async (opts: ImportKeyOptions, cmd: Command) => (await actions()).importKey(io, opts, cmd));

  verb('show')
    .description('print a KeyBundle (public JWK only)')
    .requiredOption('-n, --name <name>', NAME_HELP)
    .option('--version <id>', VERSION_HELP)
    .action(async (opts: VersionOptions, cmd: Command) => (await actions()).showKey(io, opts, cmd));

  verb('list')
    .description('print the keys as KeyItem[]')
    .action(async (_opts: unknown, cmd: Command) => (await actions()).listKeys(io, cmd));

  verb('list-versions')
    .description('print the versions of a key as KeyItem[]')
    .requiredOption('-n, --name <name>', NAME_HELP)
    .action(async (opts: NameOptions, cmd: Command) => (await actions()).listKeyVersions(io, opts, cmd));

  verb('list-deleted')
    .description('print the deleted keys as DeletedKeyItem[]')
    .action(async (_opts: unknown, cmd: Command) => (await actions()).listDeletedKeys(io, cmd));

  verb('show-deleted')
    .description('print a deleted key as a DeletedKeyBundle')
    .requiredOption('-n, --name <name>', NAME_HELP)
    .action(async (opts: NameOptions, cmd: Command) => (await actions()).showDeletedKey(io, opts, cmd));

  verb('set-attributes')
    .description("change a version's attributes, operations or tags and print its KeyBundle")
    .requiredOption('-n, --name <name>', NAME_HELP)
    .option('--version <id>', VERSION_HELP)
    .option('--enabled <true|false>', 'enable or disable the version')
    .option('--ops <op...>', 'the permitted operations (key_ops), replacing the current list')
    .option('--expires <iso8601|none>', 'expiry time, ISO 8601; none clears it')
    .option('--not-before <iso8601|none>', 'not usable before this time, ISO 8601; none clears it')
    .option('--tags <k=v...>', TAGS_HELP)
    .action(async (opts: KeyAttributesOptions, cmd: Command) => (await actions()).setKeyAttributes(io, opts, cmd));

  verb('delete')
    .description('soft-delete a key (all its versions) and print the DeletedKeyBundle')
    .requiredOption('-n, --name <name>', NAME_HELP)
    .action(async (opts: NameOptions, cmd: Command) => (await actions()).deleteKey(io, opts, cmd));

  verb('recover')
    .description('undo the deletion of a key and print its KeyBundle')
    .requiredOption('-n, --name <name>', NAME_HELP)
    .action(async (opts: NameOptions, cmd: Command) => (await actions()).recoverKey(io, opts, cmd));

  verb('purge')
    .description('permanently remove a deleted key (prints nothing)')
    .requiredOption('-n, --name <name>', NAME_HELP)
    .action(async (opts: NameOptions, cmd: Command) => (await actions()).purgeKey(io, opts, cmd));

  verb('backup')
    .description('write an encrypted backup of a key (all versions and its rotation policy), restorable into this vault only; prints {"file": path}')
    .requiredOption('-n, --name <name>', NAME_HELP)
    .requiredOption('-f, --file <path>', 'the backup file to write (must not exist)')
    .action(async (opts: NameOptions & { file: string }, cmd: Command) => (await actions()).backupKey(io, opts, cmd));

  verb('restore')
    .description('restore a key from a backup file and print its KeyBundle')
    .requiredOption('-f, --file <path>', 'a file written by `coffer key backup`')
    .action(async (opts: { file: string }, cmd: Command) => (await actions()).restoreKey(io, opts, cmd));

  verb('download')
    .description('write the PUBLIC key to a file; prints nothing')
    .requiredOption('-n, --name <name>', NAME_HELP)
    .option('--version <id>', VERSION_HELP)
    .requiredOption('-f, --file <path>', 'the file to write')
    .addOption(new Option('--encoding <encoding>', 'the file format').choices(['PEM', 'DER', 'JWK']).default('PEM'))
    .option('--overwrite', 'replace the file if it exists (refused otherwise)')
    .action(async (opts: DownloadKeyOptions, cmd: Command) => (await actions()).downloadKey(io, opts, cmd));

  verb('export')
    .description('write the PRIVATE key of an exportable version to a file (mode 0600); prints nothing')
    .requiredOption('-n, --name <name>', NAME_HELP)
    .option('--version <id>', VERSION_HELP)
    .requiredOption('-f, --file <path>', 'the file to write')
    .addOption(new Option('--encoding <encoding>', 'the file format (oct keys: JWK only)').choices(['PEM', 'JWK']).default('PEM'))
    .option('--overwrite', 'replace the file if it exists (refused otherwise)')
    .option('--confirm', 'required: you mean to take the private key out of the vault')
    .action(async (opts: ExportOptions, cmd: Command) => (await actions()).exportKey(io, opts, cmd));

  withCipherOptions(verb('encrypt').description('encrypt --value; prints a KeyOperationResult'), 'the plaintext, base64 or base64url (UTF-8 text with --data-type plaintext)')
    .addOption(new Option('--data-type <type>', 'how --value is given').choices(['base64', 'plaintext']).default('base64'))
    .action(async (opts: CipherOptions, cmd: Command) => (await actions()).cipher(io, 'encrypt', opts, cmd));

  withCipherOptions(verb('decrypt').description('decrypt --value; prints a KeyOperationResult'), 'the ciphertext, base64 or base64url')
    .addOption(new Option('--data-type <type>', 'how the result is printed: base64url, or UTF-8 text (plaintext)').choices(['base64', 'plaintext']).default('base64'))
    .action(async (opts: CipherOptions, cmd: Command) => (await actions()).cipher(io, 'decrypt', opts, cmd));

  withCipherOptions(verb('wrap').description('wrap (encrypt) a key given in --value; prints a KeyOperationResult'), 'the key to wrap, base64 or base64url')
    .action(async (opts: CipherOptions, cmd: Command) => (await actions()).cipher(io, 'wrap', opts, cmd));

  withCipherOptions(verb('unwrap').description('unwrap a key given in --value; prints a KeyOperationResult'), 'the wrapped key, base64 or base64url')
    .action(async (opts: CipherOptions, cmd: Command) => (await actions()).cipher(io, 'unwrap', opts, cmd));

  verb('sign')
    .description('sign a digest; prints {"kid", "value": signature (base64url)}')
    .requiredOption('-n, --name <name>', NAME_HELP)
    .option('--version <id>', VERSION_HELP)
    .requiredOption('-a, --algorithm <alg>', ALG_HELP)
    .requiredOption('--digest <b64>', "the digest made with the algorithm's hash, base64 or base64url")
    .action(async (opts: SignOptions, cmd: Command) => (await actions()).signDigest(io, opts, cmd));

  verb('verify')
    .description('verify a signature of a digest; prints {"value": true|false}')
    .requiredOption('-n, --name <name>', NAME_HELP)
    .option('--version <id>', VERSION_HELP)
    .requiredOption('-a, --algorithm <alg>', ALG_HELP)
    .requiredOption('--digest <b64>', 'the digest, base64 or base64url')
    .requiredOption('--signature <b64>', 'the signature, base64 or base64url')
    .action(async (opts: VerifyOptions, cmd: Command) => (await actions()).verifySignature(io, opts, cmd));

  verb('rotate')
    .description('create a new version of the same type and size or curve; prints its KeyBundle')
    .requiredOption('-n, --name <name>', NAME_HELP)
    .action(async (opts: NameOptions, cmd: Command) => (await actions()).rotateKey(io, opts, cmd));

  const policy = key.command('rotation-policy').description("show or change a key's rotation policy (KeyRotationPolicy JSON)");
  verb('show', policy)
    .description("print the key's KeyRotationPolicy")
    .requiredOption('-n, --name <name>', NAME_HELP)
    .action(async (opts: NameOptions, cmd: Command) => (await actions()).showRotationPolicy(io, opts, cmd));
  verb('update', policy)
    .description('replace the rotation policy with the KeyRotationPolicy in a JSON file; prints the new policy')
    .requiredOption('-n, --name <name>', NAME_HELP)
    .requiredOption('--value <file>', 'a JSON file: {"lifetimeActions": [{"trigger": {"timeAfterCreate": "P90D"}, "action": {"type": "Rotate"}}], "attributes": {"expiryTime": "P1Y"}}')
    .action(async (opts: PolicyUpdateOptions, cmd: Command) => (await actions()).updateRotationPolicy(io, opts, cmd));

  verb('rotate-due')
    .description('rotate every key whose policy says a rotation is due; prints {"rotated": [...], "failed": [...]}')
    .addHelpText('after', '\nExits non-zero, naming the keys, when any rotation failed; those keys are kept as they were.')
    .action(async (_opts: unknown, cmd: Command) => (await actions()).rotateDue(io, cmd));

  // Last, so that each verb's help lists its own options first.
  for (const command of [...key.commands.filter((c) => c !== policy), ...policy.commands]) withCommonOptions(command, { unlock: true });
}
