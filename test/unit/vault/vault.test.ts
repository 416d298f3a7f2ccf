/**
 * createVault (vault.ts) with a member identity instead of a passphrase: a team
 * vault (C8: no vault-wide passphrase) whose genesis names that identity
 * Administrator (C4), opened by identity only.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CofferError } from '../../../electron/vault/errors.js';
import { createVault, openVault } from '../../../electron/vault/vault.js';
import { copyIdentity, dec, enc, makeTempDir, newMember, openAsMember, parseVaultLines, removeTempDirs, TEST_KDF } from '../../helpers/vault.js';

afterAll(removeTempDirs);

async function teamVault(): Promise<{ dir: string; path: string; ann: ReturnType<typeof newMember> }> {
  const dir = await makeTempDir();
  const path = join(dir, 'team.coffer');
  const ann = newMember('ann');
  const v = await createVault({ path, profileDir: join(dir, 'profile-ann'), identity: copyIdentity(ann.identity), displayName: 'Ann' });
  v.close();
  await v.settled();
  return { dir, path, ann };
}

describe('createVault with an identity', () => {
  it('names the identity Administrator in the genesis, writes no passphrase slot, and opens with the identity', async () => {
    const { path, ann } = await teamVault();
    const lines = parseVaultLines(await readFile(path));
    const sign = Buffer.from(ann.identity.signPub).toString('base64url');
    expect(lines.commits[0]!.payload.author).toBe(sign);
    expect(lines.commits.some((c) => 'slots' in c.payload)).toBe(false);
    const v = await openAsMember(path, ann);
    expect(v.info().unlockedWith).toBe('identity');
    expect(v.members.list()).toEqual([expect.objectContaining({ name: 'Ann', roles: ['Key Vault Administrator'], signPub: sign })]);
    await v.secrets.set({ name: 'db', value: enc('s3cret') });
    v.close();
  });

  it('refuses a passphrase open with a clear error', async () => {
    const { dir, path } = await teamVault();
    const err = await openVault({ path, profileDir: join(dir, 'profile-x'), passphrase: enc('anything') }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CofferError);
    expect((err as CofferError).code).toBe('VaultLocked');
    expect((err as CofferError).message).toBe('This vault has no passphrase slot; open it with a member identity.');
  });

  it('takes exactly one of passphrase and identity', async () => {
    const dir = await makeTempDir();
    const ann = newMember('ann');
    for (const options of [{}, { passphrase: enc('pw'), identity: copyIdentity(ann.identity), kdf: TEST_KDF }]) {
      const err = await createVault({ path: join(dir, 'x.coffer'), profileDir: join(dir, 'p'), ...options }).catch((e: unknown) => e);
      expect((err as CofferError).code).toBe('BadParameter');
    }
  });

  it('a member added by the creator reads by role', async () => {
    const { path, ann } = await teamVault();
    const bob = newMember('bob');
    const carol = newMember('carol');
    const v = await openAsMember(path, ann);
    await v.secrets.set({ name: 'db', value: enc('s3cret') });
    await v.members.add(bob.publicIdentity, ['Key Vault Secrets User']);
    await v.members.add(carol.publicIdentity, ['Key Vault Reader']);
    v.close();
    const asBob = await openAsMember(path, bob);
    expect(dec(await asBob.secrets.getValue('db'))).toBe('s3cret');
    asBob.close();
    const asCarol = await openAsMember(path, carol);
    expect(asCarol.secrets.list().map((s) => s.id.split('/').pop())).toEqual(['db']);
    await expect(asCarol.secrets.getValue('db')).rejects.toMatchObject({ code: 'Forbidden' });
    asCarol.close();
  });
});
