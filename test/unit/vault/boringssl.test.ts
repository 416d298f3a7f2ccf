/**
 * The engine on a node:crypto shaped like Electron's, which is BoringSSL: the
 * app runs the engine in Electron's main process, and no Electron binary can
 * run on the build machines. The stand-in refuses what BoringSSL lacks
 * (ciphers outside its list, among them chacha20-poly1305 and id-aes*-wrap;
 * curves outside P-224/256/384/521), and the engine must still do everything:
 * a vault created, written and opened again; every key shape generated,
 * stored and read back; every algorithm of every shape round-tripped; public
 * and private PEM export read by the real OpenSSL.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it, vi } from 'vitest';

type Crypto = typeof import('node:crypto');

/** `crypto.getCiphers()` in Electron (electron/electron#24024): AES, DES, RC2, RC4; no ChaCha20-Poly1305, no AES key wrap. */
const BORINGSSL_CIPHERS = new Set(
  ['128', '192', '256'].flatMap((b) => ['cbc', 'cfb', 'ctr', 'ecb', 'gcm', 'ofb'].map((m) => `aes-${b}-${m}`)).concat(['des-cbc', 'des-ecb', 'des-ede', 'des-ede-cbc', 'des-ede3-cbc', 'rc2-cbc', 'rc4']),
);
/** Its curves (electron/electron#32535): no secp256k1. */
const BORINGSSL_CURVES = new Set(['prime256v1', 'secp224r1', 'secp384r1', 'secp521r1']);

vi.mock('node:crypto', async (importOriginal) => {
  const real = await importOriginal<Crypto>();
  const refuse = (what: string): never => {
    throw new Error(`${what} is not supported (simulated BoringSSL)`);
  };
  const cipher = (name: string): void => {
    if (!BORINGSSL_CIPHERS.has(name.toLowerCase())) refuse(`cipher ${name}`);
  };
  const curve = (name: string | undefined): void => {
    if (name !== undefined && !BORINGSSL_CURVES.has(name)) refuse(`curve ${name}`);
  };
  const checked = <T extends import('node:crypto').KeyObject>(k: T): T => {
    curve(k.asymmetricKeyDetails?.namedCurve);
    return k;
  };
  const generateKeyPair = ((type: string, options: { namedCurve?: string }, callback: (...a: unknown[]) => void) => {
    curve(options?.namedCurve);
    (real.generateKeyPair as (...a: unknown[]) => void)(type, options, callback);
  }) as unknown as Crypto['generateKeyPair'];
  Object.assign(generateKeyPair, {
    [promisify.custom]: async (type: string, options: { namedCurve?: string }) => {
      curve(options?.namedCurve);
      return (promisify(real.generateKeyPair) as (t: string, o: unknown) => Promise<unknown>)(type, options);
    },
  });
  return {
    ...real,
    getCiphers: () => real.getCiphers().filter((c) => BORINGSSL_CIPHERS.has(c)),
    getCurves: () => real.getCurves().filter((c) => BORINGSSL_CURVES.has(c)),
    createCipheriv: ((name: string, ...rest: unknown[]) => {
      cipher(name);
      return (real.createCipheriv as (...a: unknown[]) => unknown)(name, ...rest);
    }) as Crypto['createCipheriv'],
    createDecipheriv: ((name: string, ...rest: unknown[]) => {
      cipher(name);
      return (real.createDecipheriv as (...a: unknown[]) => unknown)(name, ...rest);
    }) as Crypto['createDecipheriv'],
    createPrivateKey: (...a: Parameters<Crypto['createPrivateKey']>) => checked(real.createPrivateKey(...a)),
    createPublicKey: (...a: Parameters<Crypto['createPublicKey']>) => checked(real.createPublicKey(...a)),
    generateKeyPair,
    generateKeyPairSync: ((type: string, options: { namedCurve?: string }) => {
      curve(options?.namedCurve);
      return (real.generateKeyPairSync as (t: string, o: unknown) => unknown)(type, options);
    }) as Crypto['generateKeyPairSync'],
  };
});

const real = await vi.importActual<Crypto>('node:crypto');
const crypto = await import('node:crypto');
const { createVault, openVault } = await import('../../../electron/vault/vault.js');
const { ALGORITHMS, algorithmsFor, decrypt, encrypt, sign, signData, unwrapKey, verify, verifyData, wrapKey } = await import('../../../electron/vault/keys/algorithms.js');
const { decodePrivate, encodePrivate, exportPrivatePem, exportPublicPem, generateKey } = await import('../../../electron/vault/keys/material.js');
const { ALL_SPECS, specName } = await import('./keys/helpers.js');

const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});
const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);
const KDF = { memoryKiB: 8192, iterations: 1, parallelism: 1 };

