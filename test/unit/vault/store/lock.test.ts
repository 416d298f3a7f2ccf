import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, stat, utimes, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CofferError } from '../../../../electron/vault/errors.js';
import { vaultLockPath, withFileLock, type LockRecord } from '../../../../electron/vault/store/lock.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../../../..');
const fixture = (name: string): string => path.join(here, 'fixtures', name);
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

let tmp: string;
let lock: string;
const children: ChildProcessWithoutNullStreams[] = [];

beforeEach(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'coffer-lock-'));
  lock = path.join(tmp, 'v.coffer.lock');
});
afterEach(async () => {
  for (const c of children.splice(0)) if (c.exitCode === null) c.kill('SIGKILL');
  await rm(tmp, { recursive: true, force: true });
});

/** Run a fixture with tsx, as `node --import tsx fixture.ts args...`. */
function runFixture(name: string, args: string[]): ChildProcessWithoutNullStreams {
  const child = spawn(process.execPath, ['--import', 'tsx', fixture(name), ...args], { cwd: root, stdio: 'pipe' });
  children.push(child);
  return child;
}

function waitForOutput(child: ChildProcessWithoutNullStreams, text: string): Promise<void> {
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes(text)) resolve();
    });
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('exit', (code) => reject(new Error(`child exited (${code}) before "${text}": ${err}`)));
  });
}

function exited(child: ChildProcessWithoutNullStreams): Promise<number | null> {
  return new Promise((resolve) => {
    if (child.exitCode !== null) resolve(child.exitCode);
    else child.on('exit', (code) => resolve(code));
  });
}

/** A pid that existed a moment ago and is now gone. */
function deadPid(): number {
  const r = spawnSync(process.execPath, ['-e', '']);
  if (r.pid === undefined) throw new Error('spawnSync gave no pid');
  return r.pid;
}

const record = (over: Partial<LockRecord> = {}): LockRecord => ({
  pid: process.pid,
  host: os.hostname(),
  time: new Date().toISOString(),
  nonce: 'ab'.repeat(16),
  ...over,
});

async function ageFile(file: string, ms: number): Promise<void> {
  const t = new Date(Date.now() - ms);
  await utimes(file, t, t);
}

const lockFiles = async (): Promise<string[]> => (await readdir(tmp)).filter((n) => n.includes('.lock'));

