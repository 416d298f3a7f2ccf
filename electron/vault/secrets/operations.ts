/**
 * Key Vault's secret operations (AKV-REFERENCE.md §1.2) on an unlocked vault:
 * rules from rules.ts, JSON shapes from bundles.ts, each write one commit,
 * each read recorded in the audit log.
 */
import type { DeletedSecretBundle, DeletedSecretItem, SecretBundle, SecretItem } from '../../../shared/keyvault.js';
import type { ImportEntry, SecretAttributesPatch, SecretsApi, SetSecretInput } from '../api.js';
import { wipe } from '../crypto/index.js';
import { CofferError } from '../errors.js';
import type { VaultRecord } from '../format/records.js';
import { MAX_RECORDS_PER_COMMIT } from '../format/codec.js';
import { latestVersion, type SecretObject, type SecretVersion, type VaultCore } from '../core.js';
import type { VaultSession } from '../session.js';
import { nameKey, newVersionId, validateContentType, validateSecretName, validateSetInput, validateTags, validateTimes, validateVersionId } from './rules.js';
import { renderValue, toDeletedSecretBundle, toDeletedSecretItem, toSecretBundle, toSecretItem } from './bundles.js';
import { deletedSecretNotFound, secretDeletedButRecoverable, secretDisabled, secretNotFound } from './errors.js';
import { openBackup, sealBackup, type BackupData } from './backup.js';
import { attributeUpdate, KindOperations } from '../state/kind-operations.js';
import { newestAttrs } from '../state/versioned.js';
import { secretsKind } from './kind.js';

/** One import is one commit: a record per entry, and its batch record (the values' key). */
export const MAX_IMPORT_ENTRIES = MAX_RECORDS_PER_COMMIT - 1;

export class SecretsOperations extends KindOperations<SecretObject, SecretBundle, DeletedSecretBundle, DeletedSecretItem> implements SecretsApi {
  constructor(v: VaultSession) {
    super(v, {
      record: 'secret',
      collection: 'secrets',
      audit: 'Secret',
      readPermission: 'secrets/readMetadata',
      objects: (core) => core.secrets,
      validateName: validateSecretName,
      notFound: (name) => secretNotFound(name),
      deletedNotFound: deletedSecretNotFound,
      purgeWarning: 'Purged values are gone from this file, but older copies and git history still hold them: rotate the secret if it mattered.',
      isManaged: (o) => v.core.state.of(secretsKind).isManaged(o),
    });
  }

  protected deletedBundle(o: SecretObject, core: VaultCore): DeletedSecretBundle {
    return toDeletedSecretBundle(this.vid, latestVersion(o).attrs, core.retentionDays, o.deleted!.date);
  }

  protected deletedItem(o: SecretObject): DeletedSecretItem {
    return toDeletedSecretItem(this.vid, newestAttrs(o), this.core.retentionDays, o.deleted!.date);
  }

  protected liveBundle(o: SecretObject, core: VaultCore): SecretBundle {
    return toSecretBundle(this.vid, latestVersion(o).attrs, core.retentionDays);
  }

  private version(o: SecretObject, version?: string): SecretVersion {
    if (version === undefined || version === '') return latestVersion(o);
    const v = o.versions.get(validateVersionId(version));
    if (!v) throw secretNotFound(o.name, version);
    return v;
  }

  set(input: SetSecretInput): Promise<SecretBundle> {
    return this.logged('SecretSet', input.name, () => {
      this.v.require('secrets/setSecret');
      const { encoding, contentType } = validateSetInput(input);
      return this.v.write((core) => {
        const o = core.secrets.get(nameKey(input.name));
        this.notManaged(o, 'set');
        if (o?.deleted) throw secretDeletedButRecoverable(o.name);
        const version = newVersionId();
        const name = o?.name ?? input.name;
        return {
          pending: {
            records: [
              {
                t: 'secret',
                name,
                version,
                blob: 0,
                enc: encoding,
                enabled: input.enabled ?? true,
                ...(contentType !== undefined ? { contentType } : {}),
                ...(input.tags !== undefined ? { tags: input.tags } : {}),
                ...(input.nbf !== undefined ? { nbf: input.nbf } : {}),
                ...(input.exp !== undefined ? { exp: input.exp } : {}),
              },
            ],
            values: [input.value],
          },
          result: (c) => toSecretBundle(this.vid, c.secrets.get(nameKey(name))!.versions.get(version)!.attrs, c.retentionDays),
        };
      });
    });
  }

