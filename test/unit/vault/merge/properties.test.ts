// VAULT-MODEL V6, property tests: copies of one vault edited independently
// merge into one with no lost versions, in any order. From one base vault,
// three copies (each on its own computer: same passphrase, own profile
// folder) get random interleaved operations (new versions of shared names,
// attribute updates, delete, recover, purge, and now and then an in-place
// merge of another copy, as a git pull would do); their merges are then compared
// on the resulting STATE, as the engine shows it after a cold open: lists,
// deleted lists, every version with its attributes and value.
//
//   commutative   merge(A,B) ≡ merge(B,A)
//   associative   merge(merge(A,B),C) ≡ merge(A,merge(B,C))
//   idempotent    merge(A,A) ≡ A, byte for byte; merging an ancestor (the base) changes nothing
//   no loss       every version created in any copy is in the merge of all, unless a purge named it
//
// Runs: COFFER_PROPERTY_RUNS (default 25). A failure prints fast-check's seed
// and path; replay with COFFER_PROPERTY_SEED=<seed>.
import fc from 'fast-check';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import type { Vault } from '../../../../electron/vault/api.js';
import { mergeVaultFiles } from '../../../../electron/vault/vault.js';
import {
  allVersions,
  bytesOf,
  cleanupTemp,
  copyVault,
  coreOf,
  create,
  hex,
  open,
  propertyRuns,
  propertySeed,
  stateOf,
  stateOfFile,
  tempDir,
  versionIds,
  versionOf,
  type VaultState,
} from './helpers.js';

const RUNS = propertyRuns(25);
const SEED = propertySeed();
/** Shrinking replays whole vault histories; opt in with COFFER_PROPERTY_SHRINK=1 (the seed replays the failure). */
const SHRINK = process.env.COFFER_PROPERTY_SHRINK === '1';
const params = { numRuns: RUNS, ...(SEED === undefined ? {} : { seed: SEED }), endOnFailure: !SHRINK };
/** Per-run budget: a few seconds per run on a slow machine. */
const TIMEOUT = 60_000 + RUNS * 8_000;

/** Names shared by every copy; "Alpha" and "alpha" are one secret (names compare case-insensitively). */
const NAMES = ['alpha', 'Alpha', 'beta', 'gamma-2'] as const;

type Op =
  | { k: 'set'; name: number; value: Uint8Array; tags?: Record<string, string>; contentType?: string; enabled: boolean }
  | { k: 'update'; pick: number; ver: number; enabled?: boolean; tags?: Record<string, string>; contentType?: string | null; exp?: number | null }
  | { k: 'delete'; pick: number }
  | { k: 'recover'; pick: number }
  | { k: 'purge'; pick: number };

const tagsArb = fc.dictionary(fc.constantFrom('env', 'team', 'k'), fc.string({ maxLength: 6 }), { maxKeys: 2 });
const valueArb = fc.oneof(
  fc.string({ minLength: 1, maxLength: 24 }).map((s) => new TextEncoder().encode(s)),
  fc.uint8Array({ minLength: 1, maxLength: 24 }), // often not UTF-8: stored as binary
);
const opArb: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record(
      {
        k: fc.constant('set' as const),
        name: fc.nat(NAMES.length - 1),
        value: valueArb,
        tags: tagsArb,
        contentType: fc.constantFrom('text/plain', 'application/json'),
        enabled: fc.boolean(),
      },
      { requiredKeys: ['k', 'name', 'value', 'enabled'] },
    ),
  },
  {
    weight: 3,
    arbitrary: fc
      .record(
        {
          k: fc.constant('update' as const),
          pick: fc.nat(),
          ver: fc.nat(),
          enabled: fc.boolean(),
          tags: tagsArb,
          contentType: fc.option(fc.constantFrom('text/plain', 'application/x-pem-file'), { nil: null }),
          exp: fc.option(fc.integer({ min: 2_000_000_000, max: 2_100_000_000 }), { nil: null }),
        },
        { requiredKeys: ['k', 'pick', 'ver'] },
      )
      .filter((u) => u.enabled !== undefined || u.tags !== undefined || u.contentType !== undefined || u.exp !== undefined),
  },
  { weight: 2, arbitrary: fc.record({ k: fc.constant('delete' as const), pick: fc.nat() }) },
  { weight: 2, arbitrary: fc.record({ k: fc.constant('recover' as const), pick: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('purge' as const), pick: fc.nat() }) },
);

