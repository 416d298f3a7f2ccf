/**
 * Session security as a person sees it (issue 4 "Proof: E2E"), in headless
 * Chromium with the real main handlers and the built renderer:
 *
 * 1. Auto-lock after idle. Playwright's clock (`page.clock.install()` before
 *    the page loads) replaces the page's Date and timers, so the test jumps
 *    minutes ahead with `clock.fastForward` instead of waiting: the vault
 *    locks after Settings' idle time (the unlock screen shows, the revealed
 *    value leaves the DOM, main says locked), and a key press or a mouse move
 *    before the deadline postpones it.
 *
 * 2. A lock leaves no revealed value in the page: neither in the DOM (the
 *    serialized document, every field's value) nor in the renderer's
 *    JavaScript heap (a V8 heap snapshot taken over CDP after a forced GC).
 *    A snapshot taken while the value shows DOES contain it (the positive
 *    control that proves the check can see a value at all). Checked for the
 *    Lock button and for a lock by main (the menu, quitting: main locks, then
 *    tells the page). Today the stores' reset on lock (resetAllStores) is
 *    enough: nothing else keeps the value alive. Should this ever fail, the
 *    robust remedy is to reload the page after a lock (a fresh JS heap).
 *
 * The canary value is put into the vault from Node (never typed into the
 * page, never passed to page.evaluate or a text locator: each of those would
 * itself leave a copy in the page's heap) and reaches the page only through
 * Reveal. Assertions on it are booleans, so a failure never prints it.
 */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Locator, Page } from 'playwright-core';
import { L, shortVersion } from '../../renderer/app/labels.js';
import { APP_URL, ensureRendererBuilt, launchApp, screenshot, type App } from './harness.js';

const PASSPHRASE = 'correct horse battery staple 42!';
const UI_TIMEOUT = 10_000;

const region = (page: Page, name: string): Locator => page.getByRole('region', { name, exact: true });
const field = (scope: Locator | Page, label: string): Locator => scope.getByLabel(label, { exact: true }).first();
const button = (scope: Locator | Page, name: string): Locator => scope.getByRole('button', { name, exact: true });

/** Launches the app without loading the page, so a test can install Playwright's clock first. */
async function launchUnloaded(options: Parameters<typeof launchApp>[0] = {}): Promise<App> {
  ensureRendererBuilt();
  return launchApp({ ...options, url: null });
}

/** Creates a vault on the start screen as a person does (the suggested path, the passphrase twice). */
async function createVaultInPage(app: App): Promise<string> {
  const { page } = app;
  const create = region(page, L.createRegion);
  await create.waitFor({ state: 'visible', timeout: UI_TIMEOUT });
  const path = join(app.vaultDir, 'session.coffer');
  await field(create, L.createPath).fill(path);
  await field(create, L.createPassphrase).fill(PASSPHRASE);
  await field(create, L.createRepeat).fill(PASSPHRASE);
  await button(create, L.createButton).click();
  await button(page, L.newSecretButton).waitFor({ state: 'visible', timeout: UI_TIMEOUT });
  return path;
}

async function addSecretInPage(page: Page, name: string, value: string): Promise<void> {
  await button(page, L.newSecretButton).click();
  const d = page.getByRole('dialog', { name: L.newSecretDialog, exact: true });
  await d.waitFor({ state: 'visible', timeout: UI_TIMEOUT });
  await field(d, L.fieldName).fill(name);
  await field(d, L.fieldValue).fill(value);
  await button(d, L.saveButton).click();
  await d.waitFor({ state: 'hidden', timeout: UI_TIMEOUT });
}

/** Opens `name` from the list and reveals its latest version; returns that version's revealed-value region. */
async function revealLatest(app: App, name: string): Promise<Locator> {
  const { page } = app;
  const detail = region(page, L.detailRegion(name));
  if (!(await detail.isVisible())) await page.getByText(name, { exact: true }).first().click();
  await detail.waitFor({ state: 'visible', timeout: UI_TIMEOUT });
  const versions = await app.call('secrets:listVersions', { name });
  if (!versions.ok) throw new Error(`listVersions: ${versions.code} ${versions.message}`);
  const short = shortVersion(versions.value[0]!.id.split('/').pop()!);
  await button(detail, L.revealVersion(short)).click();
  const shown = region(page, L.revealedValue(short));
  await shown.waitFor({ state: 'visible', timeout: UI_TIMEOUT });
  return shown;
}

