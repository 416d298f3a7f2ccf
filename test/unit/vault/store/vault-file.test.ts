import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmod, mkdir, mkdtemp, readdir, readFile, rm, stat, truncate, utimes, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  appendToVaultFile,
  completeLinesLength,
  createVaultFile,
  MAX_FILE_BYTES,
  MAX_LINE_BYTES,
  readVaultFile,
  readVaultFileVisiting,
  removeStaleTempFiles,
  replaceVaultFile,
  setStoreFaultHook,
  tempPathFor,
  writeNewFile,
} from '../../../../electron/vault/store/vault-file.js';

const posix = process.platform !== 'win32';
let tmp: string;
let vault: string;

beforeEach(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'coffer-store-'));
  vault = path.join(tmp, 'v.coffer');
});
afterEach(async () => {
  setStoreFaultHook(undefined);
  await rm(tmp, { recursive: true, force: true });
});

const b = (s: string): Buffer => Buffer.from(s, 'utf8');
const mode = async (p: string): Promise<number> => (await stat(p)).mode & 0o777;
/** Anything left behind by a write that should not be (temp files). */
const strays = async (): Promise<string[]> => (await readdir(tmp)).filter((n) => n.includes('.tmp-'));

describe('limits', () => {
  it('are 1 GiB per file and 16 MiB per line', () => {
    expect(MAX_FILE_BYTES).toBe(1024 ** 3);
    expect(MAX_LINE_BYTES).toBe(16 * 1024 ** 2);
  });
});

describe('tempPathFor', () => {
  it('is .<basename>.tmp-<random hex> in the same folder', () => {
    const t = tempPathFor('/a/b/v.coffer');
    expect(path.dirname(t)).toBe('/a/b');
    expect(path.basename(t)).toMatch(/^\.v\.coffer\.tmp-[0-9a-f]{16}$/);
    expect(tempPathFor('/a/v.coffer')).not.toBe(tempPathFor('/a/v.coffer'));
  });
});

describe('completeLinesLength', () => {
  it('is the length up to the last newline', () => {
    expect(completeLinesLength(b(''))).toBe(0);
    expect(completeLinesLength(b('abc'))).toBe(0);
    expect(completeLinesLength(b('a\nb\n'))).toBe(4);
    expect(completeLinesLength(b('a\nb\npart'))).toBe(4);
  });
});

describe('readVaultFile', () => {
  it('reads the whole file', async () => {
    await writeFile(vault, 'h\nc1\n');
    expect((await readVaultFile(vault)).toString()).toBe('h\nc1\n');
  });

  it('missing file → VaultNotFound naming the path', async () => {
    await expect(readVaultFile(vault)).rejects.toMatchObject({ code: 'VaultNotFound', message: `No vault file at ${vault}` });
  });

  it('a folder → IoError', async () => {
    await expect(readVaultFile(tmp)).rejects.toMatchObject({ code: 'IoError', message: expect.stringContaining(tmp) });
  });

  it('over 1 GiB → LimitExceeded before reading (sparse file)', async () => {
    await writeFile(vault, '');
    await truncate(vault, MAX_FILE_BYTES + 1);
    await expect(readVaultFile(vault)).rejects.toMatchObject({ code: 'LimitExceeded', message: expect.stringContaining(vault) });
  });
});

