/**
 * Certificate records (format version 2; FORMAT.md §7.6): Key Vault
 * certificates (AKV-REFERENCE.md §3) with versions, one policy per
 * certificate, the pending operation of an issuance (a CSR waiting for a
 * merge or an ACME order), issuers and the vault's contacts; and the state of
 * a CA kept in the vault (its key sealed under the `ca` scope, the serials it
 * issued, its revocations and CRL numbers). A certificate's private key is its
 * managed key (keys/records.ts, origin "certificate") and its managed secret,
 * written in the same commit, as Key Vault composes them.
 */
import { bad, b64, bool, checkTags, fields, int, isInt, isObj, list, NAME, oneOf, str, text, VERSION, type Fields } from '../format/schema.js';
import { nameOnly } from '../keys/records.js';
import { CERTIFICATE_KEY_USAGES, REVOCATION_REASONS, type RevocationReason } from '../../../shared/certificate-types.js';
import type { CertificatePermission } from './permissions.js';
import { describeNamed } from '../state/record-change.js';
import type { HistoryChange } from '../../../shared/vault-types.js';

export const CERTIFICATE_ORIGINS = ['create', 'import', 'merge', 'renew', 'restore'] as const;
/** X.509 key usages as Key Vault's policy names them: defined once in shared/ for the app's forms too. */
export const KEY_USAGES = CERTIFICATE_KEY_USAGES;
export const PENDING_STATUSES = ['inProgress', 'completed', 'cancelled', 'failed'] as const;
/** RFC 5280 §5.3.1 CRLReason names. */
export { REVOCATION_REASONS, type RevocationReason } from '../../../shared/certificate-types.js';
/** Their CRLReason codes (RFC 5280 §5.3.1; 7 is not used), as CRLs and ACME (RFC 8555 §7.6) carry them. */
export const REVOCATION_REASON_CODES: Readonly<Record<RevocationReason, number>> = {
  unspecified: 0,
  keyCompromise: 1,
  cACompromise: 2,
  affiliationChanged: 3,
  superseded: 4,
  cessationOfOperation: 5,
  certificateHold: 6,
  removeFromCRL: 8,
  privilegeWithdrawn: 9,
  aACompromise: 10,
};
const HEX_SERIAL = /^[0-9a-f]{2,40}$/;
const OID = /^[0-2](\.(0|[1-9][0-9]*)){1,63}$/;

export interface CertificateVersionRecord {
  t: 'certificate';
  name: string;
  version: string;
  origin: (typeof CERTIFICATE_ORIGINS)[number];
  /** base64url DER of the X.509 certificate, then of its chain (leaf first unless preserveCertOrder). */
  cer: string;
  chain?: string[];
  /** base64url SHA-1 thumbprint (Key Vault's x5t). */
  x5t: string;
  /** The X.509 validity, Unix seconds (read-only attributes in Key Vault). */
  nbf: number;
  exp: number;
  enabled: boolean;
  tags?: Record<string, string>;
  preserveCertOrder?: boolean;
  created?: number;
  updated?: number;
}

export type CertificatePolicy = Record<string, unknown>;

/** An ACME issuer (Coffer's provider `ACME`, RFC 8555): where its CA is and how orders are validated. */
export interface AcmeIssuerFields {
  directory_url: string;
  email?: string;
  account_url?: string;
  challenge: 'http-01' | 'dns-01';
  /** The port of the http-01 responder (80 for a public CA). */
  http_port?: number;
  /** base64url DER of the CA certificate trusted for the directory's HTTPS (a private CA); Node's roots otherwise. */
  ca_certificate?: string;
}

export const ACME_CHALLENGES = ['http-01', 'dns-01'] as const;

