/**
 * My identity as a person uses it, from the keyboard: created on the start
 * screen (name, passphrase twice), its invite copied by main and its
 * fingerprint in groups, as `coffer identity show` prints them from the
 * same profile. Real main handlers and engine, the built renderer in
 * Chromium; each screen passes axe (screenshots in
 * test-results/e2e/identity-*.png).
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Locator, Page } from 'playwright-core';
import { L } from '../../renderer/app/labels.js';
import { readIdentityFile } from '../../electron/vault/access/identity-file.js';
import { axeScan, formatFindings, launchApp, screenshot, type App } from './harness.js';

const IDENTITY_PASSPHRASE = 'bob identity passphrase 5e1d!';
const UI_TIMEOUT = 15_000;

let app: App;
let page: Page;

const button = (scope: Locator | Page, name: string): Locator => scope.getByRole('button', { name, exact: true });
const dialog = (name: string): Locator => page.getByRole('dialog', { name, exact: true });
const visible = (l: Locator): Promise<void> => l.waitFor({ state: 'visible', timeout: UI_TIMEOUT });
const hidden = (l: Locator): Promise<void> => l.waitFor({ state: 'hidden', timeout: UI_TIMEOUT });

async function checkScreen(step: string): Promise<void> {
  await screenshot(page, step);
  const serious = await axeScan(page, step);
  expect(serious, formatFindings(serious)).toEqual([]);
}

describe('My identity (Chromium, real main handlers, keyboard only)', () => {
  beforeAll(async () => {
    app = await launchApp({ viewport: { width: 1400, height: 900 } });
    page = app.page;
    await visible(page.getByRole('region', { name: L.createRegion, exact: true }));
  }, 60_000);
  afterAll(async () => {
    await app?.close();
  });

  it('creates an identity from the start screen, then shows its invite and fingerprint as `coffer identity show` does', async () => {
    await button(page, L.myIdentityButton).focus();
    await page.keyboard.press('Enter');
    const d = dialog(L.identityDialog);
    await visible(d);
    await checkScreen('identity-01-create');
    // The focus is in the name field; Tab walks the form.
    await page.keyboard.insertText('Bob');
    await page.keyboard.press('Tab');
    await page.keyboard.insertText(IDENTITY_PASSPHRASE);
    await page.keyboard.press('Tab');
    await page.keyboard.insertText(IDENTITY_PASSPHRASE);
    await page.keyboard.press('Enter');
    const card = d.getByRole('region', { name: 'Bob', exact: true });
    await visible(card);
    const shown = await readIdentityFile(join(app.profileDir, 'identity.json'));
    expect(await card.locator('.fingerprint.large').textContent()).toBe(shown.fingerprint.replace(/-/g, ' '));
    expect(await card.getByLabel(L.identityInvite, { exact: true }).inputValue()).toBe(shown.invite);
    await checkScreen('identity-02-card');
    expect(await page.content()).not.toContain(IDENTITY_PASSPHRASE);

    await button(card, L.copyInviteButton).focus();
    await page.keyboard.press('Enter');
    await visible(card.getByRole('status'));
    expect(app.clipboard.text).toBe(shown.invite);
    await page.keyboard.press('Escape');
    await hidden(d);
    expect(app.pageErrors).toEqual([]);
  });
});
