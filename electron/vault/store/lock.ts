/**
 * Inter-process lock files (DECISIONS.md "Files and folders"): `<vault>.lock`
 * beside the vault, and `<log>.lock` for the audit log. The app and the CLI
 * both write a vault; holding the lock around read-merge-append is what
 * keeps two writers from losing each other's changes (V7).
 *
 * Protocol
 * - Acquire: create the lock file exclusively, mode 0600, holding JSON
 *   {pid, host, time, nonce}; the nonce (random, per acquisition) is what
 *   identifies *this* holding of the lock. The record is first written to a
 *   temp file `.<lock>.tmp-<random>` and then hard-linked to the lock path:
 *   link() fails with EEXIST like O_EXCL, but the lock file never exists
 *   without its content. With a plain O_EXCL create + write, a process killed
 *   in between leaves an empty lock that names nobody, which everyone must
 *   then wait out for staleMs (found by the kill -9 test). File systems
 *   without hard links fall back to O_EXCL + write.
 * - If it exists, it is stale when:
 *     · it names this host and its pid no longer exists (kill(pid, 0) → ESRCH),
 *       or its last heartbeat predates this computer's boot (so the pid,
 *       if alive, is a reused one);
 *     · or its mtime is more than staleMs old (default 10 minutes) — the
 *       holder refreshes the mtime while it holds the lock (heartbeat), so a
 *       long but live operation is not taken over;
 *     · content that is not a valid lock record (possible only without hard
 *       links, between create and write, or in a file emptied by a power
 *       loss) is waited on while young, and stale once older than staleMs
 *       or older than the boot.
 *   Otherwise poll every 25–50 ms until timeoutMs, then throw Conflict.
 * - Take-over must be race-safe: two processes can judge the same lock stale
 *   at once, and a naive "unlink then create" by the slower one would delete
 *   the lock the faster one just created. So a stale lock is removed only
 *   under a guard file `<lock>.takeover-<key>`, created exclusively, where
 *   key is the stale lock's nonce (or, for garbage, a hash of its identity
 *   and content). Under the guard the lock is re-read and unlinked only if it
 *   still has that key. Why this is safe: a lock with key K can be removed
 *   only by its holder's release or by a take-over of K, and both happen
 *   under the guard for K, one process at a time; so between the re-read and
 *   the unlink, the file at the lock path cannot change. Keys are never
 *   reused (random nonces), so a late process that gets the guard after the
 *   lock was already replaced finds a different key and removes nothing.
 *   After removal the taker competes for the lock like anyone else.
 * - A guard whose holder died is itself stale and removed by the same
 *   protocol one level down (`<guard>.takeover-<key>`), up to a small depth.
 * - Release: under the guard for our own nonce, unlink the lock only if it
 *   still holds our nonce. If that guard exists, someone is taking over our
 *   (aged) lock and will remove it.
 *
 * Remaining windows, documented rather than hidden:
 * - A holder that stays alive but stops heartbeating for staleMs (suspended
 *   process, frozen VM) or whose host's clock is far off is taken over while
 *   it may still write; no lock file can prevent that without leases the
 *   writer checks before every write.
 * - Pid liveness is only checked on the same host (hostname); on a network
 *   share, a lock from another computer goes stale by age only. Two
 *   containers that share a hostname and a volume but not a pid namespace
 *   would misjudge liveness.
 * - A process killed while holding a guard after unlinking the lock, or
 *   between writing its temp record and linking it, leaves a small
 *   `<lock>.takeover-*` or `.<lock>.tmp-*` file. Whoever takes over a stale
 *   lock (the sign that a holder died) sweeps the stale ones away, using the
 *   same guard protocol for guards.
 * - The lock is not reentrant: calling withFileLock on a path the same call
 *   chain already holds waits until the timeout.
 */
import { createHash, randomBytes } from 'node:crypto';
import { link, open, readdir, readFile, unlink, utimes, type FileHandle } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { CofferError } from '../errors.js';
import { describeFsError, tempPathFor } from './vault-file.js';

export const DEFAULT_LOCK_TIMEOUT_MS = 15_000;
export const DEFAULT_LOCK_STALE_MS = 10 * 60 * 1000;

/** Grace for the "lock predates boot" rule: the computed boot time moves with wall-clock adjustments. */
const BOOT_SLACK_MS = 60_000;
/** Lock records are tiny; anything larger is garbage and is not read into memory. */
const MAX_LOCK_BYTES = 4096;
/**
 * A temp record without valid content older than this is a leftover: writing
 * a few dozen bytes takes microseconds. (Removing a live writer's temp would
 * only make its link fail with an IoError, never give two holders.)
 */
const GARBAGE_TEMP_MS = 30_000;
/** How many levels of stale guards a take-over will clear. */
const MAX_GUARD_DEPTH = 3;

