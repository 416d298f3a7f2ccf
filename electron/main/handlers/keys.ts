/**
 * Main's `keys:*` handlers, each a thin call into the open vault's KeysApi
 * (Key Vault's key operations, AKV-REFERENCE.md §2.3). The engine checks Key
 * Vault's rules and permissions; its CofferErrors become results in
 * ipc/register.ts.
 *
 * Key material: bundles carry public JWKs only (an oct key none), as GetKey
 * does. Text to import and bytes to encrypt, decrypt, sign or verify arrive
 * as strings (structured clone has no bytes the renderer could wipe); main
 * decodes them to Uint8Arrays that are zeroed once the engine is done, and
 * never puts them, or any part of them, in an error message.
 */
import { createHash } from 'node:crypto';
import type { JsonWebKey } from '../../../shared/keyvault.js';
import type { Channel, KeyDetails } from '../../../shared/contract.js';
import { CofferError, type ImportKeyInput } from '../../vault/index.js';
import type { Handlers } from '../ipc/register.js';
import type { ClipboardService } from './clipboard.js';
import type { VaultSessionManager } from './session.js';
import type { SettingsStore } from './settings.js';

export type KeyChannel = Extract<Channel, `keys:${string}`>;

export interface KeyHandlerDeps {
  session: VaultSessionManager;
  /** Read for the clipboard delay of `keys:copyPublic`. */
  settings: Pick<SettingsStore, 'get'>;
  clipboard: Pick<ClipboardService, 'copy'>;
}

/** Said of import text that is neither: the text itself is never quoted (it may be a private key). */
export const NOT_A_KEY_FILE = 'The key file is neither PEM nor JSON (JWK).';

export function keyHandlers({ session, settings, clipboard }: KeyHandlerDeps): Pick<Handlers, KeyChannel> {
  const keys = () => session.current().keys;
  return {
    // With each key's type and size or curve, for the list's Type column (KeyListItem).
    'keys:list': async () => keys().listWithShapes(),
    'keys:listVersions': async ({ name }) => keys().listVersions(name),
    'keys:listDeleted': async () => keys().listDeleted(),
    // The public key only (keys/read), written and cleared as secrets:copy does: one clipboard path for the app.
    'keys:copyPublic': async ({ name, version, format }) => {
      const { clipboardClearSeconds } = await settings.get();
      const vault = session.current();
      // An oct key has neither form: the engine says so (BadParameter).
      const exported = await vault.keys.exportKey(name, version, { format });
      const text = format === 'pem' ? exported.pem : exported.jwk === undefined ? undefined : JSON.stringify(exported.jwk);
      if (text === undefined) throw new CofferError('Internal', 'The engine returned no public key.');
      if (!session.isOpen(vault)) throw new CofferError('VaultLocked', 'The vault was locked before the copy finished.');
      try {
        await clipboard.copy(text, clipboardClearSeconds);
      } catch {
        throw new CofferError('IoError', 'The clipboard could not be written; nothing was copied.');
      }
      return { clearsInSeconds: clipboardClearSeconds };
    },
    // One read of one version: its bundle, public PEM and algorithms (the engine), and its thumbprint.
    'keys:get': async ({ name, version }) => {
      const details: KeyDetails = await keys().details(name, version);
      const thumbprint = jwkThumbprint(details.bundle.key);
      return thumbprint === undefined ? details : { ...details, thumbprint };
    },
    'keys:create': async ({ name, kty, size, crv, ...options }) =>
      keys().create({ name, kty, ...(size === undefined ? {} : { size }), ...(crv === undefined ? {} : { crv }), ...versionOptions(options) }),
    'keys:import': async ({ name, text, password, ...options }) => {
      const jwk = parseJwk(text);
      if (jwk !== undefined) {
        // A JWK is not encrypted: a password would be silently ignored, which hides a mistake.
        if (password) throw new CofferError('BadParameter', 'A password goes with an encrypted PEM key only, not with a JWK.');
        return keys().import({ name, key: { jwk }, ...versionOptions(options) });
      }
      if (!text.includes('-----BEGIN ')) throw new CofferError('BadParameter', NOT_A_KEY_FILE);
      const bytes = password === undefined ? undefined : new TextEncoder().encode(password);
      try {
        const key: ImportKeyInput['key'] = bytes === undefined ? { pem: text } : { pem: text, password: bytes };
        return await keys().import({ name, key, ...versionOptions(options) });
      } finally {
        bytes?.fill(0);
      }
    },
    'keys:update': async ({ name, version, patch }) => keys().update(name, version, patch),
    'keys:delete': async ({ name }) => keys().delete(name),
    'keys:recover': async ({ name }) => keys().recover(name),
    'keys:purge': async ({ name }) => {
      await keys().purge(name);
      return null;
    },
    'keys:rotate': async ({ name }) => keys().rotate(name),
    'keys:getRotationPolicy': async ({ name }) => keys().getRotationPolicy(name),
    // The whole policy is replaced (S-key UpdateKeyRotationPolicy): no expiryTime means none.
    'keys:updateRotationPolicy': async ({ name, lifetimeActions, expiryTime }) =>
      keys().updateRotationPolicy(name, { lifetimeActions, ...(expiryTime === undefined ? {} : { attributes: { expiryTime } }) }),
    'keys:encrypt': ({ name, version, algorithm, value, iv, aad }) =>
      withBytes({ value, iv, aad }, (b) => keys().encrypt(name, version, { algorithm, value: b.value!, iv: b.iv, aad: b.aad })),
    'keys:decrypt': ({ name, version, algorithm, value, iv, aad, tag }) =>
      withBytes({ value, iv, aad, tag }, (b) => keys().decrypt(name, version, { algorithm, value: b.value!, iv: b.iv, aad: b.aad, tag: b.tag })),
    // The data, hashed in the engine with the algorithm's hash (EdDSA and HS* take it whole): the app has no digests.
    'keys:sign': ({ name, version, algorithm, data }) => withBytes({ data }, (b) => keys().sign(name, version, { algorithm, data: b.data! })),
    'keys:verify': ({ name, version, algorithm, data, signature }) =>
      withBytes({ data, signature }, (b) => keys().verify(name, version, { algorithm, data: b.data!, signature: b.signature! })),
  };
}

