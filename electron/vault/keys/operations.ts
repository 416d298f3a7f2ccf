/**
 * Key Vault's key operations (AKV-REFERENCE.md §2.3) on an unlocked vault:
 * each write one commit, each operation recorded in the audit log under Key
 * Vault's operation name (KeyCreate, KeySign...), never with key material.
 *
 * A version's public half is in its record (every member may read it); its
 * private or symmetric material is the version's value, sealed under the
 * `keys` scope, decrypted only for an operation that needs it (decrypt,
 * unwrapKey, sign, and every operation of an oct key) and disposed after it.
 */
import type { DeletedKeyBundle, DeletedKeyItem, KeyBundle, KeyItem, KeyOperationResult, KeyRotationPolicy, KeyVerifyResult } from '../../../shared/keyvault.js';
import type { KeyDetailsView } from '../../../shared/key-types.js';
import type {
  CreateKeyInput,
  ExportedKey,
  ExportKeyOptions,
  ImportKeyInput,
  KeyAttributesPatch,
  KeyCipherInput,
  KeysApi,
  KeyShapeInfo,
  KeySignInput,
  KeyVerifyInput,
  KeyVersionOptions,
  RotateDueResult,
  RotationPolicyInput,
} from '../api.js';
import { fromB64u, toB64u, wipe } from '../crypto/index.js';
import { badParameter, CofferError } from '../errors.js';
import { SchemaError } from '../format/schema.js';
import type { VaultRecord } from '../format/records.js';
import type { VaultCore } from '../core.js';
import type { VaultSession } from '../session.js';
import { attributeUpdate, KindOperations, nowSeconds } from '../state/kind-operations.js';
import { MAX_BACKUP_VERSIONS, openBackupEnvelope, sealBackupEnvelope } from '../state/backup-envelope.js';
import { newestVersion, type ObjectOf, type VersionOf } from '../state/versioned.js';
import { nameKey, newVersionId } from '../secrets/rules.js';
import {
  checkAlgorithm,
  decrypt,
  encrypt,
  KEY_OPERATIONS,
  OPERATIONS,
  sign,
  signData,
  unwrapKey,
  usableAlgorithms,
  verify,
  verifyData,
  wrapKey,
  type KeyOperation,
  type KeyShape,
} from './algorithms.js';
import {
  decodePrivate,
  encodePrivate,
  exportPrivateJwk,
  exportPrivatePem,
  exportPublicJwk,
  exportPublicPem,
  checkKeySpec,
  generateKey,
  importJwk,
  importPem,
  publicKeyMaterial,
  type KeyDescription,
  type KeyMaterial,
  type KeySpec,
} from './material.js';
import { keyRecordSchemas, type KeyOp, type KeyVersionRecord, type RotationPolicy } from './records.js';
import { keysKind } from './kind.js';
import { RecentMaterial } from './recent-material.js';
import type { KeyAttributes } from './state.js';
import { keyId, toDeletedKeyBundle, toDeletedKeyItem, toKeyBundle, toKeyItem, toRotationPolicy, type KeyVersionView } from './bundles.js';
import { deletedKeyNotFound, keyDeletedButRecoverable, keyDisabled, keyNotExportable, keyNotFound, keyNotValidNow, keyOperationForbidden } from './errors.js';
import { addDuration, defaultKeyOps, parseDuration, rotationDueAt, validateKeyName, validateKeyOps, validateKeyTags, validateKeyVersion, validateRotationPolicy, validateTimes } from './rules.js';

type KeyObject = ObjectOf<KeyAttributes>;
type KeyVersion = VersionOf<KeyAttributes>;

/** Key Vault's audit operation names (AKV-REFERENCE.md §6.1) of the six cryptographic operations. */
const AUDIT_OP: Readonly<Record<KeyOperation, string>> = {
  encrypt: 'KeyEncrypt',
  decrypt: 'KeyDecrypt',
  wrapKey: 'KeyWrap',
  unwrapKey: 'KeyUnwrap',
  sign: 'KeySign',
  verify: 'KeyVerify',
};

