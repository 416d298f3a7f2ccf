/**
 * keys/operations.ts: a key's lifecycle through the vault (create, import, get,
 * list, versions, update, delete, recover, purge) with Key Vault's shapes and
 * errors; what a second member and a reopened vault read; key_ops defaults.
 */
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import type { Vault } from '../../../../electron/vault/api.js';
import { exportPrivateJwk, exportPrivatePem, generateKey } from '../../../../electron/vault/keys/material.js';
import { addMembers, createTestVault, newMember, openAsMember, openWithPassphrase, readVaultLines, removeTempDirs } from '../../../helpers/vault.js';
import { failure } from './helpers.js';

afterAll(removeTempDirs);

const KID = /^coffer:\/\/[0-9a-f]{32}\/keys\/[0-9A-Za-z-]+\/[0-9a-f]{32}$/;


describe('keys: create and get', () => {
  it('creates each type with Key Vault defaults: RSA 2048 with all six key_ops, EC P-256 sign/verify, public JWK only', async () => {
    const t = await createTestVault();
    const rsa = await t.vault.keys.create({ name: 'Rsa-Key', kty: 'RSA' });
    expect(rsa.key.kid).toMatch(KID);
    expect(Object.keys(rsa.key)).toEqual(['kid', 'kty', 'key_ops', 'n', 'e']);
    expect(rsa.key.key_ops).toEqual(['encrypt', 'decrypt', 'sign', 'verify', 'wrapKey', 'unwrapKey']);
    expect(Buffer.from(rsa.key.n!, 'base64url').length).toBe(256);
    expect(rsa.key.e).toBe('AQAB');
    expect(rsa.attributes).toMatchObject({ enabled: true, exportable: false, recoveryLevel: 'Recoverable+Purgeable', recoverableDays: 90 });
    expect(rsa.attributes.created).toBe(rsa.attributes.updated);

    const ec = await t.vault.keys.create({ name: 'ec', kty: 'EC' });
    expect(ec.key).toMatchObject({ kty: 'EC', crv: 'P-256', key_ops: ['sign', 'verify'] });
    expect(Object.keys(ec.key)).toEqual(['kid', 'kty', 'key_ops', 'crv', 'x', 'y']);

    const okp = await t.vault.keys.create({ name: 'ed', kty: 'OKP', crv: 'Ed25519' });
    expect(okp.key).toMatchObject({ kty: 'OKP', crv: 'Ed25519', key_ops: ['sign', 'verify'] });

    // S-key GetKey: "If the requested key is symmetric, then no key material is released".
    const oct = await t.vault.keys.create({ name: 'aes', kty: 'oct', size: 128, keyOps: ['wrapKey', 'unwrapKey'], tags: { env: 'test' } });
    expect(Object.keys(oct.key)).toEqual(['kid', 'kty', 'key_ops']);
    expect(oct.tags).toEqual({ env: 'test' });

    const got = await t.vault.keys.get('RSA-KEY');
    expect(got).toEqual(rsa);
    expect(await t.vault.keys.get('rsa-key', rsa.key.kid.split('/').pop()!.toUpperCase())).toEqual(rsa);
    t.vault.close();
  });

  it('refuses bad input before generating, naming what is wrong', async () => {
    const t = await createTestVault();
    const k = t.vault.keys;
    expect((await failure(k.create({ name: 'x', kty: 'RSA', size: 1024 }))).message).toContain('RSA key size 1024 is not supported');
    expect((await failure(k.create({ name: 'x', kty: 'EC', crv: 'P-224' }))).message).toContain('EC curve P-224 is not supported');
    expect((await failure(k.create({ name: 'bad_name', kty: 'EC' }))).message).toContain('invalid name');
    expect((await failure(k.create({ name: 'x', kty: 'EC', keyOps: ['encrypt'] }))).message).toBe('An EC key cannot encrypt.');
    expect((await failure(k.create({ name: 'x', kty: 'EC', keyOps: ['sign', 'sign'] }))).message).toBe('key_ops lists sign twice.');
    expect((await failure(k.create({ name: 'x', kty: 'EC', nbf: 2000, exp: 1000 }))).code).toBe('BadParameter');
    expect((await failure(k.create({ name: 'x', kty: 'RSA', publicExponent: 3 }))).message).toContain('65537');
    expect(k.list()).toEqual([]);
    t.vault.close();
  });

  it('gives KeyNotFound (exit 3) for a missing key or version', async () => {
    const t = await createTestVault();
    await t.vault.keys.create({ name: 'k', kty: 'EC' });
    const e = await failure(t.vault.keys.get('nope'));
    expect([e.code, e.exitCode]).toEqual(['KeyNotFound', 3]);
    expect(e.message).toMatch(/^A key with \(name\/id\) nope was not found in this key vault\./);
    expect((await failure(t.vault.keys.get('k', '0'.repeat(32)))).message).toContain(`(name/id) k/${'0'.repeat(32)}`);
    t.vault.close();
  });
});

