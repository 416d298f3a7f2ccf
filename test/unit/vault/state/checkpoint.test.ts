/**
 * Checkpoints (state/checkpoint.ts; VAULT-MODEL C11). A cold open on a computer
 * that never saw the vault starts from the newest checkpoint: every epoch
 * commit is replayed, the data commits it covers take its decisions and state,
 * and the commits after it are read. Property: what it shows equals what the
 * writer's own computer shows, over random histories with checkpoints, member
 * changes, deletes and purges. A checkpoint that does not cover exactly the
 * commits before it is ignored and reported; a checkpoint needs vault/checkpoint.
 */
import { join } from 'node:path';
import fc from 'fast-check';
import { copyFile } from 'node:fs/promises';
import { afterAll, describe, expect, it, vi } from 'vitest';
import type { Vault } from '../../../../electron/vault/api.js';
import { createIdentity, mergeVaultFiles } from '../../../../electron/vault/vault.js';
import { checkpointOf } from '../../../../electron/vault/state/checkpoint.js';
import { exportFoldedState, refsWriter } from '../../../../electron/vault/cache/snapshot.js';
import { utf8 } from '../../../../electron/vault/crypto/index.js';
import { buildGraph } from '../../../../electron/vault/format/graph.js';
import { LARGE_BLOB_LINE } from '../../../../electron/vault/format/codec.js';
import { readFile, writeFile } from 'node:fs/promises';
import type { VaultCore } from '../../../../electron/vault/core.js';
import { cleanupTemp, closeSettled, create, freshProfile, open, propertyRuns, propertySeed, stateOf, tempDir, text } from '../merge/helpers.js';
import { addMembers, newMember, openAsMember } from '../../../helpers/vault.js';

afterAll(cleanupTemp);

const flags = (v: Vault): { loadedFromCheckpoint: boolean; loadedWarm: boolean } => v as unknown as { loadedFromCheckpoint: boolean; loadedWarm: boolean };

/** Opens `path` on a computer that never saw it (a fresh profile beside it), with the open's warnings. */
async function openCold(path: string, dir: string): Promise<{ cold: Vault; warnings: string[] }> {
  const warnings: string[] = [];
  const { openVault } = await import('../../../../electron/vault/vault.js');
  const cold = await openVault({ path, profileDir: freshProfile(dir), passphrase: text('merge suite passphrase'), onWarning: (m) => warnings.push(m) });
  return { cold, warnings };
}

