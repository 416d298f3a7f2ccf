/**
 * Durable storage of the vault file (VAULT-MODEL C10, V7).
 *
 * The vault is one UTF-8 text file of lines. Four kinds of write exist:
 * - create: a brand-new vault, never over an existing file (temp + link);
 * - append: a save adds complete lines at the end, after dropping an
 *   incomplete final line left by an interrupted save;
 * - replace: repair, compaction and purge rewrite the whole file atomically
 *   (temp in the same folder, fsync, rename over, fsync the folder);
 * - writeNewFile: outputs such as `repair --output`, `backup -f`, `download -f`.
 *
 * Callers that modify a vault hold the vault's lock file (lock.ts) around the
 * read-decide-write sequence; the size check in appendToVaultFile is a cheap
 * second line of defence, not a substitute for the lock.
 *
 * Error messages name paths and OS error codes, never file contents (V9).
 */
import { randomBytes } from 'node:crypto';
import { link, open, readdir, rename, stat, unlink, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { CofferError } from '../errors.js';

/** A vault file may not exceed 1 GiB (C10). */
export const MAX_FILE_BYTES = 1024 * 1024 * 1024;
/** A line of a vault file may not exceed 16 MiB (C10). Enforced by the format layer; exported for it. */
export const MAX_LINE_BYTES = 16 * 1024 * 1024;
/** Vault files and other outputs are private to their owner by default (DECISIONS "Files and folders"). */
export const DEFAULT_FILE_MODE = 0o600;

const NEWLINE = 0x0a;

// ---------------------------------------------------------------------------
// Errors

function errnoCode(err: unknown): string | undefined {
  if (typeof err === 'object' && err !== null && 'code' in err) {
    const code = (err as { code: unknown }).code;
    return typeof code === 'string' ? code : undefined;
  }
  return undefined;
}

/** A short human description of a file-system error, from its code only (Node's messages are not needed). */
export function describeFsError(err: unknown): string {
  const code = errnoCode(err);
  const text: Record<string, string> = {
    ENOENT: 'no such file or folder',
    EACCES: 'permission denied',
    EPERM: 'operation not permitted',
    ENOSPC: 'no space left on the device',
    EDQUOT: 'disk quota exceeded',
    EROFS: 'read-only file system',
    EISDIR: 'is a folder',
    ENOTDIR: 'a part of the path is not a folder',
    EEXIST: 'already exists',
    EMFILE: 'too many open files',
    ENFILE: 'too many open files in the system',
    ENAMETOOLONG: 'file name too long',
    EIO: 'input/output error',
    EBUSY: 'resource busy',
    EXDEV: 'not on the same file system',
  };
  if (code === undefined) return err instanceof Error ? err.name : 'unknown error';
  return `${text[code] ?? 'file system error'} (${code})`;
}

function ioError(message: string, err: unknown): CofferError {
  if (err instanceof CofferError) return err;
  return new CofferError('IoError', `${message}: ${describeFsError(err)}`, { cause: err });
}

/** Opening a file in `dir` failed with ENOENT/ENOTDIR: say which folder is missing rather than "no such file". */
function folderError(target: string, err: unknown): CofferError {
  const dir = path.dirname(target);
  const code = errnoCode(err);
  if (code === 'ENOENT') return new CofferError('IoError', `Cannot write ${target}: the folder ${dir} does not exist`, { cause: err });
  if (code === 'ENOTDIR') return new CofferError('IoError', `Cannot write ${target}: ${dir} is not a folder`, { cause: err });
  return ioError(`Cannot write ${target}`, err);
}

// ---------------------------------------------------------------------------
// Fault injection (tests only)

/** Points inside a write where tests may inject a failure or a pause (e.g. to kill the process there). */
export type StoreFaultPoint =
  /** The temporary file is written and fsynced; it is not yet linked or renamed into place. */
  | 'temp-synced'
  /** appendToVaultFile has truncated an incomplete final line and written nothing yet. */
  | 'append-truncated'
  /** appendToVaultFile has written and fsynced everything but the final newline. */
  | 'append-body-synced';

type FaultHook = (point: StoreFaultPoint, target: string) => void | Promise<void>;
let faultHook: FaultHook | undefined;

/** For tests only: call `hook` at each StoreFaultPoint; a throw there acts as an I/O failure. Pass undefined to clear. */
export function setStoreFaultHook(hook: FaultHook | undefined): void {
  faultHook = hook;
}

async function fault(point: StoreFaultPoint, target: string): Promise<void> {
  if (faultHook !== undefined) await faultHook(point, target);
}

// ---------------------------------------------------------------------------
// Helpers

/** `.<basename>.tmp-<16 random hex>` in the same folder as `target`, so rename/link stay on one file system. */
export function tempPathFor(target: string): string {
  return path.join(path.dirname(target), `.${path.basename(target)}.tmp-${randomBytes(8).toString('hex')}`);
}

/**
 * The length of the prefix of `buf` made of complete lines (up to and
 * including the last newline); 0 if there is none. A save passes this as
 * `truncateTo` when the file does not end with a newline.
 */
export function completeLinesLength(buf: Uint8Array): number {
  return buf.lastIndexOf(NEWLINE) + 1;
}

async function writeAll(fh: FileHandle, data: Uint8Array, position: number): Promise<void> {
  let done = 0;
  while (done < data.length) {
    const { bytesWritten } = await fh.write(data, done, data.length - done, position + done);
    if (bytesWritten <= 0) throw new Error('write made no progress');
    done += bytesWritten;
  }
}

async function removeQuietly(file: string): Promise<void> {
  try {
    await unlink(file);
  } catch {
    // Best effort: the file may never have been created, or is already gone.
  }
}

/**
 * fsync a folder so that a rename, link or unlink inside it is durable: on
 * POSIX a directory entry is metadata of the folder, not of the file, and
 * without this a power loss can undo a rename that already returned.
 * Windows cannot open a folder for fsync (NTFS journals the entry itself), and
 * a few file systems refuse it with EINVAL/ENOTSUP; those are skipped.
 */
async function fsyncDir(dir: string): Promise<void> {
  if (process.platform === 'win32') return;
  let fh: FileHandle | undefined;
  try {
    fh = await open(dir, 'r');
    await fh.sync();
  } catch (err) {
    const code = errnoCode(err);
    if (code === 'EINVAL' || code === 'ENOTSUP' || code === 'EOPNOTSUPP' || code === 'EISDIR' || code === 'EPERM') return;
    throw ioError(`Cannot sync the folder ${dir} after writing to it`, err);
  } finally {
    await fh?.close().catch(() => undefined);
  }
}

function checkSize(target: string, bytes: number): void {
  if (bytes > MAX_FILE_BYTES) {
    throw new CofferError('LimitExceeded', `Writing ${target} would make it ${bytes} bytes, over the 1 GiB limit`);
  }
}

/**
 * Write `data` to a fresh temporary file beside `target` (created
 * exclusively, so two writers never share one), set its mode exactly
 * (independent of the umask) and fsync it. Returns the temp path; on any
 * failure the temp file is removed and an IoError thrown.
 */
async function writeTemp(target: string, data: Uint8Array, mode: number, owner?: { uid: number; gid: number }): Promise<string> {
  const tmp = tempPathFor(target);
  let fh: FileHandle;
  try {
    fh = await open(tmp, 'wx', mode);
  } catch (err) {
    throw folderError(target, err);
  }
  try {
    if (process.platform !== 'win32') {
      await fh.chmod(mode);
      // Running as root (e.g. sudo coffer ...) must not leave a user's vault owned by root.
      if (owner !== undefined && process.getuid?.() === 0) await fh.chown(owner.uid, owner.gid).catch(() => undefined);
    }
    await writeAll(fh, data, 0);
    await fh.sync();
  } catch (err) {
    await fh.close().catch(() => undefined);
    await removeQuietly(tmp);
    throw ioError(`Cannot write a temporary file beside ${target}`, err);
  }
  try {
    // close() can report a deferred write error on network file systems.
    await fh.close();
  } catch (err) {
    await removeQuietly(tmp);
    throw ioError(`Cannot write a temporary file beside ${target}`, err);
  }
  return tmp;
}

/**
 * Put `data` at `target` only if nothing is there, never overwriting.
 *
 * The content is first made durable in a temp file, then hard-linked to
 * `target`: link() fails with EEXIST if `target` exists, so the existence
 * check and the creation are one atomic step, and `target` never appears
 * with partial content (a crash before the link leaves only a stray temp
 * file; after it, the complete file). On file systems without hard links
 * (FAT, some network shares) it falls back to an exclusive create + write,
 * where a crash mid-write can leave a partial new file (but still never
 * touches an existing one).
 */
async function createExclusive(target: string, data: Uint8Array, mode: number, exists: () => CofferError): Promise<void> {
  checkSize(target, data.length);
  const tmp = await writeTemp(target, data, mode);
  try {
    await fault('temp-synced', target);
    await link(tmp, target);
  } catch (err) {
    const code = errnoCode(err);
    await removeQuietly(tmp);
    if (code === 'EEXIST') throw exists();
    if (code === 'EPERM' || code === 'ENOTSUP' || code === 'EOPNOTSUPP' || code === 'ENOSYS') {
      await createByExclusiveOpen(target, data, mode, exists);
      await fsyncDir(path.dirname(target));
      return;
    }
    throw ioError(`Cannot create ${target}`, err);
  }
  await removeQuietly(tmp);
  // Makes both the new name and the removal of the temp name durable.
  await fsyncDir(path.dirname(target));
}

async function createByExclusiveOpen(target: string, data: Uint8Array, mode: number, exists: () => CofferError): Promise<void> {
  let fh: FileHandle;
  try {
    fh = await open(target, 'wx', mode);
  } catch (err) {
    if (errnoCode(err) === 'EEXIST') throw exists();
    throw folderError(target, err);
  }
  try {
    if (process.platform !== 'win32') await fh.chmod(mode);
    await writeAll(fh, data, 0);
    await fh.sync();
    await fh.close();
  } catch (err) {
    await fh.close().catch(() => undefined);
    // We created this file a moment ago, so removing it destroys nobody's data.
    await removeQuietly(target);
    throw ioError(`Cannot write ${target}`, err);
  }
}

/**
 * Atomically put `tmp` (already complete and fsynced) in place of `target`.
 * rename() replaces the directory entry in one step, so readers and a crash
 * see the old file or the new one, never a mix. On Windows an antivirus or
 * indexer holding the target open briefly makes rename fail with
 * EPERM/EBUSY: retry for up to a second there.
 */
async function renameInto(tmp: string, target: string): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      await rename(tmp, target);
      return;
    } catch (err) {
      const code = errnoCode(err);
      const transient = process.platform === 'win32' && (code === 'EPERM' || code === 'EACCES' || code === 'EBUSY');
      if (!transient || attempt >= 20) throw err;
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}

