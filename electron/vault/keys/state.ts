/**
 * Keys folded from the accepted commits: versions with their attributes and
 * public halves, soft deletion, and each key's rotation policy.
 */
import type { FoldAt } from '../state/object-kind.js';
import { VersionedObjects } from '../state/versioned.js';
import { nameKey } from '../secrets/rules.js';
import type { KeyRecord, KeyVersionRecord, RotationPolicy } from './records.js';

export type KeyAttributes = Omit<KeyVersionRecord, 't' | 'name' | 'version' | 'blob' | 'created' | 'updated'> & { created: number; updated: number };

export class KeysState extends VersionedObjects<KeyAttributes> {
  /** Rotation policy by key name key (one per key, shared by its versions), with when it was first set and last changed. */
  readonly policies = new Map<string, { policy: RotationPolicy; created: number; updated: number }>();

  apply(r: KeyRecord, at: FoldAt): void {
    switch (r.t) {
      case 'key': {
        const { t: _t, name, version, blob, created, updated, ...attrs } = r;
        this.addVersion(name, version, { ...attrs, created: created ?? at.time, updated: updated ?? at.time }, at, at.blobs[blob]);
        return;
      }
      case 'key.update': {
        const v = this.update(r.name, r.version, r.set, r.clear, at);
        if (v) v.attrs.updated = at.time;
        return;
      }
      case 'key.delete':
        return this.delete(r.name, at);
      case 'key.recover':
        return this.recover(r.name);
      case 'key.purge':
        this.purge(r.name, r.versions);
        // A key purged whole takes its policy along; versions written concurrently keep it.
        if (!this.objects.has(nameKey(r.name))) this.policies.delete(nameKey(r.name));
        return;
      case 'key.policy':
        this.policies.set(nameKey(r.name), { policy: r.policy, created: this.policies.get(nameKey(r.name))?.created ?? at.time, updated: at.time });
        return;
    }
  }
}
