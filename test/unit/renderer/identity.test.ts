// @vitest-environment jsdom
/// <reference lib="dom" />
/**
 * My identity: from the start screen and from the open vault's top bar.
 * Without an identity, a form creates one (name, passphrase twice with the
 * strength meter; a mismatch is said before main is asked); then, and
 * whenever opened, the invite (copied by main) and the fingerprint in
 * groups, as the Add member dialog shows it; remembered on this computer
 * once its passphrase is confirmed, and forgotten.
 *
 * Open with my identity: on the unlock screen and the start screen's Open
 * form, a choice beside the vault's passphrase when the profile has an
 * identity; the identity's passphrase opens the vault as that member (the
 * top bar names them), and after a lock the unlock screen offers the identity
 * first; a wrong passphrase or an identity that is not a member is said as
 * main says it.
 *
 * Create with my identity: the Create form's "Protect with" choice; the
 * identity's passphrase (none when remembered) creates a team vault opened
 * as that member, with no vault passphrase fields; without an identity, My
 * identity is offered to make one.
 */
import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { L } from '../../../renderer/app/labels.js';
import { useIdentity } from '../../../renderer/features/identity/store.js';
import { FAKE_IDENTITY } from './fake-api-identity.js';
import { OWNER } from './fake-api-members.js';
import { createFakeCoffer, unlockedFake } from './fake-api.js';
import { renderApp, type } from './setup.js';

const PASS = 'my identity passphrase, long enough';

// The identity is the profile's: no lock clears it, so each test starts from a fresh profile here.
afterEach(() => useIdentity.setState({ identity: undefined, error: null, status: null }));

async function openDialog(): Promise<HTMLElement> {
  const button = await screen.findByRole('button', { name: L.myIdentityButton });
  button.focus();
  fireEvent.click(button);
  return screen.findByRole('dialog', { name: L.identityDialog });
}

describe('My identity', () => {
  it('from the start screen: creates one (the passphrases must match), then shows its invite and fingerprint in groups', async () => {
    const { fake } = renderApp(createFakeCoffer());
    const dialog = await openDialog();
    const name = await within(dialog).findByLabelText(L.identityName);
    expect(document.activeElement).toBe(name);
    const meter = within(dialog).getByRole('meter', { name: L.strengthMeter });
    type(name, 'Ann');
    type(within(dialog).getByLabelText(L.identityPassphrase), PASS);
    expect(Number(meter.getAttribute('aria-valuenow'))).toBeGreaterThan(60);
    type(within(dialog).getByLabelText(L.identityRepeat), `${PASS}!`);
    fireEvent.click(within(dialog).getByRole('button', { name: L.createIdentityButton }));
    expect((await within(dialog).findByRole('alert')).textContent).toBe(L.passphraseMismatch);
    expect(fake.calls.some((c) => c.channel === 'identity:create')).toBe(false);

    type(within(dialog).getByLabelText(L.identityRepeat), PASS);
    fireEvent.click(within(dialog).getByRole('button', { name: L.createIdentityButton }));
    const card = await screen.findByRole('region', { name: 'Ann' });
    expect(fake.calls.find((c) => c.channel === 'identity:create')?.input).toEqual({ name: 'Ann', passphrase: PASS });
    expect(card.querySelector('.fingerprint.large')?.textContent).toBe(FAKE_IDENTITY.fingerprint.replace(/-/g, ' '));
    expect(card.querySelectorAll('.fp-group')).toHaveLength(6);
    expect((within(card).getByLabelText(L.identityInvite) as HTMLTextAreaElement).value).toBe(FAKE_IDENTITY.invite);
    expect(within(card).getByText(L.inviteMemberId(FAKE_IDENTITY.id))).toBeTruthy();
    // The passphrase is nowhere in the page once created.
    expect(document.body.innerHTML).not.toContain(PASS);

    fireEvent.click(within(card).getByRole('button', { name: L.copyInviteButton }));
    expect((await within(card).findByRole('status')).textContent).toBe(L.copied(30));
    expect(fake.clipboard).toBe(FAKE_IDENTITY.invite);
    fireEvent.click(within(screen.getByRole('dialog', { name: L.identityDialog })).getByRole('button', { name: L.closeButton }));
    expect(screen.queryByRole('dialog', { name: L.identityDialog })).toBeNull();
    expect(document.activeElement).toBe(screen.getByRole('button', { name: L.myIdentityButton }));
  });

  it("from the open vault's top bar: an existing identity is shown, never offered to be created again", async () => {
    const fake = unlockedFake();
    fake.identity.current = { ...FAKE_IDENTITY, name: 'Ann', passphrase: PASS };
    renderApp(fake);
    await screen.findByRole('button', { name: L.lockButton });
    const dialog = await openDialog();
    const card = await within(dialog).findByRole('region', { name: 'Ann' });
    expect(card.querySelector('.fingerprint.large')?.textContent).toBe(FAKE_IDENTITY.fingerprint.replace(/-/g, ' '));
    expect(within(dialog).queryByLabelText(L.identityPassphrase)).toBeNull();
    fireEvent.keyDown(dialog, { key: 'Escape' });
    expect(screen.queryByRole('dialog', { name: L.identityDialog })).toBeNull();
  });

  it('remembers the identity on this computer after its passphrase (a wrong one refused), then forgets it', async () => {
    const fake = createFakeCoffer();
    fake.identity.current = { ...FAKE_IDENTITY, name: 'Ann', passphrase: PASS };
    renderApp(fake);
    const dialog = await openDialog();
    const card = await within(dialog).findByRole('region', { name: 'Ann' });
    const field = within(card).getByLabelText(L.identityRememberPassphrase) as HTMLInputElement;
    type(field, 'not it');
    fireEvent.click(within(card).getByRole('button', { name: L.rememberCheckbox }));
    expect((await within(card).findByRole('alert')).textContent).toBe('The passphrase of the identity /profile/identity.json is wrong.');
    expect(fake.identity.current.remembered).toBe(false);
    type(field, PASS);
    fireEvent.click(within(card).getByRole('button', { name: L.rememberCheckbox }));
    expect((await within(card).findByRole('status')).textContent).toBe(L.identityRemembered);
    expect(fake.identity.current.remembered).toBe(true);
    expect(within(card).getByText(L.identityRememberedYes)).toBeTruthy();
    expect(within(card).queryByLabelText(L.identityRememberPassphrase)).toBeNull();
    expect(document.activeElement).toBe(within(card).getByRole('button', { name: L.forgetButton }));

    fireEvent.click(within(card).getByRole('button', { name: L.forgetButton }));
    expect((await within(card).findByRole('status')).textContent).toBe(L.identityForgotten);
    expect(fake.identity.current.remembered).toBe(false);
    expect(document.activeElement).toBe(within(card).getByLabelText(L.identityRememberPassphrase));
  });

  it("a copy main could not make says main's message", async () => {
    const fake = createFakeCoffer();
    fake.identity.current = { ...FAKE_IDENTITY, name: 'Ann', passphrase: PASS };
    fake.failNext['identity:copyInvite'] = { ok: false, code: 'IoError', message: 'The clipboard could not be written; nothing was copied.' };
    renderApp(fake);
    const dialog = await openDialog();
    fireEvent.click(await within(dialog).findByRole('button', { name: L.copyInviteButton }));
    expect((await within(dialog).findByRole('alert')).textContent).toBe('The clipboard could not be written; nothing was copied.');
  });
});

