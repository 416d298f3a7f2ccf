/**
 * Writes the damaged-file vectors (VAULT-MODEL V2; age test kit style: each
 * file declares its expected outcome in expected.json). Run from the
 * repository root:
 *
 *   npx tsx test/vectors/damaged/generate.ts
 *
 * It builds one small vault with the engine (random keys and nonces, so the
 * bytes differ on every run; the expectations are derived from the damage
 * done, not from running the engine, and hold for any run), then writes the
 * intact file and each damaged variant as NN-name.coffer.txt (`*.coffer` is
 * git-ignored) and expected.json. See README.md.
 */
import { mkdtemp, readdir, rm, unlink, writeFile } from 'node:fs/promises';
import { readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createVault } from '../../../electron/vault/vault.js';
import {
  duplicateLine,
  flipBit,
  insertAt,
  insertLine,
  lineBytes,
  removeLine,
  replaceLine,
  shortId,
  splitLines,
  swapLines,
  truncateAt,
  type FileLine,
} from '../../helpers/damage.js';

/** The passphrase of every vector (also in README.md). */
export const VECTOR_PASSPHRASE = 'coffer damaged-file vectors';
const KDF = { memoryKiB: 8192, iterations: 1, parallelism: 1 };

export interface VectorExpectation {
  file: string;
  description: string;
  /** "ok": opens (state below); otherwise the CofferError code of openVault. */
  expect: 'ok' | 'VaultCorrupted';
  /** For errors: the part the error must name, any one of these (error.part, exactly). */
  parts?: string[];
  /** For errors: a substring of the message. */
  message?: string;
  /** For "ok": whether openVault warns of an interrupted save. */
  interruptedSave?: boolean;
  /** For "ok": the live secrets and their latest values. */
  secrets?: Record<string, string>;
  /** What `vault check` (checkVaultFile, no passphrase) reports: ok, and the interrupted-save flag. */
  check: { ok: boolean; interruptedSave?: boolean };
  /** Where it differs from `check`: what `vault check` reports given the passphrase, and a part its problems must name. */
  checkUnlocked?: { ok: boolean; part?: string };
  note?: string;
}

const here = path.dirname(fileURLToPath(import.meta.url));

async function buildVault(dir: string, name: string, writes: [string, string][]): Promise<{ bytes: Buffer; versions: Map<string, string> }> {
  const file = path.join(dir, `${name}.coffer`);
  const v = await createVault({ path: file, profileDir: path.join(dir, `${name}-profile`), passphrase: Buffer.from(VECTOR_PASSPHRASE), kdf: KDF, onWarning: () => undefined });
  const versions = new Map<string, string>(); // "name value" -> version id
  for (const [n, value] of writes) {
    const b = await v.secrets.set({ name: n, value: Buffer.from(value) });
    versions.set(`${n} ${value}`, b.id.split('/').pop()!);
  }
  v.close();
  return { bytes: await readFile(file), versions };
}

