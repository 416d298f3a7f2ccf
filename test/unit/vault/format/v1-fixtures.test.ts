/**
 * The version-1 vault fixtures (test/vectors/v1, README.md there): files the
 * engine wrote at commit 97dfd05, when the file format was version 1. Later
 * format versions must still open them and show the same state.
 *
 * Each test opens a COPY of a committed file (never the file itself) in a
 * fresh profile folder, as every identity expected.json lists, and checks the
 * whole state: list, versions with their attributes, every value (getValue
 * and get), the deleted list, members and vault info. A second test writes to
 * a copy and re-opens it: the earlier state is intact beside the new secret.
 *
 * The clock is pinned to expected.json's `openAt` (Date.now, still advancing):
 * the deleted secrets stay recoverable for the vault's retention (90 days) and
 * would otherwise drop out of the deleted list, as Key Vault's do.
 */
import { FORMAT_VERSION } from '../../../../electron/vault/format/codec.js';
import { DEFAULT_KDF } from '../../../../electron/vault/crypto/index.js';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { copyFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { MemberInfo, OpenVaultOptions, Vault } from '../../../../electron/vault/api.js';
import { parseRecoveryKey } from '../../../../electron/vault/access/recovery-key.js';
import { CofferError } from '../../../../electron/vault/errors.js';
import { openVault } from '../../../../electron/vault/vault.js';
import { enc, makeTempDir, parseVaultLines, rejectionCode, removeTempDirs } from '../../../helpers/vault.js';
import type { ExpectedJson, FixtureJson, IdentityJson, OpenerJson, StateJson, VersionJson } from '../../../vectors/v1/generate.js';

const DIR = fileURLToPath(new URL('../../../vectors/v1/', import.meta.url));
const E = JSON.parse(readFileSync(join(DIR, 'expected.json'), 'utf8')) as ExpectedJson;
const FIXTURES: [string, FixtureJson][] = Object.entries(E.fixtures);
const fixturePath = (f: FixtureJson): string => join(DIR, f.file);
const sha = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');
const committedHashes = new Map(FIXTURES.map(([, f]) => [f.file, sha(readFileSync(fixturePath(f)))]));

const lastPart = (id: string): string => id.split('/').pop()!;
/** The fields the fixtures recorded (later ones, such as grants and who added whom, are derived and checked elsewhere). */
type RecordedMember = Pick<MemberInfo, 'id' | 'name' | 'roles' | 'signPub' | 'encPub'>;
const byId = (ms: RecordedMember[]): RecordedMember[] =>
  [...ms].sort((a, b) => a.id.localeCompare(b.id)).map(({ id, name, roles, signPub, encPub }) => ({ id, name, roles, signPub, encPub }));
const label = (o: OpenerJson): string => `${o.name} (${o.with})`;

function identityFrom(j: IdentityJson): NonNullable<OpenVaultOptions['identity']> {
  const d = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'base64url'));
  return { signSeed: d(j.signSeed), signPub: d(j.signPub), encPriv: d(j.encPriv), encPub: d(j.encPub) };
}

beforeAll(() => {
  const realNow = Date.now.bind(Date);
  const start = realNow();
  vi.spyOn(Date, 'now').mockImplementation(() => E.openAt * 1000 + (realNow() - start));
});

afterAll(async () => {
  vi.restoreAllMocks();
  await removeTempDirs();
});

/** A copy of the committed fixture in a new temporary folder. */
async function copyOfFixture(f: FixtureJson): Promise<{ dir: string; path: string }> {
  const dir = await makeTempDir('coffer-v1-fixture-');
  const path = join(dir, 'fixture.coffer');
  await copyFile(fixturePath(f), path);
  return { dir, path };
}

async function openAs(f: FixtureJson, o: OpenerJson, path: string, profileDir: string): Promise<Vault> {
  await mkdir(profileDir, { recursive: true, mode: 0o700 });
  const opts: OpenVaultOptions = { path, profileDir, onWarning: () => undefined };
  if (o.with === 'passphrase') opts.passphrase = enc(o.passphrase!);
  else if (o.with === 'recoveryKey') opts.recoveryKey = parseRecoveryKey(o.recoveryKey!);
  else opts.identity = identityFrom(f.identities[o.identity!]!);
  return openVault(opts);
}

