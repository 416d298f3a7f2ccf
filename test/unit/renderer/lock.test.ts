// @vitest-environment jsdom
/// <reference lib="dom" />
import { act, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { L, shortVersion } from '../../../renderer/app/labels.js';
import { useSecrets } from '../../../renderer/features/secrets/store.js';
import { useSession } from '../../../renderer/features/vault/store.js';
import { createFakeCoffer, unlockedFake } from './fake-api.js';
import { manualClock, renderApp } from './setup.js';

const unlocked = unlockedFake;

async function reveal(): Promise<void> {
  fireEvent.click(await screen.findByRole('option', { name: 'db-password' }));
  const detail = await screen.findByRole('region', { name: L.detailRegion('db-password') });
  await within(detail).findByRole('table', { name: L.versionsTable });
  const short = shortVersion(useSecrets.getState().versions![0]!.id.split('/').pop()!);
  fireEvent.click(within(detail).getByRole('button', { name: L.revealVersion(short) }));
  await within(detail).findByRole('region', { name: L.revealedValue(short) });
  expect(document.body.textContent).toContain('hunter2');
}

function expectNothingLeft(): void {
  expect(document.body.textContent).not.toContain('hunter2');
  expect(document.body.textContent).not.toContain('db-password');
  const s = useSecrets.getState();
  expect(s.revealed).toEqual({});
  expect(s.items).toBeNull();
  expect(s.versions).toBeNull();
  expect(s.selected).toBeNull();
  expect(JSON.stringify(useSecrets.getState())).not.toContain('hunter2');
  expect(JSON.stringify(useSession.getState())).not.toContain('hunter2');
}

describe("main's events", () => {
  it('a lock by main (the menu, quitting) clears the page as Lock does', async () => {
    const fake = unlocked();
    renderApp(fake);
    await reveal();
    // Main has locked its side, then tells the page.
    fake.open = null;
    act(() => fake.emit({ type: 'locked' }));
    expect(await screen.findByRole('region', { name: L.unlockRegion })).toBeTruthy();
    expectNothingLeft();
    // The page asked main for its status, not to lock again.
    expect(fake.calls.filter((c) => c.channel === 'vault:lock')).toHaveLength(0);
  });

  it("the menu's New secret opens the dialog and Find focuses the search box", async () => {
    const fake = unlocked();
    renderApp(fake);
    await screen.findByRole('option', { name: 'db-password' });
    fireEvent.click(screen.getByRole('tab', { name: L.deletedTab }));
    act(() => fake.emit({ type: 'command', command: 'find' }));
    const search = await screen.findByRole('searchbox', { name: L.search });
    await waitFor(() => expect(document.activeElement).toBe(search));
    act(() => fake.emit({ type: 'command', command: 'newSecret' }));
    expect(await screen.findByRole('dialog', { name: L.newSecretDialog })).toBeTruthy();
  });

  it('commands and locks on the start screen change nothing', async () => {
    const fake = createFakeCoffer();
    renderApp(fake);
    await screen.findByRole('region', { name: L.createRegion });
    act(() => {
      fake.emit({ type: 'command', command: 'newSecret' });
      fake.emit({ type: 'locked' });
    });
    expect(screen.queryByRole('dialog')).toBeNull();
    expect(screen.getByRole('region', { name: L.createRegion })).toBeTruthy();
  });
});

describe('lock and unlock', () => {
  it('Lock clears revealed values from the DOM and every store; unlock with a wrong then the right passphrase', async () => {
    const fake = unlocked();
    renderApp(fake);
    await reveal();
    fireEvent.click(screen.getByRole('button', { name: L.lockButton }));
    const region = await screen.findByRole('region', { name: L.unlockRegion });
    expectNothingLeft();
    await waitFor(() => expect(fake.open).toBeNull());
    expect(region.textContent).toContain('/v/work.coffer');

    fireEvent.change(within(region).getByLabelText(L.unlockPassphrase), { target: { value: 'wrong' } });
    fireEvent.click(within(region).getByRole('button', { name: L.unlockButton }));
    expect((await within(region).findByRole('alert')).textContent).toBe(L.wrongPassphrase);
    expect(document.activeElement).toBe(within(region).getByLabelText(L.unlockPassphrase));

    fireEvent.change(within(region).getByLabelText(L.unlockPassphrase), { target: { value: 'right passphrase' } });
    fireEvent.click(within(region).getByRole('button', { name: L.unlockButton }));
    expect(await screen.findByRole('option', { name: 'db-password' })).toBeTruthy();
    expect(fake.calls.filter((c) => c.channel === 'vault:open').map((c) => (c.input as { path: string }).path)).toEqual(['/v/work.coffer', '/v/work.coffer']);
  });

  it('Ctrl+L and Cmd+L lock', async () => {
    const fake = unlocked();
    renderApp(fake);
    await reveal();
    fireEvent.keyDown(window, { key: 'l', ctrlKey: true });
    await screen.findByRole('region', { name: L.unlockRegion });
    expectNothingLeft();

    fireEvent.change(screen.getByLabelText(L.unlockPassphrase), { target: { value: 'right passphrase' } });
    fireEvent.click(screen.getByRole('button', { name: L.unlockButton }));
    await screen.findByRole('option', { name: 'db-password' });
    fireEvent.keyDown(window, { key: 'L', metaKey: true });
    await screen.findByRole('region', { name: L.unlockRegion });
  });

  it('"Open another vault" goes back to the start screen', async () => {
    const fake = unlocked();
    renderApp(fake);
    await screen.findByRole('option', { name: 'db-password' });
    fireEvent.click(screen.getByRole('button', { name: L.lockButton }));
    fireEvent.click(await screen.findByRole('button', { name: L.otherVaultButton }));
    expect(await screen.findByRole('region', { name: L.createRegion })).toBeTruthy();
  });

  it('locks itself after the idle time from settings, counted from the last activity', async () => {
    const fake = unlocked();
    fake.settings.autoLockMinutes = 2;
    const clock = manualClock();
    renderApp(fake, clock);
    await reveal();
    await waitFor(() => expect(fake.calls.some((c) => c.channel === 'settings:get')).toBe(true));
    await act(async () => {});

    act(() => clock.advance(90_000));
    expect(screen.queryByRole('region', { name: L.unlockRegion })).toBeNull();
    // Activity at 1:30 restarts the count: 1:59 after it, still open.
    fireEvent.keyDown(document.body, { key: 'a' });
    act(() => clock.advance(119_000));
    expect(screen.queryByRole('region', { name: L.unlockRegion })).toBeNull();
    fireEvent.pointerMove(document.body);
    act(() => clock.advance(119_000));
    expect(screen.queryByRole('region', { name: L.unlockRegion })).toBeNull();

    act(() => clock.advance(1_000));
    await screen.findByRole('region', { name: L.unlockRegion });
    expectNothingLeft();
    await waitFor(() => expect(fake.calls.some((c) => c.channel === 'vault:lock')).toBe(true));
    expect(fake.open).toBeNull();
  });

  it('Settings changes the idle time at once and the clipboard delay; out-of-range values are refused with a clear message', async () => {
    const fake = unlocked();
    const clock = manualClock();
    renderApp(fake, clock);
    await screen.findByRole('option', { name: 'db-password' });
    fireEvent.click(screen.getByRole('button', { name: L.settingsButton }));
    const d = await screen.findByRole('dialog', { name: L.settingsDialog });
    await waitFor(() => expect((within(d).getByLabelText(L.settingsAutoLock) as HTMLInputElement).value).toBe('5'));
    fireEvent.change(within(d).getByLabelText(L.settingsAutoLock), { target: { value: '0' } });
    fireEvent.click(within(d).getByRole('button', { name: L.saveButton }));
    expect((await within(d).findByRole('alert')).textContent).toBe(L.settingsRange(L.settingsAutoLock, 1, 1440));
    expect(fake.calls.some((c) => c.channel === 'settings:set')).toBe(false);
    fireEvent.change(within(d).getByLabelText(L.settingsAutoLock), { target: { value: '1' } });
    fireEvent.change(within(d).getByLabelText(L.settingsClipboard), { target: { value: '12' } });
    fireEvent.click(within(d).getByRole('button', { name: L.saveButton }));
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    expect(fake.settings).toEqual({ autoLockMinutes: 1, clipboardClearSeconds: 12, lockOnMinimize: false });
    act(() => clock.advance(59_000));
    expect(screen.queryByRole('region', { name: L.unlockRegion })).toBeNull();
    act(() => clock.advance(1_000));
    await screen.findByRole('region', { name: L.unlockRegion });
  });

  it('uses the 5-minute default until settings answer', async () => {
    const fake = unlocked();
    const clock = manualClock();
    // settings:get fails: the default stands.
    const api = { ...fake.api, 'settings:get': async () => ({ ok: false as const, code: 'Internal' as const, message: 'no' }) };
    fake.api = api;
    renderApp(fake, clock);
    await screen.findByRole('option', { name: 'db-password' });
    act(() => clock.advance(4 * 60_000 + 59_000));
    expect(screen.queryByRole('region', { name: L.unlockRegion })).toBeNull();
    act(() => clock.advance(1_000));
    await screen.findByRole('region', { name: L.unlockRegion });
  });
});