/** The attributes of a new version, as given (absent stays absent: the engine has Key Vault's defaults). */
function versionOptions(o: { keyOps?: string[]; enabled?: boolean; nbf?: number; exp?: number; tags?: Record<string, string>; exportable?: boolean }) {
  return {
    ...(o.keyOps === undefined ? {} : { keyOps: o.keyOps }),
    ...(o.enabled === undefined ? {} : { enabled: o.enabled }),
    ...(o.nbf === undefined ? {} : { nbf: o.nbf }),
    ...(o.exp === undefined ? {} : { exp: o.exp }),
    ...(o.tags === undefined ? {} : { tags: o.tags }),
    ...(o.exportable === undefined ? {} : { exportable: o.exportable }),
  };
}

/**
 * The JWK of import text that is JSON (it starts with `{`), or undefined for
 * anything else (then PEM). A parse error is reported without the parser's
 * message, which quotes the text.
 */
function parseJwk(text: string): Record<string, unknown> | undefined {
  if (!text.trimStart().startsWith('{')) return undefined;
  let jwk: unknown;
  try {
    jwk = JSON.parse(text);
  } catch {
    throw new CofferError('BadParameter', NOT_A_KEY_FILE);
  }
  if (jwk === null || typeof jwk !== 'object' || Array.isArray(jwk)) throw new CofferError('BadParameter', NOT_A_KEY_FILE);
  return jwk as Record<string, unknown>;
}

/**
 * base64url without padding (RFC 4648 §5), as Key Vault carries bytes. The
 * contract's pattern has checked the alphabet; Node's decoder then accepts
 * lengths and trailing bits that no encoder writes (a length of 4n+1, or
 * "AB" beside "AA"), so only a string that encodes back to itself is taken,
 * as the engine's decoder does.
 */
export function decodeB64u(text: string, field: string): Uint8Array {
  const buf = Buffer.from(text, 'base64url');
  try {
    if (buf.toString('base64url') !== text) throw new CofferError('BadParameter', `${field} is not valid base64url.`);
    return new Uint8Array(buf);
  } finally {
    buf.fill(0);
  }
}

/** Decodes each given field, runs `fn`, then zeroes every decoded buffer, whatever happened. */
async function withBytes<K extends string, T>(fields: Record<K, string | undefined>, fn: (bytes: Partial<Record<K, Uint8Array>>) => Promise<T>): Promise<T> {
  const bytes: Partial<Record<K, Uint8Array>> = {};
  try {
    for (const k of Object.keys(fields) as K[]) {
      const v = fields[k];
      if (v !== undefined) bytes[k] = decodeB64u(v, k);
    }
    return await fn(bytes);
  } finally {
    for (const b of Object.values<Uint8Array | undefined>(bytes)) b?.fill(0);
  }
}

/** RFC 7638 §3.2 and RFC 8037 §2: each type's required public members, in lexicographic order. */
const THUMBPRINT_MEMBERS: Partial<Record<JsonWebKey['kty'], readonly ('crv' | 'e' | 'kty' | 'n' | 'x' | 'y')[]>> = {
  RSA: ['e', 'kty', 'n'],
  EC: ['crv', 'kty', 'x', 'y'],
  OKP: ['crv', 'kty', 'x'],
};

/**
 * The JWK thumbprint (RFC 7638): SHA-256 over the JSON of the required
 * members, in lexicographic order and without whitespace (§3.3), base64url
 * without padding. Undefined for an oct key, whose `k` is never released,
 * and for a JWK missing a member.
 */
export function jwkThumbprint(jwk: JsonWebKey): string | undefined {
  const members = THUMBPRINT_MEMBERS[jwk.kty];
  if (members === undefined) return undefined;
  const required: Record<string, string> = {};
  for (const m of members) {
    const v = jwk[m];
    if (typeof v !== 'string') return undefined;
    required[m] = v;
  }
  // Insertion order is the order above; the values are base64url and curve names, which JSON writes as they are.
  return createHash('sha256').update(JSON.stringify(required), 'utf8').digest('base64url');
}
