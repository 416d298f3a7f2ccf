/**
 * `npm run bench`: Coffer's performance figures, each next to its target,
 * measured side by side in one run, and written to docs/BENCHMARKS.md.
 *
 * Each scenario runs in its own child process (bench/scenarios/<name>.ts)
 * so its peak memory is its own; children report JSON lines on stdout
 * (bench/lib/common.ts). Targets are goals, not tests: the run prints
 * "target met" / "target missed" and always exits 0 unless a scenario
 * crashes.
 *
 * Environment:
 *   COFFER_BENCH_SCALE=0.1   smaller vaults for a quick run (default 1; every size in every group)
 *   COFFER_BENCH_REPS=5      repetitions of the expensive measurements (default 3)
 *   COFFER_BENCH_REAL_SETS=1 build the many-commit vaults with real `set` calls (slow)
 *   COFFER_BENCH_CPU_PROF=1  run each child under --cpu-prof and add the top functions to the report
 *   COFFER_BENCH_DIR=path    where the vaults go (kept afterwards); default a temp folder, removed
 *   COFFER_BENCH_KEEP=1      keep the temp folder
 *   COFFER_BENCH_DOC=path    where to write the report (default docs/BENCHMARKS.md)
 *   COFFER_BENCH_CACHE=path  where built fixtures of sections (8)–(11) are kept between runs
 *                            (default <tmp>/coffer-bench-cache; "off": build them every run)
 *   COFFER_BENCH_REBUILD=1   build the cached fixtures again
 *   COFFER_BENCH_ONLY=renderer  run only some groups (comma-separated): `engine` = sections (1)–(6),
 *                            `renderer` = section (7), the renderer in Chromium, `big` = section (8),
 *                            the 100,000-secret vault and how open time grows, `cli` = sections
 *                            (9)–(11), whole `coffer` processes (KeePassXC, memory, argon2 CLI), `keys` =
 *                            section (12), RS256 and ES256 sign beside `openssl speed`, key generation,
 *                            `team` = section (13), a vault of 50 members and 20 key epochs beside one member.
 *                            A partial run updates only its own sections of the report (and the
 *                            How-to/Method text); the rest of the file is kept as the last run wrote it.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { cacheRoot, engineHash, fixtureKey, rebuild } from './lib/cache.js';
import { type ChildLine, now, type Samples, settings, sizes } from './lib/common.js';
import { type ProfileSummary, summarizeProfile } from './lib/cpuprofile.js';
import { PASSPHRASE_TEXT, secretName, seededValue } from './lib/fixtures.js';
import type { Rate } from './scenarios/keys.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const ARGON2_CLI = '/usr/bin/argon2';
const SET_RATIO_MAX = 1.5;
const BYTES_RATIO_MAX = 1.1;
const FIRST_RENDER_MAX_MS = 100;
const KEYSTROKE_MAX_MS = 16;

// ------------------------------------------------------------------ groups (COFFER_BENCH_ONLY)

const GROUPS = ['engine', 'renderer', 'big', 'cli', 'keys', 'team'] as const;
type Group = (typeof GROUPS)[number];

function onlyGroups(): Set<Group> {
  const raw = process.env.COFFER_BENCH_ONLY?.trim();
  if (!raw) return new Set(GROUPS);
  const names = raw.split(',').map((x) => x.trim()).filter((x) => x !== '');
  const bad = names.filter((x) => !(GROUPS as readonly string[]).includes(x));
  if (bad.length || names.length === 0) throw new Error(`COFFER_BENCH_ONLY: unknown ${bad.join(', ') || '(empty)'}; use ${GROUPS.join(', ')} (comma-separated)`);
  return new Set(names as Group[]);
}

const only = onlyGroups();
const partial = only.size < GROUPS.length;

// ------------------------------------------------------------------ children

interface ChildRun {
  label: string;
  script: string;
  group: Group;
  ok: boolean;
  error?: string;
  wallMs: number;
  maxRSSKiB?: number;
  results: Map<string, unknown>;
  profile?: ProfileSummary;
}

const runs: ChildRun[] = [];
const cpuProf = process.env.COFFER_BENCH_CPU_PROF === '1';
let profileDir = '';

async function child(script: string, label: string, args: object, group: Group = 'engine'): Promise<ChildRun> {
  // A group left out by COFFER_BENCH_ONLY: not run, reported nowhere (its sections are not printed or written).
  if (!only.has(group)) return { label, script, group, ok: false, error: 'skipped (COFFER_BENCH_ONLY)', wallMs: 0, results: new Map() };
  process.stderr.write(`▶ ${label}\n`);
  const loadAt = os.loadavg()[0]!;
  // One folder per child: tsx's loader thread writes a profile of its own; the main thread's is the biggest.
  const profDir = path.join(profileDir, `${runs.length}-${script}`);
  // --expose-gc: the open scenarios collect what one open left before timing the next (open.ts).
  const nodeArgs = [...(cpuProf ? ['--cpu-prof', '--cpu-prof-dir', profDir] : []), '--expose-gc', '--import', 'tsx', path.join('bench', 'scenarios', `${script}.ts`)];
  const t0 = now();
  const run: ChildRun = { label, script, group, ok: false, wallMs: 0, results: new Map() };
  const code = await new Promise<number>((resolve) => {
    const p = spawn(process.execPath, nodeArgs, {
      cwd: ROOT,
      env: { ...process.env, COFFER_BENCH_ARGS: JSON.stringify(args) },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let buf = '';
    p.stdout.setEncoding('utf8');
    p.stdout.on('data', (d: string) => {
      buf += d;
      let nl: number;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl).trim();
        buf = buf.slice(nl + 1);
        if (!line.startsWith('{')) {
          if (line) process.stderr.write(`    ${line}\n`);
          continue;
        }
        const msg = JSON.parse(line) as ChildLine;
        if (msg.kind === 'result') run.results.set(msg.key, msg.value);
        else if (msg.kind === 'done') run.maxRSSKiB = msg.maxRSSKiB;
      }
    });
    p.on('error', (e) => {
      run.error = e.message;
      resolve(-1);
    });
    p.on('close', (c) => resolve(c ?? -1));
  });
  run.wallMs = now() - t0;
  run.ok = code === 0 && run.maxRSSKiB !== undefined;
  if (!run.ok) run.error ??= `exited with code ${code}`;
  if (cpuProf && run.ok) run.profile = await mainThreadProfile(profDir).catch(() => undefined);
  process.stderr.write(
    run.ok ? `✓ ${label}: ${(run.wallMs / 1000).toFixed(1)} s, peak RSS ${mib(run.maxRSSKiB!)}, load average ${loadAt.toFixed(2)} → ${os.loadavg()[0]!.toFixed(2)}\n` : `✗ ${label}: ${run.error}\n`,
  );
  runs.push(run);
  return run;
}

async function mainThreadProfile(dir: string): Promise<ProfileSummary | undefined> {
  const files = await Promise.all(
    (await readdir(dir)).filter((f) => f.endsWith('.cpuprofile')).map(async (f) => ({ f: path.join(dir, f), size: (await stat(path.join(dir, f))).size })),
  );
  const main = files.sort((a, b) => b.size - a.size)[0];
  return main ? summarizeProfile(main.f, `${ROOT}/`) : undefined;
}

const get = <T>(r: ChildRun | undefined, key: string): T | undefined => (r?.ok ? (r.results.get(key) as T | undefined) : undefined);

// ------------------------------------------------------------------ formatting

function ms(x: number | undefined): string {
  if (x === undefined || !Number.isFinite(x)) return '—';
  if (x < 10) return `${x.toFixed(2)} ms`;
  if (x < 10_000) return `${Math.round(x).toLocaleString('en')} ms`;
  if (x < 600_000) return `${(x / 1000).toFixed(1)} s`;
  if (x < 7_200_000) return `${(x / 60_000).toFixed(0)} min`;
  return `${(x / 3_600_000).toFixed(1)} h`;
}

function bytes(x: number | undefined): string {
  if (x === undefined) return '—';
  if (x < 10_000) return `${x.toLocaleString('en')} B`;
  return `${(x / 1024 / 1024).toFixed(1)} MiB`;
}

function mib(kib: number): string {
  return `${(kib / 1024).toFixed(0)} MiB`;
}

const n = (x: number): string => x.toLocaleString('en');

type Status = 'target met' | 'target missed' | 'not measured' | '';

interface Row {
  label: string;
  value: string;
  target: string;
  status: Status;
  note?: string;
  /** Print the note on the same line (short notes). */
  inline?: boolean;
}

interface Section {
  title: string;
  rows: Row[];
  notes: string[];
  group: Group;
}

const sections: Section[] = [];

function section(title: string, group: Group = 'engine'): Section {
  const s: Section = { title, rows: [], notes: [], group };
  sections.push(s);
  return s;
}

function status(ok: boolean | undefined): Status {
  return ok === undefined ? 'not measured' : ok ? 'target met' : 'target missed';
}

function printSection(s: Section): void {
  console.log(`\n${s.title}`);
  const w = Math.max(...s.rows.map((r) => r.label.length), 10);
  const vw = Math.max(...s.rows.map((r) => r.value.length), 6);
  const tw = Math.max(...s.rows.map((r) => r.target.length), 6);
  for (const r of s.rows) {
    const target = s.rows.some((x) => x.target) ? `  ${(r.target ? `target ${r.target}` : '').padEnd(tw + 7)}` : '';
    const line = `  ${r.label.padEnd(w)}  ${r.value.padStart(vw)}${target}  ${r.status}${r.inline && r.note ? `  (${r.note})` : ''}`;
    console.log(line.trimEnd());
    if (r.note && !r.inline) console.log(`  ${''.padEnd(w)}  ${r.note}`);
  }
  for (const note of s.notes) console.log(`  · ${note}`);
}

const md = (s: string): string => s.replace(/\|/g, '\\|');

function sectionMarkdown(s: Section): string {
  const lines = [`### ${s.title}`, '', '| Figure | Value | Target | Result |', '|---|---:|---|---|'];
  for (const r of s.rows) {
    lines.push(`| ${md(r.label)}${r.note ? `<br><small>${md(r.note)}</small>` : ''} | ${md(r.value)} | ${md(r.target)} | ${r.status} |`);
  }
  if (s.notes.length) lines.push('', ...s.notes.map((x) => `- ${x}`));
  return lines.join('\n');
}

/** A result section's number: "(8) ..." → 8. */
function sectionNumber(title: string): number {
  const m = /^\((\d+)\)/.exec(title);
  if (!m) throw new Error(`section title without a number: ${title}`);
  return Number(m[1]);
}

/** The number of a `### (N) ...` heading line, if it is one. */
const headingNumber = (line: string): number | undefined => {
  const m = /^### \((\d+)\)/.exec(line);
  return m ? Number(m[1]) : undefined;
};

/** The lines of section (n), from its `### (n)` heading up to the next `### ` or `## ` heading. */
function sectionBounds(doc: string, num: number): { start: number; end: number } | undefined {
  const lines = doc.split('\n');
  const start = lines.findIndex((l) => headingNumber(l) === num);
  if (start < 0) return undefined;
  let end = lines.findIndex((l, i) => i > start && (l.startsWith('### ') || l.startsWith('## ')));
  if (end < 0) end = lines.length;
  return { start, end };
}

function findSection(doc: string, num: number): string | undefined {
  const b = sectionBounds(doc, num);
  return b ? `${doc.split('\n').slice(b.start, b.end).join('\n').trimEnd()}\n` : undefined;
}

/**
 * `doc` with section (num) replaced by `text`; when it has none, `text` goes before the first
 * section with a higher number, else before "## CPU profiles" / "## How to reproduce" (or at the end).
 */
function putSection(doc: string, num: number, text: string): string {
  const lines = doc.split('\n');
  const add = [...text.trimEnd().split('\n'), ''];
  const b = sectionBounds(doc, num);
  if (b) lines.splice(b.start, b.end - b.start, ...add);
  else {
    let at = lines.findIndex((l) => (headingNumber(l) ?? 0) > num);
    if (at < 0) at = lines.findIndex((l) => l === '## CPU profiles' || l === '## How to reproduce');
    if (at >= 0) lines.splice(at, 0, ...add);
    else lines.push('', ...add);
  }
  return lines.join('\n');
}

/**
 * A section kept from the old report by a run with the engine group (which rewrites the machine
 * table): a note saying which run measured it, unless it already has one (a "Measured alone" note
 * names its own run; its words about the machine table are then of the old report).
 */
function keptNote(old: string, text: string): string {
  if (/^- (Kept from|Measured alone)/m.test(text)) return text;
  const when = /^Written by .*? on (\d{4}-\d\d-\d\dT[\d:.]+Z)/m.exec(old)?.[1];
  const src = /^\| Source \| (.*) \|$/m.exec(old)?.[1];
  const note = `- Kept from the report written on ${when ?? 'an earlier date'}${src ? ` (${src.replace(/\\\|/g, '|')})` : ''}: this run (COFFER_BENCH_ONLY=${[...only].join(',')}) did not measure it, and the machine table above is not that run's.`;
  return `${text.trimEnd()}\n${/\n- [^\n]*$/.test(text.trimEnd()) ? '' : '\n'}${note}\n`;
}

