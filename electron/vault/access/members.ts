/**
 * Members and roles of a vault (VAULT-MODEL V3–V5): every change is one commit
 * that starts a new key epoch (C7). Lowering or removing a member reports what
 * they could read (./exposure.ts), from the whole history of their roles.
 */
import type { RoleName } from '../../../shared/keyvault.js';
import type { ExposedObject, MemberInfo, MembersApi, ObjectGrant, PublicIdentity } from '../api.js';
import { toB64u } from '../crypto/index.js';
import { CofferError } from '../errors.js';
import { memberKeyId } from './identity.js';
import { outranks } from './authorize.js';
import { epochsReadBy, epochsReadByFormerMembers, noEpochs, objectsSealedUnder, VALUE_SCOPES } from './exposure.js';
import { parseRole, permits, scopesOf } from './roles.js';
import { buildGrant, grantsByMember, parseGrantObject, versionsGrantedTo } from './grants.js';
import type { MemberState, VaultCore } from '../core.js';
import type { VaultSession } from '../session.js';

/** Leaving needs a commit only a member who manages members may write, and one of them must remain (C5). */
function checkMayLeave(core: VaultCore, me: MemberState): void {
  if (!permits(me.roles, 'members/manage')) {
    throw new CofferError('Forbidden', 'Only an Administrator leaves a vault by their own commit: ask an Administrator of the vault to remove you.', { innerCode: 'ForbiddenByRbac' });
  }
  if (![...core.currentMembers().values()].some((o) => o.sign !== me.sign && permits(o.roles, 'members/manage'))) {
    throw new CofferError('Conflict', 'You are the last Administrator of this vault: give another member the Key Vault Administrator role first, then leave.');
  }
}

/** What member lists show beside each member, computed once per list. */
interface ListContext {
  grants: ReadonlyMap<string, ObjectGrant[]>;
  added: ReadonlyMap<string, MemberInfo['added']>;
  me: MemberState | undefined;
}

const listContext = (core: VaultCore): ListContext => ({ grants: grantsByMember(core), added: whenAdded(core), me: core.currentMembers().get(core.myKey) });

/** Why this member may not remove `m` (C5), as the app shows it in place of the action; undefined when they may. */
function whyNotRemovable(me: MemberState | undefined, m: MemberState): string | undefined {
  if (!me || !permits(me.roles, 'members/manage')) return 'Only an Administrator manages members.';
  if (m.sign === me.sign) return 'You cannot remove yourself: give another member the Key Vault Administrator role, then leave the vault.';
  if (!outranks(me, m)) return `${m.name || 'This member'} became an Administrator before you did: only a more senior Administrator can remove or demote them.`;
  return undefined;
}

/**
 * Who added each member and when: the accepted commit whose `member` record made them a
 * member since their last removal, in file order (topological); the creator by the genesis.
 */
function whenAdded(core: VaultCore): Map<string, MemberInfo['added']> {
  const out = new Map<string, MemberInfo['added']>();
  const genesis = core.graph.genesis;
  for (const c of core.graph.commits) {
    if (c === genesis || !core.accepted.has(c.id)) continue;
    const body = core.decoded.get(c.id)?.body;
    for (const r of body?.records ?? []) {
      if (r.t === 'remove') out.delete(r.sign);
      else if (r.t === 'member' && !out.has(r.sign)) out.set(r.sign, { by: memberKeyId(c.author), time: body!.time });
    }
  }
  return out;
}

function memberInfo(m: MemberState, ctx: ListContext): MemberInfo {
  const added = ctx.added.get(m.sign);
  const notRemovable = whyNotRemovable(ctx.me, m);
  return {
    id: memberKeyId(m.sign),
    name: m.name,
    roles: m.roles,
    signPub: m.sign,
    encPub: m.enc,
    grants: ctx.grants.get(m.sign) ?? [],
    ...(added ? { added } : {}),
    ...(notRemovable ? { notRemovable } : {}),
  };
}

/** One member as they are after a write. */
const memberAfter = (c: VaultCore, sign: string): MemberInfo => memberInfo(c.currentMembers().get(sign)!, listContext(c));

export class MembersOperations implements MembersApi {
  constructor(private readonly v: VaultSession) {}

  list(): MemberInfo[] {
    const core = this.v.core;
    const ctx = listContext(core);
    return [...core.currentMembers().values()].map((m) => memberInfo(m, ctx));
  }

  private checkRoles(roles: RoleName[]): RoleName[] {
    if (!Array.isArray(roles) || roles.length === 0) throw new CofferError('BadParameter', 'A member needs at least one role.');
    return roles.map((r) => parseRole(r));
  }

  async add(identity: PublicIdentity, roles: RoleName[], grants: readonly ObjectGrant[] = []): Promise<MemberInfo> {
    const rs = this.checkRoles(roles);
    if (identity.signPub?.length !== 32 || identity.encPub?.length !== 32) throw new CofferError('BadParameter', 'The identity must hold a 32-byte signing key and a 32-byte encryption key.');
    const name = String(identity.name ?? '').slice(0, 200);
    const sign = toB64u(identity.signPub);
    this.v.require('members/manage');
    return this.v.write((core) => {
      if (core.currentMembers().has(sign)) throw new CofferError('Conflict', `${memberKeyId(sign)} is already a member; use setRoles.`);
      const m: MemberState = { sign, enc: toB64u(identity.encPub), name, roles: rs };
      // One commit: the member and their roles on single objects stand or fail together.
      return {
        pending: { records: [{ t: 'member', sign, enc: m.enc, name, roles: rs }, ...grants.map((g) => buildGrant(core, m, g.object, parseRole(g.role)))], newEpoch: true },
        result: (c) => memberAfter(c, sign),
      };
    });
  }

