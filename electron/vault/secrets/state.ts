/**
 * Secrets folded from the accepted commits (the reducer of the secrets kind):
 * each name's versions in creation order, soft deletion, purges, and the end
 * of retention (Key Vault purges a deleted secret at scheduledPurgeDate, D-sd).
 */
import type { FoldAt, SnapshotRefs } from '../state/object-kind.js';
import { VersionedObjects, type ObjectOf, type VersionOf } from '../state/versioned.js';
import type { SecretVersionState } from './model.js';
import type { SecretRecord } from './records.js';
import { nameKey } from './rules.js';

/** A secret's version: its attributes (`attrs`), where its value lies, and the clock of its last change. */
export type SecretVersion = VersionOf<SecretVersionState>;
export type SecretObject = ObjectOf<SecretVersionState>;

/** The newest version of a secret (Key Vault's "latest": the last one created). */
export function latestVersion(o: SecretObject): SecretVersion {
  return o.versions.get(o.order[o.order.length - 1]!)!;
}

type SavedVersion = [string, 0 | 1, 0 | 1, number, number, string | null, number, number | null, number | null, number, number, number, number, number, 1?];
type SavedSecret = [string, number | null, SavedVersion[]];

export class SecretsState extends VersionedObjects<SecretVersionState> {
  /** Applies one record (callers go in causal order, FORMAT.md §9). */
  apply(r: SecretRecord, at: FoldAt): void {
    switch (r.t) {
      case 'secret': {
        // The object keeps the case of its first version's name.
        const name = this.get(r.name)?.name ?? r.name;
        const attrs: SecretVersionState = {
          name,
          version: r.version,
          enabled: r.enabled,
          encoding: r.enc,
          created: r.created ?? at.time,
          updated: r.updated ?? at.time,
          ...(r.contentType !== undefined ? { contentType: r.contentType } : {}),
          ...(r.tags !== undefined ? { tags: r.tags } : {}),
          ...(r.nbf !== undefined ? { nbf: r.nbf } : {}),
          ...(r.exp !== undefined ? { exp: r.exp } : {}),
          ...(r.managed ? { managed: true as const } : {}),
        };
        this.addVersion(name, r.version, attrs, at, at.blobs[r.blob]!);
        return;
      }
      case 'secret.update': {
        const v = this.update(r.name, r.version, r.set, r.clear, at);
        if (v) v.attrs.updated = at.time;
        return;
      }
      case 'secret.delete':
        return this.delete(r.name, at);
      case 'secret.recover':
        return this.recover(r.name);
      case 'secret.purge':
        // Versions written concurrently with the purge survive; purge wins over recover.
        return this.purge(r.name, r.versions);
    }
  }

  /**
   * The compact form the warm snapshot keeps (cache/snapshot.ts): per secret its name and
   * deletion, per version its attributes in a fixed order and its commit, epoch and blob by
   * reference; tag sets, often repeated, stored once.
   */
  save(refs: SnapshotRefs): { objects: SavedSecret[]; expired: SavedSecret[]; purged: number[]; tags: Record<string, string>[] } {
    const tagSets = new Map<string, number>();
    const tags: Record<string, string>[] = [];
    const tagRef = (t: Record<string, string> | undefined): number => {
      if (!t) return -1;
      const k = JSON.stringify(t);
      let n = tagSets.get(k);
      if (n === undefined) tagSets.set(k, (n = tags.push(t) - 1));
      return n;
    };
    const one = (o: SecretObject): SavedSecret => [
      o.name,
      o.deleted?.date ?? null,
      o.order.map((id) => {
        const v = o.versions.get(id)!;
        const s = v.attrs;
        const saved: SavedVersion = [id, s.enabled ? 1 : 0, s.encoding === 'utf8' ? 0 : 1, s.created, s.updated, s.contentType ?? null, tagRef(s.tags), s.nbf ?? null, s.exp ?? null, refs.ref(v.commitId), refs.ref(v.epoch), refs.ref(v.blob!), v.clock[0], v.clock[1]];
        if (s.managed) saved.push(1);
        return saved;
      }),
    ];
    return { objects: [...this.objects.values()].map(one), expired: [...this.expired.values()].map(one), purged: [...this.purgedBlobs].map((b) => refs.ref(b)), tags };
  }

  static restore(saved: ReturnType<SecretsState['save']>, refs: SnapshotRefs): SecretsState {
    const state = new SecretsState();
    const one = ([name, deleted, versions]: SavedSecret): SecretObject => {
      const o: SecretObject = { key: nameKey(name), name, versions: new Map(), order: [], ...(deleted !== null ? { deleted: { date: deleted } } : {}) };
      for (const [version, enabled, encoding, created, updated, contentType, tags, nbf, exp, commit, epoch, blob, h0, h1, managed] of versions) {
        const s: SecretVersionState = { name, version, enabled: enabled === 1, encoding: encoding === 0 ? 'utf8' : 'binary', created, updated };
        if (contentType !== null) s.contentType = contentType;
        if (tags >= 0) s.tags = { ...saved.tags[tags] };
        if (nbf !== null) s.nbf = nbf;
        if (exp !== null) s.exp = exp;
        if (managed === 1) s.managed = true;
        o.versions.set(version, { attrs: s, version, commitId: refs.str(commit), epoch: refs.str(epoch), blob: refs.str(blob), clock: [h0, h1] });
        o.order.push(version);
      }
      return o;
    };
    for (const x of saved.objects) {
      const o = one(x);
      state.objects.set(o.key, o);
    }
    for (const x of saved.expired) {
      const o = one(x);
      state.expired.set(o.key, o);
    }
    for (const b of saved.purged) state.purgedBlobs.add(refs.str(b));
    return state;
  }

}
