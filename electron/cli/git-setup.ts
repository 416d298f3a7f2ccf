/**
 * `coffer git setup` (DECISIONS.md "Files and folders"): in the current git
 * repository, adds `*.coffer -text merge=coffer diff=coffer` to .gitattributes
 * (once) and registers the merge driver (`coffer vault merge-driver %O %A %B`)
 * and the diff textconv (`coffer vault textconv`) in the repository's config.
 * Git does not clone driver config: every clone runs `coffer git setup` once.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { childProcessEnv, CofferError } from '../vault/index.js';
import type { CliIo } from './io.js';
import { launcherPath } from './launcher.js';
import { printJson } from './output.js';

const run = promisify(execFile);

export const GITATTRIBUTES_LINE = '*.coffer -text merge=coffer diff=coffer';

/** The verb (./git-commands.ts): sets up the repository around `io.cwd` and prints the result. */
export async function runGitSetup(io: CliIo, opts: { textconv: boolean }): Promise<void> {
  await printJson(io, await gitSetup(io.cwd, { textconv: opts.textconv, env: io.env }));
}

export interface GitSetupResult {
  repository: string;
  gitattributes: string;
  gitattributesChanged: boolean;
  mergeDriver: string;
  textconv: string | null;
}

export async function gitSetup(
  cwd: string,
  options: { textconv: boolean; env?: Record<string, string | undefined> },
): Promise<GitSetupResult> {
  const git = (dir: string, args: string[]): Promise<string> => runGit(dir, args, options.env ?? process.env);
  let top: string;
  try {
    top = (await git(cwd, ['rev-parse', '--show-toplevel'])).trim();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new CofferError('NotFound', 'git is not installed (or not on PATH)', { cause: error });
    }
    throw new CofferError('NotFound', `${cwd} is not inside a git work tree`, { cause: error });
  }

  const attributesPath = join(top, '.gitattributes');
  const existing = existsSync(attributesPath) ? await readFile(attributesPath, 'utf8') : '';
  const present = existing.split(/\r?\n/).some((line) => line.trim().split(/\s+/).join(' ') === GITATTRIBUTES_LINE);
  if (!present) {
    const separator = existing === '' || existing.endsWith('\n') ? '' : '\n';
    await writeFile(attributesPath, `${existing}${separator}${GITATTRIBUTES_LINE}\n`);
  }

  const coffer = `${shellQuote(process.execPath)} ${shellQuote(launcherPath())}`;
  const mergeDriver = `${coffer} vault merge-driver %O %A %B`;
  await git(top, ['config', 'merge.coffer.name', 'Coffer vault merge']);
  await git(top, ['config', 'merge.coffer.driver', mergeDriver]);
  let textconv: string | null = null;
  if (options.textconv) {
    textconv = `${coffer} vault textconv`;
    await git(top, ['config', 'diff.coffer.textconv', textconv]);
  }
  return { repository: top, gitattributes: attributesPath, gitattributesChanged: !present, mergeDriver, textconv };
}

async function runGit(cwd: string, args: string[], env: Record<string, string | undefined>): Promise<string> {
  // Git and whatever it runs (hooks, credential helpers) never see $COFFER_PASSPHRASE and the like (VAULT-MODEL V9).
  const { stdout } = await run('git', args, { cwd, env: childProcessEnv(env), encoding: 'utf8' });
  return stdout;
}

/** Git runs drivers through a POSIX shell (sh on Windows too): single-quote each word. */
export function shellQuote(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}
