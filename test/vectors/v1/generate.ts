/**
 * Writes the version-1 vault fixtures (test/vectors/v1, README.md there):
 * vaults written by the engine while the file format was version 1, kept so
 * that later format versions can prove version-1 files still open, with the
 * state version 1 showed. Run from the repository root:
 *
 *   node --import tsx test/vectors/v1/generate.ts
 *
 * Generated once, at commit 97dfd05 (format version 1). The committed files
 * must never be regenerated once the engine writes a later format version:
 * the generator would then write that version, not version 1. It refuses to
 * write when the engine does not produce `coffer-vault/1` files, and refuses
 * to replace committed fixtures unless given `--overwrite`.
 *
 * It uses the engine's public API only (vault.ts, api.ts). Keys, nonces and
 * version ids are random, so every run gives different bytes; expected.json
 * is read back through the API from the files written, in fresh profile
 * folders, so it is exactly what version 1 shows. Every secret, passphrase,
 * recovery key and identity here is test data.
 */
import { createHash } from 'node:crypto';
import { access, chmod, copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { DeletedSecretBundle, DeletedSecretItem, SecretBundle, SecretItem } from '../../../shared/keyvault.js';
import type { KdfParams, MemberInfo, OpenVaultOptions, Vault, VaultInfo } from '../../../electron/vault/api.js';
import { parseRecoveryKey } from '../../../electron/vault/access/recovery-key.js';
import { CofferError } from '../../../electron/vault/errors.js';
import { createIdentity, createVault, mergeVaultFiles, openVault, type MemberIdentity } from '../../../electron/vault/vault.js';

/** DECISIONS.md "Tests and tooling": test vaults use m = 8 MiB, t = 1, p = 1. */
export const FIXTURE_KDF: KdfParams = { memoryKiB: 8192, iterations: 1, parallelism: 1 };
export const SINGLE_PASSPHRASE = 'v1-fixture-passphrase';
export const TEAM_PASSPHRASE = 'v1-fixture-team-passphrase';
export const SINGLE_FILE = 'single.coffer.txt';
export const TEAM_FILE = 'team.coffer.txt';
export const EXPECTED_FILE = 'expected.json';
export const SOURCE_COMMIT = '97dfd05';
export const FORMAT_HEADER = 'coffer-vault/1 ';

/** Fixed attribute times (Unix seconds), so nothing in the fixtures depends on when they were made. */
const NBF = 1_704_067_200; // 2024-01-01T00:00:00Z
const EXP = 4_102_444_800; // 2100-01-01T00:00:00Z
/** Not valid UTF-8 (0xff, 0xfe, a lone continuation byte, a truncated sequence), with a NUL. */
const BINARY = new Uint8Array([0x30, 0x82, 0x01, 0x0a, 0xff, 0xfe, 0x00, 0x80, 0xc3, 0x28, 0xe2, 0x82, 0x00, 0x7f, 0xbf, 0x01]);

const here = path.dirname(fileURLToPath(import.meta.url));
const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
const b64u = (b: Uint8Array): string => Buffer.from(b).toString('base64url');

// ------------------------------------------------------------ expected.json

export interface IdentityJson {
  /** base64url, 32 bytes each. Test data only. */
  signSeed: string;
  signPub: string;
  encPriv: string;
  encPub: string;
}

export interface ErrorJson {
  code: string;
  innerCode?: string;
}

/** One version of a live secret, as listVersions() shows it, with its value. */
export interface VersionJson {
  /** The version id (last part of item.id). */
  version: string;
  /** listVersions() item, exactly. */
  item: SecretItem;
  /** get(name, version), exactly (value rendered: text, or base64 for binary); absent when get fails. */
  bundle?: SecretBundle;
  /** getValue(name, version) as UTF-8 text, when the bytes are valid UTF-8. */
  text?: string;
  /** getValue(name, version) as base64, when they are not. */
  base64?: string;
  /** What get/getValue fail with (a disabled version: Forbidden / SecretDisabled). */
  error?: ErrorJson;
}

export interface StateJson {
  info: Pick<VaultInfo, 'id' | 'formatVersion' | 'retentionDays' | 'kdf' | 'counts' | 'roles' | 'unlockedWith' | 'recoveryKey' | 'rejectedCommits'>;
  /** list(), exactly. */
  secrets: SecretItem[];
  /** Per live secret name: listVersions() in order, with values. */
  versions: Record<string, VersionJson[]>;
  /** listDeleted(), exactly. */
  deleted: DeletedSecretItem[];
  /** getDeleted(name) for each deleted secret. */
  deletedBundles: Record<string, DeletedSecretBundle>;
  /** members.list(), exactly. */
  members: MemberInfo[];
}

export interface OpenerJson {
  /** Who opens: "owner" / "admin" / a member's name. */
  name: string;
  with: 'passphrase' | 'recoveryKey' | 'identity';
  passphrase?: string;
  /** The printable recovery key (parse it with access/recovery-key.ts parseRecoveryKey). */
  recoveryKey?: string;
  /** A key of the fixture's `identities`. */
  identity?: string;
  /** What opening shows; absent when opening fails. */
  state?: StateJson;
  /** What opening fails with. */
  error?: ErrorJson;
}

export interface FixtureJson {
  file: string;
  description: string;
  /** First line of the file: `coffer-vault/1 <vault id hex>`. */
  header: string;
  vaultId: string;
  /** Commit lines in the file. */
  commits: number;
  /** Member identities used to open the file (test data). */
  identities: Record<string, IdentityJson>;
  /** Commits with more than one parent (merges joining two heads). */
  mergeCommits: string[];
  /** What happened while writing it, in order (for the reader; not checked). */
  history: string[];
  openers: OpenerJson[];
}

export interface ExpectedJson {
  description: string;
  generator: string;
  sourceCommit: string;
  formatVersion: 1;
  /** When the fixtures were written (Unix seconds). */
  generatedAt: number;
  /**
   * The clock to open them at (Unix seconds): the state below holds from the last
   * commit until the deleted secrets' scheduledPurgeDate (retention), after which
   * Key Vault's rules drop them. Tests pin Date to this time.
   */
  openAt: number;
  kdf: KdfParams;
  fixtures: { single: FixtureJson; team: FixtureJson };
}

// ---------------------------------------------------------------- helpers

function errorJson(e: unknown): ErrorJson {
  if (e instanceof CofferError) return { code: e.code, ...(e.innerCode ? { innerCode: e.innerCode } : {}) };
  throw e;
}

function identityJson(id: MemberIdentity): IdentityJson {
  return { signSeed: b64u(id.signSeed), signPub: b64u(id.signPub), encPriv: b64u(id.encPriv), encPub: b64u(id.encPub) };
}

function copyOf(id: MemberIdentity): MemberIdentity {
  return { signSeed: id.signSeed.slice(), signPub: id.signPub.slice(), encPriv: id.encPriv.slice(), encPub: id.encPub.slice() };
}

const lastPart = (id: string): string => id.split('/').pop()!;

/** Valid UTF-8 → the text; otherwise null. */
function utf8OrNull(b: Uint8Array): string | null {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(b);
  } catch {
    return null;
  }
}

