/**
 * The sealed envelope of every kind's backup (Key Vault's BackupSecret /
 * BackupKey; FORMAT.md §11): the kind's data as JSON, sealed under a fresh key
 * wrapped to this vault's current key of the kind's scope. So a backup
 * restores only into this vault, by members who may read that scope (as Key
 * Vault restores only within its own geography and subscription). What is
 * inside is the kind's to validate.
 */
import { checkCommitment, concatBytes, fromB64u, keyCommitment, open, pad, randomBytes, seal, toB64u, unpad, utf8, wipe } from '../crypto/index.js';
import { CofferError } from '../errors.js';
import { unwrapStanza, wrapToMember } from '../format/keys.js';
import type { ValueScope } from '../format/records.js';
import type { VaultCore } from '../core.js';

const BACKUP_PREFIX = 'coffer-backup/1 ';
/** The most versions one backup holds, for every kind. */
export const MAX_BACKUP_VERSIONS = 500;

/** Binds the envelope to the vault, epoch and scope; secrets keep the context of the first backups. */
function context(core: VaultCore, epoch: string, scope: ValueScope): Uint8Array {
  const base = concatBytes(utf8('coffer/v1 backup\0'), core.vaultIdBytes, Buffer.from(epoch, 'hex'));
  return scope === 'secrets' ? base : concatBytes(base, utf8(`\0${scope}`));
}

export function sealBackupEnvelope(core: VaultCore, scope: ValueScope, data: unknown): Uint8Array {
  const epoch = core.currentFrontier()[0]!;
  const pub = core.scopePub(epoch, scope)!;
  const key = randomBytes(32);
  const ctx = context(core, epoch, scope);
  const stanza = wrapToMember(pub, key, ctx);
  const kc = keyCommitment(key);
  const json = utf8(JSON.stringify(data));
  const padded = pad(json);
  const ct = seal(key, padded, ctx);
  wipe(key, json, padded);
  return utf8(`${BACKUP_PREFIX}${JSON.stringify({ vault: core.vaultId, epoch, key: stanza, kc: toB64u(kc), data: toB64u(ct) })}\n`);
}

/**
 * The parsed JSON inside a backup of `scope`, for the kind to validate. `what`
 * names the kind in messages ("secret", "key"). Anything unreadable is one
 * BadParameter; a backup of another vault says so; a member who cannot read
 * the scope is Forbidden.
 */
export function openBackupEnvelope(core: VaultCore, scope: ValueScope, blob: Uint8Array, what: string): unknown {
  const text = Buffer.from(blob).toString('utf8');
  const bad = (): never => {
    throw new CofferError('BadParameter', `The file is not a Coffer ${what} backup, or it is damaged.`);
  };
  if (!text.startsWith(BACKUP_PREFIX)) bad();
  let env: { vault: string; epoch: string; key: { epk: string; ct: string }; kc: string; data: string };
  try {
    env = JSON.parse(text.slice(BACKUP_PREFIX.length));
  } catch {
    return bad();
  }
  if (env === null || typeof env !== 'object' || typeof env.epoch !== 'string' || !/^[0-9a-f]{32}$/.test(env.epoch)) bad();
  if (env.vault !== core.vaultId) throw new CofferError('BadParameter', 'This backup belongs to another vault; backups restore only into the vault they came from (as in Key Vault).');
  const sk = core.scopeKey(env.epoch, scope);
  if (!sk) throw new CofferError('Forbidden', 'Your roles do not grant reading this backup.', { innerCode: 'ForbiddenByRbac' });
  const ctx = context(core, env.epoch, scope);
  let key: Uint8Array | null;
  try {
    key = unwrapStanza(sk.priv, sk.pub, env.key, ctx);
  } catch {
    return bad();
  }
  if (!key) return bad();
  let plain: Uint8Array | undefined;
  try {
    if (typeof env.kc !== 'string' || !checkCommitment(key, fromB64u(env.kc))) bad();
    plain = unpad(open(key, fromB64u(env.data), ctx));
    return JSON.parse(Buffer.from(plain).toString('utf8')) as unknown;
  } catch (e) {
    if (e instanceof CofferError) throw e;
    return bad();
  } finally {
    wipe(key, plain);
  }
}
