/**
 * The identity file in the profile, its invite and fingerprint
 * (electron/vault/access/identity-file.ts, VAULT-MODEL C2): a round trip, a
 * wrong passphrase, crafted files (lengths, KDF parameters beyond the limits,
 * damage, unknown fields) and invites (tampered, truncated, padded), and an
 * identity file's member opening a vault it was added to.
 */
import { readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  checkDisplayName,
  createIdentityFile,
  defaultIdentityPath,
  findMember,
  fingerprint,
  INVITE_PREFIX,
  MAX_IDENTITY_FILE_BYTES,
  parseInvite,
  readIdentityFile,
  unlockIdentityFile,
  wipeIdentity,
} from '../../../../electron/vault/access/identity-file.js';
import { concatBytes, ed25519Sign, fromB64u, generateSigningKeyPair, toB64u, utf8 } from '../../../../electron/vault/crypto/index.js';
import { openVault } from '../../../../electron/vault/vault.js';
import { createTestVault, dec, enc, findCanaries, makeTempDir, rejectionCode, removeTempDirs, TEST_KDF } from '../../../helpers/vault.js';

afterAll(removeTempDirs);

const PASSPHRASE = 'identity-canary-passphrase-93ac1f';

async function newFile(name = 'Bob', passphrase = PASSPHRASE): Promise<{ path: string; card: Awaited<ReturnType<typeof createIdentityFile>> }> {
  const path = defaultIdentityPath(await makeTempDir('coffer-idf-'));
  const card = await createIdentityFile({ path, passphrase: enc(passphrase), name, kdf: TEST_KDF, onWarning: () => undefined });
  return { path, card };
}

/** Rewrites the file's JSON with `change`, then (unless `keepDigest`) leaves the digest stale. */
async function craft(path: string, change: (o: Record<string, unknown>) => void): Promise<void> {
  const o = JSON.parse(await readFile(path, 'utf8')) as Record<string, unknown>;
  change(o);
  await writeFile(path, JSON.stringify(o));
}

/** The invite's bytes after its prefix. */
const inviteBytes = (invite: string): Uint8Array => fromB64u(invite.slice(INVITE_PREFIX.length));
const inviteOf = (bytes: Uint8Array): string => INVITE_PREFIX + toB64u(bytes);

