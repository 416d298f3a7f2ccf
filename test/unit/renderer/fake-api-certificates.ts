/// <reference lib="dom" />
/**
 * The `certificates:*` channels of the renderer's fake main (fake-api.ts):
 * the handlers' observable behaviour (Results, soft delete, a pending CSR and
 * its merge, export through the save dialog's answer, the policy's PATCH of
 * sections) with fake X.509: a version is its subject, issuer, SANs and
 * validity, and its "DER" and thumbprints are placeholders derived from them.
 * ACME issuers: http-01 issues at once; dns-01 emits a `dnsChallenge` event
 * and answers once `certificates:dnsReady` (issued) or `dnsCancel` (IoError,
 * cancelled) names its id, as main does. The vault's certificate contacts:
 * set replaces the list, delete empties it; a member whose roles lack
 * certificatecontacts/* (`contactsForbidden`) gets the engine's Forbidden.
 */
import type { AppEvent, ChannelInput, ErrorResult, Result } from '../../../shared/contract.js';
import {
  issuerNameOf,
  type CertificateAuthorityView,
  type CertificateContact,
  type CertificateIssuerView,
  type CertificateDetailsView,
  type CertificateListItem,
  type CertificateOperationView,
  type RevocationReason,
} from '../../../shared/certificate-types.js';
import type { CertificateBundle, CertificateItem, CertificatePolicyBundle, DeletedCertificateItem } from '../../../shared/keyvault.js';
import { SECRET_NAME_PATTERN as NAME } from '../../../shared/limits.js';

export interface FakeCertVersion {
  version: string;
  subject: string;
  issuer: string;
  /** The CA of the vault that issued it, if one did. */
  ca?: string;
  sans: string[];
  nbf: number;
  exp: number;
  enabled: boolean;
  tags?: Record<string, string>;
  created: number;
  updated: number;
}

export interface FakeCert {
  name: string;
  /** Oldest first. */
  versions: FakeCertVersion[];
  policy: Omit<CertificatePolicyBundle, 'id'>;
  deleted?: { deletedDate: number; scheduledPurgeDate: number };
  pending?: CertificateOperationView;
}

/** A vault's certificates and CAs (fake-api's FakeVault holds one). */
export interface FakeCertStore {
  certs: Map<string, FakeCert>;
  cas: CertificateAuthorityView[];
  /** The vault's ACME issuers, as main lists them. */
  issuers: CertificateIssuerView[];
  /** Every revocation: the certificate, its version, the reason. */
  revoked: { name: string; version: string; reason: string; time: number }[];
  /** The vault's certificate contacts (none when unset). */
  contacts?: CertificateContact[];
  /** This member's roles lack certificatecontacts/read and /write (Key Vault Reader): Forbidden, as the engine answers. */
  contactsForbidden?: boolean;
}

/** An ACME issuer as main answers it (pebble's directory by default). */
export function fakeIssuer(name: string, acme: Partial<NonNullable<CertificateIssuerView['acme']>> = {}, enabled = true): CertificateIssuerView {
  return {
    id: `coffer://${'0123456789abcdef0123456789abcdef'}/certificates/issuers/${name}`,
    provider: 'ACME',
    attributes: { enabled, created: 1, updated: 1 },
    acme: { directory_url: 'https://127.0.0.1:14000/dir', challenge: 'http-01', account_url: 'https://127.0.0.1:14000/my-account/1', ...acme },
  };
}

/** What the fake's dns-01 orders ask to publish. */
export const FAKE_TXT_VALUE = 'fake-dns-01-value-0123456789abcdefghijklmnopq';

export interface FakeCertContext {
  vaultId: string;
  /** The open vault's store, or the error main answers (locked). */
  store(): FakeCertStore | ErrorResult;
  /** The same for writes (a vault that lacks commits is read-only). */
  writableStore(): FakeCertStore | ErrorResult;
  now(): number;
  newVersion(): string;
  /** What the save dialog answers next: a path, or null for Cancel. */
  nextSavePath(): string | null;
  copy(text: string): Result<{ clearsInSeconds: number }>;
  /** Every export written: name, format, path, and whether it had a password (never the password). */
  exports: { name: string; format: string; path: string; protected: boolean }[];
  /** Sends an event as main would. */
  emit(event: AppEvent): void;
}

