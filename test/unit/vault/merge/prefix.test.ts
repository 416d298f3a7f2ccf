// VAULT-MODEL V6 and C10, the merge's shared prefix (merge/merge.ts
// mergeVaultFilesDetailed): the bytes both copies share are taken as verified and
// only read (ids, parents, sequence numbers, epochs), or parsed once when that read
// cannot decide; each copy's own lines after them are parsed and checked against
// them, and an in-place merge appends theirs' new commits to ours instead of
// rewriting it.
//
//   same state    the prefix path gives the STATE the full path (both copies
//                 parsed in full, the union serialized) gives, over random forks
//   append only   in place, ours' bytes stay as they were (same file, same first
//                 bytes); only lines are added after them
//   read          the prefix read rather than parsed: its commits and value lines
//                 counted and kept; signed commits after it that a full parse
//                 refuses (a parent in neither copy, a sequence number off its own
//                 history, a commit or value line of the prefix again) are refused;
//                 what the read cannot decide is parsed; the read of a payload's
//                 fields agrees with its parse
//   damage        a damaged commit after the prefix (or inside it, in both
//                 copies) is still refused, naming the copy, writing nothing
//   base          git's common ancestor is used when it is a prefix of both
//                 copies, and ignored otherwise
//   tails         an interrupted save at the end of ours is dropped, as a save
//                 drops it, before the new lines
//   header        a newer format header from theirs is taken (a rewrite)
//
// Runs: COFFER_PROPERTY_RUNS (default 8); COFFER_PROPERTY_SEED replays a failure.
import fc from 'fast-check';
import { createHash, randomBytes } from 'node:crypto';
import { copyFile, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import type { Vault } from '../../../../electron/vault/api.js';
import { isCofferError } from '../../../../electron/vault/errors.js';
import { ed25519Sign } from '../../../../electron/vault/crypto/index.js';
import { canonicalJson, commitLine, parseCommitLine, readCommitFields, type CommitPayload } from '../../../../electron/vault/format/codec.js';
import { buildGraph, commitId, signatureMessage } from '../../../../electron/vault/format/graph.js';
import { checkVaultFile, mergeGraphs, mergeVaultFilesDetailed, type MergeDetails } from '../../../../electron/vault/merge/merge.js';
import { openVault } from '../../../../electron/vault/vault.js';
import { craftCommit, loadCore, type CraftOptions } from '../properties/forge.js';
import {
  bytesOf,
  cleanupTemp,
  copyVault,
  coreOf,
  create,
  freshProfile,
  open,
  propertyRuns,
  propertySeed,
  stateOf,
  stateOfFile,
  tempDir,
  text,
  type VaultState,
} from './helpers.js';

const RUNS = propertyRuns(8);
const SEED = propertySeed();
const params = { numRuns: RUNS, ...(SEED === undefined ? {} : { seed: SEED }), endOnFailure: true };
const TIMEOUT = 60_000 + RUNS * 12_000;

afterAll(cleanupTemp);

let dir: string;
beforeEach(async () => {
  dir = await tempDir('coffer-merge-prefix-');
});

let outputs = 0;
const out = (name: string): string => join(dir, `${name}-${++outputs}.coffer`);

/** The full path, as every merge did before the shared prefix: both copies parsed in full, the union serialized. */
async function fullMerge(ours: string, theirs: string, output: string): Promise<string> {
  const g = mergeGraphs(buildGraph(await readFile(ours), { deferSignatures: true }), buildGraph(await readFile(theirs), { deferSignatures: true }));
  await writeFile(output, g.text);
  return output;
}

async function merge(ours: string, theirs: string, output: string, base?: string): Promise<MergeDetails> {
  return mergeVaultFilesDetailed(ours, theirs, output, { profileDir: join(dir, 'merge-profile'), ...(base === undefined ? {} : { base }) });
}

/** The message of the VaultCorrupted `fn` throws. */
async function corruption(fn: () => Promise<unknown>): Promise<string> {
  try {
    await fn();
  } catch (e) {
    if (isCofferError(e) && e.code === 'VaultCorrupted') return e.message;
    throw e;
  }
  throw new Error('no VaultCorrupted');
}

/** A base vault with `names` set, written on its own computer. */
async function baseVault(names: string[]): Promise<string> {
  const path = join(dir, 'base.coffer');
  const v = await create(path, join(dir, 'profile-base'));
  try {
    for (const n of names) await v.secrets.set({ name: n, value: text(`${n} at base`) });
  } finally {
    v.close();
  }
  return path;
}

/** A copy of `from`, on its own computer, with `fn` run on it. */
async function fork(from: string, name: string, fn: (v: Vault) => Promise<void>): Promise<string> {
  const path = await copyVault(from, join(dir, `${name}.coffer`));
  await edit(path, name, fn);
  return path;
}

async function edit(path: string, computer: string, fn: (v: Vault) => Promise<void>): Promise<void> {
  const v = await open(path, join(dir, `profile-${computer}`));
  try {
    await fn(v);
  } finally {
    v.close();
  }
}

const sets = (...names: string[]) => async (v: Vault): Promise<void> => {
  for (const n of names) await v.secrets.set({ name: n, value: text(`${n} ${Math.random()}`) });
};

/** sha256 (hex) of every value line of a vault file. */
async function blobHashes(path: string): Promise<Set<string>> {
  const lines = (await readFile(path, 'latin1')).split('\n').filter((l) => l.startsWith('B '));
  return new Set(lines.map((l) => createHash('sha256').update(Buffer.from(l.slice(2), 'base64url')).digest('hex')));
}

/**
 * Appends to `path` a commit its owner signs (the identity the vault opens with on
 * `computer`), built as craftCommit builds it with `o` and changed by `edit` before it
 * is signed, after `lines` (raw lines to put before it).
 */
async function appendSigned(path: string, computer: string, o: Partial<CraftOptions> = {}, edit?: (p: CommitPayload) => CommitPayload, lines = ''): Promise<string> {
  const v = await open(path, join(dir, `profile-${computer}`));
  try {
    // Closing the vault wipes its identity's keys: the commit is signed before.
    const me = coreOf(v).me;
    const c = craftCommit(loadCore(await bytesOf(path), me), me, { records: [], ...o });
    const payloadText = canonicalJson(edit ? edit(c.payload) : c.payload);
    const id = commitId(payloadText);
    await writeFile(path, Buffer.concat([await bytesOf(path), Buffer.from(lines + commitLine(payloadText, ed25519Sign(me.signSeed, signatureMessage(id))))]));
    return id;
  } finally {
    v.close();
  }
}

const commitLines = async (path: string): Promise<string[]> => (await readFile(path, 'latin1')).split('\n').filter((l) => l.startsWith('C '));

/** Byte offset just past the last commit line (where a save would append). */
function lastCommitEnd(bytes: Buffer): number {
  let nl = bytes.lastIndexOf(0x0a, bytes.length - 1);
  while (nl > 0) {
    const start = bytes.lastIndexOf(0x0a, nl - 1) + 1;
    if (bytes[start] === 0x43) return nl + 1;
    nl = start - 1;
  }
  return 0;
}

// ------------------------------------------------------------------ random forks

type Op = { k: 'set'; name: number } | { k: 'delete'; pick: number } | { k: 'recover'; pick: number } | { k: 'purge'; pick: number } | { k: 'sync'; from: number };

const NAMES = ['alpha', 'beta', 'gamma'];
const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 5, arbitrary: fc.record({ k: fc.constant('set' as const), name: fc.nat(NAMES.length - 1) }) },
  { weight: 2, arbitrary: fc.record({ k: fc.constant('delete' as const), pick: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('recover' as const), pick: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('purge' as const), pick: fc.nat() }) },
  { weight: 2, arbitrary: fc.record({ k: fc.constant('sync' as const), from: fc.nat() }) },
);

