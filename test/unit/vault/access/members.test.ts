/**
 * Leaving a vault (access/members.ts leave; VAULT-MODEL C5: "the creator leaves by
 * their own commit, after handing the role on"). The leave is a `remove` of oneself
 * in a new epoch; readers reject whatever the one who left writes afterwards, and
 * their own client refuses to write it (FORMAT.md §8.5).
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Vault } from '../../../../electron/vault/api.js';
import { CofferError } from '../../../../electron/vault/errors.js';
import { createVault } from '../../../../electron/vault/vault.js';
import { addMembers, copyIdentity, createTestVault, dec, enc, makeTempDir, newMember, openAsMember, parseVaultLines, removeTempDirs, type TestMember } from '../../../helpers/vault.js';
import { appendToFile, craftCommit, loadCore } from '../properties/forge.js';

afterAll(removeTempDirs);

async function rejectsWith(p: Promise<unknown>, code: string, message?: RegExp): Promise<void> {
  const e = await p.then(
    () => undefined,
    (x: unknown) => x,
  );
  expect(e, 'expected an error').toBeInstanceOf(CofferError);
  expect((e as CofferError).code, (e as Error).message).toBe(code);
  if (message) expect((e as CofferError).message).toMatch(message);
}

interface Team {
  path: string;
  dir: string;
  ann: TestMember; // the creator
  bob: TestMember; // Administrator, added first
  carol: TestMember; // Secrets User
  dave: TestMember; // Administrator, added after Bob
  asAnn: Vault;
}

/** Ann's team vault (created by her identity), with Bob and Dave as Administrators and Carol as Secrets User. */
async function team(): Promise<Team> {
  const dir = await makeTempDir();
  const path = join(dir, 'team.coffer');
  const [ann, bob, carol, dave] = [newMember('ann'), newMember('bob'), newMember('carol'), newMember('dave')];
  const asAnn = await createVault({ path, profileDir: join(dir, 'profile-ann'), identity: copyIdentity(ann.identity), displayName: 'ann' });
  await asAnn.secrets.set({ name: 'db', value: enc('db-1') });
  await asAnn.members.add(bob.publicIdentity, ['Key Vault Administrator']);
  await asAnn.members.add(carol.publicIdentity, ['Key Vault Secrets User']);
  await asAnn.members.add(dave.publicIdentity, ['Key Vault Administrator']);
  return { path, dir, ann, bob, carol, dave, asAnn };
}

const signOf = (m: TestMember): string => Buffer.from(m.identity.signPub).toString('base64url');

