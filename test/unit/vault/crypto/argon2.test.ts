import { beforeEach, describe, expect, it, vi } from 'vitest';
import fc from 'fast-check';
import { argon2id as nobleArgon2id } from '@noble/hashes/argon2.js';
import { hashRaw } from '@node-rs/argon2';
import { argon2id, checkKdfParams, DEFAULT_KDF, type KdfParams } from '../../../../electron/vault/crypto/argon2.js';
import { CofferError } from '../../../../electron/vault/errors.js';
import { h, hx, loadVectors, propertyRuns, rejected, thrown } from './helpers.js';

// Pass-through spy on the native binding, to prove refused parameters never reach it.
vi.mock('@node-rs/argon2', async (importOriginal) => {
  const mod = await importOriginal<typeof import('@node-rs/argon2')>();
  return { ...mod, hashRaw: vi.fn(mod.hashRaw) };
});

const CROSS_CHECK_RUNS = propertyRuns(6);

interface Rfc9106 {
  password: string;
  salt: string;
  secret: string;
  associatedData: string;
  memoryKiB: number;
  iterations: number;
  parallelism: number;
  tagLength: number;
  tag: string;
}
const rfc = loadVectors<Rfc9106>('crypto/rfc9106-argon2id.json');

const codeOfError = (e: unknown): string | undefined => (e instanceof CofferError ? e.code : undefined);

beforeEach(() => {
  vi.mocked(hashRaw).mockClear();
});

describe('Argon2id RFC 9106 §5.3', () => {
  it('test vector, with @noble/hashes (the only implementation here that takes a secret and associated data)', () => {
    const tag = nobleArgon2id(h(rfc.password), h(rfc.salt), {
      t: rfc.iterations,
      m: rfc.memoryKiB,
      p: rfc.parallelism,
      key: h(rfc.secret),
      personalization: h(rfc.associatedData),
      dkLen: rfc.tagLength,
      version: 0x13,
    });
    expect(hx(tag)).toBe(rfc.tag);
  });

  it('the native binding agrees with noble on the RFC inputs minus the associated data', async () => {
    // @node-rs/argon2 has no associated-data option; with the RFC's other inputs it must still match noble.
    const p = { t: rfc.iterations, m: rfc.memoryKiB, p: rfc.parallelism, dkLen: 32 };
    const native = await vi.mocked(hashRaw)(h(rfc.password), {
      salt: h(rfc.salt),
      secret: h(rfc.secret),
      memoryCost: p.m,
      timeCost: p.t,
      parallelism: p.p,
      outputLen: 32,
      algorithm: 2,
      version: 1,
    });
    expect(hx(native)).toBe(hx(nobleArgon2id(h(rfc.password), h(rfc.salt), { ...p, key: h(rfc.secret) })));
  });
});

describe('argon2id (native, @node-rs/argon2)', () => {
  it('is cross-checked against @noble/hashes on random passphrases, salts and small parameters', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uint8Array({ maxLength: 64 }),
        fc.uint8Array({ minLength: 16, maxLength: 48 }),
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 1, max: 3 }),
        fc.integer({ min: 0, max: 64 }),
        fc.integer({ min: 16, max: 64 }),
        async (pass, salt, p, t, extraMem, len) => {
          const params: KdfParams = { memoryKiB: 8 * p + extraMem, iterations: t, parallelism: p };
          const ours = await argon2id(pass, salt, params, len);
          const noble = nobleArgon2id(pass, salt, { t, m: params.memoryKiB, p, dkLen: len });
          expect(hx(ours)).toBe(hx(noble));
        },
      ),
      { numRuns: CROSS_CHECK_RUNS },
    );
  });

  it('derives 32 bytes by default, and the test-vault parameters (8 MiB, t=1, p=1) work', async () => {
    const params = { memoryKiB: 8192, iterations: 1, parallelism: 1 };
    const pass = new TextEncoder().encode('correct horse battery staple');
    const salt = new Uint8Array(16).fill(7);
    const k = await argon2id(pass, salt, params);
    expect(k.length).toBe(32);
    expect(Object.getPrototypeOf(k)).toBe(Uint8Array.prototype);
    expect(hx(k)).toBe(hx(nobleArgon2id(pass, salt, { t: 1, m: 8192, p: 1, dkLen: 32 })));
    expect(hx(await argon2id(pass, new Uint8Array(16).fill(8), params))).not.toBe(hx(k));
    // The spy sees the native calls (so the "not called" assertions below mean something).
    expect(hashRaw).toHaveBeenCalledTimes(2);
  });

  it('runs off the event loop (timers fire during a 64 MiB derivation)', async () => {
    let ticks = 0;
    const timer = setInterval(() => ticks++, 1);
    try {
      const k = await argon2id(new Uint8Array([1, 2, 3]), new Uint8Array(16), DEFAULT_KDF);
      expect(k.length).toBe(32);
    } finally {
      clearInterval(timer);
    }
    expect(ticks).toBeGreaterThan(0);
  });

  it('refuses absurd parameters before any work', async () => {
    const absurd: KdfParams[] = [
      { memoryKiB: 2 ** 40, iterations: 1, parallelism: 1 },
      { memoryKiB: 4194305, iterations: 1, parallelism: 1 },
      { memoryKiB: 65536, iterations: 1_000_000_000, parallelism: 1 },
      { memoryKiB: 65536, iterations: 21, parallelism: 1 },
      { memoryKiB: 65536, iterations: 3, parallelism: 17 },
      { memoryKiB: 65536, iterations: 3, parallelism: 255 },
    ];
    for (const p of absurd) {
      const start = performance.now();
      const e = await rejected(argon2id(new Uint8Array(1), new Uint8Array(16), p));
      expect(performance.now() - start).toBeLessThan(50);
      expect(codeOfError(e), JSON.stringify(p)).toBe('LimitExceeded');
    }
    expect(hashRaw).not.toHaveBeenCalled();
  });

  it('refuses malformed parameters, short salts and bad output lengths with BadParameter, without work', async () => {
    const salt = new Uint8Array(16);
    const pass = new Uint8Array(1);
    const cases: Promise<unknown>[] = [
      argon2id(pass, new Uint8Array(15), DEFAULT_KDF),
      argon2id(pass, new Uint8Array(0), DEFAULT_KDF),
      argon2id(pass, salt, DEFAULT_KDF, 3),
      argon2id(pass, salt, DEFAULT_KDF, 1.5),
      argon2id(pass, salt, DEFAULT_KDF, 1025),
      argon2id(pass, salt, { memoryKiB: 7, iterations: 1, parallelism: 1 }),
      argon2id(pass, salt, { memoryKiB: 31, iterations: 1, parallelism: 4 }),
      argon2id(pass, salt, { memoryKiB: 64, iterations: 0, parallelism: 1 }),
      argon2id(pass, salt, { memoryKiB: 64, iterations: 1, parallelism: 0 }),
    ];
    for (const c of cases) expect(codeOfError(await rejected(c))).toBe('BadParameter');
    expect(hashRaw).not.toHaveBeenCalled();
  });
});