/** Everything the API shows of an open vault. */
async function readState(v: Vault): Promise<StateJson> {
  const i = v.info();
  const info: StateJson['info'] = {
    id: i.id,
    formatVersion: i.formatVersion,
    retentionDays: i.retentionDays,
    kdf: i.kdf,
    counts: i.counts,
    roles: i.roles,
    unlockedWith: i.unlockedWith,
    recoveryKey: i.recoveryKey,
    rejectedCommits: i.rejectedCommits,
  };
  const secrets = v.secrets.list();
  const versions: Record<string, VersionJson[]> = {};
  for (const s of secrets) {
    const name = lastPart(s.id);
    const out: VersionJson[] = [];
    for (const item of v.secrets.listVersions(name)) {
      const version = lastPart(item.id);
      const row: VersionJson = { version, item };
      try {
        row.bundle = await v.secrets.get(name, version);
        const bytes = await v.secrets.getValue(name, version);
        const text = utf8OrNull(bytes);
        if (text !== null) row.text = text;
        else row.base64 = Buffer.from(bytes).toString('base64');
      } catch (e) {
        row.error = errorJson(e);
      }
      out.push(row);
    }
    versions[name] = out;
  }
  const deleted = v.secrets.listDeleted();
  const deletedBundles: Record<string, DeletedSecretBundle> = {};
  for (const d of deleted) deletedBundles[lastPart(d.id)] = v.secrets.getDeleted(lastPart(d.id));
  return { info, secrets, versions, deleted, deletedBundles, members: v.members.list() };
}

