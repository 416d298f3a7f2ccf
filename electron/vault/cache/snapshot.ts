/**
 * The warm snapshot (VAULT-MODEL C11; FORMAT.md §12.7): what an open verified
 * and folded, saved in the profile so the next open on this computer parses,
 * verifies and folds only the commits after it.
 *
 * It is keyed by a prefix of the file: its length L (ending on a line) and the
 * SHA-256 of bytes [0, L). Hashing the prefix is never skipped (size and mtime
 * can be forged), so any changed byte sends the open down the full path. It
 * holds the commit index (ids, parents, authors, sequences, byte offsets), each
 * commit's decision with its reason, the records a later step still needs (the
 * membership, epoch and batch-key records), and the folded state, sealed with
 * XChaCha20-Poly1305 under a key derived from the member's identity: like the
 * vault, it opens only with the passphrase. Values are not in it: they are read
 * on demand from where they lie in the file.
 *
 * The snapshot is used only when every commit after the prefix descends from
 * all of the prefix's commits and changes no membership or epoch: then it
 * comes after them in every order, and folding it last equals a full fold.
 * Anything else (a merge of concurrent copies, a removal) takes the full path,
 * which writes a new snapshot.
 */
import { hash } from 'node:crypto';
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fromB64u, hkdfSha256, open, pad, seal, unpad, utf8, wipe } from '../crypto/index.js';
import { memberKeyId, type MemberIdentity } from '../access/identity.js';
import { isGenesis, isNewer, parseCommitLine, type CommitPayload } from '../format/codec.js';
import { commitSequences, type Graph, type GraphBase, type GraphCommit } from '../format/graph.js';
import type { Body, VaultRecord } from '../format/records.js';
import type { DecodedCommit } from '../access/authorize.js';
import type { VaultCore } from '../core.js';
import { KIND_RECORDS } from '../state/kinds.js';
import type { SnapshotRefs } from '../state/object-kind.js';
import { writeNewFile } from '../store/vault-file.js';

const LABEL = utf8('coffer/v1 snapshot\0');
const SNAPSHOT_VERSION = 1;

/** Commits after the prefix beyond which an open writes a new snapshot. */
export const SNAPSHOT_TAIL_COMMITS = 64;
/** Bytes after the prefix beyond which an open writes a new snapshot. */
export const SNAPSHOT_TAIL_BYTES = 1024 * 1024;

// [id, line, start, end, author, seq, parents (indexes), kind: 0 genesis | 1 commit | 2 newer format, has children]
type CommitRow = [string, number, number, number, string, number, number[], 0 | 1 | 2, 0 | 1];

export interface SnapshotJson {
  v: typeof SNAPSHOT_VERSION;
  vaultId: string;
  formatVersion: number;
  newerFormat: boolean;
  prefix: { length: number; sha256: string; nextLine: number };
  commits: CommitRow[];
  /** Blob lines of the prefix: [start, end, line]; blob i's hash is refs[i]. */
  blobs: [number, number, number][];
  epochs: string[];
  slotCommits: number[];
  headSeqs: [number, [string, number][]][];
  /** Per commit (by index; genesis excluded): the records later steps need, or why it was unreadable. */
  bodies: [number, Body | null, string | undefined][];
  accepted: number[];
  rejected: [number, string][];
  unreadable: [number, string][];
  /** Distinct membership-event and epoch-frontier lists, and each commit's index into them. */
  eventLists: number[][];
  memberEvents: [number, number][];
  frontierLists: string[][];
  epochFrontier: [number, number][];
  position: number[];
  lastSeq: [string, number][];
  /** Strings the state refers to by number (commit ids, epochs, blob hashes). */
  refs: string[];
  state: unknown;
}

/** The folded state as plain JSON: each kind's compact form, Maps and Sets elsewhere encoded (also a checkpoint's content). */
export function exportFoldedState(core: VaultCore, refs: SnapshotRefs): unknown {
  const exported = core.state.exportState(refs);
  return {
    ...exported,
    grants: encode(exported.grants),
    kinds: Object.fromEntries(Object.entries(exported.kinds).map(([k, v]) => [k, 'fields' in (v as object) ? encode(v) : v])),
  };
}

