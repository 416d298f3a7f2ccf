/**
 * Structure and signatures of the commit graph (VAULT-MODEL C3, C4; FORMAT.md §5).
 * Needs no unlock: this is what `vault check`, the merge driver and every open run.
 *
 * Checked here: commit id = SHA-256(payload bytes); Ed25519 signature over
 * "coffer/v1 commit\0" ‖ id; exactly one genesis, first, whose hash is the
 * vault id in the header; every parent present earlier in the file (a missing
 * parent means commits were removed or withheld); per-author sequence numbers
 * without gaps; each epoch introduced once; every blob referenced by a commit
 * that follows it. Authorization (who may write what) needs the decrypted
 * membership and is checked by the engine (access/authorize.ts).
 *
 * Errors name the first real cause: a commit altered into other valid JSON
 * fails its signature, and that is what is named, not the structure problem
 * (unknown epoch, sequence gap, missing parent) its new id causes.
 */
import { hash } from 'node:crypto';
import { CofferError, corrupted } from '../errors.js';
import { concatBytes, ed25519Verify, ed25519VerifyAsync, fromB64u, utf8 } from '../crypto/index.js';
import {
  FORMAT_VERSION,
  isGenesis,
  isNewer,
  parseVaultFile,
  type AnyPayload,
  type CommitPayload,
  type FileEntry,
  type ParseIssue,
  type ParsedFile,
} from './codec.js';
import { BlobIndex, hashBlob } from './blobs.js';

export { hashBlob };

type CommitEntry = Extract<FileEntry, { kind: 'commit' }>;

export const COMMIT_SIG_LABEL = utf8('coffer/v1 commit\0');

/** The message for a commit whose signature fails (FORMAT.md §5.8). */
export const BAD_SIGNATURE = 'the signature does not verify (the commit was altered or forged)';

/** The part that names a commit: `commit <12 hex> (line N)`. */
export function commitPart(id: string, line: number): string {
  return `commit ${id.slice(0, 12)} (line ${line})`;
}

export interface GraphCommit {
  id: string;
  line: number;
  /** Byte offset where this commit's line starts (absent for a commit only built in memory). */
  start?: number;
  /** Byte offset just past this commit's line. */
  end: number;
  payload: AnyPayload;
  payloadText: string;
  sig: Uint8Array;
  author: string;
  seq: number;
  parents: string[];
  /** Position in file order (a topological order). */
  index: number;
}

export interface Graph {
  vaultId: string;
  /** The header's format version: 1 until the first write of a newer Coffer upgrades the file (FORMAT.md §1). */
  formatVersion: number;
  /** A newer format wrote the header or some commit: what this version knows is read, nothing is written. */
  newerFormat: boolean;
  genesis: GraphCommit;
  commits: GraphCommit[];
  byId: Map<string, GraphCommit>;
  blobs: BlobIndex;
  /** Blobs referenced by commits but absent from the file (purged, or removed by damage). */
  missingBlobs: Set<string>;
  heads: string[];
  validLength: number;
  interruptedSave: boolean;
  /** Byte offset where an interrupted save starts (incomplete line or orphan blob lines after the last commit). */
  truncateTo: number;
  /** Ids of the commits that carry passphrase slots, in file order (few: read without touching the others). */
  slotCommits: string[];
}

/**
 * What the verified-state cache remembers of a commit (C11): its id and a hash
 * of its signature, so a warm open re-verifies a commit whose signature bytes
 * changed (the id covers the payload only).
 */
export function verifiedKey(id: string, sig: Uint8Array): string {
  return `${id}.${hash('sha256', sig, 'hex').slice(0, 32)}`;
}

// One-shot hashing (crypto.hash, Node ≥ 20.12): no Hash object per line.
export function commitId(payloadText: string): string {
  return hash('sha256', payloadText, 'hex');
}

export function signatureMessage(id: string): Uint8Array {
  return concatBytes(COMMIT_SIG_LABEL, Buffer.from(id, 'hex'));
}

export interface GraphOptions {
  /** verifiedKey()s of commits verified on this computer (verified-state cache): their signatures are not checked again. */
  trusted?: Set<string>;
  /** Collect problems and skip damaged commits instead of throwing (check, repair). */
  salvage?: boolean;
  /** Check structure only; the caller runs verifySignatures() later (open: after unlock, with the cache). */
  deferSignatures?: boolean;
  /**
   * Large value lines (checkpoint chunks, over LARGE_BLOB_LINE) take the hash their commit
   * lists for them by position, and are checked against it when read (open: most are never read).
   */
  deferLargeHashes?: boolean;
}