async function replaceWith(target: string, data: Uint8Array, mode: number, owner?: { uid: number; gid: number }): Promise<void> {
  checkSize(target, data.length);
  const tmp = await writeTemp(target, data, mode, owner);
  try {
    await fault('temp-synced', target);
    await renameInto(tmp, target);
  } catch (err) {
    await removeQuietly(tmp);
    throw ioError(`Cannot replace ${target}`, err);
  }
  // Without this, a power loss shortly after could bring back the old file
  // (the rename lives in the folder's metadata).
  await fsyncDir(path.dirname(target));
}

// ---------------------------------------------------------------------------
// Public API

/**
 * Read a whole vault file. ENOENT → VaultNotFound; over 1 GiB → LimitExceeded
 * (checked before reading, so an absurd file costs no memory); anything else
 * → IoError. The returned buffer's length is the size to pass as
 * `expectedSize` to appendToVaultFile.
 */
export async function readVaultFile(target: string): Promise<Buffer> {
  const fh = await openVaultFile(target);
  try {
    const st = await fh.stat();
    checkReadable(target, st);
    const buf = await fh.readFile();
    // The file can grow between fstat and the read (a writer without the lock).
    if (buf.length > MAX_FILE_BYTES) {
      throw new CofferError('LimitExceeded', `The vault file ${target} is ${buf.length} bytes, over the 1 GiB limit`);
    }
    return buf;
  } catch (err) {
    throw ioError(`Cannot read the vault file ${target}`, err);
  } finally {
    await fh.close().catch(() => undefined);
  }
}