/** The contents of a key backup, sealed by state/backup-envelope.ts. */
export interface KeyBackupData {
  kind: 'key';
  name: string;
  versions: (Omit<KeyVersionRecord, 't' | 'name' | 'blob' | 'origin'> & { value: string })[];
  policy?: RotationPolicy;
}

/** The record fields fixing a version's material, from its attributes. */
function describe(a: KeyAttributes): KeyDescription {
  return { kty: a.kty, ...(a.size !== undefined ? { size: a.size } : {}), ...(a.crv !== undefined ? { crv: a.crv } : {}), ...(a.pub !== undefined ? { pub: a.pub } : {}) };
}

export class KeysOperations extends KindOperations<KeyObject, KeyBundle, DeletedKeyBundle, DeletedKeyItem> implements KeysApi {
  /** Material decoded for the operations of the last moments; the session closes it. */
  readonly recent = new RecentMaterial();

  constructor(v: VaultSession) {
    super(v, {
      record: 'key',
      collection: 'keys',
      audit: 'Key',
      readPermission: 'keys/read',
      objects: (core) => core.keys.objects,
      validateName: validateKeyName,
      notFound: (name) => keyNotFound(name),
      deletedNotFound: deletedKeyNotFound,
      purgeWarning: 'Purged key material is gone from this file, but older copies and git history still hold it: rotate what it protected if it mattered.',
      isManaged: (o) => v.core.keys.isManaged(o),
    });
  }

  protected deletedBundle(o: KeyObject, core: VaultCore): DeletedKeyBundle {
    return toDeletedKeyBundle(this.vid, this.view(o, newestVersion(o)), core.retentionDays, o.deleted!.date);
  }

  protected deletedItem(o: KeyObject): DeletedKeyItem {
    return toDeletedKeyItem(this.vid, this.view(o, newestVersion(o)), this.core.retentionDays, o.deleted!.date);
  }

  protected liveBundle(o: KeyObject, core: VaultCore): KeyBundle {
    return this.bundle(core, o.key, newestVersion(o).version);
  }

  private version(o: KeyObject, version?: string): KeyVersion {
    if (version === undefined || version === '') return newestVersion(o);
    const v = o.versions.get(validateKeyVersion(version));
    if (!v) throw keyNotFound(o.name, version);
    return v;
  }

  private view(o: KeyObject, v: KeyVersion): KeyVersionView {
    return { name: o.name, version: v.version, attrs: v.attrs };
  }

  private bundle(core: VaultCore, key: string, version: string): KeyBundle {
    const o = core.keys.objects.get(key)!;
    return toKeyBundle(this.vid, this.view(o, o.versions.get(version)!), core.retentionDays);
  }

  // ------------------------------------------------------------ new versions

  /** Checks a new version's attributes; key_ops default to every operation its type can perform. */
  private versionAttrs(opts: KeyVersionOptions, shape: KeyShape, fallbackOps?: unknown): Omit<KeyVersionRecord, 't' | 'name' | 'version' | 'blob' | 'origin' | 'kty' | 'size' | 'crv' | 'pub'> {
    if (opts.enabled !== undefined && typeof opts.enabled !== 'boolean') throw badParameter('enabled must be true or false.');
    if (opts.exportable !== undefined && typeof opts.exportable !== 'boolean') throw badParameter('exportable must be true or false.');
    if (opts.tags !== undefined) validateKeyTags(opts.tags);
    validateTimes(opts.nbf, opts.exp);
    const ops = opts.keyOps ?? fallbackOps;
    return {
      key_ops: ops === undefined ? defaultKeyOps(shape) : validateKeyOps(ops, shape),
      enabled: opts.enabled ?? true,
      exportable: opts.exportable ?? false,
      ...(opts.nbf !== undefined ? { nbf: opts.nbf } : {}),
      ...(opts.exp !== undefined ? { exp: opts.exp } : {}),
      ...(opts.tags !== undefined ? { tags: { ...opts.tags } } : {}),
    };
  }

