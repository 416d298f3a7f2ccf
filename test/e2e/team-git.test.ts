/**
 * A team vault shared through a real git remote, end to end through the app:
 * three people on one machine, each with their own profile, their own app
 * (real main handlers and engine, the built renderer in Chromium) and their
 * own clone of a bare "origin" (README "Team vaults" and "Sharing a vault in
 * git"; VAULT-MODEL V2, V5, V6, C5). What the app offers is done in the app;
 * git and `coffer git setup` are run by the test as a person would in a
 * terminal (test/helpers/git-team.ts, shared with the CLI's
 * test/unit/cli/git-team.test.ts).
 *
 * 1. Alice makes her identity in the app (My identity); the app creates no
 *    vault with an identity, so she runs `coffer vault create --identity` in
 *    her clone, then opens it in the app with her identity; `coffer git setup`,
 *    commit, push.
 * 2. Bob and Carol make theirs in their apps and hand Alice the copied
 *    invite; Alice adds them in the Members view (fingerprints compared,
 *    roles); they clone and open the vault with their identities.
 * 3. Alice and Bob each add a secret; Bob pushes, Alice pulls (the merge
 *    driver) and her open app shows Bob's secret with a notice naming him;
 *    Carol, a Secrets User, reads both and is refused a write.
 * 4. Carol lowered to Reader: she lists names, and revealing is refused;
 *    given Secrets User on one secret (the CLI: the app grants no
 *    object-scoped role), her Members view shows it and she reads that one.
 * 5. Bob removed: the exposure report's Open leads to a secret, the Members
 *    view's "Needs a new version" to the others; Alice writes new versions
 *    until none is listed; Bob, after pulling, reads none of them and cannot
 *    write.
 * 6. Each History view names who wrote what; no value or passphrase in any
 *    git object or diff. Each screen passes axe (test-results/e2e/team-git-*.png).
 */
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Locator, Page } from 'playwright-core';
import { L } from '../../renderer/app/labels.js';
import { makeTempHome, removeTempHome, runCoffer } from '../helpers/cli.js';
import { GitTeam, VAULT, requireGit, type GitPerson } from '../helpers/git-team.js';
import { checkScreen, launchApp, locators, type App } from './harness.js';

const OFFICER = 'Key Vault Secrets Officer';
const USER = 'Key Vault Secrets User';
const READER = 'Key Vault Reader';
const UI_TIMEOUT = 20_000;

const PASSPHRASES = {
  alice: 'alice-app-git-canary-passphrase-71b0',
  bob: 'bob-app-git-canary-passphrase-2e8c',
  carol: 'carol-app-git-canary-passphrase-d93f',
};
/** Every secret value written: none may reach git, and each shows only where revealed. */
const V = {
  db: 'canary-app-db-password-5c1e',
  fromAlice: 'canary-app-from-alice-8a42',
  fromBob: 'canary-app-from-bob-0f6d',
  carolTried: 'canary-app-carol-tried-93b7',
  bobTried: 'canary-app-bob-tried-4d20',
};
const rotated = (name: string): string => `canary-app-rotated-${name}`;
/** Key Vault's Forbidden, as the app shows it. */
const forbidden = (action: string): string => `Caller is not authorized to perform this action (${action}) on this vault.`;

interface Person extends GitPerson {
  passphrase: string;
  app: App;
  page: Page;
  /** From the person's own My identity dialog. */
  id: string;
  fingerprint: string;
  invite: string;
}

let root: string;
let origin: string;
let team: GitTeam;
let alice: Person;
let bob: Person;
let carol: Person;

const startsWith = (text: string): RegExp => new RegExp(`^${text}`);
const ui = (p: Person) => locators(p.page, UI_TIMEOUT);
const nav = (p: Person): Locator => p.page.getByRole('navigation', { name: L.kindsNav, exact: true });
const secretOption = (p: Person, name: string): Locator =>
  p.page.getByRole('listbox', { name: L.secretsList, exact: true }).getByRole('option', { name: new RegExp(`^${name}\\b`) });
