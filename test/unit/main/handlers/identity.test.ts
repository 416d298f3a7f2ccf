/**
 * The `identity:*` channels through the real gate and handlers on the real
 * engine (small test KDF, the session manager's seam): a profile without an
 * identity answers null; one is created in the profile (what `coffer
 * identity show` then reads), its passphrase opens it and nothing else
 * does, a second create is refused; its invite is copied by main and
 * cleared after the user's delay; no passphrase in any answer or warning.
 * A team vault created with the identity (vault:createWithIdentity) names it
 * Administrator, holds no passphrase slot, and opens with each member's identity.
 */
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseInvite, readIdentityFile, unlockIdentityFile, wipeIdentity } from '../../../../electron/vault/access/identity-file.js';
import type { OpenVaultOptions } from '../../../../electron/vault/api.js';
import { CofferError } from '../../../../electron/vault/errors.js';
import { VaultSessionManager } from '../../../../electron/main/handlers/session.js';
import { MemoryKeychain } from '../../../helpers/memory-keychain.js';
import { removeTempDirs } from '../../../helpers/vault.js';
import { expectError as expectErrorResult, startApp, startUnlockedApp, type TestApp } from '../helpers.js';

afterAll(removeTempDirs);

const IDENTITY_PASSPHRASE = 'CANARY-identity passphrase 7c1e';

/** An error result whose message holds no passphrase given. */
function expectError(r: Parameters<typeof expectErrorResult>[0], code: string): { message: string } {
  const e = expectErrorResult(r, code);
  expect(e.message).not.toContain('CANARY');
  return e;
}

/** `run` on a session manager whose engine fails every create and open: the identity main unlocked and gave it is wiped. */
async function expectIdentityWiped(profileDir: string, run: (session: VaultSessionManager) => Promise<unknown>): Promise<void> {
  let given: OpenVaultOptions['identity'];
  const fail = (o: { identity?: OpenVaultOptions['identity'] }): Promise<never> => {
    given = o.identity;
    return Promise.reject(new CofferError('VaultCorrupted', 'damaged'));
  };
  const session = new VaultSessionManager({
    profileDir,
    keychain: new MemoryKeychain(),
    engine: { createVault: fail, openVault: fail, isVaultRemembered: () => Promise.resolve(false), forgetVault: () => Promise.resolve({ forgotten: false }) },
  });
  await expect(run(session)).rejects.toMatchObject({ code: 'VaultCorrupted' });
  expect(given).toBeDefined();
  for (const part of [given!.signSeed, given!.encPriv]) {
    expect(part.length).toBe(32);
    expect(part.every((b) => b === 0)).toBe(true);
  }
}

