/**
 * Re-founding (state/refound.ts, vault.ts refoundVault; VAULT-MODEL C5): a team that
 * cannot reach its creator copies everything into a new vault that one of them
 * creates. Every value, version, attribute and member comes across; the old file
 * is only read.
 */
import { generateKeyPairSync } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RefoundResult, Vault } from '../../../../electron/vault/api.js';
import { certificatesKind } from '../../../../electron/vault/certificates/kind.js';
import { CofferError } from '../../../../electron/vault/errors.js';
import type { VaultSession } from '../../../../electron/vault/session.js';
import { createVault, openVault, refoundVault } from '../../../../electron/vault/vault.js';
import { copyIdentity, createTestVault, dec, enc, makeTempDir, newMember, openAsMember, removeTempDirs, TEST_KDF, type TestMember } from '../../../helpers/vault.js';

afterAll(removeTempDirs);

const selfPolicy = (subject: string): Record<string, unknown> => ({
  key_props: { kty: 'EC', crv: 'P-256', exportable: true, reuse_key: false },
  secret_props: { contentType: 'application/x-pem-file' },
  x509_props: { subject, key_usage: ['digitalSignature'], validity_months: 12 },
  issuer: { name: 'Self' },
});

const nameOf = (id: string): string => id.split('/').at(-1)!;

const ISSUER_VERSION = '0123456789abcdef0123456789abcdef';
const issuerKey = new Uint8Array(generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'der', type: 'pkcs8' }));

let dir: string;
let oldPath: string;
let ann: TestMember;
let bob: TestMember;
let carol: TestMember;
let dave: TestMember;

/** Ann's team vault with one of each: secrets of several versions, a rotated key, a certificate, CAs; Bob, Carol and Dave. */
beforeAll(async () => {
  dir = await makeTempDir();
  oldPath = join(dir, 'old.coffer');
  [ann, bob, carol, dave] = [newMember('ann'), newMember('bob'), newMember('carol'), newMember('dave')];
  const v = await createVault({ path: oldPath, profileDir: join(dir, 'profile-ann'), identity: copyIdentity(ann.identity), displayName: 'ann', retentionDays: 30 });
  try {
    await v.secrets.set({ name: 'db', value: enc('db-1'), tags: { env: 'prod' } });
    const second = await v.secrets.set({ name: 'db', value: enc('db-2'), contentType: 'text/plain' });
    await v.secrets.set({ name: 'db', value: enc('db-3'), tags: { env: 'prod', rev: '3' } });
    await v.secrets.update('db', nameOf(second.id), { enabled: false });
    await v.secrets.set({ name: 'bin', value: new Uint8Array([0, 1, 2, 255]) });
    await v.secrets.set({ name: 'gone', value: enc('x') });
    await v.secrets.delete('gone');
    await v.keys.create({ name: 'signer', kty: 'EC', crv: 'P-256' });
    await v.keys.rotate('signer');
    await v.keys.updateRotationPolicy('signer', { lifetimeActions: [{ trigger: { timeAfterCreate: 'P60D' }, action: { type: 'Rotate' } }], attributes: { expiryTime: 'P1Y' } });
    await v.cas.create({ name: 'root', subject: 'CN=Refound Root', pathLength: 1 });
    await v.cas.create({ name: 'issuing', subject: 'CN=Refound Issuing', parent: 'root' });
    await v.certificates.create({ name: 'web', policy: selfPolicy('CN=web.example.com') });
    await v.certificates.create({ name: 'web', policy: selfPolicy('CN=web.example.com') });
    await v.certificates.create({ name: 'api', policy: { ...selfPolicy('CN=api.example.com'), issuer: { name: 'issuing' } } });
    await v.certificates.create({ name: 'old-cert', policy: selfPolicy('CN=old.example.com') });
    await v.certificates.delete('old-cert');
    await v.keys.create({ name: 'old-key', kty: 'EC', crv: 'P-256' });
    await v.keys.delete('old-key');
    await v.certificates.setContacts([{ email: 'ops@example.com', name: 'Ops' }]);
    // An ACME issuer as createIssuer records it (its account key sealed under `ca`), without the CA it would register with.
    await (v as VaultSession).write(() => ({
      pending: {
        records: [{ t: 'certificate.issuer', name: 'acme', provider: 'ACME', enabled: true, blob: 0, version: ISSUER_VERSION, acme: { directory_url: 'https://acme.test/dir', challenge: 'dns-01', account_url: 'https://acme.test/acct/1' } }],
        values: [issuerKey.slice()],
      },
      result: () => undefined,
    }));
    await v.members.add(bob.publicIdentity, ['Key Vault Administrator']);
    await v.members.add(carol.publicIdentity, ['Key Vault Secrets User']);
    await v.members.add(dave.publicIdentity, ['Key Vault Reader', 'Key Vault Crypto User']);
    await v.members.grant(dave.identity.signPub, 'secrets/db', 'Key Vault Secrets User');
  } finally {
    v.close();
    await v.settled();
  }
});

