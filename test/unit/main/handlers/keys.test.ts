/**
 * The `keys:*` channels through the real gate and handlers on the real engine
 * (small test KDF), as the renderer calls them: create, get with the public
 * PEM, the RFC 7638 thumbprint and the algorithm lists, import of PEM, JWK
 * and encrypted PKCS#8, the cryptographic operations with base64url in and
 * out, the lifecycle, rotation and its policy; and the rotation schedule main
 * runs while a vault is open (key-rotation.ts), on fake timers.
 */
import { createHash, createPublicKey, generateKeyPairSync, verify, type KeyObject } from 'node:crypto';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { appEventSchema, type Result } from '../../../../shared/contract.js';
import type { JsonWebKey } from '../../../../shared/keyvault.js';
import { CofferError } from '../../../../electron/vault/errors.js';
import { decodeB64u, jwkThumbprint, NOT_A_KEY_FILE } from '../../../../electron/main/handlers/keys.js';
import { FIRST_RUN_DELAY_MS as FIRST_ROTATION_DELAY_MS, RUN_INTERVAL_MS as ROTATION_INTERVAL_MS } from '../../../../electron/main/handlers/scheduled-work.js';
import type { Vault } from '../../../../electron/vault/api.js';
import { removeTempDirs } from '../../../helpers/vault.js';
import { HAS_OPENSSL, Scratch } from '../../vault/keys/helpers.js';
import { PASSPHRASE, startUnlockedApp, type TestApp } from '../helpers.js';

afterAll(removeTempDirs);

const b64u = (s: string | Uint8Array): string => Buffer.from(s).toString('base64url');
const text = (s: string): string => Buffer.from(s, 'base64url').toString('utf8');
const versionOf = (kid: string): string => kid.split('/').pop()!;

function expectError(r: Result<unknown>, code: string, innerCode?: string): { message: string } {
  if (r.ok) throw new Error(`expected ${code}, got ok`);
  expect(r.code).toBe(code);
  if (innerCode !== undefined) expect(r.innerCode).toBe(innerCode);
  return r;
}

/** RFC 7638 §3.3 written out by hand, member by member, apart from the handler's code. */
function thumbprintByHand(jwk: JsonWebKey): string {
  const json =
    jwk.kty === 'RSA'
      ? `{"e":"${jwk.e}","kty":"RSA","n":"${jwk.n}"}`
      : jwk.kty === 'EC'
        ? `{"crv":"${jwk.crv}","kty":"EC","x":"${jwk.x}","y":"${jwk.y}"}`
        : `{"crv":"${jwk.crv}","kty":"OKP","x":"${jwk.x}"}`;
  return createHash('sha256').update(json).digest('base64url');
}

/** The public members of a node KeyObject's JWK, to compare with a bundle's. */
function publicMembers(k: KeyObject): Record<string, string | undefined> {
  const j = k.export({ format: 'jwk' });
  // Node names secp256k1 as SEC 2 does; Key Vault's JWK as S-key JsonWebKeyCurveName does.
  return { n: j.n, e: j.e, crv: j.crv === 'secp256k1' ? 'P-256K' : j.crv, x: j.x, y: j.y };
}
const bundleMembers = (j: JsonWebKey): Record<string, string | undefined> => ({ n: j.n, e: j.e, crv: j.crv, x: j.x, y: j.y });

describe('jwkThumbprint (RFC 7638)', () => {
  it("gives RFC 7638 §3.1's and RFC 8037 Appendix A.3's thumbprints", () => {
    const n =
      '0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw';
    // Members in another order, and extra ones (kid, key_ops), change nothing.
    expect(jwkThumbprint({ kid: 'k', key_ops: ['verify'], n, kty: 'RSA', e: 'AQAB' })).toBe('NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs');
    expect(jwkThumbprint({ kid: 'k', key_ops: [], kty: 'OKP', crv: 'Ed25519', x: '11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo' })).toBe('kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k');
    expect(jwkThumbprint({ kid: 'k', key_ops: [], kty: 'oct' })).toBeUndefined();
    expect(jwkThumbprint({ kid: 'k', key_ops: [], kty: 'EC', crv: 'P-256', x: 'AA' })).toBeUndefined();
  });
});

