/**
 * The Members view's state: the vault's members as main lists them (public
 * data: name, id, fingerprint, roles), what still needs a new version after
 * a removal or a lowered role, and the changes an Administrator
 * makes. Main checks every invite and the engine every rule; a refusal
 * comes back as an ErrorResult whose message the dialog shows. After each
 * change the list and the session's vault summary (the caller's roles, the
 * member count) are asked for again.
 */
import { create } from 'zustand';
import type { ErrorResult, MemberView, RemovedMember, Result } from '../../../shared/contract.js';
import type { RoleName } from '../../../shared/keyvault.js';
import type { ExposedObject } from '../../../shared/vault-types.js';
import { call } from '../../lib/api.js';
import { onReset } from '../../lib/reset.js';
import { onVaultChanged } from '../../lib/reload.js';
import { L } from '../../app/labels.js';
import { useSession } from '../vault/store.js';

interface MembersState {
  /** Null until loaded. */
  members: MemberView[] | null;
  /** What a removed or lowered member can still decrypt the current value of (the engine's needsRotation). */
  needsRotation: ExposedObject[];
  error: string | null;
  status: string | null;
  load(): Promise<void>;
  add(invite: string, roles: RoleName[]): Promise<ErrorResult | null>;
  setRoles(member: MemberView, roles: RoleName[]): Promise<ErrorResult | null>;
  remove(member: MemberView): Promise<Result<RemovedMember>>;
  grant(member: MemberView, object: string, role: RoleName): Promise<ErrorResult | null>;
  revokeGrant(member: MemberView, object: string): Promise<ErrorResult | null>;
}

const initial = { members: null, needsRotation: [], error: null, status: null };

export const useMembers = create<MembersState>()((set, get) => {
  /** After a change: the list, and the session's summary (roles may be the caller's own). */
  const changed = async (status: string) => {
    set({ status, error: null });
    await Promise.all([get().load(), useSession.getState().refresh()]);
  };
  return {
    ...initial,

    async load() {
      const [r, rotate] = await Promise.all([call('members:list', {}), call('members:needsRotation', {})]);
      if (r.ok) set({ members: r.value });
      else set({ error: r.message, members: get().members ?? [] });
      if (rotate.ok) set({ needsRotation: rotate.value });
    },

    async add(invite, roles) {
      const r = await call('members:add', { invite, roles });
      if (!r.ok) return r;
      await changed(L.memberAdded(r.value.name));
      return null;
    },

    async setRoles(member, roles) {
      const r = await call('members:setRoles', { signPub: member.signPub, roles });
      if (!r.ok) return r;
      await changed(L.rolesChanged(member.name));
      return null;
    },

    async grant(member, object, role) {
      const r = await call('members:grant', { signPub: member.signPub, object, role });
      if (!r.ok) return r;
      await changed(L.grantGiven(member.name, role, object));
      return null;
    },

    async revokeGrant(member, object) {
      const r = await call('members:revokeGrant', { signPub: member.signPub, object });
      if (!r.ok) {
        set({ error: r.message });
        return r;
      }
      // What they could read of it is listed in the view's "Needs a new version" (load() asks again).
      await changed(L.grantEnded(member.name, object, r.value.exposed.length > 0));
      return null;
    },

    async remove(member) {
      const r = await call('members:remove', { signPub: member.signPub });
      if (r.ok) await changed(L.memberRemoved(member.name));
      return r;
    },
  };
});

onReset(() => useMembers.setState(initial));
onVaultChanged(async () => {
  if (useMembers.getState().members !== null) await useMembers.getState().load();
});
