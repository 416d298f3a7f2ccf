/**
 * The exposure report and "needs rotation" (VAULT-MODEL V5; FORMAT.md §8.7):
 * lowering or removing a member reports every object whose value their keys
 * decrypt, from the whole history of their roles; each stays marked until a
 * new version is written, the same on every open and every member's computer.
 * The report is checked against the raw-crypto attacker of V3/V5: with the
 * removed identity and the file, exactly the objects listed decrypt.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ExposedObject, Vault } from '../../../../electron/vault/api.js';
import type { VaultCore } from '../../../../electron/vault/core.js';
import { mergeVaultFiles } from '../../../../electron/vault/vault.js';
import { OBJECT_KINDS } from '../../../../electron/vault/state/kinds.js';
import { VersionedObjects } from '../../../../electron/vault/state/versioned.js';
import { CertificatesState } from '../../../../electron/vault/certificates/state.js';
import { addMembers, copyVaultFile, createTestVault, enc, newMember, openAsMember, openWithPassphrase, removeTempDirs, type TestMember, type TestVault } from '../../../helpers/vault.js';
import { closeSettled, coreOf } from '../merge/helpers.js';
import { rawAttack, recoveredCanaries, type AttackResult } from '../properties/raw-attack.js';

afterAll(removeTempDirs);

const pair = (m: TestMember): { priv: Uint8Array; pub: Uint8Array } => ({ priv: m.identity.encPriv.slice(), pub: m.identity.encPub.slice() });
const secret = (name: string): ExposedObject => ({ kind: 'secrets', name });
const key = (name: string): ExposedObject => ({ kind: 'keys', name });

/** Every value blob in the state, with the object it belongs to ("kind/name"). */
function blobOwners(core: VaultCore): Map<string, string> {
  const out = new Map<string, string>();
  for (const kind of OBJECT_KINDS) {
    const state: unknown = core.state.of(kind);
    if (state instanceof VersionedObjects) {
      for (const o of (state as VersionedObjects<unknown>).objects.values()) for (const v of o.versions.values()) if (v.blob) out.set(v.blob, `${kind.collection}/${o.name}`);
    }
    if (state instanceof CertificatesState) for (const p of state.pending.values()) if (p.key) out.set(p.key.blob, `${kind.collection}/${p.name}`);
  }
  return out;
}

/** The objects whose value an attack decrypted, as "kind/name". */
function decryptedObjects(got: AttackResult, core: VaultCore): string[] {
  const owners = blobOwners(core);
  return [...new Set([...got.values.keys()].map((h) => owners.get(h) ?? `unknown ${h}`))].sort();
}

/** The objects whose value the raw attacker holding `m`'s identity decrypts. */
const decryptedBy = (bytes: Buffer, core: VaultCore, m: TestMember): string[] => decryptedObjects(rawAttack(bytes, [pair(m)]), core);

const asStrings = (xs: ExposedObject[]): string[] => xs.map((x) => `${x.kind}/${x.name}`).sort();