describe('keys: import', () => {
  it('imports a JWK (its key_ops kept) and an encrypted PEM; the material stays and signs', async () => {
    const t = await createTestVault();
    const src = await generateKey({ kty: 'EC', crv: 'P-384' });
    const jwk = { ...exportPrivateJwk(src), key_ops: ['verify'] };
    const a = await t.vault.keys.import({ name: 'from-jwk', key: { jwk } });
    expect(a.key).toMatchObject({ kty: 'EC', crv: 'P-384', key_ops: ['verify'], x: jwk.x, y: jwk.y });
    const pem = exportPrivatePem(src, 'pem password');
    const b = await t.vault.keys.import({ name: 'from-pem', key: { pem, password: 'pem password' }, exportable: true });
    expect(b.key).toMatchObject({ x: jwk.x, y: jwk.y, key_ops: ['sign', 'verify'] });
    expect(b.attributes.exportable).toBe(true);
    expect((await failure(t.vault.keys.import({ name: 'x', key: { pem } }))).message).toContain('a password is needed');
    expect((await failure(t.vault.keys.import({ name: 'x', key: { pem, password: 'wrong' } }))).message).toContain('wrong password');
    expect((await failure(t.vault.keys.import({ name: 'x', key: { jwk: { kty: 'EC', crv: 'P-384', x: jwk.x, y: jwk.y } } }))).message).toContain('a public key cannot be imported');
    // Exportable: the private JWK comes back as imported.
    const exported = await t.vault.keys.exportKey('from-pem', undefined, { includePrivate: true });
    expect(exported.jwk).toMatchObject({ d: jwk.d, x: jwk.x });
    src.dispose();
    t.vault.close();
  });
});

describe('keys: list, versions, update', () => {
  it('lists by name with versionless kids; versions in creation order with full kids', async () => {
    const t = await createTestVault();
    const k = t.vault.keys;
    await k.create({ name: 'b', kty: 'oct' });
    const v1 = await k.create({ name: 'a', kty: 'OKP' });
    const v2 = await k.create({ name: 'A', kty: 'OKP', tags: { n: '2' } });
    expect(v2.key.kid.split('/')[4]).toBe('a'); // the name keeps its first case
    const list = k.list();
    expect(list.map((i) => i.kid.split('/').slice(4))).toEqual([['a'], ['b']]);
    expect(list[0]!.tags).toEqual({ n: '2' });
    expect(k.listVersions('a').map((i) => i.kid)).toEqual([v1.key.kid, v2.key.kid]);
    t.vault.close();
  });

  it('updates attributes of one version (material immutable), clears nbf/exp with null, checks key_ops for the type', async () => {
    const t = await createTestVault();
    const k = t.vault.keys;
    const c = await k.create({ name: 'u', kty: 'RSA', size: 2048, nbf: 1_700_000_000, exp: 1_900_000_000 });
    const version = c.key.kid.split('/').pop()!;
    await k.create({ name: 'u', kty: 'RSA' });
    const u = await k.update('u', version, { enabled: false, keyOps: ['verify'], tags: { a: 'b' }, nbf: null });
    expect(u.key).toMatchObject({ kid: c.key.kid, n: c.key.n, key_ops: ['verify'] });
    expect(u.attributes).toMatchObject({ enabled: false, exp: 1_900_000_000 });
    expect(u.attributes.nbf).toBeUndefined();
    expect(u.tags).toEqual({ a: 'b' });
    expect((await k.get('u')).key.key_ops).toHaveLength(6); // the newest version is untouched
    expect((await failure(k.update('u', version, { keyOps: ['bogus'] }))).code).toBe('BadParameter');
    expect((await failure(k.update('u', version, { nbf: 1_950_000_000 }))).message).toContain('must be earlier');
    t.vault.close();
  });
});

