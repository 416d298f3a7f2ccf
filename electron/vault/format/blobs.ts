/**
 * The value blobs of a graph by hash (FORMAT.md §5.6). A graph parsed from the
 * file holds its blobs in a Map; a graph continued from a warm snapshot
 * (cache/snapshot.ts) keeps the prefix's blobs as a table sorted by hash, read
 * from the file only when asked for, so an open does not build one object per
 * value of the vault.
 */
import { hash } from 'node:crypto';
import { fromB64u } from '../crypto/index.js';
import { corrupted } from '../errors.js';

export interface BlobEntry {
  bytes: Uint8Array;
  /** Its line number in the file (0: written by this session, not yet re-read). */
  line: number;
  /** Byte offsets of its line, [start, end) with `end` past the LF, when it was read from a file. */
  where?: [number, number];
}

const HASH_BYTES = 32;

/** A blob's hash (FORMAT.md §3.2): hex SHA-256 of its decoded bytes, one-shot. */
export function hashBlob(bytes: Uint8Array): string {
  return hash('sha256', bytes, 'hex');
}

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

/**
 * A value line of a file, decoded when the value is read: an open holds where values lie,
 * not their bytes. `expect`: a line the open did not hash (a large one, graph.ts
 * deferLargeHashes), checked against the hash its commit lists when read.
 */
export class FileBlob implements BlobEntry {
  readonly where: [number, number];
  private decoded: Uint8Array | undefined;

  constructor(
    private readonly file: Buffer,
    readonly line: number,
    start: number,
    end: number,
    private readonly expect?: string,
  ) {
    this.where = [start, end];
  }

  get bytes(): Uint8Array {
    // "B " + base64url + LF.
    const text = this.file.toString('latin1', this.where[0] + 2, this.where[1] - 1);
    if (this.expect === undefined) return (this.decoded ??= fromB64u(text));
    if (!this.decoded) {
      let bytes: Uint8Array;
      try {
        bytes = fromB64u(text);
      } catch {
        throw corrupted(`line ${this.line}`, 'invalid base64url');
      }
      if (hashBlob(bytes) !== this.expect) throw corrupted(`line ${this.line}`, 'the value line is not the one its commit lists (it was altered)');
      this.decoded = bytes;
    }
    return this.decoded;
  }
}

/**
 * The value lines one pass over a file read, without an object per line: their hashes
 * and places in arrays, found through an open-addressing table on each hash's first 32
 * bits (SHA-256 output is uniform). A Map of 500,000 hex keys to as many objects was
 * most of what an open paid for its blob lines. Filled by one pass of verifyEntries
 * (format/graph.ts), then only read.
 */
export class FileLines {
  private readonly hashes: string[] = [];
  /** Line start, line end (past its LF) and line number of each entry. */
  private readonly places: number[] = [];
  /** Entries whose line was not hashed when read: checked against their hash when decoded. */
  private readonly unchecked = new Set<number>();
  private slots = new Int32Array(1024);
  private removed = 0;

  constructor(private readonly file: Buffer) {}

  get size(): number {
    return this.hashes.length - this.removed;
  }

  private slotOf(hash: string): number {
    const mask = this.slots.length - 1;
    let i = parseInt(hash.slice(0, 8), 16) & mask;
    for (;;) {
      const at = this.slots[i]!;
      if (at === 0 || this.hashes[at - 1] === hash) return i;
      i = (i + 1) & mask;
    }
  }

  /** The entry of `hash`, or -1. */
  find(hash: string): number {
    const at = this.slots[this.slotOf(hash)]!;
    return at === 0 || this.places[(at - 1) * 3] === -1 ? -1 : at - 1;
  }

  /** Adds a line; false (and nothing changed) when its hash is here already. `unchecked`: not hashed yet (FileBlob). */
  add(hash: string, start: number, end: number, line: number, unchecked = false): boolean {
    const slot = this.slotOf(hash);
    if (this.slots[slot] !== 0) return false;
    if (unchecked) this.unchecked.add(this.hashes.length);
    this.hashes.push(hash);
    this.places.push(start, end, line);
    this.slots[slot] = this.hashes.length;
    // At most half full: probes stay short.
    if (this.hashes.length * 2 > this.slots.length) this.grow();
    return true;
  }

