/**
 * The CAs kept in the vault (what Key Vault cannot do on a desktop): a root
 * or an intermediate signed by another of the vault's CAs, certificates
 * issued from them (a certificate whose policy names the CA as its issuer,
 * or a CSR brought from outside), revocation and CRLs (RFC 5280). A CA's
 * private key is its version's value, sealed under the `ca` scope: read only
 * here, for one signature, and wiped after it.
 */
import { createPublicKey, type KeyObject } from 'node:crypto';
import type { CertificateAuthoritiesApi, CertificateAuthorityInfo, CreateCaInput } from '../api.js';
import { audited } from '../audit/operation.js';
import { equalBytes, fromB64u, toB64u, toPem, wipe } from '../crypto/index.js';
import { badParameter, CofferError } from '../errors.js';
import type { VaultCore } from '../core.js';
import type { VaultRecord } from '../format/records.js';
import { certificateKeyObjects, certificateSpki, generateKey, importPem, privatePkcs8Der, type KeyMaterial } from '../keys/material.js';
import { validateSecretName, nameKey, newVersionId } from '../secrets/rules.js';
import type { VaultSession } from '../session.js';
import { newestVersion, type ObjectOf, type VersionOf } from '../state/versioned.js';
import { nowSeconds } from '../state/kind-operations.js';
import { casKind } from './kind.js';
import { REVOCATION_REASONS, type RevocationReason } from './records.js';
import type { CaAttributes } from './state.js';
import type { SubjectAlternativeNames } from './x509.js';
import { loadPki, type Pki } from './load-pki.js';

type CaObject = ObjectOf<CaAttributes>;

/** A serial as `openssl x509 -serial` prints it (colons, case and leading zero bytes aside) and an RFC 5280 reason, checked. */
export function revocationInput(serialHex: unknown, reason: unknown): { serial: string; reason: RevocationReason } {
  if (typeof serialHex !== 'string') throw badParameter('The serial number is hexadecimal, as `openssl x509 -serial` prints it.');
  const serial = serialHex.replace(/^serial=/i, '').replace(/:/g, '').toLowerCase().replace(/^(?:00)+(?=[0-9a-f]{2})/, '');
  if (!/^[0-9a-f]{1,40}$/.test(serial)) throw badParameter('The serial number is hexadecimal, as `openssl x509 -serial` prints it.');
  return { serial: serial.length % 2 === 1 ? `0${serial}` : serial, reason: revocationReason(reason) };
}

/** An RFC 5280 §5.3.1 reason name, checked (BadParameter listing them otherwise). */
export function revocationReason(reason: unknown): RevocationReason {
  if (typeof reason !== 'string' || !(REVOCATION_REASONS as readonly string[]).includes(reason)) {
    throw badParameter(`Unknown revocation reason "${String(reason)}". Reasons (RFC 5280 5.3.1): ${REVOCATION_REASONS.join(', ')}.`);
  }
  return reason as RevocationReason;
}

/** What a leaf issued by a vault CA asks for. */
export interface LeafRequest {
  subject: string;
  subjectPublicKey: KeyObject;
  sans?: SubjectAlternativeNames;
  ekus?: string[];
  keyUsage?: string[];
  validityMonths: number;
}

/** A certificate issued by a vault CA: its DER, the CA chain (up to the root) and the record of its serial. */
export interface IssuedLeaf {
  cer: Uint8Array;
  chain: Uint8Array[];
  record: VaultRecord;
}

function caNotFound(name: string): CofferError {
  return new CofferError('NotFound', `No certificate authority named ${name} is kept in this vault (\`coffer ca list\`).`);
}

/** A CA's key from its value (PKCS#8), checked against its certificate. The caller disposes it. */
function caKey(pki: Pki, pkcs8: Uint8Array, cer: Uint8Array): KeyMaterial {
  const m = importPem(toPem('PRIVATE KEY', pkcs8));
  if (!equalBytes(certificateSpki(m), pki.parseCertificate(cer).spki)) {
    m.dispose();
    throw new CofferError('VaultCorrupted', 'A CA key does not match its certificate.');
  }
  return m;
}

export class CertificateAuthorities implements CertificateAuthoritiesApi {
  constructor(private readonly v: VaultSession) {}

  private get core(): VaultCore {
    return this.v.core;
  }

  private find(name: string, core = this.core): { o: CaObject; latest: VersionOf<CaAttributes> } {
    validateSecretName(name, 'CA');
    const o = core.state.of(casKind).get(name);
    if (!o || o.versions.size === 0) throw caNotFound(name);
    return { o, latest: newestVersion(o) };
  }