/** Opens a copy of `file` in a fresh profile (as the test does) and reads its state. */
async function readBack(tmp: string, file: string, opener: OpenerJson, identities: Record<string, MemberIdentity>): Promise<OpenerJson> {
  const dir = await mkdtemp(path.join(tmp, 'readback-'));
  const copy = path.join(dir, 'fixture.coffer');
  await copyFile(file, copy);
  const opts: OpenVaultOptions = { path: copy, profileDir: path.join(dir, 'profile'), onWarning: () => undefined };
  if (opener.with === 'passphrase') opts.passphrase = enc(opener.passphrase!);
  if (opener.with === 'recoveryKey') {
    opts.recoveryKey = parseRecoveryKey(opener.recoveryKey!);
  }
  if (opener.with === 'identity') opts.identity = copyOf(identities[opener.identity!]!);
  let v: Vault;
  try {
    v = await openVault(opts);
  } catch (e) {
    return { ...opener, error: errorJson(e) };
  }
  try {
    return { ...opener, state: await readState(v) };
  } finally {
    v.close();
  }
}

interface FileFacts {
  header: string;
  vaultId: string;
  commits: number;
  mergeCommits: string[];
}

/** Header, commit count and merge commits, read from the lines (FORMAT.md: header, `B ...`, `C <json> <sig>`). */
async function fileFacts(file: string): Promise<FileFacts> {
  const lines = (await readFile(file, 'utf8')).split('\n').filter((l) => l !== '');
  const header = lines[0] ?? '';
  if (!header.startsWith(FORMAT_HEADER)) {
    throw new Error(`${file}: the engine no longer writes format version 1 (header "${header.slice(0, 20)}…"). These fixtures must stay as committed; do not regenerate them.`);
  }
  const mergeCommits: string[] = [];
  let commits = 0;
  for (const l of lines.slice(1)) {
    if (!l.startsWith('C ')) continue;
    commits++;
    const body = l.slice(2);
    const payloadText = body.slice(0, body.lastIndexOf(' '));
    const payload = JSON.parse(payloadText) as { parents?: unknown[] };
    if ((payload.parents?.length ?? 0) > 1) mergeCommits.push(createHash('sha256').update(payloadText, 'utf8').digest('hex'));
  }
  return { header, vaultId: header.slice(FORMAT_HEADER.length), commits, mergeCommits };
}

// ------------------------------------------------------------ the fixtures

const ownerOpts = (file: string, profileDir: string, passphrase: string): OpenVaultOptions => ({
  path: file,
  profileDir,
  passphrase: enc(passphrase),
  onWarning: () => undefined,
});

