/**
 * Roles on one object (Key Vault's object scope; VAULT-MODEL C6, V3, V5;
 * FORMAT.md §6.10). A grant wraps the data key of each version of the object's
 * value to the grantee directly, so they decrypt that object's values and no
 * other: a data key is derived one-way from its commit's batch key (§15 (3)),
 * so it opens no other version or object. Writers of later versions wrap their
 * data keys too (`grant.key`), to the grantees who are still members.
 *
 * Coffer grants the reading roles at object scope; writing still needs a role at
 * vault scope, because authorization by history (C5) reads roles from the
 * membership records only.
 */
import type { RoleName } from '../../../shared/keyvault.js';
import { checkCommitment, fromB64u, keyCommitment, toB64u, wipe } from '../crypto/index.js';
import { badParameter, CofferError, corrupted } from '../errors.js';
import { deriveDataKey, grantKeyContext, unwrapStanza, wrapToMember } from '../format/keys.js';
import type { GrantRecord, VaultRecord } from '../format/records.js';
import { nameKey } from '../secrets/rules.js';
import { KIND_RECORDS, OBJECT_KINDS } from '../state/kinds.js';
import { recordBlob, type ObjectKind } from '../state/object-kind.js';
import { objectId } from '../state/values.js';
import { VersionedObjects, type ObjectOf, type VersionOf } from '../state/versioned.js';
import type { VaultCore } from '../core.js';
import type { MemberState } from './authorize.js';
import { memberKeyId } from './identity.js';

