/**
 * The secret records inside a commit's body (FORMAT.md §7.4): their schema and
 * the permission each one needs. Values are never in a record: a `secret`
 * record points at a value blob of its commit by index.
 */
import { MAX_CONTENT_TYPE } from './rules.js';
import { bad, checkTags, fields, isInt, isObj, NAME, str, VERSION, type Fields } from '../format/schema.js';
import type { SecretPermission } from './permissions.js';
import type { CertificatePermission } from '../certificates/permissions.js';
import { describeNamed } from '../state/record-change.js';

export interface SecretAttrSet {
  enabled?: boolean;
  nbf?: number;
  exp?: number;
  contentType?: string;
  tags?: Record<string, string>;
}

export interface SecretVersionRecord {
  t: 'secret';
  name: string;
  version: string;
  /** Index into the commit's clear `blobs` list. */
  blob: number;
  enc: 'utf8' | 'binary';
  enabled: boolean;
  contentType?: string;
  tags?: Record<string, string>;
  nbf?: number;
  exp?: number;
  /** Set by restore, which keeps a backup's times (as Key Vault does). */
  created?: number;
  updated?: number;
  /** The secret of a certificate (Key Vault's managed secret), written by certificate operations. */
  managed?: true;
}

export type SecretRecord =
  | SecretVersionRecord
  | { t: 'secret.update'; name: string; version: string; set: SecretAttrSet; clear: ('nbf' | 'exp' | 'contentType')[]; managed?: true }
  | { t: 'secret.delete'; name: string; managed?: true }
  | { t: 'secret.recover'; name: string; managed?: true }
  | { t: 'secret.purge'; name: string; versions: string[]; managed?: true };

/**
 * A record on a certificate's secret says so (`managed: true`): certificate
 * operations write it, with the certificate permission, and it applies to
 * managed secrets only; a record without it applies to other secrets only
 * (secrets/state.ts), so neither role can reach the other's objects.
 */
export function managedFlag(v: Fields, what: string): void {
  if (v.managed !== undefined && v.managed !== true) bad(`${what}.managed is invalid`);
}

function attrs(o: Fields, what: string): void {
  if (o.enabled !== undefined && typeof o.enabled !== 'boolean') bad(`${what}.enabled is invalid`);
  for (const k of ['nbf', 'exp', 'created', 'updated'] as const) if (o[k] !== undefined && !isInt(o[k])) bad(`${what}.${k} is invalid`);
  if (o.contentType !== undefined && (typeof o.contentType !== 'string' || o.contentType.length > MAX_CONTENT_TYPE)) bad(`${what}.contentType is invalid`);
  if (o.tags !== undefined) checkTags(o.tags, `${what}.tags`);
}

export const secretRecordSchemas = {
  secret: {
    validate(v: Fields, what: string, ctx: { blobCount: number }): void {
      fields(v, ['t', 'name', 'version', 'blob', 'enc', 'enabled'], ['contentType', 'tags', 'nbf', 'exp', 'created', 'updated', 'managed'], what);
      if (v.managed !== undefined && v.managed !== true) bad(`${what}.managed is invalid`);
      str(v.name, NAME, `${what}.name`);
      str(v.version, VERSION, `${what}.version`);
      if (!isInt(v.blob) || v.blob < 0 || v.blob >= ctx.blobCount) bad(`${what}.blob is invalid`);
      if (v.enc !== 'utf8' && v.enc !== 'binary') bad(`${what}.enc is invalid`);
      attrs(v, what);
    },
    // A certificate's secret is written by certificate operations (a Certificates Officer creates it
    // without reading secrets, DECISIONS.md); a version that keeps a backup's times is a restore.
    permission: (r: SecretVersionRecord): SecretPermission | CertificatePermission =>
      r.managed ? 'certificates/create' : r.created !== undefined ? 'secrets/restore' : 'secrets/setSecret',
    writesValue: true,
  },
  'secret.update': {
    validate(v: Fields, what: string): void {
      fields(v, ['t', 'name', 'version', 'set', 'clear'], ['managed'], what);
      managedFlag(v, what);
      str(v.name, NAME, `${what}.name`);
      str(v.version, VERSION, `${what}.version`);
      if (!isObj(v.set)) return void bad(`${what}.set is invalid`);
      fields(v.set, [], ['enabled', 'nbf', 'exp', 'contentType', 'tags'], `${what}.set`);
      attrs(v.set, `${what}.set`);
      if (!Array.isArray(v.clear) || !v.clear.every((c) => c === 'nbf' || c === 'exp' || c === 'contentType')) bad(`${what}.clear is invalid`);
    },
    permission: (r: { managed?: true }): SecretPermission | CertificatePermission => (r.managed ? 'certificates/update' : 'secrets/update'),
  },
  'secret.delete': {
    validate(v: Fields, what: string): void {
      fields(v, ['t', 'name'], ['managed'], what);
      managedFlag(v, what);
      str(v.name, NAME, `${what}.name`);
    },
    permission: (r: { managed?: true }): SecretPermission | CertificatePermission => (r.managed ? 'certificates/delete' : 'secrets/delete'),
  },
  'secret.recover': {
    validate(v: Fields, what: string): void {
      fields(v, ['t', 'name'], ['managed'], what);
      managedFlag(v, what);
      str(v.name, NAME, `${what}.name`);
    },
    permission: (r: { managed?: true }): SecretPermission | CertificatePermission => (r.managed ? 'certificates/recover' : 'secrets/recover'),
  },
  'secret.purge': {
    validate(v: Fields, what: string): void {
      fields(v, ['t', 'name', 'versions'], ['managed'], what);
      managedFlag(v, what);
      str(v.name, NAME, `${what}.name`);
      if (!Array.isArray(v.versions)) bad(`${what}.versions is invalid`);
      (v.versions as unknown[]).forEach((x, j) => str(x, VERSION, `${what}.versions[${j}]`));
    },
    permission: (r: { managed?: true }): SecretPermission | CertificatePermission => (r.managed ? 'certificates/purge' : 'secrets/purge'),
  },
} as const;

/** How the vault's history names secret records (state/record-change.ts). */
export const describeSecretRecord = describeNamed('secrets', {
  secret: 'new version',
  'secret.update': 'attributes',
  'secret.delete': 'deleted',
  'secret.recover': 'recovered',
  'secret.purge': 'purged',
});
