/**
 * Registers main's handler for every channel of the contract
 * (shared/contract.ts) on an `ipcMain`-like object. Each call goes through the
 * same gate, in this order (ARCHITECTURE.md "Processes"):
 *   1. the sender frame: the app's origin, the top frame (sender.ts) — before
 *      anything else reads the input, so a refused sender learns nothing;
 *   2. the input, parsed as `unknown` with the channel's schema (Signal's
 *      `parseUnknown`): a bad input is BadParameter naming the field, never
 *      echoing the value (it may be a secret or a passphrase);
 *   3. the handler; its CofferError becomes {ok:false, code, innerCode, message},
 *      anything else `Internal` with a generic message (an unexpected error's
 *      text may hold paths or internals the renderer has no use for).
 * Nothing is thrown back across IPC: Electron's `handle()` keeps only an
 * error's message (see shared/contract.ts), so the result carries the code.
 *
 * `ipcMain` is injected (ARCHITECTURE.md "Testing without the Electron
 * binary"); this module never imports 'electron', not even as a type.
 */
import type { z } from 'zod';
import {
  CHANNELS,
  contract,
  ipcChannel,
  type Channel,
  type ChannelOutput,
  type ErrorResult,
  type ParsedInput,
  type Result,
  type ResultErrorCode,
} from '../../../shared/contract.js';
import { isCofferError } from '../../vault/index.js';
import { assertValidOrigin, checkSender, type InvokeEventLike, type SenderVerdict } from './sender.js';

/** The subset of Electron's IpcMain used here. */
export interface IpcMainLike {
  handle(channel: string, listener: (event: InvokeEventLike, ...args: unknown[]) => Promise<unknown>): void;
  removeHandler?(channel: string): void;
}

/** One function per channel: parsed input in, output out (throwing CofferError on failure). */
export type Handlers = {
  [C in Channel]: (input: ParsedInput<C>) => Promise<ChannelOutput<C>>;
};

export interface RegisterOptions {
  /** `app://coffer` in Electron; `https://coffer.invalid` in browser tests (DECISIONS.md "Tests and tooling"). */
  allowedOrigin: string;
  /**
   * Told about refused senders and unexpected errors (for main's log). Gets
   * the channel and a reason or the error, never the input.
   */
  onRefused?: (channel: Channel, reason: Exclude<SenderVerdict, { ok: true }>['reason']) => void;
  onUnexpectedError?: (channel: Channel, error: unknown) => void;
}

export function registerHandlers(ipcMain: IpcMainLike, handlers: Handlers, options: RegisterOptions): { dispose(): void } {
  assertValidOrigin(options.allowedOrigin);
  // The handler table must be the contract, exactly: TS checks it, this catches `as any` and JS callers.
  const given = Object.keys(handlers).sort();
  const expected = [...CHANNELS].sort();
  if (given.length !== expected.length || given.some((c, i) => c !== expected[i])) {
    throw new Error(`registerHandlers: handlers must cover exactly the contract's channels (${expected.join(', ')})`);
  }
  for (const channel of CHANNELS) {
    ipcMain.handle(ipcChannel(channel), (event, ...args) => dispatch(channel, handlers, options, event, args));
  }
  return {
    dispose(): void {
      for (const channel of CHANNELS) ipcMain.removeHandler?.(ipcChannel(channel));
    },
  };
}

async function dispatch<C extends Channel>(
  channel: C,
  handlers: Handlers,
  options: RegisterOptions,
  event: InvokeEventLike,
  args: unknown[],
): Promise<Result<ChannelOutput<C>>> {
  const verdict = checkSender(event, options.allowedOrigin);
  if (!verdict.ok) {
    options.onRefused?.(channel, verdict.reason);
    return failure('Forbidden', `Refused ${channel}: the request did not come from the app's page in its top frame.`);
  }
  // The preload passes exactly one argument; more means a caller outside the contract.
  if (args.length > 1) return failure('BadParameter', `Invalid input for ${channel}: expected one argument, got ${args.length}.`);
  const parsed = parseInput(channel, args[0]);
  if (!parsed.ok) return failure('BadParameter', parsed.message);
  const handler = handlers[channel] as (input: ParsedInput<C>) => Promise<ChannelOutput<C>>;
  try {
    return { ok: true, value: await handler(parsed.data) };
  } catch (e) {
    return toErrorResult(channel, e, options);
  }
}

/**
 * Parses `input` (unknown) with the channel's schema. A missing field reads
 * "name: is required" rather than zod's "expected string, received undefined".
 * The error map sees the input but only returns fixed text.
 */
export function parseInput<C extends Channel>(
  channel: C,
  input: unknown,
): { ok: true; data: ParsedInput<C> } | { ok: false; message: string } {
  const r = contract[channel].input.safeParse(input, {
    error: (iss) => (iss.code === 'invalid_type' && iss.input === undefined ? 'is required' : undefined),
  });
  return r.success ? { ok: true, data: r.data as ParsedInput<C> } : { ok: false, message: describeIssues(channel, r.error) };
}

export function toErrorResult(channel: Channel, e: unknown, options: Pick<RegisterOptions, 'onUnexpectedError'> = {}): ErrorResult {
  if (isCofferError(e)) {
    // Engine messages never hold a value or passphrase (VAULT-MODEL V9, errors.ts).
    return {
      ok: false,
      code: e.code,
      message: e.message,
      ...(e.innerCode === undefined ? {} : { innerCode: e.innerCode }),
      ...(e.retryAfterSeconds === undefined ? {} : { retryAfterSeconds: e.retryAfterSeconds }),
    };
  }
  options.onUnexpectedError?.(channel, e);
  return failure('Internal', `${channel} failed unexpectedly; see the application log.`);
}

function failure(code: ResultErrorCode, message: string): ErrorResult {
  return { ok: false, code, message };
}

/**
 * "Invalid input for secrets:set: value: must be at most 25600 bytes; tags.x: …".
 * Built from the issue's path and message only. zod 4's default messages name
 * the expected type or bound, never the input ("Invalid input: expected
 * string, received number"); object keys in paths are the renderer's and are
 * cut and escaped, since an unknown key could itself be long or odd.
 */
export function describeIssues(channel: Channel, error: z.ZodError): string {
  const parts = error.issues.slice(0, 5).map((issue) => {
    const path = issue.path.map((p) => (typeof p === 'number' ? `[${p}]` : safeKey(String(p)))).join('.');
    if (issue.code === 'unrecognized_keys') {
      const keys = issue.keys.slice(0, 5).map(safeKey).join(', ');
      return `${path === '' ? '' : `${path}: `}unknown field${issue.keys.length === 1 ? '' : 's'} ${keys}`;
    }
    return `${path === '' ? 'input' : path}: ${issue.message}`;
  });
  const more = error.issues.length > 5 ? ` (and ${error.issues.length - 5} more)` : '';
  return `Invalid input for ${channel}: ${parts.join('; ')}${more}.`;
}

function safeKey(key: string): string {
  return /^[A-Za-z0-9_-]{1,40}$/.test(key) ? key : JSON.stringify(key.length > 40 ? `${key.slice(0, 40)}…` : key);
}
