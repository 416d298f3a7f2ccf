import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CofferError } from '../../../../electron/vault/errors.js';
import {
  BINARY_CONTENT_TYPE,
  MAX_CONTENT_TYPE,
  MAX_NAME,
  MAX_TAGS,
  MAX_TAG_NAME,
  MAX_TAG_VALUE,
  MAX_UNIX_TIME,
  MAX_VALUE_BYTES,
  MIN_UNIX_TIME,
  classifyValue,
  nameKey,
  newVersionId,
  recoveryLevel,
  validateContentType,
  validateRetentionDays,
  validateSecretName,
  validateSetInput,
  validateTags,
  validateTimes,
  validateValue,
  validateVersionId,
} from '../../../../electron/vault/secrets/rules.js';
import { SPEC } from './spec.js';

/** Runs fn and returns the CofferError it throws (fails if it does not throw one). */
function thrown(fn: () => unknown): CofferError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(CofferError);
    return e as CofferError;
  }
  throw new Error('expected a CofferError');
}

const tagsOf = (n: number): Record<string, string> =>
  Object.fromEntries(Array.from({ length: n }, (_, i) => [`t${i}`, `v${i}`]));

describe('limits', () => {
  it('are Key Vault documented limits', () => {
    expect(MAX_VALUE_BYTES).toBe(25_600);
    expect(MAX_TAGS).toBe(15);
    expect(MAX_TAG_NAME).toBe(256);
    expect(MAX_TAG_VALUE).toBe(256);
    expect(MAX_CONTENT_TYPE).toBe(255);
    expect(MAX_NAME).toBe(127);
  });
});

describe('validateSecretName', () => {
  it('accepts 1 to 127 characters of 0-9a-zA-Z-', () => {
    for (const name of ['a', 'A', '0', '-', 'db-Password-2', 'x'.repeat(127), '-leading-and-trailing-']) {
      expect(() => validateSecretName(name)).not.toThrow();
    }
  });

  it('rejects 128 characters', () => {
    const e = thrown(() => validateSecretName('x'.repeat(128)));
    expect(e.code).toBe('BadParameter');
    expect(e.exitCode).toBe(2);
  });

  it.each(['', 'a_b', 'a.b', 'a b', 'a/b', 'é', 'ａ', 'a\nb', 'name\u0000'])('rejects %j', (name) => {
    expect(thrown(() => validateSecretName(name)).code).toBe('BadParameter');
  });

  it('answers with Key Vault message', () => {
    expect(thrown(() => validateSecretName('My_Azure_Secret')).message).toMatch(
      /^The request URI contains an invalid name: My_Azure_Secret\. /,
    );
  });

  it('keeps messages one line and short for odd names', () => {
    const e = thrown(() => validateSecretName(`a\nb${'z'.repeat(1000)}`));
    expect(e.message).not.toContain('\n');
    expect(e.message.length).toBeLessThan(300);
    expect(thrown(() => validateSecretName('')).message).toContain('invalid name: ""');
  });

  it('accepts exactly the names of the pattern (property)', () => {
    const allowed = fc.constantFrom(...'0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ-'.split(''));
    fc.assert(
      fc.property(fc.array(allowed, { minLength: 1, maxLength: 127 }), (chars) => {
        validateSecretName(chars.join(''));
      }),
    );
    fc.assert(
      fc.property(
        fc.string({ maxLength: 20 }),
        fc.string({ minLength: 1, maxLength: 1 }).filter((c) => !/[0-9a-zA-Z-]/.test(c)),
        fc.string({ maxLength: 20 }),
        (a, bad, b) => {
          expect(() => validateSecretName(a + bad + b)).toThrow(CofferError);
        },
      ),
    );
  });
});

describe('nameKey', () => {
  it('compares names case-insensitively', () => {
    expect(nameKey('My-Secret')).toBe(nameKey('mY-sECRET'));
    expect(nameKey('My-Secret')).toBe('my-secret');
    expect(nameKey('a')).not.toBe(nameKey('b'));
  });
});

