/**
 * The value blobs of a graph by hash (FORMAT.md §5.6). A graph parsed from the
 * file holds its blobs in a Map; a graph continued from a warm snapshot
 * (cache/snapshot.ts) keeps the prefix's blobs as a table sorted by hash, read
 * from the file only when asked for, so an open does not build one object per
 * value of the vault.
 */
import { fromB64u } from '../crypto/index.js';

export interface BlobEntry {
  bytes: Uint8Array;
  /** Its line number in the file (0: written by this session, not yet re-read). */
  line: number;
  /** Byte offsets of its line, [start, end) with `end` past the LF, when it was read from a file. */
  where?: [number, number];
}

const HASH_BYTES = 32;

/**
 * A verified prefix's blob lines, sorted by hash: `hashes` holds their SHA-256
 * hashes (32 bytes each) in that order, `where` three numbers per blob (line
 * start, line end, line number). A lookup is a binary search; the bytes are
 * decoded from `file` when read.
 */
export class SortedBlobTable {
  readonly size: number;

  constructor(
    private readonly file: Buffer,
    private readonly hashes: Buffer,
    private readonly where: Float64Array,
  ) {
    this.size = hashes.length / HASH_BYTES;
  }

  /** The hash of the i-th blob, in hex. */
  hashAt(i: number): string {
    return this.hashes.toString('hex', i * HASH_BYTES, (i + 1) * HASH_BYTES);
  }

  indexOf(hash: string): number {
    if (hash.length !== HASH_BYTES * 2) return -1;
    const target = Buffer.from(hash, 'hex');
    if (target.length !== HASH_BYTES) return -1;
    let lo = 0;
    let hi = this.size - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const c = this.hashes.compare(target, 0, HASH_BYTES, mid * HASH_BYTES, (mid + 1) * HASH_BYTES);
      if (c === 0) return mid;
      if (c < 0) lo = mid + 1;
      else hi = mid - 1;
    }
    return -1;
  }

  entryAt(i: number): BlobEntry {
    return new FileBlob(this.file, this.where[i * 3 + 2]!, this.where[i * 3]!, this.where[i * 3 + 1]!);
  }
}

/** A value line of a file, decoded when the value is read: an open holds where values lie, not their bytes. */
export class FileBlob implements BlobEntry {
  readonly where: [number, number];
  private decoded: Uint8Array | undefined;

  constructor(
    private readonly file: Buffer,
    readonly line: number,
    start: number,
    end: number,
  ) {
    this.where = [start, end];
  }

  get bytes(): Uint8Array {
    // "B " + base64url + LF.
    return (this.decoded ??= fromB64u(this.file.toString('latin1', this.where[0] + 2, this.where[1] - 1)));
  }
}

/** Blobs by hash: a snapshot's sorted table (if any) and the blobs read or written after it. */
export class BlobIndex implements Iterable<[string, BlobEntry]> {
  private readonly added: Map<string, BlobEntry>;

  constructor(
    private readonly table?: SortedBlobTable,
    added?: Iterable<[string, BlobEntry]>,
  ) {
    this.added = new Map(added);
  }

  get size(): number {
    return (this.table?.size ?? 0) + this.added.size;
  }

  get(hash: string): BlobEntry | undefined {
    const b = this.added.get(hash);
    if (b || !this.table) return b;
    const i = this.table.indexOf(hash);
    return i < 0 ? undefined : this.table.entryAt(i);
  }

  has(hash: string): boolean {
    return this.added.has(hash) || (this.table !== undefined && this.table.indexOf(hash) >= 0);
  }

  /**
   * Adds `blob` and says whether its hash was new, in one lookup. When it was not, false,
   * and the earlier entry of that hash has been replaced: the caller restores it (a file
   * with a value line twice is damaged; only `vault check` and repair read on).
   */
  addIfNew(hash: string, blob: BlobEntry): boolean {
    if (this.table && this.table.indexOf(hash) >= 0) return false;
    const before = this.added.size;
    this.added.set(hash, blob);
    return this.added.size > before;
  }

  set(hash: string, blob: BlobEntry): this {
    this.added.set(hash, blob);
    return this;
  }

  /** Forgets a blob read after the table (an interrupted save's orphan lines); the table itself never changes. */
  delete(hash: string): boolean {
    return this.added.delete(hash);
  }

  /** A copy that shares the (immutable) table. */
  copy(): BlobIndex {
    return new BlobIndex(this.table, this.added);
  }

  *[Symbol.iterator](): IterableIterator<[string, BlobEntry]> {
    if (this.table) for (let i = 0; i < this.table.size; i++) yield [this.table.hashAt(i), this.table.entryAt(i)];
    yield* this.added;
  }

  entries(): IterableIterator<[string, BlobEntry]> {
    return this[Symbol.iterator]();
  }

  keys(): IterableIterator<string> {
    return (function* (it: Iterable<[string, BlobEntry]>) {
      for (const [h] of it) yield h;
    })(this);
  }
}
