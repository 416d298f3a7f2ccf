/**
 * The main window's hardening as plain data and pure policy functions, so
 * every decision is unit-tested in Node (ARCHITECTURE.md "Testing without the
 * Electron binary"); the Electron-only entry passes them to BrowserWindow,
 * webContents and session. Patterns: Signal `app/main.main.ts`, Bitwarden
 * `apps/desktop/src/main/window.main.ts`.
 *
 * Numbers are the items of Electron's security checklist,
 * https://www.electronjs.org/docs/latest/tutorial/security ("Checklist:
 * Security recommendations", items 1-20). Wiring, in the entry:
 *   const win = new BrowserWindow(mainWindowOptions({ preloadPath, isDev, theme }));
 *   win.setContentProtection(true);              // issue 3; macOS and Windows only
 *   win.webContents.on('will-navigate', (e, url) => { if (!isAllowedNavigation(url, APP_ORIGIN)) e.preventDefault(); });
 *   win.webContents.on('will-redirect', same);   // §13
 *   win.webContents.setWindowOpenHandler(windowOpenHandler);                     // §14
 *   session.defaultSession.setPermissionRequestHandler(permissionRequestHandler); // §5
 *   session.defaultSession.setPermissionCheckHandler(permissionCheckHandler);     // §5
 *   session.defaultSession.webRequest.onBeforeRequest((d, cb) => cb({ cancel: shouldBlockRequest(d.url, APP_ORIGIN, { isDev }) })); // §1
 *   app.on('web-contents-created', (_e, wc) => wc.on('will-attach-webview', (e) => e.preventDefault())); // §11, §12
 * Never `shell.openExternal` a URL from the renderer (§15).
 *
 * No import from 'electron', not even types: the shapes below are the subset
 * of BrowserWindowConstructorOptions / WebPreferences that Coffer sets.
 */
import { assertValidOrigin } from './ipc/sender.js';

export type Theme = 'light' | 'dark';

/** Painted before the renderer's first frame, so the window never flashes white in dark mode. */
export const THEME_BACKGROUND: Readonly<Record<Theme, string>> = Object.freeze({ light: '#ffffff', dark: '#1c1c1f' });

export interface WebPreferencesData {
  sandbox: true;
  contextIsolation: true;
  nodeIntegration: false;
  nodeIntegrationInWorker: false;
  nodeIntegrationInSubFrames: false;
  webSecurity: true;
  allowRunningInsecureContent: false;
  experimentalFeatures: false;
  enableBlinkFeatures: undefined;
  webviewTag: false;
  navigateOnDragDrop: false;
  spellcheck: false;
  devTools: boolean;
  preload: string;
}

export interface MainWindowOptions {
  title: string;
  width: number;
  height: number;
  minWidth: number;
  minHeight: number;
  show: false;
  backgroundColor: string;
  webPreferences: WebPreferencesData;
}

export interface MainWindowOptionsInput {
  /** Absolute path of the bundled preload (electron/preload/index.ts, built). */
  preloadPath: string;
  /** Development build: devtools allowed. Never true in a packaged app. */
  isDev: boolean;
  /** nativeTheme.shouldUseDarkColors ? 'dark' : 'light'. Default light. */
  theme?: Theme;
}

export function mainWindowOptions({ preloadPath, isDev, theme = 'light' }: MainWindowOptionsInput): MainWindowOptions {
  if (typeof preloadPath !== 'string' || preloadPath === '') throw new Error('mainWindowOptions: preloadPath is required');
  return {
    title: 'Coffer',
    width: 1100,
    height: 720,
    minWidth: 720,
    minHeight: 480,
    // Shown on 'ready-to-show', so the first paint is the app, not a blank window.
    show: false,
    backgroundColor: THEME_BACKGROUND[theme],
    webPreferences: {
      sandbox: true, // §4 Enable process sandboxing
      contextIsolation: true, // §3 Enable context isolation
      nodeIntegration: false, // §2 Do not enable Node.js integration for remote content
      nodeIntegrationInWorker: false, // §2
      nodeIntegrationInSubFrames: false, // §2
      webSecurity: true, // §6 Do not disable webSecurity
      allowRunningInsecureContent: false, // §8 Do not enable allowRunningInsecureContent
      experimentalFeatures: false, // §9 Do not enable experimental features
      enableBlinkFeatures: undefined, // §10 Do not use enableBlinkFeatures
      webviewTag: false, // §11, §12: no <webview> at all
      navigateOnDragDrop: false, // §13: a file dropped on the window must not navigate it
      spellcheck: false, // the dictionary service would see what is typed, secrets included
      devTools: isDev, // issue 3: devtools only in development
      preload: preloadPath, // §20: the preload exposes the contract's methods only
    },
  };
}

/** scheme://host[:port] of a URL, lowercase, or undefined for an opaque, malformed or userinfo URL. */
export function originOf(url: string): string | undefined {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return undefined;
  }
  // `new URL('app://coffer/').origin` is "null" for non-special schemes: build it from the parts.
  if (u.host === '' || u.username !== '' || u.password !== '') return undefined;
  return `${u.protocol.toLowerCase()}//${u.host.toLowerCase()}`;
}

/**
 * §13 Disable or limit navigation: the window may only move within the app's
 * origin (reloads, in-app routes). Everything else — remote http(s), file:,
 * javascript:, data:, blob:, another app:// host, userinfo tricks — is refused.
 */
export function isAllowedNavigation(url: string, allowedOrigin: string): boolean {
  assertValidOrigin(allowedOrigin);
  return originOf(url) === allowedOrigin;
}

/** The part of Electron's HandlerDetails read here (none: every window is refused). */
export interface WindowOpenDetailsLike {
  url: string;
}

/** §14 Disable or limit creation of new windows: always deny (links to the web are not opened either, §15). */
export function windowOpenHandler(_details: WindowOpenDetailsLike): { action: 'deny' } {
  return { action: 'deny' };
}

/**
 * §5 Handle session permission requests: Electron approves every request by
 * default; Coffer needs none (no camera, notifications from main, clipboard
 * writes by main), so every one is denied.
 */
export function permissionRequestHandler(
  _webContents: unknown,
  _permission: string,
  callback: (granted: boolean) => void,
  _details?: unknown,
): void {
  callback(false);
}

/** §5, the synchronous side (setPermissionCheckHandler): every check answers false. */
export function permissionCheckHandler(_webContents: unknown, _permission: string, _requestingOrigin?: string, _details?: unknown): boolean {
  return false;
}

/**
 * §1 Only load secure content — here, stronger: no remote content at all. For
 * webRequest.onBeforeRequest: a request is allowed only to the app's origin,
 * data: (the CSP's `img-src data:`; not a network request), and in development
 * the devtools front-end (devtools://). Everything else is cancelled.
 */
export function shouldBlockRequest(url: string, allowedOrigin: string, options: { isDev?: boolean } = {}): boolean {
  assertValidOrigin(allowedOrigin);
  if (originOf(url) === allowedOrigin) return false;
  const scheme = /^([A-Za-z][A-Za-z0-9+.-]*):/.exec(url)?.[1]?.toLowerCase();
  if (scheme === 'data') return false;
  if (options.isDev === true && scheme === 'devtools') return false;
  return true;
}
