/**
 * Small, fast test vaults for engine tests (DECISIONS.md "Tests and tooling":
 * KDF m = 8 MiB, t = 1, p = 1 passed at creation). Everything lives in
 * temporary folders; call `removeTempDirs()` in an `afterAll`.
 *
 *   const t = await createTestVault();                 // admin vault + its profile
 *   const bob = newMember('bob');
 *   await t.vault.members.add(bob.publicIdentity, ['Key Vault Secrets User']);
 *   const asBob = await openAsMember(t.path, bob);     // bob's own profile folder
 *
 * `openVault(..., identity)` wipes the identity it was given on close(), so
 * the helpers always hand the engine a copy.
 */
import { copyFile, mkdir, mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import type { RoleName } from '../../shared/keyvault.js';
import type { CreateVaultOptions, KdfParams, PublicIdentity, Vault } from '../../electron/vault/api.js';
import { createIdentity, createVault, openVault, type MemberIdentity } from '../../electron/vault/vault.js';
import { CofferError } from '../../electron/vault/errors.js';

/** DECISIONS.md: test vaults use m = 8 MiB, t = 1, p = 1. */
export const TEST_KDF: KdfParams = Object.freeze({ memoryKiB: 8192, iterations: 1, parallelism: 1 });

export const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
export const dec = (b: Uint8Array): string => new TextDecoder().decode(b);

// ------------------------------------------------------------ temp folders

const tempDirs: string[] = [];

/** A fresh temporary folder, removed by removeTempDirs(). */
export async function makeTempDir(prefix = 'coffer-vt-'): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  tempDirs.push(dir);
  return dir;
}

/**
 * Removes every folder made by makeTempDir() in this test file. Retries: a
 * read such as `secrets.list()` appends to the audit log in the background.
 */
export async function removeTempDirs(): Promise<void> {
  const dirs = tempDirs.splice(0);
  await new Promise((r) => setTimeout(r, 20));
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true, maxRetries: 10, retryDelay: 50 })));
}

// -------------------------------------------------------------- identities

export interface TestMember {
  name: string;
  identity: MemberIdentity;
  /** What an invite carries: the public halves and the display name. */
  publicIdentity: PublicIdentity;
}

export function newMember(name: string): TestMember {
  const identity = createIdentity();
  return { name, identity, publicIdentity: { signPub: identity.signPub.slice(), encPub: identity.encPub.slice(), name } };
}

/** A copy the engine may wipe. */
export function copyIdentity(id: MemberIdentity): MemberIdentity {
  return { signSeed: id.signSeed.slice(), signPub: id.signPub.slice(), encPriv: id.encPriv.slice(), encPub: id.encPub.slice() };
}

// ------------------------------------------------------------------ vaults

export interface TestVault {
  /** The temporary folder holding the vault and the profiles. */
  dir: string;
  path: string;
  /** The creator's profile folder. */
  profileDir: string;
  passphrase: Uint8Array;
  vault: Vault;
  /** Every warning passed to onWarning (creation and later operations of `vault`). */
  warnings: string[];
}

export interface CreateTestVaultOptions extends Partial<Omit<CreateVaultOptions, 'passphrase'>> {
  passphrase?: string | Uint8Array;
  /** The temporary folder to use (default: a new one). */
  dir?: string;
  /** File name inside the temp folder (default "test.coffer"). */
  fileName?: string;
}

/** Creates a vault with the small test KDF in a new temporary folder. */
export async function createTestVault(opts: CreateTestVaultOptions = {}): Promise<TestVault> {
  const dir = opts.dir ?? (await makeTempDir());
  const path = opts.path ?? join(dir, opts.fileName ?? 'test.coffer');
  const profileDir = opts.profileDir ?? join(dir, 'profile-owner');
  const passphrase = typeof opts.passphrase === 'string' ? enc(opts.passphrase) : (opts.passphrase ?? enc('correct horse battery staple'));
  const warnings: string[] = [];
  const { dir: _dir, fileName: _fileName, passphrase: _passphrase, ...rest } = opts;
  const vault = await createVault({
    ...rest,
    path,
    profileDir,
    passphrase: passphrase.slice(),
    kdf: opts.kdf ?? TEST_KDF,
    onWarning: (m) => {
      warnings.push(m);
      opts.onWarning?.(m);
    },
  });
  return { dir, path, profileDir, passphrase, vault, warnings };
}

