// @vitest-environment jsdom
/// <reference lib="dom" />
/**
 * Who changed what, on the fake API: the History view (reached from the
 * navigation) lists the last 7 days' commits newest first with author, time
 * and changes, a rejected commit apart with its reason and one this member
 * cannot read as such; 24 hours and 30 days on choice. A version list names
 * who wrote each version. When main says another writer changed the vault
 * (`vaultChanged`), the screens reload without a relock and a notice says who
 * changed what, until dismissed.
 */
import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import type { HistoryEntry } from '../../../shared/vault-types.js';
import { L } from '../../../renderer/app/labels.js';
import { createFakeCoffer, type FakeCoffer } from './fake-api.js';
import { DAY, manualClock, NOW, renderApp } from './setup.js';

const MS = 1000;
const alice = { id: '1111111111111111', name: 'Alice' };
const bob = { id: '2222222222222222', name: 'Bob' };
const rita = { id: '3333333333333333', name: 'Rita' };
const commit = (n: number) => n.toString(16).padStart(64, '0');

function seeded(): { fake: FakeCoffer; v1: string; v2: string } {
  const fake = createFakeCoffer({ now: () => NOW });
  const v = fake.addVault('/v/team.coffer', 'pw');
  const v1 = fake.addSecret(v, 'db', { value: 'one', created: NOW - 2 * DAY }).version;
  const v2 = fake.addSecret(v, 'db', { value: 'two', created: NOW - DAY }).version;
  const history: HistoryEntry[] = [
    { commit: commit(5), time: (NOW - 3600) * MS, author: rita, changes: [{ kind: 'secrets', object: 'secrets/evil', version: 'e'.repeat(32), action: 'new version' }], rejected: 'its author lacks secrets/setSecret' },
    { commit: commit(4), time: null, author: alice, changes: null, unreadable: 'this member cannot read the epoch it was written under' },
    { commit: commit(3), time: (NOW - DAY - 60) * MS, author: alice, changes: [{ kind: 'secrets', object: 'secrets/db', version: v2, action: 'new version' }] },
    { commit: commit(2), time: (NOW - 2 * DAY) * MS, author: bob, changes: [{ kind: 'secrets', object: 'secrets/db', version: v1, action: 'new version' }] },
    { commit: commit(1), time: (NOW - 20 * DAY) * MS, author: alice, changes: [{ kind: 'members', object: `members/${bob.id}`, action: 'member added', detail: 'Bob: Key Vault Secrets Officer' }] },
  ];
  v.history = history;
  fake.open = '/v/team.coffer';
  fake.lastPath = '/v/team.coffer';
  return { fake, v1, v2 };
}

const nav = () => screen.getByRole('navigation', { name: L.kindsNav });
const rows = () =>
  within(screen.getByRole('table', { name: L.historyTable }))
    .getAllByRole('row')
    .slice(1);

async function goToHistory(fake: FakeCoffer) {
  renderApp(fake, manualClock(NOW * MS));
  await screen.findByRole('listbox', { name: L.secretsList });
  fireEvent.click(within(nav()).getByRole('button', { name: L.historyNav }));
  await screen.findByRole('table', { name: L.historyTable });
}

describe('History view', () => {
  it('lists the last 7 days newest first: author, time, what; a rejected commit apart, an unreadable one said', async () => {
    const { fake } = seeded();
    await goToHistory(fake);
    expect(rows().map((r) => within(r).getByRole('rowheader').textContent)).toEqual(['Rita 3333333333333333', 'Alice 1111111111111111', 'Alice 1111111111111111', 'Bob 2222222222222222']);
    const [rejected, unreadable, mine] = rows();
    expect(rejected!.className).toBe('history-rejected');
    expect(within(rejected!).getByText(L.historyRejected)).toBeTruthy();
    expect(rejected!.textContent).toContain('new version of secrets/evil (eeeeeeee). Not applied: its author lacks secrets/setSecret.');
    expect(unreadable!.textContent).toContain(L.timeUnknown);
    expect(unreadable!.textContent).toContain(L.historyUnreadable('this member cannot read the epoch it was written under'));
    expect(mine!.textContent).toContain('new version of secrets/db');
    // Asked for from 7 days back, by the renderer's clock.
    expect(fake.calls.filter((c) => c.channel === 'vault:history').at(-1)!.input).toEqual({ since: (NOW - 7 * DAY) * MS });
  });

  it('24 hours or 30 days, chosen from the keyboard', async () => {
    const { fake } = seeded();
    await goToHistory(fake);
    const period = screen.getByRole('combobox', { name: L.historyPeriod });
    fireEvent.change(period, { target: { value: '30' } });
    await waitFor(() => expect(rows()).toHaveLength(5));
    expect(rows().at(-1)!.textContent).toContain('member added — Bob: Key Vault Secrets Officer');
    fireEvent.change(period, { target: { value: '1' } });
    await waitFor(() => expect(rows()).toHaveLength(2));
  });

  it('says when nothing changed in the period', async () => {
    const { fake } = seeded();
    fake.vaults.get('/v/team.coffer')!.history = [];
    renderApp(fake, manualClock(NOW * MS));
    await screen.findByRole('listbox', { name: L.secretsList });
    fireEvent.click(within(nav()).getByRole('button', { name: L.historyNav }));
    expect(await screen.findByText(L.historyNone(7))).toBeTruthy();
  });
});

