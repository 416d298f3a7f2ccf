/**
 * The role × operation matrix: what each of Key Vault's built-in roles may do.
 *
 * 1. The permission map (access/roles.ts and each kind's permissions.ts) against
 *    Key Vault: for every role in ROLE_NAMES and every permission in PERMISSIONS,
 *    `permits([role], perm)` is what the role's dataActions give it
 *    (AKV-REFERENCE.md §5.1, with the access-policy → data-action map of §5.2).
 *    ROLE_SCOPES against DECISIONS.md "Roles → scopes".
 * 2. The secret operations on a real vault: one member per role, each trying
 *    every SecretsApi operation; each succeeds (really: its result and its effect
 *    are checked) or fails Forbidden/ForbiddenByRbac naming the permission Key
 *    Vault requires. Roles without the `secrets` scope also cannot decrypt a
 *    value when the permission check is bypassed (VAULT-MODEL V3).
 * 3. Keys and certificates have no operations yet: their matrix is the table of
 *    part 1 only. When key and certificate operations land, extend part 2.
 *
 * Key Vault Crypto Service Release User (`vaults/keys/release/action`) is not in
 * ROLE_NAMES, so it is not in the matrix.
 */
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROLE_NAMES, type RoleName } from '../../../../shared/keyvault.js';
import type { SecretsApi, Vault } from '../../../../electron/vault/api.js';
import { CofferError } from '../../../../electron/vault/errors.js';
import { PERMISSIONS, ROLE_SCOPES, SCOPES, permits, scopesOf, type Permission, type Scope } from '../../../../electron/vault/access/roles.js';
import { SECRET_PERMISSIONS, type SecretPermission } from '../../../../electron/vault/secrets/permissions.js';
import { KEY_PERMISSIONS } from '../../../../electron/vault/keys/permissions.js';
import { CERTIFICATE_PERMISSIONS } from '../../../../electron/vault/certificates/permissions.js';
import { nameKey } from '../../../../electron/vault/secrets/rules.js';
import { latestVersion } from '../../../../electron/vault/core.js';
import { addMembers, createTestVault, dec, enc, newMember, openAsMember, openWithPassphrase, removeTempDirs, type TestMember, type TestVault } from '../../../helpers/vault.js';
import { loadCore } from '../properties/forge.js';

afterAll(removeTempDirs);

// ------------------------------------------------------------ Key Vault's table

const ALL_SECRETS: readonly Permission[] = SECRET_PERMISSIONS;
const ALL_KEYS: readonly Permission[] = KEY_PERMISSIONS; // keys/* and keyrotationpolicies/*
const ALL_CERTIFICATES: readonly Permission[] = CERTIFICATE_PERMISSIONS; // certificates/*, certificatecas/*, certificatecontacts

/**
 * What each role's dataActions give it, written from AKV-REFERENCE.md §5.1 (the
 * dataActions, quoted) and §5.2 (which data action each operation needs).
 * Notes on the cells that are not a literal match of an action name:
 * - Key Vault has no `certificatecontacts/read` data action: its only contacts
 *   action is `vaults/certificatecontacts/write` ("Manage Certificate Contact"),
 *   and GetCertificateContacts requires `certificates/managecontacts` (§5.2:
 *   ManageContacts → `certificatecontacts/write`). So reading contacts is for
 *   holders of `certificatecontacts/write`, and `vaults/* /read` (Reader) does not
 *   reach it.
 * - Secrets have no `vaults/secrets/read` data action: Reader's metadata comes
 *   from its explicit `secrets/readMetadata/action`; it never gets getSecret.
 * - "Asymmetric encrypt/verify/wrap can be performed by principals with read
 *   access" (§5.1 notes) is a rule for those operations on public keys (to apply
 *   when key operations exist), not a grant of keys/encrypt, keys/verify or keys/wrap.
 * - The vault permissions are not data actions. `members/manage` is Key Vault's
 *   `Microsoft.Authorization/roleAssignments/write|delete`: Administrator
 *   (DECISIONS.md "everything, members and roles") and Data Access Administrator
 *   (§5.1; DECISIONS.md "assign/remove the roles Key Vault allows it").
 *   `vault/checkpoint` is Coffer's own: an Administrator signs checkpoints
 *   (VAULT-MODEL.md).
 */
