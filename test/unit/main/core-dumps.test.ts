/**
 * electron/main/core-dumps.ts: what each platform gets, with the file writer
 * and prlimit injected; then for real on Linux: a plain `node` child runs the
 * function on itself and this test reads the child's /proc files. And
 * Electron's crashReporter is never started: no app source names it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { COREDUMP_FILTER_PATH, PRLIMIT_PATHS, coreDumpWarnings, preventCoreDumps, type ExecFileLike } from '../../../electron/main/core-dumps.js';
import { ROOT, findIdentifiers, valueImports } from '../../helpers/sources.js';

describe('preventCoreDumps (injected)', () => {
  it('Linux: writes "0" to /proc/self/coredump_filter, then runs prlimit by absolute path on this pid', async () => {
    const calls: string[] = [];
    const report = await preventCoreDumps({
      platform: 'linux',
      pid: 777,
      writeFile: (p, d) => calls.push(`write ${p} ${JSON.stringify(d)}`),
      exists: (p) => p === '/bin/prlimit',
      run: async (f, a) => {
        calls.push(`run ${f} ${a.join(' ')}`);
      },
    });
    expect(calls).toEqual([`write ${COREDUMP_FILTER_PATH} "0"`, 'run /bin/prlimit --pid 777 --core=0:0']);
    expect(report).toEqual({ coredumpFilter: 'applied', rlimitCore: 'applied' });
    expect(coreDumpWarnings(report)).toEqual([]);
  });

  it('never looks prlimit up in PATH: only the absolute paths are tried, in order', async () => {
    expect(PRLIMIT_PATHS).toEqual(['/usr/bin/prlimit', '/bin/prlimit']);
    const tried: string[] = [];
    const report = await preventCoreDumps({
      platform: 'linux',
      writeFile: () => undefined,
      exists: (p) => (tried.push(p), false),
      run: async () => {
        throw new Error('must not run');
      },
    });
    expect(tried).toEqual([...PRLIMIT_PATHS]);
    expect(report.rlimitCore).toBe('unavailable (no prlimit)');
  });

  it('the filter is written before the promise settles (synchronously)', () => {
    let written = false;
    void preventCoreDumps({ platform: 'linux', writeFile: () => (written = true), prlimitPaths: [] });
    expect(written).toBe(true);
  });

  it('never throws: failures are reported by error code, not message or path', async () => {
    const report = await preventCoreDumps({
      platform: 'linux',
      writeFile: () => {
        throw Object.assign(new Error('EROFS: read-only file system, open /proc/self/coredump_filter'), { code: 'EROFS' });
      },
      exists: () => true,
      run: async () => {
        throw Object.assign(new Error('Command failed: prlimit'), { code: 1 });
      },
    });
    expect(report).toEqual({ coredumpFilter: 'failed (EROFS)', rlimitCore: 'failed (Error)' });
    expect(coreDumpWarnings(report)).toEqual([
      'core dumps: coredump_filter could not be set: failed (EROFS)',
      'core dumps: RLIMIT_CORE could not be set to 0: failed (Error)',
    ]);
  });

  it('prlimit gets an environment without COFFER_* variables (VAULT-MODEL V9)', async () => {
    const started: Array<{ file: string; args: string[]; env: NodeJS.ProcessEnv | undefined; timeout: number | undefined }> = [];
    const execFile: ExecFileLike = (file, args, options, callback) => {
      started.push({ file, args, env: options.env, timeout: options.timeout });
      callback(null);
    };
    const env = { PATH: '/usr/bin', LANG: 'C', COFFER_PASSPHRASE: 'canary-core-dumps', COFFER_IDENTITY_PASSPHRASE: 'canary-identity', COFFER_HOME: '/tmp/p' };
    const report = await preventCoreDumps({ platform: 'linux', pid: 42, writeFile: () => undefined, exists: (p) => p === '/usr/bin/prlimit', execFile, env });
    expect(report).toEqual({ coredumpFilter: 'applied', rlimitCore: 'applied' });
    expect(started).toEqual([{ file: '/usr/bin/prlimit', args: ['--pid', '42', '--core=0:0'], env: { PATH: '/usr/bin', LANG: 'C' }, timeout: 5_000 }]);

    // Without `env`: this process's environment, scrubbed the same way.
    process.env.COFFER_CORE_DUMPS_TEST = 'canary-process-env';
    try {
      await preventCoreDumps({ platform: 'linux', writeFile: () => undefined, exists: () => true, execFile });
    } finally {
      delete process.env.COFFER_CORE_DUMPS_TEST;
    }
    expect(started).toHaveLength(2);
    expect(started[1]!.env).toBeDefined();
    expect(Object.keys(started[1]!.env!).filter((name) => /^COFFER_/i.test(name))).toEqual([]);
    expect(started[1]!.env!.PATH).toBe(process.env.PATH);
  });

  it.each(['darwin', 'win32'] as const)('%s: nothing is written or run (see the module comment for why)', async (platform) => {
    const calls: string[] = [];
    const report = await preventCoreDumps({
      platform,
      writeFile: () => calls.push('write'),
      exists: () => (calls.push('exists'), true),
      run: async () => {
        calls.push('run');
      },
    });
    expect(calls).toEqual([]);
    expect(report).toEqual({ coredumpFilter: 'not applicable', rlimitCore: 'not applicable' });
    expect(coreDumpWarnings(report)).toEqual([]);
  });
});

// ------------------------------------------------------------- for real

const children: ChildProcess[] = [];
afterEach(() => {
  // Only the children this test started, each by its own pid.
  for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
});

/**
 * A plain `node` (with tsx, to load the TypeScript module) that optionally
 * runs preventCoreDumps on itself, then starts a grandchild that prints its
 * own coredump_filter, prints one JSON line and waits to be read.
 */