export type CertificateRecord =
  | CertificateVersionRecord
  | { t: 'certificate.update'; name: string; version: string; set: { enabled?: boolean; tags?: Record<string, string> }; clear: never[] }
  | { t: 'certificate.delete'; name: string }
  | { t: 'certificate.recover'; name: string }
  | { t: 'certificate.purge'; name: string; versions: string[] }
  | { t: 'certificate.policy'; name: string; policy: CertificatePolicy }
  | {
      t: 'certificate.pending';
      name: string;
      request_id: string;
      csr: string;
      issuer: string;
      status: (typeof PENDING_STATUSES)[number];
      cancellation_requested: boolean;
      /** The version the certificate, its key and its secret will have. */
      version: string;
      /** The CSR's private key (PKCS#8), sealed under the `ca` scope until the merge. */
      blob?: number;
      error?: { code: string; message: string };
    }
  | { t: 'certificate.pending.delete'; name: string }
  | { t: 'certificate.revoke'; name: string; version: string; reason: RevocationReason; time: number }
  | {
      t: 'certificate.issuer';
      name: string;
      provider: string;
      enabled: boolean;
      account_id?: string;
      org_id?: string;
      admins?: { first_name?: string; last_name?: string; email?: string; phone?: string }[];
      /** The issuer's credential (an ACME account key, PKCS#8), sealed under `ca`; with the `version` that names it (§6.7). */
      blob?: number;
      version?: string;
      acme?: AcmeIssuerFields;
    }
  | { t: 'certificate.issuer.delete'; name: string }
  | { t: 'certificate.contacts'; contacts: { email: string; name?: string; phone?: string }[] }
  | { t: 'ca'; name: string; version: string; blob: number; cer: string; enabled: boolean; parent?: string; pathLength?: number }
  | { t: 'ca.issue'; name: string; serial: string; notAfter: number; subject: string }
  | { t: 'ca.revoke'; name: string; serial: string; reason: (typeof REVOCATION_REASONS)[number]; time: number }
  | { t: 'ca.crl'; name: string; number: number; time: number }
  | { t: 'ca.delete'; name: string };

const strings = (v: unknown, max: number, len: number, what: string): string[] => list(v, max, what, (x, w) => text(x, len, w));

