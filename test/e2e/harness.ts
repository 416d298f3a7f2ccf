/**
 * The app as a person uses it, without the Electron binary (ARCHITECTURE.md
 * "Testing without the Electron binary", TOOLCHAIN.md "The renderer in a real
 * browser"):
 *   - main: the REAL handlers (createMainServices, real engine with the small
 *     test KDF) registered through the REAL gate (registerHandlers) on a fake
 *     ipcMain, in this Node process;
 *   - renderer: the BUILT bundle (dist/renderer/) in headless Debian Chromium,
 *     served from https://coffer.invalid/ by Playwright routing through the
 *     app:// protocol's own handler (handleAppRequest: same checks, headers, CSP);
 *   - preload: emulated by `page.exposeBinding` (the sender frame handed to
 *     main is the calling frame's url, origin and top-ness) plus
 *     `page.addInitScript(preloadInitScript(...))`, which builds the same
 *     `window.coffer` as the real preload and deletes the raw binding.
 *
 *   const app = await launchApp({ clipboardClearSeconds: 5 });
 *   await app.page.getByRole('button', { name: L.createButton }).click();
 *   app.clipboard.text; await app.close();
 *
 * Every request that is not https://coffer.invalid is aborted (the app loads
 * no remote content); tests may add their own routes after launch (a later
 * route takes precedence).
 */
import { MemoryKeychain } from '../helpers/memory-keychain.js';
import type { Keychain } from '../../electron/vault/store/keychain.js';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AxeBuilder } from '@axe-core/playwright';
import { chromium, type Browser, type Frame, type Locator, type Page } from 'playwright-core';
import { expect } from 'vitest';
import {
  appEventSchema,
  ipcChannel,
  type AppEvent,
  type Channel,
  type ChannelInput,
  type ChannelOutput,
  type Result,
} from '../../shared/contract.js';
import type { KdfParams } from '../../electron/vault/api.js';
import { createMainServices, type MainServices } from '../../electron/main/handlers/index.js';
import type { TimersLike } from '../../electron/main/handlers/clipboard.js';
import { registerHandlers } from '../../electron/main/ipc/register.js';
import type { SenderFrameLike } from '../../electron/main/ipc/sender.js';
import { APP_ORIGIN, handleAppRequest } from '../../electron/main/protocol.js';
import { preloadInitScript } from '../../electron/preload/build-api.js';
import { FakeClipboard, FakeClipboardItem, FakeDialog, FakeIpcMain } from '../unit/main/helpers.js';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const RENDERER_DIR = join(ROOT, 'dist', 'renderer');
/** The fake https origin the renderer is served from; main's allowed origin in these tests. */
export const TEST_ORIGIN = 'https://coffer.invalid';
export const APP_URL = `${TEST_ORIGIN}/`;
export const BINDING = '__cofferInvoke';
/** The emulated preload's hidden entry for main's events (webContents.send in the app). */
export const EVENT_HOOK = '__cofferMainEvent';
export const CHROMIUM = '/usr/bin/chromium';
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-dev-shm-usage',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];
/** DECISIONS.md "Tests and tooling": m = 8 MiB, t = 1, p = 1. */
export const E2E_KDF: KdfParams = Object.freeze({ memoryKiB: 8192, iterations: 1, parallelism: 1 });
export const SCREENSHOT_DIR = join(ROOT, 'test-results', 'e2e');

// ------------------------------------------------------------------ fakes

// The same doubles as main's unit tests: Electron's ipcMain, clipboard and dialog.
export { FakeClipboard, FakeDialog, FakeIpcMain };

/** The sender frame main sees for a call from a Playwright frame: its URL, origin and parent chain. */
export function senderFrameOf(frame: Frame): SenderFrameLike {
  const url = frame.url();
  let origin = 'null';
  try {
    origin = new URL(url).origin;
  } catch {
    // about:blank and friends: an opaque origin.
  }
  const parent = frame.parentFrame();
  return { url, origin, parent: parent === null ? null : senderFrameOf(parent) };
}

// ---------------------------------------------------------------- renderer

let built = false;