async function apply(v: Vault, op: Exclude<Op, { k: 'sync' }>): Promise<void> {
  const objects = [...coreOf(v).secrets.values()];
  const live = objects.filter((o) => !o.deleted).map((o) => o.name);
  const deleted = objects.filter((o) => o.deleted).map((o) => o.name);
  switch (op.k) {
    case 'set': {
      const name = [NAMES[op.name]!, ...NAMES].find((n) => !deleted.some((d) => d.toLowerCase() === n.toLowerCase()));
      if (name !== undefined) await v.secrets.set({ name, value: text(`${name} ${Math.random()}`) });
      return;
    }
    case 'delete':
      if (live.length > 0) await v.secrets.delete(live[op.pick % live.length]!);
      return;
    case 'recover':
      if (deleted.length > 0) await v.secrets.recover(deleted[op.pick % deleted.length]!);
      return;
    case 'purge':
      if (deleted.length > 0) await v.secrets.purge(deleted[op.pick % deleted.length]!);
      return;
  }
}

describe('the shared prefix gives the state of the full path', () => {
  it(
    'over random forks of three copies that pull from each other in place: every merge, to a new file or in place, with or without the base, equals the full merge',
    async () => {
      let read = 0;
      await fc.assert(
        fc.asyncProperty(fc.array(fc.record({ copy: fc.nat(2), op: opArb }), { minLength: 2, maxLength: 9 }), async (steps) => {
          dir = await tempDir('coffer-merge-prefix-');
          const base = await baseVault(['alpha', 'beta']);
          const copies = await Promise.all(['A', 'B', 'C'].map((c) => copyVault(base, join(dir, `${c}.coffer`))));
          for (const { copy, op } of steps) {
            if (op.k === 'sync') {
              const from = (copy + 1 + (op.from % 2)) % 3;
              const d = await merge(copies[copy]!, copies[from]!, copies[copy]!, base);
              expect(d.shared).not.toBe('full');
            } else {
              await edit(copies[copy]!, 'ABC'[copy]!, (v) => apply(v, op));
            }
          }
          const [a, b, c] = copies as [string, string, string];
          for (const [ours, theirs] of [
            [a, b],
            [b, a],
            [a, c],
            [c, b],
          ] as const) {
            const reference = await stateOfFile(await fullMerge(ours, theirs, out('full')), dir);
            const viaPrefix = out('prefix');
            const d = await merge(ours, theirs, viaPrefix);
            expect(d.shared).toBe('search');
            expect(d.prefixAs).not.toBe('none');
            if (d.prefixAs === 'read') read++;
            expect(await stateOfFile(viaPrefix, dir)).toEqual(reference);
            const withBase = out('base');
            expect((await merge(ours, theirs, withBase, base)).shared).not.toBe('full');
            expect(await stateOfFile(withBase, dir)).toEqual(reference);
            // In place, on a copy of ours: the same state; ours' lines kept as they were unless a rewrite was needed.
            const inPlace = await copyVault(ours, out('in-place'));
            const before = await bytesOf(inPlace);
            const p = await merge(inPlace, theirs, inPlace, base);
            expect(p.shared).not.toBe('full');
            expect(await stateOfFile(inPlace, dir)).toEqual(reference);
            if (p.wrote === 'append') expect((await bytesOf(inPlace)).subarray(0, lastCommitEnd(before)).equals(before.subarray(0, lastCommitEnd(before)))).toBe(true);
            expect(await checkVaultFile(inPlace)).toMatchObject({ ok: true, interruptedSave: false });
          }
        }),
        params,
      );
      // Most merges of forks read the prefix: only a purge compaction on one side has it parsed.
      expect(read).toBeGreaterThan(0);
    },
    TIMEOUT,
  );

  it('a commit after the prefix may name any commit of it as a parent, not only its heads', async () => {
    // x, then A adds y while B adds z (parent x); A merges B: A = … x y z. A copy of A
    // from before that merge (… x y) adds q. Shared: … x y; ours' z names x, not a head of it.
    const base = await baseVault(['x']);
    const b = await fork(base, 'B', sets('z'));
    const a = await fork(base, 'A', sets('y'));
    const older = await copyVault(a, join(dir, 'older.coffer'));
    await edit(older, 'older', sets('q'));
    expect((await merge(a, b, a)).wrote).toBe('append');
    const reference = await stateOfFile(await fullMerge(a, older, out('full')), dir);
    const output = out('prefix');
    const d = await merge(a, older, output);
    expect(d).toMatchObject({ shared: 'search', prefixAs: 'read', added: 1 });
    expect(d.prefix).toBeLessThan((await bytesOf(a)).length);
    expect(await stateOfFile(output, dir)).toEqual(reference);
    expect(Object.keys(reference.objects).sort()).toEqual(['q', 'x', 'y', 'z']);
  });
});

