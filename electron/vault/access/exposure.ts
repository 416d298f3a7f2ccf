/**
 * The exposure report and "needs rotation" (VAULT-MODEL V5; FORMAT.md §8.7).
 * Which values a member's keys decrypt follows from the history alone: who
 * received each epoch's scope keys (the members after its commit, §6.5) and
 * the chain from every epoch to its predecessors. No local file is read, so
 * every member's computer derives the same marks after any open.
 */
import type { ExposedObject } from '../api.js';
import type { VaultCore } from '../core.js';
import { CertificatesState } from '../certificates/state.js';
import { OBJECT_KINDS } from '../state/kinds.js';
import { newestVersion, VersionedObjects, type ObjectOf, type VersionOf } from '../state/versioned.js';
import { membersAfter, type MemberState } from './authorize.js';
import { isGranted } from './grants.js';
import { scopesOf, type Scope } from './roles.js';

/** The scopes that seal values (`meta` seals names and attributes, readable by every member). */
export type ValueScope = Exclude<Scope, 'meta'>;
export const VALUE_SCOPES: readonly ValueScope[] = ['secrets', 'keys', 'certificates', 'ca'];

export type EpochsByScope = Record<ValueScope, Set<string>>;

/** No epoch of any scope: what a report counts when only granted versions matter. */
export const noEpochs = (): EpochsByScope => ({ secrets: new Set(), keys: new Set(), certificates: new Set(), ca: new Set() });

/**
 * Each epoch with the members its commit wrapped scope keys to: the membership
 * after the commit. A rejected epoch commit counts too (its keys still resolve,
 * §6.5) with the membership its writer saw, its own records applied; one whose
 * body this member cannot read, with the membership before it.
 */
function epochRecipients(core: VaultCore): { epoch: string; ancestors: Set<string>; members: Map<string, MemberState> }[] {
  return [...core.epochs.values()].map((info) => {
    const at = core.membersAtCommit(info.commitId);
    const d = core.decoded.get(info.commitId);
    const members = core.accepted.has(info.commitId) || !d?.body ? at : membersAfter(at, d.body.records);
    return { epoch: info.id, ancestors: info.ancestors, members };
  });
}

/**
 * The epochs of each value scope whose key a member matching `who` can resolve:
 * every epoch that wrapped the scope's key to them, and by chaining every epoch
 * before it (§6.5 step 3: an epoch's key unwraps its predecessors').
 */
function readableEpochs(core: VaultCore, who: (m: MemberState, scope: ValueScope) => boolean): EpochsByScope {
  const out = noEpochs();
  for (const e of epochRecipients(core)) {
    for (const scope of VALUE_SCOPES) {
      if (![...e.members.values()].some((m) => scopesOf(m.roles).has(scope) && who(m, scope))) continue;
      out[scope].add(e.epoch);
      for (const a of e.ancestors) out[scope].add(a);
    }
  }
  return out;
}

/** What one member's keys decrypt, over the whole history of their roles, in the scopes given. */
export function epochsReadBy(core: VaultCore, sign: string, scopes: ReadonlySet<ValueScope> = new Set(VALUE_SCOPES)): EpochsByScope {
  return readableEpochs(core, (m, scope) => m.sign === sign && scopes.has(scope));
}

/**
 * What someone who no longer reads a scope (removed, or lowered to roles without it)
 * still decrypts: the epochs of that scope wrapped to a former reader, and those before.
 */
export function epochsReadByFormerMembers(core: VaultCore): EpochsByScope {
  const now = core.currentMembers();
  return readableEpochs(core, (m, scope) => !scopesOf(now.get(m.sign)?.roles ?? []).has(scope));
}

/**
 * The objects with a value sealed under one of `epochs`, or among `granted` (by value object, versions): with `newestOnly`, only an
 * object's current value counts (needs rotation); otherwise any version not purged
 * (the exposure report). Deleted objects count: their values are in the file until purged.
 */
export function objectsSealedUnder(core: VaultCore, epochs: EpochsByScope, newestOnly: boolean, granted: ReadonlyMap<string, ReadonlySet<string>> = new Map()): ExposedObject[] {
  const out: ExposedObject[] = [];
  for (const kind of OBJECT_KINDS) {
    const readable = epochs[kind.valueScope];
    const collection = kind.collection as ExposedObject['kind'];
    if (readable.size === 0 && ![...granted.keys()].some((k) => k.startsWith(`${collection}/`))) continue;
    const state: unknown = core.state.of(kind);
    if (state instanceof VersionedObjects) {
      const objects = state as VersionedObjects<unknown>;
      // Sealed under an epoch they read, or a version whose data key was wrapped to them (access/grants.ts).
      const sealed = (o: ObjectOf<unknown>, v: VersionOf<unknown>): boolean => v.blob !== undefined && (readable.has(v.epoch) || isGranted(granted, collection, o, v));
      for (const o of [...objects.objects.values(), ...objects.expired.values()]) {
        const hit = newestOnly ? sealed(o, newestVersion(o)) : [...o.versions.values()].some((v) => sealed(o, v));
        if (hit) out.push(entry(collection, o, objects.isManaged(o)));
      }
    }
    // A pending request's private key (the `ca` scope) is a certificate's value until the request ends.
    if (state instanceof CertificatesState) {
      for (const p of state.pending.values()) if (p.key && readable.has(p.key.epoch)) out.push({ kind: collection, name: p.name, pendingRequest: true });
    }
  }
  // By code point, not by locale: every computer lists them in the same order.
  return out.sort((a, b) => cmp(a.kind, b.kind) || cmp(a.name.toLowerCase(), b.name.toLowerCase()) || Number(!!a.pendingRequest) - Number(!!b.pendingRequest));
}

const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

function entry(kind: ExposedObject['kind'], o: ObjectOf<unknown>, managed: boolean): ExposedObject {
  return { kind, name: o.name, ...(o.deleted ? { deleted: true as const } : {}), ...(managed ? { certificate: true as const } : {}) };
}
