/**
 * Records inside a commit's encrypted body (FORMAT.md §7). A body is the
 * canonical JSON {hlc, time, records}, Padmé-padded and sealed under the
 * commit's body key (scope meta). Bodies are authenticated by the author's
 * signature, but a member may be malicious, so every field is validated
 * before use; an invalid body rejects its commit (reported, not applied).
 */
import { ROLE_NAMES, type RoleName } from '../../../shared/keyvault.js';
import { HEX64 } from '../crypto/index.js';
import { MAX_RECORDS_PER_COMMIT, type Stanza } from './codec.js';
import { b64, bad, fields, int, isInt, isObj, list, SchemaError, stanza, str, text, VERSION, type Fields } from './schema.js';
import { KIND_RECORDS } from '../state/kinds.js';
import type { SecretRecord } from '../secrets/records.js';
import type { KeyRecord } from '../keys/records.js';
import type { CertificateRecord } from '../certificates/records.js';

export type Hlc = [number, number];

export interface ScopeKeysJson {
  pub: string;
  wraps: Stanza[];
  chain: Stanza[];
}

/** Records of the vault itself: settings, membership, key epochs and value batch keys. */
export type CoreRecord =
  | { t: 'settings'; retentionDays: number }
  | { t: 'member'; sign: string; enc: string; name: string; roles: RoleName[] }
  | { t: 'remove'; sign: string }
  | { t: 'scopes'; scopes: { secrets: ScopeKeysJson; keys: ScopeKeysJson; certificates: ScopeKeysJson; ca: ScopeKeysJson } }
  | { t: 'batch'; scope: ValueScope | 'meta'; key: Stanza; kc: string }
  | GrantRecord
  | { t: 'grant.revoke'; sign: string; object: string }
  | { t: 'grant.key'; sign: string; object: string; version: string; key: Stanza; kc: string }
  | CheckpointRecord;

/**
 * A role on one object (Key Vault's object scope): the object's existing data keys
 * wrapped to the grantee (C6); writers of later versions add `grant.key` records.
 */
export interface GrantRecord {
  t: 'grant';
  sign: string;
  role: RoleName;
  /** `secrets/NAME`, `keys/NAME` or `certificates/NAME`. */
  object: string;
  keys: { version: string; key: Stanza; kc: string }[];
}

/**
 * An Administrator's checkpoint (VAULT-MODEL C11): the commits it covers (their
 * count and a hash over their sorted ids), those rejected with their reasons, and
 * the folded state in value blobs sealed under a `meta` batch key.
 */
export interface CheckpointRecord {
  t: 'checkpoint';
  covers: string;
  count: number;
  rejected: { id: string; reason: string }[];
  state: number[];
}

export type VaultRecord = CoreRecord | SecretRecord | KeyRecord | CertificateRecord;
export type { SecretAttrSet, SecretVersionRecord } from '../secrets/records.js';

export interface Body {
  hlc: Hlc;
  time: number;
  records: VaultRecord[];
}

/** C5: clock fields have fixed bounds, so no commit can push the clock past what a writer can write. */
export const MAX_HLC_TIME = 2 ** 48 - 1;
export const MAX_HLC_COUNTER = 2 ** 32 - 1;

function scopeKeys(v: unknown, what: string): void {
  if (!isObj(v)) return void bad(`${what} is invalid`);
  fields(v, ['pub', 'wraps', 'chain'], [], what);
  b64(v.pub, `${what}.pub`, 32);
  if (!Array.isArray(v.wraps) || !Array.isArray(v.chain)) bad(`${what} is invalid`);
  (v.wraps as unknown[]).forEach((s, i) => stanza(s, `${what}.wraps[${i}]`));
  (v.chain as unknown[]).forEach((s, i) => stanza(s, `${what}.chain[${i}]`));
}

/** Scopes that seal values (C6): every scope but meta. */
export const VALUE_SCOPES = ['secrets', 'keys', 'certificates', 'ca'] as const;
export type ValueScope = (typeof VALUE_SCOPES)[number];

const OBJECT = /^(secrets|keys|certificates)\/[0-9a-zA-Z-]{1,127}$/;

function wrappedKey(v: unknown, what: string): void {
  if (!isObj(v)) return void bad(`${what} is invalid`);
  fields(v, ['version', 'key', 'kc'], [], what);
  str(v.version, VERSION, `${what}.version`);
  stanza(v.key, `${what}.key`);
  b64(v.kc, `${what}.kc`, 32);
}

