/**
 * Secrets folded from the accepted commits (the reducer of the secrets kind):
 * each name's versions in creation order, soft deletion, purges, and the end
 * of retention (Key Vault purges a deleted secret at scheduledPurgeDate, D-sd).
 */
import type { FoldAt, SnapshotRefs } from '../state/object-kind.js';
import { newestVersion, StoredObject, VersionedObjects, versionCount, type ObjectOf, type StoredRows, type VersionOf } from '../state/versioned.js';
import type { SecretVersionState } from './model.js';
import type { SecretRecord } from './records.js';
import { nameKey } from './rules.js';

/** A secret's version: its attributes (`attrs`), where its value lies, and the clock of its last change. */
export type SecretVersion = VersionOf<SecretVersionState>;
export type SecretObject = ObjectOf<SecretVersionState>;

/** The newest version of a secret (Key Vault's "latest": the last one created). */
export const latestVersion: (o: SecretObject) => SecretVersion = newestVersion;

type SavedVersion = [string, 0 | 1, 0 | 1, number, number, string | null, number, number | null, number | null, number, number, number, number, number, 1?];
/** [name, deleted date or null, version count, newest version, older versions (deferred) or null] */
type SavedSecret = [string, number | null, number, SavedVersion, unknown];
/** A saved secret of the wrong shape is a TypeError: the checkpoint or snapshot holding it is not used (core.ts). */
function checkSecret(x: SavedSecret): SavedSecret {
  const ok = Array.isArray(x) && x.length === 5 && typeof x[0] === 'string' && (x[1] === null || typeof x[1] === 'number') && Number.isSafeInteger(x[2]) && x[2] >= 1;
  if (!ok) throw new TypeError('a saved secret of the wrong shape');
  checkVersion(x[3]);
  return x;
}

const NUMBER_FIELDS = [1, 2, 3, 4, 6, 9, 10, 11, 12, 13];

function checkVersion(v: SavedVersion): void {
  const ok =
    Array.isArray(v) &&
    (v.length === 14 || (v.length === 15 && v[14] === 1)) &&
    typeof v[0] === 'string' &&
    NUMBER_FIELDS.every((i) => typeof v[i] === 'number') &&
    (v[5] === null || typeof v[5] === 'string') &&
    (v[7] === null || typeof v[7] === 'number') &&
    (v[8] === null || typeof v[8] === 'number');
  if (!ok) throw new TypeError('a saved secret version of the wrong shape');
}

/** Builds versions from saved rows; kept by each stored object, so saving it again can copy its rows. */
class SecretRows implements StoredRows<SecretVersionState, SavedVersion> {
  constructor(
    readonly tags: Record<string, string>[],
    readonly refs: SnapshotRefs,
  ) {}

  version([id, enabled, encoding, created, updated, contentType, tags, nbf, exp, commit, epoch, blob, h0, h1, managed]: SavedVersion, name: string): SecretVersion {
    const s: SecretVersionState = { name, version: id, enabled: enabled === 1, encoding: encoding === 0 ? 'utf8' : 'binary', created, updated };
    if (contentType !== null) s.contentType = contentType;
    if (tags >= 0) s.tags = { ...this.tags[tags] };
    if (nbf !== null) s.nbf = nbf;
    if (exp !== null) s.exp = exp;
    if (managed === 1) s.managed = true;
    return { attrs: s, version: id, commitId: this.refs.str(commit), epoch: this.refs.str(epoch), blob: this.refs.str(blob), clock: [h0, h1] };
  }

  blobOf(r: SavedVersion): { version: string; blob: string } {
    return { version: r[0], blob: this.refs.str(r[11]) };
  }
}

