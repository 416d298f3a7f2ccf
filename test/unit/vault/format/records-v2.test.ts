/**
 * Every record kind of format version 2 (FORMAT.md §7): keys and their
 * rotation policy; certificates, policies, pending operations, issuers,
 * contacts; a CA's state; grants at object scope; checkpoints. Each is
 * accepted and folded when its author may write it, rejected (and reported)
 * when a field is invalid, when the author lacks Key Vault's permission for it,
 * or when it appears in a version-1 commit (it did not exist then).
 */
import { readFile } from 'node:fs/promises';
import { afterAll, describe, expect, it } from 'vitest';
import { keysKind } from '../../../../electron/vault/keys/kind.js';
import { casKind, certificatesKind } from '../../../../electron/vault/certificates/kind.js';
import type { VaultRecord } from '../../../../electron/vault/format/records.js';
import { addMembers, createTestVault, newMember, removeTempDirs, type TestMember, type TestVault } from '../../../helpers/vault.js';
import { appendToFile, craftCommit, loadCore, newVersion } from '../properties/forge.js';
import type { RoleName } from '../../../../shared/keyvault.js';

afterAll(removeTempDirs);

const b64 = (n: number): string => Buffer.alloc(n, 7).toString('base64url');
const version = newVersion;
const NOW = 1_760_000_000;

const rsaKey = (name: string, over: Record<string, unknown> = {}): VaultRecord =>
  ({ t: 'key', name, version: version(), blob: 0, origin: 'create', kty: 'RSA', size: 2048, key_ops: ['sign', 'verify'], enabled: true, exportable: false, pub: { n: b64(256), e: 'AQAB' }, ...over }) as unknown as VaultRecord;
const ecKey = (name: string): VaultRecord =>
  ({ t: 'key', name, version: version(), blob: 0, origin: 'create', kty: 'EC', crv: 'P-256', key_ops: ['sign'], enabled: true, exportable: true, pub: { x: b64(32), y: b64(32) } }) as unknown as VaultRecord;
const certificate = (name: string, origin = 'create'): VaultRecord =>
  ({ t: 'certificate', name, version: version(), origin, cer: b64(600), x5t: b64(20), nbf: NOW, exp: NOW + 86_400 * 365, enabled: true }) as unknown as VaultRecord;
const POLICY = {
  key_props: { exportable: true, kty: 'RSA', key_size: 2048, reuse_key: false },
  secret_props: { contentType: 'application/x-pkcs12' },
  x509_props: { subject: 'CN=example.test', sans: { dns_names: ['example.test'] }, ekus: ['1.3.6.1.5.5.7.3.1'], key_usage: ['digitalSignature', 'keyEncipherment'], validity_months: 12 },
  lifetime_actions: [{ trigger: { lifetime_percentage: 80 }, action: { action_type: 'AutoRenew' } }],
  issuer: { name: 'Self' },
  attributes: { enabled: true },
};

interface Team {
  t: TestVault;
  owner: ReturnType<typeof newMember>['identity'];
  members: Record<string, TestMember>;
}

async function team(): Promise<Team> {
  const t = await createTestVault();
  const roles: [string, RoleName][] = [
    ['crypto', 'Key Vault Crypto Officer'],
    ['certs', 'Key Vault Certificates Officer'],
    ['secrets', 'Key Vault Secrets Officer'],
    ['reader', 'Key Vault Reader'],
  ];
  const members = Object.fromEntries(roles.map(([n]) => [n, newMember(n)]));
  await addMembers(t.vault, roles.map(([n, r]) => [members[n]!, [r]]));
  const owner = (t.vault as unknown as { me: Team['owner'] }).me;
  return { t, owner: { ...owner, signSeed: owner.signSeed.slice(), signPub: owner.signPub.slice(), encPriv: owner.encPriv.slice(), encPub: owner.encPub.slice() }, members };
}

/** Appends a commit by `who` and returns the reason it was rejected, or undefined when accepted. */
async function write(tm: Team, who: string, records: VaultRecord[], opts: { values?: Uint8Array[]; v?: 1 | 2 } = {}): Promise<string | undefined> {
  const id = who === 'owner' ? tm.owner : tm.members[who]!.identity;
  const c = craftCommit(loadCore(await readFile(tm.t.path), id), id, { records, ...opts });
  await appendToFile(tm.t.path, c.text);
  const core = loadCore(await readFile(tm.t.path), tm.owner);
  return [...core.rejected, ...core.unreadable].find((r) => r.id === c.id)?.reason;
}

const value = [new Uint8Array(64).fill(1)];

