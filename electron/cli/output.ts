/**
 * What the CLI writes on stdout (CLI.md "Common"): JSON for show/list/set/
 * delete/recover..., pretty-printed on a terminal and on one line otherwise
 * (so scripts can read one document per line); raw bytes, with nothing added,
 * for `secret get`. Writes resolve once the stream has taken the data, so the
 * caller may wipe the bytes afterwards.
 */
import type { CliIo, OutStream } from './io.js';

export function formatJson(value: unknown, pretty: boolean): string {
  return `${pretty ? JSON.stringify(value, null, 2) : JSON.stringify(value)}\n`;
}

export function printJson(io: CliIo, value: unknown): Promise<void> {
  return writeOut(io.stdout, formatJson(value, io.isTTY.stdout));
}

/** Writes bytes exactly as they are (no newline). */
export function writeRaw(io: CliIo, bytes: Uint8Array): Promise<void> {
  return writeOut(io.stdout, bytes);
}

export function printWarning(io: CliIo, message: string): void {
  io.stderr.write(`coffer: warning: ${message.replace(/\s*[\r\n]+\s*/g, ' ').trim()}\n`);
}

function writeOut(stream: OutStream, chunk: string | Uint8Array): Promise<void> {
  return new Promise((resolve) => {
    // A closed pipe (`coffer secret list | head -c1`) is not our failure: resolve either way.
    stream.write(chunk, () => resolve());
  });
}

/** A bundle without its `value`: what `secret set` prints (values stay out of logs). */
export function withoutValue<T extends { value?: unknown }>(bundle: T): Omit<T, 'value'> {
  const copy: T = { ...bundle };
  delete copy.value;
  return copy;
}