describe('identity file', () => {
  it('round trip: written 0600, shown without the passphrase, unlocked with it to the same keys', async () => {
    const { path, card } = await newFile('Bob Example');
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    expect(card.name).toBe('Bob Example');
    expect(card.id).toMatch(/^[0-9a-f]{16}$/);
    expect(card.fingerprint).toMatch(/^([0-9A-HJKMNP-TV-Z]{4}-){5}[0-9A-HJKMNP-TV-Z]{4}$/);
    expect(card.invite.startsWith(INVITE_PREFIX)).toBe(true);
    expect(await readIdentityFile(path)).toEqual(card);

    const invitation = parseInvite(card.invite);
    expect(invitation).toMatchObject({ name: 'Bob Example', id: card.id, fingerprint: card.fingerprint });
    const identity = await unlockIdentityFile(path, enc(PASSPHRASE));
    expect(identity.signPub).toEqual(invitation.signPub);
    expect(identity.encPub).toEqual(invitation.encPub);
    expect(fingerprint(toB64u(identity.signPub), toB64u(identity.encPub))).toBe(card.fingerprint);
    wipeIdentity(identity);
    expect(identity.signSeed.every((b) => b === 0) && identity.encPriv.every((b) => b === 0)).toBe(true);

    // Nothing secret in the clear: neither the passphrase nor anything but the sealed private half.
    const text = await readFile(path, 'utf8');
    expect(findCanaries(text, [PASSPHRASE])).toEqual([]);
    expect(Object.keys(JSON.parse(text) as object).sort()).toEqual(['coffer', 'ct', 'enc', 'kdf', 'name', 'salt', 'sha256', 'sig', 'sign', 'v']);
  });

  it('a wrong passphrase is WrongPassphrase, not damage', async () => {
    const { path } = await newFile();
    const e = await unlockIdentityFile(path, enc('not the passphrase')).catch((x: unknown) => x);
    expect(e).toMatchObject({ code: 'WrongPassphrase' });
    expect(String((e as Error).message)).not.toContain('not the passphrase');
  });

  it('refuses to overwrite an identity unless asked, and a missing file is NotFound', async () => {
    const { path, card } = await newFile();
    const again = createIdentityFile({ path, passphrase: enc(PASSPHRASE), name: 'Bob', kdf: TEST_KDF, onWarning: () => undefined });
    await expect(again).rejects.toMatchObject({ code: 'Conflict', message: expect.stringContaining('--force') });
    expect(await readIdentityFile(path)).toEqual(card);
    const replaced = await createIdentityFile({ path, passphrase: enc(PASSPHRASE), name: 'Bob', kdf: TEST_KDF, overwrite: true, onWarning: () => undefined });
    expect(replaced.fingerprint).not.toBe(card.fingerprint);
    expect(await rejectionCode(readIdentityFile(join(path, '..', 'absent.json')))).toBe('NotFound');
  });

  it('warns when the KDF parameters are below the defaults, and refuses absurd ones before any work', async () => {
    const warnings: string[] = [];
    const path = defaultIdentityPath(await makeTempDir('coffer-idf-'));
    await createIdentityFile({ path, passphrase: enc(PASSPHRASE), name: 'W', kdf: TEST_KDF, onWarning: (w) => warnings.push(w) });
    expect(warnings.length).toBeGreaterThan(0);
    const huge = createIdentityFile({ path: `${path}.2`, passphrase: enc(PASSPHRASE), name: 'W', kdf: { memoryKiB: 8 * 1024 * 1024, iterations: 1, parallelism: 1 } });
    expect(await rejectionCode(huge)).toBe('LimitExceeded');
  });

  it('crafted files are refused with a clear error before any Argon2id work', async () => {
    const cases: [string, (o: Record<string, unknown>) => void, string][] = [
      ['a short signing key', (o) => (o.sign = toB64u(new Uint8Array(31))), 'BadParameter'],
      ['a long encryption key', (o) => (o.enc = toB64u(new Uint8Array(33))), 'BadParameter'],
      ['a short salt', (o) => (o.salt = toB64u(new Uint8Array(8))), 'BadParameter'],
      ['a truncated sealed identity', (o) => (o.ct = (o.ct as string).slice(0, 100)), 'BadParameter'],
      ['non-base64url bytes', (o) => (o.sig = '***'), 'BadParameter'],
      ['an unknown field', (o) => (o.extra = 1), 'BadParameter'],
      ['a missing field', (o) => delete o.salt, 'BadParameter'],
      ['another version', (o) => (o.v = 2), 'BadParameter'],
      ['not an identity', (o) => (o.coffer = 'vault'), 'BadParameter'],
      ['a name with a terminal escape', (o) => (o.name = 'Bob\u001b[2J'), 'BadParameter'],
      ['a fractional KDF parameter', (o) => (o.kdf = { m: 8192.5, t: 1, p: 1 }), 'BadParameter'],
      ['an extra KDF field', (o) => (o.kdf = { m: 8192, t: 1, p: 1, x: 1 }), 'BadParameter'],
      // Beyond C8's limits: refused as LimitExceeded before Argon2id could allocate 64 GiB or run 10^6 passes.
      ['huge KDF memory', (o) => (o.kdf = { m: 64 * 1024 * 1024, t: 1, p: 1 }), 'LimitExceeded'],
      ['huge KDF iterations', (o) => (o.kdf = { m: 8192, t: 1_000_000, p: 1 }), 'LimitExceeded'],
      ['huge KDF parallelism', (o) => (o.kdf = { m: 8192, t: 1, p: 255 }), 'LimitExceeded'],
      // A byte changed inside a field: the digest tells damage from a wrong passphrase.
      ['a changed sealed byte', (o) => (o.ct = `${(o.ct as string)[0] === 'A' ? 'B' : 'A'}${(o.ct as string).slice(1)}`), 'BadParameter'],
      ['a renamed identity', (o) => (o.name = 'Mallory'), 'BadParameter'],
    ];
    for (const [what, change, code] of cases) {
      const { path } = await newFile();
      await craft(path, change);
      const started = Date.now();
      const shown = await rejectionCode(readIdentityFile(path));
      const unlocked = await rejectionCode(unlockIdentityFile(path, enc(PASSPHRASE)));
      expect({ what, shown, unlocked }).toEqual({ what, shown: code, unlocked: code });
      expect(Date.now() - started).toBeLessThan(2000);
    }
  });

  it('a renamed identity whose digest was recomputed still fails its self-signature', async () => {
    const { path } = await newFile();
    const { createHash } = await import('node:crypto');
    const { canonicalJson } = await import('../../../../electron/vault/format/codec.js');
    await craft(path, (o) => {
      o.name = 'Mallory';
      delete o.sha256;
      o.sha256 = createHash('sha256').update(canonicalJson(o)).digest('hex');
    });
    await expect(readIdentityFile(path)).rejects.toMatchObject({ code: 'BadParameter', message: expect.stringContaining('self-signature') });
  });

  it('refuses a file that is too large or not JSON', async () => {
    const { path } = await newFile();
    await writeFile(path, ' '.repeat(MAX_IDENTITY_FILE_BYTES + 1));
    expect(await rejectionCode(readIdentityFile(path))).toBe('BadParameter');
    await writeFile(path, '{"coffer":');
    await expect(readIdentityFile(path)).rejects.toMatchObject({ code: 'BadParameter', message: expect.stringContaining('not JSON') });
  });
});

