/**
 * Backup files (Key Vault's BackupSecret / RestoreSecret; FORMAT.md §11). A
 * backup is encrypted to this vault's current `secrets` scope key, so it
 * restores only into this vault, by members who may read secrets (as Key Vault
 * restores only within its own geography and subscription).
 */
import { checkCommitment, concatBytes, fromB64u, keyCommitment, open, pad, randomBytes, seal, toB64u, unpad, utf8, wipe } from '../crypto/index.js';
import { CofferError } from '../errors.js';
import { unwrapStanza, wrapToMember } from '../format/keys.js';
import type { VaultCore } from '../core.js';
import type { SecretVersionState } from './model.js';
import { validateSecretName, validateSetInput, validateVersionId } from './rules.js';

const BACKUP_PREFIX = 'coffer-backup/1 ';
export interface BackupData {
  kind: 'secret';
  name: string;
  versions: (SecretVersionState & { value: string })[];
}

export function sealBackup(core: VaultCore, data: BackupData): Uint8Array {
  const epoch = core.currentFrontier()[0]!;
  const pub = core.scopePub(epoch, 'secrets')!;
  const key = randomBytes(32);
  const ctx = concatBytes(utf8('coffer/v1 backup\0'), core.vaultIdBytes, Buffer.from(epoch, 'hex'));
  const stanza = wrapToMember(pub, key, ctx);
  const kc = keyCommitment(key);
  const json = utf8(JSON.stringify(data));
  const ct = seal(key, pad(json), ctx);
  wipe(key, json);
  return utf8(`${BACKUP_PREFIX}${JSON.stringify({ vault: core.vaultId, epoch, key: stanza, kc: toB64u(kc), data: toB64u(ct) })}\n`);
}

export function openBackup(core: VaultCore, blob: Uint8Array): BackupData {
  const text = Buffer.from(blob).toString('utf8');
  const bad = (): never => {
    throw new CofferError('BadParameter', 'The file is not a Coffer secret backup, or it is damaged.');
  };
  if (!text.startsWith(BACKUP_PREFIX)) bad();
  let env: { vault: string; epoch: string; key: { epk: string; ct: string }; kc: string; data: string };
  try {
    env = JSON.parse(text.slice(BACKUP_PREFIX.length));
  } catch {
    return bad();
  }
  if (env.vault !== core.vaultId) throw new CofferError('BadParameter', 'This backup belongs to another vault; backups restore only into the vault they came from (as in Key Vault).');
  const sk = core.scopeKey(env.epoch, 'secrets');
  if (!sk) throw new CofferError('Forbidden', 'Your roles do not grant reading this backup.', { innerCode: 'ForbiddenByRbac' });
  const ctx = concatBytes(utf8('coffer/v1 backup\0'), core.vaultIdBytes, Buffer.from(env.epoch, 'hex'));
  let key: Uint8Array | null;
  try {
    key = unwrapStanza(sk.priv, sk.pub, env.key, ctx);
  } catch {
    return bad();
  }
  if (!key) return bad();
  try {
    if (typeof env.kc !== 'string' || !checkCommitment(key, fromB64u(env.kc))) bad();
    const json = Buffer.from(unpad(open(key, fromB64u(env.data), ctx))).toString('utf8');
    const data = JSON.parse(json) as BackupData;
    validateSecretName(data.name);
    if (!Array.isArray(data.versions) || data.versions.length === 0 || data.versions.length > 500) bad();
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
  } finally {
    wipe(key);
  }
}
