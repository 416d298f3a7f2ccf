// @vitest-environment jsdom
/// <reference lib="dom" />
/**
 * The Keys screens and the shell around them, on the fake API: navigation,
 * the list with type and status, the detail (operations allowed, public key,
 * copy), create and import dialogs, editing a version, the rotation policy
 * editor, Rotate now, the Use key panel, delete/recover, and keys rotated on
 * schedule reported by main. Also: versions newest first by their order in
 * the history, for secrets and keys alike.
 */
import { act, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { L, shortVersion } from '../../../renderer/app/labels.js';
import { useKeys } from '../../../renderer/features/keys/store.js';
import { formatDate } from '../../../renderer/lib/format.js';
import { createFakeCoffer, type FakeCoffer } from './fake-api.js';
import { DAY, manualClock, NOW, renderApp, type } from './setup.js';


function seeded(): FakeCoffer {
  const fake = createFakeCoffer({ now: () => NOW });
  const v = fake.addVault('/v/work.coffer', 'pw');
  fake.addSecret(v, 'db-password', { value: 'hunter2', created: NOW - DAY, updated: NOW - DAY });
  fake.addKey(v, 'signing', { kty: 'RSA', size: 3072, tags: { team: 'payments' }, created: NOW - 10 * DAY, updated: NOW - 10 * DAY });
  fake.addKey(v, 'tls-ec', { kty: 'EC', crv: 'P-384', exp: NOW + 5 * DAY, created: NOW - 3 * DAY, updated: NOW - 3 * DAY });
  fake.addKey(v, 'wrapping', { kty: 'oct', size: 256, enabled: false, created: NOW - 2 * DAY, updated: NOW - 2 * DAY });
  fake.open = '/v/work.coffer';
  fake.lastPath = '/v/work.coffer';
  return fake;
}

const nav = () => screen.getByRole('navigation', { name: L.kindsNav });
const list = () => screen.getByRole('listbox', { name: L.keysList });
const option = (name: string) => within(list()).getByRole('option', { name });
const names = () => within(list()).getAllByRole('option').map((o) => o.querySelector('.row-name')?.textContent);

async function goToKeys() {
  await screen.findByRole('listbox', { name: L.secretsList });
  fireEvent.click(within(nav()).getByRole('button', { name: L.keysNav }));
  return screen.findByRole('listbox', { name: L.keysList });
}

async function openKey(name: string) {
  await goToKeys();
  fireEvent.click(option(name));
  const detail = await screen.findByRole('region', { name: L.keyDetailRegion(name) });
  await within(detail).findByRole('table', { name: L.versionsTable });
  return detail;
}

const currentShort = () => shortVersion(useKeys.getState().versions![0]!.kid.split('/').pop()!);

describe('the shell', () => {
  it('navigates between Secrets and Keys; the current kind is marked', async () => {
    renderApp(seeded(), manualClock(NOW * 1000));
    await goToKeys();
    expect(within(nav()).getByRole('button', { name: L.keysNav }).getAttribute('aria-current')).toBe('page');
    expect(within(nav()).getByRole('button', { name: L.secretsTab }).getAttribute('aria-current')).toBeNull();
    fireEvent.click(within(nav()).getByRole('button', { name: L.secretsTab }));
    expect(await screen.findByRole('listbox', { name: L.secretsList })).toBeTruthy();
  });

  it("the menu's Find searches the kind in view; its New secret goes to Secrets", async () => {
    const r = renderApp(seeded(), manualClock(NOW * 1000));
    await goToKeys();
    act(() => r.fake.emit({ type: 'command', command: 'find' }));
    await waitFor(() => expect(document.activeElement).toBe(screen.getByRole('searchbox', { name: L.searchKeys })));
    act(() => r.fake.emit({ type: 'command', command: 'newSecret' }));
    expect(await screen.findByRole('dialog', { name: L.newSecretDialog })).toBeTruthy();
    expect(screen.getByRole('listbox', { name: L.secretsList, hidden: true })).toBeTruthy();
  });

  it('keys rotated on schedule, and one that failed, become a notice', async () => {
    const r = renderApp(seeded(), manualClock(NOW * 1000));
    await screen.findByRole('listbox', { name: L.secretsList });
    act(() => r.fake.emit({ type: 'keysRotated', rotated: ['signing'], failed: [{ name: 'tls-ec', message: 'The disk is full.' }] }));
    const notice = await screen.findByText(L.keysRotatedNotice(['signing'], [{ name: 'tls-ec', message: 'The disk is full.' }]));
    expect(notice.textContent).toContain('signing');
    expect(notice.textContent).toContain('tls-ec (The disk is full.)');
  });

  it('keys rotated on schedule show their new version in the open detail and the list', async () => {
    const r = renderApp(seeded(), manualClock(NOW * 1000));
    const detail = await openKey('signing');
    const rows = () => within(within(detail).getByRole('table', { name: L.versionsTable })).getAllByRole('row');
    const before = rows().length;
    const fresh = r.fake.addKey(r.fake.vaults.get('/v/work.coffer')!, 'signing', { kty: 'RSA', size: 3072, created: NOW, updated: NOW });
    act(() => r.fake.emit({ type: 'keysRotated', rotated: ['signing'], failed: [] }));
    await waitFor(() => expect(rows()).toHaveLength(before + 1));
    expect(currentShort()).toBe(shortVersion(fresh.version));
    await waitFor(() => expect(useKeys.getState().details?.bundle.key.kid).toMatch(new RegExp(`${fresh.version}$`)));
  });
});

describe('keys list and detail', () => {
  it('lists keys with type and size or curve and status chips; searches by name, type and tag', async () => {
    renderApp(seeded(), manualClock(NOW * 1000));
    await goToKeys();
    expect(names()).toEqual(['signing', 'tls-ec', 'wrapping']);
    expect(option('signing').textContent).toContain('RSA 3072');
    expect(option('tls-ec').textContent).toContain('EC P-384');
    expect(option('tls-ec').textContent).toContain(L.expiresOn(formatDate(NOW + 5 * DAY)));
    expect(option('signing').textContent).not.toContain(L.expiresOn(''));
    expect(option('tls-ec').textContent).toContain(L.chipExpiresSoon);
    expect(option('wrapping').textContent).toContain(L.chipDisabled);
    const search = screen.getByRole('searchbox', { name: L.searchKeys });
    type(search, 'p-384');
    expect(names()).toEqual(['tls-ec']);
    type(search, 'PAYMENTS');
    expect(names()).toEqual(['signing']);
    type(search, 'zzz');
    expect(screen.getByText(L.noMatchKeys)).toBeTruthy();
  });

  it('shows operations allowed, the public key with its thumbprint, and copies it as PEM or JWK through main', async () => {
    const r = renderApp(seeded(), manualClock(NOW * 1000));
    const detail = await openKey('signing');
    const pk = await within(detail).findByRole('region', { name: L.publicKeyRegion });
    expect(pk.textContent).toContain('BEGIN PUBLIC KEY');
    expect(pk.textContent).toContain(L.thumbprint);
    expect(within(detail).getByText('RSA 3072')).toBeTruthy();
    fireEvent.click(within(pk).getByRole('button', { name: L.copyPemButton }));
    await screen.findByText(L.copied(r.fake.settings.clipboardClearSeconds));
    expect(r.fake.calls.filter((c) => c.channel === 'keys:copyPublic').map((c) => c.input)).toEqual([{ name: 'signing', format: 'pem' }]);
  });

  it('an oct key says it has no public part', async () => {
    renderApp(seeded(), manualClock(NOW * 1000));
    const detail = await openKey('wrapping');
    expect(await within(detail).findByText(L.noPublicKey)).toBeTruthy();
  });

  it('Rotate now adds a version listed first and marked current; the status names it', async () => {
    renderApp(seeded(), manualClock(NOW * 1000));
    const detail = await openKey('signing');
    const before = currentShort();
    fireEvent.click(within(detail).getByRole('button', { name: L.rotateButton }));
    await waitFor(() => expect(useKeys.getState().versions).toHaveLength(2));
    const rows = within(within(detail).getByRole('table', { name: L.versionsTable })).getAllByRole('row');
    expect(rows[1]!.textContent).toContain(currentShort());
    expect(rows[1]!.textContent).toContain(L.currentVersion);
    expect(rows[2]!.textContent).toContain(before);
    expect(rows[2]!.textContent).not.toContain(L.currentVersion);
    expect(await screen.findByText(L.rotated(currentShort()))).toBeTruthy();
  });

  it('edits a version: operations allowed and attributes; disabling shows the chip', async () => {
    const r = renderApp(seeded(), manualClock(NOW * 1000));
    const detail = await openKey('signing');
    fireEvent.click(within(detail).getByRole('button', { name: L.editKeyVersion(currentShort()) }));
    const d = await screen.findByRole('dialog', { name: L.editKeyDialog(currentShort()) });
    const encrypt = await within(d).findByRole('checkbox', { name: 'encrypt' });
    fireEvent.click(encrypt);
    fireEvent.click(within(d).getByRole('checkbox', { name: L.fieldEnabled }));
    fireEvent.click(within(d).getByRole('button', { name: L.saveButton }));
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    const update = r.fake.calls.find((c) => c.channel === 'keys:update')!.input as { patch: { keyOps: string[]; enabled: boolean } };
    expect(update.patch.enabled).toBe(false);
    expect(update.patch.keyOps).not.toContain('encrypt');
    await waitFor(() => expect(option('signing').textContent).toContain(L.chipDisabled));
  });

  it('deletes after confirmation, lists it under Deleted, recovers it', async () => {
    renderApp(seeded(), manualClock(NOW * 1000));
    const detail = await openKey('tls-ec');
    fireEvent.click(within(detail).getByRole('button', { name: L.deleteKeyButton }));
    const d = await screen.findByRole('dialog', { name: L.deleteKeyDialog('tls-ec') });
    fireEvent.click(within(d).getByRole('button', { name: L.deleteConfirm }));
    await waitFor(() => expect(names()).toEqual(['signing', 'wrapping']));
    fireEvent.click(screen.getByRole('tab', { name: L.deletedTab }));
    const deleted = await screen.findByRole('list', { name: L.deletedKeysList });
    fireEvent.click(within(deleted).getByRole('button', { name: L.recoverButton('tls-ec') }));
    expect(await screen.findByText(L.emptyDeletedKeys)).toBeTruthy();
  });
});

describe('key dialogs', () => {
  it('New key: operations follow the type, a bad name is refused, the key is created and opened', async () => {
    const r = renderApp(seeded(), manualClock(NOW * 1000));
    await goToKeys();
    fireEvent.click(screen.getByRole('button', { name: L.newKeyButton }));
    const d = await screen.findByRole('dialog', { name: L.newKeyDialog });
    fireEvent.change(within(d).getByRole('combobox', { name: L.fieldKeyType }), { target: { value: 'EC' } });
    expect(within(d).queryByRole('checkbox', { name: 'encrypt' })).toBeNull();
    fireEvent.change(within(d).getByRole('combobox', { name: L.fieldCurve }), { target: { value: 'P-521' } });
    type(within(d).getByRole('textbox', { name: L.fieldName }), 'bad name!');
    fireEvent.click(within(d).getByRole('button', { name: L.createKeyConfirm }));
    expect(within(d).getByRole('alert').textContent).toBe(L.nameRequired);
    type(within(d).getByRole('textbox', { name: L.fieldName }), 'new-ec');
    fireEvent.click(within(d).getByRole('button', { name: L.createKeyConfirm }));
    expect(await screen.findByRole('region', { name: L.keyDetailRegion('new-ec') })).toBeTruthy();
    expect(r.fake.calls.find((c) => c.channel === 'keys:create')!.input).toMatchObject({ name: 'new-ec', kty: 'EC', crv: 'P-521', keyOps: ['sign', 'verify'], exportable: false, enabled: true });
  });

  it('Import key: nothing given is refused; pasted text is sent as it is, with the password', async () => {
    const r = renderApp(seeded(), manualClock(NOW * 1000));
    await goToKeys();
    fireEvent.click(screen.getByRole('button', { name: L.importKeyButton }));
    const d = await screen.findByRole('dialog', { name: L.importKeyDialog });
    type(within(d).getByRole('textbox', { name: L.fieldName }), 'imported');
    fireEvent.click(within(d).getByRole('button', { name: L.importKeyConfirm }));
    expect(within(d).getByRole('alert').textContent).toBe(L.importNoKey);
    const pem = '-----BEGIN ENCRYPTED PRIVATE KEY-----\nMIIB\n-----END ENCRYPTED PRIVATE KEY-----\n';
    type(within(d).getByRole('textbox', { name: L.importText }), pem);
    type(within(d).getByLabelText(L.importPassword), r.fake.pemPassword);
    fireEvent.click(within(d).getByRole('button', { name: L.importKeyConfirm }));
    expect(await screen.findByRole('region', { name: L.keyDetailRegion('imported') })).toBeTruthy();
    expect(r.fake.calls.find((c) => c.channel === 'keys:import')!.input).toMatchObject({ name: 'imported', text: pem, password: r.fake.pemPassword });
  });

  it('the rotation policy editor: a bad duration is refused; a Rotate action and an expiry are saved', async () => {
    const r = renderApp(seeded(), manualClock(NOW * 1000));
    const detail = await openKey('signing');
    fireEvent.click(within(detail).getByRole('button', { name: L.rotationPolicyButton }));
    const d = await screen.findByRole('dialog', { name: L.rotationPolicyDialog('signing') });
    // Key Vault's default policy: Notify 30 days before expiry.
    const notify = await within(d).findByRole('checkbox', { name: L.policyNotifyEnabled });
    expect((notify as HTMLInputElement).checked).toBe(true);
    fireEvent.click(within(d).getByRole('checkbox', { name: L.policyRotateEnabled }));
    type(within(d).getByRole('textbox', { name: L.policyRotateAfter }), 'ninety days');
    fireEvent.click(within(d).getByRole('button', { name: L.saveButton }));
    expect(within(d).getByRole('alert').textContent).toBe(L.durationError(L.policyRotateAfter));
    type(within(d).getByRole('textbox', { name: L.policyRotateAfter }), 'P60D');
    fireEvent.change(within(d).getByRole('combobox', { name: L.policyRotateWhen }), { target: { value: 'timeBeforeExpiry' } });
    type(within(d).getByRole('textbox', { name: L.policyExpiryTime }), 'P1Y');
    fireEvent.click(within(d).getByRole('button', { name: L.saveButton }));
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    expect(r.fake.calls.find((c) => c.channel === 'keys:updateRotationPolicy')!.input).toEqual({
      name: 'signing',
      lifetimeActions: [
        { trigger: { timeBeforeExpiry: 'P60D' }, action: { type: 'Rotate' } },
        { trigger: { timeBeforeExpiry: 'P30D' }, action: { type: 'Notify' } },
      ],
      expiryTime: 'P1Y',
    });
  });
});

describe('Use key', () => {
  it('encrypts text and decrypts the result; signs and verifies; a changed signature is invalid; closing drops the results', async () => {
    renderApp(seeded(), manualClock(NOW * 1000));
    const detail = await openKey('signing');
    const short = currentShort();
    fireEvent.click(within(detail).getByRole('button', { name: L.useKeyVersion(short) }));
    const panel = await screen.findByRole('region', { name: L.useKeyRegion('signing', short) });
    const op = await within(panel).findByRole('combobox', { name: L.useKeyOperation });
    fireEvent.change(op, { target: { value: 'encrypt' } });
    fireEvent.change(within(panel).getByRole('combobox', { name: L.useKeyAlgorithm }), { target: { value: 'RSA-OAEP-256' } });
    type(within(panel).getByRole('textbox', { name: L.useKeyInputText }), 'plain words');
    fireEvent.click(within(panel).getByRole('button', { name: L.operationNames.encrypt! }));
    const ct = ((await within(panel).findByRole('textbox', { name: L.useKeyResult })) as HTMLTextAreaElement).value;
    expect(ct).not.toContain('plain');

    fireEvent.change(op, { target: { value: 'decrypt' } });
    // The algorithm stays the one used to encrypt.
    expect((within(panel).getByRole('combobox', { name: L.useKeyAlgorithm }) as HTMLSelectElement).value).toBe('RSA-OAEP-256');
    type(within(panel).getByRole('textbox', { name: L.useKeyInputBase64 }), ct);
    fireEvent.click(within(panel).getByRole('button', { name: L.operationNames.decrypt! }));
    expect(((await within(panel).findByRole('textbox', { name: L.useKeyResultText })) as HTMLTextAreaElement).value).toBe('plain words');

    fireEvent.change(op, { target: { value: 'sign' } });
    type(within(panel).getByRole('textbox', { name: L.useKeyInputText }), 'signed words');
    fireEvent.click(within(panel).getByRole('button', { name: L.operationNames.sign! }));
    const sig = ((await within(panel).findByRole('textbox', { name: L.useKeyResult })) as HTMLTextAreaElement).value;

    fireEvent.change(op, { target: { value: 'verify' } });
    type(within(panel).getByRole('textbox', { name: L.useKeyInputText }), 'signed words');
    type(within(panel).getByRole('textbox', { name: L.useKeySignature }), sig);
    fireEvent.click(within(panel).getByRole('button', { name: L.operationNames.verify! }));
    expect(await within(panel).findByText(L.verifyValid)).toBeTruthy();
    type(within(panel).getByRole('textbox', { name: L.useKeyInputText }), 'other words');
    fireEvent.click(within(panel).getByRole('button', { name: L.operationNames.verify! }));
    expect(await within(panel).findByText(L.verifyInvalid)).toBeTruthy();

    type(within(panel).getByRole('textbox', { name: L.useKeySignature }), 'not base64!');
    fireEvent.click(within(panel).getByRole('button', { name: L.operationNames.verify! }));
    expect(within(panel).getByRole('alert').textContent).toBe(L.base64Error(L.useKeySignature));

    fireEvent.click(within(panel).getByRole('button', { name: L.useKeyClose }));
    await waitFor(() => expect(screen.queryByRole('region', { name: L.useKeyRegion('signing', short) })).toBeNull());
  });

  it('offers only the operations the version allows; an EC key signs with its curve’s algorithm', async () => {
    renderApp(seeded(), manualClock(NOW * 1000));
    const detail = await openKey('tls-ec');
    fireEvent.click(within(detail).getByRole('button', { name: L.useKeyVersion(currentShort()) }));
    const panel = await screen.findByRole('region', { name: L.useKeyRegion('tls-ec', currentShort()) });
    const op = (await within(panel).findByRole('combobox', { name: L.useKeyOperation })) as HTMLSelectElement;
    expect([...op.options].map((o) => o.value)).toEqual(['sign', 'verify']);
    const alg = within(panel).getByRole('combobox', { name: L.useKeyAlgorithm }) as HTMLSelectElement;
    expect([...alg.options].map((o) => o.value)).toEqual(['ES384']);
  });
});

describe('versions, newest first by their order in the history', () => {
  it('two versions of a secret made in the same second show the later one first, marked current', async () => {
    const fake = seeded();
    const v = fake.vaults.get('/v/work.coffer')!;
    const first = fake.addSecret(v, 'same-second', { value: 'one', created: NOW, updated: NOW });
    const second = fake.addSecret(v, 'same-second', { value: 'two', created: NOW, updated: NOW });
    renderApp(fake, manualClock(NOW * 1000));
    await screen.findByRole('listbox', { name: L.secretsList });
    fireEvent.click(within(screen.getByRole('listbox', { name: L.secretsList })).getByRole('option', { name: 'same-second' }));
    const detail = await screen.findByRole('region', { name: L.detailRegion('same-second') });
    const rows = within(await within(detail).findByRole('table', { name: L.versionsTable })).getAllByRole('row');
    expect(rows[1]!.textContent).toContain(shortVersion(second.version));
    expect(rows[1]!.textContent).toContain(L.currentVersion);
    expect(rows[2]!.textContent).toContain(shortVersion(first.version));
  });
});