describe('createVaultFile', () => {
  it('creates the file with mode 0600 and the exact content, leaving no temp file', async () => {
    await createVaultFile(vault, b('header\n'));
    expect(await readFile(vault, 'utf8')).toBe('header\n');
    if (posix) expect(await mode(vault)).toBe(0o600);
    expect(await strays()).toEqual([]);
  });

  it('is 0600 even under a permissive umask', async () => {
    const old = process.umask(0);
    try {
      await createVaultFile(vault, b('h\n'));
    } finally {
      process.umask(old);
    }
    if (posix) expect(await mode(vault)).toBe(0o600);
  });

  it('never overwrites: VaultExists, old content intact, no temp file', async () => {
    await writeFile(vault, 'precious\n');
    await expect(createVaultFile(vault, b('new\n'))).rejects.toMatchObject({
      code: 'VaultExists',
      message: `A vault already exists at ${vault}`,
    });
    expect(await readFile(vault, 'utf8')).toBe('precious\n');
    expect(await strays()).toEqual([]);
  });

  it('concurrent creates: exactly one wins and its content is complete', async () => {
    const datas = Array.from({ length: 12 }, (_, i) => b(`vault-${i}\n`.repeat(1000)));
    const results = await Promise.allSettled(datas.map((d) => createVaultFile(vault, d)));
    const won = results.flatMap((r, i) => (r.status === 'fulfilled' ? [i] : []));
    expect(won).toHaveLength(1);
    for (const r of results) if (r.status === 'rejected') expect(r.reason).toMatchObject({ code: 'VaultExists' });
    expect((await readFile(vault)).equals(datas[won[0]!]!)).toBe(true);
    expect(await strays()).toEqual([]);
  });

  it('a missing folder → IoError naming the folder (it is not created)', async () => {
    const target = path.join(tmp, 'nope', 'v.coffer');
    await expect(createVaultFile(target, b('h\n'))).rejects.toMatchObject({
      code: 'IoError',
      message: expect.stringContaining(`the folder ${path.join(tmp, 'nope')} does not exist`),
    });
    await expect(stat(path.join(tmp, 'nope'))).rejects.toThrow();
  });

  it('a failure after the temp file is written removes it', async () => {
    setStoreFaultHook((point) => {
      if (point === 'temp-synced') throw new Error('injected');
    });
    await expect(createVaultFile(vault, b('h\n'))).rejects.toMatchObject({ code: 'IoError' });
    await expect(stat(vault)).rejects.toThrow();
    expect(await strays()).toEqual([]);
  });
});

