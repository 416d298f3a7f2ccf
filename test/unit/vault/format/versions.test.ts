/**
 * Format versions (FORMAT.md §1). This Coffer writes version 2 and reads 1 and
 * 2. A version-1 file opens as it is, and is upgraded by its first write (one
 * atomic rewrite: the header changes, every commit stays as signed) or by
 * `upgradeVaultFile` (`coffer vault upgrade`). A vault that a newer format
 * wrote (its header, or a commit with a higher `v`) opens read-only: what this
 * version knows is shown, a warning says a newer Coffer wrote it, and every
 * write is refused.
 */
import { copyFile, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { upgradeVaultFile } from '../../../../electron/vault/vault.js';
import { canonicalJson, commitLine, FORMAT_VERSION } from '../../../../electron/vault/format/codec.js';
import { commitId, signatureMessage } from '../../../../electron/vault/format/graph.js';
import { ed25519Sign } from '../../../../electron/vault/crypto/index.js';
import { createTestVault, dec, enc, makeTempDir, openWithPassphrase, removeTempDirs } from '../../../helpers/vault.js';
import { loadCore } from '../properties/forge.js';

afterAll(removeTempDirs);

const FIXTURE = join(import.meta.dirname, '../../../vectors/v1/single.coffer.txt');
const FIXTURE_PASSPHRASE = 'v1-fixture-passphrase';
const header = async (path: string): Promise<string> => (await readFile(path, 'latin1')).split('\n')[0]!;
const commitsOf = async (path: string): Promise<string[]> => (await readFile(path, 'latin1')).split('\n').filter((l) => l.startsWith('C '));

async function v1Copy(): Promise<{ dir: string; path: string }> {
  const dir = await makeTempDir();
  const path = join(dir, 'v1.coffer');
  await copyFile(FIXTURE, path);
  return { dir, path };
}

describe('format versions', () => {
  it(`a new vault is written in format ${FORMAT_VERSION}: header and every payload`, async () => {
    const t = await createTestVault();
    await t.vault.secrets.set({ name: 'a', value: enc('1') });
    expect(await header(t.path)).toMatch(new RegExp(`^coffer-vault/${FORMAT_VERSION} [0-9a-f]{64}$`));
    for (const c of await commitsOf(t.path)) expect(c).toContain(`"v":${FORMAT_VERSION}`);
    expect(t.vault.info().formatVersion).toBe(FORMAT_VERSION);
    t.vault.close();
  });

  it('a version-1 file opens as it is; its first write upgrades it, keeping every earlier commit byte for byte', async () => {
    const { dir, path } = await v1Copy();
    const before = await commitsOf(path);
    const warnings: string[] = [];
    const v = await openWithPassphrase(path, join(dir, 'p'), FIXTURE_PASSPHRASE, { onWarning: (m) => warnings.push(m) });
    expect(v.info().formatVersion).toBe(1);
    expect(await header(path)).toMatch(/^coffer-vault\/1 /);
    await v.secrets.set({ name: 'written-by-v2', value: enc('new') });
    expect(v.info().formatVersion).toBe(FORMAT_VERSION);
    expect(warnings.some((w) => /upgraded from format version 1 to 2/.test(w))).toBe(true);
    v.close();
    expect(await header(path)).toMatch(/^coffer-vault\/2 /);
    const after = await commitsOf(path);
    expect(after.slice(0, before.length)).toEqual(before);
    expect(after.at(-1)).toContain('"v":2');
    const again = await openWithPassphrase(path, join(dir, 'q'), FIXTURE_PASSPHRASE);
    expect(dec(await again.secrets.getValue('written-by-v2'))).toBe('new');
    expect(again.secrets.list().length).toBeGreaterThan(1);
    again.close();
  });

  it('upgradeVaultFile rewrites the header only, needs no passphrase, and does nothing the second time', async () => {
    const { dir, path } = await v1Copy();
    const before = await readFile(path, 'latin1');
    expect(await upgradeVaultFile(path)).toEqual({ from: 1, to: 2, upgraded: true });
    const after = await readFile(path, 'latin1');
    expect(after.split('\n').slice(1)).toEqual(before.split('\n').slice(1));
    expect(await upgradeVaultFile(path)).toEqual({ from: 2, to: 2, upgraded: false });
    const v = await openWithPassphrase(path, join(dir, 'p'), FIXTURE_PASSPHRASE);
    expect(v.info().formatVersion).toBe(2);
    v.close();
  });

  it('a version-2 commit in a version-1 file is damage, named by its line', async () => {
    const t = await createTestVault();
    t.vault.close();
    const text = await readFile(t.path, 'latin1');
    await writeFile(t.path, text.replace(/^coffer-vault\/2 /, 'coffer-vault/1 '), 'latin1');
    await expect(openWithPassphrase(t.path, join(t.dir, 'p'), t.passphrase)).rejects.toMatchObject({
      code: 'VaultCorrupted',
      message: expect.stringMatching(/line 2: a version-2 commit in a version-1 file/),
    });
  });

  describe('a vault a newer format wrote', () => {
    async function withNewerCommit(): Promise<Awaited<ReturnType<typeof createTestVault>>> {
      const t = await createTestVault();
      await t.vault.secrets.set({ name: 'known', value: enc('known value') });
      t.vault.close();
      // The owner's next commit, as a version-3 Coffer might write it: a known envelope, unknown content.
      const v = await openWithPassphrase(t.path, t.profileDir, t.passphrase);
      const me = (v as unknown as { me: Parameters<typeof loadCore>[1] }).me;
      const core = loadCore(await readFile(t.path), me);
      const author = Buffer.from(me.signPub).toString('base64url');
      const payload = { v: 3, vault: core.vaultId, author, seq: (core.lastSeq.get(author) ?? 0) + 1, parents: [...core.graph.heads].sort(), quantum: { safe: true } };
      const text = canonicalJson(payload);
      await writeFile(t.path, commitLine(text, ed25519Sign(me.signSeed, signatureMessage(commitId(text)))), { flag: 'a' });
      v.close();
      return t;
    }

    it('opens read-only: what this version knows is shown, a warning says so, writes and upgrade are refused', async () => {
      const t = await withNewerCommit();
      for (const profile of [t.profileDir, join(t.dir, 'new-computer')]) {
        const warnings: string[] = [];
        const v = await openWithPassphrase(t.path, profile, t.passphrase, { onWarning: (m) => warnings.push(m) });
        expect(warnings.some((w) => /A newer Coffer \(format version 3\) wrote this vault/.test(w))).toBe(true);
        expect(dec(await v.secrets.getValue('known'))).toBe('known value');
        await expect(v.secrets.set({ name: 'x', value: enc('y') })).rejects.toMatchObject({ code: 'Forbidden', innerCode: 'NewerFormat' });
        v.close();
      }
      await expect(upgradeVaultFile(t.path)).rejects.toMatchObject({ code: 'Forbidden', innerCode: 'NewerFormat' });
    });

    it('a newer header alone makes it read-only too', async () => {
      const t = await createTestVault();
      t.vault.close();
      const text = await readFile(t.path, 'latin1');
      await writeFile(t.path, text.replace(/^coffer-vault\/2 /, 'coffer-vault/7 '), 'latin1');
      const warnings: string[] = [];
      const v = await openWithPassphrase(t.path, join(t.dir, 'p'), t.passphrase, { onWarning: (m) => warnings.push(m) });
      expect(warnings.some((w) => /newer Coffer \(format version 7\)/.test(w))).toBe(true);
      await expect(v.secrets.set({ name: 'x', value: enc('y') })).rejects.toMatchObject({ innerCode: 'NewerFormat' });
      v.close();
    });
  });
});
