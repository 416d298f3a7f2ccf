/**
 * `coffer ca ...` (CLI.md "Certificates"): the certificate authorities kept in
 * the vault, their verbs, options and help. Coffer's own (az has no
 * equivalent); a certificate whose policy names a CA as issuer is issued by
 * it. What each verb does is in ./ca-actions.ts, loaded only when a verb
 * runs, so that `--help` and usage errors never load the engine.
 */
import { Option, type Command } from 'commander';
import type { CaFileOptions, CreateCaOptions, RevokeOptions, SignCsrOptions } from './ca-actions.js';
import type { CliIo } from './io.js';
import { withCommonOptions } from './options.js';
import { nonNegativeInteger, positiveInteger } from './parsers.js';
import type { NameOptions } from './secret-actions.js';

const NAME_HELP = 'the CA name (letters, digits and -, up to 127 characters; case-insensitive)';
/** RFC 5280 5.3.1 CRLReason, as the engine records them. */
const REASONS = ['unspecified', 'keyCompromise', 'cACompromise', 'affiliationChanged', 'superseded', 'cessationOfOperation', 'certificateHold', 'privilegeWithdrawn', 'aACompromise'];

/** The verbs' code, and the engine behind it: loaded when a verb runs. */
const actions = (): Promise<typeof import('./ca-actions.js')> => import('./ca-actions.js');

export function addCaCommands(program: Command, io: CliIo): void {
  const ca = program
    .command('ca')
    .description("certificate authorities kept in the vault: issue certificates, sign CSRs, revoke, publish CRLs (the CA's key never leaves the vault)")
    .addHelpText(
      'after',
      '\nA certificate policy names a CA of the vault as its issuer with "issuer": {"name": "CA_NAME"}.\n' +
        '\nExamples:\n' +
        '  coffer ca create -n root --subject "CN=Example Root CA" --validity-months 120\n' +
        '  coffer ca create -n issuing --subject "CN=Example Issuing CA" --parent root --path-length 0\n' +
        '  coffer ca sign-csr -n issuing --csr server.csr -f server.pem   # the certificate, then the chain\n' +
        '  coffer ca revoke -n issuing --serial 4f1a... --reason keyCompromise\n' +
        '  coffer ca crl -n issuing -f issuing.crl\n',
    );

  const verb = (name: string): Command => ca.command(name);

  verb('create')
    .description('create a root CA, or with --parent an intermediate, and print its CertificateAuthorityInfo')
    .requiredOption('-n, --name <name>', NAME_HELP)
    .requiredOption('--subject <dn>', 'the distinguished name, e.g. "CN=Example Root CA, O=Example"')
    .option('--parent <ca>', 'the CA of this vault that issues it (an intermediate); a self-signed root otherwise')
    .option('--path-length <n>', 'the most CAs that may follow it in a chain (basicConstraints pathLenConstraint)', nonNegativeInteger)
    .option('--validity-months <n>', 'validity (default: 120 for a root, 60 for an intermediate)', positiveInteger)
    .addOption(new Option('--kty <type>', 'the key type (default EC)').choices(['RSA', 'EC']))
    .option('--size <bits>', 'RSA: 2048, 3072 or 4096', positiveInteger)
    .addOption(new Option('--curve <crv>', 'EC: P-256 (default), P-384 or P-521').choices(['P-256', 'P-384', 'P-521']))
    .option('--permitted-dns <name...>', 'name constraints: the only DNS names (each with its subdomains) it may issue for')
    .option('--excluded-dns <name...>', 'name constraints: DNS names (each with its subdomains) it may not issue for')
    .action(async (opts: CreateCaOptions, cmd: Command) => (await actions()).createCa(io, opts, cmd));

  verb('list')
    .description('print the CAs as CertificateAuthorityInfo[]')
    .action(async (_opts: unknown, cmd: Command) => (await actions()).listCas(io, cmd));

  verb('show')
    .description('print a CA as CertificateAuthorityInfo')
    .requiredOption('-n, --name <name>', NAME_HELP)
    .action(async (opts: NameOptions, cmd: Command) => (await actions()).showCa(io, opts, cmd));

  verb('sign-csr')
    .description('sign a PKCS#10 request; writes the certificate then the CA chain, PEM, to a file; prints nothing')
    .requiredOption('-n, --name <ca>', 'the CA that signs')
    .requiredOption('--csr <file>', 'the request, PEM (CERTIFICATE REQUEST) or DER')
    .option('--validity-months <n>', 'validity of the certificate', positiveInteger)
    .requiredOption('-f, --file <path>', 'the PEM file to write')
    .option('--overwrite', 'replace the file if it exists (refused otherwise)')
    .action(async (opts: SignCsrOptions, cmd: Command) => (await actions()).signCsr(io, opts, cmd));

  verb('revoke')
    .description("revoke a certificate the CA issued (listed in its next CRL); prints nothing")
    .requiredOption('-n, --name <ca>', 'the CA that issued the certificate')
    .requiredOption('--serial <hex>', 'the serial number in hex, as `openssl x509 -noout -serial` prints it (colons allowed)')
    .addOption(new Option('--reason <reason>', 'the CRL reason code').choices(REASONS))
    .action(async (opts: RevokeOptions, cmd: Command) => (await actions()).revokeCertificate(io, opts, cmd));

  verb('crl')
    .description('issue a new CRL (the next CRL number) and write it to a file; prints nothing')
    .requiredOption('-n, --name <ca>', 'the CA')
    .requiredOption('-f, --file <path>', 'the file to write')
    .addOption(new Option('-e, --encoding <encoding>', 'the file format').choices(['PEM', 'DER']).default('PEM'))
    .option('--overwrite', 'replace the file if it exists (refused otherwise)')
    .action(async (opts: CaFileOptions, cmd: Command) => (await actions()).writeCrl(io, opts, cmd));

  verb('download')
    .description("write the CA's certificate to a file (to trust it, or to publish it); prints nothing")
    .requiredOption('-n, --name <ca>', 'the CA')
    .requiredOption('-f, --file <path>', 'the file to write')
    .addOption(new Option('-e, --encoding <encoding>', 'the file format').choices(['PEM', 'DER']).default('PEM'))
    .option('--overwrite', 'replace the file if it exists (refused otherwise)')
    .action(async (opts: CaFileOptions, cmd: Command) => (await actions()).downloadCa(io, opts, cmd));

  verb('delete')
    .description('delete a CA and its key; prints nothing')
    .requiredOption('-n, --name <ca>', 'the CA')
    .action(async (opts: NameOptions, cmd: Command) => (await actions()).deleteCa(io, opts, cmd));

  // Last, so that each verb's help lists its own options first.
  for (const command of ca.commands) withCommonOptions(command, { unlock: true });
}
