/**
 * The real desktop app, launched with Playwright's `_electron`, when the
 * Electron binary is installed. The runtime is downloaded from outside the
 * package registry (ARCHITECTURE.md "Testing without the Electron binary"),
 * so on machines without internet it is absent: the test then says plainly
 * that it skipped, in its name and on the console.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { _electron } from 'playwright-core';
import { L } from '../../renderer/app/labels.js';
import { ROOT } from './harness.js';

/**
 * The Electron executable, if it was downloaded (node_modules/electron/path.txt
 * names it under dist/). Never require('electron') here: electron 45's
 * index.js downloads the binary when it is missing.
 */
function electronBinary(): string | undefined {
  const dir = join(ROOT, 'node_modules', 'electron');
  try {
    const exe = join(dir, 'dist', readFileSync(join(dir, 'path.txt'), 'utf8').trim());
    return existsSync(exe) ? exe : undefined;
  } catch {
    return undefined;
  }
}

/** The main entry: package.json's "main", else the built main process. */
function mainEntry(): string {
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { main?: string };
  return join(ROOT, pkg.main ?? 'dist/electron/main/index.js');
}

const binary = electronBinary();
const hasElectron = binary !== undefined;
const SKIPPED = 'real Electron app launches (skipped: the Electron binary is not installed on this machine)';

describe('the real Electron app', () => {
  if (!hasElectron) console.log(SKIPPED);

  it.skipIf(!hasElectron)(hasElectron ? 'real Electron app launches and shows the start screen' : SKIPPED, async () => {
    const app = await _electron.launch({
      executablePath: binary!,
      args: [mainEntry()],
      env: { ...process.env, NODE_ENV: 'production', ELECTRON_ENABLE_LOGGING: '0' },
      timeout: 30_000,
    });
    try {
      const win = await app.firstWindow();
      expect(await win.title()).toContain(L.appTitle);
      expect(win.url()).toMatch(/^app:\/\/coffer\//);
      await win.getByRole('button', { name: L.createButton, exact: true }).waitFor({ state: 'visible', timeout: 15_000 });
      // The hardened window: no Node in the page, only the contract's API.
      expect(await win.evaluate(() => typeof (globalThis as { require?: unknown }).require)).toBe('undefined');
      expect(await win.evaluate(() => typeof (globalThis as { coffer?: unknown }).coffer)).toBe('object');
    } finally {
      await app.close();
    }
  }, 60_000);
});
