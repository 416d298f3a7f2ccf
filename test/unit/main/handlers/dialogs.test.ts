/**
 * The file pickers (dialog:chooseVault, dialog:chooseNewVault), the suggested
 * path of a first vault (vault:suggestPath) and the events main sends the
 * renderer when the vault locks, on the real handlers and engine.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PASSPHRASE, startApp, startUnlockedApp } from '../helpers.js';

describe('dialog:chooseVault', () => {
  it('answers the picked file, or null on Cancel, with a .coffer filter and no OS recent-list entry', async () => {
    const app = await startApp();
    app.dialog.willChoose('/home/me/team.coffer').willChoose(null);
    expect(await app.ok('dialog:chooseVault')).toBe('/home/me/team.coffer');
    expect(await app.ok('dialog:chooseVault')).toBeNull();
    expect(app.dialog.shown).toHaveLength(2);
    const opts = app.dialog.shown[0]?.options as { properties: string[]; filters: { extensions: string[] }[] };
    expect(app.dialog.shown[0]?.kind).toBe('open');
    expect(opts.properties).toEqual(['openFile', 'dontAddToRecent']);
    expect(opts.filters[0]?.extensions).toEqual(['coffer']);
  });
});

describe('dialog:chooseNewVault', () => {
  it('adds .coffer to a name typed without it, passes the default path, and answers null on Cancel', async () => {
    const app = await startApp();
    app.dialog.willChoose('/home/me/work').willChoose('/home/me/work.coffer').willChoose('/home/me/W.COFFER').willChoose(null);
    expect(await app.ok('dialog:chooseNewVault', { defaultPath: '/home/me/personal.coffer' })).toBe('/home/me/work.coffer');
    expect(await app.ok('dialog:chooseNewVault', {})).toBe('/home/me/work.coffer');
    // The contract's vault:create wants exactly ".coffer".
    expect(await app.ok('dialog:chooseNewVault', {})).toBe('/home/me/W.COFFER.coffer');
    expect(await app.ok('dialog:chooseNewVault', {})).toBeNull();
    expect(app.dialog.shown[0]).toMatchObject({ kind: 'save', options: { defaultPath: '/home/me/personal.coffer' } });
    expect(app.dialog.shown[1]?.options).not.toHaveProperty('defaultPath');
  });

  it('a picked path creates the vault through vault:create', async () => {
    const app = await startApp();
    app.dialog.willChoose(join(app.dir, 'picked'));
    const path = await app.ok('dialog:chooseNewVault', {});
    expect(path).toBe(join(app.dir, 'picked.coffer'));
    const status = await app.ok('vault:create', { path, passphrase: PASSPHRASE });
    expect(status).toMatchObject({ state: 'unlocked', path });
  });
});

describe('vault:suggestPath', () => {
  it("suggests the profile's personal vault until that file exists", async () => {
    const app = await startApp();
    const personal = join(app.profileDir, 'personal.coffer');
    expect(await app.ok('vault:suggestPath')).toEqual({ path: personal });
    await app.ok('vault:create', { path: personal, passphrase: PASSPHRASE });
    expect(await app.ok('vault:suggestPath')).toEqual({ path: null });
  });

  it('suggests nothing when something else sits at that path', async () => {
    const app = await startApp();
    await app.ok('settings:get');
    await app.services.settings.set({ autoLockMinutes: 5 }); // creates the profile folder
    await writeFile(join(app.profileDir, 'personal.coffer'), 'not a vault');
    expect(await app.ok('vault:suggestPath')).toEqual({ path: null });
  });
});

describe('events to the renderer', () => {
  it("say 'locked' when the vault locks by request or on quit, not when create/open replaces it", async () => {
    const app = await startUnlockedApp();
    expect(app.events).toEqual([]);
    // Opening again replaces the open vault: the renderer is waiting for that answer, no event.
    await app.ok('vault:open', { path: app.vaultPath, passphrase: PASSPHRASE });
    expect(app.events).toEqual([]);
    await app.ok('vault:lock');
    expect(app.events).toEqual([{ type: 'locked' }]);
    // Locking a locked vault changes nothing and says nothing.
    await app.ok('vault:lock');
    expect(app.events).toEqual([{ type: 'locked' }]);
    await app.ok('vault:open', { path: app.vaultPath, passphrase: PASSPHRASE });
    app.services.session.lockNow('quit');
    expect(app.events).toEqual([{ type: 'locked' }, { type: 'locked' }]);
  });
});
