/**
 * What the desktop shell adds to the newcomer's path (issue 3): the OS file
 * pickers behind Choose… on the start screen, the app menu's commands (New
 * secret, Find) and a lock done by main (the menu's Lock, closing the last
 * window, quitting), which must clear the page as the Lock button does. Main
 * and its events are the real handlers (createMainServices' notify → the
 * emulated preload's cofferEvents); the picker is a FakeDialog answering as a
 * person would. Each screen passes axe; screenshots go to test-results/e2e/.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Locator, Page } from 'playwright-core';
import { L, shortVersion } from '../../renderer/app/labels.js';
import { checkScreen, launchApp, type App } from './harness.js';

const PASSPHRASE = 'correct horse battery staple 42!';
const VALUE = 'picked-vault-value-6c1d0e';
const UI_TIMEOUT = 10_000;

let app: App;
let page: Page;

const region = (name: string): Locator => page.getByRole('region', { name, exact: true });
const field = (scope: Locator | Page, label: string): Locator => scope.getByLabel(label, { exact: true }).first();
const button = (scope: Locator | Page, name: string): Locator => scope.getByRole('button', { name, exact: true });

/** The type of the focused input in the page ('password', 'search'…), read in the page. */
function focusedInputType(): Promise<string | undefined> {
  return page.evaluate(() => (globalThis as unknown as { document: { activeElement: { type?: string } | null } }).document.activeElement?.type);
}


describe('the desktop shell: file pickers, menu commands, lock by main (Chromium, real main handlers)', () => {
  beforeAll(async () => {
    app = await launchApp({ colorScheme: 'dark' });
    page = app.page;
  }, 60_000);
  afterAll(async () => {
    await app?.close();
  });

  it("suggests the profile's personal vault; Choose… picks another place, adding .coffer", async () => {
    const create = region(L.createRegion);
    await create.waitFor({ state: 'visible', timeout: UI_TIMEOUT });
    const suggested = join(app.profileDir, 'personal.coffer');
    await expect.poll(() => field(create, L.createPath).inputValue(), { timeout: UI_TIMEOUT }).toBe(suggested);
    await checkScreen(page, 'desktop-01-start-dark');

    app.dialog.willChoose(join(app.vaultDir, 'picked'));
    await button(create, L.chooseNewPath).click();
    await expect.poll(() => field(create, L.createPath).inputValue(), { timeout: UI_TIMEOUT }).toBe(join(app.vaultDir, 'picked.coffer'));
    // The save picker opened at the suggested file, modal, filtered to .coffer.
    expect(app.dialog.shown[0]).toMatchObject({ kind: 'save', options: { defaultPath: suggested, filters: [{ extensions: ['coffer'] }] } });
    // Focus moved on to the passphrase.
    await expect.poll(() => focusedInputType()).toBe('password');

    await field(create, L.createPassphrase).fill(PASSPHRASE);
    await field(create, L.createRepeat).fill(PASSPHRASE);
    await button(create, L.createButton).click();
    await button(page, L.newSecretButton).waitFor({ state: 'visible', timeout: UI_TIMEOUT });
    expect(await app.services.session.status()).toMatchObject({ state: 'unlocked', path: join(app.vaultDir, 'picked.coffer') });
  });

  it("the menu's New secret opens the dialog; Find focuses the search box", async () => {
    await app.emit({ type: 'command', command: 'newSecret' });
    const d = page.getByRole('dialog', { name: L.newSecretDialog, exact: true });
    await d.waitFor({ state: 'visible', timeout: UI_TIMEOUT });
    await field(d, L.fieldName).fill('picked-secret');
    await field(d, L.fieldValue).fill(VALUE);
    await button(d, L.saveButton).click();
    await d.waitFor({ state: 'hidden', timeout: UI_TIMEOUT });

    await app.emit({ type: 'command', command: 'find' });
    await expect.poll(() => focusedInputType(), { timeout: UI_TIMEOUT }).toBe('search');
  });

  it('Settings: the idle time and clipboard delay, saved in main', async () => {
    await button(page, L.settingsButton).click();
    const d = page.getByRole('dialog', { name: L.settingsDialog, exact: true });
    await d.waitFor({ state: 'visible', timeout: UI_TIMEOUT });
    await expect.poll(() => field(d, L.settingsAutoLock).inputValue(), { timeout: UI_TIMEOUT }).toBe('5');
    await checkScreen(page, 'desktop-02-settings');
    await field(d, L.settingsClipboard).fill('20');
    await button(d, L.saveButton).click();
    await d.waitFor({ state: 'hidden', timeout: UI_TIMEOUT });
    expect(await app.services.settings.get()).toEqual({ autoLockMinutes: 5, clipboardClearSeconds: 20, lockOnMinimize: false });
  });

  it('a lock by main (menu, last window closed, quit) clears revealed values from the page', async () => {
    await page.getByText('picked-secret', { exact: true }).first().click();
    const versions = await app.call('secrets:listVersions', { name: 'picked-secret' });
    if (!versions.ok) throw new Error(versions.message);
    const short = shortVersion(versions.value[0]!.id.split('/').pop()!);
    await button(page, L.revealVersion(short)).click();
    await expect.poll(() => page.content(), { timeout: UI_TIMEOUT }).toContain(VALUE);
    await checkScreen(page, 'desktop-03-revealed-dark');

    // What the menu's Lock does in app.ts: main locks, then tells the page.
    await app.services.session.lock();
    expect(app.events.at(-1)).toEqual({ type: 'locked' });
    await region(L.unlockRegion).waitFor({ state: 'visible', timeout: UI_TIMEOUT });
    expect(await page.content()).not.toContain(VALUE);
    expect(await page.content()).not.toContain('picked-secret');
    await checkScreen(page, 'desktop-04-locked-by-main');
  });

  it('Open another vault → Choose… picks a file to open', async () => {
    await button(page, L.otherVaultButton).click();
    const open = region(L.openRegion);
    await open.waitFor({ state: 'visible', timeout: UI_TIMEOUT });
    app.dialog.willChoose(join(app.vaultDir, 'picked.coffer'));
    await button(open, L.chooseOpenPath).click();
    await expect.poll(() => field(open, L.openPath).inputValue(), { timeout: UI_TIMEOUT }).toBe(join(app.vaultDir, 'picked.coffer'));
    expect(app.dialog.shown.at(-1)).toMatchObject({ kind: 'open', options: { properties: ['openFile', 'dontAddToRecent'] } });
    await field(open, L.openPassphrase).fill(PASSPHRASE);
    await button(open, L.openButton).click();
    await page.getByText('picked-secret', { exact: true }).first().waitFor({ state: 'visible', timeout: UI_TIMEOUT });
    expect(app.pageErrors).toEqual([]);
  });
});
