/**
 * Main's `certificates:*` handlers, on the open vault's CertificatesApi and
 * CertificateAuthoritiesApi (Key Vault's certificate operations,
 * AKV-REFERENCE.md §3.3). The engine checks Key Vault's rules and
 * permissions; its CofferErrors become results in ipc/register.ts.
 *
 * Main reads what the app shows of an X.509 (subject, issuer, SANs, serial,
 * validity, thumbprints, key, its chain among the vault's CAs) with
 * node:crypto's X509Certificate, so the renderer parses no DER.
 *
 * Private keys: a file to import arrives as base64url and is decoded to bytes
 * zeroed once the engine is done; an exported PFX (which holds the key) goes
 * from the engine straight to the file the user chose in main's save dialog,
 * and its bytes are zeroed after the write. No password, file content or key
 * is ever put in an error message.
 *
 * ACME issuers (Let's Encrypt style, RFC 8555): their account keys stay in
 * the vault. A create or renew by a dns-01 issuer waits for the user to
 * publish TXT records, through dns-challenges.ts (an event out, an answer
 * back, cancel and lock abort the order).
 */
import { X509Certificate } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import {
  ACME_PROVIDER,
  issuerNameOf,
  SELF_ISSUER,
  UNKNOWN_ISSUER,
  type CertificateChainEntry,
  type CertificateDetailsView,
  type CertificateFacts,
  type CertificateKeyType,
  type CertificateListItem,
  type CertificateOperationView,
  type RevocationReason,
} from '../../../shared/certificate-types.js';
import type { CertificateBundle, CertificateOperation } from '../../../shared/keyvault.js';
import type { Channel } from '../../../shared/contract.js';
import { CofferError, derOrPem, isCofferError, loadEngine, toPem, type CertificateAuthorityInfo, type Vault } from '../../vault/index.js';
import type { Handlers } from '../ipc/register.js';
import type { ClipboardService } from './clipboard.js';
import type { DialogService } from './dialogs.js';
import type { DnsChallenges } from './dns-challenges.js';
import { decodeB64u } from './keys.js';
import type { VaultSessionManager } from './session.js';
import type { SettingsStore } from './settings.js';

export type CertificateChannel = Extract<Channel, `certificates:${string}`>;

export interface CertificateHandlerDeps {
  session: VaultSessionManager;
  /** Read for the clipboard delay of `certificates:copyCsr`. */
  settings: Pick<SettingsStore, 'get'>;
  clipboard: Pick<ClipboardService, 'copy'>;
  dialogs: Pick<DialogService, 'chooseCertificateExport'>;
  /** Where a dns-01 order's records wait for the user (one per main, cleared on lock). */
  dnsChallenges: DnsChallenges;
}

/** Said of a merge file holding no certificate: its content is never quoted. */
export const NOT_A_CERTIFICATE_FILE = 'The file holds no X.509 certificate (PEM "BEGIN CERTIFICATE" blocks, or DER).';
/** Key Vault's chain limit in a merge (x5c). */
const MAX_CHAIN = 16;

