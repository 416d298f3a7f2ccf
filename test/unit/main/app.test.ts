/**
 * electron/main/app.ts with every Electron module faked: the order of
 * start-up (core dumps off first), the single-instance lock, the hardened
 * window and its policies, the app:// handler, the IPC gate with the real
 * handlers, the menu, and locking on window close, quit, OS suspend, screen
 * lock and (when Settings says so) minimise. (The real binary runs only in
 * test/e2e/electron-smoke.test.ts, when present.)
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { APP_URL, isDevelopment, startApp, type BrowserWindowLike, type ElectronLike, type WebContentsLike } from '../../../electron/main/app.js';
import type { MenuItemData } from '../../../electron/main/menu.js';
import { CONTENT_SECURITY_POLICY, handleAppRequest } from '../../../electron/main/protocol.js';
import type { MainWindowOptions } from '../../../electron/main/window-options.js';
import { EVENT_CHANNEL, ipcChannel } from '../../../shared/contract.js';
import { makeTempDir } from '../../helpers/vault.js';
import { FakeClipboard, FakeClipboardItem, FakeIpcMain, frame } from './helpers.js';

// Listeners of every signature live in one map, as in Node's EventEmitter.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Listener = (...args: any[]) => unknown;

class FakeEmitter {
  readonly listeners = new Map<string, Listener[]>();
  on(event: string, l: Listener): this {
    this.listeners.set(event, [...(this.listeners.get(event) ?? []), l]);
    return this;
  }
  once(event: string, l: Listener): this {
    return this.on(event, l);
  }
  emit(event: string, ...args: unknown[]): void {
    for (const l of this.listeners.get(event) ?? []) l(...args);
  }
}

class FakeWebContents extends FakeEmitter implements WebContentsLike {
  sent: { channel: string; payload: unknown }[] = [];
  windowOpenHandler: ((d: { url: string }) => { action: 'deny' }) | undefined;
  destroyed = false;
  setWindowOpenHandler(h: (d: { url: string }) => { action: 'deny' }): void {
    this.windowOpenHandler = h;
  }
  send(channel: string, payload: unknown): void {
    this.sent.push({ channel, payload });
  }
  isDestroyed(): boolean {
    return this.destroyed;
  }
  /** Fires will-navigate as Chromium would; answers whether the navigation went ahead. */
  navigate(event: 'will-navigate' | 'will-redirect', url: string): boolean {
    let prevented = false;
    this.emit(event, { preventDefault: () => (prevented = true) }, url);
    return !prevented;
  }
}

