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
import { hash, randomBytes } from 'node:crypto';
import { mkdir, open as openFile, type FileHandle } from 'node:fs/promises';
import { readSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { endianness } from 'node:os';
import { hkdfSha256, open, pad, seal, unpad, utf8, wipe } from '../crypto/index.js';
import { memberKeyId, type MemberIdentity } from '../access/identity.js';
import { isGenesis, isNewer, parseCommitLine, type AnyPayload, type CommitPayload, type Stanza } from '../format/codec.js';
import { commitSequences, type Graph, type GraphBase, type GraphCommit } from '../format/graph.js';
import { BlobIndex, SortedBlobTable, type BlobEntry } from '../format/blobs.js';
import type { Body, VaultRecord } from '../format/records.js';
import type { DecodedCommit } from '../access/authorize.js';
import type { VaultCore } from '../core.js';
import { KIND_RECORDS } from '../state/kinds.js';
import type { SnapshotRefs } from '../state/object-kind.js';
import { writeNewFile } from '../store/vault-file.js';
import { CofferError, corrupted } from '../errors.js';

const LABEL = utf8('coffer/v1 snapshot\0');
const SNAPSHOT_VERSION = 2;

/** Commits after the prefix beyond which an open writes a new snapshot. */
export const SNAPSHOT_TAIL_COMMITS = 64;
/** Bytes after the prefix beyond which an open writes a new snapshot. */
export const SNAPSHOT_TAIL_BYTES = 1024 * 1024;

// [id, line, start, end, author, seq, parents (indexes), kind: 0 genesis | 1 commit | 2 newer format, has children, epoch (index into epochs, or -1)]
type CommitRow = [string, number, number, number, string, number, number[], 0 | 1 | 2, 0 | 1, number];

export interface SnapshotJson {
  v: typeof SNAPSHOT_VERSION;
  vaultId: string;
  formatVersion: number;
  newerFormat: boolean;
  prefix: { length: number; sha256: string; nextLine: number };
  commits: CommitRow[];
  /** Binds the deferred part, sealed apart, to this snapshot (16 random bytes, hex). */
  deferredId: string;
  /** How many blob lines the prefix has (the blob table, apart from the JSON; blob i is also ref i). */
  blobCount: number;
  /** The epochs the prefix starts, and the index of the commit that starts each. */
  epochs: string[];
  epochCommits: number[];
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
  /** Strings the state refers to by number after the blob hashes (commit ids, epochs, purged blob hashes). */
  refs: string[];
  state: unknown;
}

/** A snapshot as read: its JSON, and the parts the state deferred (read when first used). */
export interface Snapshot {
  json: SnapshotJson;
  refs: SnapshotRefs;
  blobs: SortedBlobTable;
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

export function importFoldedState(core: VaultCore, saved: unknown, refs: SnapshotRefs): void {
  const s = saved as { grants: unknown; kinds: Record<string, unknown> };
  const state = {
    ...(saved as object),
    grants: decode(s.grants),
    kinds: Object.fromEntries(Object.entries(s.kinds).map(([k, v]) => [k, 'fields' in (v as object) ? decode(v) : v])),
  };
  core.state.importState(state as ReturnType<VaultCore['state']['exportState']>, refs);
}

/**
 * References for saving a state. A checkpoint's: strings numbered in the order first
 * named, deferred parts inline. A snapshot's (`apart`): the blob hashes `first` (the
 * sorted blob table's, so blob i is ref i), then the others; deferred parts go to a
 * text of their own, named by [byte offset, byte length].
 */
export function refsWriter(first: readonly string[] = [], apart = false): SnapshotRefs & { list: string[]; deferredText(): Buffer } {
  const at = new Map<string, number>();
  first.forEach((h, i) => at.set(h, i));
  const list: string[] = [];
  const chunks: string[] = [];
  let size = 0;
  return {
    list,
    ref(s) {
      let n = at.get(s);
      if (n === undefined) at.set(s, (n = first.length + list.push(s) - 1));
      return n;
    },
    str: (n) => (n < first.length ? first[n]! : list[n - first.length]!),
    defer(v) {
      if (!apart) return v;
      const text = JSON.stringify(v);
      const n = Buffer.byteLength(text, 'utf8');
      chunks.push(text);
      size += n;
      return [size - n, n];
    },
    deferred: <T>(v: unknown) => {
      if (!apart) return () => v as T;
      throw new CofferError('Internal', 'a snapshot being written is not read');
    },
    deferredText: () => Buffer.from(chunks.join(''), 'utf8'),
    inline: !apart,
    untrusted: false,
  };
}

/**
 * References for restoring a state: strings by number from `str`; deferred parts read
 * back from `deferredText` (a snapshot's, a checkpoint's), or inline without it (a
 * version-2 checkpoint's). `untrusted` (a checkpoint's): a deferred part that does not
 * read is VaultCorrupted, named by `what`.
 */
export function refsReader(str: (n: number) => string, deferredText?: () => Buffer, untrusted?: { what: string }): SnapshotRefs {
  return {
    ref: () => -1,
    str,
    defer: (v) => v,
    deferred<T>(saved: unknown): () => T {
      if (!deferredText) return () => saved as T;
      if (!untrusted) {
        const [off, len] = saved as [number, number];
        return () => JSON.parse(deferredText().toString('utf8', off, off + len)) as T;
      }
      return () => {
        const text = deferredText();
        const [off, len] = Array.isArray(saved) ? (saved as unknown[]) : [];
        const inside = (n: unknown): n is number => Number.isSafeInteger(n) && (n as number) >= 0 && (n as number) <= text.length;
        if (!inside(off) || !inside(len) || off + len > text.length) throw corrupted(untrusted.what, 'a part of its state lies outside it');
        try {
          return JSON.parse(text.toString('utf8', off, off + len)) as T;
        } catch {
          throw corrupted(untrusted.what, 'a part of its state is not JSON');
        }
      };
    },
    inline: deferredText === undefined,
    untrusted: untrusted !== undefined,
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

/** The snapshot of `core`, whose graph was read from `bytes` (the prefix ends where the last commit does), and its deferred parts. */
export function takeSnapshot(core: VaultCore, bytes: Uint8Array): SnapshotParts {
  const g = core.graph;
  const index = new Map<string, number>();
  g.commits.forEach((c, i) => index.set(c.id, i));
  const length = g.truncateTo;
  const hasChild = new Set<string>();
  for (const c of g.commits) for (const p of c.parents) hasChild.add(p);
  const epochs = [...core.keyring.epochs.values()];
  const epochIndex = new Map(epochs.map((e, i) => [e.id, i]));
  const commits: CommitRow[] = g.commits.map((c) => {
    const kind = isGenesis(c.payload) ? 0 : isNewer(c.payload) ? 2 : 1;
    return [
      c.id,
      c.line,
      c.start ?? 0,
      c.end,
      c.author,
      c.seq,
      c.parents.map((p) => index.get(p)!),
      kind,
      hasChild.has(c.id) ? 1 : 0,
      kind === 1 ? (epochIndex.get((c.payload as CommitPayload).epoch) ?? -1) : -1,
    ];
  });
  // The blob table, sorted by hash; its hashes are the first references.
  const located = new Map<string, BlobEntry>();
  for (const [h, b] of g.blobs) if (b.where) located.set(h, b);
  // The default sort compares strings natively: far cheaper than a comparator on 500,000 hashes.
  const sorted = [...located.keys()].sort();
  const refs = refsWriter(sorted, true);
  const blobHashes = Buffer.alloc(sorted.length * 32);
  const blobWhere = new Float64Array(sorted.length * 3);
  sorted.forEach((h, i) => {
    const b = located.get(h)!;
    blobHashes.write(h, i * 32, 'hex');
    blobWhere[i * 3] = b.where![0];
    blobWhere[i * 3 + 1] = b.where![1];
    blobWhere[i * 3 + 2] = b.line;
  });
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
  const json: SnapshotJson = {
    v: SNAPSHOT_VERSION,
    deferredId: '',
    vaultId: g.vaultId,
    formatVersion: g.formatVersion,
    newerFormat: g.newerFormat,
    prefix: { length, sha256: hash('sha256', Buffer.from(bytes.buffer, bytes.byteOffset, length), 'hex'), nextLine: (g.commits.at(-1)?.line ?? 1) + 1 },
    commits,
    blobCount: sorted.length,
    epochs: epochs.map((e) => e.id),
    epochCommits: epochs.map((e) => index.get(e.commitId)!),
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
  return { json, blobHashes, blobWhere, deferred: refs.deferredText() };
}

/** What a snapshot file holds (sealed): the JSON, the blob table and the deferred parts. */
export interface SnapshotParts {
  json: SnapshotJson;
  blobHashes: Buffer;
  blobWhere: Float64Array;
  deferred: Buffer;
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
export function prefixGraph(snap: Snapshot, bytes: Uint8Array): GraphBase {
  const json = snap.json;
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const commits: GraphCommit[] = [];
  const byId = new Map<string, GraphCommit>();
  const childCount = new Map<string, number>();
  for (let i = 0; i < json.commits.length; i++) {
    const row = json.commits[i]!;
    const c = new PrefixCommit(buf, row, i, json);
    commits.push(c);
    byId.set(c.id, c);
    if (row[8]) childCount.set(c.id, 1);
  }
  return {
    genesis: commits[0]!,
    commits,
    byId,
    blobs: new BlobIndex(snap.blobs),
    epochs: new Set(json.epochs),
    headSeqs: new Map(json.headSeqs.map(([i, m]) => [json.commits[i]![0], new Map(m)])),
    childCount,
    end: json.prefix.length,
    nextLine: json.prefix.nextLine,
    newerFormat: json.newerFormat,
    slotCommits: json.slotCommits.map((i) => json.commits[i]![0]),
  };
}

/**
 * A commit of the prefix: the fields the snapshot holds, and its line parsed from the
 * file when first read (the line was checked when the snapshot was taken, and the
 * prefix hash matched: it parses).
 */
class PrefixCommit implements GraphCommit {
  readonly id: string;
  readonly line: number;
  readonly start: number;
  readonly end: number;
  readonly author: string;
  readonly seq: number;
  readonly parents: string[];
  /** Whether it is an ordinary commit (not genesis, not a newer format's). */
  readonly plain: boolean;
  /** Its epoch, for an ordinary commit. */
  readonly epoch: string | undefined;
  private parsed: ReturnType<typeof parseCommitLine> | undefined;

  constructor(
    private readonly buf: Buffer,
    row: CommitRow,
    readonly index: number,
    private readonly json: SnapshotJson,
  ) {
    [this.id, this.line, this.start, this.end, this.author, this.seq] = row;
    this.parents = row[6].map((p) => json.commits[p]![0]);
    this.plain = row[7] === 1;
    this.epoch = row[9] >= 0 ? json.epochs[row[9]] : undefined;
  }

  private read(): NonNullable<PrefixCommit['parsed']> {
    return (this.parsed ??= parseCommitLine(this.buf.subarray(this.start + 2, this.end - 1).toString('utf8'), this.json.formatVersion));
  }
  get payload(): AnyPayload {
    return this.read().payload;
  }
  get payloadText(): string {
    return this.read().payloadText;
  }
  get sig(): Uint8Array {
    return this.read().sig;
  }
}

/**
 * What the steps after a warm open read of a prefix commit's payload (its author,
 * sequence, parents and epoch: a value's batch key needs no more), without parsing
 * its line; anything else parses it.
 */
function payloadHead(c: PrefixCommit, vault: string): CommitPayload {
  return {
    get v() {
      return (c.payload as CommitPayload).v;
    },
    vault,
    author: c.author,
    seq: c.seq,
    parents: c.parents,
    epoch: c.epoch!,
    get newEpoch() {
      return (c.payload as CommitPayload).newEpoch;
    },
    get slots() {
      return (c.payload as CommitPayload).slots;
    },
    get key(): Stanza {
      return (c.payload as CommitPayload).key;
    },
    get kc() {
      return (c.payload as CommitPayload).kc;
    },
    get body() {
      return (c.payload as CommitPayload).body;
    },
    get blobs() {
      return (c.payload as CommitPayload).blobs;
    },
  };
}

/** Restores what `core` (built on the extended graph) had decided and folded for the prefix. */
export function restoreSnapshot(core: VaultCore, snap: Snapshot): void {
  const json = snap.json;
  const g = core.graph;
  const idAt = (i: number): string => json.commits[i]![0];
  for (const i of json.epochCommits) {
    const c = g.commits[i]!;
    core.keyring.registerEpoch(c.id, c.payload as CommitPayload);
  }
  for (const [i, body, problem] of json.bodies) {
    const c = g.commits[i]! as PrefixCommit;
    const d: DecodedCommit = {
      c,
      p: c.plain ? payloadHead(c, g.vaultId) : (c.payload as CommitPayload),
      body,
      partial: true,
      ...(problem !== undefined ? { problem } : {}),
    };
    core.decoded.set(c.id, d);
  }
  const eventLists = json.eventLists.map((l) => Object.freeze(l.map(idAt)));
  const frontierLists = json.frontierLists.map((l) => Object.freeze(l));
  core.authorizer.importState({
    accepted: json.accepted.map(idAt),
    rejected: json.rejected.map(([i, reason]) => ({ id: idAt(i), reason })),
    unreadable: json.unreadable.map(([i, reason]) => ({ id: idAt(i), reason })),
    memberEvents: new Map(json.memberEvents.map(([i, l]) => [idAt(i), eventLists[l]!])),
    epochFrontier: new Map(json.epochFrontier.map(([i, l]) => [idAt(i), frontierLists[l]!])),
    position: new Map(json.position.map((p, i) => [idAt(i), p])),
  });
  for (const [a, s] of json.lastSeq) core.lastSeq.set(a, s);
  importFoldedState(core, json.state, snap.refs);
}

// ------------------------------------------------------------------- file

export class SnapshotFile {
  private readonly file: string;
  private readonly key: Uint8Array;
  private readonly ad: Uint8Array;
  /** Files of the snapshots read, open until the vault closes (their deferred parts are read through them). */
  private readonly handles = new Set<FileHandle>();

  constructor(profileDir: string, vaultId: string, me: MemberIdentity) {
    this.file = join(profileDir, 'cache', `${vaultId.slice(0, 32)}-${memberKeyId(me.signPub)}.snapshot`);
    const vid = Buffer.from(vaultId, 'hex');
    this.key = hkdfSha256(me.encPriv, vid, LABEL, 32);
    this.ad = Buffer.concat([LABEL, vid]);
  }

  /**
   * The snapshot, if there is one that opens and whose prefix is `bytes`' (hashed here, or
   * `sha256`, the hash of all of `bytes` as they were read; never assumed). Its deferred
   * part stays on disk, read when first used.
   */
  async read(bytes: Uint8Array, sha256?: string): Promise<Snapshot | undefined> {
    let fh: FileHandle;
    try {
      fh = await openFile(this.file, 'r');
    } catch {
      return undefined;
    }
    let keep = false;
    try {
      const snap = await this.readFrom(fh, bytes, sha256);
      keep = snap !== undefined;
      return snap;
    } finally {
      // The deferred part is read through this handle when first needed: a snapshot written
      // meanwhile (another process, a rename over this file) does not change what it reads.
      if (keep) this.handles.add(fh);
      else await fh.close();
    }
  }

  private async readFrom(fh: FileHandle, bytes: Uint8Array, sha256: string | undefined): Promise<Snapshot | undefined> {
    let json: SnapshotJson;
    let hashes: Buffer;
    let where: Float64Array;
    let deferredAt: number;
    let deferredLength: number;
    try {
      const head = Buffer.alloc(4);
      await fh.read(head, 0, 4, 0);
      const mainLength = head.readUInt32BE(0);
      const size = (await fh.stat()).size;
      if (4 + mainLength > size) return undefined;
      const sealed = Buffer.alloc(mainLength);
      await fh.read(sealed, 0, mainLength, 4);
      const u = unpad(open(this.key, sealed, this.ad));
      const plain = Buffer.from(u.buffer, u.byteOffset, u.byteLength);
      let at = 0;
      const part = (): Buffer => {
        const n = plain.readUInt32BE(at);
        const b = plain.subarray(at + 4, at + 4 + n);
        if (b.length !== n) throw new RangeError('cut');
        at += 4 + n;
        return b;
      };
      json = JSON.parse(part().toString('utf8')) as SnapshotJson;
      hashes = part();
      const w = part();
      where = new Float64Array(w.buffer.slice(w.byteOffset, w.byteOffset + w.byteLength));
      deferredAt = 4 + mainLength;
      deferredLength = size - deferredAt;
      if (hashes.length !== json.blobCount * 32 || where.length !== json.blobCount * 3) throw new RangeError('blob table');
    } catch {
      return undefined; // torn, altered or of another version: the full path rebuilds it
    }
    if (json.v !== SNAPSHOT_VERSION || json.prefix.length > bytes.length || endianness() !== 'LE') return undefined;
    // `sha256` is the whole file's, hashed as it was read: the prefix's when nothing was appended since.
    const prefix = Buffer.from(bytes.buffer, bytes.byteOffset, json.prefix.length);
    const prefixHash = sha256 !== undefined && json.prefix.length === bytes.length ? sha256 : hash('sha256', prefix, 'hex');
    if (prefixHash !== json.prefix.sha256) return undefined;
    const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const blobs = new SortedBlobTable(buf, hashes, where);
    let deferred: Buffer | undefined;
    const deferredText = (): Buffer => {
      if (deferred) return deferred;
      try {
        const sealed = Buffer.alloc(deferredLength);
        if (readSync(fh.fd, sealed, 0, deferredLength, deferredAt) !== deferredLength) throw new RangeError('cut');
        const u = unpad(open(this.key, sealed, this.deferredAd(json)));
        return (deferred = Buffer.from(u.buffer, u.byteOffset, u.byteLength));
      } catch {
        // The profile's copy was altered on disk since the open read it: drop it, the next open rebuilds it.
        rmSync(this.file, { force: true });
        throw new CofferError('IoError', `The warm snapshot of this vault in your profile is damaged (${this.file}); it was removed: run the command again.`);
      }
    };
    return { json, blobs, refs: refsReader((n) => (n < blobs.size ? blobs.hashAt(n) : json.refs[n - blobs.size]!), deferredText) };
  }

  /** The deferred parts are sealed apart (read only when first needed), bound to their snapshot by its random id. */
  private deferredAd(json: SnapshotJson): Uint8Array {
    return Buffer.concat([this.ad, Buffer.from('deferred\0'), Buffer.from(json.deferredId, 'hex')]);
  }

  /**
   * Layout: the length of the main part (u32 big-endian), the main part, the deferred
   * part. Main: the JSON, the blob hashes and the blob table (float64, little-endian: a
   * big-endian computer never reads it), each after its length (u32 big-endian); padded
   * and sealed. Deferred: the kinds' deferred parts, padded and sealed apart.
   */
  async write(snap: SnapshotParts): Promise<void> {
    const json = { ...snap.json, deferredId: randomBytes(16).toString('hex') };
    const meta = Buffer.from(JSON.stringify(json), 'utf8');
    const where = Buffer.from(snap.blobWhere.buffer, snap.blobWhere.byteOffset, snap.blobWhere.byteLength);
    const length = (n: number): Buffer => {
      const b = Buffer.alloc(4);
      b.writeUInt32BE(n);
      return b;
    };
    const plain = pad(Buffer.concat([length(meta.length), meta, length(snap.blobHashes.length), snap.blobHashes, length(where.length), where]));
    const deferred = pad(snap.deferred);
    try {
      // Both parts are sealed before the first await: a closing session wipes the key right after calling this.
      const main = seal(this.key, plain, this.ad);
      const apart = seal(this.key, deferred, this.deferredAd(json));
      await mkdir(join(this.file, '..'), { recursive: true, mode: 0o700 });
      await writeNewFile(this.file, Buffer.concat([length(main.length), main, apart]), { overwrite: true });
    } finally {
      wipe(plain, deferred);
    }
  }

  wipe(): void {
    wipe(this.key);
    for (const fh of this.handles) void fh.close().catch(() => undefined);
    this.handles.clear();
  }
}
