/**
 * Issue 4: change the passphrase (with the current one), upgrade the KDF, an
 * optional recovery key that opens when the passphrase is lost, and failed
 * unlocks rate-limited and recorded in the signed audit log.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { parseRecoveryKey } from '../../../../electron/vault/access/recovery-key.js';
import type { UnlockClock } from '../../../../electron/vault/access/unlock-attempts.js';
import { auditLogPath, verifyAuditLog } from '../../../../electron/vault/audit/log.js';
import { ed25519Verify } from '../../../../electron/vault/crypto/index.js';
import { CofferError } from '../../../../electron/vault/errors.js';
import { openVault } from '../../../../electron/vault/vault.js';
import { createTestVault, dec, enc, removeTempDirs, rejectionCode, TEST_KDF } from '../../../helpers/vault.js';
import { readFile } from 'node:fs/promises';

afterAll(removeTempDirs);

const codeOf = rejectionCode;

describe('recovery key', () => {
  it('opens the vault when the passphrase is lost; the passphrase keeps working; info says how it was unlocked', async () => {
    const t = await createTestVault();
    await t.vault.secrets.set({ name: 'api-key', value: enc('s3cr3t') });
    expect(t.vault.info().recoveryKey).toBe(false);
    const key = await t.vault.createRecoveryKey();
    expect(t.vault.info().recoveryKey).toBe(true);
    t.vault.close();

    const v = await openVault({ path: t.path, profileDir: t.profileDir, recoveryKey: parseRecoveryKey(key) });
    expect(v.info().unlockedWith).toBe('recoveryKey');
    expect(dec(await v.secrets.getValue('api-key'))).toBe('s3cr3t');
    // The usual next step: a new passphrase. The recovery key stays valid.
    await v.changePassphrase(enc('a brand new passphrase'));
    v.close();
    const p = await openVault({ path: t.path, profileDir: t.profileDir, passphrase: enc('a brand new passphrase') });
    expect(p.info()).toMatchObject({ unlockedWith: 'passphrase', recoveryKey: true });
    p.close();
    (await openVault({ path: t.path, profileDir: t.profileDir, recoveryKey: parseRecoveryKey(key) })).close();
  });

  it('a wrong recovery key is WrongPassphrase saying "recovery key"; the passphrase is never tried as one, nor the key as a passphrase', async () => {
    const t = await createTestVault();
    const key = await t.vault.createRecoveryKey();
    t.vault.close();
    const other = parseRecoveryKey(key);
    other[0] = other[0]! ^ 1;
    const e = (await openVault({ path: t.path, profileDir: t.profileDir, recoveryKey: other }).catch((x: unknown) => x)) as CofferError;
    expect(e.code).toBe('WrongPassphrase');
    expect(e.message).toMatch(/recovery key is wrong/);
    // The key's own bytes as a passphrase do not open the recovery slot.
    expect(await codeOf(openVault({ path: t.path, profileDir: t.profileDir, passphrase: parseRecoveryKey(key) }))).toBe('WrongPassphrase');
  });

  it('a new recovery key replaces the old one; removing it leaves the passphrase only', async () => {
    const t = await createTestVault();
    const first = await t.vault.createRecoveryKey();
    const second = await t.vault.createRecoveryKey();
    expect(second).not.toBe(first);
    t.vault.close();
    expect(await codeOf(openVault({ path: t.path, profileDir: t.profileDir, recoveryKey: parseRecoveryKey(first) }))).toBe('WrongPassphrase');
    const v = await openVault({ path: t.path, profileDir: t.profileDir, recoveryKey: parseRecoveryKey(second) });
    await v.removeRecoveryKey();
    expect(v.info().recoveryKey).toBe(false);
    expect(await codeOf(v.removeRecoveryKey())).toBe('NotFound');
    v.close();
    const e = (await openVault({ path: t.path, profileDir: t.profileDir, recoveryKey: parseRecoveryKey(second) }).catch((x: unknown) => x)) as CofferError;
    expect(e).toMatchObject({ code: 'VaultLocked', message: 'This vault has no recovery key.' });
    (await openVault({ path: t.path, profileDir: t.profileDir, passphrase: t.passphrase.slice() })).close();
  });
});

describe('change passphrase and KDF upgrade', () => {
  it('needs the current passphrase when asked to: a wrong one changes nothing', async () => {
    const t = await createTestVault();
    const commits = t.vault.info().counts.commits;
    expect(await codeOf(t.vault.changePassphrase(enc('new one'), undefined, { current: enc('not it') }))).toBe('WrongPassphrase');
    expect(t.vault.info().counts.commits).toBe(commits);
    await t.vault.changePassphrase(enc('new one'), undefined, { current: t.passphrase.slice() });
    t.vault.close();
    expect(await codeOf(openVault({ path: t.path, profileDir: t.profileDir, passphrase: t.passphrase.slice() }))).toBe('WrongPassphrase');
    (await openVault({ path: t.path, profileDir: t.profileDir, passphrase: enc('new one') })).close();
  });

  it('upgrades the KDF parameters with the same passphrase', async () => {
    const t = await createTestVault();
    const stronger = { memoryKiB: 16_384, iterations: 2, parallelism: 1 };
    await t.vault.changePassphrase(t.passphrase.slice(), stronger, { current: t.passphrase.slice() });
    expect(t.vault.info().kdf).toEqual(stronger);
    t.vault.close();
    const v = await openVault({ path: t.path, profileDir: t.profileDir, passphrase: t.passphrase.slice() });
    expect(v.info().kdf).toEqual(stronger);
    expect(v.info().kdf).not.toEqual(TEST_KDF);
    v.close();
  });
});

describe('failed unlocks', () => {
  function fakeClock(): UnlockClock & { slept: number[] } {
    let now = Date.parse('2026-12-01T09:00:00.000Z');
    const slept: number[] = [];
    return { slept, now: () => now, sleep: async (ms) => void (slept.push(ms), (now += ms)) };
  }

  it('wait longer after each failure past the second, say so, and are logged, signed, at the next unlock', async () => {
    const t = await createTestVault();
    const id = t.vault.id;
    t.vault.close();
    const clock = fakeClock();
    const errors: CofferError[] = [];
    for (let i = 0; i < 4; i++) {
      errors.push((await openVault({ path: t.path, profileDir: t.profileDir, passphrase: enc(`guess ${i}`), unlockClock: clock }).catch((e: unknown) => e)) as CofferError);
    }
    expect(errors.map((e) => e.code)).toEqual(['WrongPassphrase', 'WrongPassphrase', 'WrongPassphrase', 'WrongPassphrase']);
    expect(errors.map((e) => e.retryAfterSeconds)).toEqual([undefined, undefined, 1, 2]);
    expect(errors[3]!.message).toBe('The passphrase is wrong. The next attempt waits 2 s.');
    // The 4th attempt waited the 1 s the 3rd imposed; the right passphrase now waits 2 s.
    expect(clock.slept).toEqual([1000]);
    const v = await openVault({ path: t.path, profileDir: t.profileDir, passphrase: t.passphrase.slice(), unlockClock: clock });
    expect(clock.slept).toEqual([1000, 2000]);
    v.close();
    await (v as unknown as { settled(): Promise<void> }).settled();

    const log = auditLogPath(t.profileDir, id);
    const entries = (await readFile(log, 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { op: string; code?: string; time: string });
    const failed = entries.filter((e) => e.op === 'VaultUnlockFailed');
    expect(failed).toHaveLength(4);
    expect(failed.every((e) => e.code === 'WrongPassphrase' && e.time.startsWith('2026-12-01T09:00:0'))).toBe(true);
    expect(entries.at(-1)!.op).toBe('VaultOpen');
    expect((await verifyAuditLog(log, ed25519Verify)).ok).toBe(true);
    // Reset: the next wrong guess is free again.
    const again = (await openVault({ path: t.path, profileDir: t.profileDir, passphrase: enc('nope'), unlockClock: clock }).catch((e: unknown) => e)) as CofferError;
    expect(again.retryAfterSeconds).toBeUndefined();
  });
});