describe('checkpoints', () => {
  it('property: a cold open from a checkpoint shows what the writer shows', async () => {
    let fromCheckpoint = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.oneof(fc.constant('set'), fc.constant('delete'), fc.constant('purge'), fc.constant('member'), fc.constant('checkpoint'), fc.constant('update')), { minLength: 3, maxLength: 12 }),
        async (ops) => {
          const dir = await tempDir('coffer-cp-');
          const path = join(dir, 'v.coffer');
          const v = await create(path, join(dir, 'owner'));
          let n = 0;
          for (const o of ops) {
            const name = `s${n++ % 3}`;
            try {
              if (o === 'set') await v.secrets.set({ name, value: text(`value ${n}`), tags: { n: String(n) } });
              else if (o === 'update') await v.secrets.update(name, undefined, { enabled: n % 2 === 0 });
              else if (o === 'delete') await v.secrets.delete(name);
              else if (o === 'purge') await v.secrets.purge(name);
              else if (o === 'checkpoint') await v.checkpoint();
              else {
                const m = createIdentity();
                await v.members.add({ signPub: m.signPub, encPub: m.encPub, name: 'm' }, ['Key Vault Secrets User']);
                await v.members.remove(m.signPub);
              }
            } catch {
              // NotFound, Conflict: a user error, nothing written.
            }
          }
          const coldProfile = freshProfile(dir);
          const cold = await open(path, coldProfile);
          if (flags(cold).loadedFromCheckpoint) fromCheckpoint++;
          expect(flags(cold).loadedFromCheckpoint).toBe(ops.includes('checkpoint'));
          // The list reads only each secret's newest version (all a checkpoint's state builds first).
          expect(cold.secrets.list()).toEqual(v.secrets.list());
          expect(await stateOf(cold)).toEqual(await stateOf(v));
          expect(cold.members.list()).toEqual(v.members.list());
          // The snapshot that open owed, taken at close (from the checkpoint's rows, nothing built), gives the same state warm.
          await closeSettled(cold);
          const warm = await open(path, coldProfile);
          expect(flags(warm).loadedWarm).toBe(true);
          expect(await stateOf(warm)).toEqual(await stateOf(v));
          warm.close();
          // A session opened from the checkpoint can write, and a full open of the result agrees.
          const writer = await open(path, freshProfile(dir));
          expect(flags(writer).loadedFromCheckpoint).toBe(ops.includes('checkpoint'));
          await writer.secrets.set({ name: 'after', value: text('x') });
          writer.close();
          v.close();
          const again = await open(path, join(dir, 'owner'));
          expect((await stateOf(again)).objects.after).toBeDefined();
          again.close();
        },
      ),
      { numRuns: propertyRuns(8), ...(propertySeed() !== undefined ? { seed: propertySeed() } : {}) },
    );
    expect(fromCheckpoint).toBeGreaterThan(0);
  });

  it('a member who can read only some scopes opens from the checkpoint too, and reads what their role allows', async () => {
    const dir = await tempDir('coffer-cp-');
    const path = join(dir, 'v.coffer');
    const v = await create(path, join(dir, 'owner'));
    const bob = newMember('bob');
    await addMembers(v, [[bob, ['Key Vault Secrets User']]]);
    for (let i = 0; i < 5; i++) await v.secrets.set({ name: `a${i}`, value: text(`${i}`) });
    await v.checkpoint();
    await v.secrets.set({ name: 'later', value: text('later') });
    const asBob = await openAsMember(path, bob, { profileDir: join(dir, 'bob') });
    expect(flags(asBob).loadedFromCheckpoint).toBe(true);
    expect(await stateOf(asBob)).toEqual(await stateOf(v));
    asBob.close();
    v.close();
  });

  it('a checkpoint that does not cover exactly the commits before it is ignored, with a warning', async () => {
    const dir = await tempDir('coffer-cp-');
    const path = join(dir, 'v.coffer');
    const v = await create(path, join(dir, 'owner'));
    await v.secrets.set({ name: 'a', value: text('1') });
    const session = v as unknown as { write: (b: (core: VaultCore) => unknown) => Promise<unknown> };
    await session.write((core) => {
      const { record, content } = checkpointOf(core);
      return { pending: { records: [{ ...record, covers: 'f'.repeat(64) }], newEpoch: true, checkpointState: content }, result: () => undefined };
    });
    await v.secrets.set({ name: 'b', value: text('2') });
    const { cold, warnings } = await openCold(path, dir);
    expect(flags(cold).loadedFromCheckpoint).toBe(false);
    expect(warnings.some((w) => /Checkpoint [0-9a-f]{12} was not used: it does not cover the commits before it/.test(w))).toBe(true);
    expect(await stateOf(cold)).toEqual(await stateOf(v));
    cold.close();
    v.close();
  });

  it("the checkpoint commit's own records count: a purge at the end of retention it carries, and its clock", async () => {
    const dir = await tempDir('coffer-cp-');
    const path = join(dir, 'v.coffer');
    const { createVault } = await import('../../../../electron/vault/vault.js');
    const v = await createVault({ path, profileDir: join(dir, 'owner'), passphrase: text('merge suite passphrase'), kdf: { memoryKiB: 8192, iterations: 1, parallelism: 1 }, retentionDays: 7, onWarning: () => undefined });
    await v.secrets.set({ name: 'old', value: text('old value') });
    await v.secrets.set({ name: 'kept', value: text('kept value') });
    await v.secrets.delete('old');
    const now = Date.now();
    const spy = vi.spyOn(Date, 'now').mockReturnValue(now + 8 * 86_400_000);
    try {
      await v.checkpoint(); // also purges 'old', whose retention ended (and compacts its value line away)
      const cold = await open(path, freshProfile(dir));
      expect(flags(cold).loadedFromCheckpoint).toBe(true);
      expect(await stateOf(cold)).toEqual(await stateOf(v));
      await cold.secrets.set({ name: 'next', value: text('x') }); // its clock is at least the checkpoint's
      cold.close();
    } finally {
      spy.mockRestore();
      v.close();
    }
  });

  it("a checkpoint written by an Administrator removed concurrently is not used; the open reads every commit", async () => {
    const dir = await tempDir('coffer-cp-');
    const path = join(dir, 'v.coffer');
    const v = await create(path, join(dir, 'owner'));
    const ann = newMember('ann');
    await addMembers(v, [[ann, ['Key Vault Administrator']]]);
    await v.secrets.set({ name: 'a', value: text('1') });
    const copy = join(dir, 'copy.coffer');
    await copyFile(path, copy);
    await v.members.remove(ann.identity.signPub);
    const asAnn = await openAsMember(copy, ann, { profileDir: join(dir, 'ann') });
    await asAnn.checkpoint();
    asAnn.close();
    await mergeVaultFiles(path, copy, path, { profileDir: join(dir, 'owner') });
    const { cold, warnings } = await openCold(path, dir);
    expect(flags(cold).loadedFromCheckpoint).toBe(false);
    expect(warnings.some((w) => /Checkpoint [0-9a-f]{12} was not used/.test(w))).toBe(true);
    const full = await open(path, join(dir, 'owner'));
    expect(await stateOf(cold)).toEqual(await stateOf(full));
    cold.close();
    full.close();
    v.close();
  });

  it('only an Administrator writes a checkpoint', async () => {
    const dir = await tempDir('coffer-cp-');
    const path = join(dir, 'v.coffer');
    const v = await create(path, join(dir, 'owner'));
    const officer = newMember('officer');
    await addMembers(v, [[officer, ['Key Vault Secrets Officer']]]);
    v.close();
    const o = await openAsMember(path, officer, { profileDir: join(dir, 'officer') });
    await expect(o.checkpoint()).rejects.toMatchObject({ code: 'Forbidden' });
    o.close();
  });

  it('a session opened from a checkpoint keeps its state through its own membership change', async () => {
    const dir = await tempDir('coffer-cp-');
    const path = join(dir, 'v.coffer');
    const v = await create(path, join(dir, 'owner'));
    for (let i = 0; i < 3; i++) await v.secrets.set({ name: `s${i}`, value: text(`${i}`) });
    await v.checkpoint();
    v.close();
    const cold = await open(path, freshProfile(dir));
    expect(flags(cold).loadedFromCheckpoint).toBe(true);
    const listed = cold.secrets.list();
    const m = createIdentity();
    await cold.members.add({ signPub: m.signPub, encPub: m.encPub, name: 'm' }, ['Key Vault Reader']);
    expect(cold.secrets.list()).toEqual(listed);
    const full = await open(path, freshProfile(dir));
    expect(await stateOf(cold)).toEqual(await stateOf(full));
    expect(cold.info().rejectedCommits).toEqual(full.info().rejectedCommits);
    cold.close();
    full.close();
  });

  describe('content version 3: the older versions apart, read when first asked for', () => {
    /** Writes a checkpoint whose content `craft` makes from the writer's own (version 3). */
    async function craftedCheckpoint(v: Vault, craft: (core: VaultCore, content: Uint8Array) => Uint8Array): Promise<void> {
      const session = v as unknown as { write: (b: (core: VaultCore) => unknown) => Promise<unknown> };
      await session.write((core) => {
        const { record, content } = checkpointOf(core);
        return { pending: { records: [record], newEpoch: true, checkpointState: craft(core, content) }, result: () => undefined };
      });
    }
    /** The header, main JSON, reference table and deferred text of a version-3 content. */
    const split = (content: Uint8Array): { header: { v: number; main: number; refs: number; deferred: number }; main: Buffer; refs: Buffer; deferred: Buffer } => {
      const b = Buffer.from(content);
      const nl = b.indexOf(0x0a);
      const header = JSON.parse(b.toString('utf8', 0, nl)) as { v: number; main: number; refs: number; deferred: number };
      const mainEnd = nl + 1 + header.main;
      return { header, main: b.subarray(nl + 1, mainEnd), refs: b.subarray(mainEnd, mainEnd + header.refs), deferred: b.subarray(mainEnd + header.refs) };
    };

    async function vaultWithVersions(dir: string): Promise<Vault> {
      const v = await create(join(dir, 'v.coffer'), join(dir, 'owner'));
      for (let i = 0; i < 3; i++) for (let k = 0; k < 3; k++) await v.secrets.set({ name: `s${i}`, value: text(`${i}.${k}`), tags: { k: String(k) } });
      await v.secrets.set({ name: 'one', value: text('only') });
      return v;
    }

    it('a cold open reads the older versions only when they are asked for, and shows what the writer shows', async () => {
      const dir = await tempDir('coffer-cp-');
      const v = await vaultWithVersions(dir);
      let written: Uint8Array | undefined;
      await craftedCheckpoint(v, (_core, content) => (written = content));
      const { header, deferred } = split(written!);
      expect(header.v).toBe(3);
      expect(header.deferred).toBe(deferred.length);
      expect(deferred.length).toBeGreaterThan(0);
      // Commit ids and blob hashes as 32 bytes each, in the table.
      expect(header.refs % 32).toBe(0);
      expect(header.refs).toBeGreaterThan(0);
      const cold = await open(join(dir, 'v.coffer'), freshProfile(dir));
      expect(flags(cold).loadedFromCheckpoint).toBe(true);
      expect(cold.secrets.list()).toEqual(v.secrets.list());
      expect(cold.secrets.listVersions('s1').length).toBe(3);
      expect(await stateOf(cold)).toEqual(await stateOf(v));
      cold.close();
      v.close();
    });

    it('a version-2 checkpoint (every part inline, in one JSON) is still used', async () => {
      const dir = await tempDir('coffer-cp-');
      const v = await vaultWithVersions(dir);
      await craftedCheckpoint(v, (core, content) => {
        const main = JSON.parse(split(content).main.toString('utf8')) as { batches: unknown; clocks: unknown };
        const refs = refsWriter();
        const state = exportFoldedState(core, refs);
        return utf8(JSON.stringify({ v: 2, refs: refs.list, state, batches: main.batches, clocks: main.clocks }));
      });
      const cold = await open(join(dir, 'v.coffer'), freshProfile(dir));
      expect(flags(cold).loadedFromCheckpoint).toBe(true);
      expect(await stateOf(cold)).toEqual(await stateOf(v));
      cold.close();
      v.close();
    });

    it('a header that does not match the content: the checkpoint is not used, with the warning', async () => {
      const dir = await tempDir('coffer-cp-');
      const v = await vaultWithVersions(dir);
      await craftedCheckpoint(v, (_core, content) => {
        const { header, main, refs, deferred } = split(content);
        return Buffer.concat([Buffer.from(`${JSON.stringify({ ...header, main: header.main + 1 })}\n`), main, refs, deferred]);
      });
      const { cold, warnings } = await openCold(join(dir, 'v.coffer'), dir);
      expect(flags(cold).loadedFromCheckpoint).toBe(false);
      expect(warnings.some((w) => /Checkpoint [0-9a-f]{12} was not used: its state does not decrypt/.test(w))).toBe(true);
      expect(await stateOf(cold)).toEqual(await stateOf(v));
      cold.close();
      v.close();
    });

    it("older versions of the wrong shape, signed by an Administrator: the open stands, reading them is VaultCorrupted naming the checkpoint", async () => {
      const dir = await tempDir('coffer-cp-');
      const v = await vaultWithVersions(dir);
      await craftedCheckpoint(v, (_core, content) => {
        const { header, main, refs, deferred } = split(content);
        // Same length, so every offset still points at its part: each older row's version id becomes a number.
        const bad = Buffer.from(deferred.toString('utf8').replace(/"[0-9a-f]{32}"/g, (m) => '1'.padEnd(m.length, ' ')));
        expect(bad.equals(deferred)).toBe(false);
        expect(bad.length).toBe(deferred.length);
        return Buffer.concat([Buffer.from(`${JSON.stringify(header)}\n`), main, refs, bad]);
      });
      const cold = await open(join(dir, 'v.coffer'), freshProfile(dir));
      expect(flags(cold).loadedFromCheckpoint).toBe(true);
      expect(cold.secrets.list().map((s) => s.id.split('/').pop())).toEqual(v.secrets.list().map((s) => s.id.split('/').pop()));
      await expect(cold.secrets.getValue('one')).resolves.toEqual(text('only'));
      expect(() => cold.secrets.listVersions('s1')).toThrow(expect.objectContaining({ code: 'VaultCorrupted', message: expect.stringMatching(/checkpoint this open started from/) }));
      cold.close();
      v.close();
    });

    it('a state chunk over 1 MiB is not hashed by an open; altered, it is found when read, and the open takes the full path', async () => {
      const dir = await tempDir('coffer-cp-');
      const path = join(dir, 'v.coffer');
      const v = await create(path, join(dir, 'owner'));
      // Enough secrets for a state chunk line over LARGE_BLOB_LINE.
      await v.secrets.import(Array.from({ length: 9000 }, (_, i) => ({ name: `bulk-${i}`, value: text(`v${i}`), tags: { team: 'a'.repeat(40), n: String(i) } })));
      await v.checkpoint();
      v.close();
      const bytes = await readFile(path);
      const lines = bytes.toString('latin1').split('\n');
      const big = lines.findIndex((l) => l.startsWith('B ') && l.length > LARGE_BLOB_LINE);
      expect(big).toBeGreaterThan(0);
      // Another valid base64url character: a different blob, the same length.
      const at = 100;
      lines[big] = lines[big]!.slice(0, at) + (lines[big]![at] === 'A' ? 'B' : 'A') + lines[big]!.slice(at + 1);
      await writeFile(path, Buffer.from(lines.join('\n'), 'latin1'));
      const { cold, warnings } = await openCold(path, dir);
      expect(flags(cold).loadedFromCheckpoint).toBe(false);
      expect(warnings.some((w) => /was not used: its state does not decrypt/.test(w))).toBe(true);
      expect(cold.secrets.list().length).toBe(9000);
      cold.close();
      // A full check hashes every line and names it.
      expect(() => buildGraph(new Uint8Array(Buffer.from(lines.join('\n'), 'latin1')))).toThrow(new RegExp(`line ${big + 1}|its value line is damaged`));
    });
  });
});
