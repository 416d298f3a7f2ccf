// Shared helpers of the merge suites (VAULT-MODEL V6): copies of one vault,
// each on its own "computer" (profile folder), and the resulting STATE of a
// vault file as the engine shows it, so that merges are compared on state
// (DECISIONS.md "Merge semantics": order independence is judged on lists,
// versions, values and attributes, not on bytes).
import { copyFile, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DeletedSecretItem, SecretItem } from '../../../../shared/keyvault.js';
import type { KdfParams, Vault } from '../../../../electron/vault/api.js';
import type { VaultCore } from '../../../../electron/vault/core.js';
import { isCofferError } from '../../../../electron/vault/errors.js';
import { nameKey } from '../../../../electron/vault/secrets/rules.js';
import { createVault, openVault } from '../../../../electron/vault/vault.js';

/** DECISIONS.md "Tests and tooling": test vaults use m = 8 MiB, t = 1, p = 1. */
export const TEST_KDF: KdfParams = { memoryKiB: 8192, iterations: 1, parallelism: 1 };
export const PASSPHRASE = 'merge suite passphrase';

export const pass = (): Uint8Array => new TextEncoder().encode(PASSPHRASE);
export const text = (s: string): Uint8Array => new TextEncoder().encode(s);
export const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

/** Property-test runs: COFFER_PROPERTY_RUNS (CI-friendly default). */
export function propertyRuns(defaultRuns: number): number {
  const raw = process.env.COFFER_PROPERTY_RUNS;
  if (raw === undefined || raw === '') return defaultRuns;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) throw new Error(`COFFER_PROPERTY_RUNS must be a positive integer, got ${raw}`);
  return n;
}

/** COFFER_PROPERTY_SEED replays a failing run (fast-check prints the seed and path of every failure). */
export function propertySeed(): number | undefined {
  const raw = process.env.COFFER_PROPERTY_SEED;
  if (raw === undefined || raw === '') return undefined;
  const n = Number(raw);
  if (!Number.isInteger(n)) throw new Error(`COFFER_PROPERTY_SEED must be an integer, got ${raw}`);
  return n;
}

/** A temporary folder; every folder made here is removed by cleanupTemp(). */
const temps: string[] = [];
export async function tempDir(prefix = 'coffer-merge-'): Promise<string> {
  const d = await mkdtemp(join(tmpdir(), prefix));
  temps.push(d);
  return d;
}
export async function cleanupTemp(): Promise<void> {
  const dirs = temps.splice(0);
  const removeAll = (): Promise<unknown> => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true, maxRetries: 5 })));
  await removeAll();
  // list()/listVersions() write their audit records in the background and close() does not wait for
  // them, so a late append can re-create a profile's audit folder after the first removal.
  await new Promise((r) => setTimeout(r, 500));
  await removeAll();
}

let profiles = 0;
/** A fresh profile folder (a computer that has never seen the vault: cold open, no verified-state cache). */
export function freshProfile(dir: string): string {
  return join(dir, `profile-${++profiles}`);
}

export function create(path: string, profileDir: string): Promise<Vault> {
  return createVault({ path, profileDir, passphrase: pass(), kdf: TEST_KDF, onWarning: () => undefined });
}

export function open(path: string, profileDir: string): Promise<Vault> {
  return openVault({ path, profileDir, passphrase: pass(), onWarning: () => undefined });
}

/** Closes `v` once what it leaves to the background is written: its warm snapshot (owed by an open, taken at close) included. */
export async function closeSettled(v: Vault): Promise<void> {
  v.close();
  await v.settled();
}

/** Opens and closes: a profile that opened the vault once, with the warm snapshot that open wrote. */
export async function openOnce(path: string, profileDir: string): Promise<void> {
  await closeSettled(await open(path, profileDir));
}

/** The engine's unlocked state (for what the public API does not show: versions of deleted secrets). */
export function coreOf(v: Vault): VaultCore {
  return (v as unknown as { core: VaultCore }).core;
}

/** Version ids (in fold order) of a secret, live or deleted; [] when it does not exist. */
export function versionIds(v: Vault, name: string): string[] {
  return [...(coreOf(v).secrets.get(nameKey(name))?.order ?? [])];
}

export const versionOf = (id: string): string => id.slice(id.lastIndexOf('/') + 1);
export const nameOf = (id: string): string => id.split('/')[4]!;

export interface VersionState {
  id: string;
  contentType?: string;
  tags?: Record<string, string>;
  attributes: Pick<SecretItem['attributes'], 'enabled' | 'nbf' | 'exp' | 'created' | 'updated'>;
  /** hex of the value bytes. */
  value: string;
  /** How the value was read: through `secrets.getValue` (the latest version of a live, enabled secret) or the engine state. */
  readVia: 'api' | 'core';
}

export interface ObjectState {
  name: string;
  deleted: boolean;
  versions: VersionState[];
}