const KEY_VAULT: Record<RoleName, readonly Permission[]> = {
  // Microsoft.KeyVault/vaults/*
  'Key Vault Administrator': [...ALL_SECRETS, ...ALL_KEYS, ...ALL_CERTIFICATES, 'members/manage', 'vault/checkpoint'],
  // No data action; Microsoft.Authorization/roleAssignments/write|delete (with an ABAC condition on the roles).
  'Key Vault Data Access Administrator': ['members/manage'],
  // vaults/*/read, vaults/secrets/readMetadata/action
  'Key Vault Reader': ['secrets/readMetadata', 'keys/read', 'keyrotationpolicies/read', 'certificates/read', 'certificatecas/read'],
  // vaults/secrets/*
  'Key Vault Secrets Officer': ALL_SECRETS,
  // vaults/secrets/getSecret/action, vaults/secrets/readMetadata/action
  'Key Vault Secrets User': ['secrets/getSecret', 'secrets/readMetadata'],
  // vaults/keys/*, vaults/keyrotationpolicies/*
  'Key Vault Crypto Officer': ALL_KEYS,
  // vaults/keys/{read, update/action, backup/action, encrypt/action, decrypt/action, wrap/action, unwrap/action, sign/action, verify/action}
  'Key Vault Crypto User': ['keys/read', 'keys/update', 'keys/backup', 'keys/encrypt', 'keys/decrypt', 'keys/wrap', 'keys/unwrap', 'keys/sign', 'keys/verify'],
  // vaults/keys/read, keys/wrap/action, keys/unwrap/action
  'Key Vault Crypto Service Encryption User': ['keys/read', 'keys/wrap', 'keys/unwrap'],
  // vaults/certificatecas/*, vaults/certificates/*, vaults/certificatecontacts/write (which also reads contacts: see above)
  'Key Vault Certificates Officer': ALL_CERTIFICATES,
  // vaults/certificates/read, vaults/secrets/getSecret/action, vaults/secrets/readMetadata/action, vaults/keys/read
  'Key Vault Certificate User': ['certificates/read', 'secrets/getSecret', 'secrets/readMetadata', 'keys/read'],
};

const kvGrants = (role: RoleName, p: Permission): boolean => KEY_VAULT[role].includes(p);

/**
 * Cells where the engine differs from Key Vault (reported; each is an `it.fails`
 * below, so it turns red the day the engine matches and the entry must go).
 */
const MISMATCHES: { role: RoleName; perm: Permission; why: string }[] = [
  {
    role: 'Key Vault Data Access Administrator',
    perm: 'members/manage',
    why: 'Key Vault lets it assign and remove roles; roles.ts defers this until deferred key shares exist',
  },
];
const isMismatch = (role: RoleName, p: Permission): boolean => MISMATCHES.some((m) => m.role === role && m.perm === p);

describe("the permission map is Key Vault's data actions (AKV-REFERENCE.md §5.1)", () => {
  it('every permission is known and named once', () => {
    expect(new Set(PERMISSIONS).size).toBe(PERMISSIONS.length);
    for (const role of ROLE_NAMES) for (const p of KEY_VAULT[role]) expect(PERMISSIONS).toContain(p);
  });

  for (const role of ROLE_NAMES) {
    it(`${role}: permits exactly what Key Vault gives it`, () => {
      const cells = PERMISSIONS.filter((p) => !isMismatch(role, p));
      const actual = Object.fromEntries(cells.map((p) => [p, permits([role], p)]));
      const expected = Object.fromEntries(cells.map((p) => [p, kvGrants(role, p)]));
      expect(actual).toEqual(expected);
    });
  }

  for (const m of MISMATCHES) {
    it.fails(`${m.role} × ${m.perm}: ${kvGrants(m.role, m.perm) ? 'allowed' : 'refused'} in Key Vault (${m.why})`, () => {
      expect(permits([m.role], m.perm)).toBe(kvGrants(m.role, m.perm));
    });
  }

  it('several roles permit the union of what each permits; no role permits nothing', () => {
    for (const p of PERMISSIONS) {
      expect(permits([], p)).toBe(false);
      for (const a of ROLE_NAMES) for (const b of ROLE_NAMES) expect(permits([a, b], p), `${a} + ${b}: ${p}`).toBe(permits([a], p) || permits([b], p));
    }
  });
});

