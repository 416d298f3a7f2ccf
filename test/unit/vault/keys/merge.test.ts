/**
 * Keys across copies (VAULT-MODEL V6, DECISIONS.md "Merge semantics"): two
 * copies that rotated one key hold, once merged, every version of both, each
 * usable with its own material; purge wins over recover; a policy changed in
 * one copy stands.
 */
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { mergeVaultFiles } from '../../../../electron/vault/vault.js';
import { cleanupTemp, copyVault, create, freshProfile, open, tempDir, text } from '../merge/helpers.js';

afterAll(cleanupTemp);

describe('keys: merging two copies', () => {
  it('keeps every version of both copies, usable; purge wins over recover', async () => {
    const dir = await tempDir('coffer-keys-merge-');
    const base = join(dir, 'base.coffer');
    const v = await create(base, join(dir, 'profile-base'));
    const first = await v.keys.create({ name: 'k', kty: 'EC', crv: 'P-256' });
    await v.keys.create({ name: 'p', kty: 'oct' });
    await v.keys.delete('p');
    v.close();
    const a = await copyVault(base, join(dir, 'a.coffer'));
    const b = await copyVault(base, join(dir, 'b.coffer'));

    const va = await open(a, join(dir, 'profile-a'));
    const rotatedA = await va.keys.rotate('k');
    await va.keys.create({ name: 'only-a', kty: 'OKP' });
    await va.keys.purge('p');
    va.close();
    const vb = await open(b, join(dir, 'profile-b'));
    const rotatedB = await vb.keys.rotate('k');
    await vb.keys.updateRotationPolicy('k', { attributes: { expiryTime: 'P40D' } });
    await vb.keys.recover('p');
    vb.close();

    await mergeVaultFiles(a, b, a, { profileDir: join(dir, 'profile-merge') });
    const m = await open(a, freshProfile(dir));
    const kids = m.keys.listVersions('k').map((i) => i.kid);
    expect(kids).toHaveLength(3);
    expect(kids[0]).toBe(first.key.kid);
    expect(new Set(kids)).toEqual(new Set([first.key.kid, rotatedA.key.kid, rotatedB.key.kid]));
    for (const kid of kids) {
      const version = kid.split('/').pop()!;
      const s = await m.keys.sign('k', version, { algorithm: 'ES256', data: text(kid) });
      expect(s.kid).toBe(kid);
      expect((await m.keys.verify('k', version, { algorithm: 'ES256', data: text(kid), signature: Buffer.from(s.value, 'base64url') })).value).toBe(true);
    }
    expect((await m.keys.getRotationPolicy('k')).attributes.expiryTime).toBe('P40D');
    expect(m.keys.list().map((i) => i.kid.split('/')[4])).toEqual(['k', 'only-a']);
    expect(m.keys.listDeleted()).toEqual([]);
    m.close();
  });
});