const membersRow = (p: Person, id: string): Locator => p.page.getByRole('table', { name: L.membersTable, exact: true }).getByRole('row').filter({ hasText: id });
/** The notice of changes by others, holding `Changed by <text>`. */
const changedBy = (p: Person, text: string): Locator => p.page.getByRole('alert').filter({ hasText: `Changed by ${text}` });

/** My identity, from the start screen: name and passphrase twice; the card's id, fingerprint, and the invite Copy invite puts on the clipboard. */
async function makeIdentity(p: Person, step: string | null): Promise<void> {
  const { field, button, dialog, visible, hidden } = ui(p);
  await button(p.page, L.myIdentityButton).click();
  const d = dialog(L.identityDialog);
  await visible(d);
  await field(d, L.identityName).fill(p.name);
  await field(d, L.identityPassphrase).fill(p.passphrase);
  await field(d, L.identityRepeat).fill(p.passphrase);
  await button(d, L.createIdentityButton).click();
  const card = d.getByRole('region', { name: p.name, exact: true });
  await visible(card);
  p.fingerprint = (await card.locator('.fingerprint.large').textContent()) ?? '';
  expect(p.fingerprint).toMatch(/^([0-9A-Z]{4} ){5}[0-9A-Z]{4}$/);
  const idLine = card.getByText(L.inviteMemberId(''), { exact: false });
  p.id = ((await idLine.textContent()) ?? '').slice(L.inviteMemberId('').length);
  expect(p.id).toMatch(/^[0-9a-f]{16}$/);
  await button(card, L.copyInviteButton).click();
  await visible(card.getByRole('status'));
  p.invite = p.app.clipboard.text;
  expect(p.invite).toMatch(/^coffer-invite:/);
  if (step !== null) await checkScreen(p.page, step);
  await button(d, L.closeButton).click();
  await hidden(d);
}

/** The start screen's Open form, "with my identity": the vault in the person's clone. */
async function openWithIdentity(p: Person): Promise<void> {
  const { field, visible, button } = ui(p);
  const open = p.page.getByRole('region', { name: L.openRegion, exact: true });
  await visible(open);
  await field(open, L.openPath).fill(join(p.clone, VAULT));
  await open.getByRole('group', { name: L.openWithLegend, exact: true }).getByLabel(L.openWithIdentity(p.name, p.id), { exact: true }).check();
  await field(open, L.identityPassphrase).fill(p.passphrase);
  await button(open, L.openButton).click();
  await visible(p.page.getByText(L.openedAs(p.name, p.id), { exact: true }));
}

/** New secret in the app; the dialog closes and the list shows it. */
async function addSecret(p: Person, name: string, value: string): Promise<void> {
  const { field, button, dialog, visible, hidden } = ui(p);
  await button(nav(p), L.secretsTab).click();
  await button(p.page, L.newSecretButton).click();
  const d = dialog(L.newSecretDialog);
  await visible(d);
  await field(d, L.fieldName).fill(name);
  await field(d, L.fieldValue).fill(value);
  await button(d, L.saveButton).click();
  await hidden(d);
  await visible(secretOption(p, name));
}

/** The secret's detail, its current version's Reveal; resolves to the value shown, or the page's error. */
async function reveal(p: Person, name: string): Promise<{ value: string } | { error: string }> {
  const { visible } = ui(p);
  await ui(p).button(nav(p), L.secretsTab).click();
  await secretOption(p, name).click();
  const detail = p.page.getByRole('region', { name: L.detailRegion(name), exact: true });
  await visible(detail);
  const revealButton = detail.getByRole('button', { name: startsWith(L.revealVersion('')) }).first();
  await visible(revealButton);
  await revealButton.click();
  const shown = detail.getByRole('region', { name: startsWith(L.revealedValue('')) }).first();
  const error = p.page.locator('.vault-main').getByRole('alert').filter({ hasNotText: 'Changed by' });
  await visible(shown.or(error).first());
  return (await shown.count()) > 0 ? { value: (await shown.textContent()) ?? '' } : { error: (await error.first().textContent()) ?? '' };
}

