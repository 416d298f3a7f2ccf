// Shared helpers for the key material and algorithm tests: generated keys
// (cached per test file, so RSA keys are made once), the openssl CLI, and
// the no-leak check of error texts (VAULT-MODEL V9).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import { generateKey, type KeyMaterial, type KeySpec } from '../../../../electron/vault/keys/material.js';
import { EC_CURVES, OCT_SIZES, RSA_SIZES } from '../../../../electron/vault/keys/records.js';
import { CofferError } from '../../../../electron/vault/errors.js';
import { thrown } from '../crypto/helpers.js';

/** Every key shape Coffer supports: each RSA size, EC curve, oct size, and Ed25519. */
export const ALL_SPECS: KeySpec[] = [
  ...RSA_SIZES.map((size) => ({ kty: 'RSA' as const, size })),
  ...EC_CURVES.map((crv) => ({ kty: 'EC' as const, crv })),
  { kty: 'OKP', crv: 'Ed25519' },
  ...OCT_SIZES.map((size) => ({ kty: 'oct' as const, size })),
];

export const specName = (s: KeySpec): string => `${s.kty} ${s.size ?? s.crv}`;

const cache = new Map<string, Promise<KeyMaterial>>();

/** One generated key per shape and test file (RSA-4096 takes a second or more on two cores). */
export function keyFor(spec: KeySpec): Promise<KeyMaterial> {
  const id = specName(spec);
  let p = cache.get(id);
  if (p === undefined) {
    p = generateKey(spec);
    cache.set(id, p);
  }
  return p;
}

export const HAS_OPENSSL = (() => {
  try {
    execFileSync('openssl', ['version'], { stdio: 'pipe' });
    return true;
  } catch {
    return false;
  }
})();

/** A scratch folder for openssl's inputs and outputs; remove() when done. */
export class Scratch {
  readonly dir = mkdtempSync(join(tmpdir(), 'coffer-keys-'));
  path(name: string): string {
    return join(this.dir, name);
  }
  write(name: string, data: string | Uint8Array): string {
    const p = this.path(name);
    writeFileSync(p, data, { mode: 0o600 });
    return p;
  }
  read(name: string): Uint8Array {
    return new Uint8Array(readFileSync(this.path(name)));
  }
  text(name: string): string {
    return readFileSync(this.path(name), 'utf8');
  }
  /** Runs openssl in the folder; returns stdout. Throws (with stderr) on a non-zero exit. */
  openssl(...args: string[]): string {
    return execFileSync('openssl', args, { cwd: this.dir, stdio: 'pipe' }).toString();
  }
  remove(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** Every text an error carries: message, String(), stack, own fields and causes. */
function texts(e: unknown, depth = 0): string[] {
  if (depth > 5 || e === undefined || e === null) return [];
  if (!(e instanceof Error)) return [String(e)];
  const own = Object.entries(e).map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v) ?? ''}`);
  return [e.message, String(e), e.stack ?? '', ...own, ...texts((e as { cause?: unknown }).cause, depth + 1)];
}

/** Substrings that would betray `secret` if an error printed it: hex, base64 and base64url windows of 8 bytes. */
function needles(secret: Uint8Array): string[] {
  const out = new Set<string>();
  for (let i = 0; i + 8 <= secret.length; i += 4) {
    const w = Buffer.from(secret.subarray(i, i + 8));
    out.add(w.toString('hex'));
    out.add(w.toString('hex').toUpperCase());
  }
  // base64 depends on alignment: encode from three offsets and slide by whole 4-character groups.
  for (let i = 0; i < 3; i++) {
    const tail = Buffer.from(secret.subarray(i));
    for (const enc of [tail.toString('base64'), tail.toString('base64url')]) {
      for (let j = 0; j + 12 <= enc.length; j += 4) out.add(enc.slice(j, j + 12));
    }
  }
  return [...out];
}

/**
 * `e` is a CofferError BadParameter, and nothing it carries contains the
 * secrets (key bytes in any usual encoding, or a password as given).
 */
export function expectCleanBadParameter(e: unknown, secrets: (Uint8Array | string)[], label = ''): void {
  expect(e, label).toBeInstanceOf(Error);
  expect((e as { code?: string }).code, `${label}: ${(e as Error).message}`).toBe('BadParameter');
  const all = texts(e).join('\n');
  for (const s of secrets) {
    if (typeof s === 'string') {
      expect(all.includes(s), `${label}: error text contains a password or key string`).toBe(false);
    } else {
      expect(needles(s).filter((n) => all.includes(n)), `${label}: error text contains key bytes`).toEqual([]);
    }
  }
}

export { thrown };

/** The message of the BadParameter `fn` throws. */
export function badMessage(fn: () => unknown): string {
  const e = thrown(fn);
  expect((e as { code?: string }).code, String(e)).toBe('BadParameter');
  return (e as Error).message;
}

export const b64u = (b: Uint8Array): string => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('base64url');
export const fromB64 = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'base64url'));
export const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);

/** The CofferError `p` fails with (anything else is rethrown; success fails the test). */
export async function failure(p: Promise<unknown> | (() => unknown)): Promise<CofferError> {
  try {
    await (typeof p === 'function' ? p() : p);
  } catch (e) {
    if (e instanceof CofferError) return e;
    throw e;
  }
  throw new Error('expected a CofferError');
}
