/**
 * The main window's hardening (electron/main/window-options.ts): every option
 * of Electron's security checklist, and each policy function's decisions.
 */
import { describe, expect, it } from 'vitest';
import {
  THEME_BACKGROUND,
  isAllowedNavigation,
  mainWindowOptions,
  originOf,
  permissionCheckHandler,
  permissionRequestHandler,
  shouldBlockRequest,
  windowOpenHandler,
} from '../../../electron/main/window-options.js';

const APP = 'app://coffer';
const PRELOAD = '/opt/Coffer/resources/app.asar/dist/preload.cjs';

describe('mainWindowOptions', () => {
  it('sets every webPreference of the security checklist', () => {
    const o = mainWindowOptions({ preloadPath: PRELOAD, isDev: false });
    expect(o.webPreferences).toStrictEqual({
      sandbox: true, // §4
      contextIsolation: true, // §3
      nodeIntegration: false, // §2
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true, // §6
      allowRunningInsecureContent: false, // §8
      experimentalFeatures: false, // §9
      enableBlinkFeatures: undefined, // §10
      webviewTag: false, // §11/12
      navigateOnDragDrop: false, // §13
      spellcheck: false,
      devTools: false,
      preload: PRELOAD,
    });
    expect('enableBlinkFeatures' in o.webPreferences).toBe(true);
    expect(o.webPreferences.enableBlinkFeatures).toBeUndefined();
  });

  it('allows devtools only in development', () => {
    expect(mainWindowOptions({ preloadPath: PRELOAD, isDev: false }).webPreferences.devTools).toBe(false);
    expect(mainWindowOptions({ preloadPath: PRELOAD, isDev: true }).webPreferences.devTools).toBe(true);
    // Development changes nothing else.
    const dev = mainWindowOptions({ preloadPath: PRELOAD, isDev: true });
    const prod = mainWindowOptions({ preloadPath: PRELOAD, isDev: false });
    expect({ ...dev, webPreferences: { ...dev.webPreferences, devTools: false } }).toStrictEqual(prod);
  });

  it('starts hidden, with a sensible size and a background following the theme', () => {
    const light = mainWindowOptions({ preloadPath: PRELOAD, isDev: false });
    const dark = mainWindowOptions({ preloadPath: PRELOAD, isDev: false, theme: 'dark' });
    expect(light.show).toBe(false);
    expect(light.title).toBe('Coffer');
    expect(light.width).toBeGreaterThanOrEqual(light.minWidth);
    expect(light.height).toBeGreaterThanOrEqual(light.minHeight);
    expect(light.minWidth).toBeGreaterThanOrEqual(640);
    expect(light.minHeight).toBeGreaterThanOrEqual(400);
    expect(light.backgroundColor).toBe(THEME_BACKGROUND.light);
    expect(dark.backgroundColor).toBe(THEME_BACKGROUND.dark);
    expect(light.backgroundColor).not.toBe(dark.backgroundColor);
    for (const c of Object.values(THEME_BACKGROUND)) expect(c).toMatch(/^#[0-9a-f]{6}$/);
  });

  it('returns fresh plain data each time and requires a preload path', () => {
    const a = mainWindowOptions({ preloadPath: PRELOAD, isDev: false });
    const b = mainWindowOptions({ preloadPath: PRELOAD, isDev: false });
    expect(a).not.toBe(b);
    expect(a.webPreferences).not.toBe(b.webPreferences);
    expect(structuredClone(a)).toStrictEqual(a);
    expect(() => mainWindowOptions({ preloadPath: '', isDev: false })).toThrow(/preloadPath/);
  });
});

describe('isAllowedNavigation (§13)', () => {
  it('allows the app origin and its subpaths', () => {
    for (const url of ['app://coffer/', 'app://coffer', 'app://coffer/index.html', 'app://coffer/assets/x.js?q=1#top', 'APP://COFFER/index.html']) {
      expect(isAllowedNavigation(url, APP), url).toBe(true);
    }
    expect(isAllowedNavigation('https://coffer.invalid/secrets', 'https://coffer.invalid')).toBe(true);
    expect(isAllowedNavigation('https://coffer.invalid:443/', 'https://coffer.invalid')).toBe(true);
  });

  it('refuses remote, local, script and other app URLs', () => {
    const refused = [
      'https://example.com/',
      'http://example.com/',
      'http://coffer/',
      'https://coffer/',
      'https://evil.example/app://coffer/',
      'file:///etc/passwd',
      'file://coffer/index.html',
      'javascript:alert(1)',
      'JavaScript:alert(1)',
      'data:text/html,<script>alert(1)</script>',
      'blob:app://coffer/6d0b0e5c-0000-4000-8000-000000000000',
      'about:blank',
      'app://evil/',
      'app://coffer.evil/',
      'app://evilcoffer/',
      'app://coffer:1234/',
      'app://user@coffer/',
      'app://coffer@evil/',
      'app://coffer\\@evil/',
      'app:///index.html',
      'app:coffer',
      'devtools://devtools/bundled/inspector.html',
      'chrome://settings',
      '',
      'not a url',
    ];
    for (const url of refused) expect(isAllowedNavigation(url, APP), url).toBe(false);
    // The browser tests' origin is not the app's in Electron, and vice versa.
    expect(isAllowedNavigation('https://coffer.invalid/', APP)).toBe(false);
    expect(isAllowedNavigation('app://coffer/', 'https://coffer.invalid')).toBe(false);
    expect(isAllowedNavigation('https://coffer.invalid.evil.com/', 'https://coffer.invalid')).toBe(false);
    expect(isAllowedNavigation('http://coffer.invalid/', 'https://coffer.invalid')).toBe(false);
  });

  it('refuses a malformed allowed origin instead of allowing everything', () => {
    for (const o of ['*', 'null', 'app://coffer/', '']) expect(() => isAllowedNavigation('app://coffer/', o)).toThrow();
  });

  it('originOf builds custom-scheme origins that URL.origin reports as "null"', () => {
    expect(new URL('app://coffer/x').origin).toBe('null');
    expect(originOf('app://Coffer/x')).toBe('app://coffer');
    expect(originOf('javascript:alert(1)')).toBeUndefined();
    expect(originOf('https://u:p@coffer.invalid/')).toBeUndefined();
  });
});

describe('windowOpenHandler (§14)', () => {
  it('denies every new window, whatever the URL', () => {
    for (const url of ['app://coffer/', 'https://example.com/', 'about:blank', 'javascript:alert(1)', '']) {
      expect(windowOpenHandler({ url })).toStrictEqual({ action: 'deny' });
    }
  });
});

describe('permission handlers (§5)', () => {
  it('deny every permission request', () => {
    const perms = ['media', 'notifications', 'geolocation', 'clipboard-read', 'clipboard-sanitized-write', 'fullscreen', 'openExternal', 'hid', 'serial', 'usb', 'pointerLock', 'midi', 'display-capture', 'unknown'];
    for (const p of perms) {
      const answers: boolean[] = [];
      permissionRequestHandler({}, p, (granted) => answers.push(granted), { requestingUrl: 'app://coffer/' });
      expect(answers, p).toEqual([false]);
      expect(permissionCheckHandler({}, p, 'app://coffer', {}), p).toBe(false);
    }
  });
});

describe('shouldBlockRequest (§1: no remote content)', () => {
  it('lets the app origin through', () => {
    for (const url of ['app://coffer/', 'app://coffer/assets/app.js', 'app://coffer/assets/font.woff2?v=1']) {
      expect(shouldBlockRequest(url, APP), url).toBe(false);
      expect(shouldBlockRequest(url, APP, { isDev: true }), url).toBe(false);
    }
    expect(shouldBlockRequest('data:image/png;base64,AAAA', APP)).toBe(false);
  });

  it('blocks remote and local content, and other app hosts', () => {
    const blocked = [
      'https://example.com/tracker.js',
      'http://example.com/',
      'https://fonts.googleapis.com/css',
      'wss://example.com/socket',
      'ws://127.0.0.1:9222/',
      'http://127.0.0.1:5173/',
      'file:///etc/passwd',
      'ftp://example.com/x',
      'app://evil/x.js',
      'app://coffer.evil/x.js',
      'app://coffer@evil/x.js',
      'app://coffer:99/x.js',
      'chrome-extension://abc/x.js',
      'javascript:alert(1)',
      'not a url',
    ];
    for (const url of blocked) expect(shouldBlockRequest(url, APP), url).toBe(true);
  });

  it('allows devtools only in development', () => {
    const devtools = 'devtools://devtools/bundled/devtools_app.html';
    expect(shouldBlockRequest(devtools, APP)).toBe(true);
    expect(shouldBlockRequest(devtools, APP, { isDev: false })).toBe(true);
    expect(shouldBlockRequest(devtools, APP, { isDev: true })).toBe(false);
    // Development does not open the door to the web.
    expect(shouldBlockRequest('https://example.com/', APP, { isDev: true })).toBe(true);
  });

  it('refuses a malformed allowed origin', () => {
    expect(() => shouldBlockRequest('app://coffer/', '*')).toThrow();
  });
});
