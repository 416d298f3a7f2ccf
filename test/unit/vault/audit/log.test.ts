import { spawn } from 'node:child_process';
import { createPublicKey, generateKeyPairSync, sign, verify, type KeyObject } from 'node:crypto';
import { appendFile, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  AUDIT_GENESIS_PREV,
  AuditLog,
  auditLogPath,
  auditSigningMessage,
  canonicalAuditJson,
  verifyAuditLog,
  type AuditEntry,
  type AuditEvent,
  type AuditSigner,
  type AuditVerifyFn,
} from '../../../../electron/vault/audit/log.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../../../..');
const VAULT_ID = '0123456789abcdef0123456789abcdef';
const VERSION = 'aa'.repeat(16);

function makeSigner(): { signer: AuditSigner; privateKey: KeyObject } {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  const raw = Buffer.from(String(publicKey.export({ format: 'jwk' }).x), 'base64url');
  return { signer: { publicKey: raw, sign: (m) => sign(null, m, privateKey) }, privateKey };
}

const ed25519Verify: AuditVerifyFn = (publicKey, message, signature) =>
  verify(
    null,
    message,
    createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: Buffer.from(publicKey).toString('base64url') }, format: 'jwk' }),
    signature,
  );

let profile: string;
let signer: AuditSigner;
let privateKey: KeyObject;
let log: AuditLog;

beforeEach(async () => {
  profile = path.join(await mkdtemp(path.join(os.tmpdir(), 'coffer-audit-')), 'profile');
  ({ signer, privateKey } = makeSigner());
  log = new AuditLog(profile, VAULT_ID, signer);
});
afterEach(async () => {
  await rm(path.dirname(profile), { recursive: true, force: true });
});

const lines = async (): Promise<string[]> => (await readFile(log.path, 'utf8')).split('\n').filter((l) => l !== '');
const writeLines = (ls: string[]): Promise<void> => writeFile(log.path, ls.map((l) => l + '\n').join(''));

/** VaultOpen, then `n` KeySign records queued while it is being written: one batch of n after it. */
async function oneBatchAfterOpen(n: number): Promise<void> {
  const first = log.append({ op: 'VaultOpen', result: 'ok' });
  await Promise.all([first, ...Array.from({ length: n }, (_, i) => log.append({ op: 'KeySign', result: 'ok', object: `k${i}` }))]);
}

async function appendSome(n: number): Promise<void> {
  for (let i = 0; i < n; i++) await log.append({ op: 'SecretGet', result: 'ok', object: `name-${i}`, version: VERSION });
}