// ------------------------------------------------------------------ in place

describe('in place, the merge appends', () => {
  it("adds theirs' lines after ours' bytes: the same file, its first bytes unchanged, a durable append, a backup kept", async () => {
    const base = await baseVault(['a', 'b']);
    const theirs = await fork(base, 'theirs', sets('t1', 't2', 'a'));
    const ours = await fork(base, 'ours', sets('o1', 'b'));
    const before = await bytesOf(ours);
    const inode = (await stat(ours)).ino;
    const reference = await stateOfFile(await fullMerge(ours, theirs, out('full')), dir);
    const d = await merge(ours, theirs, ours);
    expect(d).toMatchObject({ added: 3, wrote: 'append', shared: 'search', prefixAs: 'read', prefix: lastCommitEnd(await bytesOf(base)) });
    const after = await bytesOf(ours);
    expect(after.length).toBeGreaterThan(before.length);
    expect(after.subarray(0, before.length).equals(before)).toBe(true);
    expect((await stat(ours)).ino).toBe(inode);
    expect(await stateOfFile(ours, dir)).toEqual(reference);
    // Merging again adds nothing and writes nothing.
    expect(await merge(ours, theirs, ours)).toMatchObject({ added: 0, wrote: 'none' });
    expect((await bytesOf(ours)).equals(after)).toBe(true);
  });

  it('the computer that merged opens the result warm (no rollback) and sees both sides; so does a fresh one', async () => {
    const base = await baseVault(['a']);
    const theirs = await fork(base, 'theirs', sets('t'));
    const ours = await fork(base, 'ours', sets('o'));
    await merge(ours, theirs, ours);
    const v = await open(ours, join(dir, 'profile-ours'));
    try {
      expect(v.secrets.list().map((s) => s.id.split('/')[4]).sort()).toEqual(['a', 'o', 't']);
      expect(await stateOf(v)).toEqual(await stateOfFile(ours, dir));
    } finally {
      v.close();
    }
  });

  it('ours lacking value lines that theirs still has (a purge compaction) is rewritten, as before: no blob is dropped', async () => {
    const base = await baseVault(['keep']);
    const ours = await fork(base, 'ours', sets('gone'));
    // Theirs: a copy of ours from before the purge, with a commit of its own.
    const theirs = await fork(ours, 'theirs', sets('t'));
    await edit(ours, 'ours', async (v) => {
      await v.secrets.delete('gone');
      await v.secrets.purge('gone');
    });
    const before = await blobHashes(ours);
    const reference = await stateOfFile(await fullMerge(ours, theirs, out('full')), dir);
    const d = await merge(ours, theirs, ours);
    expect(d).toMatchObject({ shared: 'search', prefixAs: 'parsed', added: 1, wrote: 'rewrite' });
    expect(d.prefix).toBeGreaterThan(0);
    expect(await stateOfFile(ours, dir)).toEqual(reference);
    expect(Object.keys(reference.objects).sort()).toEqual(['keep', 't']);
    // Every value line of either side is in the result: the purged value's is back before its
    // commit (the next purge compaction drops it again), beside theirs' new one.
    const theirsBlobs = await blobHashes(theirs);
    const after = await blobHashes(ours);
    expect([...theirsBlobs].filter((h) => !before.has(h))).toHaveLength(2);
    expect([...theirsBlobs, ...before].filter((h) => !after.has(h))).toEqual([]);
    expect(await checkVaultFile(ours)).toMatchObject({ ok: true });
  });
});

