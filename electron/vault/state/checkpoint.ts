/**
 * Checkpoints (VAULT-MODEL C11; FORMAT.md §7.3 `checkpoint`, §9.6): an Administrator's
 * signed commit that carries the folded state of every commit before it, so a
 * cold open on a new computer checks the checkpoint and the commits after it
 * instead of decrypting and folding the whole history.
 *
 * A checkpoint starts a new key epoch, so it is visible in the clear among the
 * epoch commits. A cold open still hashes every line (the ids, to check what the
 * checkpoint covers), still replays every epoch commit with its signature (every
 * membership change starts an epoch: the membership is never taken on trust),
 * and takes from the checkpoint only the data commits it covers: their
 * decisions, the folded state and the batch keys their values need. Its author
 * could already write any value, so a checkpoint adds no power; one whose
 * covered set differs from the file's is ignored and reported, never partly
 * trusted; `vault check` still verifies everything.
 */
import { hash } from 'node:crypto';
import { concatBytes, utf8 } from '../crypto/index.js';
import { CofferError, corrupted } from '../errors.js';
import type { CommitPayload } from '../format/codec.js';
import type { Graph } from '../format/graph.js';
import { CHECKPOINT_CHUNK, checkpointChunk } from '../format/commit-builder.js';
import type { CheckpointRecord, CoreRecord, Hlc } from '../format/records.js';
import type { DecodedCommit } from '../access/authorize.js';
import { exportFoldedState, importFoldedState, refsReader, refsWriter } from '../cache/snapshot.js';
import type { VaultCore } from '../core.js';
import { openValue } from './values.js';

/** Commits since the last checkpoint after which an Administrator's write adds one. */
export const CHECKPOINT_EVERY = 10_000;

type BatchRecord = Extract<CoreRecord, { t: 'batch' }>;

/**
 * The content's own version (FORMAT.md §7.3). 3: a header line, the main JSON, the
 * references as a table of 32-byte hashes, then the deferred parts (older versions);
 * the table and the deferred parts are decrypted when first read. 2 (every part inline,
 * in one JSON) is still read.
 */
const CONTENT_VERSION = 3;
const INLINE_CONTENT_VERSION = 2;
/** A version-3 header line is short: `{"v":3,"main":…,"refs":…,"deferred":…}` and its LF. */
const HEADER_MAX_BYTES = 128;
const HASH_BYTES = 32;
const HEX64 = /^[0-9a-f]{64}$/;

export interface CheckpointContent {
  v: typeof CONTENT_VERSION | typeof INLINE_CONTENT_VERSION;
  /** Reference n (a commit id, epoch or blob hash the state names by number). */
  ref(n: number): string;
  state: unknown;
  /** Each covered value commit's batch keys (what reading its values needs). */
  batches: [string, BatchRecord[]][];
  /** Clock and time of the covered commits that a replayed commit has as a parent. */
  clocks: [string, number, number, number][];
  /** Version 3: the deferred parts' text, decrypted when first asked for. */
  deferredText?: () => Buffer;
}

/** The main JSON of a version-3 content; `refs`: the references that are not 64 hex digits, by number. */
interface MainJson {
  v: typeof CONTENT_VERSION;
  refs: [number, string][];
  state: unknown;
  batches: CheckpointContent['batches'];
  clocks: CheckpointContent['clocks'];
}

/** The hash over a set of commit ids that a checkpoint names (FORMAT.md §7.2). */
export function coverHash(ids: Iterable<string>): string {
  return hash('sha256', [...ids].sort().join('\n'), 'hex');
}