describe('keys: soft delete', () => {
  it('deletes, lists deleted, recovers, and purges with Key Vault ids and errors; the material leaves the file', async () => {
    const t = await createTestVault({ retentionDays: 7 });
    const k = t.vault.keys;
    const created = await k.create({ name: 'gone', kty: 'oct', size: 256 });
    const blobsBefore = (await readVaultLines(t.path)).blobs.length;
    const d = await k.delete('gone');
    expect(Object.keys(d).slice(0, 4)).toEqual(['recoveryId', 'deletedDate', 'scheduledPurgeDate', 'key']);
    expect(d.recoveryId).toMatch(/^coffer:\/\/[0-9a-f]{32}\/deletedkeys\/gone$/);
    expect(d.scheduledPurgeDate - d.deletedDate).toBe(7 * 86_400);
    expect(d.attributes.recoveryLevel).toBe('CustomizedRecoverable+Purgeable');
    expect(k.list()).toEqual([]);
    expect((await failure(k.get('gone'))).code).toBe('KeyNotFound');
    const conflict = await failure(k.create({ name: 'GONE', kty: 'oct' }));
    expect([conflict.code, conflict.innerCode]).toEqual(['Conflict', 'ObjectIsDeletedButRecoverable']);
    expect(k.listDeleted().map((i) => i.kid)).toEqual([created.key.kid.replace(/\/[0-9a-f]{32}$/, '')]);
    expect(k.getDeleted('gone').key.kid).toBe(created.key.kid);
    expect((await failure(() => k.getDeleted('other'))).message).toBe('Deleted Key not found: other');

    expect((await k.recover('gone')).key.kid).toBe(created.key.kid);
    expect((await failure(k.recover('gone'))).message).toBe('Deleted Key not found: gone');
    await k.delete('gone');
    await k.purge('gone');
    expect(k.listDeleted()).toEqual([]);
    expect((await readVaultLines(t.path)).blobs.length).toBe(blobsBefore - 1);
    expect(t.warnings.some((w) => w.includes('Purged key material'))).toBe(true);
    // The name is free again.
    await k.create({ name: 'gone', kty: 'oct' });
    t.vault.close();
  });
});

describe('keys: the end of retention', () => {
  it('a deleted key past its scheduledPurgeDate leaves every view; the next write purges it and frees its name', async () => {
    const t = await createTestVault({ retentionDays: 7 });
    const k = t.vault.keys;
    await k.create({ name: 'old', kty: 'oct' });
    await k.delete('old');
    const blobs = (await readVaultLines(t.path)).blobs.length;
    const spy = vi.spyOn(Date, 'now').mockReturnValue(Date.now() + 8 * 86_400_000);
    try {
      await k.create({ name: 'a', kty: 'oct' });
      expect(k.listDeleted()).toEqual([]);
      expect((await failure(() => k.getDeleted('old'))).code).toBe('KeyNotFound');
      const again = await k.create({ name: 'OLD', kty: 'EC' });
      expect(again.key.kid.split('/')[4]).toBe('OLD');
      expect(k.listVersions('old')).toHaveLength(1);
      // The purged material's line left the file: one line added for 'a', one for the new 'OLD'.
      expect((await readVaultLines(t.path)).blobs.length).toBe(blobs + 1);
      const other = await openWithPassphrase(t.path, join(t.dir, 'profile-other'), t.passphrase);
      expect(other.keys.list().map((i) => i.kid.split('/')[4])).toEqual(['a', 'OLD']);
      other.close();
    } finally {
      spy.mockRestore();
      t.vault.close();
    }
  });
});