  /** One commit with one new version holding `m`'s material; `m` stays the caller's to dispose. */
  private async writeVersion(name: string, m: KeyMaterial, origin: KeyVersionRecord['origin'], attrs: ReturnType<KeysOperations['versionAttrs']>): Promise<KeyBundle> {
    const desc = m.describe();
    const blob = encodePrivate(m);
    try {
      return await this.v.write((core) => {
        const o = core.keys.objects.get(nameKey(name));
        this.notManaged(o, origin);
        if (o?.deleted) throw keyDeletedButRecoverable(o.name);
        const version = newVersionId();
        const record: KeyVersionRecord = {
          t: 'key',
          name: o?.name ?? name,
          version,
          blob: 0,
          origin,
          kty: desc.kty,
          ...attrs,
          ...(desc.size !== undefined ? { size: desc.size } : {}),
          ...(desc.crv !== undefined ? { crv: desc.crv } : {}),
          ...(desc.pub !== undefined ? { pub: desc.pub } : {}),
        };
        return { pending: { records: [record], values: [blob] }, result: (c) => this.bundle(c, nameKey(name), version) };
      });
    } finally {
      wipe(blob);
    }
  }

  create(input: CreateKeyInput): Promise<KeyBundle> {
    return this.logged('KeyCreate', input?.name, async () => {
      this.v.require('keys/create');
      validateKeyName(input.name);
      // Checked before a generation that may take seconds (RSA-4096).
      const spec = checkKeySpec(withDefaultSize(input));
      const attrs = this.versionAttrs(input, spec);
      const m = await generateKey({ ...spec, ...(input.publicExponent !== undefined ? { publicExponent: input.publicExponent } : {}) });
      try {
        return await this.writeVersion(input.name, m, 'create', attrs);
      } finally {
        m.dispose();
      }
    });
  }

  import(input: ImportKeyInput): Promise<KeyBundle> {
    return this.logged('KeyImport', input?.name, async () => {
      this.v.require('keys/import');
      validateKeyName(input.name);
      const key = input.key as { jwk?: Record<string, unknown>; pem?: unknown; password?: Uint8Array | string } | undefined;
      if (!key || (key.jwk === undefined) === (key.pem === undefined)) throw badParameter('Import takes a JWK or PEM text (one of them).');
      if (key.pem !== undefined && typeof key.pem !== 'string') throw badParameter('PEM input must be text.');
      const m = key.jwk !== undefined ? importJwk(key.jwk) : importPem(key.pem as string, key.password);
      try {
        // Key Vault's ImportKey takes key_ops from the JWK.
        return await this.writeVersion(input.name, m, 'import', this.versionAttrs(input, m, key.jwk?.key_ops));
      } finally {
        m.dispose();
      }
    });
  }

  // ------------------------------------------------------------------ reads

  async get(name: string, version?: string): Promise<KeyBundle> {
    return this.readVersion(name, version, (o, v) => toKeyBundle(this.vid, this.view(o, v), this.core.retentionDays));
  }

  /** One version read with keys/read, recorded as KeyGet with the version it read. */
  private readVersion<T>(name: string, version: string | undefined, read: (o: KeyObject, v: KeyVersion) => T): Promise<T> {
    let ver: string | undefined;
    return this.logged(
      'KeyGet',
      name,
      () => {
        this.v.require('keys/read');
        const o = this.live(name);
        const v = this.version(o, version);
        ver = v.version;
        return read(o, v);
      },
      () => ver,
    );
  }

  list(): KeyItem[] {
    return this.liveKeys().map((o) => toKeyItem(this.vid, this.view(o, newestVersion(o)), this.core.retentionDays, { versionless: true }));
  }

  listWithShapes(): (KeyItem & KeyShapeInfo)[] {
    return this.liveKeys().map((o) => {
      const v = newestVersion(o);
      const a = v.attrs;
      return {
        ...toKeyItem(this.vid, this.view(o, v), this.core.retentionDays, { versionless: true }),
        kty: a.kty,
        ...(a.size !== undefined ? { size: a.size } : {}),
        ...(a.crv !== undefined ? { crv: a.crv } : {}),
      };
    });
  }

