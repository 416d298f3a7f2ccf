/**
 * Test doubles for main's injected Electron dependencies (ARCHITECTURE.md
 * "Testing without the Electron binary"): an ipcMain that records handlers
 * and can invoke them as a given frame, a clipboard, and timers advanced by
 * hand. `startApp()` wires the real handlers on the real engine with the small
 * test KDF, in a temporary profile.
 */
import { MemoryKeychain } from '../../helpers/memory-keychain.js';
import { join } from 'node:path';
import { expect } from 'vitest';
import type { AppEvent, Channel, ChannelOutput, ErrorResult, Result } from '../../../shared/contract.js';
import { ipcChannel } from '../../../shared/contract.js';
import type { IpcMainLike } from '../../../electron/main/ipc/register.js';
import { registerHandlers } from '../../../electron/main/ipc/register.js';
import type { InvokeEventLike, SenderFrameLike } from '../../../electron/main/ipc/sender.js';
import { createMainServices, type MainServices } from '../../../electron/main/handlers/index.js';
import type { ClipboardItemLike, ClipboardLike, ClipboardPayload, TimersLike } from '../../../electron/main/handlers/clipboard.js';
import type { DialogLike, OpenDialogResult, SaveDialogResult } from '../../../electron/main/handlers/dialogs.js';
import { makeTempDir, TEST_KDF } from '../../helpers/vault.js';

export const ORIGIN = 'https://coffer.invalid';

export function frame(url: string, opts: { origin?: string; parent?: SenderFrameLike | null } = {}): SenderFrameLike {
  return { url, parent: opts.parent ?? null, ...(opts.origin === undefined ? {} : { origin: opts.origin }) };
}

export const APP_FRAME = frame(`${ORIGIN}/index.html`, { origin: ORIGIN });

type Listener = (event: InvokeEventLike, ...args: unknown[]) => Promise<unknown>;

export class FakeIpcMain implements IpcMainLike {
  readonly handlers = new Map<string, Listener>();
  handle(channel: string, listener: Listener): void {
    // Electron throws on a second handler for one channel ("Attempted to register a second handler").
    if (this.handlers.has(channel)) throw new Error(`Attempted to register a second handler for '${channel}'`);
    this.handlers.set(channel, listener);
  }
  removeHandler(channel: string): void {
    this.handlers.delete(channel);
  }
  /** As ipcRenderer.invoke from `senderFrame`. */
  async invoke(channel: string, senderFrame: SenderFrameLike | null, ...args: unknown[]): Promise<unknown> {
    const h = this.handlers.get(channel);
    if (!h) throw new Error(`No handler registered for '${channel}'`);
    // Results cross IPC by structured clone (Electron docs "Inter-Process Communication").
    return structuredClone(await h({ senderFrame }, ...args));
  }
}

/** Electron's ClipboardItem as main builds it: the payload by format, kept for the tests to read. */
export class FakeClipboardItem implements ClipboardItemLike {
  constructor(readonly payload: Readonly<ClipboardPayload>) {}
  get types(): string[] {
    return Object.keys(this.payload);
  }
}

/**
 * Electron 45's clipboard, answering at once. `write` takes what main built
 * (one item with text/plain and the platform's markers) and refuses anything
 * else, as the real one has nothing to paste without text/plain.
 */
export class FakeClipboard implements ClipboardLike<FakeClipboardItem> {
  text = '';
  /** The text/plain of every write, in order. */
  readonly writes: string[] = [];
  /** Every write's items, in order (formats and payloads). */
  readonly items: FakeClipboardItem[][] = [];
  clears = 0;
  write(items: FakeClipboardItem[]): void {
    const plain = items.length === 1 ? items[0]?.payload['text/plain'] : undefined;
    if (typeof plain !== 'string') throw new Error('FakeClipboard: expected one item with a text/plain string');
    this.items.push(items);
    this.text = plain;
    this.writes.push(plain);
  }
  readText(): string {
    return this.text;
  }
  clear(): void {
    this.text = '';
    this.clears++;
  }
  /** As if the user copied something else from another app (plain text, no markers). */
  userCopies(text: string): void {
    this.text = text;
  }
  /** The formats of the last write (text/plain and the markers). */
  get lastTypes(): string[] {
    return this.items.at(-1)?.[0]?.types ?? [];
  }
}

/**
 * Electron's dialog as a person at the picker: each call takes the next
 * queued answer (a path, or null for Cancel), and cancels when none is queued.
 * `shown` records which picker opened with which options.
 */
