/**
 * Work on vault files that needs no unlock: merge (V6: union of commits, the
 * git merge driver and sync-folder "conflicted copies"), check (V2: names
 * every damaged part), repair (a new file with every intact commit) and a
 * one-line-per-commit description for `git diff`.
 *
 * Merge unions signed commits; it never decides authorization (that needs
 * the decrypted membership and is done by every client on open, C5), and it
 * never drops a value blob, so an unauthorized commit cannot destroy data
 * through a merge (V4). Purged values come back with an old copy's lines and
 * are dropped again by the next purge compaction of an unlocked client.
 */
import { isUtf8 } from 'node:buffer';
import { hash } from 'node:crypto';
import { mkdtemp, realpath, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { CheckReport, MergeResult } from '../api.js';
import { CofferError, isCofferError } from '../errors.js';
import {
  blobLine,
  commitLine,
  headerLine,
  isGenesis,
  isSchemaError,
  parseCommitLine,
  parseHeader,
  readCommitFields,
  readFileHeader,
  HEADER_PREFIX,
  MAX_LINE_BYTES,
  READABLE_VERSIONS,
  type CommitPayload,
} from '../format/codec.js';
import { ed25519VerifyAsync, fromB64u } from '../crypto/index.js';
import {
  buildGraph,
  commitId,
  commitPart,
  commitSequences,
  extendGraph,
  graphBaseOf,
  hashBlob,
  signatureMessage,
  verifySignatures,
  type Graph,
  type GraphBase,
  type GraphCommit,
  type GraphProblems,
} from '../format/graph.js';
import { appendToVaultFile, readVaultFile, replaceVaultFile, writeNewFile } from '../store/vault-file.js';
import { vaultLockPath, withFileLock } from '../store/lock.js';
import { backupBeforeRewrite } from '../store/backups.js';
import { resolveProfileDir } from '../store/profile.js';
import type { VaultSession } from '../session.js';
import { lostValuePart } from '../core.js';
import { OBJECT_KINDS } from '../state/kinds.js';

function serialize(g: Graph, commits = g.commits): string {
  const out: string[] = [headerLine(g.vaultId, g.formatVersion)];
  for (const c of commits) {
    if (!isGenesis(c.payload)) {
      for (const b of (c.payload as CommitPayload).blobs ?? []) {
        const blob = g.blobs.get(b);
        if (blob) out.push(blobLine(blob.bytes));
      }
    }
    out.push(commitLine(c.payloadText, c.sig));
  }
  return out.join('');
}

/** The graph of a copy already read, with errors naming which copy is damaged. */
function graphOf(bytes: Buffer, path: string, which: string, deferSignatures = false): Graph {
  try {
    return buildGraph(bytes, { deferSignatures });
  } catch (e) {
    if (isCofferError(e) && e.code === 'VaultCorrupted') throw new CofferError('VaultCorrupted', `${which} (${path}): ${e.message}`, { part: e.part ?? which });
    throw e;
  }
}

/** Union of two copies of one vault, in an order every parent precedes its children. */
export function mergeGraphs(ours: Graph, theirs: Graph): { text: string; commits: number; added: number } {
  if (ours.vaultId !== theirs.vaultId) {
    throw new CofferError('BadParameter', 'The two files are different vaults (their genesis commits differ); they cannot be merged.');
  }
  const added = theirs.commits.filter((c) => !ours.byId.has(c.id));
  // The result holds both copies' commits: its header is the newer of the two formats.
  ours.formatVersion = Math.max(ours.formatVersion, theirs.formatVersion);
  for (const [h, b] of theirs.blobs) if (!ours.blobs.has(h)) ours.blobs.set(h, b);
  // Ours keeps its order; theirs' new commits follow in their own (topological) order:
  // each parent is in ours or earlier among them.
  const text = serialize(ours, [...ours.commits, ...added]);
  return { text, commits: ours.commits.length + added.length, added: added.length };
}

async function samePath(a: string, b: string): Promise<boolean> {
  if (resolve(a) === resolve(b)) return true;
  try {
    return (await realpath(a)) === (await realpath(b));
  } catch {
    return false;
  }
}

/** What mergeVaultFiles takes besides the three paths. */
export interface MergeOptions {
  /** Where an in-place merge keeps a copy of the previous file (default: the user's profile folder). */
  profileDir?: string;
  /**
   * The common ancestor of the two copies, when known (the git driver's %O). When its
   * bytes are a prefix of both copies, the copies are not compared over them. Only a
   * hint: an unreadable or unrelated file is ignored.
   */
  base?: string;
}

/** How a merge went (tests, the bench): what was parsed and how the result was written. */
export interface MergeDetails extends MergeResult {
  /**
   * `base`: the ancestor's bytes are a prefix of both copies; `search`: the copies'
   * longest common prefix was searched; `full`: both copies were parsed in full.
   */
  shared: 'base' | 'search' | 'full';
  /** Bytes both copies share (0 on the full path). */
  prefix: number;
  /**
   * How those bytes were taken: `read` for what the copies' own lines are checked against
   * (readPrefix), `parsed` and structure-checked once (what the read cannot decide, and a
   * rewrite), `none` on the full path.
   */
  prefixAs: 'read' | 'parsed' | 'none';
  /** `append`: lines added to ours in place; `rewrite`: ours replaced; `new`: the output written; `none`: nothing written. */
  wrote: 'append' | 'rewrite' | 'new' | 'none';
}

const LF = 0x0a;

/** Length of the longest common prefix of `a` and `b`, both known equal over [0, from). */
function commonLength(a: Buffer, b: Buffer, from: number): number {
  const n = Math.min(a.length, b.length);
  const CHUNK = 64 * 1024;
  let i = from;
  while (i < n) {
    const e = Math.min(n, i + CHUNK);
    if (a.compare(b, i, e, i, e) !== 0) {
      while (a[i] === b[i]) i++;
      return i;
    }
    i = e;
  }
  return n;
}

/** The end of the last commit line (`C …\n`) that lies within `buf[0, limit)`, after the header; undefined if none. */
function commitLineEndWithin(buf: Buffer, limit: number, headerEnd: number): number | undefined {
  let nl = limit > 0 ? buf.lastIndexOf(LF, limit - 1) : -1;
  while (nl >= headerEnd) {
    const start = buf.lastIndexOf(LF, nl - 1) + 1;
    if (buf[start] === 0x43 && buf[start + 1] === 0x20) return nl + 1;
    nl = start - 1;
  }
  return undefined;
}

/**
 * The bytes the two copies share: the longest common prefix that ends just after a
 * commit line (an interrupted save or a commit's blob lines at its end are left to
 * each side). The headers may differ in their format version only (same length, same
 * vault id): the prefix is then parsed under the lower version, whose rules are the
 * stricter (FORMAT.md §1.2), so it holds for both. With `base` (the git driver's common
 * ancestor) whose bytes are a prefix of both copies, the comparison starts after it.
 * Undefined when nothing after the header is shared (different vaults, a damaged
 * header or genesis): the full path says why.
 */
function sharedPrefix(ours: Buffer, theirs: Buffer, base: Buffer | undefined): { end: number; lower: Buffer; shared: 'base' | 'search' } | undefined {
  const headerEnd = ours.indexOf(LF) + 1;
  if (headerEnd === 0 || theirs.indexOf(LF) + 1 !== headerEnd) return undefined;
  let lower = ours;
  if (ours.compare(theirs, 0, headerEnd, 0, headerEnd) !== 0) {
    try {
      const a = parseHeader(ours.toString('latin1', 0, headerEnd - 1));
      const b = parseHeader(theirs.toString('latin1', 0, headerEnd - 1));
      if (a.vaultId !== b.vaultId) return undefined;
      if (b.formatVersion < a.formatVersion) lower = theirs;
    } catch {
      return undefined;
    }
  }
  let from = headerEnd;
  let shared: 'base' | 'search' = 'search';
  if (
    base !== undefined &&
    base.indexOf(LF) + 1 === headerEnd &&
    base.length <= ours.length &&
    base.length <= theirs.length &&
    base.compare(ours, headerEnd, base.length, headerEnd, base.length) === 0 &&
    base.compare(theirs, headerEnd, base.length, headerEnd, base.length) === 0
  ) {
    // Git's common ancestor, grown on both sides by appends only (the usual case).
    from = base.length;
    shared = 'base';
  }
  const end = commitLineEndWithin(ours, commonLength(ours, theirs, from), headerEnd);
  return end === undefined ? undefined : { end, lower, shared };
}

type Plan = NonNullable<ReturnType<typeof sharedPrefix>>;

interface FastGraphs {
  /**
   * Each copy's graph. Its commits after the prefix are `commits.slice(own)`: `own` is the
   * prefix's count when the prefix was parsed, 0 when it was only read (readPrefix): the
   * graphs then hold the copies' own lines, and of the prefix only the commits those lines
   * name (in `byId`).
   */
  ours: Graph;
  theirs: Graph;
  own: number;
  /** The shared prefix: its commit count, its end and the line of its last commit. */
  prefix: { commits: number; end: number; lastLine: number };
  shared: 'base' | 'search';
  /** Ours' commits lack value lines that theirs has (a purge compaction, §10.5): the result is a rewrite. */
  lacking: boolean;
  /** Where the prefix is (to parse it when graphs from its read do not serve: a rewrite). */
  plan: Plan;
}

/**
 * Both copies' graphs after their shared prefix, each copy's own lines checked with
 * extendGraph exactly as a full parse would check them. The prefix is the same bytes in
 * both copies and is ours' own: it goes to the result unchanged, and every open verifies
 * it. So it is taken as verified and only read for what the copies' own lines are checked
 * against (readPrefix); when that read cannot decide, it is parsed and checked once.
 * Undefined when there is no shared prefix or anything is damaged: the caller then takes
 * the full path, which names the damage as it always has (so the message never depends
 * on the path).
 */
function fastGraphs(ours: Buffer, theirs: Buffer, base: Buffer | undefined): FastGraphs | undefined {
  const plan = sharedPrefix(ours, theirs, base);
  if (!plan) return undefined;
  try {
    const read = readGraphs(ours, theirs, plan);
    return read === 'damaged' ? undefined : (read ?? parsedGraphs(ours, theirs, plan));
  } catch (e) {
    if (isCofferError(e) && e.code === 'VaultCorrupted') return undefined;
    throw e;
  }
}

/** FastGraphs with the prefix parsed and structure-checked once (buildGraph) rather than read; undefined on damage. */
function parsedGraphs(ours: Buffer, theirs: Buffer, plan: Plan): FastGraphs | undefined {
  try {
    const prefix = buildGraph(plan.lower.subarray(0, plan.end), { deferSignatures: true });
    if (prefix.interruptedSave || prefix.commits.at(-1)!.end !== plan.end) return undefined;
    const common = { commits: prefix.commits.length, end: plan.end, lastLine: prefix.commits.at(-1)!.line };
    const missing = prefix.missingBlobs;
    const seqs = commitSequences(prefix);
    const t = extendGraph(theirs, graphBaseOf(prefix, seqs), { deferSignatures: true });
    // The last base made from the prefix takes its containers rather than copies.
    const o = t && extendGraph(ours, graphBaseOf(prefix, seqs, true), { deferSignatures: true });
    if (!o || !t) return undefined;
    const lacking = [...missing, ...o.missingBlobs].some((h) => t.blobs.has(h));
    return { ours: o, theirs: t, own: common.commits, prefix: common, shared: plan.shared, lacking, plan };
  } catch (e) {
    if (isCofferError(e) && e.code === 'VaultCorrupted') return undefined;
    throw e;
  }
}

/** What readPrefix keeps of the shared prefix: per commit, in file order. */
interface PrefixRead {
  ids: string[];
  index: Map<string, number>;
  /** Byte offsets of each commit's line: its start, and just past its LF. */
  starts: number[];
  ends: number[];
  lines: number[];
  /** Index of each commit's author in `authorNames`, and its sequence number. */
  authors: number[];
  authorNames: string[];
  seqs: number[];
  /** Commit i's parents are the commits `parents[parentsAt[i]]` up to `parents[parentsAt[i + 1]]`. */
  parentsAt: number[];
  parents: number[];
  epochs: Set<string>;
  slotCommits: string[];
}

/**
 * The shared prefix, read but not parsed: each commit's id (SHA-256 of its payload,
 * as commitId computes it), author, sequence number and parents, the epochs started and
 * the slot commits (readCommitFields). Checked on the way, at no extra cost: each line is
 * a value or commit line, the first commit a genesis and no other, every commit of this
 * vault, each id once, every parent an earlier commit (a commit altered in both copies is
 * missed by its child). Undefined when the read cannot decide and the prefix must be
 * parsed: anything unexpected (damage: the parse names it), a commit of a newer format
 * (its value lines are its own, which only the parse knows), or a commit listing a value
 * line of `named` (hashes the copies' own lines hold or name: whether the prefix holds
 * that line takes its hash).
 */
function readPrefix(bytes: Buffer, end: number, named: Set<string>): PrefixRead | undefined {
  const header = readFileHeader(bytes);
  const { vaultId, formatVersion } = header;
  const headerEnd = header.end + 1;
  // Every payload's bytes are then its UTF-8 text, the bytes commitId hashes.
  if (!isUtf8(bytes.subarray(headerEnd, end))) return undefined;
  const r: PrefixRead = { ids: [], index: new Map(), starts: [], ends: [], lines: [], authors: [], authorNames: [], seqs: [], parentsAt: [0], parents: [], epochs: new Set(), slotCommits: [] };
  const authorIndex = new Map<string, number>();
  let line = 1;
  for (let pos = headerEnd; pos < end; ) {
    const start = pos;
    const nl = bytes.indexOf(LF, pos);
    pos = nl + 1;
    line++;
    if (nl - start > MAX_LINE_BYTES || bytes[start + 1] !== 0x20) return undefined;
    if (bytes[start] === 0x42) continue;
    const sp = bytes.lastIndexOf(0x20, nl - 1);
    if (bytes[start] !== 0x43 || sp <= start + 1) return undefined;
    const payload = bytes.subarray(start + 2, sp);
    const f = readCommitFields(payload);
    if (!f || f.genesis !== (r.ids.length === 0)) return undefined;
    const id = hash('sha256', payload, 'hex');
    const n = r.ids.length;
    r.index.set(id, n);
    if (r.index.size === n) return undefined; // the same commit twice
    if (!f.genesis) {
      if (f.vault !== vaultId || !(READABLE_VERSIONS as readonly number[]).includes(f.v) || f.v > formatVersion || f.parents.length === 0) return undefined;
      for (const p of f.parents) {
        // Most often the commit just before.
        const j = p === r.ids[n - 1] ? n - 1 : r.index.get(p);
        if (j === undefined || j >= n) return undefined;
        r.parents.push(j);
      }
      if (f.blobs.some((b) => named.has(b))) return undefined;
      if (f.newEpoch) {
        if (f.epoch === undefined) return undefined;
        r.epochs.add(f.epoch);
      }
      if (f.slots) r.slotCommits.push(id);
    }
    let a = f.author === r.authorNames[r.authors[n - 1]!] ? r.authors[n - 1] : authorIndex.get(f.author);
    if (a === undefined) {
      a = r.authorNames.push(f.author) - 1;
      authorIndex.set(f.author, a);
    }
    r.ids.push(id);
    r.starts.push(start);
    r.ends.push(pos);
    r.lines.push(line);
    r.authors.push(a);
    r.seqs.push(f.seq);
    r.parentsAt.push(r.parents.length);
  }
  return r.ids.length > 0 && r.ends.at(-1) === end ? r : undefined;
}

/**
 * Each author's highest sequence number among commit `from` of the prefix and its
 * ancestors: what verifyEntries keeps for a commit as it reads (its `lastSeq`), for a
 * prefix it would have accepted (where a commit's own number is one above its parents').
 */
function sequencesOf(r: PrefixRead, from: number, marks: Int32Array, stamp: number): Map<string, number> {
  const highest = new Map<number, number>();
  const stack = [from];
  marks[from] = stamp;
  while (stack.length > 0) {
    const c = stack.pop()!;
    const a = r.authors[c]!;
    if ((highest.get(a) ?? -1) < r.seqs[c]!) highest.set(a, r.seqs[c]!);
    for (let k = r.parentsAt[c]!; k < r.parentsAt[c + 1]!; k++) {
      const p = r.parents[k]!;
      if (marks[p] !== stamp) {
        marks[p] = stamp;
        stack.push(p);
      }
    }
  }
  return new Map([...highest].map(([a, s]) => [r.authorNames[a]!, s]));
}

/**
 * Hashes that a copy's own lines (after `from`) hold or may name, added to `into`: each
 * value line's hash, and every quoted 64-hex string of each commit line (its parents and
 * value lines among them). False when a line is damaged (parseVaultFile refuses it).
 */
function ownLineHashes(bytes: Buffer, from: number, into: Set<string>): boolean {
  const quotedHash = /"([0-9a-f]{64})"/g;
  for (let pos = from; pos < bytes.length; ) {
    const start = pos;
    const nl = bytes.indexOf(LF, pos);
    if (nl < 0) break; // an interrupted save: not read
    pos = nl + 1;
    if (nl - start > MAX_LINE_BYTES || bytes[start + 1] !== 0x20) return false;
    const text = bytes.toString('latin1', start + 2, nl);
    if (bytes[start] === 0x43) {
      for (const m of text.matchAll(quotedHash)) into.add(m[1]!);
    } else if (bytes[start] === 0x42) {
      try {
        into.add(hashBlob(fromB64u(text)));
      } catch (e) {
        if (isCofferError(e) && e.code === 'BadParameter') return false;
        throw e;
      }
    } else {
      return false;
    }
  }
  return true;
}

/** The most prefix commits the copies' own lines may name for the prefix to be read (readGraphs). */
const MAX_NAMED_IN_PREFIX = 16;

/**
 * FastGraphs with the prefix read (readPrefix) rather than parsed: extendGraph checks each
 * copy's own lines against a base that holds what those lines can ask of the prefix,
 * exactly as the parsed prefix answers it. The commits they name as parents, with their
 * sequence numbers (sequencesOf); the epochs started. Its value lines are left out: no
 * own line holds or names one the prefix's commits list (readPrefix), so none is in it
 * (each of its value lines is listed by a commit, §3.3), and each look-up of an own line's
 * hash finds nothing, as in the parsed prefix. Nor are the other commits: each own commit
 * is then checked not to be one of them. `damaged` when an own line is damaged (the
 * full path names it); undefined when the prefix must be parsed.
 */
function readGraphs(ours: Buffer, theirs: Buffer, plan: Plan): FastGraphs | 'damaged' | undefined {
  const named = new Set<string>();
  if (!ownLineHashes(theirs, plan.end, named) || !ownLineHashes(ours, plan.end, named)) return 'damaged';
  const r = readPrefix(plan.lower, plan.end, named);
  if (!r) return undefined;
  // Each prefix commit the own lines name costs a walk of its history (sequencesOf): they
  // name one or two as parents, and the genesis as their vault; past a few, parsing is cheaper.
  const inPrefix = [...named].filter((id) => r.index.has(id));
  if (inPrefix.length > MAX_NAMED_IN_PREFIX) return undefined;
  // The header and genesis, parsed: the base's genesis and its (empty) value lines.
  const head = buildGraph(plan.lower.subarray(0, r.ends[0]), { deferSignatures: true });
  const version = head.formatVersion;
  const byId = new Map<string, GraphCommit>();
  const seqs = new Map<string, Map<string, number>>();
  const marks = new Int32Array(r.ids.length);
  for (const id of inPrefix) {
    const i = r.index.get(id)!;
    let c: GraphCommit = head.genesis;
    if (i > 0) {
      let parsed: ReturnType<typeof parseCommitLine>;
      try {
        parsed = parseCommitLine(plan.lower.toString('utf8', r.starts[i]! + 2, r.ends[i]! - 1), version);
      } catch (e) {
        if (isSchemaError(e)) return undefined;
        throw e;
      }
      const p = parsed.payload as CommitPayload;
      c = { id, line: r.lines[i]!, start: r.starts[i]!, end: r.ends[i]!, payload: p, payloadText: parsed.payloadText, sig: parsed.sig, author: p.author, seq: p.seq, parents: p.parents, index: i };
    }
    byId.set(id, c);
    seqs.set(id, sequencesOf(r, i, marks, byId.size));
  }
  const lastLine = r.lines.at(-1)!;
  const base = (): GraphBase => ({
    ...graphBaseOf(head),
    commits: [],
    byId: new Map(byId),
    headSeqs: new Map(seqs),
    epochs: new Set(r.epochs),
    childCount: new Map(),
    end: plan.end,
    nextLine: lastLine + 1,
    slotCommits: r.slotCommits,
  });
  const t = extendGraph(theirs, base(), { deferSignatures: true });
  const o = t && extendGraph(ours, base(), { deferSignatures: true });
  if (!o || !t) return 'damaged';
  // A commit of the prefix again (the parsed prefix's byId would refuse it): damage.
  if ([...o.commits, ...t.commits].some((c) => r.index.has(c.id))) return 'damaged';
  // The prefix lacks none of the value lines theirs' own lines hold (readPrefix): only ours' own commits can.
  const lacking = [...o.missingBlobs].some((h) => t.blobs.has(h));
  return { ours: o, theirs: t, own: 0, prefix: { commits: r.ids.length, end: plan.end, lastLine }, shared: plan.shared, lacking, plan };
}

const sameSig = (a: Uint8Array, b: Uint8Array): boolean => Buffer.compare(a, b) === 0;

/**
 * The signatures a merge checks (FORMAT.md §5.9), after the prefix: theirs' commits
 * that ours lacks or holds with other signature bytes, and those commits of ours. The
 * prefix is the same bytes in both copies, so none of its commits is in either set:
 * they are ours' own commits, which go to the result unchanged and which every open
 * verifies. On libuv's thread pool; false if any fails (the full path then names it).
 */
async function suffixSignaturesHold(f: FastGraphs): Promise<boolean> {
  const todo: GraphCommit[] = [];
  for (const c of f.theirs.commits.slice(f.own)) {
    const mine = f.ours.byId.get(c.id);
    if (!mine) todo.push(c);
    else if (!sameSig(mine.sig, c.sig)) todo.push(c, mine);
  }
  const results = await Promise.all(todo.map((c) => ed25519VerifyAsync(fromB64u(c.author), signatureMessage(c.id), c.sig)));
  return results.every(Boolean);
}

/**
 * Merges `theirs` into `ours`, writing `output` (see mergeVaultFilesDetailed). In
 * place (output is ours), the previous file is first copied to the profile's backups
 * (`profileDir`, default the user's profile folder).
 */
export async function mergeVaultFiles(oursPath: string, theirsPath: string, output: string, options: MergeOptions = {}): Promise<MergeResult> {
  const { commits, added } = await mergeVaultFilesDetailed(oursPath, theirsPath, output, options);
  return { commits, added };
}

/**
 * Merges `theirs` into `ours`, writing `output`, and says how (MergeDetails).
 *
 * The bytes both copies share (their longest common prefix ending on a commit line,
 * or from the git driver's `base`) are ours' own commits, byte for byte the same in
 * theirs: they go to the result unchanged and every open verifies them, so they are
 * taken as verified, as their signatures always were (a forged or damaged commit there
 * would already be in both copies; `vault check` names it). They are only read for what
 * each copy's own lines after them are checked against (readPrefix: ids, parents,
 * sequence numbers, epochs), or parsed and structure-checked once when that read cannot
 * decide. Each copy's own lines are parsed and checked as a full parse checks them
 * (extendGraph), and only the signatures §5.9 asks for are verified, all of them among
 * those lines.
 *
 * The result is ours followed by theirs' commits that ours lacks (their blob lines
 * before each, in theirs' order): in place, those lines are appended to ours with the
 * durable append of a save (store/vault-file.ts), dropping an interrupted save at its
 * end first; ours' bytes before them are not rewritten. A rewrite (temp + rename) is
 * left for what an append cannot do: a newer format header from theirs (FORMAT.md
 * §1.3), or value lines ours' own commits lack and theirs has (an older copy after a
 * purge compaction, §10.5: a merge never drops a blob).
 *
 * Anything else — no shared prefix, different vaults, any damage — takes the full path:
 * both copies parsed in full and the union serialized, as merges always were; damage
 * is named there.
 */
export async function mergeVaultFilesDetailed(oursPath: string, theirsPath: string, output: string, options: MergeOptions = {}): Promise<MergeDetails> {
  const inPlace = await samePath(output, oursPath);
  const profileDir = (): string => options.profileDir ?? resolveProfileDir();
  const run = async (): Promise<MergeDetails> => {
    // Under the lock, ours changes only through a writer that ignores it: then read again.
    for (let attempt = 1; ; attempt++) {
      const oursBytes = await readVaultFile(oursPath);
      const theirsBytes = await readVaultFile(theirsPath);
      const baseBytes = options.base === undefined ? undefined : await readVaultFile(options.base).catch(() => undefined);
      const f = fastGraphs(oursBytes, theirsBytes, baseBytes);
      const done = f && (await suffixSignaturesHold(f)) ? await writeFast(f, oursBytes, theirsBytes) : await fullMerge(oursBytes, theirsBytes);
      if (done !== 'changed') return done;
      if (attempt >= 3) throw new CofferError('Conflict', `${oursPath} kept changing during the merge (a writer that does not take the vault's lock?); try again`);
    }
  };

  const writeFast = async (f: FastGraphs, oursBytes: Buffer, theirsBytes: Buffer): Promise<MergeDetails | 'changed'> => {
    const { ours, theirs, prefix, own } = f;
    const added = theirs.commits.slice(own).filter((c) => !ours.byId.has(c.id));
    const commits = prefix.commits + ours.commits.length - own + added.length;
    let prefixAs: MergeDetails['prefixAs'] = own > 0 ? 'parsed' : 'read';
    const done = (wrote: MergeDetails['wrote']): MergeDetails => ({ commits, added: added.length, shared: f.shared, prefix: prefix.end, prefixAs, wrote });
    if (f.lacking) {
      // Ours' commits get back value lines theirs still has: they go before those commits,
      // so the result is serialized from both graphs in full (the prefix parsed if it was only read).
      const whole = own > 0 ? f : parsedGraphs(oursBytes, theirsBytes, f.plan);
      if (!whole) return fullMerge(oursBytes, theirsBytes);
      prefixAs = 'parsed';
      const text = Buffer.from(mergeGraphs(whole.ours, whole.theirs).text);
      return writeWhole(ours.vaultId, oursBytes.length, text, done);
    }
    // Theirs' new commits in theirs' order, each after the value lines theirs has just
    // before it (its own: a writer puts them there, in its `blobs` order), but for those
    // ours has (a blob line appears once in a file, §3.3). Taken by position rather than
    // from `blobs`, a newer format's commit keeps its value lines too.
    const suffixBlobs = new Map<number, { hash: string; bytes: Uint8Array }>();
    for (const [h, b] of theirs.blobs) if (b.line > prefix.lastLine) suffixBlobs.set(b.line, { hash: h, bytes: b.bytes });
    const lines: string[] = [];
    let previous = prefix.lastLine;
    for (const c of theirs.commits.slice(own)) {
      if (!ours.byId.has(c.id)) {
        for (let line = previous + 1; line < c.line; line++) {
          const b = suffixBlobs.get(line);
          if (b && !ours.blobs.has(b.hash)) lines.push(blobLine(b.bytes));
        }
        lines.push(commitLine(c.payloadText, c.sig));
      }
      previous = c.line;
    }
    const tail = Buffer.from(lines.join(''));
    const headerEnd = oursBytes.indexOf(LF) + 1;
    if (theirs.formatVersion > ours.formatVersion) {
      // The newer header (same length, same vault id), then ours' lines, then theirs' new ones.
      const text = Buffer.concat([theirsBytes.subarray(0, headerEnd), oursBytes.subarray(headerEnd, ours.truncateTo), tail]);
      return writeWhole(ours.vaultId, oursBytes.length, text, done);
    }
    if (!inPlace) {
      await writeNewFile(output, Buffer.concat([oursBytes.subarray(0, ours.truncateTo), tail]), { overwrite: true });
      return done('new');
    }
    if (added.length === 0 && !ours.interruptedSave) return done('none');
    await backupBeforeRewrite(oursPath, profileDir(), ours.vaultId);
    const r = await appendToVaultFile(oursPath, tail, { expectedSize: oursBytes.length, truncateTo: ours.truncateTo });
    return r === 'changed' ? 'changed' : done('append');
  };

  /** The whole result, over ours (kept in the backups first) or to the output. */
  const writeWhole = async (vaultId: string, readSize: number, text: Buffer, done: (wrote: MergeDetails['wrote']) => MergeDetails): Promise<MergeDetails | 'changed'> => {
    if (!inPlace) {
      await writeNewFile(output, text, { overwrite: true });
      return done('new');
    }
    if ((await stat(oursPath)).size !== readSize) return 'changed';
    await backupBeforeRewrite(oursPath, profileDir(), vaultId);
    await replaceVaultFile(oursPath, text);
    return done('rewrite');
  };

  /** Both copies parsed in full, the union serialized: what every merge did before the shared prefix. */
  const fullMerge = async (oursBytes: Buffer, theirsBytes: Buffer): Promise<MergeDetails | 'changed'> => {
    // Structure of both copies is checked in full; signatures only where the merge adds
    // something: theirs' commits that ours lacks, and any commit whose signature bytes
    // differ between the copies. Ours' own commits go to the result unchanged, and
    // every open verifies them (C11), so re-verifying 50,000 of them is not the merge's job.
    const ours = graphOf(oursBytes, oursPath, 'our copy', true);
    const theirs = graphOf(theirsBytes, theirsPath, 'their copy', true);
    const differs = (c: GraphCommit): boolean => {
      const mine = ours.byId.get(c.id);
      return !mine || !sameSig(mine.sig, c.sig);
    };
    try {
      verifySignatures(theirs, new Set(), differs);
    } catch (e) {
      if (isCofferError(e) && e.code === 'VaultCorrupted') throw new CofferError('VaultCorrupted', `their copy (${theirsPath}): ${e.message}`, { part: e.part ?? 'their copy' });
      throw e;
    }
    const changed = theirs.commits.filter((c) => ours.byId.has(c.id) && differs(c)).map((c) => c.id);
    if (changed.length > 0) verifySignatures(ours, new Set(), (c) => changed.includes(c.id));
    const r = mergeGraphs(ours, theirs);
    const done = (wrote: MergeDetails['wrote']): MergeDetails => ({ commits: r.commits, added: r.added, shared: 'full', prefix: 0, prefixAs: 'none', wrote });
    if (inPlace && r.added === 0 && !ours.interruptedSave) return done('none');
    return writeWhole(ours.vaultId, oursBytes.length, Buffer.from(r.text), done);
  };

  // Whatever file is written is locked: a vault's writers must not lose a save to the merge.
  return withFileLock(vaultLockPath(inPlace ? oursPath : output), run);
}

/** What `vault check` reports (CheckReport), and what it could not decide without the passphrase. */
export interface FileCheckReport extends CheckReport {
  /** Set when something could not be told without unlocking: absent value lines, purged or lost. */
  notes?: string[];
}

/**
 * `vault check`: structure and every signature; every damaged part named.
 *
 * A value line referenced by a commit and absent from the file was purged (a
 * later `secret.purge` record, encrypted, and the purge compaction, FORMAT.md
 * §10.5) or lost. Without a key, only one case is decided: a purge lists the
 * versions its writer had seen, so it descends from the commit that wrote them,
 * and an absent value of a commit that no commit descends from was lost. The
 * others are counted in a note. With `unlock`, the file is opened in a throwaway
 * profile, which decides (§9.5): each live version whose value line is missing
 * is a problem named as an open names it.
 */
export async function checkVaultFile(path: string, unlock?: { passphrase: Uint8Array }): Promise<FileCheckReport> {
  const bytes = await readVaultFile(path);
  const problems: GraphProblems = { issues: [] };
  const collected = (): CheckReport['problems'] =>
    problems.issues.map((i) => ({ part: i.message.includes(':') && i.message.startsWith('commit') ? i.message.split(':')[0]! : `line ${i.line}`, message: i.message }));
  let g: Graph;
  try {
    g = buildGraph(bytes, { salvage: true }, problems);
  } catch (e) {
    if (isCofferError(e) && e.code === 'VaultCorrupted') {
      // What was found before the file proved unreadable comes first: it is the cause (a genesis
      // that does not match the header leaves no valid genesis).
      const found = [...collected(), { part: e.part ?? 'file', message: e.message }];
      return { ok: false, vaultId: null, commits: 0, problems: found, rejected: [], interruptedSave: false };
    }
    throw e;
  }
  const found = collected();
  const damaged = found.length > 0;
  const notes: string[] = [];
  const absent = absentValues(g, problems);
  for (const { commit, blobs } of absent.lost) {
    const part = commitPart(commit.id, commit.line);
    const lines = blobs.length > 1 ? `${blobs.length} value lines are` : 'value line is';
    found.push({ part, message: `${part}: its ${lines} missing (blob ${blobs[0]!.slice(0, 12)}) and no later commit could have purged ${blobs.length > 1 ? 'them' : 'it'}` });
  }
  if (absent.undecided > 0) {
    const n = `${absent.undecided} value line${absent.undecided > 1 ? 's are' : ' is'} absent`;
    if (damaged) notes.push(`${n} (purged or lost; \`vault repair\` with the passphrase tells which values were lost)`);
    else if (!unlock) notes.push(`${n} (purged or lost; give the passphrase to tell)`);
  }
  if (unlock && !damaged && (absent.undecided > 0 || absent.lost.length > 0)) {
    for (const p of await lostValues(path, unlock.passphrase)) if (!found.some((f) => f.part === p.part)) found.push(p);
  }
  return {
    ok: found.length === 0,
    vaultId: g.vaultId.slice(0, 32),
    commits: g.commits.length,
    problems: found,
    rejected: [],
    interruptedSave: g.interruptedSave,
    ...(notes.length > 0 ? { notes } : {}),
  };
}

/**
 * Blobs that commits reference and the file lacks: `lost` where no purge can
 * explain them (no commit descends from theirs, and no damaged line follows it
 * that might have been one), the rest `undecided`.
 */
function absentValues(g: Graph, problems: GraphProblems): { lost: { commit: GraphCommit; blobs: string[] }[]; undecided: number } {
  const lost: { commit: GraphCommit; blobs: string[] }[] = [];
  if (g.missingBlobs.size === 0) return { lost, undecided: 0 };
  const heads = new Set(g.heads);
  const lastDamage = problems.issues.reduce((max, i) => Math.max(max, i.line), 0);
  let undecided = 0;
  for (const c of g.commits) {
    if (isGenesis(c.payload)) continue;
    const missing = ((c.payload as CommitPayload).blobs ?? []).filter((b) => g.missingBlobs.has(b));
    if (missing.length === 0) continue;
    if (heads.has(c.id) && lastDamage < c.line) lost.push({ commit: c, blobs: missing });
    else undecided += missing.length;
  }
  return { lost, undecided };
}

/**
 * Opens the file in a throwaway profile (this computer's cache and audit log are
 * untouched) and returns each live version whose value line is missing, as an
 * open names it. Any other damage an open finds is returned too; a wrong
 * passphrase is thrown.
 */
async function lostValues(path: string, passphrase: Uint8Array): Promise<{ part: string; message: string }[]> {
  // vault.ts imports this module: loaded when needed, not at start-up.
  const { openVault, repairVaultFile } = await import('../vault.js');
  const dir = await mkdtemp(join(tmpdir(), 'coffer-check-'));
  try {
    try {
      const v = await openVault({ path, profileDir: join(dir, 'profile'), passphrase, onWarning: () => undefined });
      v.close();
      await (v as VaultSession).settled();
      return []; // every live value is present: the absent lines were purged
    } catch (e) {
      if (!isCofferError(e) || e.code !== 'VaultCorrupted') throw e;
      const first = { part: e.part ?? 'file', message: e.message };
      if (!/^value of \S+ \S+ version \S+$/.test(first.part)) return [first];
      // An open names the first lost value only. Repair's tolerant open lists them all
      // (it appends a purge of them to its copy, which is then deleted); a member who
      // may not purge gets the first one.
      const r = await repairVaultFile(path, join(dir, 'copy.coffer'), { passphrase }).catch((err: unknown) => {
        if (isCofferError(err)) return undefined;
        throw err;
      });
      const all = r?.lostValues?.map((cnv) => {
        const [collection, name, version] = cnv.split('/') as [string, string, string];
        const part = lostValuePart(OBJECT_KINDS.find((k) => k.collection === collection)!, name, version);
        return { part, message: `${part}: the value line is missing from the file` };
      });
      return all && all.some((p) => p.part === first.part) ? all : [first];
    }
  } finally {
    await rm(dir, { recursive: true, force: true, maxRetries: 10, retryDelay: 50 });
  }
}

/** A damaged header is rebuilt from the genesis commit, whose hash is the vault id (C4). */
function withRepairedHeader(bytes: Buffer): Buffer {
  const nl = bytes.indexOf(0x0a);
  const header = nl < 0 ? '' : bytes.subarray(0, nl).toString('latin1');
  const text = bytes.toString('utf8');
  for (const line of text.split('\n')) {
    if (!line.startsWith('C ')) continue;
    const payload = line.slice(2, line.lastIndexOf(' '));
    if (!payload.includes('"genesis"')) continue;
    const id = commitId(payload);
    if (/^coffer-vault\/[1-9][0-9]{0,9} /.test(header) && header.endsWith(` ${id}`)) return bytes;
    const expected = `${HEADER_PREFIX}${id}`;
    const rest = nl < 0 || header.startsWith('C ') || header.startsWith('B ') ? bytes : bytes.subarray(nl + 1);
    return Buffer.concat([Buffer.from(`${expected}\n`), rest]);
  }
  return bytes;
}

/**
 * `vault repair`: a new file holding every intact commit whose ancestors are
 * intact (a commit cannot be kept without its parents: its signature covers
 * them), with their value blobs. The damaged file is never touched.
 */
export async function repairVaultFile(path: string, output: string): Promise<{ kept: number; dropped: number }> {
  const bytes = withRepairedHeader(await readVaultFile(path));
  const problems: GraphProblems = { issues: [] };
  const g = buildGraph(bytes, { salvage: true }, problems);
  const totalCommitLines = bytes.toString('latin1').split('\n').filter((l) => l.startsWith('C ')).length;
  await writeNewFile(output, Buffer.from(serialize(g)), { overwrite: false });
  return { kept: g.commits.length, dropped: Math.max(0, totalCommitLines - g.commits.length) };
}

/** `git diff` text conversion: one line per commit, nothing secret (all of it is in the clear in the file). */
export async function describeVaultFile(path: string): Promise<string[]> {
  const g = buildGraph(await readVaultFile(path), { salvage: true });
  return g.commits.map((c) => {
    const p = c.payload;
    const kind = isGenesis(p) ? 'genesis' : (p as CommitPayload).newEpoch ? 'epoch' : 'commit';
    const blobs = isGenesis(p) ? 0 : ((p as CommitPayload).blobs?.length ?? 0);
    return `${kind} ${c.id.slice(0, 12)} author ${Buffer.from(c.author, 'base64url').toString('hex').slice(0, 12)} seq ${c.seq} parents ${c.parents.length} values ${blobs}`;
  });
}