// ------------------------------------------------------------------ read

describe('the shared prefix is read, not parsed', () => {
  async function forks(): Promise<{ base: string; ours: string; theirs: string }> {
    const base = await baseVault(['a', 'b', 'c', 'd']);
    const theirs = await fork(base, 'theirs', sets('t1', 't2', 'a'));
    const ours = await fork(base, 'ours', sets('o1', 'b'));
    return { base, ours, theirs };
  }

  it("counts and keeps the prefix's commits and value lines: the full path's result, to a new file and in place", async () => {
    const { base, ours, theirs } = await forks();
    const full = mergeGraphs(buildGraph(await bytesOf(ours)), buildGraph(await bytesOf(theirs)));
    const reference = await stateOfFile(await fullMerge(ours, theirs, out('full')), dir);
    const output = out('read');
    const d = await merge(ours, theirs, output);
    expect(d).toMatchObject({ shared: 'search', prefixAs: 'read', prefix: lastCommitEnd(await bytesOf(base)), commits: full.commits, added: full.added, wrote: 'new' });
    expect(d.commits).toBe((await commitLines(output)).length);
    expect(await blobHashes(output)).toEqual(new Set([...(await blobHashes(ours)), ...(await blobHashes(theirs))]));
    expect(await stateOfFile(output, dir)).toEqual(reference);
    expect(await checkVaultFile(output)).toMatchObject({ ok: true, commits: full.commits });

    const inPlace = await copyVault(ours, out('in-place'));
    expect(await merge(inPlace, theirs, inPlace)).toMatchObject({ prefixAs: 'read', commits: full.commits, added: full.added, wrote: 'append' });
    expect((await bytesOf(inPlace)).equals(await bytesOf(output))).toBe(true);
    // Again, and the other way: every commit counted.
    expect(await merge(inPlace, theirs, inPlace)).toMatchObject({ prefixAs: 'read', commits: full.commits, added: 0, wrote: 'none' });
    expect(await merge(theirs, inPlace, out('other-way'))).toMatchObject({ prefixAs: 'read', commits: full.commits, added: 2 });
  });

  it('a signed commit after the prefix whose parent is in neither copy is refused, naming it; ours untouched', async () => {
    const { ours, theirs } = await forks();
    const stranger = randomBytes(32).toString('hex');
    const id = await appendSigned(theirs, 'theirs', { parents: [stranger] });
    const before = await bytesOf(ours);
    for (const output of [ours, out('x')]) {
      const m = await corruption(() => merge(ours, theirs, output));
      expect(m).toMatch(new RegExp(`^their copy \\(.*\\): commit ${id.slice(0, 12)} \\(line \\d+\\): references commit ${stranger.slice(0, 12)}, which is not in the file`));
    }
    expect((await bytesOf(ours)).equals(before)).toBe(true);
  });

  it("a signed commit after the prefix whose parent is one of ours' own commits (not in theirs) is refused", async () => {
    const { ours, theirs } = await forks();
    const mine = buildGraph(await bytesOf(ours)).heads;
    await appendSigned(theirs, 'theirs', { parents: mine });
    const m = await corruption(() => merge(ours, theirs, out('x')));
    expect(m).toMatch(new RegExp(`^their copy \\(.*\\): commit [0-9a-f]{12} \\(line \\d+\\): references commit ${mine[0]!.slice(0, 12)}, which is not in the file`));
  });

  it('the sequence number a commit after the prefix must carry follows its own parents in the prefix, not the whole prefix', async () => {
    const { base, ours, theirs } = await forks();
    // A parent deep in the shared part: its author's next number there is its own plus one.
    const old = buildGraph(await bytesOf(base)).commits[3]!;
    const skipping = await copyVault(theirs, join(dir, 'skipping.coffer'));
    await appendSigned(skipping, 'theirs', { parents: [old.id], seq: old.seq + 2 });
    const m = await corruption(() => merge(ours, skipping, out('x')));
    expect(m).toMatch(new RegExp(`^their copy \\(.*\\): commit [0-9a-f]{12} \\(line \\d+\\): sequence number ${old.seq + 2} where ${old.seq + 1} was expected`));
    // The head's number plus one is wrong there too: it is not among that parent's ancestors.
    const head = buildGraph(await bytesOf(theirs)).commits.at(-1)!;
    const ahead = await copyVault(theirs, join(dir, 'ahead.coffer'));
    await appendSigned(ahead, 'theirs', { parents: [old.id], seq: head.seq + 1 });
    expect(await corruption(() => merge(ours, ahead, out('x')))).toMatch(/sequence number \d+ where \d+ was expected/);
    // With its own parent's number plus one it is sound, and merged.
    const id = await appendSigned(theirs, 'theirs', { parents: [old.id], seq: old.seq + 1 });
    const output = out('merged');
    expect(await merge(ours, theirs, output)).toMatchObject({ prefixAs: 'read', added: 4 });
    expect((await commitLines(output)).some((l) => commitId(l.slice(2, l.lastIndexOf(' '))) === id)).toBe(true);
    expect(await checkVaultFile(output)).toMatchObject({ ok: true });
  });

  it('a commit of the prefix repeated after it is refused: one with value lines, one without, neither named by a commit after it', async () => {
    const base = await baseVault(['a', 'b']);
    await edit(base, 'base', async (v) => {
      await v.secrets.delete('b');
      await v.secrets.set({ name: 'c', value: text('c') });
    });
    const [withValue, without] = (await commitLines(base)).slice(-3, -1) as [string, string];
    for (const [i, again] of [withValue, without].entries()) {
      const theirs = await fork(base, `theirs-${i}`, sets('t'));
      const ours = await fork(base, `ours-${i}`, sets('o'));
      await writeFile(theirs, Buffer.concat([await bytesOf(theirs), Buffer.from(`${again}\n`, 'latin1')]));
      expect(await corruption(() => merge(ours, theirs, out('x')))).toMatch(/^their copy \(.*\): commit [0-9a-f]{12} \(line \d+\): the same commit appears twice/);
    }
  });

  it('a value line of the prefix repeated after it, with a signed commit listing it, is refused', async () => {
    const { base, ours, theirs } = await forks();
    const line = (await readFile(base, 'latin1')).split('\n').find((l) => l.startsWith('B '))!;
    const blob = createHash('sha256').update(Buffer.from(line.slice(2), 'base64url')).digest('hex');
    await appendSigned(theirs, 'theirs', {}, (p) => ({ ...p, blobs: [blob] }), `${line}\n`);
    expect(await corruption(() => merge(ours, theirs, out('x')))).toMatch(/^their copy \(.*\): line \d+: the same value blob appears twice/);
  });

  it('a signed commit after the prefix listing a value line of the prefix has the prefix parsed (the read cannot tell that line is there), and is merged', async () => {
    const { base, ours, theirs } = await forks();
    const line = (await readFile(base, 'latin1')).split('\n').find((l) => l.startsWith('B '))!;
    const blob = createHash('sha256').update(Buffer.from(line.slice(2), 'base64url')).digest('hex');
    await appendSigned(theirs, 'theirs', {}, (p) => ({ ...p, blobs: [blob] }));
    const output = out('x');
    expect(await merge(ours, theirs, output)).toMatchObject({ shared: 'search', prefixAs: 'parsed', added: 4 });
    expect(await checkVaultFile(output)).toMatchObject({ ok: true });
    expect([...(await blobHashes(output))].length).toBe((await readFile(output, 'latin1')).split('\n').filter((l) => l.startsWith('B ')).length);
  });

  it('a signed commit after the prefix naming many commits of it as parents has the prefix parsed (one history walk each would cost more), and is merged', async () => {
    const base = await baseVault(Array.from({ length: 18 }, (_, i) => `s${i}`));
    const theirs = await fork(base, 'theirs', sets('t'));
    const ours = await fork(base, 'ours', sets('o'));
    const shared = buildGraph(await bytesOf(base)).commits.slice(1);
    const many = shared.slice(-17);
    await appendSigned(theirs, 'theirs', { parents: many.map((c) => c.id), seq: Math.max(...many.map((c) => c.seq)) + 1 });
    const output = out('x');
    expect(await merge(ours, theirs, output)).toMatchObject({ shared: 'search', prefixAs: 'parsed', added: 2 });
    expect(await checkVaultFile(output)).toMatchObject({ ok: true });
    // A few such parents are read.
    const few = await fork(base, 'few', sets('f'));
    await appendSigned(few, 'few', { parents: shared.slice(-3).map((c) => c.id).concat(buildGraph(await bytesOf(few)).heads).sort(), seq: buildGraph(await bytesOf(few)).commits.at(-1)!.seq + 1 });
    expect(await merge(ours, few, out('y'))).toMatchObject({ prefixAs: 'read', added: 2 });
  });

  it('reads the fields of every commit of a vault as parseCommitLine parses them', async () => {
    const { ours, theirs } = await forks();
    const output = out('x');
    await merge(ours, theirs, output);
    for (const l of await commitLines(output)) {
      const { payload } = parseCommitLine(l.slice(2), 2);
      const f = readCommitFields(Buffer.from(l.slice(2, l.lastIndexOf(' ')), 'latin1'))!;
      const p = payload as Partial<CommitPayload> & { genesis?: string };
      expect(f).toMatchObject({ v: p.v, author: p.author, seq: p.seq, parents: p.parents, genesis: p.genesis !== undefined, blobs: p.blobs ?? [], newEpoch: p.newEpoch !== undefined });
      if (p.newEpoch) expect(f.epoch).toBe(p.epoch);
    }
  });
});

