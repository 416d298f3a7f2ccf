/// <reference lib="dom" />
/**
 * The `members:*` channels of the renderer's fake main (fake-api.ts): the
 * handlers' observable behaviour on a vault's member list. Invites are the
 * fake ones below (FAKE_INVITES), read as main reads real ones: a known
 * invite gives its name, id and fingerprint; one with a character changed
 * is refused with the engine's message for an altered invite; anything else
 * with its message for text that is not an invite. The engine's rules: only
 * a Key Vault Administrator changes members (Forbidden), the vault keeps an
 * Administrator, nobody removes themselves, and a removal answers the
 * secrets the member could read.
 */
import type { ChannelInput, ErrorResult, MemberView, Result } from '../../../shared/contract.js';
import type { RoleName } from '../../../shared/keyvault.js';
import type { ExposedObject } from '../../../shared/vault-types.js';

/** A member of a fake vault: the view main answers. The first is the one who opened it ("me"). */
export type FakeMember = MemberView;

export interface FakeMemberStore {
  members: FakeMember[];
  /** The roles of the member who opened the vault (vault:status answers them). */
  myRoles: RoleName[];
  /** The names of the vault's secrets (live and deleted): what a removed reader could read. */
  secretNames(): string[];
  /** What removals reported, still to rotate (the engine clears each at its next version; the fake keeps them). */
  needsRotation?: ExposedObject[];
}

export interface FakeInvite {
  invite: string;
  name: string;
  id: string;
  fingerprint: string;
  signPub: string;
}

const key = (c: string) => c.repeat(43);

/** Invites the tests paste, as `coffer identity show` would print them (shortened: the fake reads them by table). */
export const FAKE_INVITES: Record<'bob' | 'carol', FakeInvite> = {
  bob: {
    invite: 'coffer-invite:AUJvYi1zaWduLWtleS1mYWtlLTAxMjM0NTY3ODlhYmNkZWYwMTIzNDU2Nzg5YWJjZGVm',
    name: 'Bob',
    id: '0b0b0b0b0b0b0b0b',
    fingerprint: '7K3M-QX2P-R8TD-0AB4-MN5V-W9YZ',
    signPub: key('b'),
  },
  carol: {
    invite: 'coffer-invite:AUNhcm9sLXNpZ24ta2V5LWZha2UtZmVkY2JhOTg3NjU0MzIxMGZlZGNiYTk4NzY1NDMy',
    name: 'Carol',
    id: 'ca0fca0fca0fca0f',
    fingerprint: 'C4R0-LXXF-1NGE-RPR1-NTAB-CDEF',
    signPub: key('c'),
  },
};

export const OWNER: FakeMember = {
  id: '00aa00aa00aa00aa',
  name: 'owner',
  fingerprint: '0WNR-AAAA-BBBB-CCCC-DDDD-EEEE',
  roles: ['Key Vault Administrator'],
  signPub: key('o'),
  grants: [],
  notRemovable: 'You cannot remove yourself: give another member the Key Vault Administrator role, then leave the vault.',
};

const err = (code: ErrorResult['code'], message: string): ErrorResult => ({ ok: false, code, message });
const ok = <T>(value: T): Result<T> => ({ ok: true, value });

const ADMIN: RoleName = 'Key Vault Administrator';
const READS_SECRETS: readonly RoleName[] = ['Key Vault Administrator', 'Key Vault Secrets Officer', 'Key Vault Secrets User'];

function readInvite(text: string): FakeInvite | ErrorResult {
  const compact = text.replace(/\s+/g, '');
  const found = Object.values(FAKE_INVITES).find((i) => i.invite === compact);
  if (found) return found;
  if (!compact.startsWith('coffer-invite:')) return err('BadParameter', 'The invite is not valid: an invite starts with "coffer-invite:" (`coffer identity show` prints one).');
  return err('BadParameter', 'The invite is not valid: its signature does not verify: it was altered or damaged in copying.');
}

