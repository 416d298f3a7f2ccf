/**
 * Azure Key Vault's rules for secrets, as pure functions shared by the engine
 * and the CLI. Every rule cites where it comes from; the short source tags
 * (D-obj, D-sec, D-sd, S-sec) are those of ../shared/design/AKV-REFERENCE.md §0:
 *   D-obj  learn.microsoft.com/azure/key-vault/general/about-keys-secrets-certificates
 *   D-sec  learn.microsoft.com/azure/key-vault/secrets/about-secrets
 *   D-sd   learn.microsoft.com/azure/key-vault/general/soft-delete-overview
 *   S-sec  azure-rest-api-specs keyvault secrets.json (../shared/specs/keyvault/)
 *
 * Failures are CofferError BadParameter (Key Vault answers 400 BadParameter to
 * invalid input, AKV-REFERENCE.md §7). Messages name the offending name, tag
 * or size, never a secret value.
 */
import { randomBytes } from 'node:crypto';
import type { DeletionRecoveryLevel } from '../../../shared/keyvault.js';
import type { SetSecretInput } from '../api.js';
import { badParameter } from '../errors.js';
import {
  MAX_CONTENT_TYPE,
  MAX_NAME,
  MAX_RETENTION_DAYS,
  MAX_TAG_NAME,
  MAX_TAG_VALUE,
  MAX_TAGS,
  MAX_UNIX_TIME,
  MAX_VALUE_BYTES,
  MIN_RETENTION_DAYS,
  MIN_UNIX_TIME,
  // D-obj names (1-127 of 0-9, a-z, A-Z and -) and versions (32 hex characters).
  SECRET_NAME_PATTERN as NAME_PATTERN,
  SECRET_VERSION_PATTERN as VERSION_PATTERN,
} from '../../../shared/limits.js';

/**
 * Key Vault's limits (D-sec, D-obj, D-sd) and the nbf/exp range, defined once
 * in shared/limits.ts: the IPC contract checks the same numbers.
 */
export {
  MAX_CONTENT_TYPE,
  MAX_NAME,
  MAX_RETENTION_DAYS,
  MAX_TAG_NAME,
  MAX_TAG_VALUE,
  MAX_TAGS,
  MAX_UNIX_TIME,
  MAX_VALUE_BYTES,
  MIN_RETENTION_DAYS,
  MIN_UNIX_TIME,
};

/** DECISIONS.md "Identifiers and JSON": a value that is not UTF-8 gets this content type. */
export const BINARY_CONTENT_TYPE = 'application/octet-stream';

/**
 * A name or other user-given identifier made safe for a one-line message:
 * printable ASCII is shown as is, anything else JSON-escaped; long input is cut.
 */
export function describeForMessage(text: string, max = 140): string {
  const cut = text.length > max ? `${text.slice(0, max)}…` : text;
  return /^[\x21-\x7e]+$/.test(text) && text.length <= max ? text : JSON.stringify(cut);
}

/**
 * Throws BadParameter unless `name` is a valid Key Vault object name:
 * 1-127 characters of 0-9, a-z, A-Z and - (D-obj "Object identifiers").
 * The message starts as Key Vault's ("The request URI contains an invalid name: X").
 */
export function validateSecretName(name: string, kind = 'secret'): void {
  if (typeof name !== 'string' || !NAME_PATTERN.test(name)) {
    const shown = typeof name === 'string' ? describeForMessage(name) : typeof name;
    throw badParameter(
      `The request URI contains an invalid name: ${shown}. ` +
        `A ${kind} name is 1-${MAX_NAME} characters of 0-9, a-z, A-Z and -.`,
    );
  }
}

/**
 * The key names are compared by: D-obj "Identifiers compare case-insensitively"
 * (a name keeps the case it was created with, DECISIONS.md). Names are ASCII.
 */
export function nameKey(name: string): string {
  return name.toLowerCase();
}

/** Throws BadParameter if the value is over 25,600 bytes (D-sec). An empty value is allowed, as in Key Vault. */
export function validateValue(value: Uint8Array): void {
  if (!(value instanceof Uint8Array)) throw badParameter('The secret value must be bytes.');
  if (value.byteLength > MAX_VALUE_BYTES) {
    throw badParameter(
      `The secret value is too large: ${value.byteLength} bytes; the limit is ${MAX_VALUE_BYTES} bytes (Key Vault: 25k bytes).`,
    );
  }
}

/**
 * Throws BadParameter unless the tag set fits D-sec: at most 15 tags, names of
 * 1-256 characters, values of 0-256 characters (lengths in UTF-16 code units,
 * as .NET and JavaScript count characters). An empty set is valid.
 */
export function validateTags(tags: Record<string, string>, kind = 'secret'): void {
  if (tags === null || typeof tags !== 'object' || Array.isArray(tags)) {
    throw badParameter('Tags must be an object of names to string values.');
  }
  const entries = Object.entries(tags);
  if (entries.length > MAX_TAGS) {
    throw badParameter(`Too many tags: ${entries.length}; a ${kind} has at most ${MAX_TAGS} tags.`);
  }
  for (const [tagName, tagValue] of entries) {
    if (tagName.length === 0) throw badParameter('A tag name is empty.');
    if (tagName.length > MAX_TAG_NAME) {
      throw badParameter(
        `The tag name ${describeForMessage(tagName, 40)} is too long: ${tagName.length} characters; the limit is ${MAX_TAG_NAME}.`,
      );
    }
    if (typeof tagValue !== 'string') {
      throw badParameter(`The value of tag ${describeForMessage(tagName)} must be a string.`);
    }
    if (tagValue.length > MAX_TAG_VALUE) {
      throw badParameter(
        `The value of tag ${describeForMessage(tagName)} is too long: ${tagValue.length} characters; the limit is ${MAX_TAG_VALUE}.`,
      );
    }
  }
}

