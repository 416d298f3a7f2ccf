/**
 * Built fixtures kept between runs (the 100,000-secret vault takes over a
 * minute to build): one folder per fixture under the cache root, named by
 * the fixture and a hash of its parameters. A fixture built by the engine
 * also hashes the engine's sources (electron/vault, tests excluded), so a
 * change to the engine builds it again: a vault is never measured with a
 * file an older engine wrote. Only the runner (bench/run.ts) uses this.
 *
 *   COFFER_BENCH_CACHE=path   the cache root (default <tmp>/coffer-bench-cache); "off": no cache
 *   COFFER_BENCH_REBUILD=1    build every cached fixture again
 */
import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

/** Bump when a fixture's content changes for the same parameters (a new writer, new names...). */
export const FIXTURE_FORMAT = 1;

export function cacheRoot(): string | undefined {
  const raw = process.env.COFFER_BENCH_CACHE?.trim();
  if (raw === 'off') return undefined;
  return path.resolve(raw || path.join(os.tmpdir(), 'coffer-bench-cache'));
}

export const rebuild = (): boolean => process.env.COFFER_BENCH_REBUILD === '1';

async function* sources(dir: string): AsyncGenerator<string> {
  for (const e of (await readdir(dir, { withFileTypes: true })).sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) yield* sources(p);
    else if (e.name.endsWith('.ts') && !e.name.endsWith('.test.ts')) yield p;
  }
}

/** SHA-256 of the engine's sources (paths and contents), first 16 hex digits. */
export async function engineHash(root: string): Promise<string> {
  const h = createHash('sha256');
  const dir = path.join(root, 'electron', 'vault');
  for await (const f of sources(dir)) {
    h.update(path.relative(dir, f)).update('\0').update(await readFile(f)).update('\0');
  }
  return h.digest('hex').slice(0, 16);
}

/** The folder name of a fixture: `<name>-<hash of its parameters>`. */
export function fixtureKey(name: string, params: object): string {
  return `${name}-${createHash('sha256').update(JSON.stringify({ FIXTURE_FORMAT, ...params })).digest('hex').slice(0, 16)}`;
}
