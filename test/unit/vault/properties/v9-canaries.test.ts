/**
 * V9 — no secret value, key material or passphrase reaches a log, an error
 * message, the audit log, the verified cache, a warning or the console. A
 * full tour of operations runs with canary values and passphrases; every
 * output is then searched for them (as text, hex, base64 and base64url).
 * The vault file itself is covered by V1 (and checked here once more).
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { format } from 'node:util';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Vault } from '../../../../electron/vault/api.js';
import { openSlot } from '../../../../electron/vault/access/identity.js';
import type { SlotJson } from '../../../../electron/vault/format/codec.js';
import {
  createTestVault,
  enc,
  findCanaries,
  newMember,
  openAsMember,
  openWithPassphrase,
  parseVaultLines,
  readAllFiles,
  removeTempDirs,
  type TestVault,
} from '../../../helpers/vault.js';

const V = {
  a: 'v9canary-value-A-Xq7Lp2Zr9Wt4',
  a2: 'v9canary-value-A2-Jm5Nc8Sd1Fb6',
  b: 'v9canary-value-B-Qe3Hv7Kp0Ly2',
  imp: 'v9canary-value-imported-Tu9Gw4Rx',
  bad: 'v9canary-value-in-bad-input-Zo1Pe6',
  bin: 'v9canary-binary-value-Wk3Ds8Ja',
};
const PASS = 'v9canary-passphrase-Hy3Mb8Cq';
const WRONG = 'v9canary-wrong-passphrase-Kd2Vn5Ep';
const NEWPASS = 'v9canary-new-passphrase-Rc6Tg1Ws';
const VALUES = Object.values(V);
const PASSPHRASES = [PASS, WRONG, NEWPASS];
const CONTROL = 'v9canary-control-Ub4Yi7Ol';

afterAll(removeTempDirs);

describe('V9: canaries never reach an output', () => {
  let t: TestVault;
  const errors: unknown[] = [];
  const warnings: string[] = [];
  const consoleOut: string[] = [];
  const member = newMember('v9-member');
  let identitySecrets: Uint8Array[] = [];

  /** Runs `f`, expecting a CofferError; keeps the error for the search. */
  const fails = async (what: string, f: () => unknown): Promise<void> => {
    try {
      await f();
    } catch (e) {
      errors.push(e);
      return;
    }
    throw new Error(`${what}: expected an error`);
  };

  beforeAll(async () => {
    const methods = ['log', 'info', 'warn', 'error', 'debug', 'trace'] as const;
    const spies = [
      ...methods.map((m) => vi.spyOn(console, m).mockImplementation((...args: unknown[]) => void consoleOut.push(format(...args)))),
      vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => (consoleOut.push(Buffer.from(chunk).toString('utf8')), true)),
      vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => (consoleOut.push(Buffer.from(chunk).toString('utf8')), true)),
    ];
    try {
      console.log('control %s', CONTROL);
      const onWarning = (m: string): void => void warnings.push(m);
      t = await createTestVault({ passphrase: PASS, onWarning });
      const v: Vault = t.vault;

      // Secrets: the whole life cycle.
      await v.secrets.set({ name: 'tour-a', value: enc(V.a), contentType: 'text/plain', tags: { k: 'v' } });
      await v.secrets.get('tour-a');
      (await v.secrets.getValue('tour-a')).fill(0);
      v.secrets.list();
      const [ver] = v.secrets.listVersions('tour-a').map((s) => s.id.split('/').pop()!);
      await v.secrets.update('tour-a', ver, { enabled: false });
      await fails('get disabled', () => v.secrets.get('tour-a'));
      await fails('getValue disabled', () => v.secrets.getValue('tour-a'));
      await v.secrets.update('tour-a', ver, { enabled: true });
      await v.secrets.set({ name: 'tour-a', value: enc(V.a2) });
      await v.secrets.set({ name: 'tour-b', value: new Uint8Array([0xff, 0xfe, ...enc(V.bin)]) });
      await v.secrets.get('tour-b');
      await v.secrets.set({ name: 'tour-c', value: enc(V.b) });
      await v.secrets.delete('tour-c');
      v.secrets.listDeleted();
      v.secrets.getDeleted('tour-c');
      await fails('set on a deleted name', () => v.secrets.set({ name: 'tour-c', value: enc(V.bad) }));
      await fails('get deleted', () => v.secrets.get('tour-c'));
      await v.secrets.recover('tour-c');
      const backup = await v.secrets.backup('tour-c');
      await fails('restore over a live secret', () => v.secrets.restore(backup));
      await v.secrets.delete('tour-c');
      await v.secrets.purge('tour-c');
      await v.secrets.restore(backup);
      await v.secrets.import([
        { name: 'imp-1', value: enc(V.imp) },
        { name: 'imp-2', value: enc(V.imp + '-2') },
      ]);

      // Errors whose input holds a value.
      await fails('invalid name', () => v.secrets.set({ name: 'bad_name!', value: enc(V.bad) }));
      await fails('value too large', () => v.secrets.set({ name: 'too-big', value: enc(V.bad.repeat(1000)) }));
      await fails('content type too long', () => v.secrets.set({ name: 'ct', value: enc(V.bad), contentType: 'x'.repeat(300) }));
      await fails('invalid import entry', () => v.secrets.import([{ name: 'ok-1', value: enc(V.bad) }, { name: 'not_ok', value: enc(V.bad) }]));
      await fails('restore garbage', () => v.secrets.restore(enc(`coffer-backup/1 ${V.bad}`)));
      await fails('restore garbage JSON', () => v.secrets.restore(enc(`coffer-backup/1 {"vault":"${V.bad}","epoch":"${V.bad}","key":{"epk":"${V.bad}","ct":"x"},"kc":"x","data":"${V.bad}"}`)));
      await fails('restore of a tampered backup', () => {
        const b = Buffer.from(backup);
        b[b.length - 20] = (b[b.length - 20] ?? 0) ^ 1;
        return v.secrets.restore(b);
      });
      await fails('get missing', () => v.secrets.get('no-such'));
      await fails('update with a tag value too long', () => v.secrets.update('tour-a', undefined, { tags: { k: V.bad.repeat(10) } }));
      await fails('set with a tag value too long', () => v.secrets.set({ name: 'tags', value: enc(V.bad), tags: { k: V.bad.repeat(10) } }));

      // Members: a member reads; a Reader is refused.
      await v.members.add(member.publicIdentity, ['Key Vault Secrets User']);
      const asMember = await openAsMember(t.path, member, { onWarning });
      (await asMember.secrets.getValue('tour-a')).fill(0);
      await fails('member writes', () => asMember.secrets.set({ name: 'm', value: enc(V.bad) }));
      asMember.close();
      const reader = newMember('v9-reader');
      await v.members.add(reader.publicIdentity, ['Key Vault Reader']);
      const asReader = await openAsMember(t.path, reader, { onWarning });
      await fails('reader reads a value', () => asReader.secrets.getValue('tour-a'));
      asReader.close();

      // Passphrases: wrong, change, old after change.
      await fails('wrong passphrase', () => openWithPassphrase(t.path, join(t.dir, 'profile-other'), WRONG, { onWarning }));
      await fails('wrong passphrase (own profile)', () => openWithPassphrase(t.path, t.profileDir, WRONG, { onWarning }));
      await v.changePassphrase(enc(NEWPASS));
      await fails('old passphrase', () => openWithPassphrase(t.path, t.profileDir, PASS, { onWarning }));
      const again = await openWithPassphrase(t.path, t.profileDir, NEWPASS, { onWarning });
      (await again.secrets.getValue('imp-1')).fill(0);
      again.close();

      // Damage: a value line altered.
      const text = await readFile(t.path, 'utf8');
      const damaged = text.replace(/\nB ([A-Za-z0-9_-]{30})/, (_m, s: string) => `\nB ${s.startsWith('A') ? 'B' : 'A'}${s.slice(1)}`);
      await writeFile(join(t.dir, 'damaged.coffer'), damaged);
      await fails('damaged file', () => openWithPassphrase(join(t.dir, 'damaged.coffer'), join(t.dir, 'profile-damaged'), NEWPASS, { onWarning }));
      await fails('damaged file, wrong passphrase', () => openWithPassphrase(join(t.dir, 'damaged.coffer'), join(t.dir, 'profile-damaged'), WRONG, { onWarning }));

      // The owner's identity, to search for its private keys too.
      const file = parseVaultLines(await readFile(t.path));
      const slot = ([...file.commits].reverse().find((c) => Array.isArray(c.payload.slots))!.payload.slots as SlotJson[])[0]!;
      const owner = await openSlot(slot, enc(NEWPASS), new Uint8Array(Buffer.from(file.vaultId, 'hex')));
      identitySecrets = [owner.signSeed, owner.encPriv, member.identity.signSeed, member.identity.encPriv, reader.identity.signSeed, reader.identity.encPriv];
      v.close();
      await new Promise((r) => setTimeout(r, 50)); // background audit appends of reads
    } finally {
      for (const s of spies) s.mockRestore();
    }
  });

  const everything = [...VALUES, ...PASSPHRASES];

  it('the capture works (controls)', async () => {
    expect(consoleOut.join('\n')).toContain(CONTROL);
    expect(errors.length).toBeGreaterThanOrEqual(20);
    expect(warnings.length).toBeGreaterThan(0); // at least the weak-KDF warning
    const files = await readAllFiles(t.profileDir);
    const names = files.map((f) => f.path.slice(t.profileDir.length));
    expect(names.some((n) => /audit\/.*\.log$/.test(n)), names.join(', ')).toBe(true);
    expect(names.some((n) => /cache\/.*\.verified$/.test(n)), names.join(', ')).toBe(true);
    const audit = files.find((f) => /audit\/.*\.log$/.test(f.path))!.bytes.toString();
    // A failed unlock waits in <id>.failed-unlocks until the next unlock moves it into the signed log.
    for (const op of ['SecretSet', 'SecretGet', 'SecretPurge', 'SecretRestore', 'SecretBackup', 'VaultUnlockFailed']) expect(audit).toContain(op);
  });

  it('no canary in error messages, stacks, causes or serialized errors', () => {
    for (const e of errors) {
      const parts: string[] = [];
      for (let x: unknown = e, depth = 0; x && depth < 5; x = (x as { cause?: unknown }).cause, depth++) {
        parts.push(String(x), (x as Error).message ?? '', (x as Error).stack ?? '', JSON.stringify(x) ?? '', format('%o', x));
      }
      expect(findCanaries(parts.join('\n'), everything), String(e)).toEqual([]);
    }
  });

  it('no canary in warnings', () => {
    expect(findCanaries(warnings.join('\n'), everything)).toEqual([]);
  });

  it('no canary on the console, stdout or stderr', () => {
    expect(findCanaries(consoleOut.join('\n'), everything)).toEqual([]);
  });

  it('no canary, passphrase or private key in any file of any profile (audit logs, failed-unlock records, verified caches)', async () => {
    const files = (await readAllFiles(t.dir)).filter((f) => !f.path.endsWith('.coffer'));
    expect(files.length).toBeGreaterThan(5);
    for (const f of files) expect(findCanaries(f.bytes, [...everything, ...identitySecrets]), f.path).toEqual([]);
  });

  it('no canary, passphrase or private key in the vault file either', async () => {
    expect(findCanaries(await readFile(t.path), [...everything, ...identitySecrets])).toEqual([]);
  });
});
