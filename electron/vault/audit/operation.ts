/**
 * One operation recorded in the audit log (audit/log.ts), as Key Vault's
 * AuditEvent records each request (AKV-REFERENCE.md §6.1): its operation name,
 * "ok" or "error" with the error code, the object's name and version. Never a
 * value or a message: an entry has no field that could hold one (V9).
 */
import { CofferError } from '../errors.js';
import { NAME } from '../format/schema.js';
import type { VaultSession } from '../session.js';

/**
 * Runs `fn` and records it under `op`; `version` is read after it ran (the
 * version it used). The record is queued in order and written behind the
 * call (VaultSession.auditBehind): an operation does not wait for its
 * record's fsync, as Key Vault's own logs are delivered after the request.
 */
export async function audited<T>(v: VaultSession, op: string, name: string | undefined, fn: () => Promise<T> | T, version?: () => string | undefined): Promise<T> {
  try {
    const r = await fn();
    const ver = version?.();
    v.auditBehind(op, 'ok', { ...(name ? { object: name } : {}), ...(ver ? { version: ver } : {}) });
    return r;
  } catch (e) {
    if (e instanceof CofferError) {
      const validName = name && NAME.test(name) ? { object: name } : {};
      v.auditBehind(op, 'error', { ...validName, code: e.innerCode ?? e.code });
    }
    throw e;
  }
}