const CORE_RECORDS: Record<CoreRecord['t'], (v: Fields, what: string, version: number, blobCount: number) => void> = {
  settings(v, what) {
    fields(v, ['t', 'retentionDays'], [], what);
    if (!isInt(v.retentionDays) || v.retentionDays < 7 || v.retentionDays > 90) bad(`${what}: retention out of range`);
  },
  member(v, what) {
    fields(v, ['t', 'sign', 'enc', 'name', 'roles'], [], what);
    b64(v.sign, `${what}.sign`, 32);
    b64(v.enc, `${what}.enc`, 32);
    if (typeof v.name !== 'string' || v.name.length > 200) bad(`${what}.name is invalid`);
    if (!Array.isArray(v.roles) || v.roles.length === 0 || !v.roles.every((r) => (ROLE_NAMES as readonly unknown[]).includes(r))) bad(`${what}.roles is invalid`);
  },
  remove(v, what) {
    fields(v, ['t', 'sign'], [], what);
    b64(v.sign, `${what}.sign`, 32);
  },
  scopes(v, what) {
    fields(v, ['t', 'scopes'], [], what);
    if (!isObj(v.scopes)) return void bad(`${what}.scopes is invalid`);
    fields(v.scopes, ['secrets', 'keys', 'certificates', 'ca'], [], `${what}.scopes`);
    for (const s of ['secrets', 'keys', 'certificates', 'ca']) scopeKeys(v.scopes[s], `${what}.scopes.${s}`);
  },
  batch(v, what, version) {
    fields(v, ['t', 'scope', 'key', 'kc'], [], what);
    // Version 1 sealed only secret values; version 2 seals each kind's values under its own scope.
    // A meta batch seals a checkpoint's state (version 2).
    if (!(version >= 2 ? [...VALUE_SCOPES, 'meta'] : ['secrets']).includes(v.scope as string)) bad(`${what}.scope is invalid`);
    stanza(v.key, `${what}.key`);
    b64(v.kc, `${what}.kc`, 32);
  },
  grant(v, what, version) {
    if (version < 2) bad(`${what} has an unknown kind`);
    fields(v, ['t', 'sign', 'role', 'object', 'keys'], [], what);
    b64(v.sign, `${what}.sign`, 32);
    if (!(ROLE_NAMES as readonly unknown[]).includes(v.role)) bad(`${what}.role is invalid`);
    str(v.object, OBJECT, `${what}.object`);
    list(v.keys, 100_000, `${what}.keys`, wrappedKey);
  },
  'grant.revoke'(v, what, version) {
    if (version < 2) bad(`${what} has an unknown kind`);
    fields(v, ['t', 'sign', 'object'], [], what);
    b64(v.sign, `${what}.sign`, 32);
    str(v.object, OBJECT, `${what}.object`);
  },
  'grant.key'(v, what, version) {
    if (version < 2) bad(`${what} has an unknown kind`);
    fields(v, ['t', 'sign', 'object', 'version', 'key', 'kc'], [], what);
    b64(v.sign, `${what}.sign`, 32);
    str(v.object, OBJECT, `${what}.object`);
    const { t: _t, sign: _s, object: _o, ...rest } = v;
    wrappedKey(rest, what);
  },
  checkpoint(v, what, version, blobCount) {
    if (version < 2) bad(`${what} has an unknown kind`);
    fields(v, ['t', 'covers', 'count', 'rejected', 'state'], [], what);
    str(v.covers, HEX64, `${what}.covers`);
    int(v.count, 1, Number.MAX_SAFE_INTEGER, `${what}.count`);
    list(v.rejected, 100_000, `${what}.rejected`, (r, w) => {
      if (!isObj(r)) return bad(`${w} is invalid`);
      fields(r, ['id', 'reason'], [], w);
      str(r.id, HEX64, `${w}.id`);
      return text(r.reason, 1024, `${w}.reason`, true);
    });
    list(v.state, 100_000, `${what}.state`, (b, w) => int(b, 0, blobCount - 1, w));
  },
};

function record(v: unknown, i: number, blobCount: number, version: number): void {
  const what = `record ${i}`;
  if (!isObj(v) || typeof v.t !== 'string') return void bad(`${what} is invalid`);
  const core = Object.hasOwn(CORE_RECORDS, v.t) ? CORE_RECORDS[v.t as CoreRecord['t']] : undefined;
  if (core) return core(v, what, version, blobCount);
  const kind = KIND_RECORDS.get(v.t);
  // A record kind newer than the commit's format version was not writable then (FORMAT.md §7.2).
  if (!kind || (kind.type.since ?? 1) > version) return void bad(`${what} has an unknown kind`);
  kind.type.validate(v, what, { blobCount });
}

/** Validates a decrypted body of a commit of format `version`; returns an error message instead of throwing. */
export function validateBody(raw: unknown, blobCount: number, version: number): Body | string {
  try {
    if (!isObj(raw)) bad('the body is not an object');
    const o = raw as Fields;
    fields(o, ['hlc', 'time', 'records'], [], 'body');
    const hlc = o.hlc;
    if (!Array.isArray(hlc) || hlc.length !== 2) bad('body.hlc is invalid');
    int((hlc as unknown[])[0], 0, MAX_HLC_TIME, 'body.hlc time');
    int((hlc as unknown[])[1], 0, MAX_HLC_COUNTER, 'body.hlc counter');
    int(o.time, 0, Math.floor(MAX_HLC_TIME / 1000), 'body.time');
    if (!Array.isArray(o.records) || o.records.length > MAX_RECORDS_PER_COMMIT) bad('body.records is invalid');
    (o.records as unknown[]).forEach((r, i) => record(r, i, blobCount, version));
    return o as unknown as Body;
  } catch (e) {
    if (e instanceof SchemaError) return e.message;
    throw e;
  }
}

export function compareHlc(a: Hlc, b: Hlc): number {
  return a[0] - b[0] || a[1] - b[1];
}
