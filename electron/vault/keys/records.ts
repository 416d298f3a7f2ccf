/**
 * Key records (format version 2; FORMAT.md §7.5): Key Vault keys
 * (AKV-REFERENCE.md §2) with their versions, attributes, soft delete and
 * rotation policy. A version's public half is in the record (scope `meta`:
 * every member, Readers included, sees public keys); its private or symmetric
 * material is the version's value blob, sealed under the `keys` scope.
 */
import { managedFlag } from '../secrets/records.js';
import { bad, b64, bool, checkTags, fields, int, isInt, isObj, isoDuration, list, NAME, oneOf, str, VERSION, type Fields } from '../format/schema.js';
import type { KeyLifetimeAction } from '../../../shared/keyvault.js';
import type { KeyPermission } from './permissions.js';
import type { CertificatePermission } from '../certificates/permissions.js';
import { describeNamed } from '../state/record-change.js';
import { EC_CURVES, KEY_OPS, KEY_TYPES, OCT_SIZES, OKP_CURVES, RSA_SIZES, type KeyOp, type KeyType } from '../../../shared/key-types.js';

export { EC_CURVES, KEY_OPS, KEY_TYPES, OCT_SIZES, OKP_CURVES, RSA_SIZES, type KeyOp, type KeyType };
/** How a version came to be; each needs its own Key Vault permission. A certificate's key is made by certificate operations. */
export const KEY_ORIGINS = ['create', 'import', 'rotate', 'restore', 'certificate'] as const;

/** The public JWK members of each key type (RFC 7517/7518/8037), base64url. */
export interface PublicJwk {
  n?: string;
  e?: string;
  x?: string;
  y?: string;
}

export interface KeyVersionRecord {
  t: 'key';
  name: string;
  version: string;
  blob: number;
  origin: (typeof KEY_ORIGINS)[number];
  kty: KeyType;
  key_ops: KeyOp[];
  enabled: boolean;
  exportable: boolean;
  size?: number;
  crv?: string;
  pub?: PublicJwk;
  nbf?: number;
  exp?: number;
  tags?: Record<string, string>;
  created?: number;
  updated?: number;
}

export interface KeyAttrSet {
  enabled?: boolean;
  nbf?: number;
  exp?: number;
  key_ops?: KeyOp[];
  tags?: Record<string, string>;
}

/** A key's rotation policy as its record holds it: Key Vault's lifetimeActions, and expiryTime out of `attributes`. */
export interface RotationPolicy {
  lifetimeActions: KeyLifetimeAction[];
  expiryTime?: string;
}

export type KeyRecord =
  | KeyVersionRecord
  | { t: 'key.update'; name: string; version: string; set: KeyAttrSet; clear: ('nbf' | 'exp')[]; managed?: true }
  | { t: 'key.delete'; name: string; managed?: true }
  | { t: 'key.recover'; name: string; managed?: true }
  | { t: 'key.purge'; name: string; versions: string[]; managed?: true }
  | { t: 'key.policy'; name: string; policy: RotationPolicy };

const ops = (v: unknown, what: string): KeyOp[] => {
  const l = list(v, KEY_OPS.length, what, (x, w) => oneOf(x, KEY_OPS, w));
  if (new Set(l).size !== l.length) bad(`${what} lists an operation twice`);
  return l;
};

/** Size or curve, and the public members, as each key type has them. */
function shape(v: Fields, what: string): void {
  switch (v.kty) {
    case 'RSA':
      if (!(RSA_SIZES as readonly unknown[]).includes(v.size)) bad(`${what}.size is invalid`);
      if (v.crv !== undefined) bad(`${what}.crv is not for RSA`);
      if (!isObj(v.pub)) return void bad(`${what}.pub is invalid`);
      fields(v.pub, ['n', 'e'], [], `${what}.pub`);
      if (b64(v.pub.n, `${what}.pub.n`).length * 6 < (v.size as number) - 8) bad(`${what}.pub.n does not match the size`);
      b64(v.pub.e, `${what}.pub.e`);
      return;
    case 'EC':
    case 'OKP':
      if (v.size !== undefined) bad(`${what}.size is not for ${v.kty}`);
      oneOf(v.crv, v.kty === 'EC' ? EC_CURVES : OKP_CURVES, `${what}.crv`);
      if (!isObj(v.pub)) return void bad(`${what}.pub is invalid`);
      fields(v.pub, v.kty === 'EC' ? ['x', 'y'] : ['x'], [], `${what}.pub`);
      b64(v.pub.x, `${what}.pub.x`);
      if (v.kty === 'EC') b64(v.pub.y, `${what}.pub.y`);
      return;
    case 'oct':
      if (!(OCT_SIZES as readonly unknown[]).includes(v.size)) bad(`${what}.size is invalid`);
      // Symmetric material is never public (S-key GetKey: "no key material is released").
      if (v.crv !== undefined || v.pub !== undefined) bad(`${what}: an oct key has no curve and no public part`);
      return;
  }
}

function times(o: Fields, what: string, keys: readonly string[]): void {
  for (const k of keys) if (o[k] !== undefined && !isInt(o[k])) bad(`${what}.${k} is invalid`);
}

