import { mkdtemp, mkdir, chmod, stat, writeFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { defaultVaultPath, ensureProfileDir, resolveProfileDir } from '../../../../electron/vault/store/profile.js';

describe('resolveProfileDir', () => {
  it('uses $COFFER_HOME on every platform', () => {
    expect(resolveProfileDir({ COFFER_HOME: '/tmp/ch' }, 'linux', '/home/u')).toBe('/tmp/ch');
    expect(resolveProfileDir({ COFFER_HOME: '/tmp/ch/', XDG_CONFIG_HOME: '/x' }, 'linux', '/home/u')).toBe('/tmp/ch/');
    expect(resolveProfileDir({ COFFER_HOME: '/Users/u/ch' }, 'darwin', '/Users/u')).toBe('/Users/u/ch');
    expect(resolveProfileDir({ COFFER_HOME: 'D:\\ch', APPDATA: 'C:\\x' }, 'win32', 'C:\\Users\\u')).toBe('D:\\ch');
  });

  it('resolves a relative $COFFER_HOME against the current folder', () => {
    expect(resolveProfileDir({ COFFER_HOME: 'rel/dir' }, process.platform, '/home/u')).toBe(path.resolve('rel/dir'));
  });

  it('ignores an empty $COFFER_HOME', () => {
    expect(resolveProfileDir({ COFFER_HOME: '' }, 'linux', '/home/u')).toBe('/home/u/.config/coffer');
  });

  it('Linux: $XDG_CONFIG_HOME/coffer, default ~/.config/coffer', () => {
    expect(resolveProfileDir({}, 'linux', '/home/u')).toBe('/home/u/.config/coffer');
    expect(resolveProfileDir({ XDG_CONFIG_HOME: '/cfg' }, 'linux', '/home/u')).toBe('/cfg/coffer');
    expect(resolveProfileDir({ XDG_CONFIG_HOME: '' }, 'linux', '/home/u')).toBe('/home/u/.config/coffer');
    // The XDG spec says a relative value is invalid and must be ignored.
    expect(resolveProfileDir({ XDG_CONFIG_HOME: 'cfg' }, 'linux', '/home/u')).toBe('/home/u/.config/coffer');
  });

  it('other Unix platforms follow XDG like Linux', () => {
    expect(resolveProfileDir({}, 'freebsd', '/home/u')).toBe('/home/u/.config/coffer');
  });

  it('macOS: ~/Library/Application Support/Coffer (XDG ignored)', () => {
    expect(resolveProfileDir({ XDG_CONFIG_HOME: '/cfg' }, 'darwin', '/Users/u')).toBe(
      '/Users/u/Library/Application Support/Coffer',
    );
  });

  it('Windows: %APPDATA%\\Coffer, default <home>\\AppData\\Roaming\\Coffer', () => {
    expect(resolveProfileDir({ APPDATA: 'C:\\Users\\u\\AppData\\Roaming' }, 'win32', 'C:\\Users\\u')).toBe(
      'C:\\Users\\u\\AppData\\Roaming\\Coffer',
    );
    expect(resolveProfileDir({}, 'win32', 'C:\\Users\\u')).toBe('C:\\Users\\u\\AppData\\Roaming\\Coffer');
  });

  it('defaults to the real environment', () => {
    const saved = process.env.COFFER_HOME;
    process.env.COFFER_HOME = '/tmp/from-env';
    try {
      expect(resolveProfileDir()).toBe('/tmp/from-env');
    } finally {
      if (saved === undefined) delete process.env.COFFER_HOME;
      else process.env.COFFER_HOME = saved;
    }
  });
});

describe('defaultVaultPath', () => {
  it('is personal.coffer in the profile', () => {
    expect(defaultVaultPath('/p')).toBe(path.join('/p', 'personal.coffer'));
  });
});

describe.skipIf(process.platform === 'win32')('ensureProfileDir', () => {
  let tmp: string;
  beforeEach(async () => {
    tmp = await mkdtemp(path.join(os.tmpdir(), 'coffer-profile-'));
  });
  afterEach(async () => {
    await rm(tmp, { recursive: true, force: true });
  });

  it('creates the folder recursively with mode 0700', async () => {
    const dir = path.join(tmp, 'a', 'b', 'coffer');
    await ensureProfileDir(dir);
    expect((await stat(dir)).mode & 0o777).toBe(0o700);
  });

  it('tightens an existing looser folder to 0700', async () => {
    const dir = path.join(tmp, 'loose');
    await mkdir(dir);
    await chmod(dir, 0o755);
    await ensureProfileDir(dir);
    expect((await stat(dir)).mode & 0o777).toBe(0o700);
  });

  it('leaves a 0700 folder alone and is idempotent', async () => {
    const dir = path.join(tmp, 'ok');
    await ensureProfileDir(dir);
    await ensureProfileDir(dir);
    expect((await stat(dir)).mode & 0o777).toBe(0o700);
  });

  it('refuses a file in the way with IoError naming the path', async () => {
    const file = path.join(tmp, 'file');
    await writeFile(file, 'x');
    await expect(ensureProfileDir(file)).rejects.toMatchObject({ code: 'IoError', message: expect.stringContaining(file) });
  });
});