function fakeElectron(opts: { packaged?: boolean; singleInstance?: boolean; appPath?: string } = {}) {
  const log: string[] = [];
  /** Electron's powerMonitor: its events are fired by the test (emit('suspend'), emit('lock-screen')). */
  const powerMonitor = new FakeEmitter();
  const windows: FakeWindow[] = [];
  const app = new (class extends FakeEmitter {
    isPackaged = opts.packaged ?? false;
    paths: Record<string, string> = {};
    quits = 0;
    getAppPath = () => opts.appPath ?? '/opt/coffer';
    setPath = (name: string, p: string) => {
      log.push(`setPath ${name}`);
      this.paths[name] = p;
    };
    requestSingleInstanceLock = () => {
      log.push('requestSingleInstanceLock');
      return opts.singleInstance ?? true;
    };
    private resolveReady!: () => void;
    private readyPromise = new Promise<void>((r) => (this.resolveReady = r));
    whenReady = () => this.readyPromise;
    becomeReady = () => {
      log.push('ready');
      this.resolveReady();
    };
    getVersion = () => '0.1.0';
    setAboutPanelOptions = () => undefined;
    quit = () => {
      this.quits++;
      let prevented = false;
      this.emit('before-quit', { preventDefault: () => (prevented = true) });
      if (!prevented) log.push('quit');
    };
  })();
  class FakeWindow extends FakeEmitter implements BrowserWindowLike {
    readonly webContents = new FakeWebContents();
    loaded: string[] = [];
    contentProtection = false;
    shown = false;
    focused = 0;
    destroyed = false;
    constructor(readonly options: MainWindowOptions) {
      super();
      windows.push(this);
      log.push('new BrowserWindow');
      // As Electron does: every web contents is announced before it loads anything.
      app.emit('web-contents-created', {}, this.webContents);
    }
    async loadURL(url: string) {
      this.loaded.push(url);
    }
    show() {
      this.shown = true;
    }
    focus() {
      this.focused++;
    }
    restore() {}
    isMinimized() {
      return false;
    }
    /** As the user minimising the window: Electron fires 'minimize'. */
    minimize() {
      this.emit('minimize');
    }
    isDestroyed() {
      return this.destroyed;
    }
    setContentProtection(v: boolean) {
      this.contentProtection = v;
    }
  }
  const schemes: unknown[] = [];
  const protocolHandlers = new Map<string, (r: Request) => Promise<Response>>();
  const permission: { request?: unknown; check?: unknown } = {};
  let beforeRequest: ((d: { url: string }, cb: (r: { cancel: boolean }) => void) => void) | undefined;
  let menu: MenuItemData[] | undefined;
  const ipcMain = new FakeIpcMain();
  const clipboard = new FakeClipboard();
  const electron: ElectronLike<FakeWindow> = {
    app,
    BrowserWindow: FakeWindow,
    ipcMain,
    protocol: {
      registerSchemesAsPrivileged: (s) => {
        log.push('registerSchemesAsPrivileged');
        schemes.push(...s);
      },
      handle: (scheme, h) => {
        protocolHandlers.set(scheme, h);
      },
    },
    session: {
      defaultSession: {
        setPermissionRequestHandler: (h) => (permission.request = h),
        setPermissionCheckHandler: (h) => (permission.check = h),
        webRequest: { onBeforeRequest: (l) => (beforeRequest = l) },
      },
    },
    Menu: {
      buildFromTemplate: (t) => t,
      setApplicationMenu: (m) => {
        menu = m as MenuItemData[];
      },
    },
    clipboard,
    ClipboardItem: FakeClipboardItem,
    powerMonitor,
    dialog: {
      showOpenDialog: async () => ({ canceled: true, filePaths: [] }),
      showSaveDialog: async () => ({ canceled: true }),
    },
    nativeTheme: { shouldUseDarkColors: true },
  };
  const blocked = (url: string) => {
    let cancel: boolean | undefined;
    beforeRequest?.({ url }, (r) => (cancel = r.cancel));
    return cancel;
  };
  /** The Linux screen-lock watcher (screen-lock-linux.ts), fired by the test: screenLock.lock(). */
  const screenLock = {
    listeners: [] as (() => void)[],
    lock: () => screenLock.listeners.forEach((l) => l()),
  };
  const watchScreenLock = (onLock: () => void) => {
    screenLock.listeners.push(onLock);
    return { stop: () => log.push('screen-lock watcher stopped') };
  };
  return { electron, app, log, windows, schemes, protocolHandlers, permission, blocked, ipcMain, clipboard, powerMonitor, screenLock, watchScreenLock, menu: () => menu };
}

/**
 * Core-dump settings written into the start-up log instead of this test
 * process's own /proc files (core-dumps.test.ts runs them for real).
 */
function fakeCoreDumps(log: string[]): NonNullable<Parameters<typeof startApp>[1]>['coreDumps'] {
  return {
    pid: 4242,
    writeFile: (path, data) => log.push(`write ${path} ${data}`),
    exists: (path) => path === '/usr/bin/prlimit',
    run: async (file, args) => {
      log.push(`run ${file} ${args.join(' ')}`);
    },
  };
}

/** Started, with a vault open and a value copied to the (fake) clipboard. */
async function startedWithCopy() {
  const f = await started();
  const services = f.running.services!;
  await services.handlers['vault:create']({ path: join(f.home, 'v.coffer'), passphrase: 'p' });
  await services.handlers['secrets:set']({ name: 'a', value: 'copied value' });
  await services.handlers['secrets:copy']({ name: 'a' });
  expect(f.clipboard.text).toBe('copied value');
  return { f, services };
}

async function started(opts: Parameters<typeof fakeElectron>[0] = {}) {
  const home = await makeTempDir('coffer-app-');
  const f = fakeElectron(opts);
  const appLog: string[] = [];
  const running = startApp(f.electron, {
    env: { COFFER_HOME: home },
    platform: 'linux',
    log: (m) => appLog.push(m),
    coreDumps: fakeCoreDumps(f.log), watchScreenLock: f.watchScreenLock,
  });
  f.app.becomeReady();
  await running.ready;
  return { ...f, running, home, appLog };
}

