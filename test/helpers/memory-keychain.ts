/**
 * An in-memory Keychain (store/keychain.ts) for tests that are not about the
 * keychain itself; `unavailable` makes every call fail as a missing Secret
 * Service does. The real one is tested against gnome-keyring
 * (test/unit/vault/access/remembered.test.ts, test/unit/cli/keychain.test.ts).
 */
import { CofferError } from '../../electron/vault/errors.js';
import type { Keychain } from '../../electron/vault/store/keychain.js';

export class MemoryKeychain implements Keychain {
  readonly description = 'the OS keychain (Secret Service)';
  readonly entries = new Map<string, Uint8Array>();
  unavailable = false;

  private check(): void {
    if (this.unavailable) {
      throw new CofferError('KeychainUnavailable', 'The OS keychain (Secret Service) cannot be used: DBus error: Failed to connect to socket');
    }
  }

  async get(account: string): Promise<Uint8Array | null> {
    this.check();
    const v = this.entries.get(account);
    return v ? v.slice() : null;
  }

  async set(account: string, secret: Uint8Array): Promise<void> {
    this.check();
    this.entries.set(account, secret.slice());
  }

  async delete(account: string): Promise<boolean> {
    this.check();
    return this.entries.delete(account);
  }
}
