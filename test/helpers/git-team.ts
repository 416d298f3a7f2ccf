/**
 * A team vault in a real git remote, for the tests that play several people
 * on one machine (test/unit/cli/git-team.test.ts through the CLI,
 * test/e2e/team-git.test.ts through the app): each person has a profile
 * folder (COFFER_HOME = HOME) and a clone of a bare "origin"; git runs with no
 * system or global config. Every git and coffer command's output is kept in
 * `ran`, so a test can prove at the end that no secret value or passphrase
 * reached any output, git object or diff (`expectNothingSecret`).
 *
 *   const team = new GitTeam(root);
 *   team.run(root, undefined, ['init', '--bare', ...]); team.git(alice, 'push');
 *   await team.setup(alice); team.commitAll(alice, 'message');
 */
import { spawnSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { expect } from 'vitest';
import { json, runCoffer } from './cli.js';

/** The vault's file name in every clone. */
export const VAULT = 'team.coffer';
/** What `coffer vault textconv` prints for each commit (the diff helper). */
export const TEXTCONV_LINE = /^(genesis|epoch|commit) [0-9a-f]{12} author [0-9a-f]{12} seq \d+ parents \d+ values \d+$/;

export interface GitPerson {
  name: string;
  /** The profile folder: COFFER_HOME and HOME. */
  home: string;
  /** The person's clone of origin. */
  clone: string;
}

export interface Ran {
  what: string;
  stdout: string;
  stderr: string;
  /** `secret get`: its stdout is the value asked for. */
  valueOut: boolean;
}

export interface GitRun {
  status: number;
  stdout: string;
  stderr: string;
}

/** Fails at once, saying what to install, when git is missing. */
export function requireGit(testFile: string): void {
  const probe = spawnSync('git', ['--version'], { encoding: 'utf8' });
  if (probe.error || probe.status !== 0) {
    throw new Error(`git is not installed or not on PATH: ${testFile} needs the system git (\`npm test\` installs it; else: apt-get install git)`);
  }
}

export class GitTeam {
  /** Every command run, with its output. */
  readonly ran: Ran[] = [];

  constructor(readonly root: string) {}

  env(p: GitPerson | undefined): Record<string, string> {
    const env: Record<string, string> = {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      HOME: p?.home ?? this.root,
      GIT_CONFIG_NOSYSTEM: '1',
      GIT_CONFIG_GLOBAL: join(this.root, 'no-global-gitconfig'),
      GIT_TERMINAL_PROMPT: '0',
      GIT_PAGER: 'cat',
      LANG: 'C',
      LC_ALL: 'C',
    };
    if (p !== undefined) env.COFFER_HOME = p.home; // what the merge driver and the diff helper see
    for (const name of ['TMPDIR', 'SYSTEMROOT']) if (process.env[name] !== undefined) env[name] = process.env[name]!;
    return env;
  }

  /** git in `cwd` as `p` (or as nobody in particular); any exit status. */
  run(cwd: string, p: GitPerson | undefined, args: string[]): GitRun {
    const r = spawnSync('git', ['-c', 'protocol.file.allow=always', ...args], { cwd, env: this.env(p), encoding: 'utf8', timeout: 120_000, maxBuffer: 64 << 20 });
    if (r.error) throw new Error(`git ${args.join(' ')} could not run: ${r.error.message}`);
    this.ran.push({ what: `git ${args.join(' ')}`, stdout: r.stdout, stderr: r.stderr, valueOut: false });
    return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
  }

  /** git in a person's clone; it must succeed. */
  git(p: GitPerson, ...args: string[]): string {
    const r = this.run(p.clone, p, args);
    if (r.status !== 0) throw new Error(`${p.name}: git ${args.join(' ')} failed (${r.status}):\n${r.stdout}${r.stderr}`);
    return r.stdout;
  }

  /** The person's name and address on their commits. */
  configureClone(p: GitPerson): void {
    this.git(p, 'config', 'user.name', p.name);
    this.git(p, 'config', 'user.email', `${p.name}@coffer.invalid`);
    this.git(p, 'config', 'commit.gpgsign', 'false');
  }

  /** `coffer git setup` in a clone: the drivers registered, and the work tree left clean. */
  async setup(p: GitPerson): Promise<void> {
    const r = await runCoffer(['git', 'setup'], { home: p.home, cwd: p.clone });
    this.ran.push({ what: `${p.name}: coffer git setup`, stdout: r.stdout.toString('utf8'), stderr: r.stderr, valueOut: false });
    expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: '' });
    const out = json<{ mergeDriver: string; textconv: string }>(r);
    expect(this.git(p, 'config', '--get', 'merge.coffer.driver').trim()).toBe(out.mergeDriver);
    expect(this.git(p, 'config', '--get', 'diff.coffer.textconv').trim()).toBe(out.textconv);
  }

  commitAll(p: GitPerson, message: string): void {
    this.git(p, 'add', VAULT);
    this.git(p, 'commit', '--quiet', '-m', message);
  }

  /**
   * `git pull` with no conflict and a clean work tree. A merge (`--no-rebase`, through the coffer
   * merge driver) must leave no conflict markers; a fast-forward takes the remote's file as it is.
   */
  async pull(p: GitPerson, mode: '--no-rebase' | '--ff-only'): Promise<void> {
    const r = this.run(p.clone, p, ['pull', mode]);
    expect({ who: p.name, status: r.status, conflict: /CONFLICT/.test(r.stdout + r.stderr) }).toEqual({ who: p.name, status: 0, conflict: false });
    expect(this.git(p, 'status', '--porcelain')).toBe('');
    if (mode === '--no-rebase') await expectNoConflictMarkers(p);
  }

  /**
   * Every git object of `origin`, raw (the vault file's blobs as stored), and every diff in `p`'s
   * clone, with and without the diff helper, into `ran`; then no value or passphrase in any
   * output but a `secret get`'s stdout (a passphrase not even there).
   */
  expectNothingSecret(origin: string, p: GitPerson, values: readonly string[], passphrases: readonly string[]): void {
    this.git(p, 'fetch', '--quiet', 'origin');
    const objects = this.run(this.root, undefined, ['--git-dir', origin, 'cat-file', '--batch-all-objects', '--batch']);
    expect(objects.status).toBe(0);
    expect(objects.stdout.length).toBeGreaterThan(10_000);
    const textLog = this.git(p, 'log', '-p', '--all', '--', VAULT); // through the diff helper
    expectTextDiff(textLog);
    expect(textLog).toMatch(/^\+genesis [0-9a-f]{12} /m);
    this.git(p, 'log', '-p', '--all', '--no-textconv'); // raw: every file, the vault's lines as stored
    for (const r of this.ran) {
      for (const secret of [...values, ...passphrases]) {
        if (!r.valueOut || passphrases.includes(secret)) expect({ what: r.what, leaks: r.stdout.includes(secret) }).toEqual({ what: r.what, leaks: false });
        expect({ what: r.what, leaks: r.stderr.includes(secret) }).toEqual({ what: r.what, leaks: false });
      }
    }
  }
}

/** The vault in a person's clone holds no conflict markers (a merge went through the coffer merge driver). */
export async function expectNoConflictMarkers(p: GitPerson): Promise<void> {
  expect(await readFile(join(p.clone, VAULT), 'utf8')).not.toMatch(/^(<<<<<<<|=======|>>>>>>>)/m);
}

/** The diff text git shows for the vault (through the diff helper): every changed line is a textconv line. */
export function expectTextDiff(diff: string): void {
  expect(diff).not.toMatch(/Binary files/);
  const changed = diff.split('\n').filter((l) => /^[+-]/.test(l) && !/^(\+\+\+|---) /.test(l));
  expect(changed.length).toBeGreaterThan(0);
  for (const line of changed) expect(line.slice(1)).toMatch(TEXTCONV_LINE);
}
