/**
 * `coffer git setup`: see ./git-setup.ts, loaded only when the verb runs.
 */
import type { Command } from 'commander';
import type { CliIo } from './io.js';

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
    .action(async (opts: { textconv: boolean }) => (await import('./git-setup.js')).runGitSetup(io, opts));
}
