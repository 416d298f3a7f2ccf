// @vitest-environment jsdom
/// <reference lib="dom" />
/**
 * My identity: from the start screen and from the open vault's top bar.
 * Without an identity, a form creates one (name, passphrase twice with the
 * strength meter; a mismatch is said before main is asked); then, and
 * whenever opened, the invite (copied by main) and the fingerprint in
 * groups, as the Add member dialog shows it.
 */
import { fireEvent, screen, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { L } from '../../../renderer/app/labels.js';
import { FAKE_IDENTITY } from './fake-api-identity.js';
import { createFakeCoffer, unlockedFake } from './fake-api.js';
import { renderApp, type } from './setup.js';

const PASS = 'my identity passphrase, long enough';

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
