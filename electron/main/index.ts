/**
 * The desktop app's entry: the ONLY main-process file that imports 'electron'
 * as a value, and only Electron runs it (package.json "main" points at its
 * build). Everything it does is in ./app.ts, tested in Node with fakes
 * (ARCHITECTURE.md "Testing without the Electron binary"; TOOLCHAIN.md:
 * importing 'electron' under plain Node tries to download the binary).
 */
// Never crashReporter: Crashpad would write minidumps of every process (main's keys included) and runs
// only once crashReporter.start() is called (core-dumps.ts; test/unit/main/core-dumps.test.ts checks this).
import { app, BrowserWindow, clipboard, ClipboardItem, dialog, ipcMain, Menu, nativeTheme, powerMonitor, protocol, session } from 'electron';
import { startApp, type ElectronLike } from './app.js';

// The structural subsets in app.ts are checked against Electron's own types here.
const electron: ElectronLike<BrowserWindow> = {
  app,
  BrowserWindow,
  ipcMain,
  protocol,
  session,
  Menu,
  clipboard,
  ClipboardItem,
  powerMonitor,
  dialog,
  nativeTheme,
};

const running = startApp(electron);
running.ready.catch((e: unknown) => {
  console.error(`coffer: the app could not start: ${e instanceof Error ? e.message : 'unknown error'}`);
  app.exit(1);
});
