/**
 * Damaged-file tooling for the durability suites (VAULT-MODEL V2, V7):
 * a small sample vault with a known history, byte- and line-level damage
 * primitives, a deterministic PRNG for sampling positions, and a snapshot of
 * a vault's visible state (lists, versions, values) to compare opens with.
 *
 * Everything here works on the file as bytes and lines (FORMAT.md §2:
 * header, `B <b64u>` blob lines, `C <canonical json> <sig>` commit lines);
 * the engine is only used to build vaults and to open them.
 */
import { createHash } from 'node:crypto';
import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { DeletedSecretItem, SecretItem } from '../../shared/keyvault.js';
import type { KdfParams, Vault } from '../../electron/vault/api.js';
import { CofferError } from '../../electron/vault/errors.js';
import { createIdentity, createVault, openVault } from '../../electron/vault/vault.js';

/** DECISIONS.md "Tests and tooling": m = 8 MiB, t = 1, p = 1. */
export const TEST_KDF: KdfParams = { memoryKiB: 8192, iterations: 1, parallelism: 1 };
export const TEST_PASSPHRASE = 'durability: correct horse battery staple';
export const passphraseBytes = (p = TEST_PASSPHRASE): Uint8Array => Buffer.from(p, 'utf8');

// ---------------------------------------------------------------- PRNG

/** mulberry32: a tiny seeded PRNG, so sampled damage positions are reproducible. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const randInt = (rand: () => number, lo: number, hiExclusive: number): number => lo + Math.floor(rand() * (hiExclusive - lo));

/** A positive integer from the environment, or `fallback`. */
export function envInt(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isSafeInteger(n) || n < 0) throw new Error(`${name} must be a non-negative integer, got "${raw}"`);
  return n;
}

// ---------------------------------------------------------------- lines

export type LineKind = 'header' | 'blob' | 'commit' | 'other';

export interface FileLine {
  /** 1-based line number, as the engine names lines ("line 3"). */
  no: number;
  /** Byte offset of the first byte. */
  start: number;
  /** Byte offset just past the newline (or the end of the file for an incomplete last line). */
  end: number;
  kind: LineKind;
  /** The line without its newline (latin1, so byte offsets and string offsets agree). */
  text: string;
  /** Commit lines: SHA-256 of the payload = the commit id (C3). */
  commitId?: string;
  /** Commit lines: byte offset where the signature starts. */
  sigStart?: number;
  /** Blob lines: SHA-256 of the decoded ciphertext = the hash commits reference. */
  blobHash?: string;
}

export const sha256hex = (b: Uint8Array | string): string => createHash('sha256').update(b).digest('hex');

export function splitLines(bytes: Uint8Array): FileLine[] {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out: FileLine[] = [];
  let pos = 0;
  while (pos < buf.length) {
    const nl = buf.indexOf(0x0a, pos);
    const end = nl < 0 ? buf.length : nl + 1;
    const text = buf.subarray(pos, nl < 0 ? buf.length : nl).toString('latin1');
    const no = out.length + 1;
    const line: FileLine = { no, start: pos, end, kind: 'other', text };
    if (no === 1 && text.startsWith('coffer-vault/')) line.kind = 'header';
    else if (text.startsWith('B ')) {
      line.kind = 'blob';
      line.blobHash = sha256hex(Buffer.from(text.slice(2), 'base64url'));
    } else if (text.startsWith('C ')) {
      line.kind = 'commit';
      const sp = text.lastIndexOf(' ');
      line.sigStart = pos + sp + 1;
      // The payload is UTF-8; hash its bytes as stored.
      line.commitId = sha256hex(buf.subarray(pos + 2, pos + sp));
    }
    out.push(line);
    pos = end;
  }
  return out;
}

export const commitLines = (bytes: Uint8Array): FileLine[] => splitLines(bytes).filter((l) => l.kind === 'commit');
export const blobLines = (bytes: Uint8Array): FileLine[] => splitLines(bytes).filter((l) => l.kind === 'blob');
/** The line holding byte `offset`. */
export const lineAt = (lines: FileLine[], offset: number): FileLine => lines.find((l) => offset >= l.start && offset < l.end)!;
/** The bytes of line `l` including its newline. */
export const lineBytes = (bytes: Uint8Array, l: FileLine): Buffer => Buffer.from(bytes).subarray(l.start, l.end);
/** The short commit id the engine prints ("commit 3fa2…"). */
export const shortId = (id: string): string => id.slice(0, 12);