/** The size of each part readVaultFileVisiting reads: large enough that a read costs little, small enough to overlap. */
const VISIT_CHUNK_BYTES = 4 << 20;

/**
 * readVaultFile, handing each part of the file to `visit` as it arrives while the next part
 * is being read: an open hashes and scans the file in the time the read takes (vault.ts).
 * `visit` sees the buffer filled up to `end` only. A file that grows while it is read is read
 * again whole and visited once more: a visit that starts at 0 starts over.
 */
export async function readVaultFileVisiting(target: string, visit: (file: Buffer, start: number, end: number) => void): Promise<Buffer> {
  const fh = await openVaultFile(target);
  try {
    const st = await fh.stat();
    checkReadable(target, st);
    const buf = Buffer.allocUnsafe(st.size);
    let pos = 0;
    let next = st.size > 0 ? fh.read(buf, 0, Math.min(VISIT_CHUNK_BYTES, st.size), 0) : undefined;
    while (next) {
      const { bytesRead } = await next;
      const start = pos;
      pos += bytesRead;
      // The file shrank underneath: what was read is all there is.
      next = bytesRead > 0 && pos < st.size ? fh.read(buf, pos, Math.min(VISIT_CHUNK_BYTES, st.size - pos), pos) : undefined;
      if (bytesRead > 0) visit(buf, start, pos);
    }
    const probe = Buffer.alloc(1);
    if ((await fh.read(probe, 0, 1, pos)).bytesRead === 0) return pos === st.size ? buf : buf.subarray(0, pos);
  } catch (err) {
    throw ioError(`Cannot read the vault file ${target}`, err);
  } finally {
    await fh.close().catch(() => undefined);
  }
  // A writer without the lock appended meanwhile: the file as it is now.
  const whole = await readVaultFile(target);
  visit(whole, 0, whole.length);
  return whole;
}

