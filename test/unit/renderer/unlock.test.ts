// @vitest-environment jsdom
/// <reference lib="dom" />
/**
 * The unlocking screens of issue 4 against the fake main (fake-api.ts): the
 * unlock screen's keychain button and Remember checkbox, the recovery form,
 * and the Security dialog (remember / forget, change passphrase, recovery
 * key shown once). test/e2e/unlock.test.ts runs the same against the real
 * main handlers and a real Secret Service.
 */
import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { L } from '../../../renderer/app/labels.js';
import { useSession } from '../../../renderer/features/vault/store.js';
import { createFakeCoffer, type FakeCoffer } from './fake-api.js';
import { renderApp } from './setup.js';

const PATH = '/v/work.coffer';
const PASS = 'right passphrase';
const NEW_PASS = 'a new passphrase, long enough';
/** What the fake's vault:createRecoveryKey answers. */
const RECOVERY_KEY = 'ABCD-EFGH-JKMN-PQRS-TVWX-YZ01-2345-6789-TEST';

const type = (el: HTMLElement, value: string) => fireEvent.change(el, { target: { value } });
const channels = (fake: FakeCoffer): string[] => fake.calls.map((c) => c.channel);
const callsOf = (fake: FakeCoffer, channel: string): unknown[] => fake.calls.filter((c) => c.channel === channel).map((c) => c.input);

/** A vault on disk, locked, offered on the unlock screen (main's last vault). */
function lockedVault(options: { remembered?: boolean; recoveryKey?: string } = {}) {
  const fake = createFakeCoffer();
  const vault = fake.addVault(PATH, PASS);
  fake.addSecret(vault, 'db-password', { value: 'hunter2' });
  if (options.remembered) vault.remembered = true;
  if (options.recoveryKey) vault.recoveryKey = options.recoveryKey;
  fake.lastPath = PATH;
  return { fake, vault };
}

/** The same vault, open (unlocked with the passphrase). */
function openVault(options: { remembered?: boolean; recoveryKey?: string } = {}) {
  const r = lockedVault(options);
  r.fake.open = PATH;
  return r;
}

async function unlockRegion(): Promise<HTMLElement> {
  return screen.findByRole('region', { name: L.unlockRegion });
}

async function vaultScreen(): Promise<void> {
  await screen.findByRole('option', { name: 'db-password' });
}

async function openSecurity(): Promise<HTMLElement> {
  fireEvent.click(await screen.findByRole('button', { name: L.securityButton }));
  return screen.findByRole('dialog', { name: L.securityDialog });
}




/** Renders the app on its unlock screen and submits `passphrase` (with Remember ticked or not); returns the unlock region. */
async function submitUnlock(fake: FakeCoffer, passphrase: string, remember: boolean): Promise<HTMLElement> {
  renderApp(fake);
  const region = await unlockRegion();
  type(within(region).getByLabelText(L.unlockPassphrase), passphrase);
  if (remember) fireEvent.click(within(region).getByRole('checkbox', { name: L.rememberCheckbox }));
  fireEvent.click(within(region).getByRole('button', { name: L.unlockButton }));
  return region;
}

/** The names of a dialog's buttons, in order. */
function buttonNames(d: HTMLElement): string[] {
  return within(d)
    .getAllByRole('button')
    .map((b) => b.textContent ?? '');
}

/**
 * A Security step that asks for the passphrase again: it explains itself, a wrong
 * passphrase is refused inside the dialog (`refused` checks nothing changed), then
 * the right one is submitted.
 */
async function passphraseStep(title: string, explain: string, confirm: string, refused: () => void): Promise<void> {
  const dlg = await screen.findByRole('dialog', { name: title });
  expect(within(dlg).getByText(explain)).toBeTruthy();
  type(within(dlg).getByLabelText(L.confirmPassphrase), 'wrong');
  fireEvent.click(within(dlg).getByRole('button', { name: confirm }));
  expect((await within(dlg).findByRole('alert')).textContent).toBe(L.wrongPassphrase);
  refused();
  type(within(dlg).getByLabelText(L.confirmPassphrase), PASS);
  fireEvent.click(within(dlg).getByRole('button', { name: confirm }));
}