describe('who wrote each version', () => {
  it("the versions table's Author column, from the object's history", async () => {
    const { fake, v1, v2 } = seeded();
    renderApp(fake, manualClock(NOW * MS));
    await screen.findByRole('listbox', { name: L.secretsList });
    fireEvent.click(within(screen.getByRole('listbox', { name: L.secretsList })).getByRole('option', { name: /^db/ }));
    const detail = await screen.findByRole('region', { name: L.detailRegion('db') });
    const table = await within(detail).findByRole('table', { name: L.versionsTable });
    const col = within(table).getAllByRole('columnheader').findIndex((h) => h.textContent === L.colAuthor);
    expect(col).toBeGreaterThan(0);
    await waitFor(() => {
      const cells = within(table)
        .getAllByRole('row')
        .slice(1)
        .map((r) => [r.querySelector('code')?.getAttribute('title'), r.children[col]?.textContent]);
      expect(cells).toEqual([
        [v2, 'Alice'],
        [v1, 'Bob'],
      ]);
    });
    expect(fake.calls.some((c) => c.channel === 'vault:history' && JSON.stringify(c.input) === JSON.stringify({ object: 'secrets/db' }))).toBe(true);
  });
});

describe('changes by another writer while open', () => {
  it('reload the screens and say who changed what, until dismissed', async () => {
    const { fake } = seeded();
    renderApp(fake, manualClock(NOW * MS));
    await screen.findByRole('listbox', { name: L.secretsList });
    const v = fake.vaults.get('/v/team.coffer')!;
    const added = fake.addSecret(v, 'from-bob', { value: 'x' });
    fake.emit({
      type: 'vaultChanged',
      count: 1,
      commits: [{ commit: commit(9), time: NOW * MS, author: bob, changes: [{ kind: 'secrets', object: 'secrets/from-bob', version: added.version, action: 'new version' }] }],
    });
    const notice = await screen.findByRole('alert');
    expect(notice.textContent).toContain(`Changed by Bob: new version of secrets/from-bob (${added.version.slice(0, 8)}).`);
    await within(screen.getByRole('listbox', { name: L.secretsList })).findByRole('option', { name: /^from-bob/ });
    fireEvent.click(within(notice).getByRole('button', { name: L.closeButton }));
    expect(screen.queryByRole('alert')).toBeNull();
  });

  it('counts what the notice does not word', async () => {
    const { fake } = seeded();
    renderApp(fake, manualClock(NOW * MS));
    await screen.findByRole('listbox', { name: L.secretsList });
    const one = (n: number): HistoryEntry => ({ commit: commit(n), time: NOW * MS, author: bob, changes: [{ kind: 'secrets', object: `secrets/s${n}`, action: 'deleted' }] });
    fake.emit({ type: 'vaultChanged', count: 7, commits: [one(1), one(2), one(3), one(4)] });
    const notice = await screen.findByRole('alert');
    expect(notice.textContent).toContain('Changed by Bob: deleted secrets/s3.');
    expect(notice.textContent).not.toContain('secrets/s4');
    expect(notice.textContent).toContain('And 4 more changes: see History.');
  });

  it('words a change this member cannot read, or one not applied, as one sentence each', async () => {
    const { fake } = seeded();
    renderApp(fake, manualClock(NOW * MS));
    await screen.findByRole('listbox', { name: L.secretsList });
    const [rejected, unreadable] = fake.vaults.get('/v/team.coffer')!.history!;
    fake.emit({ type: 'vaultChanged', count: 2, commits: [unreadable!, rejected!] });
    const notice = await screen.findByRole('alert');
    expect(notice.textContent).toContain('Changed by Alice: You cannot read what this change did: this member cannot read the epoch it was written under. Changed by Rita:');
    expect(notice.textContent).toContain('Changed by Rita: new version of secrets/evil (eeeeeeee). Not applied: its author lacks secrets/setSecret.');
    expect(notice.textContent).not.toContain('..');
  });
});
