/**
 * The renderer fake's keys channels behave as main's handlers do where the
 * renderer can tell (test/unit/main/handlers/keys.test.ts is the real thing):
 * shapes, errors with Key Vault's codes and inner codes, versions oldest
 * first, soft delete, rotation and its policy, and operations that undo each
 * other; the scheduled rotation's event.
 */
import { describe, expect, it } from 'vitest';
import type { AppEvent, Result } from '../../../shared/contract.js';
import { createFakeCoffer, NOT_A_KEY_FILE, type FakeCoffer } from './fake-api.js';

function setup(): FakeCoffer {
  let t = 1_700_000_000;
  const fake = createFakeCoffer({ now: () => t++ });
  fake.addVault('/v/k.coffer', 'p');
  fake.open = '/v/k.coffer';
  return fake;
}

async function ok<T>(p: Promise<Result<T>>): Promise<T> {
  const r = await p;
  if (!r.ok) throw new Error(`${r.code}: ${r.message}`);
  return r.value;
}

async function fails(p: Promise<Result<unknown>>, code: string, innerCode?: string): Promise<string> {
  const r = await p;
  if (r.ok) throw new Error(`expected ${code}`);
  expect(r.code).toBe(code);
  if (innerCode !== undefined) expect(r.innerCode).toBe(innerCode);
  return r.message;
}

const b64u = (s: string): string => btoa(s).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');

