/**
 * The `members:*` channels through the real gate and handlers on the real
 * engine (small test KDF), as the Members view calls them: an invite read and
 * added (its fingerprint the engine's, computed in main), a tampered or
 * truncated invite refused, roles checked against Key Vault's list, roles
 * changed, a member removed with the exposure report, and a member without
 * the Administrator role refused by the engine.
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ipcChannel, type Channel, type ChannelOutput, type Result } from '../../../../shared/contract.js';
import { createMainServices } from '../../../../electron/main/handlers/index.js';
import { registerHandlers } from '../../../../electron/main/ipc/register.js';
import { createIdentityFile, fingerprint, unlockIdentityFile } from '../../../../electron/vault/access/identity-file.js';
import { openVault } from '../../../../electron/vault/vault.js';
import { loadEngine } from '../../../../electron/vault/index.js';
import { MemoryKeychain } from '../../../helpers/memory-keychain.js';
import { removeTempDirs, TEST_KDF } from '../../../helpers/vault.js';
import { APP_FRAME, FakeClipboard, FakeClipboardItem, FakeDialog, FakeIpcMain, ORIGIN, startUnlockedApp, type TestApp } from '../helpers.js';

afterAll(removeTempDirs);

const IDENTITY_PASSPHRASE = 'identity passphrase for the test';

function expectError(r: Result<unknown>, code: string): { message: string } {
  if (r.ok) throw new Error(`expected ${code}, got ok`);
  expect(r.code).toBe(code);
  // A message for a person: no stack, no source path.
  expect(r.message).not.toMatch(/\n\s+at |\.ts:\d+/);
  return r;
}

/** A person's identity file in `dir` and its invite card (name, id, fingerprint, invite). */
async function identity(dir: string, name: string) {
  const path = join(dir, `${name}.identity.json`);
  const card = await createIdentityFile({ path, passphrase: new TextEncoder().encode(IDENTITY_PASSPHRASE), name, kdf: TEST_KDF });
  return { path, card };
}

/** The invite with one base64url character of its signed body changed (a different, valid character). */
function tamper(invite: string, at: number): string {
  const i = 'coffer-invite:'.length + at;
  const c = invite[i]!;
  return invite.slice(0, i) + (c === 'A' ? 'B' : 'A') + invite.slice(i + 1);
}