export class FakeDialog implements DialogLike {
  readonly answers: (string | null)[] = [];
  readonly shown: { kind: 'open' | 'save'; options: unknown }[] = [];
  /** Queues what the person picks next (null: Cancel). */
  willChoose(path: string | null): this {
    this.answers.push(path);
    return this;
  }
  async showOpenDialog(options: Parameters<DialogLike['showOpenDialog']>[0]): Promise<OpenDialogResult> {
    this.shown.push({ kind: 'open', options });
    const a = this.answers.shift() ?? null;
    return a === null ? { canceled: true, filePaths: [] } : { canceled: false, filePaths: [a] };
  }
  async showSaveDialog(options: Parameters<DialogLike['showSaveDialog']>[0]): Promise<SaveDialogResult> {
    this.shown.push({ kind: 'save', options });
    const a = this.answers.shift() ?? null;
    return a === null ? { canceled: true } : { canceled: false, filePath: a };
  }
}

/** setTimeout/clearTimeout driven by advance(ms). */
export class FakeTimers implements TimersLike {
  now = 0;
  private nextId = 1;
  private readonly timers = new Map<number, { at: number; fn: () => void }>();
  setTimeout(fn: () => void, ms: number): unknown {
    const id = this.nextId++;
    this.timers.set(id, { at: this.now + ms, fn });
    return id;
  }
  clearTimeout(handle: unknown): void {
    this.timers.delete(handle as number);
  }
  get pending(): number {
    return this.timers.size;
  }
  advance(ms: number): void {
    const end = this.now + ms;
    for (;;) {
      const due = [...this.timers.entries()].filter(([, t]) => t.at <= end).sort((a, b) => a[1].at - b[1].at)[0];
      if (!due) break;
      this.timers.delete(due[0]);
      this.now = due[1].at;
      due[1].fn();
    }
    this.now = end;
  }
}

export interface TestApp {
  dir: string;
  keychain: MemoryKeychain;
  profileDir: string;
  vaultPath: string;
  ipc: FakeIpcMain;
  clipboard: FakeClipboard;
  dialog: FakeDialog;
  /** Events main sent to the renderer, in order. */
  events: AppEvent[];
  timers: FakeTimers;
  /** The key-rotation schedule's timers (nothing runs until advanced). */
  rotationTimers: FakeTimers;
  services: MainServices;
  /** Invokes `coffer:<channel>` as the app's top frame (or `asFrame`). */
  call<C extends Channel>(channel: C, input?: unknown, asFrame?: SenderFrameLike | null): Promise<Result<ChannelOutput<C>>>;
  /** Like call() but fails the test unless ok, and returns the value. */
  ok<C extends Channel>(channel: C, input?: unknown): Promise<ChannelOutput<C>>;
  warnings: string[];
}

export const PASSPHRASE = 'correct horse battery staple';

/** The error a call answered (an ok fails the test), with `code` and a message for a person: no stack, no source path. */
export function expectError(r: Result<unknown>, code: string): ErrorResult {
  if (r.ok) throw new Error(`expected ${code}, got ok`);
  expect(r.code).toBe(code);
  expect(r.message).not.toMatch(/\n\s+at |\.ts:\d+/);
  return r;
}

export async function startApp(opts: { now?: () => number; platform?: NodeJS.Platform; keychain?: MemoryKeychain } = {}): Promise<TestApp> {
  const dir = await makeTempDir('coffer-main-');
  const profileDir = join(dir, 'profile');
  const ipc = new FakeIpcMain();
  const clipboard = new FakeClipboard();
  const timers = new FakeTimers();
  const rotationTimers = new FakeTimers();
  const dialog = new FakeDialog();
  const events: AppEvent[] = [];
  const warnings: string[] = [];
  const keychain = opts.keychain ?? new MemoryKeychain();
  const services = createMainServices({
    profileDir,
    keychain,
    clipboard,
    ClipboardItem: FakeClipboardItem,
    platform: opts.platform ?? 'linux',
    dialog,
    notify: (e) => events.push(e),
    timers,
    rotationTimers,
    kdf: TEST_KDF,
    onWarning: (m) => warnings.push(m),
    ...(opts.now ? { now: opts.now } : {}),
  });
  registerHandlers(ipc, services.handlers, { allowedOrigin: ORIGIN });
  const call = async <C extends Channel>(channel: C, input: unknown = {}, asFrame: SenderFrameLike | null = APP_FRAME) =>
    (await ipc.invoke(ipcChannel(channel), asFrame, input)) as Result<ChannelOutput<C>>;
  const ok = async <C extends Channel>(channel: C, input: unknown = {}): Promise<ChannelOutput<C>> => {
    const r = await call(channel, input);
    if (!r.ok) throw new Error(`${channel} failed: ${r.code} ${r.message}`);
    return r.value;
  };
  return { dir, profileDir, vaultPath: join(dir, 'test.coffer'), ipc, clipboard, dialog, events, timers, rotationTimers, services, call, ok, warnings, keychain };
}

/** startApp() with a new vault created and unlocked through `vault:create`. */
export async function startUnlockedApp(opts: Parameters<typeof startApp>[0] = {}): Promise<TestApp> {
  const app = await startApp(opts);
  await app.ok('vault:create', { path: app.vaultPath, passphrase: PASSPHRASE });
  return app;
}
