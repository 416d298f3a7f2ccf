/**
 * The vault's history (state/history.ts; Vault.history and Vault.refresh): who
 * wrote each version and when, as every member reads it (bodies are under the
 * `meta` scope: a Reader sees names), rejected commits listed with their reason,
 * commits under an epoch this member cannot read listed as unreadable, and the
 * same history after a warm open (the snapshot keeps only part of the bodies).
 * refresh() takes in another writer's commits without a relock.
 */
import { join } from 'node:path';
import { readFile } from 'node:fs/promises';
import { afterAll, describe, expect, it } from 'vitest';
import type { HistoryEntry, Vault } from '../../../../electron/vault/api.js';
import { memberKeyId } from '../../../../electron/vault/access/identity.js';
import { UNKNOWN_MEMBER } from '../../../../electron/vault/state/history.js';
import { addMembers, createTestVault, enc, newMember, openAsMember, openWithPassphrase, removeTempDirs, type TestMember, type TestVault } from '../../../helpers/vault.js';
import { appendToFile, craftCommit, loadCore, newVersion } from '../properties/forge.js';

afterAll(removeTempDirs);

const idOf = (m: TestMember): string => memberKeyId(m.identity.signPub);
const versionOf = (v: Vault, name: string): string[] => v.secrets.listVersions(name).map((x) => x.id.split('/').pop()!);
const actions = (e: HistoryEntry): string[] => (e.changes ?? []).map((c) => `${c.action} ${c.object}`);

interface Team {
  t: TestVault;
  bob: TestMember; // Secrets Officer
  rita: TestMember; // Reader
}

async function team(): Promise<Team> {
  const t = await createTestVault({ displayName: 'Alice' });
  const bob = newMember('Bob');
  const rita = newMember('Rita');
  await addMembers(t.vault, [
    [bob, ['Key Vault Secrets Officer']],
    [rita, ['Key Vault Reader']],
  ]);
  return { t, bob, rita };
}

/** Bob writes secrets/db, then Alice writes its next version and disables it. */
async function twoWriters({ t, bob }: Team): Promise<void> {
  const asBob = await openAsMember(t.path, bob);
  await asBob.secrets.set({ name: 'db', value: enc('bob-wrote-this') });
  asBob.close();
  await t.vault.refresh();
  await t.vault.secrets.set({ name: 'db', value: enc('alice-wrote-this') });
  await t.vault.secrets.update('db', undefined, { enabled: false });
}

