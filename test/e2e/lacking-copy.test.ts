/**
 * A copy of the vault that lacks commits this computer has seen (an older
 * copy put back, another git branch), made for real: the vault is created in
 * the app, its file copied aside, a secret written, the old file put back,
 * and the vault opened again in the app. The engine reports it
 * (info().lacking), main carries it in the status, and the vault screen shows
 * a banner: a status while writing still works; an alert saying writing is
 * disabled once the lacking commits change members or keys (a member added
 * through the engine, as the CLI's team commands would), where a write is
 * refused (VaultRolledBack) and the dialog says so. Real main handlers, the
 * built renderer in Chromium; each screen passes axe (screenshots in
 * test-results/e2e/lacking-*.png).
 */
import { copyFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Locator, Page } from 'playwright-core';
import { L } from '../../renderer/app/labels.js';
import { newMember } from '../helpers/vault.js';
import { checkScreen, launchApp, type App } from './harness.js';

const PASSPHRASE = 'correct horse battery staple 42!';
const UI_TIMEOUT = 10_000;

let app: App;
let page: Page;
let vaultPath: string;

const region = (name: string): Locator => page.getByRole('region', { name, exact: true });
const field = (scope: Locator | Page, label: string): Locator => scope.getByLabel(label, { exact: true }).first();
const button = (scope: Locator | Page, name: string): Locator => scope.getByRole('button', { name, exact: true });
const visible = (l: Locator): Promise<void> => l.waitFor({ state: 'visible', timeout: UI_TIMEOUT });


async function addSecret(name: string, value: string): Promise<Locator> {
  await button(page, L.newSecretButton).click();
  const d = page.getByRole('dialog', { name: L.newSecretDialog, exact: true });
  await visible(d);
  await field(d, L.fieldName).fill(name);
  await field(d, L.fieldValue).fill(value);
  await button(d, L.saveButton).click();
  return d;
}

/** Lock in the app, put `copy` in place of the vault file, unlock in the app with the passphrase. */
async function reopenWith(copy: string): Promise<void> {
  await button(page, L.lockButton).click();
  const unlock = region(L.unlockRegion);
  await visible(unlock);
  await copyFile(copy, vaultPath);
  await field(unlock, L.unlockPassphrase).fill(PASSPHRASE);
  await button(unlock, L.unlockButton).click();
  await visible(button(page, L.newSecretButton));
}

async function lackingNow(): Promise<unknown> {
  const st = await app.services.session.status();
  return st.state === 'unlocked' ? st.vault.lacking : 'locked';
}

describe('a copy lacking commits seen here: the banner (Chromium, real main handlers, built renderer)', () => {
  beforeAll(async () => {
    app = await launchApp();
    page = app.page;
    vaultPath = join(app.vaultDir, 'team.coffer');
  }, 60_000);
  afterAll(async () => {
    await app?.close();
  });

  it('no banner on a vault that lacks nothing', async () => {
    const create = region(L.createRegion);
    await visible(create);
    await field(create, L.createPath).fill(vaultPath);
    await field(create, L.createPassphrase).fill(PASSPHRASE);
    await field(create, L.createRepeat).fill(PASSPHRASE);
    await button(create, L.createButton).click();
    await visible(button(page, L.newSecretButton));
    expect(await lackingNow()).toBeNull();
    expect(await page.locator('.banner').count()).toBe(0);
  });

  it('the old file put back after a secret was written: a status banner with the engine’s message; writing works', async () => {
    const old = join(app.vaultDir, 'team-old.coffer');
    await copyFile(vaultPath, old);
    const d = await addSecret('db-password', 'first-value-3b9f');
    await d.waitFor({ state: 'detached', timeout: UI_TIMEOUT });

    await reopenWith(old);
    const lacking = await lackingNow();
    expect(lacking).toMatchObject({ commits: 1, writable: true });
    const message = (lacking as { message: string }).message;
    expect(message).toMatch(/^This copy lacks 1 commit\(s\) this computer has seen/);

    const banner = page.getByRole('status', { name: L.lackingTitle, exact: true });
    await visible(banner);
    expect(await banner.textContent()).toContain(message);
    expect(await banner.textContent()).not.toContain(L.lackingReadOnly);
    // The secret written after the copy is not in this copy.
    expect(await page.getByText('db-password', { exact: true }).count()).toBe(0);
    await checkScreen(page, 'lacking-01-writable');

    // Writing here still works (the copies merge later).
    const d2 = await addSecret('api-key', 'second-value-77c1');
    await d2.waitFor({ state: 'detached', timeout: UI_TIMEOUT });
    expect(app.calls.filter((c) => c.channel === 'coffer:secrets:set').map((c) => c.ok)).toEqual([true, true]);
  });

  it('lacking a change of members: an alert says writing is disabled; a refused write says so in the dialog', async () => {
    const before = join(app.vaultDir, 'team-before-member.coffer');
    await copyFile(vaultPath, before);
    // A member added (what the CLI's team commands do): a commit that changes members and keys.
    await app.services.session.current().members.add(newMember('bob').publicIdentity, ['Key Vault Secrets User']);

    await reopenWith(before);
    const lacking = await lackingNow();
    expect(lacking).toMatchObject({ writable: false });
    const message = (lacking as { message: string }).message;
    expect(message).toContain('change members, roles or keys');

    const banner = page.getByRole('alert', { name: L.lackingReadOnlyTitle, exact: true });
    await visible(banner);
    expect(await banner.textContent()).toContain(message);
    expect(await banner.textContent()).toContain(L.lackingReadOnly);
    await checkScreen(page, 'lacking-02-read-only');

    const d = await addSecret('refused', 'never-written-5e2a');
    const refusal = d.getByRole('alert');
    await visible(refusal);
    expect(await refusal.textContent()).toMatch(/^Not saved: writing is disabled in this copy until the newer copy is merged in\. This copy lacks \d+ commit\(s\)/);
    expect(app.calls.at(-1)).toMatchObject({ channel: 'coffer:secrets:set', ok: false, code: 'VaultRolledBack' });
    await checkScreen(page, 'lacking-03-write-refused');
    await button(d, L.cancelButton).click();
    await d.waitFor({ state: 'detached', timeout: UI_TIMEOUT });
    const list = await app.call('secrets:list', {});
    if (!list.ok) throw new Error(list.message);
    expect(list.value.map((s) => s.id.split('/').pop())).toEqual(['api-key']);
  });

  it('the page logged no error on the way', () => {
    expect(app.pageErrors).toEqual([]);
    expect(app.calls.filter((c) => c.code === 'Forbidden' || c.code === 'BadParameter' || c.code === 'Internal')).toEqual([]);
  });
});
