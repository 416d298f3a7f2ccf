// @vitest-environment jsdom
/// <reference lib="dom" />
/**
 * The Settings dialog's "Lock when the window is minimised" (issue 4): a
 * checkbox named by its label, showing what main has, saved with the other
 * fields through settings:set. (The lock itself is main's: app.ts reads the
 * setting when the window is minimised, test/unit/main/app.test.ts.)
 */
import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { L } from '../../../renderer/app/labels.js';
import { unlockedFake, type FakeCoffer } from './fake-api.js';
import { manualClock, renderApp } from './setup.js';

const unlocked = unlockedFake;

async function openSettings(fake: FakeCoffer): Promise<HTMLElement> {
  renderApp(fake, manualClock());
  await screen.findByRole('option', { name: 'db-password' });
  // The dialog shows what main has: wait for settings:get (loaded on unlock).
  await waitFor(() => expect(fake.calls.some((c) => c.channel === 'settings:get')).toBe(true));
  fireEvent.click(screen.getByRole('button', { name: L.settingsButton }));
  return screen.findByRole('dialog', { name: L.settingsDialog });
}

const lockOnMinimize = (d: HTMLElement): HTMLInputElement =>
  within(d).getByRole('checkbox', { name: L.settingsLockOnMinimize }) as HTMLInputElement;

describe('Settings: lock when the window is minimised', () => {
  it('is a checkbox with an accessible name, off by default', async () => {
    const d = await openSettings(unlocked());
    expect(L.settingsLockOnMinimize).toBe('Lock when the window is minimised');
    expect(lockOnMinimize(d).checked).toBe(false);
  });

  it('turning it on is saved through settings:set with the other fields', async () => {
    const fake = unlocked();
    const d = await openSettings(fake);
    fireEvent.click(lockOnMinimize(d));
    expect(lockOnMinimize(d).checked).toBe(true);
    fireEvent.click(within(d).getByRole('button', { name: L.saveButton }));
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    const set = fake.calls.filter((c) => c.channel === 'settings:set');
    expect(set).toHaveLength(1);
    expect(set[0]?.input).toEqual({ autoLockMinutes: 5, clipboardClearSeconds: 30, lockOnMinimize: true });
    expect(fake.settings).toEqual({ autoLockMinutes: 5, clipboardClearSeconds: 30, lockOnMinimize: true });
  });

  it('shows the saved value when opened again, and turning it off is saved too', async () => {
    const fake = unlocked();
    fake.settings.lockOnMinimize = true;
    const d = await openSettings(fake);
    await waitFor(() => expect(lockOnMinimize(d).checked).toBe(true));
    fireEvent.click(lockOnMinimize(d));
    fireEvent.click(within(d).getByRole('button', { name: L.saveButton }));
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    expect(fake.settings.lockOnMinimize).toBe(false);
  });

  it('Cancel saves nothing', async () => {
    const fake = unlocked();
    const d = await openSettings(fake);
    fireEvent.click(lockOnMinimize(d));
    fireEvent.click(within(d).getByRole('button', { name: L.cancelButton }));
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    expect(fake.calls.some((c) => c.channel === 'settings:set')).toBe(false);
    expect(fake.settings.lockOnMinimize).toBe(false);
  });
});
