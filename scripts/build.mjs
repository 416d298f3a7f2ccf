#!/usr/bin/env node
// `npm run build`: everything the app runs, as it ships. Used by `npm start`,
// by the test suites' global setup and by the browser-test harness, so the
// three build the same way:
//   main   — tsc: main process, CLI, engine and shared/ into dist/;
//   renderer — vite: the React app into dist/renderer/;
//   preload  — vite (vite.preload.config.ts): one CommonJS file, dist/preload/index.cjs.
// `node scripts/build.mjs renderer preload` builds only those steps.
//
// NODE_ENV=production for every step: a NODE_ENV left in the environment
// (vitest sets 'test', a shell may set 'development') makes vite bundle
// React's development build.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const bin = (p) => join(root, 'node_modules', p);

const STEPS = {
  main: ['building main and the CLI (tsc)', [bin('typescript/bin/tsc'), '-p', 'tsconfig.build.json']],
  renderer: ['building the renderer (vite)', [bin('vite/bin/vite.js'), 'build', '--logLevel', 'warn']],
  preload: ['bundling the preload (vite)', [bin('vite/bin/vite.js'), 'build', '-c', 'vite.preload.config.ts', '--logLevel', 'warn']],
};

const asked = process.argv.slice(2);
const unknown = asked.filter((s) => !(s in STEPS));
if (unknown.length > 0) {
  console.error(`build: unknown step ${unknown.join(', ')} (steps: ${Object.keys(STEPS).join(', ')})`);
  process.exit(2);
}
for (const name of asked.length > 0 ? asked : Object.keys(STEPS)) {
  const [label, args] = STEPS[name];
  console.log(`build: ${label}`);
  const r = spawnSync(process.execPath, args, { cwd: root, stdio: 'inherit', env: { ...process.env, NODE_ENV: 'production' } });
  if (r.status !== 0) {
    console.error(`build: ${label} failed (exit ${r.status ?? r.signal}); see the messages above.`);
    process.exit(1);
  }
}