describe('AuditLog.append', () => {
  it('writes <profile>/audit/<vaultId>.log (0600, folder 0700), one chained, signed entry per line', async () => {
    expect(log.path).toBe(path.join(profile, 'audit', `${VAULT_ID}.log`));
    await log.append({ op: 'VaultOpen', result: 'ok' });
    await log.append({ op: 'SecretGet', result: 'ok', object: 'db-password', version: VERSION });
    await log.append({ op: 'VaultUnlockFailed', result: 'error', code: 'WrongPassphrase' });
    if (process.platform !== 'win32') {
      expect((await stat(log.path)).mode & 0o777).toBe(0o600);
      expect((await stat(path.dirname(log.path))).mode & 0o777).toBe(0o700);
      expect((await stat(profile)).mode & 0o777).toBe(0o700);
    }
    const ls = await lines();
    expect(ls).toHaveLength(3);
    const entries = ls.map((l) => JSON.parse(l) as AuditEntry);
    expect(entries.map((e) => e.seq)).toEqual([1, 2, 3]);
    expect(Object.keys(entries[1]!)).toEqual(['seq', 'time', 'op', 'result', 'object', 'version', 'actor', 'prev', 'sig']);
    expect(entries[2]).toMatchObject({ op: 'VaultUnlockFailed', result: 'error', code: 'WrongPassphrase' });
    expect(entries[0]!.prev).toBe(AUDIT_GENESIS_PREV);
    const { createHash } = await import('node:crypto');
    expect(entries[1]!.prev).toBe(createHash('sha256').update(ls[0]!).digest('hex'));
    expect(entries[0]!.actor).toBe(Buffer.from(signer.publicKey).toString('hex'));
    expect(Number.isNaN(Date.parse(entries[0]!.time))).toBe(false);

    // The signature is over the label and the SHA-256 of the canonical JSON (sorted keys, no sig).
    const { sig, ...unsigned } = entries[1]!;
    expect(canonicalAuditJson(unsigned)).toBe(
      `{"actor":"${unsigned.actor}","object":"db-password","op":"SecretGet","prev":"${unsigned.prev}","result":"ok","seq":2,"time":"${unsigned.time}","version":"${VERSION}"}`,
    );
    const msg = auditSigningMessage(unsigned);
    expect(Buffer.from(msg.subarray(0, 16)).toString('utf8')).toBe('coffer/v1 audit\0');
    expect(msg.length).toBe(16 + 32);
    expect(ed25519Verify(signer.publicKey, msg, Buffer.from(sig!, 'base64url'))).toBe(true);

    expect(await verifyAuditLog(log.path, ed25519Verify)).toEqual({ ok: true, entries: 3 });
    // The lock is released.
    expect((await readdir(path.dirname(log.path))).sort()).toEqual([`${VAULT_ID}.log`]);
  });

  it('concurrent appends in one process keep the chain', async () => {
    await Promise.all(Array.from({ length: 25 }, (_, i) => log.append({ op: 'SecretList', result: 'ok', object: `n${i}` })));
    // A second AuditLog object on the same file (as a second window would have) goes through the file lock.
    const other = new AuditLog(profile, VAULT_ID, signer);
    await Promise.all([
      ...Array.from({ length: 10 }, () => other.append({ op: 'SecretGet', result: 'ok' })),
      ...Array.from({ length: 10 }, () => log.append({ op: 'SecretSet', result: 'ok' })),
    ]);
    expect(await verifyAuditLog(log.path, ed25519Verify)).toEqual({ ok: true, entries: 45 });
  });

  it('concurrent appends from two processes keep the chain valid', async () => {
    await log.append({ op: 'VaultOpen', result: 'ok' });
    const pem = path.join(path.dirname(profile), 'key.pem');
    await writeFile(pem, privateKey.export({ format: 'pem', type: 'pkcs8' }), { mode: 0o600 });
    const go = path.join(path.dirname(profile), 'go');
    const count = 40;
    const ready = (i: number): string => path.join(path.dirname(profile), `ready-${i}`);
    const procs = [0, 1].map((i) =>
      spawn(
        process.execPath,
        ['--import', 'tsx', path.join(here, 'fixtures', 'append-worker.ts'), profile, VAULT_ID, pem, String(count), go, ready(i)],
        { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] },
      ),
    );
    const outputs = procs.map((p) => {
      let s = '';
      p.stderr.on('data', (d: Buffer) => (s += d.toString()));
      return () => s;
    });
    for (const i of [0, 1]) {
      while (!(await stat(ready(i)).catch(() => undefined))) {
        if (procs[i]!.exitCode !== null) throw new Error(`worker ${i} died: ${outputs[i]!()}`);
        await new Promise((r) => setTimeout(r, 10));
      }
    }
    await writeFile(go, '');
    // The parent appends at the same time.
    const mine = appendSome(count);
    const codes = await Promise.all(procs.map((p) => new Promise<number | null>((r) => p.on('exit', r))));
    await mine;
    expect(codes, outputs.map((o) => o()).join('\n')).toEqual([0, 0]);
    expect(await verifyAuditLog(log.path, ed25519Verify)).toEqual({ ok: true, entries: 1 + 3 * count });
    const objects = (await lines()).map((l) => (JSON.parse(l) as AuditEntry).object ?? '');
    for (const p of procs) expect(objects.filter((o) => o.startsWith(`child-${p.pid}-`))).toHaveLength(count);
  });

  it('an interrupted append (incomplete last line) is reported by verify and dropped by the next append', async () => {
    await appendSome(2);
    await appendFile(log.path, '{"seq":3,"time":"2026-');
    const v = await verifyAuditLog(log.path, ed25519Verify);
    expect(v).toMatchObject({ ok: true, entries: 2, warning: expect.stringContaining('line 3 is incomplete') });
    await log.append({ op: 'SecretGet', result: 'ok' });
    expect(await verifyAuditLog(log.path, ed25519Verify)).toEqual({ ok: true, entries: 3 });
  });

  it('a file that is only an incomplete line starts over at seq 1', async () => {
    const { mkdir } = await import('node:fs/promises');
    await mkdir(path.dirname(log.path), { recursive: true });
    await writeFile(log.path, '{"seq":1,"ti');
    await log.append({ op: 'VaultOpen', result: 'ok' });
    expect(await verifyAuditLog(log.path, ed25519Verify)).toEqual({ ok: true, entries: 1 });
  });

  it('refuses to chain onto a damaged last entry', async () => {
    await appendSome(2);
    await appendFile(log.path, 'not json\n');
    await expect(log.append({ op: 'VaultOpen', result: 'ok' })).rejects.toMatchObject({
      code: 'VaultCorrupted',
      message: expect.stringContaining(log.path),
    });
  });

  it('a batch is signed once, on its last line; the chain binds the lines before it', async () => {
    // Queued while the first is being written: the five make one batch.
    await oneBatchAfterOpen(5);
    const entries = (await lines()).map((l) => JSON.parse(l) as AuditEntry);
    expect(entries.map((e) => e.sig !== undefined)).toEqual([true, false, false, false, false, true]);
    expect(Object.keys(entries[1]!)).toEqual(['seq', 'time', 'op', 'result', 'object', 'actor', 'prev']);
    expect(await verifyAuditLog(log.path, ed25519Verify)).toEqual({ ok: true, entries: 6 });
  });

  it('unsigned lines no signature covers (a batch cut before its last line, or lines someone added) are reported and dropped by the next append', async () => {
    await oneBatchAfterOpen(4);
    const all = await lines();
    // The batch's signed last line never reached the disk.
    await writeLines(all.slice(0, -1));
    expect(await verifyAuditLog(log.path, ed25519Verify)).toEqual({ ok: true, entries: 1, warning: expect.stringContaining('lines 2–4 are not covered by a signature') });
    await log.append({ op: 'SecretGet', result: 'ok' });
    const after = (await lines()).map((l) => JSON.parse(l) as AuditEntry);
    expect(after.map((e) => e.op)).toEqual(['VaultOpen', 'SecretGet']);
    expect(await verifyAuditLog(log.path, ed25519Verify)).toEqual({ ok: true, entries: 2 });
    // Someone appends a well-chained unsigned line: the next append does not sign over it.
    const { createHash } = await import('node:crypto');
    const last = (await lines()).at(-1)!;
    const forged = JSON.stringify({ seq: 3, time: new Date().toISOString(), op: 'SecretPurge', result: 'ok', actor: after[0]!.actor, prev: createHash('sha256').update(last).digest('hex') });
    await appendFile(log.path, forged + '\n');
    expect(await verifyAuditLog(log.path, ed25519Verify)).toMatchObject({ ok: true, entries: 2, warning: expect.stringContaining('line 3 is not covered') });
    await log.append({ op: 'SecretList', result: 'ok' });
    expect((await lines()).map((l) => (JSON.parse(l) as AuditEntry).op)).toEqual(['VaultOpen', 'SecretGet', 'SecretList']);
    expect(await verifyAuditLog(log.path, ed25519Verify)).toEqual({ ok: true, entries: 3 });
  });

  it('unsigned lines longer than the tail an append reads are dropped too', async () => {
    await oneBatchAfterOpen(80); // ~20 KiB of unsigned lines, more than the 8 KiB tail
    await writeLines((await lines()).slice(0, -1));
    await log.append({ op: 'SecretGet', result: 'ok' });
    expect((await lines()).map((l) => (JSON.parse(l) as AuditEntry).op)).toEqual(['VaultOpen', 'SecretGet']);
    expect(await verifyAuditLog(log.path, ed25519Verify)).toEqual({ ok: true, entries: 2 });
  });

  it("an unsigned line changed, or covered by another actor's signature, fails verification", async () => {
    await oneBatchAfterOpen(3);
    const ls = await lines();
    await writeLines([ls[0]!, ls[1]!.replace('"k0"', '"kX"'), ...ls.slice(2)]);
    expect(await verifyAuditLog(log.path, ed25519Verify)).toMatchObject({ ok: false, entries: 1, problem: { line: 3, message: expect.stringContaining('does not chain to line 2') } });
    // Another identity's batch after our unsigned lines does not cover them.
    const other = makeSigner();
    const { createHash } = await import('node:crypto');
    const e2 = JSON.parse(ls[1]!) as AuditEntry;
    const unsigned = { seq: 3, time: new Date().toISOString(), op: 'SecretGet', result: 'ok' as const, actor: Buffer.from(other.signer.publicKey).toString('hex'), prev: createHash('sha256').update(ls[1]!).digest('hex') };
    const sig = Buffer.from(other.signer.sign(auditSigningMessage(unsigned))).toString('base64url');
    await writeLines([...ls.slice(0, 2), JSON.stringify({ ...unsigned, sig })]);
    expect(e2.sig).toBeUndefined();
    expect(await verifyAuditLog(log.path, ed25519Verify)).toMatchObject({ ok: false, entries: 1, problem: { line: 3, message: expect.stringContaining('another actor') } });
  });

  it('reads only the tail: appends onto a long log stay valid', async () => {
    await appendSome(150);
    expect(await verifyAuditLog(log.path, ed25519Verify)).toEqual({ ok: true, entries: 150 });
  });
});

