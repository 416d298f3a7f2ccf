/**
 * Failed unlocks: rate-limited with a growing delay, and recorded in the audit
 * log (issue 4). FORMAT.md §12.6.
 *
 * A failure cannot be signed when it happens (no identity is open), so it is
 * written as one plain line to `<profile>/audit/<vault id 32 hex>.failed-unlocks`
 * (the time and the error code, nothing typed). The next successful unlock
 * moves those lines into the signed audit log as `VaultUnlockFailed` entries
 * with their original times, and empties the file.
 *
 * The lines also count the failures since the last success, shared by the app
 * and the CLI through the profile: after the third, each attempt first waits
 * 1 s, then 2, 4, 8… up to 60 s. This holds back guessing at the unlock screen
 * or through the CLI; it cannot hold back an attacker who has copied the file
 * and runs Argon2id elsewhere, which is what the Argon2id parameters are for.
 */
import { appendFile, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { CofferError } from '../errors.js';
import { withFileLock } from '../store/lock.js';
import { ensurePrivateDir } from '../store/profile.js';

export interface UnlockClock {
  /** Milliseconds since the epoch. */
  now(): number;
  sleep(ms: number): Promise<void>;
}

export const realUnlockClock: UnlockClock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

/** Failures before the first delay. */
export const FREE_ATTEMPTS = 2;
export const MAX_DELAY_MS = 60_000;

/** The wait before the next attempt after `failures` consecutive failures. */
export function unlockDelayMs(failures: number): number {
  if (failures <= FREE_ATTEMPTS) return 0;
  return Math.min(1000 * 2 ** (failures - FREE_ATTEMPTS - 1), MAX_DELAY_MS);
}

export interface FailedUnlock {
  time: string;
  code: string;
  /** Already in the signed audit log (a wrong passphrase typed while the vault was open). */
  logged: boolean;
}

const LINE = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z) VaultUnlockFailed ([A-Za-z]{1,40})( logged)?$/;

export class UnlockAttempts {
  private readonly file: string;

  constructor(
    private readonly profileDir: string,
    vaultId: string,
    private readonly clock: UnlockClock = realUnlockClock,
  ) {
    this.file = join(profileDir, 'audit', `${vaultId.slice(0, 32)}.failed-unlocks`);
  }

  /** Failures since the last successful unlock (lines that are not Coffer's are ignored). */
  async failures(): Promise<FailedUnlock[]> {
    let text: string;
    try {
      text = await readFile(this.file, 'utf8');
    } catch {
      return [];
    }
    const out: FailedUnlock[] = [];
    for (const line of text.split('\n')) {
      const m = LINE.exec(line);
      if (m) out.push({ time: m[1]!, code: m[2]!, logged: m[3] !== undefined });
    }
    return out;
  }

  /** Waits out the delay the failures so far impose (none for the first attempts). */
  async waitTurn(): Promise<void> {
    const failed = await this.failures();
    if (failed.length === 0) return;
    const last = Date.parse(failed[failed.length - 1]!.time);
    const remaining = last + unlockDelayMs(failed.length) - this.clock.now();
    if (remaining > 0) await this.clock.sleep(Math.min(remaining, MAX_DELAY_MS));
  }

  /**
   * Records a failure; returns the seconds the next attempt will wait. `logged`:
   * the caller has also written it to the signed audit log (the vault was open).
   */
  async recordFailure(code: string, logged = false): Promise<number> {
    await ensurePrivateDir(this.profileDir);
    await ensurePrivateDir(join(this.profileDir, 'audit'));
    const line = `${new Date(this.clock.now()).toISOString()} VaultUnlockFailed ${code}${logged ? ' logged' : ''}\n`;
    await withFileLock(`${this.file}.lock`, () => appendFile(this.file, line, { mode: 0o600 }));
    return Math.ceil(unlockDelayMs((await this.failures()).length) / 1000);
  }

  /**
   * A wrong passphrase or recovery key: records it and returns the error to
   * throw, `message` plus how long the next attempt waits (also as
   * `retryAfterSeconds`). A record that cannot be written adds no wait.
   */
  async wrongGuess(message: string, logged = false): Promise<CofferError> {
    const wait = await this.recordFailure('WrongPassphrase', logged).catch(() => 0);
    return new CofferError('WrongPassphrase', wait > 0 ? `${message} The next attempt waits ${wait} s.` : message, {
      ...(wait > 0 ? { retryAfterSeconds: wait } : {}),
    });
  }

  /**
   * After a successful unlock: hands each recorded failure to `log` (the signed
   * audit log), then empties the file. A failure to log keeps the file.
   */
  async settle(log: (failure: FailedUnlock) => Promise<void>): Promise<void> {
    if ((await this.failures()).length === 0) return;
    // Under the file's lock: a failure recorded by another process meanwhile is not lost,
    // and two processes settling at once do not log the same failures twice.
    await withFileLock(`${this.file}.lock`, async () => {
      const failed = await this.failures();
      for (const f of failed) if (!f.logged) await log(f);
      await rm(this.file, { force: true });
    });
  }
}