/** DECISIONS.md "Roles → scopes". Public keys and certificates without their keys are in `meta`. */
const DECIDED_SCOPES: Record<RoleName, readonly Scope[]> = {
  'Key Vault Administrator': ['meta', 'secrets', 'keys', 'certificates', 'ca'], // all
  'Key Vault Data Access Administrator': ['meta'],
  'Key Vault Reader': ['meta'],
  'Key Vault Secrets Officer': ['meta', 'secrets'],
  'Key Vault Secrets User': ['meta', 'secrets'],
  'Key Vault Crypto Officer': ['meta', 'keys'],
  'Key Vault Crypto User': ['meta', 'keys'],
  'Key Vault Crypto Service Encryption User': ['meta', 'keys'],
  'Key Vault Certificates Officer': ['meta', 'ca'],
  // "meta, secrets, keys (public)": public keys are in meta, NOT the keys scope.
  'Key Vault Certificate User': ['meta', 'secrets'],
};

describe('ROLE_SCOPES is DECISIONS.md "Roles → scopes"', () => {
  for (const role of ROLE_NAMES) {
    it(`${role}: ${DECIDED_SCOPES[role].join(', ')}`, () => {
      expect([...ROLE_SCOPES[role]].sort()).toEqual([...DECIDED_SCOPES[role]].sort());
      expect([...scopesOf([role])].sort()).toEqual([...DECIDED_SCOPES[role]].sort());
    });
  }

  it('Administrator reads every scope; every role reads meta', () => {
    expect([...ROLE_SCOPES['Key Vault Administrator']].sort()).toEqual([...SCOPES].sort());
    for (const role of ROLE_NAMES) expect(ROLE_SCOPES[role]).toContain('meta');
  });

  it('a role decrypts secret values exactly when Key Vault lets it get them, and private keys exactly when it may use them', () => {
    for (const role of ROLE_NAMES) {
      expect(ROLE_SCOPES[role].includes('secrets'), role).toBe(kvGrants(role, 'secrets/getSecret'));
      const usesPrivateKeys = (['keys/decrypt', 'keys/unwrap', 'keys/sign'] as const).some((p) => kvGrants(role, p));
      expect(ROLE_SCOPES[role].includes('keys'), role).toBe(usesPrivateKeys);
    }
  });
});

// ------------------------------------------------------- secret operations, live

const SHARED_VALUE = 'roles-matrix-shared-value';
const slug = (role: RoleName): string => role.replace(/^Key Vault /, '').toLowerCase().replace(/ /g, '-');

interface Fixture {
  t: TestVault;
  members: Map<RoleName, TestMember>;
  sessions: Map<RoleName, Vault>;
  /** A backup of `rest-<slug>`, whose name is free again (purged), for each role to restore. */
  backups: Map<RoleName, Uint8Array>;
}

interface SecretOp {
  /** What Key Vault requires (AKV-REFERENCE.md §1.2, §5.2). */
  perm: SecretPermission;
  run(v: Vault, s: string, f: Fixture, role: RoleName): Promise<unknown> | unknown;
  /** Checks a success is a real one. */
  check(result: unknown, s: string): void;
}

const lastSegment = (id: string): string[] => id.split('/secrets/')[1]!.split('/');

/**
 * Every SecretsApi operation (the Record type makes tsc fail when one is
 * added and not here). Each role works on its own secrets (`<op>-<slug>`),
 * except reads, which use `shared` and the deleted `gone`.
 */