describe('members:* (real handlers and engine)', () => {
  let app: TestApp;
  let bob: Awaited<ReturnType<typeof identity>>;

  it('lists the creator alone, as Administrator, with the fingerprint of their public keys', async () => {
    app = await startUnlockedApp();
    bob = await identity(app.dir, 'Bob');
    const list = await app.ok('members:list');
    expect(list).toHaveLength(1);
    const [owner] = list;
    expect(owner!.roles).toEqual(['Key Vault Administrator']);
    expect(owner!.id).toMatch(/^[0-9a-f]{16}$/);
    expect(owner!.signPub).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(owner!.fingerprint).toMatch(/^([0-9A-Z]{4}-){5}[0-9A-Z]{4}$/);
    const info = app.services.session.current().members.list()[0]!;
    expect(owner!.fingerprint).toBe(fingerprint(info.signPub, info.encPub));
    // Public data only: never the encryption key's private half, nor any of the raw MemberInfo beyond the view.
    expect(Object.keys(owner!).sort()).toEqual(['added', 'fingerprint', 'grants', 'id', 'name', 'notRemovable', 'roles', 'signPub']);
    // The creator added themself (their own member record); their own row says why it has no Remove.
    expect(owner!.added).toEqual({ by: owner!.name, time: expect.any(Number) });
    expect(owner!.notRemovable).toMatch(/^You cannot remove yourself/);
  });

  it('reads an invite in main: its name, id and fingerprint, as `coffer identity show` prints them', async () => {
    const preview = await app.ok('members:readInvite', { invite: bob.card.invite });
    expect(preview).toEqual({ name: 'Bob', id: bob.card.id, fingerprint: bob.card.fingerprint });
    // A wrapped paste (line breaks, spaces) reads the same.
    const wrapped = bob.card.invite.replace(/(.{40})/g, '$1\n  ');
    expect(await app.ok('members:readInvite', { invite: wrapped })).toEqual(preview);
  });

  it('refuses a tampered, truncated or foreign invite with a clear BadParameter, before and at add', async () => {
    const tampered = tamper(bob.card.invite, 10);
    for (const input of [{ invite: tampered }, { invite: tampered, roles: ['Key Vault Reader'] }]) {
      const r = expectError(await app.call('roles' in input ? 'members:add' : 'members:readInvite', input), 'BadParameter');
      expect(r.message).toBe('The invite is not valid: its signature does not verify: it was altered or damaged in copying.');
    }
    expect(expectError(await app.call('members:readInvite', { invite: bob.card.invite.slice(0, -5) }), 'BadParameter').message).toMatch(/^The invite is not valid: it is truncated/);
    expect(expectError(await app.call('members:readInvite', { invite: 'hello' }), 'BadParameter').message).toMatch(/^The invite is not valid: an invite starts with "coffer-invite:"/);
    expect(await app.ok('members:list')).toHaveLength(1);
  });

  it('checks roles against Key Vault’s built-in list: unknown, empty or mis-cased roles are refused', async () => {
    for (const roles of [[], ['Owner'], ['key vault administrator'], 'Key Vault Reader']) {
      const r = expectError(await app.call('members:add', { invite: bob.card.invite, roles }), 'BadParameter');
      expect(r.message).toMatch(/^Invalid input for members:add: roles/);
    }
    expect(await app.ok('members:list')).toHaveLength(1);
  });

  it('adds a member by a valid invite with the roles chosen (each once); adding them again is a Conflict', async () => {
    const added = await app.ok('members:add', { invite: bob.card.invite, roles: ['Key Vault Secrets User', 'Key Vault Reader', 'Key Vault Secrets User'] });
    expect(added).toMatchObject({ name: 'Bob', id: bob.card.id, fingerprint: bob.card.fingerprint });
    expect([...added.roles].sort()).toEqual(['Key Vault Reader', 'Key Vault Secrets User']);
    expect((await app.ok('members:list')).map((m) => m.name)).toContain('Bob');
    expect((await app.ok('vault:status')).state === 'unlocked' && (await app.ok('vault:status'))).toMatchObject({ vault: { counts: { members: 2 } } });
    const again = expectError(await app.call('members:add', { invite: bob.card.invite, roles: ['Key Vault Reader'] }), 'Conflict');
    expect(again.message).toContain('is a member of this vault already');
  });

  it('changes roles; an unknown member is NotFound; the last Administrator cannot be lowered', async () => {
    const list = await app.ok('members:list');
    const b = list.find((m) => m.name === 'Bob')!;
    const changed = await app.ok('members:setRoles', { signPub: b.signPub, roles: ['Key Vault Secrets Officer'] });
    expect(changed).toMatchObject({ id: b.id, fingerprint: b.fingerprint, roles: ['Key Vault Secrets Officer'] });
    expectError(await app.call('members:setRoles', { signPub: 'A'.repeat(43), roles: ['Key Vault Reader'] }), 'NotFound');
    const owner = list.find((m) => m.name !== 'Bob')!;
    const last = await app.call('members:setRoles', { signPub: owner.signPub, roles: ['Key Vault Reader'] });
    expect(expectError(last, 'Forbidden').message).toBe('This change is not allowed: it would leave the vault without an Administrator.');
    expect((await app.ok('members:list')).find((m) => m.id === owner.id)!.roles).toEqual(['Key Vault Administrator']);
  });

  it('gives a role on one secret and ends it: the member view shows it, the end reports the secret; a role of another kind is refused', async () => {
    await app.ok('secrets:set', { name: 'db-password', value: 'the value' });
    const b = (await app.ok('members:list')).find((m) => m.name === 'Bob')!;
    const given = await app.ok('members:grant', { signPub: b.signPub, object: 'secrets/DB-password', role: 'Key Vault Secrets User' });
    expect(given.grants).toEqual([{ object: 'secrets/db-password', role: 'Key Vault Secrets User' }]);
    expect(expectError(await app.call('members:grant', { signPub: b.signPub, object: 'secrets/db-password', role: 'Key Vault Secrets Officer' }), 'BadParameter').message).toMatch(/Secrets User/);
    expectError(await app.call('members:grant', { signPub: b.signPub, object: 'keys/nope', role: 'Key Vault Crypto User' }), 'NotFound');
    const ended = await app.ok('members:revokeGrant', { signPub: b.signPub, object: 'secrets/db-password' });
    expect(ended).toMatchObject({ member: { name: 'Bob', grants: [] }, exposed: [{ kind: 'secrets', name: 'db-password' }] });
    expectError(await app.call('members:revokeGrant', { signPub: b.signPub, object: 'secrets/db-password' }), 'NotFound');
  });

  it('removes a member and answers the exposure report: the secrets they could read', async () => {
    await app.ok('secrets:set', { name: 'db-password', value: 'the value' });
    await app.ok('secrets:set', { name: 'api-token', value: 'another value' });
    const b = (await app.ok('members:list')).find((m) => m.name === 'Bob')!;
    const r = await app.ok('members:remove', { signPub: b.signPub });
    expect(r.removed).toMatchObject({ name: 'Bob', id: b.id, fingerprint: b.fingerprint });
    expect(r.exposed.map((e) => `${e.kind}/${e.name}`).sort()).toEqual(['secrets/api-token', 'secrets/db-password']);
    expect(JSON.stringify(r)).not.toContain('value');
    expect((await app.ok('members:list')).map((m) => m.name)).not.toContain('Bob');
    expectError(await app.call('members:remove', { signPub: b.signPub }), 'NotFound');
    // Marked until each has a new version (the engine's needsRotation).
    expect((await app.ok('members:needsRotation', {})).map((e) => e.name).sort()).toEqual(['api-token', 'db-password']);
    await app.ok('secrets:set', { name: 'db-password', value: 'rotated' });
    expect(await app.ok('members:needsRotation', {})).toEqual([{ kind: 'secrets', name: 'api-token' }]);
  });

  it('an Administrator cannot remove themselves: the engine’s message, no stack', async () => {
    const [owner] = await app.ok('members:list');
    expect(expectError(await app.call('members:remove', { signPub: owner!.signPub }), 'BadParameter').message).toBe('You cannot remove yourself.');
    expect(await app.ok('members:list')).toHaveLength(1);
  });
});

