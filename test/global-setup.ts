// Runs once before the suites: builds what `npm start` builds, so tests use
// the shipped artifacts — the CLI (tests spawn `bin/coffer.mjs` as a user
// would after `npm install`), the renderer (test/e2e loads it) and the
// sandboxed preload bundle (test/unit/preload loads it as Electron would).
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export default function setup(): void {
  if (process.env.COFFER_SKIP_BUILD === '1') return;
  const root = fileURLToPath(new URL('..', import.meta.url));
  // NODE_ENV=production: vitest sets NODE_ENV=test, and vite would pass it on to
  // React, which then bundles its development build (jsxDEV, twice the size):
  // the tests must load the bundle the app ships.
  const env = { ...process.env, NODE_ENV: 'production' };
  const run = (args: string[]) => execFileSync(process.execPath, args, { cwd: root, stdio: 'inherit', env });
  run([`${root}node_modules/typescript/bin/tsc`, '-p', 'tsconfig.build.json']);
  run([`${root}node_modules/vite/bin/vite.js`, 'build', '--logLevel', 'warn']);
  run([`${root}node_modules/vite/bin/vite.js`, 'build', '-c', 'vite.preload.config.ts', '--logLevel', 'warn']);
}
