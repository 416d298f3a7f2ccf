/**
 * Main's handlers for every channel of shared/contract.ts, on the real engine
 * through a VaultSessionManager: the vault and dialog channels here, each
 * object kind's in its own module (secrets.ts, keys.ts, certificates.ts), the
 * team vault's members and roles in members.ts. Inputs arrive parsed
 * (ipc/register.ts); the engine checks Key Vault's rules again and its
 * CofferErrors become results. While a vault is open, scheduled-work.ts rotates
 * keys whose rotation policies are due and runs certificates' lifetime actions.
 */
import { stat } from 'node:fs/promises';
import type { AppEvent } from '../../../shared/contract.js';
import { defaultVaultPath, loadEngine, type KdfParams, type Keychain } from '../../vault/index.js';
import type { Handlers } from '../ipc/register.js';
import { certificateHandlers } from './certificates.js';
import { conflictedCopyHandlers } from './conflicted-copies.js';
import { ClipboardService, type ClipboardItemConstructor, type ClipboardLike, type TimersLike } from './clipboard.js';
import { DialogService, type DialogLike } from './dialogs.js';
import { DnsChallenges } from './dns-challenges.js';
import { identityHandlers } from './identity.js';
import { certificateRenewalTask, keyRotationTask, ScheduledWork } from './scheduled-work.js';
import { keyHandlers } from './keys.js';
import { historyHandlers, VaultWatcher } from './history.js';
import { memberHandlers } from './members.js';
import { refoundHandlers } from './refound.js';
import { secretHandlers } from './secrets.js';
import { VaultSessionManager, type SessionEngine } from './session.js';
import { SettingsStore } from './settings.js';

export { stripDeletedValue, stripValue } from './secrets.js';

export interface MainServicesOptions {
  profileDir: string;
  clipboard: ClipboardLike;
  /** Electron's ClipboardItem class (a fake in tests): a copy is written as one item with its "do not record" markers. */
  ClipboardItem: ClipboardItemConstructor;
  /** Whose clipboard markers a copy carries (handlers/clipboard.ts concealedPayload). */
  platform: NodeJS.Platform;
  /** The OS file pickers (Electron's dialog bound to the window; a fake in tests). */
  dialog: DialogLike;
  /**
   * Sends an event to the renderer (webContents.send on EVENT_CHANNEL in the
   * app). Told when the vault locks other than by replacing it, so the page
   * clears itself even when main locked (menu, quit, later OS suspend).
   */
  notify?: (event: AppEvent) => void;
  /** The clipboard clear's timers (default: the real ones). */
  timers?: TimersLike;
  /**
   * The timers of scheduled work, key rotation and certificate renewal (default: the real ones), apart from
   * the clipboard's so that a test driving one does not run the other.
   */
  rotationTimers?: TimersLike;
  /** The timers of dns-01 records waiting for the user (default: the real ones). */
  dnsTimers?: TimersLike;
  /** The OS keychain (store/keychain.ts osKeychain() in the app; a real Secret Service or a fake in tests). */
  keychain: Keychain;
  /** Default: the real engine (electron/vault/vault.js), loaded on first use. */
  engine?: SessionEngine;
  /** Test-only: KDF for vaults created through `vault:create` (see VaultSessionManager) and identities through `identity:create`. */
  kdf?: KdfParams;
  /** Unix seconds, for the recent list. */
  now?: () => number;
  onWarning?: (message: string) => void;
}

export interface MainServices {
  handlers: Handlers;
  session: VaultSessionManager;
  settings: SettingsStore;
  clipboard: ClipboardService;
  dialogs: DialogService;
  /** Rotates keys whose rotation policies are due, while a vault is open. */
  keyRotation: ScheduledWork;
  /** Runs certificates' lifetime actions that are due (renewals, expiry notices), while a vault is open. */
  certificateRenewal: ScheduledWork;
  /** dns-01 records waiting for the user's answer. */
  dnsChallenges: DnsChallenges;
  /** Takes in other writers' changes to the open vault's file, and tells the renderer (history.ts). */
  vaultWatcher: VaultWatcher;
  /** Resolves when the clipboard clears begun by a lock, and the closed vaults' background writes, are done (app.ts waits for it before quitting). */
  settled(): Promise<void>;
}

/** The real engine, imported lazily so that registering the handlers does not load Argon2id's native module. */
const lazyEngine: SessionEngine = {
  createVault: async (o) => (await loadEngine()).createVault(o),
  openVault: async (o) => (await loadEngine()).openVault(o),
  isVaultRemembered: async (o) => (await loadEngine()).isVaultRemembered(o),
  forgetVault: async (o) => (await loadEngine()).forgetVault(o),
};

