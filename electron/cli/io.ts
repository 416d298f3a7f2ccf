/**
 * Everything the CLI touches outside itself, in one object, so that `main` runs
 * the same in-process (tests inject streams, env and a fake prompt) as from
 * bin/coffer.mjs (the defaults below: the real process).
 */
import type { Readable } from 'node:stream';
import { isatty } from 'node:tty';
import type { CliEngine } from './engine.js';
import type { Keychain } from '../vault/index.js';

/** The part of a writable stream the CLI uses (process.stdout, a PassThrough...). */
export interface OutStream {
  write(chunk: string | Uint8Array, callback?: (error?: Error | null) => void): boolean;
}

export interface CliIo {
  /** Read by `--value-stdin` and, on a terminal, by the passphrase prompt. */
  stdin: Readable;
  stdout: OutStream;
  stderr: OutStream;
  env: Record<string, string | undefined>;
  /** Which standard streams are terminals: pretty JSON on a terminal stdout, prompts only on a terminal stdin. */
  isTTY: { stdin: boolean; stdout: boolean };
  /** Relative paths on the command line are resolved against this folder. */
  cwd: string;
  /**
   * Reads one line without echo (the passphrase prompt). Called only when
   * `isTTY.stdin` is true. The caller wipes the returned bytes.
   */
  readPassphrase: (prompt: string) => Promise<Uint8Array>;
  /** The engine; tests may pass a fake. Default: electron/vault/vault.ts, loaded on first use. */
  engine?: CliEngine;
  /** The OS keychain; tests may pass a fake. Default: store/keychain.ts osKeychain() with `$COFFER_KEYCHAIN_SERVICE`. */
  keychain?: Keychain;
}

let pipeGuardInstalled = false;

/**
 * A reader that closes the pipe early (`coffer secret list | head -c1`) is not
 * an error of ours: ignore EPIPE on the real stdout/stderr instead of crashing
 * with an unhandled 'error' event.
 */
function guardClosedPipes(): void {
  if (pipeGuardInstalled) return;
  pipeGuardInstalled = true;
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code !== 'EPIPE') throw error;
    });
  }
}

export function defaultIo(overrides: Partial<CliIo> = {}): CliIo {
  if (overrides.stdout === undefined || overrides.stderr === undefined) guardClosedPipes();
  const stderr = overrides.stderr ?? process.stderr;
  return {
    // process.stdin is made on first use: most commands never read stdin, and making it costs a stream.
    get stdin() {
      return overrides.stdin ?? process.stdin;
    },
    stdout: overrides.stdout ?? process.stdout,
    stderr,
    env: overrides.env ?? process.env,
    isTTY: overrides.isTTY ?? { stdin: isatty(0), stdout: process.stdout.isTTY === true },
    cwd: overrides.cwd ?? process.cwd(),
    readPassphrase:
      overrides.readPassphrase ??
      (async (prompt: string) => (await import('./prompt.js')).readHiddenLine(prompt, process.stdin, stderr)),
    ...(overrides.engine === undefined ? {} : { engine: overrides.engine }),
  };
}