/** Opens with the passphrase (the owner's slot). */
export async function openWithPassphrase(
  path: string,
  profileDir: string,
  passphrase: Uint8Array | string,
  opts: { onWarning?: (m: string) => void; acceptRollback?: boolean } = {},
): Promise<Vault> {
  const p = typeof passphrase === 'string' ? enc(passphrase) : passphrase.slice();
  return openVault({ path, profileDir, passphrase: p, ...opts });
}

/** Opens as a member with their identity (a copy), in their own profile folder `<dir of vault>/profile-<name>` unless given. */
export async function openAsMember(
  path: string,
  member: TestMember | MemberIdentity,
  opts: { profileDir?: string; onWarning?: (m: string) => void; acceptRollback?: boolean } = {},
): Promise<Vault> {
  const identity = 'identity' in member ? member.identity : member;
  const name = 'identity' in member ? member.name : Buffer.from(identity.signPub).toString('hex').slice(0, 8);
  const profileDir = opts.profileDir ?? join(path, '..', `profile-${name}`);
  await mkdir(profileDir, { recursive: true, mode: 0o700 });
  return openVault({
    path,
    profileDir,
    passphrase: new Uint8Array(0),
    identity: copyIdentity(identity),
    ...(opts.onWarning ? { onWarning: opts.onWarning } : {}),
    ...(opts.acceptRollback !== undefined ? { acceptRollback: opts.acceptRollback } : {}),
  });
}

/** Adds members in order (each add is one commit and one new epoch). */
export async function addMembers(vault: Vault, members: [TestMember, RoleName[]][]): Promise<void> {
  for (const [m, roles] of members) await vault.members.add(m.publicIdentity, roles);
}

/** Copies a vault file (e.g. to edit two copies independently before a merge). */
export async function copyVaultFile(from: string, to: string): Promise<void> {
  await copyFile(from, to);
}

// ------------------------------------------------------------- file lines

export interface BlobLine {
  kind: 'blob';
  /** 1-based line number (the header is line 1). */
  lineNo: number;
  text: string;
  bytes: Uint8Array;
  /** Lowercase hex SHA-256 of the bytes (how commits reference blobs). */
  hash: string;
}

export interface CommitLine {
  kind: 'commit';
  lineNo: number;
  text: string;
  payloadText: string;
  payload: Record<string, unknown>;
  sig: Uint8Array;
  /** Lowercase hex SHA-256 of the payload text. */
  id: string;
}

export interface VaultLines {
  header: string;
  vaultId: string;
  lines: (BlobLine | CommitLine)[];
  commits: CommitLine[];
  blobs: BlobLine[];
}

/**
 * Splits a vault file into its lines without the engine (FORMAT: header,
 * `B <b64url>`, `C <json> <b64url sig>`). Throws on anything else.
 */
