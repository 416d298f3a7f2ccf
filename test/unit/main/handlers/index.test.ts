/**
 * Every channel through the real gate and the real handlers on the real
 * engine (small test KDF), as the renderer will call them: a valid call
 * works, bad inputs are BadParameter with a message naming the field, a
 * foreign sender is Forbidden before anything happens, and no output but
 * `secrets:reveal` carries a value (nor, but `keys:decrypt`, a plaintext;
 * nor, any, private key material). The keys channels in depth: keys.test.ts;
 * the certificates channels: certificates.test.ts.
 */
import { TEST_KDF } from '../../../helpers/vault.js';
import { generateKeyPairSync } from 'node:crypto';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CHANNELS, LIMITS, type Channel, type Result } from '../../../../shared/contract.js';
import { removeTempDirs } from '../../../helpers/vault.js';
import { stripDeletedValue, stripValue } from '../../../../electron/main/handlers/index.js';
import type { SecretsApi } from '../../../../electron/vault/api.js';
import { createIdentityFile } from '../../../../electron/vault/access/identity-file.js';
import { frame, ORIGIN, PASSPHRASE, startApp, startUnlockedApp, type TestApp } from '../helpers.js';

afterAll(removeTempDirs);

const VERSION = '0123456789abcdef0123456789abcdef';

function expectError(r: Result<unknown>, code: string, innerCode?: string): { message: string } {
  if (r.ok) throw new Error(`expected ${code}, got ok`);
  expect(r.code).toBe(code);
  if (innerCode !== undefined) expect(r.innerCode).toBe(innerCode);
  return r;
}