/**
 * A verified prefix of the file to continue from (cache/snapshot.ts): its commits
 * and blobs as the graph holds them, the epochs started, and each head's highest
 * sequence number per author among its ancestors.
 */
export interface GraphBase {
  genesis: GraphCommit;
  commits: GraphCommit[];
  byId: Map<string, GraphCommit>;
  blobs: BlobIndex;
  epochs: Set<string>;
  headSeqs: Map<string, Map<string, number>>;
  childCount: Map<string, number>;
  /** Where the prefix ends (a line start) and the number of the next line. */
  end: number;
  nextLine: number;
  newerFormat: boolean;
  slotCommits: string[];
}

export interface GraphProblems {
  issues: ParseIssue[];
}

/**
 * createVault writes genesis and the first commit in one save: a file with only the
 * genesis was cut (the first commit holds the slot, the keys and the settings).
 */
export function checkNotCut(g: Graph): void {
  if (g.commits.length < 2) throw corrupted('line 3', 'the vault has no first commit after its genesis: the file was cut');
}

/** Parses and verifies a vault file. Throws VaultCorrupted naming the first damaged part unless salvaging. */
export function buildGraph(bytes: Uint8Array, opts: GraphOptions = {}, problems: GraphProblems = { issues: [] }): Graph {
  const parsed: ParsedFile = parseVaultFile(bytes, { salvage: opts.salvage ?? false, deferLargeHashes: (opts.deferLargeHashes ?? false) && !opts.salvage }, problems.issues);
  return verifyEntries(parsed, bytes, opts, problems);
}

/**
 * The graph of a file whose prefix `base` was verified before: only the lines after it
 * are parsed and checked. Every parent of a new commit must be a head of the prefix or
 * a new commit (the caller falls back to buildGraph otherwise: `undefined`).
 */
export function extendGraph(bytes: Uint8Array, base: GraphBase, opts: GraphOptions = {}): Graph | undefined {
  const parsed = parseVaultFile(bytes, { startAt: { offset: base.end, line: base.nextLine } });
  const known = new Set(base.headSeqs.keys());
  for (const e of parsed.entries) {
    if (e.kind !== 'commit') continue;
    if (isGenesis(e.payload) || !e.payload.parents.every((p) => known.has(p))) return undefined;
    known.add(e.id);
  }
  return verifyEntries(parsed, bytes, opts, { issues: [] }, base);
}