/** A member's role on one object, as member lists show it. */
export interface ObjectGrant {
  /** `secrets/NAME`, `keys/NAME` or `certificates/NAME`. */
  object: string;
  role: RoleName;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyKind = ObjectKind<any>;

const GRANT_NAME = /^[0-9a-zA-Z-]{1,127}$/;

/** The kinds whose objects take roles, by collection. */
const GRANTABLE = new Map(OBJECT_KINDS.filter((k) => k.objectScope).map((k) => [k.collection, k]));

/** `secrets/NAME` (as typed) → its kind, the name, and the key grants are kept under (`secrets/name`). */
export function parseGrantObject(object: string): { kind: AnyKind; name: string; key: string } {
  const slash = object.indexOf('/');
  const kind = GRANTABLE.get(object.slice(0, slash));
  const name = object.slice(slash + 1);
  if (slash < 0 || !kind || !GRANT_NAME.test(name)) {
    throw badParameter(`"${object}" is not an object scope: give ${[...GRANTABLE.keys()].map((c) => `${c}/NAME`).join(', ')}.`);
  }
  return { kind, name, key: `${kind.collection}/${nameKey(name)}` };
}

/** The key a grant on `object` is folded under (names are case-insensitive, as in Key Vault). */
export function grantKey(object: string): string {
  const slash = object.indexOf('/');
  return `${object.slice(0, slash)}/${nameKey(object.slice(slash + 1))}`;
}

/** The grant objects whose grants open the values of `collection/name` (a secret's: the secret and its certificate). */
function coveringObjects(collection: string, name: string): string[] {
  return [...GRANTABLE.values()].filter((k) => k.objectScope!.valueCollection === collection).map((k) => `${k.collection}/${nameKey(name)}`);
}

const valueKindOf = (kind: AnyKind): AnyKind => OBJECT_KINDS.find((k) => k.collection === kind.objectScope!.valueCollection)!;

/** The roles `sign` holds by grants on the object whose values are `collection/name`. */
export function grantRoles(core: VaultCore, sign: string, collection: string, name: string): RoleName[] {
  const out: RoleName[] = [];
  for (const o of coveringObjects(collection, name)) {
    const g = core.state.grants.get(o)?.get(sign);
    if (g) out.push(g.role);
  }
  return out;
}

/** Each current member's grants, by signing key. */
export function grantsByMember(core: VaultCore): Map<string, ObjectGrant[]> {
  const out = new Map<string, ObjectGrant[]>();
  for (const [object, byMember] of core.state.grants) {
    for (const [sign, g] of byMember) out.set(sign, [...(out.get(sign) ?? []), { object, role: g.role }]);
  }
  for (const list of out.values()) list.sort((a, b) => (a.object < b.object ? -1 : a.object > b.object ? 1 : 0));
  return out;
}

function wrapDataKey(core: VaultCore, m: MemberState, collection: string, name: string, version: string, dk: Uint8Array): { key: GrantRecord['keys'][number]['key']; kc: string } {
  const ctx = grantKeyContext(core.vaultIdBytes, objectId(core.vaultIdBytes, collection, name), version, fromB64u(m.enc));
  return { key: wrapToMember(fromB64u(m.enc), dk, ctx), kc: toB64u(keyCommitment(dk)) };
}

/**
 * The `grant` record giving member `m` the role `role` on `object`: every version's data
 * key of the object's value, wrapped to them. The writer must read those values.
 */
export function buildGrant(core: VaultCore, m: MemberState, object: string, role: RoleName): GrantRecord {
  const { kind, name, key } = parseGrantObject(object);
  const roles = kind.objectScope!.roles;
  if (!roles.includes(role)) {
    throw badParameter(`At the scope of one ${kind.versions?.word ?? 'object'} Coffer grants ${roles.join(' or ')}; give other roles at vault scope.`);
  }
  const target = (core.state.of(kind) as VersionedObjects<unknown>).get(name);
  if (!target || target.deleted) throw new CofferError('NotFound', `No ${kind.versions?.word ?? 'object'} named ${name} in this vault.`);
  const valueKind = valueKindOf(kind);
  const keys: GrantRecord['keys'] = [];
  const values = (core.state.of(valueKind) as VersionedObjects<unknown>).get(name);
  for (const v of values?.versions.values() ?? []) {
    if (v.blob === undefined) continue;
    const dk = core.dataKey(valueKind, values!, v);
    try {
      keys.push({ version: v.version, ...wrapDataKey(core, m, valueKind.collection, values!.name, v.version, dk) });
    } finally {
      wipe(dk);
    }
  }
  return { t: 'grant', sign: m.sign, role, object: key, keys };
}

/**
 * The `grant.key` records a commit writes beside a new version of `collection/name`
 * (sealed under `batchKey`): one per grantee who is still a member (FORMAT.md §6.10).
 */
export function grantKeysFor(core: VaultCore, collection: string, name: string, version: string, batchKey: Uint8Array): VaultRecord[] {
  const members = core.currentMembers();
  const out: VaultRecord[] = [];
  for (const object of coveringObjects(collection, name)) {
    for (const sign of core.state.grants.get(object)?.keys() ?? []) {
      const m = members.get(sign);
      if (!m) continue;
      const dk = deriveDataKey(batchKey, objectId(core.vaultIdBytes, collection, name), version);
      try {
        out.push({ t: 'grant.key', sign, object, version, ...wrapDataKey(core, m, collection, name, version, dk) });
      } finally {
        wipe(dk);
      }
    }
  }
  return out;
}

/**
 * The data key of one version, from a grant to this member; null when none covers it.
 * The key must match the commitment its granter signed (§6.8).
 */
export function grantedDataKey(core: VaultCore, collection: string, name: string, version: string): Uint8Array | null {
  for (const object of coveringObjects(collection, name)) {
    const k = core.state.grants.get(object)?.get(core.myKey)?.keys.get(version);
    if (!k) continue;
    const me = core.me;
    const dk = unwrapStanza(me.encPriv, me.encPub, k.key, grantKeyContext(core.vaultIdBytes, objectId(core.vaultIdBytes, collection, name), version, me.encPub));
    if (!dk) throw corrupted(`the grant of ${object} to ${memberKeyId(core.myKey)}`, 'its key does not unwrap');
    if (!checkCommitment(dk, fromB64u(k.kc))) {
      wipe(dk);
      throw corrupted(`the grant of ${object} to ${memberKeyId(core.myKey)}`, 'its key does not match its commitment');
    }
    return dk;
  }
  return null;
}

/**
 * Every version whose data key was ever wrapped to a member matching `who`, from the
 * history (accepted commits' grant records), by value object key (`secrets/name`):
 * what their identity decrypts whatever the grants are now (V5).
 */
export function versionsGrantedTo(core: VaultCore, who: (sign: string, object: string) => boolean): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  const add = (object: string, version: string): void => {
    const slash = object.indexOf('/');
    const kind = GRANTABLE.get(object.slice(0, slash));
    if (!kind) return;
    const at = `${kind.objectScope!.valueCollection}/${object.slice(slash + 1)}`;
    const set = out.get(at) ?? new Set<string>();
    set.add(version);
    out.set(at, set);
  };
  for (const id of core.accepted) {
    for (const r of core.decoded.get(id)?.body?.records ?? []) {
      if (r.t === 'grant' && who(r.sign, grantKey(r.object))) for (const k of r.keys) add(grantKey(r.object), k.version);
      else if (r.t === 'grant.key' && who(r.sign, grantKey(r.object))) add(grantKey(r.object), r.version);
    }
  }
  return out;
}

/**
 * A `grant.key` of the records that names no version they write (`object@version`), if any:
 * a later version's key is written with that version only, so writing versions is all it needs.
 */
export function grantKeyWithoutVersion(records: readonly VaultRecord[]): string | undefined {
  const written = new Set<string>();
  for (const r of records) {
    const k = KIND_RECORDS.get(r.t);
    if (k && recordBlob(k.type, r) !== undefined) {
      const v = r as unknown as { name: string; version: string };
      written.add(`${k.kind.collection}/${nameKey(v.name)}@${v.version}`);
    }
  }
  for (const r of records) {
    if (r.t !== 'grant.key') continue;
    const object = grantKey(r.object);
    const valueCollection = GRANTABLE.get(object.slice(0, object.indexOf('/')))?.objectScope?.valueCollection;
    if (!valueCollection || !written.has(`${valueCollection}${object.slice(object.indexOf('/'))}@${r.version}`)) return `${r.object}@${r.version}`;
  }
  return undefined;
}

/** Whether `v` of `o` (of `collection`) is among `granted` (versionsGrantedTo). */
export function isGranted(granted: ReadonlyMap<string, ReadonlySet<string>>, collection: string, o: ObjectOf<unknown>, v: VersionOf<unknown>): boolean {
  return granted.get(`${collection}/${nameKey(o.name)}`)?.has(v.version) === true;
}
