/**
 * The vault file's text encoding (docs/FORMAT.md §2–§4): lines, the canonical
 * JSON of commit payloads, and their strict schema.
 *
 *   coffer-vault/2 <vault id, 64 hex>\n          header (version 1 files: coffer-vault/1)
 *   B <base64url ciphertext>\n                    a value blob, referenced by hash
 *   C <canonical JSON payload> <base64url sig>\n  a commit
 *
 * Parsing is strict: unknown fields, non-canonical JSON or base64, and wrong
 * types are damage (VAULT-MODEL C3), reported with the line number.
 */
import { CofferError, corrupted } from '../errors.js';
import { b64uLength, fromB64u, fromHex, toB64u } from '../crypto/index.js';

/** The format this Coffer writes (FORMAT.md §1). It reads every version from 1 up to it. */
export const FORMAT_VERSION = 2;
export const READABLE_VERSIONS = [1, 2] as const;
export type FormatVersion = (typeof READABLE_VERSIONS)[number];
/** `coffer-vault/` + version + space: the header's prefix. */
export const HEADER_MAGIC = 'coffer-vault/';
export const HEADER_PREFIX = `${HEADER_MAGIC}${FORMAT_VERSION} `;
/** The longest header line (without its LF) a reader looks at. */
export const MAX_HEADER_BYTES = HEADER_MAGIC.length + 10 + 1 + 64;
export const MAX_LINE_BYTES = 16 * 1024 * 1024;
export const MAX_RECORDS_PER_COMMIT = 100_000;

export interface Stanza {
  epk: string;
  ct: string;
}

export interface KdfJson {
  m: number;
  t: number;
  p: number;
}

export interface SlotJson {
  id: string;
  kdf: KdfJson;
  salt: string;
  ct: string;
  /** Absent: a passphrase slot. "recovery": sealed by a recovery key (FORMAT.md §6.2). */
  use?: 'recovery';
}

export interface NewEpochJson {
  id: string;
  prev: string[];
  meta: { pub: string; wraps: Stanza[]; chain: Stanza[] };
}

export interface GenesisPayload {
  v: FormatVersion;
  genesis: string;
  author: string;
  seq: 0;
  parents: [];
}

export interface CommitPayload {
  v: FormatVersion;
  vault: string;
  author: string;
  seq: number;
  parents: string[];
  epoch: string;
  newEpoch?: NewEpochJson;
  slots?: SlotJson[];
  key: Stanza;
  kc: string;
  body: string;
  blobs?: string[];
}

/**
 * A commit written by a newer format (FORMAT.md §1): its envelope is checked and
 * signed like any other, the rest is left unread. A vault holding one opens
 * read-only (a newer Coffer wrote it).
 */
export interface NewerPayload {
  v: number;
  vault: string;
  author: string;
  seq: number;
  parents: string[];
  newer: true;
}

export type AnyPayload = GenesisPayload | CommitPayload | NewerPayload;

export function isNewer(p: AnyPayload): p is NewerPayload {
  return 'newer' in p;
}

export function isGenesis(p: AnyPayload): p is GenesisPayload {
  return 'genesis' in p;
}

/**
 * True when every object's own key order is already sorted and every number is a
 * safe integer: then JSON.stringify (native) writes the canonical spelling.
 */
function alreadyCanonical(value: unknown): boolean {
  if (Array.isArray(value)) {
    for (const v of value) if (!alreadyCanonical(v)) return false;
    return true;
  }
  if (value !== null && typeof value === 'object') {
    let prev: string | undefined;
    for (const k in value) {
      const v = (value as Record<string, unknown>)[k];
      if (v === undefined || (prev !== undefined && prev >= k) || !alreadyCanonical(v)) return false;
      prev = k;
    }
    return true;
  }
  return typeof value !== 'number' || Number.isSafeInteger(value);
}

/** JSON with object keys sorted, no white space: the one accepted spelling. */
export function canonicalJson(value: unknown): string {
  if (alreadyCanonical(value)) return JSON.stringify(value);
  return canonicalSlow(value);
}

function canonicalSlow(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const keys = Object.keys(value as Record<string, unknown>)
      .filter((k) => (value as Record<string, unknown>)[k] !== undefined)
      .sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`).join(',')}}`;
  }
  if (typeof value === 'number' && !Number.isSafeInteger(value)) {
    throw new CofferError('Internal', 'canonical JSON holds integers only');
  }
  return JSON.stringify(value);
}

