/**
 * What each `coffer member` verb does (./member-commands.ts declares them):
 * loaded when a verb runs, with the engine behind CliContext. Invites and
 * role names are checked before the vault is unlocked.
 */
import type { Command } from 'commander';
import { loadIdentities, type Identities, type MemberInfo, type RoleName } from '../vault/index.js';
import { CliContext } from './context.js';
import { usageError } from './errors.js';
import type { CliIo } from './io.js';
import { printJson } from './output.js';

export interface MemberRefOptions {
  member: string;
}

export interface MemberAddOptions {
  invite: string;
  role: string[];
}

export interface MemberSetRoleOptions extends MemberRefOptions {
  role: string[];
}

/** A member as printed: MemberInfo's id, name and roles with the fingerprint, without the raw public keys. */
function shown(identities: Identities, m: MemberInfo): { id: string; name: string; fingerprint: string; roles: RoleName[] } {
  return { id: m.id, name: m.name, fingerprint: identities.fingerprint(m.signPub, m.encPub), roles: m.roles };
}

function roles(identities: Identities, given: string[]): RoleName[] {
  if (given.length === 0) throw usageError('Give at least one --role, e.g. --role "Key Vault Secrets User"');
  return [...new Set(given.map((r) => identities.parseRole(r)))];
}

/** `member list`. */
export async function listMembers(io: CliIo, cmd: Command): Promise<void> {
  const identities = await loadIdentities();
  await CliContext.fromCommand(io, cmd).withVault((v) => printJson(io, v.members.list().map((m) => shown(identities, m))));
}

/** `member add`: the invite's fingerprint is printed for the Administrator to compare out of band. */
export async function addMember(io: CliIo, opts: MemberAddOptions, cmd: Command): Promise<void> {
  const identities = await loadIdentities();
  const invitation = identities.parseInvite(opts.invite);
  const rs = roles(identities, opts.role);
  const ctx = CliContext.fromCommand(io, cmd);
  await ctx.withVault(async (v) => {
    const added = await v.members.add(invitation, rs);
    ctx.warn(
      `added ${invitation.name} with fingerprint ${invitation.fingerprint}: compare it with the one they read to you out of band; ` +
        `the invite alone does not prove who sent it (\`coffer member remove --member ${added.id}\` undoes the add)`,
    );
    await printJson(io, shown(identities, added));
  });
}

/** `member set-role`: replaces the member's roles. */
export async function setMemberRoles(io: CliIo, opts: MemberSetRoleOptions, cmd: Command): Promise<void> {
  const identities = await loadIdentities();
  const rs = roles(identities, opts.role);
  await CliContext.fromCommand(io, cmd).withVault(async (v) => {
    const { signPub } = identities.findMember(v.members.list(), opts.member);
    await printJson(io, shown(identities, await v.members.setRoles(signPub, rs)));
  });
}

/** `member remove`: prints the exposure report, the secrets the member could read. */
export async function removeMember(io: CliIo, opts: MemberRefOptions, cmd: Command): Promise<void> {
  const identities = await loadIdentities();
  const ctx = CliContext.fromCommand(io, cmd);
  await ctx.withVault(async (v) => {
    const { member: m, signPub } = identities.findMember(v.members.list(), opts.member);
    const { exposedSecrets } = await v.members.remove(signPub);
    if (exposedSecrets.length > 0) {
      ctx.warn(`${m.name} could read ${exposedSecrets.length} secret(s) until now: set a new value for each (exposedSecrets)`);
    }
    await printJson(io, { removed: shown(identities, m), exposedSecrets });
  });
}