  /** NotFound unless a CA of this name is kept in the vault. */
  check(name: string): void {
    this.find(name);
  }

  /** The CA's certificate, then its parents' up to the root (DER each). */
  private chainOf(name: string, core = this.core): Uint8Array[] {
    const out: Uint8Array[] = [];
    let at: string | undefined = name;
    while (at !== undefined && out.length < 17) {
      const { latest } = this.find(at, core);
      out.push(fromB64u(latest.attrs.cer));
      at = latest.attrs.parent;
    }
    return out;
  }

  /** Runs `use` with the CA's private key, disposed after. Forbidden unless this member reads the `ca` scope. */
  private async withKey<T>(name: string, use: (key: KeyObject, cer: Uint8Array) => Promise<T>): Promise<T> {
    const pki = await loadPki();
    const { o, latest } = this.find(name);
    if (!latest.attrs.enabled) throw new CofferError('Forbidden', `Certificate authority ${o.name} is disabled.`);
    const pkcs8 = this.core.readKindValue(casKind, o, latest, 'CA');
    const cer = fromB64u(latest.attrs.cer);
    let m: KeyMaterial;
    try {
      m = caKey(pki, pkcs8, cer);
    } finally {
      wipe(pkcs8);
    }
    try {
      return await use(certificateKeyObjects(m).privateKey!, cer);
    } finally {
      m.dispose();
    }
  }

  private info(pki: Pki, o: CaObject, core = this.core): CertificateAuthorityInfo {
    const v = newestVersion(o);
    const p = pki.parseCertificate(fromB64u(v.attrs.cer));
    const s = core.state.of(casKind);
    return {
      name: o.name,
      version: v.version,
      subject: p.subject,
      ...(v.attrs.parent !== undefined ? { parent: v.attrs.parent } : {}),
      ...(v.attrs.pathLength !== undefined ? { pathLength: v.attrs.pathLength } : {}),
      notBefore: p.notBefore,
      notAfter: p.notAfter,
      serial: p.serialHex,
      cer: Buffer.from(fromB64u(v.attrs.cer)).toString('base64'),
      x5t: p.x5t,
      issued: s.issued.get(o.key)?.size ?? 0,
      revoked: s.revoked.get(o.key)?.size ?? 0,
    };
  }

  create(input: CreateCaInput): Promise<CertificateAuthorityInfo> {
    return audited(this.v, 'CertificateAuthorityCreate', input?.name, async () => {
      this.v.require('certificatecas/write');
      if (input === null || typeof input !== 'object') throw badParameter('A CA needs a name and a subject.');
      validateSecretName(input.name, 'CA');
      if (typeof input.subject !== 'string' || input.subject.trim() === '') throw badParameter('A CA needs a subject, such as "CN=Contoso Root CA, O=Contoso".');
      if (this.core.state.of(casKind).get(input.name)) throw new CofferError('Conflict', `A certificate authority named ${input.name} already exists.`);
      const parent = input.parent === undefined ? undefined : this.find(input.parent);
      const parentLen = parent?.latest.attrs.pathLength;
      if (parent && parentLen === 0) throw badParameter(`Certificate authority ${parent.o.name} has path length 0: it cannot sign another CA.`);
      let pathLength = input.pathLength;
      if (pathLength !== undefined && (!Number.isInteger(pathLength) || pathLength < 0 || pathLength > 16)) throw badParameter('The path length is a whole number from 0 to 16.');
      if (parentLen !== undefined) {
        if (pathLength !== undefined && pathLength >= parentLen) throw badParameter(`The path length must be less than the parent's (${parentLen}).`);
        pathLength ??= parentLen - 1;
      }
      const validityMonths = input.validityMonths ?? (parent ? 60 : 120);
      const kty = input.kty ?? 'EC';
      if (kty !== 'RSA' && kty !== 'EC') throw badParameter('A CA key is RSA or EC.');
      const pki = await loadPki();
      const m = await generateKey(kty === 'RSA' ? { kty, size: input.size ?? 3072 } : { kty, crv: input.crv ?? 'P-256' });
      let pkcs8: Uint8Array | undefined;
      try {
        const own = certificateKeyObjects(m);
        const params = {
          subject: input.subject.trim(),
          subjectPublicKey: own.publicKey,
          validityMonths,
          basicConstraints: { ca: true, ...(pathLength !== undefined ? { pathLength } : {}) },
          keyUsage: ['digitalSignature', 'keyCertSign', 'cRLSign'],
          ...(input.permittedDns !== undefined || input.excludedDns !== undefined
            ? { nameConstraints: { ...(input.permittedDns !== undefined ? { permittedDns: input.permittedDns } : {}), ...(input.excludedDns !== undefined ? { excludedDns: input.excludedDns } : {}) } }
            : {}),
        };
        const cer = parent
          ? await this.withKey(parent.o.name, (key, parentCer) => pki.buildCertificate({ ...params, issuerCertificate: parentCer, issuerPrivateKey: key }))
          : await pki.buildCertificate({ ...params, issuerPrivateKey: own.privateKey! });
        pkcs8 = privatePkcs8Der(m);
        const parsed = pki.parseCertificate(cer);
        const version = newVersionId();
        const records: VaultRecord[] = [
          { t: 'ca', name: input.name, version, blob: 0, cer: toB64u(cer), enabled: true, ...(parent ? { parent: parent.o.name } : {}), ...(pathLength !== undefined ? { pathLength } : {}) },
        ];
        if (parent) records.push({ t: 'ca.issue', name: parent.o.name, serial: parsed.serialHex, notAfter: parsed.notAfter, subject: parsed.subject.slice(0, 1024) });
        const values = [pkcs8];
        return await this.v.write((core) => {
          if (core.state.of(casKind).get(input.name)) throw new CofferError('Conflict', `A certificate authority named ${input.name} already exists.`);
          return { pending: { records, values }, result: (c) => this.info(pki, c.state.of(casKind).get(input.name)!, c) };
        });
      } finally {
        m.dispose();
        wipe(pkcs8);
      }
    });
  }