export function importFoldedState(core: VaultCore, saved: unknown, refList: readonly string[]): void {
  const refs: SnapshotRefs = { ref: () => -1, str: (n) => refList[n]! };
  const s = saved as { grants: unknown; kinds: Record<string, unknown> };
  const state = {
    ...(saved as object),
    grants: decode(s.grants),
    kinds: Object.fromEntries(Object.entries(s.kinds).map(([k, v]) => [k, 'fields' in (v as object) ? decode(v) : v])),
  };
  core.state.importState(state as ReturnType<VaultCore['state']['exportState']>, refs);
}

export function refsWriter(): SnapshotRefs & { list: string[] } {
  const at = new Map<string, number>();
  const list: string[] = [];
  return {
    list,
    ref(s) {
      let n = at.get(s);
      if (n === undefined) at.set(s, (n = list.push(s) - 1));
      return n;
    },
    str: (n) => list[n]!,
  };
}

/** Records a step after the fold still reads: membership, epochs, batch keys, settings (object records are folded already). */
const keptRecord = (r: VaultRecord): boolean => !KIND_RECORDS.has(r.t);

// ------------------------------------------------------------ JSON of Maps and Sets

function encode(value: unknown): unknown {
  if (value instanceof Map) return { $m: [...value].map(([k, v]) => [k, encode(v)]) };
  if (value instanceof Set) return { $s: [...value] };
  if (Array.isArray(value)) return value.map(encode);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) if (v !== undefined) out[k] = encode(v);
    return out;
  }
  return value;
}

function decode(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(decode);
  if (value !== null && typeof value === 'object') {
    const o = value as Record<string, unknown>;
    if (Array.isArray(o.$m)) return new Map((o.$m as [unknown, unknown][]).map(([k, v]) => [k, decode(v)]));
    if (Array.isArray(o.$s)) return new Set(o.$s as unknown[]);
    for (const k of Object.keys(o)) o[k] = decode(o[k]);
    return o;
  }
  return value;
}

// ------------------------------------------------------------------- save

/** The snapshot of `core`, whose graph was read from `bytes` (the prefix ends where the last commit does). */
export function takeSnapshot(core: VaultCore, bytes: Uint8Array): SnapshotJson {
  const g = core.graph;
  const index = new Map<string, number>();
  g.commits.forEach((c, i) => index.set(c.id, i));
  const length = g.truncateTo;
  const hasChild = new Set<string>();
  for (const c of g.commits) for (const p of c.parents) hasChild.add(p);
  const commits: CommitRow[] = g.commits.map((c) => [
    c.id,
    c.line,
    c.start ?? 0,
    c.end,
    c.author,
    c.seq,
    c.parents.map((p) => index.get(p)!),
    isGenesis(c.payload) ? 0 : isNewer(c.payload) ? 2 : 1,
    hasChild.has(c.id) ? 1 : 0,
  ]);
  // Blob hashes are the first strings of the reference table: blob i's hash is refs[i].
  const refs = refsWriter();
  const blobs: SnapshotJson['blobs'] = [];
  for (const [h, b] of g.blobs) {
    const where = (b as { where?: [number, number] }).where;
    if (!where) continue;
    refs.ref(h);
    blobs.push([where[0], where[1], b.line]);
  }
  const bodies: SnapshotJson['bodies'] = [];
  for (const [id, d] of core.decoded) {
    const kept = d.body ? d.body.records.filter(keptRecord) : undefined;
    if (d.body && kept!.length === 0) {
      bodies.push([index.get(id)!, { hlc: d.body.hlc, time: d.body.time, records: [] }, undefined]);
    } else {
      bodies.push([index.get(id)!, d.body ? { hlc: d.body.hlc, time: d.body.time, records: kept! } : null, d.problem]);
    }
  }
  const a = core.authorizer.exportState();
  const lists = new Map<readonly string[], number>();
  const eventLists: number[][] = [];
  const memberEvents: [number, number][] = [];
  for (const [id, l] of a.memberEvents) {
    if (!lists.has(l)) {
      lists.set(l, eventLists.length);
      eventLists.push(l.map((x) => index.get(x)!));
    }
    memberEvents.push([index.get(id)!, lists.get(l)!]);
  }
  const fl = new Map<readonly string[], number>();
  const frontierLists: string[][] = [];
  const epochFrontier: [number, number][] = [];
  for (const [id, l] of a.epochFrontier) {
    if (!fl.has(l)) {
      fl.set(l, frontierLists.length);
      frontierLists.push([...l]);
    }
    epochFrontier.push([index.get(id)!, fl.get(l)!]);
  }
  const headSeqs = headSequences(g);
  const state = exportFoldedState(core, refs);
  return {
    v: SNAPSHOT_VERSION,
    vaultId: g.vaultId,
    formatVersion: g.formatVersion,
    newerFormat: g.newerFormat,
    prefix: { length, sha256: hash('sha256', Buffer.from(bytes.buffer, bytes.byteOffset, length), 'hex'), nextLine: (g.commits.at(-1)?.line ?? 1) + 1 },
    commits,
    blobs,
    epochs: [...core.keyring.epochs.keys()],
    slotCommits: g.slotCommits.map((id) => index.get(id)!),
    headSeqs: [...headSeqs].map(([id, m]) => [index.get(id)!, [...m]]),
    bodies,
    accepted: [...core.accepted].map((id) => index.get(id)!),
    rejected: core.rejected.map((r) => [index.get(r.id)!, r.reason]),
    unreadable: core.unreadable.map((r) => [index.get(r.id)!, r.reason]),
    eventLists,
    memberEvents,
    frontierLists,
    epochFrontier,
    position: g.commits.map((c) => a.position.get(c.id) ?? 0),
    lastSeq: [...core.lastSeq],
    refs: refs.list,
    state,
  };
}