/** Method text of section (7), in the report's Method list. */
const RENDERER_METHOD = [
  '- Renderer (7): bench/scenarios/renderer-list.ts imports N secrets in one `secrets.import` commit (the browser tests\' KDF, m = 8 MiB, t = 1, p = 1), builds the renderer for production (`vite build --mode production`, into the bench folder), and runs the app as the browser tests do (test/e2e/harness.ts `launchApp`: main\'s real handlers in Node, the renderer in headless Debian Chromium, the preload emulated). Every time is taken in the page with `performance.now()` or the event\'s `timeStamp` (the same clock), so Playwright\'s own round trips are not counted; the renderer is not modified.',
  '- "First frame with the rows": a MutationObserver sees the listbox hold option rows with the expected `aria-setsize`; the next `requestAnimationFrame` callback is the start of the frame that shows them; there the agent forces style and layout and stops the clock. What is left of that frame on the main thread is paint (under 1 ms for ~20 rows); raster and display are off the main thread and not counted. "Next frame" (double rAF) also counts what the main thread does before it can draw again.',
  '- First render after Unlock: each repetition locks, types the passphrase and clicks Unlock; the clock starts when `secrets:list`\'s answer (N items) is handed to the renderer. The agent wraps Playwright\'s binding delivery in the page (the stand-in for Electron\'s IPC) and hands the list on in a task of its own, as an Electron IPC reply arrives; so the harness\'s transport over the DevTools protocol and the native tail of its delivery call (70–100 ms of main-thread time for 10,000 items, with or without React) are excluded, and the React render, commit, style and layout are included. The first repetition is a cold page (its JIT has not seen the list yet). The Secrets-tab figure starts at the click on the tab, coming back from Deleted with the list data already in the store.',
  '- Keystroke → filtered list: `page.keyboard.press` (a real key event through Chromium\'s input pipeline) in the focused search box; the clock starts at the keydown event\'s `timeStamp`; the expected count comes from the renderer\'s own filterAndSort on the same items, and every row shown is checked to match. Each query is typed while every character changes the count, then deleted with Backspace (its own row). Event Timing\'s keydown entries (to the frame on screen) are the cross-check.',
];

/** Method text of section (12), in the report's Method list. */
const KEYS_METHOD = [
  '- Keys (12): bench/scenarios/keys.ts creates a vault with the engine\'s public API (electron/vault/index.ts `loadEngine().createVault`, the smallest Argon2id), an RSA-2048 and an EC P-256 key by `keys.create`, and times awaited `keys.sign` calls one after the other (one call in flight, one thread) for 2.5 s each after a short warm-up, in 5 slices taken in turn with the other path and with `keys.get` of the same key: RS256 and ES256, each over a 32-byte SHA-256 digest (`{ algorithm, digest }`, Key Vault\'s API, the judged figure) and over 32 bytes of data (`{ algorithm, data }`, which the engine hashes and signs with OpenSSL in one call, shown beside). ops/s = calls ÷ wall time. Before timing, the child checks that both paths\' signatures verify over the same digest (@noble/curves `verify` with `prehash: false` for ES256; RS256 gives the same bytes on both paths).',
  '- `openssl speed -seconds 3 -multi 1 rsa2048` and `openssl speed -seconds 3 ecdsap256` (with `-mr`, its machine-readable output, from which sign/s is read: the `+F2` and `+F4` lines) run in the same child right after the engine\'s figures for their algorithm; ratio = engine ops/s ÷ openssl sign/s, met at ≥ 0.8× for RS256 (RSA-2048) and ≥ 0.6× for ES256.',
  '- The breakdown rows of (12) time each part of a call alone, in the same child, with engine internals: algorithms.ts `sign` on material decoded once (the signature), material.ts `decodePrivate` (decoding the version\'s material), `keys.get` (the permission check and the same audit record, no key material; timed in turn with the sign calls), one fsynced 200-byte append (the disk). @noble/curves\' ES256 is timed with its default base-point table (W = 6) and after `Point.BASE.precompute(8)`, then the engine\'s ES256 digest path with the W = 6 and the W = 8 table in turn. COFFER_BENCH_CPU_PROF=1 profiles the child as a whole.',
  '- Key generation (12): `keys.create` of each type, size or curve, one after the other in the same vault (each its own commit and audit record), median of 7 (RSA-2048), 5 (RSA-3072), 3 (RSA-4096; more with COFFER_BENCH_REPS, up to 5) or 15 (EC, oct, Ed25519).',
];

// ------------------------------------------------------------------ machine

function sh(cmd: string, args: string[]): string | undefined {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : undefined;
}

/** Which code was measured: the commit, and whether the engine, the CLI or shared/ had uncommitted changes. */
function source(): string {
  const head = sh('git', ['-C', ROOT, 'rev-parse', '--short', 'HEAD']);
  if (!head) return 'unknown (not a git checkout)';
  const dirty = sh('git', ['-C', ROOT, 'status', '--porcelain', '--', 'electron', 'shared', 'bin']);
  return `commit ${head}${dirty ? ', with uncommitted changes in electron/, shared/ or bin/' : ''}`;
}

function machine(dir: string): [string, string][] {
  const cpus = os.cpus();
  return [
    ['CPU', `${cpus[0]?.model.trim() ?? 'unknown'} × ${cpus.length} (os.cpus)`],
    ['Memory', `${(os.totalmem() / 1024 ** 3).toFixed(1)} GiB`],
    ['OS', `${os.type()} ${os.release()} ${os.arch()}`],
    ['Node', process.version],
    ['Source', source()],
    ['Bench folder', `${dir} (${sh('findmnt', ['-n', '-o', 'FSTYPE', '-T', dir]) ?? sh('stat', ['-f', '-c', '%T', dir]) ?? 'file system unknown'})`],
    ['argon2 CLI', `${ARGON2_CLI} ${sh('dpkg-query', ['-W', '-f', '${Version}', 'argon2']) ?? '(version unknown)'}`],
    ['keepassxc-cli', onPath('keepassxc-cli') ? `${onPath('keepassxc-cli')} ${sh('keepassxc-cli', ['--version']) ?? '(version unknown)'}` : 'not installed (Debian: apt-get install keepassxc)'],
  ];
}

/** When a group finished, and how busy the machine was then. */
interface Stamp {
  at: Date;
  load: number;
}
const stamp = (): Stamp => ({ at: new Date(), load: os.loadavg()[0]! });

/** The note of a section measured without the engine group: the report's machine table is from another run. */
function alone(t: Stamp): string | undefined {
  if (!partial || only.has('engine')) return undefined;
  return `Measured alone (COFFER_BENCH_ONLY=${[...only].join(',')}) on ${t.at.toISOString()}, ${source()}, load average ${t.load.toFixed(2)}; the machine table above is from the run that wrote the rest of this file.`;
}

// ------------------------------------------------------------------ cached fixtures (sections (8)–(11))

interface Fixture {
  /** The folder the build child wrote (in the cache, or in the bench folder when the cache is off). */
  dir: string;
  /** What the build child reported (kept in the folder's fixture.json). */
  meta: Record<string, unknown>;
  cached: boolean;
  builtAt: string;
  error?: string;
}

let engineKey: string | undefined;

/**
 * A fixture built by `script` into a folder of the cache (bench/lib/cache.ts), or the one
 * built before with the same parameters (and, for `engine` fixtures, the same engine sources).
 */
async function fixture(group: Group, name: string, params: Record<string, unknown>, o: { engine: boolean; script: string; label: string; work: string }): Promise<Fixture> {
  const root = cacheRoot();
  const keyParams = o.engine ? { ...params, engine: (engineKey ??= await engineHash(ROOT)) } : params;
  const key = fixtureKey(name, keyParams);
  const dir = root ? path.join(root, key) : path.join(o.work, 'fixtures', key);
  if (root && !rebuild()) {
    const saved = await readFile(path.join(dir, 'fixture.json'), 'utf8')
      .then((t) => JSON.parse(t) as { builtAt: string; results: Record<string, unknown> })
      .catch(() => undefined);
    if (saved) {
      process.stderr.write(`▶ ${o.label}: cached (${dir}, built ${saved.builtAt})\n`);
      return { dir, meta: saved.results, cached: true, builtAt: saved.builtAt };
    }
  }
  const tmp = `${dir}.tmp-${process.pid}`;
  await rm(tmp, { recursive: true, force: true });
  await mkdir(tmp, { recursive: true });
  const run = await child(o.script, o.label, { ...params, dir: tmp }, group);
  if (!run.ok) {
    await rm(tmp, { recursive: true, force: true });
    return { dir, meta: {}, cached: false, builtAt: '', error: run.error };
  }
  const results = Object.fromEntries(run.results);
  const builtAt = new Date().toISOString();
  await writeFile(path.join(tmp, 'fixture.json'), `${JSON.stringify({ name, params: keyParams, builtAt, results }, null, 2)}\n`);
  await rm(dir, { recursive: true, force: true });
  await rename(tmp, dir);
  if (root) {
    // Older builds of the same fixture (other parameters, an older engine) are not used again.
    const same = new RegExp(`^${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}-[0-9a-f]{16}$`);
    for (const e of await readdir(root)) if (same.test(e) && e !== key) await rm(path.join(root, e), { recursive: true, force: true });
  }
  return { dir, meta: results, cached: false, builtAt };
}

function fixtureNote(f: Fixture): string {
  const ms = f.meta.buildMs as number | undefined;
  return f.cached ? `built ${f.builtAt.slice(0, 10)} in ${ms !== undefined ? `${(ms / 1000).toFixed(0)} s` : '?'}, cached` : `built in this run`;
}

function onPath(name: string): string | null {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    const p = path.join(dir, name);
    if (dir && existsSync(p)) return p;
  }
  return null;
}

// ------------------------------------------------------------------ (8) big vault, growth

/** The sizes of section (8) at scale 1; the largest is the 100,000-secret vault. */
const GROWTH_SIZES = [1_000, 10_000, 100_000];
const BIG_WARM_MAX_MS = 600;
const BIG_COLD_CHECKPOINT_MAX_MS = 3000;

interface GrowthPoint {
  secrets: number;
  fx: Fixture;
  reps: number;
  /** Cold: a fresh profile, the file without a checkpoint (every commit verified and folded). */
  cold?: ChildRun;
  /** Warm: the profile of the last cold open, where that open wrote the warm snapshot. */
  warm?: ChildRun;
  /** The largest size only: the same vault after one checkpoint() by its creator (a cached fixture of its own). */
  cpFx?: Fixture;
  /** Cold opens of that copy in fresh profiles: from the checkpoint. */
  fromCheckpoint?: ChildRun;
}

async function bigGroup(work: string, scale: number, reps: number): Promise<GrowthPoint[] | undefined> {
  if (!only.has('big')) return undefined;
  const points: GrowthPoint[] = [];
  for (const base of GROWTH_SIZES) {
    const secrets = Math.max(10, Math.round(base * scale));
    const largest = base === GROWTH_SIZES[GROWTH_SIZES.length - 1];
    const p: GrowthPoint = {
      secrets,
      reps: largest ? reps : Math.max(reps, 5),
      fx: await fixture('big', `vault-${secrets}x5-small`, { secrets, versions: 5, kdf: 'small', seed: `big-${secrets}` }, {
        engine: true,
        script: 'build-vault',
        label: `build (8): ${n(secrets)} secrets × 5 versions by secrets.import, at most 50,000 entries per call`,
        work,
      }),
    };
    points.push(p);
    if (p.fx.error) continue;
    // The bench opens a copy: an open that wrote to the file must not change the cached one.
    const file = path.join(work, `big-${secrets}.coffer`);
    await copyFile(path.join(p.fx.dir, 'vault.coffer'), file);
    const expect = { secrets, secretVersions: secrets * 5, commits: p.fx.meta.commits as number };
    const prefix = path.join(work, `profile-big-${secrets}`);
    p.cold = await child('open', `(8) open + list + show, cold, no checkpoint: ${n(secrets)} × 5`, { path: file, profilePrefix: prefix, mode: 'cold', reps: p.reps, expect, expectPath: 'full' }, 'big');
    if (p.cold.ok) {
      // The profile of the last cold open: that open (the full path) wrote the warm snapshot there.
      p.warm = await child('open', `(8) open + list + show, warm (snapshot): ${n(secrets)} × 5`, { path: file, profilePrefix: `${prefix}-${p.reps - 1}`, mode: 'warm', reps: p.reps, expect, expectPath: 'warm' }, 'big');
    }
    await rm(file, { force: true });
    if (largest) {
      // The same vault after one checkpoint() by its creator, built once from the cached vault and cached in turn.
      p.cpFx = await fixture('big', `vault-${secrets}x5-small-checkpoint`, { secrets, versions: 5, kdf: 'small', base: path.basename(p.fx.dir), source: path.join(p.fx.dir, 'vault.coffer') }, {
        engine: true,
        script: 'build-checkpoint',
        label: `build (8): the ${n(secrets)} × 5 vault with one checkpoint (its creator opens it and calls checkpoint())`,
        work,
      });
      if (!p.cpFx.error) {
        const cpFile = path.join(work, `big-${secrets}-checkpoint.coffer`);
        await copyFile(path.join(p.cpFx.dir, 'vault.coffer'), cpFile);
        p.fromCheckpoint = await child(
          'open',
          `(8) open + list + show, cold from a checkpoint: ${n(secrets)} × 5`,
          { path: cpFile, profilePrefix: path.join(work, `profile-big-${secrets}-checkpoint`), mode: 'cold', reps: p.reps, expect: { ...expect, commits: p.cpFx.meta.commits as number }, expectPath: 'checkpoint' },
          'big',
        );
        await rm(cpFile, { force: true });
      }
    }
  }
  return points;
}

