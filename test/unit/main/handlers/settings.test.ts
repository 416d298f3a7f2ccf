/** `<profile>/settings.json`: defaults, persistence, mode 0600, atomic writes, damaged files, older files, the recent list. */
import { mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { MAX_RECENT, SettingsStore } from '../../../../electron/main/handlers/settings.js';
import { makeTempDir, removeTempDirs } from '../../../helpers/vault.js';

afterAll(removeTempDirs);

async function store(init?: string) {
  const profileDir = join(await makeTempDir('coffer-settings-'), 'profile');
  if (init !== undefined) {
    await mkdir(profileDir, { recursive: true, mode: 0o700 });
    await writeFile(join(profileDir, 'settings.json'), init);
  }
  const warnings: string[] = [];
  let t = 1000;
  const s = new SettingsStore({ profileDir, now: () => t++, onWarning: (m) => warnings.push(m) });
  return { s, profileDir, warnings, file: join(profileDir, 'settings.json') };
}

describe('SettingsStore', () => {
  it('gives the defaults without a file and writes nothing until a change', async () => {
    const { s, profileDir } = await store();
    expect(await s.get()).toEqual({ clipboardClearSeconds: 30, autoLockMinutes: 5, lockOnMinimize: false });
    expect(await s.recent()).toEqual([]);
    await expect(stat(profileDir)).rejects.toThrow();
  });

  it('persists changes in a 0600 file in a 0700 profile, read back by a new store', async () => {
    const { s, profileDir, file } = await store();
    await s.set({ clipboardClearSeconds: 45 });
    await s.addRecent('/v/a.coffer');
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect((await stat(profileDir)).mode & 0o777).toBe(0o700);
    const again = new SettingsStore({ profileDir });
    expect(await again.get()).toEqual({ clipboardClearSeconds: 45, autoLockMinutes: 5, lockOnMinimize: false });
    expect((await again.recent()).map((r) => r.path)).toEqual(['/v/a.coffer']);
    // Atomic write: no temp file left beside it.
    expect(await readdir(profileDir)).toEqual(['settings.json']);
  });

  it('keeps keys it does not know (the CLI shares the file)', async () => {
    const { s, file } = await store(JSON.stringify({ cliThing: { a: 1 }, autoLockMinutes: 9 }));
    await s.set({ clipboardClearSeconds: 20 });
    expect(JSON.parse(await readFile(file, 'utf8'))).toEqual({ cliThing: { a: 1 }, autoLockMinutes: 9, clipboardClearSeconds: 20, lockOnMinimize: false, recentVaults: [] });
  });

  it('falls back field by field on a damaged file, and warns on one that is not JSON', async () => {
    const bad = await store(JSON.stringify({ clipboardClearSeconds: -1, autoLockMinutes: 7, recentVaults: [{ path: '/ok.coffer', lastOpened: 5 }, { path: 3 }, 'x'] }));
    expect(await bad.s.get()).toEqual({ clipboardClearSeconds: 30, autoLockMinutes: 7, lockOnMinimize: false });
    expect((await bad.s.recent()).map((r) => r.path)).toEqual(['/ok.coffer']);
    const notJson = await store('{not json');
    expect(await notJson.s.get()).toEqual({ clipboardClearSeconds: 30, autoLockMinutes: 5, lockOnMinimize: false });
    expect(notJson.warnings).toEqual([expect.stringContaining('not JSON')]);
    const array = await store('[1,2]');
    expect(await array.s.get()).toEqual({ clipboardClearSeconds: 30, autoLockMinutes: 5, lockOnMinimize: false });
  });

  it('lockOnMinimize: off by default, saved and read back, and off for a settings file from before it existed', async () => {
    const { s, profileDir, file } = await store();
    expect((await s.get()).lockOnMinimize).toBe(false);
    expect(await s.set({ lockOnMinimize: true })).toEqual({ clipboardClearSeconds: 30, autoLockMinutes: 5, lockOnMinimize: true });
    expect(JSON.parse(await readFile(file, 'utf8'))).toMatchObject({ lockOnMinimize: true });
    expect((await new SettingsStore({ profileDir }).get()).lockOnMinimize).toBe(true);
    // Another field's change keeps it.
    await s.set({ autoLockMinutes: 9 });
    expect((await new SettingsStore({ profileDir }).get()).lockOnMinimize).toBe(true);
    await s.set({ lockOnMinimize: false });
    expect((await new SettingsStore({ profileDir }).get()).lockOnMinimize).toBe(false);
    // Issue 3's file: the other fields as they were, lockOnMinimize off, and written out on the next change.
    const old = await store(JSON.stringify({ clipboardClearSeconds: 40, autoLockMinutes: 6, recentVaults: [] }));
    expect(await old.s.get()).toEqual({ clipboardClearSeconds: 40, autoLockMinutes: 6, lockOnMinimize: false });
    await old.s.set({ clipboardClearSeconds: 41 });
    expect(JSON.parse(await readFile(old.file, 'utf8'))).toEqual({ clipboardClearSeconds: 41, autoLockMinutes: 6, lockOnMinimize: false, recentVaults: [] });
    // Not a boolean (hand-edited): the default, field by field.
    for (const bad of ['true', 1, null, { on: true }]) {
      const b = await store(JSON.stringify({ lockOnMinimize: bad, autoLockMinutes: 7 }));
      expect(await b.s.get()).toEqual({ clipboardClearSeconds: 30, autoLockMinutes: 7, lockOnMinimize: false });
    }
  });

  it('recent list: most recent first, no duplicates, at most MAX_RECENT, with exists', async () => {
    const { s, profileDir } = await store();
    for (let i = 0; i < MAX_RECENT + 3; i++) await s.addRecent(`/v/${i}.coffer`);
    await s.addRecent('/v/5.coffer');
    const recent = await s.recent();
    expect(recent).toHaveLength(MAX_RECENT);
    expect(recent[0]).toEqual({ path: '/v/5.coffer', lastOpened: 1000 + MAX_RECENT + 3, exists: false });
    expect(new Set(recent.map((r) => r.path)).size).toBe(MAX_RECENT);
    await writeFile(join(profileDir, 'real.coffer'), 'x');
    await s.addRecent(join(profileDir, 'real.coffer'));
    expect((await s.recent())[0]).toMatchObject({ exists: true });
  });

  it('concurrent changes are all kept (writes are queued)', async () => {
    const { s, profileDir } = await store();
    await Promise.all([s.set({ clipboardClearSeconds: 11 }), s.set({ autoLockMinutes: 12 }), s.addRecent('/a.coffer'), s.addRecent('/b.coffer')]);
    const again = new SettingsStore({ profileDir });
    expect(await again.get()).toEqual({ clipboardClearSeconds: 11, autoLockMinutes: 12, lockOnMinimize: false });
    expect((await again.recent()).map((r) => r.path)).toEqual(['/b.coffer', '/a.coffer']);
  });

  it('a failed save changes nothing in memory', async () => {
    const dir = await makeTempDir('coffer-settings-');
    // The profile path is a file: ensureProfileDir fails.
    await writeFile(join(dir, 'profile'), 'x');
    const s = new SettingsStore({ profileDir: join(dir, 'profile') });
    await expect(s.set({ clipboardClearSeconds: 99 })).rejects.toMatchObject({ code: 'IoError' });
    expect(await s.get()).toEqual({ clipboardClearSeconds: 30, autoLockMinutes: 5, lockOnMinimize: false });
  });
});
