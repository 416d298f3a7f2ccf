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
 *   COFFER_BENCH_SCALE=0.1   smaller vaults for a quick run (default 1)
 *   COFFER_BENCH_REPS=5      repetitions of the expensive measurements (default 3)
 *   COFFER_BENCH_REAL_SETS=1 build the many-commit vaults with real `set` calls (slow)
 *   COFFER_BENCH_CPU_PROF=1  run each child under --cpu-prof and add the top functions to the report
 *   COFFER_BENCH_DIR=path    where the vaults go (kept afterwards); default a temp folder, removed
 *   COFFER_BENCH_KEEP=1      keep the temp folder
 *   COFFER_BENCH_DOC=path    where to write the report (default docs/BENCHMARKS.md)
 *   COFFER_BENCH_ONLY=renderer  run only some groups (comma-separated): `engine` = sections (1)–(6),
 *                            `renderer` = section (7), the renderer in Chromium. A partial run
 *                            updates only its own sections of the report (and the How-to/Method
 *                            text); the rest of the file is kept as the last run wrote it.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { type ChildLine, now, type Samples, settings, sizes } from './lib/common.js';
import { type ProfileSummary, summarizeProfile } from './lib/cpuprofile.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const ARGON2_CLI = '/usr/bin/argon2';
const SET_RATIO_MAX = 1.5;
const BYTES_RATIO_MAX = 1.1;
const FIRST_RENDER_MAX_MS = 100;
const KEYSTROKE_MAX_MS = 16;

// ------------------------------------------------------------------ groups (COFFER_BENCH_ONLY)

const GROUPS = ['engine', 'renderer'] as const;
type Group = (typeof GROUPS)[number];
/** Which group a scenario script belongs to. */
const groupOf = (script: string): Group => (script === 'renderer-list' ? 'renderer' : 'engine');

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
/** The renderer section's heading starts so: a partial run finds it in the old report by this. */
const RENDERER_HEADING = '### (7) Desktop renderer in Chromium';

// ------------------------------------------------------------------ children

