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
 */
import type { Channel, CopyResult, IdentityView } from '../../../shared/contract.js';
import { CofferError, ensureProfileDir, isCofferError, loadIdentities, type IdentityCard, type KdfParams } from '../../vault/index.js';
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
  /** Test-only: the identity's Argon2id parameters (the session manager's seam); unset in the app, the engine's defaults (V8). */
  kdf?: KdfParams;
  onWarning?: (message: string) => void;
}

/** The card as the contract has it: public fields only, whatever else the engine's object carries. */
function view(card: IdentityCard): IdentityView {
  return { name: card.name, id: card.id, fingerprint: card.fingerprint, invite: card.invite };
}

/** The profile's identity card, or null when the profile has none (a damaged file is an error, said as the engine says it). */
export async function profileIdentity(profileDir: string): Promise<IdentityView | null> {
  const identities = await loadIdentities();
  try {
    return view(await identities.readIdentityFile(identities.defaultIdentityPath(profileDir)));
  } catch (e) {
    if (isCofferError(e) && e.code === 'NotFound') return null;
    throw e;
  }
}

export function identityHandlers({ profileDir, settings, clipboard, kdf, onWarning }: IdentityHandlerDeps): Pick<Handlers, IdentityChannel> {
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
      return view(card);
    },
    'identity:copyInvite': async (): Promise<CopyResult> => {
      const card = await profileIdentity(profileDir);
      if (card === null) throw new CofferError('NotFound', 'This profile has no identity yet: create one first.');
      const { clipboardClearSeconds } = await settings.get();
      try {
        await clipboard.copy(card.invite, clipboardClearSeconds);
      } catch {
        throw new CofferError('IoError', 'The clipboard could not be written; nothing was copied.');
      }
      return { clearsInSeconds: clipboardClearSeconds };
    },
  };
}