// ---------------------------------------------------------------- damage primitives

export function flipBit(bytes: Uint8Array, offset: number, bit: number): Buffer {
  const out = Buffer.from(bytes);
  out[offset]! ^= 1 << bit;
  return out;
}

export const truncateAt = (bytes: Uint8Array, length: number): Buffer => Buffer.from(Buffer.from(bytes).subarray(0, length));

export function insertAt(bytes: Uint8Array, offset: number, insert: Uint8Array | string): Buffer {
  const b = Buffer.from(bytes);
  return Buffer.concat([b.subarray(0, offset), Buffer.from(insert as string), b.subarray(offset)]);
}

/** Rebuilds the file from its lines (each with its newline), after `edit` rearranged them. */
function editLines(bytes: Uint8Array, edit: (lines: Buffer[]) => Buffer[]): Buffer {
  const ls = splitLines(bytes).map((l) => lineBytes(bytes, l));
  return Buffer.concat(edit(ls));
}

/** Replaces line `no` (1-based) by `replacement` (a whole line, with its newline). */
export const replaceLine = (bytes: Uint8Array, no: number, replacement: Uint8Array | string): Buffer =>
  editLines(bytes, (ls) => ls.map((l, i) => (i === no - 1 ? Buffer.from(replacement as string) : l)));
export const removeLine = (bytes: Uint8Array, no: number): Buffer => editLines(bytes, (ls) => ls.filter((_, i) => i !== no - 1));
/** Inserts `line` (with its newline) so that it becomes line `no`. */
export const insertLine = (bytes: Uint8Array, no: number, line: Uint8Array | string): Buffer =>
  editLines(bytes, (ls) => [...ls.slice(0, no - 1), Buffer.from(line as string), ...ls.slice(no - 1)]);
export const duplicateLine = (bytes: Uint8Array, no: number, to: number): Buffer => insertLine(bytes, to, editLines(bytes, (ls) => [ls[no - 1]!]));
/** Moves line `from` so that it becomes line `to` of the result. */
export function moveLine(bytes: Uint8Array, from: number, to: number): Buffer {
  return editLines(bytes, (ls) => {
    const rest = ls.filter((_, i) => i !== from - 1);
    rest.splice(to - 1, 0, ls[from - 1]!);
    return rest;
  });
}
export const swapLines = (bytes: Uint8Array, a: number, b: number): Buffer =>
  editLines(bytes, (ls) => {
    const out = [...ls];
    [out[a - 1], out[b - 1]] = [out[b - 1]!, out[a - 1]!];
    return out;
  });

// ---------------------------------------------------------------- state

/** What a member sees: secret lists, every version's attributes and every live value. */
export interface VaultState {
  secrets: SecretItem[];
  deleted: DeletedSecretItem[];
  versions: Record<string, SecretItem[]>;
  /** `${name}/${version}` → base64 of the value. */
  values: Record<string, string>;
}

export async function snapshot(v: Vault): Promise<VaultState> {
  const secrets = v.secrets.list();
  const deleted = v.secrets.listDeleted();
  const versions: Record<string, SecretItem[]> = {};
  const values: Record<string, string> = {};
  for (const s of secrets) {
    const name = s.id.split('/').pop()!;
    versions[name] = v.secrets.listVersions(name);
    for (const item of versions[name]) {
      const version = item.id.split('/').pop()!;
      // Awaiting getValue also waits for the audit entries queued by the lists above.
      values[`${name}/${version}`] = Buffer.from(await v.secrets.getValue(name, version)).toString('base64');
    }
  }
  return { secrets, deleted, versions, values };
}

// ---------------------------------------------------------------- profiles and opening

/** A fresh temporary folder; callers remove it. */
export const tempDir = (prefix: string): Promise<string> => mkdtemp(path.join(os.tmpdir(), prefix));

let profileCounter = 0;
/** A new, empty COFFER-style profile folder under `root` (a computer that never saw the vault: a cold open). */
export function freshProfile(root: string): string {
  return path.join(root, `profile-${process.pid}-${++profileCounter}`);
}

