/**
 * The role × operation matrix for keys on a real vault: one member per
 * built-in role, each trying every KeysApi operation; each succeeds (its
 * result checked) or fails Forbidden/ForbiddenByRbac naming the permission
 * Key Vault requires. The expected table is written from Key Vault's
 * dataActions (AKV-REFERENCE.md §5.1) and the access-policy map (§5.2), not
 * from keys/permissions.ts. Then the scopes: only roles that use private keys
 * can decrypt a key's value blob, even when the permission check is bypassed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROLE_NAMES, type KeyBundle, type RoleName } from '../../../../shared/keyvault.js';
import type { KeysApi, Vault } from '../../../../electron/vault/api.js';
import type { VaultSession } from '../../../../electron/vault/session.js';
import { CofferError } from '../../../../electron/vault/errors.js';
import { KEY_PERMISSIONS, type KeyPermission } from '../../../../electron/vault/keys/permissions.js';
import { keysKind } from '../../../../electron/vault/keys/kind.js';
import { newestVersion } from '../../../../electron/vault/state/versioned.js';
import { addMembers, createTestVault, enc, newMember, openAsMember, removeTempDirs, type TestMember, type TestVault } from '../../../helpers/vault.js';

afterAll(removeTempDirs);

/** Key Vault's key data actions per role (AKV-REFERENCE.md §5.1); `keys/*` and `keyrotationpolicies/*` are every one. */
const KV: Record<RoleName, readonly KeyPermission[]> = {
  'Key Vault Administrator': KEY_PERMISSIONS,
  'Key Vault Data Access Administrator': [],
  // vaults/*/read
  'Key Vault Reader': ['keys/read', 'keyrotationpolicies/read'],
  'Key Vault Secrets Officer': [],
  'Key Vault Secrets User': [],
  'Key Vault Crypto Officer': KEY_PERMISSIONS,
  'Key Vault Crypto User': ['keys/read', 'keys/update', 'keys/backup', 'keys/encrypt', 'keys/decrypt', 'keys/wrap', 'keys/unwrap', 'keys/sign', 'keys/verify'],
  'Key Vault Crypto Service Encryption User': ['keys/read', 'keys/wrap', 'keys/unwrap'],
  'Key Vault Certificates Officer': [],
  'Key Vault Certificate User': ['keys/read'],
};

/** DECISIONS.md "Roles → scopes": who can decrypt key material. */
const READS_KEYS: readonly RoleName[] = ['Key Vault Administrator', 'Key Vault Crypto Officer', 'Key Vault Crypto User', 'Key Vault Crypto Service Encryption User'];

const slug = (role: RoleName): string => role.replace(/^Key Vault /, '').toLowerCase().replace(/ /g, '-');
const b64u = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'base64url'));

interface Fixture {
  t: TestVault;
  members: Map<RoleName, TestMember>;
  sessions: Map<RoleName, Vault>;
  backups: Map<RoleName, Uint8Array>;
  shared: KeyBundle;
  ciphertext: string;
  wrapped: string;
  signature: string;
}

interface KeyOpCase {
  perm: KeyPermission;
  run(v: Vault, s: string, f: Fixture, role: RoleName): Promise<unknown> | unknown;
  check(result: unknown, s: string, f: Fixture): void;
}

const nameOf = (kid: string): string => kid.split('/keys/')[1]!.split('/')[0]!;
const bundleName = (r: unknown): string => nameOf((r as KeyBundle).key.kid);