/** Throws BadParameter if the content type is over 255 characters (D-sec). It is free text otherwise. */
export function validateContentType(contentType: string): void {
  if (typeof contentType !== 'string') throw badParameter('The content type must be a string.');
  if (contentType.length > MAX_CONTENT_TYPE) {
    throw badParameter(
      `The content type is too long: ${contentType.length} characters; the limit is ${MAX_CONTENT_TYPE}.`,
    );
  }
}

function validateTime(label: string, t: number): void {
  if (typeof t !== 'number' || !Number.isSafeInteger(t)) {
    throw badParameter(`${label} must be a whole number of Unix seconds.`);
  }
  if (t < MIN_UNIX_TIME || t > MAX_UNIX_TIME) {
    throw badParameter(`${label} is out of range: ${t}; expected a time from year 0001 to 9999.`);
  }
}

/**
 * nbf (not before) and exp (expires) are Unix seconds (S-sec SecretAttributes,
 * "format": "unixtime"), both optional. For secrets they are informational:
 * Key Vault still returns the value outside the window (D-sec "Date-time
 * controlled operations").
 *
 * Key Vault does not document a check between the two. Coffer refuses a window
 * that can never be open (nbf >= exp): it is always a mistake, and showing it
 * in lists would mislead. Callers that patch one of the two (set-attributes)
 * must check the resulting pair, not only the patched field.
 */
export function validateTimes(nbf?: number, exp?: number): void {
  if (nbf !== undefined) validateTime('The not-before time (nbf)', nbf);
  if (exp !== undefined) validateTime('The expiry time (exp)', exp);
  if (nbf !== undefined && exp !== undefined && nbf >= exp) {
    throw badParameter(
      `The not-before time (nbf ${nbf}) must be earlier than the expiry time (exp ${exp}).`,
    );
  }
}

/**
 * A version id as given by a user: 32 hexadecimal characters, any case (ids
 * compare case-insensitively, D-obj). Returns it in lowercase, Coffer's form.
 */
export function validateVersionId(version: string, kind = 'secret'): string {
  if (typeof version !== 'string' || !VERSION_PATTERN.test(version)) {
    const shown = typeof version === 'string' ? describeForMessage(version) : typeof version;
    throw badParameter(`Invalid ${kind} version: ${shown}. A version is 32 hexadecimal characters.`);
  }
  return version.toLowerCase();
}

/** A new version id: 16 random bytes as 32 lowercase hex characters (D-obj: 32-character versions). */
export function newVersionId(): string {
  return randomBytes(16).toString('hex');
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * 'utf8' if the bytes are well-formed UTF-8 (shown as text), else 'binary'
 * (shown base64, DECISIONS.md). Key Vault stores octets (D-sec); Coffer keeps
 * the bytes exactly and only chooses how to show them.
 */
export function classifyValue(value: Uint8Array): 'utf8' | 'binary' {
  try {
    strictUtf8.decode(value);
    return 'utf8';
  } catch {
    return 'binary';
  }
}

/** D-sd: retention is 7 to 90 days (default 90). */
export function validateRetentionDays(days: number): void {
  if (!Number.isInteger(days) || days < MIN_RETENTION_DAYS || days > MAX_RETENTION_DAYS) {
    throw badParameter(
      `Retention days must be a whole number from ${MIN_RETENTION_DAYS} to ${MAX_RETENTION_DAYS}; got ${String(days)}.`,
    );
  }
}

/**
 * S-sec DeletionRecoveryLevel: "Recoverable+Purgeable" at 90 days,
 * "CustomizedRecoverable+Purgeable" for 7 <= days < 90 ("Customized" means a
 * retention below 90). "+Purgeable" because purge protection is off in Coffer
 * for now (D-sd: off by default), so a user may purge.
 */
export function recoveryLevel(retentionDays: number): DeletionRecoveryLevel {
  validateRetentionDays(retentionDays);
  return retentionDays === MAX_RETENTION_DAYS ? 'Recoverable+Purgeable' : 'CustomizedRecoverable+Purgeable';
}

/**
 * All checks of a SetSecret (S-sec SetSecret, D-sec limits). Returns how the
 * value is shown and the content type to store: a value that is not UTF-8 and
 * has no content type gets application/octet-stream (DECISIONS.md).
 */
export function validateSetInput(input: SetSecretInput): {
  encoding: 'utf8' | 'binary';
  contentType: string | undefined;
} {
  validateSecretName(input.name);
  validateValue(input.value);
  if (input.contentType !== undefined) validateContentType(input.contentType);
  if (input.tags !== undefined) validateTags(input.tags);
  if (input.enabled !== undefined && typeof input.enabled !== 'boolean') {
    throw badParameter('enabled must be true or false.');
  }
  validateTimes(input.nbf, input.exp);
  const encoding = classifyValue(input.value);
  const contentType = input.contentType ?? (encoding === 'binary' ? BINARY_CONTENT_TYPE : undefined);
  return { encoding, contentType };
}