/** A copy of `profile` (its verified-state cache: a computer that has seen the vault). */
export async function copyProfile(profile: string, root: string): Promise<string> {
  const dst = freshProfile(root);
  await cp(profile, dst, { recursive: true });
  return dst;
}

let fileCounter = 0;
/** Writes `bytes` to a new `.coffer` file under `root` and returns its path. */
export async function writeVaultCopy(root: string, bytes: Uint8Array, name = 'damaged'): Promise<string> {
  const dir = path.join(root, 'files');
  await mkdir(dir, { recursive: true });
  const p = path.join(dir, `${name}-${++fileCounter}.coffer`);
  await writeFile(p, bytes, { mode: 0o600 });
  return p;
}

export type OpenOutcome =
  | { ok: true; state: VaultState; warnings: string[] }
  | { ok: false; error: CofferError; warnings: string[] };

/** Opens, snapshots and closes; an engine error is returned, anything else thrown. */
export async function openAndSnapshot(file: string, profileDir: string, options: { acceptRollback?: boolean; passphrase?: string } = {}): Promise<OpenOutcome> {
  const warnings: string[] = [];
  let v: Vault;
  try {
    v = await openVault({
      path: file,
      profileDir,
      passphrase: passphraseBytes(options.passphrase),
      onWarning: (m) => warnings.push(m),
      ...(options.acceptRollback ? { acceptRollback: true } : {}),
    } as Parameters<typeof openVault>[0]);
  } catch (e) {
    if (e instanceof CofferError) return { ok: false, error: e, warnings };
    throw e;
  }
  try {
    return { ok: true, state: await snapshot(v), warnings };
  } catch (e) {
    // Values are decrypted on demand: damage found then is an outcome too.
    if (e instanceof CofferError) return { ok: false, error: e, warnings };
    throw e;
  } finally {
    v.close();
  }
}

export const INTERRUPTED_WARNING = /interrupted save/i;

/** The part names V2 asks for: "header", "genesis", "line N", "commit <id>", "value of secret X version V". */
export const PART_PATTERN = /^(header|genesis|line \d+|commit [0-9a-f]{12}( \(line \d+\))?|value of secret [0-9A-Za-z-]+ version [0-9a-f]{32}( \(line \d+\))?)$/;

/** Describes an outcome in one line, for failure messages. */
export function describeOutcome(o: OpenOutcome): string {
  if (o.ok) return `opened (${o.state.secrets.length} secrets, warnings: ${JSON.stringify(o.warnings)})`;
  return `${o.error.code} [part ${String(o.error.part)}]: ${o.error.message}`;
}

// ---------------------------------------------------------------- the sample vault

/** One completed save of the sample vault's history. */
export interface HistoryStep {
  label: string;
  /** Id of the commit this save appended (the head afterwards). */
  head: string;
  /** State a member sees right after this save. */
  state: VaultState;
}

export interface SampleVault {
  root: string;
  path: string;
  /** The creator's profile: its verified-state cache holds every commit. */
  profile: string;
  bytes: Buffer;
  lines: FileLine[];
  history: HistoryStep[];
  final: VaultState;
  /** blob hash → the secret version whose value it holds (live or soft-deleted). */
  blobOwner: Map<string, { name: string; version: string }>;
  /** The vault id in the header (64 hex). */
  vaultId: string;
}

/**
 * The sample vault: several secrets with several versions, a multi-value
 * import (one commit, three blob lines), a secret deleted and purged (its
 * blob lines compacted away), a soft-deleted secret, an attribute update, a
 * member added (a new key epoch), and writes after the epoch. About a dozen
 * commits and ten value lines; every save is recorded with the state after it.
 */
