/**
 * Secrets folded from the accepted commits (the reducer of the secrets kind):
 * each name's versions in creation order, soft deletion, purges, and the end
 * of retention (Key Vault purges a deleted secret at scheduledPurgeDate, D-sd).
 */
import type { FoldAt, SnapshotRefs } from '../state/object-kind.js';
import type { Hlc } from '../format/records.js';
import type { SecretVersionState } from './model.js';
import type { SecretRecord } from './records.js';
import { nameKey } from './rules.js';

export interface SecretVersion {
  state: SecretVersionState;
  commitId: string;
  epoch: string;
  blob: string;
  /** Fold key of the last attribute change. */
  clock: Hlc;
}

export interface SecretObject {
  key: string;
  name: string;
  versions: Map<string, SecretVersion>;
  /** Version ids in creation order (fold order). */
  order: string[];
  deleted?: { date: number };
}

/** The newest version of a secret (Key Vault's "latest": the last one created). */
export function latestVersion(o: SecretObject): SecretVersion {
  return o.versions.get(o.order[o.order.length - 1]!)!;
}

type SavedVersion = [string, 0 | 1, 0 | 1, number, number, string | null, number, number | null, number | null, number, number, number, number, number, 1?];
type SavedSecret = [string, number | null, SavedVersion[]];

export class SecretsState {
  /** Live and soft-deleted secrets by nameKey. */
  objects = new Map<string, SecretObject>();
  /**
   * Deleted secrets whose retention has ended: gone from every view; the next
   * write by a member allowed to purge records their purge.
   */
  expired = new Map<string, SecretObject>();
  /** Value blobs of purged versions: a compaction drops their lines (C10). */
  purgedBlobs = new Set<string>();

  /** Applies one record (callers go in causal order, FORMAT.md §9). */
  apply(r: SecretRecord, at: FoldAt): void {
    switch (r.t) {
      case 'secret': {
        const k = nameKey(r.name);
        let o = this.objects.get(k);
        if (!o) this.objects.set(k, (o = { key: k, name: r.name, versions: new Map(), order: [] }));
        if (o.versions.has(r.version)) return; // the same version id twice: the first stands
        o.versions.set(r.version, {
          state: {
            name: o.name,
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
          },
          commitId: at.commitId,
          epoch: at.epoch,
          blob: at.blobs[r.blob]!,
          clock: at.hlc,
        });
        o.order.push(r.version);
        delete o.deleted; // Delete vs new version: ordered by the fold (DECISIONS.md "Merge semantics")
        return;
      }
      case 'secret.update': {
        const v = this.objects.get(nameKey(r.name))?.versions.get(r.version);
        if (!v) return;
        const s = v.state;
        if (r.set.enabled !== undefined) s.enabled = r.set.enabled;
        if (r.set.nbf !== undefined) s.nbf = r.set.nbf;
        if (r.set.exp !== undefined) s.exp = r.set.exp;
        if (r.set.contentType !== undefined) s.contentType = r.set.contentType;
        if (r.set.tags !== undefined) s.tags = r.set.tags;
        for (const c of r.clear) delete s[c];
        s.updated = at.time;
        v.clock = at.hlc;
        return;
      }
      case 'secret.delete': {
        const o = this.objects.get(nameKey(r.name));
        if (o) o.deleted = { date: at.time };
        return;
      }
      case 'secret.recover': {
        const o = this.objects.get(nameKey(r.name));
        if (o) delete o.deleted;
        return;
      }
      case 'secret.purge': {
        const k = nameKey(r.name);
        const o = this.objects.get(k) ?? this.expired.get(k);
        if (!o) return;
        this.expired.delete(k);
        for (const v of r.versions) {
          const ver = o.versions.get(v);
          if (ver) this.purgedBlobs.add(ver.blob);
          o.versions.delete(v);
        }
        o.order = o.order.filter((v) => o.versions.has(v));
        // Versions written concurrently with the purge survive, in the state the fold gives
        // them (a version newer than the delete has already cleared it); purge wins over recover.
        if (o.versions.size === 0) this.objects.delete(o.key);
        return;
      }
    }
  }

  /** Moves deleted secrets past their retention out of view (they stay until purged by a write). */
  settle(vault: { retentionDays: number }, nowSeconds: number): void {
    for (const [k, o] of this.expired) this.objects.set(k, o);
    this.expired = new Map();
    for (const [k, o] of this.objects) {
      if (o.deleted && o.deleted.date + vault.retentionDays * 86_400 <= nowSeconds) {
        this.expired.set(k, o);
        this.objects.delete(k);
      }
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
        const s = v.state;
        const saved: SavedVersion = [id, s.enabled ? 1 : 0, s.encoding === 'utf8' ? 0 : 1, s.created, s.updated, s.contentType ?? null, tagRef(s.tags), s.nbf ?? null, s.exp ?? null, refs.ref(v.commitId), refs.ref(v.epoch), refs.ref(v.blob), v.clock[0], v.clock[1]];
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
        o.versions.set(version, { state: s, commitId: refs.str(commit), epoch: refs.str(epoch), blob: refs.str(blob), clock: [h0, h1] });
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

  /** Every version, live, deleted or expired, with its value blob. */
  *allVersions(): Generator<{ o: SecretObject; v: SecretVersion }> {
    for (const o of [...this.objects.values(), ...this.expired.values()]) for (const v of o.versions.values()) yield { o, v };
  }
}
