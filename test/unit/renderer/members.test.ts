// @vitest-environment jsdom
/// <reference lib="dom" />
/**
 * The Members view on the fake API: reached from the navigation (not a
 * kind), the list (name, id, fingerprint, roles); Add member reads the
 * invite in main, shows the name and fingerprint in groups and adds only
 * once the person confirms they compared it and chose a role; a tampered
 * invite's error in the dialog; the whole add done from the keyboard
 * (focus moved by Tab, controls activated where the focus is); change
 * roles; remove, then the exposure report, whose secrets open on the
 * Secrets screen; the engine's refusals shown as messages; and a member
 * without the Administrator role offered no change, told why.
 */
import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import type { MemberView } from '../../../shared/contract.js';
import { L } from '../../../renderer/app/labels.js';
import { formatDate } from '../../../renderer/lib/format.js';
import { createFakeCoffer, type FakeCoffer } from './fake-api.js';
import { FAKE_INVITES, OWNER } from './fake-api-members.js';
import { DAY, NOW, renderApp, type } from './setup.js';

function seeded(carolGrants: MemberView['grants'] = []): FakeCoffer {
  const fake = createFakeCoffer({ now: () => NOW });
  const v = fake.addVault('/v/team.coffer', 'pw');
  fake.addSecret(v, 'db-password', { value: 'hunter2', created: NOW - DAY, updated: NOW - DAY });
  fake.addSecret(v, 'api-token', { value: 'tok', created: NOW - DAY, updated: NOW - DAY });
  const { invite: _i, ...carol } = FAKE_INVITES.carol;
  v.members.push({ ...carol, roles: ['Key Vault Secrets User', 'Key Vault Reader'], grants: carolGrants, added: { by: 'owner', time: NOW - DAY } });
  fake.open = '/v/team.coffer';
  fake.lastPath = '/v/team.coffer';
  return fake;
}

const nav = () => screen.getByRole('navigation', { name: L.kindsNav });
const table = () => screen.getByRole('table', { name: L.membersTable });
const rowOf = (name: string) => within(table()).getByRole('rowheader', { name }).closest('tr')!;

async function goToMembers(fake = seeded()) {
  const r = renderApp(fake);
  await screen.findByRole('listbox', { name: L.secretsList });
  fireEvent.click(within(nav()).getByRole('button', { name: L.membersNav }));
  await screen.findByRole('table', { name: L.membersTable });
  return r;
}

/** What Tab does: the next focusable control after the focused one, in the open dialog if any (the rest of the page is inert). */
function pressTab(): HTMLElement {
  const active = document.activeElement as HTMLElement;
  // The dialog's own handler wraps at its last control.
  if (!fireEvent.keyDown(active, { key: 'Tab' })) return document.activeElement as HTMLElement;
  const scope = document.querySelector<HTMLElement>('body > .backdrop:last-of-type') ?? document.body;
  const focusable = Array.from(scope.querySelectorAll<HTMLElement>('input, textarea, select, button, [href], [tabindex]:not([tabindex="-1"])')).filter(
    (el) => !(el as HTMLButtonElement).disabled && el.closest('[inert]') === null,
  );
  const next = focusable[focusable.indexOf(active) + 1] ?? focusable[0]!;
  next.focus();
  return next;
}

/** Tabs until the focus is on the control named `name` (at most 40 steps). */
function tabTo(name: string | RegExp): HTMLElement {
  for (let i = 0; i < 40; i++) {
    const el = pressTab();
    const label = el.getAttribute('aria-label') ?? (el.id ? document.querySelector(`label[for="${el.id}"]`)?.textContent : null) ?? el.textContent ?? '';
    if (typeof name === 'string' ? label === name : name.test(label)) return el;
  }
  throw new Error(`Tab never reached ${String(name)}`);
}

/** Enter or Space on the focused native control: what the browser does is a click. */
function activateFocused(): void {
  fireEvent.click(document.activeElement as HTMLElement);
}