/** What an Administrator's checkpoint of `core` (every commit of its graph) records. */
export function checkpointOf(core: VaultCore): { record: CheckpointRecord; content: Uint8Array } {
  const g = core.graph;
  const ids = g.commits.map((c) => c.id);
  const refs = refsWriter([], true);
  const state = exportFoldedState(core, refs);
  const batches: CheckpointContent['batches'] = [];
  const needClock = new Set<string>(g.heads);
  for (const c of g.commits) {
    const p = c.payload as CommitPayload;
    if (p.newEpoch) for (const x of c.parents) needClock.add(x);
  }
  const clocks: CheckpointContent['clocks'] = [];
  for (const [id, d] of core.decoded) {
    const b = d.body?.records.filter((r): r is BatchRecord => r.t === 'batch' && r.scope !== 'meta') ?? [];
    if (b.length > 0 && core.accepted.has(id)) batches.push([id, b]);
    if (d.body && needClock.has(id)) clocks.push([id, d.body.hlc[0], d.body.hlc[1], d.body.time]);
  }
  // Most references are SHA-256 hashes (commit ids, blob hashes): 32 bytes each in the table; the others by number in the JSON.
  const table = Buffer.alloc(refs.list.length * HASH_BYTES);
  const other: [number, string][] = [];
  refs.list.forEach((r, n) => (HEX64.test(r) ? table.write(r, n * HASH_BYTES, 'hex') : other.push([n, r])));
  const main: MainJson = { v: CONTENT_VERSION, refs: other, state, batches, clocks };
  const mainBytes = utf8(JSON.stringify(main));
  const deferred = refs.deferredText();
  const header = utf8(`${JSON.stringify({ v: CONTENT_VERSION, main: mainBytes.length, refs: table.length, deferred: deferred.length })}\n`);
  return {
    record: {
      t: 'checkpoint',
      covers: coverHash(ids),
      count: ids.length,
      rejected: [...core.rejected, ...core.unreadable].map((r) => ({ id: r.id, reason: r.reason.slice(0, 1024) })),
      state: [],
    },
    content: concatBytes(header, mainBytes, table, deferred),
  };
}

/** The newest checkpoint this member can read: an epoch commit (in the clear) whose body holds one. */
export function findCheckpoint(core: VaultCore): { d: DecodedCommit; record: CheckpointRecord } | undefined {
  const g = core.graph;
  for (let i = g.commits.length - 1; i > 0; i--) {
    const c = g.commits[i]!;
    const p = c.payload as CommitPayload;
    if (!p.newEpoch) continue;
    const d = core.decoded.get(c.id)!;
    core.decodeBody(d);
    const record = d.body?.records.find((r): r is CheckpointRecord => r.t === 'checkpoint');
    if (record) return { d, record };
  }
  return undefined;
}

/** Why a checkpoint cannot stand for the file, or undefined when it covers exactly its ancestors. */
export function checkCoverage(g: Graph, cp: DecodedCommit, record: CheckpointRecord, ancestors: Set<string>): string | undefined {
  const covered = [...ancestors].filter((id) => id !== cp.c.id);
  if (covered.length !== record.count || coverHash(covered) !== record.covers) return 'it does not cover the commits before it in this file';
  // Every other commit must follow the checkpoint (a copy merged in later takes the full path).
  const after = new Set([cp.c.id]);
  for (const c of g.commits) {
    if (ancestors.has(c.id) || c.id === cp.c.id) continue;
    if (!c.parents.some((x) => after.has(x))) return 'commits concurrent with it are in the file';
    after.add(c.id);
  }
  return undefined;
}

/**
 * Decrypts a checkpoint's content (its state chunks under its meta batch key): of a
 * version-3 content, the chunks that hold the header and the main JSON now, the rest
 * when a deferred part is first read. Undefined when it cannot be used (the caller
 * takes the full path).
 */