describe('exposure report: from the whole history of a member’s roles', () => {
  const S = { s1: 'expcanary-s1-Hq3Wd8Lp', s2: 'expcanary-s2-Zr5Kt1Mx', s3: 'expcanary-s3-Vb7Nc2Qa', s1b: 'expcanary-s1-rotated-Py4Ge9Ju' };
  let t: TestVault;
  const bob = newMember('bob');
  const kim = newMember('kim');
  const cory = newMember('cory');
  let lowered: Awaited<ReturnType<Vault['members']['setRoles']>>;
  let bobRemoved: Awaited<ReturnType<Vault['members']['remove']>>;
  let coryRemoved: Awaited<ReturnType<Vault['members']['remove']>>;
  let marksAfterRemovals: ExposedObject[];
  let bytesAfterRemovals: Buffer;

  beforeAll(async () => {
    t = await createTestVault();
    await addMembers(t.vault, [
      [bob, ['Key Vault Secrets Officer']],
      [kim, ['Key Vault Secrets User']],
      [cory, ['Key Vault Crypto Officer']],
    ]);
    await t.vault.secrets.set({ name: 's1', value: enc(S.s1) });
    await t.vault.secrets.set({ name: 's2', value: enc(S.s2) });
    await t.vault.keys.create({ name: 'k1', kty: 'oct' });
    lowered = await t.vault.members.setRoles(bob.identity.signPub, ['Key Vault Reader']);
    await t.vault.secrets.set({ name: 's3', value: enc(S.s3) });
    bobRemoved = await t.vault.members.remove(bob.identity.signPub);
    coryRemoved = await t.vault.members.remove(cory.identity.signPub);
    marksAfterRemovals = t.vault.members.needsRotation();
    bytesAfterRemovals = await readFile(t.path);
  });

  it('lowering Secrets Officer → Reader reports the secrets he could read, not the keys he never had', () => {
    expect(lowered.roles).toEqual(['Key Vault Reader']);
    expect(lowered.exposed).toEqual([secret('s1'), secret('s2')]);
  });

  it('removing him later reports the same: s3 was written after he lost `secrets`', () => {
    expect(bobRemoved).toEqual({ exposed: [secret('s1'), secret('s2')], exposedSecrets: ['s1', 's2'] });
  });

  it('removing a Crypto Officer reports the keys, not the secrets', () => {
    expect(coryRemoved).toEqual({ exposed: [key('k1')], exposedSecrets: [] });
  });

  it('changing roles without losing a scope, or removing a member who read no value, reports nothing', async () => {
    const rita = newMember('rita');
    await t.vault.members.add(rita.publicIdentity, ['Key Vault Secrets User']);
    expect((await t.vault.members.setRoles(rita.identity.signPub, ['Key Vault Secrets Officer'])).exposed).toEqual([]);
    const reader = newMember('reader');
    await t.vault.members.add(reader.publicIdentity, ['Key Vault Reader']);
    expect(await t.vault.members.remove(reader.identity.signPub)).toEqual({ exposed: [], exposedSecrets: [] });
  });

  it('raw crypto: with their identity and the file, each removed member decrypts exactly the objects reported', () => {
    const core = coreOf(t.vault);
    const bobAttack = rawAttack(bytesAfterRemovals, [pair(bob)]);
    expect(decryptedObjects(bobAttack, core)).toEqual(asStrings(bobRemoved.exposed));
    expect(recoveredCanaries(bobAttack, Object.values(S))).toEqual([S.s1, S.s2]);
    expect(decryptedBy(bytesAfterRemovals, core, cory)).toEqual(asStrings(coryRemoved.exposed));
  });

  it('needs rotation: every reported object, until a new version is written', async () => {
    expect(marksAfterRemovals).toEqual([key('k1'), secret('s1'), secret('s2')]);
    await t.vault.secrets.set({ name: 's1', value: enc(S.s1b) });
    expect(t.vault.members.needsRotation()).toEqual([key('k1'), secret('s2')]);
    await t.vault.keys.rotate('k1');
    expect(t.vault.members.needsRotation()).toEqual([secret('s2')]);
    // The rotated value is out of the removed member's reach.
    expect(recoveredCanaries(rawAttack(await readFile(t.path), [pair(bob)]), Object.values(S))).toEqual([S.s1, S.s2]);
  });

  it('the marks are the same after a cold open, a warm open, a checkpointed open, and on another member’s computer', async () => {
    const expected = [secret('s2')];
    const profile = join(t.dir, 'profile-second-computer');
    const cold = await openWithPassphrase(t.path, profile, t.passphrase);
    expect(cold.members.needsRotation()).toEqual(expected);
    await closeSettled(cold);
    const warm = await openWithPassphrase(t.path, profile, t.passphrase);
    expect((warm as unknown as { loadedWarm: boolean }).loadedWarm).toBe(true);
    expect(warm.members.needsRotation()).toEqual(expected);
    warm.close();

    const asKim = await openAsMember(t.path, kim);
    expect(asKim.members.needsRotation()).toEqual(expected);
    await closeSettled(asKim);
    const kimWarm = await openAsMember(t.path, kim);
    expect((kimWarm as unknown as { loadedWarm: boolean }).loadedWarm).toBe(true);
    expect(kimWarm.members.needsRotation()).toEqual(expected);
    kimWarm.close();

    await t.vault.checkpoint();
    const fromCheckpoint = await openWithPassphrase(t.path, join(t.dir, 'profile-third-computer'), t.passphrase);
    expect((fromCheckpoint as unknown as { loadedFromCheckpoint: boolean }).loadedFromCheckpoint).toBe(true);
    expect(fromCheckpoint.members.needsRotation()).toEqual(expected);
    fromCheckpoint.close();
  });

  it('a deleted object stays listed, marked deleted; purging it ends the mark', async () => {
    await t.vault.secrets.delete('s2');
    expect(t.vault.members.needsRotation()).toEqual([{ ...secret('s2'), deleted: true }]);
    await t.vault.secrets.purge('s2');
    expect(t.vault.members.needsRotation()).toEqual([]);
  });
});

