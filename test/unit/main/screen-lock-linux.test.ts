/**
 * The Linux screen-lock watcher (electron/main/screen-lock-linux.ts) against a
 * REAL D-Bus session bus and dbus-monitor: the desktop's screen saver signals
 * are sent with dbus-send, as GNOME, KDE, Cinnamon or MATE send them.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { screenLockParser, watchLinuxScreenLock, type ScreenLockWatcher, type SpawnLike } from '../../../electron/main/screen-lock-linux.js';
import { startSecretService, type SecretService } from '../../helpers/secret-service.js';

describe('screenLockParser', () => {
  it('locks on <desktop>.ScreenSaver.ActiveChanged(true) only', () => {
    let locks = 0;
    const feed = screenLockParser(() => locks++);
    const header = (iface: string, member = 'ActiveChanged') =>
      `signal time=1.2 sender=:1.1 -> destination=(null destination) serial=2 path=/x; interface=${iface}; member=${member}`;
    for (const [iface, arg, member] of [
      ['org.freedesktop.ScreenSaver', 'boolean true'],
      ['org.gnome.ScreenSaver', 'boolean true'],
      ['org.cinnamon.ScreenSaver', 'boolean false'],
      ['org.example.NotAScreenSaverThing', 'boolean true'],
      ['org.freedesktop.ScreenSaver', 'boolean true', 'WakeUpScreen'],
    ] as const) {
      feed(header(iface, member));
      feed(`   ${arg}`);
    }
    expect(locks).toBe(2);
  });
});

describe('watchLinuxScreenLock: what dbus-monitor is started with', () => {
  it('an environment without COFFER_* variables (VAULT-MODEL V9), the session bus address kept', () => {
    const started: Array<{ command: string; env: NodeJS.ProcessEnv | undefined }> = [];
    const fakeSpawn: SpawnLike = (command, _args, options) => {
      started.push({ command, env: options.env });
      return { stdout: null, on: () => undefined, kill: () => true } as unknown as ReturnType<SpawnLike>;
    };
    const env = {
      PATH: '/usr/bin',
      DBUS_SESSION_BUS_ADDRESS: 'unix:path=/run/user/1000/bus',
      COFFER_PASSPHRASE: 'canary-screen-lock',
      COFFER_IDENTITY_PASSPHRASE: 'canary-identity',
      COFFER_HOME: '/tmp/profile',
    };
    watchLinuxScreenLock({ spawn: fakeSpawn, exists: () => true, paths: ['/usr/bin/dbus-monitor'], onLock: () => undefined, log: () => undefined, env }).stop();
    expect(started).toHaveLength(1);
    expect(started[0]!.command).toBe('/usr/bin/dbus-monitor');
    expect(started[0]!.env).toEqual({ PATH: '/usr/bin', DBUS_SESSION_BUS_ADDRESS: 'unix:path=/run/user/1000/bus' });
    expect(env.COFFER_PASSPHRASE).toBe('canary-screen-lock'); // the caller's environment is left alone
  });
});

describe('watchLinuxScreenLock on a real session bus', () => {
  let bus: SecretService;
  let watcher: ScreenLockWatcher | undefined;
  beforeAll(async () => {
    bus = await startSecretService();
  });
  afterAll(() => {
    watcher?.stop();
    bus?.stop();
  });

  const send = (path: string, iface: string, value: boolean) => {
    const r = spawnSync('dbus-send', ['--session', '--type=signal', path, `${iface}.ActiveChanged`, `boolean:${value}`], {
      env: { ...process.env, ...bus.env },
    });
    expect(r.status).toBe(0);
  };

  it('locks when the screen saver turns on (freedesktop and GNOME interfaces), not when it turns off', async () => {
    let locks = 0;
    const log: string[] = [];
    watcher = watchLinuxScreenLock({ spawn, exists: existsSync, onLock: () => locks++, log: (m) => log.push(m), env: { ...process.env, ...bus.env } });
    // dbus-monitor needs a moment to register its match rule: send until the first lock arrives.
    await expect
      .poll(
        () => {
          send('/org/freedesktop/ScreenSaver', 'org.freedesktop.ScreenSaver', true);
          return locks;
        },
        { timeout: 10_000, interval: 200 },
      )
      .toBeGreaterThan(0);
    // Signals sent while dbus-monitor was still starting may arrive a little later: let them.
    await new Promise((r) => setTimeout(r, 500));
    const before = locks;
    send('/org/gnome/ScreenSaver', 'org.gnome.ScreenSaver', false);
    send('/org/gnome/ScreenSaver', 'org.gnome.ScreenSaver', true);
    await expect.poll(() => locks, { timeout: 5000 }).toBe(before + 1);
    expect(log).toEqual([]);
  });

  it('says once why a locked screen cannot be noticed: no dbus-monitor, or no session bus', () => {
    const log: string[] = [];
    watchLinuxScreenLock({ spawn, exists: () => false, onLock: () => undefined, log: (m) => log.push(m) }).stop();
    watchLinuxScreenLock({ spawn, exists: existsSync, onLock: () => undefined, log: (m) => log.push(m), env: {} }).stop();
    expect(log).toEqual([
      expect.stringMatching(/dbus-monitor not found.*idle time and suspend still lock/),
      expect.stringMatching(/no D-Bus session.*idle time and suspend still lock/),
    ]);
  });
});
