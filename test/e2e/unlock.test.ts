/**
 * Unlocking as a person does it (issue 4), in headless Chromium with the real
 * main handlers, the built renderer and a REAL OS keychain: gnome-keyring on a
 * private D-Bus session (test/helpers/secret-service.ts) behind the same
 * osKeychain() adapter the app uses, under a service name of this test's own.
 *
 * One vault goes through the steps in order (they share the app and the
 * profile): remember on this computer and unlock with the keychain, also in a
 * freshly started app; the keychain entry deleted behind Coffer's back; the
 * Security dialog's remember and forget (and the unlock screen's Forget);
 * the recovery key, created in the Security dialog, resetting a lost
 * passphrase; changing the passphrase. A second vault shows the rate limit on
 * wrong passphrases (the third one says the next attempt waits 1 s).
 *
 * The keychain's entries are looked at through their labels only: what
 * `secret-tool search` prints includes the stored secrets.
 * Each new screen gets an axe scan (no serious or critical violation) and a
 * screenshot in test-results/e2e/unlock-*.png.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Locator, Page } from 'playwright-core';
import { L } from '../../renderer/app/labels.js';
import { osKeychain, type Keychain } from '../../electron/vault/store/keychain.js';
import { startSecretService, type SecretService } from '../helpers/secret-service.js';
import { a11yFindings, a11yStats, axeScan, formatFindings, launchApp, screenshot, type App } from './harness.js';

const SERVICE = `coffer-e2e-${process.pid}`;
const PASSPHRASE = 'correct horse battery staple 42!';
/** Set with the recovery key. */
const RESET_PASSPHRASE = 'a lost passphrase replaced, 7 words';
/** Set in the Security dialog. */
const CHANGED_PASSPHRASE = 'changed once more: violet lantern 93';
const WRONG = 'incorrect horse battery staple';
const UI_TIMEOUT = 10_000;
/** What main says of a keychain entry deleted behind Coffer's back (access/remembered.ts). */
const KEY_GONE = /^The OS keychain \(Secret Service\) no longer holds this vault's key, so it is no longer remembered here\. Unlock with the passphrase\.$/;

let secretService: SecretService;
let keychain: Keychain;
/** The vault and the profile, kept across the two app launches. */
let dir: string;
let app: App;
let page: Page;

const region = (name: string): Locator => page.getByRole('region', { name, exact: true });
const field = (scope: Locator | Page, label: string): Locator => scope.getByLabel(label, { exact: true }).first();
const button = (scope: Locator | Page, name: string): Locator => scope.getByRole('button', { name, exact: true });
const dialog = (name: string): Locator => page.getByRole('dialog', { name, exact: true });
const visible = (l: Locator): Promise<void> => l.waitFor({ state: 'visible', timeout: UI_TIMEOUT });
const gone = (l: Locator): Promise<void> => l.waitFor({ state: 'detached', timeout: UI_TIMEOUT });
/** The keychain entries under this test's service (labels only). */
const entries = (): string[] => secretService.labels(SERVICE);

async function checkScreen(step: string): Promise<void> {
  await screenshot(page, step);
  const serious = await axeScan(page, step);
  if (serious.length > 0) console.log(`axe, serious or critical violations on "${step}":\n${formatFindings(serious)}`);
  expect(serious, formatFindings(serious)).toEqual([]);
}

/** What main has open now (from Node: the test's own view, not the page's). */
async function mainStatus(): Promise<{ state: string; unlockedWith?: string; remembered?: boolean; recoveryKey?: boolean }> {
  const s = await app.services.session.status();
  if (s.state === 'locked') return { state: 'locked', remembered: s.remembered };
  return { state: 'unlocked', unlockedWith: s.vault.unlockedWith, remembered: s.vault.remembered, recoveryKey: s.vault.recoveryKey };
}

/** The contract channels the page has called so far, in order, with their outcome ("vault:open false"). */
const called = (from = 0): string[] => app.calls.slice(from).map((c) => `${c.channel.replace(/^coffer:/, '')} ${c.ok}`);

/** The vault screen is showing (its header's New secret button). */
const vaultOpen = (): Promise<void> => visible(button(page, L.newSecretButton));

async function lock(): Promise<Locator> {
  await button(page, L.lockButton).click();
  const unlock = region(L.unlockRegion);
  await visible(unlock);
  return unlock;
}

