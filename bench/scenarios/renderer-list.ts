/**
 * Scenario (7): the desktop renderer in Chromium with a 10,000-secret vault.
 *
 * The app as the browser tests run it (test/e2e/harness.ts launchApp): main's
 * real handlers in this Node process, the renderer in headless Debian
 * Chromium (/usr/bin/chromium, --disable-gpu), the preload emulated. The
 * renderer is a production build of the working tree made here, in the
 * bench folder (`vite build --mode production`), served through the same
 * handleAppRequest (checks, headers, CSP) as dist/renderer in the tests:
 * dist/renderer is shared with the browser tests and may hold a development
 * build or an old one.
 *
 * Every time is taken in the page with performance.now() (or an event's
 * timeStamp, the same clock), so Playwright's own round trips are not
 * counted. The renderer is not changed or hooked: the page is observed from
 * outside by PAGE_AGENT below.
 *
 * Figures (ms; each a Samples with median and p95):
 *   firstRenderMs   the list data arrived in the page → the first frame with
 *                   the list's rows rendered. Each repetition: Lock, type the
 *                   passphrase, click Unlock; the vault screen mounts with no
 *                   list ("Loading…") and asks main for `secrets:list`; the
 *                   clock starts when that answer (N items) enters the page's
 *                   JavaScript and stops when the first frame whose listbox
 *                   holds option rows with aria-setsize = N is rendered.
 *   tabRenderMs     a click on the Secrets tab (from the Deleted tab; the list
 *                   data is already in the page) → that frame: SecretList
 *                   mounts, filters, sorts and virtualizes N items with no IPC
 *                   in the way.
 *   keystrokeMs     a character typed in the search box (page.keyboard.press:
 *                   a key event through Chromium's input pipeline) → the first
 *                   frame rendered whose listbox shows the filtered rows
 *                   (aria-setsize = the expected count, every row matching).
 *                   The clock starts at the keydown event's timeStamp (when
 *                   the browser created the event; the page's listener runs
 *                   well under 1 ms later, *QueueMs).
 *   backspaceMs     the same for Backspace: the list widens again; the last
 *                   one of each query brings back all N (backspaceToAllMs).
 *
 * "Frame rendered": a MutationObserver sees the DOM reach the expected state;
 * in the next requestAnimationFrame callback (the start of that frame's
 * rendering) the agent forces style and layout and stops the clock: what is
 * left of the frame on the main thread is paint, well under 1 ms for the
 * ~20 rows in view (Chromium's long-animation-frame entries show it);
 * raster and display happen off the main thread and are not counted.
 * *CommitMs stop at the DOM change instead; *NextFrameMs at the next frame's
 * rAF (double rAF), which also counts whatever else the main thread does
 * before it can render again (e.g. React effects after the first render).
 *
 * "Data arrived": the emulated preload's answers come through Playwright's
 * binding controller in the page (window.__playwright__binding__controller__
 * .deliverBindingResult). The agent wraps it: the answer carrying N items is
 * handed on in a task of its own (a MessageChannel message), as an Electron
 * IPC reply arrives, and the clock starts when that task runs. Not counted:
 * Playwright's transport of the answer over the DevTools protocol (seconds
 * for 10,000 items), and the native tail of its delivery call (70–100 ms of
 * main-thread time after a 10,000-item answer even with no React at all;
 * harnessTailMs), which would otherwise sit between the DOM commit and the
 * frame. In Electron, the IPC message's structured clone takes their place.
 */
