/**
 * Screen lock on Linux (issue 4: "auto-lock on OS suspend and screen lock").
 * Electron's powerMonitor emits 'lock-screen' on macOS and Windows only
 * (https://www.electronjs.org/docs/latest/api/power-monitor), so on Linux
 * Coffer listens to the desktop's screen saver itself.
 *
 * Desktops announce a locked screen on the session bus with the signal
 * `ActiveChanged(true)` of their screen-saver interface: the freedesktop one
 * (`org.freedesktop.ScreenSaver`: KDE Plasma, Xfce, LXQt…) or their own
 * (`org.gnome.ScreenSaver`, `org.cinnamon.ScreenSaver`, `org.mate.ScreenSaver`).
 * Coffer runs `dbus-monitor` (from the dbus package every such desktop has)
 * with a match rule for that member, and locks on any `*.ScreenSaver`
 * interface's `ActiveChanged` whose argument is `true`. This needs no native
 * module and no D-Bus library; without dbus-monitor or a session bus it says
 * so once in main's log, and the idle time and suspend still lock the vault.
 */
import type { ChildProcess, SpawnOptions } from 'node:child_process';
import { childProcessEnv } from '../vault/index.js';

export type SpawnLike = (command: string, args: string[], options: SpawnOptions) => Pick<ChildProcess, 'stdout' | 'on' | 'kill'>;

export interface ScreenLockWatcher {
  stop(): void;
}

/** Where dbus-monitor lives on Debian/Ubuntu, Fedora and Arch (absolute: PATH is not trusted). */
export const DBUS_MONITOR_PATHS = ['/usr/bin/dbus-monitor', '/bin/dbus-monitor'];

const MATCH_RULE = "type='signal',member='ActiveChanged'";
const HEADER = /^signal .*\binterface=([\w.]+); member=ActiveChanged$/;

/**
 * Feeds dbus-monitor's text output, line by line, and calls `onLock` for each
 * `<something>.ScreenSaver.ActiveChanged(true)`. Exported for tests.
 */
export function screenLockParser(onLock: () => void): (line: string) => void {
  let pending = false;
  return (line) => {
    const header = HEADER.exec(line);
    if (header) {
      pending = /(^|\.)ScreenSaver$/.test(header[1]!);
      return;
    }
    if (pending && line.trim() !== '') {
      pending = false;
      if (line.trim() === 'boolean true') onLock();
    }
  };
}

export function watchLinuxScreenLock(options: {
  spawn: SpawnLike;
  onLock: () => void;
  log: (message: string) => void;
  env?: NodeJS.ProcessEnv;
  /** Which dbus-monitor exists (tests pass their own). */
  exists: (path: string) => boolean;
  paths?: string[];
}): ScreenLockWatcher {
  const binary = (options.paths ?? DBUS_MONITOR_PATHS).find((p) => options.exists(p));
  if (!binary) {
    options.log('screen lock: dbus-monitor not found, so a locked screen is not noticed on Linux; the idle time and suspend still lock the vault');
    return { stop: () => undefined };
  }
  if (!(options.env ?? process.env).DBUS_SESSION_BUS_ADDRESS && !(options.env ?? process.env).XDG_RUNTIME_DIR) {
    options.log('screen lock: no D-Bus session, so a locked screen is not noticed; the idle time and suspend still lock the vault');
    return { stop: () => undefined };
  }
  let stopped = false;
  const child = options.spawn(binary, ['--session', MATCH_RULE], { stdio: ['ignore', 'pipe', 'ignore'], env: childProcessEnv(options.env ?? process.env) });
  const feed = screenLockParser(options.onLock);
  let buffer = '';
  child.stdout?.setEncoding('utf8');
  child.stdout?.on('data', (chunk: string) => {
    buffer += chunk;
    let i: number;
    while ((i = buffer.indexOf('\n')) >= 0) {
      feed(buffer.slice(0, i));
      buffer = buffer.slice(i + 1);
    }
  });
  child.on('error', (e: Error) => options.log(`screen lock: dbus-monitor could not run (${(e as NodeJS.ErrnoException).code ?? e.name}); the idle time and suspend still lock the vault`));
  child.on('exit', (code: number | null) => {
    if (!stopped) options.log(`screen lock: dbus-monitor ended (exit ${code ?? 'signal'}); a locked screen is no longer noticed; the idle time and suspend still lock the vault`);
  });
  return {
    stop: () => {
      stopped = true;
      child.kill();
    },
  };
}