export interface FileLockOptions {
  /** How long to wait for a live lock before throwing Conflict (default 15 s; 0 = try once). */
  timeoutMs?: number;
  /** A lock whose mtime (refreshed by its holder) is older than this is taken over (default 10 min). */
  staleMs?: number;
}

/** The JSON content of a lock file. */
export interface LockRecord {
  pid: number;
  host: string;
  /** ISO 8601 time the lock was taken. */
  time: string;
  /** 32 hex characters, random per acquisition. */
  nonce: string;
}

/** `<vault>.lock`, beside the vault. */
export function vaultLockPath(vaultPath: string): string {
  return `${vaultPath}.lock`;
}

// ---------------------------------------------------------------------------
// Reading and judging a lock file

type Observation =
  | { kind: 'gone' }
  | { kind: 'held'; record: LockRecord | undefined; key: string; mtimeMs: number; stale: boolean };

const ISO_TIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/;
const NONCE = /^[0-9a-f]{32}$/;
// eslint-disable-next-line no-control-regex
const HOST = /^[^\u0000-\u001f\u007f]{1,255}$/;

function errnoCode(err: unknown): string | undefined {
  if (typeof err === 'object' && err !== null && 'code' in err) {
    const code = (err as { code: unknown }).code;
    return typeof code === 'string' ? code : undefined;
  }
  return undefined;
}

function parseRecord(content: Buffer): LockRecord | undefined {
  let v: unknown;
  try {
    v = JSON.parse(content.toString('utf8'));
  } catch {
    return undefined;
  }
  if (typeof v !== 'object' || v === null) return undefined;
  const r = v as Record<string, unknown>;
  if (typeof r.pid !== 'number' || !Number.isSafeInteger(r.pid) || r.pid <= 0) return undefined;
  if (typeof r.host !== 'string' || !HOST.test(r.host)) return undefined;
  if (typeof r.time !== 'string' || !ISO_TIME.test(r.time) || Number.isNaN(Date.parse(r.time))) return undefined;
  if (typeof r.nonce !== 'string' || !NONCE.test(r.nonce)) return undefined;
  return { pid: r.pid, host: r.host, time: r.time, nonce: r.nonce };
}

/** Does a process with this pid exist on this computer? EPERM means it exists but belongs to another user. */
function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return errnoCode(err) !== 'ESRCH';
  }
}

function bootTimeMs(): number {
  return Date.now() - os.uptime() * 1000;
}

/**
 * Read the lock file at `file` and decide whether it is stale. The content
 * and the mtime come from the same open file (fstat), so they describe the
 * same inode even if the path is replaced meanwhile.
 */
async function observe(file: string, staleMs: number): Promise<Observation> {
  let fh: FileHandle;
  try {
    fh = await open(file, 'r');
  } catch (err) {
    if (errnoCode(err) === 'ENOENT') return { kind: 'gone' };
    throw new CofferError('IoError', `Cannot read the lock file ${file}: ${describeFsError(err)}`, { cause: err });
  }
  try {
    const st = await fh.stat();
    const content = st.size <= MAX_LOCK_BYTES ? await fh.readFile() : Buffer.alloc(0);
    const record = st.size <= MAX_LOCK_BYTES ? parseRecord(content) : undefined;
    const mtimeMs = st.mtimeMs;
    const age = Date.now() - mtimeMs;
    // A lock dated more than staleMs in the future comes from a skewed clock; do not wait for it for ever.
    const agedOut = age > staleMs || age < -staleMs;
    const beforeBoot = mtimeMs < bootTimeMs() - BOOT_SLACK_MS;
    let stale: boolean;
    let key: string;
    if (record !== undefined) {
      key = record.nonce;
      const sameHost = record.host === os.hostname();
      stale = agedOut || (sameHost && (!pidAlive(record.pid) || beforeBoot));
    } else {
      // Garbage has no nonce: identify this very file by inode, mtime and content.
      key =
        'g' +
        createHash('sha256')
          .update(`${st.dev}:${st.ino}:${st.mtimeMs}:${st.size}:`)
          .update(content)
          .digest('hex')
          .slice(0, 31);
      stale = agedOut || beforeBoot;
    }
    return { kind: 'held', record, key, mtimeMs, stale };
  } catch (err) {
    if (err instanceof CofferError) throw err;
    throw new CofferError('IoError', `Cannot read the lock file ${file}: ${describeFsError(err)}`, { cause: err });
  } finally {
    await fh.close().catch(() => undefined);
  }
}

// ---------------------------------------------------------------------------
// Creating and removing

