/**
 * P-256K (secp256k1) where node:crypto has no secp256k1, as in Electron's
 * main process (BoringSSL; electron/electron#32535). node:crypto is replaced
 * by one that refuses every secp256k1 key, so each P-256K operation must run
 * without an OpenSSL key: generation, both signing paths, verification, PEM
 * export (read back by the real OpenSSL), PEM import of OpenSSL's files, and
 * the engine's create, sign, verify and export.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it, vi } from 'vitest';

type Crypto = typeof import('node:crypto');

vi.mock('node:crypto', async (importOriginal) => {
  const real = await importOriginal<Crypto>();
  const refuse = (): never => {
    throw new Error('Invalid EC curve name (simulated BoringSSL: no secp256k1)');
  };
  const checked = <T extends import('node:crypto').KeyObject>(k: T): T => (k.asymmetricKeyDetails?.namedCurve === 'secp256k1' ? refuse() : k);
  const generateKeyPair = ((type: string, options: { namedCurve?: string }, callback: (...a: unknown[]) => void) =>
    options?.namedCurve === 'secp256k1' ? refuse() : (real.generateKeyPair as (...a: unknown[]) => void)(type, options, callback)) as unknown as Crypto['generateKeyPair'];
  Object.assign(generateKeyPair, {
    [promisify.custom]: (type: string, options: { namedCurve?: string }) =>
      options?.namedCurve === 'secp256k1' ? Promise.reject(new Error('Invalid EC curve name')) : (promisify(real.generateKeyPair) as (t: string, o: unknown) => Promise<unknown>)(type, options),
  });
  return {
    ...real,
    getCurves: () => real.getCurves().filter((c) => c !== 'secp256k1'),
    createPrivateKey: (...a: Parameters<Crypto['createPrivateKey']>) => checked(real.createPrivateKey(...a)),
    createPublicKey: (...a: Parameters<Crypto['createPublicKey']>) => checked(real.createPublicKey(...a)),
    generateKeyPair,
    generateKeyPairSync: ((type: string, options: { namedCurve?: string }) =>
      options?.namedCurve === 'secp256k1' ? refuse() : (real.generateKeyPairSync as (t: string, o: unknown) => unknown)(type, options)) as Crypto['generateKeyPairSync'],
  };
});

const real = await vi.importActual<Crypto>('node:crypto');
const crypto = await import('node:crypto');
const { exportPrivatePem, exportPublicPem, exportPublicJwk, exportPrivateJwk, generateKey, importPem, importJwk } = await import('../../../../electron/vault/keys/material.js');
const { sign, signData, verify, verifyData } = await import('../../../../electron/vault/keys/algorithms.js');
const { createVault } = await import('../../../../electron/vault/vault.js');

const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

/** The key as the real OpenSSL reads a PEM (what another tool would see). */
const realJwk = (pem: string, passphrase?: string) => real.createPrivateKey({ key: pem, format: 'pem', ...(passphrase === undefined ? {} : { passphrase }) }).export({ format: 'jwk' });
const realVerify = (pem: string, data: Uint8Array, signature: Uint8Array): boolean =>
  real.verify('sha256', data, { key: real.createPublicKey(pem), dsaEncoding: 'ieee-p1363' }, signature);

