import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { CofferError } from '../../../../electron/vault/errors.js';
import {
  b64uLength,
  concatBytes,
  decodeB64uInto,
  equalBytes,
  fromB64u,
  fromHex,
  randomBytes,
  toB64u,
  toHex,
  u32be,
  u64be,
  utf8,
  wipe,
} from '../../../../electron/vault/crypto/bytes.js';
import { propertyRuns } from './helpers.js';

const RUNS = propertyRuns();

function expectBadParameter(fn: () => unknown): void {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(CofferError);
    expect((e as CofferError).code).toBe('BadParameter');
    return;
  }
  throw new Error('expected a BadParameter error');
}

describe('randomBytes', () => {
  it('returns plain Uint8Arrays of the requested length, not Buffers', () => {
    for (const n of [0, 1, 24, 32, 1000]) {
      const b = randomBytes(n);
      expect(b.length).toBe(n);
      expect(Object.getPrototypeOf(b)).toBe(Uint8Array.prototype);
    }
  });
  it('differs between calls', () => {
    expect(equalBytes(randomBytes(32), randomBytes(32))).toBe(false);
  });
  it('refuses negative or fractional lengths', () => {
    expectBadParameter(() => randomBytes(-1));
    expectBadParameter(() => randomBytes(1.5));
    expectBadParameter(() => randomBytes(Number.NaN));
  });
});

describe('wipe', () => {
  it('zeroes every buffer and skips undefined', () => {
    const a = new Uint8Array([1, 2, 3]);
    const b = new Uint8Array([4, 5]);
    wipe(a, undefined, b);
    expect([...a, ...b]).toEqual([0, 0, 0, 0, 0]);
  });
  it('zeroes only the view, not the rest of the underlying buffer', () => {
    const all = new Uint8Array([1, 2, 3, 4]);
    wipe(all.subarray(1, 3));
    expect([...all]).toEqual([1, 0, 0, 4]);
  });
});

describe('concatBytes', () => {
  it('concatenates in order', () => {
    expect([...concatBytes(new Uint8Array([1]), new Uint8Array(0), new Uint8Array([2, 3]))]).toEqual([1, 2, 3]);
    expect(concatBytes().length).toBe(0);
  });
});

describe('utf8', () => {
  it('encodes UTF-8', () => {
    expect(toHex(utf8('coffer/v1 wrap\0'))).toBe(Buffer.from('coffer/v1 wrap\0').toString('hex'));
    expect(toHex(utf8('é😀'))).toBe('c3a9f09f9880');
  });
  it('refuses lone surrogates (TextEncoder would map them all to U+FFFD)', () => {
    expectBadParameter(() => utf8('a\ud800b'));
    expectBadParameter(() => utf8('\udc00'));
  });
});

describe('equalBytes', () => {
  it('compares contents and lengths', () => {
    expect(equalBytes(new Uint8Array([1, 2]), new Uint8Array([1, 2]))).toBe(true);
    expect(equalBytes(new Uint8Array([1, 2]), new Uint8Array([1, 3]))).toBe(false);
    expect(equalBytes(new Uint8Array([1, 2]), new Uint8Array([1, 2, 3]))).toBe(false);
    expect(equalBytes(new Uint8Array(0), new Uint8Array(0))).toBe(true);
  });
  it('agrees with a naive comparison', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 40 }), fc.uint8Array({ maxLength: 40 }), (a, b) => {
        const naive = a.length === b.length && a.every((x, i) => x === b[i]);
        expect(equalBytes(a, b)).toBe(naive);
        expect(equalBytes(a, a.slice())).toBe(true);
      }),
      { numRuns: RUNS },
    );
  });
});