export interface VaultState {
  list: SecretItem[];
  listDeleted: DeletedSecretItem[];
  /** Every secret, live or deleted, by lowercased name; each version with attributes and value. */
  objects: Record<string, ObjectState>;
  counts: { secrets: number; secretVersions: number; deletedSecrets: number; commits: number };
  rejected: number;
}

/** The state of an open vault, through the public API wherever it shows it. */
export async function stateOf(v: Vault): Promise<VaultState> {
  const core = coreOf(v);
  const objects: Record<string, ObjectState> = {};
  // Reads first, lists last: list calls write their audit records in the background.
  for (const key of [...core.secrets.keys()].sort()) {
    const o = core.secrets.get(key)!;
    const deleted = o.deleted !== undefined;
    const versions: VersionState[] = [];
    for (const [i, vid] of o.order.entries()) {
      const sv = o.versions.get(vid)!;
      // The latest version of a live, enabled secret is read as a user would (secrets.get); the others
      // straight from the engine state (deleted or disabled versions have no API read; it also saves time).
      const latest = i === o.order.length - 1;
      let value: Uint8Array;
      let readVia: 'api' | 'core' = 'core';
      if (!deleted && latest && sv.attrs.enabled) {
        const bundle = await v.secrets.get(o.name);
        if (versionOf(bundle.id) !== vid) throw new Error(`get(${o.name}) is not the latest version in fold order`);
        value = await v.secrets.getValue(o.name);
        readVia = 'api';
      } else {
        value = core.readValue(o, sv);
      }
      versions.push({
        id: `${o.name}/${vid}`,
        ...(sv.attrs.contentType !== undefined ? { contentType: sv.attrs.contentType } : {}),
        ...(sv.attrs.tags !== undefined ? { tags: { ...sv.attrs.tags } } : {}),
        attributes: {
          enabled: sv.attrs.enabled,
          ...(sv.attrs.nbf !== undefined ? { nbf: sv.attrs.nbf } : {}),
          ...(sv.attrs.exp !== undefined ? { exp: sv.attrs.exp } : {}),
          created: sv.attrs.created,
          updated: sv.attrs.updated,
        },
        value: hex(value),
        readVia,
      });
    }
    objects[key] = { name: o.name, deleted, versions };
  }
  // The public lists must agree with the engine state: live secrets with their versions, in fold order.
  const list = v.secrets.list();
  const listDeleted = v.secrets.listDeleted();
  const liveKeys = Object.keys(objects).filter((k) => !objects[k]!.deleted);
  if (list.map((i) => nameKey(nameOf(i.id))).sort().join() !== liveKeys.sort().join()) throw new Error('list() and the engine state disagree');
  for (const k of liveKeys) {
    const o = objects[k]!;
    const items = v.secrets.listVersions(o.name);
    const shown = items.map((i) => ({ id: `${nameOf(i.id)}/${versionOf(i.id)}`, enabled: i.attributes.enabled, created: i.attributes.created, updated: i.attributes.updated, exp: i.attributes.exp, tags: i.tags, contentType: i.contentType }));
    const held = o.versions.map((x) => ({ id: x.id, enabled: x.attributes.enabled, created: x.attributes.created, updated: x.attributes.updated, exp: x.attributes.exp, tags: x.tags, contentType: x.contentType }));
    if (JSON.stringify(shown) !== JSON.stringify(held)) throw new Error(`listVersions(${o.name}) and the engine state disagree`);
  }
  const info = v.info();
  const { secrets, secretVersions, deletedSecrets, commits } = info.counts;
  return {
    list,
    listDeleted,
    objects,
    counts: { secrets, secretVersions, deletedSecrets, commits },
    rejected: info.rejectedCommits.length,
  };
}

/** Opens a vault file as a computer that never saw it (fresh profile) and returns its state. */
export async function stateOfFile(path: string, scratch: string): Promise<VaultState> {
  const v = await open(path, freshProfile(scratch));
  try {
    return await stateOf(v);
  } finally {
    v.close();
  }
}

/** Every version id in a state. */
export function allVersions(s: VaultState): Set<string> {
  const out = new Set<string>();
  for (const o of Object.values(s.objects)) for (const v of o.versions) out.add(versionOf(v.id));
  return out;
}

/** A copy of a vault file, as a sync tool or `cp` would make it. */
export async function copyVault(from: string, to: string): Promise<string> {
  await copyFile(from, to);
  return to;
}

export const bytesOf = (path: string): Promise<Buffer> => readFile(path);

/** Runs `fn`: undefined if it succeeds, the code of the CofferError it throws otherwise (other errors are rethrown). */
export async function codeOf(fn: () => Promise<unknown>): Promise<string | undefined> {
  try {
    await fn();
    return undefined;
  } catch (e) {
    if (isCofferError(e)) return e.code;
    throw e;
  }
}