describe('validateValue', () => {
  it('accepts 0 and 25,600 bytes, rejects 25,601', () => {
    expect(() => validateValue(new Uint8Array(0))).not.toThrow();
    expect(() => validateValue(new Uint8Array(25_600))).not.toThrow();
    const e = thrown(() => validateValue(new Uint8Array(25_601).fill(0x53)));
    expect(e.code).toBe('BadParameter');
    expect(e.message).toContain('25601');
    expect(e.message).not.toContain('SSSS');
  });

  it('counts bytes, not characters', () => {
    const euro = new TextEncoder().encode('€'.repeat(8534)); // 3 bytes each: 25,602
    expect(euro.byteLength).toBe(25_602);
    expect(() => validateValue(euro)).toThrow(CofferError);
  });

  it('rejects a non-byte value', () => {
    expect(() => validateValue('text' as unknown as Uint8Array)).toThrow(CofferError);
  });
});

describe('validateTags', () => {
  it('accepts 0 and 15 tags, rejects 16', () => {
    expect(() => validateTags({})).not.toThrow();
    expect(() => validateTags(tagsOf(15))).not.toThrow();
    const e = thrown(() => validateTags(tagsOf(16)));
    expect(e.code).toBe('BadParameter');
    expect(e.message).toContain('16');
  });

  it('accepts 256-character names and values, rejects 257', () => {
    expect(() => validateTags({ ['n'.repeat(256)]: 'v'.repeat(256) })).not.toThrow();
    expect(() => validateTags({ ['n'.repeat(257)]: 'v' })).toThrow(CofferError);
    expect(() => validateTags({ n: 'v'.repeat(257) })).toThrow(CofferError);
  });

  it('accepts empty values, rejects empty names and non-string values', () => {
    expect(() => validateTags({ n: '' })).not.toThrow();
    expect(() => validateTags({ '': 'v' })).toThrow(CofferError);
    expect(() => validateTags({ n: 1 } as unknown as Record<string, string>)).toThrow(CofferError);
    expect(() => validateTags(null as unknown as Record<string, string>)).toThrow(CofferError);
    expect(() => validateTags(['a'] as unknown as Record<string, string>)).toThrow(CofferError);
  });

  it('does not quote tag values in messages', () => {
    expect(thrown(() => validateTags({ n: 'Q'.repeat(300) })).message).not.toContain('QQQ');
  });
});

describe('validateContentType', () => {
  it('accepts 0 and 255 characters, rejects 256', () => {
    expect(() => validateContentType('')).not.toThrow();
    expect(() => validateContentType('c'.repeat(255))).not.toThrow();
    expect(thrown(() => validateContentType('c'.repeat(256))).code).toBe('BadParameter');
  });
});

describe('validateTimes', () => {
  it('accepts none, one or an ordered pair of whole seconds', () => {
    expect(() => validateTimes()).not.toThrow();
    expect(() => validateTimes(1_700_000_000)).not.toThrow();
    expect(() => validateTimes(undefined, 1_700_000_000)).not.toThrow();
    expect(() => validateTimes(1_700_000_000, 1_700_000_001)).not.toThrow();
    expect(() => validateTimes(MIN_UNIX_TIME, MAX_UNIX_TIME)).not.toThrow();
    expect(() => validateTimes(-1, 0)).not.toThrow();
  });

  it('rejects an empty or inverted window', () => {
    expect(thrown(() => validateTimes(100, 100)).code).toBe('BadParameter');
    expect(thrown(() => validateTimes(101, 100)).message).toContain('nbf');
  });

  it('rejects fractions, NaN and out-of-range times', () => {
    for (const t of [1.5, Number.NaN, Infinity, MAX_UNIX_TIME + 1, MIN_UNIX_TIME - 1]) {
      expect(() => validateTimes(t)).toThrow(CofferError);
      expect(() => validateTimes(undefined, t)).toThrow(CofferError);
    }
  });
});

describe('versions', () => {
  it('validateVersionId accepts 32 hex in any case and returns lowercase', () => {
    expect(validateVersionId('0123456789ABCDEFabcdef0123456789')).toBe('0123456789abcdefabcdef0123456789');
  });

  it.each(['', 'a'.repeat(31), 'a'.repeat(33), 'g'.repeat(32), `${'a'.repeat(31)} `])('rejects %j', (v) => {
    expect(thrown(() => validateVersionId(v)).code).toBe('BadParameter');
  });

  it('newVersionId gives distinct 32-character lowercase hex ids', () => {
    const ids = new Set(Array.from({ length: 200 }, () => newVersionId()));
    expect(ids.size).toBe(200);
    for (const id of ids) {
      expect(id).toMatch(/^[0-9a-f]{32}$/);
      expect(validateVersionId(id)).toBe(id);
    }
  });
});