/**
 * Create `file` exclusively holding a fresh record; undefined if it exists.
 * The record goes to a temp file first and is linked into place (see the
 * module comment). No fsync: after a power loss a lock file is meaningless
 * anyway (its holder is gone), and one emptied by the crash predates the
 * boot, hence is stale.
 */
async function tryCreate(file: string): Promise<LockRecord | undefined> {
  const record: LockRecord = {
    pid: process.pid,
    host: os.hostname(),
    time: new Date().toISOString(),
    nonce: randomBytes(16).toString('hex'),
  };
  const content = JSON.stringify(record);
  const tmp = tempPathFor(file);
  await writeExclusive(tmp, content, file);
  try {
    await link(tmp, file);
    return record;
  } catch (err) {
    const code = errnoCode(err);
    if (code === 'EEXIST') return undefined;
    if (code === 'EPERM' || code === 'ENOTSUP' || code === 'EOPNOTSUPP' || code === 'ENOSYS') {
      // No hard links here: O_EXCL create + write (an empty lock is possible if killed in between).
      return (await writeExclusive(file, content, file, true)) ? record : undefined;
    }
    throw new CofferError('IoError', `Cannot create the lock file ${file}: ${describeFsError(err)}`, { cause: err });
  } finally {
    await unlink(tmp).catch(() => undefined);
  }
}

/** O_EXCL create of `target` with `content`; false if it exists and `existsOk`. Errors name `lockFile`. */
async function writeExclusive(target: string, content: string, lockFile: string, existsOk = false): Promise<boolean> {
  let fh: FileHandle;
  try {
    fh = await open(target, 'wx', 0o600);
  } catch (err) {
    const code = errnoCode(err);
    if (code === 'EEXIST' && existsOk) return false;
    if (code === 'ENOENT') {
      throw new CofferError(
        'IoError',
        `Cannot create the lock file ${lockFile}: the folder ${path.dirname(lockFile)} does not exist`,
        { cause: err },
      );
    }
    throw new CofferError('IoError', `Cannot create the lock file ${lockFile}: ${describeFsError(err)}`, { cause: err });
  }
  try {
    await fh.writeFile(content);
    await fh.close();
  } catch (err) {
    await fh.close().catch(() => undefined);
    await unlink(target).catch(() => undefined);
    throw new CofferError('IoError', `Cannot write the lock file ${lockFile}: ${describeFsError(err)}`, { cause: err });
  }
  return true;
}

/**
 * Remove what dead processes left beside the lock: stale take-over guards
 * (through the guard protocol, so a live guard is never removed) and temp
 * records whose writer is gone (nobody else ever opens those by name).
 * Best effort, run only after taking over a stale lock.
 */
async function sweepLeftovers(file: string, staleMs: number): Promise<void> {
  const dir = path.dirname(file);
  const base = path.basename(file);
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return;
  }
  for (const name of names) {
    const full = path.join(dir, name);
    const isGuard = name.startsWith(`${base}.takeover-`);
    const isTemp = name.startsWith(`.${base}.`) && /\.tmp-[0-9a-f]{16}$/.test(name);
    if (!isGuard && !isTemp) continue;
    try {
      const obs = await observe(full, staleMs);
      if (obs.kind !== 'held') continue;
      if (isGuard) {
        if (obs.stale) await removeIfStill(full, obs.key, staleMs, 1);
      } else if (obs.stale || (obs.record === undefined && Date.now() - obs.mtimeMs > GARBAGE_TEMP_MS)) {
        await unlink(full);
      }
    } catch {
      // Best effort.
    }
  }
}

async function unlinkIfExists(file: string): Promise<void> {
  try {
    await unlink(file);
  } catch (err) {
    if (errnoCode(err) === 'ENOENT') return;
    throw new CofferError('IoError', `Cannot remove the lock file ${file}: ${describeFsError(err)}`, { cause: err });
  }
}

/** Unlink `file` only if it still holds `nonce` (used for guards, which only their creator removes). */
async function removeOwn(file: string, nonce: string): Promise<void> {
  try {
    const record = parseRecord(await readFile(file));
    if (record?.nonce === nonce) await unlink(file);
  } catch {
    // Already gone, or unreadable: nothing of ours to remove.
  }
}

function guardPath(file: string, key: string): string {
  return `${file}.takeover-${key}`;
}

/**
 * Remove `file` if, under the guard for `key`, it still has key `key` (see
 * the module comment for why this cannot remove a newer lock). Returns true
 * if the caller should retry at once (we removed it, or it is gone), false
 * if someone else holds the guard and the caller should wait.
 */
