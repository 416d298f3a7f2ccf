/**
 * `vault:refound`: the open vault re-founded into a new file (VAULT-MODEL C5: a
 * team that cannot reach its creator), as `coffer vault refound` does it: the
 * engine's refoundVault creates a vault owned by the member who opened this one
 * and copies every object into it in memory, then adds the members again. The
 * renderer picks the path with `dialog:chooseNewVault`; the open vault stays
 * open, and its file is only read. A new vault's passphrase is wiped once the
 * engine has sealed it.
 */
import type { Channel } from '../../../shared/contract.js';
import { loadEngine, type KdfParams, type VaultEngine } from '../../vault/index.js';
import type { Handlers } from '../ipc/register.js';
import { withPassphraseBytes, type VaultSessionManager } from './session.js';

export type RefoundChannel = Extract<Channel, 'vault:refound'>;

export interface RefoundHandlerDeps {
  session: Pick<VaultSessionManager, 'current'>;
  /** Test-only: the new vault's KDF (the engine's defaults in the app), as for `vault:create`. */
  kdf?: KdfParams;
  /** Default: the real engine, loaded on first use. */
  engine?: Pick<VaultEngine, 'refoundVault'>;
  onWarning?: (message: string) => void;
}

export function refoundHandlers({ session, kdf, engine, onWarning }: RefoundHandlerDeps): Pick<Handlers, RefoundChannel> {
  return {
    'vault:refound': async ({ path, newPassphrase }) => {
      const vault = session.current();
      const refound = (passphrase?: Uint8Array) =>
        (engine ? Promise.resolve(engine) : loadEngine()).then((e) =>
          e.refoundVault(vault, {
            path,
            ...(passphrase ? { passphrase, ...(kdf ? { kdf } : {}) } : {}),
            ...(onWarning ? { onWarning } : {}),
          }),
        );
      return newPassphrase === undefined ? refound() : withPassphraseBytes(newPassphrase, refound);
    },
  };
}