const OPS: Record<keyof SecretsApi, SecretOp> = {
  set: {
    perm: 'secrets/setSecret',
    run: (v, s) => v.secrets.set({ name: `set-${s}`, value: enc(`set-${s}-value`) }),
    check: (r, s) => {
      const b = r as Awaited<ReturnType<SecretsApi['set']>>;
      expect(lastSegment(b.id)[0]).toBe(`set-${s}`);
      expect(b.value).toBeUndefined();
    },
  },
  get: {
    perm: 'secrets/getSecret',
    run: (v) => v.secrets.get('shared'),
    check: (r) => expect((r as Awaited<ReturnType<SecretsApi['get']>>).value).toBe(SHARED_VALUE),
  },
  getValue: {
    perm: 'secrets/getSecret',
    run: (v) => v.secrets.getValue('shared'),
    check: (r) => expect(dec(r as Uint8Array)).toBe(SHARED_VALUE),
  },
  list: {
    perm: 'secrets/readMetadata',
    run: (v) => v.secrets.list(),
    check: (r) => expect((r as ReturnType<SecretsApi['list']>).map((i) => lastSegment(i.id)[0])).toContain('shared'),
  },
  listVersions: {
    perm: 'secrets/readMetadata',
    run: (v) => v.secrets.listVersions('shared'),
    check: (r) => expect(r as ReturnType<SecretsApi['listVersions']>).toHaveLength(1),
  },
  update: {
    perm: 'secrets/update',
    run: (v, s) => v.secrets.update(`upd-${s}`, undefined, { tags: { by: s } }),
    check: (r, s) => expect((r as Awaited<ReturnType<SecretsApi['update']>>).tags).toEqual({ by: s }),
  },
  delete: {
    perm: 'secrets/delete',
    run: (v, s) => v.secrets.delete(`del-${s}`),
    check: (r, s) => expect((r as Awaited<ReturnType<SecretsApi['delete']>>).recoveryId).toContain(`/deletedsecrets/del-${s}`),
  },
  listDeleted: {
    perm: 'secrets/readMetadata',
    run: (v) => v.secrets.listDeleted(),
    check: (r) => expect((r as ReturnType<SecretsApi['listDeleted']>).map((i) => lastSegment(i.id)[0])).toContain('gone'),
  },
  getDeleted: {
    perm: 'secrets/readMetadata',
    run: (v) => v.secrets.getDeleted('gone'),
    check: (r) => expect(lastSegment((r as ReturnType<SecretsApi['getDeleted']>).id)[0]).toBe('gone'),
  },
  recover: {
    perm: 'secrets/recover',
    run: (v, s) => v.secrets.recover(`rec-${s}`),
    check: (r, s) => expect(lastSegment((r as Awaited<ReturnType<SecretsApi['recover']>>).id)[0]).toBe(`rec-${s}`),
  },
  purge: {
    perm: 'secrets/purge',
    run: (v, s) => v.secrets.purge(`purge-${s}`),
    check: (r) => expect(r).toBeUndefined(),
  },
  backup: {
    perm: 'secrets/backup',
    run: (v) => v.secrets.backup('shared'),
    check: (r) => expect((r as Uint8Array).byteLength).toBeGreaterThan(0),
  },
  restore: {
    perm: 'secrets/restore',
    run: (v, _s, f, role) => v.secrets.restore(f.backups.get(role)!),
    check: (r, s) => expect(lastSegment((r as Awaited<ReturnType<SecretsApi['restore']>>).id)[0]).toBe(`rest-${s}`),
  },
  import: {
    perm: 'secrets/setSecret',
    run: (v, s) => v.secrets.import([{ name: `imp-${s}`, value: enc(`imp-${s}-value`) }]),
    check: (r) => expect(r).toEqual({ imported: 1, versions: 1 }),
  },
};