describe('withFileLock', () => {
  it('vaultLockPath is <vault>.lock', () => {
    expect(vaultLockPath('/a/v.coffer')).toBe('/a/v.coffer.lock');
  });

  it('holds a 0600 lock file with {pid, host, time, nonce} and removes it after', async () => {
    const result = await withFileLock(lock, async () => {
      const rec = JSON.parse(await readFile(lock, 'utf8')) as LockRecord;
      expect(Object.keys(rec).sort()).toEqual(['host', 'nonce', 'pid', 'time']);
      expect(rec.pid).toBe(process.pid);
      expect(rec.host).toBe(os.hostname());
      expect(Number.isNaN(Date.parse(rec.time))).toBe(false);
      expect(rec.nonce).toMatch(/^[0-9a-f]{32}$/);
      if (process.platform !== 'win32') expect((await stat(lock)).mode & 0o777).toBe(0o600);
      return 42;
    });
    expect(result).toBe(42);
    expect(await lockFiles()).toEqual([]);
  });

  it('releases when fn throws, and rethrows', async () => {
    await expect(
      withFileLock(lock, async () => {
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect(await lockFiles()).toEqual([]);
    await withFileLock(lock, async () => undefined, { timeoutMs: 0 });
  });

  it('serializes concurrent calls in one process', async () => {
    const events: string[] = [];
    let inside = 0;
    let maxInside = 0;
    await Promise.all(
      Array.from({ length: 5 }, (_, i) =>
        withFileLock(lock, async () => {
          inside++;
          maxInside = Math.max(maxInside, inside);
          events.push(`E${i}`);
          await sleep(10);
          events.push(`X${i}`);
          inside--;
        }),
      ),
    );
    expect(maxInside).toBe(1);
    for (let k = 0; k < events.length; k += 2) expect(events[k]!.slice(1)).toBe(events[k + 1]!.slice(1));
    expect(await lockFiles()).toEqual([]);
  });

  it('a missing folder → IoError naming it', async () => {
    const bad = path.join(tmp, 'nope', 'v.coffer.lock');
    await expect(withFileLock(bad, async () => 1)).rejects.toMatchObject({
      code: 'IoError',
      message: expect.stringContaining('does not exist'),
    });
  });

  it('does not remove a lock that is no longer ours on release', async () => {
    const foreign = JSON.stringify(record({ nonce: 'cd'.repeat(16) }));
    await withFileLock(lock, async () => {
      await writeFile(lock, foreign); // e.g. taken over while we were frozen
    });
    expect(await readFile(lock, 'utf8')).toBe(foreign);
  });
});

describe('withFileLock across processes', () => {
  it('a lock held by a live child: the acquirer waits, times out with Conflict naming it, then gets it after release', async () => {
    const child = runFixture('hold-lock.ts', [lock]);
    await waitForOutput(child, 'held');
    const t0 = Date.now();
    const err = await withFileLock(lock, async () => 'no', { timeoutMs: 300 }).catch((e: unknown) => e);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(280);
    expect(err).toBeInstanceOf(CofferError);
    expect(err).toMatchObject({ code: 'Conflict' });
    const message = (err as Error).message;
    expect(message).toContain(`The vault is locked by process ${child.pid} on ${os.hostname()} since `);
    expect(message).toContain(lock);

    // Now wait for it while the child releases.
    const waiting = withFileLock(lock, async () => 'got it', { timeoutMs: 10_000 });
    await sleep(100);
    child.stdin.write('release\n');
    expect(await waiting).toBe('got it');
    expect(await exited(child)).toBe(0);
  });

  it('takes over a lock whose pid is gone on this host', async () => {
    await writeFile(lock, JSON.stringify(record({ pid: deadPid() })));
    const t0 = Date.now();
    await withFileLock(lock, async () => undefined, { timeoutMs: 5000 });
    expect(Date.now() - t0).toBeLessThan(3000); // far below the timeout: taken over, not waited out
    expect(await lockFiles()).toEqual([]);
  });

  it('does not judge a lock from another host by pid: it waits', async () => {
    await writeFile(lock, JSON.stringify(record({ pid: deadPid(), host: 'other-host.example' })));
    await expect(withFileLock(lock, async () => undefined, { timeoutMs: 150 })).rejects.toMatchObject({
      code: 'Conflict',
      message: expect.stringContaining('on other-host.example since'),
    });
  });

  it('takes over a lock older than staleMs even if its holder seems alive', async () => {
    await writeFile(lock, JSON.stringify(record({ host: 'other-host.example' })));
    await ageFile(lock, 11 * 60 * 1000); // default staleMs is 10 minutes
    await withFileLock(lock, async () => undefined, { timeoutMs: 1000 });
    await writeFile(lock, JSON.stringify(record({ pid: process.pid })));
    await ageFile(lock, 500);
    await withFileLock(lock, async () => undefined, { timeoutMs: 1000, staleMs: 200 });
    expect(await lockFiles()).toEqual([]);
  });

  it('waits on young garbage (a writer mid-write) and takes over old garbage', async () => {
    await writeFile(lock, '{"pid":12');
    await expect(withFileLock(lock, async () => undefined, { timeoutMs: 150 })).rejects.toMatchObject({
      code: 'Conflict',
      message: expect.stringContaining('is being written by another process or is damaged'),
    });
    await ageFile(lock, 11 * 60 * 1000);
    await withFileLock(lock, async () => undefined, { timeoutMs: 1000 });
    expect(await lockFiles()).toEqual([]);
  });

  it('takes over a stale lock even when a stale take-over guard was left by a dead process', async () => {
    const nonce = 'ef'.repeat(16);
    await writeFile(lock, JSON.stringify(record({ pid: deadPid(), nonce })));
    await writeFile(`${lock}.takeover-${nonce}`, JSON.stringify(record({ pid: deadPid(), nonce: '12'.repeat(16) })));
    await withFileLock(lock, async () => undefined, { timeoutMs: 2000 });
    expect(await lockFiles()).toEqual([]);
  });

  it('after a take-over, sweeps what dead processes left: stale guards and temp records, not live ones', async () => {
    const dead = deadPid();
    await writeFile(lock, JSON.stringify(record({ pid: dead })));
    const staleGuard = `${lock}.takeover-${'01'.repeat(16)}`;
    const liveGuard = `${lock}.takeover-${'02'.repeat(16)}`;
    const staleTemp = path.join(tmp, '.v.coffer.lock.tmp-0123456789abcdef');
    const oldGarbageTemp = path.join(tmp, '.v.coffer.lock.tmp-1123456789abcdef');
    const youngGarbageTemp = path.join(tmp, '.v.coffer.lock.tmp-2123456789abcdef');
    const vaultTemp = path.join(tmp, '.v.coffer.tmp-3123456789abcdef');
    await writeFile(staleGuard, JSON.stringify(record({ pid: dead, nonce: '03'.repeat(16) })));
    await writeFile(liveGuard, JSON.stringify(record({ nonce: '04'.repeat(16) })));
    await writeFile(staleTemp, JSON.stringify(record({ pid: dead, nonce: '05'.repeat(16) })));
    await writeFile(oldGarbageTemp, '');
    await ageFile(oldGarbageTemp, 60_000);
    await writeFile(youngGarbageTemp, '');
    await writeFile(vaultTemp, 'not a lock file');
    await ageFile(vaultTemp, 60 * 60_000);
    await withFileLock(lock, async () => undefined, { timeoutMs: 5000 });
    expect((await readdir(tmp)).sort()).toEqual(
      [path.basename(liveGuard), path.basename(youngGarbageTemp), path.basename(vaultTemp)].sort(),
    );
  });

  it('heartbeat: a live holder running longer than staleMs is not taken over', async () => {
    const holder = withFileLock(lock, () => sleep(1800), { staleMs: 900 });
    await sleep(1300); // the lock was created > staleMs ago, but its mtime is refreshed every 300 ms
    await expect(withFileLock(lock, async () => undefined, { timeoutMs: 100, staleMs: 900 })).rejects.toMatchObject({
      code: 'Conflict',
    });
    await holder;
    await withFileLock(lock, async () => undefined, { timeoutMs: 0 });
  });

  it('processes racing to take over stale locks never hold the lock at the same time', async () => {
    const workers = 6;
    const iterations = 6;
    const dead = deadPid();
    const log = path.join(tmp, 'critical.log');
    const go = path.join(tmp, 'go');
    // Every worker starts by finding this stale lock (dead pid) and racing to take it over;
    // half of them also die inside their last critical section, and every other
    // critical section abandons the lock as if its holder had crashed, so most
    // acquisitions are take-over races.
    await writeFile(lock, JSON.stringify(record({ pid: dead })));
    const procs = Array.from({ length: workers }, (_, i) =>
      runFixture('lock-worker.ts', [lock, log, path.join(tmp, `ready-${i}`), go, String(iterations), i % 2 === 0 ? '1' : '0', String(dead)]),
    );
    const stderr = procs.map((p) => {
      let s = '';
      p.stderr.on('data', (d: Buffer) => (s += d.toString()));
      return () => s;
    });
    for (let i = 0; i < workers; i++) {
      while (!(await stat(path.join(tmp, `ready-${i}`)).catch(() => undefined))) {
        if (procs[i]!.exitCode !== null) throw new Error(`worker ${i} died: ${stderr[i]!()}`);
        await sleep(10);
      }
    }
    await writeFile(go, '');
    const codes = await Promise.all(procs.map(exited));
    expect(codes, procs.map((_, i) => stderr[i]!()).join('\n')).toEqual(Array(workers).fill(0));

    const lines = (await readFile(log, 'utf8')).trim().split('\n');
    expect(lines).toHaveLength(workers * iterations * 2);
    for (let k = 0; k < lines.length; k += 2) {
      const [e, pidE, iterE] = lines[k]!.split(' ');
      const [x, pidX, iterX] = lines[k + 1]!.split(' ');
      expect(`${e} ${x}`, `overlap at line ${k + 1}:\n${lines.slice(Math.max(0, k - 2), k + 4).join('\n')}`).toBe('E X');
      expect(`${pidX} ${iterX}`).toBe(`${pidE} ${iterE}`);
    }
    // Nobody died mid-take-over, so no guard file is left behind.
    expect((await readdir(tmp)).filter((n) => n.includes('.takeover-'))).toEqual([]);
  });
});
