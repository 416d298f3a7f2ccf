/**
 * How the CLI reports failures (CLI.md "Common"): exactly one line on stderr,
 *
 *   coffer: error: <Code>: <message>
 *   coffer: error: <Code>: <InnerCode>: <message>     when Key Vault has an inner code
 *
 * e.g. `coffer: error: Forbidden: SecretDisabled: Operation get is not allowed on a disabled secret.`
 * Code is CofferError.code (Azure Key Vault's code where one fits), InnerCode
 * mirrors Key Vault's `innererror.code`. The exit code is EXIT_CODES[code].
 * Usage errors found by the parser (unknown option, missing argument...) are
 * reported the same way as `BadParameter` and exit 2. Anything that is not a
 * CofferError is a bug: `Internal`, exit 1, with a generic message. A stack
 * trace follows the line only when COFFER_DEBUG=1.
 */
import { CommanderError } from 'commander';
import { CofferError, EXIT_CODES, isCofferError, type ErrorCode } from '../vault/index.js';
import type { CliIo } from './io.js';

/** The user cancelled a prompt (Ctrl-C / Ctrl-D). Exit 130, as a shell does for SIGINT. */
export class CliCancelled extends Error {
  constructor() {
    super('Cancelled');
    this.name = 'CliCancelled';
  }
}

export const EXIT_CANCELLED = 130;

/** The one-line form of an error, without the trailing newline. */
export function formatErrorLine(code: string, message: string, innerCode?: string): string {
  const oneLine = message.replace(/\s*[\r\n]+\s*/g, ' ').trim();
  return innerCode === undefined || innerCode === ''
    ? `coffer: error: ${code}: ${oneLine}`
    : `coffer: error: ${code}: ${innerCode}: ${oneLine}`;
}

/** Writes the error line (and, with COFFER_DEBUG=1, the stack) and returns the exit code. */
export function reportError(io: CliIo, error: unknown): number {
  const debug = io.env.COFFER_DEBUG === '1';
  let line: string;
  let exitCode: number;
  if (error instanceof CliCancelled) {
    line = 'coffer: cancelled';
    exitCode = EXIT_CANCELLED;
  } else if (isCofferError(error)) {
    line = formatErrorLine(error.code, error.message, error.innerCode);
    exitCode = EXIT_CODES[error.code] ?? 1;
  } else if (error instanceof CommanderError) {
    line = formatErrorLine('BadParameter', error.message.replace(/^error:\s*/, ''));
    exitCode = EXIT_CODES.BadParameter;
  } else {
    const kind = error instanceof Error ? error.name : typeof error;
    line = formatErrorLine('Internal', `Unexpected ${kind}; set COFFER_DEBUG=1 to see the details.`);
    exitCode = EXIT_CODES.Internal;
  }
  io.stderr.write(`${line}\n`);
  if (debug && error instanceof Error && error.stack !== undefined) {
    io.stderr.write(`${error.stack}\n`);
    if (error.cause instanceof Error && error.cause.stack !== undefined) {
      io.stderr.write(`Caused by: ${error.cause.stack}\n`);
    }
  }
  return exitCode;
}

/** A usage mistake the parser cannot see (e.g. two value sources): BadParameter, exit 2. */
export function usageError(message: string): CofferError {
  return new CofferError('BadParameter', message);
}

/**
 * Turns a Node file-system error on a file the user named into a CofferError
 * that names the flag and the path (never the file's contents).
 */
export function fileError(error: unknown, what: string, path: string): CofferError {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  switch (code) {
    case 'ENOENT':
      return new CofferError('BadParameter', `${what} ${path}: no such file`, { cause: error });
    case 'EISDIR':
      return new CofferError('BadParameter', `${what} ${path}: is a folder, not a file`, { cause: error });
    case 'EACCES':
    case 'EPERM':
      return new CofferError('BadParameter', `${what} ${path}: permission denied`, { cause: error });
    case 'EEXIST':
      return new CofferError('Conflict', `${what} ${path}: the file already exists`, { cause: error });
    default:
      return new CofferError('IoError', `${what} ${path}: ${code ?? 'cannot access the file'}`, { cause: error });
  }
}

/**
 * What a batch verb (`key rotate-due`, `certificate renew-due`) ends with when
 * some of its items failed, after printing its result: an error with the first
 * failure's code (Internal when the engine's code is not one of ours), so the
 * exit code says what went wrong, and a message naming each failure.
 */
export function batchFailureError(failed: readonly { name: string; code: string; message: string }[], summary: string): CofferError {
  const first = failed[0]!;
  const code: ErrorCode = first.code in EXIT_CODES ? (first.code as ErrorCode) : 'Internal';
  const names = failed.map((f) => `${f.name} (${f.code}: ${f.message})`).join('; ');
  return new CofferError(code, `${summary}: ${names}`);
}