function verifyEntries(parsed: ParsedFile, bytes: Uint8Array, opts: GraphOptions, problems: GraphProblems, base?: GraphBase): Graph {
  const salvage = opts.salvage ?? false;
  const damage = (part: string, message: string, line: number): void => {
    if (!salvage) throw corrupted(part, message);
    problems.issues.push({ line, message: `${part}: ${message}` });
  };
  // With signatures deferred (open, merge), a commit whose bytes were changed but stay
  // valid JSON has a new id and fails a structure check instead: its epoch is unknown,
  // its seq skips, its child misses it, its value hash is gone. So before a structure
  // problem of a commit is reported, the signatures of the commits before it (each
  // verified once at most) and then its own are verified, and the first that fails in
  // file order is named: the first real cause, as a full verification names it. This
  // runs only on the failure path.
  let verifiedBefore = 0;
  const holds = (id: string, author: string, sig: Uint8Array): boolean =>
    opts.trusted?.has(verifiedKey(id, sig)) === true || ed25519Verify(fromB64u(author), signatureMessage(id), sig);
  const structureDamage = (entry: CommitEntry, id: string, message: string): void => {
    if (opts.deferSignatures) {
      for (; verifiedBefore < commits.length; verifiedBefore++) {
        const x = commits[verifiedBefore]!;
        if (holds(x.id, x.author, x.sig)) continue;
        verifiedBefore++;
        return damage(commitPart(x.id, x.line), BAD_SIGNATURE, x.line);
      }
      if (!holds(id, entry.payload.author, entry.sig)) return damage(commitPart(id, entry.line), BAD_SIGNATURE, entry.line);
    }
    damage(commitPart(id, entry.line), message, entry.line);
  };
  const file = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const byId = base?.byId ?? new Map<string, GraphCommit>();
  const commits: GraphCommit[] = base?.commits ?? [];
  const blobs = base?.blobs ?? new BlobIndex();
  // Blobs a commit of this pass references that were absent when it was read (purged, damaged, or a later line).
  const unresolved = new Set<string>();
  const epochs = base?.epochs ?? new Set<string>();
  const lastSeq = base?.headSeqs ?? new Map<string, Map<string, number>>(); // commit id -> author -> max seq among it and its ancestors
  let genesis: GraphCommit | undefined = base?.genesis;
  const childCount = base?.childCount ?? new Map<string, number>();
  let pendingBlobs: string[] = [];
  let lastCommitEnd = base ? base.end : -1;
  let newer = parsed.formatVersion > FORMAT_VERSION || (base?.newerFormat ?? false);
  let prevCommitLine = base ? base.nextLine - 1 : 1;
  const slotCommits = base ? [...base.slotCommits] : [];

  const lines = blobs.newPass(file);
  // Large lines left unhashed (deferLargeHashes) since the previous commit, by their place among its lines.
  let unhashed: { at: number; entry: Extract<FileEntry, { kind: 'blob' }> }[] = [];
  for (const entry of parsed.entries) {
    if (entry.kind === 'blob') {
      if (entry.hash === '') {
        unhashed.push({ at: pendingBlobs.length, entry });
        pendingBlobs.push('');
        continue;
      }
      // Where it lies: its bytes are read from there when a value is (a snapshot of this graph keeps the place: cache/snapshot.ts).
      if (!blobs.addLine(lines, entry.hash, entry.start, entry.end, entry.line)) {
        damage(`line ${entry.line}`, 'the same value blob appears twice', entry.line);
        continue;
      }
      pendingBlobs.push(entry.hash);
      continue;
    }
    // The value lines since the previous commit belong to this one; if this commit is
    // damaged and skipped, they go with it (they are not an interrupted save).
    const ownBlobs = pendingBlobs;
    pendingBlobs = [];
    // The usual case, as commit-builder writes them: the value lines just before a commit are
    // its blobs, in its order. Then each is present and its own, with no lookup.
    const listed = isGenesis(entry.payload) || isNewer(entry.payload) ? undefined : (entry.payload.blobs ?? []);
    for (const { at, entry: line } of unhashed) {
      // A large line takes the hash listed at its place, checked when it is read; where the
      // places do not match up, it is hashed now, as every line is without deferLargeHashes.
      const expect = listed !== undefined && listed.length === ownBlobs.length ? listed[at] : undefined;
      let h = expect;
      if (h === undefined) {
        try {
          h = hashBlob(fromB64u(file.toString('latin1', line.start + 2, line.end - 1)));
        } catch {
          damage(`line ${line.line}`, 'invalid base64url', line.line);
          continue;
        }
      }
      if (!blobs.addLine(lines, h, line.start, line.end, line.line, expect !== undefined)) {
        damage(`line ${line.line}`, 'the same value blob appears twice', line.line);
        continue;
      }
      ownBlobs[at] = h;
    }
    unhashed = [];
    const ownInOrder = listed !== undefined && listed.length === ownBlobs.length && listed.every((b, i) => b === ownBlobs[i]);
    let lost: string[] = [];
    const c = checkCommit(entry, parsed.vaultId, opts.deferSignatures ? undefined : opts.trusted, opts.deferSignatures ?? false);
    if ('message' in c) {
      damage(c.part, c.message, entry.line);
      continue;
    }
    const id = c.id;
    if (byId.has(id)) {
      structureDamage(entry, id, 'the same commit appears twice');
      continue;
    }
    const p = entry.payload;
    if (isGenesis(p)) {
      if (genesis) {
        structureDamage(entry, id, 'a second genesis commit');
        continue;
      }
      if (commits.length > 0) {
        structureDamage(entry, id, 'the genesis commit is not the first commit');
        continue;
      }
      if (id !== parsed.vaultId) {
        structureDamage(entry, id, 'the genesis commit does not match the vault id in the header');
        continue;
      }
    } else {
      if (!genesis) {
        structureDamage(entry, id, 'a commit before the genesis commit (the genesis commit is missing or damaged)');
        continue;
      }
      const missing = p.parents.find((x) => !byId.has(x));
      if (missing) {
        // An earlier commit whose JSON was altered but stays valid has a new id, so its child
        // misses it: structureDamage names the altered commit, not the child.
        structureDamage(entry, id, `references commit ${missing.slice(0, 12)}, which is not in the file: commits were removed or withheld`);
        continue;
      }
      // Per-author sequence: 1 + the highest seq of the same author among the ancestors (C3).
      const merged = new Map<string, number>();
      for (const parent of p.parents) for (const [a, s] of lastSeq.get(parent)!) if ((merged.get(a) ?? -1) < s) merged.set(a, s);
      const expected = (merged.get(p.author) ?? 0) + 1;
      if (p.seq !== expected) {
        structureDamage(entry, id, `sequence number ${p.seq} where ${expected} was expected: commits by this author are missing`);
        continue;
      }
      if (isNewer(p)) {
        // A newer format's commit: placed in the graph, its content left unread (§1).
      } else if (p.newEpoch) {
        if (epochs.has(p.epoch)) {
          structureDamage(entry, id, 'starts an epoch that another commit already started');
          continue;
        }
      } else if (!epochs.has(p.epoch)) {
        structureDamage(entry, id, 'writes under an epoch that no earlier commit started');
        continue;
      }
      // A referenced blob may be absent after a purge (C10): only the unlocked
      // engine, which reads the purge records, can tell a purge from damage.
      // But when a value line just before this commit was damaged (it no longer
      // parses, or its hash changed), the missing blob is that damage: the
      // commit cannot be kept (repair drops it, check names it).
      if (listed !== undefined && !ownInOrder) lost = listed.filter((b) => !blobs.has(b));
      if (lost.length > 0) {
        const damagedLine = problems.issues.some((i) => i.line > prevCommitLine && i.line < entry.line);
        const strayBlob = ownBlobs.some((b) => !(p as CommitPayload).blobs!.includes(b));
        if (damagedLine || strayBlob) {
          structureDamage(entry, id, `its value line${lost.length > 1 ? 's are' : ' is'} damaged (blob ${lost[0]!.slice(0, 12)} is missing)`);
          continue;
        }
      }
      merged.set(p.author, p.seq);
      lastSeq.set(id, merged);
    }
    const gc: GraphCommit = {
      id,
      line: entry.line,
      start: entry.start,
      end: entry.end,
      payload: p,
      payloadText: entry.payloadText,
      sig: entry.sig,
      author: p.author,
      seq: p.seq,
      parents: p.parents,
      index: commits.length,
    };
    if (isGenesis(p)) {
      genesis = gc;
      lastSeq.set(id, new Map([[p.author, 0]]));
    } else if (isNewer(p)) {
      newer = true;
      // The value lines before it are its own: their meaning is the newer format's.
      for (const parent of p.parents) childCount.set(parent, (childCount.get(parent) ?? 0) + 1);
    } else {
      if (p.newEpoch) epochs.add(p.epoch);
      for (const b of lost) unresolved.add(b);
      for (const parent of p.parents) childCount.set(parent, (childCount.get(parent) ?? 0) + 1);
    }
    // A blob line between commits must belong to the commit that follows it (or be the
    // late line of an earlier commit's missing blob).
    if (!ownInOrder && !isNewer(p)) {
      const mine = new Set(listed);
      for (const b of ownBlobs) {
        if (!mine.has(b) && !unresolved.has(b)) damage(`line ${blobs.get(b)!.line}`, 'a value blob that no commit references', blobs.get(b)!.line);
      }
    }
    byId.set(id, gc);
    commits.push(gc);
    if (!isGenesis(p) && !isNewer(p) && p.slots) slotCommits.push(id);
    lastCommitEnd = gc.end;
    prevCommitLine = entry.line;
  }
  if (!genesis) throw corrupted('genesis', 'the vault has no valid genesis commit');

  const missingBlobs = new Set<string>();
  for (const b of unresolved) if (!blobs.has(b)) missingBlobs.add(b);
  // Orphan blobs after the last commit: a save interrupted between its blob lines and its commit line.
  let interruptedSave = parsed.interruptedSave;
  let truncateTo = parsed.validLength;
  if (pendingBlobs.length > 0) {
    interruptedSave = true;
    truncateTo = lastCommitEnd;
    for (const b of pendingBlobs) if (b !== '') blobs.delete(b);
  }
  const heads = commits.filter((c) => !childCount.has(c.id)).map((c) => c.id);
  return {
    vaultId: parsed.vaultId,
    formatVersion: parsed.formatVersion,
    newerFormat: newer,
    genesis,
    commits,
    byId,
    blobs,
    missingBlobs,
    heads,
    validLength: parsed.validLength,
    interruptedSave,
    truncateTo,
    slotCommits,
  };
}

