/**
 * `coffer certificate ...` (CLI.md "Certificates", as `az keyvault
 * certificate`): the verbs, their options and help. What each verb does is in
 * ./certificate-actions.ts, loaded only when a verb runs, so that `--help`
 * and usage errors never load the engine.
 *
 * Private keys never reach stdout: bundles carry the certificate (`cer`)
 * only, and `download --encoding PFX` writes key and chain to a file.
 */
import { Option, type Command } from 'commander';
import type {
  CertificateAttributesOptions,
  ContactAddOptions,
  ContactDeleteOptions,
  CreateCertificateOptions,
  DownloadCertificateOptions,
  DnsOptions,
  ImportCertificateOptions,
  IssuerCreateOptions,
  IssuerUpdateOptions,
  MergeOptions,
  PolicyUpdateOptions,
  RenewDueOptions,
  RevokeCertificateOptions,
} from './certificate-actions.js';
import { positiveInteger } from './parsers.js';
import type { CliIo } from './io.js';
import { withCommonOptions } from './options.js';
import type { NameOptions, VersionOptions } from './secret-actions.js';

const NAME_HELP = 'the certificate name (letters, digits and -, up to 127 characters; case-insensitive)';
const VERSION_HELP = 'a 32-hex-character version id (default: the current version)';
const TAGS_HELP = 'tags as k=v pairs, replacing the whole tag set; --tags "" clears it';
const DNS_HOOK_HELP =
  'dns-01 issuers: a shell command that publishes the TXT record given in $COFFER_DNS_NAME and $COFFER_DNS_VALUE and exits 0 once it resolves (without it, a terminal shows the record and waits for Enter)';
const POLICY_HELP = 'a CertificatePolicy: a JSON file (FILE or @FILE), or the JSON itself; start from `coffer certificate get-default-policy`';

/** The verbs' code, and the engine behind it: loaded when a verb runs. */
const actions = (): Promise<typeof import('./certificate-actions.js')> => import('./certificate-actions.js');