// ---- strict schema helpers: each throws a plain Error whose message names the field;
// the caller wraps it as VaultCorrupted with the line number.

class SchemaError extends Error {}
const fail = (msg: string): never => {
  throw new SchemaError(msg);
};

function obj(v: unknown, what: string, keys: string[], optional: string[] = []): Record<string, unknown> {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) fail(`${what} is not an object`);
  const o = v as Record<string, unknown>;
  for (const k of Object.keys(o)) if (!keys.includes(k) && !optional.includes(k)) fail(`${what} has unknown field "${k}"`);
  for (const k of keys) if (!(k in o)) fail(`${what} lacks field "${k}"`);
  return o;
}
const HEX64 = /^[0-9a-f]{64}$/;
const HEX32 = /^[0-9a-f]{32}$/;
function hex(v: unknown, re: RegExp, what: string): string {
  if (typeof v !== 'string' || !re.test(v)) fail(`${what} is not lowercase hex of the right length`);
  return v as string;
}
function b64(v: unknown, what: string, len?: number): string {
  if (typeof v !== 'string') fail(`${what} is not a string`);
  // Validated without decoding: the engine decodes each field when it uses it.
  const n = b64uLength(v as string);
  if (n < 0) fail(`${what} is not canonical base64url`);
  if (len !== undefined && n !== len) fail(`${what} has ${n} bytes, expected ${len}`);
  return v as string;
}
function int(v: unknown, what: string, min: number, max: number): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < min || v > max) fail(`${what} is not an integer in ${min}..${max}`);
  return v as number;
}
function arr(v: unknown, what: string, max: number): unknown[] {
  if (!Array.isArray(v)) fail(`${what} is not an array`);
  if ((v as unknown[]).length > max) fail(`${what} has too many items`);
  return v as unknown[];
}
function stanza(v: unknown, what: string): Stanza {
  const o = obj(v, what, ['epk', 'ct']);
  return { epk: b64(o.epk, `${what}.epk`, 32), ct: b64(o.ct, `${what}.ct`) };
}
function sortedUnique(list: string[], what: string): void {
  for (let i = 1; i < list.length; i++) if (list[i - 1]! >= list[i]!) fail(`${what} is not sorted and unique`);
}

/** `headerVersion`: the file's; no commit may be of a later known version than its file. */
export function validatePayload(raw: unknown, headerVersion: number = FORMAT_VERSION): AnyPayload {
  const v = raw !== null && typeof raw === 'object' ? (raw as { v?: unknown }).v : undefined;
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 1) fail('the format version is not a positive integer');
  const known = (READABLE_VERSIONS as readonly number[]).includes(v as number);
  if (known && (v as number) > headerVersion) fail(`a version-${String(v)} commit in a version-${headerVersion} file`);
  if (raw !== null && typeof raw === 'object' && 'genesis' in raw) {
    const o = obj(raw, 'genesis', ['v', 'genesis', 'author', 'seq', 'parents']);
    if (!known) fail(`a genesis of format version ${String(o.v)}: a newer Coffer wrote this vault`);
    b64(o.genesis, 'genesis nonce', 32);
    b64(o.author, 'author', 32);
    if (o.seq !== 0) fail('genesis seq is not 0');
    if (arr(o.parents, 'parents', 0).length !== 0) fail('genesis has parents');
    return o as unknown as GenesisPayload;
  }
  if (!known) return newerEnvelope(raw as Record<string, unknown>);
  const o = obj(raw, 'commit', ['v', 'vault', 'author', 'seq', 'parents', 'epoch', 'key', 'kc', 'body'], ['newEpoch', 'slots', 'blobs']);
  envelope(o);
  hex(o.epoch, HEX32, 'epoch');
  stanza(o.key, 'key');
  b64(o.kc, 'kc', 32);
  b64(o.body, 'body');
  if (o.blobs !== undefined) {
    const blobs = arr(o.blobs, 'blobs', MAX_RECORDS_PER_COMMIT).map((b, i) => hex(b, HEX64, `blobs[${i}]`));
    if (blobs.length === 0) fail('blobs is empty (omit it instead)');
    if (new Set(blobs).size !== blobs.length) fail('blobs lists a blob twice');
  }
  if (o.slots !== undefined) {
    const slots = arr(o.slots, 'slots', 16);
    if (slots.length === 0) fail('slots is empty (omit it instead)');
    slots.forEach((s, i) => {
      const so = obj(s, `slots[${i}]`, ['id', 'kdf', 'salt', 'ct'], ['use']);
      if (so.use !== undefined && so.use !== 'recovery') fail(`slots[${i}].use must be "recovery" when present`);
      hex(so.id, HEX32, `slots[${i}].id`);
      const k = obj(so.kdf, `slots[${i}].kdf`, ['m', 't', 'p']);
      int(k.m, 'kdf.m', 1, 2 ** 32);
      int(k.t, 'kdf.t', 1, 2 ** 32);
      int(k.p, 'kdf.p', 1, 2 ** 24);
      b64(so.salt, `slots[${i}].salt`, 16);
      b64(so.ct, `slots[${i}].ct`);
    });
  }
  if (o.newEpoch !== undefined) {
    const e = obj(o.newEpoch, 'newEpoch', ['id', 'prev', 'meta']);
    if (e.id !== o.epoch) fail('newEpoch.id differs from epoch');
    const prev = arr(e.prev, 'newEpoch.prev', 1024).map((p, i) => hex(p, HEX32, `newEpoch.prev[${i}]`));
    sortedUnique(prev, 'newEpoch.prev');
    const m = obj(e.meta, 'newEpoch.meta', ['pub', 'wraps', 'chain']);
    b64(m.pub, 'newEpoch.meta.pub', 32);
    arr(m.wraps, 'newEpoch.meta.wraps', 100_000).forEach((s, i) => stanza(s, `newEpoch.meta.wraps[${i}]`));
    const chain = arr(m.chain, 'newEpoch.meta.chain', 1024);
    chain.forEach((s, i) => stanza(s, `newEpoch.meta.chain[${i}]`));
    if (chain.length !== prev.length) fail('newEpoch.meta.chain does not match prev');
  }
  return o as unknown as CommitPayload;
}