export function memberChannels(ctx: { store(): FakeMemberStore | ErrorResult; writableStore(): FakeMemberStore | ErrorResult }) {
  /** The store if this member may change members (the engine's `members/manage`). */
  const manage = (): FakeMemberStore | ErrorResult => {
    const s = ctx.writableStore();
    if ('ok' in s) return s;
    return s.myRoles.includes(ADMIN) ? s : err('Forbidden', 'Your roles do not allow members/manage in this vault.');
  };
  const find = (s: FakeMemberStore, signPub: string): FakeMember | ErrorResult =>
    s.members.find((m) => m.signPub === signPub) ?? err('NotFound', 'That member is not in this vault (any more): the list has been refreshed.');
  const keepsAdmin = (members: FakeMember[]): boolean => members.some((m) => m.roles.includes(ADMIN));
  const noAdmin = () => err('Forbidden', 'This change is not allowed: it would leave the vault without an Administrator.');
  return {
    'members:list': () => {
      const s = ctx.store();
      return 'ok' in s ? s : ok(s.members.map((m) => ({ ...m, roles: [...m.roles] })));
    },
    'members:readInvite': ({ invite }: ChannelInput<'members:readInvite'>) => {
      const i = readInvite(invite);
      return 'ok' in i ? i : ok({ name: i.name, id: i.id, fingerprint: i.fingerprint });
    },
    'members:add': ({ invite, roles }: ChannelInput<'members:add'>) => {
      const i = readInvite(invite);
      if ('ok' in i) return i;
      const s = manage();
      if ('ok' in s) return s;
      if (s.members.some((m) => m.signPub === i.signPub)) return err('Conflict', `${i.name} (${i.id}) is a member of this vault already: change their roles instead.`);
      const m: FakeMember = { id: i.id, name: i.name, fingerprint: i.fingerprint, signPub: i.signPub, roles: [...new Set(roles)], grants: [], added: { by: OWNER.name, time: 1_700_000_000 } };
      s.members.push(m);
      return ok({ ...m });
    },
    'members:setRoles': ({ signPub, roles }: ChannelInput<'members:setRoles'>) => {
      const s = manage();
      if ('ok' in s) return s;
      const m = find(s, signPub);
      if ('ok' in m) return m;
      const next = [...new Set(roles)];
      if (!keepsAdmin(s.members.map((x) => (x === m ? { ...x, roles: next } : x)))) return noAdmin();
      m.roles = next;
      if (m === s.members[0]) s.myRoles = [...next];
      return ok({ ...m, roles: [...next] });
    },
    'members:remove': ({ signPub }: ChannelInput<'members:remove'>) => {
      const s = manage();
      if ('ok' in s) return s;
      const m = find(s, signPub);
      if ('ok' in m) return m;
      if (m === s.members[0]) return err('BadParameter', 'You cannot remove yourself.');
      if (!keepsAdmin(s.members.filter((x) => x !== m))) return noAdmin();
      s.members.splice(s.members.indexOf(m), 1);
      const exposed = m.roles.some((r) => READS_SECRETS.includes(r)) ? s.secretNames().sort().map((name) => ({ kind: 'secrets' as const, name })) : [];
      s.needsRotation = [...(s.needsRotation ?? []), ...exposed.filter((e) => !s.needsRotation?.some((x) => x.kind === e.kind && x.name === e.name))];
      return ok({ removed: { ...m, roles: [...m.roles] }, exposed });
    },
    'members:grant': ({ signPub, object, role }: ChannelInput<'members:grant'>) => {
      const s = manage();
      if ('ok' in s) return s;
      const m = find(s, signPub);
      if ('ok' in m) return m;
      const [kind, name] = object.split('/') as [string, string];
      if (kind === 'secrets' && !s.secretNames().includes(name)) return err('NotFound', `No secret named ${name} in this vault.`);
      m.grants = [...m.grants.filter((g) => g.object !== object.toLowerCase()), { object: object.toLowerCase(), role }];
      return ok({ ...m, grants: [...m.grants] });
    },
    'members:revokeGrant': ({ signPub, object }: ChannelInput<'members:revokeGrant'>) => {
      const s = manage();
      if ('ok' in s) return s;
      const m = find(s, signPub);
      if ('ok' in m) return m;
      if (!m.grants.some((g) => g.object === object)) return err('NotFound', `${m.id} holds no role on ${object}.`);
      m.grants = m.grants.filter((g) => g.object !== object);
      const [kind, name] = object.split('/') as ['secrets' | 'keys' | 'certificates', string];
      const exposed = [{ kind, name }];
      s.needsRotation = [...(s.needsRotation ?? []), ...exposed];
      return ok({ member: { ...m, grants: [...m.grants] }, exposed });
    },
    'members:needsRotation': () => {
      const s = ctx.store();
      return 'ok' in s ? s : ok((s.needsRotation ?? []).map((e) => ({ ...e })));
    },
  };
}