function child(apply: boolean): Promise<{ proc: ChildProcess; line: { report: unknown; grandchildFilter: string } }> {
  const moduleUrl = pathToFileURL(join(ROOT, 'electron/main/core-dumps.ts')).href;
  const script = `
    const { execFileSync } = await import('node:child_process');
    const { preventCoreDumps } = await import(${JSON.stringify(moduleUrl)});
    const report = ${apply ? "await preventCoreDumps({ platform: 'linux' })" : 'null'};
    const grandchildFilter = execFileSync('cat', ['/proc/self/coredump_filter'], { encoding: 'utf8' }).trim();
    process.stdout.write(JSON.stringify({ report, grandchildFilter }) + '\\n');
    setInterval(() => {}, 1000);
  `;
  const proc = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(proc);
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    proc.stdout!.on('data', (d: Buffer) => {
      out += d.toString('utf8');
      const nl = out.indexOf('\n');
      if (nl >= 0) resolve({ proc, line: JSON.parse(out.slice(0, nl)) as { report: unknown; grandchildFilter: string } });
    });
    proc.stderr!.on('data', (d: Buffer) => (err += d.toString('utf8')));
    proc.on('exit', (code) => reject(new Error(`child exited (${code}) before answering: ${err.slice(0, 500)}`)));
  });
}

const maxCoreLine = (pid: number): string | undefined =>
  readFileSync(`/proc/${pid}/limits`, 'utf8')
    .split('\n')
    .find((l) => l.startsWith('Max core file size'));

const ON_LINUX = process.platform === 'linux';
const NOT_LINUX = `skipped: /proc/<pid>/coredump_filter and prlimit exist on Linux only (this is ${process.platform}; macOS and Windows get no core-dump step, see electron/main/core-dumps.ts)`;

describe('preventCoreDumps for real, in a child node process', () => {
  it.skipIf(!ON_LINUX)(
    ON_LINUX ? "Linux: the child's /proc/<pid>/coredump_filter is 00000000, its core limit 0/0, and a process it starts inherits the filter" : NOT_LINUX,
    async () => {
      // Without the call, a fresh process has the system's (non-zero) default: the change below is ours.
      const before = await child(false);
      const defaultFilter = readFileSync(`/proc/${before.proc.pid}/coredump_filter`, 'utf8').trim();
      expect(defaultFilter).not.toBe('00000000');
      expect(before.line.grandchildFilter).toBe(defaultFilter);

      const { proc, line } = await child(true);
      const pid = proc.pid!;
      expect(readFileSync(`/proc/${pid}/coredump_filter`, 'utf8')).toBe('00000000\n');
      expect(line.grandchildFilter).toBe('00000000');
      if (PRLIMIT_PATHS.some((p) => existsSync(p))) {
        expect(line.report).toEqual({ coredumpFilter: 'applied', rlimitCore: 'applied' });
        // "Max core file size   0   0   bytes": soft and hard.
        expect(maxCoreLine(pid)).toMatch(/^Max core file size\s+0\s+0\s+bytes\s*$/);
      } else {
        expect(line.report).toEqual({ coredumpFilter: 'applied', rlimitCore: 'unavailable (no prlimit)' });
      }
    },
  );
});

describe("Electron's crashReporter is never started", () => {
  it('no app source (electron/, renderer/, shared/) names crashReporter, in code (comments do not count)', () => {
    expect(findIdentifiers(['crashReporter'])).toEqual([]);
  });

  it("the only file importing 'electron' as a value does not import crashReporter", () => {
    const imported = valueImports('electron/main/index.ts', 'electron');
    expect(imported).toContain('app');
    expect(imported).not.toContain('crashReporter');
    expect(imported).not.toContain('*');
    expect(imported).not.toContain('default');
  });

  it('the scan does find a use, so passing it means something', () => {
    // This very file names it in code, as a string key of an object literal.
    const probe = { 'crashReporter': true };
    expect(probe.crashReporter).toBe(true);
    expect(findIdentifiers(['crashReporter'], ['test/unit/main']).map((h) => h.file)).toContain('test/unit/main/core-dumps.test.ts');
  });
});
