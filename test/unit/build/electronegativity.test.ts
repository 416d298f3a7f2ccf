/**
 * Doyensec's Electronegativity, the scanner Electron's security checklist
 * recommends (electronjs.org/docs/latest/tutorial/security), over Coffer's
 * sources: every finding must be in electronegativity-allowlist.ts with its
 * reason, and every allowlist entry must still match a finding.
 *
 * What is scanned: a copy of electron/, renderer/ and shared/ (TypeScript,
 * TSX, the renderer's index.html) and package.json (for the Electron version),
 * plus generated/main-window.js: `new BrowserWindow(<the packaged window's
 * options>)` with the value mainWindowOptions() really returns. app.ts builds
 * the window from that function, which a static scanner cannot evaluate, so
 * without this copy the per-window checks (sandbox, contextIsolation,
 * nodeIntegration, webSecurity, insecure content, experimental and Blink
 * features, preload) would see nothing. electron-builder.yml is not read by
 * Electronegativity 1.10 (fuses are checked in electron-builder.test.ts).
 *
 * Offline and deterministic: the scan runs in a child process whose `got` is
 * a stub refusing every request (electronegativity-run.mjs), and the one
 * check that needs the network is not run (EXCLUDED_CHECKS).
 */
import { execFile } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONTENT_SECURITY_POLICY } from '../../../electron/main/protocol.js';
import { mainWindowOptions } from '../../../electron/main/window-options.js';
import { APP_SOURCE_DIRS, ROOT } from '../../helpers/sources.js';
import { ALLOWED_FINDINGS, EXCLUDED_CHECKS, type AllowedFinding } from './electronegativity-allowlist.js';

interface Finding {
  id: string;
  file: string;
  line: number;
  column: number;
  severity: string;
  confidence: string;
  manualReview: boolean;
  description: string;
}
interface ScanResult {
  globalChecks: number;
  atomicChecks: number;
  errors: { file: string; message: string; tolerable: boolean }[];
  issues: Finding[];
  network: string[];
}

const RUNNER = join(ROOT, 'test/unit/build/electronegativity-run.mjs');
const ENG_DIR = dirname(createRequire(join(ROOT, 'package.json')).resolve('@doyensec/electronegativity/package.json'));
const requireEng = createRequire(join(ENG_DIR, 'package.json'));
const ENG = requireEng('./package.json') as { version: string; i18nSource: string };

async function scan(folder: string, excluded: readonly string[]): Promise<ScanResult> {
  const { stdout } = await promisify(execFile)(process.execPath, [RUNNER, folder, ...excluded], {
    cwd: ROOT,
    env: { ...process.env, FORCE_COLOR: '0' },
    maxBuffer: 16 * 1024 * 1024,
    timeout: 60_000,
  });
  const line = stdout.split('\n').find((l) => l.startsWith('ELECTRONEGATIVITY-RESULT '));
  if (line === undefined) throw new Error(`no result from the runner; it printed: ${stdout.slice(0, 2000)}`);
  return JSON.parse(line.slice('ELECTRONEGATIVITY-RESULT '.length)) as ScanResult;
}

const matches = (a: AllowedFinding, f: Finding): boolean => a.id === f.id && a.file === f.file && f.description.includes(a.description);
const show = (f: Finding): string => `${f.id} ${f.file}:${f.line}:${f.column} [${f.severity}/${f.confidence}] ${f.description}`;

let work = '';
let app: ScanResult;
let canary: ScanResult;
let started = 0;
let took = 0;

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'coffer-electronegativity-'));
  const stage = join(work, 'app');
  for (const d of APP_SOURCE_DIRS) cpSync(join(ROOT, d), join(stage, d), { recursive: true });
  cpSync(join(ROOT, 'package.json'), join(stage, 'package.json'));
  const packaged = mainWindowOptions({ preloadPath: '/opt/Coffer/resources/app.asar/dist/preload/index.cjs', isDev: false });
  mkdirSync(join(stage, 'generated'));
  writeFileSync(
    join(stage, 'generated', 'main-window.js'),
    `// The packaged main window's options as mainWindowOptions() returns them (electronegativity.test.ts).\n` +
      `const { BrowserWindow } = require('electron');\n` +
      `const win = new BrowserWindow(${JSON.stringify(packaged, null, 2)});\n`,
  );

  // Known anti-patterns, in TypeScript, to show the scan sees what it should.
  const bad = join(work, 'canary');
  mkdirSync(join(bad, 'src'), { recursive: true });
  writeFileSync(join(bad, 'package.json'), JSON.stringify({ name: 'canary', devDependencies: { electron: '^45.5.0' } }));
  writeFileSync(
    join(bad, 'src', 'main.ts'),
    [
      "import { app, BrowserWindow, shell } from 'electron';",
      'const target: string = process.argv[2] ?? "";',
      'app.whenReady().then(() => {',
      '  const w = new BrowserWindow({ webPreferences: { contextIsolation: false, sandbox: false, webSecurity: false, allowRunningInsecureContent: true } });',
      "  void w.loadURL('http://example.com/');",
      '  void shell.openExternal(target);',
      '});',
      '',
    ].join('\n'),
  );
  started = Date.now();
  const excluded = EXCLUDED_CHECKS.map((c) => c.name);
  [app, canary] = await Promise.all([scan(stage, excluded), scan(bad, excluded)]);
  took = Date.now() - started;
});