describe('AuditLog refuses anything but the allowlisted fields (V9)', () => {
  const CANARY = 'canary-S3cr3t-value-7f3a';

  const refused: [string, unknown][] = [
    ['a value field', { op: 'SecretGet', result: 'ok', value: CANARY }],
    ['a message field', { op: 'SecretGet', result: 'error', message: CANARY }],
    ['a value in object', { op: 'SecretGet', result: 'ok', object: `x ${CANARY} =` }],
    ['a value in op', { op: `SecretGet ${CANARY}`, result: 'ok' }],
    ['a value in code', { op: 'SecretGet', result: 'error', code: `${CANARY}!` }],
    ['a bad version', { op: 'SecretGet', result: 'ok', version: CANARY }],
    ['a bad result', { op: 'SecretGet', result: CANARY }],
    ['a non-string object', { op: 'SecretGet', result: 'ok', object: 42 }],
    ['a too long object name', { op: 'SecretGet', result: 'ok', object: 'a'.repeat(128) }],
    ['an odd field name', { op: 'SecretGet', result: 'ok', [`${CANARY}!`]: 1 }],
  ];

  it.each(refused)('refuses %s with BadParameter, without echoing it, writing nothing', async (_label, event) => {
    const err = await log.append(event as AuditEvent).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'BadParameter' });
    expect((err as Error).message).not.toContain(CANARY);
    await expect(stat(log.path)).rejects.toThrow();
  });

  it('accepts a 127-character Key Vault name and both hex cases of a version', async () => {
    await log.append({ op: 'SecretGet', result: 'ok', object: 'A-z0'.repeat(31) + 'abc', version: 'AB'.repeat(16) });
    expect(await verifyAuditLog(log.path, ed25519Verify)).toEqual({ ok: true, entries: 1 });
  });

  it('refuses a vault id that is not hex (it is a file name)', () => {
    expect(() => new AuditLog(profile, '../../etc/passwd', signer)).toThrow(expect.objectContaining({ code: 'BadParameter' }));
    expect(() => auditLogPath(profile, 'ABC')).toThrow();
  });

  it('refuses a signer without a 32-byte public key', () => {
    expect(() => new AuditLog(profile, VAULT_ID, { publicKey: new Uint8Array(31), sign: () => new Uint8Array(64) })).toThrow(
      expect.objectContaining({ code: 'BadParameter' }),
    );
  });
});