describe('unlock screen: the OS keychain', () => {
  it('offers no keychain button when this computer does not remember the vault, but the Remember checkbox and its trade-off', async () => {
    const { fake } = lockedVault();
    renderApp(fake);
    const region = await unlockRegion();
    expect(within(region).queryByRole('button', { name: L.keychainUnlockButton })).toBeNull();
    expect(within(region).queryByRole('button', { name: L.forgetButton })).toBeNull();
    const box = within(region).getByRole('checkbox', { name: L.rememberCheckbox }) as HTMLInputElement;
    expect(box.checked).toBe(false);
    expect(document.getElementById(box.getAttribute('aria-describedby')!)?.textContent).toBe(L.rememberTradeOff);
    // The passphrase field has the focus: it is the way in.
    expect(document.activeElement).toBe(within(region).getByLabelText(L.unlockPassphrase));
  });

  it('offers the keychain button when remembered (no checkbox then); it opens the vault without a passphrase', async () => {
    const { fake } = lockedVault({ remembered: true });
    renderApp(fake);
    const region = await unlockRegion();
    expect(within(region).getByText(L.keychainUnlockHint)).toBeTruthy();
    expect(within(region).queryByRole('checkbox')).toBeNull();
    // The passphrase is still possible.
    expect(within(region).getByLabelText(L.unlockPassphrase)).toBeTruthy();
    fireEvent.click(within(region).getByRole('button', { name: L.keychainUnlockButton }));
    await vaultScreen();
    expect(callsOf(fake, 'vault:unlockWithKeychain')).toEqual([{ path: PATH }]);
    expect(channels(fake)).not.toContain('vault:open');
    expect(useSession.getState().vault?.unlockedWith).toBe('keychain');
  });

  it("a keychain that no longer holds the key: main's message, then the button goes (the page asks main again)", async () => {
    const { fake, vault } = lockedVault({ remembered: true });
    renderApp(fake);
    const region = await unlockRegion();
    // Main removes its remembered file when the keychain entry is gone.
    vault.remembered = false;
    const message = "The OS keychain (Secret Service) no longer holds this vault's key, so it is no longer remembered here. Unlock with the passphrase.";
    fake.failNext['vault:unlockWithKeychain'] = { ok: false, code: 'VaultLocked', message };
    fireEvent.click(within(region).getByRole('button', { name: L.keychainUnlockButton }));
    expect((await within(region).findByRole('alert')).textContent).toBe(message);
    await waitFor(() => expect(within(region).queryByRole('button', { name: L.keychainUnlockButton })).toBeNull());
    expect(within(region).getByRole('checkbox', { name: L.rememberCheckbox })).toBeTruthy();
    expect(document.activeElement).toBe(within(region).getByLabelText(L.unlockPassphrase));
    expect(channels(fake).slice(-2)).toEqual(['vault:unlockWithKeychain', 'vault:status']);

    type(within(region).getByLabelText(L.unlockPassphrase), PASS);
    fireEvent.click(within(region).getByRole('button', { name: L.unlockButton }));
    await vaultScreen();
  });

  it('Forget on this computer: the keychain button goes, the passphrase stays', async () => {
    const { fake, vault } = lockedVault({ remembered: true });
    renderApp(fake);
    const region = await unlockRegion();
    fireEvent.click(within(region).getByRole('button', { name: L.forgetButton }));
    await waitFor(() => expect(within(region).queryByRole('button', { name: L.keychainUnlockButton })).toBeNull());
    expect(callsOf(fake, 'vault:forget')).toEqual([{ path: PATH }]);
    expect(vault.remembered).toBe(false);
    expect(within(region).getByRole('checkbox', { name: L.rememberCheckbox })).toBeTruthy();
  });

  it('Remember on this computer: vault:open, then vault:remember with the same passphrase', async () => {
    const { fake, vault } = lockedVault();
    await submitUnlock(fake, PASS, true);
    await vaultScreen();
    await waitFor(() => expect(vault.remembered).toBe(true));
    const calls = fake.calls.filter((c) => c.channel === 'vault:open' || c.channel === 'vault:remember');
    expect(calls).toEqual([
      { channel: 'vault:open', input: { path: PATH, passphrase: PASS } },
      { channel: 'vault:remember', input: { passphrase: PASS } },
    ]);
    await waitFor(() => expect(useSession.getState().vault?.remembered).toBe(true));
    expect(screen.queryByRole('alert')).toBeNull();
  });

  it('without the checkbox ticked nothing is remembered', async () => {
    const { fake } = lockedVault();
    await submitUnlock(fake, PASS, false);
    await vaultScreen();
    expect(channels(fake)).not.toContain('vault:remember');
  });

  it('a keychain that refuses: the vault opens anyway and its screen says it was not remembered; Close dismisses it', async () => {
    const { fake, vault } = lockedVault();
    const message = 'The OS keychain (Secret Service) cannot be used: DBus error: Failed to connect to socket';
    fake.failNext['vault:remember'] = { ok: false, code: 'KeychainUnavailable', message };
    await submitUnlock(fake, PASS, true);
    await vaultScreen();
    const notice = await screen.findByRole('alert');
    expect(notice.textContent).toContain(L.rememberFailed(message));
    expect(vault.remembered).toBeUndefined();
    fireEvent.click(within(notice).getByRole('button', { name: L.closeButton }));
    await waitFor(() => expect(screen.queryByRole('alert')).toBeNull());
  });

  it('a wrong passphrase with Remember ticked remembers nothing', async () => {
    const { fake } = lockedVault();
    const region = await submitUnlock(fake, 'wrong', true);
    expect((await within(region).findByRole('alert')).textContent).toBe(L.wrongPassphrase);
    expect(channels(fake)).not.toContain('vault:remember');
  });

  it('after a lock the unlock screen at once shows what the open vault said about remembering (no stale controls, the focus where it belongs)', async () => {
    // Remembered at start-up; opened with the keychain; forgotten in the Security dialog.
    const { fake } = lockedVault({ remembered: true });
    renderApp(fake);
    fireEvent.click(within(await unlockRegion()).getByRole('button', { name: L.keychainUnlockButton }));
    await vaultScreen();
    const d = await openSecurity();
    fireEvent.click(within(d).getByRole('button', { name: L.forgetButton }));
    await within(d).findByText(L.securityRememberedNo);
    fireEvent.click(within(d).getByRole('button', { name: L.closeButton }));

    fireEvent.click(screen.getByRole('button', { name: L.lockButton }));
    // The first frame of the unlock screen, before main has answered the lock.
    const region = screen.getByRole('region', { name: L.unlockRegion });
    expect(within(region).queryByRole('button', { name: L.keychainUnlockButton })).toBeNull();
    expect(within(region).getByRole('checkbox', { name: L.rememberCheckbox })).toBeTruthy();
    await waitFor(() => expect(fake.open).toBeNull());
    await waitFor(() => expect(channels(fake).at(-1)).toBe('vault:lock'));
    expect(document.activeElement).toBe(within(region).getByLabelText(L.unlockPassphrase));
  });

  it('and the other way: remembered in the Security dialog, the unlock screen offers the keychain from its first frame', async () => {
    const { fake } = lockedVault();
    await submitUnlock(fake, PASS, false);
    await vaultScreen();
    const d = await openSecurity();
    fireEvent.click(within(d).getByRole('button', { name: L.rememberButton }));
    const rem = await screen.findByRole('dialog', { name: L.rememberDialog });
    type(within(rem).getByLabelText(L.confirmPassphrase), PASS);
    fireEvent.click(within(rem).getByRole('button', { name: L.rememberConfirm }));
    const back = await screen.findByRole('dialog', { name: L.securityDialog });
    await within(back).findByText(L.securityRememberedYes);
    fireEvent.click(within(back).getByRole('button', { name: L.closeButton }));

    fireEvent.click(screen.getByRole('button', { name: L.lockButton }));
    const region = screen.getByRole('region', { name: L.unlockRegion });
    expect(within(region).getByRole('button', { name: L.keychainUnlockButton })).toBeTruthy();
    expect(within(region).queryByRole('checkbox')).toBeNull();
    await waitFor(() => expect(channels(fake).at(-1)).toBe('vault:lock'));
    expect(within(region).getByRole('button', { name: L.keychainUnlockButton })).toBeTruthy();
  });
});

