// @vitest-environment jsdom
/// <reference lib="dom" />
import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { L } from '../../../renderer/app/labels.js';
import { estimateBits, strengthLevel } from '../../../renderer/features/vault/strength.js';
import { createFakeCoffer } from './fake-api.js';
import { renderApp } from './setup.js';

const type = (el: HTMLElement, value: string) => fireEvent.change(el, { target: { value } });

describe('start screen', () => {
  it('creates a vault: path, passphrase twice with a strength meter, then the empty vault', async () => {
    const { fake } = renderApp();
    const create = await screen.findByRole('region', { name: L.createRegion });
    const meter = within(create).getByRole('meter', { name: L.strengthMeter });
    expect(meter.getAttribute('aria-valuenow')).toBe('0');

    type(within(create).getByLabelText(L.createPath), '/home/me/work.coffer');
    type(within(create).getByLabelText(L.createPassphrase), 'correct horse battery staple');
    expect(Number(meter.getAttribute('aria-valuenow'))).toBeGreaterThan(60);
    expect(meter.getAttribute('aria-valuetext')).toMatch(/strong/);
    type(within(create).getByLabelText(L.createRepeat), 'correct horse battery staple');
    fireEvent.click(within(create).getByRole('button', { name: L.createButton }));

    expect(await screen.findByText(L.emptySecrets)).toBeTruthy();
    expect(screen.getByRole('button', { name: L.lockButton })).toBeTruthy();
    expect(fake.calls.find((c) => c.channel === 'vault:create')?.input).toEqual({ path: '/home/me/work.coffer', passphrase: 'correct horse battery staple' });
  });

  it("suggests the profile's personal vault, and the Choose… buttons fill the path from the OS file picker", async () => {
    const fake = createFakeCoffer();
    fake.suggestedPath = '/home/me/.config/coffer/personal.coffer';
    fake.pickerAnswers.push('/home/me/work', null, '/home/me/team.coffer');
    renderApp(fake);
    const create = await screen.findByRole('region', { name: L.createRegion });
    const pathBox = within(create).getByLabelText(L.createPath) as HTMLInputElement;
    await waitFor(() => expect(pathBox.value).toBe('/home/me/.config/coffer/personal.coffer'));

    fireEvent.click(within(create).getByRole('button', { name: L.chooseNewPath }));
    await waitFor(() => expect(pathBox.value).toBe('/home/me/work.coffer'));
    // The picker opened at what the field held.
    expect(fake.calls.find((c) => c.channel === 'dialog:chooseNewVault')?.input).toEqual({ defaultPath: '/home/me/.config/coffer/personal.coffer' });
    await waitFor(() => expect(document.activeElement).toBe(within(create).getByLabelText(L.createPassphrase)));
    // Cancel leaves the field as it was.
    fireEvent.click(within(create).getByRole('button', { name: L.chooseNewPath }));
    await waitFor(() => expect(fake.calls.filter((c) => c.channel === 'dialog:chooseNewVault')).toHaveLength(2));
    expect(pathBox.value).toBe('/home/me/work.coffer');

    const open = screen.getByRole('region', { name: L.openRegion });
    fireEvent.click(within(open).getByRole('button', { name: L.chooseOpenPath }));
    await waitFor(() => expect((within(open).getByLabelText(L.openPath) as HTMLInputElement).value).toBe('/home/me/team.coffer'));
    expect(document.activeElement).toBe(within(open).getByLabelText(L.openPassphrase));
  });

  it('refuses two different passphrases without calling main, and shows main’s error message', async () => {
    const { fake } = renderApp();
    const create = await screen.findByRole('region', { name: L.createRegion });
    type(within(create).getByLabelText(L.createPath), '/tmp/a.coffer');
    type(within(create).getByLabelText(L.createPassphrase), 'one');
    type(within(create).getByLabelText(L.createRepeat), 'two');
    fireEvent.click(within(create).getByRole('button', { name: L.createButton }));
    expect((await within(create).findByRole('alert')).textContent).toBe(L.passphraseMismatch);
    expect(fake.calls.some((c) => c.channel === 'vault:create')).toBe(false);

    type(within(create).getByLabelText(L.createPath), '/tmp/a.txt');
    type(within(create).getByLabelText(L.createRepeat), 'one');
    fireEvent.click(within(create).getByRole('button', { name: L.createButton }));
    await waitFor(() => expect(within(create).getByRole('alert').textContent).toBe('path: must end in .coffer'));
  });

  it('opens a vault from the recent list; a wrong passphrase says so clearly', async () => {
    const fake = createFakeCoffer();
    fake.addVault('/v/team.coffer', 'right');
    // Put it in the recent list by opening once.
    await fake.api['vault:open']({ path: '/v/team.coffer', passphrase: 'right' });
    await fake.api['vault:lock']({});
    fake.lastPath = null;
    renderApp(fake);
    const open = await screen.findByRole('region', { name: L.openRegion });
    const recent = await within(open).findByRole('list', { name: L.recentList });
    fireEvent.click(within(recent).getByRole('button', { name: '/v/team.coffer' }));
    expect((within(open).getByLabelText(L.openPath) as HTMLInputElement).value).toBe('/v/team.coffer');

    type(within(open).getByLabelText(L.openPassphrase), 'wrong');
    fireEvent.click(within(open).getByRole('button', { name: L.openButton }));
    expect((await within(open).findByRole('alert')).textContent).toBe(L.wrongPassphrase);
    expect((within(open).getByLabelText(L.openPassphrase) as HTMLInputElement).value).toBe('');

    type(within(open).getByLabelText(L.openPassphrase), 'right');
    fireEvent.click(within(open).getByRole('button', { name: L.openButton }));
    expect(await screen.findByRole('button', { name: L.newSecretButton })).toBeTruthy();
  });

  it('fills the path from a dropped file', async () => {
    renderApp();
    const zone = await screen.findByRole('group', { name: L.dropZone });
    const file = Object.assign(new File(['x'], 'work.coffer'), { path: '/home/me/work.coffer' });
    fireEvent.drop(zone, { dataTransfer: { files: [file], getData: () => '' } });
    expect((screen.getByLabelText(L.openPath) as HTMLInputElement).value).toBe('/home/me/work.coffer');

    const bare = new File(['x'], 'other.coffer');
    fireEvent.drop(zone, { dataTransfer: { files: [bare], getData: (t: string) => (t === 'text/uri-list' ? 'file:///srv/other%20one.coffer' : '') } });
    expect((screen.getByLabelText(L.openPath) as HTMLInputElement).value).toBe('/srv/other one.coffer');
  });

  it('estimates strength: longer and more varied is stronger', () => {
    expect(estimateBits('')).toBe(0);
    expect(strengthLevel(estimateBits('aaaaaaaa'))).toBe(0);
    expect(estimateBits('abcd')).toBeLessThan(estimateBits('abcd1234'));
    expect(estimateBits('abcd1234')).toBeLessThan(estimateBits('abcD12!4'));
    expect(strengthLevel(estimateBits('correct horse battery staple'))).toBeGreaterThanOrEqual(3);
  });
});