async function writeSingle(tmp: string): Promise<{ file: string; recoveryKey: string; history: string[] }> {
  const file = path.join(tmp, 'single.coffer');
  const history: string[] = [];
  const v = await createVault({ path: file, profileDir: path.join(tmp, 'profile-single'), passphrase: enc(SINGLE_PASSPHRASE), kdf: FIXTURE_KDF, displayName: 'owner', onWarning: () => undefined });
  let recoveryKey: string;
  try {
    history.push('created by "owner" (Key Vault Administrator) with the passphrase, retention 90 days, KDF m=8192 KiB t=1 p=1');
    // A text secret with three versions.
    const v1 = await v.secrets.set({ name: 'db-password', value: enc('hunter2'), contentType: 'text/plain', tags: { env: 'prod', owner: 'ops' } });
    await v.secrets.set({ name: 'db-password', value: enc('hunter3-rotated'), contentType: 'text/plain', tags: { env: 'prod', rotation: '2' }, nbf: NBF, exp: EXP });
    await v.secrets.set({ name: 'db-password', value: enc('pässwörd ✓ 3rd: "quoted" \\ and\nnewline'), contentType: 'application/x-password', tags: { env: 'prod', rotation: '3' } });
    await v.secrets.update('db-password', lastPart(v1.id), { enabled: false });
    history.push('db-password: 3 text versions (tags and contentType on each; nbf 2024-01-01 / exp 2100-01-01 on the 2nd; the 3rd is non-ASCII with a newline); the 1st then disabled by update');
    // A binary secret.
    await v.secrets.set({ name: 'tls-key-der', value: BINARY, tags: { kind: 'der' } });
    history.push('tls-key-der: 16 bytes that are not UTF-8 (shown base64, contentType application/octet-stream)');
    // Deleted, recoverable.
    await v.secrets.set({ name: 'old-api-token', value: enc('tok-old-1') });
    await v.secrets.set({ name: 'old-api-token', value: enc('tok-old-2'), exp: EXP });
    await v.secrets.delete('old-api-token');
    history.push('old-api-token: 2 versions, then deleted (recoverable until its scheduledPurgeDate)');
    // Purged.
    await v.secrets.set({ name: 'purged-secret', value: enc('gone-for-good') });
    await v.secrets.delete('purged-secret');
    await v.secrets.purge('purged-secret');
    history.push('purged-secret: set, deleted, purged (absent everywhere; its value line removed from the file)');
    // Restored from a backup.
    await v.secrets.set({ name: 'restored-secret', value: enc('restore-me-1'), tags: { origin: 'backup' } });
    await v.secrets.set({ name: 'restored-secret', value: enc('restore-me-2'), contentType: 'text/plain' });
    const blob = await v.secrets.backup('restored-secret');
    await v.secrets.delete('restored-secret');
    await v.secrets.purge('restored-secret');
    await v.secrets.restore(blob);
    history.push('restored-secret: 2 versions, backed up, deleted, purged, then restored from the backup (same version ids and dates)');
    recoveryKey = await v.createRecoveryKey();
    history.push('a recovery key created for the owner (in expected.json: test data)');
  } finally {
    v.close();
  }
  return { file, recoveryKey, history };
}