/** CertificatePolicy (AKV-REFERENCE.md §3.2; S-crt), as Key Vault's JSON names it: its shape (SchemaError otherwise). */
export function policy(v: unknown, what: string): void {
  if (!isObj(v)) return void bad(`${what} is invalid`);
  fields(v, [], ['key_props', 'secret_props', 'x509_props', 'lifetime_actions', 'issuer', 'attributes'], what);
  if (v.key_props !== undefined) {
    const k = v.key_props;
    if (!isObj(k)) return void bad(`${what}.key_props is invalid`);
    fields(k, [], ['exportable', 'kty', 'key_size', 'reuse_key', 'crv'], `${what}.key_props`);
    if (k.exportable !== undefined) bool(k.exportable, `${what}.key_props.exportable`);
    if (k.reuse_key !== undefined) bool(k.reuse_key, `${what}.key_props.reuse_key`);
    if (k.kty !== undefined) oneOf(k.kty, ['RSA', 'RSA-HSM', 'EC', 'EC-HSM', 'oct', 'oct-HSM'] as const, `${what}.key_props.kty`);
    if (k.key_size !== undefined) int(k.key_size, 128, 4096, `${what}.key_props.key_size`);
    if (k.crv !== undefined) oneOf(k.crv, ['P-256', 'P-384', 'P-521', 'P-256K'] as const, `${what}.key_props.crv`);
  }
  if (v.secret_props !== undefined) {
    if (!isObj(v.secret_props)) return void bad(`${what}.secret_props is invalid`);
    fields(v.secret_props, [], ['contentType'], `${what}.secret_props`);
    if (v.secret_props.contentType !== undefined) oneOf(v.secret_props.contentType, ['application/x-pkcs12', 'application/x-pem-file'] as const, `${what}.secret_props.contentType`);
  }
  if (v.x509_props !== undefined) {
    const x = v.x509_props;
    if (!isObj(x)) return void bad(`${what}.x509_props is invalid`);
    fields(x, [], ['subject', 'ekus', 'sans', 'key_usage', 'validity_months'], `${what}.x509_props`);
    if (x.subject !== undefined) text(x.subject, 1024, `${what}.x509_props.subject`);
    if (x.ekus !== undefined) list(x.ekus, 32, `${what}.x509_props.ekus`, (e, w) => str(e, OID, w));
    if (x.key_usage !== undefined) list(x.key_usage, KEY_USAGES.length, `${what}.x509_props.key_usage`, (e, w) => oneOf(e, KEY_USAGES, w));
    if (x.validity_months !== undefined) int(x.validity_months, 0, 1200, `${what}.x509_props.validity_months`);
    if (x.sans !== undefined) {
      if (!isObj(x.sans)) return void bad(`${what}.x509_props.sans is invalid`);
      fields(x.sans, [], ['emails', 'dns_names', 'upns', 'uris', 'ipAddresses'], `${what}.x509_props.sans`);
      for (const k of Object.keys(x.sans)) strings(x.sans[k], 256, 1024, `${what}.x509_props.sans.${k}`);
    }
  }
  if (v.lifetime_actions !== undefined) {
    list(v.lifetime_actions, 2, `${what}.lifetime_actions`, (a, w) => {
      if (!isObj(a) || !isObj(a.trigger) || !isObj(a.action)) return bad(`${w} is invalid`);
      fields(a, ['trigger', 'action'], [], w);
      fields(a.trigger, [], ['lifetime_percentage', 'days_before_expiry'], `${w}.trigger`);
      if (Object.keys(a.trigger).length !== 1) bad(`${w}.trigger needs exactly one of lifetime_percentage and days_before_expiry`);
      if (a.trigger.lifetime_percentage !== undefined) int(a.trigger.lifetime_percentage, 1, 99, `${w}.trigger.lifetime_percentage`);
      if (a.trigger.days_before_expiry !== undefined) int(a.trigger.days_before_expiry, 1, 1200 * 27, `${w}.trigger.days_before_expiry`);
      fields(a.action, ['action_type'], [], `${w}.action`);
      return oneOf(a.action.action_type, ['EmailContacts', 'AutoRenew'] as const, `${w}.action.action_type`);
    });
  }
  if (v.issuer !== undefined) {
    if (!isObj(v.issuer)) return void bad(`${what}.issuer is invalid`);
    fields(v.issuer, ['name'], ['cty', 'cert_transparency'], `${what}.issuer`);
    text(v.issuer.name, 127, `${what}.issuer.name`);
    if (v.issuer.cty !== undefined) text(v.issuer.cty, 64, `${what}.issuer.cty`);
    if (v.issuer.cert_transparency !== undefined) bool(v.issuer.cert_transparency, `${what}.issuer.cert_transparency`);
  }
  if (v.attributes !== undefined) {
    if (!isObj(v.attributes)) return void bad(`${what}.attributes is invalid`);
    fields(v.attributes, [], ['enabled'], `${what}.attributes`);
    if (v.attributes.enabled !== undefined) bool(v.attributes.enabled, `${what}.attributes.enabled`);
  }
}

function times(o: Fields, what: string, keys: readonly string[]): void {
  for (const k of keys) if (o[k] !== undefined && !isInt(o[k])) bad(`${what}.${k} is invalid`);
}

const ORIGIN_PERMISSION: Record<CertificateVersionRecord['origin'], CertificatePermission> = {
  create: 'certificates/create',
  import: 'certificates/import',
  merge: 'certificates/create',
  renew: 'certificates/create',
  restore: 'certificates/restore',
};

