/**
 * Key Vault's certificate operations (AKV-REFERENCE.md §3.3) on an unlocked
 * vault. A version is three objects of one name and version written in one
 * commit, as Key Vault composes them (D-crt): the certificate (its X.509 and
 * attributes, readable by every member), its managed key (usable as a key,
 * sealed under `keys`) and its managed secret (the PFX or PEM with the
 * private key, sealed under `secrets`). The issuer of the policy decides how
 * a version comes to be: Self signs it with its own key, a CA kept in the
 * vault signs it (authorities.ts), Unknown leaves a pending operation with a
 * CSR whose key waits under the `ca` scope until the signed certificate is
 * merged. Lifetime actions renew (AutoRenew) or notify (EmailContacts).
 */
import type {
  CertificateBundle,
  CertificateIssuerBundle,
  CertificateContacts,
  CertificateItem,
  CertificateOperation,
  CertificatePolicyBundle,
  DeletedCertificateBundle,
  DeletedCertificateItem,
} from '../../../shared/keyvault.js';
import type {
  CertificateDetailsResult,
  CertificateIssuerInput,
  CertificateIssuerPatch,
  IssueOptions,
  CertificateAttributesPatch,
  CertificatesApi,
  CreateCertificateInput,
  ExportCertificateOptions,
  ImportCertificateInput,
  RenewDueResult,
} from '../api.js';
import { equalBytes, fromB64u, pemBlocks, toB64u, toPem, wipe } from '../crypto/index.js';
import { badParameter, CofferError } from '../errors.js';
import { scopesOf } from '../access/roles.js';
import { createPrivateKey } from 'node:crypto';
import type { VaultCore } from '../core.js';
import type { VaultRecord } from '../format/records.js';
import { keysKind } from '../keys/kind.js';
import { certificateKeyObjects, certificateSpki, decodePrivate, encodePrivate, generateKey, importPem, privatePkcs8Der, type KeyMaterial } from '../keys/material.js';
import { keyRecordSchemas, type KeyVersionRecord } from '../keys/records.js';
import { secretRecordSchemas } from '../secrets/records.js';
import { SchemaError } from '../format/schema.js';
import { MAX_BACKUP_VERSIONS, openBackupEnvelope, sealBackupEnvelope } from '../state/backup-envelope.js';
import { secretsKind } from '../secrets/kind.js';
import { nameKey, newVersionId, validateSecretName, validateTags, validateVersionId } from '../secrets/rules.js';
import type { VaultSession } from '../session.js';
import { KindOperations, nowSeconds } from '../state/kind-operations.js';
import { newestVersion, type ObjectOf, type VersionOf } from '../state/versioned.js';
import { revocationInput, revocationReason, type CertificateAuthorities } from './authorities.js';
import {
  b64uToB64,
  certificateId,
  toCertificateBundle,
  toCertificateItem,
  toCertificateOperation,
  toContacts,
  toIssuerBundle,
  ACME_PROVIDER,
  toDeletedCertificateBundle,
  toDeletedCertificateItem,
  toPolicyBundle,
  type CertificateVersionView,
} from './bundles.js';
import {
  certificateDeletedButRecoverable,
  certificateNameTaken,
  certificateNotFound,
  deletedCertificateNotFound,
  pendingNotFound,
} from './errors.js';
import { certificatesKind } from './kind.js';
import { issuancePolicy, keyOpsFromKeyUsage, type IssuancePolicy, type KeyUsage } from './policy.js';
import {
  ACME_CHALLENGES,
  certificateRecordSchemas,
  REVOCATION_REASON_CODES,
  type AcmeIssuerFields,
  type CertificatePolicy,
  type CertificateRecord,
  type CertificateVersionRecord,
} from './records.js';
import { casKind } from './kind.js';
import type { CertificateAttributes, CertificatesState } from './state.js';
import type { ParsedCertificate, SubjectAlternativeNames } from './x509.js';
import { loadPki, type Pki } from './load-pki.js';

type CertObject = ObjectOf<CertificateAttributes>;
type CertVersion = VersionOf<CertificateAttributes>;
type Pending = Extract<CertificateRecord, { t: 'certificate.pending' }>;

const DAY = 86_400;
/** Key Vault's chain limit in a merge or import (x5c), and the record's. */
const MAX_CHAIN = 16;

/** The key, certificate and chain of a new version, before it is written. */
interface NewVersion {
  m: KeyMaterial;
  cer: Uint8Array;
  chain: Uint8Array[];
}

export class CertificatesOperations extends KindOperations<CertObject, CertificateBundle, DeletedCertificateBundle, DeletedCertificateItem> implements CertificatesApi {
  /** Versions whose CertificateNearExpiry record this open wrote (renewDue runs hourly in the app). */
  private readonly nearExpiryAudited = new Set<string>();
  constructor(
    v: VaultSession,
    private readonly authorities: CertificateAuthorities,
  ) {
    super(v, {
      record: 'certificate',
      collection: 'certificates',
      audit: 'Certificate',
      readPermission: 'certificates/read',
      objects: (core) => core.state.of(certificatesKind).objects,
      validateName: (name) => validateSecretName(name, 'certificate'),
      notFound: (name) => certificateNotFound(name),
      deletedNotFound: deletedCertificateNotFound,
      purgeWarning: "The certificate's private key is gone from this file, but older copies and git history still hold it: revoke the certificate if it mattered.",
      alongside: (o, verb, core) => managedAlong(o, verb, core),
    });
  }

  private state(core = this.core): CertificatesState {
    return core.state.of(certificatesKind);
  }

  private policyOf(o: { key: string }, core = this.core): { policy: CertificatePolicy; updated: number } | undefined {
    return this.state(core).policies.get(o.key);
  }

  private view(o: CertObject, v: CertVersion): CertificateVersionView {
    return { name: o.name, version: v.version, attrs: v.attrs };
  }

  private bundle(core: VaultCore, key: string, version?: string): CertificateBundle {
    const o = this.state(core).objects.get(key)!;
    const v = version === undefined ? newestVersion(o) : o.versions.get(version)!;
    return toCertificateBundle(this.vid, this.view(o, v), core.retentionDays, this.policyOf(o, core));
  }

  protected deletedBundle(o: CertObject, core: VaultCore): DeletedCertificateBundle {
    return toDeletedCertificateBundle(this.vid, this.view(o, newestVersion(o)), core.retentionDays, o.deleted!.date, this.policyOf(o, core));
  }

  protected deletedItem(o: CertObject): DeletedCertificateItem {
    return toDeletedCertificateItem(this.vid, this.view(o, newestVersion(o)), this.core.retentionDays, o.deleted!.date);
  }

  protected liveBundle(o: CertObject, core: VaultCore): CertificateBundle {
    return this.bundle(core, o.key);
  }

  private version(o: CertObject, version?: string): CertVersion {
    if (version === undefined || version === '') return newestVersion(o);
    const v = o.versions.get(validateVersionId(version, 'certificate'));
    if (!v) throw certificateNotFound(o.name, version);
    return v;
  }

  // ------------------------------------------------------------------ reads

  get(name: string, version?: string): Promise<CertificateBundle> {
    return this.readVersion(name, version, (o, v) => toCertificateBundle(this.vid, this.view(o, v), this.core.retentionDays, this.policyOf(o)));
  }

  details(name: string, version?: string): Promise<CertificateDetailsResult> {
    return this.readVersion(name, version, (o, v) => {
      const revoked = this.state().revoked.get(o.key)?.get(v.version);
      return {
        bundle: toCertificateBundle(this.vid, this.view(o, v), this.core.retentionDays, this.policyOf(o)),
        chain: (v.attrs.chain ?? []).map((c) => b64uToB64(c)),
        ...(revoked ? { revoked: { ...revoked } } : {}),
      };
    });
  }

