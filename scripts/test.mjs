#!/usr/bin/env node
// `npm test`: every check, in order, with one closing line "N passed, N failed".
//
// 1. The system tools the suites need are present; on Debian/Ubuntu as root
//    they are installed with apt, else we stop with the exact command to run.
//    Nothing skips silently.
// 2. Lint (eslint, including the engine's layering rules) and typecheck.
// 3. Every vitest suite (unit, vectors, durability, interop).
// The closing line counts vitest's tests plus lint and typecheck as one check
// each; it is also written to test-results/summary.txt for .ci/run.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
process.chdir(root);

/** Tool → Debian package → which suites need it (the Debian package pebble also ships pebble-challtestsrv). */
const KEYCHAIN_TESTS = 'the OS keychain tests (test/unit/vault/access/remembered.test.ts, test/unit/cli/keychain.test.ts) against a real Secret Service';
const ACME_TESTS = "test/unit/vault/certificates/acme.test.ts (ACME orders against Let's Encrypt's test CA pebble, with pebble-challtestsrv as its DNS, on loopback)";
const TOOLS = [
  { bin: 'git', pkg: 'git', why: 'test/interop/git-merge.test.ts and test/unit/cli/git-team.test.ts (the merge driver and a team of three clones with real git)' },
  { bin: 'chromium', pkg: 'chromium', why: 'test/e2e (the app as a person uses it, in headless Chromium)' },
  { bin: 'dbus-daemon', pkg: 'dbus', why: KEYCHAIN_TESTS },
  { bin: 'dbus-monitor', pkg: 'dbus', why: 'test/unit/main/screen-lock-linux.test.ts (the screen lock seen on a real session bus)' },
  { bin: 'gnome-keyring-daemon', pkg: 'gnome-keyring', why: KEYCHAIN_TESTS },
  { bin: 'secret-tool', pkg: 'libsecret-tools', why: KEYCHAIN_TESTS },
  { bin: 'pebble', pkg: 'pebble', why: ACME_TESTS },
  { bin: 'pebble-challtestsrv', pkg: 'pebble', why: ACME_TESTS },
  { bin: 'openssl', pkg: 'openssl', why: 'test/unit/vault/certificates (openssl verify, req and pkcs12 cross-checks; pebble\'s TLS certificate)' },
];

function has(bin) {
  return spawnSync('sh', ['-c', `command -v ${bin}`], { stdio: 'ignore' }).status === 0;
}

function ensureTools() {
  const missing = TOOLS.filter((t) => !has(t.bin));
  if (missing.length === 0) return;
  const pkgs = [...new Set(missing.map((t) => t.pkg))].join(' ');
  const cmd = `apt-get update && apt-get install -y ${pkgs}`;
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  if (existsSync('/usr/bin/apt-get') && isRoot) {
    console.log(`npm test: installing ${pkgs} (${[...new Set(missing.map((t) => t.why))].join('; ')})`);
    const r = spawnSync('sh', ['-c', cmd], { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
    if (r.status === 0 && missing.every((t) => has(t.bin))) return;
  }
  console.error(`npm test: missing ${missing.map((t) => t.bin).join(', ')}, needed by ${[...new Set(missing.map((t) => t.why))].join('; ')}.`);
  console.error(`Install it and run npm test again:\n  sudo sh -c '${cmd}'`);
  process.exit(2);
}

function step(name, cmd, args) {
  console.log(`\n== ${name}: ${[cmd, ...args].join(' ')}`);
  const r = spawnSync(cmd, args, { stdio: 'inherit', env: process.env });
  const ok = r.status === 0;
  console.log(`== ${name}: ${ok ? 'ok' : 'FAILED'}`);
  return ok;
}

ensureTools();
let passed = 0;
let failed = 0;
const bin = (p) => `node_modules/${p}`;
for (const [name, cmd, args] of [
  ['lint', process.execPath, [bin('eslint/bin/eslint.js'), '.']],
  ['typecheck', process.execPath, [bin('typescript/bin/tsc'), '-p', 'tsconfig.json', '--noEmit']],
  ['typecheck renderer', process.execPath, [bin('typescript/bin/tsc'), '-p', 'renderer/tsconfig.json', '--noEmit']],
]) {
  if (step(name, cmd, args)) passed++;
  else failed++;
}

mkdirSync('test-results', { recursive: true });
const resultsFile = 'test-results/vitest.json';
const vitestOk = step('tests', process.execPath, [
  bin('vitest/vitest.mjs'),
  'run',
  '--reporter=default',
  '--reporter=json',
  `--outputFile.json=${resultsFile}`,
  ...process.argv.slice(2),
]);
let skipped = 0;
if (existsSync(resultsFile)) {
  const r = JSON.parse(readFileSync(resultsFile, 'utf8'));
  passed += r.numPassedTests;
  failed += r.numFailedTests;
  skipped += (r.numPendingTests ?? 0) + (r.numTodoTests ?? 0);
  // A suite that fails to load has no tests: count it as a failure so it cannot hide.
  failed += (r.testResults ?? []).filter((s) => s.status === 'failed' && (s.assertionResults ?? []).length === 0).length;
  if (!vitestOk && r.numFailedTests === 0 && failed === 0) failed++;
} else if (!vitestOk) {
  failed++;
}
const summary = `${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`;
writeFileSync('test-results/summary.txt', `${summary}\n`);
console.log(`\n${summary}`);
process.exit(failed === 0 ? 0 : 1);
