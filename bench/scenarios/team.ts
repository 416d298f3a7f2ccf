/**
 * Scenario (13): a team vault. The same N secrets are written, in as many
 * import commits as the team vault has key epochs, to two vaults: one with
 * its creator alone, and one where, before each import after the first, a
 * commit adds a few members and starts a new epoch (so its values are sealed
 * under every epoch, and a cold open resolves scope keys through each of
 * them). The opens of the two are timed in turn in this one child, so their
 * ratio is measured under the same load. Then a member is added and removed
 * on the team vault, and on one with a tenth of the secrets, to show how
 * those writes grow with the vault.
 *
 * The epoch commits are written through the engine's own write path
 * (VaultSession.write with `member` records and a new epoch), several members
 * per commit, which the members API does one at a time; every open verifies
 * and authorizes them like any other commit.
 */
import { mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import type { RoleName } from '../../shared/keyvault.js';
import type { Vault } from '../../electron/vault/api.js';
import { createIdentity } from '../../electron/vault/access/identity.js';
import { toB64u } from '../../electron/vault/crypto/index.js';
import type { VaultRecord } from '../../electron/vault/format/records.js';
import type { VaultSession } from '../../electron/vault/session.js';
import { createVault, openVault } from '../../electron/vault/vault.js';
import { childArgs, emit, now, progress, runChild, summarize } from '../lib/common.js';
import { passphrase, quiet, secretName, SMALL_KDF } from '../lib/fixtures.js';

interface Args {
  dir: string;
  secrets: number;
  /** Members of the team vault, its creator included. */
  members: number;
  /** Key epochs of the team vault, the first (genesis) included. */
  epochs: number;
  reps: number;
}

const ROLES: RoleName[][] = [['Key Vault Secrets User'], ['Key Vault Reader'], ['Key Vault Secrets Officer'], ['Key Vault Crypto User']];

/** A vault of `secrets` secrets in `epochs` import commits; with `members` > 1, epoch commits adding them in between. */
async function build(file: string, secrets: number, members: number, epochs: number): Promise<void> {
  const vault = await createVault({ path: file, profileDir: `${file}.builder`, passphrase: passphrase(), kdf: SMALL_KDF, onWarning: quiet });
  const perImport = Math.ceil(secrets / epochs);
  let added = 0;
  for (let e = 0; e < epochs; e++) {
    if (e > 0 && members > 1) {
      // Spread the other members over the epoch commits after the first.
      const upTo = Math.round(((members - 1) * e) / (epochs - 1));
      const records: VaultRecord[] = [];
      for (; added < upTo; added++) {
        const id = createIdentity();
        records.push({ t: 'member', sign: toB64u(id.signPub), enc: toB64u(id.encPub), name: `member-${added + 1}`, roles: ROLES[added % ROLES.length]! });
      }
      await (vault as VaultSession).write(() => ({ pending: { records, newEpoch: true }, result: () => undefined }));
    }
    const from = e * perImport;
    const count = Math.min(perImport, secrets - from);
    if (count > 0) await importChunk(vault, from, count);
  }
  vault.close();
  await vault.settled();
  await rm(`${file}.builder`, { recursive: true, force: true });
}

async function importChunk(vault: Vault, from: number, count: number): Promise<void> {
  const entries = [];
  for (let i = from; i < from + count; i++) entries.push({ name: secretName(i), value: new TextEncoder().encode(`team-${i}`) });
  await vault.secrets.import(entries);
}

/** One open + list + show, in a fresh profile (cold) or the given one (warm). */
async function openOnce(file: string, profileDir: string, cold: boolean, secrets: number): Promise<number> {
  if (cold) await rm(profileDir, { recursive: true, force: true });
  (globalThis as { gc?: () => void }).gc?.();
  const t0 = now();
  const vault = await openVault({ path: file, profileDir, passphrase: passphrase() });
  vault.secrets.list();
  await vault.secrets.get(secretName(Math.floor(secrets / 2)));
  const t = now() - t0;
  if (vault.info().rejectedCommits.length > 0) throw new Error(`${path.basename(file)}: ${vault.info().rejectedCommits[0]!.reason}`);
  vault.close();
  await vault.settled();
  return t;
}

/** Adds a member then removes them, `reps` times, on a vault opened warm; each is one commit starting a new epoch. */
async function addRemove(file: string, reps: number): Promise<{ add: number[]; remove: number[]; members: number }> {
  // A warm open, as the app's: a cold one owes its warm snapshot, which the first write would pay.
  await openOnce(file, `${file}.profile-admin`, false, 1);
  const vault = await openVault({ path: file, profileDir: `${file}.profile-admin`, passphrase: passphrase() });
  const add: number[] = [];
  const remove: number[] = [];
  for (let r = 0; r < reps; r++) {
    const id = createIdentity();
    let t = now();
    await vault.members.add({ signPub: id.signPub, encPub: id.encPub, name: `guest-${r}` }, ['Key Vault Secrets User']);
    add.push(now() - t);
    t = now();
    await vault.members.remove(id.signPub);
    remove.push(now() - t);
  }
  const members = vault.members.list().length;
  vault.close();
  await vault.settled();
  return { add, remove, members };
}

runChild(async () => {
  const a = childArgs<Args>();
  await mkdir(a.dir, { recursive: true });
  const solo = path.join(a.dir, 'solo.coffer');
  const team = path.join(a.dir, 'team.coffer');
  const small = path.join(a.dir, 'team-small.coffer');
  progress(`building ${a.secrets.toLocaleString('en')} secrets alone, and with ${a.members} members over ${a.epochs} epochs...`);
  await build(solo, a.secrets, 1, a.epochs);
  await build(team, a.secrets, a.members, a.epochs);
  await build(small, Math.max(10, Math.round(a.secrets / 10)), a.members, a.epochs);

  const timings = { soloCold: [] as number[], teamCold: [] as number[], soloWarm: [] as number[], teamWarm: [] as number[] };
  // A first open of each, untimed: it writes the warm snapshot the warm rows read.
  await openOnce(solo, `${solo}.warm`, false, a.secrets);
  await openOnce(team, `${team}.warm`, false, a.secrets);
  for (let r = 0; r < a.reps; r++) {
    // In turn, so both see the same load.
    timings.soloCold.push(await openOnce(solo, `${solo}.cold`, true, a.secrets));
    timings.teamCold.push(await openOnce(team, `${team}.cold`, true, a.secrets));
    timings.soloWarm.push(await openOnce(solo, `${solo}.warm`, false, a.secrets));
    timings.teamWarm.push(await openOnce(team, `${team}.warm`, false, a.secrets));
    progress(`open ${r + 1}/${a.reps}: cold ${timings.soloCold[r]!.toFixed(0)} / ${timings.teamCold[r]!.toFixed(0)} ms, warm ${timings.soloWarm[r]!.toFixed(0)} / ${timings.teamWarm[r]!.toFixed(0)} ms (alone / team)`);
  }
  for (const [k, v] of Object.entries(timings)) emit(k, summarize(v));

  const writes = Math.max(5, a.reps);
  const big = await addRemove(team, writes);
  const little = await addRemove(small, writes);
  emit('addMs', summarize(big.add));
  emit('removeMs', summarize(big.remove));
  emit('smallAddMs', summarize(little.add));
  emit('smallRemoveMs', summarize(little.remove));
  emit('members', big.members);
  progress(`add ${summarize(big.add).median.toFixed(0)} ms, remove ${summarize(big.remove).median.toFixed(0)} ms (${a.secrets.toLocaleString('en')} secrets); ${summarize(little.add).median.toFixed(0)} / ${summarize(little.remove).median.toFixed(0)} ms (a tenth)`);
});
