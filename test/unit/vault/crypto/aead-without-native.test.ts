/**
 * The vault where node:crypto has no `chacha20-poly1305` cipher, as in
 * Electron's main process (BoringSSL offers it only through EVP_AEAD;
 * electron/electron#24024): there crypto/aead.ts runs the AEAD on
 * @noble/ciphers. node:crypto is replaced by one without that cipher, and
 * the AEAD's own tests (known answers, Wycheproof, cross-checks, tampering)
 * and the version-1 fixture files (written by the native path) run again on it.
 */
import { describe, expect, it, vi } from 'vitest';

vi.mock('node:crypto', async (importOriginal) => {
  const real = await importOriginal<typeof import('node:crypto')>();
  const refuse = (name: string): void => {
    if (name.toLowerCase() === 'chacha20-poly1305') throw new Error('Unknown cipher (simulated BoringSSL)');
  };
  return {
    ...real,
    getCiphers: () => real.getCiphers().filter((c) => c !== 'chacha20-poly1305'),
    createCipheriv: ((name: string, ...rest: unknown[]) => {
      refuse(name);
      return (real.createCipheriv as (...a: unknown[]) => unknown)(name, ...rest);
    }) as typeof real.createCipheriv,
    createDecipheriv: ((name: string, ...rest: unknown[]) => {
      refuse(name);
      return (real.createDecipheriv as (...a: unknown[]) => unknown)(name, ...rest);
    }) as typeof real.createDecipheriv,
  };
});

const crypto = await import('node:crypto');

describe('node:crypto without chacha20-poly1305 (Electron)', () => {
  it('the stand-in has no chacha20-poly1305 cipher, as BoringSSL', () => {
    expect(crypto.getCiphers()).not.toContain('chacha20-poly1305');
    expect(() => crypto.createCipheriv('chacha20-poly1305', Buffer.alloc(32), Buffer.alloc(12), { authTagLength: 16 })).toThrow(/Unknown cipher/);
  });
});

// The same tests again, on the AEAD this runtime gets.
await import('./aead.test.js');
await import('../format/v1-fixtures.test.js');
