/**
 * Records inside a commit's encrypted body (FORMAT.md §7). A body is the
 * canonical JSON {hlc, time, records}, Padmé-padded and sealed under the
 * commit's body key (scope meta). Bodies are authenticated by the author's
 * signature, but a member may be malicious, so every field is validated
 * before use; an invalid body rejects its commit (reported, not applied).
 */
import { ROLE_NAMES, type RoleName } from '../../../shared/keyvault.js';
import { MAX_RECORDS_PER_COMMIT, type Stanza } from './codec.js';
import { b64, bad, fields, int, isInt, isObj, SchemaError, stanza, type Fields } from './schema.js';
import { KIND_RECORDS } from '../state/kinds.js';
import type { SecretRecord } from '../secrets/records.js';

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
  | { t: 'batch'; scope: ValueScope; key: Stanza; kc: string };

export type VaultRecord = CoreRecord | SecretRecord;
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

const CORE_RECORDS: Record<CoreRecord['t'], (v: Fields, what: string, version: number) => void> = {
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
    if (!(version >= 2 ? (VALUE_SCOPES as readonly string[]) : ['secrets']).includes(v.scope as string)) bad(`${what}.scope is invalid`);
    stanza(v.key, `${what}.key`);
    b64(v.kc, `${what}.kc`, 32);
  },
};

function record(v: unknown, i: number, blobCount: number, version: number): void {
  const what = `record ${i}`;
  if (!isObj(v) || typeof v.t !== 'string') return void bad(`${what} is invalid`);
  const core = Object.hasOwn(CORE_RECORDS, v.t) ? CORE_RECORDS[v.t as CoreRecord['t']] : undefined;
  if (core) return core(v, what, version);
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