/** Types the passphrase on the unlock screen (optionally ticking Remember) and waits for the vault. */
async function unlockWithPassphrase(passphrase: string, remember = false): Promise<void> {
  const unlock = region(L.unlockRegion);
  await visible(unlock);
  await field(unlock, L.unlockPassphrase).fill(passphrase);
  if (remember) await unlock.getByRole('checkbox', { name: L.rememberCheckbox, exact: true }).check();
  const before = app.calls.length;
  await button(unlock, L.unlockButton).click();
  await vaultOpen();
  // The vault screen shows as soon as the vault is open; remembering it follows.
  if (remember) await expect.poll(() => called(before).filter((c) => c.startsWith('vault:remember ')), { timeout: UI_TIMEOUT }).toHaveLength(1);
}

/** Types a wrong passphrase on the unlock screen; returns the error it shows. */
async function wrongPassphrase(passphrase: string): Promise<string> {
  const unlock = region(L.unlockRegion);
  const opens = (): number => called().filter((c) => c.startsWith('vault:open ')).length;
  const before = opens();
  await field(unlock, L.unlockPassphrase).fill(passphrase);
  await button(unlock, L.unlockButton).click();
  // Main has answered, and the page has taken the answer in (the form is no longer busy).
  await expect.poll(opens, { timeout: UI_TIMEOUT }).toBe(before + 1);
  await expect.poll(() => unlock.locator('form').getAttribute('aria-busy'), { timeout: UI_TIMEOUT }).toBe('false');
  const alert = unlock.getByRole('alert');
  await visible(alert);
  // The field is cleared for the next try.
  expect(await field(unlock, L.unlockPassphrase).inputValue()).toBe('');
  return (await alert.textContent()) ?? '';
}

async function openSecurity(): Promise<Locator> {
  await button(page, L.securityButton).click();
  const d = dialog(L.securityDialog);
  await visible(d);
  return d;
}

async function closeSecurity(d: Locator): Promise<void> {
  await button(d, L.closeButton).click();
  await gone(d);
}

beforeAll(async () => {
  secretService = await startSecretService();
  // @napi-rs/keyring connects once per process, to the bus named here: before any keychain call.
  process.env.DBUS_SESSION_BUS_ADDRESS = secretService.env.DBUS_SESSION_BUS_ADDRESS;
  keychain = osKeychain({ service: SERVICE, platform: 'linux' });
  dir = await mkdtemp(join(tmpdir(), 'coffer-e2e-unlock-'));
}, 60_000);

afterAll(async () => {
  const minor = a11yFindings.filter((f) => f.impact !== 'serious' && f.impact !== 'critical');
  console.log(`axe: ${a11yStats.scans} scans, ${a11yFindings.length} violations (${a11yFindings.length - minor.length} serious or critical)`);
  if (minor.length > 0) console.log(`axe, moderate or minor findings (not failing):\n${formatFindings(minor)}`);
  await app?.close();
  secretService?.stop();
  if (dir) await rm(dir, { recursive: true, force: true, maxRetries: 10, retryDelay: 50 });
});

