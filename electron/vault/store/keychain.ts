/**
 * The OS keychain, for "remember on this computer" (issue 4): macOS Keychain,
 * Windows Credential Manager, the Secret Service (GNOME Keyring, KWallet) on
 * Linux, through @napi-rs/keyring. keytar, the usual choice, is archived
 * (2022) and must be compiled against libsecret; @napi-rs/keyring is
 * maintained and ships N-API binaries that need no rebuild for Electron.
 *
 * The keychain holds one random 32-byte key per remembered vault (the key that
 * seals the member's identity in the profile: access/remembered.ts), never a
 * passphrase and never the identity itself.
 *
 * Everything that goes wrong with the keychain (no D-Bus session, no Secret
 * Service, a locked collection whose unlock prompt was dismissed, a timeout)
 * is a KeychainUnavailable error with the platform's reason; callers fall back
 * to the passphrase. A missing entry is not an error: get() answers null.
 */
import type { AsyncEntry as AsyncEntryType } from '@napi-rs/keyring';
import { CofferError } from '../errors.js';

/** What Coffer asks of a keychain; the app and the CLI pass osKeychain(), tests may pass a fake. */
export interface Keychain {
  /** For messages: "the OS keychain (Secret Service)". */
  readonly description: string;
  /** The secret stored for `account`, or null when there is none. The caller wipes it. */
  get(account: string): Promise<Uint8Array | null>;
  set(account: string, secret: Uint8Array): Promise<void>;
  /** True if an entry was deleted, false if there was none. */
  delete(account: string): Promise<boolean>;
}

/** The keychain "service" every entry is filed under; tests use their own (DECISIONS.md: never the real entries). */
export const DEFAULT_KEYCHAIN_SERVICE = 'Coffer';

/**
 * How long one keychain call may take. A desktop keychain may show its own
 * unlock prompt: the user needs time to answer it, but a script must not hang.
 */
const CALL_TIMEOUT_MS = 60_000;

export interface OsKeychainOptions {
  /** Default "Coffer"; `$COFFER_KEYCHAIN_SERVICE` in the app and the CLI. */
  service?: string;
  platform?: NodeJS.Platform;
}

export function keychainDescription(platform: NodeJS.Platform): string {
  if (platform === 'darwin') return 'the macOS Keychain';
  if (platform === 'win32') return 'the Windows Credential Manager';
  return 'the OS keychain (Secret Service)';
}

/** A keychain error as the user reads it: the platform's reason, one line, bounded. */
function unavailable(description: string, e: unknown): CofferError {
  const raw = e instanceof Error ? e.message : String(e);
  const reason = raw.split('\n')[0]!.replace(/^Platform failure: /, '').slice(0, 200);
  return new CofferError('KeychainUnavailable', `${description.charAt(0).toUpperCase()}${description.slice(1)} cannot be used: ${reason}`);
}

export function osKeychain(options: OsKeychainOptions = {}): Keychain {
  const service = options.service ?? DEFAULT_KEYCHAIN_SERVICE;
  const description = keychainDescription(options.platform ?? process.platform);
  let module: Promise<typeof import('@napi-rs/keyring')> | undefined;

  /** Loaded on first use: a CLI command that never touches the keychain never loads the native module. */
  async function entry(account: string): Promise<AsyncEntryType> {
    module ??= import('@napi-rs/keyring');
    const { AsyncEntry } = await module;
    // On Linux the store must be named: without it the library silently falls
    // back to the kernel keyring, which forgets everything at logout (TOOLCHAIN.md).
    return new AsyncEntry(service, account, { linux: { store: 'secret-service' } });
  }

  async function call<T>(account: string, run: (e: AsyncEntryType, signal: AbortSignal) => Promise<T>): Promise<T> {
    try {
      const e = await entry(account);
      return await run(e, AbortSignal.timeout(CALL_TIMEOUT_MS));
    } catch (e) {
      throw unavailable(description, e);
    }
  }

  return {
    description,
    get: (account) =>
      call(account, async (e, signal) => {
        const got = await e.getSecret(signal);
        if (got === null) return null;
        const bytes = Uint8Array.from(got);
        got.fill(0);
        return bytes;
      }),
    set: (account, secret) => call(account, (e, signal) => e.setSecret(secret, signal)),
    delete: (account) => call(account, (e, signal) => e.deleteCredential(signal)),
  };
}