/** What places a commit in the graph, the same in every format version: vault, author, sequence, parents. */
function envelope(o: Record<string, unknown>): string[] {
  hex(o.vault, HEX64, 'vault');
  b64(o.author, 'author', 32);
  int(o.seq, 'seq', 1, Number.MAX_SAFE_INTEGER);
  const parents = arr(o.parents, 'parents', 1024).map((p, i) => hex(p, HEX64, `parents[${i}]`));
  if (parents.length === 0) fail('a commit after genesis has no parent');
  sortedUnique(parents, 'parents');
  return parents;
}

/** The part of a newer commit this version can check: its envelope. */
function newerEnvelope(o: Record<string, unknown>): NewerPayload {
  const parents = envelope(o);
  return { v: o.v as number, vault: o.vault as string, author: o.author as string, seq: o.seq as number, parents, newer: true };
}

// ---- lines

/** A SchemaError: what parseCommitLine and validatePayload throw, its message naming the field. */
export function isSchemaError(e: unknown): e is Error {
  return e instanceof SchemaError;
}

/**
 * One commit line's text after "C " (§3.2): its canonical, strictly checked payload
 * and its 64-byte signature. Throws a SchemaError (isSchemaError) naming what is wrong.
 */
export function parseCommitLine(text: string, formatVersion: number): { payloadText: string; payload: AnyPayload; sig: Uint8Array } {
  const sp = text.lastIndexOf(' ');
  if (sp < 0) fail('the commit has no signature');
  const payloadText = text.slice(0, sp);
  let sig: Uint8Array;
  try {
    sig = fromB64u(text.slice(sp + 1));
  } catch {
    return fail('invalid base64url');
  }
  if (sig.length !== 64) fail('the signature is not 64 bytes');
  let raw: unknown;
  try {
    raw = JSON.parse(payloadText);
  } catch {
    fail('the commit is not valid JSON');
  }
  if (canonicalJson(raw) !== payloadText) fail('the commit is not in canonical form');
  return { payloadText, payload: validatePayload(raw, formatVersion), sig };
}

export type FileEntry =
  | { kind: 'blob'; line: number; hash: string; bytes: Uint8Array }
  | { kind: 'commit'; line: number; payloadText: string; payload: AnyPayload; sig: Uint8Array };

