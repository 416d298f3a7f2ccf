/**
 * Sync folders' conflicted copies (VAULT-MODEL V6): when two computers change a
 * vault file in a Dropbox, OneDrive, Nextcloud or Syncthing folder before they
 * hear from each other, the service keeps one change under the vault's name and
 * the other beside it under a name of its own. This module finds those copies
 * (by each service's naming, built from the vault's own file name), merges each
 * one of the same vault into the vault in place (mergeVaultFiles: a union of
 * signed commits, no unlock) and then renames the copy aside, so that it is not
 * merged again and nothing is deleted.
 *
 * The names, as each service writes them (`team.coffer` the vault):
 * - Dropbox: `team (Ann's conflicted copy 2026-12-04).coffer`, also numbered,
 *   `team (Ann's conflicted copy 2026-12-04 (1)).coffer` or `… 2026-12-04) (1).coffer`;
 * - OneDrive: `team-LAPTOP.coffer`, `team-LAPTOP-1.coffer` (the computer's name, a host name);
 * - Nextcloud (and ownCloud): `team (conflicted copy 2026-12-04 101500).coffer`,
 *   newer clients with the user: `team (conflicted copy ann 2026-12-04 101500).coffer`;
 * - Syncthing: `team.sync-conflict-20261204-101500-ABCDEF7.coffer` (the device's short id).
 * English names only: Dropbox's localized clients write other words, which are not matched.
 */
import type { Dirent } from 'node:fs';
import { open, readdir, rename, rm } from 'node:fs/promises';
import { basename, dirname, extname, join } from 'node:path';
import type { ErrorCode } from '../errors.js';
import { CofferError, isCofferError } from '../errors.js';
import { MAX_HEADER_BYTES, parseHeader } from '../format/codec.js';
import { vaultLockPath, withFileLock } from '../store/lock.js';
import { describeFsError, readVaultFileFirstLine } from '../store/vault-file.js';
import type { SyncService } from '../../../shared/vault-types.js';
import { mergeVaultFiles } from './merge.js';

// The sync services whose conflicted copies are recognized: defined once in shared/, which the app's contract also reads.
export { SYNC_SERVICES, type SyncService } from '../../../shared/vault-types.js';

/**
 * A file beside the vault named as a service names a conflicted copy of it, with what its header
 * says: `same`, a Coffer vault with the vault's id; `other`, a Coffer vault with another id;
 * `unreadable`, a header that is not a Coffer vault's (a damaged copy); `inaccessible`, a file
 * that could not be read. Only `same` is merged; the others are left as they are.
 */
export type ConflictedCopy =
  | { path: string; service: SyncService; vault: 'same' }
  | { path: string; service: SyncService; vault: 'other' | 'unreadable' | 'inaccessible'; code: ErrorCode; message: string };

/** What became of one copy. */
export type ConflictedCopyResult =
  | {
      file: string;
      service: SyncService;
      result: 'merged';
      /** Commits the copy held that the vault lacked. */
      added: number;
      /** Where the copy was renamed to (beside it: `<copy>.merged-<UTC time>`). */
      movedTo: string;
    }
  | {
      file: string;
      service: SyncService;
      /** `other-vault`: a copy of another vault; `damaged`: the copy is damaged; `failed`: anything else (the vault itself damaged, a lock held…). */
      result: 'other-vault' | 'damaged' | 'failed';
      /** The error code the result stands for (the CLI's exit code follows it). */
      code: ErrorCode;
      message: string;
    };

export interface ConflictedCopiesReport {
  vault: string;
  copies: ConflictedCopyResult[];
  summary: Record<ConflictedCopyResult['result'], number>;
}

export interface MergeConflictedCopiesOptions {
  /** Where the in-place merge keeps a copy of the vault before rewriting it (default: the user's profile folder). */
  profileDir?: string;
  /** The clock for the moved copies' names (tests). */
  now?: () => Date;
}