  async get(name: string, version?: string): Promise<SecretBundle> {
    let ver: string | undefined;
    return this.logged(
      'SecretGet',
      name,
      () => {
        const { o, v, value } = this.readChecked(name, version);
        ver = v.attrs.version;
        try {
          return toSecretBundle(this.vid, v.attrs, this.core.retentionDays, renderValue(value, v.attrs.encoding));
        } finally {
          wipe(value);
          void o;
        }
      },
      () => ver,
    );
  }

  async getValue(name: string, version?: string): Promise<Uint8Array> {
    let ver: string | undefined;
    return this.logged(
      'SecretGet',
      name,
      () => {
        const r = this.readChecked(name, version);
        ver = r.v.attrs.version;
        return r.value;
      },
      () => ver,
    );
  }

  private readChecked(name: string, version?: string): { o: SecretObject; v: SecretVersion; value: Uint8Array } {
    this.v.require('secrets/getSecret', { collection: 'secrets', name });
    const o = this.live(name);
    const v = this.version(o, version);
    // Key Vault: a disabled secret's value cannot be read (403 Forbidden, SecretDisabled).
    if (!v.attrs.enabled) throw secretDisabled('get');
    return { o, v, value: this.core.readValue(o, v) };
  }

  list(): SecretItem[] {
    this.v.require('secrets/readMetadata');
    const live: SecretObject[] = [];
    for (const o of this.core.secrets.values()) if (!o.deleted) live.push(o);
    // By name key (lowercase [0-9a-z-], unique per vault): the order localeCompare gives the
    // ids, at a fraction of its cost on 10,000 items.
    live.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    this.v.auditBehind('SecretList', 'ok');
    return live.map((o) => toSecretItem(this.vid, newestAttrs(o), this.core.retentionDays, { versionless: true }));
  }

  listVersions(name: string): SecretItem[] {
    this.v.require('secrets/readMetadata');
    const o = this.live(name);
    this.v.auditBehind('SecretListVersions', 'ok', { object: o.name });
    return o.order.map((id) => toSecretItem(this.vid, o.versions.get(id)!.attrs, this.core.retentionDays, { versionless: false }));
  }

  update(name: string, version: string | undefined, patch: SecretAttributesPatch): Promise<SecretBundle> {
    return this.logged('SecretUpdate', name, () => {
      this.v.require('secrets/update');
      if (patch.contentType) validateContentType(patch.contentType);
      if (patch.tags) validateTags(patch.tags);
      if (patch.enabled !== undefined && typeof patch.enabled !== 'boolean') throw new CofferError('BadParameter', 'enabled must be true or false.');
      return this.v.write((core) => {
        const o = this.live(name, core);
        this.notManaged(o, 'update');
        const v = this.version(o, version);
        const nbf = patch.nbf === undefined ? v.attrs.nbf : patch.nbf ?? undefined;
        const exp = patch.exp === undefined ? v.attrs.exp : patch.exp ?? undefined;
        validateTimes(nbf, exp);
        const { set, clear } = attributeUpdate(patch, ['nbf', 'exp', 'contentType'] as const);
        const vid = v.attrs.version;
        return {
          pending: { records: [{ t: 'secret.update', name: o.name, version: vid, set, clear } as VaultRecord] },
          result: (c) => toSecretBundle(this.vid, c.secrets.get(o.key)!.versions.get(vid)!.attrs, c.retentionDays),
        };
      });
    });
  }

  backup(name: string): Promise<Uint8Array> {
    return this.logged('SecretBackup', name, () => {
      this.v.require('secrets/backup');
      return sealBackup(this.core, this.backupData(this.live(name)));
    });
  }