  /** GetKeys: the live keys in name-key order, audited as KeyList. */
  private liveKeys(): KeyObject[] {
    this.v.require('keys/read');
    const live: KeyObject[] = [];
    for (const o of this.core.keys.objects.values()) if (!o.deleted) live.push(o);
    live.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    this.v.auditBehind('KeyList', 'ok');
    return live;
  }

  listVersions(name: string): KeyItem[] {
    this.v.require('keys/read');
    const o = this.live(name);
    this.v.auditBehind('KeyListVersions', 'ok', { object: o.name });
    return o.order.map((id) => toKeyItem(this.vid, this.view(o, o.versions.get(id)!), this.core.retentionDays, { versionless: false }));
  }

  // ----------------------------------------------------------------- update

  update(name: string, version: string | undefined, patch: KeyAttributesPatch): Promise<KeyBundle> {
    return this.logged('KeyUpdate', name, () => {
      this.v.require('keys/update');
      if (patch === null || typeof patch !== 'object') throw badParameter('An update takes attributes to change.');
      if (patch.tags !== undefined) validateKeyTags(patch.tags);
      if (patch.enabled !== undefined && typeof patch.enabled !== 'boolean') throw badParameter('enabled must be true or false.');
      return this.v.write((core) => {
        const o = this.live(name, core);
        this.notManaged(o, 'update');
        const v = this.version(o, version);
        const nbf = patch.nbf === undefined ? v.attrs.nbf : patch.nbf ?? undefined;
        const exp = patch.exp === undefined ? v.attrs.exp : patch.exp ?? undefined;
        validateTimes(nbf, exp);
        const { set, clear } = attributeUpdate(patch, ['nbf', 'exp'] as const);
        if (patch.keyOps !== undefined) set.key_ops = validateKeyOps(patch.keyOps, v.attrs);
        const id = v.version;
        return {
          pending: { records: [{ t: 'key.update', name: o.name, version: id, set, clear } as VaultRecord] },
          result: (c) => this.bundle(c, o.key, id),
        };
      });
    });
  }

  // --------------------------------------------------------- backup/restore

  backup(name: string): Promise<Uint8Array> {
    return this.logged('KeyBackup', name, () => {
      this.v.require('keys/backup');
      return sealBackupEnvelope(this.core, 'keys', this.backupData(this.live(name)));
    });
  }

  /** What a backup of `o` holds: every version with its material, and the rotation policy (of a deleted key too, when the vault is re-founded). */
  backupData(o: KeyObject): KeyBackupData {
    const versions = o.order.map((id) => {
      const v = o.versions.get(id)!;
      const value = this.core.readKindValue(keysKind, o, v, 'key');
      try {
        const { origin: _origin, ...attrs } = v.attrs;
        return { ...attrs, version: v.version, value: toB64u(value) };
      } finally {
        wipe(value);
      }
    });
    const policy = this.core.keys.policies.get(o.key)?.policy;
    return { kind: 'key', name: o.name, versions, ...(policy ? { policy } : {}) };
  }

  restore(blob: Uint8Array): Promise<KeyBundle> {
    return this.logged('KeyRestore', undefined, async () => {
      this.v.require('keys/restore');
      const { name, records, values } = this.checkBackup(openBackupEnvelope(this.core, 'keys', blob, 'key'));
      try {
        return await this.v.write((core) => {
          const o = core.keys.objects.get(nameKey(name));
          if (o?.deleted) throw keyDeletedButRecoverable(o.name);
          if (o) throw new CofferError('Conflict', `Key ${o.name} already exists; restore needs a name that is not in use.`);
          const latest = (records.filter((r) => r.t === 'key') as KeyVersionRecord[]).at(-1)!.version;
          return { pending: { records: records.map((r) => ({ ...r })) as VaultRecord[], values }, result: (c) => this.bundle(c, nameKey(name), latest) };
        });
      } finally {
        wipe(...values);
      }
    });
  }