/** Each head's highest sequence number per author among its ancestors (what extending the graph checks new commits against). */
function headSequences(g: Graph): Map<string, Map<string, number>> {
  const seqs = commitSequences(g);
  const heads = new Set(g.heads);
  for (const id of [...seqs.keys()]) if (!heads.has(id)) seqs.delete(id);
  return seqs;
}

// ------------------------------------------------------------------- load

/**
 * The graph of the snapshot's prefix, built from `bytes` without parsing it:
 * payloads, signatures and blobs are read from the buffer when first used.
 */
export function prefixGraph(snap: SnapshotJson, bytes: Uint8Array): GraphBase & { slotCommits: string[] } {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const commits: GraphCommit[] = [];
  const byId = new Map<string, GraphCommit>();
  const childCount = new Map<string, number>();
  for (const [i, row] of snap.commits.entries()) {
    const [id, line, start, end, author, seq, parentIdx, , hasChild] = row;
    const parents = parentIdx.map((p) => snap.commits[p]![0]);
    const c = lazyCommit(buf, { id, line, start, end, author, seq, parents, index: i }, snap.formatVersion);
    commits.push(c);
    byId.set(id, c);
    if (hasChild) childCount.set(id, 1);
  }
  const blobs = new Map<string, { bytes: Uint8Array; line: number }>();
  snap.blobs.forEach(([start, end, line], i) => blobs.set(snap.refs[i]!, lazyBlob(buf, start, end, line)));
  return {
    genesis: commits[0]!,
    commits,
    byId,
    blobs,
    epochs: new Set(snap.epochs),
    headSeqs: new Map(snap.headSeqs.map(([i, m]) => [snap.commits[i]![0], new Map(m)])),
    childCount,
    end: snap.prefix.length,
    nextLine: snap.prefix.nextLine,
    newerFormat: snap.newerFormat,
    slotCommits: snap.slotCommits.map((i) => snap.commits[i]![0]),
  };
}

function lazyCommit(buf: Buffer, f: Pick<GraphCommit, 'id' | 'line' | 'start' | 'end' | 'author' | 'seq' | 'parents' | 'index'>, formatVersion: number): GraphCommit {
  let parsed: ReturnType<typeof parseCommitLine> | undefined;
  // The line was checked when the snapshot was taken, and the prefix hash matched: it parses.
  const read = (): NonNullable<typeof parsed> => (parsed ??= parseCommitLine(buf.subarray(f.start! + 2, f.end - 1).toString('utf8'), formatVersion));
  return {
    ...f,
    get payload() {
      return read().payload;
    },
    get payloadText() {
      return read().payloadText;
    },
    get sig() {
      return read().sig;
    },
  };
}