describe('identity:* (real handlers and engine)', () => {
  let app: TestApp;

  it('answers null while the profile has no identity (the profile folder not even made yet); copying is NotFound', async () => {
    app = await startApp();
    expect(await app.ok('identity:get')).toBeNull();
    expect(expectError(await app.call('identity:copyInvite'), 'NotFound').message).toBe('This profile has no identity: create one under My identity, and give its invite to an Administrator of the vault.');
    expect(app.clipboard.writes).toEqual([]);
  });

  it('creates identity.json in the profile, sealed by its own passphrase with the configured KDF; answers its public card', async () => {
    const card = await app.ok('identity:create', { name: '  Ann Example ', passphrase: IDENTITY_PASSPHRASE });
    const file = join(app.profileDir, 'identity.json');
    expect(card).toEqual({ ...(await readIdentityFile(file)), remembered: false });
    expect(Object.keys(card).sort()).toEqual(['fingerprint', 'id', 'invite', 'name', 'remembered']);
    expect(card.name).toBe('Ann Example');
    expect(card.fingerprint).toMatch(/^([0-9A-Z]{4}-){5}[0-9A-Z]{4}$/);
    expect(parseInvite(card.invite)).toMatchObject({ name: 'Ann Example', id: card.id, fingerprint: card.fingerprint });
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    // The test seam's small parameters (DECISIONS.md), as vaults created through vault:create.
    const json = JSON.parse(await readFile(file, 'utf8')) as { kdf: unknown };
    expect(json.kdf).toEqual({ m: 8192, t: 1, p: 1 });
    const identity = await unlockIdentityFile(file, new TextEncoder().encode(IDENTITY_PASSPHRASE));
    wipeIdentity(identity);
    await expect(unlockIdentityFile(file, new TextEncoder().encode('another passphrase'))).rejects.toMatchObject({ code: 'WrongPassphrase' });
    expect(await app.ok('identity:get')).toEqual(card);
  });

  it('never replaces an identity: a second create is Conflict and the first stays', async () => {
    const before = await app.ok('identity:get');
    const r = expectError(await app.call('identity:create', { name: 'Mallory', passphrase: 'CANARY-other' }), 'Conflict');
    expect(r.message).toContain('already exists');
    expect(await app.ok('identity:get')).toEqual(before);
  });

  it('refuses a display name the engine refuses (control characters), naming why', async () => {
    const other = await startApp();
    const r = expectError(await other.call('identity:create', { name: 'Ann\u202eevil', passphrase: 'CANARY-x' }), 'BadParameter');
    expect(r.message).toBe('The display name holds control or invisible formatting characters.');
    expect(await other.ok('identity:get')).toBeNull();
  });

  it('copies the invite through the clipboard service, cleared after the delay', async () => {
    const card = (await app.ok('identity:get'))!;
    expect(await app.ok('identity:copyInvite')).toEqual({ clearsInSeconds: 30 });
    expect(app.clipboard.writes).toEqual([card.invite]);
    app.timers.advance(30_000);
    expect(app.clipboard.text).toBe('');
    expect(app.warnings.join('\n')).not.toContain('CANARY');
  });
});

