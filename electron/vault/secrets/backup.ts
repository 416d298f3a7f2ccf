/**
 * Backup files (Key Vault's BackupSecret / RestoreSecret; FORMAT.md §11). A
 * backup is encrypted to this vault's current `secrets` scope key, so it
 * restores only into this vault, by members who may read secrets (as Key Vault
 * restores only within its own geography and subscription).
 */
import { CofferError } from '../errors.js';
import type { VaultCore } from '../core.js';
import { MAX_BACKUP_VERSIONS, openBackupEnvelope, sealBackupEnvelope } from '../state/backup-envelope.js';
import type { SecretVersionState } from './model.js';
import { validateSecretName, validateSetInput, validateVersionId } from './rules.js';

export interface BackupData {
  kind: 'secret';
  name: string;
  versions: (SecretVersionState & { value: string })[];
}

export function sealBackup(core: VaultCore, data: BackupData): Uint8Array {
  return sealBackupEnvelope(core, 'secrets', data);
}

export function openBackup(core: VaultCore, blob: Uint8Array): BackupData {
  const bad = (): never => {
    throw new CofferError('BadParameter', 'The file is not a Coffer secret backup, or it is damaged.');
  };
  const data = openBackupEnvelope(core, 'secrets', blob, 'secret') as BackupData;
  try {
    if (data === null || typeof data !== 'object' || data.kind !== 'secret') bad();
    validateSecretName(data.name);
    if (!Array.isArray(data.versions) || data.versions.length === 0 || data.versions.length > MAX_BACKUP_VERSIONS) bad();
    // A backup is input like any other: each version passes the checks of a set, so a
    // crafted backup is refused here, never written for other computers to reject.
    const seen = new Set<string>();
    data.versions.forEach((v, i) => {
      const what = (m: string): CofferError => new CofferError('BadParameter', `The backup's version ${i + 1} is invalid: ${m}`);
      if (v === null || typeof v !== 'object') throw what('not an object');
      const version = validateVersionId(v.version);
      if (seen.has(version)) throw what('its version id appears twice');
      seen.add(version);
      if (typeof v.value !== 'string') throw what('no value');
      if (v.encoding !== 'utf8' && v.encoding !== 'binary') throw what('unknown encoding');
      for (const k of ['created', 'updated'] as const) if (!Number.isSafeInteger(v[k])) throw what(`${k} is not a time`);
      try {
        validateSetInput({
          name: data.name,
          value: Buffer.from(v.value, 'base64'),
          enabled: v.enabled,
          ...(v.contentType !== undefined ? { contentType: v.contentType } : {}),
          ...(v.tags !== undefined ? { tags: v.tags } : {}),
          ...(v.nbf !== undefined ? { nbf: v.nbf } : {}),
          ...(v.exp !== undefined ? { exp: v.exp } : {}),
        });
      } catch (e) {
        if (e instanceof CofferError) throw what(e.message);
        throw e;
      }
    });
    return data;
  } catch (e) {
    if (e instanceof CofferError) throw e;
    return bad();
  }
}
