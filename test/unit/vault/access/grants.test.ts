/**
 * Roles at object scope (Key Vault's per-object assignments; VAULT-MODEL C6,
 * V3, V5; FORMAT.md §6.10): a grant wraps one object's data keys to its
 * holder, who then decrypts that object's values and nothing else, checked
 * through the API and by the raw-crypto attacker of V3 with the holder's
 * identity and the file.
 */
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Vault } from '../../../../electron/vault/api.js';
import { grantKeyWithoutVersion } from '../../../../electron/vault/access/grants.js';
import { addMembers, createTestVault, dec, enc, newMember, openAsMember, rejectionCode, removeTempDirs, type TestMember, type TestVault } from '../../../helpers/vault.js';
import { closeSettled, coreOf } from '../merge/helpers.js';
import { rawAttack, recoveredCanaries } from '../properties/raw-attack.js';

afterAll(removeTempDirs);

const SECRETS_USER = 'Key Vault Secrets User';
const pair = (m: TestMember): { priv: Uint8Array; pub: Uint8Array } => ({ priv: m.identity.encPriv.slice(), pub: m.identity.encPub.slice() });

describe('roles at object scope', () => {
  const C = { db1: 'grantcanary-db1-Qm4Xs8Rk', db2: 'grantcanary-db2-Wt6Lp3Nv', other: 'grantcanary-other-Jh2Zc9Ub', db3: 'grantcanary-db3-Ke5Dr7Hy', db4: 'grantcanary-db4-Pa1Vf6Tq' };
  let t: TestVault;
  const gus = newMember('gus');
  const kay = newMember('kay');
  const cid = newMember('cid');

  beforeAll(async () => {
    t = await createTestVault();
    await addMembers(t.vault, [
      [gus, ['Key Vault Reader']],
      [kay, ['Key Vault Reader']],
      [cid, ['Key Vault Reader']],
    ]);
    await t.vault.secrets.set({ name: 'db', value: enc(C.db1) });
    await t.vault.secrets.set({ name: 'db', value: enc(C.db2) });
    await t.vault.secrets.set({ name: 'other', value: enc(C.other) });
    await t.vault.keys.create({ name: 'k1', kty: 'EC', crv: 'P-256' });
    await t.vault.keys.create({ name: 'k2', kty: 'EC', crv: 'P-256' });
    await t.vault.certificates.create({
      name: 'web',
      policy: { key_props: { kty: 'EC' }, secret_props: { contentType: 'application/x-pem-file' }, x509_props: { subject: 'CN=web', validity_months: 6 }, issuer: { name: 'Self' } },
    });
    await t.vault.members.grant(gus.identity.signPub, 'secrets/DB', SECRETS_USER);
    await t.vault.members.grant(kay.identity.signPub, 'keys/k1', 'Key Vault Crypto User');
    await t.vault.members.grant(cid.identity.signPub, 'certificates/web', 'Key Vault Certificate User');
    // Written after the grant: its data key goes to gus beside it.
    await t.vault.secrets.set({ name: 'db', value: enc(C.db3) });
  });

  it('the member list shows each role at object scope', () => {
    const byName = new Map(t.vault.members.list().map((m) => [m.name, m]));
    expect(byName.get('gus')!.grants).toEqual([{ object: 'secrets/db', role: SECRETS_USER }]);
    expect(byName.get('kay')!.grants).toEqual([{ object: 'keys/k1', role: 'Key Vault Crypto User' }]);
    expect(byName.get('cid')!.grants).toEqual([{ object: 'certificates/web', role: 'Key Vault Certificate User' }]);
    expect(byName.get('owner')?.grants ?? []).toEqual([]);
  });

  it('Secrets User on one secret reads every version of it, written before or after the grant, and no other value', async () => {
    const v = await openAsMember(t.path, gus);
    try {
      const versions = v.secrets.listVersions('db');
      const values = await Promise.all(versions.map(async (x) => dec(await v.secrets.getValue('db', x.id.split('/').pop()))));
      expect(values.sort()).toEqual([C.db1, C.db2, C.db3].sort());
      expect(await rejectionCode(v.secrets.get('other'))).toBe('Forbidden');
      expect(await rejectionCode(v.secrets.get('web'))).toBe('Forbidden');
      // Reading is all the grant gives: writing still needs a role at vault scope.
      expect(await rejectionCode(v.secrets.set({ name: 'db', value: enc('x') }))).toBe('Forbidden');
      // Names and attributes are every member's (meta), as a Reader's.
      expect(v.secrets.list().map((s) => s.id.split('/').pop()).sort()).toEqual(['db', 'other', 'web']);
    } finally {
      await closeSettled(v);
    }
  });

  it('Crypto User on one key signs and verifies with it; the other key is Forbidden', async () => {
    const v = await openAsMember(t.path, kay);
    try {
      const digest = new Uint8Array(32).fill(7);
      const sig = await v.keys.sign('k1', undefined, { algorithm: 'ES256', digest });
      expect((await v.keys.verify('k1', undefined, { algorithm: 'ES256', digest, signature: Buffer.from(sig.value, 'base64url') })).value).toBe(true);
      expect(await rejectionCode(v.keys.sign('k2', undefined, { algorithm: 'ES256', digest }))).toBe('Forbidden');
      expect(await rejectionCode(v.secrets.get('db'))).toBe('Forbidden');
    } finally {
      await closeSettled(v);
    }
  });

  it("Certificate User on one certificate reads its secret (key and chain), and no other secret", async () => {
    const v = await openAsMember(t.path, cid);
    try {
      const pem = dec(await v.secrets.getValue('web'));
      expect(pem).toContain('PRIVATE KEY');
      expect(await rejectionCode(v.secrets.get('db'))).toBe('Forbidden');
      expect(await rejectionCode(v.keys.sign('k1', undefined, { algorithm: 'ES256', digest: new Uint8Array(32) }))).toBe('Forbidden');
    } finally {
      await closeSettled(v);
    }
  });

  it('raw crypto: with the holder’s identity and the file, exactly the granted object’s values decrypt', async () => {
    const bytes = await readFile(t.path);
    const got = rawAttack(bytes, [pair(gus)]);
    expect(recoveredCanaries(got, Object.values(C)).sort()).toEqual([C.db1, C.db2, C.db3].sort());
    const kayGot = rawAttack(bytes, [pair(kay)]);
    expect(recoveredCanaries(kayGot, Object.values(C))).toEqual([]);
    // kay's one key: the values of keys/k1 only (its versions' blobs).
    const k1Blobs = new Set([...coreOf(t.vault).keys.objects.get('k1')!.versions.values()].map((x) => x.blob));
    expect([...kayGot.values.keys()].every((h) => k1Blobs.has(h))).toBe(true);
    expect(kayGot.values.size).toBe(k1Blobs.size);
  });

  it('only the reading roles, on objects that exist, by a member manager', async () => {
    const m = t.vault.members;
    expect(await rejectionCode(m.grant(gus.identity.signPub, 'secrets/db', 'Key Vault Secrets Officer'))).toBe('BadParameter');
    expect(await rejectionCode(m.grant(gus.identity.signPub, 'keys/k1', SECRETS_USER))).toBe('BadParameter');
    expect(await rejectionCode(m.grant(gus.identity.signPub, 'cas/x', SECRETS_USER))).toBe('BadParameter');
    expect(await rejectionCode(m.grant(gus.identity.signPub, 'secrets/nope', SECRETS_USER))).toBe('NotFound');
    expect(await rejectionCode(m.grant(newMember('x').identity.signPub, 'secrets/db', SECRETS_USER))).toBe('NotFound');
    const v = await openAsMember(t.path, gus);
    try {
      expect(await rejectionCode(v.members.grant(gus.identity.signPub, 'secrets/other', SECRETS_USER))).toBe('Forbidden');
    } finally {
      await closeSettled(v);
    }
  });

  it('a data key goes to grantees only beside the version it opens (what the reader rejects, no writer writes)', () => {
    const key = { epk: 'a'.repeat(43), ct: 'b'.repeat(64) };
    const version = '0'.repeat(32);
    const stray = { t: 'grant.key', sign: 'c'.repeat(43), object: 'secrets/db', version, key, kc: 'd'.repeat(43) } as const;
    expect(grantKeyWithoutVersion([stray])).toBe(`secrets/db@${version}`);
    const withVersion = { t: 'secret', name: 'DB', version, blob: 0, enc: 'utf8', enabled: true } as never;
    expect(grantKeyWithoutVersion([withVersion, stray])).toBeUndefined();
    // A certificate's grant opens its secret's versions.
    expect(grantKeyWithoutVersion([withVersion, { ...stray, object: 'certificates/db' }])).toBeUndefined();
    expect(grantKeyWithoutVersion([withVersion, { ...stray, object: 'keys/db' }])).toBe(`keys/db@${version}`);
  });

  describe('revoking', () => {
    let vault: Vault;
    beforeAll(() => {
      vault = t.vault;
    });

    it('reports the object, marks it until a new version, and the new version is not wrapped to the former holder', async () => {
      const after = await vault.members.revokeGrant(gus.identity.signPub, 'secrets/db');
      expect(after.exposed).toEqual([{ kind: 'secrets', name: 'db' }]);
      expect(after.grants).toEqual([]);
      expect(vault.members.needsRotation()).toContainEqual({ kind: 'secrets', name: 'db' });
      await vault.secrets.set({ name: 'db', value: enc(C.db4) });
      expect(vault.members.needsRotation()).not.toContainEqual({ kind: 'secrets', name: 'db' });
      const got = rawAttack(await readFile(t.path), [pair(gus)]);
      expect(recoveredCanaries(got, Object.values(C)).sort()).toEqual([C.db1, C.db2, C.db3].sort());
      const v = await openAsMember(t.path, gus);
      try {
        expect(await rejectionCode(v.secrets.get('db'))).toBe('Forbidden');
      } finally {
        await closeSettled(v);
      }
      expect(await rejectionCode(vault.members.revokeGrant(gus.identity.signPub, 'secrets/db'))).toBe('NotFound');
    });

    it('removing a holder reports the granted object; re-adding them gives back no grant', async () => {
      const removed = await vault.members.remove(kay.identity.signPub);
      expect(removed.exposed).toEqual([{ kind: 'keys', name: 'k1' }]);
      await vault.members.add(kay.publicIdentity, ['Key Vault Reader']);
      expect(vault.members.list().find((m) => m.name === 'kay')!.grants).toEqual([]);
      const v = await openAsMember(t.path, kay);
      try {
        expect(await rejectionCode(v.keys.sign('k1', undefined, { algorithm: 'ES256', digest: new Uint8Array(32) }))).toBe('Forbidden');
      } finally {
        await closeSettled(v);
      }
    });
  });
});