const TEAM = '/v/team.coffer';
const BOB = { ...FAKE_IDENTITY, name: 'Bob', passphrase: PASS };

/** A locked team vault at TEAM (no passphrase Bob knows) with Bob a Secrets User when `member`; the profile holds Bob's identity. */
function teamFake(member = true) {
  const fake = createFakeCoffer();
  const v = fake.addVault(TEAM, 'the owner passphrase');
  fake.addSecret(v, 'db-password', { value: 'hunter2' });
  if (member) {
    v.members = [{ id: BOB.id, name: 'Bob', fingerprint: BOB.fingerprint, roles: ['Key Vault Secrets User'], signPub: 'b'.repeat(43), grants: [] }, OWNER];
    v.myRoles = ['Key Vault Secrets User'];
  }
  fake.identity.current = { ...BOB };
  fake.lastPath = TEAM;
  return fake;
}

describe('Open with my identity', () => {
  it('on the unlock screen: a choice beside the passphrase; a wrong identity passphrase is said, the right one opens as Bob', async () => {
    const { fake } = renderApp(teamFake());
    const region = await screen.findByRole('region', { name: L.unlockRegion });
    const choice = await within(region).findByRole('group', { name: L.openWithLegend });
    expect(within(region).getByLabelText(L.rememberCheckbox)).toBeTruthy();
    fireEvent.click(within(choice).getByLabelText(L.openWithIdentity('Bob', BOB.id)));
    // The identity's passphrase is asked; remembering is about the vault's passphrase, so it goes.
    const field = within(region).getByLabelText(L.identityPassphrase) as HTMLInputElement;
    expect(within(region).queryByLabelText(L.rememberCheckbox)).toBeNull();

    type(field, 'not it');
    fireEvent.click(within(region).getByRole('button', { name: L.unlockButton }));
    expect((await within(region).findByRole('alert')).textContent).toBe('The passphrase of the identity /profile/identity.json is wrong.');
    expect(field.value).toBe('');

    type(field, PASS);
    fireEvent.click(within(region).getByRole('button', { name: L.unlockButton }));
    expect(await screen.findByText(L.openedAs('Bob', BOB.id))).toBeTruthy();
    expect(await screen.findByRole('option', { name: 'db-password' })).toBeTruthy();
    expect(fake.calls.filter((c) => c.channel === 'vault:openWithIdentity').map((c) => c.input)).toEqual([
      { path: TEAM, passphrase: 'not it' },
      { path: TEAM, passphrase: PASS },
    ]);
    expect(fake.calls.some((c) => c.channel === 'vault:open')).toBe(false);

    // Locked again (idle, the menu): the unlock screen offers the identity first this time.
    fireEvent.click(screen.getByRole('button', { name: L.lockButton }));
    const again = await screen.findByRole('region', { name: L.unlockRegion });
    expect((within(again).getByLabelText(L.openWithIdentity('Bob', BOB.id)) as HTMLInputElement).checked).toBe(true);
    expect(within(again).getByLabelText(L.identityPassphrase)).toBeTruthy();
  });

  it('a remembered identity opens with the passphrase left empty (the OS keychain), said beside the choice', async () => {
    const fake = teamFake();
    fake.identity.current = { ...BOB, remembered: true };
    renderApp(fake);
    const region = await screen.findByRole('region', { name: L.unlockRegion });
    await chooseRememberedIdentity(region, L.openWithIdentity('Bob', BOB.id), L.identityKeychainHint);
    fireEvent.click(within(region).getByRole('button', { name: L.unlockButton }));
    expect(await screen.findByText(L.openedAs('Bob', BOB.id))).toBeTruthy();
    expect(fake.calls.find((c) => c.channel === 'vault:openWithIdentity')?.input).toEqual({ path: TEAM });
  });

  it('on the start screen: offered only once the profile has an identity; opens the chosen vault as Bob', async () => {
    const fake = teamFake();
    fake.identity.current = null;
    fake.lastPath = null;
    renderApp(fake);
    const open = await screen.findByRole('region', { name: L.openRegion });
    await waitForCall(fake, 'identity:get');
    expect(within(open).queryByRole('group', { name: L.openWithLegend })).toBeNull();

    // Created here: the Open form offers it at once.
    await createBob(await openDialog());
    const choice = await within(open).findByRole('group', { name: L.openWithLegend });
    fireEvent.click(within(choice).getByLabelText(L.openWithIdentity('Bob', BOB.id)));
    type(within(open).getByLabelText(L.openPath), TEAM);
    type(within(open).getByLabelText(L.identityPassphrase), PASS);
    fireEvent.click(within(open).getByRole('button', { name: L.openButton }));
    expect(await screen.findByText(L.openedAs('Bob', BOB.id))).toBeTruthy();
  });

  it("an identity that is not a member is refused with main's message, and the vault's own passphrase still works", async () => {
    renderApp(teamFake(false));
    const region = await screen.findByRole('region', { name: L.unlockRegion });
    fireEvent.click(await within(region).findByLabelText(L.openWithIdentity('Bob', BOB.id)));
    type(within(region).getByLabelText(L.identityPassphrase), PASS);
    fireEvent.click(within(region).getByRole('button', { name: L.unlockButton }));
    expect((await within(region).findByRole('alert')).textContent).toBe('This identity is not a member of the vault.');

    fireEvent.click(within(region).getByLabelText(L.openWithPassphrase));
    type(within(region).getByLabelText(L.unlockPassphrase), 'the owner passphrase');
    fireEvent.click(within(region).getByRole('button', { name: L.unlockButton }));
    await screen.findByRole('option', { name: 'db-password' });
    expect(screen.queryByText(/^Opened as/)).toBeNull();
  });
});