describe('verifyAuditLog detects tampering with the line number', () => {
  beforeEach(async () => {
    await appendSome(5);
  });

  it('a modified line (field changed, line re-serialized)', async () => {
    const ls = await lines();
    const e = JSON.parse(ls[2]!) as AuditEntry;
    ls[2] = JSON.stringify({ ...e, object: 'other-name' });
    await writeLines(ls);
    expect(await verifyAuditLog(log.path, ed25519Verify)).toMatchObject({
      ok: false,
      entries: 2,
      problem: { line: 3, message: expect.stringContaining('invalid signature') },
    });
  });

  it('a single flipped byte in a signature', async () => {
    const ls = await lines();
    const line = ls[3]!;
    const at = line.indexOf('"sig":"') + 10;
    ls[3] = line.slice(0, at) + (line[at] === 'A' ? 'B' : 'A') + line.slice(at + 1);
    await writeLines(ls);
    expect(await verifyAuditLog(log.path, ed25519Verify)).toMatchObject({ ok: false, problem: { line: 4 } });
  });

  it('a removed line', async () => {
    const ls = await lines();
    ls.splice(1, 1);
    await writeLines(ls);
    expect(await verifyAuditLog(log.path, ed25519Verify)).toMatchObject({
      ok: false,
      problem: { line: 2, message: expect.stringContaining('sequence number 3, expected 2') },
    });
  });

  it('the first line removed', async () => {
    const ls = await lines();
    await writeLines(ls.slice(1));
    expect(await verifyAuditLog(log.path, ed25519Verify)).toMatchObject({ ok: false, problem: { line: 1 } });
  });

  it('two lines swapped', async () => {
    const ls = await lines();
    [ls[2], ls[3]] = [ls[3]!, ls[2]!];
    await writeLines(ls);
    expect(await verifyAuditLog(log.path, ed25519Verify)).toMatchObject({ ok: false, problem: { line: 3 } });
  });

  it('a duplicated line', async () => {
    const ls = await lines();
    ls.splice(2, 0, ls[2]!);
    await writeLines(ls);
    expect(await verifyAuditLog(log.path, ed25519Verify)).toMatchObject({ ok: false, problem: { line: 4 } });
  });

  it('a line re-signed by another key with the right seq but a broken chain', async () => {
    const ls = await lines();
    const { signer: forger } = makeSigner();
    const e = JSON.parse(ls[4]!) as AuditEntry;
    const unsigned = { ...e, prev: 'f'.repeat(64), actor: Buffer.from(forger.publicKey).toString('hex') } as Partial<AuditEntry>;
    delete unsigned.sig;
    const sig = Buffer.from(forger.sign(auditSigningMessage(unsigned as Omit<AuditEntry, 'sig'>))).toString('base64url');
    ls[4] = JSON.stringify({ ...unsigned, sig });
    await writeLines(ls);
    expect(await verifyAuditLog(log.path, ed25519Verify)).toMatchObject({
      ok: false,
      problem: { line: 5, message: expect.stringContaining('does not chain to line 4') },
    });
    // A verifier that accepts only our key rejects it earlier, at the signature.
    const onlyOurs: AuditVerifyFn = (pk, m, s) => Buffer.from(pk).equals(Buffer.from(signer.publicKey)) && ed25519Verify(pk, m, s);
    expect(await verifyAuditLog(log.path, onlyOurs)).toMatchObject({ ok: false, problem: { line: 5, message: expect.stringContaining('signature') } });
  });

  it('a re-encoded (non-canonical) or extended line', async () => {
    const ls = await lines();
    const e = JSON.parse(ls[1]!) as AuditEntry;
    await writeLines([ls[0]!, JSON.stringify(e, null, 1).replace(/\n/g, ''), ...ls.slice(2)]);
    expect(await verifyAuditLog(log.path, ed25519Verify)).toMatchObject({ ok: false, problem: { line: 2, message: expect.stringContaining('canonical') } });
    await writeLines([ls[0]!, JSON.stringify({ ...e, value: 'x' }), ...ls.slice(2)]);
    expect(await verifyAuditLog(log.path, ed25519Verify)).toMatchObject({ ok: false, problem: { line: 2 } });
  });

  it('a missing log → NotFound', async () => {
    await expect(verifyAuditLog(path.join(profile, 'none.log'), ed25519Verify)).rejects.toMatchObject({ code: 'NotFound' });
  });
});