/** What an open file must be before it is read: a regular file within the size limit (checked before reading, so an absurd file costs no memory). */
function checkReadable(target: string, st: { isDirectory(): boolean; isFile(): boolean; size: number }): void {
  if (st.isDirectory()) throw new CofferError('IoError', `${target} is a folder, not a vault file`);
  if (!st.isFile()) throw new CofferError('IoError', `${target} is not a regular file`);
  if (st.size > MAX_FILE_BYTES) {
    throw new CofferError('LimitExceeded', `The vault file ${target} is ${st.size} bytes, over the 1 GiB limit`);
  }
}

/** Opens a vault file to read: ENOENT → VaultNotFound, a folder or anything else → IoError. */
async function openVaultFile(target: string): Promise<FileHandle> {
  try {
    return await open(target, 'r');
  } catch (err) {
    const code = errnoCode(err);
    if (code === 'ENOENT') throw new CofferError('VaultNotFound', `No vault file at ${target}`, { cause: err });
    if (code === 'EISDIR') throw new CofferError('IoError', `${target} is a folder, not a vault file`, { cause: err });
    throw ioError(`Cannot read the vault file ${target}`, err);
  }
}

/**
 * The first line of a vault file without its LF (at most `maxBytes`; a file
 * with no LF by then gives what it has). The errors are readVaultFile's.
 */
export async function readVaultFileFirstLine(target: string, maxBytes: number): Promise<string> {
  const fh = await openVaultFile(target);
  try {
    const buf = Buffer.alloc(maxBytes);
    const { bytesRead } = await fh.read(buf, 0, maxBytes, 0);
    const head = buf.subarray(0, bytesRead);
    const nl = head.indexOf(0x0a);
    return head.subarray(0, nl < 0 ? bytesRead : nl).toString('latin1');
  } catch (err) {
    throw ioError(`Cannot read the vault file ${target}`, err);
  } finally {
    await fh.close().catch(() => undefined);
  }
}