  async list(): Promise<CertificateAuthorityInfo[]> {
    this.v.require('certificatecas/read');
    const pki = await loadPki();
    const all = [...this.core.state.of(casKind).objects.values()].filter((o) => o.versions.size > 0);
    all.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    this.v.auditBehind('CertificateAuthorityList', 'ok');
    return all.map((o) => this.info(pki, o));
  }

  async get(name: string): Promise<CertificateAuthorityInfo> {
    this.v.require('certificatecas/read');
    const info = this.info(await loadPki(), this.find(name).o);
    this.v.auditBehind('CertificateAuthorityGet', 'ok', { object: info.name });
    return info;
  }

  /** For certificates whose policy names this CA: checks the permission the caller's operation already required. */
  async issueLeaf(caName: string, req: LeafRequest): Promise<IssuedLeaf> {
    const pki = await loadPki();
    const { o } = this.find(caName);
    const chain = this.chainOf(o.name);
    const cer = await this.withKey(o.name, (key, caCer) =>
      pki.buildCertificate({
        subject: req.subject,
        subjectPublicKey: req.subjectPublicKey,
        issuerCertificate: caCer,
        issuerPrivateKey: key,
        validityMonths: this.capValidity(pki, caCer, req.validityMonths),
        basicConstraints: { ca: false },
        ...(req.sans ? { sans: req.sans } : {}),
        ...(req.ekus ? { ekus: req.ekus } : {}),
        ...(req.keyUsage ? { keyUsage: req.keyUsage } : {}),
      }),
    );
    const p = pki.parseCertificate(cer);
    return { cer, chain, record: { t: 'ca.issue', name: o.name, serial: p.serialHex, notAfter: p.notAfter, subject: p.subject.slice(0, 1024) } };
  }

  /** A certificate may not outlive its CA (RFC 5280 6.1.3 checks each validity): months beyond the CA's end are refused. */
  private capValidity(pki: Pki, caCer: Uint8Array, months: number): number {
    const end = pki.parseCertificate(caCer).notAfter;
    const until = new Date();
    until.setUTCMonth(until.getUTCMonth() + months);
    if (Math.floor(until.getTime() / 1000) > end) {
      throw badParameter(`A certificate of ${months} months would outlive its CA (valid until ${new Date(end * 1000).toISOString().slice(0, 10)}); ask for fewer months.`);
    }
    return months;
  }