describe('format version 2 records', () => {
  it('keys: versions with their public halves, update, policy, delete, recover, purge fold into state', async () => {
    const tm = await team();
    expect(await write(tm, 'crypto', [rsaKey('signing')], { values: value })).toBeUndefined();
    expect(await write(tm, 'crypto', [ecKey('ec')], { values: value })).toBeUndefined();
    let keys = loadCore(await readFile(tm.t.path), tm.owner).state.of(keysKind);
    const v1 = keys.get('signing')!.order[0]!;
    expect(keys.get('signing')!.versions.get(v1)!.attrs).toMatchObject({ kty: 'RSA', size: 2048, pub: { e: 'AQAB' } });
    expect(await write(tm, 'crypto', [{ t: 'key.update', name: 'signing', version: v1, set: { enabled: false, key_ops: ['verify'] }, clear: [] } as unknown as VaultRecord])).toBeUndefined();
    const policy = { lifetimeActions: [{ trigger: { timeAfterCreate: 'P90D' }, action: { type: 'Rotate' } }, { trigger: { timeBeforeExpiry: 'P30D' }, action: { type: 'Notify' } }], expiryTime: 'P1Y' };
    expect(await write(tm, 'crypto', [{ t: 'key.policy', name: 'signing', policy } as unknown as VaultRecord])).toBeUndefined();
    expect(await write(tm, 'crypto', [{ t: 'key.delete', name: 'ec' } as VaultRecord])).toBeUndefined();
    keys = loadCore(await readFile(tm.t.path), tm.owner).state.of(keysKind);
    expect(keys.get('signing')!.versions.get(v1)!.attrs).toMatchObject({ enabled: false, key_ops: ['verify'] });
    expect(keys.policies.get('signing')?.policy).toEqual(policy);
    expect(keys.get('ec')!.deleted).toBeDefined();
    expect(await write(tm, 'crypto', [{ t: 'key.purge', name: 'ec', versions: keys.get('ec')!.order } as unknown as VaultRecord])).toBeUndefined();
    expect(loadCore(await readFile(tm.t.path), tm.owner).state.of(keysKind).get('ec')).toBeUndefined();
  });

  it('certificates: versions, policy, pending operation, issuer, contacts; and a CA with its serials, revocations and CRL numbers', async () => {
    const tm = await team();
    const keyVersion = version();
    expect(
      await write(tm, 'certs', [
        { t: 'certificate.policy', name: 'web', policy: POLICY } as unknown as VaultRecord,
        { t: 'certificate.pending', name: 'web', request_id: version(), csr: b64(300), issuer: 'Unknown', status: 'inProgress', cancellation_requested: false, version: keyVersion } as unknown as VaultRecord,
        rsaKey('web', { origin: 'certificate', version: keyVersion }),
      ], { values: value }),
    ).toBeUndefined();
    expect(await write(tm, 'certs', [certificate('web', 'merge'), { t: 'certificate.pending.delete', name: 'web' } as VaultRecord])).toBeUndefined();
    expect(await write(tm, 'certs', [{ t: 'certificate.issuer', name: 'my-acme', provider: 'acme', enabled: true, account_id: 'acct-1' } as unknown as VaultRecord, { t: 'certificate.contacts', contacts: [{ email: 'ops@example.test', name: 'Ops' }] } as unknown as VaultRecord])).toBeUndefined();
    const serial = 'a1b2c3d4';
    expect(await write(tm, 'certs', [{ t: 'ca', name: 'root', version: version(), blob: 0, cer: b64(700), enabled: true, pathLength: 1 } as unknown as VaultRecord], { values: value })).toBeUndefined();
    expect(
      await write(tm, 'certs', [
        { t: 'ca.issue', name: 'root', serial, notAfter: NOW + 1000, subject: 'CN=leaf' } as unknown as VaultRecord,
        { t: 'ca.revoke', name: 'root', serial, reason: 'keyCompromise', time: NOW } as unknown as VaultRecord,
        { t: 'ca.crl', name: 'root', number: 1, time: NOW } as unknown as VaultRecord,
      ]),
    ).toBeUndefined();
    const core = loadCore(await readFile(tm.t.path), tm.owner);
    const certs = core.state.of(certificatesKind);
    expect(certs.get('web')!.order).toHaveLength(1);
    expect(certs.policies.get('web')?.policy).toEqual(POLICY);
    expect(certs.pending.has('web')).toBe(false);
    expect(certs.issuers.get('my-acme')?.issuer.provider).toBe('acme');
    expect(certs.contacts?.contacts).toEqual([{ email: 'ops@example.test', name: 'Ops' }]);
    expect(core.state.of(keysKind).get('web')!.versions.get(keyVersion)!.attrs.origin).toBe('certificate');
    const cas = core.state.of(casKind);
    expect(cas.get('root')!.order).toHaveLength(1);
    expect(cas.issued.get('root')?.get(serial)?.subject).toBe('CN=leaf');
    expect(cas.revoked.get('root')?.get(serial)?.reason).toBe('keyCompromise');
    expect(cas.crlNumber.get('root')).toBe(1);
  });

  it("a certificate's managed secret is written by a Certificates Officer, who cannot write other secrets", async () => {
    const tm = await team();
    expect(await write(tm, 'certs', [{ t: 'secret', name: 'web', version: version(), blob: 0, enc: 'binary', enabled: true, managed: true } as unknown as VaultRecord], { values: value })).toBeUndefined();
    expect(await write(tm, 'certs', [{ t: 'secret', name: 'plain', version: version(), blob: 0, enc: 'utf8', enabled: true } as unknown as VaultRecord], { values: value })).toMatch(/secrets\/setSecret/);
  });

  it("grants at object scope: an Administrator's grant folds; a revoke removes it", async () => {
    const tm = await team();
    const reader = Buffer.from(tm.members.reader!.identity.signPub).toString('base64url');
    const stanza = { epk: b64(32), ct: b64(48) };
    expect(await write(tm, 'owner', [{ t: 'grant', sign: reader, role: 'Key Vault Secrets User', object: 'secrets/db', keys: [{ version: version(), key: stanza, kc: b64(32) }] } as unknown as VaultRecord])).toBeUndefined();
    expect(loadCore(await readFile(tm.t.path), tm.owner).state.grants.get('secrets/db')?.get(reader)?.role).toBe('Key Vault Secrets User');
    expect(await write(tm, 'owner', [{ t: 'grant.revoke', sign: reader, object: 'secrets/db' } as unknown as VaultRecord])).toBeUndefined();
    expect(loadCore(await readFile(tm.t.path), tm.owner).state.grants.get('secrets/db')?.size).toBe(0);
  });

  describe('rejected, and reported', () => {
    const cases: [string, string, () => VaultRecord[], { values?: Uint8Array[]; v?: 1 | 2 }?, RegExp?][] = [
      ['a key by a Secrets Officer', 'secrets', () => [rsaKey('k')], { values: value }, /keys\/create/],
      ['a key by a Reader', 'reader', () => [ecKey('k')], { values: value }, /keys\/create/],
      ['an RSA key without its public half', 'crypto', () => [rsaKey('k', { pub: undefined })], { values: value }, /pub is invalid/],
      ['an RSA key of an odd size', 'crypto', () => [rsaKey('k', { size: 1024 })], { values: value }, /size is invalid/],
      ['an oct key with a public part', 'crypto', () => [rsaKey('k', { kty: 'oct', size: 256 })], { values: value }, /no public part/],
      ['an unknown key operation', 'crypto', () => [rsaKey('k', { key_ops: ['fly'] })], { values: value }, /key_ops/],
      ['a key record in a version-1 commit', 'crypto', () => [rsaKey('k')], { values: value, v: 1 }, /unknown kind/],
      ['a rotation policy with two Rotate actions', 'crypto', () => [{ t: 'key.policy', name: 'k', policy: { lifetimeActions: [{ trigger: { timeAfterCreate: 'P1D' }, action: { type: 'Rotate' } }, { trigger: { timeBeforeExpiry: 'P1D' }, action: { type: 'Rotate' } }] } } as unknown as VaultRecord], {}, /two actions of one type/],
      ['a certificate by a Crypto Officer', 'crypto', () => [certificate('c')], {}, /certificates\/create/],
      ['a certificate policy with a lifetime percentage of 100', 'certs', () => [{ t: 'certificate.policy', name: 'c', policy: { lifetime_actions: [{ trigger: { lifetime_percentage: 100 }, action: { action_type: 'AutoRenew' } }] } } as unknown as VaultRecord], {}, /lifetime_percentage/],
      ['a CA by a Secrets Officer', 'secrets', () => [{ t: 'ca', name: 'root', version: version(), blob: 0, cer: b64(10), enabled: true } as unknown as VaultRecord], { values: value }, /certificatecas\/write/],
      ['a revocation with an unknown reason', 'certs', () => [{ t: 'ca.revoke', name: 'root', serial: 'ab', reason: 'boredom', time: NOW } as unknown as VaultRecord], {}, /reason/],
      ['contacts by a Reader', 'reader', () => [{ t: 'certificate.contacts', contacts: [] } as unknown as VaultRecord], {}, /certificatecontacts\/write/],
      ['a grant by a Crypto Officer', 'crypto', () => [{ t: 'grant', sign: b64(32), role: 'Key Vault Reader', object: 'keys/k', keys: [] } as unknown as VaultRecord], {}, /members\/manage/],
      ['a membership change that starts no key epoch', 'owner', () => [{ t: 'remove', sign: b64(32) } as unknown as VaultRecord], {}, /without starting a new key epoch/],
      ['a managed (certificate) secret by a Secrets Officer', 'secrets', () => [{ t: 'secret', name: 'web', version: version(), blob: 0, enc: 'binary', enabled: true, managed: true } as unknown as VaultRecord], { values: value }, /certificates\/create/],
      ['a checkpoint by a Secrets Officer', 'secrets', () => [{ t: 'checkpoint', covers: 'a'.repeat(64), count: 3, rejected: [], state: [] } as unknown as VaultRecord], {}, /vault\/checkpoint/],
    ];
    for (const [what, who, records, opts, reason] of cases) {
      it(what, async () => {
        const tm = await team();
        const r = await write(tm, who, records(), opts);
        expect(r).toBeDefined();
        if (reason) expect(r).toMatch(reason);
      });
    }
  });
});
