/**
 * V5 — revocation. Removing a member or lowering their role starts a new key
 * epoch; nothing written afterwards decrypts with their identity (checked with
 * the raw-crypto attacker of V3, not the engine), remaining members keep the
 * history, and `remove` lists what the removed member could read.
 */
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CofferError } from '../../../../electron/vault/errors.js';
import {
  addMembers,
  createTestVault,
  dec,
  enc,
  newMember,
  openAsMember,
  parseVaultLines,
  removeTempDirs,
  type TestMember,
  type TestVault,
  type VaultLines,
} from '../../../helpers/vault.js';
import { rawAttack, recoveredCanaries, type AttackResult } from './raw-attack.js';

afterAll(removeTempDirs);

const pair = (m: TestMember): { priv: Uint8Array; pub: Uint8Array } => ({ priv: m.identity.encPriv.slice(), pub: m.identity.encPub.slice() });
const lastName = (id: string): string => id.split('/').pop()!;

describe('V5: removing a member', () => {
  const OLD = ['v5canary-old-1-Pq7Rt2Wx', 'v5canary-old-2-deleted-Lm4Zs9Kd'];
  const NEW = ['v5canary-new-1-Gh3Jn8Vb', 'v5canary-new-version-Yt6Ce1Ua', 'v5canary-new-imported-Dw5Fo0Ix'];
  let t: TestVault;
  const bob = newMember('bob-removed');
  const kim = newMember('kim-remains');
  let exposed: string[];
  let file: VaultLines;
  let bytes: Buffer;
  let removalCommit: string;
  let bobAttack: AttackResult;

  beforeAll(async () => {
    t = await createTestVault();
    await addMembers(t.vault, [
      [bob, ['Key Vault Secrets User']],
      [kim, ['Key Vault Secrets User']],
    ]);
    await t.vault.secrets.set({ name: 'old-1', value: enc(OLD[0]!) });
    await t.vault.secrets.set({ name: 'old-2', value: enc(OLD[1]!) });
    await t.vault.secrets.delete('old-2');
    ({ exposedSecrets: exposed } = await t.vault.members.remove(bob.identity.signPub));
    removalCommit = parseVaultLines(await readFile(t.path)).commits.at(-1)!.id;
    await t.vault.secrets.set({ name: 'new-1', value: enc(NEW[0]!) });
    await t.vault.secrets.set({ name: 'old-1', value: enc(NEW[1]!) });
    await t.vault.secrets.import([{ name: 'new-2', value: enc(NEW[2]!) }]);
    bytes = await readFile(t.path);
    file = parseVaultLines(bytes);
    bobAttack = rawAttack(bytes, [pair(bob)]);
  });

  it('remove returns the secrets the member could read (deleted-but-recoverable ones included)', () => {
    expect(exposed).toEqual(['old-1', 'old-2']);
  });

  it('the removal starts a new epoch (new meta key in the clear)', () => {
    const i = file.commits.findIndex((c) => c.id === removalCommit);
    const removal = file.commits[i]!.payload;
    const before = file.commits[i - 1]!.payload;
    expect(removal.newEpoch).toBeDefined();
    expect(removal.epoch).not.toBe(before.epoch);
    for (const c of file.commits.slice(i + 1)) expect(c.payload.epoch).toBe(removal.epoch);
  });

  it('raw crypto, removed identity: no commit from the removal on decrypts, nor any value written after it', () => {
    const i = file.commits.findIndex((c) => c.id === removalCommit);
    const after = new Set(file.commits.slice(i).map((c) => c.id));
    const before = file.commits.slice(1, i).map((c) => c.id);
    for (const id of after) expect(bobAttack.bodies.has(id), `body of commit ${id.slice(0, 12)}`).toBe(false);
    // Control: the same attack reads everything from before the removal.
    for (const id of before) expect(bobAttack.bodies.has(id), `body of commit ${id.slice(0, 12)}`).toBe(true);
    const afterBlobs = new Set(file.commits.slice(i).flatMap((c) => (c.payload.blobs as string[] | undefined) ?? []));
    expect(afterBlobs.size).toBe(3);
    for (const h of afterBlobs) expect(bobAttack.values.has(h)).toBe(false);
    expect(recoveredCanaries(bobAttack, [...OLD, ...NEW])).toEqual(OLD);
  });

  it('through the engine, the removed member sees nothing new', async () => {
    const v = await openAsMember(t.path, bob);
    expect(v.secrets.list().map((s) => lastName(s.id)).sort()).toEqual(['old-1']);
    await expect(v.secrets.getValue('new-1')).rejects.toMatchObject({ code: 'SecretNotFound' });
    expect(dec(await v.secrets.getValue('old-1'))).toBe(OLD[0]);
    v.close();
  });

  it('remaining members keep the whole history (old epochs reached by chaining)', async () => {
    const v = await openAsMember(t.path, kim);
    const versions = v.secrets.listVersions('old-1').map((s) => lastName(s.id));
    expect(versions).toHaveLength(2);
    expect(dec(await v.secrets.getValue('old-1', versions[0]))).toBe(OLD[0]);
    expect(dec(await v.secrets.getValue('old-1', versions[1]))).toBe(NEW[1]);
    expect(dec(await v.secrets.getValue('new-1'))).toBe(NEW[0]);
    expect(dec(await v.secrets.getValue('new-2'))).toBe(NEW[2]);
    expect(v.secrets.listDeleted().map((s) => lastName(s.recoveryId ?? s.id))).toEqual(['old-2']);
    // And the raw attacker with kim's identity recovers all of them (the control for bob's run).
    expect(recoveredCanaries(rawAttack(bytes, [pair(kim)]), [...OLD, ...NEW]).sort()).toEqual([...OLD, ...NEW].sort());
    v.close();
  });

  it('removing a member who could read no value exposes nothing', async () => {
    const rita = newMember('rita-reader');
    await t.vault.members.add(rita.publicIdentity, ['Key Vault Reader']);
    expect(await t.vault.members.remove(rita.identity.signPub)).toEqual({ exposed: [], exposedSecrets: [] });
  });
});