describe('unlock screen: the recovery key', () => {
  async function recoveryForm(fake: FakeCoffer): Promise<HTMLElement> {
    renderApp(fake);
    fireEvent.click(within(await unlockRegion()).getByRole('button', { name: L.forgotRecovery }));
    return screen.findByRole('region', { name: L.recoveryRegion });
  }

  it('two different new passphrases are refused before any call to main', async () => {
    const { fake } = lockedVault({ recoveryKey: RECOVERY_KEY });
    const form = await recoveryForm(fake);
    const before = fake.calls.length;
    type(within(form).getByLabelText(L.recoveryKeyField), RECOVERY_KEY);
    type(within(form).getByLabelText(L.newPassphraseField), NEW_PASS);
    type(within(form).getByLabelText(L.repeatNewPassphrase), `${NEW_PASS}!`);
    fireEvent.click(within(form).getByRole('button', { name: L.resetButton }));
    expect((await within(form).findByRole('alert')).textContent).toBe(L.passphraseMismatch);
    expect(fake.calls.slice(before)).toEqual([]);
  });

  it('the key in lowercase with spaces and the new passphrase twice: opens, and the new passphrase is set', async () => {
    const { fake, vault } = lockedVault({ recoveryKey: RECOVERY_KEY });
    const form = await recoveryForm(fake);
    expect(within(form).getByText(PATH)).toBeTruthy();
    const keyField = within(form).getByLabelText(L.recoveryKeyField);
    expect(document.getElementById(keyField.getAttribute('aria-describedby')!)?.textContent).toBe(L.recoveryKeyHint);
    expect(document.activeElement).toBe(keyField);
    const typed = RECOVERY_KEY.toLowerCase().split('-').join(' ');
    type(keyField, typed);
    type(within(form).getByLabelText(L.newPassphraseField), NEW_PASS);
    expect(Number(within(form).getByRole('meter', { name: L.strengthMeter }).getAttribute('aria-valuenow'))).toBeGreaterThan(0);
    type(within(form).getByLabelText(L.repeatNewPassphrase), NEW_PASS);
    fireEvent.click(within(form).getByRole('button', { name: L.resetButton }));
    await vaultScreen();
    // The key goes to main as typed (main reads it forgivingly).
    expect(callsOf(fake, 'vault:resetPassphrase')).toEqual([{ path: PATH, recoveryKey: typed, newPassphrase: NEW_PASS }]);
    expect(vault.passphrase).toBe(NEW_PASS);
    expect(useSession.getState().vault?.unlockedWith).toBe('recoveryKey');
  });

  it("a wrong key shows main's message; Back to the passphrase returns to the unlock form", async () => {
    const { fake } = lockedVault({ recoveryKey: RECOVERY_KEY });
    const form = await recoveryForm(fake);
    type(within(form).getByLabelText(L.recoveryKeyField), RECOVERY_KEY.replace('ABCD', 'ABCE'));
    type(within(form).getByLabelText(L.newPassphraseField), NEW_PASS);
    type(within(form).getByLabelText(L.repeatNewPassphrase), NEW_PASS);
    fireEvent.click(within(form).getByRole('button', { name: L.resetButton }));
    expect((await within(form).findByRole('alert')).textContent).toBe('The recovery key is wrong.');
    fireEvent.click(within(form).getByRole('button', { name: L.backToPassphrase }));
    const region = await unlockRegion();
    expect(within(region).getByLabelText(L.unlockPassphrase)).toBeTruthy();
  });
});