function policy(v: unknown, what: string): void {
  if (!isObj(v)) return void bad(`${what} is invalid`);
  fields(v, ['lifetimeActions'], ['expiryTime'], what);
  // At most two actions, one of each type (S-key KeyRotationPolicy).
  const actions = list(v.lifetimeActions, 2, `${what}.lifetimeActions`, (a, w) => {
    if (!isObj(a) || !isObj(a.trigger) || !isObj(a.action)) return bad(`${w} is invalid`);
    fields(a, ['trigger', 'action'], [], w);
    fields(a.trigger, [], ['timeAfterCreate', 'timeBeforeExpiry'], `${w}.trigger`);
    const triggers = Object.keys(a.trigger);
    if (triggers.length !== 1) bad(`${w}.trigger needs exactly one of timeAfterCreate and timeBeforeExpiry`);
    str(a.trigger[triggers[0]!], isoDuration, `${w}.trigger.${triggers[0]}`);
    fields(a.action, ['type'], [], `${w}.action`);
    const type = oneOf(a.action.type, ['Rotate', 'Notify'] as const, `${w}.action.type`);
    if (type === 'Notify' && triggers[0] === 'timeAfterCreate') bad(`${w}: Notify takes timeBeforeExpiry`);
    return type;
  });
  if (new Set(actions).size !== actions.length) bad(`${what}.lifetimeActions has two actions of one type`);
  if (v.expiryTime !== undefined) str(v.expiryTime, isoDuration, `${what}.expiryTime`);
}

const ORIGIN_PERMISSION: Record<KeyVersionRecord['origin'], KeyPermission | CertificatePermission> = {
  create: 'keys/create',
  import: 'keys/import',
  rotate: 'keys/rotate',
  restore: 'keys/restore',
  certificate: 'certificates/create',
};

export const keyRecordSchemas = {
  key: {
    validate(v: Fields, what: string, ctx: { blobCount: number }): void {
      fields(v, ['t', 'name', 'version', 'blob', 'origin', 'kty', 'key_ops', 'enabled', 'exportable'], ['size', 'crv', 'pub', 'nbf', 'exp', 'tags', 'created', 'updated'], what);
      str(v.name, NAME, `${what}.name`);
      str(v.version, VERSION, `${what}.version`);
      int(v.blob, 0, ctx.blobCount - 1, `${what}.blob`);
      oneOf(v.origin, KEY_ORIGINS, `${what}.origin`);
      oneOf(v.kty, KEY_TYPES, `${what}.kty`);
      ops(v.key_ops, `${what}.key_ops`);
      bool(v.enabled, `${what}.enabled`);
      bool(v.exportable, `${what}.exportable`);
      shape(v, what);
      times(v, what, ['nbf', 'exp', 'created', 'updated']);
      if (v.tags !== undefined) checkTags(v.tags, `${what}.tags`);
    },
    permission: (r: KeyVersionRecord): string => ORIGIN_PERMISSION[r.origin],
    writesValue: true,
    since: 2,
  },
  'key.update': {
    validate(v: Fields, what: string): void {
      fields(v, ['t', 'name', 'version', 'set', 'clear'], ['managed'], what);
      managedFlag(v, what);
      str(v.name, NAME, `${what}.name`);
      str(v.version, VERSION, `${what}.version`);
      if (!isObj(v.set)) return void bad(`${what}.set is invalid`);
      fields(v.set, [], ['enabled', 'nbf', 'exp', 'key_ops', 'tags'], `${what}.set`);
      if (v.set.enabled !== undefined) bool(v.set.enabled, `${what}.set.enabled`);
      times(v.set, `${what}.set`, ['nbf', 'exp']);
      if (v.set.key_ops !== undefined) ops(v.set.key_ops, `${what}.set.key_ops`);
      if (v.set.tags !== undefined) checkTags(v.set.tags, `${what}.set.tags`);
      list(v.clear, 2, `${what}.clear`, (x, w) => oneOf(x, ['nbf', 'exp'] as const, w));
    },
    permission: (r: { managed?: true }): KeyPermission | CertificatePermission => (r.managed ? 'certificates/update' : 'keys/update'),
    since: 2,
  },
  // A record on a certificate's key says so (secrets/records.ts managedFlag).
  'key.delete': { validate: nameOrManaged, permission: (r: { managed?: true }): KeyPermission | CertificatePermission => (r.managed ? 'certificates/delete' : 'keys/delete'), since: 2 },
  'key.recover': { validate: nameOrManaged, permission: (r: { managed?: true }): KeyPermission | CertificatePermission => (r.managed ? 'certificates/recover' : 'keys/recover'), since: 2 },
  'key.purge': {
    validate(v: Fields, what: string): void {
      fields(v, ['t', 'name', 'versions'], ['managed'], what);
      managedFlag(v, what);
      str(v.name, NAME, `${what}.name`);
      list(v.versions, 100_000, `${what}.versions`, (x, w) => str(x, VERSION, w));
    },
    permission: (r: { managed?: true }): KeyPermission | CertificatePermission => (r.managed ? 'certificates/purge' : 'keys/purge'),
    since: 2,
  },
  'key.policy': {
    validate(v: Fields, what: string): void {
      fields(v, ['t', 'name', 'policy'], [], what);
      str(v.name, NAME, `${what}.name`);
      policy(v.policy, `${what}.policy`);
    },
    permission: (): KeyPermission => 'keyrotationpolicies/write',
    since: 2,
  },
} as const;

export function nameOnly(v: Fields, what: string): void {
  fields(v, ['t', 'name'], [], what);
  str(v.name, NAME, `${what}.name`);
}

function nameOrManaged(v: Fields, what: string): void {
  fields(v, ['t', 'name'], ['managed'], what);
  managedFlag(v, what);
  str(v.name, NAME, `${what}.name`);
}

/** How the vault's history names key records (state/record-change.ts). */
export const describeKeyRecord = describeNamed('keys', {
  key: 'new version',
  'key.update': 'attributes',
  'key.delete': 'deleted',
  'key.recover': 'recovered',
  'key.purge': 'purged',
  'key.policy': 'rotation policy',
});