  /** What a backup of `o` holds: every version with its value (of a deleted secret too, when the vault is re-founded). */
  backupData(o: SecretObject): BackupData {
    const versions = o.order.map((id) => {
      const v = o.versions.get(id)!;
      const value = this.core.readValue(o, v);
      const b64 = Buffer.from(value).toString('base64');
      wipe(value);
      return { ...v.attrs, value: b64 };
    });
    return { kind: 'secret', name: o.name, versions };
  }

  restore(blob: Uint8Array): Promise<SecretBundle> {
    return this.logged('SecretRestore', undefined, () => {
      this.v.require('secrets/restore');
      const data = openBackup(this.core, blob);
      return this.v.write((core) => {
        if (core.secrets.has(nameKey(data.name))) {
          const o = core.secrets.get(nameKey(data.name))!;
          if (o.deleted) throw secretDeletedButRecoverable(o.name);
          throw new CofferError('Conflict', `Secret ${o.name} already exists; restore needs a name that is not in use.`);
        }
        const values: Uint8Array[] = [];
        const records: VaultRecord[] = data.versions.map((v) => {
          values.push(Buffer.from(v.value, 'base64'));
          return {
            t: 'secret',
            name: data.name,
            version: v.version,
            blob: 0,
            enc: v.encoding,
            enabled: v.enabled,
            created: v.created,
            updated: v.updated,
            ...(v.contentType !== undefined ? { contentType: v.contentType } : {}),
            ...(v.tags !== undefined ? { tags: v.tags } : {}),
            ...(v.nbf !== undefined ? { nbf: v.nbf } : {}),
            ...(v.exp !== undefined ? { exp: v.exp } : {}),
          };
        });
        return {
          pending: { records, values },
          result: (c) => {
            const o = c.secrets.get(nameKey(data.name))!;
            return toSecretBundle(this.vid, latestVersion(o).attrs, c.retentionDays);
          },
        };
      });
    });
  }

  import(entries: ImportEntry[]): Promise<{ imported: number; versions: number }> {
    return this.logged('SecretSet', undefined, () => {
      this.v.require('secrets/setSecret');
      const checked = entries.map((e, i) => {
        try {
          return { e, ...validateSetInput({ name: e.name, value: e.value, ...(e.contentType !== undefined ? { contentType: e.contentType } : {}), ...(e.tags ? { tags: e.tags } : {}), ...(e.exp !== undefined ? { exp: e.exp } : {}) }) };
        } catch (err) {
          if (err instanceof CofferError) throw new CofferError(err.code, `entry ${i + 1}: ${err.message}`);
          throw err;
        }
      });
      if (checked.length > MAX_IMPORT_ENTRIES) {
        throw new CofferError('LimitExceeded', `At most ${MAX_IMPORT_ENTRIES.toLocaleString('en-US')} entries per import (one commit: a record per entry and the commit's value key). Nothing was written.`);
      }
      return this.v.write((core) => {
        const records: VaultRecord[] = [];
        const values: Uint8Array[] = [];
        const names = new Map<string, string>();
        checked.forEach(({ e, encoding, contentType }, i) => {
          const k = nameKey(e.name);
          const o = core.secrets.get(k);
          this.notManaged(o, 'import');
          if (o?.deleted) throw new CofferError('Conflict', `entry ${i + 1}: ${secretDeletedButRecoverable(o.name).message}`, { innerCode: 'ObjectIsDeletedButRecoverable' });
          const name = o?.name ?? names.get(k) ?? e.name;
          names.set(k, name);
          records.push({
            t: 'secret',
            name,
            version: newVersionId(),
            blob: 0,
            enc: encoding,
            enabled: true,
            ...(contentType !== undefined ? { contentType } : {}),
            ...(e.tags ? { tags: e.tags } : {}),
            ...(e.exp !== undefined ? { exp: e.exp } : {}),
          });
          values.push(e.value);
        });
        return { pending: { records, values }, result: () => ({ imported: names.size, versions: records.length }) };
      });
    });
  }
}