// Characters a regular expression reads as syntax, escaped so a vault named `a+b (1).coffer` matches only itself.
const escapeRegExp = (s: string): string => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

const DATE = String.raw`\d{4}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]\d|3[01])`;
const TIME = String.raw`(?:[01]\d|2[0-3])[0-5]\d[0-5]\d`;
const COUNT = String.raw` \(\d{1,4}\)`;

/**
 * The anchored patterns of each service for the conflicted copies of a file named `vaultFileName`
 * (the stem is the name before its last extension, as each service inserts its marker there).
 */
export function conflictedCopyPatterns(vaultFileName: string): ReadonlyArray<{ service: SyncService; pattern: RegExp }> {
  const name = vaultFileName.normalize('NFC');
  const ext = extname(name);
  const stem = escapeRegExp(name.slice(0, name.length - ext.length));
  const e = escapeRegExp(ext);
  return [
    // The owner's name may hold apostrophes itself ("Ann's MacBook's conflicted copy"), never parentheses.
    { service: 'dropbox', pattern: new RegExp(String.raw`^${stem} \((?:[^()/\\]+?['’]s )?conflicted copy ${DATE}(?:${COUNT})?\)(?:${COUNT})?${e}$`, 'u') },
    // A host name (RFC 1123 label); OneDrive numbers further copies `-1`, `-2`….
    { service: 'onedrive', pattern: new RegExp(String.raw`^${stem}-[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?${e}$`, 'u') },
    // The client strips parentheses from the user name, so the marker's end is unambiguous.
    { service: 'nextcloud', pattern: new RegExp(String.raw`^${stem} \(conflicted copy (?:[^()/\\]+ )?${DATE} ${TIME}\)${e}$`, 'u') },
    // The short device id: the first 7 characters of the device id, base32.
    { service: 'syncthing', pattern: new RegExp(String.raw`^${stem}\.sync-conflict-\d{8}-${TIME}-[A-Z2-7]{7}${e}$`, 'u') },
  ];
}

/** The service whose conflicted-copy naming `candidate` follows for the vault file `vaultFileName`; undefined for any other name. */
export function conflictedCopyService(vaultFileName: string, candidate: string): SyncService | undefined {
  if (candidate.normalize('NFC') === vaultFileName.normalize('NFC')) return undefined;
  return conflictedCopyPatterns(vaultFileName).find((p) => p.pattern.test(candidate.normalize('NFC')))?.service;
}

/** The vault id in a file's header line; VaultCorrupted when the header is not a Coffer vault's. */
async function headerVaultId(path: string): Promise<string> {
  return parseHeader(await readVaultFileFirstLine(path, MAX_HEADER_BYTES)).vaultId;
}

/**
 * The conflicted copies of the vault at `vaultPath`: the regular files of its folder named as a
 * service names them, sorted by name, each with whether it is a copy of this vault (its header's
 * vault id). The vault's own header must be readable (VaultCorrupted otherwise).
 */
export async function findConflictedCopies(vaultPath: string): Promise<ConflictedCopy[]> {
  const vaultId = await headerVaultId(vaultPath);
  const folder = dirname(vaultPath);
  const name = basename(vaultPath);
  let entries: Dirent[];
  try {
    entries = await readdir(folder, { withFileTypes: true });
  } catch (err) {
    throw new CofferError('IoError', `Cannot list the folder ${folder}: ${describeFsError(err)}`, { cause: err });
  }
  const found: ConflictedCopy[] = [];
  for (const entry of entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    const service = entry.isFile() ? conflictedCopyService(name, entry.name) : undefined;
    if (service === undefined) continue;
    const path = join(folder, entry.name);
    try {
      const id = await headerVaultId(path);
      if (id === vaultId) found.push({ path, service, vault: 'same' });
      else found.push({ path, service, vault: 'other', code: 'BadParameter', message: `a copy of another vault (id ${id.slice(0, 32)}, not ${vaultId.slice(0, 32)}); left as it is` });
    } catch (e) {
      if (!isCofferError(e)) throw e;
      found.push({ path, service, vault: e.code === 'VaultCorrupted' ? 'unreadable' : 'inaccessible', code: e.code, message: `${e.message}; left as it is` });
    }
  }
  return found;
}