describe('refoundVault', () => {
  let result: RefoundResult;
  let before: Buffer;
  const newPath = (): string => join(dir, 'new.coffer');

  /** Bob's views of the old and the new vault, each in a profile of its own, closed after `check`. */
  async function bothVaults(check: (oldV: Vault, newV: Vault) => Promise<void>): Promise<void> {
    const [oldV, newV] = [await openAsMember(oldPath, bob, { profileDir: join(dir, 'p-bob-old') }), await openAsMember(newPath(), bob, { profileDir: join(dir, 'p-bob-new') })];
    try {
      await check(oldV, newV);
    } finally {
      oldV.close();
      newV.close();
    }
  }

  beforeAll(async () => {
    before = await readFile(oldPath);
    // Bob, an Administrator who cannot reach Ann, re-founds the vault.
    const asBob = await openAsMember(oldPath, bob);
    try {
      result = await refoundVault(asBob, { path: newPath() });
    } finally {
      asBob.close();
      await asBob.settled();
    }
  });

  it('leaves the old file byte for byte as it was, and reports counts, members and what it did not copy', async () => {
    expect((await readFile(oldPath)).equals(before)).toBe(true);
    expect(result.copied).toEqual({ secrets: 3, secretVersions: 5, keys: 2, keyVersions: 3, certificates: 3, certificateVersions: 4, cas: 2, issuers: 1, contacts: 1 });
    expect(result.members.map((m) => [m.name, m.roles]).sort()).toEqual([
      ['ann', ['Key Vault Administrator']],
      ['carol', ['Key Vault Secrets User']],
      ['dave', ['Key Vault Reader', 'Key Vault Crypto User']],
    ]);
    expect(result.deletedAgain).toEqual(['secrets/gone', 'keys/old-key', 'certificates/old-cert']);
    expect(result.notCopied).toEqual({ pendingCertificates: [] });
  });

  it('makes a new vault, created by the actor, with the members and roles of the old one', () =>
    bothVaults(async (oldV, newV) => {
      expect(newV.id).not.toBe(oldV.id);
      expect(result.id).toBe(newV.id);
      expect(newV.info()).toMatchObject({ unlockedWith: 'identity', retentionDays: 30, roles: ['Key Vault Administrator'] });
      const members = (v: Vault): [string, string, string[]][] => v.members.list().map((m) => [m.signPub, m.name, m.roles] as [string, string, string[]]).sort();
      expect(members(newV)).toEqual(members(oldV));
      // Bob is now the most senior: he may remove Ann, which he could not before.
      await newV.members.remove(ann.identity.signPub);
    }));

  it('copies every secret version with its value and attributes', () =>
    bothVaults(async (oldV, newV) => {
      for (const name of ['db', 'bin']) {
        const versions = oldV.secrets.listVersions(name);
        expect(newV.secrets.listVersions(name).map((i) => ({ ...i, id: nameOf(i.id) }))).toEqual(versions.map((i) => ({ ...i, id: nameOf(i.id) })));
        for (const item of versions) {
          const version = nameOf(item.id);
          // A disabled version is not read (Key Vault: Forbidden); its list item is compared above.
          if (!item.attributes.enabled) continue;
          const [a, b] = [await oldV.secrets.get(name, version), await newV.secrets.get(name, version)];
          expect({ ...b, id: nameOf(b.id) }).toEqual({ ...a, id: nameOf(a.id) });
          expect(Buffer.from(await newV.secrets.getValue(name, version))).toEqual(Buffer.from(await oldV.secrets.getValue(name, version)));
        }
      }
      expect(dec(await newV.secrets.getValue('db'))).toBe('db-3');
      expect(newV.secrets.listVersions('db').filter((i) => !i.attributes.enabled)).toHaveLength(1);
      // A deleted secret is copied, deleted again, and recovers with its value.
      expect(newV.secrets.listDeleted().map((d) => nameOf(d.recoveryId))).toEqual(['gone']);
      await newV.secrets.recover('gone');
      expect(dec(await newV.secrets.getValue('gone'))).toBe('x');
    }));

  it('copies the key with both versions, its private material and its rotation policy', () =>
    bothVaults(async (oldV, newV) => {
      const versions = oldV.keys.listVersions('signer').map((i) => nameOf(i.kid));
      expect(versions).toHaveLength(2);
      expect(newV.keys.listVersions('signer').map((i) => nameOf(i.kid))).toEqual(versions);
      const data = enc('signed by the copy');
      for (const version of versions) {
        const [a, b] = [await oldV.keys.get('signer', version), await newV.keys.get('signer', version)];
        const { kid: _ka, ...aKey } = a.key;
        const { kid: _kb, ...bKey } = b.key;
        expect(bKey).toEqual(aKey);
        expect(b.attributes).toEqual(a.attributes);
        const sig = await newV.keys.sign('signer', version, { algorithm: 'ES256', data });
        expect((await oldV.keys.verify('signer', version, { algorithm: 'ES256', data, signature: Buffer.from(sig.value, 'base64url') })).value).toBe(true);
      }
      // The policy's own created and updated times are those of the copy's commit.
      const policy = (p: Awaited<ReturnType<Vault['keys']['getRotationPolicy']>>): unknown => ({ lifetimeActions: p.lifetimeActions, expiryTime: p.attributes.expiryTime });
      expect(policy(await newV.keys.getRotationPolicy('signer'))).toEqual(policy(await oldV.keys.getRotationPolicy('signer')));
    }));

  it('copies the certificates with every version and their keys, the CAs with what they issued, and the contacts', () =>
    bothVaults(async (oldV, newV) => {
      for (const name of ['web', 'api']) {
        const versions = oldV.certificates.listVersions(name).map((i) => nameOf(i.id));
        expect(newV.certificates.listVersions(name).map((i) => nameOf(i.id))).toEqual(versions);
        for (const version of versions) {
          expect((await newV.certificates.get(name, version)).cer).toBe((await oldV.certificates.get(name, version)).cer);
          expect(Buffer.from(await newV.secrets.getValue(name, version))).toEqual(Buffer.from(await oldV.secrets.getValue(name, version)));
        }
        expect((await newV.certificates.getPolicy(name)).issuer).toEqual((await oldV.certificates.getPolicy(name)).issuer);
      }
      expect(await newV.cas.list()).toEqual(await oldV.cas.list());
      expect((await newV.cas.get('issuing')).issued).toBe(1);
      // The deleted certificate and key came across deleted, with their versions.
      expect(newV.certificates.listDeleted().map((d) => nameOf(d.recoveryId))).toEqual(['old-cert']);
      expect(newV.keys.listDeleted().map((d) => nameOf(d.recoveryId))).toEqual(['old-key']);
      await newV.certificates.recover('old-cert');
      expect((await newV.certificates.get('old-cert')).cer).toBe((await oldV.certificates.getDeleted('old-cert')).cer);
      // The copied CA signs: its private key came across.
      await newV.certificates.create({ name: 'after', policy: { ...selfPolicy('CN=after.example.com'), issuer: { name: 'issuing' } } });
      expect((await newV.cas.get('issuing')).issued).toBe(2);
      expect((await newV.certificates.getContacts()).contacts).toEqual((await oldV.certificates.getContacts()).contacts);
      const issuer = (b: Awaited<ReturnType<Vault['certificates']['getIssuer']>>): unknown => ({ ...b, id: nameOf(b.id), attributes: { ...b.attributes, created: 0, updated: 0 } });
      expect(issuer(await newV.certificates.getIssuer('acme'))).toEqual(issuer(await oldV.certificates.getIssuer('acme')));
      const core = (newV as VaultSession).core;
      const stored = core.state.of(certificatesKind).issuers.get('acme')!;
      expect(Buffer.from(core.readKindValue(certificatesKind, { name: 'acme' } as never, { ...stored.key! } as never, 'issuer'))).toEqual(Buffer.from(issuerKey));
    }));

  it('members added again read by their roles in the new vault, and by their roles on single objects', async () => {
    const asCarol = await openAsMember(newPath(), carol);
    expect(dec(await asCarol.secrets.getValue('db'))).toBe('db-3');
    asCarol.close();
    expect(result.members.find((m) => m.name === 'dave')?.grants).toEqual([{ object: 'secrets/db', role: 'Key Vault Secrets User' }]);
    const asDave = await openAsMember(newPath(), dave);
    expect(dec(await asDave.secrets.getValue('db'))).toBe('db-3');
    await expect(asDave.secrets.getValue('bin')).rejects.toMatchObject({ code: 'Forbidden' });
    asDave.close();
  });
});