export function certificateHandlers({ session, settings, clipboard, dialogs, dnsChallenges }: CertificateHandlerDeps): Pick<Handlers, CertificateChannel> {
  const certs = () => session.current().certificates;
  return {
    // With each certificate's subject and issuer (its current version's X.509), for the list: one read.
    'certificates:list': async (): Promise<CertificateListItem[]> => certs().listWithSubjects(),
    'certificates:listVersions': async ({ name }) => certs().listVersions(name),
    'certificates:listDeleted': async () => certs().listDeleted(),
    'certificates:get': async ({ name, version }) => {
      const vault = session.current();
      const { bundle, chain, revoked } = await vault.certificates.details(name, version);
      const x = parseCer(bundle.cer);
      const pending = pendingOf(vault, name);
      const entries = await chainOf(vault, x, chain);
      const revoker = await revokerOf(vault, entries, bundle.policy?.issuer?.name);
      return {
        bundle,
        facts: factsOf(x, bundle),
        chain: entries,
        ...(pending?.status === 'inProgress' ? { pending: operationView(pending) } : {}),
        ...(revoker === undefined ? {} : { revoker }),
        ...(revoked === undefined ? {} : { revoked: { reason: revoked.reason as RevocationReason, time: revoked.time } }),
      };
    },
    'certificates:defaultPolicy': async () => (await loadEngine()).defaultCertificatePolicy(),
    // An ACME issuer's order may wait for DNS records the user publishes (dns-challenges.ts).
    'certificates:create': async ({ name, policy, enabled, tags }) =>
      operationView(
        await dnsChallenges.run(name, (options) => certs().create({ name, policy, ...(enabled === undefined ? {} : { enabled }), ...(tags === undefined ? {} : { tags }) }, options)),
      ),
    'certificates:import': async ({ name, value, password, enabled, tags }) => {
      const bytes = decodeB64u(value, 'value');
      try {
        return await certs().import({
          name,
          value: bytes,
          ...(password === undefined ? {} : { password }),
          ...(enabled === undefined ? {} : { enabled }),
          ...(tags === undefined ? {} : { tags }),
        });
      } finally {
        bytes.fill(0);
      }
    },
    // The path first: the key of a PFX is not read until the user has chosen where it goes.
    'certificates:export': async ({ name, version, format, password }) => {
      const vault = session.current();
      vault.certificates.listVersions(name); // NotFound before a dialog opens for nothing
      const path = await dialogs.chooseCertificateExport(name, format);
      if (path === null) return null;
      const bytes = await vault.certificates.export(name, version, { encoding: format, ...(password ? { password } : {}) });
      try {
        if (!session.isOpen(vault)) throw new CofferError('VaultLocked', 'The vault was locked before the export finished; nothing was written.');
        // A PFX holds the private key: readable by its owner only.
        await writeFile(path, bytes, { mode: format === 'PFX' ? 0o600 : 0o644 });
      } catch (e) {
        if (isCofferError(e)) throw e;
        throw new CofferError('IoError', `The file could not be written: ${(e as NodeJS.ErrnoException).code ?? 'unknown error'}.`);
      } finally {
        bytes.fill(0);
      }
      return { path };
    },
    'certificates:update': async ({ name, version, patch }) => certs().update(name, version, patch),
    'certificates:getPolicy': async ({ name }) => certs().getPolicy(name),
    'certificates:updatePolicy': async ({ name, policy }) => certs().updatePolicy(name, policy),
    'certificates:delete': async ({ name }) => certs().delete(name),
    'certificates:recover': async ({ name }) => certs().recover(name),
    'certificates:purge': async ({ name }) => {
      await certs().purge(name);
      return null;
    },
    'certificates:renew': async ({ name }) => operationView(await dnsChallenges.run(name, (options) => certs().renew(name, options))),
    'certificates:getPending': async ({ name }) => {
      const op = pendingOf(session.current(), name);
      return op === undefined ? null : operationView(op);
    },
    'certificates:mergePending': async ({ name, file }) => {
      const bytes = decodeB64u(file, 'file');
      return certs().merge(name, certificatesOfFile(bytes));
    },
    'certificates:cancelPending': async ({ name }) => operationView(await certs().cancelOperation(name)),
    'certificates:deletePending': async ({ name }) => operationView(await certs().deleteOperation(name)),
    // A CSR is public; it goes through the one clipboard path all the same (the renderer has no clipboard).
    'certificates:copyCsr': async ({ name }) => {
      const { clipboardClearSeconds } = await settings.get();
      const op = certs().getOperation(name);
      const pem = operationView(op).csrPem;
      if (pem === undefined) throw new CofferError('BadParameter', `The pending request of ${name} has no CSR.`);
      try {
        await clipboard.copy(pem, clipboardClearSeconds);
      } catch {
        throw new CofferError('IoError', 'The clipboard could not be written; nothing was copied.');
      }
      return { clearsInSeconds: clipboardClearSeconds };
    },
    'certificates:listCas': async () =>
      (await session.current().cas.list()).map((c) => ({ name: c.name, subject: c.subject, ...(c.parent === undefined ? {} : { parent: c.parent }), notAfter: c.notAfter })),
    'certificates:listIssuers': async () => certs().listIssuers(),
    // Registers the ACME account (a network round trip to the CA); the engine checks the settings again.
    'certificates:createIssuer': async ({ name, directoryUrl, email, challenge, httpPort, caCertificatePem, termsAgreed }) =>
      certs().createIssuer({
        name,
        provider: ACME_PROVIDER,
        acme: {
          directoryUrl,
          termsAgreed,
          challenge,
          ...(email === undefined ? {} : { email }),
          ...(httpPort === undefined ? {} : { httpPort }),
          ...(caCertificatePem === undefined ? {} : { caCertificatePem }),
        },
      }),
    'certificates:updateIssuer': async ({ name, patch }) => certs().updateIssuer(name, stripUndefined(patch)),
    'certificates:deleteIssuer': async ({ name }) => certs().deleteIssuer(name),
    'certificates:revoke': async ({ name, version, reason }) => {
      await certs().revoke(name, version, reason);
      return null;
    },
    'certificates:dnsReady': async ({ id }) => {
      dnsChallenges.ready(id);
      return null;
    },
    'certificates:dnsCancel': async ({ id }) => {
      dnsChallenges.cancel(id);
      return null;
    },
    // The vault's certificate contacts: the engine checks each address and the member's roles (certificatecontacts/*).
    'certificates:getContacts': async () => certs().getContacts(),
    'certificates:setContacts': async ({ contacts }) => certs().setContacts(contacts.map(({ email, name, phone }) => ({ email, ...(name === undefined ? {} : { name }), ...(phone === undefined ? {} : { phone }) }))),
    'certificates:deleteContacts': async () => certs().deleteContacts(),
  };
}