async function unlockInPage(page: Page): Promise<void> {
  const unlock = region(page, L.unlockRegion);
  await unlock.waitFor({ state: 'visible', timeout: UI_TIMEOUT });
  await field(unlock, L.unlockPassphrase).fill(PASSPHRASE);
  await button(unlock, L.unlockButton).click();
  await button(page, L.newSecretButton).waitFor({ state: 'visible', timeout: UI_TIMEOUT });
}

/** What main says, through the same channel the page uses. */
async function mainState(app: App): Promise<string> {
  const r = await app.call('vault:status', {});
  if (!r.ok) throw new Error(`vault:status: ${r.code} ${r.message}`);
  return r.value.state;
}

/** The document as serialized now and every form field's current value (read in the page, compared here). */
async function pageText(page: Page): Promise<{ html: string; values: string[] }> {
  return page.evaluate(() => {
    const d = (globalThis as unknown as { document: { documentElement: { outerHTML: string }; querySelectorAll(s: string): ArrayLike<{ value: string }> } }).document;
    return { html: d.documentElement.outerHTML, values: Array.from(d.querySelectorAll('input, textarea, select'), (e) => e.value) };
  });
}

/**
 * A V8 heap snapshot of the page's renderer (its whole isolate: every world and
 * context), after a full garbage collection, as one JSON string.
 */
async function heapSnapshot(page: Page): Promise<string> {
  const cdp = await page.context().newCDPSession(page);
  const chunks: string[] = [];
  cdp.on('HeapProfiler.addHeapSnapshotChunk', (e) => chunks.push(e.chunk));
  try {
    await cdp.send('HeapProfiler.enable');
    await cdp.send('HeapProfiler.collectGarbage');
    await cdp.send('HeapProfiler.takeHeapSnapshot', { reportProgress: false });
    await cdp.send('HeapProfiler.disable');
  } finally {
    await cdp.detach().catch(() => undefined);
  }
  const snapshot = chunks.join('');
  // A real snapshot (a failed capture would make every "does not contain" pass).
  expect(snapshot.startsWith('{"snapshot":')).toBe(true);
  expect(snapshot.length).toBeGreaterThan(100_000);
  return snapshot;
}

/** The app with Playwright's clock installed before the page loads: the renderer's realClock then reads its Date and timers. */
async function launchOnControlledClock(opts: Parameters<typeof launchUnloaded>[0] = {}): Promise<App> {
  const app = await launchUnloaded(opts);
  await app.page.clock.install();
  await app.page.goto(APP_URL);
  return app;
}

describe('auto-lock after idle, on a controlled clock (Chromium, real main handlers)', () => {
  describe('with the default idle time (5 minutes)', () => {
    const VALUE = 'idle-value-9d41c7';
    let app: App;
    let page: Page;

    beforeAll(async () => {
      app = await launchOnControlledClock();
      page = app.page;
    }, 60_000);
    afterAll(async () => {
      await app?.close();
    });

    it('locks after 5 idle minutes: unlock screen, value gone from the page, main locked', async () => {
      await createVaultInPage(app);
      await addSecretInPage(page, 'idle-secret', VALUE);
      const shown = await revealLatest(app, 'idle-secret');
      expect(await shown.textContent()).toContain(VALUE);
      expect((await app.services.settings.get()).autoLockMinutes).toBe(5);

      // 4 min 30 s without activity (plus the real seconds the test takes): still open.
      await page.clock.fastForward('04:30');
      expect(await shown.isVisible()).toBe(true);
      expect(await region(page, L.unlockRegion).isVisible()).toBe(false);
      expect(await mainState(app)).toBe('unlocked');

      // Past 5 minutes: the page locks itself and asks main to lock.
      await page.clock.fastForward('00:31');
      await region(page, L.unlockRegion).waitFor({ state: 'visible', timeout: UI_TIMEOUT });
      await expect.poll(() => mainState(app), { timeout: UI_TIMEOUT }).toBe('locked');
      expect(await app.services.session.status()).toMatchObject({ state: 'locked' });
      const after = await pageText(page);
      expect(after.html.includes(VALUE)).toBe(false);
      expect(after.html.includes('idle-secret')).toBe(false);
      expect(after.values.some((v) => v.includes(VALUE))).toBe(false);
      expect((await heapSnapshot(page)).includes(VALUE)).toBe(false);
      await screenshot(page, 'session-01-auto-locked');
    });
  });

  describe('with the idle time preset to 2 minutes', () => {
    const VALUE = 'activity-value-2be8f0';
    let app: App;
    let page: Page;

    beforeAll(async () => {
      app = await launchOnControlledClock({ autoLockMinutes: 2 });
      page = app.page;
    }, 60_000);
    afterAll(async () => {
      await app?.close();
    });

    it('a key press or a mouse move before the deadline postpones the lock', async () => {
      await createVaultInPage(app);
      await addSecretInPage(page, 'busy-secret', VALUE);
      const shown = await revealLatest(app, 'busy-secret');
      const stillOpen = async (): Promise<void> => {
        expect(await shown.isVisible()).toBe(true);
        expect(await region(page, L.unlockRegion).isVisible()).toBe(false);
        expect(await mainState(app)).toBe('unlocked');
      };

      await page.clock.fastForward('01:30');
      await stillOpen();
      // A key press at 1:30: 1:50 later (3:20 in all, past the 2 minutes) still open.
      await page.keyboard.press('Shift');
      await page.clock.fastForward('01:50');
      await stillOpen();
      // A mouse move at 3:20: 1:50 later still open.
      await page.mouse.move(200, 300);
      await page.mouse.move(240, 320);
      await page.clock.fastForward('01:50');
      await stillOpen();

      // Then 2 minutes without activity: locked.
      await page.clock.fastForward('00:11');
      await region(page, L.unlockRegion).waitFor({ state: 'visible', timeout: UI_TIMEOUT });
      await expect.poll(() => mainState(app), { timeout: UI_TIMEOUT }).toBe('locked');
      expect((await pageText(page)).html.includes(VALUE)).toBe(false);
    });
  });
});

