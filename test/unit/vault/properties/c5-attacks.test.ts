/**
 * VAULT-MODEL C5 as an attacker holding a member's identity and the file
 * (a modified client: forge.ts): whatever commits they sign, nobody else's next
 * write fails, a removed member changes nothing, and the vault always keeps an
 * Administrator. Each attack is appended to the file by hand, then the owner
 * (cold and warm) and a third member open, read and write.
 */
import { copyFile, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { mergeVaultFiles, repairVaultFile } from '../../../../electron/vault/vault.js';
import { MAX_HLC_COUNTER, MAX_HLC_TIME, type Hlc, type VaultRecord } from '../../../../electron/vault/format/records.js';
import { addMembers, createTestVault, dec, enc, newMember, openAsMember, openWithPassphrase, removeTempDirs, type TestMember, type TestVault } from '../../../helpers/vault.js';
import { appendToFile, craftCommit, loadCore, newVersion } from './forge.js';

afterAll(removeTempDirs);

const MAX_HLC: Hlc = [MAX_HLC_TIME, MAX_HLC_COUNTER];

async function team(): Promise<{ t: TestVault; rita: TestMember; bob: TestMember; ann: TestMember }> {
  const t = await createTestVault();
  const rita = newMember('rita');
  const bob = newMember('bob');
  const ann = newMember('ann');
  await addMembers(t.vault, [
    [rita, ['Key Vault Reader']],
    [bob, ['Key Vault Secrets Officer']],
    [ann, ['Key Vault Administrator']],
  ]);
  await t.vault.secrets.set({ name: 'base', value: enc('base-value') });
  return { t, rita, bob, ann };
}

async function appendAs(t: TestVault, m: TestMember, opts: Parameters<typeof craftCommit>[2]): Promise<string> {
  const c = craftCommit(loadCore(await readFile(t.path), m.identity), m.identity, opts);
  await appendToFile(t.path, c.text);
  return c.id;
}

/** The owner from a fresh profile and from their own, and `other`, can each still read and write. */
async function everyoneStillWrites(t: TestVault, other: TestMember, tag: string): Promise<string[][]> {
  const reports: string[][] = [];
  for (const open of [
    () => openWithPassphrase(t.path, join(t.dir, `cold-${tag}`), t.passphrase),
    () => openWithPassphrase(t.path, t.profileDir, t.passphrase),
    () => openAsMember(t.path, other, { profileDir: join(t.dir, `other-${tag}`) }),
  ]) {
    const v = await open();
    expect(dec(await v.secrets.getValue('base'))).toBe('base-value');
    const name = `after-${tag}-${reports.length}`;
    await v.secrets.set({ name, value: enc('still writable') });
    expect(dec(await v.secrets.getValue(name))).toBe('still writable');
    expect(v.members.list().some((m) => m.roles.includes('Key Vault Administrator'))).toBe(true);
    reports.push(v.info().rejectedCommits.map((r) => r.id));
    v.close();
  }
  return reports;
}

describe('C5: a crafted commit can be rejected and reported, never make the vault unwritable', () => {
  it("a Reader's empty commit with the largest clock: the next writes still work", async () => {
    const { t, rita, bob } = await team();
    t.vault.close();
    await appendAs(t, rita, { records: [], hlc: MAX_HLC });
    await everyoneStillWrites(t, bob, 'reader-clock');
  });

  it('a clock beyond the bounds rejects its commit (reported), and writes go on', async () => {
    const { t, rita, bob } = await team();
    t.vault.close();
    const id = await appendAs(t, rita, { records: [], hlc: [MAX_HLC_TIME + 1, 0] });
    const reports = await everyoneStillWrites(t, bob, 'beyond');
    for (const r of reports) expect(r).toContain(id);
  });

  it("a removed member's empty commit with the largest clock, on old parents: rejected and reported, also after repair", async () => {
    const { t, rita, bob } = await team();
    const before = loadCore(await readFile(t.path), rita.identity).graph.heads;
    await t.vault.members.remove(rita.identity.signPub);
    t.vault.close();
    const id = await appendAs(t, rita, { records: [], hlc: MAX_HLC, parents: before });
    const reports = await everyoneStillWrites(t, bob, 'removed-clock');
    for (const r of reports) expect(r).toContain(id);
    // Repair keeps every intact commit, the crafted one included: the result is still writable.
    const repaired = join(t.dir, 'repaired.coffer');
    await repairVaultFile(t.path, repaired);
    const v = await openWithPassphrase(repaired, join(t.dir, 'repaired-profile'), t.passphrase);
    await v.secrets.set({ name: 'after-repair', value: enc('ok') });
    expect(v.info().rejectedCommits.map((r) => r.id)).toContain(id);
    v.close();
  });

  it('a removed Administrator removing the creator on parents from before their own removal: rejected; the creator stays', async () => {
    const { t, ann, bob } = await team();
    const core = loadCore(await readFile(t.path), ann.identity);
    const before = core.graph.heads;
    const creator = [...core.currentMembers().values()].find((m) => m.name === 'owner')!.sign;
    await t.vault.members.remove(ann.identity.signPub);
    t.vault.close();
    const id = await appendAs(t, ann, { records: [{ t: 'remove', sign: creator }], parents: before });
    const reports = await everyoneStillWrites(t, bob, 'removed-admin');
    for (const r of reports) expect(r).toContain(id);
    const v = await openWithPassphrase(t.path, t.profileDir, t.passphrase);
    expect(v.members.list().find((m) => m.name === 'owner')?.roles).toEqual(['Key Vault Administrator']);
    expect(v.members.list().some((m) => m.name === 'ann')).toBe(false);
    v.close();
  });

  it("a junior Administrator cannot remove or demote the creator, nor replace another member's key", async () => {
    const { t, ann, bob } = await team();
    const core = loadCore(await readFile(t.path), ann.identity);
    const members = [...core.currentMembers().values()];
    const creator = members.find((m) => m.name === 'owner')!;
    const bobState = members.find((m) => m.name === 'bob')!;
    t.vault.close();
    const removal = await appendAs(t, ann, { records: [{ t: 'remove', sign: creator.sign }] });
    const demotion = await appendAs(t, ann, { records: [{ t: 'member', sign: creator.sign, enc: creator.enc, name: 'owner', roles: ['Key Vault Reader'] }] });
    const takeover = await appendAs(t, ann, { records: [{ t: 'member', sign: bobState.sign, enc: members.find((m) => m.name === 'ann')!.enc, name: 'bob', roles: ['Key Vault Secrets Officer'] }] });
    const reports = await everyoneStillWrites(t, bob, 'junior');
    for (const r of reports) expect(r).toEqual(expect.arrayContaining([removal, demotion, takeover]));
  });

  it('the only Administrator cannot demote or remove themselves: the vault keeps an Administrator', async () => {
    const t = await createTestVault();
    const me = t.vault.members.list()[0]!;
    await expect(t.vault.members.setRoles(new Uint8Array(Buffer.from(me.signPub, 'base64url')), ['Key Vault Reader'])).rejects.toMatchObject({
      code: 'Forbidden',
      message: expect.stringMatching(/without an Administrator/),
    });
    expect(t.vault.members.list()[0]!.roles).toEqual(['Key Vault Administrator']);
    t.vault.close();
  });

  it('two Administrators stepping down on two copies: after the merge the most senior change stands, and an Administrator remains', async () => {
    const t = await createTestVault();
    const ann = newMember('ann');
    await addMembers(t.vault, [[ann, ['Key Vault Administrator']]]);
    t.vault.close();
    const copy = join(t.dir, 'copy.coffer');
    await copyFile(t.path, copy);
    const owner = await openWithPassphrase(t.path, t.profileDir, t.passphrase);
    const me = owner.members.list().find((m) => m.name === 'owner')!;
    await owner.members.setRoles(new Uint8Array(Buffer.from(me.signPub, 'base64url')), ['Key Vault Reader']); // ann stays Administrator here
    owner.close();
    const asAnn = await openAsMember(copy, ann, { profileDir: join(t.dir, 'ann') });
    await asAnn.members.setRoles(ann.identity.signPub, ['Key Vault Reader']); // the owner stays Administrator there
    asAnn.close();
    await mergeVaultFiles(t.path, copy, t.path, { profileDir: t.profileDir });
    for (const profile of [join(t.dir, 'fresh'), t.profileDir]) {
      const v = await openWithPassphrase(t.path, profile, t.passphrase);
      const admins = v.members.list().filter((m) => m.roles.includes('Key Vault Administrator'));
      expect(admins.map((m) => m.name)).toEqual(['ann']);
      expect(v.info().rejectedCommits.some((r) => /would leave the vault without an Administrator/.test(r.reason))).toBe(true);
      v.close();
    }
  });

  it('property: no sequence of commits a Reader or a removed member can sign stops the next write', async () => {
    const runs = Number(process.env.COFFER_PROPERTY_RUNS ?? 6);
    const clock = fc.oneof(
      fc.constant<Hlc>(MAX_HLC),
      fc.tuple(fc.integer({ min: 0, max: MAX_HLC_TIME }), fc.integer({ min: 0, max: MAX_HLC_COUNTER })),
      fc.tuple(fc.integer({ min: MAX_HLC_TIME - 5, max: MAX_HLC_TIME + 5 }), fc.integer({ min: MAX_HLC_COUNTER - 5, max: MAX_HLC_COUNTER + 5 })),
    );
    const action = fc.record({
      records: fc.constantFrom<VaultRecord[][]>([], [{ t: 'secret.delete', name: 'base' }], [{ t: 'secret.update', name: 'base', version: '0'.repeat(32), set: { enabled: false }, clear: [] }]),
      hlc: clock,
      oldParents: fc.boolean(),
      removedFirst: fc.boolean(),
    });
    await fc.assert(
      fc.asyncProperty(fc.array(action, { minLength: 1, maxLength: 3 }), async (actions) => {
        const { t, rita, bob } = await team();
        const early = loadCore(await readFile(t.path), rita.identity).graph.heads;
        if (actions[0]!.removedFirst) await t.vault.members.remove(rita.identity.signPub);
        t.vault.close();
        // On the old parents rita had never written: such a commit is her first there (seq 1).
        for (const a of actions) await appendAs(t, rita, { records: a.records, hlc: a.hlc, ...(a.oldParents ? { parents: early, seq: 1 } : {}) });
        await everyoneStillWrites(t, bob, `p${Math.random().toString(36).slice(2, 8)}`);
      }),
      { numRuns: runs },
    );
  });
});

void newVersion;