// ------------------------------------------------------------------ damage

describe('damage is still found', () => {
  async function forks(): Promise<{ base: string; ours: string; theirs: string }> {
    const base = await baseVault(['a', 'b']);
    const theirs = await fork(base, 'theirs', sets('t1', 't2', 't3'));
    const ours = await fork(base, 'ours', sets('o1', 'o2'));
    return { base, ours, theirs };
  }

  /** Replaces the `which`-th commit line from the end with `change(line)`. */
  async function alterCommit(path: string, fromEnd: number, change: (line: string) => string): Promise<void> {
    const lines = (await readFile(path, 'latin1')).split('\n');
    const commitAt = lines.map((l, i) => (l.startsWith('C ') ? i : -1)).filter((i) => i >= 0);
    const i = commitAt[commitAt.length - fromEnd]!;
    lines[i] = change(lines[i]!);
    await writeFile(path, Buffer.from(lines.join('\n'), 'latin1'));
  }

  const flipSig = (line: string): string => {
    const at = line.length - 10;
    return line.slice(0, at) + (line[at] === 'A' ? 'B' : 'A') + line.slice(at + 1);
  };

  it("a forged signature on theirs' new commit: VaultCorrupted naming their copy and the commit; ours untouched", async () => {
    const { ours, theirs } = await forks();
    await alterCommit(theirs, 2, flipSig);
    const before = await bytesOf(ours);
    const m = await corruption(() => merge(ours, theirs, ours));
    expect(m).toMatch(/^their copy \(.*\): commit [0-9a-f]{12} \(line \d+\): the signature does not verify/);
    expect((await bytesOf(ours)).equals(before)).toBe(true);
  });

  it("a commit withheld from ours' own lines (its child names it): VaultCorrupted naming our copy", async () => {
    const { ours, theirs } = await forks();
    const lines = (await readFile(ours, 'latin1')).split('\n');
    const last = lines.map((l, i) => (l.startsWith('C ') ? i : -1)).filter((i) => i >= 0);
    lines.splice(last.at(-2)!, 1); // o1's commit line (its value line stays: it then belongs to o2's)
    await writeFile(ours, Buffer.from(lines.join('\n'), 'latin1'));
    const m = await corruption(() => merge(ours, theirs, out('x')));
    expect(m).toMatch(/^our copy \(.*\): /);
  });

  it("a changed value line after the prefix: refused", async () => {
    const { ours, theirs } = await forks();
    const bytes = await bytesOf(theirs);
    const blob = bytes.lastIndexOf('\nB ') + 5;
    bytes[blob] = bytes[blob] === 0x41 ? 0x42 : 0x41;
    await writeFile(theirs, bytes);
    const m = await corruption(() => merge(ours, theirs, ours));
    expect(m).toMatch(/^their copy \(.*\): /);
  });

  it('a commit after the prefix altered into other valid JSON (its seq): refused, naming the altered commit', async () => {
    const { ours, theirs } = await forks();
    await alterCommit(theirs, 1, (l) => l.replace(/"seq":(\d+)/, (_, n: string) => `"seq":${Number(n) + 1}`));
    const m = await corruption(() => merge(ours, theirs, ours));
    expect(m).toMatch(/^their copy \(.*\): commit [0-9a-f]{12} \(line \d+\): the signature does not verify/);
  });

  it('damage inside the shared part, the same in both copies, is still refused: the prefix is checked once', async () => {
    const { ours, theirs } = await forks();
    // The base's last commit, altered into other valid JSON in both copies: its child misses it.
    for (const p of [ours, theirs]) {
      const text = await readFile(p, 'latin1');
      const baseCommits = (await readFile(join(dir, 'base.coffer'), 'latin1')).split('\n').filter((l) => l.startsWith('C '));
      const line = baseCommits.at(-2)!;
      await writeFile(p, Buffer.from(text.replace(line, line.replace(/"seq":(\d+)/, (_, n: string) => `"seq":${Number(n) + 10}`)), 'latin1'));
    }
    const before = await bytesOf(ours);
    const m = await corruption(() => merge(ours, theirs, ours));
    expect(m).toMatch(/^our copy \(.*\): commit [0-9a-f]{12} \(line \d+\): the signature does not verify/);
    expect((await bytesOf(ours)).equals(before)).toBe(true);
  });

  it('the last commit of the shared part altered in both copies (no child of it there): refused, naming it', async () => {
    const { base, ours, theirs } = await forks();
    const line = (await commitLines(base)).at(-1)!;
    const altered = line.replace(/"seq":(\d+)/, (_, n: string) => `"seq":${Number(n) + 10}`);
    for (const p of [ours, theirs]) await writeFile(p, Buffer.from((await readFile(p, 'latin1')).replace(line, altered), 'latin1'));
    const before = await bytesOf(ours);
    const m = await corruption(() => merge(ours, theirs, ours));
    expect(m).toMatch(/^our copy \(.*\): commit [0-9a-f]{12} \(line \d+\): the signature does not verify/);
    expect((await bytesOf(ours)).equals(before)).toBe(true);
  });

  it('a line of the shared part that is neither a value nor a commit, in both copies: refused, naming it', async () => {
    const { ours, theirs } = await forks();
    for (const p of [ours, theirs]) {
      const lines = (await readFile(p, 'latin1')).split('\n');
      lines.splice(3, 0, 'X not a vault line');
      await writeFile(p, Buffer.from(lines.join('\n'), 'latin1'));
    }
    expect(await corruption(() => merge(ours, theirs, out('x')))).toMatch(/^our copy \(.*\): line 4: the line is neither a blob nor a commit/);
  });

  it('a signed commit after the prefix under an epoch that no commit started: refused', async () => {
    const { ours, theirs } = await forks();
    await appendSigned(theirs, 'theirs', {}, (p) => ({ ...p, epoch: '5e'.repeat(16) }));
    expect(await corruption(() => merge(ours, theirs, out('x')))).toMatch(/^their copy \(.*\): commit [0-9a-f]{12} \(line \d+\): writes under an epoch that no earlier commit started/);
  });
});