describe('decodeB64u', () => {
  it('takes canonical base64url only, and names the field without the text', () => {
    expect(decodeB64u('', 'value')).toEqual(new Uint8Array(0));
    expect(decodeB64u('_-8', 'value')).toEqual(new Uint8Array([0xff, 0xef]));
    for (const bad of ['A', 'AB', 'AAAAA', 'AAB']) {
      const e = (() => {
        try {
          decodeB64u(bad, 'iv');
        } catch (x) {
          return x as CofferError;
        }
        throw new Error(`accepted ${bad}`);
      })();
      expect([e.code, e.message]).toEqual(['BadParameter', 'iv is not valid base64url.']);
    }
  });
});

describe('keys:* on the real engine', () => {
  let app: TestApp;
  const start = async () => (app ??= await startUnlockedApp());

  it('keys:create of each type; keys:list with type and size or curve; keys:get with PEM, thumbprint and algorithms', async () => {
    await start();
    const rsa = await app.ok('keys:create', { name: 'rsa', kty: 'RSA', size: 2048, tags: { env: 'test' } });
    expect(rsa.key).toMatchObject({ kty: 'RSA', e: 'AQAB', key_ops: ['encrypt', 'decrypt', 'sign', 'verify', 'wrapKey', 'unwrapKey'] });
    expect(rsa.tags).toEqual({ env: 'test' });
    await app.ok('keys:create', { name: 'ec', kty: 'EC', crv: 'P-256' });
    await app.ok('keys:create', { name: 'k1', kty: 'EC', crv: 'P-256K' });
    await app.ok('keys:create', { name: 'ed', kty: 'OKP', crv: 'Ed25519' });
    const oct = await app.ok('keys:create', { name: 'aes', kty: 'oct', size: 256, exportable: false });
    expect(oct.key).not.toHaveProperty('k');

    const list = await app.ok('keys:list');
    expect(list.map((i) => [versionOf(i.kid), i.kty, i.size ?? i.crv])).toEqual([
      ['aes', 'oct', 256],
      ['ec', 'EC', 'P-256'],
      ['ed', 'OKP', 'Ed25519'],
      ['k1', 'EC', 'P-256K'],
      ['rsa', 'RSA', 2048],
    ]);

    for (const name of ['rsa', 'ec', 'k1', 'ed']) {
      const d = await app.ok('keys:get', { name });
      expect(d.bundle.key).not.toHaveProperty('d');
      expect(d.pem, name).toMatch(/^-----BEGIN PUBLIC KEY-----\n[\s\S]+\n-----END PUBLIC KEY-----\n$/);
      // The PEM is this version's public key, the same as the JWK's members.
      expect(publicMembers(createPublicKey(d.pem!)), name).toEqual(bundleMembers(d.bundle.key));
      expect(d.thumbprint, name).toBe(thumbprintByHand(d.bundle.key));
      expect(d.thumbprint).toMatch(/^[A-Za-z0-9_-]{43}$/);
    }

    const rsaDetails = await app.ok('keys:get', { name: 'rsa' });
    expect(rsaDetails.bundle).toEqual(rsa);
    expect(rsaDetails.algorithms).toEqual({
      encrypt: ['RSA1_5', 'RSA-OAEP', 'RSA-OAEP-256'],
      decrypt: ['RSA-OAEP', 'RSA-OAEP-256'],
      wrapKey: ['RSA1_5', 'RSA-OAEP', 'RSA-OAEP-256'],
      unwrapKey: ['RSA-OAEP', 'RSA-OAEP-256'],
      sign: ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'RSNULL'],
      verify: ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'RSNULL'],
    });
    expect((await app.ok('keys:get', { name: 'ec' })).algorithms).toEqual({ sign: ['ES256'], verify: ['ES256'] });
    expect((await app.ok('keys:get', { name: 'k1' })).algorithms).toEqual({ sign: ['ES256K'], verify: ['ES256K'] });
    expect((await app.ok('keys:get', { name: 'ed' })).algorithms).toEqual({ sign: ['EdDSA'], verify: ['EdDSA'] });

    // oct: no public key, so neither PEM nor thumbprint.
    const aes = await app.ok('keys:get', { name: 'aes' });
    expect(aes).not.toHaveProperty('pem');
    expect(aes).not.toHaveProperty('thumbprint');
    expect(aes.algorithms).toEqual({
      encrypt: ['A256GCM', 'A256CBC', 'A256CBCPAD'],
      decrypt: ['A256GCM', 'A256CBC', 'A256CBCPAD'],
      wrapKey: ['A256KW', 'CKM_AES_KEY_WRAP', 'CKM_AES_KEY_WRAP_PAD'],
      unwrapKey: ['A256KW', 'CKM_AES_KEY_WRAP', 'CKM_AES_KEY_WRAP_PAD'],
      sign: ['HS256', 'HS384', 'HS512'],
      verify: ['HS256', 'HS384', 'HS512'],
    });

    expectError(await app.call('keys:get', { name: 'missing' }), 'KeyNotFound');
    expectError(await app.call('keys:get', { name: 'rsa', version: '0'.repeat(32) }), 'KeyNotFound');
    expectError(await app.call('keys:create', { name: 'x', kty: 'EC', keyOps: ['encrypt'] }), 'BadParameter');
  });

  it.skipIf(!HAS_OPENSSL)("the RSA thumbprint is RFC 7638's over the modulus openssl reads from the PEM main answered", async () => {
    await start();
    const d = await app.ok('keys:get', { name: 'rsa' });
    const scratch = new Scratch();
    try {
      scratch.write('rsa.pem', d.pem!);
      const hex = /^Modulus=([0-9A-F]+)$/m.exec(scratch.openssl('rsa', '-pubin', '-in', 'rsa.pem', '-noout', '-modulus'))![1]!;
      const n = Buffer.from(hex, 'hex').toString('base64url');
      expect(d.thumbprint).toBe(createHash('sha256').update(`{"e":"AQAB","kty":"RSA","n":"${n}"}`).digest('base64url'));
    } finally {
      scratch.remove();
    }
  });

  it('keys:get of an older version answers that version, with its own key_ops', async () => {
    await start();
    const v1 = await app.ok('keys:create', { name: 'multi', kty: 'EC', keyOps: ['verify'] });
    const v2 = await app.ok('keys:create', { name: 'multi', kty: 'EC' });
    const old = await app.ok('keys:get', { name: 'multi', version: versionOf(v1.key.kid) });
    expect(old.bundle).toEqual(v1);
    expect(old.algorithms).toEqual({ verify: ['ES256'] });
    expect(publicMembers(createPublicKey(old.pem!))).toEqual(bundleMembers(v1.key));
    expect((await app.ok('keys:get', { name: 'multi' })).bundle).toEqual(v2);
    // Oldest first, the current one last.
    expect((await app.ok('keys:listVersions', { name: 'multi' })).map((i) => i.kid)).toEqual([v1.key.kid, v2.key.kid]);
  });

  it('keys:import: PEM (PKCS#8), JWK, encrypted PKCS#8 with its password; the public key is the one imported', async () => {
    await start();
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-384' });
    const pem = ec.privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
    const a = await app.ok('keys:import', { name: 'imp-pem', text: `\n${pem}`, tags: { from: 'pem' } });
    expect(a.key).toMatchObject({ kty: 'EC', crv: 'P-384', key_ops: ['sign', 'verify'] });
    expect(bundleMembers(a.key)).toEqual(publicMembers(ec.publicKey));
    expect(a.tags).toEqual({ from: 'pem' });

    const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const jwk = { ...rsa.privateKey.export({ format: 'jwk' }), key_ops: ['sign', 'verify'] };
    const b = await app.ok('keys:import', { name: 'imp-jwk', text: `  ${JSON.stringify(jwk)}` });
    expect(b.key).toMatchObject({ kty: 'RSA', n: jwk.n, e: 'AQAB', key_ops: ['sign', 'verify'] });
    expect(b.key).not.toHaveProperty('d');
    // keyOps given wins over the JWK's.
    const b2 = await app.ok('keys:import', { name: 'imp-jwk2', text: JSON.stringify(jwk), keyOps: ['verify'], enabled: false });
    expect(b2.key.key_ops).toEqual(['verify']);
    expect(b2.attributes.enabled).toBe(false);

    const ed = generateKeyPairSync('ed25519');
    const password = 'pâté password';
    const encrypted = ed.privateKey.export({ format: 'pem', type: 'pkcs8', cipher: 'aes-256-cbc', passphrase: password }).toString();
    expect(encrypted).toContain('ENCRYPTED PRIVATE KEY');
    const wrong = expectError(await app.call('keys:import', { name: 'imp-enc', text: encrypted, password: 'not it' }), 'BadParameter');
    expect(wrong.message).not.toContain('not it');
    expectError(await app.call('keys:import', { name: 'imp-enc', text: encrypted }), 'BadParameter');
    const c = await app.ok('keys:import', { name: 'imp-enc', text: encrypted, password });
    expect(c.key).toMatchObject({ kty: 'OKP', crv: 'Ed25519', x: publicMembers(ed.publicKey).x });
    // The same private key, imported unencrypted, signs alike: a signature verifies with node's public key.
    const sig = await app.ok('keys:sign', { name: 'imp-enc', algorithm: 'EdDSA', data: b64u('hello') });
    expect(verify(null, Buffer.from('hello'), ed.publicKey, Buffer.from(sig.value, 'base64url'))).toBe(true);
  });

  it('keys:import refuses what is not a key without ever quoting the text', async () => {
    await start();
    const secretish = 'MIIEvQIBADANBgkqhkiG9w0BAQEFAASC-CANARY';
    const cases: [string, string][] = [
      [secretish, NOT_A_KEY_FILE],
      [`{"kty":"RSA","d":"${secretish}"`, NOT_A_KEY_FILE],
      [`  [1, "${secretish}"]`, NOT_A_KEY_FILE],
      ['{"kty":"RSA","n":"AQAB"}', ''],
      [`-----BEGIN PUBLIC KEY-----\n${secretish}\n-----END PUBLIC KEY-----\n`, 'cannot be imported alone'],
      [`-----BEGIN PRIVATE KEY-----\n${secretish}\n-----END PRIVATE KEY-----\n`, 'could not be read'],
    ];
    for (const [t, message] of cases) {
      const e = expectError(await app.call('keys:import', { name: 'bad-import', text: t }), 'BadParameter');
      expect(e.message).toContain(message);
      expect(e.message).not.toContain('CANARY');
      expect(e.message).not.toContain(secretish.slice(0, 12));
    }
    const jwk = generateKeyPairSync('ed25519').privateKey.export({ format: 'jwk' });
    const withPassword = expectError(await app.call('keys:import', { name: 'bad-import', text: JSON.stringify(jwk), password: 'CANARY-pw' }), 'BadParameter');
    expect(withPassword.message).toBe('A password goes with an encrypted PEM key only, not with a JWK.');
    expectError(await app.call('keys:get', { name: 'bad-import' }), 'KeyNotFound');
  });

  it('keys:encrypt → keys:decrypt: RSA-OAEP-256, A256GCM (iv, tag, aad), A128CBCPAD; a changed tag fails', async () => {
    await start();
    const plain = b64u('attack at dawn');
    const rsaCt = await app.ok('keys:encrypt', { name: 'rsa', algorithm: 'RSA-OAEP-256', value: plain });
    expect(rsaCt.kid).toMatch(/\/keys\/rsa\/[0-9a-f]{32}$/);
    expect(Buffer.from(rsaCt.value, 'base64url')).toHaveLength(256);
    const rsaPt = await app.ok('keys:decrypt', { name: 'rsa', algorithm: 'RSA-OAEP-256', value: rsaCt.value });
    expect(text(rsaPt.value)).toBe('attack at dawn');
    // RSA1_5 encrypts (a public operation) but never decrypts.
    const legacy = await app.ok('keys:encrypt', { name: 'rsa', algorithm: 'RSA1_5', value: plain });
    expectError(await app.call('keys:decrypt', { name: 'rsa', algorithm: 'RSA1_5', value: legacy.value }), 'BadParameter');

    const aad = b64u('header');
    const gcm = await app.ok('keys:encrypt', { name: 'aes', algorithm: 'A256GCM', value: plain, aad });
    expect(Buffer.from(gcm.iv!, 'base64url')).toHaveLength(12);
    expect(Buffer.from(gcm.tag!, 'base64url')).toHaveLength(16);
    const back = await app.ok('keys:decrypt', { name: 'aes', algorithm: 'A256GCM', value: gcm.value, iv: gcm.iv, tag: gcm.tag, aad });
    expect(text(back.value)).toBe('attack at dawn');
    const tag = Buffer.from(gcm.tag!, 'base64url');
    tag[0]! ^= 1;
    const bad = expectError(await app.call('keys:decrypt', { name: 'aes', algorithm: 'A256GCM', value: gcm.value, iv: gcm.iv, tag: b64u(tag), aad }), 'BadParameter');
    expect(bad.message).toMatch(/^decryption failed/);
    expectError(await app.call('keys:decrypt', { name: 'aes', algorithm: 'A256GCM', value: gcm.value, iv: gcm.iv, tag: gcm.tag }), 'BadParameter');

    await app.ok('keys:create', { name: 'aes128', kty: 'oct', size: 128 });
    const cbc = await app.ok('keys:encrypt', { name: 'aes128', algorithm: 'A128CBCPAD', value: plain });
    expect(text((await app.ok('keys:decrypt', { name: 'aes128', algorithm: 'A128CBCPAD', value: cbc.value, iv: cbc.iv })).value)).toBe('attack at dawn');

    // Non-canonical base64url passes the contract's alphabet check and is refused by main, naming the field.
    const e = expectError(await app.call('keys:encrypt', { name: 'rsa', algorithm: 'RSA-OAEP-256', value: 'AB' }), 'BadParameter');
    expect(e.message).toBe('value is not valid base64url.');
    // An algorithm for another key type, or an unknown one: the engine says so.
    expect(expectError(await app.call('keys:encrypt', { name: 'aes', algorithm: 'RSA-OAEP', value: plain }), 'BadParameter').message).toContain('RSA key');
    expectError(await app.call('keys:encrypt', { name: 'rsa', algorithm: 'ROT13', value: plain }), 'BadParameter');
  });

  it('keys:sign → keys:verify: ES256, RS256, EdDSA, HS256; a changed signature or other data verifies false', async () => {
    await start();
    const data = b64u('the data to sign');
    for (const [name, algorithm] of [['ec', 'ES256'], ['rsa', 'RS256'], ['rsa', 'PS256'], ['ed', 'EdDSA'], ['aes', 'HS256']] as const) {
      const sig = await app.ok('keys:sign', { name, algorithm, data });
      expect(await app.ok('keys:verify', { name, algorithm, data, signature: sig.value }), algorithm).toEqual({ value: true });
      const changed = Buffer.from(sig.value, 'base64url');
      changed[changed.length >> 1]! ^= 0x40;
      expect(await app.ok('keys:verify', { name, algorithm, data, signature: b64u(changed) }), algorithm).toEqual({ value: false });
      expect(await app.ok('keys:verify', { name, algorithm, data: b64u('other data'), signature: sig.value }), algorithm).toEqual({ value: false });
    }
    // ES256 from the vault verifies with node's own ECDSA on the PEM main answered.
    const d = await app.ok('keys:get', { name: 'ec' });
    const sig = await app.ok('keys:sign', { name: 'ec', algorithm: 'ES256', data });
    expect(verify('sha256', Buffer.from('the data to sign'), { key: createPublicKey(d.pem!), dsaEncoding: 'ieee-p1363' }, Buffer.from(sig.value, 'base64url'))).toBe(true);
  });

  it("refuses an operation on a disabled version (KeyDisabled) and one outside its key_ops (KeyOperationForbidden), as Key Vault", async () => {
    await start();
    await app.ok('keys:create', { name: 'off', kty: 'EC', enabled: false });
    expectError(await app.call('keys:sign', { name: 'off', algorithm: 'ES256', data: b64u('x') }), 'Forbidden', 'KeyDisabled');
    await app.ok('keys:create', { name: 'verify-only', kty: 'EC', keyOps: ['verify'] });
    expectError(await app.call('keys:sign', { name: 'verify-only', algorithm: 'ES256', data: b64u('x') }), 'Forbidden', 'KeyOperationForbidden');
  });

  it('keys:update, delete, listDeleted, recover, purge; a deleted name is Conflict / ObjectIsDeletedButRecoverable', async () => {
    await start();
    const v1 = await app.ok('keys:create', { name: 'life', kty: 'EC' });
    const upd = await app.ok('keys:update', { name: 'life', version: versionOf(v1.key.kid), patch: { enabled: false, exp: 4_000_000_000, keyOps: ['verify'], tags: { a: 'b' } } });
    expect(upd.attributes).toMatchObject({ enabled: false, exp: 4_000_000_000 });
    expect(upd.key.key_ops).toEqual(['verify']);
    expect(upd.tags).toEqual({ a: 'b' });
    const cleared = await app.ok('keys:update', { name: 'life', patch: { exp: null, enabled: true } });
    expect(cleared.attributes).not.toHaveProperty('exp');

    const del = await app.ok('keys:delete', { name: 'life' });
    expect(del.recoveryId).toMatch(/\/deletedkeys\/life$/);
    expect(del.scheduledPurgeDate).toBeGreaterThan(del.deletedDate);
    expect((await app.ok('keys:listDeleted')).map((d) => d.recoveryId.split('/').pop())).toEqual(['life']);
    expect((await app.ok('keys:list')).map((i) => versionOf(i.kid))).not.toContain('life');
    expectError(await app.call('keys:create', { name: 'life', kty: 'EC' }), 'Conflict', 'ObjectIsDeletedButRecoverable');
    expectError(await app.call('keys:get', { name: 'life' }), 'KeyNotFound');
    expect((await app.ok('keys:recover', { name: 'life' })).key.kid).toBe(v1.key.kid);
    await app.ok('keys:delete', { name: 'life' });
    expect(await app.ok('keys:purge', { name: 'life' })).toBeNull();
    expect(await app.ok('keys:listDeleted')).toEqual([]);
    expectError(await app.call('keys:purge', { name: 'life' }), 'KeyNotFound');
    expectError(await app.call('keys:recover', { name: 'life' }), 'KeyNotFound');
  });

  it('keys:rotate, keys:getRotationPolicy (Key Vault default), keys:updateRotationPolicy; a bad policy is BadParameter', async () => {
    await start();
    const v1 = await app.ok('keys:create', { name: 'rot', kty: 'RSA', keyOps: ['sign', 'verify'], tags: { t: '1' } });
    const def = await app.ok('keys:getRotationPolicy', { name: 'rot' });
    expect(def).toEqual({ id: expect.stringMatching(/\/keys\/rot\/rotationpolicy$/), lifetimeActions: [{ trigger: { timeBeforeExpiry: 'P30D' }, action: { type: 'Notify' } }], attributes: {} });
    const pol = await app.ok('keys:updateRotationPolicy', {
      name: 'rot',
      lifetimeActions: [{ trigger: { timeAfterCreate: 'P90D' }, action: { type: 'Rotate' } }],
      expiryTime: 'P1Y',
    });
    expect(pol.lifetimeActions).toContainEqual({ trigger: { timeAfterCreate: 'P90D' }, action: { type: 'Rotate' } });
    expect(pol.attributes).toMatchObject({ expiryTime: 'P1Y' });
    expect(await app.ok('keys:getRotationPolicy', { name: 'rot' })).toEqual(pol);
    // Replaced whole: no expiryTime now.
    const noExpiry = await app.ok('keys:updateRotationPolicy', { name: 'rot', lifetimeActions: [] });
    expect(noExpiry.attributes).not.toHaveProperty('expiryTime');
    await app.ok('keys:updateRotationPolicy', { name: 'rot', lifetimeActions: [], expiryTime: 'P90D' });

    const v2 = await app.ok('keys:rotate', { name: 'rot' });
    expect(v2.key.kid).not.toBe(v1.key.kid);
    expect(v2.key).toMatchObject({ kty: 'RSA', key_ops: ['sign', 'verify'] });
    expect(v2.tags).toEqual({ t: '1' });
    expect(v2.attributes.exp! - v2.attributes.created!).toBeGreaterThanOrEqual(89 * 86_400);
    expect((await app.ok('keys:listVersions', { name: 'rot' })).map((i) => i.kid)).toEqual([v1.key.kid, v2.key.kid]);

    const bad = expectError(
      await app.call('keys:updateRotationPolicy', { name: 'rot', lifetimeActions: [{ trigger: { timeBeforeExpiry: 'P1D' }, action: { type: 'Rotate' } }], expiryTime: 'P90D' }),
      'BadParameter',
    );
    expect(bad.message).toContain('at least 7 days');
    expectError(await app.call('keys:rotate', { name: 'nope' }), 'KeyNotFound');
  });

  it('keys:copyPublic writes the PEM or the JWK and clears it after the set delay; an oct key has neither', async () => {
    await start();
    await app.ok('settings:set', { clipboardClearSeconds: 15 });
    expect(await app.ok('keys:copyPublic', { name: 'ec', format: 'pem' })).toEqual({ clearsInSeconds: 15 });
    expect(app.clipboard.text).toBe((await app.ok('keys:get', { name: 'ec' })).pem);
    await app.ok('keys:copyPublic', { name: 'ed', format: 'jwk' });
    const jwk = JSON.parse(app.clipboard.text) as Record<string, string>;
    expect(jwk).toMatchObject({ kty: 'OKP', crv: 'Ed25519', x: (await app.ok('keys:get', { name: 'ed' })).bundle.key.x });
    expect(jwk).not.toHaveProperty('d');
    app.timers.advance(15_000);
    expect(app.clipboard.text).toBe('');
    expectError(await app.call('keys:copyPublic', { name: 'aes', format: 'pem' }), 'BadParameter');
    expectError(await app.call('keys:copyPublic', { name: 'aes', format: 'jwk' }), 'BadParameter');
    expect(app.clipboard.text).toBe('');
    await app.ok('settings:set', { clipboardClearSeconds: 30 });
  });

  it('answers VaultLocked once locked', async () => {
    const locked = await startUnlockedApp();
    await locked.ok('vault:lock');
    expectError(await locked.call('keys:list'), 'VaultLocked');
    expectError(await locked.call('keys:get', { name: 'a' }), 'VaultLocked');
  });
});