describe('classifyValue', () => {
  const b = (...bytes: number[]): Uint8Array => Uint8Array.from(bytes);
  it('sees UTF-8 text as utf8', () => {
    expect(classifyValue(new TextEncoder().encode('pässwörd 🔑'))).toBe('utf8');
    expect(classifyValue(new Uint8Array(0))).toBe('utf8');
    expect(classifyValue(b(0xef, 0xbb, 0xbf, 0x61))).toBe('utf8'); // BOM
    expect(classifyValue(b(0x00, 0x0a))).toBe('utf8');
  });

  it('sees anything else as binary', () => {
    expect(classifyValue(b(0xff))).toBe('binary');
    expect(classifyValue(b(0xe2, 0x82))).toBe('binary'); // truncated sequence
    expect(classifyValue(b(0xc0, 0x80))).toBe('binary'); // overlong NUL
    expect(classifyValue(b(0xed, 0xa0, 0x80))).toBe('binary'); // surrogate
    expect(classifyValue(b(0x30, 0x82, 0x01, 0x0a))).toBe('binary'); // DER
  });
});

describe('retention and recovery level', () => {
  it('allows 7..90 whole days', () => {
    for (const d of [7, 8, 89, 90]) expect(() => validateRetentionDays(d)).not.toThrow();
    for (const d of [6, 91, 0, -7, 7.5, Number.NaN]) {
      expect(thrown(() => validateRetentionDays(d)).code).toBe('BadParameter');
    }
  });

  it('is Recoverable+Purgeable at 90 days and CustomizedRecoverable+Purgeable below', () => {
    expect(recoveryLevel(90)).toBe('Recoverable+Purgeable');
    expect(recoveryLevel(89)).toBe('CustomizedRecoverable+Purgeable');
    expect(recoveryLevel(7)).toBe('CustomizedRecoverable+Purgeable');
    expect(() => recoveryLevel(6)).toThrow(CofferError);
  });

  it('uses values of the spec enum DeletionRecoveryLevel', () => {
    const levels = SPEC.DeletionRecoveryLevel.enum;
    expect(levels).toContain(recoveryLevel(90));
    expect(levels).toContain(recoveryLevel(7));
  });
});

describe('validateSetInput', () => {
  const text = new TextEncoder().encode('hello');
  const binary = Uint8Array.from([0xff, 0x00]);

  it('gives the encoding and keeps the content type', () => {
    expect(validateSetInput({ name: 'a', value: text })).toEqual({ encoding: 'utf8', contentType: undefined });
    expect(validateSetInput({ name: 'a', value: text, contentType: 'text/plain' })).toEqual({
      encoding: 'utf8',
      contentType: 'text/plain',
    });
  });

  it('gives a binary value without content type application/octet-stream', () => {
    expect(BINARY_CONTENT_TYPE).toBe('application/octet-stream');
    expect(validateSetInput({ name: 'a', value: binary })).toEqual({
      encoding: 'binary',
      contentType: 'application/octet-stream',
    });
    expect(validateSetInput({ name: 'a', value: binary, contentType: 'application/x-der' }).contentType).toBe(
      'application/x-der',
    );
  });

  it('runs every check', () => {
    const ok = { name: 'a', value: text };
    const bad = [
      { ...ok, name: 'a_b' },
      { ...ok, value: new Uint8Array(25_601) },
      { ...ok, contentType: 'c'.repeat(256) },
      { ...ok, tags: tagsOf(16) },
      { ...ok, nbf: 10, exp: 10 },
      { ...ok, exp: 1.5 },
      { ...ok, enabled: 'yes' as unknown as boolean },
    ];
    for (const input of bad) expect(thrown(() => validateSetInput(input)).code).toBe('BadParameter');
    expect(() => validateSetInput({ ...ok, tags: tagsOf(15), nbf: 1, exp: 2, enabled: false })).not.toThrow();
  });
});
