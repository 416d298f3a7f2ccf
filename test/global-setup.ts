// Runs once before the suites: builds what `npm start` builds
// (scripts/build.mjs), so tests use the shipped artifacts — the CLI (tests
// spawn `bin/coffer.mjs` as a user would after `npm install`), the renderer
// (test/e2e loads it) and the sandboxed preload bundle (test/unit/preload
// loads it as Electron would).
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export default function setup(): void {
  if (process.env.COFFER_SKIP_BUILD === '1') return;
  const root = fileURLToPath(new URL('..', import.meta.url));
  execFileSync(process.execPath, [`${root}scripts/build.mjs`], { cwd: root, stdio: 'inherit' });
}