describe('every channel: a valid call works on the real engine', () => {
  it('remember on this computer: asks the passphrase, then the locked screen offers the keychain; forget; keychain unavailable', async () => {
    const app = await startApp();
    await app.ok('vault:create', { path: app.vaultPath, passphrase: PASSPHRASE });
    await app.ok('secrets:set', { name: 'a', value: 'v' });
    expectError(await app.call('vault:remember', { passphrase: 'wrong' }), 'WrongPassphrase');
    expect(app.keychain.entries.size).toBe(0);
    const st = await app.ok('vault:remember', { passphrase: PASSPHRASE });
    expect(st).toMatchObject({ state: 'unlocked', vault: { remembered: true, unlockedWith: 'passphrase' } });
    expect(app.keychain.entries.size).toBe(1);
    expect(await app.ok('vault:lock')).toEqual({ state: 'locked', path: app.vaultPath, remembered: true });
    expect(await app.ok('vault:unlockWithKeychain', { path: app.vaultPath })).toMatchObject({ state: 'unlocked', vault: { unlockedWith: 'keychain' } });
    expect(await app.ok('secrets:reveal', { name: 'a' })).toMatchObject({ value: 'v' });

    // The keychain gone: VaultLocked saying why; the passphrase still opens.
    await app.ok('vault:lock');
    app.keychain.unavailable = true;
    const e = expectError(await app.call('vault:unlockWithKeychain', { path: app.vaultPath }), 'VaultLocked');
    expect(e.message).toMatch(/cannot be used.*Unlock with the passphrase/);
    expect(await app.ok('vault:status')).toMatchObject({ state: 'locked', remembered: true });
    app.keychain.unavailable = false;

    expect(await app.ok('vault:forget', { path: app.vaultPath })).toEqual({ state: 'locked', path: app.vaultPath, remembered: false });
    expect(app.keychain.entries.size).toBe(0);
    expectError(await app.call('vault:unlockWithKeychain', { path: app.vaultPath }), 'VaultLocked');
  });

  it('recovery key, reset and change of the passphrase (KDF raised to the floor, never lowered)', async () => {
    const app = await startApp();
    await app.ok('vault:create', { path: app.vaultPath, passphrase: PASSPHRASE });
    expectError(await app.call('vault:createRecoveryKey', { passphrase: 'wrong' }), 'WrongPassphrase');
    const { recoveryKey } = await app.ok('vault:createRecoveryKey', { passphrase: PASSPHRASE });
    expect((await app.ok('vault:status')) as { vault: { recoveryKey: boolean } }).toMatchObject({ vault: { recoveryKey: true } });
    await app.ok('vault:lock');
    expectError(await app.call('vault:resetPassphrase', { path: app.vaultPath, recoveryKey: 'AAAA', newPassphrase: 'new' }), 'BadParameter');
    const reset = await app.ok('vault:resetPassphrase', { path: app.vaultPath, recoveryKey: recoveryKey.toLowerCase(), newPassphrase: 'found again' });
    expect(reset).toMatchObject({ state: 'unlocked', vault: { unlockedWith: 'recoveryKey', recoveryKey: true } });
    expect(await app.ok('vault:recent')).toHaveLength(1);
    expectError(await app.call('vault:changePassphrase', { current: PASSPHRASE, next: 'x' }), 'WrongPassphrase');
    const changed = await app.ok('vault:changePassphrase', { current: 'found again', next: 'third passphrase' });
    expect(changed).toMatchObject({ state: 'unlocked', vault: { kdf: TEST_KDF } });
    expect(await app.ok('vault:removeRecoveryKey')).toMatchObject({ vault: { recoveryKey: false } });
    await app.ok('vault:lock');
    expectError(await app.call('vault:open', { path: app.vaultPath, passphrase: 'found again' }), 'WrongPassphrase');
    await app.ok('vault:open', { path: app.vaultPath, passphrase: 'third passphrase' });
  });

  it('vault:create creates and unlocks, remembers the vault; vault:status reports it', async () => {
    const app = await startApp();
    expect(await app.ok('vault:status')).toEqual({ state: 'locked', path: null, remembered: false });
    const st = await app.ok('vault:create', { path: app.vaultPath, passphrase: PASSPHRASE, retentionDays: 30 });
    expect(st.state).toBe('unlocked');
    if (st.state !== 'unlocked') return;
    expect(st.path).toBe(app.vaultPath);
    expect(st.vault).toMatchObject({ path: app.vaultPath, retentionDays: 30, roles: ['Key Vault Administrator'] });
    expect(st.vault.id).toMatch(/^[0-9a-f]+$/);
    expect(st.vault.kdf).toEqual({ memoryKiB: 8192, iterations: 1, parallelism: 1 });
    expect(await app.ok('vault:status')).toEqual(st);
    expect((await stat(app.vaultPath)).mode & 0o777).toBe(0o600);
    // Creating over an existing vault is refused by the engine.
    expectError(await app.call('vault:create', { path: app.vaultPath, passphrase: PASSPHRASE }), 'VaultExists');
  });

  it('vault:lock locks (secrets then answer VaultLocked); vault:open refuses a wrong passphrase, then opens', async () => {
    const app = await startUnlockedApp();
    await app.ok('secrets:set', { name: 'a', value: 'v' });
    expect(await app.ok('vault:lock')).toEqual({ state: 'locked', path: app.vaultPath, remembered: false });
    expectError(await app.call('secrets:list'), 'VaultLocked');
    // Locking twice is fine.
    expect(await app.ok('vault:lock')).toEqual({ state: 'locked', path: app.vaultPath, remembered: false });
    const wrong = expectError(await app.call('vault:open', { path: app.vaultPath, passphrase: 'wrong horse' }), 'WrongPassphrase');
    expect(wrong.message).not.toContain('wrong horse');
    expect((await app.ok('vault:status')).state).toBe('locked');
    const st = await app.ok('vault:open', { path: app.vaultPath, passphrase: PASSPHRASE });
    expect(st.state).toBe('unlocked');
    expect((await app.ok('secrets:list')).map((s) => s.id.split('/').pop())).toEqual(['a']);
    expectError(await app.call('vault:open', { path: join(app.dir, 'nope.coffer'), passphrase: PASSPHRASE }), 'VaultNotFound');
  });

  it('vault:open of another vault locks the first; vault:recent lists both, most recent first', async () => {
    let t = 1_700_000_000;
    const app = await startApp({ now: () => t++ });
    const second = join(app.dir, 'second.coffer');
    await app.ok('vault:create', { path: app.vaultPath, passphrase: PASSPHRASE });
    const first = app.services.session.current();
    await app.ok('vault:create', { path: second, passphrase: 'another passphrase' });
    expect(app.services.session.isOpen(first)).toBe(false);
    await app.ok('vault:open', { path: app.vaultPath, passphrase: PASSPHRASE });
    const recent = await app.ok('vault:recent');
    expect(recent).toEqual([
      { path: app.vaultPath, lastOpened: 1_700_000_002, exists: true },
      { path: second, lastOpened: 1_700_000_001, exists: true },
    ]);
  });

  it('secrets:set, list, listVersions, update, reveal (per version), copy', async () => {
    const app = await startUnlockedApp();
    const v1 = await app.ok('secrets:set', { name: 'Db-Password', value: 'first value', tags: { env: 'dev' }, contentType: 'text/plain' });
    expect(v1).not.toHaveProperty('value');
    expect(v1).toMatchObject({ contentType: 'text/plain', tags: { env: 'dev' }, attributes: { enabled: true } });
    const v2 = await app.ok('secrets:set', { name: 'db-password', value: 'second value', exp: 4_000_000_000, nbf: 1_000_000_000 });
    expect(v2.attributes).toMatchObject({ exp: 4_000_000_000, nbf: 1_000_000_000 });
    const version1 = v1.id.split('/').pop()!;
    const version2 = v2.id.split('/').pop()!;

    const list = await app.ok('secrets:list');
    expect(list).toHaveLength(1);
    expect(list[0]!.id).toMatch(/\/secrets\/Db-Password$/);
    expect((await app.ok('secrets:listVersions', { name: 'DB-PASSWORD' })).map((i) => i.id.split('/').pop()).sort()).toEqual([version1, version2].sort());

    const upd = await app.ok('secrets:update', { name: 'db-password', version: version1, patch: { tags: { env: 'prod' }, contentType: null } });
    expect(upd).toMatchObject({ tags: { env: 'prod' } });
    expect(upd).not.toHaveProperty('contentType');
    expect(upd).not.toHaveProperty('value');

    expect((await app.ok('secrets:reveal', { name: 'db-password' })).value).toBe('second value');
    expect((await app.ok('secrets:reveal', { name: 'db-password', version: version1.toUpperCase() })).value).toBe('first value');

    expect(await app.ok('secrets:copy', { name: 'db-password', version: version1 })).toEqual({ clearsInSeconds: 30 });
    expect(app.clipboard.text).toBe('first value');

    expectError(await app.call('secrets:reveal', { name: 'missing' }), 'SecretNotFound');
    expectError(await app.call('secrets:reveal', { name: 'db-password', version: VERSION }), 'SecretNotFound');
  });

  it('secrets:set stores multi-byte text exactly and accepts a value of exactly 25,600 bytes', async () => {
    const app = await startUnlockedApp();
    await app.ok('secrets:set', { name: 'u', value: 'pâté 😀 €' });
    expect((await app.ok('secrets:reveal', { name: 'u' })).value).toBe('pâté 😀 €');
    await app.ok('secrets:set', { name: 'big', value: 'é'.repeat(LIMITS.valueBytes / 2) });
    expect((await app.ok('secrets:reveal', { name: 'big' })).value).toHaveLength(LIMITS.valueBytes / 2);
  });

  it('reveal and copy of a disabled version are Forbidden / SecretDisabled, and the clipboard is untouched', async () => {
    const app = await startUnlockedApp();
    await app.ok('secrets:set', { name: 'off', value: 'hidden value', enabled: false });
    expectError(await app.call('secrets:reveal', { name: 'off' }), 'Forbidden', 'SecretDisabled');
    expectError(await app.call('secrets:copy', { name: 'off' }), 'Forbidden', 'SecretDisabled');
    expect(app.clipboard.writes).toEqual([]);
    await app.ok('secrets:update', { name: 'off', patch: { enabled: true } });
    expect((await app.ok('secrets:reveal', { name: 'off' })).value).toBe('hidden value');
  });

  it('secrets:delete, listDeleted, recover, purge', async () => {
    const app = await startUnlockedApp();
    await app.ok('secrets:set', { name: 'keep', value: 'k' });
    await app.ok('secrets:set', { name: 'gone', value: 'g' });
    const del = await app.ok('secrets:delete', { name: 'keep' });
    expect(del.recoveryId).toMatch(/\/deletedsecrets\/keep$/);
    expect(del).not.toHaveProperty('value');
    expect(del.scheduledPurgeDate).toBeGreaterThan(del.deletedDate);
    expect((await app.ok('secrets:listDeleted')).map((d) => d.recoveryId.split('/').pop())).toEqual(['keep']);
    // A deleted name cannot be reused (D-sd), and the error keeps its innerCode.
    expectError(await app.call('secrets:set', { name: 'keep', value: 'x' }), 'Conflict', 'ObjectIsDeletedButRecoverable');
    const rec = await app.ok('secrets:recover', { name: 'keep' });
    expect(rec.id).toMatch(/\/secrets\/keep\//);
    expect(rec).not.toHaveProperty('value');
    await app.ok('secrets:delete', { name: 'gone' });
    expect(await app.ok('secrets:purge', { name: 'gone' })).toBeNull();
    expect(await app.ok('secrets:listDeleted')).toEqual([]);
    expect((await app.ok('secrets:list')).map((s) => s.id.split('/').pop())).toEqual(['keep']);
    expectError(await app.call('secrets:purge', { name: 'keep' }), 'SecretNotFound');
  });

  it('settings:get gives the defaults; settings:set changes, persists and drives the copy delay', async () => {
    const app = await startUnlockedApp();
    expect(await app.ok('settings:get')).toEqual({ clipboardClearSeconds: 30, autoLockMinutes: 5, lockOnMinimize: false });
    expect(await app.ok('settings:set', { clipboardClearSeconds: 10 })).toEqual({ clipboardClearSeconds: 10, autoLockMinutes: 5, lockOnMinimize: false });
    expect(await app.ok('settings:set', { autoLockMinutes: 15 })).toEqual({ clipboardClearSeconds: 10, autoLockMinutes: 15, lockOnMinimize: false });
    expect(await app.ok('settings:set', {})).toEqual({ clipboardClearSeconds: 10, autoLockMinutes: 15, lockOnMinimize: false });
    expect(await app.ok('settings:set', { lockOnMinimize: true })).toEqual({ clipboardClearSeconds: 10, autoLockMinutes: 15, lockOnMinimize: true });
    await app.ok('secrets:set', { name: 'a', value: 'v' });
    expect(await app.ok('secrets:copy', { name: 'a' })).toEqual({ clearsInSeconds: 10 });
    expect((await stat(join(app.profileDir, 'settings.json'))).mode & 0o777).toBe(0o600);
  });
});

/** Bad inputs per channel, beyond the generic ones of ipc/register.test.ts; `field` must appear in the message. */
const BAD: Record<Channel, { input: Record<string, unknown>; field: string }[]> = {
  'vault:create': [
    { input: { passphrase: PASSPHRASE }, field: 'path: is required' },
    { input: { path: 5, passphrase: PASSPHRASE }, field: 'path: Invalid input' },
    { input: { path: 'rel.coffer', passphrase: PASSPHRASE }, field: 'path: must be an absolute path' },
    { input: { path: '/tmp/a.txt', passphrase: PASSPHRASE }, field: 'path: must end in .coffer' },
    { input: { path: '/tmp/a.coffer', passphrase: '' }, field: 'passphrase: must not be empty' },
    { input: { path: '/tmp/a.coffer', passphrase: 'p'.repeat(LIMITS.passphraseLength + 1) }, field: 'passphrase: Too big' },
    { input: { path: '/tmp/a.coffer', passphrase: ['p'] }, field: 'passphrase: Invalid input' },
    { input: { path: '/tmp/a.coffer', passphrase: 'p', retentionDays: 6 }, field: 'retentionDays: Too small' },
    { input: { path: '/tmp/a.coffer', passphrase: 'p', kdf: { memoryKiB: 8 } }, field: 'unknown field kdf' },
  ],
  'vault:open': [
    { input: { path: '/tmp/a.coffer' }, field: 'passphrase: is required' },
    { input: { path: '/tmp/a\0.coffer', passphrase: 'p' }, field: 'path: must not contain a NUL' },
    { input: { path: `/${'a'.repeat(5000)}`, passphrase: 'p' }, field: 'path: Too big' },
    { input: { path: '/tmp/a.coffer', passphrase: 42 }, field: 'passphrase: Invalid input' },
  ],
  'vault:createWithIdentity': [
    { input: {}, field: 'path: is required' },
    { input: { path: '/tmp/a.txt' }, field: 'path: must end in .coffer' },
    { input: { path: '/tmp/a.coffer', passphrase: '' }, field: 'passphrase: must not be empty' },
    { input: { path: '/tmp/a.coffer', passphrase: 'p', retentionDays: 30 }, field: 'unknown field retentionDays' },
  ],
  'vault:openWithIdentity': [
    { input: { passphrase: 'p' }, field: 'path: is required' },
    { input: { path: 'rel.coffer', passphrase: 'p' }, field: 'path: must be an absolute path' },
    { input: { path: '/tmp/a.coffer', passphrase: '' }, field: 'passphrase: must not be empty' },
    { input: { path: '/tmp/a.coffer', passphrase: 'p', identity: '/tmp/id.json' }, field: 'unknown field identity' },
  ],
  'vault:unlockWithKeychain': [
    { input: {}, field: 'path: is required' },
    { input: { path: 'rel.coffer' }, field: 'path: must be an absolute path' },
    { input: { path: '/tmp/a.coffer', passphrase: 'p' }, field: 'unknown field passphrase' },
  ],
  'vault:resetPassphrase': [
    { input: { path: '/tmp/a.coffer', newPassphrase: 'p' }, field: 'recoveryKey: is required' },
    { input: { path: '/tmp/a.coffer', recoveryKey: '', newPassphrase: 'p' }, field: 'recoveryKey: must not be empty' },
    { input: { path: '/tmp/a.coffer', recoveryKey: 'k'.repeat(101), newPassphrase: 'p' }, field: 'recoveryKey: is too long' },
    { input: { path: '/tmp/a.coffer', recoveryKey: 'k', newPassphrase: '' }, field: 'newPassphrase: must not be empty' },
  ],
  'vault:remember': [
    { input: {}, field: 'passphrase: is required' },
    { input: { passphrase: 'p', path: '/tmp/a.coffer' }, field: 'unknown field path' },
  ],
  'vault:forget': [{ input: {}, field: 'path: is required' }],
  'vault:changePassphrase': [
    { input: { next: 'q' }, field: 'current: is required' },
    { input: { current: 'p', next: '' }, field: 'next: must not be empty' },
    { input: { current: 'p', next: 'q', kdf: { memoryKiB: 8 } }, field: 'unknown field kdf' },
  ],
  'vault:createRecoveryKey': [{ input: {}, field: 'passphrase: is required' }],
  'vault:removeRecoveryKey': [{ input: { all: true }, field: 'unknown field all' }],
  'vault:lock': [{ input: { force: true }, field: 'unknown field force' }],
  'vault:status': [{ input: { path: '/x' }, field: 'unknown field path' }],
  'vault:recent': [{ input: { limit: 3 }, field: 'unknown field limit' }],
  'vault:suggestPath': [{ input: { name: 'x' }, field: 'unknown field name' }],
  'vault:conflictedCopies': [{ input: { path: '/tmp/a.coffer' }, field: 'unknown field path' }],
  'vault:mergeConflictedCopies': [{ input: { copies: ['/tmp/a (conflicted copy 2026-12-04 101500).coffer'] }, field: 'unknown field copies' }],
  'vault:history': [
    { input: { since: -1 }, field: 'since: Too small' },
    { input: { object: 'members/x' }, field: 'object: must be secrets/NAME, keys/NAME or certificates/NAME' },
    { input: { object: 'secrets/a', limit: 1 }, field: 'unknown field limit' },
  ],
  'vault:refound': [
    { input: {}, field: 'path: is required' },
    { input: { path: '/tmp/a.txt' }, field: 'path: must end in .coffer' },
    { input: { path: '/tmp/a.coffer', newPassphrase: '' }, field: 'newPassphrase: must not be empty' },
    { input: { path: '/tmp/a.coffer', leaveOut: [] }, field: 'unknown field leaveOut' },
  ],
  'dialog:chooseVault': [{ input: { filters: [] }, field: 'unknown field filters' }],
  'dialog:chooseNewVault': [
    { input: { defaultPath: 'relative.coffer' }, field: 'defaultPath: must be an absolute path' },
    { input: { defaultPath: '/tmp/a\0b' }, field: 'defaultPath: must not contain a NUL' },
    { input: { title: 'x' }, field: 'unknown field title' },
  ],
  'secrets:list': [{ input: { maxresults: 25 }, field: 'unknown field maxresults' }],
  'secrets:listVersions': [
    { input: {}, field: 'name: is required' },
    { input: { name: 'bad_name' }, field: 'name: must be 1-127' },
    { input: { name: 'n'.repeat(128) }, field: 'name: Too big' },
  ],
  'secrets:listDeleted': [{ input: { all: true }, field: 'unknown field all' }],
  'secrets:set': [
    { input: { name: 'a' }, field: 'value: is required' },
    { input: { name: 'a', value: 42 }, field: 'value: Invalid input' },
    { input: { name: 'a', value: 'é'.repeat(12_801) }, field: 'value: must be at most 25600 bytes' },
    { input: { name: 'a', value: 'x'.repeat(30_000) }, field: 'value: must be at most 25600 bytes' },
    { input: { name: 'a b', value: 'v' }, field: 'name: must be 1-127' },
    { input: { name: 'a', value: 'v', tags: { t: 'x'.repeat(257) } }, field: 'tags.t: Too big' },
    { input: { name: 'a', value: 'v', contentType: 'c'.repeat(256) }, field: 'contentType: Too big' },
    { input: { name: 'a', value: 'v', nbf: 'now' }, field: 'nbf: Invalid input' },
    { input: { name: 'a', value: 'v', enabled: 1 }, field: 'enabled: Invalid input' },
  ],
  'secrets:update': [
    { input: { name: 'a' }, field: 'patch: is required' },
    { input: { name: 'a', patch: { value: 'x' } }, field: 'patch: unknown field value' },
    { input: { name: 'a', version: 'abc', patch: {} }, field: 'version: must be 32 hexadecimal' },
    { input: { name: 'a', patch: { exp: 'never' } }, field: 'patch.exp: Invalid input' },
    { input: { name: 'a', patch: { tags: { k: 1 } } }, field: 'patch.tags.k: Invalid input' },
  ],
  'secrets:delete': [{ input: { name: '' }, field: 'name: must be 1-127' }],
  'secrets:recover': [{ input: { name: 7 }, field: 'name: Invalid input' }],
  'secrets:purge': [{ input: { name: 'a', force: true }, field: 'unknown field force' }],
  'secrets:reveal': [
    { input: { name: 'a', version: VERSION.slice(1) }, field: 'version: must be 32 hexadecimal' },
    { input: { version: VERSION }, field: 'name: is required' },
  ],
  'secrets:copy': [
    { input: { name: 'a', version: `${VERSION}0` }, field: 'version: ' },
    { input: { name: 'a', seconds: 1 }, field: 'unknown field seconds' },
  ],
  'keys:list': [{ input: { maxresults: 25 }, field: 'unknown field maxresults' }],
  'keys:listVersions': [
    { input: {}, field: 'name: is required' },
    { input: { name: 'bad_name' }, field: 'name: must be 1-127' },
  ],
  'keys:listDeleted': [{ input: { all: true }, field: 'unknown field all' }],
  'keys:copyPublic': [
    { input: { name: 'a' }, field: 'format: Invalid option' },
    { input: { name: 'a', format: 'der' }, field: 'format: Invalid option' },
    { input: { name: 'a', format: 'pem', seconds: 1 }, field: 'unknown field seconds' },
  ],
  'keys:get': [
    { input: { name: 'a', version: VERSION.slice(1) }, field: 'version: must be 32 hexadecimal' },
    { input: { name: 'a', includePrivate: true }, field: 'unknown field includePrivate' },
  ],
  'keys:create': [
    { input: { name: 'a' }, field: 'kty: Invalid option' },
    { input: { name: 'a', kty: 'DSA' }, field: 'kty: Invalid option' },
    { input: { name: 'a', kty: 'EC', size: 1024 }, field: 'size: must be 2048, 3072, 4096 (RSA) or 128, 192, 256 (oct)' },
    { input: { name: 'a', kty: 'EC', crv: 'P-224' }, field: 'crv: Invalid option' },
    { input: { name: 'a', kty: 'EC', keyOps: ['fly'] }, field: 'keyOps.[0]: Invalid option' },
    { input: { name: 'a', kty: 'EC', exp: 'soon' }, field: 'exp: Invalid input' },
    { input: { name: 'a b', kty: 'EC' }, field: 'name: must be 1-127' },
    { input: { name: 'a', kty: 'EC', publicExponent: 3 }, field: 'unknown field publicExponent' },
  ],
  'keys:import': [
    { input: { name: 'a' }, field: 'text: is required' },
    { input: { name: 'a', text: '' }, field: 'text: Too small' },
    { input: { name: 'a', text: `-----BEGIN PRIVATE KEY-----${'x'.repeat(LIMITS.keyTextLength)}` }, field: 'text: Too big' },
    { input: { name: 'a', text: '{}', password: 'p'.repeat(LIMITS.passphraseLength + 1) }, field: 'password: Too big' },
    { input: { name: 'a', text: '{}', format: 'pem' }, field: 'unknown field format' },
  ],
  'keys:update': [
    { input: { name: 'a' }, field: 'patch: is required' },
    { input: { name: 'a', patch: { exportable: true } }, field: 'patch: unknown field exportable' },
    { input: { name: 'a', patch: { keyOps: 'sign' } }, field: 'patch.keyOps: Invalid input' },
    { input: { name: 'a', version: 'abc', patch: {} }, field: 'version: must be 32 hexadecimal' },
  ],
  'keys:delete': [{ input: { name: '' }, field: 'name: must be 1-127' }],
  'keys:recover': [{ input: { name: 7 }, field: 'name: Invalid input' }],
  'keys:purge': [{ input: { name: 'a', force: true }, field: 'unknown field force' }],
  'keys:rotate': [{ input: { name: 'a b' }, field: 'name: must be 1-127' }],
  'keys:getRotationPolicy': [{ input: {}, field: 'name: is required' }],
  'keys:updateRotationPolicy': [
    { input: { name: 'a' }, field: 'lifetimeActions: is required' },
    { input: { name: 'a', lifetimeActions: [{ trigger: {}, action: { type: 'Delete' } }] }, field: 'lifetimeActions.[0].action.type: Invalid option' },
    { input: { name: 'a', lifetimeActions: [{}, {}, {}] }, field: 'lifetimeActions: Too big' },
    { input: { name: 'a', lifetimeActions: [], expiryTime: 'P'.repeat(LIMITS.durationLength + 1) }, field: 'expiryTime: Too big' },
  ],
  'keys:encrypt': [
    { input: { name: 'a', value: 'AA' }, field: 'algorithm: is required' },
    { input: { name: 'a', algorithm: 'RSA-OAEP', value: 'a+b/' }, field: 'value: must be base64url without padding' },
    { input: { name: 'a', algorithm: 'RSA-OAEP', value: 'AAAA=' }, field: 'value: must be base64url without padding' },
    { input: { name: 'a', algorithm: 'RSA-OAEP', value: 'A'.repeat(Math.ceil((LIMITS.keyDataBytes * 4) / 3) + 1) }, field: `value: must be at most ${LIMITS.keyDataBytes} bytes` },
    { input: { name: 'a', algorithm: 'x'.repeat(33), value: 'AA' }, field: 'algorithm: Too big' },
    { input: { name: 'a', algorithm: 'A256GCM', value: 'AA', tag: 'AA' }, field: 'unknown field tag' },
  ],
  'keys:decrypt': [
    { input: { name: 'a', algorithm: 'A256GCM', value: 'AA', tag: 'A'.repeat(23) }, field: 'tag: must be at most 16 bytes' },
    { input: { name: 'a', algorithm: 'A256GCM', value: 'AA', iv: 'A A' }, field: 'iv: must be base64url without padding' },
    { input: { name: 'a', algorithm: 'A256GCM' }, field: 'value: is required' },
  ],
  'keys:sign': [
    { input: { name: 'a', algorithm: 'ES256' }, field: 'data: is required' },
    { input: { name: 'a', algorithm: 'ES256', data: 'AA', digest: 'AA' }, field: 'unknown field digest' },
    { input: { name: 'a', algorithm: 'ES256', data: 'AA', version: 'v1' }, field: 'version: must be 32 hexadecimal' },
  ],
  'keys:verify': [
    { input: { name: 'a', algorithm: 'ES256', data: 'AA' }, field: 'signature: is required' },
    { input: { name: 'a', algorithm: 'ES256', data: 'AA', signature: 'A'.repeat(1400) }, field: 'signature: must be at most 1024 bytes' },
    { input: { name: 'a', algorithm: 'ES256', data: 'A=A', signature: 'AA' }, field: 'data: must be base64url' },
  ],
  'certificates:list': [{ input: { includePending: true }, field: 'unknown field includePending' }],
  'certificates:listVersions': [{ input: {}, field: 'name: is required' }],
  'certificates:listDeleted': [{ input: { all: 1 }, field: 'unknown field all' }],
  'certificates:get': [{ input: { name: 'a', version: 'v1' }, field: 'version: must be 32 hexadecimal' }],
  'certificates:defaultPolicy': [{ input: { kty: 'EC' }, field: 'unknown field kty' }],
  'certificates:create': [
    { input: { name: 'a' }, field: 'policy: is required' },
    { input: { name: 'a', policy: { key_props: { kty: 'oct' } } }, field: 'policy.key_props.kty: Invalid option' },
    { input: { name: 'a', policy: { x509_props: { subject: 'C'.repeat(LIMITS.subjectLength + 1) } } }, field: 'policy.x509_props.subject: Too big' },
    { input: { name: 'a', policy: { x509_props: { validity_months: 0 } } }, field: 'policy.x509_props.validity_months: Too small' },
    { input: { name: 'a', policy: { lifetime_actions: [{ trigger: {}, action: { action_type: 'Delete' } }] } }, field: 'policy.lifetime_actions.[0].action.action_type: Invalid option' },
    { input: { name: 'a', policy: { issuer: { name: 'Self' }, acme: true } }, field: 'policy: unknown field acme' },
  ],
  'certificates:import': [
    { input: { name: 'a' }, field: 'value: is required' },
    { input: { name: 'a', value: 'a+b/' }, field: 'value: must be base64url without padding' },
    { input: { name: 'a', value: 'A'.repeat(Math.ceil((LIMITS.certificateFileBytes * 4) / 3) + 1) }, field: `value: must be at most ${LIMITS.certificateFileBytes} bytes` },
    { input: { name: 'a', value: 'AA', password: 'p'.repeat(LIMITS.passphraseLength + 1) }, field: 'password: Too big' },
  ],
  'certificates:export': [
    { input: { name: 'a', format: 'P7B' }, field: 'format: Invalid option' },
    { input: { name: 'a', format: 'DER', password: 'secret-pw' }, field: 'password: protects a PFX only' },
    { input: { name: 'a', format: 'PEM', path: '/tmp/x.pem' }, field: 'unknown field path' },
  ],
  'certificates:update': [
    { input: { name: 'a' }, field: 'patch: is required' },
    { input: { name: 'a', patch: { exp: 5 } }, field: 'patch: unknown field exp' },
  ],
  'certificates:getPolicy': [{ input: { name: 'a b' }, field: 'name: must be 1-127' }],
  'certificates:updatePolicy': [
    { input: { name: 'a' }, field: 'policy: is required' },
    { input: { name: 'a', policy: { x509_props: { sans: { dns_names: 'x' } } } }, field: 'policy.x509_props.sans.dns_names: Invalid input' },
  ],
  'certificates:delete': [{ input: { name: '' }, field: 'name: must be 1-127' }],
  'certificates:recover': [{ input: { name: 7 }, field: 'name: Invalid input' }],
  'certificates:purge': [{ input: { name: 'a', force: true }, field: 'unknown field force' }],
  'certificates:renew': [{ input: {}, field: 'name: is required' }],
  'certificates:getPending': [{ input: { name: 'a_b' }, field: 'name: must be 1-127' }],
  'certificates:mergePending': [
    { input: { name: 'a' }, field: 'file: is required' },
    { input: { name: 'a', file: '-----BEGIN CERTIFICATE-----' }, field: 'file: must be base64url' },
  ],
  'certificates:cancelPending': [{ input: {}, field: 'name: is required' }],
  'certificates:deletePending': [{ input: { name: 'a', all: true }, field: 'unknown field all' }],
  'certificates:copyCsr': [{ input: { name: 'a', seconds: 3 }, field: 'unknown field seconds' }],
  'certificates:listCas': [{ input: { name: 'x' }, field: 'unknown field name' }],
  'certificates:listIssuers': [{ input: { provider: 'ACME' }, field: 'unknown field provider' }],
  'certificates:createIssuer': [
    { input: { name: 'le', directoryUrl: 'https://acme.example/dir', challenge: 'http-01', termsAgreed: false }, field: "termsAgreed: must be true: the CA's terms of service must be agreed to" },
    { input: { name: 'le', directoryUrl: 'https://acme.example/dir', challenge: 'http-01' }, field: 'termsAgreed:' },
    { input: { name: 'le', directoryUrl: 'http://acme.example/dir', challenge: 'http-01', termsAgreed: true }, field: 'directoryUrl: must be an https:// URL' },
    { input: { name: 'le', directoryUrl: `https://${'a'.repeat(3000)}`, challenge: 'http-01', termsAgreed: true }, field: 'directoryUrl: Too big' },
    { input: { name: 'le', directoryUrl: 'https://acme.example/dir', challenge: 'tls-alpn-01', termsAgreed: true }, field: 'challenge: Invalid option' },
    { input: { name: 'le', directoryUrl: 'https://acme.example/dir', challenge: 'http-01', httpPort: 70_000, termsAgreed: true }, field: 'httpPort: Too big' },
    { input: { name: 'le', directoryUrl: 'https://acme.example/dir', challenge: 'http-01', email: 'not an address', termsAgreed: true }, field: 'email: must be an email address' },
    { input: { name: 'le', directoryUrl: 'https://acme.example/dir', challenge: 'http-01', caCertificatePem: 'CANARY', termsAgreed: true }, field: 'caCertificatePem: must be a PEM certificate' },
    { input: { name: 'le', directoryUrl: 'https://acme.example/dir', challenge: 'http-01', termsAgreed: true, eab: 'x' }, field: 'unknown field eab' },
  ],
  'certificates:updateIssuer': [
    { input: { name: 'le' }, field: 'patch: is required' },
    { input: { name: 'le', patch: { directoryUrl: 'https://x' } }, field: 'patch: unknown field directoryUrl' },
    { input: { name: 'le', patch: { httpPort: 0 } }, field: 'patch.httpPort: Too small' },
  ],
  'certificates:deleteIssuer': [{ input: { name: 'Self!' }, field: 'name: must be 1-127' }],
  'certificates:revoke': [
    { input: { name: 'a', reason: 'becauseISaidSo' }, field: 'reason: Invalid option' },
    { input: { name: 'a', version: 'xyz' }, field: 'version: must be 32 hexadecimal characters' },
  ],
  'certificates:dnsReady': [
    { input: {}, field: 'id: is required' },
    { input: { id: 'x'.repeat(1000) }, field: 'id: Too big' },
  ],
  'certificates:dnsCancel': [{ input: { id: 'not-an-id' }, field: 'id: must be the id of a DNS record shown by the app' }],
  'certificates:getContacts': [{ input: { all: true }, field: 'unknown field all' }],
  'certificates:setContacts': [
    { input: {}, field: 'contacts: is required' },
    { input: { contacts: [{ email: 'not an address' }] }, field: 'contacts.[0].email: must be an email address' },
    { input: { contacts: [{ email: 'ops@example.com', name: 'n'.repeat(257) }] }, field: 'contacts.[0].name: Too big' },
    { input: { contacts: [{ email: 'ops@example.com', phone: '1'.repeat(65) }] }, field: 'contacts.[0].phone: Too big' },
    { input: { contacts: [{ email: 'ops@example.com', fax: '1' }] }, field: 'contacts.[0]: unknown field fax' },
    { input: { contacts: Array.from({ length: 65 }, (_, i) => ({ email: `p${i}@example.com` })) }, field: 'contacts: Too big' },
  ],
  'certificates:deleteContacts': [{ input: { contacts: [] }, field: 'unknown field contacts' }],
  'members:list': [{ input: { all: true }, field: 'unknown field all' }],
  'members:readInvite': [
    { input: {}, field: 'invite: is required' },
    { input: { invite: 5 }, field: 'invite: Invalid input' },
    { input: { invite: '' }, field: 'invite: must not be empty' },
    { input: { invite: `coffer-invite:${'A'.repeat(LIMITS.inviteLength)}` }, field: `invite: must be at most ${LIMITS.inviteLength} characters` },
  ],
  'members:add': [
    { input: { invite: 'coffer-invite:AAAA' }, field: 'roles: is required' },
    { input: { invite: 'coffer-invite:AAAA', roles: [] }, field: 'roles: choose at least one role' },
    { input: { invite: 'coffer-invite:AAAA', roles: ['Owner'] }, field: 'roles.[0]: Invalid option' },
    { input: { invite: 'coffer-invite:AAAA', roles: ['Key Vault Reader'], signPub: 'A'.repeat(43) }, field: 'unknown field signPub' },
  ],
  'members:setRoles': [
    { input: { signPub: 'A'.repeat(42), roles: ['Key Vault Reader'] }, field: 'signPub: must be a member key' },
    { input: { signPub: `${'A'.repeat(42)}=`, roles: ['Key Vault Reader'] }, field: 'signPub: must be a member key' },
    { input: { signPub: 'A'.repeat(44), roles: ['Key Vault Reader'] }, field: 'signPub: Too big' },
    { input: { signPub: 'A'.repeat(43), roles: ['key vault reader'] }, field: 'roles.[0]: Invalid option' },
  ],
  'members:remove': [
    { input: {}, field: 'signPub: is required' },
    { input: { signPub: `${'A'.repeat(42)}+` }, field: 'signPub: must be a member key' },
  ],
  'members:needsRotation': [{ input: { all: true }, field: 'unknown field all' }],
  'members:grant': [
    { input: { signPub: 'A'.repeat(43), object: 'vaults/x', role: 'Key Vault Secrets User' }, field: 'object: must be secrets/NAME, keys/NAME or certificates/NAME' },
    { input: { signPub: 'A'.repeat(43), object: 'secrets/db', role: 'Owner' }, field: 'role: Invalid option' },
  ],
  'members:revokeGrant': [{ input: { signPub: 'A'.repeat(43) }, field: 'object: is required' }],
  'identity:get': [{ input: { file: '/x' }, field: 'unknown field file' }],
  'identity:create': [
    { input: { passphrase: 'p' }, field: 'name: is required' },
    { input: { name: '   ', passphrase: 'p' }, field: 'name: must not be empty' },
    { input: { name: 'n'.repeat(LIMITS.displayNameLength + 1), passphrase: 'p' }, field: `name: must be at most ${LIMITS.displayNameLength} characters` },
    { input: { name: 'Ann' }, field: 'passphrase: is required' },
    { input: { name: 'Ann', passphrase: 'p', kdf: { memoryKiB: 8 } }, field: 'unknown field kdf' },
  ],
  'identity:copyInvite': [{ input: { invite: 'coffer-invite:AAAA' }, field: 'unknown field invite' }],
  'identity:remember': [
    { input: {}, field: 'passphrase: is required' },
    { input: { passphrase: '' }, field: 'passphrase: must not be empty' },
  ],
  'identity:forget': [{ input: { passphrase: 'p' }, field: 'unknown field passphrase' }],
  'settings:get': [{ input: { key: 'x' }, field: 'unknown field key' }],
  'settings:set': [
    { input: { clipboardClearSeconds: 0 }, field: 'clipboardClearSeconds: Too small' },
    { input: { clipboardClearSeconds: 601 }, field: 'clipboardClearSeconds: Too big' },
    { input: { autoLockMinutes: 1.5 }, field: 'autoLockMinutes: Invalid input' },
    { input: { autoLockMinutes: '5' }, field: 'autoLockMinutes: Invalid input' },
    { input: { lockOnMinimize: 'yes' }, field: 'lockOnMinimize: Invalid input' },
    { input: { recentVaults: [] }, field: 'unknown field recentVaults' },
  ],
};

describe('every channel: bad inputs are BadParameter, naming the field and never echoing the value', () => {
  let app: TestApp;
  it.each(CHANNELS)('%s', async (channel) => {
    app ??= await startUnlockedApp();
    await app.ok('secrets:set', { name: 'a', value: 'v' }).catch(() => undefined);
    const before = JSON.stringify(await app.ok('secrets:listVersions', { name: 'a' }));
    const cases = BAD[channel];
    expect(cases.length).toBeGreaterThan(0);
    for (const { input, field } of cases) {
      const r = expectError(await app.call(channel, input), 'BadParameter');
      expect(r.message, JSON.stringify(input).slice(0, 100)).toContain(field);
      expect(r.message).toMatch(new RegExp(`^Invalid input for ${channel}: `));
      for (const v of Object.values(input)) {
        if (typeof v === 'string' && v.length >= 3) expect(r.message).not.toContain(v.slice(0, 40));
      }
    }
    // Nothing happened: still unlocked, the secret unchanged.
    expect((await app.ok('vault:status')).state).toBe('unlocked');
    expect(JSON.stringify(await app.ok('secrets:listVersions', { name: 'a' }))).toBe(before);
  });
});

describe('every channel: a foreign sender is refused before the handler runs', () => {
  const senders = {
    'another origin': frame('https://evil.example/', { origin: 'https://evil.example' }),
    'a subframe': frame(`${ORIGIN}/inner.html`, { origin: ORIGIN, parent: frame(`${ORIGIN}/`, { origin: ORIGIN }) }),
  };
  it.each(Object.entries(senders))('%s', async (_label, sender) => {
    const app = await startUnlockedApp();
    await app.ok('secrets:set', { name: 'a', value: 'the value' });
    await app.ok('keys:create', { name: 'k', kty: 'EC' });
    const valid: Record<Channel, unknown> = {
      'vault:create': { path: join(app.dir, 'other.coffer'), passphrase: PASSPHRASE },
      'vault:open': { path: app.vaultPath, passphrase: PASSPHRASE },
      'vault:createWithIdentity': { path: join(app.dir, 'team.coffer'), passphrase: 'p' },
      'vault:openWithIdentity': { path: app.vaultPath, passphrase: 'p' },
      'vault:unlockWithKeychain': { path: app.vaultPath },
      'vault:resetPassphrase': { path: app.vaultPath, recoveryKey: 'k', newPassphrase: 'x' },
      'vault:remember': { passphrase: PASSPHRASE },
      'vault:forget': { path: app.vaultPath },
      'vault:changePassphrase': { current: PASSPHRASE, next: 'x' },
      'vault:createRecoveryKey': { passphrase: PASSPHRASE },
      'vault:removeRecoveryKey': {},
      'vault:lock': {},
      'vault:status': {},
      'vault:recent': {},
      'vault:suggestPath': {},
      'vault:history': {},
      'vault:refound': { path: join(app.dir, 'refounded.coffer'), newPassphrase: PASSPHRASE },
      'vault:conflictedCopies': {},
      'vault:mergeConflictedCopies': {},
      'dialog:chooseVault': {},
      'dialog:chooseNewVault': {},
      'secrets:list': {},
      'secrets:listVersions': { name: 'a' },
      'secrets:listDeleted': {},
      'secrets:set': { name: 'b', value: 'x' },
      'secrets:update': { name: 'a', patch: { enabled: false } },
      'secrets:delete': { name: 'a' },
      'secrets:recover': { name: 'a' },
      'secrets:purge': { name: 'a' },
      'secrets:reveal': { name: 'a' },
      'secrets:copy': { name: 'a' },
      'keys:list': {},
      'keys:listVersions': { name: 'k' },
      'keys:listDeleted': {},
      'keys:copyPublic': { name: 'k', format: 'pem' },
      'keys:get': { name: 'k' },
      'keys:create': { name: 'k2', kty: 'EC' },
      'keys:import': { name: 'k3', text: '{"kty":"oct","k":"AAAAAAAAAAAAAAAAAAAAAA"}' },
      'keys:update': { name: 'k', patch: { enabled: false } },
      'keys:delete': { name: 'k' },
      'keys:recover': { name: 'k' },
      'keys:purge': { name: 'k' },
      'keys:rotate': { name: 'k' },
      'keys:getRotationPolicy': { name: 'k' },
      'keys:updateRotationPolicy': { name: 'k', lifetimeActions: [], expiryTime: 'P90D' },
      'keys:encrypt': { name: 'k', algorithm: 'ES256', value: 'AA' },
      'keys:decrypt': { name: 'k', algorithm: 'ES256', value: 'AA' },
      'keys:sign': { name: 'k', algorithm: 'ES256', data: 'AA' },
      'keys:verify': { name: 'k', algorithm: 'ES256', data: 'AA', signature: 'AA' },
      'certificates:list': {},
      'certificates:listVersions': { name: 'c' },
      'certificates:listDeleted': {},
      'certificates:get': { name: 'c' },
      'certificates:defaultPolicy': {},
      'certificates:create': { name: 'c2', policy: { x509_props: { subject: 'CN=x' }, issuer: { name: 'Self' } } },
      'certificates:import': { name: 'c3', value: 'AA' },
      'certificates:export': { name: 'c', format: 'PEM' },
      'certificates:update': { name: 'c', patch: { enabled: false } },
      'certificates:getPolicy': { name: 'c' },
      'certificates:updatePolicy': { name: 'c', policy: {} },
      'certificates:delete': { name: 'c' },
      'certificates:recover': { name: 'c' },
      'certificates:purge': { name: 'c' },
      'certificates:renew': { name: 'c' },
      'certificates:getPending': { name: 'c' },
      'certificates:mergePending': { name: 'c', file: 'AA' },
      'certificates:cancelPending': { name: 'c' },
      'certificates:deletePending': { name: 'c' },
      'certificates:copyCsr': { name: 'c' },
      'certificates:listCas': {},
      'certificates:listIssuers': {},
      'certificates:createIssuer': { name: 'le', directoryUrl: 'https://acme.example/dir', challenge: 'http-01', termsAgreed: true },
      'certificates:updateIssuer': { name: 'le', patch: { enabled: false } },
      'certificates:deleteIssuer': { name: 'le' },
      'certificates:revoke': { name: 'c' },
      'certificates:dnsReady': { id: '0f8a2c1e-3b4d-4e5f-8a9b-0c1d2e3f4a5b' },
      'certificates:dnsCancel': { id: '0f8a2c1e-3b4d-4e5f-8a9b-0c1d2e3f4a5b' },
      'certificates:getContacts': {},
      'certificates:setContacts': { contacts: [{ email: 'ops@example.com' }] },
      'certificates:deleteContacts': {},
      'members:list': {},
      'members:readInvite': { invite: 'coffer-invite:AAAA' },
      'members:add': { invite: 'coffer-invite:AAAA', roles: ['Key Vault Reader'] },
      'members:setRoles': { signPub: 'A'.repeat(43), roles: ['Key Vault Reader'] },
      'members:remove': { signPub: 'A'.repeat(43) },
      'members:needsRotation': {},
      'members:grant': { signPub: 'A'.repeat(43), object: 'secrets/db', role: 'Key Vault Secrets User' },
      'members:revokeGrant': { signPub: 'A'.repeat(43), object: 'secrets/db' },
      'identity:get': {},
      'identity:create': { name: 'Ann', passphrase: 'p' },
      'identity:copyInvite': {},
      'identity:remember': { passphrase: 'p' },
      'identity:forget': {},
      'settings:get': {},
      'settings:set': { clipboardClearSeconds: 5 },
    };
    const vaultBefore = JSON.stringify(await app.ok('secrets:listVersions', { name: 'a' }));
    const keysBefore = JSON.stringify(await app.ok('keys:list'));
    for (const channel of CHANNELS) {
      const r = await app.call(channel, valid[channel], sender);
      expectError(r, 'Forbidden');
      expect(JSON.stringify(r)).not.toContain('the value');
    }
    // No side effect of any of them.
    expect((await app.ok('vault:status')).state).toBe('unlocked');
    expect(JSON.stringify(await app.ok('secrets:listVersions', { name: 'a' }))).toBe(vaultBefore);
    expect(await app.ok('secrets:list')).toHaveLength(1);
    expect(JSON.stringify(await app.ok('keys:list'))).toBe(keysBefore);
    expect(await app.ok('keys:getRotationPolicy', { name: 'k' })).toMatchObject({ attributes: {} });
    expect(app.clipboard.writes).toEqual([]);
    expect(app.dialog.shown).toEqual([]);
    expect(await app.ok('settings:get')).toEqual({ clipboardClearSeconds: 30, autoLockMinutes: 5, lockOnMinimize: false });
    expect(await app.ok('vault:recent')).toHaveLength(1);
  });
});

describe('values never leave main except through secrets:reveal', () => {
  it('canary: no output or error of any other channel holds a value', async () => {
    const CANARY = 'CANARY-7f3a9c-value';
    const CANARY2 = 'CANARY-0b1d2e-second';
    const app = await startApp();
    const outputs: { channel: Channel; text: string }[] = [];
    const seen = new Set<Channel>();
    const call = async (channel: Channel, input: unknown = {}) => {
      const r = await app.call(channel, input);
      seen.add(channel);
      outputs.push({ channel, text: JSON.stringify(r) });
      return r;
    };
    await call('vault:create', { path: app.vaultPath, passphrase: PASSPHRASE });
    await call('secrets:set', { name: 'c', value: CANARY, tags: { note: 'n' } });
    await call('secrets:set', { name: 'c', value: CANARY2 });
    await call('secrets:set', { name: 'd', value: CANARY, enabled: false });
    await call('secrets:list');
    await call('secrets:listVersions', { name: 'c' });
    await call('secrets:update', { name: 'c', patch: { tags: { note: 'm' } } });
    await call('secrets:copy', { name: 'c' });
    await call('secrets:copy', { name: 'd' }); // disabled: error result
    await call('secrets:reveal', { name: 'd' }); // disabled: error result
    const revealed = await call('secrets:reveal', { name: 'c' });
    await call('secrets:delete', { name: 'c' });
    await call('secrets:listDeleted');
    await call('secrets:recover', { name: 'c' });
    await call('secrets:delete', { name: 'd' });
    await call('secrets:purge', { name: 'd' });
    await call('secrets:set', { name: 'bad name', value: CANARY }); // BadParameter
    await call('secrets:set', { name: 'e', value: CANARY + 'x'.repeat(LIMITS.valueBytes) }); // too big
    // Keys: an imported private key never comes back; decrypt answers the plaintext (the user asked, as reveal).
    const jwk = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'jwk' });
    const privateParts = [jwk.d!, jwk.p!, jwk.q!, jwk.dp!, jwk.dq!, jwk.qi!];
    await call('keys:import', { name: 'imported', text: JSON.stringify(jwk), tags: { note: 'n' } });
    await call('keys:import', { name: 'bad', text: `CANARY-not-a-key ${jwk.d}` }); // neither PEM nor JSON
    await call('keys:import', { name: 'bad', text: `{"kty":"RSA","d":"${jwk.d}" CANARY` }); // JSON that does not parse
    await call('keys:import', { name: 'bad', text: `-----BEGIN PRIVATE KEY-----\n${jwk.d}\n-----END PRIVATE KEY-----\n`, password: 'CANARY-pem-password' });
    await call('keys:create', { name: 'ec', kty: 'EC', exportable: true });
    await call('keys:list');
    await call('keys:listVersions', { name: 'imported' });
    await call('keys:get', { name: 'imported' });
    await call('keys:copyPublic', { name: 'imported', format: 'jwk' });
    const PLAIN = Buffer.from('CANARY-key-plaintext').toString('base64url');
    const ct = await call('keys:encrypt', { name: 'imported', algorithm: 'RSA-OAEP-256', value: PLAIN });
    const decrypted = await call('keys:decrypt', { name: 'imported', algorithm: 'RSA-OAEP-256', value: ct.ok ? (ct.value as { value: string }).value : '' });
    const sig = await call('keys:sign', { name: 'ec', algorithm: 'ES256', data: PLAIN });
    await call('keys:verify', { name: 'ec', algorithm: 'ES256', data: PLAIN, signature: sig.ok ? (sig.value as { value: string }).value : '' });
    await call('keys:update', { name: 'ec', patch: { tags: { a: 'b' } } });
    await call('keys:updateRotationPolicy', { name: 'ec', lifetimeActions: [], expiryTime: 'P90D' });
    await call('keys:getRotationPolicy', { name: 'ec' });
    await call('keys:rotate', { name: 'ec' });
    await call('keys:delete', { name: 'ec' });
    await call('keys:listDeleted');
    await call('keys:recover', { name: 'ec' });
    await call('keys:delete', { name: 'ec' });
    await call('keys:purge', { name: 'ec' });
    expect(decrypted).toMatchObject({ ok: true, value: { value: PLAIN } });
    // Certificates: a PFX's key and password never come back; the file goes where the save dialog says.
    const policy = { key_props: { kty: 'EC', exportable: true }, x509_props: { subject: 'CN=canary.example' }, issuer: { name: 'Self' } };
    await call('certificates:defaultPolicy');
    await call('certificates:create', { name: 'cert', policy });
    await call('certificates:list');
    await call('certificates:listVersions', { name: 'cert' });
    await call('certificates:get', { name: 'cert' });
    await call('certificates:update', { name: 'cert', patch: { tags: { a: 'b' } } });
    await call('certificates:getPolicy', { name: 'cert' });
    await call('certificates:updatePolicy', { name: 'cert', policy: { x509_props: { subject: 'CN=canary2.example' } } });
    await call('certificates:renew', { name: 'cert' });
    app.dialog.willChoose(join(app.dir, 'cert.pfx'));
    await call('certificates:export', { name: 'cert', format: 'PFX', password: 'CANARY-pfx-password' });
    const { readFile } = await import('node:fs/promises');
    const pfx = (await readFile(join(app.dir, 'cert.pfx'))).toString('base64url');
    await call('certificates:import', { name: 'cert-copy', value: pfx, password: 'CANARY-pfx-password' });
    await call('certificates:import', { name: 'cert-bad', value: pfx, password: 'CANARY-wrong-password' });
    await call('certificates:create', { name: 'csr', policy: { ...policy, issuer: { name: 'Unknown' } } });
    await call('certificates:getPending', { name: 'csr' });
    await call('certificates:copyCsr', { name: 'csr' });
    await call('certificates:mergePending', { name: 'csr', file: Buffer.from('CANARY not a cert!').toString('base64url') });
    await call('certificates:cancelPending', { name: 'csr' });
    await call('certificates:deletePending', { name: 'csr' });
    await call('certificates:listCas');
    // ACME issuers (no CA listens on port 1: the account cannot be registered), revoke (a self-signed one cannot be), dns-01 answers with no record waiting.
    await call('certificates:createIssuer', { name: 'le', directoryUrl: 'https://127.0.0.1:1/dir', email: 'ops@example.com', challenge: 'dns-01', termsAgreed: true });
    await call('certificates:listIssuers');
    await call('certificates:updateIssuer', { name: 'le', patch: { enabled: false } });
    await call('certificates:deleteIssuer', { name: 'le' });
    await call('certificates:revoke', { name: 'cert', reason: 'keyCompromise' });
    await call('certificates:dnsReady', { id: '0f8a2c1e-3b4d-4e5f-8a9b-0c1d2e3f4a5b' });
    await call('certificates:dnsCancel', { id: '0f8a2c1e-3b4d-4e5f-8a9b-0c1d2e3f4a5b' });
    await call('certificates:setContacts', { contacts: [{ email: 'ops@example.com', name: 'Ops', phone: '+1 555 0100' }] });
    await call('certificates:getContacts');
    await call('certificates:deleteContacts');
    await call('certificates:delete', { name: 'cert' });
    await call('certificates:listDeleted');
    await call('certificates:recover', { name: 'cert' });
    await call('certificates:delete', { name: 'cert' });
    await call('certificates:purge', { name: 'cert' });
    expect(outputs.filter((o) => o.text.includes(pfx.slice(20, 80)))).toEqual([]);
    expect(outputs.filter((o) => o.channel.startsWith('certificates:') && o.text.includes('PRIVATE KEY'))).toEqual([]);
    expect(outputs.filter((o) => o.channel !== 'keys:decrypt' && o.text.includes(PLAIN))).toEqual([]);
    expect(outputs.filter((o) => privateParts.some((p) => o.text.includes(p)))).toEqual([]);
    expect(app.clipboard.writes.filter((w) => privateParts.some((p) => w.includes(p)))).toEqual([]);
    // Members: an invite read and added, its roles changed, then removed with the exposure report.
    const card = await createIdentityFile({ path: join(app.dir, 'bob.json'), passphrase: new TextEncoder().encode('CANARY-identity-passphrase'), name: 'Bob', kdf: TEST_KDF });
    await call('members:readInvite', { invite: card.invite });
    await call('members:add', { invite: card.invite, roles: ['Key Vault Secrets User'] });
    await call('members:list');
    const bobKey = (await app.ok('members:list')).find((m) => m.name === 'Bob')?.signPub;
    await call('members:setRoles', { signPub: bobKey, roles: ['Key Vault Reader', 'Key Vault Secrets User'] });
    await call('members:grant', { signPub: bobKey, object: 'secrets/c', role: 'Key Vault Secrets User' });
    await call('members:revokeGrant', { signPub: bobKey, object: 'secrets/c' });
    await call('members:remove', { signPub: bobKey });
    await call('members:needsRotation');
    // Who changed what: names, times and object names, never a value.
    await call('vault:history');
    await call('vault:history', { object: 'secrets/c' });
    // A re-founded copy: counts and members only, never a value nor the new passphrase.
    await call('vault:refound', { path: join(app.dir, 'refounded.coffer'), newPassphrase: 'CANARY-refound-passphrase' });
    // The person's identity: created with its own passphrase, shown (public data), its invite copied.
    await call('identity:get');
    await call('identity:create', { name: 'Ann', passphrase: 'CANARY-identity-create' });
    await call('identity:get');
    await call('identity:copyInvite');
    await call('identity:remember', { passphrase: 'CANARY-identity-wrong' });
    await call('identity:remember', { passphrase: 'CANARY-identity-create' });
    await call('identity:forget');
    await call('vault:status');
    await call('vault:recent');
    await call('vault:suggestPath');
    await call('vault:conflictedCopies');
    await call('vault:mergeConflictedCopies');
    app.dialog.willChoose(app.vaultPath);
    await call('dialog:chooseVault');
    await call('dialog:chooseNewVault', {});
    await call('settings:get');
    await call('settings:set', { clipboardClearSeconds: 20 });
    await call('vault:lock');
    // A team vault created with the identity: a wrong identity passphrase, then its own.
    await call('vault:createWithIdentity', { path: join(app.dir, 'team-canary.coffer'), passphrase: 'CANARY-wrong-identity' });
    await call('vault:createWithIdentity', { path: join(app.dir, 'team-canary.coffer'), passphrase: 'CANARY-identity-create' });
    await call('vault:openWithIdentity', { path: app.vaultPath, passphrase: 'CANARY-wrong-identity' });
    await call('vault:open', { path: app.vaultPath, passphrase: 'CANARY-wrong-passphrase' });
    await call('vault:open', { path: app.vaultPath, passphrase: PASSPHRASE });
    // Issue 4's channels: remember (wrong passphrase, then right), keychain unlock, forget,
    // recovery key (its output is the key, shown once), reset and change the passphrase.
    await call('vault:remember', { passphrase: 'CANARY-wrong-remember' });
    await call('vault:remember', { passphrase: PASSPHRASE });
    await call('vault:lock');
    await call('vault:unlockWithKeychain', { path: app.vaultPath });
    await call('vault:forget', { path: app.vaultPath });
    const key = await call('vault:createRecoveryKey', { passphrase: PASSPHRASE });
    const recoveryKey = key.ok ? (key.value as { recoveryKey: string }).recoveryKey : '';
    await call('vault:resetPassphrase', { path: app.vaultPath, recoveryKey, newPassphrase: 'CANARY-reset-passphrase' });
    await call('vault:changePassphrase', { current: 'CANARY-reset-passphrase', next: 'CANARY-next-passphrase' });
    await call('vault:changePassphrase', { current: 'CANARY-wrong-current', next: 'CANARY-never-set' });
    await call('vault:removeRecoveryKey');
    expect(recoveryKey).toMatch(/^([0-9A-Z]{4}-){8}[0-9A-Z]{4}$/);
    expect(outputs.filter((o) => o.channel !== 'vault:createRecoveryKey' && o.text.includes(recoveryKey))).toEqual([]);

    expect([...seen].sort()).toEqual([...CHANNELS].sort());
    expect(revealed).toMatchObject({ ok: true, value: { value: CANARY2 } });
    // The value, the imported key's public JWK, then a CSR.
    expect(app.clipboard.writes).toEqual([CANARY2, expect.stringContaining('"kty":"RSA"'), expect.stringContaining('-----BEGIN CERTIFICATE REQUEST-----'), expect.stringMatching(/^coffer-invite:/)]);
    // Events to the renderer carry no value either.
    expect(JSON.stringify(app.events)).not.toContain('CANARY');
    const leaks = outputs.filter((o) => o.channel !== 'secrets:reveal' && o.text.includes('CANARY'));
    expect(leaks).toEqual([]);
    // Nor the passphrase, anywhere.
    expect(outputs.filter((o) => o.text.includes(PASSPHRASE))).toEqual([]);
    expect(app.warnings.join('\n')).not.toContain('CANARY');
  });
});

