/**
 * Records inside a commit's encrypted body (FORMAT.md §7). A body is the
 * canonical JSON {hlc, time, records}, Padmé-padded and sealed under the
 * commit's body key (scope meta). Bodies are authenticated by the author's
 * signature, but a member may be malicious, so every field is validated
 * before use; an invalid body rejects its commit (reported, not applied).
 */
import { ROLE_NAMES, type RoleName } from '../../../shared/keyvault.js';
import type { Stanza } from './codec.js';
import { fromB64u } from '../crypto/index.js';

export type Hlc = [number, number];

export interface ScopeKeysJson {
  pub: string;
  wraps: Stanza[];
  chain: Stanza[];
}

export type VaultRecord =
  | { t: 'settings'; retentionDays: number }
  | { t: 'member'; sign: string; enc: string; name: string; roles: RoleName[] }
  | { t: 'remove'; sign: string }
  | { t: 'scopes'; scopes: { secrets: ScopeKeysJson; keys: ScopeKeysJson; certificates: ScopeKeysJson; ca: ScopeKeysJson } }
  | { t: 'batch'; scope: 'secrets'; key: Stanza; kc: string }
  | SecretVersionRecord
  | { t: 'secret.update'; name: string; version: string; set: SecretAttrSet; clear: ('nbf' | 'exp' | 'contentType')[] }
  | { t: 'secret.delete'; name: string }
  | { t: 'secret.recover'; name: string }
  | { t: 'secret.purge'; name: string; versions: string[] };

export interface SecretAttrSet {
  enabled?: boolean;
  nbf?: number;
  exp?: number;
  contentType?: string;
  tags?: Record<string, string>;
}

export interface SecretVersionRecord {
  t: 'secret';
  name: string;
  version: string;
  /** Index into the commit's clear `blobs` list. */
  blob: number;
  enc: 'utf8' | 'binary';
  enabled: boolean;
  contentType?: string;
  tags?: Record<string, string>;
  nbf?: number;
  exp?: number;
  /** Set by restore, which keeps a backup's times (as Key Vault does). */
  created?: number;
  updated?: number;
}

export interface Body {
  hlc: Hlc;
  time: number;
  records: VaultRecord[];
}

class BodyError extends Error {}
const bad = (m: string): never => {
  throw new BodyError(m);
};

const NAME = /^[0-9a-zA-Z-]{1,127}$/;
const VERSION = /^[0-9a-f]{32}$/;

function keys(o: Record<string, unknown>, required: string[], optional: string[], what: string): void {
  for (const k of Object.keys(o)) if (!required.includes(k) && !optional.includes(k)) bad(`${what}: unknown field ${k}`);
  for (const k of required) if (o[k] === undefined) bad(`${what}: missing ${k}`);
}
const isObj = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);
const isInt = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v);
const str = (v: unknown, re: RegExp, what: string): string => (typeof v === 'string' && re.test(v) ? v : bad(`${what} is invalid`));
/** Canonical base64url (the engine decodes these strictly later: reject here, so a bad field rejects its commit). */
function b64(v: unknown, what: string, len?: number): string {
  if (typeof v !== 'string') return bad(`${what} is invalid`);
  let bytes: Uint8Array;
  try {
    bytes = fromB64u(v);
  } catch {
    return bad(`${what} is not canonical base64url`);
  }
  if (len !== undefined && bytes.length !== len) bad(`${what} has the wrong length`);
  return v;
}

function stanza(v: unknown, what: string): Stanza {
  if (!isObj(v)) return bad(`${what} is invalid`);
  keys(v, ['epk', 'ct'], [], what);
  b64(v.epk, `${what}.epk`, 32);
  b64(v.ct, `${what}.ct`);
  return v as unknown as Stanza;
}
function tags(v: unknown, what: string): void {
  if (!isObj(v)) bad(`${what} is invalid`);
  const entries = Object.entries(v as object);
  if (entries.length > 15) bad(`${what} has too many tags`);
  for (const [k, val] of entries) if (k.length > 256 || typeof val !== 'string' || val.length > 256) bad(`${what} has an invalid tag`);
}
function attrs(o: Record<string, unknown>, what: string): void {
  if (o.enabled !== undefined && typeof o.enabled !== 'boolean') bad(`${what}.enabled is invalid`);
  for (const k of ['nbf', 'exp', 'created', 'updated'] as const) if (o[k] !== undefined && !isInt(o[k])) bad(`${what}.${k} is invalid`);
  if (o.contentType !== undefined && (typeof o.contentType !== 'string' || o.contentType.length > 255)) bad(`${what}.contentType is invalid`);
  if (o.tags !== undefined) tags(o.tags, `${what}.tags`);
}

function scopeKeys(v: unknown, what: string): void {
  if (!isObj(v)) return void bad(`${what} is invalid`);
  keys(v, ['pub', 'wraps', 'chain'], [], what);
  b64(v.pub, `${what}.pub`, 32);
  if (!Array.isArray(v.wraps) || !Array.isArray(v.chain)) bad(`${what} is invalid`);
  (v.wraps as unknown[]).forEach((s, i) => stanza(s, `${what}.wraps[${i}]`));
  (v.chain as unknown[]).forEach((s, i) => stanza(s, `${what}.chain[${i}]`));
}