  /**
   * A backup is input like any other: each version becomes the record a fresh open
   * validates (keyRecordSchemas), and its material must decode and match its public
   * key, so a crafted backup is refused here, never written for others to reject.
   */
  private checkBackup(raw: unknown): { name: string; records: (KeyVersionRecord | Extract<VaultRecord, { t: 'key.policy' }>)[]; values: Uint8Array[] } {
    const bad = (m: string): CofferError => new CofferError('BadParameter', `The key backup is invalid: ${m}`);
    const data = raw as KeyBackupData;
    if (data === null || typeof data !== 'object' || data.kind !== 'key') throw new CofferError('BadParameter', 'The file is not a Coffer key backup, or it is damaged.');
    validateKeyName(data.name);
    if (!Array.isArray(data.versions) || data.versions.length === 0 || data.versions.length > MAX_BACKUP_VERSIONS) throw bad('it holds no versions, or too many');
    const values: Uint8Array[] = [];
    const records: (KeyVersionRecord | Extract<VaultRecord, { t: 'key.policy' }>)[] = [];
    const seen = new Set<string>();
    try {
      data.versions.forEach((v, i) => {
        const what = `version ${i + 1}`;
        if (v === null || typeof v !== 'object') throw bad(`${what} is not an object`);
        const { value, ...fields } = v;
        const record = { ...fields, t: 'key', name: data.name, blob: 0, origin: 'restore' } as KeyVersionRecord;
        try {
          keyRecordSchemas.key.validate(record as unknown as Record<string, unknown>, what, { blobCount: 1 });
        } catch (e) {
          if (e instanceof SchemaError) throw bad(e.message);
          throw e;
        }
        if (record.created === undefined || record.updated === undefined) throw bad(`${what} has no creation or update time`);
        if (seen.has(record.version)) throw bad(`${what}: its version id appears twice`);
        seen.add(record.version);
        let bytes: Uint8Array;
        try {
          bytes = fromB64u(value);
        } catch {
          throw bad(`${what} has no readable key material`);
        }
        values.push(bytes);
        try {
          decodePrivate(describe(record as unknown as KeyAttributes), bytes).dispose();
        } catch (e) {
          if (e instanceof CofferError) throw bad(`${what}: ${e.message}`);
          throw e;
        }
        records.push(record);
      });
      if (data.policy !== undefined) {
        const r = { t: 'key.policy' as const, name: data.name, policy: data.policy };
        try {
          keyRecordSchemas['key.policy'].validate(r as unknown as Record<string, unknown>, 'its rotation policy');
        } catch (e) {
          if (e instanceof SchemaError) throw bad(e.message);
          throw e;
        }
        records.push(r);
      }
    } catch (e) {
      wipe(...values);
      throw e;
    }
    return { name: data.name, records, values };
  }

  // --------------------------------------------------------------- rotation

  rotate(name: string): Promise<KeyBundle> {
    return this.logged('KeyRotate', name, () => this.rotateNow(name));
  }

  /** RotateKey: new material of the latest version's type and size or curve, its key_ops, tags and exportability; exp from the policy. */
  private async rotateNow(name: string): Promise<KeyBundle> {
    this.v.require('keys/rotate');
    const o = this.live(name);
    this.notManaged(o, 'rotate');
    const a = newestVersion(o).attrs;
    const policy = this.core.keys.policies.get(o.key)?.policy;
    const m = await generateKey({ kty: a.kty, ...(a.size !== undefined ? { size: a.size } : {}), ...(a.crv !== undefined ? { crv: a.crv } : {}) });
    try {
      const exp = policy?.expiryTime === undefined ? undefined : addDuration(nowSeconds(), parseDuration(policy.expiryTime, 'expiryTime'));
      return await this.writeVersion(o.name, m, 'rotate', {
        key_ops: [...a.key_ops],
        enabled: true,
        exportable: a.exportable,
        ...(exp !== undefined ? { exp } : {}),
        ...(a.tags !== undefined ? { tags: { ...a.tags } } : {}),
      });
    } finally {
      m.dispose();
    }
  }