/**
 * Create a new vault file holding `data`, mode 0600. Never overwrites: an
 * existing file (even one created a microsecond earlier by another process)
 * gives VaultExists. The folder must exist (IoError otherwise): creating
 * folders is the caller's decision.
 */
export async function createVaultFile(target: string, data: Buffer): Promise<void> {
  await createExclusive(
    target,
    data,
    DEFAULT_FILE_MODE,
    () => new CofferError('VaultExists', `A vault already exists at ${target}`),
  );
}

export interface AppendOptions {
  /** The file size the caller's in-memory state was read from. */
  expectedSize: number;
  /** Where the new lines start: expectedSize, or less to drop an incomplete final line (C10). */
  truncateTo: number;
}

/**
 * Append complete lines (`data` must end with a newline) to a vault file.
 *
 * If the file's size is not `expectedSize`, someone else saved since the
 * caller read it: nothing is written and 'changed' is returned, so the
 * caller re-reads, merges and tries again.
 *
 * Crash safety. Let P = bytes [0, truncateTo): the complete lines of the
 * last completed save, already fsynced by that save. Nothing here ever
 * writes below truncateTo: ftruncate only drops the tail after P (an
 * incomplete final line, which was never a completed save), and the new
 * lines are written at offsets >= truncateTo. So at every instant, in the
 * page cache and on disk, the file is P followed by some bytes that are not
 * yet a complete save; the reader drops an incomplete final line as an
 * interrupted save, which yields P, "the old state". The write has two
 * phases:
 *   1. write everything but the final newline, then fsync: afterwards the
 *      file is P + body, all durable, and it does not end with a newline;
 *   2. write the final newline, then fsync: afterwards it is P + data.
 * A kill -9 at any point leaves a prefix of data after P (the kernel keeps
 * the write order within a file). A power loss before phase 1's fsync can
 * leave torn blocks after P (file systems may persist blocks out of order),
 * but it cannot leave the final newline, which is only written after the
 * body is durable. Hence: a vault file that ends with a newline is never
 * torn by a save; a file that does not end with one holds P followed by the
 * remains of exactly one interrupted save, which the next save truncates
 * (the engine passes the end of its last valid line as truncateTo). The new
 * state counts as saved only when this function resolves 'appended'.
 *
 * The caller must hold the vault's lock: the size check and the write are
 * not one atomic step, and a same-size rewrite by a writer that ignores the
 * lock would not be noticed.
 */
export async function appendToVaultFile(target: string, data: Buffer, opts: AppendOptions): Promise<'appended' | 'changed'> {
  const { expectedSize, truncateTo } = opts;
  if (!Number.isSafeInteger(expectedSize) || expectedSize < 0) {
    throw new CofferError('BadParameter', 'expectedSize must be a non-negative integer');
  }
  if (!Number.isSafeInteger(truncateTo) || truncateTo < 0 || truncateTo > expectedSize) {
    throw new CofferError('BadParameter', 'truncateTo must be an integer between 0 and expectedSize');
  }
  if (data.length > 0 && data[data.length - 1] !== NEWLINE) {
    throw new CofferError('BadParameter', 'Data appended to a vault file must end with a newline');
  }
  checkSize(target, truncateTo + data.length);

  let fh: FileHandle;
  try {
    fh = await open(target, 'r+');
  } catch (err) {
    if (errnoCode(err) === 'ENOENT') throw new CofferError('VaultNotFound', `No vault file at ${target}`, { cause: err });
    throw ioError(`Cannot open the vault file ${target} for writing`, err);
  }
  try {
    const st = await fh.stat();
    if (st.size !== expectedSize) return 'changed';

    if (truncateTo < expectedSize) {
      await fh.truncate(truncateTo);
      await fault('append-truncated', target);
    }
    if (data.length > 0) {
      const body = data.subarray(0, data.length - 1);
      if (body.length > 0) {
        await writeAll(fh, body, truncateTo);
        // Phase 1: the body is durable before the newline that completes it exists.
        await fh.sync();
        await fault('append-body-synced', target);
      }
      await writeAll(fh, data.subarray(data.length - 1), truncateTo + body.length);
    }
    // Phase 2 (or the truncation alone): durable when we return.
    await fh.sync();
    return 'appended';
  } catch (err) {
    throw ioError(`Cannot save to the vault file ${target}`, err);
  } finally {
    // Everything that matters was fsynced above; a close error changes nothing on disk.
    await fh.close().catch(() => undefined);
  }
}