export function parseVaultLines(bytes: Uint8Array | string): VaultLines {
  const text = typeof bytes === 'string' ? bytes : Buffer.from(bytes).toString('utf8');
  const raw = text.split('\n');
  if (raw[raw.length - 1] === '') raw.pop();
  const header = raw[0] ?? '';
  const m = /^coffer-vault\/[12] ([0-9a-f]{64})$/.exec(header);
  if (!m) throw new Error(`not a vault header: ${header.slice(0, 40)}`);
  const lines: (BlobLine | CommitLine)[] = [];
  raw.slice(1).forEach((l, i) => {
    const lineNo = i + 2;
    if (l.startsWith('B ')) {
      const b = new Uint8Array(Buffer.from(l.slice(2), 'base64url'));
      lines.push({ kind: 'blob', lineNo, text: l, bytes: b, hash: createHash('sha256').update(b).digest('hex') });
    } else if (l.startsWith('C ')) {
      const body = l.slice(2);
      const sp = body.lastIndexOf(' ');
      const payloadText = body.slice(0, sp);
      lines.push({
        kind: 'commit',
        lineNo,
        text: l,
        payloadText,
        payload: JSON.parse(payloadText) as Record<string, unknown>,
        sig: new Uint8Array(Buffer.from(body.slice(sp + 1), 'base64url')),
        id: createHash('sha256').update(payloadText, 'utf8').digest('hex'),
      });
    } else {
      throw new Error(`line ${lineNo} is neither a blob nor a commit`);
    }
  });
  return {
    header,
    vaultId: m[1]!,
    lines,
    commits: lines.filter((l): l is CommitLine => l.kind === 'commit'),
    blobs: lines.filter((l): l is BlobLine => l.kind === 'blob'),
  };
}

export async function readVaultLines(path: string): Promise<VaultLines> {
  return parseVaultLines(await readFile(path));
}

/** Every regular file under `dir` (recursively), with its bytes. */
export async function readAllFiles(dir: string): Promise<{ path: string; bytes: Buffer }[]> {
  const out: { path: string; bytes: Buffer }[] = [];
  const walk = async (d: string): Promise<void> => {
    let entries: string[];
    try {
      entries = await readdir(d);
    } catch {
      return;
    }
    for (const e of entries) {
      const p = join(d, e);
      const s = await stat(p);
      if (s.isDirectory()) await walk(p);
      else if (s.isFile()) out.push({ path: p, bytes: await readFile(p) });
    }
  };
  await walk(dir);
  return out;
}

// ----------------------------------------------------------------- canaries

/**
 * Ways a string may show up in bytes: itself, hex (both cases), and base64 /
 * base64url at each of the 3 byte alignments (the characters fully determined
 * by the string's own bytes). Use canaries of ≥ 12 bytes.
 */
export function canaryEncodings(canary: string | Uint8Array): string[] {
  const bytes = Buffer.from(typeof canary === 'string' ? enc(canary) : canary);
  const out = new Set<string>();
  if (typeof canary === 'string') out.add(canary);
  out.add(bytes.toString('latin1'));
  out.add(bytes.toString('hex'));
  out.add(bytes.toString('hex').toUpperCase());
  for (let shift = 0; shift < 3; shift++) {
    const padded = Buffer.concat([Buffer.alloc(shift), bytes]);
    // Characters 0..ceil(8*shift/6) touch the filler; the last 3 may touch what follows.
    const skip = Math.ceil((8 * shift) / 6);
    const cut = (s: string): string => s.replace(/=+$/, '').slice(skip, -3);
    const b64 = cut(padded.toString('base64'));
    const b64u = cut(padded.toString('base64url'));
    if (b64.length >= 8) out.add(b64);
    if (b64u.length >= 8) out.add(b64u);
  }
  return [...out];
}

/** The canaries (and their encodings) found in `haystack`, as `canary (form)`. */
export function findCanaries(haystack: Uint8Array | string, canaries: (string | Uint8Array)[]): string[] {
  const text = typeof haystack === 'string' ? haystack : Buffer.from(haystack).toString('latin1');
  const utf = typeof haystack === 'string' ? haystack : Buffer.from(haystack).toString('utf8');
  const found: string[] = [];
  for (const c of canaries) {
    const label = typeof c === 'string' ? c : Buffer.from(c).toString('hex').slice(0, 16);
    for (const form of canaryEncodings(c)) {
      if (text.includes(form) || utf.includes(form)) {
        found.push(`${label} (as ${form.slice(0, 24)}…)`);
        break;
      }
    }
  }
  return found;
}

/** The CofferError code a promise rejects with ('ok' if it resolves; the error's text otherwise). */
export async function rejectionCode(p: Promise<unknown>): Promise<string> {
  return p.then(
    () => 'ok',
    (e: unknown) => (e instanceof CofferError ? e.code : String(e)),
  );
}