describe('V5: lowering a role (Secrets User → Reader)', () => {
  const BEFORE = 'v5canary-before-lowering-Nx2Bq7Hs';
  const AFTER = ['v5canary-after-lowering-Ev9Kc3Tm', 'v5canary-after-lowering-version-Ru4Ya6Zp'];
  it('cuts read access to every value written afterwards; metadata stays readable', async () => {
    const t = await createTestVault();
    const carol = newMember('carol-lowered');
    await addMembers(t.vault, [[carol, ['Key Vault Secrets User']]]);
    await t.vault.secrets.set({ name: 'kept', value: enc(BEFORE) });
    const before = parseVaultLines(await readFile(t.path)).commits.at(-1)!.payload.epoch;
    await t.vault.members.setRoles(carol.identity.signPub, ['Key Vault Reader']);
    const lowering = parseVaultLines(await readFile(t.path)).commits.at(-1)!;
    expect(lowering.payload.newEpoch).toBeDefined();
    expect(lowering.payload.epoch).not.toBe(before);
    await t.vault.secrets.set({ name: 'fresh', value: enc(AFTER[0]!) });
    await t.vault.secrets.set({ name: 'kept', value: enc(AFTER[1]!) });
    const bytes = await readFile(t.path);

    const r = rawAttack(bytes, [pair(carol)]);
    expect(recoveredCanaries(r, [BEFORE, ...AFTER])).toEqual([BEFORE]);
    // Still a Reader: every body (names, attributes) decrypts, including those written afterwards.
    expect(r.bodies.has(parseVaultLines(bytes).commits.at(-1)!.id)).toBe(true);

    const v = await openAsMember(t.path, carol);
    expect(v.info().roles).toEqual(['Key Vault Reader']);
    expect(v.secrets.list().map((s) => lastName(s.id)).sort()).toEqual(['fresh', 'kept']);
    const e = await v.secrets.getValue('fresh').catch((x: unknown) => x);
    expect(e).toBeInstanceOf(CofferError);
    expect((e as CofferError).code).toBe('Forbidden');
    v.close();
  });
});