function lazyBlob(buf: Buffer, start: number, end: number, line: number): { bytes: Uint8Array; line: number; where: [number, number] } {
  let bytes: Uint8Array | undefined;
  return {
    line,
    where: [start, end],
    get bytes() {
      bytes ??= fromB64u(buf.subarray(start + 2, end - 1).toString('latin1'));
      return bytes;
    },
  };
}

/** Restores what `core` (built on the extended graph) had decided and folded for the prefix. */
export function restoreSnapshot(core: VaultCore, snap: SnapshotJson): void {
  const g = core.graph;
  const idAt = (i: number): string => snap.commits[i]![0];
  for (const id of snap.epochs) {
    const c = g.commits.find((x) => !isGenesis(x.payload) && !isNewer(x.payload) && (x.payload as CommitPayload).newEpoch && (x.payload as CommitPayload).epoch === id);
    if (c) core.keyring.registerEpoch(c.id, c.payload as CommitPayload);
  }
  for (const [i, body, problem] of snap.bodies) {
    const c = g.commits[i]!;
    const d: DecodedCommit = {
      c,
      get p() {
        return c.payload as CommitPayload;
      },
      body,
      partial: true,
      ...(problem !== undefined ? { problem } : {}),
    } as DecodedCommit;
    core.decoded.set(c.id, d);
  }
  const eventLists = snap.eventLists.map((l) => Object.freeze(l.map(idAt)));
  const frontierLists = snap.frontierLists.map((l) => Object.freeze(l));
  core.authorizer.importState({
    accepted: snap.accepted.map(idAt),
    rejected: snap.rejected.map(([i, reason]) => ({ id: idAt(i), reason })),
    unreadable: snap.unreadable.map(([i, reason]) => ({ id: idAt(i), reason })),
    memberEvents: new Map(snap.memberEvents.map(([i, l]) => [idAt(i), eventLists[l]!])),
    epochFrontier: new Map(snap.epochFrontier.map(([i, l]) => [idAt(i), frontierLists[l]!])),
    position: new Map(snap.position.map((p, i) => [idAt(i), p])),
  });
  for (const [a, s] of snap.lastSeq) core.lastSeq.set(a, s);
  importFoldedState(core, snap.state, snap.refs);
}

// ------------------------------------------------------------------- file

export class SnapshotFile {
  private readonly file: string;
  private readonly key: Uint8Array;
  private readonly ad: Uint8Array;

  constructor(profileDir: string, vaultId: string, me: MemberIdentity) {
    this.file = join(profileDir, 'cache', `${vaultId.slice(0, 32)}-${memberKeyId(me.signPub)}.snapshot`);
    const vid = Buffer.from(vaultId, 'hex');
    this.key = hkdfSha256(me.encPriv, vid, LABEL, 32);
    this.ad = Buffer.concat([LABEL, vid]);
  }

  /** The snapshot, if there is one that opens and whose prefix is `bytes`' (hashed here, never assumed). */
  async read(bytes: Uint8Array): Promise<SnapshotJson | undefined> {
    let sealed: Buffer;
    try {
      sealed = await readFile(this.file);
    } catch {
      return undefined;
    }
    let snap: SnapshotJson;
    try {
      snap = JSON.parse(Buffer.from(unpad(open(this.key, sealed, this.ad))).toString('utf8')) as SnapshotJson;
    } catch {
      return undefined; // torn or altered: the full path rebuilds it
    }
    if (snap.v !== SNAPSHOT_VERSION || snap.prefix.length > bytes.length) return undefined;
    const prefix = Buffer.from(bytes.buffer, bytes.byteOffset, snap.prefix.length);
    if (hash('sha256', prefix, 'hex') !== snap.prefix.sha256) return undefined;
    return snap;
  }

  async write(snap: SnapshotJson): Promise<void> {
    const plain = pad(utf8(JSON.stringify(snap)));
    try {
      await mkdir(join(this.file, '..'), { recursive: true, mode: 0o700 });
      await writeNewFile(this.file, seal(this.key, plain, this.ad), { overwrite: true });
    } finally {
      wipe(plain);
    }
  }

  wipe(): void {
    wipe(this.key);
  }
}