function reportBig(points: GrowthPoint[], alone: string | undefined): void {
  const largest = points[points.length - 1]!;
  const s = section(`(8) ${n(largest.secrets)} secrets × 5 versions, and how open time grows (${points.map((p) => n(p.secrets)).join(' → ')} secrets × 5)`, 'big');
  const fig = (r: ChildRun | undefined): Samples | undefined => get<Samples>(r, 'afterKdfMs');
  const split = (r: ChildRun | undefined): string => {
    const o = get<Samples>(r, 'openMs');
    const l = get<Samples>(r, 'listMs');
    const sh = get<Samples>(r, 'showMs');
    const t = fig(r);
    const cpu = get<Samples>(r, 'cpuMs');
    const close = get<Samples>(r, 'closeMs');
    return o && l && sh && t
      ? `open ${ms(o.median)}, list ${ms(l.median)}, show ${ms(sh.median)}; median of ${t.samples.length}, fastest ${ms(t.min)}, first ${ms(t.first)}${cpu ? `; CPU ${ms(cpu.median)}` : ''}; peak RSS ${r?.maxRSSKiB !== undefined ? mib(r.maxRSSKiB) : '—'}${close ? `; then close ${ms(close.median)} (not counted: it takes the warm snapshot the open owes, written in the background)` : ''}`
      : '';
  };
  const f = largest.fx;
  const commits = f.meta.commits as number | undefined;
  s.rows.push({
    label: `fixture: ${n(largest.secrets * 5)} entries by secrets.import${commits !== undefined ? ` in ${n(commits - 2)} call${commits - 2 === 1 ? '' : 's'} (one commit each)` : ''}`,
    value: f.error ? '—' : ms(f.meta.buildMs as number),
    target: '',
    status: f.error ? 'not measured' : '',
    note: f.error ? `not built: ${f.error}` : `file ${bytes(f.meta.fileBytes as number)}; ${fixtureNote(f)}`,
  });
  const cp = largest.cpFx;
  if (cp) {
    const m = cp.meta;
    s.rows.push({
      label: 'fixture: the same vault after one checkpoint() by its creator (an Administrator): one more commit, holding the folded state',
      value: cp.error ? '—' : ms(m.checkpointMs as number),
      target: '',
      status: cp.error ? 'not measured' : '',
      note: cp.error
        ? `not built: ${cp.error}`
        : `covers ${n(m.covered as number)} commits; file ${bytes(m.sourceBytes as number)} → ${bytes(m.fileBytes as number)}; format version ${m.formatBefore as number} → ${m.formatAfter as number}; the full open before it ${ms(m.openMs as number)}; ${fixtureNote(cp)}`,
    });
  }
  const warm = fig(largest.warm);
  s.rows.push({
    label: `open + list + show − KDF, warm (${n(largest.secrets)} × 5; a profile that opened the vault before: its warm snapshot)`,
    value: ms(warm?.median),
    target: `≤ ${ms(BIG_WARM_MAX_MS)}`,
    status: status(warm ? warm.median <= BIG_WARM_MAX_MS : undefined),
    note: split(largest.warm) || undefined,
  });
  const fromCp = fig(largest.fromCheckpoint);
  s.rows.push({
    label: `open + list + show − KDF, cold from a checkpoint (${n(largest.secrets)} × 5, fresh profile, the file with one checkpoint)`,
    value: ms(fromCp?.median),
    target: `≤ ${ms(BIG_COLD_CHECKPOINT_MAX_MS)}`,
    status: status(fromCp ? fromCp.median <= BIG_COLD_CHECKPOINT_MAX_MS : undefined),
    note: split(largest.fromCheckpoint) || (largest.fromCheckpoint?.error ? `not measured: ${largest.fromCheckpoint.error}` : undefined),
  });
  const cold = fig(largest.cold);
  s.rows.push({
    label: `open + list + show − KDF, cold, no checkpoint (${n(largest.secrets)} × 5, fresh profile: every commit verified and folded)`,
    value: ms(cold?.median),
    target: '',
    status: cold ? '' : 'not measured',
    note: cold ? `${split(largest.cold)}. For comparison: the ${ms(BIG_COLD_CHECKPOINT_MAX_MS)} target is for the cold open from a checkpoint (above)` : undefined,
  });
  const modeLabel = { warm: 'warm', cold: 'cold, no checkpoint' } as const;
  for (const mode of ['warm', 'cold'] as const) {
    for (const p of points) {
      const t = fig(p[mode]);
      s.rows.push({ label: `${modeLabel[mode]}, ${n(p.secrets)} × 5`, value: ms(t?.median), target: '', status: t ? '' : 'not measured', note: split(p[mode]) || undefined });
    }
    for (let i = 1; i < points.length; i++) {
      const a = fig(points[i - 1]![mode]);
      const b = fig(points[i]![mode]);
      const ratio = a && b ? b.median / a.median : undefined;
      const k = points[i]!.secrets / points[i - 1]!.secrets;
      const ca = get<Samples>(points[i - 1]![mode], 'cpuMs');
      const cb = get<Samples>(points[i]![mode], 'cpuMs');
      s.rows.push({
        label: `growth, ${modeLabel[mode]}: ${n(points[i]!.secrets)} / ${n(points[i - 1]!.secrets)} secrets (× ${k})`,
        value: ratio !== undefined ? `${ratio.toFixed(1)}×` : '—',
        target: `≤ ${k}× (linear or better)`,
        status: status(ratio !== undefined ? ratio <= k : undefined),
        note: a && b && ca && cb ? `in CPU time (less sensitive to the machine's load): ${(cb.median / ca.median).toFixed(1)}× (${ms(ca.median)} → ${ms(cb.median)}); fastest runs: ${(b.min / a.min).toFixed(1)}×` : undefined,
      });
    }
  }
  s.notes.push(
    `Each vault: ${points.map((p) => n(p.secrets)).join(', ')} secrets × 5 versions (all secrets, then their second versions...), written by \`secrets.import\` (what \`coffer secret import\` calls) in calls of at most 50,000 entries, one commit each (the engine takes at most 99,999 entries per import: one commit holds 100,000 records); the smallest Argon2id parameters, subtracted as in (2). Figures are open + list (all items) + show (one secret) − KDF, medians; the growth rows divide the medians of two sizes.`,
  );
  s.notes.push(
    'Warm: the profile of the last cold open of the same file; that open (the full path) wrote the warm snapshot there, so a warm open reads the snapshot and only the commits after its verified prefix (none here). Cold, no checkpoint: a fresh profile each time, on the file as built (no checkpoint), so every commit is verified and folded. Every open is checked to have taken the path its row names (VaultSession.loadedWarm, loadedFromCheckpoint); one that did not is an error, never a figure.',
  );
  if (cp && !cp.error) {
    s.notes.push(
      `Cold from a checkpoint: a copy of the ${n(largest.secrets)} × 5 vault that its creator opened (passphrase, fresh profile) and on which it called \`vault.checkpoint()\` once, cached like the other fixtures (keyed by the engine's sources and the vault it was made from); each open is in a fresh profile (a computer that never opened the vault), so it starts from the checkpoint: it still hashes every line and replays every epoch commit with its signature, and takes the covered data commits' decisions, folded state and batch keys from the checkpoint. An Administrator's write adds such a checkpoint by itself once 10,000 commits follow the last one; this vault has only ${n((largest.fx.meta.commits as number | undefined) ?? 0)} commits (imports of up to 50,000 entries), hence the explicit call.`,
    );
  }
  if (alone) s.notes.push(alone);
}

// ------------------------------------------------------------------ (9)–(11) whole processes

const TIME_BIN = '/usr/bin/time';
const ARGON2_SALT = 'somesalt16bytes!!';
const KX_COST_RATIO_MAX = 0.1;
const KX_MEMORY_RATIO_MAX = 0.5;
const ARGON2_RATIO_MAX = 1.0;
const CLI_SEED = 'cli';

interface ProcStats {
  ms: Samples;
  rssKiB?: Samples;
  cpuMs?: Samples;
}

interface CliData {
  secrets: number;
  reps: number;
  prepare: { ok: boolean; ms: number; errors: string };
  one: Fixture;
  big: Fixture;
  kdf?: { memoryKiB: number; iterations: number; parallelism: number };
  kx: string | null;
  kxVersion?: string;
  kOne?: Fixture;
  kBig?: Fixture;
  time: string | null;
  argon2: boolean;
  run?: ChildRun;
  peakOne?: ChildRun;
  peakBig?: ChildRun;
  error?: string;
}

async function cliGroup(work: string, secrets: number, reps: number): Promise<CliData | undefined> {
  if (!only.has('cli')) return undefined;
  // The CLI measured is the working tree's: compile it first (`npm run prepare`).
  process.stderr.write('▶ npm run prepare (the CLI in dist/)\n');
  const t = now();
  // What `npm run prepare` runs: tsc, then the CLI's bundle and its code cache (scripts/build.mjs).
  const tsc = spawnSync(process.execPath, [path.join(ROOT, 'scripts', 'build.mjs'), 'main', 'cli'], { cwd: ROOT, encoding: 'utf8' });
  const prepare = { ok: tsc.status === 0, ms: now() - t, errors: `${tsc.stdout}${tsc.stderr}`.trim() };
  if (!prepare.ok) process.stderr.write(`    npm run prepare reported errors (the CLI measured is what it built):\n${prepare.errors.split('\n').slice(0, 5).map((l) => `    ${l}`).join('\n')}\n`);
  const build = (name: string, s: number, v: number): Promise<Fixture> =>
    fixture('cli', `vault-${s}x${v}-default`, { secrets: s, versions: v, kdf: 'default', seed: CLI_SEED }, {
      engine: true,
      script: 'build-vault',
      label: `build (9): ${name}, ${n(s)} secret${s === 1 ? '' : 's'} × ${v}, default KDF`,
      work,
    });
  const d: CliData = {
    secrets,
    reps,
    prepare,
    one: await build('one-secret vault', 1, 1),
    big: await build('big vault', secrets, 5),
    kx: onPath('keepassxc-cli'),
    time: existsSync(TIME_BIN) ? TIME_BIN : null,
    argon2: existsSync(ARGON2_CLI),
  };
  if (d.one.error || d.big.error) {
    d.error = `a vault was not built: ${d.one.error ?? d.big.error}`;
    return d;
  }
  if (!existsSync(path.join(ROOT, 'dist', 'electron', 'cli', 'main.js'))) {
    d.error = 'the CLI is not built (dist/electron/cli/main.js): `npm run prepare` failed';
    return d;
  }
  d.kdf = d.one.meta.kdf as CliData['kdf'];
  if (d.kx) {
    d.kxVersion = sh(d.kx, ['--version']) ?? 'unknown';
    const kdbx = (name: string, s: number, v: number): Promise<Fixture> =>
      fixture('cli', `kdbx-${s}x${v}`, { secrets: s, versions: v, seed: CLI_SEED, kdf: d.kdf, password: PASSPHRASE_TEXT, keepassxcCli: d.kx, keepassxc: d.kxVersion }, {
        engine: false,
        script: 'build-kdbx',
        label: `build (9): KeePass databases, ${name}, ${n(s)} entr${s === 1 ? 'y' : 'ies'} × ${v}`,
        work,
      });
    d.kOne = await kdbx('one entry', 1, 1);
    d.kBig = await kdbx('big', secrets, 5);
  }

  // Copies of the cached vaults (a run must not change them), each with its own profile.
  const oneVault = path.join(work, 'cli-one.coffer');
  const bigVault = path.join(work, 'cli-big.coffer');
  await copyFile(path.join(d.one.dir, 'vault.coffer'), oneVault);
  await copyFile(path.join(d.big.dir, 'vault.coffer'), bigVault);
  const homeOne = path.join(work, 'profile-cli-one');
  const homeBig = path.join(work, 'profile-cli-big');
  const probeBig = Math.floor(secrets / 2);
  const coffer = path.join(ROOT, 'bin', 'coffer.mjs');
  const pkg = JSON.parse(await readFile(path.join(ROOT, 'package.json'), 'utf8')) as { version: string };
  const getCmd = (key: string, vault: string, home: string, i: number, v: number): object => ({
    key,
    cmd: process.execPath,
    args: [coffer, '--vault', vault, 'secret', 'get', '-n', secretName(i)],
    env: { COFFER_HOME: home, COFFER_PASSPHRASE: PASSPHRASE_TEXT },
    stdout: seededValue(CLI_SEED, i, v),
  });
  const kx = (key: string, file: string, i: number, v: number): object => ({
    key,
    cmd: d.kx,
    args: ['show', '-s', file, secretName(i)],
    input: `${PASSPHRASE_TEXT}\n`,
    line: `Password: ${seededValue(CLI_SEED, i, v)}`,
  });
  const commands: object[] = [
    { key: 'node', cmd: process.execPath, args: ['-e', '0'] },
    { key: 'version', cmd: process.execPath, args: [coffer, '--version'], stdout: `${pkg.version}\n` },
    getCmd('getOne', oneVault, homeOne, 0, 0),
    getCmd('getBig', bigVault, homeBig, probeBig, 4),
  ];
  // A CA bundle named by NODE_EXTRA_CA_CERTS is read by every Node start, before any of Coffer's
  // code: also measured without it (an empty value is unset for Node), for what Coffer itself costs.
  if (process.env.NODE_EXTRA_CA_CERTS) {
    commands.push({ key: 'nodeNoCa', cmd: process.execPath, args: ['-e', '0'], env: { NODE_EXTRA_CA_CERTS: '' } });
    const noCa = getCmd('getOneNoCa', oneVault, homeOne, 0, 0) as { env: Record<string, string> };
    noCa.env.NODE_EXTRA_CA_CERTS = '';
    commands.push(noCa);
  }
  if (d.argon2 && d.kdf) {
    commands.push({
      key: 'argon2',
      cmd: ARGON2_CLI,
      args: [ARGON2_SALT, '-id', '-t', String(d.kdf.iterations), '-k', String(d.kdf.memoryKiB), '-p', String(d.kdf.parallelism), '-l', '32', '-r'],
      input: PASSPHRASE_TEXT,
    });
  }
  if (d.kOne && !d.kOne.error && d.kBig && !d.kBig.error) {
    commands.push(kx('kxOne', path.join(d.kOne.dir, 'argon2id.kdbx'), 0, 0), kx('kxBig', path.join(d.kBig.dir, 'argon2id.kdbx'), probeBig, 4));
    commands.push(kx('kxImpOne', path.join(d.kOne.dir, 'import.kdbx'), 0, 0), kx('kxImpBig', path.join(d.kBig.dir, 'import.kdbx'), probeBig, 4));
  }
  d.run = await child('whole-process', `(9)–(11) whole processes: coffer, argon2${d.kx ? ', keepassxc-cli' : ''} (${reps} rounds)`, { reps, warmups: 1, time: d.time, commands }, 'cli');
  if (d.run.ok) {
    d.peakOne = await child('open-peak', '(10) engine open peak: one-secret vault', { path: oneVault, profileDir: homeOne, name: secretName(0), value: seededValue(CLI_SEED, 0, 0) }, 'cli');
    d.peakBig = await child('open-peak', `(10) engine open peak: ${n(secrets)} × 5 vault`, { path: bigVault, profileDir: homeBig, name: secretName(probeBig), value: seededValue(CLI_SEED, probeBig, 4) }, 'cli');
  }
  return d;
}