describe('secret operations per role on a real vault (Forbidden exactly where Key Vault refuses)', () => {
  const f: Fixture = { t: undefined as unknown as TestVault, members: new Map(), sessions: new Map(), backups: new Map() };

  beforeAll(async () => {
    f.t = await createTestVault();
    const v = f.t.vault;
    for (const role of ROLE_NAMES) f.members.set(role, newMember(slug(role)));
    await addMembers(
      v,
      ROLE_NAMES.map((r) => [f.members.get(r)!, [r]]),
    );
    await v.secrets.set({ name: 'shared', value: enc(SHARED_VALUE) });
    await v.secrets.set({ name: 'gone', value: enc('gone-value') });
    await v.secrets.delete('gone');
    const kinds = ['upd', 'del', 'rec', 'purge', 'rest'];
    await v.secrets.import(ROLE_NAMES.flatMap((r) => kinds.map((k) => ({ name: `${k}-${slug(r)}`, value: enc(`${k}-${slug(r)}-value`) }))));
    for (const role of ROLE_NAMES) {
      const s = slug(role);
      await v.secrets.delete(`rec-${s}`);
      await v.secrets.delete(`purge-${s}`);
      f.backups.set(role, await v.secrets.backup(`rest-${s}`));
      await v.secrets.delete(`rest-${s}`);
      await v.secrets.purge(`rest-${s}`);
    }
    for (const role of ROLE_NAMES) f.sessions.set(role, await openAsMember(f.t.path, f.members.get(role)!));
  });

  afterAll(() => {
    for (const s of f.sessions.values()) s.close();
  });

  for (const role of ROLE_NAMES) {
    describe(role, () => {
      for (const [name, op] of Object.entries(OPS) as [keyof SecretsApi, SecretOp][]) {
        const allowed = kvGrants(role, op.perm);
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
            op.check(result, s);
          } else {
            expect(error, `expected ${name} to be Forbidden, but it succeeded`).toBeInstanceOf(CofferError);
            const e = error as CofferError;
            expect(e.code, e.message).toBe('Forbidden');
            expect(e.innerCode).toBe('ForbiddenByRbac');
            // Key Vault's 403 names the denied action; so does the engine's.
            expect(e.message).toContain(op.perm);
          }
        });
      }
    });
  }

  it('afterwards the vault holds exactly the allowed changes, and no commit was rejected', async () => {
    const owner = await openWithPassphrase(f.t.path, f.t.profileDir, f.t.passphrase);
    try {
      expect(owner.info().rejectedCommits).toEqual([]);
      const live = new Set(owner.secrets.list().map((i) => lastSegment(i.id)[0]));
      const deleted = new Set(owner.secrets.listDeleted().map((i) => lastSegment(i.id)[0]));
      for (const role of ROLE_NAMES) {
        const s = slug(role);
        const may = (op: keyof SecretsApi): boolean => kvGrants(role, OPS[op].perm);
        expect(live.has(`set-${s}`), `${role}: set-${s}`).toBe(may('set'));
        expect(live.has(`imp-${s}`), `${role}: imp-${s}`).toBe(may('import'));
        expect((await owner.secrets.get(`upd-${s}`)).tags, `${role}: upd-${s}`).toEqual(may('update') ? { by: s } : undefined);
        expect([live.has(`del-${s}`), deleted.has(`del-${s}`)], `${role}: del-${s}`).toEqual(may('delete') ? [false, true] : [true, false]);
        expect([live.has(`rec-${s}`), deleted.has(`rec-${s}`)], `${role}: rec-${s}`).toEqual(may('recover') ? [true, false] : [false, true]);
        expect([live.has(`purge-${s}`), deleted.has(`purge-${s}`)], `${role}: purge-${s}`).toEqual(may('purge') ? [false, false] : [false, true]);
        expect(live.has(`rest-${s}`), `${role}: rest-${s}`).toBe(may('restore'));
        if (may('restore')) expect(dec(await owner.secrets.getValue(`rest-${s}`))).toBe(`rest-${s}-value`);
      }
    } finally {
      owner.close();
    }
  });

  it('roles without the secrets scope cannot decrypt a value even bypassing the permission check (V3)', async () => {
    const bytes = await readFile(f.t.path);
    for (const role of ROLE_NAMES) {
      const core = loadCore(bytes, f.members.get(role)!.identity);
      const o = core.secrets.get(nameKey('shared'))!;
      expect(o, `${role} sees the name (meta)`).toBeDefined();
      let value: string | undefined;
      let error: unknown;
      try {
        value = dec(core.readValue(o, latestVersion(o)));
      } catch (e) {
        error = e;
      }
      if (ROLE_SCOPES[role].includes('secrets')) {
        expect(error, role).toBeUndefined();
        expect(value).toBe(SHARED_VALUE);
      } else {
        expect(error, role).toBeInstanceOf(CofferError);
        expect((error as CofferError).code, role).toBe('Forbidden');
        expect(value).toBeUndefined();
      }
      core.wipe();
    }
  });
});