describe('vault:openWithIdentity (real handlers and engine, two profiles)', () => {
  let owner: TestApp;
  let bob: TestApp;
  const BOB_PASSPHRASE = 'CANARY-bob identity 91f0';

  it('opens the vault as the member the Administrator added: their id, their roles, what those allow', async () => {
    owner = await startUnlockedApp();
    await owner.ok('secrets:set', { name: 'db-password', value: 'CANARY-value-3e1a' });
    bob = await startApp();
    const card = await bob.ok('identity:create', { name: 'Bob', passphrase: BOB_PASSPHRASE });
    await owner.ok('members:add', { invite: card.invite, roles: ['Key Vault Secrets User'] });
    await owner.ok('vault:lock');

    const status = await bob.ok('vault:openWithIdentity', { path: owner.vaultPath, passphrase: BOB_PASSPHRASE });
    if (status.state !== 'unlocked') throw new Error('expected the vault open');
    expect(status.vault).toMatchObject({ memberId: card.id, roles: ['Key Vault Secrets User'], unlockedWith: 'identity' });
    expect(await bob.ok('secrets:reveal', { name: 'db-password' })).toMatchObject({ value: 'CANARY-value-3e1a' });
    const write = await bob.call('secrets:set', { name: 'other', value: 'x' });
    expect(write).toMatchObject({ ok: false, code: 'Forbidden' });
    // Offered again at the next start, as any vault opened.
    expect((await bob.ok('vault:recent')).map((r) => r.path)).toEqual([owner.vaultPath]);
    await bob.ok('vault:lock');
  });

  it("a wrong identity passphrase is WrongPassphrase, said as the vault's is; the path stays offered", async () => {
    const r = await bob.call('vault:openWithIdentity', { path: owner.vaultPath, passphrase: 'CANARY-wrong' });
    const e = expectError(r, 'WrongPassphrase');
    expect(e.message).toBe(`The passphrase of the identity ${join(bob.profileDir, 'identity.json')} is wrong.`);
    expect(await bob.ok('vault:status')).toEqual({ state: 'locked', path: owner.vaultPath, remembered: false });
  });

  it('a profile without an identity, or an identity that is not a member, is refused and leaves the app locked', async () => {
    const none = await startApp();
    const r = expectError(await none.call('vault:openWithIdentity', { path: owner.vaultPath, passphrase: 'CANARY-x' }), 'NotFound');
    expect(r.message).toBe('This profile has no identity: create one under My identity, and give its invite to an Administrator of the vault.');
    await none.ok('identity:create', { name: 'Mallory', passphrase: 'CANARY-mallory' });
    const refused = expectError(await none.call('vault:openWithIdentity', { path: owner.vaultPath, passphrase: 'CANARY-mallory' }), 'Forbidden');
    expect(refused.message).toBe('This identity is not a member of the vault.');
    expect((await none.ok('vault:status')).state).toBe('locked');
    expect([...owner.warnings, ...bob.warnings, ...none.warnings].join('\n')).not.toContain('CANARY');
  });

  it('remembered on this computer: opens without the passphrase; forgotten, the passphrase is asked again', async () => {
    const status = await bob.call('vault:openWithIdentity', { path: owner.vaultPath });
    expect(expectError(status, 'VaultLocked').message).toBe('This computer does not remember your identity: give its passphrase.');
    expectError(await bob.call('identity:remember', { passphrase: 'CANARY-wrong' }), 'WrongPassphrase');
    expect(bob.keychain.entries.size).toBe(0);
    expect(await bob.ok('identity:remember', { passphrase: BOB_PASSPHRASE })).toMatchObject({ name: 'Bob', remembered: true });
    expect(bob.keychain.entries.size).toBe(1);
    expect((await bob.ok('identity:get'))?.remembered).toBe(true);

    const opened = await bob.ok('vault:openWithIdentity', { path: owner.vaultPath });
    expect(opened).toMatchObject({ state: 'unlocked', vault: { unlockedWith: 'identity', roles: ['Key Vault Secrets User'] } });
    await bob.ok('vault:lock');

    expect(await bob.ok('identity:forget')).toMatchObject({ remembered: false });
    expect(bob.keychain.entries.size).toBe(0);
    expectError(await bob.call('vault:openWithIdentity', { path: owner.vaultPath }), 'VaultLocked');
    expect((await bob.ok('vault:openWithIdentity', { path: owner.vaultPath, passphrase: BOB_PASSPHRASE })).state).toBe('unlocked');
    await bob.ok('vault:lock');
  });

  it("the keychain entry deleted behind the app's back: said, and the identity is no longer remembered", async () => {
    await bob.ok('identity:remember', { passphrase: BOB_PASSPHRASE });
    bob.keychain.entries.clear();
    const r = expectError(await bob.call('vault:openWithIdentity', { path: owner.vaultPath }), 'VaultLocked');
    expect(r.message).toBe("The OS keychain (Secret Service) no longer holds your identity's key, so it is no longer remembered here. Unlock with the passphrase.");
    expect((await bob.ok('identity:get'))?.remembered).toBe(false);
  });

  it('wipes the unlocked identity when the engine fails to open the vault', async () => {
    await expectIdentityWiped(bob.profileDir, (session) => session.openWithIdentity({ path: owner.vaultPath, passphrase: BOB_PASSPHRASE }));
  });
});