  getRotationPolicy(name: string): Promise<KeyRotationPolicy> {
    return this.logged('KeyRotationPolicyGet', name, () => {
      this.v.require('keyrotationpolicies/read');
      const o = this.live(name);
      return toRotationPolicy(this.vid, o.name, this.core.keys.policies.get(o.key));
    });
  }

  updateRotationPolicy(name: string, input: RotationPolicyInput): Promise<KeyRotationPolicy> {
    return this.logged('KeyRotationPolicySet', name, () => {
      this.v.require('keyrotationpolicies/write');
      const policy = validateRotationPolicy(input);
      return this.v.write((core) => {
        const o = this.live(name, core);
        this.notManaged(o, 'rotation policy');
        return {
          pending: { records: [{ t: 'key.policy', name: o.name, policy }] },
          result: (c) => toRotationPolicy(this.vid, o.name, c.keys.policies.get(o.key)),
        };
      });
    });
  }

  rotateDue(now = nowSeconds()): Promise<RotateDueResult> {
    return this.logged('KeyRotateIfDue', undefined, async () => {
      this.v.require('keys/rotate');
      if (!Number.isSafeInteger(now)) throw badParameter('now must be Unix seconds.');
      const due: string[] = [];
      for (const o of this.core.keys.objects.values()) {
        if (o.deleted) continue;
        const latest = newestVersion(o).attrs;
        const at = rotationDueAt(this.core.keys.policies.get(o.key)?.policy, latest.created, latest.exp);
        if (at !== undefined && now >= at) due.push(o.name);
      }
      const result: RotateDueResult = { rotated: [], failed: [] };
      // One commit per key: a rotation that fails leaves that key's versions as they were, for the next run.
      for (const name of due.sort()) {
        try {
          const b = await this.rotate(name);
          result.rotated.push({ name, kid: b.key.kid });
        } catch (e) {
          if (!(e instanceof CofferError)) throw e;
          result.failed.push({ name, code: e.innerCode ?? e.code, message: e.message });
        }
      }
      return result;
    });
  }

  // ------------------------------------------------- cryptographic operations

  /**
   * Key Vault's checks, in order: the role's permission, the version enabled
   * (KeyDisabled), the operation in its key_ops (KeyOperationForbidden), its
   * nbf/exp window unless the operation still works outside it (decrypt,
   * unwrapKey, verify: D-keyd), the algorithm for this key. Then the material:
   * the public part from the record, or the private part from the value blob
   * when the operation needs it, kept decoded for a moment after its last use
   * (recent-material.ts) and disposed then.
   */
  private useKey<T>(op: KeyOperation, name: string, version: string | undefined, alg: unknown, run: (m: KeyMaterial, kid: string) => T): Promise<T> {
    let ver: string | undefined;
    return this.logged(
      AUDIT_OP[op],
      name,
      () => {
        const rule = OPERATIONS[op];
        this.v.require(rule.permission, { collection: 'keys', name });
        const o = this.live(name);
        const v = this.version(o, version);
        ver = v.version;
        const a = v.attrs;
        if (!a.enabled) throw keyDisabled(op);
        if (!a.key_ops.includes(rule.keyOp)) throw keyOperationForbidden(op);
        if (!rule.outsideValidity) {
          const now = nowSeconds();
          if (a.nbf !== undefined && now < a.nbf) throw keyNotValidNow(op, 'notYetValid');
          if (a.exp !== undefined && now >= a.exp) throw keyNotValidNow(op, 'expired');
        }
        checkAlgorithm(a, op, alg);
        const needsPrivate = rule.usesPrivate || a.kty === 'oct';
        // Material is immutable per version: a private part is named by its blob, a public one by its version.
        const id = needsPrivate ? `private:${v.blob ?? ''}` : `public:${o.key}/${v.version}`;
        return this.recent.use(id, () => this.material(o, v, needsPrivate), (m) => run(m, keyId(this.vid, o.name, v.version)));
      },
      () => ver,
    );
  }