describe('exposure report: certificates and CAs', () => {
  const policy = (subject: string, issuer: string) => ({
    key_props: { kty: 'EC' },
    secret_props: { contentType: 'application/x-pem-file' },
    x509_props: { subject, validity_months: 6 },
    issuer: { name: issuer },
  });

  it('a Certificates Officer is reported the CAs and pending requests (`ca`), a Secrets User a certificate’s secret; renewal and merge end the marks', async () => {
    const t = await createTestVault();
    const carl = newMember('carl');
    const sue = newMember('sue');
    await addMembers(t.vault, [
      [carl, ['Key Vault Certificates Officer']],
      [sue, ['Key Vault Secrets User']],
    ]);
    await t.vault.cas.create({ name: 'ca1', subject: 'CN=CA' });
    await t.vault.certificates.create({ name: 'web', policy: policy('CN=web', 'ca1') });
    await t.vault.certificates.create({ name: 'p', policy: policy('CN=p', 'Unknown') });

    const carlRemoved = await t.vault.members.remove(carl.identity.signPub);
    expect(carlRemoved).toEqual({ exposed: [{ kind: 'cas', name: 'ca1' }, { kind: 'certificates', name: 'p', pendingRequest: true }], exposedSecrets: [] });
    const sueRemoved = await t.vault.members.remove(sue.identity.signPub);
    expect(sueRemoved).toEqual({ exposed: [{ kind: 'secrets', name: 'web', certificate: true }], exposedSecrets: ['web'] });

    const bytes = await readFile(t.path);
    const core = coreOf(t.vault);
    expect(decryptedBy(bytes, core, carl)).toEqual(asStrings(carlRemoved.exposed));
    expect(decryptedBy(bytes, core, sue)).toEqual(asStrings(sueRemoved.exposed));

    expect(t.vault.members.needsRotation()).toEqual([...carlRemoved.exposed, ...sueRemoved.exposed]);
    await t.vault.certificates.renew('web');
    const op = t.vault.certificates.getOperation('p');
    await t.vault.certificates.merge('p', await t.vault.cas.signCsr('ca1', Buffer.from(op.csr!, 'base64')));
    expect(t.vault.members.needsRotation()).toEqual([{ kind: 'cas', name: 'ca1' }]);
  });
});

describe('exposure across merged copies', () => {
  it('a value written on another copy under an epoch the removed member held, concurrently with the removal, is exposed and marked', async () => {
    const C = { s1: 'expcanary-merge-s1-Wc6Ra2Zn', s4: 'expcanary-merge-s4-Jd9Lu3Ok', a1: 'expcanary-merge-a1-Tm1Hs5Yb', s4b: 'expcanary-merge-s4b-Qe8Xv0Gi' };
    const t = await createTestVault();
    const bob = newMember('bob');
    const kim = newMember('kim');
    await addMembers(t.vault, [
      [bob, ['Key Vault Secrets Officer']],
      [kim, ['Key Vault Secrets Officer']],
    ]);
    await t.vault.secrets.set({ name: 's1', value: enc(C.s1) });
    await closeSettled(t.vault);
    const a = join(t.dir, 'A.coffer');
    const b = join(t.dir, 'B.coffer');
    await copyVaultFile(t.path, a);
    await copyVaultFile(t.path, b);

    const va = await openWithPassphrase(a, join(t.dir, 'profile-A'), t.passphrase);
    expect((await va.members.remove(bob.identity.signPub)).exposed).toEqual([secret('s1')]);
    await va.secrets.set({ name: 'a1', value: enc(C.a1) });
    va.close();
    const vb = await openAsMember(b, kim, { profileDir: join(t.dir, 'profile-B') });
    await vb.secrets.set({ name: 's4', value: enc(C.s4) }); // under the epoch Bob still held on this copy
    vb.close();

    const merged = join(t.dir, 'M.coffer');
    await mergeVaultFiles(a, b, merged);
    const owner = await openWithPassphrase(merged, join(t.dir, 'profile-M'), t.passphrase);
    expect(owner.info().rejectedCommits).toEqual([]);
    expect(owner.members.needsRotation()).toEqual([secret('s1'), secret('s4')]);
    const asKim = await openAsMember(merged, kim, { profileDir: join(t.dir, 'profile-M-kim') });
    expect(asKim.members.needsRotation()).toEqual([secret('s1'), secret('s4')]);
    asKim.close();
    expect(recoveredCanaries(rawAttack(await readFile(merged), [pair(bob)]), Object.values(C)).sort()).toEqual([C.s1, C.s4].sort());

    await owner.secrets.set({ name: 's4', value: enc(C.s4b) });
    expect(owner.members.needsRotation()).toEqual([secret('s1')]);
    owner.close();
    expect(recoveredCanaries(rawAttack(await readFile(merged), [pair(bob)]), Object.values(C)).sort()).toEqual([C.s1, C.s4].sort());
  });
});