function reportCli(d: CliData, alone: string | undefined): void {
  const N = `${n(d.secrets)} × 5`;
  const kdfText = d.kdf ? `m = ${d.kdf.memoryKiB / 1024} MiB, t = ${d.kdf.iterations}, p = ${d.kdf.parallelism}` : 'the default KDF';
  const s9 = section(`(9) Whole process: \`coffer secret get\` on a one-secret and a ${N} vault, beside \`keepassxc-cli show -s\``, 'cli');
  const s10 = section(`(10) Peak memory added by the ${N} vault: whole-process \`secret get\` beside KeePassXC, and the engine's own open`, 'cli');
  const s11 = section('(11) One-secret vault at the default KDF: whole-process `coffer secret get` beside the argon2 CLI alone', 'cli');
  const p = (key: string): ProcStats | undefined => get<ProcStats>(d.run, key);
  const msNote = (x: ProcStats | undefined): string | undefined =>
    x ? `median of ${x.ms.samples.length}, range ${ms(x.ms.min)}–${ms(x.ms.max)}${x.cpuMs ? `; CPU ${ms(x.cpuMs.median)}` : ''}${x.rssKiB ? `; peak RSS ${mib(x.rssKiB.median)}` : ''}` : undefined;
  const notMeasured = d.error ?? (d.run && !d.run.ok ? d.run.error : undefined);
  for (const s of [s9, s10, s11]) {
    if (notMeasured) s.notes.push(`Not measured: ${notMeasured}.`);
    if (alone) s.notes.push(alone);
  }
  if (notMeasured) return;

  // (9)
  const one = p('getOne');
  const big = p('getBig');
  const kOne = p('kxOne');
  const kBig = p('kxBig');
  const cofferCost = one && big ? big.ms.median - one.ms.median : undefined;
  const kxCost = kOne && kBig ? kBig.ms.median - kOne.ms.median : undefined;
  s9.rows.push({ label: 'coffer secret get, one-secret vault', value: ms(one?.ms.median), target: '', status: '', note: msNote(one) });
  s9.rows.push({ label: `coffer secret get, ${N} vault`, value: ms(big?.ms.median), target: '', status: '', note: msNote(big) });
  s9.rows.push({ label: `Coffer: cost of the ${N} vault (difference)`, value: ms(cofferCost), target: '', status: '' });
  const noKx = 'keepassxc-cli not found: install it (Debian 12: `apt-get install keepassxc`, the only package there that has keepassxc-cli) and run `COFFER_BENCH_ONLY=cli npm run bench` again';
  s9.rows.push({ label: 'keepassxc-cli show -s, one-entry database', value: ms(kOne?.ms.median), target: '', status: kOne ? '' : 'not measured', note: kOne ? msNote(kOne) : d.kx ? undefined : noKx });
  s9.rows.push({ label: `keepassxc-cli show -s, ${n(d.secrets)} entries × 5 versions`, value: ms(kBig?.ms.median), target: '', status: kBig ? '' : 'not measured', note: msNote(kBig) });
  s9.rows.push({ label: `KeePassXC: cost of the ${N} database (difference)`, value: ms(kxCost), target: '', status: kxCost !== undefined ? '' : 'not measured' });
  const costRatio = cofferCost !== undefined && kxCost !== undefined && kxCost > 0 ? cofferCost / kxCost : undefined;
  s9.rows.push({
    label: "Coffer's cost / KeePassXC's cost",
    value: costRatio !== undefined ? `${costRatio.toFixed(2)}×` : '—',
    target: `≤ ${KX_COST_RATIO_MAX.toFixed(2)}×`,
    status: status(costRatio !== undefined ? costRatio <= KX_COST_RATIO_MAX : undefined),
    note:
      costRatio === undefined
        ? d.kx
          ? undefined
          : 'needs keepassxc-cli (above)'
        : [
            one?.cpuMs && big?.cpuMs && kOne?.cpuMs && kBig?.cpuMs
              ? `in CPU time (less sensitive to the machine's load): Coffer's cost ${ms(big.cpuMs.median - one.cpuMs.median)}, KeePassXC's ${ms(kBig.cpuMs.median - kOne.cpuMs.median)}, ${((big.cpuMs.median - one.cpuMs.median) / (kBig.cpuMs.median - kOne.cpuMs.median)).toFixed(2)}×`
              : '',
            one && big && kOne && kBig ? `fastest runs: Coffer's cost ${ms(big.ms.min - one.ms.min)}, KeePassXC's ${ms(kBig.ms.min - kOne.ms.min)}, ${((big.ms.min - one.ms.min) / (kBig.ms.min - kOne.ms.min)).toFixed(2)}×` : '',
          ]
            .filter((x) => x)
            .join('; '),
  });
  const iOne = p('kxImpOne');
  const iBig = p('kxImpBig');
  if (iOne && iBig && cofferCost !== undefined) {
    const c = iBig.ms.median - iOne.ms.median;
    s9.rows.push({
      label: "cross-check: KeePassXC's own files (`keepassxc-cli import`), cost of the big one",
      value: ms(c),
      target: '',
      status: '',
      note: `one entry ${ms(iOne.ms.median)}, ${N} ${ms(iBig.ms.median)} (medians); Coffer's cost / this: ${(cofferCost / c).toFixed(2)}×`,
    });
  }
  const kInfo = (f: Fixture | undefined, k: string): string | undefined => (f?.meta[k] as { kdf: string } | undefined)?.kdf;
  s9.notes.push(
    `Each figure is the wall time of a whole process, from spawn to exit (the passphrase KDF included: ${kdfText} on both sides), median of ${d.reps} rounds; in each round every command runs once, each round starting one command later, after one untimed run of each (that run also opens each Coffer vault once in its profile, which writes the warm snapshot the timed runs start from). Coffer: \`node bin/coffer.mjs --vault <file> secret get -n <name>\` with COFFER_PASSPHRASE and COFFER_HOME (a warm profile) in the environment; its output must be the value. KeePassXC: \`keepassxc-cli show -s <file> <title>\` with the passphrase on stdin; its output must hold the value.`,
  );
  s9.notes.push(
    `The same entries on both sides: ${n(d.secrets)} secrets named secret-00000..., 5 versions each (in KeePass, the last is the entry's password and the 4 older ones its history), the same values. The Coffer vaults: \`secrets.import\` at the engine's default KDF (${kdfText}); ${fixtureNote(d.big)}.`,
  );
  if (d.kx) {
    s9.notes.push(
      `KeePassXC ${d.kxVersion ?? ''} (${d.kx}). keepassxc-cli 2.7 cannot choose the KDF (\`db-create\` and \`import\` write KDBX 3.1 with AES-KDF), so the compared databases are KDBX 4.0 files written by bench/lib/kdbx.ts with Argon2id at the same parameters as Coffer's; keepassxc-cli db-info reads them back as "${kInfo(d.kBig, 'argon2idInfo') ?? '?'}", ${n(d.secrets)} entries (files ${bytes((d.kOne?.meta.argon2id as { fileBytes?: number } | undefined)?.fileBytes)} and ${bytes((d.kBig?.meta.argon2id as { fileBytes?: number } | undefined)?.fileBytes)}). The cross-check row runs KeePassXC on the files its own \`import\` wrote from the same entries (db-info: "${kInfo(d.kBig, 'importInfo') ?? '?'}"; they hold more fields per entry, which KeePassXC writes itself).`,
    );
  } else s9.notes.push(noKx);
  if (!d.prepare.ok) s9.notes.push(`\`npm run prepare\` reported type errors (the working tree was being changed): the CLI measured is what tsc emitted. First lines: ${d.prepare.errors.split('\n').slice(0, 2).join(' ')}`);

  // (10)
  const kib = (x: number | undefined): string => (x === undefined ? '—' : mib(x));
  const rOne = one?.rssKiB?.median;
  const rBig = big?.rssKiB?.median;
  const kROne = kOne?.rssKiB?.median;
  const kRBig = kBig?.rssKiB?.median;
  const cofferAdded = rOne !== undefined && rBig !== undefined ? rBig - rOne : undefined;
  const kxAdded = kROne !== undefined && kRBig !== undefined ? kRBig - kROne : undefined;
  const noTime = `${TIME_BIN} not found: install it (Debian: \`apt-get install time\`) for the peak memory of whole processes`;
  s10.rows.push({ label: 'coffer secret get, one-secret vault: peak RSS', value: kib(rOne), target: '', status: rOne !== undefined ? '' : 'not measured', note: d.time ? undefined : noTime });
  s10.rows.push({ label: `coffer secret get, ${N} vault: peak RSS`, value: kib(rBig), target: '', status: rBig !== undefined ? '' : 'not measured' });
  s10.rows.push({ label: `Coffer: added by the ${N} vault`, value: kib(cofferAdded), target: '', status: cofferAdded !== undefined ? '' : 'not measured' });
  s10.rows.push({ label: 'keepassxc-cli show -s, one-entry database: peak RSS', value: kib(kROne), target: '', status: kROne !== undefined ? '' : 'not measured', note: d.kx ? undefined : noKx });
  s10.rows.push({ label: `keepassxc-cli show -s, ${n(d.secrets)} entries × 5: peak RSS`, value: kib(kRBig), target: '', status: kRBig !== undefined ? '' : 'not measured' });
  s10.rows.push({ label: `KeePassXC: added by the ${N} database`, value: kib(kxAdded), target: '', status: kxAdded !== undefined ? '' : 'not measured' });
  const memRatio = cofferAdded !== undefined && kxAdded !== undefined && kxAdded > 0 ? cofferAdded / kxAdded : undefined;
  s10.rows.push({
    label: "Coffer's added peak / KeePassXC's added peak",
    value: memRatio !== undefined ? `${memRatio.toFixed(2)}×` : '—',
    target: `≤ ${KX_MEMORY_RATIO_MAX.toFixed(2)}×`,
    status: status(memRatio !== undefined ? memRatio <= KX_MEMORY_RATIO_MAX : undefined),
  });
  const peak = (r: ChildRun | undefined): number | undefined => {
    const a = get<number>(r, 'beforeKiB');
    const b = get<number>(r, 'peakKiB');
    return a !== undefined && b !== undefined ? b - a : undefined;
  };
  const eOne = peak(d.peakOne);
  const eBig = peak(d.peakBig);
  s10.rows.push({
    label: 'engine: open + get, one-secret vault (peak above the loaded engine)',
    value: kib(eOne),
    target: '',
    status: eOne !== undefined ? '' : 'not measured',
    note: eOne !== undefined ? `peak ${kib(get<number>(d.peakOne, 'peakKiB'))}, of which ${kib(get<number>(d.peakOne, 'beforeKiB'))} before the open (Node, tsx, the engine's modules)` : undefined,
  });
  s10.rows.push({
    label: `engine: open + get, ${N} vault (peak above the loaded engine)`,
    value: kib(eBig),
    target: '',
    status: eBig !== undefined ? '' : 'not measured',
    note: eBig !== undefined ? `peak ${kib(get<number>(d.peakBig, 'peakKiB'))}; V8 heap in use after the open ${kib(get<number>(d.peakBig, 'heapUsedAfterKiB'))}; open + get ${ms(get<number>(d.peakBig, 'openGetMs'))}` : undefined,
  });
  s10.rows.push({ label: `engine: added by the ${N} vault`, value: kib(eOne !== undefined && eBig !== undefined ? eBig - eOne : undefined), target: '', status: '' });
  s10.notes.push(
    `Whole processes: the peak resident set (\`${TIME_BIN} -f %M\`, the kernel's maxrss of the process) of the same runs as (9), medians; "added" is the big vault's minus the one-secret vault's, so the runtime, the CLI's code and the Argon2id memory (${kdfText}, on both sides) cancel out. The engine rows: a child process (bench/scenarios/open-peak.ts) loads the engine, notes its peak so far, opens the vault (warm profile, passphrase) and reads one value, then notes the peak again (process.resourceUsage().maxRSS).`,
  );

  // (11)
  const a2 = p('argon2');
  const ver = p('version');
  const node = p('node');
  const a2Ratio = one && a2 ? one.ms.median / a2.ms.median : undefined;
  s11.rows.push({ label: `coffer secret get, one-secret vault (${kdfText})`, value: ms(one?.ms.median), target: '', status: '', note: msNote(one) });
  s11.rows.push({
    label: `argon2 CLI alone, same parameters`,
    value: a2 ? ms(a2.ms.median) : 'no CLI',
    target: '',
    status: a2 ? '' : 'not measured',
    note: a2 ? msNote(a2) : `${ARGON2_CLI} not found: install it (Debian: apt-get install argon2)`,
  });
  s11.rows.push({
    label: 'ratio coffer secret get / argon2 CLI',
    value: a2Ratio !== undefined ? `${a2Ratio.toFixed(2)}×` : '—',
    target: `≤ ${ARGON2_RATIO_MAX.toFixed(1)}×`,
    status: status(a2Ratio !== undefined ? a2Ratio <= ARGON2_RATIO_MAX : undefined),
    note: one && a2 ? `fastest runs: ${(one.ms.min / a2.ms.min).toFixed(2)}×${one.cpuMs && a2.cpuMs ? `; CPU time: coffer ${ms(one.cpuMs.median)}, argon2 ${ms(a2.cpuMs.median)} (${(one.cpuMs.median / a2.cpuMs.median).toFixed(2)}×)` : ''}` : undefined,
  });
  s11.rows.push({ label: 'coffer --version', value: ms(ver?.ms.median), target: '', status: '', note: msNote(ver) });
  s11.rows.push({ label: 'node -e 0 (Node starting and exiting, for scale)', value: ms(node?.ms.median), target: '', status: '', note: msNote(node) });
  const nodeNoCa = p('nodeNoCa');
  const oneNoCa = p('getOneNoCa');
  if (nodeNoCa && oneNoCa && a2) {
    const extra = process.env.NODE_EXTRA_CA_CERTS;
    s11.rows.push({ label: `node -e 0 without NODE_EXTRA_CA_CERTS (this environment sets it to ${extra})`, value: ms(nodeNoCa.ms.median), target: '', status: '', note: msNote(nodeNoCa) });
    s11.rows.push({ label: 'coffer secret get, one-secret vault, without NODE_EXTRA_CA_CERTS', value: ms(oneNoCa.ms.median), target: '', status: '', note: msNote(oneNoCa) });
    s11.rows.push({
      label: 'ratio coffer secret get / argon2 CLI, without NODE_EXTRA_CA_CERTS (for Coffer\'s own cost; the target row above is the one judged)',
      value: `${(oneNoCa.ms.median / a2.ms.median).toFixed(2)}×`,
      target: '',
      status: '',
      note: `fastest runs: ${(oneNoCa.ms.min / a2.ms.min).toFixed(2)}×`,
    });
  }
  s11.notes.push(
    `The same runs as (9). The argon2 CLI: \`${ARGON2_CLI} <salt> -id -t ${d.kdf?.iterations ?? '?'} -k ${d.kdf?.memoryKiB ?? '?'} -p ${d.kdf?.parallelism ?? '?'} -l 32 -r\` with the passphrase on stdin (Debian's reference implementation, ${sh('dpkg-query', ['-W', '-f', '${Version}', 'argon2']) ?? 'version unknown'}); the one-secret vault was created with the engine's default KDF (vault.info().kdf: ${kdfText}). \`coffer secret get\` pays Node's start, loading the CLI and the engine, the same KDF, the open and the read.`,
  );
}