const named =
  (extra: (v: Fields, what: string, ctx: { blobCount: number }) => void, required: string[] = [], optional: string[] = []) =>
  (v: Fields, what: string, ctx: { blobCount: number }) => {
    fields(v, ['t', 'name', ...required], optional, what);
    str(v.name, NAME, `${what}.name`);
    extra(v, what, ctx);
  };

export const certificateRecordSchemas = {
  certificate: {
    validate: named(
      (v, what) => {
        str(v.version, VERSION, `${what}.version`);
        oneOf(v.origin, CERTIFICATE_ORIGINS, `${what}.origin`);
        b64(v.cer, `${what}.cer`);
        if (v.chain !== undefined) list(v.chain, 16, `${what}.chain`, (c, w) => b64(c, w));
        b64(v.x5t, `${what}.x5t`, 20);
        times(v, what, ['nbf', 'exp', 'created', 'updated']);
        if (!isInt(v.nbf) || !isInt(v.exp)) bad(`${what}: nbf and exp are required`);
        bool(v.enabled, `${what}.enabled`);
        if (v.preserveCertOrder !== undefined) bool(v.preserveCertOrder, `${what}.preserveCertOrder`);
        if (v.tags !== undefined) checkTags(v.tags, `${what}.tags`);
      },
      ['version', 'origin', 'cer', 'x5t', 'nbf', 'exp', 'enabled'],
      ['chain', 'tags', 'preserveCertOrder', 'created', 'updated'],
    ),
    permission: (r: CertificateVersionRecord): CertificatePermission => ORIGIN_PERMISSION[r.origin],
    since: 2,
  },
  'certificate.update': {
    validate: named(
      (v, what) => {
        str(v.version, VERSION, `${what}.version`);
        if (!isObj(v.set)) return void bad(`${what}.set is invalid`);
        fields(v.set, [], ['enabled', 'tags'], `${what}.set`);
        if (v.set.enabled !== undefined) bool(v.set.enabled, `${what}.set.enabled`);
        if (v.set.tags !== undefined) checkTags(v.set.tags, `${what}.set.tags`);
        list(v.clear, 0, `${what}.clear`, (x) => x);
      },
      ['version', 'set', 'clear'],
    ),
    permission: (): CertificatePermission => 'certificates/update',
    since: 2,
  },
  'certificate.delete': { validate: nameOnly, permission: (): CertificatePermission => 'certificates/delete', since: 2 },
  'certificate.recover': { validate: nameOnly, permission: (): CertificatePermission => 'certificates/recover', since: 2 },
  'certificate.purge': {
    validate: named((v, what) => void list(v.versions, 100_000, `${what}.versions`, (x, w) => str(x, VERSION, w)), ['versions']),
    permission: (): CertificatePermission => 'certificates/purge',
    since: 2,
  },
  'certificate.policy': {
    validate: named((v, what) => policy(v.policy, `${what}.policy`), ['policy']),
    permission: (): CertificatePermission => 'certificates/update',
    since: 2,
  },
  'certificate.pending': {
    validate: named(
      (v, what, ctx) => {
        if (v.blob !== undefined) int(v.blob, 0, ctx.blobCount - 1, `${what}.blob`);
        str(v.request_id, VERSION, `${what}.request_id`);
        b64(v.csr, `${what}.csr`);
        text(v.issuer, 127, `${what}.issuer`);
        oneOf(v.status, PENDING_STATUSES, `${what}.status`);
        bool(v.cancellation_requested, `${what}.cancellation_requested`);
        str(v.version, VERSION, `${what}.version`);
        if (v.error !== undefined) {
          if (!isObj(v.error)) return void bad(`${what}.error is invalid`);
          fields(v.error, ['code', 'message'], [], `${what}.error`);
          text(v.error.code, 64, `${what}.error.code`);
          text(v.error.message, 1024, `${what}.error.message`, true);
        }
      },
      ['request_id', 'csr', 'issuer', 'status', 'cancellation_requested', 'version'],
      ['error', 'blob'],
    ),
    permission: (): CertificatePermission => 'certificates/create',
    blobOf: (r: { blob?: number }): number | undefined => r.blob,
    since: 2,
  },
  'certificate.pending.delete': { validate: nameOnly, permission: (): CertificatePermission => 'certificates/delete', since: 2 },
  // A version revoked by its CA (a vault CA's or an ACME CA's), as the revoking member recorded it.
  'certificate.revoke': {
    validate: named(
      (v, what) => {
        str(v.version, VERSION, `${what}.version`);
        oneOf(v.reason, REVOCATION_REASONS, `${what}.reason`);
        if (!isInt(v.time)) bad(`${what}.time is invalid`);
      },
      ['version', 'reason', 'time'],
    ),
    permission: (): CertificatePermission => 'certificates/update',
    since: 2,
  },
  'certificate.issuer': {
    validate(v: Fields, what: string, ctx: { blobCount: number }): void {
      fields(v, ['t', 'name', 'provider', 'enabled'], ['account_id', 'org_id', 'admins', 'blob', 'version', 'acme'], what);
      text(v.name, 127, `${what}.name`);
      text(v.provider, 64, `${what}.provider`);
      bool(v.enabled, `${what}.enabled`);
      if (v.account_id !== undefined) text(v.account_id, 256, `${what}.account_id`);
      if (v.org_id !== undefined) text(v.org_id, 256, `${what}.org_id`);
      if (v.admins !== undefined) {
        list(v.admins, 16, `${what}.admins`, (a, w) => {
          if (!isObj(a)) return bad(`${w} is invalid`);
          fields(a, [], ['first_name', 'last_name', 'email', 'phone'], w);
          for (const k of Object.keys(a)) text(a[k], 256, `${w}.${k}`);
          return a;
        });
      }
      // The issuer's credential is a value, sealed under the kind's scope (`ca`), named by `version`.
      if (v.blob !== undefined) {
        int(v.blob, 0, ctx.blobCount - 1, `${what}.blob`);
        if (v.version === undefined) bad(`${what}.version is required with a blob`);
      }
      if (v.version !== undefined) str(v.version, VERSION, `${what}.version`);
      if (v.acme !== undefined) {
        const a = v.acme;
        if (!isObj(a)) return void bad(`${what}.acme is invalid`);
        fields(a, ['directory_url', 'challenge'], ['email', 'account_url', 'http_port', 'ca_certificate'], `${what}.acme`);
        text(a.directory_url, 2048, `${what}.acme.directory_url`);
        oneOf(a.challenge, ACME_CHALLENGES, `${what}.acme.challenge`);
        if (a.email !== undefined) text(a.email, 256, `${what}.acme.email`);
        if (a.account_url !== undefined) text(a.account_url, 2048, `${what}.acme.account_url`);
        if (a.http_port !== undefined) int(a.http_port, 1, 65535, `${what}.acme.http_port`);
        if (a.ca_certificate !== undefined) b64(a.ca_certificate, `${what}.acme.ca_certificate`);
      }
    },
    permission: (): CertificatePermission => 'certificatecas/write',
    blobOf: (r: { blob?: number }): number | undefined => r.blob,
    since: 2,
  },
  'certificate.issuer.delete': {
    validate(v: Fields, what: string): void {
      fields(v, ['t', 'name'], [], what);
      text(v.name, 127, `${what}.name`);
    },
    permission: (): CertificatePermission => 'certificatecas/delete',
    since: 2,
  },
  'certificate.contacts': {
    validate(v: Fields, what: string): void {
      fields(v, ['t', 'contacts'], [], what);
      list(v.contacts, 64, `${what}.contacts`, (c, w) => {
        if (!isObj(c)) return bad(`${w} is invalid`);
        fields(c, ['email'], ['name', 'phone'], w);
        text(c.email, 256, `${w}.email`);
        if (c.name !== undefined) text(c.name, 256, `${w}.name`);
        if (c.phone !== undefined) text(c.phone, 64, `${w}.phone`);
        return c;
      });
    },
    permission: (): CertificatePermission => 'certificatecontacts/write',
    since: 2,
  },
} as const;

