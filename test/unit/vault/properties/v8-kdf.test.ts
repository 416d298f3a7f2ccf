/**
 * V8 — passphrases. Argon2id with authenticated, upgradable parameters; a
 * wrong passphrase is WrongPassphrase, a damaged file is VaultCorrupted (never
 * WrongPassphrase); absurd parameters read from a file are refused with
 * LimitExceeded before any Argon2 work; creation below the defaults warns.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { KdfParams } from '../../../../electron/vault/api.js';
import { openSlot, sealSlot, type MemberIdentity } from '../../../../electron/vault/access/identity.js';
import { DEFAULT_KDF } from '../../../../electron/vault/crypto/index.js';
import { CofferError } from '../../../../electron/vault/errors.js';
import type { SlotJson } from '../../../../electron/vault/format/codec.js';
import { createTestVault, dec, enc, newMember, openWithPassphrase, parseVaultLines, removeTempDirs, TEST_KDF, type TestVault } from '../../../helpers/vault.js';
import { appendToFile, craftCommit, loadCore } from './forge.js';

afterAll(removeTempDirs);

async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'ok';
  } catch (e) {
    if (e instanceof CofferError) return e.code;
    throw e;
  }
}

/** The newest slot in the file and the identity it seals (we know the passphrase). */
async function ownerIdentity(t: TestVault, passphrase = t.passphrase): Promise<{ slot: SlotJson; me: MemberIdentity }> {
  const file = parseVaultLines(await readFile(t.path));
  const slot = ([...file.commits].reverse().find((c) => Array.isArray(c.payload.slots))!.payload.slots as SlotJson[])[0]!;
  return { slot, me: await openSlot(slot, passphrase.slice(), new Uint8Array(Buffer.from(file.vaultId, 'hex'))) };
}

/** Appends a commit by the owner (signed with the owner's real key) carrying `slot`. */
async function appendOwnerSlot(t: TestVault, slot: SlotJson): Promise<void> {
  const { me } = await ownerIdentity(t);
  const core = loadCore(await readFile(t.path), me);
  await appendToFile(t.path, craftCommit(core, me, { records: [], slots: [slot] }).text);
}

describe('V8: wrong passphrase vs damage', () => {
  it('a wrong passphrase is WrongPassphrase; the right one opens', async () => {
    const t = await createTestVault();
    await t.vault.secrets.set({ name: 's', value: enc('value') });
    expect(await codeOf(openWithPassphrase(t.path, join(t.dir, 'p1'), 'not the passphrase'))).toBe('WrongPassphrase');
    expect(await codeOf(openWithPassphrase(t.path, join(t.dir, 'p1'), ''))).toBe('WrongPassphrase');
    const v = await openWithPassphrase(t.path, join(t.dir, 'p1'), t.passphrase);
    expect(dec(await v.secrets.getValue('s'))).toBe('value');
  });

  it('a damaged file is VaultCorrupted, with the right or a wrong passphrase, never WrongPassphrase', async () => {
    const t = await createTestVault();
    await t.vault.secrets.set({ name: 's', value: enc('value') });
    const original = await readFile(t.path, 'utf8');
    const lines = original.trimEnd().split('\n');
    const slotLine = lines.findIndex((l) => l.includes('"slots"'));
    const edit = (i: number, f: (l: string) => string): string => lines.map((l, j) => (j === i ? f(l) : l)).join('\n') + '\n';
    const swap = (l: string, at: number): string => l.slice(0, at) + (l[at] === 'A' ? 'B' : 'A') + l.slice(at + 1);
    const damaged: Record<string, string> = {
      'slot ciphertext': edit(slotLine, (l) => swap(l, l.indexOf('"ct":"', l.indexOf('"slots"')) + 12)),
      'slot salt': edit(slotLine, (l) => swap(l, l.indexOf('"salt":"') + 10)),
      'slot KDF parameter': edit(slotLine, (l) => l.replace('"t":1', '"t":2')),
      'slot commit signature': edit(slotLine, (l) => swap(l, l.length - 10)),
      header: edit(0, (l) => l.slice(0, -1) + (l.endsWith('0') ? '1' : '0')),
      'last line cut in the middle of a commit': lines.slice(0, -1).join('\n') + '\n' + lines.at(-1)!.slice(0, 50) + 'x\n',
      'a blob line changed': edit(lines.findIndex((l) => l.startsWith('B ')), (l) => swap(l, 20)),
      'a commit removed': lines.filter((_, j) => j !== slotLine).join('\n') + '\n',
    };
    for (const [what, text] of Object.entries(damaged)) {
      await writeFile(t.path, text);
      for (const pass of [t.passphrase, enc('wrong passphrase')]) {
        expect(await codeOf(openWithPassphrase(t.path, join(t.dir, 'p-damage'), pass)), what).toBe('VaultCorrupted');
      }
    }
    await writeFile(t.path, original);
    expect(await codeOf(openWithPassphrase(t.path, join(t.dir, 'p-damage'), t.passphrase))).toBe('ok');
  });

  it('the parameters are authenticated: a slot re-signed with changed parameters does not open', async () => {
    const t = await createTestVault();
    const { slot } = await ownerIdentity(t);
    await appendOwnerSlot(t, { ...slot, kdf: { ...slot.kdf, t: slot.kdf.t + 1 } });
    expect(await codeOf(openWithPassphrase(t.path, join(t.dir, 'p'), t.passphrase))).toBe('WrongPassphrase');
  });
});

