/**
 * What each `coffer member` verb does (./member-commands.ts declares them):
 * loaded when a verb runs, with the engine behind CliContext. Invites and
 * role names are checked before the vault is unlocked.
 */
import type { Command } from 'commander';
import { loadIdentities, type ExposedObject, type Identities, type MemberInfo, type RoleName } from '../vault/index.js';
import { CliContext } from './context.js';
import { usageError } from './errors.js';
import type { CliIo } from './io.js';
import { printJson } from './output.js';

export interface MemberRefOptions {
  member: string;
}

/** `--scope secrets/NAME | keys/NAME | certificates/NAME`: the roles given hold on that object only. */
export interface ScopeOption {
  scope?: string;
}

export interface MemberAddOptions extends ScopeOption {
  invite: string;
  role: string[];
}

export interface MemberSetRoleOptions extends MemberRefOptions, ScopeOption {
  role: string[];
}

export type MemberRemoveOptions = MemberRefOptions & ScopeOption;

/**
 * A member as printed: MemberInfo's id, name, roles and roles on single objects with the
 * fingerprint, who added them and when (ISO 8601), without the raw public keys.
 */
function shown(identities: Identities, m: MemberInfo): { id: string; name: string; fingerprint: string; roles: RoleName[]; grants: MemberInfo['grants']; addedBy?: string; added?: string } {
  return {
    id: m.id,
    name: m.name,
    fingerprint: identities.fingerprint(m.signPub, m.encPub),
    roles: m.roles,
    grants: m.grants,
    ...(m.added ? { addedBy: m.added.by, added: new Date(m.added.time * 1000).toISOString() } : {}),
  };
}

/** The one role a `--scope` takes (Key Vault assigns one role per assignment). */
function scopedRole(identities: Identities, given: string[]): RoleName {
  const rs = roles(identities, given);
  if (rs.length !== 1) throw usageError('With --scope give one --role, e.g. --role "Key Vault Secrets User"');
  return rs[0]!;
}

const READER: RoleName = 'Key Vault Reader';

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
  // A role on one object: the member reads names and attributes as a Reader does, and that object's values.
  const rs = opts.scope === undefined ? roles(identities, opts.role) : [READER];
  const grants = opts.scope === undefined ? [] : [{ object: opts.scope, role: scopedRole(identities, opts.role) }];
  const ctx = CliContext.fromCommand(io, cmd);
  await ctx.withVault(async (v) => {
    const added = await v.members.add(invitation, rs, grants);
    ctx.warn(
      `added ${invitation.name} with fingerprint ${invitation.fingerprint}: compare it with the one they read to you out of band; ` +
        `the invite alone does not prove who sent it (\`coffer member remove --member ${added.id}\` undoes the add)`,
    );
    await printJson(io, shown(identities, added));
  });
}

/** Tells what to rotate: the report itself is in the JSON printed (V5). */
function warnExposed(ctx: CliContext, who: string, exposed: readonly ExposedObject[]): void {
  if (exposed.length === 0) return;
  ctx.warn(
    `${who} could read ${exposed.length} object(s) until now: write a new version of each (a secret's new value, a key's rotation, a certificate's renewal); ` +
      '`coffer member exposure` lists those still to rotate',
  );
}

/**
 * `member set-role`: replaces the member's roles, or with --scope their role on that object;
 * prints the member and what they could read in the scopes they lost.
 */
export async function setMemberRoles(io: CliIo, opts: MemberSetRoleOptions, cmd: Command): Promise<void> {
  const identities = await loadIdentities();
  const scoped = opts.scope === undefined ? undefined : { object: opts.scope, role: scopedRole(identities, opts.role) };
  const rs = scoped ? [] : roles(identities, opts.role);
  const ctx = CliContext.fromCommand(io, cmd);
  await ctx.withVault(async (v) => {
    const { member: m, signPub } = identities.findMember(v.members.list(), opts.member);
    if (scoped) {
      await printJson(io, { ...shown(identities, await v.members.grant(signPub, scoped.object, scoped.role)), exposed: [] });
      return;
    }
    const { exposed, ...after } = await v.members.setRoles(signPub, rs);
    warnExposed(ctx, m.name, exposed);
    await printJson(io, { ...shown(identities, after), exposed });
  });
}

/**
 * `member remove`: prints the exposure report, every object the member could ever read.
 * With --scope, ends their role on that object only and reports it when they could read it.
 */
export async function removeMember(io: CliIo, opts: MemberRemoveOptions, cmd: Command): Promise<void> {
  const identities = await loadIdentities();
  const ctx = CliContext.fromCommand(io, cmd);
  await ctx.withVault(async (v) => {
    const { member: m, signPub } = identities.findMember(v.members.list(), opts.member);
    if (opts.scope !== undefined) {
      const { exposed, ...after } = await v.members.revokeGrant(signPub, opts.scope);
      warnExposed(ctx, m.name, exposed);
      await printJson(io, { ...shown(identities, after), exposed });
      return;
    }
    // Oneself: the engine refuses; leaving is its own verb (C5: the creator hands the role on first).
    if (m.id === v.info().memberId) throw usageError('You cannot remove yourself: to leave the vault, use `coffer member leave` (an Administrator, while another remains)');
    const { exposed, exposedSecrets } = await v.members.remove(signPub);
    warnExposed(ctx, m.name, exposed);
    await printJson(io, { removed: shown(identities, m), exposed, exposedSecrets });
  });
}

/** `member leave`: this member's own removal, with the exposure report as `member remove` prints it. */
export async function leaveVault(io: CliIo, cmd: Command): Promise<void> {
  const identities = await loadIdentities();
  const ctx = CliContext.fromCommand(io, cmd);
  await ctx.withVault(async (v) => {
    const me = v.members.list().find((m) => m.id === v.info().memberId);
    const { exposed, exposedSecrets } = await v.members.leave();
    warnExposed(ctx, 'You', exposed);
    await printJson(io, { left: me ? shown(identities, me) : null, exposed, exposedSecrets });
  });
}

/** `member exposure`: the objects a removed or lowered member can still decrypt the current value of. */
export async function listExposure(io: CliIo, cmd: Command): Promise<void> {
  await CliContext.fromCommand(io, cmd).withVault((v) => printJson(io, v.members.needsRotation()));
}
