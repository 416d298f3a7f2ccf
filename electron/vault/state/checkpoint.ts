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
import { utf8 } from '../crypto/index.js';
import { CofferError } from '../errors.js';
import type { CommitPayload } from '../format/codec.js';
import type { Graph } from '../format/graph.js';
import { checkpointChunk } from '../format/commit-builder.js';
import type { CheckpointRecord, CoreRecord, Hlc } from '../format/records.js';
import type { DecodedCommit } from '../access/authorize.js';
import { exportFoldedState, importFoldedState, refsReader, refsWriter } from '../cache/snapshot.js';
import type { VaultCore } from '../core.js';
import { openValue } from './values.js';

/** Commits since the last checkpoint after which an Administrator's write adds one. */
export const CHECKPOINT_EVERY = 10_000;

type BatchRecord = Extract<CoreRecord, { t: 'batch' }>;

/** The content's own version (FORMAT.md §7.3): 2 since the secrets' compact form keeps each secret's newest version apart. */
const CONTENT_VERSION = 2;

export interface CheckpointContent {
  v: typeof CONTENT_VERSION;
  refs: string[];
  state: unknown;
  /** Each covered value commit's batch keys (what reading its values needs). */
  batches: [string, BatchRecord[]][];
  /** Clock and time of the covered commits that a replayed commit has as a parent. */
  clocks: [string, number, number, number][];
}

/** The hash over a set of commit ids that a checkpoint names (FORMAT.md §7.2). */
export function coverHash(ids: Iterable<string>): string {
  return hash('sha256', [...ids].sort().join('\n'), 'hex');
}

/** What an Administrator's checkpoint of `core` (every commit of its graph) records. */
export function checkpointOf(core: VaultCore): { record: CheckpointRecord; content: Uint8Array } {
  const g = core.graph;
  const ids = g.commits.map((c) => c.id);
  const refs = refsWriter();
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
  const content: CheckpointContent = { v: CONTENT_VERSION, refs: refs.list, state, batches, clocks };
  return {
    record: {
      t: 'checkpoint',
      covers: coverHash(ids),
      count: ids.length,
      rejected: [...core.rejected, ...core.unreadable].map((r) => ({ id: r.id, reason: r.reason.slice(0, 1024) })),
      state: [],
    },
    content: utf8(JSON.stringify(content)),
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

/** Decrypts a checkpoint's content (its state blobs under its meta batch key). */
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
  const parts: Uint8Array[] = [];
  try {
    for (const [i, b] of record.state.entries()) {
      parts.push(openValue(core.vaultIdBytes, key, checkpointChunk(i, cp.p.epoch), core.graph.blobs.get(cp.p.blobs![b]!), `checkpoint state ${i}`));
    }
    const content = JSON.parse(Buffer.concat(parts).toString('utf8')) as CheckpointContent;
    const ok =
      content?.v === CONTENT_VERSION &&
      Array.isArray(content.refs) &&
      content.refs.every((r) => typeof r === 'string') &&
      Array.isArray(content.batches) &&
      Array.isArray(content.clocks) &&
      content.state !== null &&
      typeof content.state === 'object';
    return ok ? content : undefined;
  } catch (e) {
    // A chunk missing or altered, or content of the wrong shape: this checkpoint is unusable, the vault is not.
    if (e instanceof CofferError || e instanceof SyntaxError || e instanceof TypeError) return undefined;
    throw e;
  }
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
  importFoldedState(core, content.state, refsReader((n) => content.refs[n]!));
}