describe('Create a team vault with my identity', () => {
  const NEW = '/v/new-team.coffer';

  it('Protect with my identity: no vault passphrase fields, the identity passphrase (a wrong one said as main says it) creates and opens it as Bob', async () => {
    const fake = createFakeCoffer();
    fake.identity.current = { ...BOB };
    renderApp(fake);
    const create = await screen.findByRole('region', { name: L.createRegion });
    const choice = await within(create).findByRole('group', { name: L.protectWithLegend });
    expect((within(choice).getByLabelText(L.protectWithPassphrase) as HTMLInputElement).checked).toBe(true);
    type(within(create).getByLabelText(L.createPassphrase), 'typed for a personal vault');
    fireEvent.click(within(choice).getByLabelText(L.protectWithIdentity('Bob', BOB.id)));
    expect(within(create).queryByLabelText(L.createPassphrase)).toBeNull();
    expect(within(create).queryByLabelText(L.createRepeat)).toBeNull();
    expect(within(create).queryByRole('meter')).toBeNull();
    const field = within(create).getByLabelText(L.identityPassphrase) as HTMLInputElement;
    expect(field.value).toBe('');
    expect(field.required).toBe(true);
    type(within(create).getByLabelText(L.createPath), NEW);
    type(field, 'not it');
    fireEvent.click(within(create).getByRole('button', { name: L.createButton }));
    expect((await within(create).findByRole('alert')).textContent).toBe('The passphrase of the identity /profile/identity.json is wrong.');
    expect(fake.vaults.has(NEW)).toBe(false);

    type(field, PASS);
    fireEvent.click(within(create).getByRole('button', { name: L.createButton }));
    expect(await screen.findByText(L.openedAs('Bob', BOB.id))).toBeTruthy();
    expect(fake.calls.filter((c) => c.channel === 'vault:createWithIdentity').map((c) => c.input)).toEqual([
      { path: NEW, passphrase: 'not it' },
      { path: NEW, passphrase: PASS },
    ]);
    expect(fake.calls.some((c) => c.channel === 'vault:create')).toBe(false);
    expect(fake.vaults.get(NEW)?.members.map((m) => [m.name, m.roles])).toEqual([['Bob', ['Key Vault Administrator']]]);
    expect(document.body.innerHTML).not.toContain(PASS);
  });

  it('a remembered identity creates with its passphrase left empty (the OS keychain), said beside the choice', async () => {
    const fake = createFakeCoffer();
    fake.identity.current = { ...BOB, remembered: true };
    renderApp(fake);
    const create = await screen.findByRole('region', { name: L.createRegion });
    await chooseRememberedIdentity(create, L.protectWithIdentity('Bob', BOB.id), L.identityKeychainCreateHint);
    type(within(create).getByLabelText(L.createPath), NEW);
    fireEvent.click(within(create).getByRole('button', { name: L.createButton }));
    expect(await screen.findByText(L.openedAs('Bob', BOB.id))).toBeTruthy();
    expect(fake.calls.find((c) => c.channel === 'vault:createWithIdentity')?.input).toEqual({ path: NEW });
  });

  it('without an identity: says so and offers My identity; once made there, the team vault is created with it', async () => {
    const fake = createFakeCoffer();
    renderApp(fake);
    const create = await screen.findByRole('region', { name: L.createRegion });
    fireEvent.click(await within(create).findByLabelText(L.protectWithNoIdentity));
    expect(within(create).getByText(L.protectNoIdentity, { exact: false })).toBeTruthy();
    expect(within(create).queryByRole('button', { name: L.createButton })).toBeNull();
    expect(within(create).queryByLabelText(L.identityPassphrase)).toBeNull();

    fireEvent.click(within(create).getByRole('button', { name: L.myIdentityButton }));
    await createBob(await screen.findByRole('dialog', { name: L.identityDialog }));

    expect((within(create).getByLabelText(L.protectWithIdentity('Bob', BOB.id)) as HTMLInputElement).checked).toBe(true);
    type(within(create).getByLabelText(L.createPath), NEW);
    type(within(create).getByLabelText(L.identityPassphrase), PASS);
    fireEvent.click(within(create).getByRole('button', { name: L.createButton }));
    expect(await screen.findByText(L.openedAs('Bob', BOB.id))).toBeTruthy();
  });
});