/** The fields given (exactOptionalPropertyTypes: the engine's patch has no `undefined` values). */
function stripUndefined<T extends object>(o: T): { [K in keyof T]?: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as { [K in keyof T]?: Exclude<T[K], undefined> };
}

/**
 * Who can revoke the version, as the engine's revoke decides (vault CA first,
 * then the policy's ACME issuer): so the app offers Revoke only when it can
 * work. A member who cannot read the vault's issuers sees no ACME revoker.
 */
async function revokerOf(vault: Vault, chain: CertificateChainEntry[], policyIssuer: string | undefined): Promise<CertificateDetailsView['revoker']> {
  const ca = chain[1]?.ca;
  if (ca !== undefined) return { kind: 'ca', name: ca };
  if (policyIssuer === undefined || policyIssuer === SELF_ISSUER || policyIssuer === UNKNOWN_ISSUER) return undefined;
  try {
    const issuer = (await vault.certificates.listIssuers()).find((i) => issuerNameOf(i).toLowerCase() === policyIssuer.toLowerCase());
    return issuer?.provider === ACME_PROVIDER ? { kind: 'acme', name: issuerNameOf(issuer) } : undefined;
  } catch (e) {
    if (isCofferError(e) && e.code === 'Forbidden') return undefined;
    throw e;
  }
}


/** The pending operation of `name`, or undefined when none is recorded. */
function pendingOf(vault: Vault, name: string): CertificateOperation | undefined {
  try {
    return vault.certificates.getOperation(name);
  } catch (e) {
    if (isCofferError(e) && e.code === 'CertificateNotFound') return undefined;
    throw e;
  }
}

/** The operation with its CSR as PEM (RFC 7468 §7: "CERTIFICATE REQUEST", 64-character lines). */
export function operationView(op: CertificateOperation): CertificateOperationView {
  if (op.csr === undefined || op.csr === '') return op;
  return { ...op, csrPem: toPem('CERTIFICATE REQUEST', Buffer.from(op.csr, 'base64')) };
}

function parseCer(cer: string): X509Certificate {
  try {
    return new X509Certificate(Buffer.from(cer, 'base64'));
  } catch {
    throw new CofferError('Internal', 'The engine returned a certificate that does not parse.');
  }
}

/**
 * A distinguished name as RFC 4514 writes it (most specific first, ", "
 * between RDNs): node prints one RDN per line, most general first.
 */
export function rfc4514(name: string): string {
  return name
    .split('\n')
    .filter((l) => l !== '')
    .reverse()
    .join(', ');
}

