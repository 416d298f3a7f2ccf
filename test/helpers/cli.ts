/**
 * Runs the built `coffer` command (bin/coffer.mjs; test/global-setup.ts builds
 * dist/ first) as a user would: a child process with no terminal, COFFER_HOME
 * set to a temporary profile folder, and none of the caller's COFFER_*
 * variables. stdin is closed after `input` (if any) unless `keepStdinOpen`;
 * a timeout kills a command that hangs.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const COFFER_BIN = join(REPO_ROOT, 'bin', 'coffer.mjs');

/** KDF flags for `vault create` in tests (DECISIONS.md: m = 8 MiB, t = 1, p = 1). */
export const TEST_KDF_ARGS = ['--kdf-memory', '8', '--kdf-iterations', '1', '--kdf-parallelism', '1'];

export interface RunCofferOptions {
  /** The profile folder (COFFER_HOME); also HOME, so nothing reaches the real home folder. */
  home: string;
  env?: Record<string, string>;
  input?: string | Buffer;
  /** Working folder of the command (default: the repository root). */
  cwd?: string;
  /** Kill the command after this many milliseconds (default 60 s). */
  timeoutMs?: number;
  /** Leave stdin open (and never write to it): proves a command does not wait on a non-terminal stdin. */
  keepStdinOpen?: boolean;
}

export interface CofferResult {
  code: number;
  stdout: Buffer;
  stderr: string;
}

export function runCoffer(args: string[], opts: RunCofferOptions): Promise<CofferResult> {
  const env: Record<string, string> = { COFFER_HOME: opts.home, HOME: opts.home };
  for (const name of ['PATH', 'SYSTEMROOT', 'SystemRoot', 'TMPDIR', 'TEMP', 'TMP', 'LANG']) {
    const value = process.env[name];
    if (value !== undefined) env[name] = value;
  }
  Object.assign(env, opts.env);

  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [COFFER_BIN, ...args], {
      cwd: opts.cwd ?? REPO_ROOT,
      env,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
    const timeoutMs = opts.timeoutMs ?? 60_000;
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`coffer ${args.join(' ')} did not finish within ${timeoutMs} ms`));
    }, timeoutMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({
        code: code ?? (signal === null ? -1 : 128),
        stdout: Buffer.concat(out),
        stderr: Buffer.concat(err).toString('utf8'),
      });
    });
    child.stdin.on('error', () => undefined); // the command may exit without reading its input
    if (opts.keepStdinOpen === true) {
      child.on('close', () => child.stdin.destroy());
    } else {
      child.stdin.end(opts.input ?? '');
    }
  });
}

/** A fresh temporary profile folder (mode 0700 by mkdtemp). Remove it with removeTempHome. */
export function makeTempHome(prefix = 'coffer-test-'): Promise<string> {
  return mkdtemp(join(tmpdir(), prefix));
}

export async function removeTempHome(home: string): Promise<void> {
  await rm(home, { recursive: true, force: true });
}

/** Writes `passphrase` (with a trailing newline, as `echo` would) to `<home>/passphrase` and returns its path. */
export async function writePassphraseFile(home: string, passphrase: string, name = 'passphrase'): Promise<string> {
  const path = join(home, name);
  await writeFile(path, `${passphrase}\n`, { mode: 0o600 });
  return path;
}

/** JSON printed by a command (one document on stdout). */
export function json<T = unknown>(result: CofferResult): T {
  return JSON.parse(result.stdout.toString('utf8')) as T;
}