/** Creates Bob's identity in the open My identity dialog, then closes it. */
async function createBob(dialog: HTMLElement): Promise<void> {
  type(await within(dialog).findByLabelText(L.identityName), 'Bob');
  type(within(dialog).getByLabelText(L.identityPassphrase), PASS);
  type(within(dialog).getByLabelText(L.identityRepeat), PASS);
  fireEvent.click(within(dialog).getByRole('button', { name: L.createIdentityButton }));
  await screen.findByRole('region', { name: 'Bob' });
  fireEvent.keyDown(screen.getByRole('dialog', { name: L.identityDialog }), { key: 'Escape' });
}

/** Chooses the remembered identity in `region`'s choice: the keychain `hint` is said, and its passphrase may be left empty. */
async function chooseRememberedIdentity(region: HTMLElement, label: string, hint: string): Promise<void> {
  fireEvent.click(await within(region).findByLabelText(label));
  expect(within(region).getByText(hint)).toBeTruthy();
  expect((within(region).getByLabelText(L.identityPassphrase) as HTMLInputElement).required).toBe(false);
}

async function waitForCall(fake: ReturnType<typeof createFakeCoffer>, channel: string): Promise<void> {
  await waitFor(() => expect(fake.calls.some((c) => c.channel === channel)).toBe(true));
}
