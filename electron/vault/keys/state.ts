/**
 * Keys folded from the accepted commits: versions with their attributes and
 * public halves, soft deletion, and each key's rotation policy.
 */
import type { FoldAt } from '../state/object-kind.js';
import { newestAttrs, VersionedObjects, type ObjectOf } from '../state/versioned.js';
import { nameKey } from '../secrets/rules.js';
import type { KeyRecord, KeyVersionRecord, RotationPolicy } from './records.js';

export type KeyAttributes = Omit<KeyVersionRecord, 't' | 'name' | 'version' | 'blob' | 'created' | 'updated'> & { created: number; updated: number };

export class KeysState extends VersionedObjects<KeyAttributes> {
  /** Rotation policy by key name key (one per key, shared by its versions), with when it was first set and last changed. */
  readonly policies = new Map<string, { policy: RotationPolicy; created: number; updated: number }>();

  apply(r: KeyRecord, at: FoldAt): void {
    switch (r.t) {
      case 'key': {
        // A certificate's key and any other key never share a name (secrets/records.ts managedFlag).
        if (!this.managementMatches(r.name, r.origin === 'certificate' ? true : undefined)) return;
        const { t: _t, name, version, blob, created, updated, ...attrs } = r;
        this.addVersion(name, version, { ...attrs, created: created ?? at.time, updated: updated ?? at.time }, at, at.blobs[blob]);
        return;
      }
      case 'key.update': {
        if (!this.managementMatches(r.name, r.managed)) return;
        const v = this.update(r.name, r.version, r.set, r.clear, at);
        if (v) v.attrs.updated = at.time;
        return;
      }
      case 'key.delete':
        if (this.managementMatches(r.name, r.managed)) this.delete(r.name, at);
        return;
      case 'key.recover':
        if (this.managementMatches(r.name, r.managed)) this.recover(r.name);
        return;
      case 'key.purge':
        if (!this.managementMatches(r.name, r.managed, true)) return;
        this.purge(r.name, r.versions);
        // A key purged whole takes its policy along; versions written concurrently keep it.
        if (!this.objects.has(nameKey(r.name))) this.policies.delete(nameKey(r.name));
        return;
      case 'key.policy':
        // A certificate's key renews with its certificate: it has no rotation policy.
        if (!this.managementMatches(r.name, undefined)) return;
        this.policies.set(nameKey(r.name), { policy: r.policy, created: this.policies.get(nameKey(r.name))?.created ?? at.time, updated: at.time });
        return;
    }
  }

  /** A certificate's key: its versions were made by certificate operations. */
  override isManaged(o: ObjectOf<KeyAttributes>): boolean {
    return newestAttrs(o).origin === 'certificate';
  }
}