// ------------------------------------------------------------------ base

describe("git's common ancestor (the driver's %O)", () => {
  it('is used when its bytes are a prefix of both copies, and the result is the same', async () => {
    const base = await baseVault(['a']);
    const theirs = await fork(base, 'theirs', sets('t'));
    const ours = await fork(base, 'ours', sets('o'));
    const reference = await stateOfFile(await fullMerge(ours, theirs, out('full')), dir);
    const d = await merge(ours, theirs, out('with-base'), base);
    expect(d).toMatchObject({ shared: 'base', prefix: (await bytesOf(base)).length, added: 1 });
    expect(await stateOfFile(join(dir, `with-base-${outputs}.coffer`), dir)).toEqual(reference);
  });

  it('shares more than the base when both sides appended the same lines after it', async () => {
    const base = await baseVault(['a']);
    const common = await fork(base, 'common', sets('c'));
    const theirs = await fork(common, 'theirs', sets('t'));
    const ours = await fork(common, 'ours', sets('o'));
    const d = await merge(ours, theirs, out('x'), base);
    expect(d).toMatchObject({ shared: 'base', prefix: (await bytesOf(common)).length });
  });

  it('is ignored when it is not a prefix of both (a rewrite, another file, nothing at all): the copies are compared instead', async () => {
    const base = await baseVault(['a']);
    const theirs = await fork(base, 'theirs', sets('t'));
    const ours = await fork(base, 'ours', sets('o'));
    const reference = await stateOfFile(await fullMerge(ours, theirs, out('full')), dir);
    const rewritten = join(dir, 'rewritten.coffer');
    await writeFile(rewritten, Buffer.concat([await bytesOf(base), Buffer.from('B AAAA\n')]));
    const other = join(dir, 'other.coffer');
    (await create(other, join(dir, 'profile-other'))).close();
    const empty = join(dir, 'empty');
    await writeFile(empty, '');
    for (const b of [rewritten, other, empty, theirs, join(dir, 'absent.coffer')]) {
      const output = out('x');
      const d = await merge(ours, theirs, output, b);
      expect({ base: b, shared: d.shared }).toEqual({ base: b, shared: 'search' });
      expect(await stateOfFile(output, dir)).toEqual(reference);
    }
  });

  it('a base whose tail is an interrupted save still counts', async () => {
    const base = await baseVault(['a']);
    const theirs = await fork(base, 'theirs', sets('t'));
    const ours = await fork(base, 'ours', sets('o'));
    const cut = join(dir, 'cut-base.coffer');
    const baseBytes = await bytesOf(base);
    await writeFile(cut, baseBytes.subarray(0, baseBytes.length - 20));
    const d = await merge(ours, theirs, out('x'), cut);
    expect(d).toMatchObject({ shared: 'base', prefix: baseBytes.length });
  });
});