  /** Forgets a line (an interrupted save's orphan line): its entry stays, marked gone. */
  remove(hash: string): boolean {
    const i = this.find(hash);
    if (i < 0) return false;
    this.places[i * 3] = -1;
    this.removed++;
    return true;
  }

  private grow(): void {
    this.slots = new Int32Array(this.slots.length * 2);
    const mask = this.slots.length - 1;
    this.hashes.forEach((h, k) => {
      let i = parseInt(h.slice(0, 8), 16) & mask;
      while (this.slots[i] !== 0) i = (i + 1) & mask;
      this.slots[i] = k + 1;
    });
  }

  entry(i: number): FileBlob {
    return new FileBlob(this.file, this.places[i * 3 + 2]!, this.places[i * 3]!, this.places[i * 3 + 1]!, this.unchecked.has(i) ? this.hashes[i] : undefined);
  }

  *[Symbol.iterator](): IterableIterator<[string, FileBlob]> {
    for (let i = 0; i < this.hashes.length; i++) if (this.places[i * 3] !== -1) yield [this.hashes[i]!, this.entry(i)];
  }
}

/**
 * Blobs by hash: a snapshot's sorted table (if any), the lines each pass over a file
 * read, and the blobs set one by one (written by this session, or taken from another
 * copy), which come first.
 */
export class BlobIndex implements Iterable<[string, BlobEntry]> {
  private readonly added: Map<string, BlobEntry>;
  private readonly lines: FileLines[];

  constructor(
    private readonly table?: SortedBlobTable,
    added?: Iterable<[string, BlobEntry]>,
    lines: readonly FileLines[] = [],
  ) {
    this.added = new Map(added);
    this.lines = [...lines];
  }

  get size(): number {
    let n = (this.table?.size ?? 0) + this.added.size;
    for (const l of this.lines) n += l.size;
    for (const h of this.added.keys()) if (this.inLines(h) >= 0 || (this.table && this.table.indexOf(h) >= 0)) n--;
    return n;
  }

  private inLines(hash: string): number {
    for (let k = 0; k < this.lines.length; k++) if (this.lines[k]!.find(hash) >= 0) return k;
    return -1;
  }

  get(hash: string): BlobEntry | undefined {
    const b = this.added.get(hash);
    if (b) return b;
    for (const l of this.lines) {
      const i = l.find(hash);
      if (i >= 0) return l.entry(i);
    }
    if (!this.table) return undefined;
    const i = this.table.indexOf(hash);
    return i < 0 ? undefined : this.table.entryAt(i);
  }

  has(hash: string): boolean {
    return this.added.has(hash) || this.inLines(hash) >= 0 || (this.table !== undefined && this.table.indexOf(hash) >= 0);
  }

  /** Lines of a new pass over `file` go here (verifyEntries). */
  newPass(file: Buffer): FileLines {
    const l = new FileLines(file);
    this.lines.push(l);
    return l;
  }

  /**
   * Adds a line of the pass `lines` and says whether its hash was new; when it was not,
   * nothing changes (a file with a value line twice is damaged; only `vault check` and
   * repair read on, and the first line of the hash stays the one read).
   */
  addLine(lines: FileLines, hash: string, start: number, end: number, line: number, unchecked = false): boolean {
    if (this.added.has(hash) || (this.table && this.table.indexOf(hash) >= 0)) return false;
    for (const l of this.lines) if (l !== lines && l.find(hash) >= 0) return false;
    return lines.add(hash, start, end, line, unchecked);
  }

  set(hash: string, blob: BlobEntry): this {
    this.added.set(hash, blob);
    return this;
  }

  /** Forgets a blob read after the table (an interrupted save's orphan lines); the table itself never changes. */
  delete(hash: string): boolean {
    const was = this.added.delete(hash);
    const k = this.inLines(hash);
    return (k >= 0 && this.lines[k]!.remove(hash)) || was;
  }

  /** A copy that shares the table and the passes' lines (neither changes once its pass is done). */
  copy(): BlobIndex {
    return new BlobIndex(this.table, this.added, this.lines);
  }

  *[Symbol.iterator](): IterableIterator<[string, BlobEntry]> {
    const shadowed = (h: string): boolean => this.added.has(h);
    if (this.table) for (let i = 0; i < this.table.size; i++) {
      const h = this.table.hashAt(i);
      if (!shadowed(h)) yield [h, this.table.entryAt(i)];
    }
    for (const l of this.lines) for (const [h, b] of l) if (!shadowed(h)) yield [h, b];
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
