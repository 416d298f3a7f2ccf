/**
 * Field checks shared by every record schema (format/records.ts and each object
 * kind's records.ts). A decrypted body is authenticated by its author's
 * signature, but a member may be malicious: each check throws a SchemaError
 * naming the field, and the caller rejects the whole commit (reported, never
 * applied).
 */
import { fromB64u } from '../crypto/index.js';
import type { Stanza } from './codec.js';
import { MAX_TAG_NAME, MAX_TAG_VALUE, MAX_TAGS } from '../secrets/rules.js';

export class SchemaError extends Error {}

export const bad = (message: string): never => {
  throw new SchemaError(message);
};

export const NAME = /^[0-9a-zA-Z-]{1,127}$/;
export const VERSION = /^[0-9a-f]{32}$/;

export type Fields = Record<string, unknown>;

/** Exactly these fields: the required ones present, nothing unknown. */
export function fields(o: Fields, required: readonly string[], optional: readonly string[], what: string): void {
  for (const k of Object.keys(o)) if (!required.includes(k) && !optional.includes(k)) bad(`${what}: unknown field ${k}`);
  for (const k of required) if (o[k] === undefined) bad(`${what}: missing ${k}`);
}

export const isObj = (v: unknown): v is Fields => v !== null && typeof v === 'object' && !Array.isArray(v);
export const isInt = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v);

export function str(v: unknown, re: RegExp, what: string): string {
  return typeof v === 'string' && re.test(v) ? v : bad(`${what} is invalid`);
}

export function int(v: unknown, min: number, max: number, what: string): number {
  return isInt(v) && v >= min && v <= max ? v : bad(`${what} is invalid`);
}

export function bool(v: unknown, what: string): boolean {
  return typeof v === 'boolean' ? v : bad(`${what} is invalid`);
}

/** Canonical base64url, optionally of an exact byte length (the engine decodes it strictly later). */
export function b64(v: unknown, what: string, len?: number): string {
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

export function stanza(v: unknown, what: string): Stanza {
  if (!isObj(v)) return bad(`${what} is invalid`);
  fields(v, ['epk', 'ct'], [], what);
  b64(v.epk, `${what}.epk`, 32);
  b64(v.ct, `${what}.ct`);
  return v as unknown as Stanza;
}

/** An array of at most `max` items, each checked by `item`. */
export function list<T>(v: unknown, max: number, what: string, item: (x: unknown, what: string) => T): T[] {
  if (!Array.isArray(v) || v.length > max) return bad(`${what} is invalid`);
  return v.map((x, i) => item(x, `${what}[${i}]`));
}

export function oneOf<T extends string>(v: unknown, values: readonly T[], what: string): T {
  return typeof v === 'string' && (values as readonly string[]).includes(v) ? (v as T) : bad(`${what} is invalid`);
}

/** A string of 1..max UTF-16 code units (0..max with `allowEmpty`). */
export function text(v: unknown, max: number, what: string, allowEmpty = false): string {
  return typeof v === 'string' && v.length <= max && (allowEmpty || v.length > 0) ? v : bad(`${what} is invalid`);
}

/** Optional fields: checked only when present. */
export function optional(o: Fields, key: string, check: (v: unknown, what: string) => unknown, what: string): void {
  if (o[key] !== undefined) check(o[key], `${what}.${key}`);
}

export const isoDuration = /^P(?!$)(\d+Y)?(\d+M)?(\d+W)?(\d+D)?(T(?=\d)(\d+H)?(\d+M)?(\d+S)?)?$/;

/** Key Vault's tag limits (D-sec, D-keyd: at most 15 tags, names and values of at most 256 characters), the same for every kind. */
export function checkTags(v: unknown, what: string): void {
  if (!isObj(v)) return void bad(`${what} is invalid`);
  const entries = Object.entries(v);
  if (entries.length > MAX_TAGS) bad(`${what} has too many tags`);
  for (const [k, val] of entries) {
    if (k.length === 0 || k.length > MAX_TAG_NAME || typeof val !== 'string' || val.length > MAX_TAG_VALUE) bad(`${what} has an invalid tag`);
  }
}
