/**
 * A sync service's conflicted copy as a person meets it: the vault in a
 * synced folder, a Dropbox conflicted copy beside it written by another
 * computer (the engine, in another profile), and a Syncthing copy of another
 * vault. Opening the vault in the app shows the banner; Merge, from the
 * keyboard, merges in main, reports each copy, and the other computer's
 * secret is listed without a relock; the copy is renamed aside. Real main
 * handlers and engine, the built renderer in Chromium; each screen passes axe
 * (screenshots in test-results/e2e/conflicts-*.png).
 */
import { copyFile, readdir } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Locator, Page } from 'playwright-core';
import { L } from '../../renderer/app/labels.js';
import { createVault, openVault } from '../../electron/vault/vault.js';
import { checkScreen, E2E_KDF, launchApp, type App } from './harness.js';

const PASSPHRASE = 'team vault passphrase 4b7e!';
const UI_TIMEOUT = 15_000;
const enc = (s: string) => new TextEncoder().encode(s);

let app: App;
let page: Page;
let vaultPath: string;
let dropbox: string;

const button = (scope: Locator | Page, name: string): Locator => scope.getByRole('button', { name, exact: true });
const visible = (l: Locator): Promise<void> => l.waitFor({ state: 'visible', timeout: UI_TIMEOUT });


describe('conflicted copies beside the open vault (Chromium, real main handlers)', () => {
  beforeAll(async () => {
    app = await launchApp({ viewport: { width: 1400, height: 900 } });
    page = app.page;
    vaultPath = join(app.vaultDir, 'team.coffer');
    const here = await createVault({ path: vaultPath, profileDir: join(app.vaultDir, 'desktop-profile'), passphrase: enc(PASSPHRASE), kdf: E2E_KDF });
    await here.secrets.set({ name: 'shared', value: enc('v1') });
    here.close();
    await here.settled();
    // The laptop wrote to its copy before it heard of this one's change: Dropbox kept its file beside the vault.
    dropbox = join(app.vaultDir, "team (Ann's conflicted copy 2026-12-04).coffer");
    await copyFile(vaultPath, dropbox);
    const laptop = await openVault({ path: dropbox, profileDir: join(app.vaultDir, 'laptop-profile'), passphrase: enc(PASSPHRASE) });
    await laptop.secrets.set({ name: 'from-laptop', value: enc('laptop value') });
    laptop.close();
    await laptop.settled();
    const other = await createVault({ path: join(app.vaultDir, 'team.sync-conflict-20261204-101500-ABCDEF7.coffer'), profileDir: join(app.vaultDir, 'other-profile'), passphrase: enc('x'), kdf: E2E_KDF });
    other.close();
    await other.settled();
  }, 60_000);
  afterAll(async () => {
    await app?.close();
  });

  it('opening the vault shows the banner: both copies, the other vault’s with why', async () => {
    const open = page.getByRole('region', { name: L.openRegion, exact: true });
    await visible(open);
    await open.getByLabel(L.openPath, { exact: true }).fill(vaultPath);
    await open.getByLabel(L.openPassphrase, { exact: true }).fill(PASSPHRASE);
    await page.keyboard.press('Enter');
    const banner = page.getByRole('status', { name: L.conflictsTitle(2, ['Dropbox', 'Syncthing']), exact: true });
    await visible(banner);
    expect(await banner.getByRole('list', { name: L.conflictsList, exact: true }).textContent()).toContain(basename(dropbox));
    expect(await banner.textContent()).toContain('a copy of another vault');
    expect(await page.getByRole('option', { name: 'from-laptop' }).count()).toBe(0);
    await checkScreen(page, 'conflicts-01-banner');
  });

  it('Merge from the keyboard: each copy reported, the laptop’s secret listed without a relock, the copy renamed aside', async () => {
    await button(page, L.conflictsMergeButton(1)).focus();
    await page.keyboard.press('Enter');
    const report = page.getByRole('status', { name: L.conflictsPartlyMergedTitle, exact: true });
    await visible(report);
    expect(await report.textContent()).toContain(`${basename(dropbox)}: merged, 1 change added; the copy is now ${basename(dropbox)}.merged-`);
    await visible(page.getByRole('option', { name: 'from-laptop' }));
    await checkScreen(page, 'conflicts-02-merged');
    expect(app.calls.map((c) => c.channel)).not.toContain('vault:lock');
    const files = await readdir(app.vaultDir);
    expect(files).not.toContain(basename(dropbox));
    expect(files.some((f) => f.startsWith(`${basename(dropbox)}.merged-`))).toBe(true);
    // The focus is on the report's Close (the Merge button is gone).
    await page.keyboard.press('Enter');
    await report.waitFor({ state: 'hidden', timeout: UI_TIMEOUT });
    expect(app.pageErrors).toEqual([]);
  });
});