describe('unlocking a vault: the OS keychain, the recovery key, the passphrase (Chromium, real main handlers, real Secret Service)', () => {
  let vaultPath: string;

  afterAll(async () => {
    if (app?.warnings.some((w) => w.startsWith('unexpected error'))) console.log(app.warnings.join('\n'));
    await app?.close();
  });

  it('Remember on this computer: the unlock screen then offers the keychain, which opens the vault with no passphrase typed', async () => {
    app = await launchApp({ vaultDir: dir, keychain });
    page = app.page;
    vaultPath = join(dir, 'unlock.coffer');
    const create = region(L.createRegion);
    await visible(create);
    await field(create, L.createPath).fill(vaultPath);
    await field(create, L.createPassphrase).fill(PASSPHRASE);
    await field(create, L.createRepeat).fill(PASSPHRASE);
    await button(create, L.createButton).click();
    await vaultOpen();

    // Not remembered yet: the passphrase form with the Remember checkbox and its trade-off, no keychain button.
    let unlock = await lock();
    expect(await button(unlock, L.keychainUnlockButton).count()).toBe(0);
    const remember = unlock.getByRole('checkbox', { name: L.rememberCheckbox, exact: true });
    expect(await remember.isChecked()).toBe(false);
    expect(await remember.getAttribute('aria-describedby')).toBeTruthy();
    await visible(unlock.getByText(L.rememberTradeOff, { exact: true }));
    await checkScreen('unlock-01-remember-checkbox');
    expect(entries()).toEqual([]);

    await unlockWithPassphrase(PASSPHRASE, true);
    expect(await mainStatus()).toEqual({ state: 'unlocked', unlockedWith: 'passphrase', remembered: true, recoveryKey: false });
    // One entry, under our service: keyring-rs labels it "keyring:<account>@<service>".
    expect(entries()).toHaveLength(1);
    expect(entries()[0]).toMatch(new RegExp(`^keyring:[0-9a-f]{32}\\.[0-9a-f]{16}@${SERVICE}$`));
    // Remembering went through without a notice.
    expect(await page.getByRole('alert').count()).toBe(0);

    unlock = await lock();
    const keychainButton = button(unlock, L.keychainUnlockButton);
    await visible(keychainButton);
    await visible(unlock.getByText(L.keychainUnlockHint, { exact: true }));
    await visible(button(unlock, L.forgetButton));
    // Remembered: no checkbox; the passphrase stays possible.
    expect(await unlock.getByRole('checkbox').count()).toBe(0);
    expect(await field(unlock, L.unlockPassphrase).isVisible()).toBe(true);
    await checkScreen('unlock-02-keychain-offered');

    const before = app.calls.length;
    await keychainButton.click();
    await vaultOpen();
    expect(await mainStatus()).toMatchObject({ state: 'unlocked', unlockedWith: 'keychain', remembered: true });
    // No passphrase went to main: one keychain call opened it (then the open vault's status and its conflicted copies were asked for).
    expect(called(before).filter((c) => c.startsWith('vault:') && !/^vault:(status|conflictedCopies) /.test(c))).toEqual(['vault:unlockWithKeychain true']);
    expect(entries()).toHaveLength(1);
  });

  it('a freshly started app offers the last vault on the unlock screen, and the keychain opens it', async () => {
    await app.close();
    app = await launchApp({ vaultDir: dir, keychain });
    page = app.page;
    const unlock = region(L.unlockRegion);
    await visible(unlock);
    await visible(unlock.getByText(vaultPath, { exact: true }));
    await button(unlock, L.keychainUnlockButton).click();
    await vaultOpen();
    expect(await mainStatus()).toMatchObject({ state: 'unlocked', unlockedWith: 'keychain' });
    expect(called().filter((c) => c.startsWith('vault:open '))).toEqual([]);
    expect(called()).toContain('vault:unlockWithKeychain true');
    expect(entries()).toHaveLength(1);
    await page.getByText(vaultPath, { exact: true }).first().waitFor({ state: 'visible', timeout: UI_TIMEOUT });
  });

  it("the keychain entry deleted behind Coffer's back: the keychain button says so and goes away, the passphrase opens", async () => {
    const unlock = await lock();
    await visible(button(unlock, L.keychainUnlockButton));
    expect(secretService.secretTool(['clear', 'service', SERVICE]).status).toBe(0);
    expect(entries()).toEqual([]);

    await button(unlock, L.keychainUnlockButton).click();
    const alert = unlock.getByRole('alert');
    await visible(alert);
    expect(await alert.textContent()).toMatch(KEY_GONE);
    // The page asked main again: no longer remembered, so the keychain is no longer offered.
    await gone(button(unlock, L.keychainUnlockButton));
    await gone(button(unlock, L.forgetButton));
    await visible(unlock.getByRole('checkbox', { name: L.rememberCheckbox, exact: true }));
    expect(await mainStatus()).toEqual({ state: 'locked', remembered: false });
    await checkScreen('unlock-03-keychain-entry-gone');

    await unlockWithPassphrase(PASSPHRASE);
    expect(await mainStatus()).toMatchObject({ state: 'unlocked', unlockedWith: 'passphrase', remembered: false });
    expect(entries()).toEqual([]);
  });

  it('the Security dialog remembers (after the passphrase) and forgets; the unlock screen then offers no keychain', async () => {
    let d = await openSecurity();
    await visible(d.getByText(L.securityUnlockedWith(L.unlockedWithNames.passphrase!), { exact: true }));
    await visible(d.getByText(L.securityRememberedNo, { exact: true }));
    await visible(d.getByText(L.securityRecoveryNo, { exact: true }));
    expect(await button(d, L.forgetButton).count()).toBe(0);
    await checkScreen('unlock-04-security-dialog');

    // Remembering asks for the passphrase: a wrong one stores nothing.
    await button(d, L.rememberButton).click();
    const rem = dialog(L.rememberDialog);
    await visible(rem);
    await field(rem, L.confirmPassphrase).fill(WRONG);
    await button(rem, L.rememberConfirm).click();
    await visible(rem.getByRole('alert'));
    expect(await rem.getByRole('alert').textContent()).toBe(L.wrongPassphrase);
    expect(entries()).toEqual([]);
    await checkScreen('unlock-05-remember-dialog-wrong');
    await field(rem, L.confirmPassphrase).fill(PASSPHRASE);
    await button(rem, L.rememberConfirm).click();
    d = dialog(L.securityDialog);
    await visible(d.getByText(L.securityRememberedYes, { exact: true }));
    expect(entries()).toHaveLength(1);
    expect(await mainStatus()).toMatchObject({ remembered: true });
    await closeSecurity(d);

    // Remembered from the dialog: the unlock screen offers the keychain, which opens.
    let unlock = await lock();
    await button(unlock, L.keychainUnlockButton).click();
    await vaultOpen();
    expect(await mainStatus()).toMatchObject({ unlockedWith: 'keychain' });

    d = await openSecurity();
    await visible(d.getByText(L.securityUnlockedWith(L.unlockedWithNames.keychain!), { exact: true }));
    await button(d, L.forgetButton).click();
    await visible(d.getByText(L.securityRememberedNo, { exact: true }));
    expect(entries()).toEqual([]);
    expect(await mainStatus()).toMatchObject({ state: 'unlocked', remembered: false });
    await closeSecurity(d);

    // Forgotten: the passphrase form with the checkbox, and the focus in the passphrase field
    // (the unlock screen did not go by the stale "remembered" of the last locked state).
    unlock = await lock();
    await visible(unlock.getByRole('checkbox', { name: L.rememberCheckbox, exact: true }));
    expect(await button(unlock, L.keychainUnlockButton).count()).toBe(0);
    const passField = field(unlock, L.unlockPassphrase);
    await expect.poll(() => passField.evaluate((e) => e === e.ownerDocument.activeElement), { timeout: UI_TIMEOUT }).toBe(true);

    // The unlock screen's own Forget does the same.
    await unlockWithPassphrase(PASSPHRASE, true);
    expect(entries()).toHaveLength(1);
    unlock = await lock();
    await button(unlock, L.forgetButton).click();
    await gone(button(unlock, L.keychainUnlockButton));
    expect(entries()).toEqual([]);
    expect(await mainStatus()).toEqual({ state: 'locked', remembered: false });
    await unlockWithPassphrase(PASSPHRASE);
  });

  it('a recovery key, created in the Security dialog and shown once, resets a lost passphrase', async () => {
    let d = await openSecurity();
    await button(d, L.createRecoveryButton).click();
    const create = dialog(L.createRecoveryDialog);
    await visible(create);
    await visible(create.getByText(L.createRecoveryExplain, { exact: true }));
    await field(create, L.confirmPassphrase).fill(PASSPHRASE);
    await button(create, L.createConfirm).click();

    const shown = dialog(L.showRecoveryDialog);
    await visible(shown);
    const key = ((await shown.locator('.recovery-key code').textContent()) ?? '').trim();
    // 9 groups of 4 of Crockford's base32 (no I, L, O, U).
    expect(key).toMatch(/^[0-9A-HJKMNP-TV-Z]{4}(-[0-9A-HJKMNP-TV-Z]{4}){8}$/);
    await visible(button(shown, L.printButton));
    await visible(shown.getByText(L.recoveryKeyOnce, { exact: true }));
    // The key is on screen for the user; its button has the focus.
    expect(await button(shown, L.recoveryDone).evaluate((b) => b === b.ownerDocument.activeElement)).toBe(true);
    await checkScreen('unlock-06-recovery-key-shown');
    await button(shown, L.recoveryDone).click();

    // Back on the overview: a key exists, and it is nowhere in the page any more.
    d = dialog(L.securityDialog);
    await visible(d.getByText(L.securityRecoveryYes, { exact: true }));
    await visible(button(d, L.replaceRecoveryButton));
    await visible(button(d, L.removeRecoveryButton));
    expect(await mainStatus()).toMatchObject({ recoveryKey: true });
    expect((await page.content()).includes(key)).toBe(false);
    expect((await page.content()).includes(key.replace(/-/g, ''))).toBe(false);
    await closeSecurity(d);

    // The passphrase is lost: the recovery key and a new passphrase.
    let unlock = await lock();
    await button(unlock, L.forgotRecovery).click();
    const recovery = region(L.recoveryRegion);
    await visible(recovery);
    await visible(recovery.getByText(vaultPath, { exact: true }));
    await visible(recovery.getByText(L.recoveryKeyHint, { exact: true }));
    await field(recovery, L.recoveryKeyField).fill(key.toLowerCase().split('-').join(' '));
    await field(recovery, L.newPassphraseField).fill(RESET_PASSPHRASE);
    await field(recovery, L.repeatNewPassphrase).fill(RESET_PASSPHRASE);
    const meter = recovery.getByRole('meter', { name: L.strengthMeter, exact: true });
    expect(Number(await meter.getAttribute('aria-valuenow'))).toBeGreaterThan(60);
    await checkScreen('unlock-07-recovery-form');
    await button(recovery, L.resetButton).click();
    await vaultOpen();
    expect(await mainStatus()).toMatchObject({ state: 'unlocked', unlockedWith: 'recoveryKey', recoveryKey: true });
    d = await openSecurity();
    await visible(d.getByText(L.securityUnlockedWith(L.unlockedWithNames.recoveryKey!), { exact: true }));
    await closeSecurity(d);

    // The old passphrase no longer opens the vault; the new one does.
    unlock = await lock();
    expect(await wrongPassphrase(PASSPHRASE)).toBe(L.wrongPassphrase);
    await unlockWithPassphrase(RESET_PASSPHRASE);
    expect(await mainStatus()).toMatchObject({ state: 'unlocked', unlockedWith: 'passphrase' });
    expect(await unlock.count()).toBe(0);
  });

  it('changes the passphrase in the Security dialog: a wrong current one is refused, the right one changes it', async () => {
    let d = await openSecurity();
    await button(d, L.changePassphraseButton).click();
    const change = dialog(L.changePassphraseDialog);
    await visible(change);
    // The KDF note: the defaults are what main raises a weaker vault to.
    await visible(change.getByText(L.changeKdfNote(65_536, 3, 4), { exact: true }));
    await field(change, L.currentPassphrase).fill(WRONG);
    await field(change, L.newPassphraseField).fill(CHANGED_PASSPHRASE);
    await field(change, L.repeatNewPassphrase).fill(CHANGED_PASSPHRASE);
    await button(change, L.changeConfirm).click();
    const alert = change.getByRole('alert');
    await visible(alert);
    expect(await alert.textContent()).toBe(L.wrongPassphrase);
    await checkScreen('unlock-08-change-passphrase-wrong');

    await field(change, L.currentPassphrase).fill(RESET_PASSPHRASE);
    await button(change, L.changeConfirm).click();
    d = dialog(L.securityDialog);
    await gone(change);
    await visible(d);
    // Said inside the dialog, where the focus and a screen reader are.
    await visible(d.getByRole('status').filter({ hasText: L.passphraseChanged }));
    await checkScreen('unlock-09-passphrase-changed');
    await closeSecurity(d);

    // The passphrase before the change no longer opens; the new one does.
    await lock();
    expect(await wrongPassphrase(RESET_PASSPHRASE)).toBe(L.wrongPassphrase);
    await unlockWithPassphrase(CHANGED_PASSPHRASE);
    expect(await mainStatus()).toMatchObject({ state: 'unlocked', unlockedWith: 'passphrase', recoveryKey: true });
    expect(app.pageErrors).toEqual([]);
  });
});

