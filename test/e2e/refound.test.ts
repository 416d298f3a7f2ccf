/**
 * Re-founding the vault as a person does it, from the keyboard (VAULT-MODEL C5):
 * Security → Re-found vault…, Choose… answered by the save dialog, the new
 * vault's passphrase twice, Re-found; then what was copied and who was added
 * again. Real main handlers and engine, the built renderer in Chromium; each
 * screen passes axe (screenshots in test-results/e2e/refound-*.png). The new
 * file opens with the new passphrase and holds the secret; the old file is
 * unchanged.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { L } from '../../renderer/app/labels.js';
import { createIdentityFile } from '../../electron/vault/access/identity-file.js';
import { openVault } from '../../electron/vault/vault.js';
import { checkScreen, E2E_KDF, launchApp, locators, type App } from './harness.js';

const PASSPHRASE = 'correct horse battery staple 42!';
const NEW_PASSPHRASE = 'the re-founded vault passphrase 7';

let app: App;
let page: Page;
let oldPath: string;
let ui: ReturnType<typeof locators>;

describe('Re-found vault (Chromium, real main handlers, keyboard)', () => {
  beforeAll(async () => {
    app = await launchApp({ viewport: { width: 1400, height: 900 } });
    page = app.page;
    ui = locators(page);
    const { field, button, visible } = ui;
    oldPath = join(app.vaultDir, 'team.coffer');
    const create = page.getByRole('region', { name: L.createRegion, exact: true });
    await visible(create);
    await field(create, L.createPath).fill(oldPath);
    await field(create, L.createPassphrase).fill(PASSPHRASE);
    await field(create, L.createRepeat).fill(PASSPHRASE);
    await button(create, L.createButton).click();
    await visible(button(page, L.newSecretButton));
    expect((await app.call('secrets:set', { name: 'db-password', value: 'refound-e2e-value-3b7d' })).ok).toBe(true);
    const bob = await createIdentityFile({ path: join(app.vaultDir, 'bob.identity.json'), passphrase: new TextEncoder().encode('bob identity passphrase'), name: 'Bob', kdf: E2E_KDF });
    expect((await app.call('members:add', { invite: bob.invite, roles: ['Key Vault Secrets User'] })).ok).toBe(true);
  }, 60_000);
  afterAll(async () => {
    await app?.close();
  });

  it('Security offers it to an Administrator; the dialog takes the path from the save dialog and the passphrase twice', async () => {
    const { field, button, dialog, visible, hidden } = ui;
    await button(page, L.securityButton).focus();
    await page.keyboard.press('Enter');
    const security = dialog(L.securityDialog);
    await visible(security);
    await button(security, L.refoundButton).focus();
    await page.keyboard.press('Enter');
    const d = dialog(L.refoundDialog);
    await visible(d);
    await checkScreen(page, 'refound-01-dialog');
    app.dialog.willChoose(join(app.vaultDir, 'team-2.coffer'));
    await button(d, L.chooseNewPath).focus();
    await page.keyboard.press('Enter');
    await expect.poll(() => field(d, L.refoundPath).inputValue()).toBe(join(app.vaultDir, 'team-2.coffer'));
    await field(d, L.newPassphraseField).fill(NEW_PASSPHRASE);
    await field(d, L.repeatNewPassphrase).fill('not the same');
    await button(d, L.refoundConfirm).click();
    await visible(d.getByRole('alert'));
    expect(await d.getByRole('alert').textContent()).toBe(L.passphraseMismatch);
    await field(d, L.repeatNewPassphrase).fill(NEW_PASSPHRASE);
    await field(d, L.repeatNewPassphrase).focus();
    await page.keyboard.press('Enter');
    const done = dialog(L.refoundDoneDialog);
    await visible(done);
    expect(await done.getByRole('status').textContent()).toBe(
      L.refoundCopied({ secrets: 1, secretVersions: 1, keys: 0, keyVersions: 0, certificates: 0, certificateVersions: 0, cas: 0, issuers: 0, contacts: 0 }),
    );
    expect(await done.getByRole('listitem').allTextContents()).toEqual([L.refoundMember('Bob', ['Key Vault Secrets User'])]);
    await checkScreen(page, 'refound-02-done');
    // The focus is on Close.
    await page.keyboard.press('Enter');
    await hidden(done);
  });

  it('the new vault opens with its own passphrase and holds the secret; the old one is still open and unchanged', async () => {
    const before = await readFile(oldPath);
    const v = await openVault({ path: join(app.vaultDir, 'team-2.coffer'), profileDir: join(app.vaultDir, 'profile-check'), passphrase: new TextEncoder().encode(NEW_PASSPHRASE) });
    try {
      expect(Buffer.from(await v.secrets.getValue('db-password')).toString('utf8')).toBe('refound-e2e-value-3b7d');
      expect(v.members.list().map((m) => m.name).sort()).toEqual(['Bob', 'owner']);
    } finally {
      v.close();
    }
    expect((await app.call('secrets:list', {})).ok).toBe(true);
    expect((await readFile(oldPath)).equals(before)).toBe(true);
  });
});
