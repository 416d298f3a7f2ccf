/**
 * Key backups (keys/operations.ts backup, restore; state/backup-envelope.ts):
 * a restore keeps the name, the versions, their attributes and material, and
 * the rotation policy; it restores into its own vault only; a crafted backup
 * is refused as a fresh open would refuse its records, and nothing is written.
 */
import { afterAll, describe, expect, it } from 'vitest';
import type { Vault } from '../../../../electron/vault/api.js';
import type { VaultSession } from '../../../../electron/vault/session.js';
import { CofferError } from '../../../../electron/vault/errors.js';
import { openBackupEnvelope, sealBackupEnvelope } from '../../../../electron/vault/state/backup-envelope.js';
import { createTestVault, enc, readVaultLines, removeTempDirs } from '../../../helpers/vault.js';
import { failure } from './helpers.js';

afterAll(removeTempDirs);

const coreOf = (v: Vault): VaultSession['core'] => (v as unknown as VaultSession).core;


describe('keys: backup and restore', () => {
  it('restores a purged key with its name, versions, attributes, material and policy', async () => {
    const t = await createTestVault();
    const k = t.vault.keys;
    const v1 = await k.create({ name: 'Signer', kty: 'EC', crv: 'P-384', tags: { a: '1' } });
    const v2 = await k.create({ name: 'signer', kty: 'EC', crv: 'P-384', nbf: 1_700_000_000, keyOps: ['sign', 'verify'] });
    await k.update('signer', v1.key.kid.split('/').pop(), { enabled: false });
    const policy = await k.updateRotationPolicy('signer', { lifetimeActions: [{ trigger: { timeAfterCreate: 'P90D' }, action: { type: 'Rotate' } }], attributes: { expiryTime: 'P1Y' } });
    const versionsBefore = k.listVersions('signer');
    const signature = (await k.sign('signer', undefined, { algorithm: 'ES384', data: enc('data') })).value;
    const blob = await k.backup('signer');
    expect(Buffer.from(blob).toString('utf8')).toMatch(/^coffer-backup\/1 /);

    const conflict = await failure(k.restore(blob));
    expect(conflict.code).toBe('Conflict');
    await k.delete('signer');
    expect((await failure(k.restore(blob))).innerCode).toBe('ObjectIsDeletedButRecoverable');
    await k.purge('signer');
    expect(await k.restore(blob)).toEqual(await k.get('signer'));
    expect(k.listVersions('signer')).toEqual(versionsBefore);
    expect((await k.get('signer')).key.kid).toBe(v2.key.kid);
    expect((await k.getRotationPolicy('signer')).lifetimeActions).toEqual(policy.lifetimeActions);
    expect((await k.getRotationPolicy('signer')).attributes.expiryTime).toBe('P1Y');
    expect((await k.verify('signer', undefined, { algorithm: 'ES384', data: enc('data'), signature: Buffer.from(signature, 'base64url') })).value).toBe(true);
    expect((await k.sign('signer', v1.key.kid.split('/').pop(), { algorithm: 'ES384', data: enc('x') }).catch((e: CofferError) => e.innerCode))).toBe('KeyDisabled');
    t.vault.close();
  });

  it('restores only into the vault it came from; a secret backup is not a key backup', async () => {
    const a = await createTestVault();
    const b = await createTestVault();
    await a.vault.keys.create({ name: 'k', kty: 'oct' });
    const blob = await a.vault.keys.backup('k');
    expect((await failure(b.vault.keys.restore(blob))).message).toContain('belongs to another vault');
    await a.vault.secrets.set({ name: 's', value: enc('v') });
    const secretBackup = await a.vault.secrets.backup('s');
    expect((await failure(a.vault.keys.restore(secretBackup))).message).toBe('The file is not a Coffer key backup, or it is damaged.');
    expect((await failure(a.vault.secrets.restore(blob))).message).toBe('The file is not a Coffer secret backup, or it is damaged.');
    expect((await failure(a.vault.keys.restore(enc('garbage')))).code).toBe('BadParameter');
    a.vault.close();
    b.vault.close();
  });

  describe('a crafted backup is refused, nothing written', () => {
    type Data = { kind: string; name: string; versions: Record<string, unknown>[]; policy?: unknown };
    const cases: [string, (d: Data) => void, RegExp][] = [
      ['a kind other than key', (d) => (d.kind = 'secret'), /not a Coffer key backup/],
      ['an invalid name', (d) => (d.name = 'no_underscores'), /invalid name/],
      ['no versions', (d) => (d.versions = []), /no versions/],
      ['an unknown field', (d) => (d.versions[0]!.extra = 1), /unknown field extra/],
      ['an unknown key type', (d) => (d.versions[0]!.kty = 'DSA'), /kty is invalid/],
      ['a size that is not the material', (d) => (d.versions[0]!.size = 3072), /pub.n does not match the size|size differs/],
      ['a public key that is not the material', (d) => (d.versions[0]!.pub = (d.versions[1]!.pub as object)), /does not match the public key/],
      ['an unknown key operation', (d) => (d.versions[0]!.key_ops = ['encrypt', 'launch']), /key_ops/],
      ['the same version twice', (d) => (d.versions[1]!.version = d.versions[0]!.version), /appears twice/],
      ['a version id of the wrong form', (d) => (d.versions[0]!.version = 'XYZ'), /version is invalid/],
      ['no creation time', (d) => delete d.versions[0]!.created, /creation/],
      ['a time that is not a number', (d) => (d.versions[0]!.exp = '2030'), /exp is invalid/],
      ['material that is not base64url', (d) => (d.versions[0]!.value = '***'), /no readable key material/],
      ['material of another key', (d) => (d.versions[0]!.value = d.versions[1]!.value), /does not match the public key/],
      ['a rotation policy of the wrong shape', (d) => (d.policy = { lifetimeActions: [{ trigger: {}, action: { type: 'Rotate' } }] }), /exactly one/],
    ];

    for (const [what, edit, message] of cases) {
      it(what, async () => {
        const t = await createTestVault();
        await t.vault.keys.create({ name: 'k', kty: 'RSA' });
        await t.vault.keys.create({ name: 'k', kty: 'RSA' });
        const core = coreOf(t.vault);
        const data = openBackupEnvelope(core, 'keys', await t.vault.keys.backup('k'), 'key') as Data;
        await t.vault.keys.delete('k');
        await t.vault.keys.purge('k');
        edit(data);
        const commits = (await readVaultLines(t.path)).commits.length;
        const e = await failure(t.vault.keys.restore(sealBackupEnvelope(core, 'keys', data)));
        expect(e.code).toBe('BadParameter');
        expect(e.message).toMatch(message);
        expect((await readVaultLines(t.path)).commits.length).toBe(commits);
        expect(t.vault.keys.list()).toEqual([]);
        t.vault.close();
      });
    }
  });
});
