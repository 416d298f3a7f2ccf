#!/usr/bin/env node
// `npm start`: builds the desktop app (main and CLI with tsc, the renderer and
// the sandboxed preload with vite) and launches it in Electron.
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

function run(label, args) {
  console.log(`npm start: ${label}`);
  // The app as it ships: a NODE_ENV left over in the shell would give vite React's development build.
  const r = spawnSync(node, args, { cwd: root, stdio: 'inherit', env: { ...process.env, NODE_ENV: 'production' } });
  if (r.status !== 0) {
    console.error(`npm start: ${label} failed (exit ${r.status ?? r.signal}); see the messages above.`);
    process.exit(1);
  }
}

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
run('building main and the CLI (tsc)', [bin('typescript/bin/tsc'), '-p', 'tsconfig.build.json']);
run('building the renderer (vite)', [bin('vite/bin/vite.js'), 'build', '--logLevel', 'warn']);
run('bundling the preload (vite)', [bin('vite/bin/vite.js'), 'build', '-c', 'vite.preload.config.ts', '--logLevel', 'warn']);

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