describe('appendToVaultFile', () => {
  it('appends at the expected size and fsyncs', async () => {
    await createVaultFile(vault, b('h\n'));
    expect(await appendToVaultFile(vault, b('c1\nc2\n'), { expectedSize: 2, truncateTo: 2 })).toBe('appended');
    expect(await readFile(vault, 'utf8')).toBe('h\nc1\nc2\n');
    if (posix) expect(await mode(vault)).toBe(0o600);
  });

  it("returns 'changed' without writing when the size differs", async () => {
    await createVaultFile(vault, b('h\n'));
    await appendToVaultFile(vault, b('other\n'), { expectedSize: 2, truncateTo: 2 });
    const before = await readFile(vault);
    expect(await appendToVaultFile(vault, b('mine\n'), { expectedSize: 2, truncateTo: 2 })).toBe('changed');
    expect((await readFile(vault)).equals(before)).toBe(true);
  });

  it('truncateTo drops an incomplete final line left by an interrupted save', async () => {
    await writeFile(vault, 'h\nc1\nc2-interrup');
    const buf = await readVaultFile(vault);
    const keep = completeLinesLength(buf);
    expect(await appendToVaultFile(vault, b('c3\n'), { expectedSize: buf.length, truncateTo: keep })).toBe('appended');
    expect(await readFile(vault, 'utf8')).toBe('h\nc1\nc3\n');
  });

  it('truncates a long partial tail even when the new data is shorter', async () => {
    await writeFile(vault, 'h\n' + 'x'.repeat(5000));
    expect(await appendToVaultFile(vault, b('c\n'), { expectedSize: 5002, truncateTo: 2 })).toBe('appended');
    expect(await readFile(vault, 'utf8')).toBe('h\nc\n');
  });

  it('empty data with truncateTo only drops the partial line', async () => {
    await writeFile(vault, 'h\npart');
    expect(await appendToVaultFile(vault, Buffer.alloc(0), { expectedSize: 6, truncateTo: 2 })).toBe('appended');
    expect(await readFile(vault, 'utf8')).toBe('h\n');
  });

  it('the final newline is written last: interrupted after phase 1, the file lacks it and the next save recovers', async () => {
    await createVaultFile(vault, b('h\n'));
    setStoreFaultHook((point) => {
      if (point === 'append-body-synced') throw new Error('injected crash');
    });
    await expect(appendToVaultFile(vault, b('c1\nc2\n'), { expectedSize: 2, truncateTo: 2 })).rejects.toMatchObject({
      code: 'IoError',
    });
    setStoreFaultHook(undefined);
    const buf = await readVaultFile(vault);
    expect(buf.toString()).toBe('h\nc1\nc2'); // no final newline: an interrupted save
    // The engine passes the end of its last valid line (here: the header).
    expect(await appendToVaultFile(vault, b('c3\n'), { expectedSize: buf.length, truncateTo: 2 })).toBe('appended');
    expect(await readFile(vault, 'utf8')).toBe('h\nc3\n');
  });

  it('an interruption right after truncation leaves exactly the last completed save', async () => {
    await writeFile(vault, 'h\nc1\npartial');
    setStoreFaultHook((point) => {
      if (point === 'append-truncated') throw new Error('injected crash');
    });
    await expect(appendToVaultFile(vault, b('c2\n'), { expectedSize: 12, truncateTo: 5 })).rejects.toThrow();
    expect(await readFile(vault, 'utf8')).toBe('h\nc1\n');
  });

  it('refuses data without a final newline, bad offsets, and a missing file', async () => {
    await writeFile(vault, 'h\n');
    await expect(appendToVaultFile(vault, b('c1'), { expectedSize: 2, truncateTo: 2 })).rejects.toMatchObject({ code: 'BadParameter' });
    await expect(appendToVaultFile(vault, b('c\n'), { expectedSize: 2, truncateTo: 3 })).rejects.toMatchObject({ code: 'BadParameter' });
    await expect(appendToVaultFile(vault, b('c\n'), { expectedSize: -1, truncateTo: 0 })).rejects.toMatchObject({ code: 'BadParameter' });
    expect(await readFile(vault, 'utf8')).toBe('h\n');
    await expect(appendToVaultFile(path.join(tmp, 'no.coffer'), b('c\n'), { expectedSize: 0, truncateTo: 0 })).rejects.toMatchObject({
      code: 'VaultNotFound',
    });
  });

  it('refuses to grow the file past 1 GiB (LimitExceeded), writing nothing', async () => {
    await writeFile(vault, 'h\n');
    await truncate(vault, MAX_FILE_BYTES - 1); // sparse
    await expect(appendToVaultFile(vault, b('ab\n'), { expectedSize: MAX_FILE_BYTES - 1, truncateTo: MAX_FILE_BYTES - 1 })).rejects.toMatchObject({
      code: 'LimitExceeded',
    });
    expect((await stat(vault)).size).toBe(MAX_FILE_BYTES - 1);
  });
});