describe('V8: absurd parameters from a file are refused before any work', () => {
  const absurd: [string, SlotJson['kdf']][] = [
    ['m > 4 GiB', { m: 4 * 1024 * 1024 + 1, t: 1, p: 1 }],
    ['m = 2^32 KiB', { m: 2 ** 32, t: 1, p: 1 }],
    ['t > 20', { m: 8192, t: 21, p: 1 }],
    ['t huge', { m: 8192, t: 2 ** 31, p: 1 }],
    ['p > 16', { m: 8192, t: 1, p: 17 }],
  ];
  for (const [what, kdf] of absurd) {
    it(`${what}: LimitExceeded in under a second`, async () => {
      const t = await createTestVault();
      const { slot } = await ownerIdentity(t);
      await appendOwnerSlot(t, { ...slot, kdf });
      const start = performance.now();
      const code = await codeOf(openWithPassphrase(t.path, join(t.dir, 'p'), t.passphrase));
      const ms = performance.now() - start;
      expect(code).toBe('LimitExceeded');
      expect(ms).toBeLessThan(1000);
    });
  }

  // Anyone can append a validly self-signed commit (membership is encrypted, so a planted slot cannot be
  // told apart before unlocking): the creator's slot is tried first, so the owner is not locked out.
  it('a refused slot appended by someone else does not lock the owner out, and costs no Argon2 work', async () => {
    const t = await createTestVault();
    const mallory = newMember('mallory');
    const core = loadCore(await readFile(t.path), mallory.identity);
    const { slot } = await ownerIdentity(t);
    await appendToFile(t.path, craftCommit(core, mallory.identity, { records: [], slots: [{ ...slot, kdf: { m: 2 ** 32, t: 1, p: 1 } }] }).text);
    const start = performance.now();
    expect(await codeOf(openWithPassphrase(t.path, join(t.dir, 'p'), t.passphrase))).toBe('ok');
    expect(performance.now() - start).toBeLessThan(1000);
    // A wrong passphrase reaches the planted slot too: refused before any work, not opened.
    const start2 = performance.now();
    expect(await codeOf(openWithPassphrase(t.path, join(t.dir, 'p'), 'wrong'))).toMatch(/^(WrongPassphrase|LimitExceeded)$/);
    expect(performance.now() - start2).toBeLessThan(1000);
  });

  it('at the limits (t = 20, p = 16) the parameters pass the check (no LimitExceeded)', async () => {
    // Only the check: running Argon2id at 4 GiB is what the limit is for. The slot is sealed with the
    // small test parameters and claims the limits, so opening fails on the AEAD (parameters are bound).
    const t = await createTestVault();
    const { slot } = await ownerIdentity(t);
    await appendOwnerSlot(t, { ...slot, kdf: { m: 8192, t: 20, p: 16 } });
    expect(await codeOf(openWithPassphrase(t.path, join(t.dir, 'p'), t.passphrase))).toBe('WrongPassphrase');
  });
});