/** A CA kept in the vault: its records, folded by the `cas` kind (valueScope `ca`). */
export const caRecordSchemas = {
  ca: {
    validate: named(
      (v, what, ctx) => {
        str(v.version, VERSION, `${what}.version`);
        int(v.blob, 0, ctx.blobCount - 1, `${what}.blob`);
        b64(v.cer, `${what}.cer`);
        bool(v.enabled, `${what}.enabled`);
        if (v.parent !== undefined) str(v.parent, NAME, `${what}.parent`);
        if (v.pathLength !== undefined) int(v.pathLength, 0, 16, `${what}.pathLength`);
      },
      ['version', 'blob', 'cer', 'enabled'],
      ['parent', 'pathLength'],
    ),
    permission: (): CertificatePermission => 'certificatecas/write',
    writesValue: true,
    since: 2,
  },
  'ca.issue': {
    validate: named(
      (v, what) => {
        str(v.serial, HEX_SERIAL, `${what}.serial`);
        if (!isInt(v.notAfter)) bad(`${what}.notAfter is invalid`);
        text(v.subject, 1024, `${what}.subject`);
      },
      ['serial', 'notAfter', 'subject'],
    ),
    permission: (): CertificatePermission => 'certificatecas/write',
    since: 2,
  },
  'ca.revoke': {
    validate: named(
      (v, what) => {
        str(v.serial, HEX_SERIAL, `${what}.serial`);
        oneOf(v.reason, REVOCATION_REASONS, `${what}.reason`);
        if (!isInt(v.time)) bad(`${what}.time is invalid`);
      },
      ['serial', 'reason', 'time'],
    ),
    permission: (): CertificatePermission => 'certificatecas/write',
    since: 2,
  },
  'ca.crl': {
    validate: named(
      (v, what) => {
        int(v.number, 1, Number.MAX_SAFE_INTEGER, `${what}.number`);
        if (!isInt(v.time)) bad(`${what}.time is invalid`);
      },
      ['number', 'time'],
    ),
    permission: (): CertificatePermission => 'certificatecas/write',
    since: 2,
  },
  'ca.delete': { validate: nameOnly, permission: (): CertificatePermission => 'certificatecas/delete', since: 2 },
} as const;