export function createMainServices(options: MainServicesOptions): MainServices {
  const settings = new SettingsStore({
    profileDir: options.profileDir,
    ...(options.now ? { now: options.now } : {}),
    ...(options.onWarning ? { onWarning: options.onWarning } : {}),
  });
  const session = new VaultSessionManager({
    profileDir: options.profileDir,
    engine: options.engine ?? lazyEngine,
    keychain: options.keychain,
    ...(options.kdf ? { kdf: options.kdf } : {}),
    ...(options.onWarning ? { onWarning: options.onWarning } : {}),
  });
  const clipboard = new ClipboardService(options.clipboard, {
    ClipboardItem: options.ClipboardItem,
    platform: options.platform,
    ...(options.timers ? { timers: options.timers } : {}),
  });
  /** Clipboard clears still running after a lock (an asynchronous clipboard): quitting waits for them. */
  const pendingClears = new Set<Promise<void>>();
  // Issue 3 / ARCHITECTURE.md: a copied value does not outlive the unlocked vault.
  session.onLock(() => {
    const done = clipboard.clearNow();
    if (done instanceof Promise) pendingClears.add(done.finally(() => pendingClears.delete(done)));
  });
  // A create/open replaces the vault while the renderer waits for its answer: no event then.
  session.onLock((reason) => {
    if (reason !== 'replace') options.notify?.({ type: 'locked' });
  });
  const dialogs = new DialogService(options.dialog);
  // dns-01 records waiting for the user belong to the open vault: a lock (or another vault) aborts their orders.
  const dnsChallenges = new DnsChallenges({ ...(options.notify ? { notify: options.notify } : {}), ...(options.dnsTimers ? { timers: options.dnsTimers } : {}) });
  session.onLock(() => dnsChallenges.clear());
  const scheduled = {
    session,
    ...(options.notify ? { notify: options.notify } : {}),
    ...(options.rotationTimers ? { timers: options.rotationTimers } : {}),
    ...(options.onWarning ? { onWarning: options.onWarning } : {}),
  };
  const keyRotation = new ScheduledWork(keyRotationTask, scheduled);
  const certificateRenewal = new ScheduledWork(certificateRenewalTask(dnsChallenges), scheduled);
  const vaultWatcher = new VaultWatcher({
    session,
    ...(options.notify ? { notify: options.notify } : {}),
    ...(options.onWarning ? { onWarning: options.onWarning } : {}),
  });

  // The recent list is a convenience: failing to save it must not fail an open that worked.
  const remember = (path: string) =>
    settings.addRecent(path).catch((e: unknown) => {
      options.onWarning?.(`Could not update the recent vaults list: ${e instanceof Error ? e.message : 'unknown error'}`);
    });

  let offeredLastVault = false;
  const handlers: Handlers = {
    'vault:create': async (input) => {
      const status = await session.create(input);
      await remember(input.path);
      return status;
    },
    'vault:createWithIdentity': async (input) => {
      const status = await session.createWithIdentity(input);
      await remember(input.path);
      return status;
    },
    'vault:open': async (input) => {
      const status = await session.open(input);
      await remember(input.path);
      return status;
    },
    'vault:openWithIdentity': async (input) => {
      const status = await session.openWithIdentity(input);
      await remember(input.path);
      return status;
    },
    'vault:unlockWithKeychain': async (input) => {
      const status = await session.unlockWithKeychain(input);
      await remember(input.path);
      return status;
    },
    'vault:resetPassphrase': async (input) => {
      const status = await session.resetPassphrase(input);
      await remember(input.path);
      return status;
    },
    'vault:remember': (input) => session.remember(input),
    'vault:forget': (input) => session.forget(input),
    'vault:changePassphrase': (input) => session.changePassphrase(input),
    'vault:createRecoveryKey': (input) => session.createRecoveryKey(input),
    'vault:removeRecoveryKey': () => session.removeRecoveryKey(),
    'vault:lock': () => session.lock(),
    'vault:status': async () => {
      // On the first ask after start-up, the last vault used is offered on the unlock screen
      // (KeePassXC reopens its last database), with the keychain if this computer remembers it.
      if (!offeredLastVault) {
        offeredLastVault = true;
        const last = (await settings.recent().catch(() => [])).find((r) => r.exists);
        if (last) session.offerPath(last.path);
      }
      return session.status();
    },
    'vault:recent': () => settings.recent(),
    'vault:suggestPath': async () => {
      const path = defaultVaultPath(options.profileDir);
      return { path: (await exists(path)) ? null : path };
    },
    'dialog:chooseVault': () => dialogs.chooseVault(),
    'dialog:chooseNewVault': ({ defaultPath }) => dialogs.chooseNewVault(defaultPath),

    ...secretHandlers({ session, settings, clipboard }),
    ...keyHandlers({ session, settings, clipboard }),
    ...certificateHandlers({ session, settings, clipboard, dialogs, dnsChallenges }),
    ...memberHandlers({ session }),
    ...refoundHandlers({
      session,
      ...(options.kdf ? { kdf: options.kdf } : {}),
      ...(options.onWarning ? { onWarning: options.onWarning } : {}),
    }),
    ...historyHandlers({ session }),
    ...identityHandlers({
      profileDir: options.profileDir,
      settings,
      clipboard,
      keychain: options.keychain,
      ...(options.kdf ? { kdf: options.kdf } : {}),
      ...(options.onWarning ? { onWarning: options.onWarning } : {}),
    }),
    ...conflictedCopyHandlers({ session, profileDir: options.profileDir }),

    'settings:get': () => settings.get(),
    'settings:set': (patch) => settings.set(patch),
  };
  return {
    handlers,
    session,
    settings,
    clipboard,
    dialogs,
    keyRotation,
    certificateRenewal,
    dnsChallenges,
    vaultWatcher,
    settled: async () => {
      await Promise.allSettled([...pendingClears, keyRotation.whenIdle(), certificateRenewal.whenIdle(), vaultWatcher.whenIdle(), session.settled()]);
    },
  };
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return false;
    // Unreadable or odd: do not suggest it.
    return true;
  }
}