export async function buildSampleVault(root: string, name = 'sample'): Promise<SampleVault> {
  const file = path.join(root, `${name}.coffer`);
  const profile = path.join(root, `${name}-profile`);
  const v = await createVault({ path: file, profileDir: profile, passphrase: passphraseBytes(), kdf: TEST_KDF, onWarning: () => undefined });
  const history: HistoryStep[] = [];
  const blobOwner = new Map<string, { name: string; version: string }>();
  const seenBlobs = new Set<string>();
  const record = async (label: string, written: string[] = []): Promise<void> => {
    const bytes = await readFile(file);
    const ls = splitLines(bytes);
    const fresh = ls.filter((l) => l.kind === 'blob' && !seenBlobs.has(l.blobHash!)).map((l) => l.blobHash!);
    for (const h of fresh) seenBlobs.add(h);
    if (fresh.length !== written.length) throw new Error(`${label}: ${fresh.length} new value lines for ${written.length} writes`);
    const state = await snapshot(v);
    fresh.forEach((h, i) => {
      const n = written[i]!;
      const items = state.versions[n]!;
      blobOwner.set(h, { name: n, version: items[items.length - 1]!.id.split('/').pop()! });
    });
    history.push({ label, head: ls.filter((l) => l.kind === 'commit').pop()!.commitId!, state });
  };
  await record('create');
  await v.secrets.set({ name: 'db-password', value: Buffer.from('hunter2-v1'), contentType: 'text/plain' });
  await record('set db-password v1', ['db-password']);
  await v.secrets.set({ name: 'db-password', value: Buffer.from('hunter2-v2'), tags: { env: 'prod' } });
  await record('set db-password v2', ['db-password']);
  await v.secrets.set({ name: 'api-token', value: Buffer.from('tok-0123456789abcdef') });
  await record('set api-token', ['api-token']);
  await v.secrets.import([
    { name: 'smtp-user', value: Buffer.from('mailer@example.invalid') },
    { name: 'smtp-pass', value: Buffer.from('p4ss-w0rd') },
    { name: 'blob-bin', value: Uint8Array.from([0, 1, 2, 250, 251, 252, 253, 254, 255]) },
  ]);
  await record('import three secrets (one commit, three value lines)', ['smtp-user', 'smtp-pass', 'blob-bin']);
  await v.secrets.set({ name: 'temp', value: Buffer.from('short-lived') });
  await record('set temp', ['temp']);
  await v.secrets.delete('temp');
  await record('delete temp');
  await v.secrets.purge('temp');
  await record('purge temp (its value line is compacted away)');
  await v.secrets.delete('api-token');
  await record('delete api-token (soft delete)');
  const dbVersions = v.secrets.listVersions('db-password');
  await v.secrets.update('db-password', dbVersions[0]!.id.split('/').pop()!, { tags: { rotated: 'yes' } });
  await record('update db-password v1 tags');
  const bob = createIdentity();
  await v.members.add({ signPub: bob.signPub, encPub: bob.encPub, name: 'bob' }, ['Key Vault Secrets User']);
  await record('add member bob (new epoch)');
  await v.secrets.set({ name: 'db-password', value: Buffer.from('hunter2-v3') });
  await record('set db-password v3 (after the epoch)', ['db-password']);
  await v.secrets.set({ name: 'last-one', value: Buffer.from('the last save') });
  await record('set last-one (the last save)', ['last-one']);
  v.close();
  const bytes = await readFile(file);
  return {
    root,
    path: file,
    profile,
    bytes,
    lines: splitLines(bytes),
    history,
    final: history[history.length - 1]!.state,
    blobOwner,
    vaultId: splitLines(bytes)[0]!.text.split(' ')[1]!,
  };
}

/** Byte offset where the last save's lines start (its blob lines, then its commit line). */
export function lastSaveStart(lines: FileLine[]): number {
  let i = lines.length - 1;
  while (i > 0 && lines[i]!.kind !== 'commit') i--;
  let start = i;
  while (start - 1 > 0 && lines[start - 1]!.kind === 'blob') start--;
  return lines[start]!.start;
}

/** The state after the last commit that ends at or before byte `cut` (what a cold open of the prefix should show). */
export function stateAtPrefix(sample: SampleVault, cut: number): HistoryStep | undefined {
  const done = sample.lines.filter((l) => l.kind === 'commit' && l.end <= cut).map((l) => l.commitId!);
  const head = done[done.length - 1];
  return sample.history.find((h) => h.head === head);
}

/** Removes a temp folder; retries, since reads append to the audit log in the background. */
export async function removeDir(dir: string): Promise<void> {
  await new Promise((r) => setTimeout(r, 20));
  await rm(dir, { recursive: true, force: true, maxRetries: 10, retryDelay: 50 });
}
