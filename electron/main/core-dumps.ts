/**
 * Keeps the main process's memory out of core files. While the vault is
 * unlocked, main holds its keys and, for a moment, the values it reads; a
 * crash that writes a core file would put them on disk (in the working
 * folder, or in systemd-coredump's or apport's store) where the vault's
 * encryption no longer protects them. Called first thing by startApp.
 *
 * Linux, without a native addon (Node has no setrlimit or prctl, and Coffer
 * compiles no native code):
 *   1. "0" into /proc/self/coredump_filter: no memory mapping of this process
 *      is written into a core file, whoever writes it (a file or a
 *      core_pattern pipe to systemd-coredump or apport); what is left is the
 *      ELF header and notes (registers, the mapped files' names). The filter
 *      is inherited by the processes this one starts afterwards (fork, and
 *      kept across execve) (proc(5) "/proc/pid/coredump_filter", core(5)
 *      "Controlling which mappings are written to the core dump").
 *   2. RLIMIT_CORE = 0, soft and hard, set on this process from outside by
 *      util-linux's prlimit(1) (prlimit(2) on a process of the same user
 *      needs no privilege): the kernel then writes no core file at all;
 *      systemd-coredump, told the limit through core_pattern's %c, keeps only
 *      the crash's metadata; a pipe helper that ignores the limit (apport)
 *      still gets only what step 1 left. The hard limit at 0 means nothing in
 *      the process can raise it again. prlimit is run by absolute path, never
 *      looked up in PATH; where it is missing, step 1 alone applies and the
 *      result says so.
 * Not possible this way: PR_SET_DUMPABLE 0 (prctl has no Node binding; an
 * FFI package with prebuilt binaries such as koffi could call it, which is
 * not worth a native dependency next to step 2), and the renderer
 * processes: Chromium's zygote forks them (and most utility processes) from a
 * process started before this code runs, so they keep the system's default
 * filter. The renderer never holds key material (ARCHITECTURE.md), only a
 * value the user chose to reveal, while shown.
 *
 * macOS and Windows: nothing done here. macOS starts apps with a core size
 * limit of 0 (launchd's default) and writes no core file unless it is
 * raised. On Windows, Windows Error Reporting decides: a full-memory dump is
 * written only where an administrator set LocalDumps up for it, and its
 * per-application opt-out (WerAddExcludedApplication) is a native API, out of
 * reach without an addon. On every platform Electron's crashReporter
 * (Crashpad), which would write minidumps of every process under
 * userData/Crashpad, is set up by crashReporter.start() and from then on
 * ("Once initialized this way, the crashpad handler collects crashes from
 * all subsequently created processes", electronjs.org/docs/latest/api/
 * crash-reporter); Coffer never calls it, and a test checks that no source
 * file names it (test/unit/main/core-dumps.test.ts).
 *
 * Everything outside is injected (the file writer, the runner of prlimit) so
 * the decisions are tested in Node; the same function runs for real in a
 * child process in the test, which reads the child's /proc files.
 */
import { execFile, type ExecFileOptions } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { childProcessEnv } from '../vault/index.js';

/** Where Linux keeps this process's core dump filter (proc(5)). */
export const COREDUMP_FILTER_PATH = '/proc/self/coredump_filter';

/** util-linux's prlimit, by absolute path only (Debian, Fedora, Arch: /usr/bin; older layouts: /bin). */
export const PRLIMIT_PATHS: readonly string[] = Object.freeze(['/usr/bin/prlimit', '/bin/prlimit']);