async function innerCode(p: Promise<unknown>): Promise<string | undefined> {
  return p.then(
    () => undefined,
    (e: unknown) => (e instanceof CofferError ? e.innerCode : undefined),
  );
}

async function checkVersion(v: Vault, name: string, row: VersionJson): Promise<void> {
  const where = `${name}/${row.version}`;
  if (row.error) {
    expect(await rejectionCode(v.secrets.getValue(name, row.version)), where).toBe(row.error.code);
    expect(await innerCode(v.secrets.getValue(name, row.version)), where).toBe(row.error.innerCode);
    expect(await rejectionCode(v.secrets.get(name, row.version)), where).toBe(row.error.code);
    return;
  }
  const bytes = Buffer.from(await v.secrets.getValue(name, row.version));
  if (row.text !== undefined) expect(bytes.toString('utf8'), where).toBe(row.text);
  else expect(bytes.toString('base64'), where).toBe(row.base64);
  expect(await v.secrets.get(name, row.version), where).toEqual(row.bundle);
}

interface Changes {
  /** A secret written after the fixture (by the test), visible to this opener. */
  added?: { name: string; value: string };
  /** Commits written after the fixture. */
  commits?: number;
}

/** The whole state `exp` (expected.json), plus what `changes` says was written since. */
async function checkState(v: Vault, exp: StateJson, changes: Changes = {}): Promise<void> {
  const added = changes.added;
  const info = v.info();
  expect({
    id: info.id,
    formatVersion: info.formatVersion,
    retentionDays: info.retentionDays,
    kdf: info.kdf,
    counts: info.counts,
    roles: info.roles,
    unlockedWith: info.unlockedWith,
    recoveryKey: info.recoveryKey,
    rejectedCommits: info.rejectedCommits,
  }).toEqual({
    ...exp.info,
    // The first write upgrades the file to the current format (FORMAT.md §1).
    formatVersion: changes.commits ? FORMAT_VERSION : exp.info.formatVersion,
    // A member opening with an identity is shown their own slot's parameters (the defaults when
    // they have none); version 1 showed the creator's.
    ...(exp.info.unlockedWith === 'identity' ? { kdf: { ...DEFAULT_KDF } } : {}),
    counts: {
      ...NO_KEYS,
      ...exp.info.counts,
      commits: exp.info.counts.commits + (changes.commits ?? 0),
      secrets: exp.info.counts.secrets + (added ? 1 : 0),
      secretVersions: exp.info.counts.secretVersions + (added ? 1 : 0),
    },
  });

  const list = v.secrets.list();
  expect(list.filter((s) => lastPart(s.id) !== added?.name)).toEqual(exp.secrets);
  expect(list.map((s) => lastPart(s.id))).toEqual([...exp.secrets.map((s) => lastPart(s.id)), ...(added ? [added.name] : [])].sort());
  expect(Object.keys(exp.versions).sort()).toEqual(exp.secrets.map((s) => lastPart(s.id)).sort());
  for (const [name, rows] of Object.entries(exp.versions)) {
    expect(v.secrets.listVersions(name), name).toEqual(rows.map((r) => r.item));
    for (const row of rows) await checkVersion(v, name, row);
    // Without a version: the latest.
    const latest = rows[rows.length - 1]!;
    if (latest.bundle) expect(await v.secrets.get(name), name).toEqual(latest.bundle);
  }
  if (added) expect(Buffer.from(await v.secrets.getValue(added.name)).toString('utf8')).toBe(added.value);

  expect(v.secrets.listDeleted()).toEqual(exp.deleted);
  expect(Object.keys(exp.deletedBundles).sort()).toEqual(exp.deleted.map((d) => lastPart(d.id)).sort());
  for (const [name, bundle] of Object.entries(exp.deletedBundles)) {
    expect(v.secrets.getDeleted(name), name).toEqual(bundle);
    // Deleted: recoverable, not readable as a live secret.
    expect(await rejectionCode(v.secrets.getValue(name)), name).toBe('SecretNotFound');
  }

  expect(byId(v.members.list())).toEqual(byId(exp.members));
}