afterAll(() => {
  if (work !== '') rmSync(work, { recursive: true, force: true });
});

describe(`electronegativity ${ENG.version} over Coffer's sources`, () => {
  it('runs its checks on every file, offline, in well under 30 s', () => {
    // Electronegativity 1.10.3: 6 global checks (one excluded) and 36 atomic ones.
    expect(app.globalChecks).toBe(6 - EXCLUDED_CHECKS.length);
    expect(app.atomicChecks).toBe(36);
    // A file it could not parse would go unchecked without a finding.
    expect(app.errors).toEqual([]);
    // The only request it tries is its translations lookup, refused by the stub.
    expect(app.network.length).toBeGreaterThan(0);
    for (const url of [...app.network, ...canary.network]) expect(url.startsWith(`${ENG.i18nSource}/`), url).toBe(true);
    expect(took).toBeLessThan(30_000);
  });

  it('reports nothing outside the allowlist', () => {
    const unexpected = app.issues.filter((f) => !ALLOWED_FINDINGS.some((a) => matches(a, f)));
    expect(unexpected.map(show)).toEqual([]);
  });

  it('every allowlist entry matches a finding of this run (no stale entries) and is explained', () => {
    for (const a of ALLOWED_FINDINGS) {
      expect(app.issues.some((f) => matches(a, f)), `${a.id} ${a.file}`).toBe(true);
      expect(a.why.length, a.id).toBeGreaterThan(80);
      expect(a.proof, a.id).toMatch(/test\/unit\/|electron-builder\.yml/);
    }
    for (const c of EXCLUDED_CHECKS) {
      expect(c.name).toBe(c.name.toLowerCase());
      expect(c.why.length, c.name).toBeGreaterThan(80);
    }
  });

  it("sees the packaged window's real options: the per-window checks find nothing but the allowlisted two", () => {
    const onWindow = app.issues.filter((f) => f.file === 'generated/main-window.js').map((f) => f.id).sort();
    expect(onWindow).toEqual(['AUXCLICK_JS_CHECK', 'PRELOAD_JS_CHECK']);
  });

  it('the scan finds what it should: a canary with known anti-patterns is flagged', () => {
    const ids = new Set(canary.issues.map((f) => f.id));
    for (const id of [
      'CONTEXT_ISOLATION_JS_CHECK',
      'SANDBOX_JS_CHECK',
      'WEB_SECURITY_JS_CHECK',
      'INSECURE_CONTENT_JS_CHECK',
      'HTTP_RESOURCES_JS_CHECK',
      'OPEN_EXTERNAL_JS_CHECK',
      'LIMIT_NAVIGATION_GLOBAL_CHECK',
      'PERMISSION_REQUEST_HANDLER_GLOBAL_CHECK',
    ]) {
      expect(ids.has(id), id).toBe(true);
    }
    expect(canary.errors).toEqual([]);
  });

  it('the CSP Coffer sends passes the CSP evaluator behind CSP_GLOBAL_CHECK', () => {
    // The same evaluator, from Electronegativity's own dependency tree.
    const csp = requireEng('@doyensec/csp-evaluator') as {
      CspParser: new (s: string) => { csp: unknown };
      CspEvaluator: new (c: unknown, v: unknown) => { evaluate(): { severity: number; directive: string; value?: string; description: string }[] };
      Version: { CSP3: unknown };
      severities: Record<string, number>;
    };
    const evaluate = (policy: string) => new csp.CspEvaluator(new csp.CspParser(policy).csp, csp.Version.CSP3).evaluate();
    const bad = [csp.severities.HIGH, csp.severities.SYNTAX, csp.severities.MEDIUM, csp.severities.HIGH_MAYBE];
    const findings = evaluate(CONTENT_SECURITY_POLICY);
    expect(findings.filter((f) => bad.includes(f.severity))).toEqual([]);
    // Its one remark: 'self' in script-src (JSONP, Angular, user uploads) — app:// serves only the built bundle.
    expect(findings.map((f) => [f.directive, f.value, f.severity])).toEqual([["script-src", "'self'", csp.severities.MEDIUM_MAYBE]]);
    // The evaluator does flag a weak policy, so passing it means something.
    expect(evaluate("script-src 'unsafe-inline' *").some((f) => f.severity === csp.severities.HIGH)).toBe(true);
  });
});