/** The commit's id, or why it is damaged: its own line, or (a bad signature) the commit. */
function checkCommit(
  entry: CommitEntry,
  vaultId: string,
  trusted: Set<string> | undefined,
  skipSignature: boolean,
): { id: string } | { part: string; message: string } {
  const id = entry.id;
  const p = entry.payload;
  const signed = (): boolean => ed25519Verify(fromB64u(p.author), signatureMessage(id), entry.sig);
  const forged = { part: commitPart(id, entry.line), message: BAD_SIGNATURE };
  if (!isGenesis(p) && (p as CommitPayload).vault !== vaultId) {
    // A commit of another vault is signed; a `vault` field changed by damage is not.
    return signed() ? { part: `line ${entry.line}`, message: 'the commit belongs to another vault' } : forged;
  }
  if (skipSignature || trusted?.has(verifiedKey(id, entry.sig)) || signed()) return { id };
  return forged;
}

/** Verifies the signature of every commit not in `trusted`; throws VaultCorrupted naming the first bad one. */
export function verifySignatures(graph: Graph, trusted: Set<string>, only?: (c: GraphCommit) => boolean): void {
  for (const c of graph.commits) {
    if (trusted.has(verifiedKey(c.id, c.sig)) || (only && !only(c))) continue;
    if (!ed25519Verify(fromB64u(c.author), signatureMessage(c.id), c.sig)) {
      throw corrupted(commitPart(c.id, c.line), BAD_SIGNATURE);
    }
  }
}

