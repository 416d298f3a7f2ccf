/**
 * The `vault:refound` channel of the renderer's fake main (fake-api.ts): the
 * engine's rules as the dialog meets them — an Administrator only (Forbidden
 * naming what is missing otherwise), a new passphrase exactly when the vault
 * was not opened by the identity, a path that is not in use — and its answer:
 * the secrets and keys counted, the other members added again, the deleted ones
 * listed as deleted again. The new vault is added to the fake's files, locked.
 */
import type { ChannelInput, ErrorResult, Result } from '../../../shared/contract.js';
import type { RoleName } from '../../../shared/keyvault.js';
import type { RefoundResult, UnlockMethod } from '../../../shared/vault-types.js';

/** What the channel reads of the open fake vault. */
export interface FakeRefoundSource {
  secrets: Map<string, { versions: unknown[]; deleted?: unknown }>;
  keys: Map<string, { name: string; versions: unknown[]; deleted?: unknown }>;
  members: { id: string; name: string; roles: RoleName[] }[];
  myRoles: RoleName[];
}

const err = (code: ErrorResult['code'], message: string): ErrorResult => ({ ok: false, code, message });

export function refoundChannels(deps: {
  vault: () => FakeRefoundSource | ErrorResult;
  unlockedWith: () => UnlockMethod;
  exists: (path: string) => boolean;
  /** Adds the new vault file (locked), sealed by `passphrase` when given. */
  create: (path: string, passphrase: string | undefined) => void;
}): { 'vault:refound': (input: ChannelInput<'vault:refound'>) => Result<RefoundResult> } {
  return {
    'vault:refound': ({ path, newPassphrase }) => {
      const v = deps.vault();
      if ('ok' in v) return v;
      if (!v.myRoles.includes('Key Vault Administrator')) {
        return err('Forbidden', 'Re-founding copies every object and member, which only an Administrator can read: your roles do not allow secrets/backup, members/manage.');
      }
      const byIdentity = deps.unlockedWith() === 'identity';
      if (byIdentity && newPassphrase !== undefined) return err('BadParameter', 'Opened by a member identity, the vault is re-founded as a team vault created by that identity: it takes no passphrase.');
      if (!byIdentity && newPassphrase === undefined) return err('BadParameter', 'Give the re-founded vault a passphrase, or open the old one with a member identity to make a team vault.');
      if (deps.exists(path)) return err('VaultExists', `A vault already exists at ${path}`);
      deps.create(path, newPassphrase);
      const secrets = [...v.secrets.values()];
      const keys = [...v.keys.values()];
      const [, ...others] = v.members;
      return {
        ok: true,
        value: {
          path,
          id: 'fedcba9876543210fedcba9876543210',
          copied: {
            secrets: secrets.length,
            secretVersions: secrets.reduce((n, s) => n + s.versions.length, 0),
            keys: keys.length,
            keyVersions: keys.reduce((n, k) => n + k.versions.length, 0),
            certificates: 0,
            certificateVersions: 0,
            cas: 0,
            issuers: 0,
            contacts: 0,
          },
          members: others.map((m) => ({ id: m.id, name: m.name, roles: [...m.roles] })),
          deletedAgain: [
            ...[...v.secrets.entries()].filter(([, s]) => s.deleted).map(([name]) => `secrets/${name}`),
            ...[...v.keys.values()].filter((k) => k.deleted).map((k) => `keys/${k.name}`),
          ],
          notCopied: { pendingCertificates: [] },
        },
      };
    },
  };
}