// ------------------------------------------------------------------ (12) keys: sign beside openssl speed, key generation

/** Targets of (12): the engine's sign over a digest, as a share of `openssl speed`'s sign/s on one core. */
const RS256_OPENSSL_RATIO_MIN = 0.8;
const ES256_OPENSSL_RATIO_MIN = 0.6;
/** Seconds per engine sign figure, and `openssl speed -seconds` (it runs sign, then verify, as long). */
const KEYS_SIGN_SECONDS = 2.5;
const OPENSSL_SECONDS = 3;

interface KeysData {
  run: ChildRun;
  openssl: string | null;
  seconds: number;
  genReps: Record<string, number>;
}


interface OpensslSpeed {
  command: string;
  signPerSec: number;
  verifyPerSec: number;
  version: string;
}

async function keysGroup(work: string, reps: number): Promise<KeysData | undefined> {
  if (!only.has('keys')) return undefined;
  const dir = path.join(work, 'keys');
  await mkdir(dir, { recursive: true });
  const openssl = onPath('openssl');
  const few = Math.max(3, Math.min(reps, 5));
  const genReps: Record<string, number> = {
    'RSA-2048': Math.max(7, reps),
    'RSA-3072': Math.max(5, few),
    'RSA-4096': few,
    'EC P-256': 15,
    'EC P-384': 15,
    'EC P-521': 15,
    'EC P-256K': 15,
    'oct 128': 15,
    'oct 256': 15,
    'OKP Ed25519': 15,
  };
  const run = await child(
    'keys',
    `(12) keys: RS256 and ES256 sign through the engine${openssl ? ' beside openssl speed' : ''}; key generation per type`,
    { dir, seconds: KEYS_SIGN_SECONDS, opensslSeconds: OPENSSL_SECONDS, openssl, genReps },
    'keys',
  );
  return { run, openssl, seconds: KEYS_SIGN_SECONDS, genReps };
}

// ------------------------------------------------------------------ (13) team: 50 members and 20 epochs beside one member

/** Targets of (13): the team vault's open against the one-member vault's, and a member's add or remove. */
const TEAM_OPEN_RATIO_MAX = 1.2;
const TEAM_WRITE_MAX_MS = 100;
const TEAM_MEMBERS = 50;
const TEAM_EPOCHS = 20;

interface TeamData {
  run: ChildRun;
  secrets: number;
}

async function teamGroup(work: string, secrets: number, reps: number): Promise<TeamData | undefined> {
  if (!only.has('team')) return undefined;
  const run = await child(
    'team',
    `(13) team vault: ${n(secrets)} secrets with ${TEAM_MEMBERS} members and ${TEAM_EPOCHS} key epochs, beside one member`,
    { dir: path.join(work, 'team'), secrets, members: TEAM_MEMBERS, epochs: TEAM_EPOCHS, reps: Math.max(5, reps) },
    'team',
  );
  return { run, secrets };
}

function reportTeam(d: TeamData, aloneNote: string | undefined): void {
  const s = section(`(13) Team vault: ${n(d.secrets)} secrets, ${TEAM_MEMBERS} members and ${TEAM_EPOCHS} key epochs, beside the same secrets with one member`, 'team');
  const r = d.run;
  if (!r.ok) {
    s.notes.push(`Not measured: ${r.error ?? 'the scenario failed'}.`);
    if (aloneNote) s.notes.push(aloneNote);
    return;
  }
  const ratioTarget = `≤ ${TEAM_OPEN_RATIO_MAX}×`;
  for (const mode of ['cold', 'warm'] as const) {
    const solo = get<Samples>(r, `solo${mode === 'cold' ? 'Cold' : 'Warm'}`);
    const team = get<Samples>(r, `team${mode === 'cold' ? 'Cold' : 'Warm'}`);
    const ratio = solo && team ? team.median / solo.median : undefined;
    s.rows.push({
      label: `${mode} open + list + show: ${TEAM_MEMBERS} members ÷ one member`,
      value: ratio !== undefined ? `${ratio.toFixed(2)}×` : '—',
      target: ratioTarget,
      status: status(ratio !== undefined ? ratio <= TEAM_OPEN_RATIO_MAX : undefined),
      note: solo && team ? `medians of ${team.samples.length}, in turn: ${ms(team.median)} (team) and ${ms(solo.median)} (one member)` : undefined,
    });
  }
  const members = get<number>(r, 'members');
  for (const [label, key, smallKey] of [
    ['add a member (one commit, a new epoch)', 'addMs', 'smallAddMs'],
    ['remove a member (one commit, a new epoch, the exposure report)', 'removeMs', 'smallRemoveMs'],
  ] as const) {
    const x = get<Samples>(r, key);
    const small = get<Samples>(r, smallKey);
    s.rows.push({
      label: `${label}, ${n(d.secrets)} secrets`,
      value: ms(x?.median),
      target: `≤ ${TEAM_WRITE_MAX_MS} ms`,
      status: status(x ? x.median <= TEAM_WRITE_MAX_MS : undefined),
      note: x && small ? `median of ${x.samples.length}; with ${n(Math.max(10, Math.round(d.secrets / 10)))} secrets and the same members and epochs: ${ms(small.median)} (how it grows with the vault)` : undefined,
    });
  }
  s.notes.push(
    `bench/scenarios/team.ts writes the same ${n(d.secrets)} secrets in ${TEAM_EPOCHS} import commits to two vaults; in the team vault, before each import after the first, a commit adds the next few of its ${(members ?? TEAM_MEMBERS + 1) - 1} other members (Secrets User, Reader, Secrets Officer, Crypto User in turn) and starts a new epoch, so its values are sealed under ${TEAM_EPOCHS} epochs, each with its own scope keys wrapped to every member. Opens alternate between the two vaults (cold: a fresh profile each; warm: the profile of the previous open). Add and remove run on a warm open of the team vault (a cold one owes its warm snapshot to the first write).`,
  );
  if (aloneNote) s.notes.push(aloneNote);
}

/** A per-call time: µs below 1 ms. */
function perCall(msPerOp: number): string {
  return msPerOp < 1 ? `${(msPerOp * 1000).toFixed(0)} µs` : ms(msPerOp);
}

const ops = (x: number): string => `${Math.round(x).toLocaleString('en')} ops/s`;

function reportKeys(d: KeysData, aloneNote: string | undefined): void {
  const s = section('(12) Keys: RS256 and ES256 sign through the engine beside `openssl speed` on one core; key generation per type', 'keys');
  const r = d.run;
  if (!r.ok) {
    s.notes.push(`Not measured: ${r.error ?? 'the scenario failed'}.`);
    if (aloneNote) s.notes.push(aloneNote);
    return;
  }
  const parts = get<Record<string, Rate>>(r, 'parts') ?? {};
  const rateNote = (x: Rate): string =>
    `${n(x.calls)} calls in ${(x.wallMs / 1000).toFixed(1)} s, one at a time; latency median ${perCall(x.latencyMs.median)}, p95 ${perCall(x.latencyMs.p95)}; CPU ${perCall(x.cpuMsPerOp)} per call (all threads)`;
  const noOpenssl = 'openssl not found on PATH (Debian: apt-get install openssl)';
  for (const [alg, digestKey, dataKey, getKey, osslKey, min, mathKey, decodeKey, dataMathKey, osslName] of [
    ['RS256', 'rs256Digest', 'rs256Data', 'rs256Get', 'opensslRsa2048', RS256_OPENSSL_RATIO_MIN, 'rsaSignDigest', 'rsaDecode', 'rsaSignData', 'rsa2048'],
    ['ES256', 'es256Digest', 'es256Data', 'es256Get', 'opensslEcdsaP256', ES256_OPENSSL_RATIO_MIN, 'ecSignDigest', 'ecDecode', 'ecSignData', 'ecdsap256'],
  ] as const) {
    const key = alg === 'RS256' ? 'RSA-2048' : 'EC P-256';
    const dg = get<Rate>(r, digestKey);
    const da = get<Rate>(r, dataKey);
    const o = get<OpensslSpeed>(r, osslKey);
    const ratio = dg && o ? dg.opsPerSec / o.signPerSec : undefined;
    s.rows.push({ label: `${alg} sign, ${key}, digest path (Key Vault's API: \`keys.sign\` with a 32-byte SHA-256 digest)`, value: dg ? ops(dg.opsPerSec) : '—', target: '', status: dg ? '' : 'not measured', note: dg ? rateNote(dg) : undefined });
    s.rows.push({
      label: `\`openssl speed\` ${osslName}, sign/s (one process)`,
      value: o ? `${Math.round(o.signPerSec).toLocaleString('en')} sign/s` : '—',
      target: '',
      status: o ? '' : 'not measured',
      note: o ? `${o.command}; verify ${Math.round(o.verifyPerSec).toLocaleString('en')}/s; ${o.version}` : d.openssl ? undefined : noOpenssl,
    });
    s.rows.push({
      label: `ratio ${alg} digest path / openssl sign/s`,
      value: ratio !== undefined ? `${ratio.toFixed(3)}×` : '—',
      target: `≥ ${min.toFixed(1)}×`,
      status: status(ratio !== undefined ? ratio >= min : undefined),
      note: dg && o ? `engine ${perCall(1000 / dg.opsPerSec)} per call, OpenSSL ${perCall(1000 / o.signPerSec)} per signature; the target needs an engine call of ${perCall(1000 / (min * o.signPerSec))} or less` : undefined,
    });
    s.rows.push({
      label: `${alg} sign, data path, shown beside (\`keys.sign\` with 32 bytes of data: the engine hashes and signs it with OpenSSL in one call; not Key Vault's API)`,
      value: da ? ops(da.opsPerSec) : '—',
      target: '',
      status: da ? '' : 'not measured',
      note: da ? `${o ? `${(da.opsPerSec / o.signPerSec).toFixed(3)}× openssl (not judged); ` : ''}${rateNote(da)}` : undefined,
    });
    // Where a digest-path call's time goes: its parts, measured alone.
    const math = parts[mathKey];
    const decode = parts[decodeKey];
    if (dg && math) {
      const call = 1000 / dg.opsPerSec;
      const sig = 1000 / math.opsPerSec;
      s.rows.push({
        label: `${alg}: the signature alone (algorithms.ts \`sign\` over the digest, on material decoded once${alg === 'ES256' ? ': @noble/curves' : ': EMSA-PKCS1-v1_5 + OpenSSL\'s RSA'})`,
        value: perCall(sig),
        target: '',
        status: '',
        note: `${ops(math.opsPerSec)}${o ? `, ${(math.opsPerSec / o.signPerSec).toFixed(2)}× openssl's sign/s` : ''}; ${((100 * sig) / call).toFixed(0)}% of an engine call`,
      });
      if (decode) {
        s.rows.push({ label: `${alg}: decoding the version's private material (material.ts \`decodePrivate\`, then dispose)`, value: perCall(1000 / decode.opsPerSec), target: '', status: '', note: `${ops(decode.opsPerSec)}; ${((100000 / decode.opsPerSec) / call).toFixed(0)}% of an engine call` });
      }
      const g = get<Rate>(r, getKey);
      if (g) {
        s.rows.push({
          label: `${alg}: one \`keys.get\` of the same key, taken in turn with the sign calls (permission, lookup, and the same audit record as a sign; no key material)`,
          value: perCall(1000 / g.opsPerSec),
          target: '',
          status: '',
          note: `${ops(g.opsPerSec)}; ${((100000 / g.opsPerSec) / call).toFixed(0)}% of an engine sign call; CPU ${perCall(g.cpuMsPerOp)} per call (all threads)`,
        });
      }
      s.rows.push({
        label: `${alg}: the rest of an engine call (call − signature alone)`,
        value: perCall(call - sig),
        target: '',
        status: '',
        note: `${((100 * (call - sig)) / call).toFixed(0)}% of an engine call: per-operation overhead, not the signature`,
      });
    }
    const dm = parts[dataMathKey];
    if (dm) s.rows.push({ label: `${alg}: the data path's signature alone (algorithms.ts \`signData\`: node:crypto sign, OpenSSL)`, value: perCall(1000 / dm.opsPerSec), target: '', status: '', note: ops(dm.opsPerSec) });
  }
  const fs1 = parts.fsyncAppend;
  if (fs1) s.rows.push({ label: 'one 200-byte append + fsync to a file in the bench folder (the disk\'s floor under a durable audit record)', value: perCall(1000 / fs1.opsPerSec), target: '', status: '', note: ops(fs1.opsPerSec) });
  const lock = parts.fileLock;
  if (lock) s.rows.push({ label: 'the audit log\'s file lock, taken and released around an empty body (store/lock.ts `withFileLock`; every audit record takes it)', value: perCall(1000 / lock.opsPerSec), target: '', status: '', note: `${ops(lock.opsPerSec)}; CPU ${perCall(lock.cpuMsPerOp)} per call (all threads)` });
  const dirs = parts.ensureDir;
  if (dirs) s.rows.push({ label: 'one folder check (store/profile.ts `ensurePrivateDir`: mkdir -p + stat; every audit record makes two)', value: perCall(1000 / dirs.opsPerSec), target: '', status: '', note: ops(dirs.opsPerSec) });
  const w6 = parts.nobleW6;
  const w8 = parts.nobleW8;
  if (w6 && w8) {
    s.rows.push({
      label: "@noble/curves p256.sign over a digest, default base-point table (W = 6, noble's own, what the engine uses)",
      value: ops(w6.opsPerSec),
      target: '',
      status: '',
      note: `${perCall(1000 / w6.opsPerSec)} per signature`,
    });
    s.rows.push({
      label: 'the same after `p256.Point.BASE.precompute(8)` (W = 8), taken in turn with the W = 6 row',
      value: ops(w8.opsPerSec),
      target: '',
      status: '',
      note: `${perCall(1000 / w8.opsPerSec)} per signature; ${(w8.opsPerSec / w6.opsPerSec).toFixed(2)}× W = 6`,
    });
    const e6 = parts.es256DigestW6;
    const e8 = parts.es256DigestW8;
    if (e6 && e8) {
      s.rows.push({ label: 'ES256 digest path through the engine (`keys.sign`), W = 6 table', value: ops(e6.opsPerSec), target: '', status: '', note: `${perCall(1000 / e6.opsPerSec)} per call; taken in turn with the W = 8 row` });
      s.rows.push({ label: 'ES256 digest path through the engine (`keys.sign`), W = 8 table', value: ops(e8.opsPerSec), target: '', status: '', note: `${perCall(1000 / e8.opsPerSec)} per call; ${(e8.opsPerSec / e6.opsPerSec).toFixed(2)}× W = 6` });
    }
  }
  const nul = get<{ overDigest: boolean; overSha256OfDigest: boolean }>(r, 'nodeSignNull');
  if (nul) {
    s.rows.push({
      label: 'node:crypto `sign(null, digest, P-256 key)`: an ECDSA signature over the digest as given?',
      value: nul.overDigest ? 'yes' : 'no',
      target: '',
      status: '',
      note: `it verifies (noble, prehash: false) over the digest: ${nul.overDigest ? 'yes' : 'no'}; over SHA-256(digest): ${nul.overSha256OfDigest ? 'yes' : 'no'}. OpenSSL takes the key's default digest (SHA-256) when none is named, so the ES256 digest path signs with @noble/curves`,
    });
  }
  const create = get<Record<string, Samples>>(r, 'create') ?? {};
  for (const [label, x] of Object.entries(create)) {
    s.rows.push({ label: `keys.create ${label} (median of ${x.samples.length})`, value: ms(x.median), target: '', status: '', note: `range ${ms(x.min)}–${ms(x.max)}; first ${ms(x.first)}` });
  }
  s.notes.push(
    `Each sign figure: awaited \`vault.keys.sign(name, undefined, { algorithm, digest })\` (or \`{ algorithm, data }\`) calls one after the other for ${d.seconds} s after a short warm-up (in 5 slices, the digest path, the data path and \`keys.get\` of the same key taken in turn, so a change in the machine's load falls on all three alike), in one child process on an unlocked vault made with \`loadEngine().createVault\` (the smallest Argon2id); the ops/s divide the calls by the wall time. Every call is the engine's per-operation path: the permission check, the version's checks, the private material (decrypted from its value blob and decoded on first use, then kept for 2 s after its last use: keys/recent-material.ts), the signature, and the audit record, signed and queued in order: it is written behind the call, the records queued meanwhile sharing one file lock, write and fsync (audit/log.ts), and the child waits for them (settled) before it reports. The judged ratio is the digest path's (Key Vault's sign takes a digest); the data path is shown beside it. The child checks first that both paths' signatures verify over the same digest (RS256 gives the same bytes on both).`,
  );
  s.notes.push(
    `\`openssl speed\` runs in the same child right after the engine's figures for its algorithm (\`-seconds ${OPENSSL_SECONDS}\`, one process; \`-multi 1\` for RSA as the issue asks, ECDSA without it: both one core); its sign/s is the denominator. The machine's openssl is the same OpenSSL release as Node's (process.versions.openssl ${process.versions.openssl}).`,
  );
  s.notes.push(
    'The rows under each ratio are the parts of a call measured alone in the same process, on material of the same type (engine internals, for the breakdown only): "the rest of an engine call" is the call minus the signature alone. `keys.get` pays the same permission check and audit record without key material (its calls are taken in turn with the sign calls); the fsynced append is the disk\'s floor under one durable record; the file lock and the folder checks are the rest of an audit record\'s file work (audit/log.ts appendNow). The W = 6 / W = 8 rows: the engine uses noble\'s default base-point table (W = 6, built on first use) and calls no precompute; the child sets W = 8 with `p256.Point.BASE.precompute(8)` and back, the engine\'s rows taking the two in turn (5 slices each, the table built before each slice).',
  );
  s.notes.push(
    'Key generation: `vault.keys.create` calls one after the other, each its own commit (file lock, append, fsync) and audit record; the oct rows, whose generation is 16 or 32 random bytes, are about that fixed cost. RSA generation is OpenSSL\'s (random primes: its time varies a lot from key to key); EC, Ed25519 and oct are node:crypto or random bytes.',
  );
  if (aloneNote) s.notes.push(aloneNote);
}

