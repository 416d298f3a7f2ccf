/**
 * The Members view as a person uses it, from the keyboard: the navigation
 * entry under the kinds, the list (the owner, an Administrator), Add member
 * with a real invite made by the engine (`coffer identity create` makes the
 * same), its fingerprint shown in groups and equal to the one the invite's
 * maker sees, confirmed and added with a role; then removed, with the
 * secrets that need a new value. Real main handlers and engine, the built
 * renderer in Chromium; each screen passes axe (screenshots in
 * test-results/e2e/members-*.png).
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Locator, Page } from 'playwright-core';
import { L } from '../../renderer/app/labels.js';
import { createIdentityFile } from '../../electron/vault/access/identity-file.js';
import type { IdentityCard } from '../../electron/vault/index.js';
import { checkScreen, E2E_KDF, launchApp, type App } from './harness.js';

const PASSPHRASE = 'correct horse battery staple 42!';
const UI_TIMEOUT = 15_000;

let app: App;
let page: Page;
let bob: IdentityCard;

const field = (scope: Locator | Page, label: string): Locator => scope.getByLabel(label, { exact: true }).first();
const button = (scope: Locator | Page, name: string): Locator => scope.getByRole('button', { name, exact: true });
const dialog = (name: string): Locator => page.getByRole('dialog', { name, exact: true });
const visible = (l: Locator): Promise<void> => l.waitFor({ state: 'visible', timeout: UI_TIMEOUT });
const hidden = (l: Locator): Promise<void> => l.waitFor({ state: 'hidden', timeout: UI_TIMEOUT });
const table = (): Locator => page.getByRole('table', { name: L.membersTable, exact: true });


/** Presses Tab until the focused element has the accessible name `name` (at most 40 presses). */
async function tabTo(name: string): Promise<void> {
  for (let i = 0; i < 40; i++) {
    await page.keyboard.press('Tab');
    const focused = await page.evaluate(() => {
      const el = document.activeElement as HTMLElement | null;
      if (!el) return '';
      const label = el.id ? document.querySelector(`label[for="${el.id}"]`)?.textContent : null;
      return (el.getAttribute('aria-label') ?? label ?? el.textContent ?? '').trim();
    });
    if (focused === name) return;
  }
  throw new Error(`Tab never reached ${name}`);
}

describe('the Members view (Chromium, real main handlers, keyboard only)', () => {
  beforeAll(async () => {
    app = await launchApp({ viewport: { width: 1400, height: 900 } });
    page = app.page;
    bob = await createIdentityFile({ path: join(app.vaultDir, 'bob.identity.json'), passphrase: new TextEncoder().encode('bob identity passphrase'), name: 'Bob', kdf: E2E_KDF });
    const create = page.getByRole('region', { name: L.createRegion, exact: true });
    await visible(create);
    await field(create, L.createPath).fill(join(app.vaultDir, 'team.coffer'));
    await field(create, L.createPassphrase).fill(PASSPHRASE);
    await field(create, L.createRepeat).fill(PASSPHRASE);
    await button(create, L.createButton).click();
    await visible(button(page, L.newSecretButton));
    const r = await app.call('secrets:set', { name: 'db-password', value: 'members-e2e-value-91c2' });
    expect(r.ok).toBe(true);
  }, 60_000);
  afterAll(async () => {
    await app?.close();
  });

  it('the navigation leads to Members: the owner listed as Administrator, with id and fingerprint', async () => {
    const nav = page.getByRole('navigation', { name: L.kindsNav });
    await button(nav, L.membersNav).focus();
    await page.keyboard.press('Enter');
    await visible(table());
    expect(await button(nav, L.membersNav).getAttribute('aria-current')).toBe('page');
    const row = table().getByRole('row').nth(1);
    expect(await row.textContent()).toContain('owner');
    expect(await row.textContent()).toContain('Key Vault Administrator');
    expect(await row.locator('.fingerprint').textContent()).toMatch(/^([0-9A-Z]{4} ){5}[0-9A-Z]{4}$/);
    await checkScreen(page, 'members-01-list');
  });

  it('adds Bob from the keyboard: the invite read by main, the fingerprint in groups as Bob sees it, confirmed, a role, added', async () => {
    await button(page, L.addMemberButton).focus();
    await page.keyboard.press('Enter');
    const d = dialog(L.addMemberDialog);
    await visible(d);
    // The focus is in the invite field: paste the invite.
    await page.keyboard.insertText(bob.invite);
    await tabTo(L.readInviteButton);
    await page.keyboard.press('Enter');
    const preview = d.getByRole('region', { name: L.inviteFrom('Bob'), exact: true });
    await visible(preview);
    expect(await preview.locator('.fingerprint.large').textContent()).toBe(bob.fingerprint.replace(/-/g, ' '));
    await checkScreen(page, 'members-02-add-dialog');
    await tabTo(L.confirmCompared('Bob'));
    await page.keyboard.press('Space');
    await tabTo('Key Vault Secrets User');
    await page.keyboard.press('Space');
    await tabTo(L.addMemberConfirm);
    await page.keyboard.press('Enter');
    await hidden(d);
    const bobRow = table().getByRole('row').filter({ hasText: bob.id });
    await visible(bobRow);
    expect(await bobRow.textContent()).toContain('Key Vault Secrets User');
    expect(await bobRow.locator('.fingerprint').textContent()).toBe(bob.fingerprint.replace(/-/g, ' '));
  });

  it('a tampered invite is refused in the dialog', async () => {
    await button(page, L.addMemberButton).click();
    const d = dialog(L.addMemberDialog);
    await visible(d);
    const i = 'coffer-invite:'.length + 10;
    const tampered = bob.invite.slice(0, i) + (bob.invite[i] === 'A' ? 'B' : 'A') + bob.invite.slice(i + 1);
    await field(d, L.fieldInvite).fill(tampered);
    await button(d, L.readInviteButton).click();
    const alert = d.getByRole('alert');
    await visible(alert);
    expect(await alert.textContent()).toBe('The invite is not valid: its signature does not verify: it was altered or damaged in copying.');
    await page.keyboard.press('Escape');
    await hidden(d);
  });

  it('removes Bob after confirmation: the report lists the secret that needs a new value', async () => {
    await button(page, L.removeMemberOf('Bob', bob.id)).focus();
    await page.keyboard.press('Enter');
    const confirm = dialog(L.removeMemberDialog('Bob'));
    await visible(confirm);
    await checkScreen(page, 'members-03-remove-confirm');
    await tabTo(L.removeConfirm);
    await page.keyboard.press('Enter');
    const report = dialog(L.removedDialog('Bob'));
    await visible(report);
    await visible(button(report, L.openObject('secrets', 'db-password')));
    expect(await report.getByRole('list', { name: L.exposureList, exact: true }).textContent()).toContain('db-password');
    await checkScreen(page, 'members-04-exposure-report');
    await page.keyboard.press('Enter');
    await hidden(report);
    expect(await table().getByRole('row').filter({ hasText: bob.id }).count()).toBe(0);
    expect(app.pageErrors).toEqual([]);
  });
});
