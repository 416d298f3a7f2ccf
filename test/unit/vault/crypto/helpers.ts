// Shared test helpers for the crypto primitives: vector loading and trial counts.
import { readFileSync } from 'node:fs';

/**
 * Property-test runs (DECISIONS.md "Tests and tooling": trial counts come from
 * environment variables with CI-friendly defaults). fast-check prints the seed
 * and path of any failure, so a failing run can be replayed.
 */
export function propertyRuns(defaultRuns = 100): number {
  const raw = process.env.COFFER_PROPERTY_RUNS;
  if (raw === undefined || raw === '') return defaultRuns;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) throw new Error(`COFFER_PROPERTY_RUNS must be a positive integer, got ${raw}`);
  return n;
}

/** Slow known-answer tests (e.g. RFC 7748's 1,000,000 iterations) run only when COFFER_SLOW_VECTORS=1. */
export const SLOW_VECTORS = process.env.COFFER_SLOW_VECTORS === '1';

const VECTORS = new URL('../../../vectors/', import.meta.url);

export function loadVectors<T>(relativePath: string): T {
  return JSON.parse(readFileSync(new URL(relativePath, VECTORS), 'utf8')) as T;
}

/** Hex decoding for vectors, independent of the code under test. */
export function h(s: string): Uint8Array {
  if (!/^(?:[0-9a-fA-F]{2})*$/.test(s)) throw new Error(`bad hex in a test vector: ${s}`);
  return new Uint8Array(Buffer.from(s, 'hex'));
}

export function hx(b: Uint8Array): string {
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex');
}

/** Wycheproof file layout (schemas in C2SP/wycheproof `schemas/`), the fields these tests read. */
export interface WycheproofFile<G> {
  algorithm: string;
  numberOfTests: number;
  testGroups: G[];
}
export interface WycheproofTest {
  tcId: number;
  comment: string;
  flags: string[];
  result: 'valid' | 'invalid' | 'acceptable';
}
export interface AeadGroup {
  ivSize: number;
  keySize: number;
  tagSize: number;
  tests: (WycheproofTest & { key: string; iv: string; aad: string; msg: string; ct: string; tag: string })[];
}
export interface EddsaGroup {
  publicKey: { pk: string };
  tests: (WycheproofTest & { msg: string; sig: string })[];
}
export interface XdhGroup {
  curve: string;
  tests: (WycheproofTest & { public: string; private: string; shared: string })[];
}
export interface HkdfGroup {
  tests: (WycheproofTest & { ikm: string; salt: string; info: string; size: number; okm: string })[];
}

export function countTests<G extends { tests: unknown[] }>(file: WycheproofFile<G>): number {
  return file.testGroups.reduce((n, g) => n + g.tests.length, 0);
}

/** The error `fn` throws (fails the test if it returns). */
export function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (e) {
    return e;
  }
  throw new Error('expected the call to throw');
}

/** The error a promise rejects with (fails the test if it resolves). */
export async function rejected(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (e) {
    return e;
  }
  throw new Error('expected the promise to reject');
}

/** The CofferError code of what `fn` throws, or the error's name if it is something else. */
export function codeOf(fn: () => unknown): string {
  const e = thrown(fn);
  if (e instanceof Error && 'code' in e && typeof e.code === 'string' && e.name === 'CofferError') return e.code;
  return e instanceof Error ? e.name : String(e);
}