describe('V8: upgradable parameters and warnings', () => {
  it('changePassphrase with new KDF parameters: the old passphrase fails, the new one opens with the new parameters', async () => {
    const warnings: string[] = [];
    const t = await createTestVault({ onWarning: (m) => warnings.push(m) });
    await t.vault.secrets.set({ name: 's', value: enc('value') });
    const stronger: KdfParams = { memoryKiB: 16384, iterations: 2, parallelism: 2 };
    await t.vault.changePassphrase(enc('the new passphrase'), stronger);
    expect(t.vault.info().kdf).toEqual(stronger);
    const { slot } = await ownerIdentity(t, enc('the new passphrase'));
    expect(slot.kdf).toEqual({ m: 16384, t: 2, p: 2 });
    for (const profile of [join(t.dir, 'p-new'), t.profileDir]) {
      expect(await codeOf(openWithPassphrase(t.path, profile, t.passphrase))).toBe('WrongPassphrase');
      const v = await openWithPassphrase(t.path, profile, 'the new passphrase');
      expect(v.info().kdf).toEqual(stronger);
      expect(dec(await v.secrets.getValue('s'))).toBe('value');
      v.close();
    }
    // Changing only the parameters keeps the passphrase.
    const reopened = await openWithPassphrase(t.path, join(t.dir, 'p-3'), 'the new passphrase');
    await reopened.changePassphrase(enc('the new passphrase'), TEST_KDF);
    expect((await openWithPassphrase(t.path, join(t.dir, 'p-4'), 'the new passphrase')).info().kdf).toEqual(TEST_KDF);
  });

  it('creation below the defaults warns; at the defaults it does not', async () => {
    const weak = await createTestVault();
    expect(weak.warnings.length).toBeGreaterThan(0);
    expect(weak.warnings.join('\n')).toMatch(/below the default/);
    const strong = await createTestVault({ kdf: DEFAULT_KDF });
    expect(strong.warnings).toEqual([]);
  });

  it('changePassphrase to parameters below the defaults warns', async () => {
    const warnings: string[] = [];
    const t = await createTestVault({ onWarning: (m) => warnings.push(m) });
    warnings.length = 0;
    await t.vault.changePassphrase(enc('another passphrase'), { memoryKiB: 4096, iterations: 1, parallelism: 1 });
    expect(warnings.join('\n')).toMatch(/below the default/);
  });

  it('creation or changePassphrase with absurd parameters is refused with LimitExceeded', async () => {
    expect(await codeOf(createTestVault({ kdf: { memoryKiB: 8 * 1024 * 1024, iterations: 1, parallelism: 1 } }))).toBe('LimitExceeded');
    const t = await createTestVault();
    expect(await codeOf(t.vault.changePassphrase(enc('x'), { memoryKiB: 8192, iterations: 50, parallelism: 1 }))).toBe('LimitExceeded');
    // Nothing was written: the old passphrase still opens.
    expect(await codeOf(openWithPassphrase(t.path, join(t.dir, 'p'), t.passphrase))).toBe('ok');
  });

  it('sealSlot itself refuses absurd parameters (no slot can be made with them)', async () => {
    const t = await createTestVault();
    const { me } = await ownerIdentity(t);
    expect(await codeOf(sealSlot(me, enc('x'), { memoryKiB: 8192, iterations: 1, parallelism: 64 }, new Uint8Array(32)))).toBe('LimitExceeded');
  });
});
