/**
 * The desktop app's lifecycle: one instance, one hardened window serving the
 * renderer from app://coffer/, the IPC gate with the real handlers, the menu,
 * and locking on quit. Every Electron module arrives as an argument (the
 * structural subsets below), so this whole file runs under plain Node in
 * tests with fakes (ARCHITECTURE.md "Testing without the Electron binary");
 * ./index.ts, the only file that imports 'electron', passes the real ones.
 *
 * Order matters and follows Electron's docs:
 *   first of all: core dumps off for this process (./core-dumps.ts), before
 *     any key or value can be in memory;
 *   before 'ready': userData inside the profile (so the single-instance lock,
 *     which is keyed by userData, and Chromium's own files live there), the
 *     single-instance lock, the app:// scheme's privileges;
 *   on 'ready': session policies (permissions, requests), the app:// handler,
 *     IPC handlers, the menu, the OS's suspend and screen-lock events, then
 *     the window.
 * Locking (issue 4): on OS suspend and screen lock, when the last window
 * closes, on quit, and when the window is minimised if Settings says so.
 * Security checklist numbers (§n) refer to electronjs.org/docs/latest/tutorial/security.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { EVENT_CHANNEL, type AppEvent } from '../../shared/contract.js';
import { osKeychain, resolveProfileDir, type Keychain } from '../vault/index.js';
import { coreDumpWarnings, preventCoreDumps, type CoreDumpOptions, type CoreDumpReport } from './core-dumps.js';
import type { ClipboardItemConstructor, ClipboardLike } from './handlers/clipboard.js';
import type { DialogLike } from './handlers/dialogs.js';
import { createMainServices, type MainServices } from './handlers/index.js';
import { registerHandlers, type IpcMainLike } from './ipc/register.js';
import { menuTemplate, type MenuItemData } from './menu.js';
import { watchLinuxScreenLock, type ScreenLockWatcher } from './screen-lock-linux.js';
import { APP_ORIGIN, APP_SCHEME, handleAppRequest } from './protocol.js';
import {
  isAllowedNavigation,
  mainWindowOptions,
  permissionCheckHandler,
  permissionRequestHandler,
  shouldBlockRequest,
  windowOpenHandler,
  type MainWindowOptions,
} from './window-options.js';

// ------------------------------------------------------ Electron, structurally

interface PreventableEvent {
  preventDefault(): void;
}

export interface WebContentsLike {
  on(event: 'will-navigate' | 'will-redirect', listener: (event: PreventableEvent, url: string) => void): unknown;
  on(event: 'will-attach-webview', listener: (event: PreventableEvent) => void): unknown;
  setWindowOpenHandler(handler: (details: { url: string }) => { action: 'deny' }): void;
  send(channel: string, payload: unknown): void;
  isDestroyed(): boolean;
}

export interface BrowserWindowLike {
  readonly webContents: WebContentsLike;
  loadURL(url: string): Promise<void>;
  once(event: 'ready-to-show', listener: () => void): unknown;
  on(event: 'closed', listener: () => void): unknown;
  on(event: 'minimize', listener: () => void): unknown;
  show(): void;
  focus(): void;
  restore(): void;
  isMinimized(): boolean;
  isDestroyed(): boolean;
  setContentProtection(enable: boolean): void;
}

/** W: the window class (Electron's BrowserWindow in the app, a fake in tests), so `dialog` takes the same type. */
export interface ElectronLike<W extends BrowserWindowLike = BrowserWindowLike> {
  app: {
    readonly isPackaged: boolean;
    getAppPath(): string;
    setPath(name: 'userData' | 'sessionData', path: string): void;
    requestSingleInstanceLock(): boolean;
    whenReady(): Promise<void>;
    on(event: 'second-instance' | 'window-all-closed' | 'activate' | 'will-quit', listener: () => void): unknown;
    on(event: 'before-quit', listener: (event?: PreventableEvent) => void): unknown;
    on(event: 'web-contents-created', listener: (event: unknown, contents: WebContentsLike) => void): unknown;
    setAboutPanelOptions?(options: { applicationName: string; applicationVersion?: string; copyright?: string }): void;
    getVersion(): string;
    quit(): void;
  };
  BrowserWindow: new (options: MainWindowOptions) => W;
  ipcMain: IpcMainLike;
  protocol: {
    registerSchemesAsPrivileged(schemes: { scheme: string; privileges: Record<string, boolean> }[]): void;
    handle(scheme: string, handler: (request: Request) => Promise<Response>): void;
  };
  session: {
    defaultSession: {
      setPermissionRequestHandler(handler: typeof permissionRequestHandler): void;
      setPermissionCheckHandler(handler: typeof permissionCheckHandler): void;
      webRequest: {
        onBeforeRequest(listener: (details: { url: string }, callback: (response: { cancel: boolean }) => void) => void): void;
      };
    };
  };
  Menu: {
    buildFromTemplate(template: MenuItemData[]): unknown;
    setApplicationMenu(menu: unknown): void;
  };
  clipboard: ClipboardLike;
  /** Electron's ClipboardItem class: a copy is one item with the text and its "do not record" markers (handlers/clipboard.ts). */
  ClipboardItem: ClipboardItemConstructor;
  /**
   * The OS's power and session events (https://www.electronjs.org/docs/latest/api/power-monitor):
   * 'suspend' on every platform; 'lock-screen' on macOS and Windows only (Electron emits none on Linux).
   */
  powerMonitor: {
    on(event: 'suspend', listener: () => void): unknown;
    on(event: 'lock-screen', listener: () => void): unknown;
  };
  dialog: {
    showOpenDialog(window: W, options: Parameters<DialogLike['showOpenDialog']>[0]): ReturnType<DialogLike['showOpenDialog']>;
    showSaveDialog(window: W, options: Parameters<DialogLike['showSaveDialog']>[0]): ReturnType<DialogLike['showSaveDialog']>;
  };
  nativeTheme: { readonly shouldUseDarkColors: boolean };
}