const describeCertificate = describeNamed('certificates', {
  certificate: 'new version',
  'certificate.update': 'attributes',
  'certificate.delete': 'deleted',
  'certificate.recover': 'recovered',
  'certificate.purge': 'purged',
  'certificate.policy': 'policy',
  'certificate.pending': 'certificate request',
  'certificate.pending.delete': 'request deleted',
  'certificate.revoke': 'revoked',
});
const describeIssuer = describeNamed('certificates/issuers', { 'certificate.issuer': 'issuer set', 'certificate.issuer.delete': 'issuer deleted' });

/**
 * How the vault's history names certificate records (state/record-change.ts). Issuers
 * are named apart from certificates (a name holds no `/`, so they never meet), and the
 * contacts are the collection's own.
 */
export function describeCertificateRecord(r: { t: string }): HistoryChange | undefined {
  if (r.t === 'certificate.contacts') return { kind: 'certificates', object: 'certificates', action: 'contacts' };
  const issuer = describeIssuer(r);
  return issuer ? { ...issuer, kind: 'certificates' } : describeCertificate(r);
}

/** How the vault's history names the CAs' records (state/record-change.ts). */
export const describeCaRecord = describeNamed('cas', {
  ca: 'new version',
  'ca.issue': 'certificate issued',
  'ca.revoke': 'certificate revoked',
  'ca.crl': 'CRL',
  'ca.delete': 'deleted',
});
