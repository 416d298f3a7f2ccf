/**
 * A hidden one-line prompt on a terminal: no echo, bytes collected in a buffer
 * the caller can wipe (a JavaScript string could not be wiped).
 * Enter ends the line; Backspace deletes one character; Ctrl-U clears the
 * line; Ctrl-C or Ctrl-D on an empty line cancels.
 */
import type { Readable } from 'node:stream';
import { CliCancelled } from './errors.js';
import type { OutStream } from './io.js';

interface RawCapable {
  isTTY?: boolean;
  isRaw?: boolean;
  setRawMode?: (mode: boolean) => unknown;
}

export function readHiddenLine(prompt: string, stdin: Readable & RawCapable, stderr: OutStream): Promise<Uint8Array> {
  stderr.write(prompt);
  let buf = new Uint8Array(256);
  let len = 0;
  const wasRaw = stdin.isRaw === true;
  stdin.setRawMode?.(true);

  return new Promise<Uint8Array>((resolve, reject) => {
    const cleanup = (): void => {
      stdin.removeListener('data', onData);
      stdin.removeListener('end', onEnd);
      stdin.removeListener('error', onError);
      stdin.setRawMode?.(wasRaw);
      stdin.pause();
      stderr.write('\n');
    };
    const finish = (): void => {
      cleanup();
      const out = buf.slice(0, len);
      buf.fill(0);
      resolve(out);
    };
    const cancel = (): void => {
      cleanup();
      buf.fill(0);
      reject(new CliCancelled());
    };
    const append = (byte: number): void => {
      if (len === buf.length) {
        const bigger = new Uint8Array(buf.length * 2);
        bigger.set(buf);
        buf.fill(0);
        buf = bigger;
      }
      buf[len++] = byte;
    };
    const onData = (chunk: Buffer | string): void => {
      const bytes = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
      try {
        for (const byte of bytes) {
          if (byte === 0x0d || byte === 0x0a) return finish();
          if (byte === 0x03) return cancel(); // Ctrl-C
          if (byte === 0x04) return len === 0 ? cancel() : finish(); // Ctrl-D
          if (byte === 0x7f || byte === 0x08) {
            // Backspace: drop one UTF-8 character (its continuation bytes, then its lead byte).
            while (len > 0 && ((buf[len - 1] ?? 0) & 0xc0) === 0x80) buf[--len] = 0;
            if (len > 0) buf[--len] = 0;
          } else if (byte === 0x15) {
            buf.fill(0, 0, len); // Ctrl-U
            len = 0;
          } else if (byte >= 0x20) {
            append(byte);
          }
          // Other control bytes (escape sequences' ESC...) are ignored.
        }
      } finally {
        bytes.fill(0);
      }
    };
    const onEnd = (): void => (len === 0 ? cancel() : finish());
    const onError = (error: Error): void => {
      cleanup();
      buf.fill(0);
      reject(error);
    };
    stdin.on('data', onData);
    stdin.once('end', onEnd);
    stdin.once('error', onError);
    stdin.resume();
  });
}