// ------------------------------------------------------------------ interrupted saves

describe('an interrupted save at the end of a copy', () => {
  /** Ours gets two saves of its own and is then cut inside the second (`cut`). */
  async function interrupted(cut: 'mid-commit' | 'after-value-line'): Promise<{ ours: string; theirs: string; kept: number }> {
    const base = await baseVault(['a']);
    const theirs = await fork(base, 'theirs', sets('t1', 't2'));
    const ours = await fork(base, 'ours', sets('kept', 'lost'));
    const bytes = await bytesOf(ours);
    const lastLine = bytes.lastIndexOf(0x0a, bytes.length - 2) + 1;
    const end = cut === 'mid-commit' ? lastLine + Math.floor((bytes.length - lastLine) / 2) : lastLine;
    await writeFile(ours, bytes.subarray(0, end));
    expect((await checkVaultFile(ours)).interruptedSave).toBe(true);
    return { ours, theirs, kept: lastCommitEnd(bytes.subarray(0, end)) };
  }

  for (const cut of ['mid-commit', 'after-value-line'] as const) {
    it(`in place, the tail is dropped and theirs' lines follow ours' last complete save (cut ${cut})`, async () => {
      const { ours, theirs, kept } = await interrupted(cut);
      const before = await bytesOf(ours);
      const reference = await stateOfFile(await fullMerge(ours, theirs, out('full')), dir);
      const d = await merge(ours, theirs, ours);
      expect(d).toMatchObject({ added: 2, wrote: 'append' });
      const after = await bytesOf(ours);
      expect(after.subarray(0, kept).equals(before.subarray(0, kept))).toBe(true);
      expect(after.subarray(kept, kept + 2).toString('latin1')).toMatch(/^[BC] /);
      expect(await checkVaultFile(ours)).toMatchObject({ ok: true, interruptedSave: false });
      const s = await stateOfFile(ours, dir);
      expect(s).toEqual(reference);
      expect(Object.keys(s.objects).sort()).toEqual(['a', 'kept', 't1', 't2']);
    });

    it(`as theirs, the tail is not carried over (cut ${cut})`, async () => {
      const { ours, theirs } = await interrupted(cut);
      const output = out('x');
      const d = await merge(theirs, ours, output);
      expect(d.added).toBe(1);
      expect(await checkVaultFile(output)).toMatchObject({ ok: true, interruptedSave: false });
      expect(Object.keys((await stateOfFile(output, dir)).objects).sort()).toEqual(['a', 'kept', 't1', 't2']);
    });
  }

  it('in place with nothing to add, only the tail goes', async () => {
    const { ours } = await interrupted('mid-commit');
    const copy = await copyVault(ours, join(dir, 'same.coffer'));
    const d = await merge(ours, copy, ours);
    expect(d).toMatchObject({ added: 0, wrote: 'append' });
    expect(await checkVaultFile(ours)).toMatchObject({ ok: true, interruptedSave: false });
  });
});