async function writeTeam(tmp: string, bob: MemberIdentity, carol: MemberIdentity): Promise<{ file: string; history: string[] }> {
  const file = path.join(tmp, 'team.coffer');
  const adminProfile = path.join(tmp, 'profile-team-admin');
  const carolProfile = path.join(tmp, 'profile-team-carol');
  const history: string[] = [];
  const asAdmin = async <T>(f: string, fn: (v: Vault) => Promise<T>): Promise<T> => {
    const v = await openVault(ownerOpts(f, adminProfile, TEAM_PASSPHRASE));
    try {
      return await fn(v);
    } finally {
      v.close();
    }
  };
  const asCarol = async <T>(f: string, profileDir: string, fn: (v: Vault) => Promise<T>): Promise<T> => {
    await mkdir(profileDir, { recursive: true, mode: 0o700 });
    const v = await openVault({ path: f, profileDir, identity: copyOf(carol), onWarning: () => undefined });
    try {
      return await fn(v);
    } finally {
      v.close();
    }
  };

  const v = await createVault({ path: file, profileDir: adminProfile, passphrase: enc(TEAM_PASSPHRASE), kdf: FIXTURE_KDF, displayName: 'admin', onWarning: () => undefined });
  try {
    history.push('created by "admin" (Key Vault Administrator, opens with the passphrase)');
    await v.secrets.set({ name: 'team-db-password', value: enc('team-hunter2'), tags: { team: 'core' } });
    history.push('admin: team-db-password v1');
    await v.members.add({ signPub: bob.signPub.slice(), encPub: bob.encPub.slice(), name: 'bob' }, ['Key Vault Secrets User']);
    await v.members.add({ signPub: carol.signPub.slice(), encPub: carol.encPub.slice(), name: 'carol' }, ['Key Vault Secrets Officer']);
    history.push('admin: added bob (Key Vault Secrets User) and carol (Key Vault Secrets Officer)');
  } finally {
    v.close();
  }
  await asCarol(file, carolProfile, async (c) => {
    await c.secrets.set({ name: 'carol-api-key', value: enc('carol-key-1'), contentType: 'text/plain', tags: { owner: 'carol' } });
    await c.secrets.set({ name: 'team-db-password', value: enc('team-hunter3-by-carol') });
  });
  history.push('carol: carol-api-key v1, team-db-password v2');
  await asAdmin(file, async (a) => {
    const { exposedSecrets } = await a.members.remove(bob.signPub.slice());
    history.push(`admin: removed bob (remove() reported exposed secrets: ${exposedSecrets.join(', ')})`);
    await a.secrets.set({ name: 'after-bob-left', value: enc('bob-must-not-read-this') });
    await a.secrets.set({ name: 'team-db-password', value: enc('team-rotated-after-bob') });
    history.push('admin: after-bob-left v1, team-db-password v3 (rotated after the removal)');
  });
  // Two copies edited independently, then merged: the merged file has two heads,
  // and the admin's next write joins them (a commit with two parents).
  const branch = path.join(tmp, 'team-branch.coffer');
  await copyFile(file, branch);
  await asAdmin(file, async (a) => {
    await a.secrets.set({ name: 'branch-admin', value: enc('written-on-copy-A-by-admin') });
    await a.secrets.delete('after-bob-left');
  });
  history.push('copy A (admin): branch-admin v1; after-bob-left deleted');
  await asCarol(branch, path.join(tmp, 'profile-team-carol-branch'), async (c) => {
    await c.secrets.set({ name: 'branch-carol', value: enc('written-on-copy-B-by-carol'), tags: { copy: 'B' } });
    await c.secrets.set({ name: 'carol-api-key', value: enc('carol-key-2-on-copy-B') });
  });
  history.push('copy B (carol): branch-carol v1, carol-api-key v2');
  const merged = path.join(tmp, 'team-merged.coffer');
  const m = await mergeVaultFiles(file, branch, merged);
  history.push(`merged A and B with mergeVaultFiles (${m.added} commits added from B): two heads`);
  await asAdmin(merged, async (a) => {
    await a.secrets.set({ name: 'after-merge', value: enc('joins-the-two-heads'), tags: { merged: 'yes' } });
  });
  history.push('admin on the merged file: after-merge v1 (its commit has both heads as parents)');
  return { file: merged, history };
}

// ------------------------------------------------------------------ main