export interface CoreDumpOptions {
  platform: NodeJS.Platform;
  /** The process to protect (default: this one). */
  pid?: number;
  /** Default COREDUMP_FILTER_PATH; a temporary file in tests. */
  filterPath?: string;
  /** Default PRLIMIT_PATHS; empty to skip the rlimit step. */
  prlimitPaths?: readonly string[];
  /** Default fs.writeFileSync. */
  writeFile?: (path: string, data: string) => void;
  /** Default fs.existsSync. */
  exists?: (path: string) => boolean;
  /** Runs a program without a shell and resolves when it exits 0 (default: `execFile` with `env`, below). */
  run?: (file: string, args: readonly string[]) => Promise<void>;
  /** What the default `run` starts prlimit with (default: child_process.execFile). */
  execFile?: ExecFileLike;
  /** The environment prlimit gets, without its COFFER_* variables (default: process.env). */
  env?: NodeJS.ProcessEnv;
}

/** The part of child_process.execFile the default runner uses. */
export type ExecFileLike = (
  file: string,
  args: string[],
  options: ExecFileOptions,
  callback: (error: Error | null) => void,
) => unknown;

/** What was done, step by step: 'applied', 'not applicable' (another OS), or why it could not be. */
export interface CoreDumpReport {
  coredumpFilter: string;
  rlimitCore: string;
}

const fileRunner =
  (exec: ExecFileLike, env: NodeJS.ProcessEnv) =>
  (file: string, args: readonly string[]): Promise<void> =>
    new Promise((resolve, reject) => {
      // No shell, no inherited stdio, a short timeout: prlimit answers at once or not at all.
      // No COFFER_* variable either (VAULT-MODEL V9: no passphrase in a child process's environment).
      const options: ExecFileOptions = { timeout: 5_000, windowsHide: true, env: childProcessEnv(env) };
      exec(file, [...args], options, (error) => (error ? reject(error) : resolve()));
    });

/** An error's code (ENOENT, EACCES...) or name, never a path or a value. */
const why = (e: unknown): string => {
  const code = (e as NodeJS.ErrnoException | undefined)?.code;
  return typeof code === 'string' ? code : e instanceof Error ? e.name : 'unknown error';
};

/**
 * Applies what this platform allows (see the file comment). The filter is
 * written before this returns; the promise settles once prlimit has run.
 * Never throws: a step that fails is reported, and the app goes on (a locked
 * down /proc or a missing prlimit must not stop the vault from opening).
 */
export function preventCoreDumps(options: CoreDumpOptions): Promise<CoreDumpReport> {
  if (options.platform !== 'linux') {
    return Promise.resolve({ coredumpFilter: 'not applicable', rlimitCore: 'not applicable' });
  }
  const writeFile = options.writeFile ?? ((path: string, data: string) => writeFileSync(path, data));
  let coredumpFilter = 'applied';
  try {
    // Hexadecimal bit mask; 0 clears every "dump this kind of mapping" bit.
    writeFile(options.filterPath ?? COREDUMP_FILTER_PATH, '0');
  } catch (e) {
    coredumpFilter = `failed (${why(e)})`;
  }
  const exists = options.exists ?? existsSync;
  const prlimit = (options.prlimitPaths ?? PRLIMIT_PATHS).find((p) => exists(p));
  if (prlimit === undefined) return Promise.resolve({ coredumpFilter, rlimitCore: 'unavailable (no prlimit)' });
  const run = options.run ?? fileRunner(options.execFile ?? execFile, options.env ?? process.env);
  const pid = options.pid ?? process.pid;
  return run(prlimit, ['--pid', String(pid), '--core=0:0']).then(
    () => ({ coredumpFilter, rlimitCore: 'applied' }),
    (e: unknown) => ({ coredumpFilter, rlimitCore: `failed (${why(e)})` }),
  );
}

/** The report's failures, for main's log (empty when everything applicable was applied). */
export function coreDumpWarnings(report: CoreDumpReport): string[] {
  const out: string[] = [];
  if (report.coredumpFilter.startsWith('failed')) out.push(`core dumps: coredump_filter could not be set: ${report.coredumpFilter}`);
  if (!['applied', 'not applicable'].includes(report.rlimitCore)) out.push(`core dumps: RLIMIT_CORE could not be set to 0: ${report.rlimitCore}`);
  return out;
}
