/**
 * The preload entry: the ONLY file that touches 'electron' at run time on the
 * renderer side, and only Electron loads it (no test imports it; everything it
 * does is in ./build-api.ts, which is tested in Node).
 *
 * Electron security checklist (electronjs.org/docs/latest/tutorial/security):
 *   §3  context isolation: the API crosses only through contextBridge;
 *   §4  process sandboxing: a sandboxed preload gets a polyfilled `require`
 *       that only knows 'electron' (and events, timers, url), and cannot load
 *       ESM or relative modules (Electron docs "Process Sandboxing": "use a
 *       bundler"). So this file must be bundled, with build-api.ts and
 *       shared/contract.ts, into ONE CommonJS script with 'electron' external;
 *       that is why it uses `require('electron')` rather than an import;
 *   §20 never expose Electron APIs: only buildCofferApi's methods are exposed,
 *       never ipcRenderer or an IpcRendererEvent.
 *
 * The types are structural (the subset of contextBridge and ipcRenderer used):
 * the `electron` package is not installed on machines without its binary
 * (ARCHITECTURE.md "Testing without the Electron binary").
 */
import { buildCofferApi, buildEventsApi } from './build-api.js';

interface PreloadElectron {
  contextBridge: { exposeInMainWorld(apiKey: string, api: unknown): void };
  ipcRenderer: {
    invoke(channel: string, ...args: unknown[]): Promise<unknown>;
    on(channel: string, listener: (event: unknown, ...args: unknown[]) => void): unknown;
    removeListener(channel: string, listener: (event: unknown, ...args: unknown[]) => void): unknown;
  };
}

// eslint-disable-next-line @typescript-eslint/no-require-imports -- the sandboxed preload's polyfilled require (see above)
const { contextBridge, ipcRenderer } = require('electron') as PreloadElectron;

// The arrow passes exactly (channel, input): the page never gets ipcRenderer itself.
contextBridge.exposeInMainWorld('coffer', buildCofferApi((channel, input) => ipcRenderer.invoke(channel, input)));

// Main's events: the listener gets the payload only, never the IpcRendererEvent (its `sender` is ipcRenderer).
contextBridge.exposeInMainWorld(
  'cofferEvents',
  buildEventsApi((channel, listener) => {
    const wrapped = (_event: unknown, payload: unknown) => listener(payload);
    ipcRenderer.on(channel, wrapped);
    return () => {
      ipcRenderer.removeListener(channel, wrapped);
    };
  }),
);