const findItem = (items: MenuItemData[], label: string): MenuItemData | undefined =>
  items.flatMap((i) => [i, ...(i.submenu ?? [])]).find((i) => i.label === label);

describe('startApp', () => {
  it('turns core dumps off first, then puts Chromium data in the profile and takes the single-instance lock, the scheme before ready', async () => {
    const f = await started();
    expect(f.log.slice(0, 6)).toEqual([
      'write /proc/self/coredump_filter 0',
      'run /usr/bin/prlimit --pid 4242 --core=0:0',
      'setPath userData',
      'requestSingleInstanceLock',
      'registerSchemesAsPrivileged',
      'ready',
    ]);
    expect(await f.running.coreDumps).toEqual({ coredumpFilter: 'applied', rlimitCore: 'applied' });
    expect(f.appLog).toEqual([]);
    expect(f.app.paths.userData).toBe(join(f.home, 'electron'));
    expect(f.schemes).toEqual([{ scheme: 'app', privileges: { standard: true, secure: true } }]);
  });

  it('a second instance quits at once and the first focuses its window', async () => {
    const f = fakeElectron({ singleInstance: false });
    const running = startApp(f.electron, { env: { COFFER_HOME: await makeTempDir('coffer-app-') }, platform: 'linux', coreDumps: fakeCoreDumps(f.log), watchScreenLock: f.watchScreenLock });
    expect(running.services).toBeNull();
    // Core dumps are off even in the instance that quits at once.
    expect(f.log[0]).toBe('write /proc/self/coredump_filter 0');
    expect(f.app.quits).toBe(1);
    expect(f.log).not.toContain('registerSchemesAsPrivileged');
    const first = await started();
    first.app.emit('second-instance');
    expect(first.windows[0]?.focused).toBe(1);
  });

  it('opens one hardened window on app://coffer/index.html with content protection, shown when ready', async () => {
    const f = await started();
    expect(f.windows).toHaveLength(1);
    const w = f.windows[0]!;
    expect(w.loaded).toEqual([APP_URL]);
    expect(APP_URL).toBe('app://coffer/index.html');
    expect(w.contentProtection).toBe(true);
    expect(w.options.show).toBe(false);
    expect(w.options.webPreferences).toMatchObject({ sandbox: true, contextIsolation: true, nodeIntegration: false, webviewTag: false });
    expect(w.options.webPreferences.preload).toBe(join('/opt/coffer', 'dist', 'preload', 'index.cjs'));
    // Dark OS theme: the window is painted dark before the first frame.
    expect(w.options.backgroundColor).toBe('#1c1c1f');
    w.emit('ready-to-show');
    expect(w.shown).toBe(true);
  });

  it('devtools only in development (unpackaged, unless COFFER_DEVTOOLS=0)', async () => {
    expect((await started({ packaged: true })).windows[0]?.options.webPreferences.devTools).toBe(false);
    expect((await started({ packaged: false })).windows[0]?.options.webPreferences.devTools).toBe(true);
    expect(isDevelopment({ isPackaged: false }, { COFFER_DEVTOOLS: '0' })).toBe(false);
  });

  it('every web contents refuses navigation away, new windows and webviews', async () => {
    const f = await started();
    const wc = f.windows[0]!.webContents;
    expect(wc.navigate('will-navigate', 'app://coffer/index.html')).toBe(true);
    expect(wc.navigate('will-navigate', 'https://evil.example/')).toBe(false);
    expect(wc.navigate('will-redirect', 'file:///etc/passwd')).toBe(false);
    expect(wc.windowOpenHandler?.({ url: 'app://coffer/' })).toEqual({ action: 'deny' });
    let prevented = false;
    wc.emit('will-attach-webview', { preventDefault: () => (prevented = true) });
    expect(prevented).toBe(true);
  });

  it('denies every permission and cancels every request but the app’s own', async () => {
    const f = await started({ packaged: true });
    let granted: boolean | undefined;
    (f.permission.request as (wc: unknown, p: string, cb: (g: boolean) => void) => void)({}, 'clipboard-read', (g) => (granted = g));
    expect(granted).toBe(false);
    expect((f.permission.check as (wc: unknown, p: string) => boolean)({}, 'notifications')).toBe(false);
    expect(f.blocked('app://coffer/assets/index.js')).toBe(false);
    expect(f.blocked('https://example.com/')).toBe(true);
    expect(f.blocked('devtools://devtools/bundled/inspector.html')).toBe(true);
  });

  it('serves the renderer bundle on app:// with the CSP; other methods get 405', async () => {
    const dir = await makeTempDir('coffer-bundle-');
    await mkdir(join(dir, 'dist', 'renderer'), { recursive: true });
    await writeFile(join(dir, 'dist', 'renderer', 'index.html'), '<!doctype html><title>Coffer</title>');
    const f = await started({ appPath: dir });
    const handler = f.protocolHandlers.get('app')!;
    const ok = await handler(new Request('app://coffer/index.html'));
    expect(ok.status).toBe(200);
    expect(ok.headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY);
    expect(await ok.text()).toContain('<title>Coffer</title>');
    expect((await handler(new Request('app://coffer/../../etc/passwd'))).status).not.toBe(200);
    expect((await handleAppRequest(new Request('app://coffer/index.html', { method: 'POST', body: 'x' }), dir)).status).toBe(405);
    const head = await handleAppRequest(new Request('app://coffer/index.html', { method: 'HEAD' }), join(dir, 'dist', 'renderer'));
    expect(head.status).toBe(200);
    expect(await head.text()).toBe('');
  });

  it('registers the real handlers behind the gate for app://coffer only', async () => {
    const f = await started();
    const ok = (await f.ipcMain.invoke(ipcChannel('vault:status'), frame('app://coffer/index.html'), {})) as { ok: boolean };
    expect(ok).toEqual({ ok: true, value: { state: 'locked', path: null, remembered: false } });
    const refused = (await f.ipcMain.invoke(ipcChannel('vault:status'), frame('https://evil.example/'), {})) as { ok: boolean; code: string };
    expect(refused).toMatchObject({ ok: false, code: 'Forbidden' });
    expect(f.appLog.some((m) => m.startsWith('refused vault:status'))).toBe(true);
  });

  it('the menu: Lock locks in main and tells the page; New secret and Find go to the page as commands', async () => {
    const f = await started();
    const services = f.running.services!;
    await services.handlers['vault:create']({ path: join(f.home, 'v.coffer'), passphrase: 'p' });
    const menu = f.menu()!;
    findItem(menu, 'New Secret')?.click?.();
    findItem(menu, 'Find')?.click?.();
    findItem(menu, 'Lock')?.click?.();
    await services.session.lock(); // queued after the menu's lock
    expect(services.session.isUnlocked).toBe(false);
    expect(f.windows[0]!.webContents.sent).toEqual([
      { channel: EVENT_CHANNEL, payload: { type: 'command', command: 'newSecret' } },
      { channel: EVENT_CHANNEL, payload: { type: 'command', command: 'find' } },
      { channel: EVENT_CHANNEL, payload: { type: 'locked' } },
    ]);
  });

  it('closing the last window locks the vault and quits (Linux, Windows); quit clears a copied value first', async () => {
    const { f, services } = await startedWithCopy();
    f.app.emit('window-all-closed');
    expect(services.session.isUnlocked).toBe(false);
    expect(f.clipboard.text).toBe('');
    // The quit was held for the clipboard, then went ahead.
    await services.settled();
    await new Promise((r) => setImmediate(r));
    expect(f.log.at(-1)).toBe('quit');
  });

  it('a core-dump step that fails is logged (its error code only) and the app starts anyway', async () => {
    const f = fakeElectron();
    const appLog: string[] = [];
    const running = startApp(f.electron, {
      env: { COFFER_HOME: await makeTempDir('coffer-app-') },
      platform: 'linux',
      log: (m) => appLog.push(m),
      coreDumps: {
        writeFile: () => {
          throw Object.assign(new Error('EACCES: permission denied, open /proc/self/coredump_filter'), { code: 'EACCES' });
        },
        prlimitPaths: [],
      },
      watchScreenLock: f.watchScreenLock,
    });
    f.app.becomeReady();
    await running.ready;
    expect(await running.coreDumps).toEqual({ coredumpFilter: 'failed (EACCES)', rlimitCore: 'unavailable (no prlimit)' });
    expect(appLog).toEqual([
      'core dumps: coredump_filter could not be set: failed (EACCES)',
      'core dumps: RLIMIT_CORE could not be set to 0: unavailable (no prlimit)',
    ]);
    expect(f.windows).toHaveLength(1);
  });

  it('macOS and Windows: no core-dump step is run (nothing to do there)', async () => {
    for (const platform of ['darwin', 'win32'] as const) {
      const f = fakeElectron();
      const running = startApp(f.electron, { env: { COFFER_HOME: await makeTempDir('coffer-app-') }, platform, coreDumps: fakeCoreDumps(f.log), watchScreenLock: f.watchScreenLock });
      expect(await running.coreDumps).toEqual({ coredumpFilter: 'not applicable', rlimitCore: 'not applicable' });
      expect(f.log.filter((l) => l.startsWith('write') || l.startsWith('run'))).toEqual([]);
    }
  });

  it('Linux: a locked screen reported on D-Bus (screen-lock-linux.ts) locks the vault and tells the page; the watcher stops on quit', async () => {
    const { f, services } = await startedWithCopy();
    expect(f.screenLock.listeners).toHaveLength(1);
    f.screenLock.lock();
    expect(services.session.isUnlocked).toBe(false);
    expect(f.clipboard.text).toBe('');
    expect(f.windows[0]!.webContents.sent).toEqual([{ channel: EVENT_CHANNEL, payload: { type: 'locked' } }]);
    f.app.emit('will-quit');
    expect(f.log).toContain('screen-lock watcher stopped');
  });

  describe.each(['suspend', 'lock-screen'] as const)("the OS's '%s' (powerMonitor)", (event) => {
    it('locks the vault, clears a copied value and tells the page', async () => {
      const { f, services } = await startedWithCopy();
      f.powerMonitor.emit(event);
      expect(services.session.isUnlocked).toBe(false);
      expect(f.clipboard.text).toBe('');
      expect(f.windows[0]!.webContents.sent).toEqual([{ channel: EVENT_CHANNEL, payload: { type: 'locked' } }]);
      // Already locked: nothing more happens (no second event).
      f.powerMonitor.emit(event);
      expect(f.windows[0]!.webContents.sent).toHaveLength(1);
    });

    it('is listened to from ready on', async () => {
      const f = fakeElectron();
      const running = startApp(f.electron, { env: { COFFER_HOME: await makeTempDir('coffer-app-') }, platform: 'linux', coreDumps: fakeCoreDumps(f.log), watchScreenLock: f.watchScreenLock });
      expect(f.powerMonitor.listeners.get(event)).toBeUndefined();
      f.app.becomeReady();
      await running.ready;
      expect(f.powerMonitor.listeners.get(event)).toHaveLength(1);
    });
  });

  it("minimising the window locks only when Settings' lockOnMinimize is on, read when it happens", async () => {
    const f = await started();
    const services = f.running.services!;
    await services.handlers['vault:create']({ path: join(f.home, 'v.coffer'), passphrase: 'p' });
    const w = f.windows[0]!;
    const settle = () => new Promise((r) => setTimeout(r, 20));
    // Default: off.
    w.minimize();
    await settle();
    expect(services.session.isUnlocked).toBe(true);
    expect(w.webContents.sent).toEqual([]);
    // Turned on after the window was made: the next minimise locks and tells the page.
    await services.handlers['settings:set']({ lockOnMinimize: true });
    w.minimize();
    await settle();
    expect(services.session.isUnlocked).toBe(false);
    expect(w.webContents.sent).toEqual([{ channel: EVENT_CHANNEL, payload: { type: 'locked' } }]);
    // Turned off again: unlocked, minimised, still unlocked.
    await services.handlers['settings:set']({ lockOnMinimize: false });
    await services.handlers['vault:open']({ path: join(f.home, 'v.coffer'), passphrase: 'p' });
    w.minimize();
    await settle();
    expect(services.session.isUnlocked).toBe(true);
  });
});