describe('history', () => {
  it('names who wrote each version of an object, newest first', async () => {
    const tm = await team();
    await twoWriters(tm);
    const { t, bob } = tm;
    const [older, newest] = versionOf(t.vault, 'db');
    const h = t.vault.history({ object: 'secrets/db' });
    expect(h.map((e) => [e.author.name, e.changes!.map((c) => [c.action, c.version])])).toEqual([
      ['Alice', [['attributes', newest]]],
      ['Alice', [['new version', newest]]],
      ['Bob', [['new version', older]]],
    ]);
    expect(h[2]!.author.id).toBe(idOf(bob));
    expect(h[0]!.time).toBeGreaterThanOrEqual(h[1]!.time!);
    expect(h[1]!.time).toBeGreaterThanOrEqual(h[2]!.time!);
    expect(h.every((e) => e.rejected === undefined && e.unreadable === undefined)).toBe(true);
    // The object's name is matched as Key Vault matches names, without case.
    expect(t.vault.history({ object: 'secrets/DB' })).toEqual(h);
    expect(t.vault.history({ object: 'secrets/db', limit: 1 })).toEqual(h.slice(0, 1));
  });

  it('lists membership, the vault creation and a delete, and a Reader reads every name', async () => {
    const tm = await team();
    await twoWriters(tm);
    const { t, bob, rita } = tm;
    await t.vault.secrets.delete('db');
    await t.vault.members.setRoles(rita.identity.signPub, ['Key Vault Secrets User']);
    const all = t.vault.history();
    expect(actions(all[0]!)).toEqual([`roles changed members/${idOf(rita)}`]);
    expect(all[0]!.changes![0]!.detail).toBe('Rita: Key Vault Secrets User');
    expect(actions(all[1]!)).toEqual(['deleted secrets/db']);
    const first = all.at(-1)!;
    expect(first.author.name).toBe('Alice');
    expect(actions(first)).toEqual(['settings vault', expect.stringMatching(/^member added members\//)]);
    expect(all.some((e) => actions(e).includes(`member added members/${idOf(bob)}`))).toBe(true);

    const asRita = await openAsMember(t.path, rita);
    try {
      expect(asRita.history()).toEqual(all);
    } finally {
      asRita.close();
    }
  });

  it('is the same after a warm open and a cold open from a checkpoint', async () => {
    const tm = await team();
    await twoWriters(tm);
    const { t } = tm;
    const before = t.vault.history();
    t.vault.close();
    await t.vault.settled();
    const warm = await openWithPassphrase(t.path, t.profileDir, t.passphrase);
    try {
      expect((warm as unknown as { loadedWarm: boolean }).loadedWarm).toBe(true);
      expect(warm.history()).toEqual(before);
      await warm.checkpoint();
    } finally {
      warm.close();
      await warm.settled();
    }
    const cold = await openWithPassphrase(t.path, join(t.dir, 'profile-cold'), t.passphrase);
    try {
      expect((cold as unknown as { loadedFromCheckpoint: boolean }).loadedFromCheckpoint).toBe(true);
      const h = cold.history();
      expect(actions(h[0]!)).toEqual(['checkpoint vault']);
      expect(h.slice(1)).toEqual(before);
    } finally {
      cold.close();
    }
  });

  it('lists a rejected commit with its reason and what it tried', async () => {
    const { t, rita } = await team();
    const forged = craftCommit(loadCore(await readFile(t.path), rita.identity), rita.identity, {
      records: [{ t: 'secret', name: 'evil', version: newVersion(), blob: 0, enc: 'utf8', enabled: true }],
      values: [enc('never-applied')],
    });
    await appendToFile(t.path, forged.text);
    const r = await t.vault.refresh();
    expect(r.changed).toBe(true);
    expect(r.commits).toHaveLength(1);
    const e = r.commits[0]!;
    expect(e).toMatchObject({ commit: forged.id, author: { id: idOf(rita), name: 'Rita' } });
    expect(e.rejected).toMatch(/secrets\/setSecret/);
    expect(actions(e)).toEqual(['new version secrets/evil']);
    expect(t.vault.history()[0]).toEqual(e);
    expect(t.vault.secrets.list()).toEqual([]);
  });

  it('a member who cannot read an epoch sees its commits as unreadable, with their author', async () => {
    const { t, bob } = await team();
    await t.vault.secrets.set({ name: 'before', value: enc('v1') });
    await t.vault.members.remove(bob.identity.signPub);
    await t.vault.secrets.set({ name: 'after', value: enc('v2') });
    const asBob = await openAsMember(t.path, bob);
    try {
      const h = asBob.history();
      const unreadable = h.filter((e) => e.changes === null);
      expect(unreadable).toHaveLength(2);
      for (const e of unreadable) {
        expect(e.time).toBeNull();
        expect(e.unreadable).toMatch(/cannot read the epoch/);
        expect(e.author.name).toBe('Alice');
        expect(e.rejected).toBeUndefined();
      }
      // Newest first: nothing Bob reads comes after what he cannot.
      expect(h.slice(0, 2)).toEqual(unreadable);
      expect(actions(h[2]!)).toEqual(['new version secrets/before']);
      // With an object, only what is known to touch it.
      expect(asBob.history({ object: 'secrets/after' })).toEqual([]);
    } finally {
      asBob.close();
    }
  });

  it('since: only the commits from that time on', async () => {
    const { t } = await team();
    await t.vault.secrets.set({ name: 'old', value: enc('v') });
    const all = t.vault.history();
    const cut = all[0]!.time! + 1;
    await new Promise((r) => setTimeout(r, 5));
    await t.vault.secrets.set({ name: 'new', value: enc('v') });
    expect(t.vault.history({ since: cut }).map(actions)).toEqual([['new version secrets/new']]);
    expect(t.vault.history({ since: 0 })).toEqual(t.vault.history());
  });

  it('refuses options it does not know', async () => {
    const { t } = await team();
    for (const o of [{ object: 'members/x' }, { object: 'secrets/a/b' }, { since: -1 }, { since: Number.NaN }, { limit: 0 }, { limit: 1.5 }]) {
      expect(() => t.vault.history(o)).toThrow(expect.objectContaining({ code: 'BadParameter' }));
    }
  });

  it('names an author no readable record names as an unknown member', async () => {
    const { t } = await team();
    const stranger = newMember('Stranger');
    const c = craftCommit(loadCore(await readFile(t.path), stranger.identity), stranger.identity, { records: [{ t: 'secret.delete', name: 'x' }] });
    await appendToFile(t.path, c.text);
    await t.vault.refresh();
    const e = t.vault.history()[0]!;
    expect(e.author).toEqual({ id: idOf(stranger), name: UNKNOWN_MEMBER });
    expect(e.rejected).toMatch(/not a member/);
  });
});

describe('refresh', () => {
  it('takes in another writer\'s commits without a relock, once', async () => {
    const { t, bob } = await team();
    expect(await t.vault.refresh()).toEqual({ changed: false, commits: [] });
    const asBob = await openAsMember(t.path, bob);
    await asBob.secrets.set({ name: 'from-bob', value: enc('v') });
    asBob.close();
    const r = await t.vault.refresh();
    expect(r.changed).toBe(true);
    expect(r.commits.map((e) => [e.author.name, actions(e)])).toEqual([['Bob', ['new version secrets/from-bob']]]);
    expect(t.vault.secrets.list().map((s) => s.id.split('/').pop())).toEqual(['from-bob']);
    expect(await t.vault.refresh()).toEqual({ changed: false, commits: [] });
    // Its own writes are not news.
    await t.vault.secrets.set({ name: 'mine', value: enc('v') });
    expect((await t.vault.refresh()).changed).toBe(false);
  });

  it('refuses after close', async () => {
    const { t } = await team();
    t.vault.close();
    await expect(t.vault.refresh()).rejects.toMatchObject({ code: 'VaultLocked' });
    expect(() => t.vault.history()).toThrow(expect.objectContaining({ code: 'VaultLocked' }));
  });
});