describe('invites and fingerprints', () => {
  it('survive line wrapping; refuse a tampered signature, name or key, a truncation and extra bytes', async () => {
    const { card } = await newFile('Bob');
    const wrapped = card.invite.match(/.{1,40}/g)!.join('\n  ');
    expect(parseInvite(`  ${wrapped}\n`).fingerprint).toBe(card.fingerprint);

    const bytes = inviteBytes(card.invite);
    const flip = (at: number): string => {
      const b = bytes.slice();
      b[at] = (b[at] ?? 0) ^ 0x01;
      return inviteOf(b);
    };
    const message = (text: string): string => {
      try {
        parseInvite(text);
        return 'accepted';
      } catch (e) {
        expect(e).toMatchObject({ code: 'BadParameter' });
        return (e as Error).message;
      }
    };
    expect(message(flip(bytes.length - 1))).toMatch(/signature does not verify/); // the signature
    expect(message(flip(bytes.length - 65))).toMatch(/signature does not verify/); // the name
    expect(message(flip(40))).toMatch(/signature does not verify/); // the encryption key
    expect(message(flip(0))).toMatch(/version/);
    expect(message(card.invite.slice(0, -10))).toMatch(/truncated|cut|characters/);
    expect(message(card.invite.slice(0, 60))).toMatch(/truncated/);
    expect(message(inviteOf(Uint8Array.from([...bytes, 0, 0, 0])))).toMatch(/extra characters/);
    expect(message(card.invite.slice(INVITE_PREFIX.length))).toMatch(/starts with/);
    expect(message(`${card.invite}${'A'.repeat(400)}`)).toMatch(/longer than any invite/);
    expect(message(`${card.invite.slice(0, 30)}!${card.invite.slice(31)}`)).toMatch(/characters no invite has/);
  });

  it('a correctly signed invite whose name holds a terminal escape or is not UTF-8 is refused', () => {
    const { seed, publicKey } = generateSigningKeyPair();
    const signed = (name: Uint8Array): string => {
      const body = concatBytes(Uint8Array.of(1), publicKey, new Uint8Array(32).fill(7), Uint8Array.of(name.length), name);
      return inviteOf(concatBytes(body, ed25519Sign(seed, concatBytes(utf8('coffer/v1 invite\0'), body))));
    };
    expect(parseInvite(signed(utf8('Eve'))).name).toBe('Eve');
    expect(() => parseInvite(signed(utf8('Eve\u001b[2J')))).toThrow(/The invite is not valid: The display name holds control/);
    expect(() => parseInvite(signed(Uint8Array.of(0x45, 0xff)))).toThrow(/The invite is not valid: its display name is not UTF-8/);
    expect(() => parseInvite(signed(utf8(' Eve')))).toThrow(/The invite is not valid: its display name has surrounding spaces/);
  });

  it('display names: trimmed, bounded, no control or formatting characters', () => {
    expect(checkDisplayName('  Zoë 王  ')).toBe('Zoë 王');
    for (const bad of ['', '   ', 'a\nb', 'x\u202Ey', 'tab\there', 'é'.repeat(65)]) {
      expect(() => checkDisplayName(bad)).toThrow(expect.objectContaining({ code: 'BadParameter' }));
    }
  });

  it('findMember takes a member id or a fingerprint typed loosely', async () => {
    const { card } = await newFile('Bob');
    const inv = parseInvite(card.invite);
    const members = [{ id: inv.id, name: 'Bob', roles: [], signPub: toB64u(inv.signPub), encPub: toB64u(inv.encPub), grants: [] }];
    expect(findMember(members, inv.id.toUpperCase()).member.name).toBe('Bob');
    const found = findMember(members, card.fingerprint.toLowerCase().replace(/-/g, ' '));
    expect(found.member.name).toBe('Bob');
    expect(found.signPub).toEqual(inv.signPub);
    expect(() => findMember(members, 'ABCD-EFGH')).toThrow(expect.objectContaining({ code: 'NotFound' }));
  });
});

describe('an identity file opens a vault it was added to', () => {
  it('adds the invite, opens with the unlocked identity, reads by its role', async () => {
    const t = await createTestVault();
    await t.vault.secrets.set({ name: 'db', value: enc('v1') });
    const { path, card } = await newFile('Bob');
    const added = await t.vault.members.add(parseInvite(card.invite), ['Key Vault Secrets User']);
    expect(added).toMatchObject({ id: card.id, name: 'Bob', roles: ['Key Vault Secrets User'] });
    t.vault.close();
    const bob = await openVault({ path: t.path, profileDir: await makeTempDir(), identity: await unlockIdentityFile(path, enc(PASSPHRASE)) });
    try {
      expect(bob.info()).toMatchObject({ unlockedWith: 'identity', roles: ['Key Vault Secrets User'] });
      expect(dec(await bob.secrets.getValue('db'))).toBe('v1');
    } finally {
      bob.close();
    }
  });
});
