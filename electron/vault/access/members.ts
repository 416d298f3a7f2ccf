/**
 * Members and roles of a vault (VAULT-MODEL V3–V5): every change is one commit
 * that starts a new key epoch (C7).
 */
import type { RoleName } from '../../../shared/keyvault.js';
import type { MemberInfo, MembersApi, PublicIdentity } from '../api.js';
import { toB64u } from '../crypto/index.js';
import { CofferError } from '../errors.js';
import { memberKeyId } from './identity.js';
import { parseRole, scopesOf } from './roles.js';
import type { MemberState } from '../core.js';
import type { VaultSession } from '../session.js';

function memberInfo(m: MemberState): MemberInfo {
  return { id: memberKeyId(m.sign), name: m.name, roles: m.roles, signPub: m.sign, encPub: m.enc };
}

export class MembersOperations implements MembersApi {
  constructor(private readonly v: VaultSession) {}

  list(): MemberInfo[] {
    return [...this.v.core.currentMembers().values()].map(memberInfo);
  }

  private checkRoles(roles: RoleName[]): RoleName[] {
    if (!Array.isArray(roles) || roles.length === 0) throw new CofferError('BadParameter', 'A member needs at least one role.');
    return roles.map((r) => parseRole(r));
  }

  add(identity: PublicIdentity, roles: RoleName[]): Promise<MemberInfo> {
    const rs = this.checkRoles(roles);
    if (identity.signPub?.length !== 32 || identity.encPub?.length !== 32) throw new CofferError('BadParameter', 'The identity must hold a 32-byte signing key and a 32-byte encryption key.');
    const name = String(identity.name ?? '').slice(0, 200);
    const sign = toB64u(identity.signPub);
    this.v.require('members/manage');
    return this.v.write((core) => {
      if (core.currentMembers().has(sign)) throw new CofferError('Conflict', `${memberKeyId(sign)} is already a member; use setRoles.`);
      return {
        pending: { records: [{ t: 'member', sign, enc: toB64u(identity.encPub), name, roles: rs }], newEpoch: true },
        result: (c) => memberInfo(c.currentMembers().get(sign)!),
      };
    });
  }

  setRoles(signPub: Uint8Array, roles: RoleName[]): Promise<MemberInfo> {
    const rs = this.checkRoles(roles);
    const sign = toB64u(signPub);
    this.v.require('members/manage');
    return this.v.write((core) => {
      const m = core.currentMembers().get(sign);
      if (!m) throw new CofferError('NotFound', `No member ${memberKeyId(sign)} in this vault.`);
      return {
        pending: { records: [{ t: 'member', sign, enc: m.enc, name: m.name, roles: rs }], newEpoch: true },
        result: (c) => memberInfo(c.currentMembers().get(sign)!),
      };
    });
  }

  async remove(signPub: Uint8Array): Promise<{ exposedSecrets: string[] }> {
    const sign = toB64u(signPub);
    this.v.require('members/manage');
    let exposed: string[] = [];
    await this.v.write((core) => {
      const m = core.currentMembers().get(sign);
      if (!m) throw new CofferError('NotFound', `No member ${memberKeyId(sign)} in this vault.`);
      if (sign === toB64u(core.me.signPub)) throw new CofferError('BadParameter', 'You cannot remove yourself.');
      // V5: what the member could read, so it can be rotated.
      exposed = scopesOf(m.roles).has('secrets') ? [...core.secrets.values()].map((o) => o.name).sort() : [];
      return { pending: { records: [{ t: 'remove', sign }], newEpoch: true }, result: () => undefined };
    });
    await this.v.audit('VaultMemberRemove', 'ok');
    return { exposedSecrets: exposed };
  }
}