describe('members.leave', () => {
  it('the creator hands the role on and leaves; the next senior Administrator then manages everyone', async () => {
    const { path, ann, bob, carol, dave, asAnn } = await team();
    // Bob cannot remove the creator, who is senior to him.
    const bobBefore = await openAsMember(path, bob);
    await rejectsWith(bobBefore.members.remove(ann.identity.signPub), 'Forbidden');
    bobBefore.close();

    const { exposedSecrets } = await asAnn.members.leave();
    expect(exposedSecrets).toEqual(['db']);
    // Her own client writes nothing more.
    await rejectsWith(asAnn.secrets.set({ name: 'late', value: enc('x') }), 'Forbidden');
    asAnn.close();

    const asBob = await openAsMember(path, bob);
    expect(asBob.members.list().map((m) => m.name).sort()).toEqual(['bob', 'carol', 'dave']);
    await asBob.members.remove(carol.identity.signPub);
    await asBob.members.setRoles(dave.identity.signPub, ['Key Vault Reader']);
    await asBob.secrets.set({ name: 'db', value: enc('db-2') });
    expect(asBob.members.list().map((m) => [m.name, m.roles])).toEqual(
      expect.arrayContaining([
        ['bob', ['Key Vault Administrator']],
        ['dave', ['Key Vault Reader']],
      ]),
    );
    expect(asBob.info().rejectedCommits).toEqual([]);
    asBob.close();
  });

  it('on another computer, the one who left is refused before writing, and the file is unchanged', async () => {
    const { path, dir, ann, asAnn } = await team();
    await asAnn.members.leave();
    asAnn.close();
    const again = await openAsMember(path, ann, { profileDir: join(dir, 'profile-ann-elsewhere') });
    const before = await readFile(path);
    await rejectsWith(again.secrets.set({ name: 'late', value: enc('x') }), 'Forbidden', /left this vault by its own commit [0-9a-f]{12}/);
    expect((await readFile(path)).equals(before)).toBe(true);
    again.close();
  });

  it('readers reject what the one who left writes after leaving, or concurrently with it', async () => {
    const { path, dir, ann, bob, asAnn } = await team();
    const beforeLeave = parseVaultLines(await readFile(path)).commits.at(-1)!;
    await asAnn.members.leave();
    asAnn.close();
    const leave = parseVaultLines(await readFile(path)).commits.at(-1)!;
    // A modified client of Ann's: one commit after her leave, one beside it (parents before it).
    const core = loadCore(await readFile(path), copyIdentity(ann.identity));
    const after = craftCommit(core, ann.identity, { records: [{ t: 'remove', sign: signOf(bob) }] });
    await appendToFile(path, after.text);
    const core2 = loadCore(await readFile(path), copyIdentity(ann.identity));
    // Beside the leave: the same parents, epoch and sequence number as the leave (FORMAT.md §5.5).
    const concurrent = craftCommit(core2, ann.identity, {
      records: [{ t: 'secret.delete', name: 'db' }],
      parents: [beforeLeave.id],
      seq: leave.payload.seq as number,
      epoch: beforeLeave.payload.epoch as string,
    });
    await appendToFile(path, concurrent.text);
    const asBob = await openAsMember(path, bob, { profileDir: join(dir, 'profile-bob-2') });
    const rejected = new Map(asBob.info().rejectedCommits.map((r) => [r.id, r.reason]));
    expect(rejected.get(after.id)).toMatch(/not a member/);
    expect(rejected.get(concurrent.id)).toMatch(/removed concurrently/);
    expect(asBob.members.list().map((m) => m.name).sort()).toEqual(['bob', 'carol', 'dave']);
    expect(dec(await asBob.secrets.getValue('db'))).toBe('db-1');
    asBob.close();
  });

  it('refuses the last Administrator, and a member who does not manage members', async () => {
    const dir = await makeTempDir();
    const path = join(dir, 'solo.coffer');
    const [ann, carol] = [newMember('ann'), newMember('carol')];
    const asAnn = await createVault({ path, profileDir: join(dir, 'profile-ann'), identity: copyIdentity(ann.identity) });
    await asAnn.members.add(carol.publicIdentity, ['Key Vault Secrets Officer']);
    const before = await readFile(path);
    await rejectsWith(asAnn.members.leave(), 'Conflict', /last Administrator of this vault: give another member the Key Vault Administrator role first/);
    asAnn.close();
    const asCarol = await openAsMember(path, carol);
    await rejectsWith(asCarol.members.leave(), 'Forbidden', /Only an Administrator leaves a vault by their own commit/);
    asCarol.close();
    expect((await readFile(path)).equals(before)).toBe(true);
  });

  it('remove of oneself is still refused (leave is the way out)', async () => {
    const { ann, asAnn } = await team();
    await rejectsWith(asAnn.members.remove(ann.identity.signPub), 'BadParameter', /You cannot remove yourself/);
    asAnn.close();
  });
});

describe('a removed member is told so', () => {
  it('VaultInfo.removal names the removal and its author for the removed member only; their writes are refused', async () => {
    const t = await createTestVault({ displayName: 'Alice' });
    const bob = newMember('Bob');
    await addMembers(t.vault, [[bob, ['Key Vault Secrets Officer']]]);
    expect(t.vault.info().removal).toBeNull();
    await t.vault.members.remove(bob.identity.signPub);
    expect(t.vault.info().removal).toBeNull();
    const asBob = await openAsMember(t.path, bob);
    try {
      const removal = asBob.info().removal;
      expect(removal).toEqual({ commit: expect.stringMatching(/^[0-9a-f]{64}$/), by: 'Alice' });
      await expect(asBob.secrets.set({ name: 'late', value: enc('x') })).rejects.toMatchObject({ code: 'Forbidden' });
    } finally {
      asBob.close();
      await asBob.settled();
    }
  });
});