describe('members:* as a member without the Administrator role', () => {
  it('lists the members, but add, change and remove are Forbidden by the engine', async () => {
    const admin = await startUnlockedApp();
    const carol = await identity(admin.dir, 'Carol');
    const dave = await identity(admin.dir, 'Dave');
    await admin.ok('members:add', { invite: carol.card.invite, roles: ['Key Vault Secrets User'] });
    await admin.ok('vault:lock');

    // Carol's app: the same handlers, with an engine that opens the vault as her (her identity file).
    const carolProfile = join(admin.dir, 'profile-carol');
    await mkdir(carolProfile, { recursive: true, mode: 0o700 });
    const engine = await loadEngine();
    const services = createMainServices({
      profileDir: carolProfile,
      keychain: new MemoryKeychain(),
      clipboard: new FakeClipboard(),
      ClipboardItem: FakeClipboardItem,
      platform: 'linux',
      dialog: new FakeDialog(),
      kdf: TEST_KDF,
      engine: {
        createVault: (o) => engine.createVault(o),
        isVaultRemembered: (o) => engine.isVaultRemembered(o),
        forgetVault: (o) => engine.forgetVault(o),
        openVault: async (o) => openVault({ ...o, identity: await unlockIdentityFile(carol.path, new TextEncoder().encode(IDENTITY_PASSPHRASE)) }),
      },
    });
    const ipc = new FakeIpcMain();
    registerHandlers(ipc, services.handlers, { allowedOrigin: ORIGIN });
    const call = async <C extends Channel>(channel: C, input: unknown = {}) => (await ipc.invoke(ipcChannel(channel), APP_FRAME, input)) as Result<ChannelOutput<C>>;

    const opened = await call('vault:open', { path: admin.vaultPath, passphrase: 'unused: opened with the identity' });
    expect(opened.ok && opened.value.state === 'unlocked' && opened.value.vault.roles).toEqual(['Key Vault Secrets User']);
    const list = await call('members:list');
    if (!list.ok) throw new Error(list.message);
    expect(list.value.map((m) => m.name).sort()).toEqual(['Carol', 'owner']);
    const owner = list.value.find((m) => m.name === 'owner')!;
    const me = list.value.find((m) => m.name === 'Carol')!;

    expectError(await call('members:add', { invite: dave.card.invite, roles: ['Key Vault Reader'] }), 'Forbidden');
    expectError(await call('members:setRoles', { signPub: me.signPub, roles: ['Key Vault Administrator'] }), 'Forbidden');
    expectError(await call('members:remove', { signPub: owner.signPub }), 'Forbidden');
    // Reading an invite changes nothing and needs no role: the dialog may show it, the add is refused.
    const preview = await call('members:readInvite', { invite: dave.card.invite });
    expect(preview.ok).toBe(true);
    const after = await call('members:list');
    expect(after.ok && after.value.map((m) => `${m.name}:${m.roles.join(',')}`).sort()).toEqual(['Carol:Key Vault Secrets User', 'owner:Key Vault Administrator']);
    services.session.lockNow();
  });
});
