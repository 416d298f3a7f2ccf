// @vitest-environment jsdom
/// <reference lib="dom" />
/**
 * Re-found vault (renderer/features/vault/RefoundDialog.tsx) on the fake main:
 * offered in Security to an Administrator only; a vault opened by a passphrase
 * asks for the new one twice (two different ones are refused before any call),
 * one opened by the identity asks for none; the path from the save dialog; then
 * what was copied and who was added again.
 */
import { fireEvent, screen, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { L } from '../../../renderer/app/labels.js';
import { createFakeCoffer, unlockedFake, type FakeCoffer } from './fake-api.js';
import { renderApp } from './setup.js';

const NEW_PATH = '/v/work-2.coffer';

const type = (el: HTMLElement, value: string) => fireEvent.change(el, { target: { value } });
const callsOf = (fake: FakeCoffer, channel: string) => fake.calls.filter((c) => c.channel === channel).map((c) => c.input);

async function openRefound(fake: FakeCoffer): Promise<HTMLElement> {
  renderApp(fake);
  fireEvent.click(await screen.findByRole('button', { name: L.securityButton }));
  const security = await screen.findByRole('dialog', { name: L.securityDialog });
  fireEvent.click(within(security).getByRole('button', { name: L.refoundButton }));
  return screen.findByRole('dialog', { name: L.refoundDialog });
}

describe('Re-found vault', () => {
  it('opened by a passphrase: the path from the save dialog, the new passphrase twice, then what was copied and who was added', async () => {
    const fake = unlockedFake();
    const v = fake.vaults.get('/v/work.coffer')!;
    fake.addSecret(v, 'db-password', { value: 'second' });
    fake.addSecret(v, 'gone', { value: 'x' });
    v.secrets.get('gone')!.deleted = { deletedDate: 1, scheduledPurgeDate: 2 };
    v.members.push({ ...v.members[0]!, id: '11bb11bb11bb11bb', name: 'Bob', roles: ['Key Vault Secrets User'], signPub: 'B'.repeat(43) });
    const d = await openRefound(fake);
    fake.pickerAnswers.push(NEW_PATH);
    fireEvent.click(within(d).getByRole('button', { name: L.chooseNewPath }));
    expect(await within(d).findByDisplayValue(NEW_PATH)).toBeTruthy();
    type(within(d).getByLabelText(L.newPassphraseField), 'new one');
    type(within(d).getByLabelText(L.repeatNewPassphrase), 'another');
    fireEvent.click(within(d).getByRole('button', { name: L.refoundConfirm }));
    expect((await within(d).findByRole('alert')).textContent).toBe(L.passphraseMismatch);
    expect(callsOf(fake, 'vault:refound')).toEqual([]);
    type(within(d).getByLabelText(L.repeatNewPassphrase), 'new one');
    fireEvent.click(within(d).getByRole('button', { name: L.refoundConfirm }));
    const done = await screen.findByRole('dialog', { name: L.refoundDoneDialog });
    expect(callsOf(fake, 'vault:refound')).toEqual([{ path: NEW_PATH, newPassphrase: 'new one' }]);
    expect(within(done).getByRole('status').textContent).toBe(
      L.refoundCopied({ secrets: 2, secretVersions: 3, keys: 0, keyVersions: 0, certificates: 0, certificateVersions: 0, cas: 0, issuers: 0, contacts: 0 }),
    );
    expect(within(done).getAllByRole('listitem').map((li) => li.textContent)).toEqual([L.refoundMember('Bob', ['Key Vault Secrets User'])]);
    expect(within(done).getByText(L.refoundDeletedAgain(['secrets/gone']))).toBeTruthy();
    expect(within(done).getByText(L.refoundWhere(NEW_PATH))).toBeTruthy();
    expect(fake.vaults.has(NEW_PATH)).toBe(true);
    fireEvent.click(within(done).getByRole('button', { name: L.closeButton }));
    expect(await screen.findByRole('dialog', { name: L.securityDialog })).toBeTruthy();
  });

  it("opened by the identity: no passphrase is asked; main's refusal (a file in use) is said in the dialog", async () => {
    const fake = unlockedFake();
    fake.unlockedWith = 'identity';
    fake.addVault(NEW_PATH, '');
    const d = await openRefound(fake);
    expect(within(d).queryByLabelText(L.newPassphraseField)).toBeNull();
    expect(within(d).getByText(L.refoundByIdentity)).toBeTruthy();
    type(within(d).getByLabelText(L.refoundPath), NEW_PATH);
    fireEvent.click(within(d).getByRole('button', { name: L.refoundConfirm }));
    expect((await within(d).findByRole('alert')).textContent).toBe(`A vault already exists at ${NEW_PATH}`);
    expect(callsOf(fake, 'vault:refound')).toEqual([{ path: NEW_PATH }]);
  });

  it('is not offered to a member who is not an Administrator', async () => {
    const fake = createFakeCoffer();
    const v = fake.addVault('/v/work.coffer', 'p');
    v.myRoles = ['Key Vault Secrets User'];
    fake.open = '/v/work.coffer';
    renderApp(fake);
    fireEvent.click(await screen.findByRole('button', { name: L.securityButton }));
    const security = await screen.findByRole('dialog', { name: L.securityDialog });
    expect(within(security).queryByRole('button', { name: L.refoundButton })).toBeNull();
  });
});