/** The password of the fake PFX files tests import (`FAKE-PFX` text); another answers BadParameter. */
export const FAKE_PFX_PASSWORD = 'pfx password';
export const FAKE_PFX = 'FAKE-PFX subject=CN=imported.example.com';
const DAY = 86_400;
const MONTH = 30 * DAY;

const err = (code: ErrorResult['code'], message: string): ErrorResult => ({ ok: false, code, message });
const ok = <T>(value: T): Result<T> => ({ ok: true, value });

export const FAKE_DEFAULT_POLICY: Omit<CertificatePolicyBundle, 'id'> = {
  key_props: { exportable: true, kty: 'RSA', key_size: 2048, reuse_key: true },
  secret_props: { contentType: 'application/x-pkcs12' },
  x509_props: { subject: 'CN=CLIGetDefaultPolicy', key_usage: ['digitalSignature', 'keyEncipherment'], validity_months: 12 },
  lifetime_actions: [{ trigger: { days_before_expiry: 90 }, action: { action_type: 'AutoRenew' } }],
  issuer: { name: 'Self' },
};

/** A placeholder thumbprint of a version (hex pairs, as node prints them). */
function fakeHex(x: FakeCertVersion, bytes: number): string {
  let h = 0;
  for (const c of `${x.version}${x.subject}`) h = (h * 31 + c.charCodeAt(0)) >>> 0;
  const out: string[] = [];
  for (let i = 0; i < bytes; i++) {
    h = (h * 1103515245 + 12345) >>> 0;
    out.push(((h >>> 16) & 0xff).toString(16).padStart(2, '0').toUpperCase());
  }
  return out.join(':');
}