async function removeIfStill(file: string, key: string, staleMs: number, depth: number): Promise<boolean> {
  const guard = guardPath(file, key);
  const mine = await tryCreate(guard);
  if (mine === undefined) {
    // Another process is taking over (or releasing) this very lock. If it
    // died doing so, its guard is stale: clear it one level down.
    if (depth >= MAX_GUARD_DEPTH) return false;
    const g = await observe(guard, staleMs);
    if (g.kind === 'gone') return true;
    if (g.stale) return removeIfStill(guard, g.key, staleMs, depth + 1);
    return false;
  }
  try {
    const now = await observe(file, staleMs);
    if (now.kind === 'held' && now.key === key) await unlinkIfExists(file);
    return true;
  } finally {
    await removeOwn(guard, mine.nonce);
  }
}

async function release(file: string, nonce: string): Promise<void> {
  let guard: LockRecord | undefined;
  try {
    guard = await tryCreate(guardPath(file, nonce));
  } catch {
    // Cannot create the guard (permissions?): fall back to check-then-unlink.
    await removeOwn(file, nonce);
    return;
  }
  // The guard exists: someone judged our lock stale and is removing it.
  if (guard === undefined) return;
  try {
    await removeOwn(file, nonce);
  } finally {
    await removeOwn(guardPath(file, nonce), guard.nonce);
  }
}

// ---------------------------------------------------------------------------
// Acquiring

function conflict(file: string, last: Observation | undefined, staleMs: number): CofferError {
  if (last?.kind === 'held' && last.record !== undefined) {
    const { pid, host, time } = last.record;
    return new CofferError(
      'Conflict',
      `The vault is locked by process ${pid} on ${host} since ${time} (lock file ${file}); ` +
        'try again when it has finished, or remove the lock file if that process no longer exists',
    );
  }
  const minutes = Math.max(1, Math.round(staleMs / 60_000));
  return new CofferError(
    'Conflict',
    `The lock file ${file} is being written by another process or is damaged; ` +
      `it is taken over automatically once it is ${minutes} minute(s) old, or remove it if no other Coffer process is running`,
  );
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function acquire(file: string, timeoutMs: number, staleMs: number): Promise<LockRecord> {
  const deadline = Date.now() + timeoutMs;
  let last: Observation | undefined;
  let tookOver = false;
  for (;;) {
    const mine = await tryCreate(file);
    if (mine !== undefined) {
      if (tookOver) await sweepLeftovers(file, staleMs);
      return mine;
    }

    const obs = await observe(file, staleMs);
    // Released between our create and our read: try again at once.
    if (obs.kind === 'gone') continue;
    last = obs;
    if (obs.stale && (await removeIfStill(file, obs.key, staleMs, 0))) {
      tookOver = true;
      continue;
    }

    const remaining = deadline - Date.now();
    if (remaining <= 0) throw conflict(file, last, staleMs);
    // Jitter so that waiting processes do not retry in lock-step.
    await sleep(Math.min(remaining, 25 + Math.random() * 25));
  }
}

/**
 * Refresh the lock's mtime while we hold it, so a long but live operation is
 * not judged stale. Only our own lock is touched (nonce check first; touching
 * a newer holder's lock in the instant between check and utimes would only
 * make that lock look fresher).
 */
function startHeartbeat(file: string, nonce: string, staleMs: number): NodeJS.Timeout {
  const every = Math.max(10, Math.min(60_000, Math.floor(staleMs / 3)));
  const timer = setInterval(() => {
    void (async () => {
      try {
        const record = parseRecord(await readFile(file));
        if (record?.nonce === nonce) {
          const now = new Date();
          await utimes(file, now, now);
        }
      } catch {
        // Best effort; a missed beat only matters after staleMs.
      }
    })();
  }, every);
  timer.unref();
  return timer;
}

/**
 * Run `fn` while holding the lock file `lockPath`, and release it afterwards
 * (also when fn throws). Waits up to timeoutMs for a live holder, then throws
 * Conflict naming the holder's pid, host and time. The folder of lockPath
 * must exist (IoError otherwise).
 */
export async function withFileLock<T>(lockPath: string, fn: () => Promise<T>, opts: FileLockOptions = {}): Promise<T> {
  const timeoutMs = opts.timeoutMs ?? DEFAULT_LOCK_TIMEOUT_MS;
  const staleMs = opts.staleMs ?? DEFAULT_LOCK_STALE_MS;
  if (!(timeoutMs >= 0) || !(staleMs > 0)) {
    throw new CofferError('BadParameter', 'Lock timeout must be >= 0 and staleness > 0 milliseconds');
  }
  const record = await acquire(lockPath, timeoutMs, staleMs);
  const heartbeat = startHeartbeat(lockPath, record.nonce, staleMs);
  try {
    return await fn();
  } finally {
    clearInterval(heartbeat);
    // A failed release must not mask fn's result: the leftover lock names our
    // pid and goes stale when we exit, or after staleMs without heartbeat.
    await release(lockPath, record.nonce).catch(() => undefined);
  }
}