export async function generate(outDir = here, overwrite = false): Promise<ExpectedJson> {
  if (!overwrite) {
    for (const f of [SINGLE_FILE, TEAM_FILE, EXPECTED_FILE]) {
      const exists = await access(path.join(outDir, f)).then(
        () => true,
        () => false,
      );
      if (exists) throw new Error(`${path.join(outDir, f)} exists: the version-1 fixtures are committed and must not be regenerated (pass --overwrite only while the engine still writes format version 1).`);
    }
  }
  const tmp = await mkdtemp(path.join(os.tmpdir(), 'coffer-v1-fixtures-'));
  try {
    const single = await writeSingle(tmp);
    const bob = createIdentity();
    const carol = createIdentity();
    const team = await writeTeam(tmp, bob, carol);
    const singleFacts = await fileFacts(single.file);
    const teamFacts = await fileFacts(team.file);
    if (teamFacts.mergeCommits.length === 0) throw new Error('the team fixture has no merge commit');

    const teamIds = { bob, carol };
    const singleOpeners = await Promise.all(
      [
        { name: 'owner', with: 'passphrase', passphrase: SINGLE_PASSPHRASE } as OpenerJson,
        { name: 'owner', with: 'recoveryKey', recoveryKey: single.recoveryKey } as OpenerJson,
      ].map((o) => readBack(tmp, single.file, o, {})),
    );
    const teamOpeners: OpenerJson[] = [];
    for (const o of [
      { name: 'admin', with: 'passphrase', passphrase: TEAM_PASSPHRASE },
      { name: 'carol', with: 'identity', identity: 'carol' },
      { name: 'bob', with: 'identity', identity: 'bob' },
    ] as OpenerJson[]) {
      teamOpeners.push(await readBack(tmp, team.file, o, teamIds));
    }
    for (const o of [...singleOpeners, ...teamOpeners.slice(0, 2)]) {
      if (!o.state) throw new Error(`${o.name} (${o.with}) could not open: ${JSON.stringify(o.error)}`);
      if (o.state.info.formatVersion !== 1) throw new Error(`the engine reports format version ${o.state.info.formatVersion}, not 1: do not regenerate`);
    }

    const generatedAt = Math.floor(Date.now() / 1000);
    const expected: ExpectedJson = {
      description:
        'Version-1 Coffer vault fixtures: what each file holds and what the engine at commit 97dfd05 (format version 1) shows when it opens them. Every secret, passphrase, recovery key and identity here is test data.',
      generator: 'test/vectors/v1/generate.ts',
      sourceCommit: SOURCE_COMMIT,
      formatVersion: 1,
      generatedAt,
      openAt: generatedAt + 3600,
      kdf: FIXTURE_KDF,
      fixtures: {
        single: {
          file: SINGLE_FILE,
          description: 'One member (the owner, Key Vault Administrator) with a passphrase and a recovery key; text, binary, deleted, purged and restored secrets.',
          ...singleFacts,
          identities: {},
          history: single.history,
          openers: singleOpeners,
        },
        team: {
          file: TEAM_FILE,
          description:
            'A team vault: admin (Administrator, passphrase), bob (Secrets User, removed), carol (Secrets Officer, identity); writes by admin and carol, a removal, and a merge of two copies joined by a later commit.',
          ...teamFacts,
          identities: { bob: identityJson(bob), carol: identityJson(carol) },
          history: team.history,
          openers: teamOpeners,
        },
      },
    };
    await mkdir(outDir, { recursive: true });
    for (const [from, name] of [
      [single.file, SINGLE_FILE],
      [team.file, TEAM_FILE],
    ] as const) {
      await copyFile(from, path.join(outDir, name));
      await chmod(path.join(outDir, name), 0o644);
    }
    await writeFile(path.join(outDir, EXPECTED_FILE), JSON.stringify(expected, null, 2) + '\n');
    return expected;
  } finally {
    await new Promise((r) => setTimeout(r, 50)); // reads append to the audit logs in the background
    await rm(tmp, { recursive: true, force: true, maxRetries: 10, retryDelay: 50 });
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const overwrite = process.argv.includes('--overwrite');
  const outArg = process.argv.find((a) => a.startsWith('--out='));
  generate(outArg ? path.resolve(outArg.slice('--out='.length)) : here, overwrite).then(
    (e) => {
      const f = e.fixtures;
      console.log(`wrote ${f.single.file} (${f.single.commits} commits), ${f.team.file} (${f.team.commits} commits, merges ${f.team.mergeCommits.length}), ${EXPECTED_FILE}`);
    },
    (err: unknown) => {
      console.error(err instanceof Error ? (err.stack ?? err.message) : err);
      process.exitCode = 1;
    },
  );
}