describe('wrong passphrases are rate-limited (Chromium, real main handlers)', () => {
  afterAll(async () => {
    await app?.close();
  });

  it('the third wrong passphrase says the next attempt waits 1 s; the right one then opens', async () => {
    // A vault of its own: the count of failures is per vault, in the profile.
    app = await launchApp({ keychain });
    page = app.page;
    const create = region(L.createRegion);
    await visible(create);
    await field(create, L.createPath).fill(join(app.vaultDir, 'limited.coffer'));
    await field(create, L.createPassphrase).fill(PASSPHRASE);
    await field(create, L.createRepeat).fill(PASSPHRASE);
    await button(create, L.createButton).click();
    await vaultOpen();
    await lock();

    expect(await wrongPassphrase(WRONG)).toBe(L.wrongPassphrase);
    expect(await wrongPassphrase(`${WRONG} 2`)).toBe(L.wrongPassphrase);
    expect(await wrongPassphrase(`${WRONG} 3`)).toBe(`${L.wrongPassphrase} The next attempt waits 1 s.`);
    await checkScreen('unlock-10-rate-limited');
    // The next attempt (the right passphrase) waits out its second, then opens.
    await unlockWithPassphrase(PASSPHRASE);
    expect(await mainStatus()).toMatchObject({ state: 'unlocked', unlockedWith: 'passphrase' });
    expect(app.pageErrors).toEqual([]);
  });
});