/** Every KeysApi operation (tsc fails when one is added and not here), and the private export apart. */
const OPS: Record<keyof KeysApi | 'exportPrivate', KeyOpCase> = {
  create: { perm: 'keys/create', run: (v, s) => v.keys.create({ name: `new-${s}`, kty: 'oct' }), check: (r, s) => expect(bundleName(r)).toBe(`new-${s}`) },
  import: {
    perm: 'keys/import',
    run: (v, s) => v.keys.import({ name: `imp-${s}`, key: { jwk: { kty: 'oct', k: Buffer.alloc(16, 1).toString('base64url') } } }),
    check: (r, s) => expect(bundleName(r)).toBe(`imp-${s}`),
  },
  get: { perm: 'keys/read', run: (v) => v.keys.get('shared'), check: (r, _s, f) => expect(r).toEqual(f.shared) },
  list: { perm: 'keys/read', run: (v) => v.keys.list(), check: (r) => expect((r as { kid: string }[]).map((i) => nameOf(i.kid))).toContain('shared') },
  listWithShapes: { perm: 'keys/read', run: (v) => v.keys.listWithShapes(), check: (r) => expect((r as { kid: string; kty: string }[]).find((i) => nameOf(i.kid) === 'shared')).toMatchObject({ kty: 'RSA', size: 2048 }) },
  listVersions: { perm: 'keys/read', run: (v) => v.keys.listVersions('shared'), check: (r) => expect(r).toHaveLength(1) },
  update: { perm: 'keys/update', run: (v, s) => v.keys.update(`upd-${s}`, undefined, { tags: { by: s } }), check: (r, s) => expect((r as KeyBundle).tags).toEqual({ by: s }) },
  delete: { perm: 'keys/delete', run: (v, s) => v.keys.delete(`del-${s}`), check: (r, s) => expect((r as { recoveryId: string }).recoveryId).toContain(`/deletedkeys/del-${s}`) },
  listDeleted: { perm: 'keys/read', run: (v) => v.keys.listDeleted(), check: (r) => expect((r as { kid: string }[]).map((i) => nameOf(i.kid))).toContain('gone') },
  getDeleted: { perm: 'keys/read', run: (v) => v.keys.getDeleted('gone'), check: (r) => expect(bundleName(r)).toBe('gone') },
  recover: { perm: 'keys/recover', run: (v, s) => v.keys.recover(`rec-${s}`), check: (r, s) => expect(bundleName(r)).toBe(`rec-${s}`) },
  purge: { perm: 'keys/purge', run: (v, s) => v.keys.purge(`purge-${s}`), check: (r) => expect(r).toBeUndefined() },
  backup: { perm: 'keys/backup', run: (v) => v.keys.backup('shared'), check: (r) => expect((r as Uint8Array).byteLength).toBeGreaterThan(0) },
  restore: { perm: 'keys/restore', run: (v, _s, f, role) => v.keys.restore(f.backups.get(role)!), check: (r, s) => expect(bundleName(r)).toBe(`rest-${s}`) },
  rotate: { perm: 'keys/rotate', run: (v, s) => v.keys.rotate(`rot-${s}`), check: (r, s) => expect(bundleName(r)).toBe(`rot-${s}`) },
  rotateDue: { perm: 'keys/rotate', run: (v) => v.keys.rotateDue(), check: (r) => expect(r).toEqual({ rotated: [], failed: [] }) },
  getRotationPolicy: { perm: 'keyrotationpolicies/read', run: (v) => v.keys.getRotationPolicy('shared'), check: (r) => expect((r as { id: string }).id).toContain('/keys/shared/rotationpolicy') },
  updateRotationPolicy: {
    perm: 'keyrotationpolicies/write',
    run: (v, s) => v.keys.updateRotationPolicy(`pol-${s}`, { attributes: { expiryTime: 'P90D' } }),
    check: (r) => expect((r as { attributes: { expiryTime?: string } }).attributes.expiryTime).toBe('P90D'),
  },
  encrypt: { perm: 'keys/encrypt', run: (v) => v.keys.encrypt('shared', undefined, { algorithm: 'RSA-OAEP-256', value: enc('x') }), check: (r, _s, f) => expect((r as { kid: string }).kid).toBe(f.shared.key.kid) },
  decrypt: {
    perm: 'keys/decrypt',
    run: (v, _s, f) => v.keys.decrypt('shared', undefined, { algorithm: 'RSA-OAEP-256', value: b64u(f.ciphertext) }),
    check: (r) => expect(Buffer.from((r as { value: string }).value, 'base64url').toString()).toBe('plain'),
  },
  wrapKey: { perm: 'keys/wrap', run: (v) => v.keys.wrapKey('shared', undefined, { algorithm: 'RSA-OAEP', value: new Uint8Array(32) }), check: (r) => expect((r as { value: string }).value.length).toBeGreaterThan(300) },
  unwrapKey: {
    perm: 'keys/unwrap',
    run: (v, _s, f) => v.keys.unwrapKey('shared', undefined, { algorithm: 'RSA-OAEP', value: b64u(f.wrapped) }),
    check: (r) => expect(b64u((r as { value: string }).value)).toEqual(new Uint8Array(32).fill(9)),
  },
  sign: { perm: 'keys/sign', run: (v) => v.keys.sign('shared', undefined, { algorithm: 'RS256', data: enc('d') }), check: (r) => expect(b64u((r as { value: string }).value)).toHaveLength(256) },
  verify: {
    perm: 'keys/verify',
    run: (v, _s, f) => v.keys.verify('shared', undefined, { algorithm: 'RS256', data: enc('signed'), signature: b64u(f.signature) }),
    check: (r) => expect(r).toEqual({ value: true }),
  },
  details: {
    perm: 'keys/read',
    run: (v) => v.keys.details('shared'),
    check: (r) => expect(r).toMatchObject({ pem: expect.stringMatching(/BEGIN PUBLIC KEY/), algorithms: { sign: expect.arrayContaining(['RS256']) } }),
  },
  exportKey: { perm: 'keys/read', run: (v) => v.keys.exportKey('shared', undefined, { format: 'pem' }), check: (r) => expect((r as { pem: string }).pem).toMatch(/BEGIN PUBLIC KEY/) },
  exportPrivate: { perm: 'keys/release', run: (v) => v.keys.exportKey('shared', undefined, { includePrivate: true }), check: (r) => expect((r as { jwk: { d: string } }).jwk.d).toBeTruthy() },
};

