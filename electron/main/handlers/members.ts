/**
 * Main's `members:*` handlers: the open vault's members and roles (the
 * engine's MembersApi, VAULT-MODEL V3–V5), for the app's Members view.
 *
 * An invite is parsed and its self-signature verified here, with the
 * engine's parseInvite (access/identity-file.ts), both to preview it and
 * again to add it: the renderer never hands main public keys to add, so a
 * compromised page cannot swap the keys behind the fingerprint the user
 * compared. The fingerprint of a listed member is the engine's too, over
 * the public keys the vault holds.
 *
 * Who may change members is the engine's rule (Key Vault Administrator;
 * the last Administrator stays): its CofferErrors become results in
 * ipc/register.ts, with the engine's message.
 */
import type { Channel, MemberView } from '../../../shared/contract.js';
import type { RoleName } from '../../../shared/keyvault.js';
import { CofferError, loadIdentities, type Identities, type MemberInfo } from '../../vault/index.js';
import type { Handlers } from '../ipc/register.js';
import { decodeB64u } from './keys.js';
import type { VaultSessionManager } from './session.js';

export type MemberChannel = Extract<Channel, `members:${string}`>;

export interface MemberHandlerDeps {
  session: VaultSessionManager;
}

/**
 * A member as the view shows it: public data only, the fingerprint computed from both public
 * keys; who added them by name when `all` (the current members) still has them, else by id.
 */
export function memberView(identities: Pick<Identities, 'fingerprint'>, m: MemberInfo, all: readonly MemberInfo[] = []): MemberView {
  const by = m.added && (all.find((o) => o.id === m.added!.by)?.name || m.added.by);
  return {
    id: m.id,
    name: m.name,
    fingerprint: identities.fingerprint(m.signPub, m.encPub),
    roles: [...m.roles],
    signPub: m.signPub,
    grants: m.grants.map((g) => ({ ...g })),
    ...(m.added ? { added: { by: by!, time: m.added.time } } : {}),
    ...(m.notRemovable ? { notRemovable: m.notRemovable } : {}),
  };
}

/** Each role once, in the order given (the contract has checked each is one of Key Vault's). */
function distinct(roles: readonly RoleName[]): RoleName[] {
  return [...new Set(roles)];
}

export function memberHandlers({ session }: MemberHandlerDeps): Pick<Handlers, MemberChannel> {
  const members = () => session.current().members;
  /** The listed member with this signing key, and its bytes; NotFound when none (removed meanwhile, or another vault). */
  const find = (signPub: string): { member: MemberInfo; key: Uint8Array } => {
    const member = members()
      .list()
      .find((m) => m.signPub === signPub);
    if (!member) throw new CofferError('NotFound', 'That member is not in this vault (any more): the list has been refreshed.');
    return { member, key: decodeB64u(signPub, 'signPub') };
  };
  /** One change to a listed member, answered as the view shows them after it. */
  const changeMember = async (signPub: string, change: (key: Uint8Array) => Promise<MemberInfo>): Promise<MemberView> => {
    const identities = await loadIdentities();
    const { key } = find(signPub);
    return memberView(identities, await change(key), members().list());
  };
  return {
    'members:list': async () => {
      const identities = await loadIdentities();
      const all = members().list();
      return all.map((m) => memberView(identities, m, all));
    },
    // BadParameter, naming what is wrong, for a damaged, truncated or altered invite.
    'members:readInvite': async ({ invite }) => {
      const { name, id, fingerprint } = (await loadIdentities()).parseInvite(invite);
      return { name, id, fingerprint };
    },
    'members:add': async ({ invite, roles }) => {
      const identities = await loadIdentities();
      const invitation = identities.parseInvite(invite);
      const vault = session.current();
      if (vault.members.list().some((m) => m.signPub === Buffer.from(invitation.signPub).toString('base64url'))) {
        throw new CofferError('Conflict', `${invitation.name} (${invitation.id}) is a member of this vault already: change their roles instead.`);
      }
      const { signPub, encPub, name } = invitation;
      return memberView(identities, await vault.members.add({ signPub, encPub, name }, distinct(roles)), vault.members.list());
    },
    'members:setRoles': ({ signPub, roles }) => changeMember(signPub, (key) => members().setRoles(key, distinct(roles))),
    'members:remove': async ({ signPub }) => {
      const identities = await loadIdentities();
      const { member, key } = find(signPub);
      const { exposed } = await members().remove(key);
      return { removed: memberView(identities, member, members().list()), exposed: exposed.map((e) => ({ ...e })) };
    },
    'members:grant': ({ signPub, object, role }) => changeMember(signPub, (key) => members().grant(key, object, role)),
    'members:revokeGrant': async ({ signPub, object }) => {
      const identities = await loadIdentities();
      const { key } = find(signPub);
      const { exposed, ...after } = await members().revokeGrant(key, object);
      return { member: memberView(identities, after, members().list()), exposed: exposed.map((e) => ({ ...e })) };
    },
    'members:needsRotation': async () => members()
      .needsRotation()
      .map((e) => ({ ...e })),
  };
}
