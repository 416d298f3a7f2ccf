/**
 * Main's `secrets:*` handlers, on the open vault's SecretsApi.
 *
 * Values: only `secrets:reveal` returns one. Key Vault's SetSecret answers
 * with the value (and api.ts documents the engine's set() as doing so, though
 * today it does not); whatever the engine returns, every other output is
 * built field by field without a value (stripValue).
 * `secrets:copy` reads the value in main and hands it to the clipboard
 * service only.
 */
import type { DeletedSecretBundle, SecretBundle } from '../../../shared/keyvault.js';
import type { Channel, DeletedSecretBundleNoValue, SecretBundleNoValue } from '../../../shared/contract.js';
import { CofferError } from '../../vault/index.js';
import type { Handlers } from '../ipc/register.js';
import type { ClipboardService } from './clipboard.js';
import type { VaultSessionManager } from './session.js';
import type { SettingsStore } from './settings.js';

export type SecretChannel = Extract<Channel, `secrets:${string}`>;

export interface SecretHandlerDeps {
  session: VaultSessionManager;
  /** Read for the clipboard delay of `secrets:copy`. */
  settings: Pick<SettingsStore, 'get'>;
  clipboard: Pick<ClipboardService, 'copy'>;
}

export function secretHandlers({ session, settings, clipboard }: SecretHandlerDeps): Pick<Handlers, SecretChannel> {
  const secrets = () => session.current().secrets;
  return {
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
  };
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