describe('the Members view', () => {
  it('shows roles on single objects, who added each member and when, and why a Remove is not offered', async () => {
    await goToMembers(seeded([{ object: 'secrets/api-token', role: 'Key Vault Secrets User' }]));
    const carol = rowOf('Carol');
    expect(within(carol).getByText(L.memberGrant('Key Vault Secrets User', 'secrets/api-token'))).toBeTruthy();
    expect(within(carol).getByText(L.memberAddedBy('owner', formatDate(NOW - DAY)))).toBeTruthy();
    expect(within(carol).getByRole('button', { name: L.removeMemberOf('Carol', FAKE_INVITES.carol.id) })).toBeTruthy();
    // One's own row: the reason, in place of the button.
    const owner = rowOf('owner');
    expect(within(owner).queryByRole('button', { name: L.removeMemberOf('owner', OWNER.id) })).toBeNull();
    expect(within(owner).getByText(OWNER.notRemovable!)).toBeTruthy();
  });

  it('is reached from the navigation, marked current, and lists name, id, fingerprint and roles', async () => {
    await goToMembers();
    const membersButton = within(nav()).getByRole('button', { name: L.membersNav });
    expect(membersButton.getAttribute('aria-current')).toBe('page');
    expect(within(nav()).getByRole('button', { name: L.secretsTab }).getAttribute('aria-current')).toBeNull();
    expect(screen.getByRole('heading', { name: L.membersTitle })).toBeTruthy();
    const carol = rowOf('Carol');
    expect(carol.textContent).toContain(FAKE_INVITES.carol.id);
    // The fingerprint in its six groups of four, spaced.
    expect(within(carol).getByText((_, el) => el?.classList.contains('fingerprint') === true).textContent).toBe(FAKE_INVITES.carol.fingerprint.replace(/-/g, ' '));
    expect(within(carol).getAllByRole('listitem').map((li) => li.textContent)).toEqual(['Key Vault Secrets User', 'Key Vault Reader']);
    expect(rowOf('owner').textContent).toContain('Key Vault Administrator');
    // Back to a kind: the kind's screen again.
    fireEvent.click(within(nav()).getByRole('button', { name: L.keysNav }));
    expect(await screen.findByText(L.emptyKeys)).toBeTruthy();
    expect(screen.queryByRole('table', { name: L.membersTable })).toBeNull();
    expect(membersButton.getAttribute('aria-current')).toBeNull();
  });

  it('Add member: main reads the invite; the name and fingerprint show in groups; adding needs the confirmation and a role', async () => {
    const r = await goToMembers();
    fireEvent.click(screen.getByRole('button', { name: L.addMemberButton }));
    const dialog = await screen.findByRole('dialog', { name: L.addMemberDialog });
    type(within(dialog).getByLabelText(L.fieldInvite), `  ${FAKE_INVITES.bob.invite.slice(0, 30)}\n${FAKE_INVITES.bob.invite.slice(30)}  `);
    fireEvent.click(within(dialog).getByRole('button', { name: L.readInviteButton }));
    const preview = await within(dialog).findByRole('region', { name: L.inviteFrom('Bob') });
    expect(r.fake.calls.filter((c) => c.channel === 'members:readInvite')).toHaveLength(1);
    const fp = preview.querySelector('.fingerprint.large')!;
    expect(fp.textContent).toBe('7K3M QX2P R8TD 0AB4 MN5V W9YZ');
    expect(fp.querySelectorAll('.fp-group')).toHaveLength(6);
    expect(within(preview).getByText(L.inviteMemberId(FAKE_INVITES.bob.id))).toBeTruthy();

    // Not confirmed: refused in the dialog, nothing sent.
    fireEvent.click(within(dialog).getByRole('button', { name: L.addMemberConfirm }));
    expect(within(dialog).getByRole('alert').textContent).toBe(L.confirmComparedRequired);
    fireEvent.click(within(dialog).getByRole('checkbox', { name: L.confirmCompared('Bob') }));
    // No role: refused too.
    fireEvent.click(within(dialog).getByRole('button', { name: L.addMemberConfirm }));
    expect(within(dialog).getByRole('alert').textContent).toBe(L.rolesRequired);
    expect(r.fake.calls.filter((c) => c.channel === 'members:add')).toHaveLength(0);
    // Every built-in role is offered.
    expect(within(dialog).getAllByRole('checkbox')).toHaveLength(1 + 10);
    fireEvent.click(within(dialog).getByRole('checkbox', { name: 'Key Vault Secrets User' }));
    fireEvent.click(within(dialog).getByRole('button', { name: L.addMemberConfirm }));
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    // The invite went to main again, never keys.
    const add = r.fake.calls.find((c) => c.channel === 'members:add')!;
    expect(add.input).toEqual({ invite: expect.stringContaining('coffer-invite:'), roles: ['Key Vault Secrets User'] });
    expect(rowOf('Bob').textContent).toContain('Key Vault Secrets User');
    expect(screen.getByRole('status').textContent).toBe(L.memberAdded('Bob'));
  });

  it('a tampered invite, or one changed after reading, gets a clear error in the dialog', async () => {
    await goToMembers();
    fireEvent.click(screen.getByRole('button', { name: L.addMemberButton }));
    const dialog = await screen.findByRole('dialog', { name: L.addMemberDialog });
    const field = within(dialog).getByLabelText(L.fieldInvite);
    const inv = FAKE_INVITES.bob.invite;
    type(field, `${inv.slice(0, 20)}X${inv.slice(21)}`);
    fireEvent.click(within(dialog).getByRole('button', { name: L.readInviteButton }));
    expect((await within(dialog).findByRole('alert')).textContent).toBe('The invite is not valid: its signature does not verify: it was altered or damaged in copying.');
    expect(within(dialog).queryByRole('region')).toBeNull();
    type(field, inv);
    fireEvent.click(within(dialog).getByRole('button', { name: L.readInviteButton }));
    await within(dialog).findByRole('region', { name: L.inviteFrom('Bob') });
    type(field, FAKE_INVITES.carol.invite);
    expect(within(dialog).queryByRole('region')).toBeNull();
    expect(within(dialog).getByRole('alert').textContent).toBe(L.inviteChanged);
    // Carol is a member already: the engine's Conflict, in the dialog.
    fireEvent.click(within(dialog).getByRole('button', { name: L.readInviteButton }));
    await within(dialog).findByRole('region', { name: L.inviteFrom('Carol') });
    fireEvent.click(within(dialog).getByRole('checkbox', { name: L.confirmCompared('Carol') }));
    fireEvent.click(within(dialog).getByRole('checkbox', { name: 'Key Vault Reader' }));
    fireEvent.click(within(dialog).getByRole('button', { name: L.addMemberConfirm }));
    expect((await within(dialog).findByRole('alert')).textContent).toContain('is a member of this vault already');
  });

  it('adds a member from the keyboard alone: Tab to each control, Enter and Space where the focus is', async () => {
    const r = await goToMembers();
    const addButton = screen.getByRole('button', { name: L.addMemberButton });
    addButton.focus();
    activateFocused();
    const dialog = await screen.findByRole('dialog', { name: L.addMemberDialog });
    // The focus starts in the invite field.
    expect(document.activeElement).toBe(within(dialog).getByLabelText(L.fieldInvite));
    type(document.activeElement as HTMLElement, FAKE_INVITES.bob.invite);
    expect(tabTo(L.readInviteButton)).toBe(within(dialog).getByRole('button', { name: L.readInviteButton }));
    activateFocused();
    await within(dialog).findByRole('region', { name: L.inviteFrom('Bob') });
    tabTo(L.confirmCompared('Bob'));
    activateFocused();
    tabTo('Key Vault Secrets Officer');
    activateFocused();
    tabTo(L.addMemberConfirm);
    activateFocused();
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    expect(r.fake.calls.find((c) => c.channel === 'members:add')!.input).toMatchObject({ roles: ['Key Vault Secrets Officer'] });
    // The focus returns to Add member.
    expect(document.activeElement).toBe(addButton);
    // Escape closes a dialog.
    activateFocused();
    const again = await screen.findByRole('dialog', { name: L.addMemberDialog });
    fireEvent.keyDown(again, { key: 'Escape' });
    expect(screen.queryByRole('dialog')).toBeNull();
  });

  it('changes a member’s roles; the engine’s refusal (last Administrator) is a message in the dialog', async () => {
    const r = await goToMembers();
    fireEvent.click(within(rowOf('Carol')).getByRole('button', { name: L.changeRolesOf('Carol', FAKE_INVITES.carol.id) }));
    let dialog = await screen.findByRole('dialog', { name: L.changeRolesDialog('Carol') });
    expect((within(dialog).getByRole('checkbox', { name: 'Key Vault Reader' }) as HTMLInputElement).checked).toBe(true);
    fireEvent.click(within(dialog).getByRole('checkbox', { name: 'Key Vault Reader' }));
    fireEvent.click(within(dialog).getByRole('button', { name: L.saveButton }));
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    expect(within(rowOf('Carol')).getAllByRole('listitem').map((li) => li.textContent)).toEqual(['Key Vault Secrets User']);
    expect(r.fake.calls.find((c) => c.channel === 'members:setRoles')!.input).toEqual({ signPub: FAKE_INVITES.carol.signPub, roles: ['Key Vault Secrets User'] });

    fireEvent.click(within(rowOf('owner')).getByRole('button', { name: L.changeRolesOf('owner', OWNER.id) }));
    dialog = await screen.findByRole('dialog', { name: L.changeRolesDialog('owner') });
    fireEvent.click(within(dialog).getByRole('checkbox', { name: 'Key Vault Administrator' }));
    fireEvent.click(within(dialog).getByRole('button', { name: L.saveButton }));
    expect(within(dialog).getByRole('alert').textContent).toBe(L.rolesRequired);
    fireEvent.click(within(dialog).getByRole('checkbox', { name: 'Key Vault Reader' }));
    fireEvent.click(within(dialog).getByRole('button', { name: L.saveButton }));
    const alert = await within(dialog).findByRole('alert');
    await waitFor(() => expect(alert.textContent).toBe('This change is not allowed: it would leave the vault without an Administrator.'));
    expect(alert.textContent).not.toMatch(/\bat\b.*\.(ts|js):\d+/);
  });

  it('gives a role on one secret (only the reading roles of its kind are offered), then ends it; what she could read is listed to rotate', async () => {
    const r = await goToMembers();
    fireEvent.click(within(rowOf('Carol')).getByRole('button', { name: L.grantOf('Carol', FAKE_INVITES.carol.id) }));
    const d = await screen.findByRole('dialog', { name: L.grantDialog('Carol') });
    const object = within(d).getByLabelText(L.fieldGrantObject);
    type(object, 'keys/signing');
    expect(within(within(d).getByLabelText(L.fieldGrantRole)).getAllByRole('option').map((o) => o.textContent)).toEqual(['Key Vault Crypto User', 'Key Vault Crypto Service Encryption User']);
    type(object, 'secrets/db-password');
    expect(within(within(d).getByLabelText(L.fieldGrantRole)).getAllByRole('option').map((o) => o.textContent)).toEqual(['Key Vault Secrets User']);
    fireEvent.click(within(d).getByRole('button', { name: L.saveButton }));
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    expect(r.fake.calls.filter((c) => c.channel === 'members:grant').map((c) => c.input)).toEqual([
      { signPub: FAKE_INVITES.carol.signPub, object: 'secrets/db-password', role: 'Key Vault Secrets User' },
    ]);
    const end = await within(rowOf('Carol')).findByRole('button', { name: L.endGrantOf('Carol', 'Key Vault Secrets User', 'secrets/db-password') });
    expect(within(rowOf('Carol')).getByText(L.memberGrant('Key Vault Secrets User', 'secrets/db-password'))).toBeTruthy();
    fireEvent.click(end);
    expect(await screen.findByText(L.grantEnded('Carol', 'secrets/db-password', true))).toBeTruthy();
    expect(within(rowOf('Carol')).queryByText(L.memberGrant('Key Vault Secrets User', 'secrets/db-password'))).toBeNull();
    const marked = await screen.findByRole('list', { name: L.needsRotationTitle });
    expect(within(marked).getAllByRole('listitem').map((li) => li.querySelector('span')?.textContent)).toEqual(['Secret db-password']);
  });

  it('an object that does not exist: the refusal is said in the dialog, which stays open', async () => {
    await goToMembers();
    fireEvent.click(within(rowOf('Carol')).getByRole('button', { name: L.grantOf('Carol', FAKE_INVITES.carol.id) }));
    const d = await screen.findByRole('dialog', { name: L.grantDialog('Carol') });
    type(within(d).getByLabelText(L.fieldGrantObject), 'secrets/nope');
    fireEvent.click(within(d).getByRole('button', { name: L.saveButton }));
    expect((await within(d).findByRole('alert')).textContent).toBe('No secret named nope in this vault.');
  });

  it('removes a member after confirmation, then shows the objects that need a new version; a secret opens on the Secrets screen', async () => {
    const r = await goToMembers();
    fireEvent.click(within(rowOf('Carol')).getByRole('button', { name: L.removeMemberOf('Carol', FAKE_INVITES.carol.id) }));
    const confirm = await screen.findByRole('dialog', { name: L.removeMemberDialog('Carol') });
    expect(r.fake.calls.some((c) => c.channel === 'members:remove')).toBe(false);
    fireEvent.click(within(confirm).getByRole('button', { name: L.removeConfirm }));
    const report = await screen.findByRole('dialog', { name: L.removedDialog('Carol') });
    expect(within(report).getByText(L.exposureExplain('Carol', 2))).toBeTruthy();
    const list = within(report).getByRole('list', { name: L.exposureList });
    expect(within(list).getAllByRole('listitem').map((li) => li.querySelector('span')?.textContent)).toEqual(['Secret api-token', 'Secret db-password']);
    // Carol is gone from the list behind it, and what she could read stays listed there, until each has a new version.
    expect(within(table()).queryByRole('rowheader', { name: 'Carol' })).toBeNull();
    const marked = await screen.findByRole('list', { name: L.needsRotationTitle });
    expect(within(marked).getAllByRole('listitem').map((li) => li.querySelector('span')?.textContent)).toEqual(['Secret api-token', 'Secret db-password']);
    fireEvent.click(await within(report).findByRole('button', { name: L.openObject('secrets', 'db-password') }));
    expect(screen.queryByRole('dialog')).toBeNull();
    expect(await screen.findByRole('region', { name: L.detailRegion('db-password') })).toBeTruthy();
    expect(screen.getByRole('button', { name: L.newVersionButton })).toBeTruthy();
  });

  it('the report names keys, a certificate’s own objects and the vault’s CAs, each with the way to its new version', async () => {
    const fake = seeded();
    const api = fake.api as unknown as Record<string, (input: unknown) => Promise<unknown>>;
    const remove = api['members:remove']!;
    api['members:remove'] = async (input) => {
      const r = (await remove(input)) as { ok: boolean; value?: { exposed: unknown[] } };
      r.value?.exposed.push(
        { kind: 'keys', name: 'signing' },
        { kind: 'secrets', name: 'web', certificate: true },
        { kind: 'certificates', name: 'web', pendingRequest: true },
        { kind: 'cas', name: 'root-ca' },
      );
      return r;
    };
    await goToMembers(fake);
    fireEvent.click(within(rowOf('Carol')).getByRole('button', { name: L.removeMemberOf('Carol', FAKE_INVITES.carol.id) }));
    fireEvent.click(within(await screen.findByRole('dialog', { name: L.removeMemberDialog('Carol') })).getByRole('button', { name: L.removeConfirm }));
    const report = await screen.findByRole('dialog', { name: L.removedDialog('Carol') });
    expect(within(report).getByText(L.exposureExplain('Carol', 6))).toBeTruthy();
    const items = within(within(report).getByRole('list', { name: L.exposureList })).getAllByRole('listitem');
    expect(items.map((li) => li.querySelector('span')?.textContent)).toEqual(['Secret api-token', 'Secret db-password', 'Key signing', 'Secret web', 'Certificate web', 'CA root-ca']);
    expect(within(items[2]!).getByRole('button', { name: L.openObject('keys', 'signing') })).toBeTruthy();
    // A certificate's own secret and its pending request's key get their new version from the certificate.
    expect(within(items[3]!).getByText(new RegExp(L.exposureRenew))).toBeTruthy();
    expect(within(items[3]!).getByRole('button', { name: L.openObject('certificates', 'web') })).toBeTruthy();
    expect(within(items[4]!).getByText(new RegExp(L.exposurePending))).toBeTruthy();
    expect(within(items[5]!).getByText(new RegExp(L.exposureCa))).toBeTruthy();
    expect(within(items[5]!).queryByRole('button')).toBeNull();
  });

  it('closing the report leaves the focus on Add member (the removed row is gone)', async () => {
    await goToMembers();
    const remove = within(rowOf('Carol')).getByRole('button', { name: L.removeMemberOf('Carol', FAKE_INVITES.carol.id) });
    remove.focus();
    activateFocused();
    const confirm = await screen.findByRole('dialog', { name: L.removeMemberDialog('Carol') });
    fireEvent.click(within(confirm).getByRole('button', { name: L.removeConfirm }));
    const report = await screen.findByRole('dialog', { name: L.removedDialog('Carol') });
    // The report's focus starts on Close: Enter there cannot open a secret by accident.
    expect(document.activeElement).toBe(within(report).getByRole('button', { name: L.doneButton }));
    activateFocused();
    await waitFor(() => expect(document.activeElement).toBe(screen.getByRole('button', { name: L.addMemberButton })));
    expect(screen.getByRole('status').textContent).toBe(L.memberRemoved('Carol'));
  });

  it('the caller’s own row is marked and offers no Remove (the engine refuses removing oneself)', async () => {
    await goToMembers();
    const own = rowOf('owner');
    expect(within(own).getByText(L.memberYou)).toBeTruthy();
    expect(within(own).queryByRole('button', { name: L.removeMemberOf('owner', OWNER.id) })).toBeNull();
    expect(within(own).getByRole('button', { name: L.changeRolesOf('owner', OWNER.id) })).toBeTruthy();
    expect(within(rowOf('Carol')).queryByText(L.memberYou)).toBeNull();
  });

  it('without the Administrator role: the list, no add, change or remove, and the reason', async () => {
    const fake = seeded();
    const v = fake.vaults.get('/v/team.coffer')!;
    v.myRoles = ['Key Vault Secrets User'];
    await goToMembers(fake);
    expect(screen.getByText(L.membersNotAdmin(['Key Vault Secrets User']))).toBeTruthy();
    expect(screen.queryByRole('button', { name: L.addMemberButton })).toBeNull();
    expect(within(table()).queryAllByRole('button')).toEqual([]);
    expect(within(table()).queryByRole('columnheader', { name: L.colActions })).toBeNull();
    expect(rowOf('Carol')).toBeTruthy();
  });
});
