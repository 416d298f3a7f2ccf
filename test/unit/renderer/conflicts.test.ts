// @vitest-environment jsdom
/// <reference lib="dom" />
/**
 * The banner for a sync service's conflicted copies beside the open vault:
 * absent when main finds none; otherwise how many and from which service,
 * each copy that cannot be merged with why, and Merge, which main runs on the
 * open vault; then what became of each copy, and the merged secrets shown
 * without a relock. Main saying the vault's file changed makes the page look
 * again. A merge main refuses says why; a lock clears it all.
 */
import { fireEvent, screen, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { L } from '../../../renderer/app/labels.js';
import { mergedName, type FakeConflictedCopy } from './fake-api-conflicts.js';
import { unlockedFake } from './fake-api.js';
import { renderApp } from './setup.js';

const DROPBOX: FakeConflictedCopy = {
  path: "/v/work (Ann's conflicted copy 2026-12-04).coffer",
  name: "work (Ann's conflicted copy 2026-12-04).coffer",
  service: 'dropbox',
  mergeable: true,
  reason: null,
  secrets: { 'from-laptop': 'laptop value' },
};
const OTHER: FakeConflictedCopy = {
  path: '/v/work.sync-conflict-20261204-101500-ABCDEF7.coffer',
  name: 'work.sync-conflict-20261204-101500-ABCDEF7.coffer',
  service: 'syncthing',
  mergeable: false,
  reason: 'a copy of another vault (id 0f0f, not 0123); left as it is',
};

function openWith(copies: FakeConflictedCopy[]) {
  const fake = unlockedFake();
  fake.vaults.get('/v/work.coffer')!.conflictedCopies = copies.map((c) => ({ ...c }));
  return renderApp(fake);
}

describe('the banner for conflicted copies beside the open vault', () => {
  it('is absent when main finds none (asked once the vault is open)', async () => {
    const { fake } = openWith([]);
    await screen.findByRole('option', { name: 'db-password' });
    expect(fake.calls.filter((c) => c.channel === 'vault:conflictedCopies')).toHaveLength(1);
    expect(document.querySelector('.banner')).toBeNull();
  });

  it('names the copies and services; Merge runs in main, then says what became of each and shows the merged secret without a relock', async () => {
    const { fake } = openWith([DROPBOX, OTHER]);
    const title = L.conflictsTitle(2, ['Dropbox', 'Syncthing']);
    const banner = await screen.findByRole('status', { name: title });
    expect(screen.getByRole('main').contains(banner)).toBe(true);
    const items = within(within(banner).getByRole('list', { name: L.conflictsList })).getAllByRole('listitem').map((li) => li.textContent);
    expect(items).toEqual([DROPBOX.name, L.conflictLeft(OTHER.name, OTHER.reason!)]);
    expect(screen.queryByRole('option', { name: 'from-laptop' })).toBeNull();

    // One of the two can be merged.
    fireEvent.click(within(banner).getByRole('button', { name: L.conflictsMergeButton(1) }));
    const report = await screen.findByRole('status', { name: L.conflictsPartlyMergedTitle });
    expect(within(report).getAllByRole('listitem').map((li) => li.textContent)).toEqual([
      L.conflictMerged(DROPBOX.name, 1, mergedName(DROPBOX.name)),
      L.conflictNotMerged(OTHER.name, OTHER.reason!),
    ]);
    expect(await screen.findByRole('option', { name: 'from-laptop' })).toBeTruthy();
    expect(fake.calls.filter((c) => c.channel === 'vault:mergeConflictedCopies')).toHaveLength(1);
    expect(fake.calls.some((c) => c.channel === 'vault:open' || c.channel === 'vault:lock')).toBe(false);

    fireEvent.click(within(report).getByRole('button', { name: L.closeButton }));
    expect(screen.queryByRole('status', { name: L.conflictsPartlyMergedTitle })).toBeNull();
  });

  it('all merged: the report says so; copies that cannot be merged offer no Merge', async () => {
    openWith([DROPBOX]);
    const banner = await screen.findByRole('status', { name: L.conflictsTitle(1, ['Dropbox']) });
    fireEvent.click(within(banner).getByRole('button', { name: L.conflictsMergeButton(1) }));
    expect(await screen.findByRole('status', { name: L.conflictsMergedTitle })).toBeTruthy();
  });

  it('only another vault’s copy: listed with why, no Merge button', async () => {
    openWith([OTHER]);
    const banner = await screen.findByRole('status', { name: L.conflictsTitle(1, ['Syncthing']) });
    expect(within(banner).queryByRole('button')).toBeNull();
  });

  it("a merge main refuses shows main's message in the banner, the copies still listed", async () => {
    const { fake } = openWith([DROPBOX]);
    const banner = await screen.findByRole('status', { name: L.conflictsTitle(1, ['Dropbox']) });
    fake.failNext['vault:mergeConflictedCopies'] = { ok: false, code: 'IoError', message: 'Cannot list the folder /v: EACCES' };
    fireEvent.click(within(banner).getByRole('button', { name: L.conflictsMergeButton(1) }));
    expect((await within(banner).findByRole('alert')).textContent).toBe('Cannot list the folder /v: EACCES');
    expect(within(banner).getByText(DROPBOX.name)).toBeTruthy();
  });

  it('main saying the vault file changed (a sync service at work) makes the page look for copies again', async () => {
    const { fake } = openWith([]);
    await screen.findByRole('option', { name: 'db-password' });
    fake.vaults.get('/v/work.coffer')!.conflictedCopies = [{ ...DROPBOX }];
    fake.emit({ type: 'vaultChanged', count: 1, commits: [] });
    expect(await screen.findByRole('status', { name: L.conflictsTitle(1, ['Dropbox']) })).toBeTruthy();
    expect(fake.calls.filter((c) => c.channel === 'vault:conflictedCopies')).toHaveLength(2);
  });

  it('goes with the vault: locking clears it', async () => {
    openWith([DROPBOX]);
    await screen.findByRole('status', { name: L.conflictsTitle(1, ['Dropbox']) });
    fireEvent.click(screen.getByRole('button', { name: L.lockButton }));
    await screen.findByRole('region', { name: L.unlockRegion });
    expect(document.body.textContent).not.toContain(DROPBOX.name);
  });
});
