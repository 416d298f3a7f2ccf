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
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { Command } from 'commander';
import { CofferError } from '../vault/errors.js';
import { childProcessEnv } from '../vault/store/child-env.js';
import type { CliIo } from './io.js';
import { printJson } from './output.js';

const run = promisify(execFile);

export const GITATTRIBUTES_LINE = '*.coffer -text merge=coffer diff=coffer';

export function addGitCommands(program: Command, io: CliIo): void {
  const git = program.command('git').description('use vault files in a git repository');

  git
    .command('setup')
    .description('register the coffer merge driver and diff helper in the current git repository')
    .option('--no-textconv', 'do not register the diff helper (`git diff` then shows vault files as text)')
    .addHelpText(
      'after',
      '\nWrites "*.coffer -text merge=coffer diff=coffer" to .gitattributes at the top of the\n' +
        'repository (commit it) and sets merge.coffer.* and diff.coffer.textconv in .git/config.\n' +
        'Git does not copy this config when cloning: run `coffer git setup` in every clone.',
    )
    .action(async (opts: { textconv: boolean }) => {
      await printJson(io, await gitSetup(io.cwd, { textconv: opts.textconv, env: io.env }));
    });
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

/** bin/coffer.mjs of this installation, found from this file (src or dist) upwards. */
export function launcherPath(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = join(dir, 'bin', 'coffer.mjs');
    if (existsSync(candidate) && existsSync(join(dir, 'package.json'))) return resolve(candidate);
    const parent = dirname(dir);
    if (parent === dir) throw new CofferError('Internal', 'Cannot find bin/coffer.mjs above the CLI');
    dir = parent;
  }
}
