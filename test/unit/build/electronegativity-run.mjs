// Runs Doyensec's Electronegativity (programmatic API, dist/runner.js) over one
// folder, offline, and prints its findings as one JSON line prefixed with
// RESULT_PREFIX. Used by electronegativity.test.ts, in a child process of its
// own: the runner registers a global `__` (i18n), prints to the console and
// calls process.exit() on a misspelt check name, none of which belongs in a
// vitest worker.
//
//   node electronegativity-run.mjs <folder> [excluded check class names...]
//
// Offline by construction: Electronegativity uses `got` for two things, its
// translations (i18n.js, fetched on every run) and Electron's release list
// (AvailableSecurityFixesGlobalCheck). Its `got` is replaced, before the
// runner loads, by a stub that refuses every request at once and records the
// URL (reported as `network`), so a run never waits on or depends on the
// network, and the test can see that nothing else tried to reach it.
import Module, { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const RESULT_PREFIX = 'ELECTRONEGATIVITY-RESULT ';
const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const requireHere = createRequire(join(root, 'package.json'));
const engDir = dirname(requireHere.resolve('@doyensec/electronegativity/package.json'));
const requireEng = createRequire(join(engDir, 'package.json'));

const network = [];
const refuse = (url) => {
  network.push(String(url));
  return Promise.reject(Object.assign(new Error('network refused in tests'), { code: 'ECONNREFUSED' }));
};
refuse.get = refuse;
refuse.head = refuse;
const gotPath = requireEng.resolve('got');
const stub = new Module(gotPath);
stub.filename = gotPath;
stub.loaded = true;
stub.exports = refuse;
requireEng.cache[gotPath] = stub;

const [input, ...excluded] = process.argv.slice(2);
if (!input) {
  console.error('usage: electronegativity-run.mjs <folder> [excluded checks...]');
  process.exit(2);
}
const run = requireEng('./dist/runner.js');
const result = await run({ input, isRelative: true, excludeFromScan: excluded, parserPlugins: [] }, false);
const issues = result.issues.map((i) => ({
  id: i.id,
  file: i.file,
  line: i.location.line,
  column: i.location.column,
  severity: i.severity.name,
  confidence: i.confidence.name,
  manualReview: i.manualReview,
  description: i.description,
}));
process.stdout.write(
  `${RESULT_PREFIX}${JSON.stringify({ globalChecks: result.globalChecks, atomicChecks: result.atomicChecks, errors: result.errors, issues, network })}\n`,
);
