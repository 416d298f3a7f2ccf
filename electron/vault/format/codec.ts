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
import { isAscii, isUtf8 } from 'node:buffer';
import { hash } from 'node:crypto';
import { b64uLength, decodeB64uInto, fromB64u, fromHex, HEX64, toB64u } from '../crypto/index.js';
import { hashBlob } from './blobs.js';

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
  // The body, most of a large commit's bytes, is cut out before JSON.parse and the
  // canonical check and put back after: JSON spells a base64url string as it is.
  const body = topLevelBody(payloadText);
  const parsed = body ? payloadText.slice(0, body.start) + payloadText.slice(body.end) : payloadText;
  try {
    raw = JSON.parse(parsed);
  } catch {
    fail('the commit is not valid JSON');
  }
  if (canonicalJson(raw) !== parsed) fail('the commit is not in canonical form');
  if (body) (raw as { body: string }).body = payloadText.slice(body.start, body.end);
  return { payloadText, payload: validatePayload(raw, formatVersion), sig };
}

/** Before the body, a commit's canonical payload holds only `author` and, maybe, `blobs` (its keys are sorted). */
const BEFORE_BODY = /^\{"author":"[A-Za-z0-9_-]*"(?:,"blobs":\[(?:"[0-9a-f]*"(?:,"[0-9a-f]*")*)?\])?,"body":"$/;
const BASE64URL = /^[A-Za-z0-9_-]*$/;

/** Where the text of a commit's top-level `body` string lies (quotes excluded), if it is plain base64url. */
function topLevelBody(payload: string): { start: number; end: number } | undefined {
  const at = payload.indexOf('"body":"');
  if (at < 0) return undefined;
  const start = at + 8;
  const end = payload.indexOf('"', start);
  if (end < 0 || !BEFORE_BODY.test(payload.slice(0, start)) || !BASE64URL.test(payload.slice(start, end))) return undefined;
  return { start, end };
}

/**
 * parseCommitLine on the bytes of a line, with its id (C3: SHA-256 of the payload's exact
 * stored bytes) hashed from those bytes: hashing the decoded text would encode it again.
 * An ASCII line (every line this version writes) is decoded as latin1, a cheaper copy.
 */
function readCommitLine(buf: Buffer, start: number, end: number, formatVersion: number): { payloadText: string; payload: AnyPayload; sig: Uint8Array; id: string } {
  const line = buf.subarray(start, end);
  const ascii = isAscii(line);
  if (!ascii && !isUtf8(line)) fail('the commit is not valid UTF-8');
  const parsed = parseCommitLine(line.toString(ascii ? 'latin1' : 'utf8'), formatVersion);
  // The payload is the line up to its last space (the signature has none), so its bytes end there too.
  const id = hash('sha256', line.subarray(0, line.lastIndexOf(0x20)), 'hex');
  return { ...parsed, id };
}

/**
 * A value line longer than this (1 MiB) is a checkpoint's state chunk: no value of an
 * object comes near it. An open may leave such lines undecoded and unhashed; each is
 * checked against the hash its commit lists when it is read (format/blobs.ts).
 */
export const LARGE_BLOB_LINE = 1024 * 1024;

export type FileEntry =
  | { kind: 'blob'; line: number; hash: string; start: number; end: number }
  | { kind: 'commit'; line: number; start: number; end: number; payloadText: string; payload: AnyPayload; sig: Uint8Array; id: string };

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

/** The header of a whole file: its vault id, format version, and where its LF is; VaultCorrupted when it has none. */
export function readFileHeader(bytes: Uint8Array): { vaultId: string; formatVersion: number; end: number } {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const end = buf.indexOf(0x0a);
  if (end < 0) throw corrupted('header', 'the file has no complete header line');
  return { ...parseHeader(buf.toString('latin1', 0, end)), end };
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
    /** Start at this byte offset, the start of line `line` (a prefix known to be verified: cache/snapshot.ts). */
    startAt?: { offset: number; line: number };
    /** Value lines over LARGE_BLOB_LINE bytes are neither decoded nor hashed here: their hash is '' (graph.ts). */
    deferLargeHashes?: boolean;
  } = {},
  issues: ParseIssue[] = [],
): ParsedFile {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const { vaultId, formatVersion, end: firstNl } = readFileHeader(buf);

  const entries: FileEntry[] = [];
  let pos = opts.startAt ? opts.startAt.offset : firstNl + 1;
  let line = opts.startAt ? opts.startAt.line - 1 : 1;
  let interruptedSave = false;
  const damage = (ln: number, message: string): void => {
    if (!opts.salvage) throw corrupted(`line ${ln}`, message);
    issues.push({ line: ln, message });
  };
  let scratch = Buffer.allocUnsafe(1 << 16);
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
    const tag = buf[start];
    if (buf[start + 1] !== 0x20 || (tag !== 0x42 && tag !== 0x43)) {
      damage(line, 'the line is neither a blob nor a commit');
      continue;
    }
    try {
      if (tag === 0x42 && opts.deferLargeHashes && nl - start > LARGE_BLOB_LINE) {
        entries.push({ kind: 'blob', line, hash: '', start, end: pos });
      } else if (tag === 0x42) {
        // Decoded into one reused buffer to be hashed; the bytes are decoded again from the file when read.
        const text = buf.toString('latin1', start + 2, nl);
        if (scratch.length < text.length) scratch = Buffer.allocUnsafe(text.length);
        const n = decodeB64uInto(text, scratch);
        if (n < 0) {
          damage(line, 'invalid base64url');
          continue;
        }
        entries.push({ kind: 'blob', line, hash: hashBlob(scratch.subarray(0, n)), start, end: pos });
      } else {
        entries.push({ kind: 'commit', line, start, end: pos, ...readCommitLine(buf, start + 2, nl, formatVersion) });
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

// ---- a checked commit's placing fields, without parsing its JSON

/**
 * What places a commit in the graph, and the few fields a reader of an already
 * checked file needs beside (epochs started, value lines listed, slots): its
 * payload's top-level fields, as spelled (hex and base64url need no escapes).
 */
export interface CommitFields {
  v: number;
  author: string;
  seq: number;
  parents: string[];
  /** It has a `genesis` field. */
  genesis: boolean;
  vault: string | undefined;
  /** The epoch it starts (read only with a `newEpoch` field). */
  epoch: string | undefined;
  newEpoch: boolean;
  blobs: string[];
  slots: boolean;
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const COLON = 0x3a;
const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;
const FIELD = Object.fromEntries(
  ['v', 'author', 'seq', 'parents', 'genesis', 'vault', 'epoch', 'newEpoch', 'blobs', 'slots'].map((k) => [k, Buffer.from(k, 'latin1')]),
) as Record<keyof CommitFields, Buffer>;

/** Index just past the JSON string whose opening quote is at `i`, or -1 if it does not end before `end`. */
function stringEnd(b: Buffer, i: number, end: number): number {
  // Most strings are short (names, hashes, keys): a loop is cheaper than a native search for them.
  const near = Math.min(end, i + 128);
  let j = i + 1;
  while (j < near && b[j] !== QUOTE) j++;
  if (j === near) j = b.indexOf(QUOTE, near);
  while (j >= 0 && j < end) {
    let escapes = 0;
    while (b[j - 1 - escapes] === BACKSLASH) escapes++;
    if (escapes % 2 === 0) return j + 1;
    j = b.indexOf(QUOTE, j + 1);
  }
  return -1;
}

/** Index just past the JSON value that starts at `i` (no white space), or -1. */
function valueEnd(b: Buffer, i: number, end: number): number {
  const c = b[i];
  if (c === QUOTE) return stringEnd(b, i, end);
  if (c === OPEN_OBJECT || c === OPEN_ARRAY) {
    let depth = 0;
    for (let j = i; j < end; j++) {
      const x = b[j];
      if (x === QUOTE) {
        const e = stringEnd(b, j, end);
        if (e < 0) return -1;
        j = e - 1;
      } else if (x === OPEN_OBJECT || x === OPEN_ARRAY) depth++;
      else if ((x === CLOSE_OBJECT || x === CLOSE_ARRAY) && --depth === 0) return j + 1;
    }
    return -1;
  }
  let j = i;
  while (j < end && b[j] !== COMMA && b[j] !== CLOSE_OBJECT && b[j] !== CLOSE_ARRAY) j++;
  return j > i ? j : -1;
}

function isField(b: Buffer, start: number, end: number, name: Buffer): boolean {
  if (end - start !== name.length) return false;
  for (let k = 0; k < name.length; k++) if (b[start + k] !== name[k]) return false;
  return true;
}

/** The text of the string value at [start, end) (quotes included), if it needs no unescaping and is ASCII. */
function plainString(b: Buffer, start: number, end: number): string | undefined {
  if (b[start] !== QUOTE || b[end - 1] !== QUOTE || end - start < 2) return undefined;
  for (let k = start + 1; k < end - 1; k++) if (b[k]! >= 0x80 || b[k] === BACKSLASH) return undefined;
  return b.toString('latin1', start + 1, end - 1);
}

/** The digits at [start, end) as a safe integer, if that is all they are. */
function plainInteger(b: Buffer, start: number, end: number): number | undefined {
  if (end <= start || end - start > 16 || (b[start] === 0x30 && end - start > 1)) return undefined;
  let n = 0;
  for (let k = start; k < end; k++) {
    const d = b[k]! - 0x30;
    if (d < 0 || d > 9) return undefined;
    n = n * 10 + d;
  }
  return Number.isSafeInteger(n) ? n : undefined;
}

function plainStrings(b: Buffer, start: number, end: number): string[] | undefined {
  if (b[start] !== OPEN_ARRAY || b[end - 1] !== CLOSE_ARRAY) return undefined;
  const out: string[] = [];
  let i = start + 1;
  if (i === end - 1) return out;
  for (;;) {
    const e = stringEnd(b, i, end);
    const s = e < 0 || b[i] !== QUOTE ? undefined : plainString(b, i, e);
    if (s === undefined) return undefined;
    out.push(s);
    if (e === end - 1) return out;
    if (b[e] !== COMMA) return undefined;
    i = e + 1;
  }
}

/**
 * The top-level fields of a commit's payload (CommitFields), read from its bytes
 * without parsing the JSON: for a file, or a prefix of one, already checked, where
 * parsing every payload again would be the cost (merge/merge.ts reads the copies'
 * shared prefix so). Nested values are skipped, strings by their quotes, so a
 * newer format's fields cannot pass for these. It checks no schema: undefined
 * only when the bytes are not one JSON object without white space holding
 * `v`, `author`, `seq` and `parents` as integers, a string and a string array.
 */
export function readCommitFields(payload: Buffer): CommitFields | undefined {
  const b = payload;
  const end = b.length;
  if (b[0] !== OPEN_OBJECT || b[end - 1] !== CLOSE_OBJECT) return undefined;
  const f: CommitFields = { v: -1, author: '', seq: -1, parents: [], genesis: false, vault: undefined, epoch: undefined, newEpoch: false, blobs: [], slots: false };
  let found = 0; // bits: v, author, seq, parents
  // The epoch is only wanted where it starts (a `newEpoch` field follows): its text is taken then.
  let epochAt = -1;
  let epochEnd = -1;
  for (let i = 1; ; ) {
    const keyEnd = b[i] === QUOTE ? stringEnd(b, i, end) : -1;
    if (keyEnd < 0 || b[keyEnd] !== COLON) return undefined;
    const k0 = i + 1;
    const k1 = keyEnd - 1;
    const v0 = keyEnd + 1;
    const v1 = valueEnd(b, v0, end);
    if (v1 < 0) return undefined;
    switch (b[k0]) {
      case 0x61: // a
        if (isField(b, k0, k1, FIELD.author)) {
          const author = plainString(b, v0, v1);
          if (author === undefined) return undefined;
          f.author = author;
          found |= 2;
        }
        break;
      case 0x62: // b
        if (isField(b, k0, k1, FIELD.blobs)) {
          const blobs = plainStrings(b, v0, v1);
          if (!blobs) return undefined;
          f.blobs = blobs;
        }
        break;
      case 0x65: // e
        if (isField(b, k0, k1, FIELD.epoch)) {
          epochAt = v0;
          epochEnd = v1;
        }
        break;
      case 0x67: // g
        if (isField(b, k0, k1, FIELD.genesis)) f.genesis = true;
        break;
      case 0x6e: // n
        if (isField(b, k0, k1, FIELD.newEpoch)) f.newEpoch = true;
        break;
      case 0x70: // p
        if (isField(b, k0, k1, FIELD.parents)) {
          const parents = plainStrings(b, v0, v1);
          if (!parents) return undefined;
          f.parents = parents;
          found |= 8;
        }
        break;
      case 0x73: // s
        if (isField(b, k0, k1, FIELD.seq)) {
          const seq = plainInteger(b, v0, v1);
          if (seq === undefined) return undefined;
          f.seq = seq;
          found |= 4;
        } else if (isField(b, k0, k1, FIELD.slots)) f.slots = true;
        break;
      case 0x76: // v
        if (isField(b, k0, k1, FIELD.v)) {
          const v = plainInteger(b, v0, v1);
          if (v === undefined) return undefined;
          f.v = v;
          found |= 1;
        } else if (isField(b, k0, k1, FIELD.vault) && (f.vault = plainString(b, v0, v1)) === undefined) return undefined;
        break;
    }
    if (v1 === end - 1) break;
    if (b[v1] !== COMMA) return undefined;
    i = v1 + 1;
  }
  if (found !== 15) return undefined;
  if (f.newEpoch && epochAt >= 0 && (f.epoch = plainString(b, epochAt, epochEnd)) === undefined) return undefined;
  return f;
}
