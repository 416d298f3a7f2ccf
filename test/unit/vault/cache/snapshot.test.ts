/**
 * The warm snapshot (cache/snapshot.ts; VAULT-MODEL C11). Property: the state
 * after a warm open (the snapshot, then the commits after it) equals the state
 * after a full open on a computer that never saw the vault, over random
 * histories of writes, forks and merges, member changes and other writers.
 * And the snapshot is trusted for nothing it does not prove: a changed byte in
 * the prefix, a damaged or foreign snapshot file send the open down the full
 * path, which reports damage as damage.
 */
import { appendFile, copyFile, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { SnapshotFile } from '../../../../electron/vault/cache/snapshot.js';
import { createIdentity, mergeVaultFiles } from '../../../../electron/vault/vault.js';
import { cleanupTemp, closeSettled, codeOf, create, freshProfile, open, openOnce, propertyRuns, propertySeed, stateOf, tempDir, text } from '../merge/helpers.js';

afterAll(cleanupTemp);

const snapshotFile = async (profile: string): Promise<string | undefined> => {
  const names = await readdir(join(profile, 'cache')).catch(() => [] as string[]);
  const n = names.find((x) => x.endsWith('.snapshot'));
  return n ? join(profile, 'cache', n) : undefined;
};

type Op =
  | { t: 'set'; name: number; value: number }
  | { t: 'update'; name: number }
  | { t: 'delete'; name: number }
  | { t: 'recover'; name: number }
  | { t: 'purge'; name: number }
  | { t: 'fork-merge'; name: number }
  | { t: 'member' }
  | { t: 'other-writer'; name: number }
  | { t: 'open' };

const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 5, arbitrary: fc.record({ t: fc.constant('set' as const), name: fc.nat(4), value: fc.nat(1000) }) },
  { weight: 2, arbitrary: fc.record({ t: fc.constant('update' as const), name: fc.nat(4) }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('delete' as const), name: fc.nat(4) }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('recover' as const), name: fc.nat(4) }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('purge' as const), name: fc.nat(4) }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('fork-merge' as const), name: fc.nat(4) }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('member' as const) }) },
  { weight: 2, arbitrary: fc.record({ t: fc.constant('other-writer' as const), name: fc.nat(4) }) },
  { weight: 3, arbitrary: fc.record({ t: fc.constant('open' as const) }) },
);

/** Runs one op; errors a user would get (not found, conflict) are part of the history, not failures. */
async function apply(dir: string, path: string, profile: string, o: Op, other: string): Promise<void> {
  const name = `s${'name' in o ? o.name : 0}`;
  if (o.t === 'open') return;
  if (o.t === 'fork-merge') {
    const fork = join(dir, `fork-${Math.random().toString(36).slice(2)}.coffer`);
    await copyFile(path, fork);
    const a = await open(path, profile);
    await a.secrets.set({ name, value: text('ours') }).catch(() => undefined);
    a.close();
    const b = await open(fork, other);
    await b.secrets.set({ name: `${name}-theirs`, value: text('theirs') }).catch(() => undefined);
    b.close();
    await mergeVaultFiles(path, fork, path, { profileDir: profile });
    return;
  }
  const v = await open(path, o.t === 'other-writer' ? other : profile);
  try {
    switch (o.t) {
      case 'set':
      case 'other-writer':
        await v.secrets.set({ name, value: text(`v${'value' in o ? o.value : 0}`), tags: { k: String(Math.random()) } });
        break;
      case 'update':
        await v.secrets.update(name, undefined, { enabled: Math.random() < 0.5, contentType: 'text/plain' });
        break;
      case 'delete':
        await v.secrets.delete(name);
        break;
      case 'recover':
        await v.secrets.recover(name);
        break;
      case 'purge':
        await v.secrets.purge(name);
        break;
      case 'member': {
        const m = createIdentity();
        await v.members.add({ signPub: m.signPub, encPub: m.encPub, name: 'm' }, ['Key Vault Reader']);
        await v.members.remove(m.signPub);
        break;
      }
    }
  } catch {
    // NotFound, Conflict...: a user error, nothing written.
  } finally {
    v.close();
  }
}