  /** One version read with certificates/read, recorded as CertificateGet with the version it read. */
  private readVersion<T>(name: string, version: string | undefined, read: (o: CertObject, v: CertVersion) => T): Promise<T> {
    let ver: string | undefined;
    return this.logged(
      'CertificateGet',
      name,
      () => {
        this.v.require('certificates/read');
        const o = this.live(name);
        const v = this.version(o, version);
        ver = v.version;
        return read(o, v);
      },
      () => ver,
    );
  }

  list(): CertificateItem[] {
    return this.liveCertificates().map((o) => toCertificateItem(this.vid, this.view(o, newestVersion(o)), this.core.retentionDays, { versionless: true }));
  }

  async listWithSubjects(): Promise<(CertificateItem & { subject: string; issuer: string })[]> {
    const live = this.liveCertificates();
    const pki = await loadPki();
    return live.map((o) => {
      const v = newestVersion(o);
      const p = pki.parseCertificate(fromB64u(v.attrs.cer));
      return { ...toCertificateItem(this.vid, this.view(o, v), this.core.retentionDays, { versionless: true }), subject: p.subject, issuer: p.issuer };
    });
  }

  /** GetCertificates: the live certificates in name-key order, audited as CertificateList. */
  private liveCertificates(): CertObject[] {
    this.v.require('certificates/read');
    const live = [...this.state().objects.values()].filter((o) => !o.deleted);
    live.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    this.v.auditBehind('CertificateList', 'ok');
    return live;
  }