export interface StartOptions {
  env?: NodeJS.ProcessEnv;
  platform?: NodeJS.Platform;
  /** Main's log: refused senders and unexpected errors (never inputs or values). */
  log?: (message: string) => void;
  /** Tests: where the core-dump settings are written (default: this process's own, ./core-dumps.ts). */
  coreDumps?: Omit<CoreDumpOptions, 'platform'>;
  /** Tests: the keychain (default: the OS keychain, store/keychain.ts). */
  keychain?: Keychain;
  /** Tests: how a locked screen is noticed on Linux (default: ./screen-lock-linux.ts, dbus-monitor). */
  watchScreenLock?: (onLock: () => void) => ScreenLockWatcher;
}

export interface RunningApp<W extends BrowserWindowLike = BrowserWindowLike> {
  /** Null when another instance already runs (this one then quits). */
  services: MainServices | null;
  window(): W | null;
  /** Resolves once the window exists (or at once when this instance quit). */
  ready: Promise<void>;
  /** What was done against core dumps of this process (./core-dumps.ts); failures are also logged. */
  coreDumps: Promise<CoreDumpReport>;
}

/** The page the window loads. */
export const APP_URL = `${APP_ORIGIN}/index.html`;

/**
 * Development: an unpacked app (`npm start`). Devtools, reload and the
 * devtools:// front-end are allowed there only (issue 3). COFFER_DEVTOOLS=0
 * turns them off to try the app as shipped.
 */
export function isDevelopment(app: { readonly isPackaged: boolean }, env: NodeJS.ProcessEnv): boolean {
  return !app.isPackaged && env.COFFER_DEVTOOLS !== '0';
}