/**
 * Builds the renderer once if dist/renderer/index.html is missing (the
 * global setup builds it unless COFFER_SKIP_BUILD=1). Test files run in
 * parallel: a lock folder keeps two of them from building at once.
 */
export function ensureRendererBuilt(): void {
  if (built || existsSync(join(RENDERER_DIR, 'index.html'))) {
    built = true;
    return;
  }
  const lock = join(ROOT, 'test-results', '.e2e-build.lock');
  mkdirSync(join(ROOT, 'test-results'), { recursive: true });
  const deadline = Date.now() + 120_000;
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      if (existsSync(join(RENDERER_DIR, 'index.html'))) return;
      if (Date.now() > deadline) throw new Error(`e2e: gave up waiting for ${lock} (remove it if no build is running)`);
      spawnSync('sleep', ['0.5']);
    }
  }
  try {
    if (!existsSync(join(RENDERER_DIR, 'index.html'))) {
      // The same build as npm start's (production React, whatever NODE_ENV vitest set).
      const r = spawnSync(process.execPath, [join(ROOT, 'scripts', 'build.mjs'), 'renderer'], { cwd: ROOT, stdio: 'inherit' });
      if (r.status !== 0 || !existsSync(join(RENDERER_DIR, 'index.html'))) {
        throw new Error(`e2e: \`node scripts/build.mjs renderer\` did not produce ${join(RENDERER_DIR, 'index.html')} (exit ${r.status})`);
      }
    }
    built = true;
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

// ------------------------------------------------------------------ launch

export interface LaunchOptions {
  /** Folder for vault files (default: a fresh temporary folder, removed on close). */
  vaultDir?: string;
  /** The profile folder (settings, recent vaults, identities); default `<vaultDir>/profile`. */
  profileDir?: string;
  /** Written to the settings before the page loads (min 5, as the contract allows). */
  clipboardClearSeconds?: number;
  autoLockMinutes?: number;
  /** Timers for the clipboard clear (default: real ones). */
  timers?: TimersLike;
  kdf?: KdfParams;
  /** The renderer bundle served at https://coffer.invalid/ (default dist/renderer, built if missing). */
  rendererDir?: string;
  /** Where the page is opened (default https://coffer.invalid/); `null` to not navigate. */
  url?: string | null;
  viewport?: { width: number; height: number };
  colorScheme?: 'light' | 'dark';
  /** The keychain main uses (default: an in-memory one; the remember-me test passes the real OS keychain). */
  keychain?: Keychain;
}

export interface CallRecord {
  channel: string;
  /** The sender's URL and whether the gate let it through. */
  senderUrl: string;
  ok: boolean;
  code?: string;
}

export interface App {
  page: Page;
  browser: Browser;
  services: MainServices;
  ipc: FakeIpcMain;
  clipboard: FakeClipboard;
  /** The OS file picker: queue what the person picks with `dialog.willChoose(path | null)`. */
  dialog: FakeDialog;
  vaultDir: string;
  profileDir: string;
  /** Every IPC call the page made, in order (channel and outcome only: never inputs or values). */
  calls: CallRecord[];
  /** Main-process warnings (e.g. "KDF parameters below the defaults"). */
  warnings: string[];
  /** The page's console errors and uncaught exceptions (a CSP refusal shows up here). */
  pageErrors: string[];
  /** Calls a channel as the app's top frame would (for set-up or checks from the test). */
  call<C extends Channel>(channel: C, input: ChannelInput<C>): Promise<Result<ChannelOutput<C>>>;
  /** Calls a channel as an arbitrary sender frame would (through the real gate). */
  callAs(senderFrame: SenderFrameLike | null, channel: Channel, input: unknown): Promise<Result<unknown>>;
  /** Sends an event to the page as main does (the app menu's commands, a lock by main). */
  emit(event: AppEvent): Promise<void>;
  /** Every event main sent the page, in order. */
  events: AppEvent[];
  close(): Promise<void>;
}

export async function launchApp(options: LaunchOptions = {}): Promise<App> {
  // A test that serves its own pages (url: null) does not need the bundle.
  if (options.url !== null && options.rendererDir === undefined) ensureRendererBuilt();
  const ownDir = options.vaultDir === undefined;
  const vaultDir = options.vaultDir ?? (await mkdtemp(join(tmpdir(), 'coffer-e2e-')));
  const profileDir = options.profileDir ?? join(vaultDir, 'profile');
  const warnings: string[] = [];
  const clipboard = new FakeClipboard();
  const dialog = new FakeDialog();
  const events: AppEvent[] = [];
  // Main's events reach the page once it exists (a lock on close finds none: nothing to tell).
  let deliver: ((event: AppEvent) => Promise<void>) | undefined;
  const emit = async (event: AppEvent): Promise<void> => {
    events.push(appEventSchema.parse(event));
    await deliver?.(event);
  };
  const services = createMainServices({
    profileDir,
    keychain: options.keychain ?? new MemoryKeychain(),
    clipboard,
    ClipboardItem: FakeClipboardItem,
    // The markers of the machine the browser tests run on (they read only the text).
    platform: process.platform,
    dialog,
    notify: (e) => void emit(e),
    kdf: options.kdf ?? E2E_KDF,
    ...(options.timers ? { timers: options.timers } : {}),
    onWarning: (m) => warnings.push(m),
  });
  if (options.clipboardClearSeconds !== undefined || options.autoLockMinutes !== undefined) {
    await services.settings.set({
      ...(options.clipboardClearSeconds === undefined ? {} : { clipboardClearSeconds: options.clipboardClearSeconds }),
      ...(options.autoLockMinutes === undefined ? {} : { autoLockMinutes: options.autoLockMinutes }),
    });
  }
  const ipc = new FakeIpcMain();
  const registration = registerHandlers(ipc, services.handlers, {
    allowedOrigin: TEST_ORIGIN,
    onUnexpectedError: (channel, e) => warnings.push(`unexpected error in ${channel}: ${e instanceof Error ? e.stack : String(e)}`),
  });
  const calls: CallRecord[] = [];
  const pageErrors: string[] = [];

  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true });
  let closed = false;
  const close = async (): Promise<void> => {
    if (closed) return;
    closed = true;
    await browser.close().catch(() => undefined);
    services.session.lockNow();
    services.clipboard.clearNow();
    registration.dispose();
    if (ownDir) await rm(vaultDir, { recursive: true, force: true, maxRetries: 10, retryDelay: 50 });
  };
  try {
    const context = await browser.newContext({
      viewport: options.viewport ?? { width: 1280, height: 800 },
      colorScheme: options.colorScheme ?? 'light',
      reducedMotion: 'reduce',
    });
    const page = await context.newPage();
    page.on('console', (m) => {
      if (m.type() === 'error') pageErrors.push(`console: ${m.text()}`);
    });
    page.on('pageerror', (e) => pageErrors.push(`uncaught: ${e.message}`));

    // No remote content: anything not routed below is aborted.
    await page.route('**/*', (route) => route.abort('blockedbyclient'));
    await routeAppOrigin(page, options.rendererDir ?? RENDERER_DIR);

    await page.exposeBinding(BINDING, async (source, channel: unknown, input: unknown) => {
      const sender = senderFrameOf(source.frame);
      const result = (await ipc.invoke(String(channel), sender, input)) as Result<unknown>;
      calls.push({ channel: String(channel), senderUrl: sender.url, ok: result.ok, ...(result.ok ? {} : { code: result.code }) });
      return result;
    });
    await page.addInitScript(preloadInitScript(BINDING, EVENT_HOOK));
    deliver = async (event) => {
      if (closed || page.isClosed()) return;
      await page
        .evaluate(([hook, e]) => (globalThis as unknown as Record<string, ((e: unknown) => void) | undefined>)[hook]?.(e), [EVENT_HOOK, event] as const)
        // The page may be navigating or closing; an event for a gone page has nobody to tell.
        .catch(() => undefined);
    };

    const url = options.url === undefined ? APP_URL : options.url;
    if (url !== null) await page.goto(url);

    const appFrame: SenderFrameLike = { url: APP_URL, origin: TEST_ORIGIN, parent: null };
    return {
      page,
      browser,
      services,
      ipc,
      clipboard,
      dialog,
      vaultDir,
      profileDir,
      calls,
      emit,
      events,
      warnings,
      pageErrors,
      call: async (channel, input) =>
        (await ipc.invoke(ipcChannel(channel), appFrame, input)) as Result<ChannelOutput<typeof channel>>,
      callAs: async (senderFrame, channel, input) => (await ipc.invoke(ipcChannel(channel), senderFrame, input)) as Result<unknown>,
      close,
    };
  } catch (e) {
    await close();
    throw e;
  }
}

