/**
 * `vault:conflictedCopies` and `vault:mergeConflictedCopies` through the real
 * gate and handlers on the real engine, with the vault open in the app: a
 * Dropbox copy written by another computer is found and merged in place, a
 * Syncthing copy of another vault is left with its reason, the open session
 * sees the merged secret without a relock, the merged copy is renamed aside,
 * and a save racing the merge is kept (both hold the vault's lock).
 */
import { copyFile, readdir } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createVault, openVault } from '../../../../electron/vault/vault.js';
import { removeTempDirs, TEST_KDF } from '../../../helpers/vault.js';
import { PASSPHRASE, startApp, startUnlockedApp, type TestApp } from '../helpers.js';

afterAll(removeTempDirs);

const enc = (s: string) => new TextEncoder().encode(s);

describe('conflicted copies of the open vault (real handlers and engine)', () => {
  let app: TestApp;
  let dropbox: string;
  let syncthing: string;

  it('finds nothing beside a vault without conflicted copies', async () => {
    app = await startUnlockedApp();
    await app.ok('secrets:set', { name: 'shared', value: 'v1' });
    expect(await app.ok('vault:conflictedCopies')).toEqual([]);
  });

  it("lists a copy of this vault as mergeable and another vault's copy with its reason", async () => {
    // Another computer changed the vault before it heard of this one's change: Dropbox kept its file beside it.
    dropbox = join(app.dir, "test (Ann's conflicted copy 2026-12-04).coffer");
    await copyFile(app.vaultPath, dropbox);
    const laptop = await openVault({ path: dropbox, profileDir: join(app.dir, 'laptop-profile'), passphrase: enc(PASSPHRASE) });
    await laptop.secrets.set({ name: 'from-laptop', value: enc('laptop value') });
    laptop.close();
    await laptop.settled();
    await app.ok('secrets:set', { name: 'from-here', value: 'here value' });
    syncthing = join(app.dir, 'test.sync-conflict-20261204-101500-ABCDEF7.coffer');
    const other = await createVault({ path: syncthing, profileDir: join(app.dir, 'other-profile'), passphrase: enc('other'), kdf: TEST_KDF });
    other.close();
    await other.settled();

    const copies = await app.ok('vault:conflictedCopies');
    expect(copies).toEqual([
      { path: dropbox, name: basename(dropbox), service: 'dropbox', mergeable: true, reason: null },
      { path: syncthing, name: basename(syncthing), service: 'syncthing', mergeable: false, reason: expect.stringMatching(/^a copy of another vault \(id [0-9a-f]{32}, not [0-9a-f]{32}\); left as it is$/) },
    ]);
    // Finding reads headers only: the open vault has not taken anything in.
    expect((await app.ok('secrets:list')).map((s) => s.id.split('/').pop())).not.toContain('from-laptop');
  });

  it('merges the copy into the open vault: the session sees it without a relock, the copy is renamed aside', async () => {
    const merged = await app.ok('vault:mergeConflictedCopies');
    const [first, second] = merged;
    expect(first).toMatchObject({ path: dropbox, name: basename(dropbox), service: 'dropbox', merged: true, movedTo: expect.stringMatching(new RegExp(`^${basename(dropbox).replace(/[.()]/g, '\\$&')}\\.merged-\\d{8}T\\d{6}Z$`)) });
    expect(first?.merged && first.added).toBeGreaterThanOrEqual(1);
    expect(second).toMatchObject({ path: syncthing, service: 'syncthing', merged: false, code: 'BadParameter' });
    expect(await app.ok('vault:status')).toMatchObject({ state: 'unlocked', path: app.vaultPath, vault: { counts: { secrets: 3 } } });

    // Nothing was written since: what the list shows is the refresh's.
    expect((await app.ok('secrets:list')).map((s) => s.id.split('/').pop()).sort()).toEqual(['from-here', 'from-laptop', 'shared']);
    expect(await app.ok('secrets:reveal', { name: 'from-laptop' })).toMatchObject({ value: 'laptop value' });
    // The copy is beside the vault under its new name; only the other vault's copy is still found.
    const files = await readdir(app.dir);
    expect(files).not.toContain(basename(dropbox));
    expect(files.filter((f) => f.startsWith(`${basename(dropbox)}.merged-`))).toHaveLength(1);
    expect((await app.ok('vault:conflictedCopies')).map((c) => c.name)).toEqual([basename(syncthing)]);
  });

  it("a save racing the merge is kept, and so is the copy's change (both hold the vault's lock)", async () => {
    const onedrive = join(app.dir, 'test-LAPTOP.coffer');
    await copyFile(app.vaultPath, onedrive);
    const laptop = await openVault({ path: onedrive, profileDir: join(app.dir, 'laptop-profile'), passphrase: enc(PASSPHRASE) });
    await laptop.secrets.set({ name: 'from-onedrive', value: enc('v') });
    laptop.close();
    await laptop.settled();

    const [merged, saved] = await Promise.all([app.ok('vault:mergeConflictedCopies'), app.ok('secrets:set', { name: 'during-merge', value: 'raced' })]);
    expect(saved.id).toContain('/secrets/during-merge/');
    expect(merged.filter((c) => c.merged).map((c) => c.service)).toEqual(['onedrive']);
    expect((await app.ok('secrets:list')).map((s) => s.id.split('/').pop()).sort()).toEqual(['during-merge', 'from-here', 'from-laptop', 'from-onedrive', 'shared']);

    // Writes go on, and a fresh open of the file reads everything.
    await app.ok('secrets:set', { name: 'after-merge', value: 'v' });
    await app.ok('vault:lock');
    const reopened = await app.ok('vault:open', { path: app.vaultPath, passphrase: PASSPHRASE });
    expect(reopened.state === 'unlocked' && reopened.vault.counts.secrets).toBe(6);
  });

  it('refuses both while no vault is open (VaultLocked)', async () => {
    const locked = await startApp();
    expect(await locked.call('vault:conflictedCopies')).toMatchObject({ ok: false, code: 'VaultLocked' });
    expect(await locked.call('vault:mergeConflictedCopies')).toMatchObject({ ok: false, code: 'VaultLocked' });
  });
});
