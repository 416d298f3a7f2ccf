import { describe, expect, it } from 'vitest';
import { formatRecoveryKey, generateRecoveryKey, parseRecoveryKey, RECOVERY_KEY_BYTES } from '../../../../electron/vault/access/recovery-key.js';

describe('recovery keys (access/recovery-key.ts)', () => {
  it('prints 160 random bits as 8 groups of 4 Crockford base32 characters plus a check group', () => {
    const { bytes, text } = generateRecoveryKey();
    expect(bytes).toHaveLength(RECOVERY_KEY_BYTES);
    expect(text).toMatch(/^([0-9A-HJKMNP-TV-Z]{4}-){8}[0-9A-HJKMNP-TV-Z]{4}$/);
    expect(parseRecoveryKey(text)).toEqual(bytes);
  });

  it('round-trips known bytes (all zeros, all ones, a counting pattern)', () => {
    for (const b of [new Uint8Array(20), new Uint8Array(20).fill(0xff), Uint8Array.from({ length: 20 }, (_, i) => i * 13)]) {
      const text = formatRecoveryKey(b);
      expect(parseRecoveryKey(text)).toEqual(b);
    }
    expect(formatRecoveryKey(new Uint8Array(20)).startsWith('0000-0000-0000-0000-0000-0000-0000-0000-')).toBe(true);
  });

  it('reads a handwritten copy: any case, spaces instead of hyphens, O for 0, I and L for 1', () => {
    const bytes = Uint8Array.from({ length: 20 }, (_, i) => 255 - i * 7);
    const text = formatRecoveryKey(bytes);
    const sloppy = text.toLowerCase().replace(/-/g, ' ').replace(/0/g, 'o').replace(/1/g, 'l');
    expect(parseRecoveryKey(`  ${sloppy} `)).toEqual(bytes);
  });

  it('tells a mistyped key (check group) and a malformed one apart, without echoing the key', () => {
    const { text } = generateRecoveryKey();
    const i = 5; // a character of the second group
    const swapped = text.slice(0, i) + (text[i] === 'A' ? 'B' : 'A') + text.slice(i + 1);
    expect(() => parseRecoveryKey(swapped)).toThrow(/mistyped/);
    expect(() => parseRecoveryKey(text.slice(0, -1))).toThrow(/36 characters/);
    expect(() => parseRecoveryKey(text.replace(/^./, 'U'))).toThrow(/Character 1/);
    try {
      parseRecoveryKey(swapped);
    } catch (e) {
      expect((e as Error).message).not.toContain(swapped.slice(0, 9));
    }
  });
});