/** What the copies did: every version created (id → value) and every version a purge named. */
interface Journal {
  created: Map<string, string>;
  purged: Set<string>;
}

const lc = (s: string): string => s.toLowerCase();
const realNow = Date.now.bind(Date);

/** Applies `op` to `v`, adapted to its current state so that (almost) every step is a real change. */
async function apply(v: Vault, op: Op, j: Journal): Promise<void> {
  // Names from the engine state rather than list()/listDeleted(): same answer, without an audit record per step.
  const objects = [...coreOf(v).secrets.values()];
  const live = objects.filter((o) => !o.deleted).map((o) => o.name);
  const deleted = objects.filter((o) => o.deleted).map((o) => o.name);
  const isDeleted = (n: string): boolean => deleted.some((d) => lc(d) === lc(n));
  const pick = (list: string[], n: number): string => list[n % list.length]!;
  switch (op.k) {
    case 'set': {
      const name = [NAMES[op.name]!, ...NAMES].find((n) => !isDeleted(n));
      if (name === undefined) return apply(v, { k: 'recover', pick: op.name }, j);
      const b = await v.secrets.set({
        name,
        value: op.value,
        enabled: op.enabled,
        ...(op.tags ? { tags: op.tags } : {}),
        ...(op.contentType ? { contentType: op.contentType } : {}),
      });
      j.created.set(versionOf(b.id), hex(op.value));
      return;
    }
    case 'update': {
      if (live.length === 0) return apply(v, { k: 'set', name: op.pick % NAMES.length, value: new Uint8Array([op.ver & 255]), enabled: true }, j);
      const name = pick(live, op.pick);
      const versions = versionIds(v, name);
      const version = op.ver % (versions.length + 1) === versions.length ? undefined : versions[op.ver % (versions.length + 1)];
      await v.secrets.update(name, version, {
        ...(op.enabled !== undefined ? { enabled: op.enabled } : {}),
        ...(op.tags !== undefined ? { tags: op.tags } : {}),
        ...(op.contentType !== undefined ? { contentType: op.contentType } : {}),
        ...(op.exp !== undefined ? { exp: op.exp } : {}),
      });
      return;
    }
    case 'delete':
      if (live.length === 0) return apply(v, { k: 'set', name: op.pick % NAMES.length, value: new Uint8Array([op.pick & 255, 1]), enabled: true }, j);
      await v.secrets.delete(pick(live, op.pick));
      return;
    case 'recover':
      if (deleted.length === 0) return apply(v, { k: 'delete', pick: op.pick }, j);
      await v.secrets.recover(pick(deleted, op.pick));
      return;
    case 'purge': {
      if (deleted.length === 0) return apply(v, { k: 'delete', pick: op.pick }, j);
      const name = pick(deleted, op.pick);
      for (const id of versionIds(v, name)) j.purged.add(id);
      await v.secrets.purge(name);
      return;
    }
  }
}

/** A copy pulls another one mid-way (git pull, a sync tool's conflicted copy): an in-place merge, then it goes on. */
interface Sync {
  k: 'sync';
  from: number;
}

interface Scenario {
  base: Op[];
  /** Each copy's computer clock, in ms off the real one (clocks only order concurrent changes, C5). */
  skews: number[];
  /** Interleaved steps: which copy does what, in time order (so the copies' clocks interleave). */
  steps: { copy: number; op: Op | Sync }[];
}