  async setRoles(signPub: Uint8Array, roles: RoleName[]): Promise<MemberInfo & { exposed: ExposedObject[] }> {
    const rs = this.checkRoles(roles);
    const sign = toB64u(signPub);
    this.v.require('members/manage');
    let exposed: ExposedObject[] = [];
    const info = await this.v.write((core) => {
      const m = core.currentMembers().get(sign);
      if (!m) throw new CofferError('NotFound', `No member ${memberKeyId(sign)} in this vault.`);
      // V5: what they could read in the scopes they lose, from the history before this change.
      const kept = scopesOf(rs);
      const lost = new Set(VALUE_SCOPES.filter((s) => scopesOf(m.roles).has(s) && !kept.has(s)));
      exposed = lost.size > 0 ? objectsSealedUnder(core, epochsReadBy(core, sign, lost), false) : [];
      return {
        pending: { records: [{ t: 'member', sign, enc: m.enc, name: m.name, roles: rs }], newEpoch: true },
        result: (c) => memberAfter(c, sign),
      };
    });
    return { ...info, exposed };
  }

  remove(signPub: Uint8Array): Promise<{ exposed: ExposedObject[]; exposedSecrets: string[] }> {
    return this.removeMember(toB64u(signPub), false);
  }

  /**
   * This member leaves the vault by their own commit (C5: the creator leaves after handing
   * the role on). Only a member who manages members writes membership commits (FORMAT.md
   * §8.3), and one of them must remain; what they could read is reported as for remove.
   */
  leave(): Promise<{ exposed: ExposedObject[]; exposedSecrets: string[] }> {
    return this.removeMember(this.v.core.myKey, true);
  }

  private async removeMember(sign: string, leaving: boolean): Promise<{ exposed: ExposedObject[]; exposedSecrets: string[] }> {
    if (!leaving) this.v.require('members/manage');
    let exposed: ExposedObject[] = [];
    await this.v.write((core) => {
      const m = core.currentMembers().get(sign);
      if (!m) throw new CofferError('NotFound', `No member ${memberKeyId(sign)} in this vault.`);
      if (leaving) checkMayLeave(core, m);
      else if (sign === core.myKey) throw new CofferError('BadParameter', 'You cannot remove yourself.');
      // V5: every value of every scope they ever held a key of, so it can be rotated.
      exposed = objectsSealedUnder(core, epochsReadBy(core, sign), false, versionsGrantedTo(core, (s) => s === sign));
      return { pending: { records: [{ t: 'remove', sign }], newEpoch: true }, result: () => undefined };
    });
    await this.v.audit(leaving ? 'VaultMemberLeave' : 'VaultMemberRemove', 'ok');
    return { exposed, exposedSecrets: exposed.filter((o) => o.kind === 'secrets').map((o) => o.name) };
  }

  needsRotation(): ExposedObject[] {
    const core = this.v.core;
    // Former grantees too: a removed member, or one whose role on the object ended.
    const formerGrantees = versionsGrantedTo(core, (sign, object) => !core.state.grants.get(object)?.has(sign));
    return objectsSealedUnder(core, epochsReadByFormerMembers(core), true, formerGrantees);
  }

  async grant(signPub: Uint8Array, object: string, role: RoleName): Promise<MemberInfo> {
    const sign = toB64u(signPub);
    const r = parseRole(role);
    this.v.require('members/manage');
    return this.v.write((core) => {
      const m = core.currentMembers().get(sign);
      if (!m) throw new CofferError('NotFound', `No member ${memberKeyId(sign)} in this vault: add them first.`);
      return { pending: { records: [buildGrant(core, m, object, r)] }, result: (c) => memberAfter(c, sign) };
    });
  }

  async revokeGrant(signPub: Uint8Array, object: string): Promise<MemberInfo & { exposed: ExposedObject[] }> {
    const sign = toB64u(signPub);
    const { key } = parseGrantObject(object);
    this.v.require('members/manage');
    let exposed: ExposedObject[] = [];
    const info = await this.v.write((core) => {
      const m = core.currentMembers().get(sign);
      if (!m) throw new CofferError('NotFound', `No member ${memberKeyId(sign)} in this vault.`);
      if (!core.state.grants.get(key)?.has(sign)) throw new CofferError('NotFound', `${memberKeyId(sign)} holds no role on ${object}.`);
      // V5: the versions of this object whose keys were ever wrapped to them.
      exposed = objectsSealedUnder(core, noEpochs(), false, versionsGrantedTo(core, (s, o) => s === sign && o === key));
      return { pending: { records: [{ t: 'grant.revoke', sign, object: key }] }, result: (c) => memberAfter(c, sign) };
    });
    return { ...info, exposed };
  }
}