export function certificateChannels(ctx: FakeCertContext) {
  const id = (c: FakeCert, x?: FakeCertVersion) => `coffer://${ctx.vaultId}/certificates/${c.name}${x ? `/${x.version}` : ''}`;
  const latest = (c: FakeCert) => c.versions[c.versions.length - 1]!;
  const attrs = (x: FakeCertVersion) => ({ enabled: x.enabled, nbf: x.nbf, exp: x.exp, created: x.created, updated: x.updated, recoveryLevel: 'Recoverable+Purgeable' as const, recoverableDays: 90 });
  const x5t = (x: FakeCertVersion) => btoa(fakeHex(x, 20).replace(/:/g, '')).replace(/=+$/, '').replace(/\+/g, '-').replace(/\//g, '_');
  const item = (c: FakeCert, x: FakeCertVersion, withVersion: boolean): CertificateItem => ({
    id: id(c, withVersion ? x : undefined),
    attributes: attrs(x),
    ...(x.tags ? { tags: { ...x.tags } } : {}),
    x5t: x5t(x),
  });
  const bundle = (c: FakeCert, x: FakeCertVersion): CertificateBundle => ({
    id: id(c, x),
    kid: `coffer://${ctx.vaultId}/keys/${c.name}/${x.version}`,
    sid: `coffer://${ctx.vaultId}/secrets/${c.name}/${x.version}`,
    x5t: x5t(x),
    cer: btoa(`FAKE-DER ${x.subject}`),
    contentType: c.policy.secret_props?.contentType ?? 'application/x-pkcs12',
    attributes: attrs(x),
    ...(x.tags ? { tags: { ...x.tags } } : {}),
    policy: policyBundle(c),
  });
  const policyBundle = (c: FakeCert): CertificatePolicyBundle => ({ id: `${id(c)}/policy`, ...structuredClone(c.policy) });
  const deletedInfo = (c: FakeCert) => ({ recoveryId: `coffer://${ctx.vaultId}/deletedcertificates/${c.name}`, ...c.deleted! });
  const notFound = (name: string) => err('CertificateNotFound', `A certificate with (name/id) ${name} was not found in this key vault.`);
  const live = (s: FakeCertStore, name: string): FakeCert | ErrorResult => {
    const c = s.certs.get(name.toLowerCase());
    return c && !c.deleted && c.versions.length > 0 ? c : notFound(name);
  };
  const liveWrite = (name: string): { s: FakeCertStore; c: FakeCert } | ErrorResult => {
    const s = ctx.writableStore();
    if ('ok' in s) return s;
    const c = live(s, name);
    return 'ok' in c ? c : { s, c };
  };
  const versionOf = (c: FakeCert, version?: string): FakeCertVersion | ErrorResult =>
    (version === undefined ? latest(c) : c.versions.find((x) => x.version === version)) ?? notFound(`${c.name}/${version ?? ''}`);
  const sansOf = (p: Omit<CertificatePolicyBundle, 'id'>): string[] => [
    ...(p.x509_props?.sans?.dns_names ?? []).map((d) => `DNS:${d}`),
    ...(p.x509_props?.sans?.emails ?? []).map((d) => `email:${d}`),
    ...(p.x509_props?.sans?.ipAddresses ?? []).map((d) => `IP Address:${d}`),
    ...(p.x509_props?.sans?.uris ?? []).map((d) => `URI:${d}`),
  ];
  /** A new version by the policy's issuer, or a pending CSR for Unknown. */
  const issue = (s: FakeCertStore, name: string, policy: Omit<CertificatePolicyBundle, 'id'>, extra: { enabled?: boolean; tags?: Record<string, string> }): Result<CertificateOperationView> => {
    const key = name.toLowerCase();
    const c: FakeCert = s.certs.get(key) ?? { name, versions: [], policy };
    c.policy = policy;
    const issuer = policy.issuer?.name ?? 'Unknown';
    const subject = policy.x509_props?.subject ?? '';
    if (subject.trim() === '') return err('BadParameter', 'policy.x509_props.subject is required to issue a certificate (for example "CN=www.example.com").');
    const request_id = ctx.newVersion();
    if (issuer === 'Unknown') {
      if (c.pending?.status === 'inProgress') return err('Conflict', `Certificate ${c.name} already has a pending request: merge, cancel or delete it first.`);
      const csr = btoa(`FAKE-CSR ${subject}`);
      c.pending = {
        id: `${id(c)}/pending`,
        issuer: { name: 'Unknown' },
        csr,
        csrPem: `-----BEGIN CERTIFICATE REQUEST-----\n${csr}\n-----END CERTIFICATE REQUEST-----\n`,
        cancellation_requested: false,
        status: 'inProgress',
        status_details: 'Pending certificate created. Please Perform Merge to complete the request.',
        request_id,
      };
      s.certs.set(key, c);
      return ok(structuredClone(c.pending));
    }
    const acme = issuerNamed(s, issuer);
    if (acme) {
      if (!acme.attributes.enabled) return err('Forbidden', `Issuer ${issuer} is disabled.`);
      addVersion(c, { subject, issuer: 'CN=Pebble Intermediate CA', sans: sansOf(policy), months: policy.x509_props?.validity_months ?? 3, ...extra });
      s.certs.set(key, c);
      return ok({ id: `${id(c)}/pending`, issuer: { name: issuer }, cancellation_requested: false, status: 'completed', target: id(c), request_id });
    }
    const ca = issuer === 'Self' ? undefined : s.cas.find((a) => a.name.toLowerCase() === issuer.toLowerCase());
    if (issuer !== 'Self' && !ca) return err('NotFound', `No certificate authority named ${issuer} is kept in this vault (\`coffer ca list\`).`);
    addVersion(c, { subject, issuer: ca?.subject ?? subject, ...(ca ? { ca: ca.name } : {}), sans: sansOf(policy), months: policy.x509_props?.validity_months ?? 12, ...extra });
    s.certs.set(key, c);
    return ok({ id: `${id(c)}/pending`, issuer: { name: issuer }, cancellation_requested: false, status: 'completed', target: id(c), request_id });
  };
  const addVersion = (c: FakeCert, v: { subject: string; issuer: string; ca?: string; sans: string[]; months: number; enabled?: boolean; tags?: Record<string, string> }): FakeCertVersion => {
    const t = ctx.now() + c.versions.length;
    const x: FakeCertVersion = {
      version: ctx.newVersion(),
      subject: v.subject,
      issuer: v.issuer,
      ...(v.ca ? { ca: v.ca } : {}),
      sans: v.sans,
      nbf: t,
      exp: t + v.months * MONTH,
      enabled: v.enabled ?? true,
      ...(v.tags ? { tags: { ...v.tags } } : {}),
      created: t,
      updated: t,
    };
    c.versions.push(x);
    return x;
  };

  const issuerNamed = (s: FakeCertStore, name: string) => s.issuers.find((i) => issuerNameOf(i).toLowerCase() === name.toLowerCase());
  /** dns-01 records waiting for the user's answer, by id. */
  const waiting = new Map<string, (answer: 'ready' | 'cancel') => void>();
  let dnsIds = 0;
  /** Issues, first waiting for the user to publish the TXT record when the policy's issuer validates by dns-01. */
  const issueWithDns = (s: FakeCertStore, name: string, policy: Omit<CertificatePolicyBundle, 'id'>, extra: { enabled?: boolean; tags?: Record<string, string> }) => {
    const acme = issuerNamed(s, policy.issuer?.name ?? '');
    if (acme?.acme?.challenge !== 'dns-01' || !acme.attributes.enabled) return issue(s, name, policy, extra);
    const host = policy.x509_props?.sans?.dns_names?.[0] ?? (policy.x509_props?.subject ?? '').replace(/^CN=/, '');
    const dnsId = `00000000-0000-4000-8000-${(++dnsIds).toString(16).padStart(12, '0')}`;
    return new Promise<Result<CertificateOperationView>>((resolve) => {
      waiting.set(dnsId, (answer) => resolve(answer === 'ready' ? issue(s, name, policy, extra) : err('IoError', `The ACME order for ${host} was cancelled.`)));
      ctx.emit({ type: 'dnsChallenge', id: dnsId, certificate: name, name: `_acme-challenge.${host}`, value: FAKE_TXT_VALUE });
    });
  };
  const answer = (dnsId: string, a: 'ready' | 'cancel'): Result<null> => {
    const w = waiting.get(dnsId);
    if (!w) return err('NotFound', 'No DNS record with this id is waiting: its order ended, or the vault was locked.');
    waiting.delete(dnsId);
    w(a);
    return ok(null);
  };

  const contactsOf = (s: FakeCertStore) => ({ id: `coffer://${ctx.vaultId}/certificates/contacts`, contacts: structuredClone(s.contacts ?? []) });
  const contactsForbidden = (p: 'read' | 'write') => err('Forbidden', `Caller is not authorized to perform this action (certificatecontacts/${p}) on this vault.`);

  type In<C extends `certificates:${string}` & keyof import('../../../shared/contract.js').Contract> = ChannelInput<C>;
  return {
    'certificates:list': () => {
      const s = ctx.store();
      if ('ok' in s) return s;
      const out: CertificateListItem[] = [];
      for (const c of s.certs.values()) {
        if (c.deleted || c.versions.length === 0) continue;
        const x = latest(c);
        out.push({ ...item(c, x, false), subject: x.subject, issuer: x.issuer });
      }
      return ok(out.sort((a, b) => (a.id.toLowerCase() < b.id.toLowerCase() ? -1 : 1)));
    },
    'certificates:listVersions': ({ name }: In<'certificates:listVersions'>) => {
      const s = ctx.store();
      if ('ok' in s) return s;
      const c = live(s, name);
      if ('ok' in c) return c;
      return ok(c.versions.map((x) => item(c, x, true)));
    },
    'certificates:listDeleted': () => {
      const s = ctx.store();
      if ('ok' in s) return s;
      const out: DeletedCertificateItem[] = [];
      for (const c of s.certs.values()) if (c.deleted) out.push({ ...item(c, latest(c), false), ...deletedInfo(c) });
      return ok(out);
    },
    'certificates:get': ({ name, version }: In<'certificates:get'>) => {
      const s = ctx.store();
      if ('ok' in s) return s;
      const c = live(s, name);
      if ('ok' in c) return c;
      const x = versionOf(c, version);
      if ('ok' in x) return x;
      const ca = x.ca ? s.cas.find((a) => a.name === x.ca) : undefined;
      const chain: CertificateDetailsView['chain'] = [{ subject: x.subject, issuer: x.issuer, notAfter: x.exp }];
      for (let at = ca; at; at = at.parent ? s.cas.find((a) => a.name === at!.parent) : undefined) {
        const parent = at.parent ? s.cas.find((a) => a.name === at!.parent) : undefined;
        chain.push({ subject: at.subject, issuer: parent?.subject ?? at.subject, notAfter: at.notAfter, ca: at.name });
      }
      const kp = c.policy.key_props ?? {};
      const details: CertificateDetailsView = {
        bundle: bundle(c, x),
        facts: {
          subject: x.subject,
          issuer: x.issuer,
          sans: [...x.sans],
          serial: x.version.slice(0, 16),
          notBefore: x.nbf,
          notAfter: x.exp,
          x5t: x5t(x),
          sha1: fakeHex(x, 20),
          sha256: fakeHex(x, 32),
          selfSigned: x.issuer === x.subject,
          keyType: kp.kty === 'EC' ? 'EC' : 'RSA',
          ...(kp.kty === 'EC' ? { keyCurve: kp.crv ?? 'P-256' } : { keySize: kp.key_size ?? 2048 }),
        },
        chain,
        ...(c.pending?.status === 'inProgress' ? { pending: structuredClone(c.pending) } : {}),
      };
      const acme = issuerNamed(s, c.policy.issuer?.name ?? '');
      if (x.ca) details.revoker = { kind: 'ca', name: x.ca };
      else if (acme) details.revoker = { kind: 'acme', name: issuerNameOf(acme) };
      const revoked = s.revoked.find((r) => r.name === c.name && r.version === x.version);
      if (revoked) details.revoked = { reason: revoked.reason as RevocationReason, time: revoked.time };
      return ok(details);
    },
    'certificates:defaultPolicy': () => ok(structuredClone(FAKE_DEFAULT_POLICY)),
    'certificates:create': ({ name, policy, enabled, tags }: In<'certificates:create'>) => {
      const s = ctx.writableStore();
      if ('ok' in s) return s;
      if (!NAME.test(name)) return err('BadParameter', 'name: must be 1-127 characters of 0-9, a-z, A-Z and -');
      const c = s.certs.get(name.toLowerCase());
      if (c?.deleted) return err('Conflict', `Certificate ${name} is currently in a deleted but recoverable state, and its name cannot be reused.`);
      return issueWithDns(s, c?.name ?? name, structuredClone(policy) as Omit<CertificatePolicyBundle, 'id'>, { ...(enabled === undefined ? {} : { enabled }), ...(tags ? { tags } : {}) });
    },
    'certificates:import': ({ name, value, password, enabled, tags }: In<'certificates:import'>) => {
      const s = ctx.writableStore();
      if ('ok' in s) return s;
      const text = atob(value.replace(/-/g, '+').replace(/_/g, '/') + '='.repeat((4 - (value.length % 4)) % 4));
      if (!text.startsWith('FAKE-PFX')) return err('BadParameter', 'The file is neither a PFX nor PEM with a private key and its certificate.');
      if ((password ?? '') !== FAKE_PFX_PASSWORD) return err('BadParameter', 'The PFX could not be read: wrong password, or damaged.');
      const subject = /subject=(\S+)/.exec(text)?.[1] ?? 'CN=imported';
      const key = name.toLowerCase();
      const c: FakeCert = s.certs.get(key) ?? { name, versions: [], policy: { ...structuredClone(FAKE_DEFAULT_POLICY), issuer: { name: 'Unknown' }, x509_props: { subject, validity_months: 12 } } };
      if (c.deleted) return err('Conflict', `Certificate ${name} is currently in a deleted but recoverable state.`);
      const x = addVersion(c, { subject, issuer: 'CN=Outside CA', sans: [], months: 12, ...(enabled === undefined ? {} : { enabled }), ...(tags ? { tags } : {}) });
      s.certs.set(key, c);
      return ok(bundle(c, x));
    },
    'certificates:export': ({ name, version, format, password }: In<'certificates:export'>) => {
      const s = ctx.store();
      if ('ok' in s) return s;
      const c = live(s, name);
      if ('ok' in c) return c;
      const x = versionOf(c, version);
      if ('ok' in x) return x;
      const path = ctx.nextSavePath();
      if (path === null) return ok(null);
      ctx.exports.push({ name: c.name, format, path, protected: (password ?? '') !== '' });
      return ok({ path });
    },
    'certificates:update': ({ name, version, patch }: In<'certificates:update'>) => {
      const w = liveWrite(name);
      if ('ok' in w) return w;
      const x = versionOf(w.c, version);
      if ('ok' in x) return x;
      if (patch.enabled !== undefined) x.enabled = patch.enabled;
      if (patch.tags !== undefined) x.tags = { ...patch.tags };
      x.updated = ctx.now();
      return ok(bundle(w.c, x));
    },
    'certificates:getPolicy': ({ name }: In<'certificates:getPolicy'>) => {
      const s = ctx.store();
      if ('ok' in s) return s;
      const c = live(s, name);
      if ('ok' in c) return c;
      return ok(policyBundle(c));
    },
    'certificates:updatePolicy': ({ name, policy }: In<'certificates:updatePolicy'>) => {
      const w = liveWrite(name);
      if ('ok' in w) return w;
      const merged = { ...w.c.policy, ...structuredClone(policy) } as Omit<CertificatePolicyBundle, 'id'>;
      if ((merged.x509_props?.subject ?? '').trim() === '') return err('BadParameter', 'policy.x509_props.subject is required to issue a certificate (for example "CN=www.example.com").');
      w.c.policy = merged;
      return ok(policyBundle(w.c));
    },
    'certificates:delete': ({ name }: In<'certificates:delete'>) => {
      const w = liveWrite(name);
      if ('ok' in w) return w;
      const now = ctx.now();
      w.c.deleted = { deletedDate: now, scheduledPurgeDate: now + 90 * DAY };
      return ok({ ...bundle(w.c, latest(w.c)), ...deletedInfo(w.c) });
    },
    'certificates:recover': ({ name }: In<'certificates:recover'>) => {
      const s = ctx.writableStore();
      if ('ok' in s) return s;
      const c = s.certs.get(name.toLowerCase());
      if (!c?.deleted) return err('CertificateNotFound', `Deleted Certificate not found: ${name}`);
      delete c.deleted;
      return ok(bundle(c, latest(c)));
    },
    'certificates:purge': ({ name }: In<'certificates:purge'>) => {
      const s = ctx.writableStore();
      if ('ok' in s) return s;
      const c = s.certs.get(name.toLowerCase());
      if (!c?.deleted) return err('CertificateNotFound', `Deleted Certificate not found: ${name}`);
      s.certs.delete(name.toLowerCase());
      return ok(null);
    },
    'certificates:renew': ({ name }: In<'certificates:renew'>) => {
      const w = liveWrite(name);
      if ('ok' in w) return w;
      return issueWithDns(w.s, w.c.name, w.c.policy, {});
    },
    'certificates:getPending': ({ name }: In<'certificates:getPending'>) => {
      const s = ctx.store();
      if ('ok' in s) return s;
      const p = s.certs.get(name.toLowerCase())?.pending;
      return ok(p ? structuredClone(p) : null);
    },
    'certificates:mergePending': ({ name, file }: In<'certificates:mergePending'>) => {
      const s = ctx.writableStore();
      if ('ok' in s) return s;
      const c = s.certs.get(name.toLowerCase());
      if (!c?.pending || c.pending.status !== 'inProgress') return err('CertificateNotFound', `Pending certificate not found: ${name}`);
      const text = atob(file.replace(/-/g, '+').replace(/_/g, '/') + '='.repeat((4 - (file.length % 4)) % 4));
      if (!text.includes('-----BEGIN CERTIFICATE-----')) return err('BadParameter', 'The file holds no X.509 certificate (PEM "BEGIN CERTIFICATE" blocks, or DER).');
      const subject = c.policy.x509_props?.subject ?? '';
      const x = addVersion(c, { subject, issuer: 'CN=Outside CA', sans: sansOf(c.policy), months: c.policy.x509_props?.validity_months ?? 12 });
      c.pending = { ...c.pending, status: 'completed', target: id(c) };
      return ok(bundle(c, x));
    },
    'certificates:cancelPending': ({ name }: In<'certificates:cancelPending'>) => {
      const s = ctx.writableStore();
      if ('ok' in s) return s;
      const c = s.certs.get(name.toLowerCase());
      if (!c?.pending || c.pending.status !== 'inProgress') return err('CertificateNotFound', `Pending certificate not found: ${name}`);
      c.pending = { ...c.pending, status: 'cancelled', cancellation_requested: true };
      return ok(structuredClone(c.pending));
    },
    'certificates:deletePending': ({ name }: In<'certificates:deletePending'>) => {
      const s = ctx.writableStore();
      if ('ok' in s) return s;
      const c = s.certs.get(name.toLowerCase());
      if (!c?.pending) return err('CertificateNotFound', `Pending certificate not found: ${name}`);
      const shown = c.pending;
      delete c.pending;
      if (c.versions.length === 0) s.certs.delete(name.toLowerCase());
      return ok(shown);
    },
    'certificates:copyCsr': ({ name }: In<'certificates:copyCsr'>) => {
      const s = ctx.store();
      if ('ok' in s) return s;
      const p = s.certs.get(name.toLowerCase())?.pending;
      if (!p?.csrPem) return err('CertificateNotFound', `Pending certificate not found: ${name}`);
      return ctx.copy(p.csrPem);
    },
    'certificates:listCas': () => {
      const s = ctx.store();
      if ('ok' in s) return s;
      return ok(s.cas.map((a) => ({ ...a })));
    },
    'certificates:listIssuers': () => {
      const s = ctx.store();
      if ('ok' in s) return s;
      return ok(structuredClone(s.issuers));
    },
    'certificates:createIssuer': ({ name, directoryUrl, email, challenge, httpPort, caCertificatePem }: In<'certificates:createIssuer'>) => {
      const s = ctx.writableStore();
      if ('ok' in s) return s;
      if (issuerNamed(s, name)) return err('Conflict', `An issuer named ${name} exists: update or delete it.`);
      if (directoryUrl.includes('unreachable')) return err('IoError', `The ACME CA at ${directoryUrl} could not be reached.`);
      const i = fakeIssuer(name, {
        directory_url: directoryUrl,
        challenge,
        ...(email === undefined ? {} : { email }),
        ...(httpPort === undefined ? {} : { http_port: httpPort }),
        ...(caCertificatePem === undefined ? {} : { has_ca_certificate: true }),
      });
      s.issuers.push(i);
      s.issuers.sort((a, b) => a.id.toLowerCase().localeCompare(b.id.toLowerCase()));
      return ok(structuredClone(i));
    },
    'certificates:updateIssuer': ({ name, patch }: In<'certificates:updateIssuer'>) => {
      const s = ctx.writableStore();
      if ('ok' in s) return s;
      const i = issuerNamed(s, name);
      if (!i) return err('NotFound', `No certificate issuer named ${name} (\`coffer certificate issuer list\`).`);
      if (patch.enabled !== undefined) i.attributes.enabled = patch.enabled;
      if (patch.challenge !== undefined) i.acme!.challenge = patch.challenge;
      if (patch.httpPort !== undefined) i.acme!.http_port = patch.httpPort;
      return ok(structuredClone(i));
    },
    'certificates:deleteIssuer': ({ name }: In<'certificates:deleteIssuer'>) => {
      const s = ctx.writableStore();
      if ('ok' in s) return s;
      const i = issuerNamed(s, name);
      if (!i) return err('NotFound', `No certificate issuer named ${name} (\`coffer certificate issuer list\`).`);
      s.issuers.splice(s.issuers.indexOf(i), 1);
      return ok(structuredClone(i));
    },
    'certificates:revoke': ({ name, version, reason }: In<'certificates:revoke'>) => {
      const w = liveWrite(name);
      if ('ok' in w) return w;
      const x = versionOf(w.c, version);
      if ('ok' in x) return x;
      if (!x.ca && !issuerNamed(w.s, w.c.policy.issuer?.name ?? '')) return err('BadParameter', `Certificate ${w.c.name} was not issued by a CA of this vault or by its ACME issuer: nothing here can revoke it.`);
      if (w.s.revoked.some((r) => r.name === w.c.name && r.version === x.version)) return err('Conflict', 'Certificate already revoked.');
      w.s.revoked.push({ name: w.c.name, version: x.version, reason: reason ?? 'unspecified', time: ctx.now() });
      return ok(null);
    },
    'certificates:getContacts': () => {
      const s = ctx.store();
      if ('ok' in s) return s;
      return s.contactsForbidden ? contactsForbidden('read') : ok(contactsOf(s));
    },
    'certificates:setContacts': ({ contacts }: In<'certificates:setContacts'>) => {
      const s = ctx.writableStore();
      if ('ok' in s) return s;
      if (s.contactsForbidden) return contactsForbidden('write');
      s.contacts = structuredClone(contacts);
      return ok(contactsOf(s));
    },
    'certificates:deleteContacts': () => {
      const s = ctx.writableStore();
      if ('ok' in s) return s;
      if (s.contactsForbidden) return contactsForbidden('write');
      const before = contactsOf(s);
      s.contacts = [];
      return ok(before);
    },
    'certificates:dnsReady': ({ id: dnsId }: In<'certificates:dnsReady'>) => answer(dnsId, 'ready'),
    'certificates:dnsCancel': ({ id: dnsId }: In<'certificates:dnsCancel'>) => answer(dnsId, 'cancel'),
  };
}
