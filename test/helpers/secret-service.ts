/**
 * A real Secret Service for the keychain tests (TOOLCHAIN.md "OS keychain"): a
 * private D-Bus session bus and gnome-keyring-daemon on it, with an unlocked
 * "login" collection in throwaway folders. Nothing touches the user's own
 * keyring: the bus is ours, the keyring's files are in a temporary
 * XDG_DATA_HOME, and tests file their entries under their own service name.
 *
 * scripts/test.mjs installs dbus, gnome-keyring and libsecret-tools
 * (Debian/Ubuntu) before the suites run; without them this throws, it never
 * skips.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface SecretService {
  /** DBUS_SESSION_BUS_ADDRESS, XDG_RUNTIME_DIR, XDG_DATA_HOME for child processes. */
  env: Record<string, string>;
  /**
   * Runs `secret-tool` against this service. Never print what `search` writes:
   * it includes the stored secrets; use labels() to look at entries.
   */
  secretTool(args: string[]): { status: number | null; stdout: string; stderr: string };
  /** The labels of the entries filed under keychain service `name` (keyring-rs: "keyring:<account>@<service>"). */
  labels(name: string): string[];
  /** Locks the login collection, as a screen lock or a user would. */
  lock(): void;
  stop(): void;
}

function waitForLine(child: ChildProcess, what: string): Promise<string> {
  return new Promise((resolve, reject) => {
    let buffer = '';
    child.stdout!.on('data', (d: Buffer) => {
      buffer += d.toString();
      const i = buffer.indexOf('\n');
      if (i >= 0) resolve(buffer.slice(0, i).trim());
    });
    child.on('error', (e) => reject(new Error(`${what} did not start: ${e.message} (npm test installs it: apt-get install dbus gnome-keyring)`)));
    child.on('exit', (code) => reject(new Error(`${what} exited with ${code}`)));
  });
}

function dbusSend(env: NodeJS.ProcessEnv, args: string[]): string {
  const r = spawnSync('dbus-send', ['--session', '--print-reply', ...args], { env, encoding: 'utf8', timeout: 10_000 });
  return r.stdout ?? '';
}

export async function startSecretService(): Promise<SecretService> {
  const runtime = mkdtempSync(join(tmpdir(), 'coffer-xdg-runtime-'));
  const data = mkdtempSync(join(tmpdir(), 'coffer-xdg-data-'));
  const bus = spawn('dbus-daemon', ['--session', '--nofork', '--nopidfile', '--print-address=1'], { stdio: ['ignore', 'pipe', 'ignore'] });
  const address = await waitForLine(bus, 'dbus-daemon');
  const env = { DBUS_SESSION_BUS_ADDRESS: address, XDG_RUNTIME_DIR: runtime, XDG_DATA_HOME: data };
  const childEnv = { ...process.env, ...env };
  const keyring = spawn('gnome-keyring-daemon', ['--foreground', '--unlock', '--components=secrets'], {
    env: childEnv,
    stdio: ['pipe', 'ignore', 'ignore'],
  });
  keyring.on('error', () => undefined);
  // --unlock reads the login keyring's password from stdin: the collection starts unlocked.
  keyring.stdin!.end('coffer-test-keyring-password');
  const stop = (): void => {
    keyring.kill();
    bus.kill();
    rmSync(runtime, { recursive: true, force: true });
    rmSync(data, { recursive: true, force: true });
  };
  const started = Date.now();
  while (!dbusSend(childEnv, ['--dest=org.freedesktop.DBus', '/org/freedesktop/DBus', 'org.freedesktop.DBus.NameHasOwner', 'string:org.freedesktop.secrets']).includes('true')) {
    if (Date.now() - started > 15_000) {
      stop();
      throw new Error('gnome-keyring-daemon did not register org.freedesktop.secrets within 15 s');
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    env,
    secretTool: (args) => {
      const r = spawnSync('secret-tool', args, { env: childEnv, encoding: 'utf8', timeout: 10_000 });
      return { status: r.status, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
    },
    labels: (name) => {
      const r = spawnSync('secret-tool', ['search', '--all', 'service', name], { env: childEnv, encoding: 'utf8', timeout: 10_000 });
      return `${r.stdout ?? ''}\n${r.stderr ?? ''}`
        .split('\n')
        .filter((l) => l.startsWith('label = '))
        .map((l) => l.slice('label = '.length));
    },
    lock: () => {
      // The daemon may answer before the collection reports itself locked (seen under load in
      // CI): wait until it does, so a test never reads a keychain it believes locked.
      const locked = (): boolean =>
        /boolean true/.test(
          dbusSend(childEnv, [
            '--dest=org.freedesktop.secrets',
            '/org/freedesktop/secrets/collection/login',
            'org.freedesktop.DBus.Properties.Get',
            'string:org.freedesktop.Secret.Collection',
            'string:Locked',
          ]),
        );
      const started = Date.now();
      do {
        dbusSend(childEnv, [
          '--dest=org.freedesktop.secrets',
          '/org/freedesktop/secrets',
          'org.freedesktop.Secret.Service.Lock',
          'array:objpath:/org/freedesktop/secrets/collection/login',
        ]);
        if (locked()) return;
        Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 100);
      } while (Date.now() - started < 15_000);
      throw new Error('gnome-keyring-daemon did not lock the login collection within 15 s');
    },
    stop,
  };
}
