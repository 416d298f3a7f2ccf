/**
 * Main's `identity:*` handlers: the person's own identity (VAULT-MODEL C2),
 * the file `identity.json` in the profile that `coffer identity create`
 * makes, sealed by its own passphrase with Argon2id (access/identity-file.ts).
 * The app shows its invite and fingerprint, which are public; the private
 * half never leaves the engine, and the passphrase is wiped as the vault
 * passphrases are (session.ts withPassphraseBytes).
 *
 * The invite is copied by main through the clipboard service, which clears
 * it after the user's delay as it clears every copy: it is not secret, but
 * the clipboard is not where anything of Coffer's stays.
 *
 * "Remember on this computer" seals the identity under a key in the OS
 * keychain, as a remembered vault is (access/remembered.ts), after its
 * passphrase opened the identity file: then vault:openWithIdentity needs no
 * passphrase. The trade is the vault's: whoever uses this session can too.
 */
import type { Channel, CopyResult, IdentityView } from '../../../shared/contract.js';
import { CofferError, ensureProfileDir, isCofferError, loadIdentities, type Identities, type IdentityCard, type KdfParams, type Keychain, type MemberIdentity } from '../../vault/index.js';
import type { Handlers } from '../ipc/register.js';
import type { ClipboardService } from './clipboard.js';
import { withPassphraseBytes } from './session.js';
import type { SettingsStore } from './settings.js';

export type IdentityChannel = Extract<Channel, `identity:${string}`>;

export interface IdentityHandlerDeps {
  profileDir: string;
  /** Read for the clipboard delay of `identity:copyInvite`. */
  settings: Pick<SettingsStore, 'get'>;
  clipboard: Pick<ClipboardService, 'copy'>;
  /** The OS keychain that remembers the identity (store/keychain.ts osKeychain() in the app). */
  keychain: Keychain;
  /** Test-only: the identity's Argon2id parameters (the session manager's seam); unset in the app, the engine's defaults (V8). */
  kdf?: KdfParams;
  onWarning?: (message: string) => void;
}

/** The profile's identity file: its card and signing key (the invite's), or null when the profile has none; a damaged file is an error, as the engine says it. */
async function readProfileIdentity(identities: Identities, profileDir: string): Promise<{ card: IdentityCard; signPub: Uint8Array } | null> {
  try {
    const card = await identities.readIdentityFile(identities.defaultIdentityPath(profileDir));
    return { card, signPub: identities.parseInvite(card.invite).signPub };
  } catch (e) {
    if (isCofferError(e) && e.code === 'NotFound') return null;
    throw e;
  }
}

const noIdentity = (): CofferError => new CofferError('NotFound', 'This profile has no identity: create one under My identity, and give its invite to an Administrator of the vault.');

/** The profile's identity as the contract has it: public fields only, and whether this computer remembers it; null when there is none. */
export async function profileIdentity(profileDir: string): Promise<IdentityView | null> {
  const identities = await loadIdentities();
  const found = await readProfileIdentity(identities, profileDir);
  if (found === null) return null;
  const { name, id, fingerprint, invite } = found.card;
  return { name, id, fingerprint, invite, remembered: await identities.isProfileIdentityRemembered(profileDir, found.signPub) };
}

/**
 * The profile's member identity, opened with `passphrase`, or without one from
 * the OS keychain (VaultLocked, saying why, when it is not remembered or the
 * keychain cannot give it), and its display name. The caller, or the vault it
 * opens, wipes it.
 */
export async function unlockProfileIdentity(
  profileDir: string,
  keychain: Keychain,
  passphrase: string | undefined,
): Promise<{ identities: Identities; identity: MemberIdentity; name: string }> {
  const identities = await loadIdentities();
  const found = await readProfileIdentity(identities, profileDir);
  if (found === null) throw noIdentity();
  const { name } = found.card;
  if (passphrase !== undefined) {
    const file = identities.defaultIdentityPath(profileDir);
    return { identities, identity: await withPassphraseBytes(passphrase, (p) => identities.unlockIdentityFile(file, p)), name };
  }
  const r = await identities.openRememberedProfileIdentity(profileDir, found.signPub, keychain);
  if (r === null) throw new CofferError('VaultLocked', 'This computer does not remember your identity: give its passphrase.');
  if ('problem' in r) throw new CofferError('VaultLocked', r.problem);
  return { identities, identity: r.identity, name };
}

export function identityHandlers({ profileDir, settings, clipboard, keychain, kdf, onWarning }: IdentityHandlerDeps): Pick<Handlers, IdentityChannel> {
  const current = async (): Promise<IdentityView> => {
    const view = await profileIdentity(profileDir);
    if (view === null) throw noIdentity();
    return view;
  };
  return {
    'identity:get': () => profileIdentity(profileDir),
    // An existing identity is never replaced from the app: its memberships would be lost (Conflict, from the engine).
    'identity:create': async ({ name, passphrase }) => {
      const identities = await loadIdentities();
      const displayName = identities.checkDisplayName(name);
      await ensureProfileDir(profileDir);
      const card = await withPassphraseBytes(passphrase, (bytes) =>
        identities.createIdentityFile({
          path: identities.defaultIdentityPath(profileDir),
          passphrase: bytes,
          name: displayName,
          ...(kdf === undefined ? {} : { kdf }),
          ...(onWarning === undefined ? {} : { onWarning }),
        }),
      );
      return { name: card.name, id: card.id, fingerprint: card.fingerprint, invite: card.invite, remembered: false };
    },
    'identity:copyInvite': async (): Promise<CopyResult> => {
      const card = await current();
      const { clipboardClearSeconds } = await settings.get();
      try {
        await clipboard.copy(card.invite, clipboardClearSeconds);
      } catch {
        throw new CofferError('IoError', 'The clipboard could not be written; nothing was copied.');
      }
      return { clearsInSeconds: clipboardClearSeconds };
    },
    // The passphrase proves the person knows it before the keychain stands in for it (as vault:remember).
    'identity:remember': async ({ passphrase }) => {
      const { identities, identity } = await unlockProfileIdentity(profileDir, keychain, passphrase);
      try {
        await identities.rememberProfileIdentity(profileDir, identity, keychain);
      } finally {
        identities.wipeIdentity(identity);
      }
      return current();
    },
    'identity:forget': async () => {
      const identities = await loadIdentities();
      const found = await readProfileIdentity(identities, profileDir);
      if (found === null) throw noIdentity();
      const r = await identities.forgetProfileIdentity(profileDir, found.signPub, keychain);
      if (r.keychainEntryLeft) onWarning?.(r.keychainEntryLeft);
      return current();
    },
  };
}