export interface SavedSecrets {
  objects: SavedSecret[];
  expired: SavedSecret[];
  purged: number[];
  tags: Record<string, string>[];
}

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
   * The compact form the warm snapshot and checkpoints keep (cache/snapshot.ts): per
   * secret its name, deletion, version count and newest version, its older versions
   * apart (a snapshot reads them only when needed); per version its attributes in a
   * fixed order and its commit, epoch and blob by reference; tag sets stored once.
   */
  save(refs: SnapshotRefs): SavedSecrets {
    const tagSets = new Map<string, number>();
    const tags: Record<string, string>[] = [];
    const tagRef = (t: Record<string, string> | undefined): number => {
      if (!t) return -1;
      const k = JSON.stringify(t);
      let n = tagSets.get(k);
      if (n === undefined) tagSets.set(k, (n = tags.push(t) - 1));
      return n;
    };
    const row = (v: SecretVersion): SavedVersion => {
      const s = v.attrs;
      const saved: SavedVersion = [v.version, s.enabled ? 1 : 0, s.encoding === 'utf8' ? 0 : 1, s.created, s.updated, s.contentType ?? null, tagRef(s.tags), s.nbf ?? null, s.exp ?? null, refs.ref(v.commitId), refs.ref(v.epoch), refs.ref(v.blob!), v.clock[0], v.clock[1]];
      if (s.managed) saved.push(1);
      return saved;
    };
    // A stored object nothing has built is saved from its rows, its references and tag sets renumbered.
    const copies = new Map<SecretRows, { refs: Map<number, number>; tags: Map<number, number> }>();
    const copyRow = (from: SecretRows, r: SavedVersion): SavedVersion => {
      let c = copies.get(from);
      if (!c) copies.set(from, (c = { refs: new Map(), tags: new Map() }));
      const { refs: refMap, tags: tagMap } = c;
      const ref = (n: number): number => {
        let m = refMap.get(n);
        if (m === undefined) refMap.set(n, (m = refs.ref(from.refs.str(n))));
        return m;
      };
      const out = [...r] as SavedVersion;
      if (r[6] >= 0) {
        let t = tagMap.get(r[6]);
        if (t === undefined) tagMap.set(r[6], (t = tagRef(from.tags[r[6]])));
        out[6] = t;
      }
      out[9] = ref(r[9]);
      out[10] = ref(r[10]);
      out[11] = ref(r[11]);
      return out;
    };
    const one = (o: SecretObject): SavedSecret => {
      const stored = o instanceof StoredObject ? (o as StoredObject<SecretVersionState, SavedVersion>).saved : undefined;
      if (stored && stored.rows instanceof SecretRows) {
        const from = stored.rows;
        const older = stored.older?.().map((r) => copyRow(from, r));
        return [o.name, o.deleted?.date ?? null, versionCount(o), copyRow(from, stored.newest), older ? refs.defer(older) : null];
      }
      const older = o.order.slice(0, -1).map((id) => row(o.versions.get(id)!));
      return [o.name, o.deleted?.date ?? null, o.order.length, row(latestVersion(o)), older.length > 0 ? refs.defer(older) : null];
    };
    return { objects: [...this.objects.values()].map(one), expired: [...this.expired.values()].map(one), purged: [...this.purgedBlobs].map((b) => refs.ref(b)), tags };
  }

  static restore(saved: SavedSecrets, refs: SnapshotRefs): SecretsState {
    const state = new SecretsState();
    const rows = new SecretRows(saved.tags, refs);
    const one = (saved: SavedSecret): SecretObject => {
      // A checkpoint's rows (inline) are checked now; a snapshot is this computer's own sealed data.
      const [name, deleted, count, newest, older] = refs.inline ? checkSecret(saved) : saved;
      if (refs.inline && older !== null) {
        if (!Array.isArray(older)) throw new TypeError('saved versions of the wrong shape');
        (older as SavedVersion[]).forEach(checkVersion);
      }
      return new StoredObject(nameKey(name), name, deleted, count, rows, newest, older === null ? undefined : refs.deferred<SavedVersion[]>(older));
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