describe('replaceVaultFile', () => {
  it('replaces the content atomically, keeping mode 0600, leaving no temp file', async () => {
    await createVaultFile(vault, b('old\n'));
    await replaceVaultFile(vault, b('new\ncontent\n'));
    expect(await readFile(vault, 'utf8')).toBe('new\ncontent\n');
    if (posix) expect(await mode(vault)).toBe(0o600);
    expect(await strays()).toEqual([]);
  });

  it.skipIf(!posix)("keeps the existing file's mode", async () => {
    await writeFile(vault, 'old\n');
    await chmod(vault, 0o640);
    await replaceVaultFile(vault, b('new\n'));
    expect(await mode(vault)).toBe(0o640);
  });

  it('creates the file (0600) when none exists', async () => {
    await replaceVaultFile(vault, b('fresh\n'));
    expect(await readFile(vault, 'utf8')).toBe('fresh\n');
    if (posix) expect(await mode(vault)).toBe(0o600);
  });

  it('a reader never sees a partial file while replacements run', async () => {
    const a = b('A'.repeat(300_000) + '\n');
    const c = b('C'.repeat(500_000) + '\n');
    await replaceVaultFile(vault, a);
    let stop = false;
    const reader = (async () => {
      let reads = 0;
      while (!stop) {
        const got = await readFile(vault);
        expect(got.equals(a) || got.equals(c)).toBe(true);
        reads++;
      }
      return reads;
    })();
    for (let i = 0; i < 20; i++) await replaceVaultFile(vault, i % 2 === 0 ? c : a);
    stop = true;
    expect(await reader).toBeGreaterThan(0);
    expect(await strays()).toEqual([]);
  });

  it('a failure after the temp is written: old file intact, temp removed, IoError', async () => {
    await writeFile(vault, 'old\n');
    setStoreFaultHook((point) => {
      if (point === 'temp-synced') throw new Error('injected');
    });
    await expect(replaceVaultFile(vault, b('new\n'))).rejects.toMatchObject({ code: 'IoError', message: expect.stringContaining(vault) });
    expect(await readFile(vault, 'utf8')).toBe('old\n');
    expect(await strays()).toEqual([]);
  });

  it('a failing rename (target is a folder) → IoError, no temp left', async () => {
    const dirTarget = path.join(tmp, 'isdir');
    await mkdir(dirTarget);
    await writeFile(path.join(dirTarget, 'inside'), 'x');
    await expect(writeNewFile(dirTarget, b('x\n'), { overwrite: true })).rejects.toMatchObject({ code: 'IoError' });
    await expect(replaceVaultFile(dirTarget, b('x\n'))).rejects.toMatchObject({ code: 'IoError' });
    expect(await strays()).toEqual([]);
    expect(await readFile(path.join(dirTarget, 'inside'), 'utf8')).toBe('x');
  });

  it('a missing folder → IoError naming it', async () => {
    const target = path.join(tmp, 'missing', 'v.coffer');
    await expect(replaceVaultFile(target, b('x\n'))).rejects.toMatchObject({
      code: 'IoError',
      message: expect.stringContaining('does not exist'),
    });
  });
});

describe('writeNewFile', () => {
  const out = (): string => path.join(tmp, 'out.bin');

  it('creates a new file with mode 0600 by default', async () => {
    await writeNewFile(out(), b('data'), { overwrite: false });
    expect(await readFile(out(), 'utf8')).toBe('data');
    if (posix) expect(await mode(out())).toBe(0o600);
    expect(await strays()).toEqual([]);
  });

  it('honours an explicit mode', async () => {
    await writeNewFile(out(), b('cert'), { overwrite: false, mode: 0o644 });
    if (posix) expect(await mode(out())).toBe(0o644);
  });

  it('refuses an existing file without overwrite: Conflict, file untouched', async () => {
    await writeFile(out(), 'keep');
    await expect(writeNewFile(out(), b('new'), { overwrite: false })).rejects.toMatchObject({
      code: 'Conflict',
      message: expect.stringMatching(/out\.bin already exists; use --overwrite/),
    });
    expect(await readFile(out(), 'utf8')).toBe('keep');
    expect(await strays()).toEqual([]);
  });

  it('replaces an existing file with overwrite, atomically, with the requested mode', async () => {
    await writeFile(out(), 'old');
    if (posix) await chmod(out(), 0o644);
    await writeNewFile(out(), b('new'), { overwrite: true });
    expect(await readFile(out(), 'utf8')).toBe('new');
    if (posix) expect(await mode(out())).toBe(0o600);
    expect(await strays()).toEqual([]);
  });

  it('refuses an invalid mode', async () => {
    await expect(writeNewFile(out(), b('x'), { overwrite: false, mode: 0o7777 })).rejects.toMatchObject({ code: 'BadParameter' });
  });
});

describe('removeStaleTempFiles', () => {
  it("removes only this file's temp files older than the threshold", async () => {
    await writeFile(vault, 'h\n');
    const old = path.join(tmp, '.v.coffer.tmp-0123456789abcdef');
    const young = path.join(tmp, '.v.coffer.tmp-fedcba9876543210');
    const otherFile = path.join(tmp, '.w.coffer.tmp-0123456789abcdef');
    const notTemp = path.join(tmp, '.v.coffer.tmp-notours');
    for (const f of [old, young, otherFile, notTemp]) await writeFile(f, 'x');
    const past = new Date(Date.now() - 120_000);
    for (const f of [old, otherFile, notTemp]) await utimes(f, past, past);
    expect(await removeStaleTempFiles(vault)).toEqual([old]);
    expect((await readdir(tmp)).sort()).toEqual(['.v.coffer.tmp-fedcba9876543210', '.v.coffer.tmp-notours', '.w.coffer.tmp-0123456789abcdef', 'v.coffer']);
  });
});

