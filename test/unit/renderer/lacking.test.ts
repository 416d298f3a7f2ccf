// @vitest-environment jsdom
/// <reference lib="dom" />
/**
 * The banner for a copy that lacks commits this computer has seen (the
 * engine's info().lacking, carried in the session's VaultSummary): a status
 * while writing still works, an alert saying writing is disabled when it does
 * not, nothing otherwise; and a write the engine refuses (VaultRolledBack)
 * says clearly, where the error shows, that nothing was saved.
 */
import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { L, shortVersion } from '../../../renderer/app/labels.js';
import { useSecrets } from '../../../renderer/features/secrets/store.js';
import type { LackingReport } from '../../../shared/vault-types.js';
import { unlockedFake } from './fake-api.js';
import { renderApp } from './setup.js';

const type = (el: HTMLElement, value: string) => fireEvent.change(el, { target: { value } });

const WRITABLE: LackingReport = {
  commits: 2,
  writable: true,
  message: 'This copy lacks 2 commit(s) this computer has seen (first: 0123456789ab): it is an older copy, another branch or a partial one. They change no member, role or key: you may write here, and merge the copies later.',
};
const READ_ONLY: LackingReport = {
  commits: 1,
  writable: false,
  message: 'This copy lacks 1 commit(s) this computer has seen (first: 0123456789ab): it is an older copy, another branch or a partial one. 1 of them change members, roles or keys, so writing here is refused until the newer copy is merged in.',
};

/** /v/work.coffer open (db-password = hunter2), its copy lacking commits as `lacking` says. */
function openWith(lacking: LackingReport | undefined) {
  const fake = unlockedFake();
  if (lacking) fake.vaults.get('/v/work.coffer')!.lacking = lacking;
  return renderApp(fake);
}

describe('the banner for a copy that lacks commits seen here', () => {
  it('is absent when the open copy lacks nothing', async () => {
    openWith(undefined);
    await screen.findByRole('option', { name: 'db-password' });
    expect(screen.queryByRole('status', { name: L.lackingTitle })).toBeNull();
    expect(screen.queryByRole('alert', { name: L.lackingReadOnlyTitle })).toBeNull();
    expect(document.querySelector('.banner')).toBeNull();
  });

  it('writable: a status with the engine’s message; writing still works', async () => {
    const { fake } = openWith(WRITABLE);
    const banner = await screen.findByRole('status', { name: L.lackingTitle });
    expect(banner.textContent).toContain(WRITABLE.message);
    expect(banner.textContent).not.toContain(L.lackingReadOnly);
    expect(screen.getByRole('main').contains(banner)).toBe(true);
    expect(screen.queryByRole('alert', { name: L.lackingReadOnlyTitle })).toBeNull();

    fireEvent.click(screen.getByRole('button', { name: L.newSecretButton }));
    const dialog = screen.getByRole('dialog', { name: L.newSecretDialog });
    type(within(dialog).getByLabelText(L.fieldName), 'smtp');
    type(within(dialog).getByLabelText(L.fieldValue), 'v');
    fireEvent.click(within(dialog).getByRole('button', { name: L.saveButton }));
    await screen.findByRole('region', { name: L.detailRegion('smtp') });
    expect(fake.vaults.get('/v/work.coffer')!.secrets.has('smtp')).toBe(true);
  });

  it('not writable: an alert saying writing is disabled until the newer copy is merged; a refused write says so where errors show', async () => {
    const { fake } = openWith(READ_ONLY);
    const banner = await screen.findByRole('alert', { name: L.lackingReadOnlyTitle });
    expect(banner.textContent).toContain(READ_ONLY.message);
    expect(banner.textContent).toContain(L.lackingReadOnly);

    // A new secret: the dialog stays open with the refusal, said in the app's words first.
    fireEvent.click(screen.getByRole('button', { name: L.newSecretButton }));
    const dialog = screen.getByRole('dialog', { name: L.newSecretDialog });
    type(within(dialog).getByLabelText(L.fieldName), 'smtp');
    type(within(dialog).getByLabelText(L.fieldValue), 'v');
    fireEvent.click(within(dialog).getByRole('button', { name: L.saveButton }));
    const refusal = await within(dialog).findByRole('alert');
    expect(refusal.textContent).toMatch(/^Not saved: writing is disabled in this copy until the newer copy is merged in\. This copy lacks 1 commit/);
    expect(fake.vaults.get('/v/work.coffer')!.secrets.has('smtp')).toBe(false);
    fireEvent.keyDown(dialog, { key: 'Escape' });

    // Disabling a version: the page's error display.
    fireEvent.click(screen.getByRole('option', { name: 'db-password' }));
    const detail = await screen.findByRole('region', { name: L.detailRegion('db-password') });
    await within(detail).findByRole('table', { name: L.versionsTable });
    const short = shortVersion(useSecrets.getState().versions![0]!.id.split('/').pop()!);
    fireEvent.click(within(detail).getByRole('button', { name: L.disableVersion(short) }));
    await waitFor(() => {
      const pageError = screen.getAllByRole('alert').find((a) => a !== banner);
      expect(pageError?.textContent).toMatch(/^Not saved: writing is disabled in this copy/);
    });
    expect(fake.calls.filter((c) => c.channel === 'secrets:update')).toHaveLength(1);
  });

  it('goes with the vault: locking clears it', async () => {
    openWith(READ_ONLY);
    await screen.findByRole('alert', { name: L.lackingReadOnlyTitle });
    fireEvent.click(screen.getByRole('button', { name: L.lockButton }));
    await screen.findByRole('region', { name: L.unlockRegion });
    expect(screen.queryByRole('alert', { name: L.lackingReadOnlyTitle })).toBeNull();
    expect(document.body.textContent).not.toContain(READ_ONLY.message);
  });
});

describe('the banner for a member most likely removed', () => {
  it('an alert naming who started the epoch this identity cannot read, and that changes are refused; absent otherwise', async () => {
    const fake = unlockedFake();
    fake.vaults.get('/v/work.coffer')!.removal = { commit: 'c'.repeat(64), by: 'Alice' };
    renderApp(fake);
    const banner = await screen.findByRole('alert', { name: L.removedTitle });
    expect(banner.textContent).toContain(L.removedExplain('Alice', 'c'.repeat(12)));
    expect(screen.getByRole('main').contains(banner)).toBe(true);
  });

  it('is absent for a member', async () => {
    openWith(undefined);
    await screen.findByRole('option', { name: 'db-password' });
    expect(screen.queryByRole('alert', { name: L.removedTitle })).toBeNull();
  });
});
