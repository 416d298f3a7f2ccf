#!/usr/bin/env node
// `npm start`: builds the desktop app (scripts/build.mjs: main and CLI, the
// renderer, the sandboxed preload) and launches it in Electron.
//
// The Electron runtime is not in the npm package: electron 45 downloads it
// from GitHub's releases on first use (node_modules/electron/install.js). On a
// machine that cannot reach them, this stops with what happened and what
// still works (the coffer CLI), instead of a stack trace.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const node = process.execPath;
const bin = (p) => join(root, 'node_modules', p);

/** The installed Electron executable, without triggering a download (require('electron') would). */
function electronBinary() {
  const dir = bin('electron');
  try {
    const rel = readFileSync(join(dir, 'path.txt'), 'utf8').trim();
    const exe = join(dir, 'dist', rel);
    return existsSync(exe) ? exe : undefined;
  } catch {
    return undefined;
  }
}

if (!existsSync(bin('electron/package.json'))) {
  console.error('npm start: the electron package is not installed; run `npm install` first.');
  process.exit(1);
}
// The same build as `npm run build` (scripts/build.mjs); it prints what failed.
if (spawnSync(node, [join(root, 'scripts', 'build.mjs')], { cwd: root, stdio: 'inherit' }).status !== 0) process.exit(1);

let exe = electronBinary();
if (!exe) {
  console.log('npm start: downloading the Electron runtime (once; npm does not ship it)…');
  const r = spawnSync(node, [bin('electron/install.js')], { cwd: root, stdio: ['ignore', 'inherit', 'pipe'], encoding: 'utf8' });
  exe = electronBinary();
  if (!exe) {
    const reason = (r.stderr ?? '').split('\n').find((l) => /error/i.test(l))?.trim() ?? `exit ${r.status}`;
    console.error(
      [
        'npm start: the Electron runtime could not be downloaded, so the desktop window cannot open here.',
        `  reason: ${reason}`,
        '  Electron fetches it from its GitHub releases; behind a proxy, or to use a mirror, set',
        '  ELECTRON_MIRROR (see https://www.electronjs.org/docs/latest/tutorial/installation), then run npm start again.',
        '  Everything else works without it: `npx coffer --help` (the command line) and `npm test`.',
      ].join('\n'),
    );
    process.exit(1);
  }
}

console.log('npm start: launching Coffer');
const child = spawn(exe, [root, ...process.argv.slice(2)], { cwd: root, stdio: 'inherit' });
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