// ------------------------------------------------------------------ schedule

/** A policy that makes a key expiring tomorrow due now: rotate 7 days before expiry, new versions expire after 28 days. */
async function makeDueKey(app: TestApp, name: string): Promise<string> {
  const tomorrow = Math.floor(Date.now() / 1000) + 86_400;
  const b = await app.ok('keys:create', { name, kty: 'EC', exp: tomorrow });
  await app.ok('keys:updateRotationPolicy', { name, lifetimeActions: [{ trigger: { timeBeforeExpiry: 'P7D' }, action: { type: 'Rotate' } }], expiryTime: 'P28D' });
  return b.key.kid;
}

/** Advances the rotation timers and waits for the run they started. */
async function tick(app: TestApp, ms: number): Promise<void> {
  app.rotationTimers.advance(ms);
  await app.services.keyRotation.whenIdle();
}

const rotatedEvents = (app: TestApp) => app.events.filter((e) => e.type === 'keysRotated');

describe('scheduled rotation while the vault is open', () => {
  it('runs 5 s after the unlock, then hourly: a due key rotates once, the renderer is told; nothing due, nothing said', async () => {
    const app = await startUnlockedApp();
    expect(app.services.keyRotation.scheduled).toBe(true);
    const oldKid = await makeDueKey(app, 'soon');
    await app.ok('keys:create', { name: 'calm', kty: 'EC' });
    await tick(app, FIRST_ROTATION_DELAY_MS - 1);
    expect(rotatedEvents(app)).toEqual([]);
    await tick(app, 1);
    expect(rotatedEvents(app)).toEqual([{ type: 'keysRotated', rotated: ['soon'], failed: [] }]);
    // The event is one the preload lets through.
    expect(appEventSchema.safeParse(rotatedEvents(app)[0]).success).toBe(true);
    const versions = await app.ok('keys:listVersions', { name: 'soon' });
    expect(versions.map((v) => v.kid)[0]).toBe(oldKid);
    expect(versions).toHaveLength(2);
    expect(await app.ok('keys:listVersions', { name: 'calm' })).toHaveLength(1);
    // The new version expires 28 days on: nothing is due at the next run, and nothing is said.
    await tick(app, ROTATION_INTERVAL_MS);
    expect(rotatedEvents(app)).toHaveLength(1);
    expect(await app.ok('keys:listVersions', { name: 'soon' })).toHaveLength(2);
    expect(app.services.keyRotation.scheduled).toBe(true);
  });

  it('a rotation that fails is reported, keeps the current version, and is retried at the next run', async () => {
    const app = await startUnlockedApp();
    const oldKid = await makeDueKey(app, 'flaky');
    const keys = app.services.session.current().keys;
    const realRotate = keys.rotate.bind(keys);
    // rotateDue rotates each due key through rotate(): the first try fails as a full disk would.
    keys.rotate = async () => {
      throw new CofferError('IoError', 'The vault file could not be written: no space left on the device.');
    };
    await tick(app, FIRST_ROTATION_DELAY_MS);
    expect(rotatedEvents(app)).toEqual([{ type: 'keysRotated', rotated: [], failed: [{ name: 'flaky', message: 'The vault file could not be written: no space left on the device.' }] }]);
    expect((await app.ok('keys:get', { name: 'flaky' })).bundle.key.kid).toBe(oldKid);
    keys.rotate = realRotate;
    await tick(app, ROTATION_INTERVAL_MS);
    expect(rotatedEvents(app)[1]).toEqual({ type: 'keysRotated', rotated: ['flaky'], failed: [] });
    expect(await app.ok('keys:listVersions', { name: 'flaky' })).toHaveLength(2);
  });

  it('lock stops the schedule; an unlock starts it again', async () => {
    const app = await startUnlockedApp();
    await makeDueKey(app, 'soon');
    await app.ok('vault:lock');
    expect(app.services.keyRotation.scheduled).toBe(false);
    expect(app.rotationTimers.pending).toBe(0);
    await tick(app, 2 * ROTATION_INTERVAL_MS);
    expect(rotatedEvents(app)).toEqual([]);
    // A failed unlock starts nothing.
    expectError(await app.call('vault:open', { path: app.vaultPath, passphrase: 'wrong' }), 'WrongPassphrase');
    expect(app.rotationTimers.pending).toBe(0);
    await app.ok('vault:open', { path: app.vaultPath, passphrase: PASSPHRASE });
    // Key rotation's first run, and certificate renewal's.
    expect(app.rotationTimers.pending).toBe(2);
    await tick(app, FIRST_ROTATION_DELAY_MS);
    expect(rotatedEvents(app)).toEqual([{ type: 'keysRotated', rotated: ['soon'], failed: [] }]);
  });

  it('a vault locked during a run says nothing, and schedules nothing more', async () => {
    const app = await startUnlockedApp();
    const vault = app.services.session.current();
    let release!: () => void;
    const spy = vi.spyOn(vault.keys, 'rotateDue').mockImplementation(
      () => new Promise((resolve) => (release = () => resolve({ rotated: [{ name: 'x', kid: 'k' }], failed: [] }))),
    );
    app.rotationTimers.advance(FIRST_ROTATION_DELAY_MS);
    expect(spy).toHaveBeenCalledTimes(1);
    await app.ok('vault:lock');
    release();
    await app.services.keyRotation.whenIdle();
    expect(rotatedEvents(app)).toEqual([]);
    expect(app.rotationTimers.pending).toBe(0);
  });

  it('skips a copy that may not be written, and a member who may not rotate; an unexpected error is logged and tried again', async () => {
    const app = await startUnlockedApp();
    const vault: Vault = app.services.session.current();
    const spy = vi.spyOn(vault.keys, 'rotateDue');

    // This copy lacks commits that change keys: writes are refused until it is merged.
    const info = vault.info.bind(vault);
    vault.info = () => ({ ...info(), lacking: { commits: 1, writable: false, message: 'merge first' } });
    await tick(app, FIRST_ROTATION_DELAY_MS);
    expect(spy).not.toHaveBeenCalled();
    expect(app.services.keyRotation.scheduled).toBe(true);
    vault.info = info;

    // Something unexpected: logged without detail, never thrown from the timer, tried again.
    spy.mockRejectedValueOnce(new Error('/secret/path exploded'));
    await tick(app, ROTATION_INTERVAL_MS);
    expect(app.warnings.at(-1)).toBe('Scheduled key rotation could not run: unexpected error');
    expect(app.services.keyRotation.scheduled).toBe(true);

    // A Reader: Forbidden, silently, and no more runs this session.
    spy.mockRejectedValueOnce(new CofferError('Forbidden', 'Operation keys/rotate is not allowed.', { innerCode: 'ForbiddenByRbac' }));
    const warnings = app.warnings.length;
    await tick(app, ROTATION_INTERVAL_MS);
    expect(rotatedEvents(app)).toEqual([]);
    expect(app.warnings).toHaveLength(warnings);
    expect(app.services.keyRotation.scheduled).toBe(false);
  });
});
