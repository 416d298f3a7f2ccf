/**
 * A newcomer's first session, as issue 3 "Tests as a person uses the app"
 * describes it: create a vault, add a secret, add a second version, reveal
 * the first version, copy (the clipboard holds the value, then is cleared),
 * disable, delete, recover, purge another, lock, unlock with a wrong then the
 * right passphrase.
 *
 * Controls are found by role and accessible name (renderer/app/labels.ts), as
 * a screen-reader user finds them. After each screen: an axe scan with no
 * serious or critical violation, and a screenshot in test-results/e2e/.
 * The steps share one app and run in order.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Locator, Page } from 'playwright-core';
import { L, shortVersion } from '../../renderer/app/labels.js';
import { a11yFindings, a11yStats, axeScan, formatFindings, launchApp, screenshot, type App } from './harness.js';

const PASSPHRASE = 'correct horse battery staple 42!';
const WRONG = 'incorrect horse battery staple';
const CLEAR_SECONDS = 5;
const SECRET = 'db-password';
const VALUE_1 = 'first-value-3f9a7c';
const VALUE_2 = 'second-value-81be04';
const OTHER = 'api-token';
const OTHER_VALUE = 'other-value-55d2e1';
/** How long a UI change may take (the KDF is small; the build is local). */
const UI_TIMEOUT = 10_000;

let app: App;
let page: Page;
let vaultPath: string;
let v1 = '';
let v2 = '';

/** A landmark or form named `name` (a <section aria-label> is a region, a <form aria-label> a form). */
function area(name: string): Locator {
  return page.getByRole('region', { name, exact: true }).or(page.getByRole('form', { name, exact: true })).first();
}

/** An input by its label, exactly (password inputs have no textbox role, so not getByRole). */
function field(scope: Locator | Page, label: string): Locator {
  return scope.getByLabel(label, { exact: true }).first();
}

function button(scope: Locator | Page, name: string): Locator {
  return scope.getByRole('button', { name, exact: true });
}

function dialog(name: string): Locator {
  return page.getByRole('dialog', { name, exact: true }).or(page.getByRole('alertdialog', { name, exact: true })).first();
}

function detail(name: string): Locator {
  return area(L.detailRegion(name));
}

/** The secrets list (or the deleted list), whatever list-like role the renderer gives it. */
function listNamed(name: string): Locator {
  return page
    .getByRole('list', { name, exact: true })
    .or(page.getByRole('listbox', { name, exact: true }))
    .or(page.getByRole('grid', { name, exact: true }))
    .or(page.getByRole('table', { name, exact: true }))
    .or(page.getByRole('treegrid', { name, exact: true }))
    .first();
}

/** Axe and a screenshot for the screen as it is now. */
async function checkScreen(step: string): Promise<void> {
  await screenshot(page, step);
  const serious = await axeScan(page, step);
  if (serious.length > 0) console.log(`axe, serious or critical violations on "${step}":\n${formatFindings(serious)}`);
  expect(serious, formatFindings(serious)).toEqual([]);
}

/** Opens a secret's detail from the list if it is not shown already. */
async function openSecret(name: string): Promise<Locator> {
  const d = detail(name);
  if (!(await d.isVisible())) {
    await listNamed(L.secretsList).getByText(name, { exact: true }).first().click();
  }
  await expect.poll(() => d.isVisible(), { timeout: UI_TIMEOUT }).toBe(true);
  return d;
}

/** The text of a revealed value, whether it is shown as text or in a read-only field. */
async function revealedText(short: string): Promise<string> {
  const el = field(page, L.revealedValue(short));
  await el.waitFor({ state: 'visible', timeout: UI_TIMEOUT });
  return el.evaluate((n) => ('value' in n && typeof n.value === 'string' && n.value !== '' ? n.value : (n.textContent ?? '')));
}

async function versionsOf(name: string): Promise<{ id: string; enabled: boolean | undefined; created: number | undefined }[]> {
  const r = await app.call('secrets:listVersions', { name });
  if (!r.ok) throw new Error(`listVersions ${name}: ${r.code} ${r.message}`);
  return r.value.map((v) => ({ id: v.id.split('/').pop() ?? '', enabled: v.attributes.enabled, created: v.attributes.created }));
}

async function deletedNames(): Promise<string[]> {
  const r = await app.call('secrets:listDeleted', {});
  if (!r.ok) throw new Error(`listDeleted: ${r.code} ${r.message}`);
  return r.value.map((s) => s.recoveryId.split('/').pop() ?? '');
}