  private material(o: KeyObject, v: KeyVersion, needsPrivate: boolean): KeyMaterial {
    const desc = describe(v.attrs);
    if (!needsPrivate) return publicKeyMaterial(desc);
    const blob = this.core.readKindValue(keysKind, o, v, 'key');
    try {
      return decodePrivate(desc, blob);
    } finally {
      wipe(blob);
    }
  }

  encrypt(name: string, version: string | undefined, input: KeyCipherInput): Promise<KeyOperationResult> {
    return this.useKey('encrypt', name, version, input?.algorithm, (m, kid) =>
      result(kid, encrypt(m, input.algorithm, { value: input.value, ...(input.iv !== undefined ? { iv: input.iv } : {}), ...(input.aad !== undefined ? { aad: input.aad } : {}), ...(input.tag !== undefined ? { tag: input.tag } : {}) })),
    );
  }

  decrypt(name: string, version: string | undefined, input: KeyCipherInput): Promise<KeyOperationResult> {
    return this.useKey('decrypt', name, version, input?.algorithm, (m, kid) =>
      result(kid, decrypt(m, input.algorithm, { value: input.value, ...(input.iv !== undefined ? { iv: input.iv } : {}), ...(input.aad !== undefined ? { aad: input.aad } : {}), ...(input.tag !== undefined ? { tag: input.tag } : {}) }), true),
    );
  }

  wrapKey(name: string, version: string | undefined, input: KeyCipherInput): Promise<KeyOperationResult> {
    return this.useKey('wrapKey', name, version, input?.algorithm, (m, kid) => {
      noExtras(input, 'wrapKey');
      return result(kid, wrapKey(m, input.algorithm, input.value));
    });
  }

  unwrapKey(name: string, version: string | undefined, input: KeyCipherInput): Promise<KeyOperationResult> {
    return this.useKey('unwrapKey', name, version, input?.algorithm, (m, kid) => {
      noExtras(input, 'unwrapKey');
      return result(kid, unwrapKey(m, input.algorithm, input.value), true);
    });
  }

  sign(name: string, version: string | undefined, input: KeySignInput): Promise<KeyOperationResult> {
    return this.useKey('sign', name, version, input?.algorithm, (m, kid) => {
      const { digest, data } = signed(input);
      return result(kid, digest !== undefined ? sign(m, input.algorithm, digest) : signData(m, input.algorithm, data!));
    });
  }

  verify(name: string, version: string | undefined, input: KeyVerifyInput): Promise<KeyVerifyResult> {
    return this.useKey('verify', name, version, input?.algorithm, (m) => {
      const { digest, data } = signed(input);
      return { value: digest !== undefined ? verify(m, input.algorithm, digest, input.signature) : verifyData(m, input.algorithm, data!, input.signature) };
    });
  }

  details(name: string, version?: string): Promise<KeyDetailsView<KeyBundle>> {
    return this.readVersion(name, version, (o, v) => {
      const view: KeyDetailsView<KeyBundle> = { bundle: toKeyBundle(this.vid, this.view(o, v), this.core.retentionDays), algorithms: algorithmsOf(v.attrs) };
      // S-key GetKey: "If the requested key is symmetric, then no key material is released".
      if (v.attrs.kty === 'oct') return view;
      const m = this.material(o, v, false);
      try {
        return { ...view, pem: exportPublicPem(m) };
      } finally {
        m.dispose();
      }
    });
  }

  // ----------------------------------------------------------------- export