/** A new version through the detail's New version; resolves to the dialog's error, or null when it saved. */
async function newVersion(p: Person, name: string, value: string): Promise<string | null> {
  const { field, button, dialog, visible, hidden } = ui(p);
  const detail = p.page.getByRole('region', { name: L.detailRegion(name), exact: true });
  await visible(detail);
  await button(detail, L.newVersionButton).click();
  const d = dialog(L.newVersionDialog(name));
  await visible(d);
  await field(d, L.fieldValue).fill(value);
  await button(d, L.saveButton).click();
  const alert = d.getByRole('alert');
  // Saved (the dialog gone) or refused (its alert).
  await expect.poll(async () => ((await d.isVisible()) ? await alert.count() : -1), { timeout: UI_TIMEOUT }).not.toBe(0);
  if (await d.isVisible()) {
    const message = (await alert.textContent()) ?? '';
    await button(d, L.cancelButton).click();
    await hidden(d);
    return message;
  }
  return null;
}

/** New version refused: the dialog's message; the file in the clone is unchanged. */
async function refusedWrite(p: Person, name: string, value: string): Promise<string | null> {
  const before = await readFile(join(p.clone, VAULT));
  const message = await newVersion(p, name, value);
  expect((await readFile(join(p.clone, VAULT))).equals(before)).toBe(true);
  expect(team.git(p, 'status', '--porcelain')).toBe('');
  return message;
}

/** The built CLI in the person's clone, as their identity (made by their app), as they would type it in a terminal. */
async function inTerminal(p: Person, args: string[]): Promise<void> {
  const r = await runCoffer(['--vault', VAULT, '--identity', join(p.home, 'identity.json'), ...args], {
    home: p.home,
    cwd: p.clone,
    env: { COFFER_IDENTITY_PASSPHRASE: p.passphrase },
  });
  team.ran.push({ what: `${p.name}: coffer ${args.join(' ')}`, stdout: r.stdout.toString('utf8'), stderr: r.stderr, valueOut: false });
  expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: '' });
}

async function showMembers(p: Person): Promise<void> {
  await ui(p).button(nav(p), L.membersNav).click();
  await ui(p).visible(p.page.getByRole('table', { name: L.membersTable, exact: true }));
}

/** Alice's Add member: the invite pasted and checked, the fingerprint compared with the one its maker's app shows, one role. */
async function addMember(by: Person, who: Person, role: string, step: string | null): Promise<void> {
  const { field, button, dialog, visible, hidden } = ui(by);
  await showMembers(by);
  await button(by.page, L.addMemberButton).click();
  const d = dialog(L.addMemberDialog);
  await visible(d);
  await field(d, L.fieldInvite).fill(who.invite);
  await button(d, L.readInviteButton).click();
  const preview = d.getByRole('region', { name: L.inviteFrom(who.name), exact: true });
  await visible(preview);
  expect(await preview.locator('.fingerprint.large').textContent()).toBe(who.fingerprint);
  await d.getByLabel(L.confirmCompared(who.name), { exact: true }).check();
  await d.getByLabel(role, { exact: true }).check();
  if (step !== null) await checkScreen(by.page, step);
  await button(d, L.addMemberConfirm).click();
  await hidden(d);
  await visible(membersRow(by, who.id));
  expect(await membersRow(by, who.id).textContent()).toContain(role);
}