describe('vault:createWithIdentity (real handlers and engine, two profiles)', () => {
  let carol: TestApp;
  let dave: TestApp;
  const CAROL_PASSPHRASE = 'CANARY-carol identity 5b2d';
  const DAVE_PASSPHRASE = 'CANARY-dave identity 0e7a';

  it('creates a team vault with the identity as its Administrator, under its name, and opens it as that member', async () => {
    carol = await startApp();
    const card = await carol.ok('identity:create', { name: 'Carol', passphrase: CAROL_PASSPHRASE });
    const status = await carol.ok('vault:createWithIdentity', { path: carol.vaultPath, passphrase: CAROL_PASSPHRASE });
    if (status.state !== 'unlocked') throw new Error('expected the vault open');
    expect(status.vault).toMatchObject({ memberId: card.id, roles: ['Key Vault Administrator'], unlockedWith: 'identity', recoveryKey: false });
    expect(await carol.ok('members:list')).toMatchObject([{ id: card.id, name: 'Carol', roles: ['Key Vault Administrator'] }]);
    await carol.ok('secrets:set', { name: 'db-password', value: 'CANARY-value-77d1' });
    expect((await carol.ok('vault:recent')).map((r) => r.path)).toEqual([carol.vaultPath]);
    await carol.ok('vault:lock');
    // No passphrase slot: no passphrase opens it, the identity does.
    expect(expectError(await carol.call('vault:open', { path: carol.vaultPath, passphrase: CAROL_PASSPHRASE }), 'VaultLocked').message).toBe(
      'This vault has no passphrase slot; open it with a member identity.',
    );
    expect((await carol.ok('vault:openWithIdentity', { path: carol.vaultPath, passphrase: CAROL_PASSPHRASE })).state).toBe('unlocked');
  });

  it('each member opens it with their own identity', async () => {
    dave = await startApp();
    const card = await dave.ok('identity:create', { name: 'Dave', passphrase: DAVE_PASSPHRASE });
    await carol.ok('members:add', { invite: card.invite, roles: ['Key Vault Secrets User'] });
    await carol.ok('vault:lock');
    const status = await dave.ok('vault:openWithIdentity', { path: carol.vaultPath, passphrase: DAVE_PASSPHRASE });
    expect(status).toMatchObject({ state: 'unlocked', vault: { memberId: card.id, roles: ['Key Vault Secrets User'] } });
    expect(await dave.ok('secrets:reveal', { name: 'db-password' })).toMatchObject({ value: 'CANARY-value-77d1' });
    await dave.ok('vault:lock');
  });

  it('a wrong identity passphrase, no identity, or a path taken: refused, no file written, the app locked', async () => {
    const other = join(carol.dir, 'other.coffer');
    expect(expectError(await carol.call('vault:createWithIdentity', { path: other, passphrase: 'CANARY-wrong' }), 'WrongPassphrase').message).toBe(
      `The passphrase of the identity ${join(carol.profileDir, 'identity.json')} is wrong.`,
    );
    const none = await startApp();
    const r = expectError(await none.call('vault:createWithIdentity', { path: none.vaultPath, passphrase: 'CANARY-x' }), 'NotFound');
    expect(r.message).toBe('This profile has no identity: create one under My identity, and give its invite to an Administrator of the vault.');
    expectError(await carol.call('vault:createWithIdentity', { path: carol.vaultPath, passphrase: CAROL_PASSPHRASE }), 'VaultExists');
    await expect(stat(other)).rejects.toMatchObject({ code: 'ENOENT' });
    await expect(stat(none.vaultPath)).rejects.toMatchObject({ code: 'ENOENT' });
    expect((await carol.ok('vault:status')).state).toBe('locked');
    expect((await none.ok('vault:status')).state).toBe('locked');
  });

  it('remembered on this computer: creates without the passphrase; not remembered, the passphrase is asked', async () => {
    const second = join(dave.dir, 'team2.coffer');
    expect(expectError(await dave.call('vault:createWithIdentity', { path: second }), 'VaultLocked').message).toBe(
      'This computer does not remember your identity: give its passphrase.',
    );
    await dave.ok('identity:remember', { passphrase: DAVE_PASSPHRASE });
    expect(await dave.ok('vault:createWithIdentity', { path: second })).toMatchObject({ state: 'unlocked', vault: { unlockedWith: 'identity', roles: ['Key Vault Administrator'] } });
    await dave.ok('vault:lock');
    expect([...carol.warnings, ...dave.warnings].join('\n')).not.toContain('CANARY');
  });

  it('wipes the unlocked identity when the engine fails to create the vault', async () => {
    await expectIdentityWiped(carol.profileDir, (session) => session.createWithIdentity({ path: join(carol.dir, 'x.coffer'), passphrase: CAROL_PASSPHRASE }));
  });
});