describe('the Security dialog', () => {
  it('says how the vault was unlocked, that it is not remembered and has no recovery key', async () => {
    const { fake } = openVault();
    renderApp(fake);
    const d = await openSecurity();
    expect(within(d).getByText(L.securityUnlockedWith(L.unlockedWithNames.passphrase!))).toBeTruthy();
    for (const text of [L.securityRememberedNo, L.securityRecoveryNo]) expect(within(d).getByText(text)).toBeTruthy();
    expect(buttonNames(d)).toEqual([L.rememberButton, L.changePassphraseButton, L.createRecoveryButton, L.refoundButton, L.closeButton]);
  });

  it('opened by my identity: no vault passphrase actions (the vault holds none of mine), and where they are instead', async () => {
    const { fake } = openVault();
    fake.unlockedWith = 'identity';
    renderApp(fake);
    const d = await openSecurity();
    expect(within(d).getByText(L.securityUnlockedWith(L.unlockedWithNames.identity!))).toBeTruthy();
    expect(within(d).getByText(L.securityByIdentity)).toBeTruthy();
    expect(buttonNames(d)).toEqual([L.refoundButton, L.closeButton]);
  });

  it('remembered, with a recovery key, opened by the keychain: Forget, Replace and Remove are offered', async () => {
    const { fake } = openVault({ remembered: true, recoveryKey: RECOVERY_KEY });
    fake.unlockedWith = 'keychain';
    renderApp(fake);
    const d = await openSecurity();
    expect(within(d).getByText(L.securityUnlockedWith(L.unlockedWithNames.keychain!))).toBeTruthy();
    for (const text of [L.securityRememberedYes, L.securityRecoveryYes]) expect(within(d).getByText(text)).toBeTruthy();
    expect(buttonNames(d)).toEqual([L.forgetButton, L.changePassphraseButton, L.replaceRecoveryButton, L.removeRecoveryButton, L.refoundButton, L.closeButton]);
    // Everything the recovery key could be is absent: Coffer cannot show it again.
    expect(document.body.textContent).not.toContain(RECOVERY_KEY);
  });

  it('Remember asks for the passphrase (a wrong one is refused), then the dialog says remembered; Forget undoes it', async () => {
    const { fake, vault } = openVault();
    renderApp(fake);
    const d = await openSecurity();
    fireEvent.click(within(d).getByRole('button', { name: L.rememberButton }));
    await passphraseStep(L.rememberDialog, L.rememberTradeOff, L.rememberConfirm, () => expect(vault.remembered).toBeUndefined());
    const back = await screen.findByRole('dialog', { name: L.securityDialog });
    expect(await within(back).findByText(L.securityRememberedYes)).toBeTruthy();
    expect(vault.remembered).toBe(true);
    expect(callsOf(fake, 'vault:remember')).toEqual([{ passphrase: 'wrong' }, { passphrase: PASS }]);

    fireEvent.click(within(back).getByRole('button', { name: L.forgetButton }));
    expect(await within(back).findByText(L.securityRememberedNo)).toBeTruthy();
    expect(callsOf(fake, 'vault:forget')).toEqual([{ path: PATH }]);
    expect(vault.remembered).toBe(false);
  });

  it('creates a recovery key after the passphrase; it is shown once and gone after I have written it down', async () => {
    const { fake, vault } = openVault();
    renderApp(fake);
    let d = await openSecurity();
    fireEvent.click(within(d).getByRole('button', { name: L.createRecoveryButton }));
    await passphraseStep(L.createRecoveryDialog, L.createRecoveryExplain, L.createConfirm, () => expect(vault.recoveryKey).toBeUndefined());

    const shown = await screen.findByRole('dialog', { name: L.showRecoveryDialog });
    expect(within(shown).getByText(RECOVERY_KEY)).toBeTruthy();
    expect(within(shown).getByText(L.recoveryKeyOnce)).toBeTruthy();
    expect(within(shown).getByRole('button', { name: L.printButton })).toBeTruthy();
    const done = within(shown).getByRole('button', { name: L.recoveryDone });
    expect(document.activeElement).toBe(done);
    fireEvent.click(done);

    d = await screen.findByRole('dialog', { name: L.securityDialog });
    expect(await within(d).findByText(L.securityRecoveryYes)).toBeTruthy();
    expect(document.body.textContent).not.toContain(RECOVERY_KEY);
    expect(JSON.stringify(useSession.getState())).not.toContain(RECOVERY_KEY);
    // Closing and opening the dialog again does not bring it back.
    fireEvent.click(within(d).getByRole('button', { name: L.closeButton }));
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    d = await openSecurity();
    expect(within(d).getByText(L.securityRecoveryYes)).toBeTruthy();
    expect(document.body.textContent).not.toContain(RECOVERY_KEY);
  });

  it('Replace shows the new key once; Escape closes it as well', async () => {
    const { fake } = openVault({ recoveryKey: 'OLD0-OLD0-OLD0-OLD0-OLD0-OLD0-OLD0-OLD0-OLD0' });
    renderApp(fake);
    const d = await openSecurity();
    fireEvent.click(within(d).getByRole('button', { name: L.replaceRecoveryButton }));
    const create = await screen.findByRole('dialog', { name: L.createRecoveryDialog });
    type(within(create).getByLabelText(L.confirmPassphrase), PASS);
    fireEvent.click(within(create).getByRole('button', { name: L.createConfirm }));
    const shown = await screen.findByRole('dialog', { name: L.showRecoveryDialog });
    expect(within(shown).getByText(RECOVERY_KEY)).toBeTruthy();
    fireEvent.keyDown(shown, { key: 'Escape' });
    await screen.findByRole('dialog', { name: L.securityDialog });
    expect(document.body.textContent).not.toContain(RECOVERY_KEY);
  });

  it('Remove the recovery key asks first, then the dialog says there is none', async () => {
    const { fake, vault } = openVault({ recoveryKey: RECOVERY_KEY });
    renderApp(fake);
    const d = await openSecurity();
    fireEvent.click(within(d).getByRole('button', { name: L.removeRecoveryButton }));
    const confirm = await screen.findByRole('dialog', { name: L.removeRecoveryDialog });
    expect(within(confirm).getByText(L.removeRecoveryExplain)).toBeTruthy();
    expect(vault.recoveryKey).toBe(RECOVERY_KEY);
    fireEvent.click(within(confirm).getByRole('button', { name: L.removeConfirm }));
    const back = await screen.findByRole('dialog', { name: L.securityDialog });
    expect(await within(back).findByText(L.securityRecoveryNo)).toBeTruthy();
    expect(vault.recoveryKey).toBeUndefined();
  });

  it('Change passphrase: the repeat must match (no call), a wrong current one is refused, then the vault screen says it is changed', async () => {
    const { fake, vault } = openVault();
    renderApp(fake);
    const d = await openSecurity();
    fireEvent.click(within(d).getByRole('button', { name: L.changePassphraseButton }));
    const change = await screen.findByRole('dialog', { name: L.changePassphraseDialog });
    // The fake's vault has tiny KDF parameters: the note says they become the defaults.
    expect(within(change).getByText(L.changeKdfNote(65_536, 3, 4))).toBeTruthy();
    expect(within(change).getByRole('meter', { name: L.strengthMeter })).toBeTruthy();

    type(within(change).getByLabelText(L.currentPassphrase), PASS);
    type(within(change).getByLabelText(L.newPassphraseField), NEW_PASS);
    type(within(change).getByLabelText(L.repeatNewPassphrase), 'something else');
    fireEvent.click(within(change).getByRole('button', { name: L.changeConfirm }));
    expect((await within(change).findByRole('alert')).textContent).toBe(L.passphraseMismatch);
    expect(channels(fake)).not.toContain('vault:changePassphrase');

    type(within(change).getByLabelText(L.currentPassphrase), 'wrong');
    type(within(change).getByLabelText(L.repeatNewPassphrase), NEW_PASS);
    fireEvent.click(within(change).getByRole('button', { name: L.changeConfirm }));
    await waitFor(() => expect(within(change).getByRole('alert').textContent).toBe(L.wrongPassphrase));
    expect(vault.passphrase).toBe(PASS);

    type(within(change).getByLabelText(L.currentPassphrase), PASS);
    fireEvent.click(within(change).getByRole('button', { name: L.changeConfirm }));
    const back = await screen.findByRole('dialog', { name: L.securityDialog });
    expect(vault.passphrase).toBe(NEW_PASS);
    expect(callsOf(fake, 'vault:changePassphrase')).toEqual([
      { current: 'wrong', next: NEW_PASS },
      { current: PASS, next: NEW_PASS },
    ]);
    expect(within(back).getByRole('status').textContent).toBe(L.passphraseChanged);
    fireEvent.click(within(back).getByRole('button', { name: L.closeButton }));
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
  });

  it('Cancel leaves the passphrase as it was', async () => {
    const { fake, vault } = openVault();
    renderApp(fake);
    const d = await openSecurity();
    fireEvent.click(within(d).getByRole('button', { name: L.changePassphraseButton }));
    const change = await screen.findByRole('dialog', { name: L.changePassphraseDialog });
    type(within(change).getByLabelText(L.currentPassphrase), PASS);
    fireEvent.click(within(change).getByRole('button', { name: L.cancelButton }));
    await screen.findByRole('dialog', { name: L.securityDialog });
    expect(channels(fake)).not.toContain('vault:changePassphrase');
    expect(vault.passphrase).toBe(PASS);
    expect(screen.queryByRole('alert')).toBeNull();
  });
});