describe('refoundVault refuses', () => {
  it('an actor who cannot read everything, naming what they lack; nothing is written', async () => {
    const asCarol = await openAsMember(oldPath, carol, { profileDir: join(dir, 'p-carol-refuse') });
    const target = join(dir, 'by-carol.coffer');
    const e = await refoundVault(asCarol, { path: target }).catch((x: unknown) => x);
    asCarol.close();
    expect(e).toBeInstanceOf(CofferError);
    expect((e as CofferError).code).toBe('Forbidden');
    expect((e as CofferError).message).toMatch(/your roles do not allow secrets\/backup, keys\/backup, keyrotationpolicies\/read, certificates\/backup, certificatecas\/read, certificatecontacts\/read, members\/manage/);
    await expect(stat(target)).rejects.toThrow();
  });

  it('a passphrase for a vault opened by an identity, an existing file, or the old file as the new one', async () => {
    const asBob = await openAsMember(oldPath, bob, { profileDir: join(dir, 'p-bob-refuse') });
    try {
      for (const [options, code] of [
        [{ path: join(dir, 'x.coffer'), passphrase: enc('pw') }, 'BadParameter'],
        [{ path: oldPath }, 'BadParameter'],
        [{ path: join(dir, 'new.coffer') }, 'VaultExists'],
      ] as const) {
        const e = await refoundVault(asBob, options).catch((x: unknown) => x);
        expect((e as CofferError).code).toBe(code);
      }
    } finally {
      asBob.close();
    }
  });

  it('a personal vault, opened by its passphrase, is re-founded under a new passphrase', async () => {
    const t = await createTestVault();
    await t.vault.secrets.set({ name: 's', value: enc('v') });
    const path = join(t.dir, 'refounded.coffer');
    expect((await refoundVault(t.vault, { path, passphrase: enc('new passphrase'), kdf: TEST_KDF })).copied.secrets).toBe(1);
    t.vault.close();
    const v = await openVault({ path, profileDir: join(t.dir, 'p2'), passphrase: enc('new passphrase') });
    expect(dec(await v.secrets.getValue('s'))).toBe('v');
    v.close();
  });
});
