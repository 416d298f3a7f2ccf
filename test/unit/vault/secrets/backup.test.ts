/**
 * Crafted backups (secrets/backup.ts): a backup is input like any other. One
 * sealed correctly to this vault but holding what no set would accept (too
 * many tags, a value over Key Vault's 25k bytes, a bad time) is refused as a
 * whole with BadParameter before anything is written, on every computer; a
 * real backup restores, and a second computer opens the result.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { sealBackup } from '../../../../electron/vault/secrets/backup.js';
import type { VaultCore } from '../../../../electron/vault/core.js';
import { createTestVault, dec, enc, openWithPassphrase, removeTempDirs } from '../../../helpers/vault.js';

afterAll(removeTempDirs);

const coreOf = (v: unknown): VaultCore => (v as { core: VaultCore }).core;
const version = (over: Record<string, unknown> = {}) => ({
  name: 'crafted',
  version: 'a'.repeat(32),
  enabled: true,
  encoding: 'utf8' as const,
  created: 1_700_000_000,
  updated: 1_700_000_000,
  value: Buffer.from('ok').toString('base64'),
  ...over,
});

describe('restore of a crafted backup', () => {
  const cases: [string, Record<string, unknown>][] = [
    ['20 tags', { tags: Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`t${i}`, 'v'])) }],
    ['a 30,000-byte value', { value: Buffer.alloc(30_000, 0x61).toString('base64') }],
    ['a tag value over 256 characters', { tags: { k: 'x'.repeat(257) } }],
    ['a content type over 255 characters', { contentType: 'x'.repeat(256) }],
    ['nbf after exp', { nbf: 2_000_000_000, exp: 1_900_000_000 }],
    ['no created time', { created: 'yesterday' }],
    ['an unknown encoding', { encoding: 'utf16' }],
  ];
  for (const [what, over] of cases) {
    it(`with ${what} is refused before anything is written`, async () => {
      const t = await createTestVault();
      const before = await readFile(t.path);
      const blob = sealBackup(coreOf(t.vault), { kind: 'secret', name: 'crafted', versions: [version(over) as never] });
      await expect(t.vault.secrets.restore(blob)).rejects.toMatchObject({ code: 'BadParameter' });
      expect((await readFile(t.path)).equals(before), 'the vault file changed').toBe(true);
      t.vault.close();
    });
  }

  it('a real backup restores, and another computer opens the result', async () => {
    const t = await createTestVault();
    await t.vault.secrets.set({ name: 'real', value: enc('the value'), tags: Object.fromEntries(Array.from({ length: 15 }, (_, i) => [`t${i}`, 'v'.repeat(256)])) });
    const blob = await t.vault.secrets.backup('real');
    await t.vault.secrets.delete('real');
    await t.vault.secrets.purge('real');
    await t.vault.secrets.restore(blob);
    t.vault.close();
    const other = await openWithPassphrase(t.path, join(t.dir, 'other-computer'), t.passphrase);
    expect(dec(await other.secrets.getValue('real'))).toBe('the value');
    other.close();
  });
});
