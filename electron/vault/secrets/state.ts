/**
 * Secrets folded from the accepted commits (the reducer of the secrets kind):
 * each name's versions in creation order, soft deletion, purges, and the end
 * of retention (Key Vault purges a deleted secret at scheduledPurgeDate, D-sd).
 */
import { corrupted } from '../errors.js';
import type { FoldAt, SnapshotRefs } from '../state/object-kind.js';
import { newestAttrs, newestVersion, StoredObject, VersionedObjects, type ObjectOf, type StoredRows, type VersionOf } from '../state/versioned.js';
import type { SecretVersionState } from './model.js';
import type { SecretRecord } from './records.js';
import { nameKey } from './rules.js';

/** A secret's version: its attributes (`attrs`), where its value lies, and the clock of its last change. */
export type SecretVersion = VersionOf<SecretVersionState>;
export type SecretObject = ObjectOf<SecretVersionState>;

/** The newest version of a secret (Key Vault's "latest": the last one created). */
export const latestVersion: (o: SecretObject) => SecretVersion = newestVersion;

type SavedVersion = [string, 0 | 1, 0 | 1, number, number, string | null, number, number | null, number | null, number, number, number, number, number, 1?];

/**
 * Secrets saved by columns: per secret its name, deletion date, version count and
 * older versions (deferred), and its newest version's fields each in a column of its
 * own (`newest[f][i]`: field f of the row of secret i, the 15th column 1 for a managed
 * version, else 0). Columns of numbers parse into unboxed arrays, not one small array
 * and a few boxed numbers per secret.
 */
interface SavedGroup {
  names: string[];
  deleted: (number | null)[];
  counts: number[];
  newest: unknown[][];
  older: unknown[];
}

const COLUMNS = 15;
const NUMBER_FIELDS = [1, 2, 3, 4, 6, 9, 10, 11, 12, 13];

/** A saved version of the wrong shape is a TypeError: the checkpoint holding it is not used (core.ts). */
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

function checkGroup(g: SavedGroup): void {
  const n = Array.isArray(g?.names) ? g.names.length : -1;
  const ok =
    n >= 0 &&
    [g.deleted, g.counts, g.older].every((c) => Array.isArray(c) && c.length === n) &&
    Array.isArray(g.newest) &&
    g.newest.length === COLUMNS &&
    g.newest.every((c) => Array.isArray(c) && c.length === n) &&
    g.names.every((x) => typeof x === 'string') &&
    g.deleted.every((x) => x === null || typeof x === 'number') &&
    g.counts.every((x) => Number.isSafeInteger(x) && x >= 1);
  if (!ok) throw new TypeError('saved secrets of the wrong shape');
}

/** A secret's row: its index in the group's columns (the newest version) or a saved row (an older one). */
type SecretRow = number | SavedVersion;

/** Builds versions from one group's saved rows; kept by each stored object, so saving it again can copy its rows. */
class SecretRows implements StoredRows<SecretVersionState, SecretRow> {
  constructor(
    readonly tags: Record<string, string>[],
    readonly refs: SnapshotRefs,
    private readonly newest: unknown[][],
  ) {}

  /** The saved row of `r` (a newest version's gathered from the columns). */
  row(r: SecretRow): SavedVersion {
    if (typeof r !== 'number') return r;
    const c = this.newest;
    const out = [c[0]![r], c[1]![r], c[2]![r], c[3]![r], c[4]![r], c[5]![r], c[6]![r], c[7]![r], c[8]![r], c[9]![r], c[10]![r], c[11]![r], c[12]![r], c[13]![r]] as SavedVersion;
    if (c[14]![r] === 1) out.push(1);
    return out;
  }

  version(r: SecretRow, name: string): SecretVersion {
    const row = this.row(r);
    const [id, , , , , , , , , commit, epoch, blob, h0, h1] = row;
    return { attrs: this.attrsOf(row, name), version: id, commitId: this.refs.str(commit), epoch: this.refs.str(epoch), blob: this.refs.str(blob), clock: [h0, h1] };
  }

  /** A list reads these alone: no references resolved, no value hash. */
  attrs(r: SecretRow, name: string): SecretVersionState {
    return this.attrsOf(this.row(r), name);
  }

  private attrsOf([id, enabled, encoding, created, updated, contentType, tags, nbf, exp, , , , , , managed]: SavedVersion, name: string): SecretVersionState {
    const s: SecretVersionState = { name, version: id, enabled: enabled === 1, encoding: encoding === 0 ? 'utf8' : 'binary', created, updated };
    if (contentType !== null) s.contentType = contentType;
    if (tags >= 0) s.tags = { ...this.tags[tags] };
    if (nbf !== null) s.nbf = nbf;
    if (exp !== null) s.exp = exp;
    if (managed === 1) s.managed = true;
    return s;
  }

  older(saved: unknown): SavedVersion[] {
    const rows = this.refs.deferred<SavedVersion[]>(saved)();
    // A checkpoint's deferred rows are checked when first read (its inline ones were at the restore).
    if (this.refs.untrusted && !this.refs.inline) {
      try {
        if (!Array.isArray(rows)) throw new TypeError('saved versions of the wrong shape');
        rows.forEach(checkVersion);
      } catch (e) {
        if (e instanceof TypeError) throw corrupted('the checkpoint this open started from', 'a saved secret version has the wrong shape');
        throw e;
      }
    }
    return rows;
  }

