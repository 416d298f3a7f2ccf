/**
 * Shared by the bench runner and its scenario children: settings from the
 * environment, the JSON-lines protocol children speak on stdout, and small
 * timing helpers. Nothing here touches a vault.
 */
import { resourceUsage } from 'node:process';

/** Settings (environment knobs). Full scale is what the targets are about. */
export interface BenchSettings {
  /** COFFER_BENCH_SCALE (default 1): multiplies the vault sizes (0.1 = 1,000 secrets × 5, 5,000 commits, 100 divergent changes). */
  scale: number;
  /** COFFER_BENCH_REPS (default 3): repetitions of the expensive measurements (opens of the big vaults, merges). */
  reps: number;
  /** COFFER_BENCH_REAL_SETS=1: build the many-commit vaults with one `secrets.set` call per commit (very slow at full scale). */
  realSets: boolean;
}

function numberEnv(name: string, fallback: number, min: number, max: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n < min || n > max) throw new Error(`${name} must be a number from ${min} to ${max}; got ${raw}`);
  return n;
}

export function settings(): BenchSettings {
  return {
    scale: numberEnv('COFFER_BENCH_SCALE', 1, 0.001, 10),
    reps: Math.round(numberEnv('COFFER_BENCH_REPS', 3, 1, 50)),
    realSets: process.env.COFFER_BENCH_REAL_SETS === '1',
  };
}

/** The sizes the brief names, scaled. */
export function sizes(scale: number): { secrets: number; versions: number; divergent: number } {
  return {
    secrets: Math.max(10, Math.round(10_000 * scale)),
    versions: 5,
    divergent: Math.max(10, Math.round(1_000 * scale)),
  };
}

/** One line a child writes on stdout: a named figure. `value` is a number (ms, bytes, KiB...) or a small object. */
export interface ResultLine {
  kind: 'result';
  key: string;
  value: unknown;
}

export interface DoneLine {
  kind: 'done';
  /** process.resourceUsage().maxRSS of the child, in KiB (peak resident memory of the whole process). */
  maxRSSKiB: number;
}

export type ChildLine = ResultLine | DoneLine;

export function emit(key: string, value: unknown): void {
  process.stdout.write(`${JSON.stringify({ kind: 'result', key, value } satisfies ResultLine)}\n`);
}

/** Progress for the person watching: stderr, which the runner passes through. */
export function progress(message: string): void {
  process.stderr.write(`    ${message}\n`);
}

/** Parameters the runner passes to a child (COFFER_BENCH_ARGS, JSON). */
export function childArgs<T>(): T {
  const raw = process.env.COFFER_BENCH_ARGS;
  if (!raw) throw new Error('COFFER_BENCH_ARGS is not set: scenarios are run by bench/run.ts');
  return JSON.parse(raw) as T;
}

/** Runs a child's main function, then reports its peak memory; any error exits non-zero with the message. */
export function runChild(main: () => Promise<void>): void {
  main().then(
    () => {
      process.stdout.write(`${JSON.stringify({ kind: 'done', maxRSSKiB: resourceUsage().maxRSS } satisfies DoneLine)}\n`);
      // Pending best-effort work (audit lines of list()) must not keep the child alive.
      process.exit(0);
    },
    (e: unknown) => {
      process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
      process.exit(1);
    },
  );
}

export const now = (): number => performance.now();

export async function timed<T>(fn: () => Promise<T> | T): Promise<{ ms: number; value: T }> {
  const t0 = now();
  const value = await fn();
  return { ms: now() - t0, value };
}

export function median(xs: number[]): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** The p-th percentile (0 < p ≤ 100) by the nearest-rank method: a value that was measured, never an interpolation. */
export function percentile(xs: number[], p: number): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length, Math.max(1, Math.ceil((p / 100) * s.length))) - 1]!;
}

/** Repeated measurements of one figure: every sample, in order (the first one ran with a cold JIT). */
export interface Samples {
  samples: number[];
  median: number;
  /** Nearest-rank 95th percentile (with fewer than 20 samples, the maximum). */
  p95: number;
  first: number;
  min: number;
  max: number;
}

export function summarize(samples: number[]): Samples {
  return { samples, median: median(samples), p95: percentile(samples, 95), first: samples[0] ?? NaN, min: Math.min(...samples), max: Math.max(...samples) };
}

export const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);
