import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { UnlockAttempts, unlockDelayMs, type UnlockClock } from '../../../../electron/vault/access/unlock-attempts.js';
import { makeTempDir, removeTempDirs } from '../../../helpers/vault.js';

afterAll(removeTempDirs);

/** A clock that moves only when slept on, recording each sleep. */
function fakeClock(start = Date.parse('2026-12-01T10:00:00.000Z')): UnlockClock & { slept: number[] } {
  let now = start;
  const slept: number[] = [];
  return {
    slept,
    now: () => now,
    sleep: async (ms) => {
      slept.push(ms);
      now += ms;
    },
  };
}

const VAULT = 'ab'.repeat(32);

describe('failed unlocks (access/unlock-attempts.ts)', () => {
  it('the delay grows: none for two failures, then 1 s, 2 s, 4 s… capped at 60 s', () => {
    expect([0, 1, 2, 3, 4, 5, 6, 8, 9, 20].map(unlockDelayMs)).toEqual([0, 0, 0, 1000, 2000, 4000, 8000, 32_000, 60_000, 60_000]);
  });

  it('an attempt right after failures waits the remaining delay; one made later does not', async () => {
    const profile = await makeTempDir();
    const clock = fakeClock();
    const a = new UnlockAttempts(profile, VAULT, clock);
    await a.waitTurn();
    expect(await a.recordFailure('WrongPassphrase')).toBe(0);
    expect(await a.recordFailure('WrongPassphrase')).toBe(0);
    expect(await a.recordFailure('WrongPassphrase')).toBe(1);
    expect(await a.recordFailure('WrongPassphrase')).toBe(2);
    await a.waitTurn();
    expect(clock.slept).toEqual([2000]);
    // A second process (the CLI beside the app) sees the same count: it is in the profile.
    const other = new UnlockAttempts(profile, VAULT, clock);
    expect(await other.failures()).toHaveLength(4);
    await other.waitTurn(); // the 2 s have passed on this clock
    expect(clock.slept).toEqual([2000]);
  });

  it('the record holds the time and the code only, one plain line each', async () => {
    const profile = await makeTempDir();
    const a = new UnlockAttempts(profile, VAULT, fakeClock());
    await a.recordFailure('WrongPassphrase');
    await a.recordFailure('WrongPassphrase', true);
    const text = await readFile(join(profile, 'audit', `${VAULT.slice(0, 32)}.failed-unlocks`), 'utf8');
    expect(text).toBe('2026-12-01T10:00:00.000Z VaultUnlockFailed WrongPassphrase\n2026-12-01T10:00:00.000Z VaultUnlockFailed WrongPassphrase logged\n');
  });

  it('settle hands the failures not yet logged to the audit log and resets the count', async () => {
    const profile = await makeTempDir();
    const a = new UnlockAttempts(profile, VAULT, fakeClock());
    await a.recordFailure('WrongPassphrase');
    await a.recordFailure('WrongPassphrase', true);
    const logged: string[] = [];
    await a.settle(async (f) => {
      logged.push(`${f.time} ${f.code}`);
    });
    expect(logged).toEqual(['2026-12-01T10:00:00.000Z WrongPassphrase']);
    expect(await a.failures()).toEqual([]);
  });

  it('a failure to log keeps the record (nothing is lost)', async () => {
    const profile = await makeTempDir();
    const a = new UnlockAttempts(profile, VAULT, fakeClock());
    await a.recordFailure('WrongPassphrase');
    await expect(a.settle(() => Promise.reject(new Error('disk full')))).rejects.toThrow('disk full');
    expect(await a.failures()).toHaveLength(1);
  });
});