describe('base64url', () => {
  it('encodes RFC 4648 §10 test vectors without padding (base64url alphabet)', () => {
    const cases: [string, string][] = [
      ['', ''],
      ['f', 'Zg'],
      ['fo', 'Zm8'],
      ['foo', 'Zm9v'],
      ['foob', 'Zm9vYg'],
      ['fooba', 'Zm9vYmE'],
      ['foobar', 'Zm9vYmFy'],
    ];
    for (const [plain, enc] of cases) {
      expect(toB64u(utf8(plain))).toBe(enc);
      expect(Buffer.from(fromB64u(enc)).toString()).toBe(plain);
    }
    expect(toB64u(new Uint8Array([0xfb, 0xff]))).toBe('-_8');
  });
  it('round-trips any bytes, including views with an offset', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 100 }), fc.nat(5), (b, off) => {
        const view = concatBytes(new Uint8Array(off), b).subarray(off);
        const s = toB64u(view);
        expect(s).toMatch(/^[A-Za-z0-9_-]*$/);
        expect(fromB64u(s)).toEqual(b);
      }),
      { numRuns: RUNS },
    );
  });
  it('rejects padding, the standard alphabet, whitespace and other characters', () => {
    for (const s of ['Zg==', 'Zm8=', 'Zm9v\n', ' Zm9v', 'Zm+v', 'Zm/v', 'Zm9v.', 'Zm9v\u00e9']) {
      expectBadParameter(() => fromB64u(s));
    }
  });
  it('rejects a length of 1 mod 4 and non-zero trailing bits (non-canonical)', () => {
    expectBadParameter(() => fromB64u('Z'));
    expectBadParameter(() => fromB64u('Zm9vY'));
    // 'Zg' is canonical for 0x66; 'Zh' has the same first 8 bits and non-zero trailing bits.
    expectBadParameter(() => fromB64u('Zh'));
    expectBadParameter(() => fromB64u('Zm9'));
    expect(toHex(fromB64u('Zm8'))).toBe('666f');
  });
  it('rejects characters that Node would read by their low byte (U+0141 is not "A")', () => {
    expect(toHex(fromB64u('ABCD'))).toBe('001083');
    for (const s of ['\u0141BCD', '\uff41BCD', 'ABC\u0144', '\u00c1BCD']) expectBadParameter(() => fromB64u(s));
  });
  it('decodeB64uInto gives the same verdict and bytes as fromB64u', () => {
    const into = Buffer.alloc(64);
    const verdict = (s: string): string => {
      try {
        return toHex(fromB64u(s));
      } catch {
        return 'bad';
      }
    };
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom(...'AQgw_-Zm9v=+/ .\u00c1\u00ff'.split('')), maxLength: 16 }), (s) => {
        const n = decodeB64uInto(s, into);
        expect(n < 0 ? 'bad' : toHex(into.subarray(0, n))).toBe(verdict(s));
      }),
      { numRuns: RUNS * 5 },
    );
  });
  it('accepts exactly the strings toB64u produces', () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom(...'AQgw_-Zm9v='.split('')), maxLength: 12 }), (s) => {
        let decoded: Uint8Array | undefined;
        try {
          decoded = fromB64u(s);
        } catch (e) {
          expect((e as CofferError).code).toBe('BadParameter');
        }
        if (decoded !== undefined) expect(toB64u(decoded)).toBe(s);
      }),
      { numRuns: RUNS * 5 },
    );
  });
});

describe('hex', () => {
  it('encodes lowercase and decodes strictly', () => {
    expect(toHex(new Uint8Array([0, 0xab, 0xff]))).toBe('00abff');
    expect([...fromHex('00abff')]).toEqual([0, 0xab, 0xff]);
    expect(fromHex('').length).toBe(0);
    for (const s of ['0', 'abc', '00AB', 'zz', '0x00', ' 00', '00 ']) expectBadParameter(() => fromHex(s));
  });
  it('round-trips', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (b) => {
        expect(fromHex(toHex(b))).toEqual(b);
      }),
      { numRuns: RUNS },
    );
  });
});

describe('u32be / u64be', () => {
  it('encodes big-endian', () => {
    expect(toHex(u32be(0))).toBe('00000000');
    expect(toHex(u32be(0x01020304))).toBe('01020304');
    expect(toHex(u32be(0xffffffff))).toBe('ffffffff');
    expect(toHex(u64be(0))).toBe('0000000000000000');
    expect(toHex(u64be(0x0102030405))).toBe('0000000102030405');
    expect(toHex(u64be(Number.MAX_SAFE_INTEGER))).toBe('001fffffffffffff');
  });
  it('refuses values out of range or not integers', () => {
    for (const n of [-1, 0x100000000, 1.5, Number.NaN]) expectBadParameter(() => u32be(n));
    for (const n of [-1, Number.MAX_SAFE_INTEGER + 1, 2.5, Number.POSITIVE_INFINITY]) expectBadParameter(() => u64be(n));
  });
});

describe('b64uLength (validation without decoding)', () => {
  it('agrees with fromB64u on every string: the decoded length when it decodes, -1 when it throws', () => {
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_+/= ';
    fc.assert(
      fc.property(fc.oneof(fc.uint8Array({ maxLength: 40 }).map((b) => Buffer.from(b).toString('base64url')), fc.string({ unit: fc.constantFrom(...alphabet), maxLength: 12 })), (s) => {
        let expected: number;
        try {
          expected = fromB64u(s).length;
        } catch {
          expected = -1;
        }
        expect(b64uLength(s)).toBe(expected);
      }),
      { numRuns: 2000 },
    );
  });
});