const scenarioArb = (copies: number): fc.Arbitrary<Scenario> =>
  fc.record({
    base: fc.array(opArb, { minLength: 1, maxLength: 5 }),
    skews: fc.array(fc.oneof(fc.constant(0), fc.integer({ min: -300_000, max: 300_000 })), { minLength: copies, maxLength: copies }),
    steps: fc.array(
      fc.record({
        copy: fc.nat(copies - 1),
        op: copies > 1 ? fc.oneof({ weight: 9, arbitrary: opArb }, { weight: 1, arbitrary: fc.record({ k: fc.constant('sync' as const), from: fc.nat() }) }) : opArb,
      }),
      { minLength: 1, maxLength: 4 * copies },
    ),
  });

interface Built {
  dir: string;
  base: string;
  copies: string[];
  journal: Journal;
}

/** The base vault, then `copies` copies of its file, each opened on its own computer and edited. */
async function build(s: Scenario, copies: number): Promise<Built> {
  const dir = await tempDir();
  const journal: Journal = { created: new Map(), purged: new Set() };
  const base = join(dir, 'base.coffer');
  const b = await create(base, join(dir, 'profile-base'));
  try {
    for (const op of s.base) await apply(b, op, journal);
  } finally {
    b.close();
  }
  const paths: string[] = [];
  const vaults: Vault[] = [];
  try {
    const profile = (i: number): string => join(dir, `profile-${'ABC'[i]}`);
    for (let i = 0; i < copies; i++) {
      const p = await copyVault(base, join(dir, `copy-${'ABC'[i]}.coffer`));
      paths.push(p);
      // Same passphrase (same member), own profile folder: verified-state caches never interfere.
      vaults.push(await open(p, profile(i)));
    }
    for (const { copy, op } of s.steps) {
      if (op.k !== 'sync') {
        const skew = s.skews[copy]!;
        const clock = skew === 0 ? undefined : vi.spyOn(Date, 'now').mockImplementation(() => realNow() + skew);
        try {
          await apply(vaults[copy]!, op, journal);
        } finally {
          clock?.mockRestore();
        }
        continue;
      }
      const from = (copy + 1 + (op.from % (copies - 1))) % copies;
      vaults[copy]!.close();
      await mergeVaultFiles(paths[copy]!, paths[from]!, paths[copy]!);
      vaults[copy] = await open(paths[copy]!, profile(copy)); // warm cache: no rollback after a merge
    }
  } finally {
    for (const v of vaults) v.close();
  }
  return { dir, base, copies: paths, journal };
}

async function merge(dir: string, ours: string, theirs: string, name: string): Promise<string> {
  const out = join(dir, `${name}.coffer`);
  await mergeVaultFiles(ours, theirs, out);
  return out;
}

/** The versions that must survive: all created, minus those a purge named. */
function expectedVersions(j: Journal): Set<string> {
  return new Set([...j.created.keys()].filter((id) => !j.purged.has(id)));
}

function checkNoLoss(state: VaultState, j: Journal, what: string): void {
  const have = allVersions(state);
  const want = expectedVersions(j);
  const lost = [...want].filter((id) => !have.has(id));
  const resurrected = [...have].filter((id) => j.purged.has(id));
  expect({ what, lost, resurrected }).toEqual({ what, lost: [], resurrected: [] });
  // Each surviving version keeps the value it was created with.
  for (const o of Object.values(state.objects)) {
    for (const v of o.versions) expect({ version: v.id, value: v.value }).toEqual({ version: v.id, value: j.created.get(versionOf(v.id)) });
  }
  expect(state.rejected).toBe(0);
}

afterAll(cleanupTemp);

