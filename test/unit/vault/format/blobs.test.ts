/**
 * The blob index (format/blobs.ts): a warm snapshot's sorted table of the
 * prefix's blob lines answers like the Map a full parse builds, and blobs
 * read or written after it are kept beside it. A value line that appears twice
 * is damage, and the blob stays the first line.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { toB64u } from '../../../../electron/vault/crypto/index.js';
import { BlobIndex, SortedBlobTable } from '../../../../electron/vault/format/blobs.js';
import { buildGraph } from '../../../../electron/vault/format/graph.js';
import { create } from '../merge/helpers.js';

/** A file of blob lines ("B " + base64url + LF) and the table of them, sorted by hash. */
function fileOf(n: number): { file: Buffer; table: SortedBlobTable; blobs: Map<string, { bytes: Buffer; line: number; where: [number, number] }> } {
  const blobs = new Map<string, { bytes: Buffer; line: number; where: [number, number] }>();
  let text = 'header\n';
  for (let i = 0; i < n; i++) {
    // Distinct by construction (the index first): random one-byte values would repeat now and then.
    const index = Buffer.alloc(4);
    index.writeUInt32BE(i);
    const bytes = Buffer.concat([index, randomBytes(i % 50)]);
    const start = Buffer.byteLength(text);
    text += `B ${toB64u(bytes)}\n`;
    blobs.set(createHash('sha256').update(bytes).digest('hex'), { bytes, line: i + 2, where: [start, Buffer.byteLength(text)] });
  }
  const sorted = [...blobs].sort((a, b) => (a[0] < b[0] ? -1 : 1));
  const hashes = Buffer.concat(sorted.map(([h]) => Buffer.from(h, 'hex')));
  const where = new Float64Array(sorted.flatMap(([, b]) => [b.where[0], b.where[1], b.line]));
  const file = Buffer.from(text);
  return { file, table: new SortedBlobTable(file, hashes, where), blobs };
}

describe('SortedBlobTable', () => {
  it('finds every blob by its hash, with its bytes, line and offsets read from the file', () => {
    const { table, blobs } = fileOf(257);
    expect(table.size).toBe(257);
    for (const [h, b] of blobs) {
      const i = table.indexOf(h);
      expect(i).toBeGreaterThanOrEqual(0);
      expect(table.hashAt(i)).toBe(h);
      const e = table.entryAt(i);
      expect(Buffer.from(e.bytes)).toEqual(b.bytes);
      expect(e.line).toBe(b.line);
      expect(e.where).toEqual(b.where);
    }
  });

  it('answers -1 for a hash it does not hold, a malformed one, or in an empty table', () => {
    const { table } = fileOf(10);
    expect(table.indexOf('00'.repeat(32))).toBe(-1);
    expect(table.indexOf('ff'.repeat(32))).toBe(-1);
    expect(table.indexOf('not hex')).toBe(-1);
    expect(table.indexOf('zz'.repeat(32))).toBe(-1);
    expect(new SortedBlobTable(Buffer.alloc(0), Buffer.alloc(0), new Float64Array(0)).indexOf('00'.repeat(32))).toBe(-1);
  });
});

describe('BlobIndex', () => {
  it('over a table behaves as a Map of the same blobs, and keeps later blobs beside it', () => {
    const { table, blobs } = fileOf(40);
    const index = new BlobIndex(table);
    const late = randomBytes(9);
    const lateHash = createHash('sha256').update(late).digest('hex');
    expect(index.has(lateHash)).toBe(false);
    index.set(lateHash, { bytes: late, line: 0 });
    expect(index.size).toBe(41);
    expect(index.get(lateHash)?.bytes).toBe(late);
    for (const h of blobs.keys()) expect(index.has(h)).toBe(true);
    expect(new Set(index.keys())).toEqual(new Set([...blobs.keys(), lateHash]));
    const copy = index.copy();
    expect(index.delete(lateHash)).toBe(true);
    expect(index.has(lateHash)).toBe(false);
    expect(copy.has(lateHash), 'a copy keeps its own later blobs').toBe(true);
    // The table never changes: deleting one of its blobs is refused.
    const first = [...blobs.keys()][0]!;
    expect(index.delete(first)).toBe(false);
    expect(index.has(first)).toBe(true);
  });
});

