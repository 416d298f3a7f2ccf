/**
 * "Remember on this computer" against a REAL Secret Service (gnome-keyring on
 * a private D-Bus session: test/helpers/secret-service.ts), through the same
 * @napi-rs/keyring adapter the app and the CLI use. Issue 4's proof: remember,
 * unlock without passphrase, forget, the keychain item deleted behind
 * Coffer's back, the keychain locked or unavailable. Then the profile's own
 * identity remembered the same way, under its signing key (the app's "Open
 * with my identity" without the identity's passphrase).
 */
import { readFile, writeFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { createIdentity, wipeIdentity } from '../../../../electron/vault/access/identity.js';
import {
  forgetProfileIdentity,
  isProfileIdentityRemembered,
  openRememberedProfileIdentity,
  rememberedPath,
  rememberIdentity,
  rememberProfileIdentity,
} from '../../../../electron/vault/access/remembered.js';
import { osKeychain, type Keychain } from '../../../../electron/vault/store/keychain.js';
import { CofferError } from '../../../../electron/vault/errors.js';
import { forgetVault, isVaultRemembered, openVault } from '../../../../electron/vault/vault.js';
import { startSecretService, type SecretService } from '../../../helpers/secret-service.js';
import { MemoryKeychain } from '../../../helpers/memory-keychain.js';
import { createTestVault, dec, enc, makeTempDir, rejectionCode, removeTempDirs } from '../../../helpers/vault.js';

let service: SecretService;
let keychain: Keychain;
const SERVICE = `coffer-test-${process.pid}`;

beforeAll(async () => {
  service = await startSecretService();
  // The native module connects once per process, to the bus named here.
  process.env.DBUS_SESSION_BUS_ADDRESS = service.env.DBUS_SESSION_BUS_ADDRESS;
  keychain = osKeychain({ service: SERVICE, platform: 'linux' });
});
afterAll(async () => {
  service?.stop();
  await removeTempDirs();
});

async function rememberedVault() {
  const t = await createTestVault();
  await t.vault.secrets.set({ name: 'db-password', value: enc('hunter2') });
  await t.vault.remember(keychain);
  expect(t.vault.info().remembered).toBe(true);
  t.vault.close();
  await (t.vault as unknown as { settled(): Promise<void> }).settled();
  return t;
}

const codeOf = rejectionCode;

describe('OS keychain unlock (real Secret Service)', () => {
  it('remember, then unlock without the passphrase: the keychain holds one entry under our service', async () => {
    const t = await rememberedVault();
    const v = await openVault({ path: t.path, profileDir: t.profileDir, keychain });
    try {
      expect(v.info().unlockedWith).toBe('keychain');
      expect(dec(await v.secrets.getValue('db-password'))).toBe('hunter2');
    } finally {
      v.close();
    }
    expect(service.labels(SERVICE).some((l) => l.startsWith(`keyring:${v.id}.`))).toBe(true);
    expect(await isVaultRemembered({ path: t.path, profileDir: t.profileDir })).toBe(true);
  });

  it('the profile file is ciphertext: it holds neither identity key, and the keychain entry is a key, not the identity', async () => {
    const t = await rememberedVault();
    const text = await readFile(rememberedPath(t.profileDir, await readVaultId(t.path)), 'utf8');
    expect(text).toMatch(/^\{"account":"[0-9a-f]{32}\.[0-9a-f]{16}","ct":"[A-Za-z0-9_-]+","member":"[0-9a-f]{16}","v":1,"vault":"[0-9a-f]{64}"\}\n$/);
  });

  it('changing the passphrase keeps the remembered unlock working', async () => {
    const t = await rememberedVault();
    const v = await openVault({ path: t.path, profileDir: t.profileDir, passphrase: t.passphrase.slice() });
    await v.changePassphrase(enc('a new passphrase'), undefined, { current: t.passphrase.slice() });
    v.close();
    const again = await openVault({ path: t.path, profileDir: t.profileDir, keychain });
    expect(again.info().unlockedWith).toBe('keychain');
    again.close();
    expect(await codeOf(openVault({ path: t.path, profileDir: t.profileDir, passphrase: t.passphrase.slice() }))).toBe('WrongPassphrase');
  });

  it('forget removes the keychain entry and the file; the next keychain unlock asks for the passphrase', async () => {
    const t = await rememberedVault();
    const r = await forgetVault({ path: t.path, profileDir: t.profileDir, keychain });
    expect(r).toEqual({ forgotten: true });
    expect(service.labels(SERVICE).some((l) => l.startsWith(`keyring:${t.vault.id}.`))).toBe(false);
    expect(await isVaultRemembered({ path: t.path, profileDir: t.profileDir })).toBe(false);
    const e = await openVault({ path: t.path, profileDir: t.profileDir, keychain }).catch((x: unknown) => x);
    expect(e).toMatchObject({ code: 'VaultLocked' });
    expect(await forgetVault({ path: t.path, profileDir: t.profileDir, keychain })).toEqual({ forgotten: false });
  });

  it('the keychain item deleted behind Coffer\'s back: the passphrase opens, the user is told, and the vault is no longer offered as remembered', async () => {
    const t = await rememberedVault();
    const cleared = service.secretTool(['clear', 'service', SERVICE]);
    expect(cleared.status).toBe(0);
    const warnings: string[] = [];
    const v = await openVault({ path: t.path, profileDir: t.profileDir, keychain, passphrase: t.passphrase.slice(), onWarning: (m) => warnings.push(m) });
    expect(v.info().unlockedWith).toBe('passphrase');
    v.close();
    expect(warnings.join('\n')).toMatch(/no longer holds this vault's key/);
    expect(await isVaultRemembered({ path: t.path, profileDir: t.profileDir })).toBe(false);
    // Without a passphrase: VaultLocked, saying why (the CLI then prompts).
    await (await rememberAgain(t)).close();
    service.secretTool(['clear', 'service', SERVICE]);
    const e = (await openVault({ path: t.path, profileDir: t.profileDir, keychain }).catch((x: unknown) => x)) as CofferError;
    expect(e.code).toBe('VaultLocked');
    expect(e.message).toMatch(/no longer holds this vault's key.*passphrase/);
  });

  it('a tampered profile file does not open and does not stop the passphrase', async () => {
    const t = await rememberedVault();
    const file = rememberedPath(t.profileDir, (await readVaultId(t.path)));
    const o = JSON.parse(await readFile(file, 'utf8')) as { ct: string };
    const ct = Buffer.from(o.ct, 'base64url');
    ct[30] = ct[30]! ^ 1;
    await writeFile(file, JSON.stringify({ ...o, ct: ct.toString('base64url') }));
    const e = (await openVault({ path: t.path, profileDir: t.profileDir, keychain }).catch((x: unknown) => x)) as CofferError;
    expect(e.code).toBe('VaultLocked');
    expect(e.message).toMatch(/does not open with the key in the keychain/);
    const v = await openVault({ path: t.path, profileDir: t.profileDir, keychain, passphrase: t.passphrase.slice() });
    expect(v.info().unlockedWith).toBe('passphrase');
    v.close();
  });
});

describe('OS keychain unavailable', () => {
  const broken: Keychain = {
    description: 'the OS keychain (Secret Service)',
    get: () => Promise.reject(new CofferError('KeychainUnavailable', 'the OS keychain (Secret Service) cannot be used: DBus error: Failed to connect to socket')),
    set: () => Promise.reject(new CofferError('KeychainUnavailable', 'the OS keychain (Secret Service) cannot be used: DBus error: Failed to connect to socket')),
    delete: () => Promise.reject(new CofferError('KeychainUnavailable', 'the OS keychain (Secret Service) cannot be used: DBus error: Failed to connect to socket')),
  };

  it('remember fails with KeychainUnavailable and leaves nothing behind', async () => {
    const t = await createTestVault();
    expect(await codeOf(t.vault.remember(broken))).toBe('KeychainUnavailable');
    expect(t.vault.info().remembered).toBe(false);
    t.vault.close();
  });

  it('forget with the keychain unreachable still removes the file, and says the entry is left', async () => {
    const t = await createTestVault();
    await t.vault.remember(keychain);
    t.vault.close();
    const r = await forgetVault({ path: t.path, profileDir: t.profileDir, keychain: broken });
    expect(r.forgotten).toBe(true);
    expect(r.keychainEntryLeft).toMatch(/cannot be used.*opens nothing without the file/);
    expect(await isVaultRemembered({ path: t.path, profileDir: t.profileDir })).toBe(false);
  });
});

// Last: the native module keeps its D-Bus connection for the process, so the keyring
// cannot be swapped for a fresh one afterwards, and a locked one stays locked.
describe('OS keychain locked', () => {
  it('a locked keychain (its unlock prompt dismissed): falls back to the passphrase and keeps the remembered unlock for later', async () => {
    const t = await rememberedVault();
    service.lock();
    const warnings: string[] = [];
    const v = await openVault({ path: t.path, profileDir: t.profileDir, keychain, passphrase: t.passphrase.slice(), onWarning: (m) => warnings.push(m) });
    expect(v.info().unlockedWith).toBe('passphrase');
    v.close();
    expect(warnings.join('\n')).toMatch(/cannot be used/);
    // Not a reason to forget: unlocking the keychain makes it work again.
    expect(await isVaultRemembered({ path: t.path, profileDir: t.profileDir })).toBe(true);
    const e = (await openVault({ path: t.path, profileDir: t.profileDir, keychain }).catch((x: unknown) => x)) as CofferError;
    expect(e.code).toBe('VaultLocked');
    expect(e.message).toMatch(/cannot be used.*Unlock with the passphrase/);
  });

});

async function rememberAgain(t: { path: string; profileDir: string; passphrase: Uint8Array }) {
  const v = await openVault({ path: t.path, profileDir: t.profileDir, passphrase: t.passphrase.slice() });
  await v.remember(keychain);
  return v;
}

async function readVaultId(path: string): Promise<string> {
  return (await readFile(path, 'latin1')).split('\n')[0]!.split(' ')[1]!;
}


describe("the profile's identity, remembered under its signing key", () => {
  it('remember, open, forget: the same identity back, one keychain entry, then none', async () => {
    const profile = await makeTempDir();
    const kc = new MemoryKeychain();
    const me = createIdentity();
    expect(await isProfileIdentityRemembered(profile, me.signPub)).toBe(false);
    expect(await openRememberedProfileIdentity(profile, me.signPub, kc)).toBeNull();
    await rememberProfileIdentity(profile, me, kc);
    expect(await isProfileIdentityRemembered(profile, me.signPub)).toBe(true);
    expect(kc.entries.size).toBe(1);
    const text = await readFile(join(profile, 'remembered', (await readdir(join(profile, 'remembered')))[0]!), 'utf8');
    expect(text).not.toContain(Buffer.from(me.signSeed).toString('base64url'));
    const back = await openRememberedProfileIdentity(profile, me.signPub, kc);
    if (!back || !('identity' in back)) throw new Error('expected the identity');
    expect(Buffer.from(back.identity.signSeed).equals(Buffer.from(me.signSeed))).toBe(true);
    expect(Buffer.from(back.identity.encPriv).equals(Buffer.from(me.encPriv))).toBe(true);
    wipeIdentity(back.identity);
    // Remembering again replaces the keychain entry.
    await rememberProfileIdentity(profile, me, kc);
    expect(kc.entries.size).toBe(1);
    expect(await forgetProfileIdentity(profile, me.signPub, kc)).toEqual({ forgotten: true });
    expect(kc.entries.size).toBe(0);
    expect(await isProfileIdentityRemembered(profile, me.signPub)).toBe(false);
    wipeIdentity(me);
  });

  it('the keychain entry gone: the problem is said and the file removed; a vault remembered by the same member stays apart', async () => {
    const profile = await makeTempDir();
    const kc = new MemoryKeychain();
    const me = createIdentity();
    await rememberProfileIdentity(profile, me, kc);
    await rememberIdentity(profile, 'ab'.repeat(32), me, kc);
    expect(kc.entries.size).toBe(2);
    const identityAccount = [...kc.entries.keys()].find((a) => a.startsWith(Buffer.from(me.signPub).toString('hex').slice(0, 32)))!;
    kc.entries.delete(identityAccount);
    const r = await openRememberedProfileIdentity(profile, me.signPub, kc);
    expect(r).toEqual({ problem: "The OS keychain (Secret Service) no longer holds your identity's key, so it is no longer remembered here. Unlock with the passphrase." });
    expect(await isProfileIdentityRemembered(profile, me.signPub)).toBe(false);
    // The vault's remembered unlock is its own file and entry.
    expect(await readdir(join(profile, 'remembered'))).toEqual([`${'ab'.repeat(16)}.json`]);
    wipeIdentity(me);
  });

  it("another identity's signing key finds nothing; a tampered file does not open", async () => {
    const profile = await makeTempDir();
    const kc = new MemoryKeychain();
    const me = createIdentity();
    const other = createIdentity();
    await rememberProfileIdentity(profile, me, kc);
    expect(await openRememberedProfileIdentity(profile, other.signPub, kc)).toBeNull();
    const [name] = await readdir(join(profile, 'remembered'));
    const file = join(profile, 'remembered', name!);
    const json = JSON.parse(await readFile(file, 'utf8')) as { member: string };
    await writeFile(file, JSON.stringify({ ...json, member: '0'.repeat(16) }));
    expect(await openRememberedProfileIdentity(profile, me.signPub, kc)).toEqual({
      problem: 'The remembered unlock for your identity does not open with the key in the keychain: unlock with the passphrase, then remember it again.',
    });
    wipeIdentity(me);
    wipeIdentity(other);
  });
});