describe('kill -9 during saves (V7, store level)', () => {
  // Trials are set by COFFER_KILL_TRIALS (DECISIONS "Tests and tooling"); the default keeps the suite fast.
  const trials = Number(process.env.COFFER_KILL_TRIALS ?? '3');
  const here = path.dirname(fileURLToPath(import.meta.url));

  it(`leaves every reported save intact after SIGKILL at a random point (${trials} trials)`, async () => {
    let reported = 0;
    for (let t = 0; t < trials; t++) {
      const child = spawn(process.execPath, ['--import', 'tsx', path.join(here, 'fixtures', 'save-loop.ts'), vault], {
        cwd: path.resolve(here, '../../../..'),
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let out = '';
      let err = '';
      child.stderr.on('data', (d: Buffer) => (err += d.toString()));
      const exited = new Promise<NodeJS.Signals | null>((r) => child.on('exit', (_code, signal) => r(signal)));
      await new Promise<void>((resolve, reject) => {
        child.stdout.on('data', (d: Buffer) => {
          out += d.toString();
          if (out.includes('ready')) resolve();
        });
        child.on('exit', () => reject(new Error(`save loop exited early: ${err}`)));
      });
      await new Promise((r) => setTimeout(r, 30 + Math.random() * 300));
      child.kill('SIGKILL');
      expect(await exited, err).toBe('SIGKILL');

      const saved = [...out.matchAll(/saved (\d+)/g)].map((m) => Number(m[1]));
      reported = Math.max(reported, ...saved);
      const text = (await readFile(vault)).toString('latin1');
      const lines = text.split('\n');
      lines.pop(); // '' after a final newline, or the remains of the interrupted save
      expect(lines[0]).toBe('header');
      for (const [i, line] of lines.slice(1).entries()) {
        const [hash, payload] = line.split(' ');
        expect(createHash('sha256').update(payload ?? '').digest('hex'), `line ${i + 2} is damaged`).toBe(hash);
      }
      // Never less than the last completed save.
      expect(lines.length).toBeGreaterThanOrEqual(reported);
    }
    expect(reported).toBeGreaterThan(1);
    expect((await readdir(tmp)).filter((n) => n.includes('.tmp-')).length).toBeLessThanOrEqual(trials);
  });
});

describe('readVaultFileVisiting', () => {
  it('gives the bytes readVaultFile gives, visiting each part once, in order, as it is filled', async () => {
    for (const size of [0, 1, 5_000, (4 << 20) + 17, (9 << 20) + 3]) {
      const data = Buffer.alloc(size);
      for (let i = 0; i < size; i += 4096) data[i] = (i / 4096) & 0xff;
      await writeFile(vault, data);
      const parts: [number, number][] = [];
      const hasher = createHash('sha256');
      const got = await readVaultFileVisiting(vault, (file, start, end) => {
        parts.push([start, end]);
        hasher.update(file.subarray(start, end));
      });
      expect(got.equals(await readVaultFile(vault))).toBe(true);
      expect(hasher.digest('hex')).toBe(createHash('sha256').update(data).digest('hex'));
      // Contiguous, from 0 to the end.
      expect(parts.every(([s], i) => s === (i === 0 ? 0 : parts[i - 1]![1]))).toBe(true);
      expect(parts.at(-1)?.[1] ?? 0).toBe(size);
      if (size > 4 << 20) expect(parts.length).toBeGreaterThan(1);
    }
  });
  it('refuses what readVaultFile refuses', async () => {
    await expect(readVaultFileVisiting(path.join(tmp, 'missing.coffer'), () => undefined)).rejects.toMatchObject({ code: 'VaultNotFound' });
    await expect(readVaultFileVisiting(tmp, () => undefined)).rejects.toMatchObject({ code: 'IoError' });
  });
});