async function addSecret(name: string, value: string): Promise<void> {
  await button(page, L.newSecretButton).click();
  const d = dialog(L.newSecretDialog);
  await d.waitFor({ state: 'visible', timeout: UI_TIMEOUT });
  await field(d, L.fieldName).fill(name);
  await field(d, L.fieldValue).fill(value);
  await button(d, L.saveButton).click();
  await d.waitFor({ state: 'hidden', timeout: UI_TIMEOUT });
}

describe('a newcomer uses Coffer for the first time (Chromium, real main handlers, built renderer)', () => {
  beforeAll(async () => {
    app = await launchApp({ clipboardClearSeconds: CLEAR_SECONDS });
    page = app.page;
    vaultPath = join(app.vaultDir, 'personal.coffer');
  }, 60_000);

  afterAll(async () => {
    const minor = a11yFindings.filter((f) => f.impact !== 'serious' && f.impact !== 'critical');
    const review = [...new Set(a11yStats.incomplete.map((i) => `${i.id} (${i.step})`))];
    console.log(
      `axe: ${a11yStats.scans} scans, ${a11yFindings.length} violations (${a11yFindings.length - minor.length} serious or critical)` +
        (review.length > 0 ? `; left for review: ${review.join(', ')}` : ''),
    );
    if (minor.length > 0) console.log(`axe, moderate or minor findings (not failing):\n${formatFindings(minor)}`);
    if (app?.warnings.some((w) => w.startsWith('unexpected error'))) console.log(app.warnings.join('\n'));
    await app?.close();
  });

  it('the start screen offers to create or open a vault', async () => {
    await expect.poll(() => page.title(), { timeout: UI_TIMEOUT }).toContain(L.appTitle);
    await area(L.createRegion).waitFor({ state: 'visible', timeout: UI_TIMEOUT });
    await expect.poll(() => area(L.openRegion).isVisible()).toBe(true);
    await checkScreen('01-start');
  });

  it('creates a vault: file location and the passphrase twice, with a strength meter', async () => {
    const create = area(L.createRegion);
    await field(create, L.createPath).fill(vaultPath);
    await field(create, L.createPassphrase).fill(PASSPHRASE);
    await field(create, L.createRepeat).fill(PASSPHRASE);
    expect(await page.getByRole('meter', { name: L.strengthMeter }).or(page.getByRole('progressbar', { name: L.strengthMeter })).count()).toBeGreaterThan(0);
    await checkScreen('02-create-filled');
    await button(create, L.createButton).click();
    await button(page, L.newSecretButton).waitFor({ state: 'visible', timeout: UI_TIMEOUT });
    expect((await app.call('vault:status', {})).ok).toBe(true);
    expect(await app.services.session.status()).toMatchObject({ state: 'unlocked', path: vaultPath });
    // The empty list says what to do.
    await page.getByText(L.emptySecrets, { exact: true }).waitFor({ state: 'visible', timeout: UI_TIMEOUT });
    await checkScreen('03-empty-vault');
  });

  it('adds a secret', async () => {
    await button(page, L.newSecretButton).click();
    const d = dialog(L.newSecretDialog);
    await d.waitFor({ state: 'visible', timeout: UI_TIMEOUT });
    await field(d, L.fieldName).fill(SECRET);
    await field(d, L.fieldValue).fill(VALUE_1);
    await checkScreen('04-new-secret-dialog');
    await button(d, L.saveButton).click();
    await d.waitFor({ state: 'hidden', timeout: UI_TIMEOUT });
    await listNamed(L.secretsList).getByText(SECRET, { exact: true }).first().waitFor({ state: 'visible', timeout: UI_TIMEOUT });
    const versions = await versionsOf(SECRET);
    expect(versions).toHaveLength(1);
    v1 = versions[0]!.id;
    // The value never came back to the page: only the name is shown.
    expect(await page.content()).not.toContain(VALUE_1);
    await openSecret(SECRET);
    await checkScreen('05-secret-detail');
  });

  it('adds a second version', async () => {
    const d = await openSecret(SECRET);
    await button(d, L.newVersionButton).click();
    const nv = dialog(L.newVersionDialog(SECRET));
    await nv.waitFor({ state: 'visible', timeout: UI_TIMEOUT });
    await field(nv, L.fieldValue).fill(VALUE_2);
    await checkScreen('06-new-version-dialog');
    await button(nv, L.saveButton).click();
    await nv.waitFor({ state: 'hidden', timeout: UI_TIMEOUT });
    const versions = await versionsOf(SECRET);
    expect(versions).toHaveLength(2);
    v2 = versions.find((v) => v.id !== v1)!.id;
    // Both versions are listed in the detail, each with its own reveal button.
    const d2 = await openSecret(SECRET);
    await button(d2, L.revealVersion(shortVersion(v1))).waitFor({ state: 'visible', timeout: UI_TIMEOUT });
    await button(d2, L.revealVersion(shortVersion(v2))).waitFor({ state: 'visible', timeout: UI_TIMEOUT });
    expect(await d2.getByRole('table', { name: L.versionsTable }).or(d2.getByRole('grid', { name: L.versionsTable })).or(d2.getByRole('list', { name: L.versionsTable })).count()).toBeGreaterThan(0);
    await checkScreen('07-two-versions');
  });

  it('reveals the first version: its value is visible', async () => {
    const d = await openSecret(SECRET);
    await button(d, L.revealVersion(shortVersion(v1))).click();
    expect(await revealedText(shortVersion(v1))).toContain(VALUE_1);
    await expect.poll(() => page.getByText(VALUE_1).first().isVisible()).toBe(true);
    // The other version stays hidden: a reveal is per version.
    expect(await page.content()).not.toContain(VALUE_2);
    await button(d, L.hideVersion(shortVersion(v1))).waitFor({ state: 'visible', timeout: UI_TIMEOUT });
    await checkScreen('08-revealed-v1');
  });

  it(`copies the first version: the clipboard holds the value, then is cleared after ${CLEAR_SECONDS} s`, async () => {
    const d = await openSecret(SECRET);
    const before = app.clipboard.writes.length;
    const clickedAt = Date.now();
    await button(d, L.copyVersion(shortVersion(v1))).click();
    // Announced: the message is in a status region.
    await page.getByRole('status').filter({ hasText: L.copied(CLEAR_SECONDS) }).first().waitFor({ state: 'visible', timeout: UI_TIMEOUT });
    expect(app.clipboard.writes.length).toBe(before + 1);
    expect(app.clipboard.text).toBe(VALUE_1);
    await checkScreen('09-copied');
    // Still there shortly before the configured delay...
    const early = clickedAt + (CLEAR_SECONDS - 1) * 1000 - Date.now();
    if (early > 0) await new Promise((r) => setTimeout(r, early));
    expect(app.clipboard.text).toBe(VALUE_1);
    expect(app.clipboard.clears).toBe(0);
    // ...then cleared, no sooner than the delay after the click.
    await expect.poll(() => app.clipboard.text, { timeout: 5_000, interval: 100 }).toBe('');
    expect(Date.now() - clickedAt).toBeGreaterThanOrEqual(CLEAR_SECONDS * 1000 - 50);
    expect(app.clipboard.clears).toBe(1);
  }, 30_000);

  it('disables the first version', async () => {
    const d = await openSecret(SECRET);
    await button(d, L.disableVersion(shortVersion(v1))).click();
    await button(d, L.enableVersion(shortVersion(v1))).waitFor({ state: 'visible', timeout: UI_TIMEOUT });
    const versions = await versionsOf(SECRET);
    expect(versions.find((v) => v.id === v1)?.enabled).toBe(false);
    expect(versions.find((v) => v.id === v2)?.enabled).not.toBe(false);
    await checkScreen('10-disabled-v1');
  });

  it('deletes the secret (with confirmation); it is listed under Deleted', async () => {
    const d = await openSecret(SECRET);
    await button(d, L.deleteSecretButton).click();
    const confirm = dialog(L.deleteDialog(SECRET));
    await confirm.waitFor({ state: 'visible', timeout: UI_TIMEOUT });
    await checkScreen('11-delete-dialog');
    await button(confirm, L.deleteConfirm).click();
    await confirm.waitFor({ state: 'hidden', timeout: UI_TIMEOUT });
    await expect.poll(async () => deletedNames(), { timeout: UI_TIMEOUT }).toEqual([SECRET]);
    await page.getByRole('tab', { name: L.deletedTab, exact: true }).click();
    await listNamed(L.deletedList).getByText(SECRET, { exact: true }).first().waitFor({ state: 'visible', timeout: UI_TIMEOUT });
    await checkScreen('12-deleted-view');
  });

  it('recovers the deleted secret', async () => {
    await button(page, L.recoverButton(SECRET)).click();
    await expect.poll(async () => (await versionsOf(SECRET).catch(() => [])).length, { timeout: UI_TIMEOUT }).toBe(2);
    await page.getByText(L.emptyDeleted, { exact: true }).waitFor({ state: 'visible', timeout: UI_TIMEOUT });
    await page.getByRole('tab', { name: L.secretsTab, exact: true }).click();
    await listNamed(L.secretsList).getByText(SECRET, { exact: true }).first().waitFor({ state: 'visible', timeout: UI_TIMEOUT });
    await checkScreen('13-recovered');
  });

  it('purges another secret, after a confirmation', async () => {
    await addSecret(OTHER, OTHER_VALUE);
    const d = await openSecret(OTHER);
    await button(d, L.deleteSecretButton).click();
    const confirmDelete = dialog(L.deleteDialog(OTHER));
    await button(confirmDelete, L.deleteConfirm).click();
    await confirmDelete.waitFor({ state: 'hidden', timeout: UI_TIMEOUT });
    await page.getByRole('tab', { name: L.deletedTab, exact: true }).click();
    await button(page, L.purgeButton(OTHER)).click();
    const confirm = dialog(L.purgeDialog(OTHER));
    await confirm.waitFor({ state: 'visible', timeout: UI_TIMEOUT });
    await checkScreen('14-purge-dialog');
    await button(confirm, L.purgeConfirm).click();
    await confirm.waitFor({ state: 'hidden', timeout: UI_TIMEOUT });
    await page.getByText(L.emptyDeleted, { exact: true }).waitFor({ state: 'visible', timeout: UI_TIMEOUT });
    const deleted = await app.call('secrets:listDeleted', {});
    expect(deleted.ok && deleted.value).toEqual([]);
    const list = await app.call('secrets:list', {});
    expect(list.ok && list.value.map((s) => s.id.split('/').pop())).toEqual([SECRET]);
    await checkScreen('15-purged');
    await page.getByRole('tab', { name: L.secretsTab, exact: true }).click();
  });

  it('locks: revealed values leave the page, the unlock screen shows', async () => {
    const d = await openSecret(SECRET);
    await button(d, L.revealVersion(shortVersion(v2))).click();
    expect(await revealedText(shortVersion(v2))).toContain(VALUE_2);
    expect(await page.content()).toContain(VALUE_2);
    await button(page, L.lockButton).click();
    const unlock = area(L.unlockRegion);
    await unlock.waitFor({ state: 'visible', timeout: UI_TIMEOUT });
    expect(app.services.session.isUnlocked).toBe(false);
    const html = await page.content();
    for (const v of [VALUE_1, VALUE_2, OTHER_VALUE]) expect(html).not.toContain(v);
    // Nor in any input's live value (content() shows attributes, not typed values).
    const inputs = await page.locator('input, textarea').evaluateAll((els) => els.map((e) => (e as unknown as { value: string }).value));
    for (const v of [VALUE_1, VALUE_2, OTHER_VALUE, PASSPHRASE]) expect(inputs).not.toContain(v);
    await checkScreen('16-locked');
  });

  it('unlock with a wrong passphrase says so; the right one opens the vault again', async () => {
    const unlock = area(L.unlockRegion);
    await field(unlock, L.unlockPassphrase).fill(WRONG);
    await button(unlock, L.unlockButton).click();
    const alert = page.getByRole('alert').filter({ hasText: L.wrongPassphrase });
    await alert.first().waitFor({ state: 'visible', timeout: UI_TIMEOUT });
    expect(app.services.session.isUnlocked).toBe(false);
    await checkScreen('17-wrong-passphrase');
    await field(unlock, L.unlockPassphrase).fill(PASSPHRASE);
    await button(unlock, L.unlockButton).click();
    await button(page, L.newSecretButton).waitFor({ state: 'visible', timeout: UI_TIMEOUT });
    expect(await app.services.session.status()).toMatchObject({ state: 'unlocked', path: vaultPath });
    await listNamed(L.secretsList).getByText(SECRET, { exact: true }).first().waitFor({ state: 'visible', timeout: UI_TIMEOUT });
    await checkScreen('18-unlocked-again');
    // Every call came from the app's own page and went through the gate.
    expect(app.calls.filter((c) => c.code === 'Forbidden')).toEqual([]);
    expect(app.calls.filter((c) => c.code === 'BadParameter' || c.code === 'Internal')).toEqual([]);
  });

  it('the dark theme (following the OS) passes axe too', async () => {
    await page.emulateMedia({ colorScheme: 'dark' });
    const d = await openSecret(SECRET);
    await button(d, L.revealVersion(shortVersion(v2))).click();
    expect(await revealedText(shortVersion(v2))).toContain(VALUE_2);
    await checkScreen('19-dark-detail');
    await button(page, L.lockButton).click();
    await area(L.unlockRegion).waitFor({ state: 'visible', timeout: UI_TIMEOUT });
    await checkScreen('20-dark-locked');
    await page.emulateMedia({ colorScheme: 'light' });
  });

  it('the page logged no error on the way (no CSP refusal, no uncaught exception)', () => {
    expect(app.pageErrors).toEqual([]);
  });
});