  exportKey(name: string, version: string | undefined, options: ExportKeyOptions = {}): Promise<ExportedKey> {
    const includePrivate = options.includePrivate === true;
    let ver: string | undefined;
    return this.logged(
      includePrivate ? 'KeyRelease' : 'KeyGet',
      name,
      () => {
        const format = options.format ?? 'jwk';
        if (format !== 'jwk' && format !== 'pem') throw badParameter('The export format is jwk or pem.');
        if (options.password !== undefined && (!includePrivate || format !== 'pem')) throw badParameter('A password encrypts a private PEM export only.');
        this.v.require(includePrivate ? 'keys/release' : 'keys/read', { collection: 'keys', name });
        const o = this.live(name);
        const v = this.version(o, version);
        ver = v.version;
        if (includePrivate) {
          if (!v.attrs.exportable) throw keyNotExportable(o.name);
          if (!v.attrs.enabled) throw keyDisabled('export');
        }
        const m = this.material(o, v, includePrivate);
        try {
          const kid = keyId(this.vid, o.name, v.version);
          if (format === 'pem') return { kid, pem: includePrivate ? exportPrivatePem(m, options.password) : exportPublicPem(m) };
          const jwk = includePrivate ? exportPrivateJwk(m) : exportPublicJwk(m);
          return { kid, jwk: { ...jwk } as Record<string, string> };
        } finally {
          m.dispose();
        }
      },
      () => ver,
    );
  }
}

/**
 * CreateKey's defaults when key_size or crv is left out: RSA 2048 bits (Key Vault
 * creates a 2048-bit key from {"kty":"RSA"}), EC P-256, oct 256 bits, OKP Ed25519.
 */
function withDefaultSize(input: CreateKeyInput): KeySpec {
  const spec: KeySpec = { kty: input.kty, ...(input.size !== undefined ? { size: input.size } : {}), ...(input.crv !== undefined ? { crv: input.crv } : {}) };
  if (input.publicExponent !== undefined) spec.publicExponent = input.publicExponent;
  if (spec.size === undefined && spec.crv === undefined) {
    if (spec.kty === 'RSA') spec.size = 2048;
    else if (spec.kty === 'oct') spec.size = 256;
    else if (spec.kty === 'EC') spec.crv = 'P-256';
    else if (spec.kty === 'OKP') spec.crv = 'Ed25519';
  }
  return spec;
}

/** KeyOperationResult with base64url members; a decrypted or unwrapped value's bytes are zeroed once encoded. */
function result(kid: string, r: { value: Uint8Array; iv?: Uint8Array; tag?: Uint8Array; aad?: Uint8Array }, secret = false): KeyOperationResult {
  try {
    return {
      kid,
      value: toB64u(r.value),
      ...(r.iv !== undefined ? { iv: toB64u(r.iv) } : {}),
      ...(r.tag !== undefined ? { tag: toB64u(r.tag) } : {}),
      ...(r.aad !== undefined ? { aad: toB64u(r.aad) } : {}),
    };
  } finally {
    if (secret) wipe(r.value);
  }
}

/** wrapKey and unwrapKey take the key to wrap only (S-key KeyOperationsParameters: iv, aad and tag are for AES encryption). */
function noExtras(input: KeyCipherInput, op: string): void {
  for (const k of ['iv', 'aad', 'tag'] as const) if (input[k] !== undefined) throw badParameter(`${k} is not used by ${op}.`);
}

/** Exactly one of digest (Key Vault's) and data (hashed here). */
function signed(input: KeySignInput): { digest?: Uint8Array; data?: Uint8Array } {
  if ((input.digest === undefined) === (input.data === undefined)) throw badParameter('Sign and verify take a digest or the data (one of them).');
  return input.digest !== undefined ? { digest: input.digest } : { data: input.data! };
}

export type { KeyOp };

/**
 * What the version can do, per operation: those in its key_ops (Key Vault
 * refuses the others with KeyOperationForbidden), each with the algorithms of
 * the table that fit its type, size or curve. RSA1_5 only where it works:
 * encrypt and wrapKey are public-key operations and take it, while decrypt and
 * unwrapKey, which need the private key, refuse it (RSA1_5_DISABLED). Enabled
 * and nbf/exp are left to the bundle's attributes, as the operations report
 * them at the time of use.
 */
function algorithmsOf(a: KeyAttributes): Partial<Record<KeyOperation, string[]>> {
  const out: Partial<Record<KeyOperation, string[]>> = {};
  for (const op of KEY_OPERATIONS) {
    if (!a.key_ops.includes(OPERATIONS[op].keyOp)) continue;
    const algs = usableAlgorithms(a, op);
    if (algs.length > 0) out[op] = algs;
  }
  return out;
}
