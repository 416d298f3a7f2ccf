/**
 * My identity as a person uses it, from the keyboard: created on the start
 * screen (name, passphrase twice), its invite copied by main and its
 * fingerprint in groups, as `coffer identity show` prints them from the
 * same profile. Then the vault's Administrator (the engine, in another
 * profile) adds Bob by that invite as a Secrets User, and Bob opens the
 * vault in the app with his identity: a wrong identity passphrase is said
 * on the Open form, the right one opens the vault as Bob (the top bar names
 * him), and he sees what his role allows: the secret listed, the Members
 * view without changes to offer. Remembered on this computer, his identity
 * then opens the vault after a lock with no passphrase typed. Last, Bob
 * creates a team vault with his identity (Protect with: my identity, its
 * passphrase, no vault passphrase fields): it opens as Bob, its
 * Administrator, and no passphrase opens its file. Real main handlers and engine, the built renderer in
 * Chromium; each screen passes axe (screenshots in
 * test-results/e2e/identity-*.png).
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Locator, Page } from 'playwright-core';
import { L } from '../../renderer/app/labels.js';
import { parseInvite, readIdentityFile } from '../../electron/vault/access/identity-file.js';
import { createVault, openVault } from '../../electron/vault/vault.js';
import { checkScreen, E2E_KDF, launchApp, type App } from './harness.js';

const IDENTITY_PASSPHRASE = 'bob identity passphrase 5e1d!';
const UI_TIMEOUT = 15_000;

let app: App;
let page: Page;

const button = (scope: Locator | Page, name: string): Locator => scope.getByRole('button', { name, exact: true });
const dialog = (name: string): Locator => page.getByRole('dialog', { name, exact: true });
const visible = (l: Locator): Promise<void> => l.waitFor({ state: 'visible', timeout: UI_TIMEOUT });
const hidden = (l: Locator): Promise<void> => l.waitFor({ state: 'hidden', timeout: UI_TIMEOUT });


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
    await checkScreen(page, 'identity-01-create');
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
    await checkScreen(page, 'identity-02-card');
    expect(await page.content()).not.toContain(IDENTITY_PASSPHRASE);

    await button(card, L.copyInviteButton).focus();
    await page.keyboard.press('Enter');
    await visible(card.getByRole('status'));
    expect(app.clipboard.text).toBe(shown.invite);
    await page.keyboard.press('Escape');
    await hidden(d);
    expect(app.pageErrors).toEqual([]);
  });

  it('opens a team vault as Bob, added by its Administrator: the identity passphrase on the Open form, then what a Secrets User sees', async () => {
    const bob = await readIdentityFile(join(app.profileDir, 'identity.json'));
    const vaultPath = join(app.vaultDir, 'team.coffer');
    const owner = await createVault({ path: vaultPath, profileDir: join(app.vaultDir, 'owner-profile'), passphrase: new TextEncoder().encode('owner passphrase 0a9f'), kdf: E2E_KDF });
    await owner.secrets.set({ name: 'db-password', value: new TextEncoder().encode('identity-e2e-value-6d2b') });
    const { signPub, encPub, name } = parseInvite(bob.invite);
    await owner.members.add({ signPub, encPub, name }, ['Key Vault Secrets User']);
    owner.close();
    await owner.settled();

    const open = page.getByRole('region', { name: L.openRegion, exact: true });
    await open.getByLabel(L.openPath, { exact: true }).fill(vaultPath);
    const choice = open.getByRole('group', { name: L.openWithLegend, exact: true });
    await choice.getByLabel(L.openWithIdentity('Bob', bob.id), { exact: true }).check();
    const field = open.getByLabel(L.identityPassphrase, { exact: true });
    await field.focus();
    await page.keyboard.insertText('not the identity passphrase');
    await page.keyboard.press('Enter');
    const alert = open.getByRole('alert');
    await visible(alert);
    expect(await alert.textContent()).toBe(`The passphrase of the identity ${join(app.profileDir, 'identity.json')} is wrong.`);
    await checkScreen(page, 'identity-03-open-with-identity');

    await field.focus();
    await page.keyboard.insertText(IDENTITY_PASSPHRASE);
    await page.keyboard.press('Enter');
    await visible(page.getByText(L.openedAs('Bob', bob.id), { exact: true }));
    await visible(page.getByRole('option', { name: 'db-password' }));
    await checkScreen(page, 'identity-04-vault-as-bob');

    const nav = page.getByRole('navigation', { name: L.kindsNav });
    await button(nav, L.membersNav).focus();
    await page.keyboard.press('Enter');
    const bobRow = page.getByRole('table', { name: L.membersTable, exact: true }).getByRole('row').filter({ hasText: bob.id });
    await visible(bobRow);
    expect(await bobRow.textContent()).toContain(L.memberYou);
    expect(await bobRow.textContent()).toContain('Key Vault Secrets User');
    await visible(page.getByText(L.membersNotAdmin(['Key Vault Secrets User']), { exact: true }));
    expect(await button(page, L.addMemberButton).count()).toBe(0);
    expect(await page.content()).not.toContain(IDENTITY_PASSPHRASE);
    expect(app.pageErrors).toEqual([]);
  });

  it('remembers the identity on this computer; after a lock the vault opens with the OS keychain, no passphrase typed', async () => {
    await button(page, L.myIdentityButton).focus();
    await page.keyboard.press('Enter');
    const d = dialog(L.identityDialog);
    await visible(d);
    const field = d.getByLabel(L.identityRememberPassphrase, { exact: true });
    await field.focus();
    await page.keyboard.insertText(IDENTITY_PASSPHRASE);
    await page.keyboard.press('Enter');
    await visible(d.getByText(L.identityRememberedYes, { exact: true }));
    await checkScreen(page, 'identity-05-remembered');
    await page.keyboard.press('Escape');
    await hidden(d);

    await button(page, L.lockButton).click();
    const unlock = page.getByRole('region', { name: L.unlockRegion, exact: true });
    await visible(unlock);
    // Opened with the identity before: offered that way first, the keychain said.
    expect(await unlock.getByLabel(L.openWithIdentity('Bob', (await readIdentityFile(join(app.profileDir, 'identity.json'))).id), { exact: true }).isChecked()).toBe(true);
    await visible(unlock.getByText(L.identityKeychainHint, { exact: true }));
    const before = app.calls.length;
    await button(unlock, L.unlockButton).click();
    await visible(page.getByRole('option', { name: 'db-password' }));
    // One call, without a passphrase (main's keychain opened the identity).
    expect(app.calls.slice(before).filter((c) => c.channel === 'coffer:vault:openWithIdentity').map((c) => c.ok)).toEqual([true]);
    expect(app.pageErrors).toEqual([]);
  });

  it('creates a team vault with his identity: Protect with my identity, its passphrase, then the vault open as Bob, its Administrator, with no passphrase slot', async () => {
    const bob = await readIdentityFile(join(app.profileDir, 'identity.json'));
    await button(page, L.lockButton).click();
    const unlock = page.getByRole('region', { name: L.unlockRegion, exact: true });
    await visible(unlock);
    await button(unlock, L.otherVaultButton).focus();
    await page.keyboard.press('Enter');
    const create = page.getByRole('region', { name: L.createRegion, exact: true });
    await visible(create);

    const vaultPath = join(app.vaultDir, 'bob-team.coffer');
    const path = create.getByLabel(L.createPath, { exact: true });
    await path.fill(vaultPath);
    const choice = create.getByRole('group', { name: L.protectWithLegend, exact: true });
    const byIdentity = choice.getByLabel(L.protectWithIdentity('Bob', bob.id), { exact: true });
    await byIdentity.focus();
    await page.keyboard.press('Space');
    expect(await byIdentity.isChecked()).toBe(true);
    // No vault passphrase: only the identity's, optional here (this computer remembers it).
    expect(await create.getByLabel(L.createPassphrase, { exact: true }).count()).toBe(0);
    await visible(create.getByText(L.identityKeychainCreateHint, { exact: true }));
    await checkScreen(page, 'identity-06-create-team-vault');
    await page.keyboard.press('Tab');
    const field = create.getByLabel(L.identityPassphrase, { exact: true });
    expect(await field.evaluate((e) => e === document.activeElement)).toBe(true);
    await page.keyboard.insertText(IDENTITY_PASSPHRASE);
    await page.keyboard.press('Enter');
    await visible(page.getByText(L.openedAs('Bob', bob.id), { exact: true }));
    expect(app.calls.filter((c) => c.channel === 'coffer:vault:createWithIdentity').map((c) => c.ok)).toEqual([true]);

    const nav = page.getByRole('navigation', { name: L.kindsNav });
    await button(nav, L.membersNav).focus();
    await page.keyboard.press('Enter');
    const rows = page.getByRole('table', { name: L.membersTable, exact: true }).getByRole('row').filter({ hasText: bob.id });
    await visible(rows);
    expect(await rows.textContent()).toContain(L.memberYou);
    expect(await rows.textContent()).toContain('Key Vault Administrator');
    await visible(button(page, L.addMemberButton));
    await checkScreen(page, 'identity-07-team-vault-as-bob');
    expect(await page.content()).not.toContain(IDENTITY_PASSPHRASE);

    // A team vault (C8): no passphrase opens it.
    await button(page, L.lockButton).click();
    await visible(page.getByRole('region', { name: L.unlockRegion, exact: true }));
    await expect(openVault({ path: vaultPath, profileDir: join(app.vaultDir, 'other-profile'), passphrase: new TextEncoder().encode(IDENTITY_PASSPHRASE) })).rejects.toMatchObject({
      code: 'VaultLocked',
      message: 'This vault has no passphrase slot; open it with a member identity.',
    });
    expect(app.pageErrors).toEqual([]);
  });
});
