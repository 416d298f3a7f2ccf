/**
 * `coffer identity ...` (CLI.md "Identities and members"): a person's member
 * identity in their profile, and the invite they hand to an Administrator.
 * What each verb does is in ./identity-actions.ts, loaded only when a verb
 * runs, so that `coffer --help`, `--version` and usage errors never load it.
 */
import { Option, type Command } from 'commander';
import type { IdentityCreateOptions, IdentityShowOptions } from './identity-actions.js';
import type { CliIo } from './io.js';
import { KDF_HELP_AFTER, withKdfOptions } from './options.js';

/** The verbs' code, and the engine behind it: loaded when a verb runs. */
const actions = (): Promise<typeof import('./identity-actions.js')> => import('./identity-actions.js');

const FILE_HELP = 'the identity file (default: identity.json in the profile folder)';
const outputOption = (): Option => new Option('-o, --output <format>', 'json, or text: one field a line').choices(['json', 'text']).default('json');

export function addIdentityCommands(program: Command, io: CliIo): void {
  const identity = program
    .command('identity')
    .description('your member identity for team vaults: its invite string and fingerprint')
    .addHelpText(
      'after',
      '\nA team member creates an identity once and sends its invite to a vault\'s Administrator,\n' +
        'who adds it with `coffer member add --invite STRING --role ROLE`. Before that, the two compare\n' +
        'the fingerprint out of band (aloud, in person or on a call): the invite proves nothing about who\n' +
        'sent it. Then `coffer --identity FILE ...` opens the vault as that member.\n',
    );

  withKdfOptions(
    identity
      .command('create')
      .description('make a new identity sealed by a passphrase ($COFFER_IDENTITY_PASSPHRASE, else asked twice on a terminal) and print its invite and fingerprint')
      .option('-f, --file <file>', FILE_HELP)
      .option('--name <name>', 'your display name in member lists (default: your login name)')
      .option('--force', 'replace an existing identity file (its identity, and every membership it holds, is lost)')
      .addOption(outputOption()),
    'Argon2id memory in MiB (default 64)',
  )
    .addHelpText('after', KDF_HELP_AFTER)
    .action(async (opts: IdentityCreateOptions) => (await actions()).createIdentity(io, opts));

  identity
    .command('show')
    .description('print the invite and fingerprint of an identity (no passphrase needed)')
    .option('-f, --file <file>', FILE_HELP)
    .addOption(outputOption())
    .action(async (opts: IdentityShowOptions) => (await actions()).showIdentity(io, opts));
}
