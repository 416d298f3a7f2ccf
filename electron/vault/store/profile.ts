/**
 * The profile folder shared by the app and the CLI (DECISIONS.md "Files and
 * folders"): identities, the verified-state cache, the audit log, backups of
 * rewritten vaults and settings live here, so it is private to its owner
 * (mode 0700 on POSIX).
 */
import { mkdir, stat, chmod } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { CofferError } from '../errors.js';
import { describeFsError } from './vault-file.js';

/** The file name of the personal vault inside the profile. */
export const PERSONAL_VAULT_NAME = 'personal.coffer';

/** Treat an empty variable as unset, as shells commonly do (`COFFER_HOME= coffer ...`). */
function envValue(env: NodeJS.ProcessEnv, name: string): string | undefined {
  const v = env[name];
  return v === undefined || v === '' ? undefined : v;
}

/**
 * Where the profile lives:
 * - `$COFFER_HOME` if set (tests always set it, so they never touch the real profile);
 * - Linux and other Unix: `$XDG_CONFIG_HOME/coffer`, default `~/.config/coffer`;
 * - macOS: `~/Library/Application Support/Coffer`;
 * - Windows: `%APPDATA%\Coffer` (default `<home>\AppData\Roaming\Coffer`).
 *
 * The platform and environment are parameters so every branch is testable on
 * any OS; path joining follows the target platform's rules (path.win32 for
 * Windows), not the host's.
 */
export function resolveProfileDir(
  env: NodeJS.ProcessEnv = process.env,
  platform: NodeJS.Platform = process.platform,
  home: string = os.homedir(),
): string {
  const p = platform === 'win32' ? path.win32 : path.posix;

  const cofferHome = envValue(env, 'COFFER_HOME');
  if (cofferHome !== undefined) {
    // A relative COFFER_HOME is taken relative to the current folder once,
    // here, so the rest of the process does not depend on later chdir()s.
    if (p.isAbsolute(cofferHome)) return p.normalize(cofferHome);
    return platform === process.platform ? path.resolve(cofferHome) : p.normalize(cofferHome);
  }

  if (platform === 'win32') {
    const appData = envValue(env, 'APPDATA');
    return p.join(appData ?? p.join(home, 'AppData', 'Roaming'), 'Coffer');
  }
  if (platform === 'darwin') {
    return p.join(home, 'Library', 'Application Support', 'Coffer');
  }
  // The XDG Base Directory spec says a relative XDG_CONFIG_HOME is invalid
  // and must be ignored.
  const xdg = envValue(env, 'XDG_CONFIG_HOME');
  const configHome = xdg !== undefined && p.isAbsolute(xdg) ? xdg : p.join(home, '.config');
  return p.join(configHome, 'coffer');
}

/**
 * Create a private folder (the profile, or a folder inside it such as
 * `audit/`): recursively with mode 0700, and tighten an existing folder that
 * is readable or writable by group or others back to 0700. On Windows, POSIX
 * modes mean nothing; the folder is only created (the per-user %APPDATA%
 * ACLs already keep other users out).
 */
export async function ensurePrivateDir(dir: string, platform: NodeJS.Platform = process.platform): Promise<void> {
  try {
    await mkdir(dir, { recursive: true, mode: 0o700 });
  } catch (err) {
    throw new CofferError('IoError', `Cannot create the folder ${dir}: ${describeFsError(err)}`, { cause: err });
  }
  let st;
  try {
    st = await stat(dir);
  } catch (err) {
    throw new CofferError('IoError', `Cannot inspect the folder ${dir}: ${describeFsError(err)}`, { cause: err });
  }
  if (!st.isDirectory()) {
    throw new CofferError('IoError', `${dir} exists but is not a folder`);
  }
  if (platform !== 'win32' && (st.mode & 0o077) !== 0) {
    try {
      await chmod(dir, 0o700);
    } catch (err) {
      throw new CofferError('IoError', `Cannot restrict the folder ${dir} to its owner (mode 0700): ${describeFsError(err)}`, {
        cause: err,
      });
    }
  }
}

/** Create the profile folder (mode 0700), or tighten it to 0700 if it exists with looser permissions. */
export async function ensureProfileDir(dir: string): Promise<void> {
  await ensurePrivateDir(dir);
}

/** `<profile>/personal.coffer`: the vault used without `--vault` or `$COFFER_VAULT`. */
export function defaultVaultPath(profileDir: string): string {
  return path.join(profileDir, PERSONAL_VAULT_NAME);
}