// ------------------------------------------------------------------ header

describe('format versions', () => {
  const FIXTURE = join(import.meta.dirname, '../../../vectors/v1/single.coffer.txt');
  const PASS = 'v1-fixture-passphrase';
  const header = async (p: string): Promise<string> => (await readFile(p, 'latin1')).split('\n')[0]!;
  const stateWith = async (p: string): Promise<VaultState> => {
    const v = await openVault({ path: p, profileDir: freshProfile(dir), passphrase: text(PASS), onWarning: () => undefined });
    try {
      return await stateOf(v);
    } finally {
      v.close();
    }
  };

  it("ours at version 1, theirs upgraded by a write: in place, ours gets theirs' header and commit (a rewrite)", async () => {
    const ours = join(dir, 'v1.coffer');
    await copyFile(FIXTURE, ours);
    const theirs = join(dir, 'v2.coffer');
    await copyFile(FIXTURE, theirs);
    const v = await openVault({ path: theirs, profileDir: join(dir, 'p2'), passphrase: text(PASS), onWarning: () => undefined });
    await v.secrets.set({ name: 'written-by-v2', value: text('new') });
    v.close();
    expect(await header(ours)).toMatch(/^coffer-vault\/1 /);
    const d = await merge(ours, theirs, ours);
    expect(d).toMatchObject({ shared: 'search', prefixAs: 'read', added: 1, wrote: 'rewrite' });
    expect(await header(ours)).toMatch(/^coffer-vault\/2 /);
    expect(await stateWith(ours)).toEqual(await stateWith(theirs));
    // The other way round: nothing to add, the newer header kept.
    await copyFile(FIXTURE, join(dir, 'v1-again.coffer'));
    expect(await merge(theirs, join(dir, 'v1-again.coffer'), theirs)).toMatchObject({ added: 0, wrote: 'none' });
    expect(await header(theirs)).toMatch(/^coffer-vault\/2 /);
  });
});
