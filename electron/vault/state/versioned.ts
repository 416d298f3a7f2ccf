/**
 * The state every Key Vault object kind shares (AKV-REFERENCE.md §1–§4):
 * named objects holding immutable versions in creation order, attributes
 * changed per version, soft delete, recover, purge, and the end of retention
 * (Key Vault purges a deleted object at scheduledPurgeDate, D-sd). Each kind's
 * reducer keeps its own attributes in `V` and calls these steps.
 */
import { corrupted } from '../errors.js';
import type { FoldAt } from './object-kind.js';
import type { Hlc } from '../format/records.js';
import { nameKey } from '../secrets/rules.js';

export interface VersionOf<V> {
  attrs: V;
  version: string;
  commitId: string;
  epoch: string;
  /** Hash of the value blob (private material), when the version has one. */
  blob?: string;
  /** Fold key of the last attribute change. */
  clock: Hlc;
}

export interface ObjectOf<V> {
  key: string;
  name: string;
  versions: Map<string, VersionOf<V>>;
  /** Version ids in creation order (fold order). */
  order: string[];
  deleted?: { date: number };
}

/**
 * An object restored from a warm snapshot or a checkpoint (cache/snapshot.ts): its
 * newest version is built when first read (a list needs only that one), the
 * others when anything needs them, so an open does not build every version of
 * the vault.
 */
export class StoredObject<V, Row = unknown> implements ObjectOf<V> {
  deleted?: { date: number };
  private full: { versions: Map<string, VersionOf<V>>; order: string[] } | undefined;
  private newest: VersionOf<V> | undefined;

  constructor(
    readonly key: string,
    readonly name: string,
    deleted: number | null,
    /** How many versions it has. */
    private readonly count: number,
    /** Builds versions from the saved rows (one decoder shared by every object of a restore). */
    private readonly rows: StoredRows<V, Row>,
    private readonly newestRow: Row,
    /** Where the older versions' rows are (what the restore's storage deferred), or null when it has one version. */
    private readonly olderSaved: unknown,
  ) {
    if (deleted !== null) this.deleted = { date: deleted };
  }

  /** Whether its versions were built (a fold or a read may have changed them since the restore). */
  get built(): boolean {
    return this.full !== undefined;
  }

  get versionCount(): number {
    return this.full ? this.full.order.length : this.count;
  }

  get versions(): Map<string, VersionOf<V>> {
    return this.build().versions;
  }
  set versions(v: Map<string, VersionOf<V>>) {
    this.build().versions = v;
  }
  get order(): string[] {
    return this.build().order;
  }
  set order(o: string[]) {
    this.build().order = o;
  }

  /** Its saved rows while nothing has built its versions (they are then exactly its state, but `deleted`): saving it again copies them. */
  get saved(): { rows: StoredRows<V, Row>; newest: Row; older: Row[] } | undefined {
    return this.full ? undefined : { rows: this.rows, newest: this.newestRow, older: this.olderRows() };
  }

  /** The older versions' rows, as many as the restore said it has (a checkpoint's are read only now). */
  private olderRows(): Row[] {
    if (this.olderSaved === null) return [];
    const rows = this.rows.older(this.olderSaved);
    if (rows.length !== this.count - 1) throw corrupted(`the versions of ${this.name}`, 'the saved state holds a different number of versions than it says');
    return rows;
  }

  latest(): VersionOf<V> {
    if (this.full) return this.full.versions.get(this.full.order[this.full.order.length - 1]!)!;
    return (this.newest ??= this.rows.version(this.newestRow, this.name));
  }

  /** The newest version's attributes, without building the version when nothing has (what a list reads). */
  latestAttrs(): V {
    return this.full || this.newest ? this.latest().attrs : this.rows.attrs(this.newestRow, this.name);
  }

  private build(): { versions: Map<string, VersionOf<V>>; order: string[] } {
    if (!this.full) {
      // The newest keeps its identity: a caller may hold it from latest().
      const all = this.olderRows().map((r) => this.rows.version(r, this.name));
      all.push(this.latest());
      this.full = { versions: new Map(all.map((v) => [v.version, v])), order: all.map((v) => v.version) };
    }
    return this.full;
  }
}

/** How a kind builds one version of a stored object from its saved row. */
export interface StoredRows<V, Row> {
  version(row: Row, name: string): VersionOf<V>;
  /** The row's attributes alone: a fresh copy, apart from any version built from the row. */
  attrs(row: Row, name: string): V;
  /** The row's version id and value blob hash, without building the version. */
  blobOf(row: Row): { version: string; blob: string | undefined };
  /** The older versions' rows, read back from where the restore's storage deferred them. */
  older(saved: unknown): Row[];
}