// ------------------------------------------------------------------ main

async function main(): Promise<void> {
  const t0 = now();
  const started = new Date();
  const load0 = os.loadavg();
  // The machine is shared: the 1-minute load average, sampled every 5 s, says how busy it was during the run.
  const loads: number[] = [load0[0]!];
  const loadTimer = setInterval(() => loads.push(os.loadavg()[0]!), 5000);
  loadTimer.unref();
  const S = settings();
  const Z = sizes(S.scale);
  const total = Z.secrets * Z.versions;
  const envDir = process.env.COFFER_BENCH_DIR;
  const work = envDir ? path.resolve(envDir) : await mkdtemp(path.join(os.tmpdir(), 'coffer-bench-'));
  await mkdir(work, { recursive: true });
  const keep = !!envDir || process.env.COFFER_BENCH_KEEP === '1';
  if (cpuProf) {
    profileDir = path.join(work, 'profiles');
    await mkdir(profileDir, { recursive: true });
  }
  const docPath = path.resolve(ROOT, process.env.COFFER_BENCH_DOC ?? path.join('docs', 'BENCHMARKS.md'));
  const scaleNote = S.scale === 1 ? '' : ` (COFFER_BENCH_SCALE=${S.scale}: the targets are for scale 1)`;
  const at = (p: string): string => path.join(work, p);
  process.stderr.write(
    `Coffer bench: ${n(Z.secrets)} secrets × ${Z.versions} versions, ${n(total)} commits, ${n(Z.divergent)} divergent changes, ${S.reps} repetitions${scaleNote}\n` +
      `vaults in ${work}${keep ? ' (kept)' : ''}${S.realSets ? '; many-commit vaults built with real set calls' : ''}${partial ? `; only: ${[...only].join(', ')}` : ''}\n`,
  );

  const baseline = await child('baseline', 'baseline (engine loaded, nothing done)', {});

  // (1) Argon2id
  const argonReps = Math.max(15, S.reps);
  const argon = await child('argon2', '(1) Argon2id: engine vs argon2 CLI; openVault at default KDF', { dir: work, reps: argonReps, cli: ARGON2_CLI });

  // Fixtures
  const importPath = at('import.coffer');
  const commitsPath = at('commits.coffer');
  const ours = at('merge-ours.coffer');
  const theirs = at('merge-theirs.coffer');
  const buildImport = await child('build-import', `build: ${n(Z.secrets)} secrets × ${Z.versions} versions in one import commit`, {
    path: importPath,
    profileDir: at('profile-build-import'),
    secrets: Z.secrets,
    versions: Z.versions,
  });
  const buildCommits = await child('build-commits', `build: ${n(total)} single-version commits, and two copies with ${n(Z.divergent)} divergent changes each`, {
    path: commitsPath,
    profileDir: at('profile-build-commits'),
    secrets: Z.secrets,
    versions: Z.versions,
    divergent: Z.divergent,
    ours,
    theirs,
    realSets: S.realSets,
  });

  // (2), (3) open + list + show, cold then warm
  const expect = { secrets: Z.secrets, secretVersions: total };
  const opens: Record<'import' | 'commits', { cold?: ChildRun; warm?: ChildRun; warmProfile: string }> = {
    import: { warmProfile: at(`profile-open-import-${S.reps - 1}`) },
    commits: { warmProfile: at(`profile-open-commits-${S.reps - 1}`) },
  };
  for (const [name, build, file] of [
    ['import', buildImport, importPath],
    ['commits', buildCommits, commitsPath],
  ] as const) {
    if (!build.ok) continue;
    const commits = get<number>(build, 'commits')!;
    const o = opens[name];
    o.cold = await child('open', `(${name === 'import' ? 2 : 3}) open + list + show, cold: ${name} vault`, {
      path: file,
      profilePrefix: at(`profile-open-${name}`),
      mode: 'cold',
      reps: S.reps,
      expect: { ...expect, commits },
      expectPath: 'full',
    });
    if (o.cold.ok) {
      o.warm = await child('open', `(${name === 'import' ? 2 : 3}) open + list + show, warm: ${name} vault`, {
        path: file,
        profilePrefix: o.warmProfile,
        mode: 'warm',
        reps: S.reps,
        expect: { ...expect, commits },
        expectPath: 'warm',
      });
    }
  }

  // (4) one change
  const sets = 11;
  const saveSmall = await child('save', '(4) save one change: small vault (10 secrets)', {
    path: at('save-small.coffer'),
    profileDir: at('profile-save-small'),
    create: 10,
    secrets: 10,
    sets,
  });
  const saves: Record<'import' | 'commits', ChildRun | undefined> = { import: undefined, commits: undefined };
  for (const [name, file] of [
    ['import', importPath],
    ['commits', commitsPath],
  ] as const) {
    if (!opens[name].warm?.ok) continue;
    saves[name] = await child('save', `(4) save one change: ${name} vault`, {
      source: file,
      sourceProfile: opens[name].warmProfile,
      path: at(`save-${name}.coffer`),
      profileDir: at(`profile-save-${name}`),
      secrets: Z.secrets,
      sets,
    });
  }

  // (5) merge
  const merge = buildCommits.ok
    ? await child('merge', `(5) merge two copies of the ${n(total)}-commit vault, ${n(Z.divergent)} divergent changes each`, {
        ours,
        theirs,
        output: at('merged.coffer'),
        reps: S.reps,
        expectAdded: Z.divergent,
      })
    : undefined;

  // (7) the renderer in Chromium: first render of the list, keystroke → filtered list
  const rendererReps = Math.max(20, S.reps);
  const renderer = await child(
    'renderer-list',
    `(7) desktop renderer in Chromium: ${n(Z.secrets)}-secret list, first render and search keystrokes`,
    { dir: at('renderer'), secrets: Z.secrets, reps: rendererReps, keystrokes: 40 },
    'renderer',
  );
  const rendererAt = stamp();

  // (8) the 100,000-secret vault, and how open time grows
  const big = await bigGroup(work, S.scale, S.reps);
  const bigAt = stamp();
  // (9)–(11) whole processes: coffer secret get, keepassxc-cli, argon2 CLI, peak memory
  const cliReps = Math.max(15, S.reps);
  const whole = await cliGroup(work, Z.secrets, cliReps);
  const cliAt = stamp();
  // (12) keys: RS256 and ES256 sign beside openssl speed, key generation
  const keys = await keysGroup(work, S.reps);
  const keysAt = stamp();
  // (13) team: 50 members and 20 epochs beside one member
  const team = await teamGroup(work, Z.secrets, S.reps);
  const teamAt = stamp();

  // ---------------------------------------------------------------- report
  const s1 = section('(1) Argon2id at the default parameters (m = 64 MiB, t = 3, p = 4)');
  const eng = get<Samples>(argon, 'engineMs');
  const cli = get<Samples>(argon, 'cliMs');
  const ratio = eng && cli ? eng.median / cli.median : undefined;
  s1.rows.push({ label: `engine argon2id (median of ${argonReps})`, value: ms(eng?.median), target: '', status: '', note: eng ? `first call in the process ${ms(eng.first)}; range ${ms(eng.min)}–${ms(eng.max)}` : undefined });
  s1.rows.push({ label: `argon2 CLI (median of ${argonReps})`, value: cli ? ms(cli.median) : 'no CLI', target: '', status: '', note: cli ? `range ${ms(cli.min)}–${ms(cli.max)}; includes starting the process` : `${ARGON2_CLI} not found: install it (Debian: apt-get install argon2) and run the bench again` });
  const engCpu = get<Samples>(argon, 'engineCpuMs');
  const cliCpu = get<Samples>(argon, 'cliCpuMs');
  s1.rows.push({
    label: 'ratio engine / CLI (medians)',
    value: ratio !== undefined ? `${ratio.toFixed(2)}×` : '—',
    target: '≤ 0.60×',
    status: status(ratio !== undefined ? ratio <= 0.6 : undefined),
    note: eng && cli ? `best of each: ${(eng.min / cli.min).toFixed(2)}×; engine's first call / CLI median: ${(eng.first / cli.median).toFixed(2)}×` : undefined,
  });
  if (engCpu && cliCpu) {
    s1.rows.push({
      label: 'CPU time engine / CLI (medians)',
      value: `${(engCpu.median / cliCpu.median).toFixed(2)}×`,
      target: '',
      status: '',
      note: `engine ${ms(engCpu.median)}, CLI ${ms(cliCpu.median)} of CPU (user + system, all threads): less sensitive to the machine's load than wall time`,
    });
  }
  const same = get<boolean>(argon, 'sameOutput');
  if (same !== undefined) s1.rows.push({ label: 'same 32-byte output as the CLI', value: same ? 'yes' : 'NO', target: '', status: '' });
  const odk = get<Samples>(argon, 'openDefaultKdfMs');
  s1.rows.push({ label: 'openVault, default KDF, 10-secret vault', value: ms(odk?.median), target: '', status: '', note: odk ? `median of ${argonReps}, warm profile; first ${ms(odk.first)}` : undefined });
  s1.notes.push('Engine and CLI runs alternate. The CLI time is the wall time of `argon2 <salt> -id -t 3 -k 65536 -p 4 -l 32 -r` with the passphrase on stdin, process start included (a few ms). The engine\'s calls run in one process; its first call, which is what a one-shot CLI unlock pays, is shown separately.');

  const openSection = (title: string, name: 'import' | 'commits', build: ChildRun): void => {
    const s = section(title);
    if (name === 'import') {
      s.rows.push({ label: `fixture: secrets.import of ${n(total)} entries (one commit)`, value: ms(get<number>(build, 'importMs')), target: '', status: '', note: `file ${bytes(get<number>(build, 'fileBytes'))}` });
    } else {
      const how = get<string>(build, 'builtWith');
      s.rows.push({
        label: `fixture: ${n(total)} single-version commits`,
        value: ms(get<number>(build, 'buildMs')),
        target: '',
        status: '',
        note: `file ${bytes(get<number>(build, 'fileBytes'))}; ${how === 'FastCommitWriter' ? 'first commit by secrets.set, the rest by the fast commit writer (see Method)' : 'every commit by secrets.set'}`,
      });
    }
    for (const mode of ['cold', 'warm'] as const) {
      const r = opens[name][mode];
      // The warm 10,000 × 5 open is held to the later, stricter target (≤ 60 ms); the rest to the first one (≤ 300 ms).
      const maxMs = name === 'import' && mode === 'warm' ? 60 : 300;
      if (!r?.ok) {
        s.rows.push({ label: `open + list + show, ${mode}`, value: '—', target: `≤ ${maxMs} ms`, status: 'not measured' });
        continue;
      }
      const o = get<Samples>(r, 'openMs')!;
      const l = get<Samples>(r, 'listMs')!;
      const shw = get<Samples>(r, 'showMs')!;
      const t = get<Samples>(r, 'afterKdfMs')!;
      const cpu = get<Samples>(r, 'cpuMs');
      const desc = mode === 'cold' ? 'fresh profile: no verified cache, no snapshot; the file has no checkpoint' : "the last cold open's profile: its warm snapshot, no commit after it";
      s.rows.push({ label: `open, ${mode} (${desc})`, value: ms(o.median), target: '', status: '' });
      s.rows.push({ label: `list (${n(Z.secrets)} items), ${mode}`, value: ms(l.median), target: '', status: '' });
      s.rows.push({ label: `show one secret, ${mode}`, value: ms(shw.median), target: '', status: '' });
      s.rows.push({
        label: `open + list + show − KDF, ${mode}`,
        value: ms(t.median),
        target: `≤ ${maxMs} ms`,
        status: status(t.median <= maxMs),
        note: `median of ${t.samples.length}; first in the process ${ms(t.first)}, fastest ${ms(t.min)}; KDF subtracted ${ms(get<number>(r, 'kdfMs'))}${cpu ? `; CPU ${ms(cpu.median)} (less sensitive to the machine's load)` : ''}`,
      });
    }
    s.notes.push('"− KDF": the vaults use the smallest Argon2id parameters the engine accepts (m = 8 KiB, t = 1, p = 1); that derivation is timed in the same process and subtracted, so the figure is what an open costs after the passphrase step.');
    s.notes.push('Warm opens use the profile of the last cold open, where that open (the full path) wrote the warm snapshot: each warm open reads the snapshot and only the commits after its prefix. Every open is checked to have taken the path its row names (warm: VaultSession.loadedWarm; cold: neither the snapshot nor a checkpoint).');
    if (name === 'commits') s.notes.push(`The fast commit writer adds no checkpoint (an Administrator's real \`set\` calls would add one every 10,000 commits, and a cold open would start from the newest), so the cold figure verifies and folds all ${n(total + 2)} commits; (8) measures a cold open from a checkpoint.`);
  };
  if (buildImport.ok) openSection(`(2) ${n(Z.secrets)} secrets × ${Z.versions} versions imported in ONE commit: open + list + show`, 'import', buildImport);
  else section(`(2) import vault: not built (${buildImport.error})`);
  if (buildCommits.ok) openSection(`(3) ${n(total)} single-version commits: open + list + show`, 'commits', buildCommits);
  else section(`(3) many-commit vault: not built (${buildCommits.error})`);

  const s4 = section('(4) Save after one change: one secrets.set of a ~40-byte value');
  const small = get<Samples>(saveSmall, 'setMs');
  const smallBytes = get<Samples>(saveSmall, 'appendedBytes');
  s4.rows.push({ label: 'small vault (10 secrets)', value: ms(small?.median), target: '', status: '', note: smallBytes ? `${bytes(smallBytes.median)} appended; median of ${sets}` : undefined });
  const setMedians: Record<string, number> = {};
  const timeRatios: { label: string; ratio: number }[] = [];
  for (const [name, label] of [
    ['import', `import vault (${n(total)} versions, 1 commit)`],
    ['commits', `commit vault (${n(total)} commits)`],
  ] as const) {
    const r = saves[name];
    const t = get<Samples>(r, 'setMs');
    const b = get<Samples>(r, 'appendedBytes');
    if (!t || !b || !small || !smallBytes) {
      s4.rows.push({ label, value: '—', target: '', status: 'not measured' });
      continue;
    }
    setMedians[name] = t.median;
    const tr = t.median / small.median;
    const br = b.median / smallBytes.median;
    const cps = get<number[]>(r, 'checkpointSets') ?? [];
    const cpNote = cps.length
      ? `; set ${cps.map((k) => k + 1).join(', ')} of ${t.samples.length} also wrote the automatic checkpoint (an Administrator's write, 10,000 commits or more since the last one): ${cps.map((k) => `${ms(t.samples[k])}, ${bytes(b.samples[k])}`).join('; ')} (counted among the ${t.samples.length} sets of the median)`
      : '';
    timeRatios.push({ label: name === 'commits' ? `${n(total)}-commit vault / small vault` : `import vault (${n(total)} versions) / small vault`, ratio: tr });
    s4.rows.push({
      label,
      value: ms(t.median),
      target: `≤ ${SET_RATIO_MAX}× time, ≤ ${BYTES_RATIO_MAX}× bytes of the small vault`,
      status: status(tr <= SET_RATIO_MAX && br <= BYTES_RATIO_MAX),
      note: `${bytes(b.median)} appended; ratio to the small vault: time ${tr.toFixed(1)}×, bytes ${br.toFixed(2)}×; first set ${ms(t.first)}${cpNote}`,
    });
  }
  // The issue's figure on its own line: save time of the big vaults as a multiple of the small vault's.
  for (const x of [...timeRatios].reverse()) {
    s4.rows.push({ label: `save time ratio, ${x.label}`, value: `${x.ratio.toFixed(2)}×`, target: `≤ ${SET_RATIO_MAX}×`, status: status(x.ratio <= SET_RATIO_MAX) });
  }
  s4.notes.push(`"Grows with the change, not the vault": the same one-secret set on the small and the big vaults in this run; met when the big vault's median set time is at most ${SET_RATIO_MAX}× and its appended bytes at most ${BYTES_RATIO_MAX}× the small vault's. Each set is durable when it returns (fsync).`);
  if (get<string>(buildCommits, 'builtWith') === 'FastCommitWriter' && small && setMedians.commits !== undefined) {
    const est = (total * (small.median + setMedians.commits)) / 2;
    s4.notes.push(`Building the ${n(total)}-commit vault with one set per commit would take about ${ms(est)} here (${n(total)} × the mean of the small and the commit vault's set times, assuming the time grows linearly with the vault), hence the fast commit writer (see Method).`);
  }

  const s5 = section('(5) Merge (mergeVaultFiles, no unlock)');
  const m = get<Samples>(merge, 'mergeMs');
  s5.rows.push({
    label: `two copies of the ${n(total)}-commit vault, ${n(Z.divergent)} divergent commits each`,
    value: ms(m?.median),
    target: '≤ 1 s',
    status: status(m ? m.median <= 1000 : undefined),
    note: m ? `median of ${m.samples.length}; first ${ms(m.first)}; result ${n(get<number>(merge, 'commits') ?? 0)} commits, ${bytes(get<number>(merge, 'outputBytes'))}` : undefined,
  });
  s5.notes.push(
    `Each copy: the ${n(total + 2)} commits of section (3) (genesis, the vault's first commit, ${n(total)} one-secret sets), then ${n(Z.divergent)} more sets of its own (the same member saving on two computers without syncing; half of the secrets the two sides change are the same), so the merge adds ${n(Z.divergent)} commits to either side; output to a new file each repetition.`,
  );

  const s6 = section('(6) Peak memory (maxRSS of each child process)');
  for (const r of runs.filter((x) => x.group === 'engine')) {
    s6.rows.push({ label: r.label, value: r.maxRSSKiB !== undefined ? mib(r.maxRSSKiB) : '—', target: '', status: r.ok ? '' : 'not measured', note: `wall ${(r.wallMs / 1000).toFixed(1)} s`, inline: true });
  }
  s6.notes.push(`process.resourceUsage().maxRSS of the whole child: Node, tsx and the engine's modules included (the baseline row: ${baseline.maxRSSKiB !== undefined ? mib(baseline.maxRSSKiB) : '—'}). A child that repeats a measurement reports its peak over all repetitions.`);

  const s7 = section(`(7) Desktop renderer in Chromium: a ${n(Z.secrets)}-secret list, first render and search`, 'renderer');
  {
    const r = renderer;
    const first = get<Samples>(r, 'firstRenderMs');
    const firstCommit = get<Samples>(r, 'firstRenderCommitMs');
    const firstNext = get<Samples>(r, 'firstRenderNextFrameMs');
    const unlock = get<Samples>(r, 'unlockToRowsMs');
    const tab = get<Samples>(r, 'tabRenderMs');
    const tabNext = get<Samples>(r, 'tabRenderNextFrameMs');
    const key = get<Samples>(r, 'keystrokeMs');
    const keyCommit = get<Samples>(r, 'keystrokeCommitMs');
    const keyNext = get<Samples>(r, 'keystrokeNextFrameMs');
    const keyQueue = get<Samples>(r, 'keystrokeQueueMs');
    const back = get<Samples>(r, 'backspaceMs');
    const backAll = get<Samples>(r, 'backspaceToAllMs');
    const keyET = get<{ slow: number; of: number; supported?: boolean }>(r, 'keystrokeEventTiming');
    const chromium = get<{ version: string; userAgent: string; args: string[]; viewport: { width: number; height: number } | null }>(r, 'chromium');
    const bundle = get<{ ms: number; jsBytes: number }>(r, 'bundle');
    const rowsInDom = get<number>(r, 'rowsInDom');
    const queries = get<string[]>(r, 'queries');
    const fr = `≤ ${FIRST_RENDER_MAX_MS} ms`;
    const ks = `≤ ${KEYSTROKE_MAX_MS} ms`;
    const met = (x: number | undefined, max: number): Status => status(x === undefined ? undefined : x <= max);
    s7.rows.push({
      label: `first render of the ${n(Z.secrets)}-item list, median (after Unlock: list data in the page → first frame with its rows)`,
      value: ms(first?.median),
      target: fr,
      status: met(first?.median, FIRST_RENDER_MAX_MS),
      note: first ? `${first.samples.length} unlocks; first (cold page) ${ms(first.first)}; of which React render + commit ${ms(firstCommit?.median)} (median); main thread busy until the next frame: ${ms(firstNext?.median)} after the data (median)` : undefined,
    });
    s7.rows.push({ label: 'first render of the list, p95', value: ms(first?.p95), target: fr, status: met(first?.p95, FIRST_RENDER_MAX_MS), note: first ? `range ${ms(first.min)}–${ms(first.max)}` : undefined });
    s7.rows.push({
      label: 'first render, Secrets tab clicked (data already in the page), median',
      value: ms(tab?.median),
      target: fr,
      status: met(tab?.median, FIRST_RENDER_MAX_MS),
      note: tab ? `p95 ${ms(tab.p95)}; ${tab.samples.length} clicks; of which React render + commit ${ms(get<Samples>(r, 'tabRenderCommitMs')?.median)}; next frame ${ms(tabNext?.median)} after the click (medians)` : undefined,
    });
    s7.rows.push({
      label: 'keystroke → filtered list, median (a character typed in the search box → first frame with the filtered rows)',
      value: ms(key?.median),
      target: ks,
      status: met(key?.median, KEYSTROKE_MAX_MS),
      note: key ? `${key.samples.length} characters; of which React render + commit ${ms(keyCommit?.median)}, key event to the page's listener ${ms(keyQueue?.median)} (medians); next frame ${ms(keyNext?.median)}` : undefined,
    });
    s7.rows.push({ label: 'keystroke → filtered list, p95', value: ms(key?.p95), target: ks, status: met(key?.p95, KEYSTROKE_MAX_MS), note: key ? `range ${ms(key.min)}–${ms(key.max)}` : undefined });
    s7.rows.push({
      label: 'Backspace → widened list, median',
      value: ms(back?.median),
      target: ks,
      status: met(back?.median, KEYSTROKE_MAX_MS),
      note: back ? `p95 ${ms(back.p95)}; ${back.samples.length} Backspaces; the last of each query, back to all ${n(Z.secrets)}: median ${ms(backAll?.median)}` : undefined,
    });
    if (chromium) {
      s7.notes.push(
        `Chromium ${chromium.version} (Debian, /usr/bin/chromium), headless (Playwright \`headless: true\`; user agent ${chromium.userAgent.match(/HeadlessChrome\/\S+/)?.[0] ?? chromium.userAgent}) with ${chromium.args.map((x) => `\`${x}\``).join(' ')}: no GPU, so compositing and raster are in software; viewport ${chromium.viewport ? `${chromium.viewport.width}×${chromium.viewport.height}` : 'default'}, ${rowsInDom ?? '?'} rows in the DOM (virtualized).`,
      );
    }
    if (bundle) s7.notes.push(`The renderer as it ships: a production build (\`vite build --mode production\`) of the working tree made by the scenario in the bench folder (${Math.round(bundle.jsBytes / 1024)} KiB of JS, built in ${(bundle.ms / 1000).toFixed(1)} s), not dist/renderer.`);
    if (keyET?.supported) s7.notes.push(`Cross-check, Chromium's Event Timing API (keydown → the next frame presented on screen, 8 ms granularity, entries from 16 ms): ${keyET.slow} of ${keyET.of} typed characters took 16 ms or more.`);
    const tail = get<Samples>(r, 'harnessTailMs');
    if (unlock) s7.notes.push(`Unlock click → rows rendered took ${ms(unlock.median)} (median), mostly the test harness's IPC: Playwright carries the ${n(Z.secrets)}-item answer over the DevTools protocol in seconds, where Electron's IPC clones it, and its delivery call then holds the page's main thread ${ms(tail?.median)} more (median). Not figures of the app: the first-render clock starts after both.`);
    if (queries) s7.notes.push(`Search: ${queries.map((q) => `"${q}"`).join(', ')}, typed one character at a time (each character changes the count), then deleted with Backspace; each keystroke waits until the previous one has rendered and settled.`);
    if (r.ok) {
      const note = alone(rendererAt);
      if (note) s7.notes.push(note);
    }
    if (r.maxRSSKiB !== undefined) s7.notes.push(`Peak memory of the scenario's Node process (main's handlers, the vault, Playwright): ${mib(r.maxRSSKiB)}; Chromium's own processes are not counted.`);
    if (!r.ok && r.error) s7.notes.push(`Not measured: ${r.error}.`);
  }

  if (big) reportBig(big, alone(bigAt));
  if (whole) reportCli(whole, alone(cliAt));
  if (keys) reportKeys(keys, alone(keysAt));
  if (team) reportTeam(team, alone(teamAt));

  const totalMs = now() - t0;
  clearInterval(loadTimer);
  const load1 = os.loadavg();
  loads.push(load1[0]!);
  const loadNote = `load average ${load0[0]!.toFixed(2)} at the start, ${load1[0]!.toFixed(2)} at the end, ${Math.min(...loads).toFixed(2)}–${Math.max(...loads).toFixed(2)} during the run (1-minute average, sampled every 5 s; ${os.cpus().length} CPUs)`;

  console.log(`\nCoffer bench, ${started.toISOString()}${scaleNote}`);
  for (const [k, v] of machine(work)) console.log(`  ${k.padEnd(13)} ${v}`);
  console.log(`  ${'Load'.padEnd(13)} ${loadNote}`);
  const shown = sections.filter((s) => only.has(s.group));
  for (const s of shown) printSection(s);
  const profiled = runs.filter((r) => r.profile);
  for (const r of profiled) {
    console.log(`\nCPU profile, ${r.label} (${ms(r.profile!.totalMs)} sampled): top self time`);
    for (const f of r.profile!.self.slice(0, 8)) console.log(`  ${ms(f.ms).padStart(9)}  ${f.name}`);
  }
  const failed = runs.filter((r) => !r.ok);
  console.log(`\nTotal runtime ${(totalMs / 1000).toFixed(0)} s${failed.length ? `; ${failed.length} scenario(s) failed: ${failed.map((r) => r.label).join('; ')}` : ''}`);

  // ---------------------------------------------------------------- docs/BENCHMARKS.md
  const head = [
    '# Benchmarks',
    '',
    `Written by \`npm run bench\` (bench/run.ts) on ${started.toISOString()}${scaleNote}; total runtime ${(totalMs / 1000).toFixed(0)} s. Do not edit by hand: run the bench again.`,
    '',
    'Targets are goals, not tests: nothing fails when one is missed, and CI does not run the bench.',
    '',
    '## Machine',
    '',
    '| | |',
    '|---|---|',
    ...machine(work).map(([k, v]) => `| ${k} | ${md(v)} |`),
    `| Load | ${loadNote} |`,
    `| Settings | scale ${S.scale} (${n(Z.secrets)} secrets × ${Z.versions} versions, ${n(Z.divergent)} divergent changes), ${S.reps} repetitions${S.realSets ? ', real set calls' : ''} |`,
    '',
    '## Results',
    '',
  ];
  const results = shown.map((s) => `${sectionMarkdown(s)}\n`);
  const profiles = [
    ...(profiled.length
      ? [
          '## CPU profiles',
          '',
          'Top functions by self time, and engine functions by inclusive time, per child (`node --cpu-prof`, COFFER_BENCH_CPU_PROF=1).',
          '',
          ...profiled.flatMap((r) => [
            `### ${r.label}`,
            '',
            `${ms(r.profile!.totalMs)} sampled.`,
            '',
            '| Self | Function |',
            '|---:|---|',
            ...r.profile!.self.slice(0, 10).map((f) => `| ${ms(f.ms)} | \`${f.name}\` |`),
            '',
            '| Inclusive | Engine function |',
            '|---:|---|',
            ...r.profile!.inclusive.slice(0, 10).map((f) => `| ${ms(f.ms)} | \`${f.name}\` |`),
            '',
          ]),
        ]
      : []),
  ];
  const tail = [
    '## How to reproduce',
    '',
    '```sh',
    'npm run bench                          # full scale: about 15 minutes on 2 cores, 5 more the first time (fixtures to build)',
    'COFFER_BENCH_SCALE=0.1 npm run bench   # a quick run (targets are for scale 1)',
    'COFFER_BENCH_ONLY=renderer npm run bench  # only section (7), the renderer in Chromium (about 2 minutes)',
    'COFFER_BENCH_ONLY=big npm run bench    # only section (8), the 100,000-secret vault and growth (about 4 minutes; 2 more to build it once)',
    'COFFER_BENCH_ONLY=cli npm run bench    # only sections (9)–(11), whole processes and KeePassXC (about 2 minutes)',
    'COFFER_BENCH_ONLY=keys npm run bench   # only section (12), RS256/ES256 sign beside openssl speed and key generation (about 1 minute)',
    'COFFER_BENCH_ONLY=team npm run bench   # only section (13), a vault of 50 members and 20 key epochs beside one member (about 1 minute)',
    '```',
    '',
    '| Variable | Effect |',
    '|---|---|',
    '| `COFFER_BENCH_SCALE` | multiplies the vault sizes (default 1: 10,000 secrets × 5 versions, 50,000 commits, 1,000 divergent changes; (8): 1,000, 10,000 and 100,000 secrets × 5; (9)–(10): 10,000 × 5) |',
    '| `COFFER_BENCH_REPS` | repetitions of the expensive measurements (default 3; Argon2id uses at least 15) |',
    '| `COFFER_BENCH_REAL_SETS=1` | build the many-commit vaults with one real `secrets.set` per commit (hours at full scale) |',
    '| `COFFER_BENCH_CPU_PROF=1` | run every child under `node --cpu-prof` and add the top functions to this report |',
    '| `COFFER_BENCH_DIR` | where the vaults are built (kept); default a temporary folder, removed at the end |',
    '| `COFFER_BENCH_KEEP=1` | keep the temporary folder |',
    '| `COFFER_BENCH_DOC` | where to write this report (default docs/BENCHMARKS.md) |',
    '| `COFFER_BENCH_CACHE` | where the fixtures of sections 8–11 are kept between runs, one folder per fixture named by a hash of its parameters (and of the engine\'s sources, for vaults), so a changed engine builds them again; default `<tmp>/coffer-bench-cache`; `off`: build them in the bench folder every run |',
    '| `COFFER_BENCH_REBUILD=1` | build the cached fixtures again |',
    '| `COFFER_BENCH_ONLY` | run only these groups, comma-separated: `engine` (sections 1–6), `renderer` (section 7), `big` (section 8), `cli` (sections 9–11), `keys` (section 12), `team` (section 13); default all. A partial run rewrites only its own sections and the text from "How to reproduce" on, and keeps the rest of this file as it was (with the engine group, the machine table is rewritten too) |',
    '',
    'One scenario alone: `COFFER_BENCH_ARGS=\'{...}\' node --import tsx bench/scenarios/<name>.ts` (the arguments each takes are at the top of its file; run.ts shows the values it passes).',
    '',
    '## Method',
    '',
    '- Every scenario runs in its own child process (`node --expose-gc --import tsx bench/scenarios/<name>.ts`), so each peak-memory figure is its own. Children report JSON lines; the runner prints and writes them.',
    '- The open scenarios (2), (3) and (8) run a full garbage collection before each timed open: the open before it, closed, has left up to 2 GiB behind (the 100,000 × 5 vault), which a process that opens a vault once never carries, and which an app idle between unlocks collects meanwhile. Without it the second and third opens of a run paid for the first one\'s (a cold open from a checkpoint: about 2.6 s first, 3.0–3.4 s after). The first open of each row is still reported apart ("first in the process").',
    '- Figures are medians of several repetitions in one process; "first" is the first repetition, with a cold JIT, which is what a one-shot CLI command pays.',
    '- Cold open: a fresh profile folder (a computer that never opened the vault): no verified-state cache and no warm snapshot, so the open starts from the newest checkpoint if the file has one, else verifies and folds every commit. Warm open: the profile of the last cold open, where that open wrote the warm snapshot (electron/vault/cache/snapshot.ts): the open reads the snapshot and only the commits after its verified prefix. The open child (bench/scenarios/open.ts) checks that every open took the path its row names (VaultSession.loadedWarm, loadedFromCheckpoint) and fails otherwise.',
    '- "show" is `secrets.get` of one secret (what `coffer secret show` calls), including its audit-log line.',
    '- Open figures exclude the KDF: the big vaults are created with the smallest Argon2id parameters the engine accepts, and that derivation (microseconds) is timed and subtracted. The cost of the default KDF is section (1).',
    '- The import vault is written by one `secrets.import` call with every entry (the `coffer secret import` path).',
    '- The many-commit vault: the first secret version is written by `secrets.set`; the others by bench/lib/fast-writer.ts `FastCommitWriter`, which builds each commit exactly as vault.ts `buildCommit` does for a one-secret `set` (same engine functions for keys, encryption, padding, canonical JSON and signature) and appends them in large writes with one fsync, instead of one lock + whole-file read + append + fsync per commit. Its output is not trusted: its first commit is compared field by field with the engine\'s own, and every open above verifies every signature, authorization and body (cold), then checks the secret, version and commit counts and that no commit was rejected. The divergent copies for the merge are built the same way (the same member continuing on two computers). `COFFER_BENCH_REAL_SETS=1` uses real `set` calls throughout.',
    '- Save: a copy of the vault with a copy of its warm profile (its snapshot), opened, then several `secrets.set` calls, each timed and the file size measured before and after; a set that also wrote the automatic checkpoint (an Administrator\'s write with 10,000 commits or more since the last one) is named in the note.',
    '- Merge: `mergeVaultFiles(ours, theirs, output)` to a new output file, each repetition.',
    '- The machine is shared: other processes (tests, builds) may run at the same time; the load average above says how busy it was.',
    ...RENDERER_METHOD,
    '- 100,000 secrets and growth (8): vaults of 1,000, 10,000 and 100,000 secrets × 5 versions, each built by `secrets.import` (what `coffer secret import` calls) in calls of at most 50,000 entries (the engine takes 100,000 at most), one commit each, the smallest Argon2id; opened by the same child as (2) and (3), cold (no checkpoint) then warm. The largest also as a copy on which its creator called `vault.checkpoint()` once (bench/scenarios/build-checkpoint.ts, a cached fixture), opened cold in fresh profiles: from the checkpoint. The growth rows divide the medians of consecutive sizes: at most 10× per 10× more secrets is linear or better.',
    '- Whole processes (9)–(11): bench/scenarios/whole-process.ts spawns each command and times it from spawn to exit, under `/usr/bin/time -f "%M %U %S"` (peak resident memory and CPU time of the process); every run\'s output is checked against the value the fixture holds. Commands alternate within each round, after one untimed run of each. The bench runs `npm run prepare` first, so `bin/coffer.mjs` runs the CLI compiled from the working tree.',
    '- The Coffer vaults of (9)–(11) are built by `secrets.import` at the engine\'s default KDF (what `coffer vault create` gives); the KeePass databases hold the same names and values (bench/lib/fixtures.ts `seededValue`), as KDBX 4.0 with Argon2id at the same m, t, p, written by bench/lib/kdbx.ts (AES-256, gzip, the inner ChaCha20 stream protecting passwords, as KeePassXC writes them) because keepassxc-cli 2.7 cannot set the KDF; keepassxc-cli db-info reads each one back (KDF and entry count) before it is timed.',
    '- Fixtures of (8)–(11) are cached between runs (`COFFER_BENCH_CACHE`); the bench opens copies of the cached vaults, so a run cannot change them.',
    ...KEYS_METHOD,
    '',
  ];
  const old = partial ? await readFile(docPath, 'utf8').catch(() => undefined) : undefined;
  let doc: string;
  if (old !== undefined && !only.has('engine')) {
    // Without the engine group: the old report, with the sections of the groups that ran replaced (or
    // put in order of their numbers) and the How-to and Method text the current one; everything else
    // (the machine table included) is the last run's that wrote it.
    let kept = old;
    for (const s of shown) kept = putSection(kept, sectionNumber(s.title), sectionMarkdown(s));
    const at = kept.indexOf('\n## How to reproduce');
    doc = `${at >= 0 ? kept.slice(0, at + 1) : `${kept.trimEnd()}\n\n`}${tail.join('\n')}`;
  } else {
    doc = [...head, ...results, ...profiles, ...tail].join('\n');
    // The engine group and others: the sections of the groups that did not run are kept from the old report.
    if (old !== undefined) {
      const ran = new Set(shown.map((s) => sectionNumber(s.title)));
      for (const num of old.split('\n').map(headingNumber)) {
        if (num === undefined || ran.has(num)) continue;
        const oldText = findSection(old, num);
        if (oldText) doc = putSection(doc, num, keptNote(old, oldText));
      }
    }
  }
  await mkdir(path.dirname(docPath), { recursive: true });
  await writeFile(docPath, doc);
  console.log(`Wrote ${path.relative(ROOT, docPath)}`);

  if (!keep) await rm(work, { recursive: true, force: true });
  else console.log(`Vaults kept in ${work}: ${(await readdir(work)).filter((f) => f.endsWith('.coffer')).join(', ')}`);
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? (e.stack ?? e.message) : String(e));
  process.exitCode = 1;
});