describe('key operations per role on a real vault (Forbidden exactly where Key Vault refuses)', () => {
  const f = { members: new Map(), sessions: new Map(), backups: new Map() } as Fixture;

  beforeAll(async () => {
    f.t = await createTestVault();
    const v = f.t.vault;
    for (const role of ROLE_NAMES) f.members.set(role, newMember(slug(role)));
    await addMembers(v, ROLE_NAMES.map((r) => [f.members.get(r)!, [r]]));
    f.shared = await v.keys.create({ name: 'shared', kty: 'RSA', exportable: true });
    f.ciphertext = (await v.keys.encrypt('shared', undefined, { algorithm: 'RSA-OAEP-256', value: enc('plain') })).value;
    f.wrapped = (await v.keys.wrapKey('shared', undefined, { algorithm: 'RSA-OAEP', value: new Uint8Array(32).fill(9) })).value;
    f.signature = (await v.keys.sign('shared', undefined, { algorithm: 'RS256', data: enc('signed') })).value;
    await v.keys.create({ name: 'gone', kty: 'oct' });
    await v.keys.delete('gone');
    for (const role of ROLE_NAMES) {
      const s = slug(role);
      for (const k of ['upd', 'del', 'rec', 'purge', 'rest', 'rot', 'pol']) await v.keys.create({ name: `${k}-${s}`, kty: 'oct' });
      await v.keys.delete(`rec-${s}`);
      await v.keys.delete(`purge-${s}`);
      f.backups.set(role, await v.keys.backup(`rest-${s}`));
      await v.keys.delete(`rest-${s}`);
      await v.keys.purge(`rest-${s}`);
    }
    for (const role of ROLE_NAMES) f.sessions.set(role, await openAsMember(f.t.path, f.members.get(role)!));
  }, 120_000);

  afterAll(() => {
    for (const s of f.sessions.values()) s.close();
    f.t.vault.close();
  });

  for (const role of ROLE_NAMES) {
    describe(role, () => {
      for (const [name, op] of Object.entries(OPS) as [keyof typeof OPS, KeyOpCase][]) {
        const allowed = KV[role].includes(op.perm);
        it(`${name} (${op.perm}): ${allowed ? 'allowed' : 'Forbidden'}`, async () => {
          const v = f.sessions.get(role)!;
          const s = slug(role);
          let result: unknown;
          let error: unknown;
          try {
            result = await op.run(v, s, f, role);
          } catch (e) {
            error = e;
          }
          if (allowed) {
            expect(error, `expected ${name} to succeed`).toBeUndefined();
            op.check(result, s, f);
          } else {
            expect(error, `expected ${name} to be Forbidden, but it succeeded`).toBeInstanceOf(CofferError);
            const e = error as CofferError;
            expect([e.code, e.innerCode], e.message).toEqual(['Forbidden', 'ForbiddenByRbac']);
            expect(e.message).toContain(op.perm);
          }
        });
      }

      it(`${READS_KEYS.includes(role) ? 'can' : 'cannot'} decrypt a key's value blob, even bypassing the permission check (V3)`, () => {
        const core = (f.sessions.get(role)! as unknown as VaultSession).core;
        const o = core.keys.objects.get('shared')!;
        const read = (): Uint8Array => core.readKindValue(keysKind, o, newestVersion(o), 'key');
        if (READS_KEYS.includes(role)) {
          expect(read().length).toBeGreaterThan(1000);
        } else {
          // A Reader sees the public key in the record, and nothing more.
          expect(o.versions.size).toBe(1);
          expect(newestVersion(o).attrs.pub?.n).toBe(f.shared.key.n);
          let error: unknown;
          try {
            read();
          } catch (e) {
            error = e;
          }
          expect(error).toBeInstanceOf(CofferError);
          expect((error as CofferError).code).toBe('Forbidden');
        }
      });
    });
  }
});