/** The newest version of an object (Key Vault's "latest": the last one created). */
export function newestVersion<V>(o: ObjectOf<V>): VersionOf<V> {
  return o instanceof StoredObject ? (o.latest() as VersionOf<V>) : o.versions.get(o.order[o.order.length - 1]!)!;
}

/**
 * The newest version's attributes, for reading only (a list): a stored object nothing has
 * built gives them from its saved row, without the version's references and value hash.
 */
export function newestAttrs<V>(o: ObjectOf<V>): V {
  return o instanceof StoredObject ? (o.latestAttrs() as V) : newestVersion(o).attrs;
}

/** How many versions an object has (without building a stored object's). */
export function versionCount<V>(o: ObjectOf<V>): number {
  return o instanceof StoredObject ? o.versionCount : o.versions.size;
}

export class VersionedObjects<V> {
  objects = new Map<string, ObjectOf<V>>();
  /** Deleted objects past their retention: out of every view until a write purges them. */
  expired = new Map<string, ObjectOf<V>>();
  /** Blobs of purged versions: a compaction drops their lines (C10). */
  purgedBlobs = new Set<string>();

  get(name: string): ObjectOf<V> | undefined {
    return this.objects.get(nameKey(name));
  }

  /** Whether `o` is a certificate's own key or secret (FORMAT.md §7.4): none of this kind's are, unless its state says so. */
  isManaged(_o: ObjectOf<V>): boolean {
    return false;
  }

  /**
   * Whether a record's `managed` flag (absent: false) matches the object it
   * names, or there is none yet: a record applies only then, so neither a
   * certificate's records nor others reach the other's objects.
   */
  protected managementMatches(name: string, managed: true | undefined, expiredToo = false): boolean {
    const o = this.get(name) ?? (expiredToo ? this.expired.get(nameKey(name)) : undefined);
    return o === undefined || this.isManaged(o) === (managed === true);
  }

  /** A new version (the first version's name keeps its case); the same version id twice: the first stands. */
  addVersion(name: string, version: string, attrs: V, at: FoldAt, blob?: string): VersionOf<V> | undefined {
    const k = nameKey(name);
    let o = this.objects.get(k);
    if (!o) this.objects.set(k, (o = { key: k, name, versions: new Map(), order: [] }));
    if (o.versions.has(version)) return undefined;
    const v: VersionOf<V> = { attrs, version, commitId: at.commitId, epoch: at.epoch, clock: at.hlc, ...(blob !== undefined ? { blob } : {}) };
    o.versions.set(version, v);
    o.order.push(version);
    delete o.deleted; // a new version undoes a delete it follows (DECISIONS.md "Merge semantics")
    return v;
  }

  /** Applies `set` and removes `clear` on one version's attributes. */
  update(name: string, version: string, set: Partial<V>, clear: readonly (keyof V)[], at: FoldAt): VersionOf<V> | undefined {
    const v = this.get(name)?.versions.get(version);
    if (!v) return undefined;
    for (const [k, val] of Object.entries(set)) if (val !== undefined) (v.attrs as Record<string, unknown>)[k] = val;
    for (const k of clear) delete v.attrs[k];
    v.clock = at.hlc;
    return v;
  }

  delete(name: string, at: FoldAt): void {
    const o = this.get(name);
    if (o) o.deleted = { date: at.time };
  }

  recover(name: string): void {
    const o = this.get(name);
    if (o) delete o.deleted;
  }

  /** Removes the listed versions; versions written concurrently survive. Purge wins over recover. */
  purge(name: string, versions: readonly string[]): void {
    const k = nameKey(name);
    const o = this.objects.get(k) ?? this.expired.get(k);
    if (!o) return;
    this.expired.delete(k);
    for (const id of versions) {
      const ver = o.versions.get(id);
      if (ver?.blob) this.purgedBlobs.add(ver.blob);
      o.versions.delete(id);
    }
    o.order = o.order.filter((id) => o.versions.has(id));
    if (o.versions.size === 0) this.objects.delete(o.key);
  }

  /** Moves deleted objects past their retention out of view. */
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
   * Every version's id and value blob hash; a stored object's read from its rows, nothing
   * built. With `changedOnly`, stored objects nothing has built are skipped: a warm open's
   * prefix is the snapshot's byte for byte, so what the snapshot held is still there.
   */
  *valueBlobs(changedOnly = false): Generator<{ o: ObjectOf<V>; version: string; blob: string | undefined }> {
    for (const o of [...this.objects.values(), ...this.expired.values()]) {
      const stored = o instanceof StoredObject && !o.built ? (o as StoredObject<V>) : undefined;
      if (stored && changedOnly) continue;
      const saved = stored?.saved;
      if (saved) {
        for (const r of [...saved.older, saved.newest]) yield { o, ...saved.rows.blobOf(r) };
        continue;
      }
      for (const v of o.versions.values()) yield { o, version: v.version, blob: v.blob };
    }
  }
}
