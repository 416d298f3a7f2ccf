/**
 * Who changed what, and a team vault kept current while it is open, as a
 * person sees it: the app (real main handlers and engine, the built renderer
 * in Chromium) has the vault open; another member, Bob, writes a secret to the
 * same file with the engine in this process, as his own Coffer on a synced
 * folder would. Without a relock the app's list shows Bob's secret and a
 * notice says "Changed by Bob"; the History view lists his change and the
 * owner's, the version table names who wrote each version, and each screen
 * passes axe (screenshots in test-results/e2e/history-*.png).
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Locator, Page } from 'playwright-core';
import { L } from '../../renderer/app/labels.js';
import { createIdentityFile, unlockIdentityFile } from '../../electron/vault/access/identity-file.js';
import { openVault } from '../../electron/vault/vault.js';
import { checkScreen, E2E_KDF, launchApp, type App } from './harness.js';

const PASSPHRASE = 'correct horse battery staple 42!';
const BOB_PASSPHRASE = new TextEncoder().encode('bob identity passphrase');
const UI_TIMEOUT = 15_000;

let app: App;
let page: Page;
let vaultPath: string;
let bobFile: string;

const button = (scope: Locator | Page, name: string): Locator => scope.getByRole('button', { name, exact: true });
const visible = (l: Locator): Promise<void> => l.waitFor({ state: 'visible', timeout: UI_TIMEOUT });
const secretsList = (): Locator => page.getByRole('listbox', { name: L.secretsList, exact: true });


/** Bob's own Coffer: his identity, his profile, the same file. */
async function asBob(write: (v: Awaited<ReturnType<typeof openVault>>) => Promise<void>): Promise<void> {
  const profileDir = join(app.vaultDir, 'profile-bob');
  await mkdir(profileDir, { recursive: true, mode: 0o700 });
  const v = await openVault({ path: vaultPath, profileDir, passphrase: new Uint8Array(0), identity: await unlockIdentityFile(bobFile, BOB_PASSPHRASE.slice()) });
  try {
    await write(v);
  } finally {
    v.close();
    await v.settled();
  }
}

describe('history and changes by another member (Chromium, real main handlers)', () => {
  beforeAll(async () => {
    app = await launchApp({ viewport: { width: 1400, height: 900 } });
    page = app.page;
    vaultPath = join(app.vaultDir, 'team.coffer');
    bobFile = join(app.vaultDir, 'bob.identity.json');
    const bob = await createIdentityFile({ path: bobFile, passphrase: BOB_PASSPHRASE.slice(), name: 'Bob', kdf: E2E_KDF });
    const create = page.getByRole('region', { name: L.createRegion, exact: true });
    await visible(create);
    await create.getByLabel(L.createPath, { exact: true }).first().fill(vaultPath);
    await create.getByLabel(L.createPassphrase, { exact: true }).first().fill(PASSPHRASE);
    await create.getByLabel(L.createRepeat, { exact: true }).first().fill(PASSPHRASE);
    await button(create, L.createButton).click();
    await visible(button(page, L.newSecretButton));
    expect((await app.call('members:add', { invite: bob.invite, roles: ['Key Vault Secrets Officer'] })).ok).toBe(true);
    expect((await app.call('secrets:set', { name: 'db-password', value: 'history-e2e-value-1' })).ok).toBe(true);
  }, 60_000);
  afterAll(async () => {
    await app?.close();
  });

  it("Bob's write shows without a relock, with a notice saying who changed what", async () => {
    await asBob((v) => v.secrets.set({ name: 'from-bob', value: new TextEncoder().encode('history-e2e-value-2') }).then(() => undefined));
    const notice = page.getByRole('alert').filter({ hasText: 'Changed by Bob' });
    await visible(notice);
    expect(await notice.textContent()).toContain('Changed by Bob: new version of secrets/from-bob');
    await visible(secretsList().getByRole('option', { name: /from-bob/ }));
    // No relock: the vault stayed open throughout.
    expect(app.calls.filter((c) => c.channel.startsWith('vault:open') || c.channel === 'vault:unlockWithKeychain')).toEqual([]);
    await checkScreen(page, 'history-01-changed-notice');
    await button(notice, L.closeButton).click();
    await notice.waitFor({ state: 'detached', timeout: UI_TIMEOUT });
  });

  it('the History view lists who changed what; the versions table names each version\'s author', async () => {
    // Bob writes the next version of the owner's secret.
    await asBob((v) => v.secrets.set({ name: 'db-password', value: new TextEncoder().encode('history-e2e-value-3') }).then(() => undefined));
    await visible(page.getByRole('alert').filter({ hasText: 'Changed by Bob' }));
    const nav = page.getByRole('navigation', { name: L.kindsNav });
    await button(nav, L.historyNav).focus();
    await page.keyboard.press('Enter');
    const table = page.getByRole('table', { name: L.historyTable, exact: true });
    await visible(table);
    const rows = table.getByRole('row');
    await expect.poll(async () => (await rows.nth(1).textContent()) ?? '', { timeout: UI_TIMEOUT }).toContain('Bob');
    expect(await rows.nth(1).textContent()).toContain('new version of secrets/db-password');
    expect(await rows.nth(2).textContent()).toContain('new version of secrets/from-bob');
    expect(await table.textContent()).toContain('member added — Bob: Key Vault Secrets Officer');
    await checkScreen(page, 'history-02-view');

    await button(nav, L.secretsTab).click();
    await secretsList().getByRole('option', { name: /db-password/ }).click();
    const versions = page.getByRole('table', { name: L.versionsTable, exact: true });
    await visible(versions);
    const authors = async () => (await versions.getByRole('row').allTextContents()).slice(1).map((t) => (t.includes('Bob') ? 'Bob' : t.includes('owner') ? 'owner' : '?'));
    await expect.poll(authors, { timeout: UI_TIMEOUT }).toEqual(['Bob', 'owner']);
    await checkScreen(page, 'history-03-version-authors');
    expect(app.pageErrors).toEqual([]);
  });
});