/** Version 1 had no keys: its expected info, recorded then, has no key counts. */
const NO_KEYS = { keys: 0, keyVersions: 0, deletedKeys: 0 };

describe('the committed files', () => {
  it('were generated as format version 1 and describe themselves so', () => {
    expect(E.formatVersion).toBe(1);
    expect(E.sourceCommit).toBe('97dfd05');
    expect(FIXTURES.map(([k]) => k).sort()).toEqual(['single', 'team']);
    for (const [, f] of FIXTURES) {
      const lines = parseVaultLines(readFileSync(fixturePath(f)));
      expect(lines.header, f.file).toBe(f.header);
      expect(lines.header.startsWith('coffer-vault/1 '), f.file).toBe(true);
      expect(lines.vaultId, f.file).toBe(f.vaultId);
      expect(lines.commits.length, f.file).toBe(f.commits);
      const merges = lines.commits.filter((c) => Array.isArray(c.payload.parents) && c.payload.parents.length > 1).map((c) => c.id);
      expect(merges, f.file).toEqual(f.mergeCommits);
    }
  });

  it('the team fixture holds a merge (two heads joined) and its expected state covers every opener', () => {
    const team = E.fixtures.team;
    expect(team.mergeCommits.length).toBeGreaterThan(0);
    expect(team.openers.map(label)).toEqual(['admin (passphrase)', 'carol (identity)', 'bob (identity)']);
    expect(E.fixtures.single.openers.map(label)).toEqual(['owner (passphrase)', 'owner (recoveryKey)']);
  });
});

describe.each(FIXTURES)('version-1 fixture %s', (_key, f) => {
  for (const o of f.openers) {
    it(`opens as ${label(o)} and shows the version-1 state`, async () => {
      const { dir, path } = await copyOfFixture(f);
      if (o.error) {
        expect(await rejectionCode(openAs(f, o, path, join(dir, 'profile')))).toBe(o.error.code);
        return;
      }
      const v = await openAs(f, o, path, join(dir, 'profile'));
      try {
        await checkState(v, o.state!);
      } finally {
        v.close();
      }
    });
  }

  it('a write works on a copy, and the copy re-opens with all earlier state intact', async () => {
    const writer = f.openers[0]!;
    expect(writer.with).toBe('passphrase');
    const { dir, path } = await copyOfFixture(f);
    const profileDir = join(dir, 'profile-writer');
    const added = { name: 'written-after-v1', value: `written to the copy of ${f.file}` };

    const v = await openAs(f, writer, path, profileDir);
    try {
      await v.secrets.set({ name: added.name, value: enc(added.value), tags: { by: 'v1-fixtures.test' } });
      await checkState(v, writer.state!, { added, commits: 1 });
    } finally {
      v.close();
    }

    // The writer again (same profile: its caches), then every opener in a fresh profile.
    const again = await openAs(f, writer, path, profileDir);
    try {
      await checkState(again, writer.state!, { added, commits: 1 });
    } finally {
      again.close();
    }
    for (const [i, o] of f.openers.entries()) {
      if (!o.state) continue;
      const r = await openAs(f, o, path, join(dir, `profile-reopen-${i}`));
      try {
        // A member removed before the write cannot read it: their view only has one more commit.
        const removed = o.identity !== undefined && !writer.state!.members.some((m) => m.signPub === f.identities[o.identity!]!.signPub);
        await checkState(r, o.state, removed ? { commits: 1 } : { added, commits: 1 });
      } finally {
        r.close();
      }
    }
  });
});

describe('the committed files after the tests', () => {
  it('are unchanged (the tests only opened copies)', () => {
    for (const [, f] of FIXTURES) expect(sha(readFileSync(fixturePath(f))), f.file).toBe(committedHashes.get(f.file));
  });
});