describe('a value line that appears twice', () => {
  it('is damage; vault check reads on, naming each repeat, and the blob stays the first line', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'coffer-blobs-'));
    try {
      const v = await create(join(dir, 'v.coffer'), join(dir, 'p'));
      await v.secrets.set({ name: 'a', value: new TextEncoder().encode('one') });
      v.close();
      const lines = (await readFile(join(dir, 'v.coffer'), 'latin1')).split('\n');
      const at = lines.findIndex((l) => l.startsWith('B '));
      // The value line twice more, right after itself (lines at+2 and at+3, 1-based).
      lines.splice(at + 1, 0, lines[at]!, lines[at]!);
      const bytes = Buffer.from(lines.join('\n'), 'latin1');
      expect(() => buildGraph(bytes)).toThrow(/line \d+: the same value blob appears twice/);
      const problems = { issues: [] as { line: number; message: string }[] };
      const g = buildGraph(bytes, { salvage: true }, problems);
      expect(problems.issues.filter((i) => i.message.includes('appears twice')).map((i) => i.line)).toEqual([at + 2, at + 3]);
      const hash = createHash('sha256').update(Buffer.from(lines[at]!.slice(2), 'base64url')).digest('hex');
      expect(g.blobs.get(hash)!.line).toBe(at + 1);
    } finally {
      await rm(dir, { recursive: true, force: true, maxRetries: 5 });
    }
  });
});

describe('FileLines: the value lines of one pass over a file', () => {
  const hex = (prefix: string, i: number): string => (prefix + i.toString(16).padStart(8, '0')).padEnd(64, 'a');

  it('finds every line it holds, also hashes whose first 32 bits collide, across its growth', () => {
    const file = Buffer.alloc(0);
    const index = new BlobIndex();
    const pass = index.newPass(file);
    const hashes = [...Array.from({ length: 3000 }, (_, i) => hex('', i)), ...Array.from({ length: 50 }, (_, i) => `00000001${i.toString(16).padStart(56, '0')}`)];
    hashes.forEach((h, i) => expect(index.addLine(pass, h, i * 10, i * 10 + 5, i + 2)).toBe(true));
    expect(index.size).toBe(hashes.length);
    hashes.forEach((h, i) => {
      const b = index.get(h)!;
      expect(b.line).toBe(i + 2);
      expect(b.where).toEqual([i * 10, i * 10 + 5]);
    });
    expect(index.has('f'.repeat(64))).toBe(false);
    expect(index.addLine(pass, hashes[7]!, 0, 1, 1), 'a hash read twice is refused, the first line stays').toBe(false);
    expect(index.get(hashes[7]!)!.line).toBe(9);
  });

  it('forgets a removed line; a copy shares the finished passes, and a later pass of the copy is its own', () => {
    const index = new BlobIndex();
    const pass = index.newPass(Buffer.alloc(0));
    index.addLine(pass, hex('', 1), 0, 1, 2);
    index.addLine(pass, hex('', 2), 1, 2, 3);
    expect(index.delete(hex('', 2))).toBe(true);
    expect(index.has(hex('', 2))).toBe(false);
    expect([...index.keys()]).toEqual([hex('', 1)]);
    const copy = index.copy();
    const later = copy.newPass(Buffer.alloc(0));
    expect(copy.addLine(later, hex('', 1), 5, 6, 9), 'a hash of an earlier pass is not added again').toBe(false);
    expect(copy.addLine(later, hex('', 3), 5, 6, 9)).toBe(true);
    expect(copy.has(hex('', 3))).toBe(true);
    expect(index.has(hex('', 3))).toBe(false);
    // A blob set one by one comes first and is counted once.
    copy.set(hex('', 1), { bytes: new Uint8Array(1), line: 0 });
    expect(copy.get(hex('', 1))!.line).toBe(0);
    expect(copy.size).toBe(2);
  });
});