/**
 * Serves `rendererDir` at https://coffer.invalid/ as the app serves it at
 * app://coffer/: the request goes through handleAppRequest with its path
 * unchanged (same method check, path checks, headers and CSP).
 */
export async function routeAppOrigin(page: Page, rendererDir: string): Promise<void> {
  await page.route(
    (url) => url.origin === TEST_ORIGIN,
    async (route) => {
      const req = route.request();
      const res = await handleAppRequest(new Request(APP_ORIGIN + req.url().slice(TEST_ORIGIN.length), { method: req.method() }), rendererDir);
      await route.fulfill({ status: res.status, headers: Object.fromEntries(res.headers), body: Buffer.from(await res.arrayBuffer()) });
    },
  );
}

/** Saves a full-page screenshot as test-results/e2e/<step>.png and returns its path. */
export async function screenshot(page: Page, step: string): Promise<string> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const path = join(SCREENSHOT_DIR, `${step}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}

export interface A11yFinding {
  step: string;
  id: string;
  impact: string;
  help: string;
  targets: string[];
}

/** Every axe finding of every step, serious or not, for the report at the end of a suite. */
export const a11yFindings: A11yFinding[] = [];
/** How many scans ran, and how many checks axe could not decide (e.g. contrast over an image) and left for review. */
export const a11yStats = { scans: 0, incomplete: [] as { step: string; id: string }[] };

/**
 * Runs axe on the page as it is now; returns the serious and critical
 * violations (all findings are also kept in `a11yFindings`). Tests assert the
 * returned list is empty, printing it otherwise.
 */
export async function axeScan(page: Page, step: string): Promise<A11yFinding[]> {
  const results = await new AxeBuilder({ page }).analyze();
  a11yStats.scans++;
  a11yStats.incomplete.push(...results.incomplete.map((r) => ({ step, id: r.id })));
  const findings = results.violations.map((v) => ({
    step,
    id: v.id,
    impact: v.impact ?? 'unknown',
    help: v.help,
    targets: v.nodes.slice(0, 5).map((n) => n.target.join(' ')),
  }));
  a11yFindings.push(...findings);
  return findings.filter((f) => f.impact === 'serious' || f.impact === 'critical');
}

export function formatFindings(findings: A11yFinding[]): string {
  return findings.map((f) => `[${f.step}] ${f.impact} ${f.id}: ${f.help} — ${f.targets.join(', ')}`).join('\n');
}

/** One step of a suite as a person sees it: its screenshot, then axe; a serious or critical finding fails the test. */
export async function checkScreen(page: Page, step: string): Promise<void> {
  await screenshot(page, step);
  const serious = await axeScan(page, step);
  expect(serious, formatFindings(serious)).toEqual([]);
}

/** The locators the suites use: by role (or label) and exact name, waiting up to `timeout` ms. */
export function locators(page: Page, timeout = 15_000) {
  return {
    field: (scope: Locator | Page, label: string): Locator => scope.getByLabel(label, { exact: true }).first(),
    button: (scope: Locator | Page, name: string): Locator => scope.getByRole('button', { name, exact: true }),
    dialog: (name: string): Locator => page.getByRole('dialog', { name, exact: true }),
    visible: (l: Locator): Promise<void> => l.waitFor({ state: 'visible', timeout }),
    hidden: (l: Locator): Promise<void> => l.waitFor({ state: 'hidden', timeout }),
  };
}