export interface ParsedFile {
  vaultId: string;
  /** The header's format version (a newer one than FORMAT_VERSION opens read-only). */
  formatVersion: number;
  entries: FileEntry[];
  /** Byte length of the complete lines (header included). */
  validLength: number;
  /** True when the file ends in an incomplete line: an interrupted save (C10). */
  interruptedSave: boolean;
}

export interface ParseIssue {
  line: number;
  message: string;
}

/** The vault id and format version from a header line (§3.1, without its LF); VaultCorrupted naming the header otherwise. */
export function parseHeader(header: string): { vaultId: string; formatVersion: number } {
  const m = /^coffer-vault\/([1-9][0-9]{0,9}) ([^ ]*)$/.exec(header);
  if (!m) {
    if (header.startsWith(HEADER_MAGIC)) throw corrupted('header', 'the header line is not "coffer-vault/<version> <vault id>"');
    throw corrupted('header', 'this is not a Coffer vault file');
  }
  const vaultId = m[2]!;
  if (!HEX64.test(vaultId)) throw corrupted('header', 'the vault id is not 64 lowercase hex digits');
  return { vaultId, formatVersion: Number(m[1]) };
}

/** The vault id alone (parseHeader). */
export function parseHeaderLine(header: string): string {
  return parseHeader(header).vaultId;
}

/**
 * Splits and decodes a vault file. In strict mode (open, merge) the first
 * damaged line throws VaultCorrupted naming it; in salvage mode (check,
 * repair) damaged lines are collected and skipped.
 */
export function parseVaultFile(
  bytes: Uint8Array,
  opts: {
    salvage?: boolean;
    hashBlob: (b: Uint8Array) => string;
    skipUntil?: number;
    /** Start at this byte offset, the start of line `line` (a prefix known to be verified: cache/snapshot.ts). */
    startAt?: { offset: number; line: number };
  } = {
    hashBlob: () => '',
  },
  issues: ParseIssue[] = [],
): ParsedFile {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const firstNl = buf.indexOf(0x0a);
  if (firstNl < 0) throw corrupted('header', 'the file has no complete header line');
  const { vaultId, formatVersion } = parseHeader(buf.subarray(0, firstNl).toString('latin1'));

  const entries: FileEntry[] = [];
  let pos = opts.startAt ? opts.startAt.offset : firstNl + 1;
  let line = opts.startAt ? opts.startAt.line - 1 : 1;
  let interruptedSave = false;
  const damage = (ln: number, message: string): void => {
    if (!opts.salvage) throw corrupted(`line ${ln}`, message);
    issues.push({ line: ln, message });
  };
  while (pos < buf.length) {
    line++;
    const nl = buf.indexOf(0x0a, pos);
    if (nl < 0) {
      interruptedSave = true; // an incomplete final line: reported, dropped on the next save
      break;
    }
    const start = pos;
    pos = nl + 1;
    if (nl - start > MAX_LINE_BYTES) {
      damage(line, 'the line is longer than 16 MiB');
      continue;
    }
    if (opts.skipUntil !== undefined && start < opts.skipUntil) continue;
    const tag = buf[start];
    if (buf[start + 1] !== 0x20 || (tag !== 0x42 && tag !== 0x43)) {
      damage(line, 'the line is neither a blob nor a commit');
      continue;
    }
    try {
      if (tag === 0x42) {
        const text = buf.subarray(start + 2, nl).toString('latin1');
        const bytes = fromB64u(text);
        entries.push({ kind: 'blob', line, hash: opts.hashBlob(bytes), bytes });
      } else {
        entries.push({ kind: 'commit', line, ...parseCommitLine(buf.subarray(start + 2, nl).toString('utf8'), formatVersion) });
      }
    } catch (e) {
      if (e instanceof SchemaError) damage(line, e.message);
      else if (e instanceof CofferError && e.code === 'BadParameter') damage(line, 'invalid base64url');
      else throw e;
    }
  }
  return { vaultId, formatVersion, entries, validLength: interruptedSave ? pos : buf.length, interruptedSave };
}

export function headerLine(vaultId: string, version: number = FORMAT_VERSION): string {
  return `${HEADER_MAGIC}${version} ${vaultId}\n`;
}
export function blobLine(bytes: Uint8Array): string {
  return `B ${toB64u(bytes)}\n`;
}
export function commitLine(payloadText: string, sig: Uint8Array): string {
  return `C ${payloadText} ${toB64u(sig)}\n`;
}
export function parseHex(s: string): Uint8Array {
  return fromHex(s);
}