export function readCheckpoint(core: VaultCore, cp: DecodedCommit, record: CheckpointRecord): CheckpointContent | undefined {
  const batch = cp.body!.records.find((r): r is BatchRecord => r.t === 'batch' && r.scope === 'meta');
  if (!batch) return undefined;
  let key: Uint8Array;
  try {
    key = core.keyring.batchKey(cp.c.id, cp.p, 'meta', batch);
  } catch (e) {
    // A key that does not unwrap or match its commitment: this checkpoint is unusable, the vault is not.
    if (e instanceof CofferError) return undefined;
    throw e;
  }
  const chunk = (i: number): Uint8Array =>
    openValue(core.vaultIdBytes, key, checkpointChunk(i, cp.p.epoch), core.graph.blobs.get(cp.p.blobs![record.state[i]!]!), `checkpoint state ${i}`);
  // Bytes [from, to) of the content, from the chunks that hold them (each CHECKPOINT_CHUNK long but the last);
  // `first`: chunk 0, already decrypted. Decrypted chunks are kept only while one region is read.
  const region = (from: number, to: number, first?: Uint8Array): Buffer => {
    const parts: Uint8Array[] = [];
    for (let i = Math.floor(from / CHECKPOINT_CHUNK); i * CHECKPOINT_CHUNK < to; i++) {
      const c = i === 0 && first ? first : chunk(i);
      const at = i * CHECKPOINT_CHUNK;
      parts.push(c.subarray(Math.max(0, from - at), Math.min(c.length, to - at)));
    }
    const out = Buffer.concat(parts);
    if (out.length !== to - from) throw corrupted(`checkpoint ${cp.c.id.slice(0, 12)}`, 'its state is shorter than its header says');
    return out;
  };
  try {
    const first = chunk(0);
    const header = readHeader(first);
    if (!header) return readInline([first, ...record.state.slice(1).map((_, i) => chunk(i + 1))]);
    const mainEnd = header.length + header.main;
    const refsEnd = mainEnd + header.refs;
    const total = refsEnd + header.deferred;
    if (record.state.length !== Math.max(1, Math.ceil(total / CHECKPOINT_CHUNK)) || header.refs % HASH_BYTES !== 0) return undefined;
    const main = JSON.parse(region(header.length, mainEnd, first).toString('utf8')) as MainJson;
    if (main?.v !== CONTENT_VERSION || !Array.isArray(main.refs) || !wellFormed(main)) return undefined;
    const count = header.refs / HASH_BYTES;
    const other = new Map<number, string>();
    for (const r of main.refs) {
      if (!Array.isArray(r) || !Number.isSafeInteger(r[0]) || r[0] < 0 || r[0] >= count || typeof r[1] !== 'string') return undefined;
      other.set(r[0], r[1]);
    }
    let table: Buffer | undefined;
    let deferred: Buffer | undefined;
    const ref = (n: number): string => {
      const o = other.get(n);
      if (o !== undefined) return o;
      if (!Number.isSafeInteger(n) || n < 0 || n >= count) throw corrupted('the checkpoint this open started from', 'its state names a reference it does not hold');
      table ??= region(mainEnd, refsEnd);
      return table.toString('hex', n * HASH_BYTES, (n + 1) * HASH_BYTES);
    };
    const deferredText = (): Buffer => (deferred ??= region(refsEnd, total));
    return { v: CONTENT_VERSION, ref, state: main.state, batches: main.batches, clocks: main.clocks, deferredText };
  } catch (e) {
    // A chunk missing or altered, or content of the wrong shape: this checkpoint is unusable, the vault is not.
    if (e instanceof CofferError || e instanceof SyntaxError || e instanceof TypeError) return undefined;
    throw e;
  }
}

/** A version-3 header line at the start of the first chunk, or undefined (version 2 starts with its JSON). */
function readHeader(first: Uint8Array): { length: number; main: number; refs: number; deferred: number } | undefined {
  const bytes = Buffer.from(first.buffer, first.byteOffset, first.byteLength);
  const nl = bytes.subarray(0, HEADER_MAX_BYTES).indexOf(0x0a);
  if (nl < 0) return undefined;
  const h = JSON.parse(bytes.toString('utf8', 0, nl)) as { v?: unknown; main?: unknown; refs?: unknown; deferred?: unknown };
  const size = (n: unknown): n is number => Number.isSafeInteger(n) && (n as number) >= 0;
  if (h?.v !== CONTENT_VERSION || !size(h.main) || !size(h.refs) || !size(h.deferred)) throw new TypeError('a checkpoint header of the wrong shape');
  return { length: nl + 1, main: h.main, refs: h.refs, deferred: h.deferred };
}

/** A version-2 content: one JSON text over every chunk, every part inline. */
function readInline(parts: Uint8Array[]): CheckpointContent | undefined {
  const content = JSON.parse(Buffer.concat(parts).toString('utf8')) as Omit<CheckpointContent, 'ref'> & { refs: string[] };
  const ok = content?.v === INLINE_CONTENT_VERSION && Array.isArray(content.refs) && content.refs.every((r) => typeof r === 'string') && wellFormed(content);
  return ok ? { ...content, ref: (n) => content.refs[n]! } : undefined;
}

function wellFormed(c: { state: unknown; batches: unknown; clocks: unknown }): boolean {
  return Array.isArray(c.batches) && Array.isArray(c.clocks) && c.state !== null && typeof c.state === 'object';
}

/**
 * Restores a checkpoint's content into `core`: the folded state, and for the covered data
 * commits (`covered`) the batch keys and clocks later steps read. Its decisions are applied
 * by the authorizer.
 */
export function applyCheckpoint(core: VaultCore, content: CheckpointContent, covered: Set<string>): void {
  for (const [id, records] of content.batches) {
    const d = core.decoded.get(id);
    if (d && covered.has(id) && !d.body) d.body = { hlc: [0, 0], time: 0, records };
  }
  for (const [id, h0, h1, time] of content.clocks) {
    const d = core.decoded.get(id);
    if (!d || !covered.has(id)) continue;
    const hlc: Hlc = [h0, h1];
    d.body = d.body ? { ...d.body, hlc, time } : { hlc, time, records: [] };
  }
  importFoldedState(core, content.state, refsReader(content.ref, content.deferredText, { what: 'the checkpoint this open started from' }));
}