  signCsr(name: string, csr: Uint8Array, options: { validityMonths?: number } = {}): Promise<Uint8Array[]> {
    return audited(this.v, 'CertificateAuthoritySign', name, async () => {
      this.v.require('certificatecas/write');
      const parsed = await (await loadPki()).parseCsr(csr);
      if (!parsed.signatureValid) throw badParameter('The certificate request is not signed by its own key (RFC 2986): it was altered or is damaged.');
      let publicKey: KeyObject;
      try {
        publicKey = createPublicKey({ key: Buffer.from(parsed.spki), format: 'der', type: 'spki' });
      } catch {
        throw badParameter('The public key of the certificate request cannot be read.');
      }
      const months = options.validityMonths ?? 12;
      const sans = Object.fromEntries(Object.entries(parsed.sans).filter(([, l]) => l.length > 0)) as SubjectAlternativeNames;
      const leaf = await this.issueLeaf(name, {
        subject: parsed.subject,
        subjectPublicKey: publicKey,
        validityMonths: months,
        ...(Object.keys(sans).length > 0 ? { sans } : {}),
        ...(parsed.ekus.length > 0 ? { ekus: parsed.ekus } : {}),
        keyUsage: parsed.keyUsage.length > 0 ? parsed.keyUsage : ['digitalSignature', 'keyEncipherment'],
      });
      await this.v.write(() => ({ pending: { records: [leaf.record] }, result: () => undefined }));
      return [leaf.cer, ...leaf.chain];
    });
  }

  revoke(name: string, serialHex: string, reason = 'unspecified'): Promise<void> {
    return audited(this.v, 'CertificateAuthorityRevoke', name, async () => {
      this.v.require('certificatecas/write');
      const check = revocationInput(serialHex, reason);
      await this.v.write((core) => ({ pending: { records: [this.revocation(name, check, core)] }, result: () => undefined }));
    });
  }

  /**
   * The `ca.revoke` record of a serial this CA issued (NotFound otherwise;
   * Conflict when already revoked), for `core`'s state: revoke() writes it
   * alone, a certificate's revoke with its own record in one commit.
   */
  revocation(name: string, input: { serial: string; reason: RevocationReason }, core = this.core): VaultRecord {
    const { o } = this.find(name, core);
    const s = core.state.of(casKind);
    if (!s.issued.get(o.key)?.has(input.serial)) throw new CofferError('NotFound', `Certificate authority ${o.name} issued no certificate with serial ${input.serial}.`);
    if (s.revoked.get(o.key)?.has(input.serial)) throw new CofferError('Conflict', `The certificate with serial ${input.serial} is already revoked.`);
    return { t: 'ca.revoke', name: o.name, serial: input.serial, reason: input.reason, time: nowSeconds() };
  }

  crl(name: string, options: { nextUpdateDays?: number } = {}): Promise<Uint8Array> {
    return audited(this.v, 'CertificateAuthorityCrl', name, async () => {
      this.v.require('certificatecas/write');
      const days = options.nextUpdateDays ?? 7;
      if (!Number.isInteger(days) || days < 1 || days > 366) throw badParameter('The next update is 1 to 366 days away.');
      const { o } = this.find(name);
      const s = this.core.state.of(casKind);
      const number = (s.crlNumber.get(o.key) ?? 0) + 1;
      const now = nowSeconds();
      const revoked = [...(s.revoked.get(o.key) ?? new Map<string, { reason: string; time: number }>()).entries()].map(([serialHex, r]) => ({ serialHex, reason: r.reason, time: new Date(r.time * 1000) }));
      const pki = await loadPki();
      const der = await this.withKey(o.name, (key, cer) =>
        pki.buildCrl({ issuerCertificate: cer, issuerPrivateKey: key, number, thisUpdate: new Date(now * 1000), nextUpdate: new Date((now + days * 86_400) * 1000), revoked }),
      );
      await this.v.write(() => ({ pending: { records: [{ t: 'ca.crl', name: o.name, number, time: now }] }, result: () => undefined }));
      return der;
    });
  }

  delete(name: string): Promise<void> {
    return audited(this.v, 'CertificateAuthorityDelete', name, async () => {
      this.v.require('certificatecas/delete');
      await this.v.write((core) => {
        const { o } = this.find(name, core);
        for (const other of core.state.of(casKind).objects.values()) {
          if (other.versions.size > 0 && other !== o && nameKey(newestVersion(other).attrs.parent ?? '') === o.key) {
            throw new CofferError('Conflict', `Certificate authority ${other.name} was issued by ${o.name}: delete it first.`);
          }
        }
        return { pending: { records: [{ t: 'ca.delete', name: o.name }] }, result: () => undefined };
      });
      await this.v.compactPurged();
      this.v.warn('The CA key is gone from this file, but older copies and git history still hold it: revoke what it issued if it mattered.');
    });
  }
}