/** node's subjectAltName text ("DNS:a, IP Address:1.2.3.4") as one entry per name. */
export function sanEntries(text: string | undefined): string[] {
  if (text === undefined || text === '') return [];
  return text.split(/, (?=[A-Za-z][A-Za-z ]*:)/).map((s) => s.trim());
}

/** OpenSSL's curve names as Key Vault's (S-key JsonWebKeyCurveName). */
const CURVES: Record<string, string> = { prime256v1: 'P-256', secp384r1: 'P-384', secp521r1: 'P-521', secp256k1: 'P-256K' };

function unixSeconds(text: string): number {
  return Math.floor(Date.parse(text) / 1000);
}

export function factsOf(x: X509Certificate, bundle: Pick<CertificateBundle, 'x5t'>): CertificateFacts {
  const key = x.publicKey;
  const details = key.asymmetricKeyDetails ?? {};
  const keyType: CertificateKeyType = key.asymmetricKeyType === 'ec' ? 'EC' : 'RSA';
  const curve = details.namedCurve === undefined ? undefined : (CURVES[details.namedCurve] ?? details.namedCurve);
  return {
    subject: rfc4514(x.subject),
    issuer: rfc4514(x.issuer),
    sans: sanEntries(x.subjectAltName),
    serial: x.serialNumber.toLowerCase(),
    notBefore: unixSeconds(x.validFrom),
    notAfter: unixSeconds(x.validTo),
    x5t: bundle.x5t,
    sha1: x.fingerprint,
    sha256: x.fingerprint256,
    selfSigned: isSelfSigned(x),
    keyType,
    ...(keyType === 'RSA' && details.modulusLength !== undefined ? { keySize: details.modulusLength } : {}),
    ...(curve === undefined ? {} : { keyCurve: curve }),
  };
}

/** Whether `issuer` signed `x`: names match and the signature verifies (X509Certificate.checkIssued also wants keyCertSign, which a self-signed leaf lacks). */
function signedBy(x: X509Certificate, issuer: X509Certificate): boolean {
  return x.issuer === issuer.subject && x.verify(issuer.publicKey);
}

function isSelfSigned(x: X509Certificate): boolean {
  return signedBy(x, x);
}

function chainEntry(x: X509Certificate, ca?: string): CertificateChainEntry {
  return { subject: rfc4514(x.subject), issuer: rfc4514(x.issuer), notAfter: unixSeconds(x.validTo), ...(ca === undefined ? {} : { ca }) };
}

/**
 * The certificate, then the chain stored with its version (as issued by a
 * vault CA, or merged), each named by the vault CA it is when the vault keeps
 * it. A member whose roles cannot read the vault's CAs sees the chain unnamed.
 */
async function chainOf(vault: Vault, x: X509Certificate, chain: string[]): Promise<CertificateChainEntry[]> {
  let cas: CertificateAuthorityInfo[] = [];
  try {
    cas = await vault.cas.list();
  } catch (e) {
    if (!(isCofferError(e) && e.code === 'Forbidden')) throw e;
  }
  return [chainEntry(x), ...chain.slice(0, MAX_CHAIN).map((cer) => chainEntry(parseCer(cer), cas.find((c) => c.cer === cer)?.name))];
}

/**
 * The certificates of a file to merge, as DER, leaf first as given: PEM with
 * one or more "CERTIFICATE" blocks, DER, or base64 of DER (a .cer saved as
 * text). Each must parse as X.509; the engine checks it matches the request.
 */
export function certificatesOfFile(bytes: Uint8Array): Uint8Array[] {
  let ders: Uint8Array[];
  try {
    ders = derOrPem(bytes, ['CERTIFICATE'], 'The file');
  } catch (e) {
    if (isCofferError(e) && e.code === 'BadParameter') throw new CofferError('BadParameter', NOT_A_CERTIFICATE_FILE);
    throw e;
  }
  if (ders.length > MAX_CHAIN) throw new CofferError('BadParameter', `A merge takes at most ${MAX_CHAIN} certificates (the signed one, then its chain).`);
  ders.forEach((d, i) => {
    try {
      new X509Certificate(d);
    } catch {
      throw new CofferError('BadParameter', `Certificate ${i + 1} of the file is not a valid X.509 certificate.`);
    }
  });
  return ders;
}
