/// <reference lib="dom" />
/**
 * The `identity:*` channels of the renderer's fake main (fake-api.ts): the
 * profile's identity as main answers it (public data; null when there is
 * none), created once (a second create is the engine's Conflict), its invite
 * copied as every copy (the fake's clipboard), remembered on this computer
 * once its passphrase is confirmed, and forgotten.
 */
import type { ChannelInput, CopyResult, ErrorResult, IdentityView, Result } from '../../../shared/contract.js';

/** The profile's identity in a fake: its card and the passphrase that opens it. */
export interface FakeIdentity extends IdentityView {
  passphrase: string;
}

export interface FakeIdentityState {
  /** Null when the profile has no identity. */
  current: FakeIdentity | null;
}

/** The identity a created one gets (the fake makes no keys): the name is the one given. */
export const FAKE_IDENTITY: Omit<FakeIdentity, 'name' | 'passphrase'> = {
  id: '1d1d1d1d1d1d1d1d',
  fingerprint: 'M1NE-QX2P-R8TD-0AB4-MN5V-W9YZ',
  invite: 'coffer-invite:AU1pbmUtc2lnbi1rZXktZmFrZS0wMTIzNDU2Nzg5YWJjZGVmMDEyMzQ1Njc4OWFiY2RlZg',
  remembered: false,
};

const err = (code: ErrorResult['code'], message: string): ErrorResult => ({ ok: false, code, message });
const ok = <T>(value: T): Result<T> => ({ ok: true, value });

/** What main answers: the card without the passphrase. */
export function identityView({ passphrase: _p, ...card }: FakeIdentity): IdentityView {
  return card;
}

export function identityChannels(ctx: { state: FakeIdentityState; copy(text: string): Result<CopyResult> }) {
  return {
    'identity:get': () => ok(ctx.state.current === null ? null : identityView(ctx.state.current)),
    'identity:create': ({ name, passphrase }: ChannelInput<'identity:create'>) => {
      if (ctx.state.current !== null) return err('Conflict', 'An identity already exists at /profile/identity.json.');
      ctx.state.current = { ...FAKE_IDENTITY, name: name.trim(), passphrase };
      return ok(identityView(ctx.state.current));
    },
    'identity:remember': ({ passphrase }: ChannelInput<'identity:remember'>) => {
      const me = ctx.state.current;
      if (me === null) return err('NotFound', 'This profile has no identity: create one under My identity, and give its invite to an Administrator of the vault.');
      if (me.passphrase !== passphrase) return err('WrongPassphrase', 'The passphrase of the identity /profile/identity.json is wrong.');
      me.remembered = true;
      return ok(identityView(me));
    },
    'identity:forget': () => {
      const me = ctx.state.current;
      if (me === null) return err('NotFound', 'This profile has no identity: create one under My identity, and give its invite to an Administrator of the vault.');
      me.remembered = false;
      return ok(identityView(me));
    },
    'identity:copyInvite': () => {
      if (ctx.state.current === null) return err('NotFound', 'This profile has no identity: create one under My identity, and give its invite to an Administrator of the vault.');
      return ctx.copy(ctx.state.current.invite);
    },
  };
}