describe('a team vault in git through the app: three people, three apps, one remote', () => {
  beforeAll(async () => {
    requireGit('test/e2e/team-git.test.ts');
    root = await makeTempHome('coffer-e2e-team-git-');
    origin = join(root, 'origin.git');
    team = new GitTeam(root);
    expect(team.run(root, undefined, ['init', '--quiet', '--bare', '--initial-branch=main', origin]).status).toBe(0);
    const person = async (name: keyof typeof PASSPHRASES, display: string): Promise<Person> => {
      const home = join(root, `${name}-home`);
      await mkdir(home, { mode: 0o700 });
      const app = await launchApp({ vaultDir: root, profileDir: home, viewport: { width: 1400, height: 900 } });
      return { name: display, home, clone: join(root, name), passphrase: PASSPHRASES[name], app, page: app.page, id: '', fingerprint: '', invite: '' };
    };
    [alice, bob, carol] = await Promise.all([person('alice', 'Alice'), person('bob', 'Bob'), person('carol', 'Carol')]);
  }, 90_000);
  afterAll(async () => {
    // The profiles are in root: each app's last writes (its caches, on lock) land before it goes.
    await Promise.all([alice, bob, carol].map(async (p) => p?.app.close().then(() => p.app.services.settled())));
    if (root !== undefined) await removeTempHome(root);
  });

  it('1. Alice: her identity in the app, the team vault by `coffer vault create --identity`, opened in the app; git setup, push', async () => {
    await makeIdentity(alice, 'team-git-01-alice-identity');
    expect(team.run(root, alice, ['clone', '--quiet', origin, alice.clone]).status).toBe(0);
    team.configureClone(alice);
    await team.setup(alice);
    // The app creates personal vaults (a passphrase) only: the team vault comes from the CLI, with the identity the app made.
    await inTerminal(alice, ['vault', 'create']);

    await openWithIdentity(alice);
    await addSecret(alice, 'db-password', V.db);
    await checkScreen(alice.page, 'team-git-02-alice-vault');
    team.git(alice, 'add', '.gitattributes', VAULT);
    team.git(alice, 'commit', '--quiet', '-m', 'Alice: the team vault');
    team.git(alice, 'push', '--quiet', '-u', 'origin', 'main');
  }, 60_000);

  it('2. Bob and Carol make identities in their apps; Alice adds them by invite in Members; they clone and open with their identities', async () => {
    await Promise.all([makeIdentity(bob, 'team-git-03-bob-identity'), makeIdentity(carol, null)]);
    await addMember(alice, bob, OFFICER, 'team-git-04-alice-add-bob');
    await addMember(alice, carol, USER, null);
    await checkScreen(alice.page, 'team-git-05-alice-members');
    team.commitAll(alice, 'Alice: add Bob and Carol');
    team.git(alice, 'push', '--quiet');

    await Promise.all(
      [bob, carol].map(async (p) => {
        expect(team.run(root, p, ['clone', '--quiet', origin, p.clone]).status).toBe(0);
        team.configureClone(p);
        await team.setup(p);
        await openWithIdentity(p);
        await ui(p).visible(secretOption(p, 'db-password'));
      }),
    );
    await showMembers(carol);
    expect(await membersRow(carol, carol.id).textContent()).toContain(USER);
    await checkScreen(carol.page, 'team-git-06-carol-members');
  }, 60_000);

  it("3. concurrent adds: Bob pushes, Alice pulls through the merge driver and her open app shows Bob's secret; Carol reads both, and cannot write", async () => {
    await addSecret(alice, 'from-alice', V.fromAlice);
    await addSecret(bob, 'from-bob', V.fromBob);
    team.commitAll(alice, 'Alice: from-alice');
    team.commitAll(bob, 'Bob: from-bob');
    team.git(bob, 'push', '--quiet');
    const opensBefore = alice.app.calls.filter((c) => c.channel.startsWith('vault:open')).length;
    await team.pull(alice, '--no-rebase');
    expect(team.git(alice, 'log', '-1', '--format=%P').trim().split(' ')).toHaveLength(2); // a real merge commit
    await ui(alice).visible(changedBy(alice, 'Bob: new version of secrets/from-bob'));
    await ui(alice).visible(secretOption(alice, 'from-bob'));
    expect(alice.app.calls.filter((c) => c.channel.startsWith('vault:open')).length).toBe(opensBefore); // no relock
    await checkScreen(alice.page, 'team-git-07-alice-changed-by-bob');
    team.git(alice, 'push', '--quiet');

    await team.pull(carol, '--ff-only');
    await ui(carol).button(nav(carol), L.secretsTab).click();
    await ui(carol).visible(secretOption(carol, 'from-bob'));
    await ui(carol).visible(secretOption(carol, 'from-alice'));
    expect(await reveal(carol, 'from-bob')).toEqual({ value: V.fromBob });
    expect(await reveal(carol, 'from-alice')).toEqual({ value: V.fromAlice });
    await checkScreen(carol.page, 'team-git-08-carol-reveals');

    // A Secrets User writes nothing: the app says so in the dialog, and the file is unchanged.
    expect(await refusedWrite(carol, 'from-alice', V.carolTried)).toBe(forbidden('secrets/setSecret'));
  }, 90_000);

  it('4. Alice lowers Carol to Reader; after pulling, Carol lists the names but revealing is refused; a role on one secret lets her read that one', async () => {
    const { button, dialog, visible, hidden } = ui(alice);
    await showMembers(alice);
    await button(alice.page, L.changeRolesOf(carol.name, carol.id)).click();
    const d = dialog(L.changeRolesDialog(carol.name));
    await visible(d);
    await d.getByLabel(USER, { exact: true }).uncheck();
    await d.getByLabel(READER, { exact: true }).check();
    await checkScreen(alice.page, 'team-git-09-alice-roles');
    await button(d, L.saveButton).click();
    await hidden(d);
    await expect.poll(async () => (await membersRow(alice, carol.id).textContent()) ?? '', { timeout: UI_TIMEOUT }).toContain(READER);
    team.commitAll(alice, 'Alice: Carol is a Reader');
    team.git(alice, 'push', '--quiet');

    await team.pull(carol, '--ff-only');
    // Her app takes the commit in while open: the notice names Alice and what she changed.
    await ui(carol).visible(changedBy(carol, `Alice: roles changed — Carol: ${READER}.`));
    await showMembers(carol);
    await ui(carol).visible(carol.page.getByText(L.membersNotAdmin([READER]), { exact: true }));
    await ui(carol).button(nav(carol), L.secretsTab).click();
    for (const name of ['db-password', 'from-alice', 'from-bob']) await ui(carol).visible(secretOption(carol, name));
    const refused = await reveal(carol, 'db-password');
    expect(refused).toEqual({ error: forbidden('secrets/getSecret') });
    expect(await carol.page.content()).not.toContain(V.db);
    await checkScreen(carol.page, 'team-git-10-carol-reader-refused');

    // A role on one object: the app offers none, so Alice uses the CLI in her clone (her app has the vault open meanwhile).
    await inTerminal(alice, ['member', 'set-role', '--member', carol.id, '--role', USER, '--scope', 'secrets/from-alice']);
    await ui(alice).visible(changedBy(alice, 'Alice: access granted on secrets/from-alice'));
    team.commitAll(alice, 'Alice: Carol may read from-alice');
    team.git(alice, 'push', '--quiet');
    await team.pull(carol, '--ff-only');
    await ui(carol).visible(changedBy(carol, 'Alice: access granted on secrets/from-alice'));
    await showMembers(carol);
    await expect.poll(async () => (await membersRow(carol, carol.id).textContent()) ?? '', { timeout: UI_TIMEOUT }).toContain(L.memberGrant(USER, 'secrets/from-alice'));
    await checkScreen(carol.page, 'team-git-11-carol-scoped-role');
    expect(await reveal(carol, 'from-alice')).toEqual({ value: V.fromAlice });
    expect(await reveal(carol, 'from-bob')).toEqual({ error: forbidden('secrets/getSecret') });
  }, 90_000);

  it("5. Alice removes Bob; the exposure report's Open, then Members' Needs a new version, lead to each secret's new version; Bob, after pulling, reads none and cannot write", async () => {
    const { button, dialog, visible, hidden } = ui(alice);
    await showMembers(alice);
    await button(alice.page, L.removeMemberOf(bob.name, bob.id)).click();
    const confirm = dialog(L.removeMemberDialog(bob.name));
    await visible(confirm);
    await button(confirm, L.removeConfirm).click();
    const report = dialog(L.removedDialog(bob.name));
    await visible(report);
    const exposed = ['db-password', 'from-alice', 'from-bob'];
    const list = report.getByRole('list', { name: L.exposureList, exact: true });
    for (const name of exposed) expect(await list.textContent()).toContain(name);
    await checkScreen(alice.page, 'team-git-12-alice-exposure');
    // The report closes when one of its Open buttons is used; the Members view's "Needs a new version" lists the rest until each has one.
    await button(report, L.openObject('secrets', exposed[0]!)).click();
    await hidden(report);
    expect(await newVersion(alice, exposed[0]!, rotated(exposed[0]!))).toBeNull();
    const needsRotation = alice.page.getByRole('list', { name: L.needsRotationTitle, exact: true });
    for (const name of exposed.slice(1)) {
      await showMembers(alice);
      await visible(needsRotation);
      expect(await needsRotation.textContent()).not.toContain(exposed[0]!);
      await button(needsRotation, L.openObject('secrets', name)).click();
      expect(await newVersion(alice, name, rotated(name))).toBeNull();
    }
    await showMembers(alice);
    await expect.poll(() => needsRotation.count(), { timeout: UI_TIMEOUT }).toBe(0);
    expect(await reveal(alice, 'from-bob')).toEqual({ value: rotated('from-bob') });
    await showMembers(alice);
    expect(await membersRow(alice, bob.id).count()).toBe(0);
    team.commitAll(alice, 'Alice: remove Bob, rotate');
    team.git(alice, 'push', '--quiet');

    await team.pull(bob, '--ff-only');
    // Bob's app takes the file in; the commits sealed to keys his identity does not hold are not his to read.
    await ui(bob).visible(changedBy(bob, 'Alice: You cannot read'));
    // What he shows is the state before them: the values he could read (exposed, hence rotated), not the new ones.
    const notice = await changedBy(bob, 'Alice: You cannot read').textContent();
    expect(notice).toContain('Changed by Alice: You cannot read what this change did: this member cannot read the epoch it was written under. ');
    expect(notice).not.toContain('..');
    const couldRead: Record<string, string> = { 'db-password': V.db, 'from-alice': V.fromAlice, 'from-bob': V.fromBob };
    for (const name of exposed) expect({ name, shown: await reveal(bob, name) }).toEqual({ name, shown: { value: couldRead[name] } });
    expect(await bob.page.content()).not.toContain('canary-app-rotated-');
    await checkScreen(bob.page, 'team-git-13-bob-after-removal');
    expect(await refusedWrite(bob, 'from-bob', V.bobTried)).toMatch(
      /^This identity can no longer write to this vault: commit [0-9a-f]{12}, written by an Administrator who may remove it, is under a key epoch it cannot read, so it was most likely removed\. Ask an Administrator of the vault\.$/,
    );
  }, 90_000);

  it('6. each History view names who wrote what; no value or passphrase in any git object or diff, nor on any page', async () => {
    const history = async (p: Person, step: string): Promise<string> => {
      await ui(p).button(nav(p), L.historyNav).click();
      const table = p.page.getByRole('table', { name: L.historyTable, exact: true });
      await ui(p).visible(table);
      await checkScreen(p.page, step);
      return (await table.textContent()) ?? '';
    };
    await team.pull(carol, '--ff-only');
    const a = await history(alice, 'team-git-14-alice-history');
    expect(a).toContain(`member added — Bob: ${OFFICER}`);
    expect(a).toContain(`member added — Carol: ${USER}`);
    expect(a).toMatch(/Bob.*new version of secrets\/from-bob/s);
    const c = await history(carol, 'team-git-15-carol-history');
    expect(c).toContain('new version of secrets/from-bob');
    expect(c).toContain('Alice');
    const b = await history(bob, 'team-git-16-bob-history');
    expect(b).toContain('new version of secrets/from-bob');
    expect(b).toContain('Alice');

    const values = [...Object.values(V), ...['db-password', 'from-alice', 'from-bob'].map(rotated)];
    team.expectNothingSecret(origin, alice, values, Object.values(PASSPHRASES));
    for (const p of [alice, bob, carol]) {
      const html = await p.page.content();
      for (const secret of Object.values(PASSPHRASES)) expect({ who: p.name, leaks: html.includes(secret) }).toEqual({ who: p.name, leaks: false });
      expect(p.app.pageErrors).toEqual([]);
    }
  }, 60_000);
});