describe('fake keys channels', () => {
  it('create, list with shapes, get with PEM, thumbprint and the engine’s algorithm lists', async () => {
    const fake = setup();
    const api = fake.api;
    const rsa = await ok(api['keys:create']({ name: 'Rsa', kty: 'RSA' }));
    expect(rsa.key).toMatchObject({ kty: 'RSA', e: 'AQAB', key_ops: ['encrypt', 'decrypt', 'sign', 'verify', 'wrapKey', 'unwrapKey'] });
    await ok(api['keys:create']({ name: 'aes', kty: 'oct', size: 128 }));
    await ok(api['keys:create']({ name: 'ed', kty: 'OKP' }));
    expect((await ok(api['keys:list']({}))).map((k) => [k.kid.split('/').pop(), k.kty, k.size ?? k.crv])).toEqual([
      ['aes', 'oct', 128],
      ['ed', 'OKP', 'Ed25519'],
      ['Rsa', 'RSA', 2048],
    ]);
    const d = await ok(api['keys:get']({ name: 'rsa' }));
    expect(d.bundle).toEqual(rsa);
    expect(d.pem).toMatch(/^-----BEGIN PUBLIC KEY-----\n/);
    expect(d.thumbprint).toMatch(/^[A-Za-z0-9_-]{43}$/);
    // test/unit/vault/keys/fake-algorithms.test.ts checks these lists against the engine's, shape by shape.
    expect(Object.keys(d.algorithms)).toEqual(['encrypt', 'decrypt', 'wrapKey', 'unwrapKey', 'sign', 'verify']);
    const aes = await ok(api['keys:get']({ name: 'aes' }));
    expect(aes).not.toHaveProperty('pem');
    expect(aes.algorithms.encrypt).toContain('A128GCM');
    expect(await fails(api['keys:get']({ name: 'nope' }), 'KeyNotFound')).toMatch(/^A key with \(name\/id\) nope was not found/);
    expect(await fails(api['keys:create']({ name: 'x', kty: 'EC', keyOps: ['encrypt'] }), 'BadParameter')).toBe('An EC key cannot encrypt.');
    expect(await ok(api['vault:status']({}))).toMatchObject({ vault: { counts: { keys: 3, keyVersions: 3, deletedKeys: 0 } } });
  });

  it('versions oldest first; update; delete, Conflict on the deleted name, listDeleted, recover, purge', async () => {
    const fake = setup();
    const api = fake.api;
    const v = fake.vaults.get('/v/k.coffer')!;
    const first = fake.addKey(v, 'k', { kty: 'EC', tags: { a: '1' } });
    const second = fake.addKey(v, 'k', { kty: 'EC', enabled: false });
    expect((await ok(api['keys:listVersions']({ name: 'k' }))).map((i) => i.kid.split('/').pop())).toEqual([first.version, second.version]);
    const upd = await ok(api['keys:update']({ name: 'k', version: first.version, patch: { keyOps: ['verify'], exp: 2_000_000_000 } }));
    expect(upd.key.key_ops).toEqual(['verify']);
    expect(upd.attributes.exp).toBe(2_000_000_000);
    const del = await ok(api['keys:delete']({ name: 'k' }));
    expect(del.recoveryId).toMatch(/\/deletedkeys\/k$/);
    await fails(api['keys:create']({ name: 'K', kty: 'EC' }), 'Conflict', 'ObjectIsDeletedButRecoverable');
    expect((await ok(api['keys:listDeleted']({}))).map((i) => i.recoveryId.split('/').pop())).toEqual(['k']);
    await ok(api['keys:recover']({ name: 'k' }));
    await ok(api['keys:delete']({ name: 'k' }));
    expect(await ok(api['keys:purge']({ name: 'k' }))).toBeNull();
    expect(await fails(api['keys:purge']({ name: 'k' }), 'KeyNotFound')).toBe('Deleted Key not found: k');
  });

  it('import tells JWK from PEM; an encrypted PEM needs its password; other text is refused', async () => {
    const fake = setup();
    const api = fake.api;
    const jwk = await ok(api['keys:import']({ name: 'j', text: JSON.stringify({ kty: 'EC', crv: 'P-384', d: 'AA', x: 'AA', y: 'AA' }) }));
    expect(jwk.key).toMatchObject({ kty: 'EC', crv: 'P-384', key_ops: ['sign', 'verify'] });
    const enc = '-----BEGIN ENCRYPTED PRIVATE KEY-----\nAAAA\n-----END ENCRYPTED PRIVATE KEY-----\n';
    await fails(api['keys:import']({ name: 'e', text: enc }), 'BadParameter');
    await fails(api['keys:import']({ name: 'e', text: enc, password: 'wrong' }), 'BadParameter');
    expect((await ok(api['keys:import']({ name: 'e', text: enc, password: fake.pemPassword }))).key.kty).toBe('RSA');
    expect(await fails(api['keys:import']({ name: 'x', text: 'hello' }), 'BadParameter')).toBe(NOT_A_KEY_FILE);
    expect(await fails(api['keys:import']({ name: 'x', text: '{"kty":' }), 'BadParameter')).toBe(NOT_A_KEY_FILE);
  });

  it('encrypt/decrypt and sign/verify undo each other; disabled, forbidden and expired keys are Forbidden as in Key Vault', async () => {
    const fake = setup();
    const api = fake.api;
    const v = fake.vaults.get('/v/k.coffer')!;
    fake.addKey(v, 'rsa', { kty: 'RSA' });
    fake.addKey(v, 'aes', { kty: 'oct' });
    const value = b64u('plain text');
    const ct = await ok(api['keys:encrypt']({ name: 'rsa', algorithm: 'RSA-OAEP-256', value }));
    expect(ct.value).not.toBe(value);
    expect((await ok(api['keys:decrypt']({ name: 'rsa', algorithm: 'RSA-OAEP-256', value: ct.value }))).value).toBe(value);
    await fails(api['keys:decrypt']({ name: 'rsa', algorithm: 'RSA-OAEP', value: ct.value }), 'BadParameter');
    const gcm = await ok(api['keys:encrypt']({ name: 'aes', algorithm: 'A256GCM', value, aad: b64u('h') }));
    expect(gcm.iv && gcm.tag).toBeTruthy();
    expect((await ok(api['keys:decrypt']({ name: 'aes', algorithm: 'A256GCM', value: gcm.value, iv: gcm.iv, tag: gcm.tag, aad: b64u('h') }))).value).toBe(value);
    await fails(api['keys:decrypt']({ name: 'aes', algorithm: 'A256GCM', value: gcm.value, iv: gcm.iv, tag: gcm.tag }), 'BadParameter');

    const sig = await ok(api['keys:sign']({ name: 'rsa', algorithm: 'PS256', data: value }));
    expect(await ok(api['keys:verify']({ name: 'rsa', algorithm: 'PS256', data: value, signature: sig.value }))).toEqual({ value: true });
    expect(await ok(api['keys:verify']({ name: 'rsa', algorithm: 'PS256', data: b64u('other'), signature: sig.value }))).toEqual({ value: false });
    expect(await ok(api['keys:verify']({ name: 'rsa', algorithm: 'RS256', data: value, signature: sig.value }))).toEqual({ value: false });
    await fails(api['keys:sign']({ name: 'rsa', algorithm: 'ES256', data: value }), 'BadParameter');

    fake.addKey(v, 'off', { kty: 'EC', enabled: false });
    await fails(api['keys:sign']({ name: 'off', algorithm: 'ES256', data: value }), 'Forbidden', 'KeyDisabled');
    fake.addKey(v, 'vonly', { kty: 'EC', keyOps: ['verify'] });
    await fails(api['keys:sign']({ name: 'vonly', algorithm: 'ES256', data: value }), 'Forbidden', 'KeyOperationForbidden');
    fake.addKey(v, 'old', { kty: 'RSA', exp: 1_000 });
    await fails(api['keys:encrypt']({ name: 'old', algorithm: 'RSA-OAEP', value }), 'Forbidden', 'KeyExpired');
  });

  it('rotation policy stored; rotate makes a version expiring by the policy; rotateDue emits keysRotated', async () => {
    const fake = setup();
    const api = fake.api;
    const events: AppEvent[] = [];
    fake.emit = (e) => events.push(e);
    const v = fake.vaults.get('/v/k.coffer')!;
    fake.addKey(v, 'soon', { kty: 'EC', exp: fake.now() + 86_400 });
    fake.addKey(v, 'flaky', { kty: 'EC', exp: fake.now() + 86_400 });
    expect((await ok(api['keys:getRotationPolicy']({ name: 'soon' }))).lifetimeActions).toEqual([{ trigger: { timeBeforeExpiry: 'P30D' }, action: { type: 'Notify' } }]);
    for (const name of ['soon', 'flaky']) {
      await ok(api['keys:updateRotationPolicy']({ name, lifetimeActions: [{ trigger: { timeBeforeExpiry: 'P7D' }, action: { type: 'Rotate' } }], expiryTime: 'P28D' }));
    }
    expect((await ok(api['keys:getRotationPolicy']({ name: 'soon' }))).attributes.expiryTime).toBe('P28D');
    expect(fake.rotateDue({ failing: ['flaky'] })).toEqual({ rotated: ['soon'], failed: [{ name: 'flaky', message: 'The vault file could not be written.' }] });
    expect(events).toEqual([{ type: 'keysRotated', rotated: ['soon'], failed: [{ name: 'flaky', message: 'The vault file could not be written.' }] }]);
    expect(await ok(api['keys:listVersions']({ name: 'soon' }))).toHaveLength(2);
    expect(await ok(api['keys:listVersions']({ name: 'flaky' }))).toHaveLength(1);
    expect(fake.rotateDue()).toEqual({ rotated: ['flaky'], failed: [] });
    expect(fake.rotateDue()).toEqual({ rotated: [], failed: [] });
    expect(events).toHaveLength(2);

    const r = await ok(api['keys:rotate']({ name: 'soon' }));
    expect(r.attributes.exp! - r.attributes.created!).toBe(28 * 86_400);
    await fails(api['keys:updateRotationPolicy']({ name: 'soon', lifetimeActions: [{ trigger: { timeBeforeExpiry: 'P7D' }, action: { type: 'Rotate' } }] }), 'BadParameter');
  });
});