describe('a lock clears revealed values from the DOM and from the JavaScript heap (Chromium, CDP heap snapshots)', () => {
  const CANARY = `CANARY-e2e-${randomBytes(12).toString('hex')}`;
  const NAME = 'canary-secret';
  let app: App;
  let page: Page;

  beforeAll(async () => {
    app = await launchUnloaded();
    page = app.page;
    // The vault and the canary come from Node: the page first sees the value on Reveal.
    const path = join(app.vaultDir, 'canary.coffer');
    const created = await app.call('vault:create', { path, passphrase: PASSPHRASE });
    if (!created.ok) throw new Error(`vault:create: ${created.code} ${created.message}`);
    const set = await app.call('secrets:set', { name: NAME, value: CANARY });
    if (!set.ok) throw new Error(`secrets:set: ${set.code} ${set.message}`);
    await page.goto(APP_URL);
    await page.getByText(NAME, { exact: true }).first().waitFor({ state: 'visible', timeout: UI_TIMEOUT });
  }, 60_000);
  afterAll(async () => {
    await app?.close();
  });

  /** Reveals the canary and checks that both the DOM and a heap snapshot hold it (the positive control). */
  async function revealCanary(): Promise<void> {
    // Before Reveal the page has only names: the value is nowhere in its heap.
    expect((await heapSnapshot(page)).includes(CANARY)).toBe(false);
    await revealLatest(app, NAME);
    expect((await pageText(page)).html.includes(CANARY)).toBe(true);
    expect((await heapSnapshot(page)).includes(CANARY)).toBe(true);
  }

  async function expectCanaryGone(): Promise<void> {
    await region(page, L.unlockRegion).waitFor({ state: 'visible', timeout: UI_TIMEOUT });
    await expect.poll(() => mainState(app), { timeout: UI_TIMEOUT }).toBe('locked');
    const { html, values } = await pageText(page);
    expect(html.includes(CANARY)).toBe(false);
    expect(values.length).toBeGreaterThan(0); // the unlock screen's passphrase field, at least
    expect(values.some((v) => v.includes(CANARY))).toBe(false);
    expect((await heapSnapshot(page)).includes(CANARY)).toBe(false);
  }

  it('the Lock button', async () => {
    await revealCanary();
    await button(page, L.lockButton).click();
    await expectCanaryGone();
    await screenshot(page, 'session-02-locked-by-button');
  });

  it("a lock by main (the menu's Lock, quitting): main locks, then tells the page", async () => {
    await unlockInPage(page);
    await revealCanary();
    const before = app.events.length;
    // What the menu's Lock does in app.ts: main locks, which emits { type: 'locked' } to the page.
    await app.services.session.lock();
    expect(app.events.slice(before)).toEqual([{ type: 'locked' }]);
    await expectCanaryGone();
    await screenshot(page, 'session-03-locked-by-main');
    expect(app.pageErrors).toEqual([]);
  });
});