describe('stripValue', () => {
  const attributes = { enabled: true, created: 1, updated: 2, recoveryLevel: 'Recoverable+Purgeable' as const, recoverableDays: 90 };
  it('drops the value and keeps every other field', () => {
    const b = { id: 'coffer://x/secrets/a/v', value: 'CANARY', contentType: 'text/plain', tags: { t: 'u' }, attributes, managed: true };
    expect(stripValue(b)).toEqual({ id: b.id, contentType: 'text/plain', tags: { t: 'u' }, attributes, managed: true });
    const d = { ...b, recoveryId: 'r', deletedDate: 3, scheduledPurgeDate: 4 };
    expect(stripDeletedValue(d)).toEqual({ id: b.id, contentType: 'text/plain', tags: { t: 'u' }, attributes, managed: true, recoveryId: 'r', deletedDate: 3, scheduledPurgeDate: 4 });
    expect(stripValue({ id: 'i', attributes })).toEqual({ id: 'i', attributes });
  });

  it('outputs drop values even from an engine that returns them (Key Vault SetSecret does)', async () => {
    const app = await startUnlockedApp();
    const secrets = app.services.session.current().secrets as SecretsApi & Record<string, unknown>;
    // Wrap the engine's write operations so that each answers with a value.
    for (const op of ['set', 'update', 'delete', 'recover'] as const) {
      const orig = (secrets[op] as (...a: unknown[]) => Promise<object>).bind(secrets);
      secrets[op] = (async (...args: unknown[]) => ({ ...(await orig(...args)), value: 'CANARY-leak' })) as never;
    }
    const results = [
      await app.call('secrets:set', { name: 'a', value: 'v' }),
      await app.call('secrets:update', { name: 'a', patch: { enabled: true } }),
      await app.call('secrets:delete', { name: 'a' }),
      await app.call('secrets:recover', { name: 'a' }),
    ];
    for (const r of results) expect(r.ok).toBe(true);
    expect(JSON.stringify(results)).not.toContain('CANARY');
  });
});
