/**
 * base64url without padding (RFC 4648 §5), as Key Vault's REST API and the
 * contract carry bytes, and UTF-8 text, in the page (no Buffer here).
 */
const B64URL = /^[A-Za-z0-9_-]*$/;

export function toB64u(bytes: Uint8Array): string {
  let bin = '';
  // In slices: String.fromCharCode(...bytes) overflows the stack past ~100k arguments.
  for (let i = 0; i < bytes.length; i += 0x8000) bin += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(bin).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** The bytes of base64url text (whitespace ignored), or null when it is not base64url. */
export function fromB64u(text: string): Uint8Array | null {
  const t = text.replace(/\s+/g, '');
  if (!B64URL.test(t) || t.length % 4 === 1) return null;
  const bin = atob(t.replace(/-/g, '+').replace(/_/g, '/') + '='.repeat((4 - (t.length % 4)) % 4));
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

export const utf8 = (text: string): Uint8Array => new TextEncoder().encode(text);

/** The bytes as text if they are well-formed UTF-8, else null. */
export function fromUtf8(bytes: Uint8Array): string | null {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return null;
  }
}