/**
 * verifySignatures on libuv's thread pool. Every check is queued at once, so the
 * pool keeps verifying while the main thread decrypts bodies; the caller awaits
 * the verdict before accepting anything. The verdict is the same as
 * verifySignatures': the first failing commit in file order is named.
 */
export async function verifySignaturesParallel(graph: Graph, trusted: Set<string>, only?: Set<string>): Promise<void> {
  const todo = graph.commits.filter((c) => (!only || only.has(c.id)) && !trusted.has(verifiedKey(c.id, c.sig)));
  const results = await Promise.all(todo.map((c) => ed25519VerifyAsync(fromB64u(c.author), signatureMessage(c.id), c.sig)));
  const i = results.indexOf(false);
  if (i >= 0) {
    const first = todo[i]!;
    throw corrupted(commitPart(first.id, first.line), BAD_SIGNATURE);
  }
}

/**
 * Each commit's highest sequence number per author among itself and its ancestors
 * (what verifyEntries keeps while it reads a file), for every commit of `g`.
 */
export function commitSequences(g: Graph): Map<string, Map<string, number>> {
  const seqs = new Map<string, Map<string, number>>();
  for (const c of g.commits) {
    const m = new Map<string, number>();
    for (const p of c.parents) for (const [a, s] of seqs.get(p) ?? []) if ((m.get(a) ?? -1) < s) m.set(a, s);
    if ((m.get(c.author) ?? -1) < c.seq) m.set(c.author, c.seq);
    seqs.set(c.id, m);
  }
  return seqs;
}

/**
 * A GraphBase to continue `g`, the graph of a file prefix that ends just after its
 * last commit line, with extendGraph (merge/merge.ts: the bytes two copies share are
 * parsed once, then each copy's own lines after them). Unlike the warm snapshot's
 * base, `headSeqs` holds every commit of the prefix (`seqs`, commitSequences(g): the
 * per-commit maps are only read, so they may be shared), so a new commit may name any
 * commit of the prefix as a parent, as buildGraph allows. extendGraph adds to the
 * base's containers: each call returns copies of g's and of `seqs`, unless `take`,
 * which hands over g's own and `seqs` itself (for the last base made from them: g
 * and `seqs` are not used afterwards).
 */
export function graphBaseOf(g: Graph, seqs: Map<string, Map<string, number>> = commitSequences(g), take = false): GraphBase {
  const last = g.commits.at(-1)!;
  if (g.interruptedSave || g.truncateTo !== last.end || g.validLength !== last.end) {
    throw new CofferError('Internal', 'graphBaseOf: the graph does not end with a commit line');
  }
  const epochs = new Set<string>();
  const childCount = new Map<string, number>();
  let newerFormat = false;
  for (const c of g.commits) {
    const p = c.payload;
    if (isGenesis(p)) continue;
    if (isNewer(p)) newerFormat = true;
    else if (p.newEpoch) epochs.add(p.epoch);
    for (const parent of p.parents) childCount.set(parent, (childCount.get(parent) ?? 0) + 1);
  }
  return {
    genesis: g.genesis,
    commits: take ? g.commits : [...g.commits],
    byId: take ? g.byId : new Map(g.byId),
    blobs: take ? g.blobs : g.blobs.copy(),
    epochs,
    headSeqs: take ? seqs : new Map(seqs),
    childCount,
    end: last.end,
    nextLine: last.line + 1,
    newerFormat,
    slotCommits: [...g.slotCommits],
  };
}