describe('warm snapshot', () => {
  it('property: a warm open (snapshot + later commits) shows exactly what a full open shows', async () => {
    let warmOpens = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(op, { minLength: 3, maxLength: 10 }), async (ops) => {
        const dir = await tempDir('coffer-snap-');
        const path = join(dir, 'v.coffer');
        const profile = join(dir, 'owner');
        const other = join(dir, 'other');
        (await create(path, profile)).close();
        for (const o of ops) {
          await apply(dir, path, profile, o, other);
          const warm = await open(path, profile);
          if ((warm as unknown as { loadedWarm: boolean }).loadedWarm) warmOpens++;
          const full = await open(path, freshProfile(dir));
          // The list first: it reads only each secret's newest version (what a snapshot builds first).
          expect(warm.secrets.list()).toEqual(full.secrets.list());
          expect(await stateOf(warm)).toEqual(await stateOf(full));
          expect(warm.members.list()).toEqual(full.members.list());
          warm.close();
          full.close();
        }
        expect(await snapshotFile(profile)).toBeDefined();
      }),
      { numRuns: propertyRuns(8), ...(propertySeed() !== undefined ? { seed: propertySeed() } : {}) },
    );
    expect(warmOpens, 'some opens took the warm path').toBeGreaterThan(0);
  });

  it('commits appended by another writer are read after the snapshot; the warm state sees them', async () => {
    const dir = await tempDir('coffer-snap-');
    const path = join(dir, 'v.coffer');
    const profile = join(dir, 'owner');
    const v = await create(path, profile);
    for (let i = 0; i < 5; i++) await v.secrets.set({ name: `a${i}`, value: text(`${i}`) });
    v.close();
    await openOnce(path, profile); // writes the snapshot
    const w = await open(path, join(dir, 'other'));
    await w.secrets.set({ name: 'from-other', value: text('x') });
    await w.secrets.delete('a1');
    w.close();
    const warm = await open(path, profile);
    expect((warm as unknown as { loadedWarm: boolean }).loadedWarm, 'the warm path was taken').toBe(true);
    expect(warm.secrets.list().map((s) => s.id.split('/').pop())).toEqual(['a0', 'a2', 'a3', 'a4', 'from-other']);
    warm.close();
  });

  it('a session opened warm re-reads a file changed underneath in full (no commit judged on the partial bodies a snapshot keeps)', async () => {
    const dir = await tempDir('coffer-snap-');
    const path = join(dir, 'v.coffer');
    const profile = join(dir, 'owner');
    const v = await create(path, profile);
    for (let i = 0; i < 3; i++) await v.secrets.set({ name: `a${i}`, value: text(`${i}`) });
    v.close();
    await openOnce(path, profile);
    const warm = await open(path, profile);
    expect((warm as unknown as { loadedWarm: boolean }).loadedWarm).toBe(true);
    const other = await open(path, join(dir, 'other'));
    await other.secrets.delete('a0');
    await other.secrets.purge('a0'); // a rewrite of the file: the snapshot's prefix no longer matches
    other.close();
    await warm.secrets.set({ name: 'after', value: text('x') }); // reloads the changed file first
    expect(warm.info().rejectedCommits).toEqual([]);
    expect(warm.secrets.list().map((s) => s.id.split('/').pop())).toEqual(['a1', 'a2', 'after']);
    const full = await open(path, freshProfile(dir));
    expect(await stateOf(warm)).toEqual(await stateOf(full));
    warm.close();
    full.close();
  });

  it('a changed byte in the prefix is damage, found by the full path', async () => {
    const dir = await tempDir('coffer-snap-');
    const path = join(dir, 'v.coffer');
    const profile = join(dir, 'owner');
    const v = await create(path, profile);
    await v.secrets.set({ name: 'a', value: text('value') });
    v.close();
    await openOnce(path, profile);
    const bytes = await readFile(path);
    const at = bytes.indexOf(Buffer.from('B ')) + 10; // inside the value line
    bytes[at] = bytes[at] === 0x41 ? 0x42 : 0x41;
    await writeFile(path, bytes);
    const o = await open(path, profile).then(
      async (x) => {
        const r = await x.secrets.getValue('a').then(() => 'read', (e: { code: string }) => e.code);
        x.close();
        return r;
      },
      (e: { code: string }) => e.code,
    );
    expect(o).toBe('VaultCorrupted');
  });

  it('a damaged snapshot file, or one of another member, is ignored: the full path opens the same state', async () => {
    const dir = await tempDir('coffer-snap-');
    const path = join(dir, 'v.coffer');
    const profile = join(dir, 'owner');
    const v = await create(path, profile);
    await v.secrets.set({ name: 'a', value: text('value') });
    const expected = await stateOf(v);
    v.close();
    await openOnce(path, profile);
    const file = (await snapshotFile(profile))!;
    const sealed = await readFile(file);
    sealed[40] = sealed[40]! ^ 1; // in the main part, sealed at the start of the file
    await writeFile(file, sealed);
    const a = await open(path, profile);
    expect((a as unknown as { loadedWarm: boolean }).loadedWarm).toBe(false);
    expect(await stateOf(a)).toEqual(expected);
    a.close();
    await appendFile(file, 'garbage');
    const b = await open(path, profile);
    expect(await stateOf(b)).toEqual(expected);
    b.close();
  });

  it('older versions are read from the snapshot only when needed; a deferred part altered on disk is an error that drops the snapshot, never another state', async () => {
    const dir = await tempDir('coffer-snap-');
    const path = join(dir, 'v.coffer');
    const profile = join(dir, 'owner');
    const v = await create(path, profile);
    for (let i = 0; i < 3; i++) await v.secrets.set({ name: 'a', value: text(`v${i}`) });
    await v.secrets.set({ name: 'b', value: text('b') });
    const expected = await stateOf(v);
    v.close();
    // A profile that never opened the vault: its first open takes the full path and writes a snapshot of everything.
    const profile2 = freshProfile(dir);
    await openOnce(path, profile2);
    const file = (await snapshotFile(profile2))!;
    const sealed = await readFile(file);
    sealed[sealed.length - 5] = sealed[sealed.length - 5]! ^ 1; // in the deferred part, sealed apart at the end
    await writeFile(file, sealed);
    const a = await open(path, profile2);
    expect((a as unknown as { loadedWarm: boolean }).loadedWarm).toBe(true);
    // The newest versions need nothing deferred.
    expect(a.secrets.list().map((s) => s.id.split('/').pop())).toEqual(['a', 'b']);
    expect(Buffer.from(await a.secrets.getValue('a')).toString()).toBe('v2');
    expect(await codeOf(async () => a.secrets.listVersions('a'))).toBe('IoError');
    a.close();
    expect(await snapshotFile(profile2), 'the damaged snapshot was removed').toBeUndefined();
    const b = await open(path, profile2);
    expect((b as unknown as { loadedWarm: boolean }).loadedWarm).toBe(false);
    expect(await stateOf(b)).toEqual(expected);
    b.close();
  });

  it('an open owes its snapshot: none is written while it only reads; close writes it, or the first write takes it of the state as read', async () => {
    const dir = await tempDir('coffer-snap-');
    const path = join(dir, 'v.coffer');
    const v = await create(path, join(dir, 'owner'));
    for (let i = 0; i < 3; i++) await v.secrets.set({ name: `a${i}`, value: text(`${i}`) });
    v.close();
    // Only reads: the open does not wait for a snapshot; close takes it.
    const reader = freshProfile(dir);
    const r = await open(path, reader);
    r.secrets.list();
    await r.secrets.getValue('a1');
    expect(await snapshotFile(reader)).toBeUndefined();
    await closeSettled(r);
    expect(await snapshotFile(reader)).toBeDefined();
    const warm = await open(path, reader);
    expect((warm as unknown as { loadedWarm: boolean }).loadedWarm).toBe(true);
    await closeSettled(warm);
    // A write: the snapshot is of the file before it; the next open reads it and the commit after it.
    const writer = freshProfile(dir);
    const w = await open(path, writer);
    await w.secrets.set({ name: 'b', value: text('b') });
    await w.settled();
    expect(await snapshotFile(writer)).toBeDefined();
    const expected = await stateOf(w);
    await closeSettled(w);
    const again = await open(path, writer);
    expect((again as unknown as { loadedWarm: boolean }).loadedWarm).toBe(true);
    expect(await stateOf(again)).toEqual(expected);
    again.close();
  });

  it('an open that fails after reading the snapshot closes it (and wipes what it unlocked)', async () => {
    const dir = await tempDir('coffer-snap-');
    const path = join(dir, 'v.coffer');
    const v = await create(path, join(dir, 'owner'));
    await v.secrets.set({ name: 'a', value: text('x') });
    v.close();
    const profile = freshProfile(dir);
    await openOnce(path, profile);
    // A damaged line after the snapshot's prefix: the warm open reads the snapshot, then fails.
    await appendFile(path, 'C {"not":"a commit"} AAAA\n');
    const wipes = vi.spyOn(SnapshotFile.prototype, 'wipe');
    try {
      expect(await codeOf(() => open(path, profile))).toBe('VaultCorrupted');
      expect(wipes).toHaveBeenCalledTimes(1);
    } finally {
      wipes.mockRestore();
    }
  });

  it('a session keeps reading the snapshot it opened when another process writes a new one', async () => {
    const dir = await tempDir('coffer-snap-');
    const path = join(dir, 'v.coffer');
    const profile = join(dir, 'owner');
    const v = await create(path, profile);
    for (let i = 0; i < 3; i++) await v.secrets.set({ name: 'a', value: text(`v${i}`) });
    const expected = await stateOf(v);
    v.close();
    const profile2 = freshProfile(dir);
    await openOnce(path, profile2);
    const held = await open(path, profile2);
    expect((held as unknown as { loadedWarm: boolean }).loadedWarm).toBe(true);
    // Another process on this profile: more than a tail's worth of commits, then an open that saves a new snapshot.
    const other = await open(path, profile2);
    for (let i = 0; i < 70; i++) await other.secrets.set({ name: `n${i}`, value: text('x') });
    other.close();
    const before = await readFile((await snapshotFile(profile2))!);
    await openOnce(path, profile2);
    expect((await readFile((await snapshotFile(profile2))!)).equals(before), 'a new snapshot was written').toBe(false);
    expect((await stateOf(held)).objects['a']).toEqual(expected.objects['a']);
    held.close();
  });

  it('a session opened warm keeps its state through its own membership changes and checkpoint (nothing is folded again from the partial bodies it holds)', async () => {
    const dir = await tempDir('coffer-snap-');
    const path = join(dir, 'v.coffer');
    const v = await create(path, join(dir, 'owner'));
    for (let i = 0; i < 3; i++) await v.secrets.set({ name: `a${i}`, value: text(`${i}`) });
    v.close();
    const profile = freshProfile(dir);
    await openOnce(path, profile);
    const warm = await open(path, profile);
    expect((warm as unknown as { loadedWarm: boolean }).loadedWarm).toBe(true);
    const listed = warm.secrets.list();
    const m = createIdentity();
    await warm.members.add({ signPub: m.signPub, encPub: m.encPub, name: 'm' }, ['Key Vault Reader']);
    expect(warm.secrets.list()).toEqual(listed);
    await warm.members.remove(m.signPub);
    await warm.checkpoint();
    expect(warm.secrets.list()).toEqual(listed);
    await warm.secrets.set({ name: 'a1', value: text('after') });
    const full = await open(path, freshProfile(dir));
    expect(await stateOf(warm)).toEqual(await stateOf(full));
    expect(warm.members.list()).toEqual(full.members.list());
    expect(warm.info().rejectedCommits).toEqual(full.info().rejectedCommits);
    warm.close();
    full.close();
  });
});
