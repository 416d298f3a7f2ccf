// @vitest-environment jsdom
/// <reference lib="dom" />
import { act, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { L, shortVersion } from '../../../renderer/app/labels.js';
import { useSecrets } from '../../../renderer/features/secrets/store.js';
import { createFakeCoffer, type FakeCoffer } from './fake-api.js';
import { DAY, manualClock, NOW, renderApp, type } from './setup.js';


/** An unlocked vault with a few secrets of every status. */
function seeded(): FakeCoffer {
  const fake = createFakeCoffer({ now: () => NOW });
  const v = fake.addVault('/v/work.coffer', 'pw');
  fake.addSecret(v, 'db-password', { value: 'hunter2', contentType: 'text/plain', tags: { env: 'prod' }, created: NOW - 10 * DAY, updated: NOW - 10 * DAY });
  fake.addSecret(v, 'api-key', { value: 'k-123', enabled: false, created: NOW - 5 * DAY, updated: NOW - 1 * DAY });
  fake.addSecret(v, 'old-cert', { value: 'x', exp: NOW - DAY, created: NOW - 30 * DAY, updated: NOW - 30 * DAY });
  fake.addSecret(v, 'soon', { value: 'y', exp: NOW + 10 * DAY, created: NOW - 3 * DAY, updated: NOW - 3 * DAY });
  fake.addSecret(v, 'future', { value: 'z', nbf: NOW + 5 * DAY, tags: { team: 'payments' }, created: NOW - 2 * DAY, updated: NOW - 2 * DAY });
  fake.open = '/v/work.coffer';
  fake.lastPath = '/v/work.coffer';
  return fake;
}

const names = () => within(screen.getByRole('listbox', { name: L.secretsList })).getAllByRole('option').map((o) => o.querySelector('.row-name')?.textContent);
const option = (name: string) => within(screen.getByRole('listbox', { name: L.secretsList })).getByRole('option', { name });

async function openSecret(name: string) {
  await screen.findByRole('listbox', { name: L.secretsList });
  fireEvent.click(option(name));
  const detail = await screen.findByRole('region', { name: L.detailRegion(name) });
  await within(detail).findByRole('table', { name: L.versionsTable });
  return detail;
}

describe('secrets list', () => {
  it('lists secrets with status chips, filters by name, tag and content type, and sorts', async () => {
    renderApp(seeded(), manualClock(NOW * 1000));
    await screen.findByRole('listbox', { name: L.secretsList });
    expect(names()).toEqual(['api-key', 'db-password', 'future', 'old-cert', 'soon']);
    expect(option('api-key').textContent).toContain(L.chipDisabled);
    expect(option('old-cert').textContent).toContain(L.chipExpired);
    expect(option('soon').textContent).toContain(L.chipExpiresSoon);
    expect(option('future').textContent).toContain(L.chipNotYetValid);
    expect(option('db-password').textContent).not.toMatch(/Disabled|Expire|Not yet/);

    const search = screen.getByRole('searchbox', { name: L.search });
    type(search, 'PAYMENTS');
    expect(names()).toEqual(['future']);
    type(search, 'text/plain');
    expect(names()).toEqual(['db-password']);
    type(search, 'nothing-like-this');
    expect(screen.getByText(L.noMatch)).toBeTruthy();
    type(search, '');

    const sort = screen.getByRole('combobox', { name: L.sortBy });
    fireEvent.change(sort, { target: { value: 'updated' } });
    expect(names()).toEqual(['api-key', 'future', 'soon', 'db-password', 'old-cert']);
    fireEvent.change(sort, { target: { value: 'expires' } });
    expect(names()).toEqual(['old-cert', 'soon', 'api-key', 'db-password', 'future']);
  });

  it('says what to do when the vault is empty', async () => {
    const fake = createFakeCoffer();
    fake.addVault('/v/e.coffer', 'pw');
    fake.open = '/v/e.coffer';
    renderApp(fake);
    expect(await screen.findByText(L.emptySecrets)).toBeTruthy();
    fireEvent.click(screen.getByRole('tab', { name: L.deletedTab }));
    expect(await screen.findByText(L.emptyDeleted)).toBeTruthy();
  });

  it('moves the selection with the arrow keys and opens it with Enter', async () => {
    renderApp(seeded());
    const list = await screen.findByRole('listbox', { name: L.secretsList });
    list.focus();
    const active = () => document.getElementById(list.getAttribute('aria-activedescendant') ?? '')?.querySelector('.row-name')?.textContent;
    expect(active()).toBe('api-key');
    fireEvent.keyDown(list, { key: 'ArrowDown' });
    fireEvent.keyDown(list, { key: 'ArrowDown' });
    expect(active()).toBe('future');
    fireEvent.keyDown(list, { key: 'ArrowUp' });
    expect(active()).toBe('db-password');
    expect(option('db-password').getAttribute('aria-selected')).toBe('true');
    fireEvent.keyDown(list, { key: 'End' });
    expect(active()).toBe('soon');
    fireEvent.keyDown(list, { key: 'Home' });
    fireEvent.keyDown(list, { key: 'ArrowDown' });
    fireEvent.keyDown(list, { key: 'Enter' });
    expect(await screen.findByRole('region', { name: L.detailRegion('db-password') })).toBeTruthy();
  });

  it('virtualizes: 5,000 secrets render only the rows in view', async () => {
    const fake = createFakeCoffer({ now: () => NOW });
    const v = fake.addVault('/v/big.coffer', 'pw');
    for (let i = 0; i < 5000; i++) fake.addSecret(v, `s-${String(i).padStart(5, '0')}`, { value: 'v' });
    fake.open = '/v/big.coffer';
    renderApp(fake);
    const list = await screen.findByRole('listbox', { name: L.secretsList });
    const rendered = within(list).getAllByRole('option');
    expect(rendered.length).toBeGreaterThan(5);
    expect(rendered.length).toBeLessThan(60);
    expect(rendered[0]?.getAttribute('aria-setsize')).toBe('5000');
  });
});

describe('secret detail', () => {
  it('reveals a version into its own region, hides it out of the DOM, and copies through main', async () => {
    const fake = seeded();
    renderApp(fake);
    const detail = await openSecret('db-password');
    const version = useSecrets.getState().versions![0]!.id.split('/').pop()!;
    const short = shortVersion(version);

    fireEvent.click(within(detail).getByRole('button', { name: L.revealVersion(short) }));
    const region = await within(detail).findByRole('region', { name: L.revealedValue(short) });
    expect(region.textContent).toBe('hunter2');
    expect(useSecrets.getState().revealed).toEqual({ [version]: 'hunter2' });

    fireEvent.click(within(detail).getByRole('button', { name: L.hideVersion(short) }));
    expect(within(detail).queryByRole('region', { name: L.revealedValue(short) })).toBeNull();
    expect(document.body.textContent).not.toContain('hunter2');
    expect(useSecrets.getState().revealed).toEqual({});

    fireEvent.click(within(detail).getByRole('button', { name: L.copyVersion(short) }));
    await waitFor(() => expect(screen.getByRole('status').textContent).toBe(L.copied(30)));
    expect(fake.clipboard).toBe('hunter2');
    expect(document.body.textContent).not.toContain('hunter2');
  });

  it('clears revealed values when another secret is selected', async () => {
    renderApp(seeded());
    const detail = await openSecret('db-password');
    const short = shortVersion(useSecrets.getState().versions![0]!.id.split('/').pop()!);
    fireEvent.click(within(detail).getByRole('button', { name: L.revealVersion(short) }));
    await within(detail).findByRole('region', { name: L.revealedValue(short) });
    await openSecret('soon');
    expect(useSecrets.getState().revealed).toEqual({});
    expect(document.body.textContent).not.toContain('hunter2');
  });

  it('creates a secret with attributes, adds a version, and lists both versions', async () => {
    const fake = seeded();
    renderApp(fake);
    await screen.findByRole('listbox', { name: L.secretsList });
    const opener = screen.getByRole('button', { name: L.newSecretButton });
    opener.focus();
    fireEvent.click(opener);
    const dialog = screen.getByRole('dialog', { name: L.newSecretDialog });
    expect(dialog.getAttribute('aria-modal')).toBe('true');
    expect(document.activeElement).toBe(within(dialog).getByLabelText(L.fieldName));
    type(within(dialog).getByLabelText(L.fieldName), 'smtp');
    type(within(dialog).getByLabelText(L.fieldValue), 'first');
    type(within(dialog).getByLabelText(L.fieldContentType), 'password');
    type(within(dialog).getByLabelText(L.fieldTags), 'env=prod\nowner = me');
    type(within(dialog).getByLabelText(L.fieldExpires), '2027-01-01T10:00');
    fireEvent.click(within(dialog).getByRole('button', { name: L.saveButton }));
    const detail = await screen.findByRole('region', { name: L.detailRegion('smtp') });
    expect(screen.queryByRole('dialog')).toBeNull();
    expect(document.activeElement).toBe(opener);
    const set = fake.calls.find((c) => c.channel === 'secrets:set')?.input as Record<string, unknown>;
    expect(set).toMatchObject({ name: 'smtp', value: 'first', contentType: 'password', tags: { env: 'prod', owner: 'me' }, enabled: true });
    expect(set.exp).toBe(new Date('2027-01-01T10:00').getTime() / 1000);

    fireEvent.click(within(detail).getByRole('button', { name: L.newVersionButton }));
    const nv = screen.getByRole('dialog', { name: L.newVersionDialog('smtp') });
    type(within(nv).getByLabelText(L.fieldValue), 'second');
    fireEvent.click(within(nv).getByRole('button', { name: L.saveButton }));
    await waitFor(() => expect(within(detail).getAllByRole('row')).toHaveLength(3));
    // The versions reload before the dialog's close is rendered: wait for both.
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
  });

  it('shows a dialog’s error from main in the dialog, and Escape closes it', async () => {
    renderApp(seeded());
    await screen.findByRole('listbox', { name: L.secretsList });
    fireEvent.click(screen.getByRole('button', { name: L.newSecretButton }));
    const dialog = screen.getByRole('dialog', { name: L.newSecretDialog });
    type(within(dialog).getByLabelText(L.fieldName), 'bad name');
    fireEvent.click(within(dialog).getByRole('button', { name: L.saveButton }));
    expect(within(dialog).getByRole('alert').textContent).toBe(L.nameRequired);
    type(within(dialog).getByLabelText(L.fieldName), 'ok');
    type(within(dialog).getByLabelText(L.fieldTags), 'no-equals-sign');
    fireEvent.click(within(dialog).getByRole('button', { name: L.saveButton }));
    expect(within(dialog).getByRole('alert').textContent).toBe(L.tagsError(1));
    fireEvent.keyDown(dialog, { key: 'Escape' });
    expect(screen.queryByRole('dialog')).toBeNull();
  });

  it('disables and enables a version; a disabled version cannot be revealed', async () => {
    const fake = seeded();
    renderApp(fake);
    const detail = await openSecret('db-password');
    const short = shortVersion(useSecrets.getState().versions![0]!.id.split('/').pop()!);
    fireEvent.click(within(detail).getByRole('button', { name: L.disableVersion(short) }));
    const enable = await within(detail).findByRole('button', { name: L.enableVersion(short) });
    expect(within(detail).getByRole('button', { name: L.revealVersion(short) }).hasAttribute('disabled')).toBe(true);
    expect(option('db-password').textContent).toContain(L.chipDisabled);
    expect(fake.calls.find((c) => c.channel === 'secrets:update')?.input).toMatchObject({ name: 'db-password', patch: { enabled: false } });
    fireEvent.click(enable);
    await within(detail).findByRole('button', { name: L.disableVersion(short) });
  });

  it('edits a version’s attributes', async () => {
    const fake = seeded();
    renderApp(fake);
    const detail = await openSecret('db-password');
    const version = useSecrets.getState().versions![0]!.id.split('/').pop()!;
    fireEvent.click(within(detail).getByRole('button', { name: L.editVersion(shortVersion(version)) }));
    const dialog = screen.getByRole('dialog', { name: L.editDialog(shortVersion(version)) });
    expect((within(dialog).getByLabelText(L.fieldTags) as HTMLTextAreaElement).value).toBe('env=prod');
    type(within(dialog).getByLabelText(L.fieldContentType), '');
    type(within(dialog).getByLabelText(L.fieldTags), 'env=dev');
    fireEvent.click(within(dialog).getByRole('button', { name: L.saveButton }));
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    expect(fake.calls.filter((c) => c.channel === 'secrets:update').pop()?.input).toEqual({
      name: 'db-password',
      version,
      patch: { enabled: true, contentType: null, tags: { env: 'dev' }, nbf: null, exp: null },
    });
    expect(await within(detail).findByText('env=dev')).toBeTruthy();
  });

  it('deletes after confirmation, recovers, and purges after confirmation', async () => {
    const fake = seeded();
    renderApp(fake);
    const detail = await openSecret('db-password');
    fireEvent.click(within(detail).getByRole('button', { name: L.deleteSecretButton }));
    let dialog = screen.getByRole('dialog', { name: L.deleteDialog('db-password') });
    fireEvent.click(within(dialog).getByRole('button', { name: L.cancelButton }));
    expect(fake.calls.some((c) => c.channel === 'secrets:delete')).toBe(false);

    fireEvent.click(within(detail).getByRole('button', { name: L.deleteSecretButton }));
    dialog = screen.getByRole('dialog', { name: L.deleteDialog('db-password') });
    fireEvent.click(within(dialog).getByRole('button', { name: L.deleteConfirm }));
    await waitFor(() => expect(screen.queryByRole('region', { name: L.detailRegion('db-password') })).toBeNull());
    expect(names()).not.toContain('db-password');

    fireEvent.click(screen.getByRole('tab', { name: L.deletedTab }));
    const deleted = await screen.findByRole('list', { name: L.deletedList });
    fireEvent.click(within(deleted).getByRole('button', { name: L.recoverButton('db-password') }));
    await waitFor(() => expect(screen.getByText(L.emptyDeleted)).toBeTruthy());
    fireEvent.click(screen.getByRole('tab', { name: L.secretsTab }));
    await waitFor(() => expect(names()).toContain('db-password'));

    // Delete another, then purge it.
    await openSecret('soon');
    fireEvent.click(screen.getByRole('button', { name: L.deleteSecretButton }));
    fireEvent.click(within(screen.getByRole('dialog', { name: L.deleteDialog('soon') })).getByRole('button', { name: L.deleteConfirm }));
    await waitFor(() => expect(names()).not.toContain('soon'));
    fireEvent.click(screen.getByRole('tab', { name: L.deletedTab }));
    const list = await screen.findByRole('list', { name: L.deletedList });
    fireEvent.click(within(list).getByRole('button', { name: L.purgeButton('soon') }));
    const purge = screen.getByRole('dialog', { name: L.purgeDialog('soon') });
    fireEvent.click(within(purge).getByRole('button', { name: L.purgeConfirm }));
    await waitFor(() => expect(screen.getByText(L.emptyDeleted)).toBeTruthy());
    expect(fake.vaults.get('/v/work.coffer')!.secrets.has('soon')).toBe(false);
  });

  it('shows an error Result’s message in an alert, never a stack', async () => {
    const fake = seeded();
    renderApp(fake);
    const detail = await openSecret('db-password');
    const short = shortVersion(useSecrets.getState().versions![0]!.id.split('/').pop()!);
    // The vault locked behind the renderer's back (e.g. from the menu).
    await act(async () => {
      await fake.api['vault:lock']({});
    });
    fireEvent.click(within(detail).getByRole('button', { name: L.revealVersion(short) }));
    expect((await screen.findByRole('alert')).textContent).toBe('The vault is locked: unlock it first.');
  });
});

describe('accessible names', () => {
  it('every button, input, select and textarea on every screen has an accessible name', async () => {
    const check = () => {
      for (const el of Array.from(document.querySelectorAll('button, input, select, textarea, [role=listbox], [role=meter]'))) {
        const h = el as HTMLElement;
        const id = h.id;
        const labelled = h.getAttribute('aria-label') || h.getAttribute('aria-labelledby') || (id && document.querySelector(`label[for="${id}"]`)) || (h.tagName === 'BUTTON' && h.textContent?.trim());
        expect(labelled, h.outerHTML.slice(0, 120)).toBeTruthy();
      }
    };
    const fake = seeded();
    fake.open = null;
    fake.lastPath = null;
    renderApp(fake);
    await screen.findByRole('region', { name: L.createRegion });
    check();
    fireEvent.change(screen.getByLabelText(L.openPath), { target: { value: '/v/work.coffer' } });
    fireEvent.change(screen.getByLabelText(L.openPassphrase), { target: { value: 'pw' } });
    fireEvent.click(screen.getByRole('button', { name: L.openButton }));
    const detail = await openSecret('db-password');
    check();
    fireEvent.click(within(detail).getByRole('button', { name: /^Edit attributes/ }));
    check();
    fireEvent.keyDown(screen.getByRole('dialog'), { key: 'Escape' });
    fireEvent.click(screen.getByRole('button', { name: L.newSecretButton }));
    check();
    fireEvent.keyDown(screen.getByRole('dialog'), { key: 'Escape' });
    fireEvent.click(screen.getByRole('button', { name: L.lockButton }));
    await screen.findByRole('region', { name: L.unlockRegion });
    check();
  });
});
