/**
 * Fixtures for scenarios (3) and (5): a vault whose N × 5 secret versions
 * are each their own commit (one `set` per commit), and two copies of it
 * with D divergent changes each (the same member saving on two computers
 * without syncing). By default the commits after the first are written by
 * FastCommitWriter (bench/lib/fast-writer.ts explains why and how it is kept
 * honest); COFFER_BENCH_REAL_SETS=1 makes every one a real `secrets.set`.
 */
import { copyFile, cp, stat } from 'node:fs/promises';
import type { Vault } from '../../electron/vault/api.js';
import { createVault, openVault } from '../../electron/vault/vault.js';
import { childArgs, emit, now, progress, runChild } from '../lib/common.js';
import { assertSameShape, BatchAppender, FastCommitWriter, lastEngineCommit } from '../lib/fast-writer.js';
import { passphrase, quiet, secretName, secretValue, SMALL_KDF } from '../lib/fixtures.js';

interface Args {
  path: string;
  profileDir: string;
  secrets: number;
  versions: number;
  divergent: number;
  ours: string;
  theirs: string;
  realSets: boolean;
}

/** Every (secret, version) in the order a user would write them: all secrets, then their second versions... */
function* order(secrets: number, versions: number): Generator<{ i: number; v: number }> {
  for (let v = 0; v < versions; v++) for (let i = 0; i < secrets; i++) yield { i, v };
}

function reporter(total: number, what: string): (done: number) => void {
  const t0 = now();
  let next = 0;
  return (done) => {
    if (done < next && done !== total) return;
    next = done + Math.max(1, Math.round(total / 10));
    const s = (now() - t0) / 1000;
    const eta = done > 0 ? (s / done) * (total - done) : 0;
    progress(`${what}: ${done.toLocaleString('en')}/${total.toLocaleString('en')} commits, ${s.toFixed(0)} s${done < total ? `, ~${eta.toFixed(0)} s to go` : ''}`);
  };
}

async function realSets(vault: Vault, items: Iterable<{ i: number; v: number }>, total: number, what: string): Promise<void> {
  const tick = reporter(total, what);
  let n = 0;
  for (const { i, v } of items) {
    await vault.secrets.set({ name: secretName(i), value: secretValue(i, v) });
    tick(++n);
  }
}

async function fastSets(writer: FastCommitWriter, path: string, items: Iterable<{ i: number; v: number }>, total: number, what: string, check?: ReturnType<typeof lastEngineCommit>): Promise<void> {
  const out = await BatchAppender.open(path);
  const tick = reporter(total, what);
  let n = 0;
  try {
    for (const { i, v } of items) {
      const c = writer.set(secretName(i), secretValue(i, v));
      if (n === 0 && check) assertSameShape(check, c);
      await out.add(c.text);
      tick(++n);
    }
  } finally {
    await out.close();
  }
}

function* divergent(from: number, count: number, secrets: number, version: number): Generator<{ i: number; v: number }> {
  for (let k = 0; k < count; k++) yield { i: (from + k) % secrets, v: version };
}

runChild(async () => {
  const a = childArgs<Args>();
  const total = a.secrets * a.versions;
  const t0 = now();
  const vault = await createVault({ path: a.path, profileDir: a.profileDir, passphrase: passphrase(), kdf: SMALL_KDF, onWarning: quiet });
  // The first version is always written by the engine itself: the reference for assertSameShape.
  await vault.secrets.set({ name: secretName(0), value: secretValue(0, 0) });
  const rest = [...order(a.secrets, a.versions)].slice(1);
  let writer: FastCommitWriter | undefined;
  if (a.realSets) {
    await realSets(vault, rest, rest.length, 'building with secrets.set');
    vault.close();
    await vault.settled();
  } else {
    const ref = lastEngineCommit(vault);
    writer = FastCommitWriter.fromVault(vault);
    vault.close();
    await vault.settled();
    await fastSets(writer, a.path, rest, rest.length, 'building (fast writer)', ref);
  }
  emit('buildMs', now() - t0);
  emit('fileBytes', (await stat(a.path)).size);
  emit('commits', total + 2);
  emit('builtWith', a.realSets ? 'secrets.set' : 'FastCommitWriter');

  // Two divergent copies for the merge: ours changes secrets [0, D), theirs [D/2, 3D/2) (half of them the same secrets).
  const t1 = now();
  await copyFile(a.path, a.ours);
  await copyFile(a.path, a.theirs);
  const sides: [string, number][] = [
    [a.ours, 0],
    [a.theirs, Math.floor(a.divergent / 2)],
  ];
  for (const [file, from] of sides) {
    const items = divergent(from, a.divergent, a.secrets, a.versions);
    if (writer) {
      await fastSets(writer.fork(), file, items, a.divergent, `divergent copy ${file === a.ours ? 'ours' : 'theirs'}`);
    } else {
      // Each copy gets its own copy of the profile: one profile that saw ours' new commits would call theirs a rollback.
      const profileDir = `${a.profileDir}-${file === a.ours ? 'ours' : 'theirs'}`;
      await cp(a.profileDir, profileDir, { recursive: true });
      const v = await openVault({ path: file, profileDir, passphrase: passphrase() });
      await realSets(v, items, a.divergent, `divergent copy ${file === a.ours ? 'ours' : 'theirs'}`);
      v.close();
      await v.settled();
    }
  }
  emit('divergentBuildMs', now() - t1);
});