export function addCertificateCommands(program: Command, io: CliIo): void {
  const certificate = program
    .command('certificate')
    .description('create, import and manage X.509 certificates and their keys (as `az keyvault certificate`)')
    .addHelpText(
      'after',
      "\nA certificate's key and secret take its name: `coffer key show -n NAME` is its key (public),\n" +
        '`coffer secret download -n NAME -f FILE` its key and chain: PEM, or with `--encoding base64` a PFX\n' +
        '(by the policy\'s content type).\n' +
        '\nExamples:\n' +
        '  coffer certificate get-default-policy > policy.json      # edit x509_props.subject\n' +
        '  coffer certificate create -n web --policy @policy.json\n' +
        '  coffer certificate download -n web -f web.pem             # the certificate, PEM\n' +
        '  coffer certificate import -n legacy -f legacy.pfx --password-file pfx-password.txt\n' +
        '  coffer certificate pending merge -n csr-cert -f signed-chain.pem\n' +
        '  coffer certificate renew-due                               # runs the lifetime actions that are due\n',
    );

  const verb = (name: string, parent: Command = certificate): Command => parent.command(name);

  verb('get-default-policy')
    .description('print the default CertificatePolicy (self-signed RSA-2048, 12 months), to edit and give to `create --policy`; needs no vault')
    .action(async (_opts: unknown, cmd: Command) => (await actions()).getDefaultPolicy(io, cmd));

  verb('create')
    .description('issue a certificate (or a new version) by its policy and print the CertificateOperation')
    .requiredOption('-n, --name <name>', NAME_HELP)
    .option('-p, --policy <file|json>', `${POLICY_HELP} (default: the default policy for a new certificate, its current policy for a new version)`)
    .option('--disabled', 'create the version disabled')
    .option('--tags <k=v...>', TAGS_HELP)
    .option('--dns-hook <command>', DNS_HOOK_HELP)
    .addHelpText('after', '\nIssuer Self and the vault\'s CAs complete at once; issuer Unknown leaves a pending operation with a CSR\n(`certificate pending show`), completed by `certificate pending merge`.')
    .action(async (opts: CreateCertificateOptions, cmd: Command) => (await actions()).createCertificate(io, opts, cmd));

  verb('import')
    .description('import a certificate with its private key from a PFX or PEM file and print its CertificateBundle')
    .requiredOption('-n, --name <name>', NAME_HELP)
    .requiredOption('-f, --file <path>', 'a PFX (PKCS#12) file, or a PEM file holding the private key and the certificate, its chain after it')
    .option('--password <password>', "the PFX's password (visible in shell history and process lists: prefer --password-file)")
    .option('--password-file <file>', "read the PFX's password from this file (one trailing newline is ignored)")
    .option('-p, --policy <file|json>', `${POLICY_HELP} (default: one made from the certificate)`)
    .option('--disabled', 'import the version disabled')
    .option('--tags <k=v...>', TAGS_HELP)
    .action(async (opts: ImportCertificateOptions, cmd: Command) => (await actions()).importCertificateFile(io, opts, cmd));

  verb('show')
    .description('print a CertificateBundle (the certificate and its policy, no private key)')
    .requiredOption('-n, --name <name>', NAME_HELP)
    .option('--version <id>', VERSION_HELP)
    .action(async (opts: VersionOptions, cmd: Command) => (await actions()).showCertificate(io, opts, cmd));

  verb('list')
    .description('print the certificates as CertificateItem[]')
    .action(async (_opts: unknown, cmd: Command) => (await actions()).listCertificates(io, cmd));

  verb('list-versions')
    .description('print the versions of a certificate as CertificateItem[]')
    .requiredOption('-n, --name <name>', NAME_HELP)
    .action(async (opts: NameOptions, cmd: Command) => (await actions()).listCertificateVersions(io, opts, cmd));

  verb('list-deleted')
    .description('print the deleted certificates as DeletedCertificateItem[]')
    .action(async (_opts: unknown, cmd: Command) => (await actions()).listDeletedCertificates(io, cmd));

  verb('show-deleted')
    .description('print a deleted certificate as a DeletedCertificateBundle')
    .requiredOption('-n, --name <name>', NAME_HELP)
    .action(async (opts: NameOptions, cmd: Command) => (await actions()).showDeletedCertificate(io, opts, cmd));

  verb('download')
    .description('write the certificate (PEM or DER) or, with --encoding PFX, its key and chain (mode 0600) to a file; prints nothing')
    .requiredOption('-n, --name <name>', NAME_HELP)
    .option('--version <id>', VERSION_HELP)
    .requiredOption('-f, --file <path>', 'the file to write')
    .addOption(new Option('-e, --encoding <encoding>', 'the file format').choices(['PEM', 'DER', 'PFX']).default('PEM'))
    .option('--password <password>', 'PFX only: protect the file with this password (default: none, as Key Vault)')
    .option('--overwrite', 'replace the file if it exists (refused otherwise)')
    .action(async (opts: DownloadCertificateOptions, cmd: Command) => (await actions()).downloadCertificate(io, opts, cmd));

  verb('set-attributes')
    .description("change a version's attributes or tags and print its CertificateBundle (enabled also applies to its key and secret)")
    .requiredOption('-n, --name <name>', NAME_HELP)
    .option('--version <id>', VERSION_HELP)
    .option('--enabled <true|false>', 'enable or disable the version')
    .option('--tags <k=v...>', TAGS_HELP)
    .action(async (opts: CertificateAttributesOptions, cmd: Command) => (await actions()).setCertificateAttributes(io, opts, cmd));

  verb('delete')
    .description('soft-delete a certificate (all its versions, with its key and secret) and print the DeletedCertificateBundle')
    .requiredOption('-n, --name <name>', NAME_HELP)
    .action(async (opts: NameOptions, cmd: Command) => (await actions()).deleteCertificate(io, opts, cmd));

  verb('recover')
    .description('undo the deletion of a certificate and print its CertificateBundle')
    .requiredOption('-n, --name <name>', NAME_HELP)
    .action(async (opts: NameOptions, cmd: Command) => (await actions()).recoverCertificate(io, opts, cmd));

  verb('purge')
    .description('permanently remove a deleted certificate (prints nothing)')
    .requiredOption('-n, --name <name>', NAME_HELP)
    .action(async (opts: NameOptions, cmd: Command) => (await actions()).purgeCertificate(io, opts, cmd));

  verb('backup')
    .description('write an encrypted backup of a certificate (all versions, its key, secret and policy), restorable into this vault only; prints {"file": path}')
    .requiredOption('-n, --name <name>', NAME_HELP)
    .requiredOption('-f, --file <path>', 'the backup file to write (must not exist)')
    .action(async (opts: NameOptions & { file: string }, cmd: Command) => (await actions()).backupCertificate(io, opts, cmd));

  verb('restore')
    .description('restore a certificate from a backup file and print its CertificateBundle')
    .requiredOption('-f, --file <path>', 'a file written by `coffer certificate backup`')
    .action(async (opts: { file: string }, cmd: Command) => (await actions()).restoreCertificate(io, opts, cmd));

  verb('renew')
    .description('issue a new version now, by the policy, and print the CertificateOperation')
    .requiredOption('-n, --name <name>', NAME_HELP)
    .option('--dns-hook <command>', DNS_HOOK_HELP)
    .action(async (opts: NameOptions & DnsOptions, cmd: Command) => (await actions()).renewCertificate(io, opts, cmd));

  verb('renew-due')
    .description("run each certificate's lifetime actions that are due (AutoRenew, EmailContacts); prints {\"renewed\": [...], \"notified\": [...], \"failed\": [...]}")
    .option('--now <iso8601>', 'decide what is due at this time instead of now, ISO 8601 (no zone means UTC)')
    .option('--dns-hook <command>', DNS_HOOK_HELP)
    .addHelpText('after', '\nExits non-zero, naming the certificates, when any action failed; those are kept as they were and retried next run.')
    .action(async (opts: RenewDueOptions, cmd: Command) => (await actions()).renewDue(io, opts, cmd));

  verb('revoke')
    .description('revoke a version with the CA that issued it (a CA of this vault, or the ACME issuer of its policy); prints nothing')
    .requiredOption('-n, --name <name>', NAME_HELP)
    .option('--version <id>', VERSION_HELP)
    .option('--reason <reason>', 'RFC 5280 reason: unspecified, keyCompromise, superseded, cessationOfOperation, affiliationChanged, ...')
    .action(async (opts: RevokeCertificateOptions, cmd: Command) => (await actions()).revokeCertificate(io, opts, cmd));

  const issuer = certificate.command('issuer').description('certificate issuers: ACME CAs (RFC 8555) such as Let\'s Encrypt (IssuerBundle JSON)');
  verb('create', issuer)
    .description('register an account with an ACME CA and keep its key in the vault; prints the IssuerBundle')
    .requiredOption('-n, --name <name>', 'the issuer name, used as a policy\'s issuer.name')
    .addOption(new Option('--provider <provider>', 'the provider').choices(['ACME']).default('ACME'))
    .requiredOption('--directory <url>', "the CA's ACME directory, https:// (Let's Encrypt: https://acme-v02.api.letsencrypt.org/directory)")
    .option('--email <address>', 'the account contact')
    .addOption(new Option('--challenge <type>', 'how orders are validated').choices(['http-01', 'dns-01']).default('http-01'))
    .option('--http-port <n>', 'the port the http-01 responder listens on (default 80)', positiveInteger)
    .option('--ca-cert <file>', "PEM of the CA certificate to trust for the directory's HTTPS (a private CA)")
    .option('--agree-tos', "agree to the CA's terms of service (required)")
    .option('--disabled', 'create the issuer disabled')
    .action(async (opts: IssuerCreateOptions, cmd: Command) => (await actions()).createIssuer(io, opts, cmd));
  verb('show', issuer)
    .description('print the IssuerBundle')
    .requiredOption('-n, --name <name>', 'the issuer name')
    .action(async (opts: NameOptions, cmd: Command) => (await actions()).showIssuer(io, opts, cmd));
  verb('list', issuer)
    .description('print the issuers')
    .action(async (_opts: unknown, cmd: Command) => (await actions()).listIssuers(io, cmd));
  verb('update', issuer)
    .description('change an issuer and print its IssuerBundle')
    .requiredOption('-n, --name <name>', 'the issuer name')
    .option('--enabled <true|false>', 'enable or disable it')
    .addOption(new Option('--challenge <type>', 'how orders are validated').choices(['http-01', 'dns-01']))
    .option('--http-port <n>', 'the port the http-01 responder listens on', positiveInteger)
    .action(async (opts: IssuerUpdateOptions, cmd: Command) => (await actions()).updateIssuer(io, opts, cmd));
  verb('delete', issuer)
    .description('delete the issuer (and the account key kept for it) and print it')
    .requiredOption('-n, --name <name>', 'the issuer name')
    .action(async (opts: NameOptions, cmd: Command) => (await actions()).deleteIssuer(io, opts, cmd));

  const policy = certificate.command('policy').description("show or change a certificate's policy (CertificatePolicy JSON)");
  verb('show', policy)
    .description("print the certificate's CertificatePolicy")
    .requiredOption('-n, --name <name>', NAME_HELP)
    .action(async (opts: NameOptions, cmd: Command) => (await actions()).showCertificatePolicy(io, opts, cmd));
  verb('update', policy)
    .description('replace the policy (used by the next version) and print the new CertificatePolicy')
    .requiredOption('-n, --name <name>', NAME_HELP)
    .requiredOption('-p, --policy <file|json>', `${POLICY_HELP}; what \`policy show\` prints is accepted`)
    .action(async (opts: PolicyUpdateOptions, cmd: Command) => (await actions()).updateCertificatePolicy(io, opts, cmd));

  const pending = certificate.command('pending').description("a certificate's pending issuance (CertificateOperation): its CSR, merging the signed certificate");
  verb('show', pending)
    .description('print the pending CertificateOperation, with its CSR (base64 DER)')
    .requiredOption('-n, --name <name>', NAME_HELP)
    .action(async (opts: NameOptions, cmd: Command) => (await actions()).showPending(io, opts, cmd));
  verb('merge', pending)
    .description('complete a pending issuance with the certificate signed for its CSR; prints the CertificateBundle')
    .requiredOption('-n, --name <name>', NAME_HELP)
    .requiredOption('-f, --file <path>', 'the signed certificate then its chain: a PEM file of CERTIFICATE blocks (leaf first), or one DER certificate')
    .option('--disabled', 'make the new version disabled')
    .option('--tags <k=v...>', TAGS_HELP)
    .action(async (opts: MergeOptions, cmd: Command) => (await actions()).mergePending(io, opts, cmd));
  verb('cancel', pending)
    .description('cancel the pending issuance (its CSR key is dropped) and print the CertificateOperation')
    .requiredOption('-n, --name <name>', NAME_HELP)
    .action(async (opts: NameOptions, cmd: Command) => (await actions()).cancelPending(io, opts, cmd));
  verb('delete', pending)
    .description('delete the pending operation and print it')
    .requiredOption('-n, --name <name>', NAME_HELP)
    .action(async (opts: NameOptions, cmd: Command) => (await actions()).deletePending(io, opts, cmd));

  const contact = certificate.command('contact').description('the contacts told about certificate lifetime events (CertificateContacts JSON)');
  verb('add', contact)
    .description('add a contact (replacing one with the same email) and print the CertificateContacts')
    .requiredOption('--email <address>', 'the contact\'s email address')
    .option('--name <name>', "the contact's name")
    .option('--phone <number>', "the contact's phone number")
    .action(async (opts: ContactAddOptions, cmd: Command) => (await actions()).addContact(io, opts, cmd));
  verb('list', contact)
    .description('print the CertificateContacts')
    .action(async (_opts: unknown, cmd: Command) => (await actions()).listContacts(io, cmd));
  verb('delete', contact)
    .description('remove the contact with this email and print the CertificateContacts left')
    .requiredOption('--email <address>', "the contact's email address")
    .action(async (opts: ContactDeleteOptions, cmd: Command) => (await actions()).deleteContact(io, opts, cmd));

  // Last, so that each verb's help lists its own options first. get-default-policy opens no vault.
  const groups = [policy, pending, contact, issuer];
  for (const command of [...certificate.commands.filter((c) => !groups.includes(c) && c.name() !== 'get-default-policy'), ...groups.flatMap((g) => g.commands)]) {
    withCommonOptions(command, { unlock: true });
  }
}
