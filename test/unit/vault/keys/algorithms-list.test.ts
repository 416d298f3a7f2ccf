/**
 * KeysApi.details' algorithms: per operation in a version's key_ops, the algorithms
 * its type, size or curve takes, as a key's detail shows them; written from
 * Key Vault's algorithm list (AKV-REFERENCE.md §2.4, S-key
 * JsonWebKeyEncryptionAlgorithm / JsonWebKeySignatureAlgorithm), not from
 * algorithms.ts. RSA1_5 decryption is refused (DECISIONS.md "Algorithms"), so
 * it is offered for encrypt and wrapKey only.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { createTestVault, removeTempDirs } from '../../../helpers/vault.js';
import { failure } from './helpers.js';

afterAll(removeTempDirs);

const RSA_SIGN = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'RSNULL'];
const HMAC = ['HS256', 'HS384', 'HS512'];
type Keys = Awaited<ReturnType<typeof createTestVault>>['vault']['keys'];
const algs = async (k: Keys, name: string, version?: string) => (await k.details(name, version)).algorithms;

describe('keys.details: algorithms', () => {
  it('lists, per operation of the key type, the algorithms that fit it', async () => {
    const t = await createTestVault();
    const k = t.vault.keys;
    await k.create({ name: 'rsa', kty: 'RSA', size: 2048 });
    expect(await algs(k, 'rsa')).toEqual({
      encrypt: ['RSA1_5', 'RSA-OAEP', 'RSA-OAEP-256'],
      decrypt: ['RSA-OAEP', 'RSA-OAEP-256'],
      wrapKey: ['RSA1_5', 'RSA-OAEP', 'RSA-OAEP-256'],
      unwrapKey: ['RSA-OAEP', 'RSA-OAEP-256'],
      sign: RSA_SIGN,
      verify: RSA_SIGN,
    });
    for (const [crv, alg] of [['P-256', 'ES256'], ['P-384', 'ES384'], ['P-521', 'ES512'], ['P-256K', 'ES256K']] as const) {
      await k.create({ name: `ec-${crv.replace('-', '')}`, kty: 'EC', crv });
      expect(await algs(k, `ec-${crv.replace('-', '')}`), crv).toEqual({ sign: [alg], verify: [alg] });
    }
    await k.create({ name: 'ed', kty: 'OKP', crv: 'Ed25519' });
    expect(await algs(k, 'ed')).toEqual({ sign: ['EdDSA'], verify: ['EdDSA'] });
    for (const size of [128, 192, 256]) {
      await k.create({ name: `aes${size}`, kty: 'oct', size });
      const cipher = [`A${size}GCM`, `A${size}CBC`, `A${size}CBCPAD`];
      const wrap = [`A${size}KW`, 'CKM_AES_KEY_WRAP', 'CKM_AES_KEY_WRAP_PAD'];
      expect(await algs(k, `aes${size}`), `oct ${size}`).toEqual({ encrypt: cipher, decrypt: cipher, wrapKey: wrap, unwrapKey: wrap, sign: HMAC, verify: HMAC });
    }
    t.vault.close();
  });

  it("keeps to the version's key_ops, per version; import and export grant no operation", async () => {
    const t = await createTestVault();
    const k = t.vault.keys;
    const v1 = await k.create({ name: 'r', kty: 'RSA', keyOps: ['verify', 'encrypt', 'export'] });
    expect(await algs(k, 'r')).toEqual({ encrypt: ['RSA1_5', 'RSA-OAEP', 'RSA-OAEP-256'], verify: RSA_SIGN });
    await k.create({ name: 'r', kty: 'RSA', keyOps: ['unwrapKey'] });
    expect(await algs(k, 'r')).toEqual({ unwrapKey: ['RSA-OAEP', 'RSA-OAEP-256'] });
    const first = v1.key.kid.split('/').pop()!;
    expect(Object.keys(await algs(k, 'r', first.toUpperCase()))).toEqual(['encrypt', 'verify']);
    await k.update('r', first, { keyOps: ['import'] });
    expect(await algs(k, 'r', first)).toEqual({});
    // A disabled version keeps its lists: the bundle's attributes say it is disabled.
    await k.create({ name: 'off', kty: 'EC', enabled: false });
    expect(await algs(k, 'off')).toEqual({ sign: ['ES256'], verify: ['ES256'] });
    t.vault.close();
  });

  it('answers KeyNotFound for a missing, deleted or unknown version, BadParameter for a bad name', async () => {
    const t = await createTestVault();
    const k = t.vault.keys;
    await k.create({ name: 'gone', kty: 'EC' });
    await k.delete('gone');
    const miss = (f: () => unknown) => failure(f);
    expect((await miss(() => k.details('nope'))).code).toBe('KeyNotFound');
    expect((await miss(() => k.details('gone'))).code).toBe('KeyNotFound');
    await k.create({ name: 'here', kty: 'EC' });
    expect((await miss(() => k.details('here', '0'.repeat(32)))).code).toBe('KeyNotFound');
    expect((await miss(() => k.details('bad_name'))).code).toBe('BadParameter');
    t.vault.close();
  });
});