describe("the engine on Electron's crypto (BoringSSL, simulated)", () => {
  it('the stand-in lacks what BoringSSL lacks', () => {
    expect(crypto.getCiphers()).not.toContain('chacha20-poly1305');
    expect(crypto.getCiphers()).not.toContain('id-aes128-wrap');
    expect(crypto.getCurves()).not.toContain('secp256k1');
    expect(() => crypto.createCipheriv('chacha20-poly1305', Buffer.alloc(32), Buffer.alloc(12), { authTagLength: 16 })).toThrow(/simulated BoringSSL/);
  });

  it('a vault is created, written, closed and opened again, with secrets and a key of every type', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'coffer-boringssl-'));
    dirs.push(dir);
    const path = join(dir, 'v.coffer');
    const profileDir = join(dir, 'p');
    const v = await createVault({ path, profileDir, passphrase: utf8('pw'), kdf: KDF });
    await v.secrets.set({ name: 'db', value: utf8('hunter2') });
    for (const spec of ALL_SPECS) {
      const name = specName(spec).replace(/[^A-Za-z0-9]/g, '-');
      await v.keys.create({ name, kty: spec.kty, ...(spec.size === undefined ? {} : { size: spec.size }), ...(spec.crv === undefined ? {} : { crv: spec.crv }) });
    }
    v.close();
    await v.settled();
    for (const profile of [profileDir, join(dir, 'new-computer')]) {
      const again = await openVault({ path, profileDir: profile, passphrase: utf8('pw') });
      try {
        expect((await again.secrets.get('db')).value).toBe('hunter2');
        expect(again.keys.list()).toHaveLength(ALL_SPECS.length);
        const s = await again.keys.sign('EC-P-256K', undefined, { algorithm: 'ES256K', data: utf8('x') });
        expect(await again.keys.verify('EC-P-256K', undefined, { algorithm: 'ES256K', data: utf8('x'), signature: Buffer.from(s.value, 'base64url') })).toEqual({ value: true });
        const w = await again.keys.wrapKey('oct-256', undefined, { algorithm: 'A256KW', value: new Uint8Array(32).fill(7) });
        expect(await again.keys.unwrapKey('oct-256', undefined, { algorithm: 'A256KW', value: Buffer.from(w.value, 'base64url') })).toMatchObject({ value: Buffer.alloc(32, 7).toString('base64url') });
      } finally {
        again.close();
        await again.settled();
      }
    }
  });

  it('every key shape: generated, stored and read back, every algorithm round-tripped, PEM read by the real OpenSSL', async () => {
    for (const spec of ALL_SPECS) {
      const m = await generateKey(spec);
      const blob = encodePrivate(m);
      const back = decodePrivate(m.describe(), blob);
      // 32 bytes: a whole number of AES blocks, for A*CBC without padding.
      const data = utf8(specName(spec).padEnd(32, '.'));
      for (const alg of algorithmsFor(m, 'encrypt')) {
        const r = encrypt(m, alg, { value: data, ...(alg.includes('CBC') ? { iv: new Uint8Array(16).fill(1) } : {}) });
        if (alg === 'RSA1_5') continue; // its decryption is refused everywhere (DECISIONS.md)
        const plain = decrypt(back, alg, { value: r.value, ...(r.iv ? { iv: r.iv } : {}), ...(r.tag ? { tag: r.tag } : {}) }).value;
        expect(plain, `${specName(spec)} ${alg}`).toEqual(data);
      }
      for (const alg of algorithmsFor(m, 'wrapKey')) {
        const key = new Uint8Array(32).fill(3);
        const r = wrapKey(m, alg, key);
        if (alg !== 'RSA1_5') expect(unwrapKey(back, alg, r.value).value, `${specName(spec)} ${alg}`).toEqual(key);
      }
      for (const alg of algorithmsFor(m, 'sign')) {
        if (alg === 'RSNULL') continue;
        const rule = ALGORITHMS[alg as keyof typeof ALGORITHMS] as { hash?: string };
        const s = signData(back, alg, data).value;
        expect(verifyData(m, alg, data, s), `${specName(spec)} ${alg} data`).toBe(true);
        if (rule.hash !== undefined && spec.kty !== 'oct') {
          const digest = real.createHash(rule.hash).update(data).digest();
          expect(verify(m, alg, digest, sign(back, alg, digest).value), `${specName(spec)} ${alg} digest`).toBe(true);
        }
      }
      if (spec.kty === 'oct') continue;
      const pub = exportPublicPem(m);
      expect(real.createPublicKey(pub).type, specName(spec)).toBe('public');
      const priv = exportPrivatePem(m, 'a password');
      expect(real.createPrivateKey({ key: priv, format: 'pem', passphrase: 'a password' }).type, specName(spec)).toBe('private');
    }
  });
});