function record(v: unknown, i: number, blobCount: number): VaultRecord {
  const what = `record ${i}`;
  if (!isObj(v) || typeof v.t !== 'string') return bad(`${what} is invalid`);
  switch (v.t) {
    case 'settings':
      keys(v, ['t', 'retentionDays'], [], what);
      if (!isInt(v.retentionDays) || v.retentionDays < 7 || v.retentionDays > 90) bad(`${what}: retention out of range`);
      break;
    case 'member':
      keys(v, ['t', 'sign', 'enc', 'name', 'roles'], [], what);
      b64(v.sign, `${what}.sign`, 32);
      b64(v.enc, `${what}.enc`, 32);
      if (typeof v.name !== 'string' || v.name.length > 200) bad(`${what}.name is invalid`);
      if (!Array.isArray(v.roles) || v.roles.length === 0 || !v.roles.every((r) => (ROLE_NAMES as readonly unknown[]).includes(r))) bad(`${what}.roles is invalid`);
      break;
    case 'remove':
      keys(v, ['t', 'sign'], [], what);
      b64(v.sign, `${what}.sign`, 32);
      break;
    case 'scopes': {
      keys(v, ['t', 'scopes'], [], what);
      if (!isObj(v.scopes)) return bad(`${what}.scopes is invalid`);
      keys(v.scopes, ['secrets', 'keys', 'certificates', 'ca'], [], `${what}.scopes`);
      for (const s of ['secrets', 'keys', 'certificates', 'ca']) scopeKeys(v.scopes[s], `${what}.scopes.${s}`);
      break;
    }
    case 'batch':
      keys(v, ['t', 'scope', 'key', 'kc'], [], what);
      if (v.scope !== 'secrets') bad(`${what}.scope is invalid`);
      stanza(v.key, `${what}.key`);
      b64(v.kc, `${what}.kc`, 32);
      break;
    case 'secret':
      keys(v, ['t', 'name', 'version', 'blob', 'enc', 'enabled'], ['contentType', 'tags', 'nbf', 'exp', 'created', 'updated'], what);
      str(v.name, NAME, `${what}.name`);
      str(v.version, VERSION, `${what}.version`);
      if (!isInt(v.blob) || v.blob < 0 || v.blob >= blobCount) bad(`${what}.blob is invalid`);
      if (v.enc !== 'utf8' && v.enc !== 'binary') bad(`${what}.enc is invalid`);
      attrs(v, what);
      break;
    case 'secret.update': {
      keys(v, ['t', 'name', 'version', 'set', 'clear'], [], what);
      str(v.name, NAME, `${what}.name`);
      str(v.version, VERSION, `${what}.version`);
      if (!isObj(v.set)) return bad(`${what}.set is invalid`);
      keys(v.set, [], ['enabled', 'nbf', 'exp', 'contentType', 'tags'], `${what}.set`);
      attrs(v.set, `${what}.set`);
      if (!Array.isArray(v.clear) || !v.clear.every((c) => c === 'nbf' || c === 'exp' || c === 'contentType')) bad(`${what}.clear is invalid`);
      break;
    }
    case 'secret.delete':
    case 'secret.recover':
      keys(v, ['t', 'name'], [], what);
      str(v.name, NAME, `${what}.name`);
      break;
    case 'secret.purge':
      keys(v, ['t', 'name', 'versions'], [], what);
      str(v.name, NAME, `${what}.name`);
      if (!Array.isArray(v.versions)) bad(`${what}.versions is invalid`);
      (v.versions as unknown[]).forEach((x, j) => str(x, VERSION, `${what}.versions[${j}]`));
      break;
    default:
      bad(`${what} has an unknown kind`);
  }
  return v as unknown as VaultRecord;
}

/** Validates a decrypted body; returns an error message instead of throwing. */
export function validateBody(raw: unknown, blobCount: number): Body | string {
  try {
    if (!isObj(raw)) bad('the body is not an object');
    const o = raw as Record<string, unknown>;
    keys(o, ['hlc', 'time', 'records'], [], 'body');
    const hlc = o.hlc;
    if (!Array.isArray(hlc) || hlc.length !== 2 || !isInt(hlc[0]) || !isInt(hlc[1]) || hlc[0] < 0 || hlc[1] < 0) bad('body.hlc is invalid');
    if (!isInt(o.time) || (o.time as number) < 0) bad('body.time is invalid');
    if (!Array.isArray(o.records) || o.records.length > 100_000) bad('body.records is invalid');
    (o.records as unknown[]).forEach((r, i) => record(r, i, blobCount));
    return o as unknown as Body;
  } catch (e) {
    if (e instanceof BodyError) return e.message;
    throw e;
  }
}

export function compareHlc(a: Hlc, b: Hlc): number {
  return a[0] - b[0] || a[1] - b[1];
}