export async function generate(outDir = here): Promise<VectorExpectation[]> {
  const tmp = await mkdtemp(path.join(os.tmpdir(), 'coffer-vectors-'));
  try {
    const writes: [string, string][] = [
      ['db-password', 'hunter2'],
      ['api-token', 'tok-0123456789'],
      ['db-password', 'hunter3'],
      ['note', 'the last save'],
    ];
    const { bytes, versions } = await buildVault(tmp, 'vector', writes);
    const other = await buildVault(tmp, 'other', [['elsewhere', 'another vault']]);
    const L = splitLines(bytes);
    const line = (no: number): FileLine => L[no - 1]!;
    // Layout: 1 header, 2 genesis, 3 first commit, then per write a value line and a commit line.
    const kinds = L.map((l) => l.kind[0]).join('');
    if (kinds !== 'hccbcbcbcbc') throw new Error(`unexpected layout ${kinds}`);
    const commit = (no: number): string => `commit ${shortId(line(no).commitId!)} (line ${no})`;
    const commitAt = (no: number, id: string): string => `commit ${shortId(id)} (line ${no})`;
    const all = { 'db-password': 'hunter3', 'api-token': 'tok-0123456789', note: 'the last save' };
    const beforeLast = { 'db-password': 'hunter3', 'api-token': 'tok-0123456789' };
    const otherCommit = lineBytes(other.bytes, splitLines(other.bytes).at(-1)!);
    const otherValue = lineBytes(other.bytes, splitLines(other.bytes).find((l) => l.kind === 'blob')!);
    /** Replaces one base64url character in the middle of a line by another (the result stays canonical). */
    const alterChar = (no: number, at: number): Buffer => {
      const b = Buffer.from(bytes);
      const i = line(no).start + at;
      b[i] = b[i] === 0x41 ? 0x42 : 0x41;
      return b;
    };
    /** Replaces one hex digit of line `no` by another (the result stays lowercase hex). */
    const alterHex = (no: number, at: number): Buffer => {
      const b = Buffer.from(bytes);
      const i = line(no).start + at;
      b[i] = b[i] === 0x30 ? 0x31 : 0x30;
      return b;
    };
    const header = line(1).text;
    /** Commit line `no` with its payload text edited (the result stays canonical JSON). */
    const editCommit = (no: number, edit: (text: string) => string): Buffer => {
      const text = edit(line(no).text);
      if (text === line(no).text) throw new Error(`line ${no}: the edit changed nothing`);
      return replaceLine(bytes, no, `${text}\n`);
    };
    /** The part naming commit line `no` of damaged bytes (an altered commit has a new id). */
    const commitIn = (damaged: Buffer, no: number): string => `commit ${shortId(splitLines(damaged)[no - 1]!.commitId!)} (line ${no})`;
    // Line 7 (api-token) writes under the epoch line 3 started, as the 3rd commit of its author.
    const epochAltered = alterHex(7, line(7).text.indexOf('"epoch":"') + 9 + 5);
    const seq = /"seq":(\d+),/.exec(line(7).text)![1]!;
    const seqAltered = editCommit(7, (t) => t.replace(`"seq":${seq},`, `"seq":${Number(seq) + 1},`));
    const lastValueRemoved = removeLine(bytes, 10);

    const vectors: [string, Buffer, Omit<VectorExpectation, 'file'>][] = [
      ['intact', bytes, { description: 'The vault as saved: four saves of three secrets.', expect: 'ok', interruptedSave: false, secrets: all, check: { ok: true, interruptedSave: false } }],
      ['header-not-coffer', replaceLine(bytes, 1, `not-a-vault/1 ${header.split(' ')[1]}\n`), { description: 'The header line is not a Coffer header.', expect: 'VaultCorrupted', parts: ['header'], message: 'not a Coffer vault file', check: { ok: false } }],
      ['header-newer-format', replaceLine(bytes, 1, `coffer-vault/9 ${header.split(' ')[1]}\n`), { description: 'A header of a newer format version (9) than this build writes: the vault opens read-only, showing what this version knows, and writes are refused (FORMAT.md §1).', expect: 'ok', interruptedSave: false, secrets: all, check: { ok: true, interruptedSave: false } }],
      ['header-vault-id-altered', alterHex(1, 20), { description: 'One hex digit of the vault id in the header changed (still hex): the genesis commit no longer matches it.', expect: 'VaultCorrupted', parts: [commit(2), 'header'], message: 'vault id in the header', check: { ok: false } }],
      ['signature-flipped', flipBit(bytes, line(11).sigStart! + 10, 2), { description: 'One bit of the signature of the last commit (line 11) flipped.', expect: 'VaultCorrupted', parts: [commit(11)], message: 'signature does not verify', check: { ok: false } }],
      ['payload-not-json', replaceLine(bytes, 7, `C [${line(7).text.slice(3)}\n`), { description: 'The first byte of the JSON payload of commit line 7 replaced: not JSON any more.', expect: 'VaultCorrupted', parts: ['line 7'], message: 'not valid JSON', check: { ok: false } }],
      ['value-altered', alterChar(6, 20), { description: 'One character of the value line of api-token (line 6) changed: its hash no longer matches the one commit line 7 signed.', expect: 'VaultCorrupted', parts: ['line 6', commit(7)], check: { ok: false } }],
      ['value-removed', removeLine(bytes, 6), { description: 'The value line of api-token (line 6) removed.', expect: 'VaultCorrupted', parts: [`value of secret api-token version ${versions.get('api-token tok-0123456789')}`], message: 'the value line is missing', check: { ok: true }, checkUnlocked: { ok: false, part: `value of secret api-token version ${versions.get('api-token tok-0123456789')}` }, note: 'Without the passphrase, vault check cannot tell a removed value line from a purged one (later commits could hold a purge): it notes one absent value line. With the passphrase it names the missing value, as opening does.' }],
      ['value-from-other-record', replaceLine(bytes, 6, lineBytes(bytes, line(4))), { description: 'The value line of api-token (line 6) replaced by the value line of db-password version 1 (line 4), from the same vault.', expect: 'VaultCorrupted', parts: ['line 6', commit(7)], check: { ok: false } }],
      ['value-from-other-vault', replaceLine(bytes, 6, otherValue), { description: 'The value line of api-token (line 6) replaced by a value line of another vault.', expect: 'VaultCorrupted', parts: ['line 6', commit(7)], check: { ok: false } }],
      ['commit-from-other-vault', insertLine(bytes, 8, otherCommit), { description: 'A signed commit line of another vault inserted as line 8.', expect: 'VaultCorrupted', parts: ['line 8'], message: 'belongs to another vault', check: { ok: false } }],
      ['commit-duplicated', duplicateLine(bytes, 7, 8), { description: 'Commit line 7 duplicated as line 8.', expect: 'VaultCorrupted', parts: [commitAt(8, line(7).commitId!)], message: 'appears twice', check: { ok: false } }],
      ['commits-reordered', swapLines(bytes, 7, 9), { description: 'Commit lines 7 and 9 swapped: line 7 now holds a commit whose parent comes later.', expect: 'VaultCorrupted', parts: [commitAt(7, line(9).commitId!)], message: `references commit ${shortId(line(7).commitId!)}`, check: { ok: false } }],
      ['commit-withheld', removeLine(removeLine(bytes, 7), 6), { description: 'The save of api-token (value line 6, commit line 7) removed: the next commit names it as its parent.', expect: 'VaultCorrupted', parts: [commitAt(7, line(9).commitId!)], message: `references commit ${shortId(line(7).commitId!)}`, check: { ok: false } }],
      ['empty-line', insertLine(bytes, 5, '\n'), { description: 'An empty line inserted as line 5.', expect: 'VaultCorrupted', parts: ['line 5'], message: 'neither a blob nor a commit', check: { ok: false } }],
      ['crlf-line-ends', Buffer.from(bytes.toString('latin1').replace(/\n/g, '\r\n'), 'latin1'), { description: 'Every line end turned into CRLF (a text-mode checkout).', expect: 'VaultCorrupted', parts: ['header'], check: { ok: false } }],
      ['truncated-in-header', truncateAt(bytes, 20), { description: 'The file cut 20 bytes in, inside the header.', expect: 'VaultCorrupted', parts: ['header'], check: { ok: false } }],
      ['truncated-last-line', truncateAt(bytes, line(11).start + 200), { description: 'The file cut inside its last line: an interrupted save. It opens without that save, with a warning.', expect: 'ok', interruptedSave: true, secrets: beforeLast, check: { ok: true, interruptedSave: true } }],
      ['stray-bytes-at-end', insertAt(bytes, bytes.length, 'xyz'), { description: 'Three bytes after the final newline: an incomplete line, taken for an interrupted save. Nothing changed.', expect: 'ok', interruptedSave: true, secrets: all, check: { ok: true, interruptedSave: true } }],
      ['epoch-altered', epochAltered, { description: 'One hex digit of the epoch of commit line 7 changed (still hex, still canonical): an epoch no commit started, because the commit was altered. Its signature is named, not the epoch.', expect: 'VaultCorrupted', parts: [commitIn(epochAltered, 7)], message: 'signature does not verify', check: { ok: false } }],
      ['seq-altered', seqAltered, { description: `The sequence number of commit line 7 changed from ${seq} to ${Number(seq) + 1} (still canonical): a gap, because the commit was altered. Its signature is named, not the gap.`, expect: 'VaultCorrupted', parts: [commitIn(seqAltered, 7)], message: 'signature does not verify', check: { ok: false } }],
      ['last-value-removed', lastValueRemoved, { description: 'The value line of the last save (note, line 10) removed: no later commit could have purged it, so vault check names it without the passphrase (as its commit, line 10; opening names the secret and version).', expect: 'VaultCorrupted', parts: [`value of secret note version ${versions.get('note the last save')}`, commitIn(lastValueRemoved, 10)], message: 'the value line is missing', check: { ok: false }, checkUnlocked: { ok: false, part: `value of secret note version ${versions.get('note the last save')}` } }],
    ];

    for (const name of await readdir(outDir)) if (name.endsWith('.coffer.txt')) await unlink(path.join(outDir, name));
    const expected: VectorExpectation[] = [];
    for (const [i, [name, data, e]] of vectors.entries()) {
      const file = `${String(i).padStart(2, '0')}-${name}.coffer.txt`;
      await writeFile(path.join(outDir, file), data);
      expected.push({ file, ...e });
    }
    await writeFile(
      path.join(outDir, 'expected.json'),
      `${JSON.stringify({ passphrase: VECTOR_PASSPHRASE, generator: 'test/vectors/damaged/generate.ts', vectors: expected }, null, 2)}\n`,
    );
    return expected;
  } finally {
    await rm(tmp, { recursive: true, force: true, maxRetries: 10, retryDelay: 50 });
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const written = await generate();
  console.log(`wrote ${written.length} vectors and expected.json to ${here}`);
}