describe('merge properties (V6), on the resulting state', () => {
  it(
    'is commutative: merge(A,B) ≡ merge(B,A), and the merge of two copies loses no version',
    async () => {
      await fc.assert(
        fc.asyncProperty(scenarioArb(2), async (s) => {
          const { dir, copies, journal } = await build(s, 2);
          const [a, b] = copies as [string, string];
          const ab = await merge(dir, a, b, 'AB');
          const ba = await merge(dir, b, a, 'BA');
          const sab = await stateOfFile(ab, dir);
          const sba = await stateOfFile(ba, dir);
          expect(sba).toEqual(sab);
          checkNoLoss(sab, journal, 'merge(A,B)');
        }),
        params,
      );
    },
    TIMEOUT,
  );

  it(
    'is associative: merge(merge(A,B),C) ≡ merge(A,merge(B,C)) ≡ merge(C,merge(B,A)), losing no version of any copy',
    async () => {
      await fc.assert(
        fc.asyncProperty(scenarioArb(3), async (s) => {
          const { dir, copies, journal } = await build(s, 3);
          const [a, b, c] = copies as [string, string, string];
          const abC = await merge(dir, await merge(dir, a, b, 'AB'), c, 'AB-C');
          const aBC = await merge(dir, a, await merge(dir, b, c, 'BC'), 'A-BC');
          const cBA = await merge(dir, c, await merge(dir, b, a, 'BA'), 'C-BA');
          const left = await stateOfFile(abC, dir);
          expect(await stateOfFile(aBC, dir)).toEqual(left);
          expect(await stateOfFile(cBA, dir)).toEqual(left);
          checkNoLoss(left, journal, 'merge of A, B and C');
        }),
        params,
      );
    },
    TIMEOUT,
  );

  it(
    'is idempotent: merge(A,A) is A byte for byte; merging the base (an ancestor) into A, or A into the base, gives A',
    async () => {
      await fc.assert(
        fc.asyncProperty(scenarioArb(1), async (s) => {
          const { dir, base, copies } = await build(s, 1);
          const a = copies[0]!;
          const aa = await merge(dir, a, await copyVault(a, join(dir, 'A-again.coffer')), 'AA');
          expect((await bytesOf(aa)).equals(await bytesOf(a))).toBe(true);
          const sa = await stateOfFile(a, dir);
          expect(await stateOfFile(aa, dir)).toEqual(sa);
          expect(await stateOfFile(await merge(dir, a, base, 'A-base'), dir)).toEqual(sa);
          expect(await stateOfFile(await merge(dir, base, a, 'base-A'), dir)).toEqual(sa);
          // In place (output = ours), as the merge driver and `vault merge` do: nothing to add, file unchanged.
          const before = await bytesOf(a);
          expect(await mergeVaultFiles(a, aa, a)).toMatchObject({ added: 0 });
          expect((await bytesOf(a)).equals(before)).toBe(true);
        }),
        params,
      );
    },
    TIMEOUT,
  );

  it(
    'loses no version: every version created in any copy (unless purged) is in merge(A,B,C), with its value; the copy itself sees the same state after merging in place',
    async () => {
      await fc.assert(
        fc.asyncProperty(scenarioArb(3), async (s) => {
          const { dir, copies, journal } = await build(s, 3);
          const [a, b, c] = copies as [string, string, string];
          // In place, in a chain, as three people pulling from each other would: A ← B, A ← C, then B and C ← A.
          await mergeVaultFiles(a, b, a);
          await mergeVaultFiles(a, c, a);
          await mergeVaultFiles(b, a, b);
          await mergeVaultFiles(c, a, c);
          const sa = await stateOfFile(a, dir);
          checkNoLoss(sa, journal, 'A after merging B and C in place');
          expect(await stateOfFile(b, dir)).toEqual(sa);
          expect(await stateOfFile(c, dir)).toEqual(sa);
          // Each computer reopens its own copy with its warm cache (no rollback) and sees the same state.
          for (const [i, p] of [a, b, c].entries()) {
            const v = await open(p, join(dir, `profile-${'ABC'[i]}`));
            try {
              expect(await stateOf(v)).toEqual(sa);
            } finally {
              v.close();
            }
          }
        }),
        params,
      );
    },
    TIMEOUT,
  );
});