  listPending(): CertificateOperation[] {
    this.v.require('certificates/read');
    const all = [...this.state().pending.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    this.v.auditBehind('CertificatePendingList', 'ok');
    return all.map(([, p]) => toCertificateOperation(this.vid, p));
  }

  listVersions(name: string): CertificateItem[] {
    this.v.require('certificates/read');
    const o = this.live(name);
    this.v.auditBehind('CertificateListVersions', 'ok', { object: o.name });
    return o.order.map((id) => toCertificateItem(this.vid, this.view(o, o.versions.get(id)!), this.core.retentionDays, { versionless: false }));
  }

  getPolicy(name: string): Promise<CertificatePolicyBundle> {
    return this.logged('CertificatePolicyGet', name, () => {
      this.v.require('certificates/read');
      const o = this.live(name);
      return toPolicyBundle(this.vid, o.name, this.policyOf(o));
    });
  }

  getOperation(name: string): CertificateOperation {
    this.v.require('certificates/read');
    validateSecretName(name, 'certificate');
    const p = this.state().pending.get(nameKey(name));
    if (!p) throw pendingNotFound(name);
    this.v.auditBehind('CertificatePendingGet', 'ok', { object: p.name });
    return toCertificateOperation(this.vid, p);
  }

  // --------------------------------------------------------- new versions

  create(input: CreateCertificateInput, options: IssueOptions = {}): Promise<CertificateOperation> {
    return this.logged('CertificateCreate', input?.name, async () => {
      this.v.require('certificates/create');
      if (input === null || typeof input !== 'object') throw badParameter('A certificate needs a name and a policy.');
      validateSecretName(input.name, 'certificate');
      checkAttributes(input);
      const stored = this.state().objects.get(nameKey(input.name));
      if (stored?.deleted) throw certificateDeletedButRecoverable(stored.name);
      const saved = this.state().policies.get(nameKey(input.name))?.policy;
      if (input.policy === undefined && saved === undefined) throw badParameter('The first version of a certificate needs a policy (`coffer certificate get-default-policy` prints one to edit).');
      const policy = issuancePolicy(input.policy ?? saved);
      return this.issue(input.name, policy, input, 'create', input.policy !== undefined, options);
    });
  }

  renew(name: string, options: IssueOptions = {}): Promise<CertificateOperation> {
    return this.logged('CertificateRenew', name, async () => {
      this.v.require('certificates/create');
      const o = this.live(name);
      const saved = this.policyOf(o)?.policy;
      if (!saved) throw badParameter(`Certificate ${o.name} has no policy to renew by.`);
      return this.issue(o.name, issuancePolicy(saved), {}, 'renew', false, options);
    });
  }

  /** A new version by `policy`'s issuer: written at once (Self, a vault CA), or a pending CSR (Unknown). */
  private async issue(
    name: string,
    policy: IssuancePolicy,
    attrs: { enabled?: boolean; tags?: Record<string, string>; preserveCertOrder?: boolean },
    origin: 'create' | 'renew',
    newPolicy: boolean,
    options: IssueOptions = {},
  ): Promise<CertificateOperation> {
    const issuer = policy.issuer.name;
    // Checked before a key is generated: the issuer exists, is usable, and a dns-01 order has someone to publish its record.
    const by = this.issuerOf(issuer);
    if (by.kind === 'acme' && by.acme.challenge === 'dns-01' && !options.onDnsRecord) {
      throw badParameter(`Issuer ${issuer} validates by dns-01: a DNS record must be published during the order, so issue from the CLI or the app, which show it.`);
    }
    const m = await this.keyFor(name, policy);
    const pki = await loadPki();
    try {
      const request = x509Request(policy);
      const { publicKey, privateKey } = certificateKeyObjects(m);
      if (by.kind === 'unknown') return await this.writePending(name, m, policy, newPolicy);
      const extra: VaultRecord[] = [];
      let cer: Uint8Array;
      let chain: Uint8Array[] = [];
      if (by.kind === 'self') {
        cer = await pki.buildCertificate({ ...request, subjectPublicKey: publicKey, issuerPrivateKey: privateKey!, validityMonths: policy.x509_props.validity_months });
      } else if (by.kind === 'ca') {
        const leaf = await this.authorities.issueLeaf(issuer, { ...request, subjectPublicKey: publicKey, validityMonths: policy.x509_props.validity_months });
        cer = leaf.cer;
        chain = leaf.chain;
        extra.push(leaf.record);
      } else {
        const csr = await pki.buildCsr({ ...request, privateKey: privateKey! });
        const ders = await this.withAcmeAccount(by.name, async (acme, account) => {
          const { chainPem } = await acme.acmeOrder({
            ...account,
            csrDer: csr,
            challenge: by.acme.challenge,
            ...(by.acme.challenge === 'http-01' ? { http: { port: by.acme.http_port ?? 80 } } : {}),
            ...(options.onDnsRecord ? { onDnsRecord: (r: { name: string; type: 'TXT'; value: string }) => options.onDnsRecord!({ certificate: name, ...r }) } : {}),
            ...(options.signal ? { signal: options.signal } : {}),
            ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
          });
          return pki.pemToDers(chainPem, 'CERTIFICATE');
        });
        if (ders.length === 0) throw new CofferError('IoError', `The ACME CA of issuer ${by.name} returned no certificate.`);
        cer = ders[0]!;
        chain = ders.slice(1, MAX_CHAIN);
      }
      const bundle = await this.writeVersion(name, { m, cer, chain }, policy, attrs, origin, { newPolicy, extra });
      return toCertificateOperation(this.vid, {
        t: 'certificate.pending',
        name,
        request_id: bundle.id.slice(-32),
        csr: '',
        issuer,
        status: 'completed',
        cancellation_requested: false,
        version: bundle.id.slice(-32),
      });
    } finally {
      m.dispose();
    }
  }

  /** What a policy's issuer name stands for: Self, Unknown, a CA kept in the vault, or an ACME issuer (NotFound otherwise). */
  private issuerOf(name: string): { kind: 'self' } | { kind: 'unknown' } | { kind: 'ca' } | { kind: 'acme'; name: string; acme: AcmeIssuerFields } {
    if (name === 'Self') return { kind: 'self' };
    if (name === 'Unknown') return { kind: 'unknown' };
    const issuer = this.state().issuers.get(name.toLowerCase());
    if (issuer) {
      if (!issuer.issuer.enabled) throw new CofferError('Forbidden', `Issuer ${issuer.issuer.name} is disabled.`);
      if (issuer.issuer.provider !== ACME_PROVIDER || !issuer.issuer.acme) throw badParameter(`Issuer ${issuer.issuer.name} (provider ${issuer.issuer.provider}) cannot issue here.`);
      return { kind: 'acme', name: issuer.issuer.name, acme: issuer.issuer.acme };
    }
    this.authorities.check(name);
    return { kind: 'ca' };
  }

  /** Runs `use` with the ACME module and the issuer's account (its key read from the vault, under `ca`). */
  private async withAcmeAccount<T>(
    name: string,
    use: (acme: typeof import('./acme.js'), account: { directoryUrl: string; accountKeyPem: string; accountUrl?: string; caCertPem?: string }) => Promise<T>,
  ): Promise<T> {
    const i = this.state().issuers.get(name.toLowerCase());
    if (!i?.key || !i.issuer.acme) throw new CofferError('NotFound', `Issuer ${name} has no ACME account.`);
    const a = i.issuer.acme;
    const pkcs8 = this.core.readKindValue(certificatesKind, { name: i.issuer.name } as CertObject, { ...i.key } as CertVersion, 'issuer');
    try {
      const acme = await import('./acme.js');
      return await use(acme, {
        directoryUrl: a.directory_url,
        accountKeyPem: toPem('PRIVATE KEY', pkcs8),
        ...(a.account_url !== undefined ? { accountUrl: a.account_url } : {}),
        ...(a.ca_certificate !== undefined ? { caCertPem: toPem('CERTIFICATE', fromB64u(a.ca_certificate)) } : {}),
      });
    } finally {
      wipe(pkcs8);
    }
  }

  // ---------------------------------------------------------------- issuers

  createIssuer(input: CertificateIssuerInput): Promise<CertificateIssuerBundle> {
    return this.logged('CertificateIssuerSet', undefined, async () => {
      this.v.require('certificatecas/write');
      if (input === null || typeof input !== 'object') throw badParameter('An issuer needs a name, a provider and its settings.');
      validateSecretName(input.name, 'issuer');
      if (input.name === 'Self' || input.name === 'Unknown') throw badParameter(`"${input.name}" is a built-in issuer name.`);
      if (input.provider !== ACME_PROVIDER) {
        throw badParameter(`Provider ${String(input.provider)} is not available: Key Vault's partner CAs (DigiCert, GlobalSign) need their services; Coffer issues with provider ${ACME_PROVIDER} (RFC 8555), a CA kept in the vault, or Self.`);
      }
      if (input.enabled !== undefined && typeof input.enabled !== 'boolean') throw badParameter('enabled must be true or false.');
      const a = input.acme as CertificateIssuerInput['acme'] | undefined;
      if (!a || typeof a !== 'object') throw badParameter('An ACME issuer needs its directory URL.');
      if (typeof a.directoryUrl !== 'string' || !/^https:\/\/[^\s]{1,2040}$/.test(a.directoryUrl)) throw badParameter('The ACME directory URL must be an https:// URL.');
      if (a.termsAgreed !== true) throw badParameter("The ACME CA's terms of service must be agreed to (RFC 8555 7.3).");
      const challenge = a.challenge ?? 'http-01';
      if (!(ACME_CHALLENGES as readonly string[]).includes(challenge)) throw badParameter(`The challenge is ${ACME_CHALLENGES.join(' or ')}.`);
      if (a.httpPort !== undefined && (!Number.isInteger(a.httpPort) || a.httpPort < 1 || a.httpPort > 65535)) throw badParameter('The http-01 port is 1 to 65535.');
      if (a.email !== undefined && (typeof a.email !== 'string' || !/^[^\s@]{1,128}@[^\s@]{1,127}$/.test(a.email))) throw badParameter('The contact email is not a valid address.');
      let caDer: Uint8Array | undefined;
      if (a.caCertificatePem !== undefined) {
        const pki = await loadPki();
        caDer = pki.pemToDers(String(a.caCertificatePem), 'CERTIFICATE')[0];
        if (!caDer) throw badParameter('The CA certificate must be PEM text (BEGIN CERTIFICATE).');
      }
      if (this.state().issuers.has(input.name.toLowerCase())) throw new CofferError('Conflict', `An issuer named ${input.name} exists: update or delete it.`);
      if (this.core.state.of(casKind).get(input.name)) throw new CofferError('Conflict', `A CA of the vault is named ${input.name}: an issuer name must not hide it.`);
      const acme = await import('./acme.js');
      const account = await acme.createAcmeAccount({
        directoryUrl: a.directoryUrl,
        termsAgreed: true,
        ...(a.email !== undefined ? { email: a.email } : {}),
        ...(caDer ? { caCertPem: toPem('CERTIFICATE', caDer) } : {}),
      });
      const pkcs8 = new Uint8Array(createPrivateKey(account.accountKeyPem).export({ format: 'der', type: 'pkcs8' }));
      try {
        return await this.v.write((core) => {
          if (this.state(core).issuers.has(input.name.toLowerCase())) throw new CofferError('Conflict', `An issuer named ${input.name} exists: update or delete it.`);
          const record: VaultRecord = {
            t: 'certificate.issuer',
            name: input.name,
            provider: ACME_PROVIDER,
            enabled: input.enabled ?? true,
            blob: 0,
            version: newVersionId(),
            acme: {
              directory_url: a.directoryUrl,
              challenge,
              account_url: account.accountUrl,
              ...(a.email !== undefined ? { email: a.email } : {}),
              ...(a.httpPort !== undefined ? { http_port: a.httpPort } : {}),
              ...(caDer ? { ca_certificate: toB64u(caDer) } : {}),
            },
          };
          return { pending: { records: [record], values: [pkcs8] }, result: (c) => toIssuerBundle(this.vid, this.state(c).issuers.get(input.name.toLowerCase())!) };
        });
      } finally {
        wipe(pkcs8);
      }
    });
  }

  private issuer(name: string, core = this.core): NonNullable<ReturnType<CertificatesState['issuers']['get']>> {
    if (typeof name !== 'string' || name === '') throw badParameter('An issuer name is required.');
    const i = this.state(core).issuers.get(name.toLowerCase());
    if (!i) throw new CofferError('NotFound', `No certificate issuer named ${name} (\`coffer certificate issuer list\`).`);
    return i;
  }

  getIssuer(name: string): Promise<CertificateIssuerBundle> {
    return this.logged('CertificateIssuerGet', undefined, () => {
      this.v.require('certificatecas/read');
      return toIssuerBundle(this.vid, this.issuer(name));
    });
  }

  listIssuers(): Promise<CertificateIssuerBundle[]> {
    return this.logged('CertificateIssuerList', undefined, () => {
      this.v.require('certificatecas/read');
      return [...this.state().issuers.values()].sort((a, b) => a.issuer.name.toLowerCase().localeCompare(b.issuer.name.toLowerCase())).map((i) => toIssuerBundle(this.vid, i));
    });
  }

  updateIssuer(name: string, patch: CertificateIssuerPatch): Promise<CertificateIssuerBundle> {
    return this.logged('CertificateIssuerUpdate', undefined, () => {
      this.v.require('certificatecas/write');
      if (patch === null || typeof patch !== 'object') throw badParameter('An issuer update takes settings to change.');
      if (patch.enabled !== undefined && typeof patch.enabled !== 'boolean') throw badParameter('enabled must be true or false.');
      if (patch.challenge !== undefined && !(ACME_CHALLENGES as readonly string[]).includes(patch.challenge)) throw badParameter(`The challenge is ${ACME_CHALLENGES.join(' or ')}.`);
      if (patch.httpPort !== undefined && (!Number.isInteger(patch.httpPort) || patch.httpPort < 1 || patch.httpPort > 65535)) throw badParameter('The http-01 port is 1 to 65535.');
      return this.v.write((core) => {
        const i = this.issuer(name, core);
        const { blob: _b, version: _v, ...rest } = i.issuer;
        const record = {
          ...rest,
          ...(patch.enabled !== undefined ? { enabled: patch.enabled } : {}),
          ...(rest.acme ? { acme: { ...rest.acme, ...(patch.challenge ? { challenge: patch.challenge } : {}), ...(patch.httpPort !== undefined ? { http_port: patch.httpPort } : {}) } } : {}),
        } as VaultRecord;
        return { pending: { records: [record] }, result: (c) => toIssuerBundle(this.vid, this.state(c).issuers.get(i.issuer.name.toLowerCase())!) };
      });
    });
  }

  deleteIssuer(name: string): Promise<CertificateIssuerBundle> {
    return this.logged('CertificateIssuerDelete', undefined, async () => {
      this.v.require('certificatecas/delete');
      const out = await this.v.write((core) => {
        const i = this.issuer(name, core);
        const shown = toIssuerBundle(this.vid, i);
        return { pending: { records: [{ t: 'certificate.issuer.delete', name: i.issuer.name }] }, result: () => shown };
      });
      await this.v.compactPurged();
      return out;
    });
  }

  // ----------------------------------------------------------------- revoke

  revoke(name: string, version?: string, reason = 'unspecified'): Promise<void> {
    let ver: string | undefined;
    return this.logged(
      'CertificateRevoke',
      name,
      async () => {
        this.v.require('certificates/update');
        const why = revocationReason(reason);
        const o = this.live(name);
        const v = this.version(o, version);
        ver = v.version;
        const id = v.version;
        if (this.state().revoked.get(o.key)?.has(id)) throw new CofferError('Conflict', `Certificate ${o.name} version ${id} is already revoked.`);
        const pki = await loadPki();
        const cer = fromB64u(v.attrs.cer);
        const parsed = pki.parseCertificate(cer);
        const record = (): VaultRecord => ({ t: 'certificate.revoke', name: o.name, version: id, reason: why, time: nowSeconds() });
        // A CA of the vault that issued this serial revokes it (it then lists it in its CRL): both records in one commit.
        const cas = this.core.state.of(casKind);
        for (const ca of cas.objects.values()) {
          if (cas.issued.get(ca.key)?.has(parsed.serialHex) && ca.versions.size > 0 && newestVersion(ca).attrs.cer === v.attrs.chain?.[0]) {
            this.v.require('certificatecas/write');
            const input = revocationInput(parsed.serialHex, why);
            await this.v.write((core) => ({ pending: { records: [this.authorities.revocation(ca.name, input, core), record()] }, result: () => undefined }));
            return;
          }
        }
        const policyIssuer = (this.policyOf(o)?.policy as IssuancePolicy | undefined)?.issuer?.name;
        const i = policyIssuer === undefined ? undefined : this.state().issuers.get(policyIssuer.toLowerCase());
        if (i?.issuer.provider === ACME_PROVIDER) {
          await this.withAcmeAccount(i.issuer.name, (acme, account) =>
            acme.acmeRevoke({ ...account, certPem: pki.derToPem(cer, 'CERTIFICATE'), reason: REVOCATION_REASON_CODES[why] }),
          );
          // The CA has revoked it: recorded, so that nobody asks again (a second request is the CA's Conflict).
          await this.v.write(() => ({ pending: { records: [record()] }, result: () => undefined }));
          return;
        }
        throw badParameter(`Certificate ${o.name} was not issued by a CA of this vault or by its ACME issuer: nothing here can revoke it (a self-signed certificate is retired by deleting it).`);
      },
      () => ver,
    );
  }

  /**
   * The key of a new version: the current one when the policy reuses keys
   * (reading it needs the `keys` scope), else a new one of the policy's type.
   */
  private async keyFor(name: string, policy: IssuancePolicy): Promise<KeyMaterial> {
    const k = policy.key_props;
    const o = this.state().objects.get(nameKey(name));
    if (k.reuse_key && o && !o.deleted) {
      const key = this.core.keys.objects.get(nameKey(name));
      const v = key?.versions.get(newestVersion(o).version);
      if (key && v) {
        if (!scopesOf(this.core.myRoles()).has('keys')) {
          throw new CofferError('Forbidden', `The policy of ${o.name} reuses its key (key_props.reuse_key), and your roles cannot read keys; set reuse_key to false or ask an Administrator.`, {
            innerCode: 'ForbiddenByRbac',
          });
        }
        const blob = this.core.readKindValue(keysKind, key, v, 'key');
        try {
          const a = v.attrs;
          return decodePrivate({ kty: a.kty, ...(a.size !== undefined ? { size: a.size } : {}), ...(a.crv !== undefined ? { crv: a.crv } : {}), ...(a.pub !== undefined ? { pub: a.pub } : {}) }, blob);
        } finally {
          wipe(blob);
        }
      }
    }
    return generateKey(k.kty === 'RSA' ? { kty: 'RSA', size: k.key_size ?? 2048 } : { kty: 'EC', crv: k.crv ?? 'P-256' });
  }

  private async writePending(name: string, m: KeyMaterial, policy: IssuancePolicy, newPolicy: boolean): Promise<CertificateOperation> {
    const { privateKey } = certificateKeyObjects(m);
    const csr = await (await loadPki()).buildCsr({ ...x509Request(policy), privateKey: privateKey! });
    const pkcs8 = privatePkcs8Der(m);
    try {
      return await this.v.write((core) => {
        this.checkNameFree(name, core);
        const p = this.state(core).pending.get(nameKey(name));
        if (p?.status === 'inProgress') throw new CofferError('Conflict', `Certificate ${p.name} already has a pending request: merge, cancel or delete it first.`);
        const record: Pending = {
          t: 'certificate.pending',
          name: this.state(core).objects.get(nameKey(name))?.name ?? name,
          request_id: newVersionId(),
          csr: toB64u(csr),
          issuer: 'Unknown',
          status: 'inProgress',
          cancellation_requested: false,
          version: newVersionId(),
          blob: 0,
        };
        const records: VaultRecord[] = [record];
        if (newPolicy || !this.state(core).policies.has(nameKey(name))) records.push({ t: 'certificate.policy', name: record.name, policy: policy as unknown as CertificatePolicy });
        return { pending: { records, values: [pkcs8] }, result: (c) => toCertificateOperation(this.vid, this.state(c).pending.get(nameKey(name))!) };
      });
    } finally {
      wipe(pkcs8);
    }
  }

  /** A key or secret of this name that is not the certificate's blocks it (409, D-crt); so does a deleted certificate. */
  private checkNameFree(name: string, core: VaultCore): void {
    const o = this.state(core).objects.get(nameKey(name));
    if (o?.deleted) throw certificateDeletedButRecoverable(o.name);
    const key = core.keys.objects.get(nameKey(name));
    if (key && newestVersion(key).attrs.origin !== 'certificate') throw certificateNameTaken(name, 'key');
    const secret = core.secrets.get(nameKey(name));
    if (secret && newestVersion(secret).attrs.managed !== true) throw certificateNameTaken(name, 'secret');
  }

  /** One commit: the managed key, the managed secret and the certificate, of one version; the policy when new. */
  private async writeVersion(
    name: string,
    nv: NewVersion,
    policy: IssuancePolicy,
    attrs: { enabled?: boolean; tags?: Record<string, string>; preserveCertOrder?: boolean },
    origin: CertificateVersionRecord['origin'],
    options: { newPolicy: boolean; version?: string; extra?: VaultRecord[] },
  ): Promise<CertificateBundle> {
    const pki = await loadPki();
    const parsed = pki.parseCertificate(nv.cer);
    if (!equalBytes(certificateSpki(nv.m), parsed.spki)) throw badParameter("The certificate's public key is not the key of this request.");
    if (nv.chain.length > MAX_CHAIN - 1) throw badParameter(`A certificate chain holds at most ${MAX_CHAIN} certificates.`);
    const enabled = attrs.enabled ?? policy.attributes?.enabled ?? true;
    const keyBlob = encodePrivate(nv.m);
    const secretValue = secretValueOf(pki, nv, policy);
    try {
      return await this.v.write((core) => {
        this.checkNameFree(name, core);
        const stored = this.state(core).objects.get(nameKey(name));
        const n = stored?.name ?? name;
        const version = options.version ?? newVersionId();
        const desc = nv.m.describe();
        const window = { nbf: parsed.notBefore, exp: parsed.notAfter };
        const key: KeyVersionRecord = {
          t: 'key',
          name: n,
          version,
          blob: 0,
          origin: 'certificate',
          kty: desc.kty,
          ...(desc.size !== undefined ? { size: desc.size } : {}),
          ...(desc.crv !== undefined ? { crv: desc.crv } : {}),
          ...(desc.pub !== undefined ? { pub: desc.pub } : {}),
          key_ops: keyOpsFromKeyUsage(parsed.keyUsage.length > 0 ? parsed.keyUsage : policy.x509_props.key_usage),
          enabled,
          exportable: policy.key_props.exportable,
          ...window,
        };
        const records: VaultRecord[] = [
          key,
          { t: 'secret', name: n, version, blob: 0, enc: 'utf8', enabled, contentType: policy.secret_props.contentType, ...window, managed: true },
          {
            t: 'certificate',
            name: n,
            version,
            origin,
            cer: toB64u(nv.cer),
            ...(nv.chain.length > 0 ? { chain: nv.chain.map((c) => toB64u(c)) } : {}),
            x5t: parsed.x5t,
            ...window,
            enabled,
            ...(attrs.tags !== undefined ? { tags: { ...attrs.tags } } : {}),
            ...(attrs.preserveCertOrder ? { preserveCertOrder: true } : {}),
          },
          ...(options.extra ?? []),
        ];
        if (options.newPolicy || !this.state(core).policies.has(nameKey(name))) records.push({ t: 'certificate.policy', name: n, policy: policy as unknown as CertificatePolicy });
        return { pending: { records, values: [keyBlob, secretValue] }, result: (c) => this.bundle(c, nameKey(name), version) };
      });
    } finally {
      wipe(keyBlob, secretValue);
    }
  }

  import(input: ImportCertificateInput): Promise<CertificateBundle> {
    return this.logged('CertificateImport', input?.name, async () => {
      this.v.require('certificates/import');
      if (input === null || typeof input !== 'object') throw badParameter('An import needs a name and the certificate.');
      validateSecretName(input.name, 'certificate');
      checkAttributes(input);
      if (!(input.value instanceof Uint8Array) || input.value.length === 0) throw badParameter('The certificate to import is empty.');
      const pki = await loadPki();
      const read = readImport(pki, input.value, input.password ?? '');
      try {
        const parsed = pki.parseCertificate(read.cer);
        const policy = input.policy !== undefined ? issuancePolicy(input.policy) : importedPolicy(read, parsed);
        return await this.writeVersion(input.name, read, policy, input, 'import', { newPolicy: true });
      } finally {
        read.m.dispose();
      }
    });
  }

  merge(name: string, x5c: Uint8Array[], patch: CertificateAttributesPatch = {}): Promise<CertificateBundle> {
    return this.logged('CertificatePendingMerge', name, async () => {
      this.v.require('certificates/create');
      validateSecretName(name, 'certificate');
      checkAttributes(patch);
      if (!Array.isArray(x5c) || x5c.length === 0 || x5c.length > MAX_CHAIN || !x5c.every((c) => c instanceof Uint8Array)) {
        throw badParameter(`A merge takes the signed certificate, then its chain: 1 to ${MAX_CHAIN} DER certificates.`);
      }
      const p = this.state().pending.get(nameKey(name));
      if (!p || p.status !== 'inProgress' || !p.key) throw pendingNotFound(name);
      const policy = issuancePolicy(this.state().policies.get(nameKey(name))?.policy ?? {});
      const pkcs8 = this.core.readKindValue(certificatesKind, { name: p.name } as CertObject, { version: p.key.version, commitId: p.key.commitId, epoch: p.key.epoch, blob: p.key.blob } as CertVersion, 'pending request');
      let m: KeyMaterial;
      try {
        m = importPem(toPem('PRIVATE KEY', pkcs8));
      } finally {
        wipe(pkcs8);
      }
      try {
        const pki = await loadPki();
        const [cer, ...chain] = x5c.map((c) => new Uint8Array(c));
        const parsed = pki.parseCertificate(cer!);
        chain.forEach((c, i) => {
          try {
            pki.parseCertificate(c);
          } catch (e) {
            throw badParameter(`Certificate ${i + 2} of the chain: ${e instanceof CofferError ? e.message : 'not a valid certificate.'}`);
          }
        });
        const spki = certificateSpki(m);
        if (!equalBytes(spki, parsed.spki)) throw badParameter("The certificate does not match the pending request: its public key is not the request's.");
        const done: Pending = { ...stripPending(p), status: 'completed' };
        return await this.writeVersion(p.name, { m, cer: cer!, chain }, policy, patch, 'merge', { newPolicy: false, version: p.version, extra: [done] });
      } finally {
        m.dispose();
      }
    });
  }

  cancelOperation(name: string): Promise<CertificateOperation> {
    return this.logged('CertificatePendingUpdate', name, () => {
      this.v.require('certificates/update');
      validateSecretName(name, 'certificate');
      return this.v.write((core) => {
        const p = this.state(core).pending.get(nameKey(name));
        if (!p || p.status !== 'inProgress') throw pendingNotFound(name);
        const record: Pending = { ...stripPending(p), status: 'cancelled', cancellation_requested: true };
        return { pending: { records: [record] }, result: (c) => toCertificateOperation(this.vid, this.state(c).pending.get(nameKey(name))!) };
      });
    });
  }

  deleteOperation(name: string): Promise<CertificateOperation> {
    return this.logged('CertificatePendingDelete', name, () => {
      this.v.require('certificates/delete');
      validateSecretName(name, 'certificate');
      return this.v.write((core) => {
        const p = this.state(core).pending.get(nameKey(name));
        if (!p) throw pendingNotFound(name);
        const shown = toCertificateOperation(this.vid, p);
        return { pending: { records: [{ t: 'certificate.pending.delete', name: p.name }] }, result: () => shown };
      });
    });
  }

  // ----------------------------------------------------------------- update

  update(name: string, version: string | undefined, patch: CertificateAttributesPatch): Promise<CertificateBundle> {
    return this.logged('CertificateUpdate', name, () => {
      this.v.require('certificates/update');
      if (patch === null || typeof patch !== 'object') throw badParameter('An update takes attributes to change.');
      checkAttributes(patch);
      return this.v.write((core) => {
        const o = this.live(name, core);
        const v = this.version(o, version);
        const set: { enabled?: boolean; tags?: Record<string, string> } = {};
        if (patch.enabled !== undefined) set.enabled = patch.enabled;
        if (patch.tags !== undefined) set.tags = { ...patch.tags };
        const records: VaultRecord[] = [{ t: 'certificate.update', name: o.name, version: v.version, set, clear: [] }];
        // Enabling or disabling a certificate does the same to its key and secret (they share its attributes, D-crt).
        if (patch.enabled !== undefined) {
          if (core.keys.objects.get(o.key)?.versions.has(v.version)) records.push({ t: 'key.update', name: o.name, version: v.version, set: { enabled: patch.enabled }, clear: [], managed: true });
          if (core.secrets.get(o.key)?.versions.has(v.version)) records.push({ t: 'secret.update', name: o.name, version: v.version, set: { enabled: patch.enabled }, clear: [], managed: true });
        }
        return { pending: { records }, result: (c) => this.bundle(c, o.key, v.version) };
      });
    });
  }

  updatePolicy(name: string, input: unknown): Promise<CertificatePolicyBundle> {
    return this.logged('CertificatePolicyUpdate', name, () => {
      this.v.require('certificates/update');
      if (input === null || typeof input !== 'object' || Array.isArray(input)) throw badParameter('A policy update is a JSON object of policy sections.');
      const { id: _id, ...given } = input as Record<string, unknown>;
      return this.v.write((core) => {
        const o = this.live(name, core);
        // Key Vault's PATCH: each section given replaces the stored one.
        const merged = { ...(this.policyOf(o, core)?.policy ?? {}), ...given };
        const { attributes: a, ...rest } = merged as Record<string, unknown> & { attributes?: { enabled?: boolean } };
        const policy = issuancePolicy({ ...rest, ...(a?.enabled !== undefined ? { attributes: { enabled: a.enabled } } : {}) });
        return {
          pending: { records: [{ t: 'certificate.policy', name: o.name, policy: policy as unknown as CertificatePolicy }] },
          result: (c) => toPolicyBundle(this.vid, o.name, this.policyOf(o, c)),
        };
      });
    });
  }

  // ------------------------------------------------------- backup, restore

  /**
   * Every version with its key and secret values, and the policy, sealed to
   * this vault's `keys` scope (BackupCertificate): only a member who reads
   * keys and secrets can make one, as it holds the private keys.
   */
  backup(name: string): Promise<Uint8Array> {
    return this.logged('CertificateBackup', name, () => {
      this.v.require('certificates/backup');
      return sealBackupEnvelope(this.core, 'keys', this.backupData(this.live(name)));
    });
  }

  /** What a backup of `o` holds: every version with its key and secret, and the policy (of a deleted certificate too, when the vault is re-founded). */
  backupData(o: CertObject): CertificateBackupData {
    const key = this.core.keys.objects.get(o.key);
    const secret = this.core.secrets.get(o.key);
    const values: Uint8Array[] = [];
    try {
      const versions = o.order.map((id) => {
        const c = o.versions.get(id)!;
        const k = key?.versions.get(id);
        const sv = secret?.versions.get(id);
        if (!k || !sv) throw new CofferError('VaultCorrupted', `Certificate ${o.name} version ${id} lacks its key or secret.`);
        const kv = this.core.readKindValue(keysKind, key!, k, 'key');
        values.push(kv);
        const svv = this.core.readKindValue(secretsKind, secret!, sv, 'secret');
        values.push(svv);
        const { origin: _o, ...certAttrs } = c.attrs;
        const { origin: _ko, ...keyAttrs } = k.attrs;
        const { name: _n, version: _v, encoding, managed: _m, ...secretAttrs } = sv.attrs;
        return {
          version: id,
          certificate: certAttrs,
          key: { ...keyAttrs, value: toB64u(kv) },
          secret: { ...secretAttrs, enc: encoding, value: toB64u(svv) },
        };
      });
      const policy = this.policyOf(o)?.policy;
      return { kind: 'certificate', name: o.name, versions, ...(policy ? { policy } : {}) };
    } finally {
      wipe(...values);
    }
  }

  restore(blob: Uint8Array): Promise<CertificateBundle> {
    return this.logged('CertificateRestore', undefined, async () => {
      this.v.require('certificates/restore');
      const { name, records, values, latest } = await checkCertificateBackup(openBackupEnvelope(this.core, 'keys', blob, 'certificate'));
      try {
        return await this.v.write((core) => {
          const o = this.state(core).objects.get(nameKey(name));
          if (o?.deleted) throw certificateDeletedButRecoverable(o.name);
          if (o) throw new CofferError('Conflict', `Certificate ${o.name} already exists; restore needs a name that is not in use.`);
          this.checkNameFree(name, core);
          if (core.keys.objects.has(nameKey(name)) || core.secrets.has(nameKey(name))) throw new CofferError('Conflict', `A key or secret named ${name} is in use; restore needs a name that is not.`);
          return { pending: { records: records.map((r) => ({ ...r })), values }, result: (c) => this.bundle(c, nameKey(name), latest) };
        });
      } finally {
        wipe(...values);
      }
    });
  }

  // ----------------------------------------------------------------- export

  export(name: string, version: string | undefined, options: ExportCertificateOptions = {}): Promise<Uint8Array> {
    const encoding = options.encoding ?? 'PEM';
    let ver: string | undefined;
    return this.logged(
      encoding === 'PFX' ? 'CertificateExport' : 'CertificateGet',
      name,
      async () => {
        if (encoding !== 'PEM' && encoding !== 'DER' && encoding !== 'PFX') throw badParameter('The encoding is PEM, DER or PFX.');
        const pki = await loadPki();
        if (options.password !== undefined && (encoding !== 'PFX' || typeof options.password !== 'string')) throw badParameter('A password protects a PFX only.');
        this.v.require('certificates/read');
        const o = this.live(name);
        const v = this.version(o, version);
        ver = v.version;
        const cer = fromB64u(v.attrs.cer);
        if (encoding === 'DER') return cer;
        if (encoding === 'PEM') return new Uint8Array(Buffer.from(pki.derToPem(cer, 'CERTIFICATE')));
        // The key and chain come from the managed secret, as Key Vault's download of the secret.
        this.v.require('secrets/getSecret', { collection: 'secrets', name: o.name });
        const s = this.core.secrets.get(o.key);
        const sv = s?.versions.get(v.version);
        if (!s || !sv) throw new CofferError('NotFound', `Certificate ${o.name} version ${v.version} has no secret with its key.`);
        const value = this.core.readKindValue(secretsKind, s, sv, 'secret');
        try {
          const read = readSecretValue(pki, value, sv.attrs.contentType);
          try {
            return pki.writePfx({ ...(read.pkcs8 ? { privateKeyPkcs8: read.pkcs8 } : {}), chain: read.chain, password: options.password ?? '', friendlyName: o.name });
          } finally {
            wipe(read.pkcs8);
          }
        } finally {
          wipe(value);
        }
      },
      () => ver,
    );
  }

  // --------------------------------------------------------------- contacts

  getContacts(): Promise<CertificateContacts> {
    return this.logged('CertificateContactsGet', undefined, () => {
      this.v.require('certificatecontacts/read');
      return toContacts(this.vid, this.state().contacts?.contacts ? { contacts: this.state().contacts!.contacts } : undefined);
    });
  }

  setContacts(contacts: { email: string; name?: string; phone?: string }[]): Promise<CertificateContacts> {
    return this.logged('CertificateContactsSet', undefined, () => {
      this.v.require('certificatecontacts/write');
      const list = checkContacts(contacts);
      return this.v.write(() => ({ pending: { records: [{ t: 'certificate.contacts', contacts: list }] }, result: (c) => toContacts(this.vid, this.state(c).contacts) }));
    });
  }

  deleteContacts(): Promise<CertificateContacts> {
    return this.logged('CertificateContactsDelete', undefined, () => {
      this.v.require('certificatecontacts/write');
      const before = toContacts(this.vid, this.state().contacts);
      return this.v.write(() => ({ pending: { records: [{ t: 'certificate.contacts', contacts: [] }] }, result: () => before }));
    });
  }

  // ---------------------------------------------------------------- renewal

  renewDue(now = nowSeconds(), options: IssueOptions = {}): Promise<RenewDueResult> {
    return this.logged('CertificateRenewIfDue', undefined, async () => {
      this.v.require('certificates/read');
      if (!Number.isSafeInteger(now)) throw badParameter('now must be Unix seconds.');
      const result: RenewDueResult = { renewed: [], notified: [], failed: [] };
      const due: string[] = [];
      for (const o of [...this.state().objects.values()].sort((a, b) => (a.key < b.key ? -1 : 1))) {
        if (o.deleted) continue;
        const policy = this.policyOf(o)?.policy as IssuancePolicy | undefined;
        const latest = newestVersion(o).attrs;
        for (const a of policy?.lifetime_actions ?? []) {
          const at = actionDueAt(a.trigger, latest.nbf, latest.exp);
          if (now < at) continue;
          if (a.action.action_type === 'EmailContacts') {
            const version = newestVersion(o).version;
            result.notified.push({ name: o.name, version, daysLeft: Math.max(0, Math.floor((latest.exp - now) / DAY)) });
            // Key Vault's CertificateNearExpiry event (AKV-REFERENCE.md §6.2), into the audit log once per version and open.
            if (!this.nearExpiryAudited.has(`${o.key}/${version}`)) {
              this.nearExpiryAudited.add(`${o.key}/${version}`);
              this.v.auditBehind('CertificateNearExpiry', 'ok', { object: o.name, version });
            }
          } else if (!this.state().pending.get(o.key) || this.state().pending.get(o.key)!.status !== 'inProgress') {
            due.push(o.name);
          }
        }
      }
      // One commit per certificate: a renewal that fails leaves its versions as they were, for the next run.
      for (const name of due) {
        try {
          const op = await this.renew(name, options);
          result.renewed.push({ name, id: op.target ?? certificateId(this.vid, name) });
        } catch (e) {
          if (!(e instanceof CofferError)) throw e;
          result.failed.push({ name, code: e.innerCode ?? e.code, message: e.message });
        }
      }
      return result;
    });
  }
}

/** What a policy asks of the X.509 (or of its CSR): subject, key usage, SANs and EKUs. */
function x509Request(policy: IssuancePolicy): { subject: string; keyUsage: string[]; sans?: SubjectAlternativeNames; ekus?: string[] } {
  const x = policy.x509_props;
  return { subject: x.subject, keyUsage: x.key_usage, ...(x.sans ? { sans: x.sans } : {}), ...(x.ekus ? { ekus: x.ekus } : {}) };
}

/** The contents of a certificate backup, sealed by state/backup-envelope.ts. */
export interface CertificateBackupData {
  kind: 'certificate';
  name: string;
  versions: { version: string; certificate: Record<string, unknown>; key: Record<string, unknown> & { value: string }; secret: Record<string, unknown> & { value: string } }[];
  policy?: CertificatePolicy;
}

/**
 * A backup is input like any other: each version becomes the three records a
 * fresh open validates, its key must decode and be the certificate's key, so
 * a crafted backup is refused here, never written for others to reject.
 */
async function checkCertificateBackup(raw: unknown): Promise<{ name: string; records: VaultRecord[]; values: Uint8Array[]; latest: string }> {
  const bad = (m: string): CofferError => new CofferError('BadParameter', `The certificate backup is invalid: ${m}`);
  const data = raw as CertificateBackupData;
  if (data === null || typeof data !== 'object' || data.kind !== 'certificate') throw new CofferError('BadParameter', 'The file is not a Coffer certificate backup, or it is damaged.');
  validateSecretName(data.name, 'certificate');
  if (!Array.isArray(data.versions) || data.versions.length === 0 || data.versions.length > MAX_BACKUP_VERSIONS) throw bad('it holds no versions, or too many');
  const pki = await loadPki();
  const records: VaultRecord[] = [];
  const values: Uint8Array[] = [];
  const seen = new Set<string>();
  const validate = (schema: { validate(v: Record<string, unknown>, what: string, ctx: { blobCount: number }): void }, r: unknown, what: string): void => {
    try {
      schema.validate(r as Record<string, unknown>, what, { blobCount: 1 });
    } catch (e) {
      if (e instanceof SchemaError) throw bad(e.message);
      throw e;
    }
  };
  try {
    data.versions.forEach((v, i) => {
      const what = `version ${i + 1}`;
      if (v === null || typeof v !== 'object' || typeof v.version !== 'string') throw bad(`${what} is not an object`);
      if (seen.has(v.version)) throw bad(`${what}: its version id appears twice`);
      seen.add(v.version);
      if (!isObject(v.certificate) || !isObject(v.key) || !isObject(v.secret)) throw bad(`${what} lacks its certificate, key or secret`);
      const cert = { ...v.certificate, t: 'certificate', name: data.name, version: v.version, origin: 'restore' };
      validate(certificateRecordSchemas.certificate, cert, `${what} certificate`);
      const { value: kv, ...keyFields } = v.key;
      const key = { ...keyFields, t: 'key', name: data.name, version: v.version, blob: 0, origin: 'certificate' };
      validate(keyRecordSchemas.key, key, `${what} key`);
      const { value: sv, ...secretFields } = v.secret;
      const secret = { ...secretFields, t: 'secret', name: data.name, version: v.version, blob: 0, managed: true };
      validate(secretRecordSchemas.secret, secret, `${what} secret`);
      for (const r of [cert, key, secret] as Record<string, unknown>[]) if (r.created === undefined || r.updated === undefined) throw bad(`${what} has no creation or update time`);
      let keyBytes: Uint8Array;
      let secretBytes: Uint8Array;
      try {
        keyBytes = fromB64u(String(kv));
        secretBytes = fromB64u(String(sv));
      } catch {
        throw bad(`${what} has no readable key or secret value`);
      }
      values.push(keyBytes, secretBytes);
      const k = key as unknown as KeyVersionRecord;
      let m: KeyMaterial;
      try {
        m = decodePrivate({ kty: k.kty, ...(k.size !== undefined ? { size: k.size } : {}), ...(k.crv !== undefined ? { crv: k.crv } : {}), ...(k.pub !== undefined ? { pub: k.pub } : {}) }, keyBytes);
      } catch (e) {
        if (e instanceof CofferError) throw bad(`${what}: ${e.message}`);
        throw e;
      }
      try {
        const spki = certificateSpki(m);
        const c = cert as unknown as CertificateVersionRecord;
        if (!equalBytes(pki.parseCertificate(fromB64u(c.cer)).spki, spki)) throw bad(`${what}: the certificate is not for its key`);
      } finally {
        m.dispose();
      }
      records.push(key as unknown as VaultRecord, secret as unknown as VaultRecord, cert as unknown as VaultRecord);
    });
    if (data.policy !== undefined) {
      const r = { t: 'certificate.policy', name: data.name, policy: data.policy };
      validate(certificateRecordSchemas['certificate.policy'], r, 'its policy');
      records.push(r as VaultRecord);
    }
  } catch (e) {
    wipe(...values);
    throw e;
  }
  return { name: data.name, records, values, latest: data.versions.at(-1)!.version };
}

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/** The managed key's and secret's records that go with a certificate's delete, recover or purge. */
function managedAlong(o: CertObject, verb: 'delete' | 'recover' | 'purge', core: VaultCore): VaultRecord[] {
  const out: VaultRecord[] = [];
  const key = core.keys.objects.get(o.key) ?? core.keys.expired.get(o.key);
  const secret = core.secrets.get(o.key) ?? core.state.of(secretsKind).expired.get(o.key);
  for (const [word, obj] of [['key', key], ['secret', secret]] as const) {
    if (!obj) continue;
    if (verb === 'purge') out.push({ t: `${word}.purge`, name: obj.name, versions: [...obj.order], managed: true } as VaultRecord);
    else if ((verb === 'delete') !== (obj.deleted !== undefined)) out.push({ t: `${word}.${verb}`, name: obj.name, managed: true } as VaultRecord);
  }
  return out;
}

function checkAttributes(a: { enabled?: unknown; tags?: unknown; preserveCertOrder?: unknown }): void {
  if (a.enabled !== undefined && typeof a.enabled !== 'boolean') throw badParameter('enabled must be true or false.');
  if (a.preserveCertOrder !== undefined && typeof a.preserveCertOrder !== 'boolean') throw badParameter('preserveCertOrder must be true or false.');
  if (a.tags !== undefined) validateTags(a.tags as Record<string, string>, 'certificate');
}

function checkContacts(contacts: unknown): { email: string; name?: string; phone?: string }[] {
  if (!Array.isArray(contacts) || contacts.length > 64) throw badParameter('Contacts are a list of at most 64 entries, each with an email address.');
  return contacts.map((c: unknown, i) => {
    const x = c as { email?: unknown; name?: unknown; phone?: unknown };
    if (x === null || typeof x !== 'object' || typeof x.email !== 'string' || !/^[^\s@]{1,128}@[^\s@]{1,127}$/.test(x.email)) throw badParameter(`Contact ${i + 1} needs a valid email address.`);
    if (x.name !== undefined && (typeof x.name !== 'string' || x.name.length > 256)) throw badParameter(`Contact ${i + 1}: the name is text of at most 256 characters.`);
    if (x.phone !== undefined && (typeof x.phone !== 'string' || x.phone.length > 64)) throw badParameter(`Contact ${i + 1}: the phone is text of at most 64 characters.`);
    return { email: x.email, ...(x.name !== undefined ? { name: x.name as string } : {}), ...(x.phone !== undefined ? { phone: x.phone as string } : {}) };
  });
}

/** A pending record as the fold keeps it, back to its fields (no blob: the key stays where it was written). */
function stripPending(p: Pending & { created?: number; key?: unknown }): Pending {
  const { created: _c, key: _k, blob: _b, ...rest } = p;
  return rest;
}

/**
 * When a lifetime action is due (S-crt Trigger): at a percentage of the
 * validity (Key Vault: "lifetime_percentage"), or days before expiry.
 */
export function actionDueAt(trigger: { lifetime_percentage?: number; days_before_expiry?: number }, nbf: number, exp: number): number {
  if (trigger.lifetime_percentage !== undefined) return nbf + Math.floor(((exp - nbf) * trigger.lifetime_percentage) / 100);
  return exp - (trigger.days_before_expiry ?? 0) * DAY;
}

/**
 * The managed secret's value (D-crt): a PFX (standard base64 text, no
 * password) or PEM text, the private key first, then the certificate and its
 * chain; without the key when the policy makes it non-exportable.
 */
function secretValueOf(pki: Pki, nv: NewVersion, policy: IssuancePolicy): Uint8Array {
  const pkcs8 = policy.key_props.exportable ? privatePkcs8Der(nv.m) : undefined;
  try {
    const certs = [nv.cer, ...nv.chain];
    if (policy.secret_props.contentType === 'application/x-pkcs12') {
      return new Uint8Array(Buffer.from(Buffer.from(pki.writePfx({ ...(pkcs8 ? { privateKeyPkcs8: pkcs8 } : {}), chain: certs, password: '' })).toString('base64')));
    }
    const pem = (pkcs8 ? toPem('PRIVATE KEY', pkcs8) : '') + certs.map((c) => pki.derToPem(c, 'CERTIFICATE')).join('');
    return new Uint8Array(Buffer.from(pem));
  } finally {
    wipe(pkcs8);
  }
}

/** The key (PKCS#8, when the secret holds it) and certificates of a managed secret's value. */
function readSecretValue(pki: Pki, value: Uint8Array, contentType: string | undefined): { pkcs8?: Uint8Array; chain: Uint8Array[] } {
  const text = Buffer.from(value).toString('utf8');
  if (contentType === 'application/x-pkcs12') {
    const pfx = Buffer.from(text, 'base64');
    try {
      const got = pki.readPfx(pfx, '');
      return { ...(got.privateKeyPkcs8.length > 0 ? { pkcs8: got.privateKeyPkcs8 } : {}), chain: got.chain };
    } finally {
      pfx.fill(0);
    }
  }
  const chain = pki.pemToDers(text, 'CERTIFICATE');
  const key = pemBlocks(text, ['PRIVATE KEY'])[0];
  return { chain, ...(key ? { pkcs8: key } : {}) };
}

/**
 * ImportCertificate's value: PFX bytes (or its standard base64, as Key Vault
 * takes it), or PEM text with one private key and the certificates (PKCS#8,
 * PKCS#1 or SEC 1; an encrypted PKCS#8 with the password). The certificate is
 * the one whose public key is the private key's; the others are its chain.
 */
function readImport(pki: Pki, value: Uint8Array, password: string): NewVersion & { format: 'pfx' | 'pem' } {
  const text = Buffer.from(value).toString('latin1');
  if (/-----BEGIN /.test(text)) {
    const ders = pki.pemToDers(text, 'CERTIFICATE');
    if (ders.length === 0) throw badParameter('The PEM holds no certificate (a "BEGIN CERTIFICATE" block).');
    const m = importPem(text, password === '' ? undefined : password);
    return { ...orderChain(pki, m, ders), format: 'pem' };
  }
  let der = value;
  if (value[0] !== 0x30 && /^[A-Za-z0-9+/=\s]+$/.test(text)) der = new Uint8Array(Buffer.from(text.replace(/\s+/g, ''), 'base64'));
  const got = pki.readPfx(der, password);
  try {
    if (got.privateKeyPkcs8.length === 0) throw badParameter('The PFX holds no private key: a certificate is imported with its key.');
    const m = importPem(toPem('PRIVATE KEY', got.privateKeyPkcs8));
    return { ...orderChain(pki, m, got.chain), format: 'pfx' };
  } finally {
    wipe(got.privateKeyPkcs8);
  }
}

function orderChain(pki: Pki, m: KeyMaterial, ders: Uint8Array[]): NewVersion {
  try {
    const spki = certificateSpki(m);
    const i = ders.findIndex((d) => equalBytes(pki.parseCertificate(d).spki, spki));
    if (i < 0) throw badParameter('No certificate in the file belongs to its private key.');
    if (ders.length > MAX_CHAIN) throw badParameter(`A certificate chain holds at most ${MAX_CHAIN} certificates.`);
    return { m, cer: ders[i]!, chain: ders.filter((_, j) => j !== i) };
  } catch (e) {
    m.dispose();
    throw e;
  }
}

/**
 * The policy Key Vault makes for an imported certificate: its subject, SANs,
 * usages and validity, its key's type, issuer Unknown, and an EmailContacts
 * action at 80 % of the lifetime.
 */
function importedPolicy(read: NewVersion & { format: 'pfx' | 'pem' }, parsed: ParsedCertificate): IssuancePolicy {
  const d = read.m.describe();
  const sans = Object.fromEntries(Object.entries(parsed.sans).filter(([, l]) => l.length > 0));
  const months = Math.max(1, Math.min(1200, Math.round((parsed.notAfter - parsed.notBefore) / (30.44 * DAY))));
  return issuancePolicy({
    key_props: { exportable: true, kty: d.kty, reuse_key: false, ...(d.kty === 'RSA' ? { key_size: d.size } : { crv: d.crv }) },
    secret_props: { contentType: read.format === 'pfx' ? 'application/x-pkcs12' : 'application/x-pem-file' },
    x509_props: {
      subject: parsed.subject,
      ...(Object.keys(sans).length > 0 ? { sans } : {}),
      ...(parsed.ekus.length > 0 ? { ekus: parsed.ekus } : {}),
      ...(parsed.keyUsage.length > 0 ? { key_usage: parsed.keyUsage as KeyUsage[] } : {}),
      validity_months: months,
    },
    lifetime_actions: [{ trigger: { lifetime_percentage: 80 }, action: { action_type: 'EmailContacts' } }],
    issuer: { name: 'Unknown' },
  });
}