  blobOf(r: SecretRow): { version: string; blob: string } {
    return typeof r === 'number'
      ? { version: this.newest[0]![r] as string, blob: this.refs.str(this.newest[11]![r] as number) }
      : { version: r[0], blob: this.refs.str(r[11]) };
  }
}

export interface SavedSecrets {
  objects: SavedGroup;
  expired: SavedGroup;
  purged: number[];
  tags: Record<string, string>[];
}

export class SecretsState extends VersionedObjects<SecretVersionState> {
  /** Applies one record (callers go in causal order, FORMAT.md §9). */
  apply(r: SecretRecord, at: FoldAt): void {
    switch (r.t) {
      case 'secret': {
        // A certificate's secret and any other secret never share a name (secrets/records.ts managedFlag).
        if (!this.managementMatches(r.name, r.managed)) return;
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
        if (!this.managementMatches(r.name, r.managed)) return;
        const v = this.update(r.name, r.version, r.set, r.clear, at);
        if (v) v.attrs.updated = at.time;
        return;
      }
      case 'secret.delete':
        if (this.managementMatches(r.name, r.managed)) this.delete(r.name, at);
        return;
      case 'secret.recover':
        if (this.managementMatches(r.name, r.managed)) this.recover(r.name);
        return;
      case 'secret.purge':
        // Versions written concurrently with the purge survive; purge wins over recover.
        if (this.managementMatches(r.name, r.managed, true)) this.purge(r.name, r.versions);
        return;
    }
  }

  /** A certificate's secret: its versions say so. */
  override isManaged(o: ObjectOf<SecretVersionState>): boolean {
    return newestAttrs(o).managed === true;
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
    const copyRow = (from: SecretRows, r: SecretRow): SavedVersion => {
      let c = copies.get(from);
      if (!c) copies.set(from, (c = { refs: new Map(), tags: new Map() }));
      const { refs: refMap, tags: tagMap } = c;
      const ref = (n: number): number => {
        let m = refMap.get(n);
        if (m === undefined) refMap.set(n, (m = refs.ref(from.refs.str(n))));
        return m;
      };
      const out = [...from.row(r)] as SavedVersion;
      if (out[6] >= 0) {
        let t = tagMap.get(out[6]);
        if (t === undefined) tagMap.set(out[6], (t = tagRef(from.tags[out[6]])));
        out[6] = t;
      }
      out[9] = ref(out[9]);
      out[10] = ref(out[10]);
      out[11] = ref(out[11]);
      return out;
    };
    const group = (objects: Iterable<SecretObject>): SavedGroup => {
      const g: SavedGroup = { names: [], deleted: [], counts: [], newest: Array.from({ length: COLUMNS }, () => []), older: [] };
      for (const o of objects) {
        const stored = o instanceof StoredObject ? (o as StoredObject<SecretVersionState, SecretRow>).saved : undefined;
        let newest: SavedVersion;
        let older: SavedVersion[];
        if (stored && stored.rows instanceof SecretRows) {
          const from = stored.rows;
          newest = copyRow(from, stored.newest);
          older = stored.older.map((r) => copyRow(from, r));
        } else {
          newest = row(latestVersion(o));
          older = o.order.slice(0, -1).map((id) => row(o.versions.get(id)!));
        }
        g.names.push(o.name);
        g.deleted.push(o.deleted?.date ?? null);
        g.counts.push(older.length + 1);
        for (let f = 0; f < COLUMNS; f++) g.newest[f]!.push(f === 14 ? (newest[14] ?? 0) : newest[f]);
        g.older.push(older.length > 0 ? refs.defer(older) : null);
      }
      return g;
    };
    return { objects: group(this.objects.values()), expired: group(this.expired.values()), purged: [...this.purgedBlobs].map((b) => refs.ref(b)), tags };
  }

  static restore(saved: SavedSecrets, refs: SnapshotRefs): SecretsState {
    const state = new SecretsState();
    const restoreGroup = (g: SavedGroup, into: Map<string, SecretObject>): void => {
      // A checkpoint's rows are checked now (deferred ones when read); a snapshot is this computer's own sealed data.
      if (refs.untrusted) checkGroup(g);
      const rows = new SecretRows(saved.tags, refs, g.newest);
      for (let i = 0; i < g.names.length; i++) {
        const older = g.older[i];
        if (refs.untrusted) {
          checkVersion(rows.row(i));
          if (refs.inline) {
            if (older !== null && (!Array.isArray(older) || older.length !== g.counts[i]! - 1)) throw new TypeError('saved versions of the wrong shape');
            (older as SavedVersion[] | null)?.forEach(checkVersion);
          } else if ((older === null) !== (g.counts[i] === 1)) throw new TypeError('saved versions of the wrong shape');
        }
        const name = g.names[i]!;
        const o = new StoredObject<SecretVersionState, SecretRow>(nameKey(name), name, g.deleted[i]!, g.counts[i]!, rows, i, older);
        into.set(o.key, o);
      }
    };
    restoreGroup(saved.objects, state.objects);
    restoreGroup(saved.expired, state.expired);
    for (const b of saved.purged) state.purgedBlobs.add(refs.str(b));
    return state;
  }
}