import { spawnSync } from 'node:child_process';
import { mkdir, readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import type { ImportEntry } from '../../electron/vault/api.js';
import { createVault } from '../../electron/vault/vault.js';
import { L } from '../../renderer/app/labels.js';
import { filterRows, sortRows } from '../../renderer/lib/objects/status.js';
import { nameFromId } from '../../renderer/lib/format.js';
import { APP_URL, CHROMIUM_ARGS, E2E_KDF, launchApp, ROOT } from '../../test/e2e/harness.js';
import { childArgs, emit, median, progress, runChild, summarize, timed } from '../lib/common.js';
import { passphrase, PASSPHRASE_TEXT, quiet, secretValue } from '../lib/fixtures.js';

interface Args {
  /** A folder for the vault and the app's profile (created). */
  dir: string;
  secrets: number;
  /** Repetitions of each first-render measurement. */
  reps: number;
  /** At least this many typed characters (each also deleted again with Backspace). */
  keystrokes: number;
}

const SERVICES = ['payments', 'billing', 'auth', 'search', 'orders', 'inventory', 'shipping', 'email', 'analytics', 'gateway', 'users', 'reports', 'catalog', 'checkout', 'notify', 'ledger'];
const ENVS = ['prod', 'staging', 'dev', 'qa'];
const KINDS = ['db-password', 'api-key', 'token', 'tls-key', 'webhook-secret', 'client-secret', 'smtp-password', 'jwt-signing-key'];
const OWNERS = ['alice', 'bob', 'carol', 'dave', 'erin', 'frank', 'grace'];
/** Typed one character at a time, as long as each character changes the filtered count. */
const QUERIES = ['pay', 'ord', '0042', 'ledger-qa', 'tok', 'alice', '7319', 'ship', 'gate', 'jwt', 'stag', '9', 'smtp', 'rep', 'inv', '1234', 'bill', 'cat', 'dev-api', 'erin', '5086', 'noti', 'web', 'users-prod'];

function secretEntry(i: number): ImportEntry {
  const service = SERVICES[i % SERVICES.length]!;
  const env = ENVS[(i >> 4) % ENVS.length]!;
  const kind = KINDS[(i >> 6) % KINDS.length]!;
  return {
    name: `${service}-${env}-${kind}-${String(i).padStart(4, '0')}`,
    value: secretValue(i, 0),
    ...(i % 5 === 0 ? { contentType: 'text/plain' } : {}),
    ...(i % 3 === 0 ? { tags: { env, owner: OWNERS[i % OWNERS.length]! } } : {}),
  };
}

/** One keystroke's in-page record (PAGE_AGENT `arm` … `wait`). */
interface Mark {
  kind: 'list' | 'tab' | 'key';
  n: number;
  /** Start: keydown timeStamp (key), the click on the tab (tab). */
  t0?: number;
  /** performance.now() in the keydown listener (key): t0Listener − t0 is the input's queueing in the page. */
  t0Listener?: number;
  /** The Unlock click's timeStamp (list). */
  clickAt?: number;
  /** vault:open's answer entered the page (list). */
  openAt?: number;
  /** The answer with n items entered the page (Playwright's delivery). */
  deliveredAt?: number;
  /** ...and was handed to the renderer, in a task of its own: the first render's clock starts. */
  listAt?: number;
  /** The MutationObserver saw the expected rows. */
  domAt?: number;
  /** The rAF callback of the first frame with the rows: that frame's rendering starts. */
  rafAt?: number;
  /** That frame's style and layout are done (forced in the rAF callback). */
  frameAt?: number;
  /** The next frame's rAF (double rAF). */
  nextFrameAt?: number;
  /** aria-label of every option row in the DOM at domAt. */
  visible?: string[];
  error?: string;
}

interface EventEntry {
  name: string;
  startTime: number;
  duration: number;
}

/**
 * Installed in the page (page.evaluate of this source) once it has loaded.
 * window.__cofferBench: arm(kind, n), clickTab(name), wait(ms), events().
 */
const PAGE_AGENT = `(() => {
  'use strict';
  const w = window;
  if (w.__cofferBench) return 'already installed';
  const LISTBOX = ${JSON.stringify(L.secretsList)};
  let armed = null;
  let waiters = [];
  const events = [];

  const ctl = w.__playwright__binding__controller__;
  if (!ctl || typeof ctl.deliverBindingResult !== 'function') {
    throw new Error('bench: window.__playwright__binding__controller__.deliverBindingResult is missing (playwright-core changed?)');
  }
  const deliver = ctl.deliverBindingResult;
  ctl.deliverBindingResult = function (arg) {
    const t = performance.now();
    const r = arg && arg.result;
    const a = armed;
    if (a && r && r.ok === true) {
      if (Array.isArray(r.value) && r.value.length === a.n && a.deliveredAt === undefined) {
        // The list: handed to the page in a task of its own, as Electron's IPC reply arrives. Delivered
        // inside Playwright's DevTools call, the render would run before that call's own native
        // completion (70-100 ms for 10,000 items, measured with no React at all), and the frame after it.
        a.deliveredAt = t;
        const self = this;
        const ch = new MessageChannel();
        ch.port1.onmessage = () => {
          ch.port1.close();
          a.listAt = performance.now();
          deliver.call(self, arg);
        };
        ch.port2.postMessage(null);
        return undefined;
      }
      if (r.value && r.value.state === 'unlocked' && a.openAt === undefined) a.openAt = t;
    }
    return deliver.call(this, arg);
  };

  w.addEventListener('keydown', (e) => {
    if (armed && armed.kind === 'key' && armed.t0 === undefined) { armed.t0 = e.timeStamp; armed.t0Listener = performance.now(); }
  }, true);
  w.addEventListener('click', (e) => {
    if (armed && armed.kind === 'list' && armed.clickAt === undefined) armed.clickAt = e.timeStamp;
  }, true);

  try {
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) events.push({ name: e.name, startTime: e.startTime, duration: e.duration });
    }).observe({ type: 'event', buffered: true, durationThreshold: 16 });
  } catch (e) { /* no Event Timing: the cross-check is left out */ }

  const listbox = () => {
    for (const el of document.querySelectorAll('[role="listbox"]')) if (el.getAttribute('aria-label') === LISTBOX) return el;
    return null;
  };
  const shows = (a) => {
    const lb = listbox();
    if (!lb) return null;
    const opts = lb.querySelectorAll('[role="option"]');
    if (a.n === 0) return opts.length === 0 ? opts : null;
    return opts.length > 0 && opts[0].getAttribute('aria-setsize') === String(a.n) ? opts : null;
  };
  const finish = (a) => {
    if (a.frameAt === undefined || a.nextFrameAt === undefined) return;
    const ws = waiters; waiters = [];
    for (const f of ws) f();
  };
  const check = () => {
    const a = armed;
    if (!a || a.domAt !== undefined) return;
    const opts = shows(a);
    if (!opts) return;
    a.domAt = performance.now();
    a.visible = Array.from(opts, (o) => o.getAttribute('aria-label'));
    requestAnimationFrame(() => {
      // This frame's rendering: rAF callbacks, then style, layout and paint. Style and layout are
      // forced here, so that they are done when the clock stops; paint follows at once.
      a.rafAt = performance.now();
      const lb = listbox();
      if (lb) lb.getBoundingClientRect();
      void document.documentElement.offsetHeight;
      a.frameAt = performance.now();
      requestAnimationFrame(() => { a.nextFrameAt = performance.now(); finish(a); });
    });
  };
  new MutationObserver(check).observe(document.documentElement, { childList: true, subtree: true, attributes: true, attributeFilter: ['aria-setsize'] });

  w.__cofferBench = {
    arm(kind, n) {
      armed = { kind, n };
      waiters = [];
      if (shows(armed)) { armed.error = 'the page already shows ' + n + ' rows before the action'; return false; }
      return true;
    },
    clickTab(name) {
      const tab = Array.from(document.querySelectorAll('[role="tab"]')).find((t) => t.textContent === name);
      if (!tab) throw new Error('bench: no tab named ' + name);
      armed.t0 = performance.now();
      tab.click();
    },
    wait(ms) {
      const a = armed;
      return new Promise((resolve) => {
        const done = () => { clearTimeout(timer); resolve(a); };
        const timer = setTimeout(() => { if (!a.error) a.error = 'timed out after ' + ms + ' ms'; resolve(a); }, ms);
        if (a.frameAt !== undefined && a.nextFrameAt !== undefined) done();
        else waiters.push(done);
      });
    },
    /** Resolves after two more frames and a task: whatever the last action set off has settled. */
    settle() {
      return new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(() => setTimeout(resolve, 0))));
    },
    events() { return events.slice(); },
  };
  return 'installed';
})()`;

/**
 * Builds the renderer's production bundle from the working tree into `outDir`
 * (not dist/renderer, which the browser tests share: whatever is there may be
 * a development build or older than the sources). Returns the build time and
 * the bundle's size.
 */
async function buildRenderer(outDir: string): Promise<{ ms: number; jsBytes: number; cssBytes: number }> {
  const t0 = performance.now();
  const r = spawnSync('npx', ['vite', 'build', '--mode', 'production', '--outDir', outDir, '--emptyOutDir', '--logLevel', 'warn'], {
    cwd: ROOT,
    env: { ...process.env, NODE_ENV: 'production' },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  const ms = performance.now() - t0;
  if (r.status !== 0) throw new Error(`\`npx vite build\` failed (exit ${r.status})`);
  let jsBytes = 0;
  let cssBytes = 0;
  for (const f of await readdir(path.join(outDir, 'assets'))) {
    const file = path.join(outDir, 'assets', f);
    if (f.endsWith('.js')) {
      const text = await readFile(file, 'utf8');
      // React's development build (jsxDEV) is several times slower than what ships.
      if (text.includes('jsxDEV')) throw new Error(`${file} is a development build (jsxDEV): NODE_ENV=production did not take`);
      jsBytes += Buffer.byteLength(text);
    } else if (f.endsWith('.css')) cssBytes += (await stat(file)).size;
  }
  return { ms, jsBytes, cssBytes };
}

function required(m: Mark, keys: (keyof Mark)[], what: string): void {
  if (m.error) throw new Error(`${what}: ${m.error}`);
  const missing = keys.filter((k) => m[k] === undefined);
  if (missing.length) throw new Error(`${what}: no ${missing.join(', ')} recorded (${JSON.stringify(m)})`);
}

runChild(async () => {
  const a = childArgs<Args>();
  const N = a.secrets;
  const vaultPath = path.join(a.dir, 'renderer-list.coffer');
  const profileDir = path.join(a.dir, 'profile');
  await mkdir(a.dir, { recursive: true });

  const bundleDir = path.join(a.dir, 'renderer-dist');
  const bundle = await buildRenderer(bundleDir);
  progress(`renderer built (production) in ${(bundle.ms / 1000).toFixed(1)} s: ${(bundle.jsBytes / 1024).toFixed(0)} KiB of JS`);
  emit('bundle', bundle);

  // The vault: N secrets in one secrets.import commit, with the browser tests' KDF (m = 8 MiB, t = 1, p = 1).
  const entries = Array.from({ length: N }, (_, i) => secretEntry(i));
  const { ms: importMs } = await timed(async () => {
    const vault = await createVault({ path: vaultPath, profileDir, passphrase: passphrase(), kdf: E2E_KDF, onWarning: quiet });
    const r = await vault.secrets.import(entries);
    vault.close();
    await vault.settled();
    if (r.imported !== N) throw new Error(`import returned ${JSON.stringify(r)}`);
  });
  progress(`vault of ${N.toLocaleString('en')} secrets imported in ${importMs.toFixed(0)} ms`);
  emit('importMs', importMs);

  // The harness, pointed at this bundle: it serves bundleDir as the app serves dist/renderer.
  const app = await launchApp({ vaultDir: a.dir, profileDir, autoLockMinutes: 1440, url: null, rendererDir: bundleDir });
  try {
    const { page } = app;
    await page.goto(APP_URL);
    emit('chromium', { version: app.browser.version(), userAgent: await page.evaluate('navigator.userAgent'), args: CHROMIUM_ARGS, viewport: page.viewportSize() });

    // Main remembers the vault: open and lock it, then reload: the page shows the Unlock screen.
    const opened = await app.call('vault:open', { path: vaultPath, passphrase: PASSPHRASE_TEXT });
    if (!opened.ok) throw new Error(`vault:open: ${opened.message}`);
    const listed = await app.call('secrets:list', {});
    if (!listed.ok || listed.value.length !== N) throw new Error(`secrets:list gave ${listed.ok ? listed.value.length : listed.message}`);
    const items = listed.value;
    await app.call('vault:lock', {});
    await page.reload();
    const pass = page.getByLabel(L.unlockPassphrase, { exact: true });
    await pass.waitFor();
    const installed = await page.evaluate(PAGE_AGENT);
    if (installed !== 'installed') throw new Error(`page agent: ${String(installed)}`);

    const arm = async (kind: Mark['kind'], n: number): Promise<void> => {
      const ok = await page.evaluate(([k, c]) => (globalThis as unknown as { __cofferBench: { arm(k: string, n: number): boolean } }).__cofferBench.arm(k, c), [kind, n] as const);
      if (!ok) throw new Error(`${kind}: the page already shows ${n} rows before the action`);
    };
    const wait = (): Promise<Mark> => page.evaluate('window.__cofferBench.wait(30000)') as Promise<Mark>;
    const settle = async (ms: number): Promise<void> => {
      await page.evaluate('window.__cofferBench.settle()');
      await page.waitForTimeout(ms);
    };
    const checkVisible = (m: Mark, q: string, what: string): void => {
      const expected = new Set(filterRows(sortRows(items, 'name', (i) => nameFromId(i.id), (i) => i.contentType ?? ''), q).map((r) => r.name));
      const wrong = (m.visible ?? []).filter((name) => !expected.has(name));
      if (wrong.length) throw new Error(`${what}: rows shown that do not match ${JSON.stringify(q)}: ${wrong.slice(0, 3).join(', ')}`);
    };

    // (a) first render after unlock: Lock → passphrase → Unlock, each repetition.
    const unlockMarks: Mark[] = [];
    for (let r = 0; r < a.reps; r++) {
      await pass.fill(PASSPHRASE_TEXT);
      await arm('list', N);
      await page.getByRole('button', { name: L.unlockButton, exact: true }).click();
      const m = await wait();
      required(m, ['clickAt', 'openAt', 'deliveredAt', 'listAt', 'domAt', 'frameAt', 'nextFrameAt'], `unlock ${r + 1}`);
      checkVisible(m, '', `unlock ${r + 1}`);
      unlockMarks.push(m);
      progress(`unlock ${r + 1}/${a.reps}: list arrived → rows rendered ${(m.frameAt! - m.listAt!).toFixed(1)} ms (commit ${(m.domAt! - m.listAt!).toFixed(1)} ms); Unlock click → rows ${(m.frameAt! - m.clickAt!).toFixed(0)} ms`);
      await settle(200);
      if (r < a.reps - 1) {
        await page.getByRole('button', { name: L.lockButton, exact: true }).click();
        await pass.waitFor();
        await settle(100);
      }
    }
    const rowsInDom = unlockMarks[0]!.visible!.length;

    // (a') the Secrets tab shown again (from Deleted): the list data is already in the page.
    const tabMarks: Mark[] = [];
    const deletedTab = page.getByRole('tab', { name: L.deletedTab, exact: true });
    for (let r = 0; r < a.reps; r++) {
      await deletedTab.click();
      await page.getByText(L.emptyDeleted).or(page.getByRole('listbox', { name: L.deletedList, exact: true })).first().waitFor();
      await settle(100);
      await arm('tab', N);
      await page.evaluate(([name]) => (globalThis as unknown as { __cofferBench: { clickTab(n: string): void } }).__cofferBench.clickTab(name), [L.secretsTab] as const);
      const m = await wait();
      required(m, ['t0', 'domAt', 'frameAt', 'nextFrameAt'], `tab ${r + 1}`);
      tabMarks.push(m);
      progress(`tab ${r + 1}/${a.reps}: click → rows rendered ${(m.frameAt! - m.t0!).toFixed(1)} ms (commit ${(m.domAt! - m.t0!).toFixed(1)} ms)`);
      // The tab also reloads the list (secrets:list): let that answer land and render before the next click.
      await settle(300);
    }

    // (b) keystrokes in the search box. Each query is typed while every character changes the
    // filtered count (so the page has something new to show), then deleted with Backspace.
    const search = page.getByRole('searchbox', { name: L.search, exact: true });
    await search.focus();
    const count = (q: string): number => filterRows(sortRows(items, 'name', (i) => nameFromId(i.id), (i) => i.contentType ?? ''), q).length;
    const plan: { key: string; query: string; n: number; typed: boolean }[] = [];
    const queries: string[] = [];
    let typed = 0;
    for (const query of QUERIES) {
      if (typed >= a.keystrokes) break;
      let prefix = '';
      let prev = N;
      const chain: { q: string; n: number }[] = [];
      for (const ch of query) {
        const n = count(prefix + ch);
        if (n === prev) break;
        prefix += ch;
        prev = n;
        chain.push({ q: prefix, n });
      }
      for (const c of chain) plan.push({ key: c.q.at(-1)!, query: c.q, n: c.n, typed: true });
      for (let i = chain.length - 2; i >= -1; i--) plan.push({ key: 'Backspace', query: i >= 0 ? chain[i]!.q : '', n: i >= 0 ? chain[i]!.n : N, typed: false });
      typed += chain.length;
      if (chain.length) queries.push(chain.at(-1)!.q);
    }
    if (typed < a.keystrokes) throw new Error(`the queries give only ${typed} measurable keystrokes (${a.keystrokes} asked for)`);
    const keyMarks: { m: Mark; typed: boolean; query: string; n: number }[] = [];
    for (const [i, step] of plan.entries()) {
      await arm('key', step.n);
      await page.keyboard.press(step.key);
      const m = await wait();
      required(m, ['t0', 't0Listener', 'domAt', 'frameAt', 'nextFrameAt'], `keystroke ${i + 1} (${JSON.stringify(step.query)})`);
      checkVisible(m, step.query, `keystroke ${i + 1}`);
      if ((await search.inputValue()) !== step.query) throw new Error(`keystroke ${i + 1}: the search box holds ${JSON.stringify(await search.inputValue())}, not ${JSON.stringify(step.query)}`);
      keyMarks.push({ m, typed: step.typed, query: step.query, n: step.n });
      await settle(50);
    }
    const typedMarks = keyMarks.filter((k) => k.typed);
    const backMarks = keyMarks.filter((k) => !k.typed);
    progress(
      `${typedMarks.length} typed characters: median ${median(typedMarks.map((k) => k.m.frameAt! - k.m.t0!)).toFixed(1)} ms; ` +
        `${backMarks.length} Backspaces: median ${median(backMarks.map((k) => k.m.frameAt! - k.m.t0!)).toFixed(1)} ms`,
    );

    // Chromium's own Event Timing (keydown → next presentation, 8 ms granularity, reported from 16 ms on).
    const events = (await page.evaluate('window.__cofferBench.events()')) as EventEntry[];
    const slowByEventTiming = (marks: { m: Mark }[]): number =>
      marks.filter(({ m }) => events.some((e) => e.name === 'keydown' && Math.abs(e.startTime - m.t0!) < 1 && e.duration >= 16)).length;

    const since = (ms: Mark[], from: keyof Mark, to: keyof Mark) => summarize(ms.map((m) => (m[to] as number) - (m[from] as number)));
    emit('rowsInDom', rowsInDom);
    emit('firstRenderMs', since(unlockMarks, 'listAt', 'frameAt'));
    emit('firstRenderCommitMs', since(unlockMarks, 'listAt', 'domAt'));
    emit('firstRenderNextFrameMs', since(unlockMarks, 'listAt', 'nextFrameAt'));
    emit('unlockToRowsMs', since(unlockMarks, 'clickAt', 'frameAt'));
    emit('openAnswerToListAnswerMs', since(unlockMarks, 'openAt', 'deliveredAt'));
    emit('harnessTailMs', since(unlockMarks, 'deliveredAt', 'listAt'));
    emit('tabRenderMs', since(tabMarks, 't0', 'frameAt'));
    emit('tabRenderCommitMs', since(tabMarks, 't0', 'domAt'));
    emit('tabRenderNextFrameMs', since(tabMarks, 't0', 'nextFrameAt'));
    for (const [key, marks] of [
      ['keystroke', typedMarks],
      ['backspace', backMarks],
    ] as const) {
      const ms = marks.map((k) => k.m);
      emit(`${key}Ms`, since(ms, 't0', 'frameAt'));
      emit(`${key}CommitMs`, since(ms, 't0', 'domAt'));
      emit(`${key}NextFrameMs`, since(ms, 't0', 'nextFrameAt'));
      emit(`${key}QueueMs`, since(ms, 't0', 't0Listener'));
      emit(`${key}EventTiming`, { slow: slowByEventTiming(marks), of: marks.length, supported: events.length > 0 || undefined });
    }
    emit('queries', queries);
    const toAll = keyMarks.filter((k) => !k.typed && k.query === '').map((k) => k.m.frameAt! - k.m.t0!);
    emit('backspaceToAllMs', summarize(toAll));
    if (app.pageErrors.length) throw new Error(`the page reported errors: ${app.pageErrors.slice(0, 3).join('; ')}`);
  } finally {
    await app.close();
  }
});
