/**
 * Operations are recorded behind the call: an operation returns without
 * waiting for its record's fsync, records queued meanwhile are written in one
 * batch in their order, settled() waits for them, and a log that cannot be
 * written is said once as a warning, never as the operation's error.
 */
import { createPublicKey, verify } from 'node:crypto';
import { mkdir, readFile, rm } from 'node:fs/promises';
import { afterAll, describe, expect, it } from 'vitest';
import { auditLogPath, verifyAuditLog, type AuditVerifyFn } from '../../../../electron/vault/audit/log.js';
import { createTestVault, enc, removeTempDirs } from '../../../helpers/vault.js';

afterAll(removeTempDirs);

const ed25519Verify: AuditVerifyFn = (publicKey, message, signature) =>
  verify(null, message, createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: Buffer.from(publicKey).toString('base64url') }, format: 'jwk' }), signature);

describe('audit records written behind the call', () => {
  it('many reads at once: every record is in the log, in call order, the chain valid', async () => {
    const t = await createTestVault();
    await t.vault.secrets.set({ name: 's', value: enc('v') });
    await Promise.all(Array.from({ length: 40 }, () => t.vault.secrets.get('s')));
    await t.vault.settled();
    const log = auditLogPath(t.profileDir, t.vault.info().id);
    const entries = (await readFile(log, 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as { seq: number; op: string });
    expect(entries.filter((e) => e.op === 'SecretGet')).toHaveLength(40);
    expect(entries.map((e) => e.seq)).toEqual(entries.map((_, i) => i + 1));
    expect(await verifyAuditLog(log, ed25519Verify)).toEqual({ ok: true, entries: entries.length });
    t.vault.close();
  });

  it('a log that cannot be written: the read still answers, and one warning says records are not kept', async () => {
    const warnings: string[] = [];
    const t = await createTestVault({ onWarning: (m) => warnings.push(m) });
    await t.vault.secrets.set({ name: 's', value: enc('v') });
    await t.vault.settled();
    const log = auditLogPath(t.profileDir, t.vault.info().id);
    // A folder where the log file was: opening it for appending fails (EISDIR).
    await rm(log);
    await mkdir(log);
    for (let i = 0; i < 3; i++) expect((await t.vault.secrets.get('s')).value).toBe('v');
    await t.vault.settled();
    expect(warnings.filter((w) => w.startsWith('Operations are not being recorded in the audit log'))).toHaveLength(1);
    expect(warnings.join('\n')).not.toContain('v"');
    t.vault.close();
  });
});