export function startApp<W extends BrowserWindowLike>(electron: ElectronLike<W>, options: StartOptions = {}): RunningApp<W> {
  const { app, protocol, session, Menu, ipcMain } = electron;
  const env = options.env ?? process.env;
  const platform = options.platform ?? process.platform;
  const log = options.log ?? ((m: string) => console.error(`coffer: ${m}`));
  const isDev = isDevelopment(app, env);

  // Before anything else, so no key or value is ever in a memory that a crash would write out.
  const coreDumps = preventCoreDumps({ platform, env, ...options.coreDumps });
  void coreDumps.then((report) => coreDumpWarnings(report).forEach(log));

  const profileDir = resolveProfileDir(env, platform);

  // Chromium's own data (cache, local storage) in the profile, not in a second
  // per-user folder; it is also what the single-instance lock is keyed by, so
  // two profiles ($COFFER_HOME) can each run one app.
  app.setPath('userData', join(profileDir, 'electron'));
  if (!app.requestSingleInstanceLock()) {
    // Another Coffer runs with this profile: it is told (second-instance) and focuses itself.
    app.quit();
    return { services: null, window: () => null, ready: Promise.resolve(), coreDumps };
  }

  // §18: a custom scheme rather than file://. `standard` gives it an origin and
  // relative URLs; `secure` makes it a secure context as https is.
  protocol.registerSchemesAsPrivileged([{ scheme: APP_SCHEME, privileges: { standard: true, secure: true } }]);

  let win: W | null = null;
  const liveWindow = (): W | null => (win && !win.isDestroyed() ? win : null);

  // Main → renderer (shared/contract.ts EVENT_CHANNEL): the vault locked by main, a menu command.
  const notify = (event: AppEvent): void => {
    const w = liveWindow();
    if (w && !w.webContents.isDestroyed()) w.webContents.send(EVENT_CHANNEL, event);
  };

  const services = createMainServices({
    profileDir,
    // "Remember on this computer": the OS keychain, entries filed under $COFFER_KEYCHAIN_SERVICE or "Coffer".
    keychain: options.keychain ?? osKeychain({ platform, ...(env.COFFER_KEYCHAIN_SERVICE ? { service: env.COFFER_KEYCHAIN_SERVICE } : {}) }),
    clipboard: electron.clipboard,
    ClipboardItem: electron.ClipboardItem,
    platform,
    dialog: {
      showOpenDialog: (o) => {
        const w = liveWindow();
        return w ? electron.dialog.showOpenDialog(w, o) : Promise.resolve({ canceled: true, filePaths: [] });
      },
      showSaveDialog: (o) => {
        const w = liveWindow();
        return w ? electron.dialog.showSaveDialog(w, o) : Promise.resolve({ canceled: true });
      },
    },
    notify,
    onWarning: (m) => log(m),
  });

  // §11-§14 for every web contents that will ever exist, before any does.
  app.on('web-contents-created', (_event, contents) => {
    const guard = (e: PreventableEvent, url: string) => {
      if (!isAllowedNavigation(url, APP_ORIGIN)) e.preventDefault();
    };
    contents.on('will-navigate', guard);
    contents.on('will-redirect', guard);
    contents.on('will-attach-webview', (e) => e.preventDefault());
    contents.setWindowOpenHandler(windowOpenHandler);
  });

  const rendererDir = join(app.getAppPath(), 'dist', 'renderer');
  const preloadPath = join(app.getAppPath(), 'dist', 'preload', 'index.cjs');

  const createWindow = async (): Promise<void> => {
    const w = new electron.BrowserWindow(
      mainWindowOptions({ preloadPath, isDev, theme: electron.nativeTheme.shouldUseDarkColors ? 'dark' : 'light' }),
    );
    win = w;
    // Screen capture and recording see a blank window (macOS and Windows; Linux has no such API).
    w.setContentProtection(true);
    w.once('ready-to-show', () => w.show());
    w.on('closed', () => {
      if (win === w) win = null;
    });
    // Settings' "Lock when the window is minimised" (default off), read when it happens so a change applies at once.
    w.on('minimize', () => {
      void services.settings.get().then(
        (s) => {
          if (s.lockOnMinimize) services.session.lockNow('lock');
        },
        (e: unknown) => log(`could not read the settings on minimise: ${describe(e)}`),
      );
    });
    await w.loadURL(APP_URL);
  };

  app.on('second-instance', () => {
    const w = liveWindow();
    if (!w) return;
    if (w.isMinimized()) w.restore();
    w.focus();
  });

  app.on('window-all-closed', () => {
    // No window, no one to see the vault: lock it. macOS keeps the app running (dock), as its apps do.
    services.session.lockNow('lock');
    if (platform !== 'darwin') app.quit();
  });
  app.on('activate', () => {
    if (!liveWindow()) void createWindow().catch((e: unknown) => log(`could not open the window: ${describe(e)}`));
  });
  let quitReady = false;
  app.on('before-quit', (event) => {
    if (quitReady) return;
    // Wipes the vault's keys and clears a value still on the clipboard (handlers/index.ts onLock).
    services.session.lockNow('quit');
    // Electron 45's clipboard answers asynchronously: hold the quit until the clear is done.
    event?.preventDefault();
    quitReady = true;
    void services.settled().finally(() => app.quit());
  });

  const ready = app.whenReady().then(async () => {
    const ses = session.defaultSession;
    ses.setPermissionRequestHandler(permissionRequestHandler); // §5
    ses.setPermissionCheckHandler(permissionCheckHandler); // §5
    ses.webRequest.onBeforeRequest((details, callback) => callback({ cancel: shouldBlockRequest(details.url, APP_ORIGIN, { isDev }) })); // §1

    protocol.handle(APP_SCHEME, (request) => handleAppRequest(request, rendererDir));

    registerHandlers(ipcMain, services.handlers, {
      allowedOrigin: APP_ORIGIN,
      onRefused: (channel, reason) => log(`refused ${channel}: sender ${reason}`),
      onUnexpectedError: (channel, e) => log(`${channel} failed: ${describe(e)}`),
    });

    // Issue 4: away from the computer, the vault locks. Locking wipes the keys,
    // clears a copied value still on the clipboard and tells the page
    // ('locked'), as the menu's Lock does. Registered after 'ready', as
    // Electron's powerMonitor docs have long required.
    electron.powerMonitor.on('suspend', () => services.session.lockNow('lock'));
    electron.powerMonitor.on('lock-screen', () => services.session.lockNow('lock'));
    // Linux: powerMonitor has no 'lock-screen' there; the desktop's screen saver says it on D-Bus.
    if (platform === 'linux') {
      const watch =
        options.watchScreenLock ??
        ((onLock: () => void) => watchLinuxScreenLock({ spawn, exists: existsSync, onLock, log, env }));
      const watcher = watch(() => services.session.lockNow('lock'));
      app.on('will-quit', () => watcher.stop());
    }

    app.setAboutPanelOptions?.({ applicationName: 'Coffer', applicationVersion: app.getVersion() });
    Menu.setApplicationMenu(
      Menu.buildFromTemplate(
        menuTemplate({
          platform,
          isDev,
          actions: {
            lock: () => void services.session.lock(),
            command: (command) => notify({ type: 'command', command }),
          },
        }),
      ),
    );
    await createWindow();
  });
  return { services, window: liveWindow, ready, coreDumps };
}

/** An error for main's log: its message, not its stack (paths stay, values never reach here). */
function describe(e: unknown): string {
  return e instanceof Error ? `${e.name}: ${e.message}` : 'unknown error';
}