/** `20261204T050518Z`: a UTC time that sorts as text and is valid in every file system's names. */
function stamp(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z').replace(/[-:]/g, '');
}

/**
 * Renames a merged copy to `<copy>.merged-<time>` beside it, never over an existing file.
 * Beside it rather than into the profile: a rename in one folder is atomic and stays on one
 * file system (a sync folder is often on another volume than the profile, where a move is a
 * copy and a delete), the user finds it where the copy was, and the new name no longer ends
 * in `.coffer`, so no service pattern or Coffer picks it up again.
 */
async function moveAside(path: string, now: Date): Promise<string> {
  const base = `${path}.merged-${stamp(now)}`;
  for (let n = 1; n < 100; n++) {
    const target = n === 1 ? base : `${base}-${n}`;
    let placeholder;
    try {
      // Reserving the name first: a plain rename would replace a file that appeared under it.
      placeholder = await open(target, 'wx', 0o600);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EEXIST') continue;
      throw new CofferError('IoError', `Cannot move ${path} aside to ${target}: ${describeFsError(err)}`, { cause: err });
    }
    await placeholder.close();
    try {
      await rename(path, target);
      return target;
    } catch (err) {
      await rm(target, { force: true }).catch(() => undefined);
      throw new CofferError('IoError', `Cannot move ${path} aside to ${target}: ${describeFsError(err)}`, { cause: err });
    }
  }
  throw new CofferError('IoError', `Cannot move ${path} aside: 99 names ${base}-N are taken`);
}

/**
 * Merges every conflicted copy of the vault at `vaultPath` into it, in place, one after the
 * other, and renames each merged copy aside (`<copy>.merged-<UTC time>`). A copy of another
 * vault, a damaged copy and one whose merge fails for another reason are reported and left
 * where they are; the others still proceed. Needs no unlock (mergeVaultFiles). Each copy is
 * held under its own lock file while it is merged and moved, so a writer of the copy that
 * takes the lock cannot add a commit between the merge's read and the move.
 */
export async function mergeConflictedCopies(vaultPath: string, options: MergeConflictedCopiesOptions = {}): Promise<ConflictedCopiesReport> {
  const copies: ConflictedCopyResult[] = [];
  for (const copy of await findConflictedCopies(vaultPath)) {
    const file = copy.path;
    const { service } = copy;
    if (copy.vault !== 'same') {
      const result = copy.vault === 'other' ? 'other-vault' : copy.vault === 'unreadable' ? 'damaged' : 'failed';
      copies.push({ file, service, result, code: copy.code, message: copy.message });
      continue;
    }
    try {
      const merged = await withFileLock(vaultLockPath(file), async () => {
        const r = await mergeVaultFiles(vaultPath, file, vaultPath, options.profileDir === undefined ? {} : { profileDir: options.profileDir });
        return { added: r.added, movedTo: await moveAside(file, (options.now ?? (() => new Date()))()) };
      });
      copies.push({ file, service, result: 'merged', ...merged });
    } catch (e) {
      if (!isCofferError(e)) throw e;
      // The merge names the copy it found damaged: `their copy (<path>): …` is this copy.
      const damaged = e.code === 'VaultCorrupted' && e.message.startsWith(`their copy (${file})`);
      const message = damaged ? `${e.message}; left as it is` : e.message;
      copies.push({ file, service, result: damaged ? 'damaged' : 'failed', code: e.code, message });
    }
  }
  const summary: ConflictedCopiesReport['summary'] = { merged: 0, 'other-vault': 0, damaged: 0, failed: 0 };
  for (const c of copies) summary[c.result]++;
  return { vault: vaultPath, copies, summary };
}