describe('keys: other members and other opens read the same keys', () => {
  it('a second member and a reopened vault (warm) see the same bundles, and can use the key', async () => {
    const t = await createTestVault();
    const bob = newMember('bob');
    await addMembers(t.vault, [[bob, ['Key Vault Crypto User']]]);
    const created = await t.vault.keys.create({ name: 'shared', kty: 'EC', crv: 'P-256K' });
    await t.vault.keys.updateRotationPolicy('shared', { lifetimeActions: [{ trigger: { timeAfterCreate: 'P90D' }, action: { type: 'rotate' } }], attributes: { expiryTime: 'P1Y' } });
    const signature = (await t.vault.keys.sign('shared', undefined, { algorithm: 'ES256K', data: Buffer.from('hello') })).value;
    t.vault.close();

    const asBob = await openAsMember(t.path, bob);
    expect(await asBob.keys.get('shared')).toEqual(created);
    expect((await asBob.keys.verify('shared', undefined, { algorithm: 'ES256K', data: Buffer.from('hello'), signature: Buffer.from(signature, 'base64url') })).value).toBe(true);
    const bobSig = await asBob.keys.sign('shared', undefined, { algorithm: 'ES256K', data: Buffer.from('bob') });
    asBob.close();

    for (let i = 0; i < 2; i++) {
      // The second open is warm: it starts from the snapshot the first one left.
      const again: Vault = await openWithPassphrase(t.path, t.profileDir, t.passphrase);
      expect((again as unknown as { loadedWarm: boolean }).loadedWarm).toBe(i === 1);
      expect(await again.keys.get('shared')).toEqual(created);
      expect((await again.keys.getRotationPolicy('shared')).attributes.expiryTime).toBe('P1Y');
      expect((await again.keys.verify('shared', undefined, { algorithm: 'ES256K', data: Buffer.from('bob'), signature: Buffer.from(bobSig.value, 'base64url') })).value).toBe(true);
      again.close();
      await again.settled();
    }
  });

  it('a cold open from a checkpoint on a new computer reads the keys, their policies and their material', async () => {
    const t = await createTestVault();
    await t.vault.keys.create({ name: 'cp', kty: 'oct', size: 192 });
    await t.vault.keys.updateRotationPolicy('cp', { attributes: { expiryTime: 'P60D' } });
    await t.vault.keys.create({ name: 'gone', kty: 'EC' });
    await t.vault.keys.delete('gone');
    const sealed = await t.vault.keys.encrypt('cp', undefined, { algorithm: 'A192GCM', value: Buffer.from('before the checkpoint') });
    await t.vault.checkpoint();
    const bundle = await t.vault.keys.get('cp');
    t.vault.close();
    const fresh = await openWithPassphrase(t.path, join(t.dir, 'profile-new-computer'), t.passphrase);
    expect((fresh as unknown as { loadedFromCheckpoint: boolean }).loadedFromCheckpoint).toBe(true);
    expect(await fresh.keys.get('cp')).toEqual(bundle);
    expect((await fresh.keys.getRotationPolicy('cp')).attributes.expiryTime).toBe('P60D');
    expect(fresh.keys.listDeleted().map((d) => d.kid.split('/').pop())).toEqual(['gone']);
    const opened = await fresh.keys.decrypt('cp', undefined, {
      algorithm: 'A192GCM',
      value: Buffer.from(sealed.value, 'base64url'),
      iv: Buffer.from(sealed.iv!, 'base64url'),
      tag: Buffer.from(sealed.tag!, 'base64url'),
    });
    expect(Buffer.from(opened.value, 'base64url').toString()).toBe('before the checkpoint');
    fresh.close();
  });
});