describe('checkKdfParams', () => {
  it('accepts the defaults silently', () => {
    expect(DEFAULT_KDF).toEqual({ memoryKiB: 65536, iterations: 3, parallelism: 4 });
    expect(checkKdfParams(DEFAULT_KDF)).toEqual({ warnings: [] });
    expect(checkKdfParams({ memoryKiB: 1 << 20, iterations: 4, parallelism: 8 })).toEqual({ warnings: [] });
  });

  it('warns below the default memory and passes (test vaults: m = 8 MiB, t = 1, p = 1)', () => {
    const { warnings } = checkKdfParams({ memoryKiB: 8192, iterations: 1, parallelism: 1 });
    expect(warnings).toHaveLength(2);
    expect(warnings.join('\n')).toMatch(/memory/);
    expect(warnings.join('\n')).toMatch(/iterations/);
    expect(checkKdfParams({ memoryKiB: 65536, iterations: 2, parallelism: 4 }).warnings).toHaveLength(1);
    expect(checkKdfParams({ memoryKiB: 32768, iterations: 3, parallelism: 4 }).warnings).toHaveLength(1);
  });

  it('accepts exactly the C8 limits and refuses one beyond them with LimitExceeded', () => {
    expect(checkKdfParams({ memoryKiB: 4194304, iterations: 20, parallelism: 16 }).warnings).toEqual([]);
    for (const p of [
      { memoryKiB: 4194305, iterations: 3, parallelism: 4 },
      { memoryKiB: 65536, iterations: 21, parallelism: 4 },
      { memoryKiB: 65536, iterations: 3, parallelism: 17 },
    ]) {
      expect(codeOfError(thrown(() => checkKdfParams(p))), JSON.stringify(p)).toBe('LimitExceeded');
    }
  });

  it('refuses malformed values with BadParameter (RFC 9106 §3.1 minimums)', () => {
    const bad: unknown[] = [
      { memoryKiB: 65536.5, iterations: 3, parallelism: 4 },
      { memoryKiB: Number.NaN, iterations: 3, parallelism: 4 },
      { memoryKiB: Number.POSITIVE_INFINITY, iterations: 3, parallelism: 4 },
      { memoryKiB: '65536', iterations: 3, parallelism: 4 },
      { memoryKiB: 65536, iterations: 3 },
      { memoryKiB: 65536, iterations: -1, parallelism: 4 },
      { memoryKiB: 65536, iterations: 0, parallelism: 4 },
      { memoryKiB: 65536, iterations: 3, parallelism: 0 },
      { memoryKiB: 31, iterations: 3, parallelism: 4 },
      { memoryKiB: -8, iterations: 3, parallelism: 4 },
      null,
      'm=65536',
    ];
    for (const p of bad) expect(codeOfError(thrown(() => checkKdfParams(p as KdfParams))), JSON.stringify(p)).toBe('BadParameter');
    expect(checkKdfParams({ memoryKiB: 32, iterations: 3, parallelism: 4 }).warnings).toHaveLength(1);
  });
});