describe('P-256K without secp256k1 in node:crypto', () => {
  it('the stand-in node:crypto refuses secp256k1, as BoringSSL does', () => {
    expect(crypto.getCurves()).not.toContain('secp256k1');
    expect(() => crypto.generateKeyPairSync('ec', { namedCurve: 'secp256k1' })).toThrow(/secp256k1/);
  });

  it('generates, signs (digest and data), verifies, and exports PEM that OpenSSL reads', async () => {
    const m = await generateKey({ kty: 'EC', crv: 'P-256K' });
    const data = new TextEncoder().encode('sign me');
    const digest = real.createHash('sha256').update(data).digest();
    const byDigest = sign(m, 'ES256K', digest).value;
    const byData = signData(m, 'ES256K', data).value;
    expect(verify(m, 'ES256K', digest, byDigest)).toBe(true);
    expect(verifyData(m, 'ES256K', data, byData)).toBe(true);
    expect(verifyData(m, 'ES256K', new TextEncoder().encode('other'), byData)).toBe(false);
    const pub = exportPublicPem(m);
    expect(realVerify(pub, data, byDigest)).toBe(true);
    expect(realVerify(pub, data, byData)).toBe(true);
    const jwk = exportPublicJwk(m);
    expect(real.createPublicKey(pub).export({ format: 'jwk' })).toMatchObject({ crv: 'secp256k1', x: jwk.x, y: jwk.y });
    const d = exportPrivateJwk(m).d;
    expect(realJwk(exportPrivatePem(m)).d).toBe(d);
    const encrypted = exportPrivatePem(m, 'correct horse');
    expect(encrypted).toMatch(/^-----BEGIN ENCRYPTED PRIVATE KEY-----\n/);
    expect(realJwk(encrypted, 'correct horse').d).toBe(d);
    expect(() => realJwk(encrypted, 'wrong')).toThrow();
  });

  it("imports OpenSSL's PKCS#8 and SEC 1 files; refuses an encrypted one clearly, and a public key that is not d's", () => {
    const { privateKey } = real.generateKeyPairSync('ec', { namedCurve: 'secp256k1' });
    const d = privateKey.export({ format: 'jwk' }).d;
    for (const type of ['pkcs8', 'sec1'] as const) {
      const m = importPem(privateKey.export({ format: 'pem', type }) as string);
      expect(exportPrivateJwk(m)).toMatchObject({ crv: 'P-256K', d });
    }
    const enc = privateKey.export({ format: 'pem', type: 'pkcs8', cipher: 'aes-256-cbc', passphrase: 'pw' }) as string;
    expect(() => importPem(enc, 'pw')).toThrow(/encrypted P-256K key cannot be read here/);
    // SEC 1 with another key's public point.
    const other = real.generateKeyPairSync('ec', { namedCurve: 'secp256k1' }).privateKey;
    const der = Buffer.from(privateKey.export({ format: 'der', type: 'sec1' }));
    const otherPoint = Buffer.from(other.export({ format: 'der', type: 'sec1' })).subarray(-65);
    otherPoint.copy(der, der.length - 65);
    const spliced = `-----BEGIN EC PRIVATE KEY-----\n${der.toString('base64')}\n-----END EC PRIVATE KEY-----\n`;
    expect(() => importPem(spliced)).toThrow(/public key does not match d/);
    // A JWK needs no parser at all.
    expect(exportPublicJwk(importJwk({ kty: 'EC', crv: 'P-256K', d, x: privateKey.export({ format: 'jwk' }).x, y: privateKey.export({ format: 'jwk' }).y }))).toMatchObject({ crv: 'P-256K' });
  });

  it('the engine creates a P-256K key, signs, verifies and exports its public key', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'coffer-k1-'));
    dirs.push(dir);
    const v = await createVault({ path: join(dir, 'v.coffer'), profileDir: join(dir, 'p'), passphrase: new TextEncoder().encode('pw'), kdf: { memoryKiB: 8192, iterations: 1, parallelism: 1 } });
    try {
      const bundle = await v.keys.create({ name: 'k1', kty: 'EC', crv: 'P-256K' });
      expect(bundle.key.crv).toBe('P-256K');
      const data = new TextEncoder().encode('payload');
      const s = await v.keys.sign('k1', undefined, { algorithm: 'ES256K', data });
      expect(await v.keys.verify('k1', undefined, { algorithm: 'ES256K', data, signature: Buffer.from(s.value, 'base64url') })).toEqual({ value: true });
      const pem = (await v.keys.exportKey('k1', undefined, { format: 'pem' })).pem!;
      expect(realVerify(pem, data, Buffer.from(s.value, 'base64url'))).toBe(true);
    } finally {
      v.close();
      await v.settled();
    }
  });
});