/**
 * Atomically rewrite a vault file (repair, compaction, purge): temp file in
 * the same folder with the existing file's mode (0600 if there is none),
 * write, fsync, rename over, fsync the folder. A crash leaves the old file
 * or the new one, plus at worst a stray `.<name>.tmp-*` file; on a failure
 * the temp file is removed and IoError thrown.
 *
 * The caller holds the vault's lock: a writer that kept the old file open
 * would otherwise append to the replaced (unlinked) inode and lose its save.
 * appendToVaultFile opens the file afresh on every save for that reason.
 */
export async function replaceVaultFile(target: string, data: Buffer): Promise<void> {
  let mode = DEFAULT_FILE_MODE;
  let owner: { uid: number; gid: number } | undefined;
  try {
    const st = await stat(target);
    if (st.isDirectory()) throw new CofferError('IoError', `Cannot replace ${target}: it is a folder`);
    mode = st.mode & 0o777;
    owner = { uid: st.uid, gid: st.gid };
  } catch (err) {
    if (err instanceof CofferError) throw err;
    if (errnoCode(err) !== 'ENOENT') throw ioError(`Cannot inspect ${target}`, err);
  }
  await replaceWith(target, data, mode, owner);
}

export interface WriteNewFileOptions {
  /** Replace an existing file (atomically); otherwise an existing file is a Conflict. */
  overwrite: boolean;
  /** POSIX mode of the new file; default 0600. */
  mode?: number;
}

/**
 * Write an output file (`repair --output`, `backup -f`, `download -f`).
 * With `overwrite`, temp + rename: the target is replaced atomically, never
 * left half-written. Without it, temp + link: an existing file is refused
 * with Conflict, atomically (no check-then-write race).
 */
export async function writeNewFile(target: string, data: Uint8Array, opts: WriteNewFileOptions): Promise<void> {
  const mode = opts.mode ?? DEFAULT_FILE_MODE;
  if (!Number.isInteger(mode) || mode < 0 || mode > 0o777) {
    throw new CofferError('BadParameter', 'mode must be a permission mode between 0 and 0o777');
  }
  if (opts.overwrite) {
    await replaceWith(target, data, mode);
    return;
  }
  await createExclusive(
    target,
    data,
    mode,
    () => new CofferError('Conflict', `${target} already exists; use --overwrite to replace it`),
  );
}

/**
 * Remove temp files `.<basename>.tmp-<16 hex>` beside `target` that a killed
 * writer left behind (a crash during create, replace or writeNewFile), if
 * they have not been written to for `minAgeMs` (default 1 minute). Call it
 * while holding the vault's lock: writers that hold the lock cannot have a
 * temp file in progress then, and the age check covers the rest. Returns the
 * removed paths. Best effort: errors are ignored.
 */
export async function removeStaleTempFiles(target: string, minAgeMs = 60_000): Promise<string[]> {
  const dir = path.dirname(target);
  const prefix = `.${path.basename(target)}.tmp-`;
  const removed: string[] = [];
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return removed;
  }
  for (const name of names) {
    if (!name.startsWith(prefix) || !/^[0-9a-f]{16}$/.test(name.slice(prefix.length))) continue;
    const full = path.join(dir, name);
    try {
      const st = await stat(full);
      if (!st.isFile() || Date.now() - st.mtimeMs < minAgeMs) continue;
      await unlink(full);
      removed.push(full);
    } catch {
      // Gone already, or not ours to remove.
    }
  }
  return removed;
}
