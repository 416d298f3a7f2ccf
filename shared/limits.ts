/**
 * The numbers the engine enforces and the IPC contract (and the renderer's
 * forms) check early, defined once: Azure Key Vault's limits for secrets, the
 * range of nbf/exp, soft-delete retention, and the Argon2id defaults and
 * limits. The engine re-exports them (electron/vault/secrets/rules.ts,
 * electron/vault/crypto/argon2.ts); shared/contract.ts builds its schemas
 * from them.
 *
 * The short source tags are those of ../shared/design/AKV-REFERENCE.md §0:
 *   D-obj  learn.microsoft.com/azure/key-vault/general/about-keys-secrets-certificates
 *   D-sec  learn.microsoft.com/azure/key-vault/secrets/about-secrets
 *   D-sd   learn.microsoft.com/azure/key-vault/general/soft-delete-overview
 *   S-sec  azure-rest-api-specs keyvault secrets.json (../shared/specs/keyvault/)
 *
 * Plain data only: no Node, no DOM, no electron (eslint enforces).
 */
import type { KdfParams } from './vault-types.js';

// ----------------------------------------------------------- Key Vault rules

/** D-sec: "a maximum size of 25k bytes"; Coffer reads 25k as 25 × 1024 (DECISIONS.md). */
export const MAX_VALUE_BYTES = 25_600;
/** D-sec (secret tags): "at most 15 tags". */
export const MAX_TAGS = 15;
/** D-sec: tag names up to 256 characters. */
export const MAX_TAG_NAME = 256;
/** D-sec: tag values up to 256 characters. */
export const MAX_TAG_VALUE = 256;
/** D-sec: "The maximum length of this field [contentType] is 255 characters." */
export const MAX_CONTENT_TYPE = 255;
/** D-obj (object identifiers): names are 1-127 characters. */
export const MAX_NAME = 127;
/** Soft-delete retention (D-sd): 7 to 90 days, set at vault creation. */
export const MIN_RETENTION_DAYS = 7;
export const MAX_RETENTION_DAYS = 90;
/**
 * Range accepted for nbf/exp: 0001-01-01T00:00:00Z .. 9999-12-31T23:59:59Z,
 * what a four-digit ISO 8601 year can write (and .NET's DateTimeOffset, which
 * Key Vault and its SDKs use, can hold).
 */
export const MIN_UNIX_TIME = -62_135_596_800;
export const MAX_UNIX_TIME = 253_402_300_799;

/** D-obj: "1-127 characters, 0-9, a-z, A-Z, and -"; S-sec pattern ^[0-9a-zA-Z-]+$. */
export const SECRET_NAME_PATTERN = new RegExp(`^[0-9a-zA-Z-]{1,${MAX_NAME}}$`);
/** D-obj: a version is a system-generated 32-character string (Coffer writes lowercase hex, accepts any case). */
export const SECRET_VERSION_PATTERN = /^[0-9a-fA-F]{32}$/;

// ------------------------------------------------------------------ Argon2id

/** VAULT-MODEL V8: m = 64 MiB, t = 3, p = 4 (RFC 9106 §4's second recommended option). */
export const DEFAULT_KDF: KdfParams = Object.freeze({ memoryKiB: 65536, iterations: 3, parallelism: 4 });

/** C8 upper limits; beyond them a file is refused before any work. */
export const KDF_LIMITS = Object.freeze({ maxMemoryKiB: 4 * 1024 * 1024, maxIterations: 20, maxParallelism: 16 });