interface ChildRun {
  label: string;
  script: string;
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

async function child(script: string, label: string, args: object): Promise<ChildRun> {
  // A group left out by COFFER_BENCH_ONLY: not run, reported nowhere (its sections are not printed or written).
  if (!only.has(groupOf(script))) return { label, script, ok: false, error: 'skipped (COFFER_BENCH_ONLY)', wallMs: 0, results: new Map() };
  process.stderr.write(`▶ ${label}\n`);
  // One folder per child: tsx's loader thread writes a profile of its own; the main thread's is the biggest.
  const profDir = path.join(profileDir, `${runs.length}-${script}`);
  const nodeArgs = [...(cpuProf ? ['--cpu-prof', '--cpu-prof-dir', profDir] : []), '--import', 'tsx', path.join('bench', 'scenarios', `${script}.ts`)];
  const t0 = now();
  const run: ChildRun = { label, script, ok: false, wallMs: 0, results: new Map() };
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
    run.ok ? `✓ ${label}: ${(run.wallMs / 1000).toFixed(1)} s, peak RSS ${mib(run.maxRSSKiB!)}\n` : `✗ ${label}: ${run.error}\n`,
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

/** The lines of the `### ` section whose heading starts with `heading`, up to the next `### ` or `## ` heading. */
function sectionBounds(doc: string, heading: string): { start: number; end: number } | undefined {
  const lines = doc.split('\n');
  const start = lines.findIndex((l) => l.startsWith(heading));
  if (start < 0) return undefined;
  let end = lines.findIndex((l, i) => i > start && (l.startsWith('### ') || l.startsWith('## ')));
  if (end < 0) end = lines.length;
  return { start, end };
}

function findSection(doc: string, heading: string): string | undefined {
  const b = sectionBounds(doc, heading);
  return b ? `${doc.split('\n').slice(b.start, b.end).join('\n').trimEnd()}\n` : undefined;
}

/** `doc` with its `heading` section replaced by `text`, or `text` inserted before "## CPU profiles" / "## How to reproduce" (or at the end). */
function replaceSection(doc: string, heading: string, text: string): string {
  const lines = doc.split('\n');
  const add = [...text.trimEnd().split('\n'), ''];
  const b = sectionBounds(doc, heading);
  if (b) lines.splice(b.start, b.end - b.start, ...add);
  else {
    const at = lines.findIndex((l) => l === '## CPU profiles' || l === '## How to reproduce');
    if (at >= 0) lines.splice(at, 0, ...add);
    else lines.push('', ...add);
  }
  return lines.join('\n');
}

/** Method text of section (7), in the report's Method list. */
const RENDERER_METHOD = [
  '- Renderer (7): bench/scenarios/renderer-list.ts imports N secrets in one `secrets.import` commit (the browser tests\' KDF, m = 8 MiB, t = 1, p = 1), builds the renderer for production (`vite build --mode production`, into the bench folder), and runs the app as the browser tests do (test/e2e/harness.ts `launchApp`: main\'s real handlers in Node, the renderer in headless Debian Chromium, the preload emulated). Every time is taken in the page with `performance.now()` or the event\'s `timeStamp` (the same clock), so Playwright\'s own round trips are not counted; the renderer is not modified.',
  '- "First frame with the rows": a MutationObserver sees the listbox hold option rows with the expected `aria-setsize`; the next `requestAnimationFrame` callback is the start of the frame that shows them; there the agent forces style and layout and stops the clock. What is left of that frame on the main thread is paint (under 1 ms for ~20 rows); raster and display are off the main thread and not counted. "Next frame" (double rAF) also counts what the main thread does before it can draw again.',
  '- First render after Unlock: each repetition locks, types the passphrase and clicks Unlock; the clock starts when `secrets:list`\'s answer (N items) is handed to the renderer. The agent wraps Playwright\'s binding delivery in the page (the stand-in for Electron\'s IPC) and hands the list on in a task of its own, as an Electron IPC reply arrives; so the harness\'s transport over the DevTools protocol and the native tail of its delivery call (70–100 ms of main-thread time for 10,000 items, with or without React) are excluded, and the React render, commit, style and layout are included. The first repetition is a cold page (its JIT has not seen the list yet). The Secrets-tab figure starts at the click on the tab, coming back from Deleted with the list data already in the store.',
  '- Keystroke → filtered list: `page.keyboard.press` (a real key event through Chromium\'s input pipeline) in the focused search box; the clock starts at the keydown event\'s `timeStamp`; the expected count comes from the renderer\'s own filterAndSort on the same items, and every row shown is checked to match. Each query is typed while every character changes the count, then deleted with Backspace (its own row). Event Timing\'s keydown entries (to the frame on screen) are the cross-check.',
];

// ------------------------------------------------------------------ machine

function sh(cmd: string, args: string[]): string | undefined {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : undefined;
}

function machine(dir: string): [string, string][] {
  const cpus = os.cpus();
  return [
    ['CPU', `${cpus[0]?.model.trim() ?? 'unknown'} × ${cpus.length} (os.cpus)`],
    ['Memory', `${(os.totalmem() / 1024 ** 3).toFixed(1)} GiB`],
    ['OS', `${os.type()} ${os.release()} ${os.arch()}`],
    ['Node', process.version],
    ['Bench folder', `${dir} (${sh('findmnt', ['-n', '-o', 'FSTYPE', '-T', dir]) ?? sh('stat', ['-f', '-c', '%T', dir]) ?? 'file system unknown'})`],
    ['argon2 CLI', `${ARGON2_CLI} ${sh('dpkg-query', ['-W', '-f', '${Version}', 'argon2']) ?? '(version unknown)'}`],
  ];
}

// ------------------------------------------------------------------ main

async function main(): Promise<void> {
  const t0 = now();
  const started = new Date();
  const load0 = os.loadavg();
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
    });
    if (o.cold.ok) {
      o.warm = await child('open', `(${name === 'import' ? 2 : 3}) open + list + show, warm: ${name} vault`, {
        path: file,
        profilePrefix: o.warmProfile,
        mode: 'warm',
        reps: S.reps,
        expect: { ...expect, commits },
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
  const renderer = await child('renderer-list', `(7) desktop renderer in Chromium: ${n(Z.secrets)}-secret list, first render and search keystrokes`, {
    dir: at('renderer'),
    secrets: Z.secrets,
    reps: rendererReps,
    keystrokes: 40,
  });
  const rendererAt = new Date();

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
      if (!r?.ok) {
        s.rows.push({ label: `open + list + show, ${mode}`, value: '—', target: '≤ 300 ms', status: 'not measured' });
        continue;
      }
      const o = get<Samples>(r, 'openMs')!;
      const l = get<Samples>(r, 'listMs')!;
      const shw = get<Samples>(r, 'showMs')!;
      const t = get<Samples>(r, 'afterKdfMs')!;
      const desc = mode === 'cold' ? 'fresh profile, no verified cache' : 'same profile, second open';
      s.rows.push({ label: `open, ${mode} (${desc})`, value: ms(o.median), target: '', status: '' });
      s.rows.push({ label: `list (${n(Z.secrets)} items), ${mode}`, value: ms(l.median), target: '', status: '' });
      s.rows.push({ label: `show one secret, ${mode}`, value: ms(shw.median), target: '', status: '' });
      s.rows.push({
        label: `open + list + show − KDF, ${mode}`,
        value: ms(t.median),
        target: '≤ 300 ms',
        status: status(t.median <= 300),
        note: `median of ${t.samples.length}; first in the process ${ms(t.first)}; KDF subtracted ${ms(get<number>(r, 'kdfMs'))}`,
      });
    }
    s.notes.push('"− KDF": the vaults use the smallest Argon2id parameters the engine accepts (m = 8 KiB, t = 1, p = 1); that derivation is timed in the same process and subtracted, so the figure is what an open costs after the passphrase step.');
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
    s4.rows.push({
      label,
      value: ms(t.median),
      target: `≤ ${SET_RATIO_MAX}× time, ≤ ${BYTES_RATIO_MAX}× bytes of the small vault`,
      status: status(tr <= SET_RATIO_MAX && br <= BYTES_RATIO_MAX),
      note: `${bytes(b.median)} appended; ratio to the small vault: time ${tr.toFixed(1)}×, bytes ${br.toFixed(2)}×; first set ${ms(t.first)}`,
    });
  }
  s4.notes.push(`"Grows with the change, not the vault": the same one-secret set on the small and the big vaults in this run; met when the big vault's median set time is at most ${SET_RATIO_MAX}× and its appended bytes at most ${BYTES_RATIO_MAX}× the small vault's. Each set is durable when it returns (fsync).`);
  if (get<string>(buildCommits, 'builtWith') === 'FastCommitWriter' && small && setMedians.commits !== undefined) {
    const est = (total * (small.median + setMedians.commits)) / 2;
    s4.notes.push(`Building the ${n(total)}-commit vault with one set per commit would take about ${ms(est)} here (${n(total)} × the mean of the small and the commit vault's set times, assuming the time grows linearly with the vault), hence the fast commit writer (see Method).`);
  }

  const s5 = section('(5) Merge (mergeVaultFiles, no unlock)');
  const m = get<Samples>(merge, 'mergeMs');
  s5.rows.push({
    label: `two copies of ${n(total)} commits, ${n(Z.divergent)} divergent each`,
    value: ms(m?.median),
    target: '≤ 1 s',
    status: status(m ? m.median <= 1000 : undefined),
    note: m ? `median of ${m.samples.length}; first ${ms(m.first)}; result ${n(get<number>(merge, 'commits') ?? 0)} commits, ${bytes(get<number>(merge, 'outputBytes'))}` : undefined,
  });

  const s6 = section('(6) Peak memory (maxRSS of each child process)');
  for (const r of runs) {
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
    if (r.ok && partial) s7.notes.push(`Measured alone (COFFER_BENCH_ONLY=${[...only].join(',')}) on ${rendererAt.toISOString()}, load average ${os.loadavg()[0]!.toFixed(2)}; the machine table above is from the run that wrote the rest of this file.`);
    if (r.maxRSSKiB !== undefined) s7.notes.push(`Peak memory of the scenario's Node process (main's handlers, the vault, Playwright): ${mib(r.maxRSSKiB)}; Chromium's own processes are not counted.`);
    if (!r.ok && r.error) s7.notes.push(`Not measured: ${r.error}.`);
  }

  const totalMs = now() - t0;
  const load1 = os.loadavg();
  const loadNote = `load average ${load0[0]!.toFixed(2)} at the start, ${load1[0]!.toFixed(2)} at the end (${os.cpus().length} CPUs)`;

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
    'npm run bench                          # full scale: 5 to 10 minutes on 2 cores',
    'COFFER_BENCH_SCALE=0.1 npm run bench   # a quick run (targets are for scale 1)',
    'COFFER_BENCH_ONLY=renderer npm run bench  # only section (7), the renderer in Chromium (about 2 minutes)',
    '```',
    '',
    '| Variable | Effect |',
    '|---|---|',
    '| `COFFER_BENCH_SCALE` | multiplies the vault sizes (default 1: 10,000 secrets × 5 versions, 50,000 commits, 1,000 divergent changes) |',
    '| `COFFER_BENCH_REPS` | repetitions of the expensive measurements (default 3; Argon2id uses at least 15) |',
    '| `COFFER_BENCH_REAL_SETS=1` | build the many-commit vaults with one real `secrets.set` per commit (hours at full scale) |',
    '| `COFFER_BENCH_CPU_PROF=1` | run every child under `node --cpu-prof` and add the top functions to this report |',
    '| `COFFER_BENCH_DIR` | where the vaults are built (kept); default a temporary folder, removed at the end |',
    '| `COFFER_BENCH_KEEP=1` | keep the temporary folder |',
    '| `COFFER_BENCH_DOC` | where to write this report (default docs/BENCHMARKS.md) |',
    '| `COFFER_BENCH_ONLY` | run only these groups, comma-separated: `engine` (sections 1–6) or `renderer` (section 7); default both. A partial run rewrites only its own sections and the text from "How to reproduce" on, and keeps the rest of this file as it was |',
    '',
    'One scenario alone: `COFFER_BENCH_ARGS=\'{...}\' node --import tsx bench/scenarios/<name>.ts` (the arguments each takes are at the top of its file; run.ts shows the values it passes).',
    '',
    '## Method',
    '',
    '- Every scenario runs in its own child process (`node --import tsx bench/scenarios/<name>.ts`), so each peak-memory figure is its own. Children report JSON lines; the runner prints and writes them.',
    '- Figures are medians of several repetitions in one process; "first" is the first repetition, with a cold JIT, which is what a one-shot CLI command pays.',
    '- Cold open: a fresh profile folder, so there is no verified-state cache and every commit signature is checked. Warm open: the profile of the last cold open, so only commits it has not seen are checked.',
    '- "show" is `secrets.get` of one secret (what `coffer secret show` calls), including its audit-log line.',
    '- Open figures exclude the KDF: the big vaults are created with the smallest Argon2id parameters the engine accepts, and that derivation (microseconds) is timed and subtracted. The cost of the default KDF is section (1).',
    '- The import vault is written by one `secrets.import` call with every entry (the `coffer secret import` path).',
    '- The many-commit vault: the first secret version is written by `secrets.set`; the others by bench/lib/fixtures.ts `FastCommitWriter`, which builds each commit exactly as vault.ts `buildCommit` does for a one-secret `set` (same engine functions for keys, encryption, padding, canonical JSON and signature) and appends them in large writes with one fsync, instead of one lock + whole-file read + append + fsync per commit. Its output is not trusted: its first commit is compared field by field with the engine\'s own, and every open above verifies every signature, authorization and body (cold), then checks the secret, version and commit counts and that no commit was rejected. The divergent copies for the merge are built the same way (the same member continuing on two computers). `COFFER_BENCH_REAL_SETS=1` uses real `set` calls throughout.',
    '- Save: a copy of the vault with a copy of its warm profile, opened, then several `secrets.set` calls, each timed and the file size measured before and after.',
    '- Merge: `mergeVaultFiles(ours, theirs, output)` to a new output file, each repetition.',
    '- The machine is shared: other processes (tests, builds) may run at the same time; the load average above says how busy it was.',
    ...RENDERER_METHOD,
    '',
  ];
  const old = partial ? await readFile(docPath, 'utf8').catch(() => undefined) : undefined;
  let doc: string;
  if (old !== undefined && !only.has('engine')) {
    // Renderer alone: its section replaces the old one (or goes before the profiles / How to reproduce), and the
    // How-to and Method text is the current one; everything else is the last full run's.
    const kept = replaceSection(old, RENDERER_HEADING, results.join('\n'));
    const at = kept.indexOf('\n## How to reproduce');
    doc = `${at >= 0 ? kept.slice(0, at + 1) : `${kept.trimEnd()}\n\n`}${tail.join('\n')}`;
  } else {
    const body = [...head, ...results, ...profiles, ...tail].join('\n');
    // Engine alone: keep the renderer section of the old report.
    const oldRenderer = old !== undefined ? findSection(old, RENDERER_HEADING) : undefined;
    doc = oldRenderer ? replaceSection(body, RENDERER_HEADING, oldRenderer) : body;
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
