/**
 * `coffer member ...` (CLI.md "Identities and members"): who may open the
 * vault and with which of Key Vault's roles. What each verb does is in
 * ./member-actions.ts, loaded only when a verb runs.
 */
import type { Command } from 'commander';
import type { CliIo } from './io.js';
import type { MemberAddOptions, MemberRemoveOptions, MemberSetRoleOptions } from './member-actions.js';
import { withCommonOptions } from './options.js';
import { collect } from './parsers.js';

/** The verbs' code, and the engine behind it: loaded when a verb runs. */
const actions = (): Promise<typeof import('./member-actions.js')> => import('./member-actions.js');

const ROLE_HELP = 'a role by its Key Vault name, e.g. "Key Vault Secrets User"; repeat for several';
const MEMBER_HELP = 'the member: their id (16 hex digits) or fingerprint, as `coffer member list` prints them';
const SCOPE_HELP =
  'one object: secrets/NAME, keys/NAME or certificates/NAME; the role (Secrets User, Crypto User, Crypto Service Encryption User or Certificate User) holds on it only';

export function addMemberCommands(program: Command, io: CliIo): void {
  const member = program
    .command('member')
    .description("the vault's members and their roles (Administrators change them)")
    .addHelpText(
      'after',
      '\nExamples:\n' +
        '  coffer member add --invite "coffer-invite:..." --role "Key Vault Secrets User"\n' +
        '  coffer member add --invite "coffer-invite:..." --role "Key Vault Secrets User" --scope secrets/db-password\n' +
        '  coffer member set-role --member 7K3M-QX2P-R8TD-0AB4-C9EF-H2JK --role "Key Vault Reader"\n' +
        '  coffer member remove --member 3f2a9c0d1b4e5f60   # prints what they could read, to rotate\n' +
        '  coffer member leave                              # hand the Administrator role on first\n' +
        '  coffer member exposure                           # what still needs rotation\n' +
        '\nEach change starts a new key epoch: what is written afterwards follows the new roles.\n',
    );

  member
    .command('list')
    .description('print the members: id, name, fingerprint, roles')
    .action(async (_opts: unknown, cmd: Command) => (await actions()).listMembers(io, cmd));

  member
    .command('add')
    .description('add the member of an invite with the roles given, and print them with the invite\'s fingerprint')
    .requiredOption('--invite <string>', 'the invite string `coffer identity show` printed for them')
    .option('--role <role>', ROLE_HELP, collect, [])
    .option('--scope <object>', `${SCOPE_HELP}; the member is a Key Vault Reader of the rest (names and attributes, no values)`)
    .addHelpText('after', '\nCompare the fingerprint printed with the one the person reads to you out of band before relying on it.')
    .action(async (opts: MemberAddOptions, cmd: Command) => (await actions()).addMember(io, opts, cmd));

  member
    .command('set-role')
    .description("replace a member's roles, or their role on one object, and print the member, with what they could read in the scopes they lose (exposed)")
    .requiredOption('--member <id>', MEMBER_HELP)
    .option('--role <role>', ROLE_HELP, collect, [])
    .option('--scope <object>', SCOPE_HELP)
    .action(async (opts: MemberSetRoleOptions, cmd: Command) => (await actions()).setMemberRoles(io, opts, cmd));

  member
    .command('remove')
    .description('remove a member, or with --scope their role on one object, and print every object they could ever read (exposed), to rotate')
    .requiredOption('--member <id>', MEMBER_HELP)
    .option('--scope <object>', 'end only their role on this object (secrets/NAME, keys/NAME, certificates/NAME)')
    .action(async (opts: MemberRemoveOptions, cmd: Command) => (await actions()).removeMember(io, opts, cmd));

  member
    .command('leave')
    .description('leave the vault by your own commit (Administrators, while another Administrator remains) and print what you could read (exposed)')
    .addHelpText(
      'after',
      '\nThe creator leaves this way, after giving another member the Key Vault Administrator\n' +
        'role (`coffer member set-role`); the most senior Administrator left then manages everyone.\n' +
        'Afterwards your identity can no longer write to the vault.',
    )
    .action(async (_opts: unknown, cmd: Command) => (await actions()).leaveVault(io, cmd));

  member
    .command('exposure')
    .description('print the objects whose current value a removed or lowered member can still decrypt: each until a new version is written')
    .action(async (_opts: unknown, cmd: Command) => (await actions()).listExposure(io, cmd));

  for (const command of member.commands) withCommonOptions(command, { unlock: true });
}
