/**
 * Main's handlers for every channel of shared/contract.ts, on the real engine
 * through a VaultSessionManager. Inputs arrive parsed (ipc/register.ts); the
 * engine checks Key Vault's rules again and its CofferErrors become results.
 *
 * Values: only `secrets:reveal` returns one. Key Vault's SetSecret answers
 * with the value (and api.ts documents the engine's set() as doing so, though
 * today it does not); whatever the engine returns, every other output is
 * built field by field without a value (stripValue).
 * `secrets:copy` reads the value in main and hands it to the clipboard
 * service only.
 */
import { stat } from 'node:fs/promises';
import type { DeletedSecretBundle, SecretBundle } from '../../../shared/keyvault.js';
import type { AppEvent, DeletedSecretBundleNoValue, SecretBundleNoValue } from '../../../shared/contract.js';
import { CofferError, defaultVaultPath, loadEngine, type KdfParams, type Keychain } from '../../vault/index.js';
import type { Handlers } from '../ipc/register.js';
import { ClipboardService, type ClipboardItemConstructor, type ClipboardLike, type TimersLike } from './clipboard.js';
import { DialogService, type DialogLike } from './dialogs.js';
import { VaultSessionManager, type SessionEngine } from './session.js';
import { SettingsStore } from './settings.js';

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
  timers?: TimersLike;
  /** The OS keychain (store/keychain.ts osKeychain() in the app; a real Secret Service or a fake in tests). */
  keychain: Keychain;
  /** Default: the real engine (electron/vault/vault.js), loaded on first use. */
  engine?: SessionEngine;
  /** Test-only: KDF for vaults created through `vault:create` (see VaultSessionManager). */
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

  const secrets = () => session.current().secrets;
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
    'vault:open': async (input) => {
      const status = await session.open(input);
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

    'secrets:list': async () => secrets().list(),
    'secrets:listVersions': async ({ name }) => secrets().listVersions(name),
    'secrets:listDeleted': async () => secrets().listDeleted(),
    'secrets:set': async (input) => {
      // The value leaves the renderer as a string; the engine stores bytes. JS
      // strings cannot be wiped, but the bytes copy can.
      const value = new TextEncoder().encode(input.value);
      try {
        return stripValue(
          await secrets().set({
            name: input.name,
            value,
            ...(input.contentType === undefined ? {} : { contentType: input.contentType }),
            ...(input.tags === undefined ? {} : { tags: input.tags }),
            ...(input.enabled === undefined ? {} : { enabled: input.enabled }),
            ...(input.nbf === undefined ? {} : { nbf: input.nbf }),
            ...(input.exp === undefined ? {} : { exp: input.exp }),
          }),
        );
      } finally {
        value.fill(0);
      }
    },
    'secrets:update': async ({ name, version, patch }) => stripValue(await secrets().update(name, version, patch)),
    'secrets:delete': async ({ name }) => stripDeletedValue(await secrets().delete(name)),
    'secrets:recover': async ({ name }) => stripValue(await secrets().recover(name)),
    'secrets:purge': async ({ name }) => {
      await secrets().purge(name);
      return null;
    },
    'secrets:reveal': async ({ name, version }) => {
      // get() refuses a disabled version: Forbidden / SecretDisabled, as Key Vault.
      const bundle = await secrets().get(name, version);
      if (bundle.value === undefined) throw new CofferError('Internal', 'The engine returned no value.');
      return { ...bundle, value: bundle.value };
    },
    'secrets:copy': async ({ name, version }) => {
      const { clipboardClearSeconds } = await settings.get();
      const vault = session.current();
      const bundle = await vault.secrets.get(name, version);
      if (bundle.value === undefined) throw new CofferError('Internal', 'The engine returned no value.');
      // The vault may have locked while the value was read: then copy nothing.
      if (!session.isOpen(vault)) throw new CofferError('VaultLocked', 'The vault was locked before the copy finished.');
      try {
        await clipboard.copy(bundle.value, clipboardClearSeconds);
      } catch {
        throw new CofferError('IoError', 'The clipboard could not be written; nothing was copied.');
      }
      return { clearsInSeconds: clipboardClearSeconds };
    },

    'settings:get': () => settings.get(),
    'settings:set': (patch) => settings.set(patch),
  };
  return {
    handlers,
    session,
    settings,
    clipboard,
    dialogs,
    settled: async () => {
      await Promise.allSettled([...pendingClears, session.settled()]);
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

/** The bundle without its value, built field by field so no other field can carry it either. */
export function stripValue(b: SecretBundle): SecretBundleNoValue {
  return {
    id: b.id,
    ...(b.contentType === undefined ? {} : { contentType: b.contentType }),
    ...(b.tags === undefined ? {} : { tags: { ...b.tags } }),
    attributes: { ...b.attributes },
    ...(b.managed === undefined ? {} : { managed: b.managed }),
  };
}

export function stripDeletedValue(b: DeletedSecretBundle): DeletedSecretBundleNoValue {
  return { ...stripValue(b), recoveryId: b.recoveryId, deletedDate: b.deletedDate, scheduledPurgeDate: b.scheduledPurgeDate };
}
