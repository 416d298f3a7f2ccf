/**
 * The body cache (cache/body-cache.ts, FORMAT.md §12.2): decrypted commit
 * bodies sealed in the profile so warm opens skip per-commit cryptography.
 */
import { readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createTestVault, dec, enc, findCanaries, openWithPassphrase, removeTempDirs } from '../../../helpers/vault.js';

afterAll(removeTempDirs);

const NAME = 'bodycache-canary-name';
const TAG = 'bodycache-canary-tag';

async function bodiesFile(profileDir: string): Promise<string> {
  const files = await readdir(join(profileDir, 'cache'));
  const f = files.find((x) => x.endsWith('.bodies'));
  if (!f) throw new Error('no body cache');
  return join(profileDir, 'cache', f);
}

async function snapshot(path: string, profileDir: string, passphrase: Uint8Array): Promise<string> {
  const v = await openWithPassphrase(path, profileDir, passphrase);
  try {
    const list = v.secrets.list();
    const value = dec(await v.secrets.getValue(NAME));
    return JSON.stringify({ list, value, versions: v.secrets.listVersions(NAME) });
  } finally {
    v.close();
  }
}

describe('body cache', () => {
  it('is sealed (0600, no names or tags in the clear) and grows by one chunk per save', async () => {
    const t = await createTestVault();
    await t.vault.secrets.set({ name: NAME, value: enc('v1'), tags: { k: TAG } });
    await t.vault.secrets.set({ name: NAME, value: enc('v2') });
    const file = await bodiesFile(t.profileDir);
    const before = (await readFile(file, 'latin1')).split('\n').filter(Boolean).length;
    await t.vault.secrets.update(NAME, undefined, { enabled: true });
    t.vault.close();
    const lines = (await readFile(file, 'latin1')).split('\n').filter(Boolean);
    expect(lines.length).toBe(before + 1);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect(findCanaries(await readFile(file), [NAME, TAG])).toEqual([]);
  });

  it('a warm open from the cache shows exactly what a cold open decrypts from the vault', async () => {
    const t = await createTestVault();
    for (let i = 0; i < 5; i++) await t.vault.secrets.set({ name: NAME, value: enc(`value ${i}`), tags: { i: String(i) } });
    t.vault.close();
    const warm = await snapshot(t.path, t.profileDir, t.passphrase);
    const cold = await snapshot(t.path, join(t.dir, 'fresh-profile'), t.passphrase);
    expect(warm).toEqual(cold);
  });

  it('an altered or torn chunk is ignored: those bodies are decrypted from the vault again', async () => {
    const t = await createTestVault();
    await t.vault.secrets.set({ name: NAME, value: enc('kept') });
    t.vault.close();
    const reference = await snapshot(t.path, join(t.dir, 'reference'), t.passphrase);
    const file = await bodiesFile(t.profileDir);
    const lines = (await readFile(file, 'latin1')).split('\n').filter(Boolean);
    const altered = lines.map((l, i) => (i === 0 ? `${l.slice(0, 10)}${l[10] === 'A' ? 'B' : 'A'}${l.slice(11)}` : l));
    await writeFile(file, `${altered.join('\n')}\n${lines[lines.length - 1]!.slice(0, 20)}`);
    expect(await snapshot(t.path, t.profileDir, t.passphrase)).toEqual(reference);
  });

  it('another member cannot read it: a copied cache file opens nothing for them', async () => {
    const a = await createTestVault();
    await a.vault.secrets.set({ name: NAME, value: enc('a') });
    a.vault.close();
    const b = await createTestVault();
    await b.vault.secrets.set({ name: NAME, value: enc('b') });
    b.vault.close();
    // Put A's cache under B's file name: B's key does not open it, so B decrypts its own vault.
    await writeFile(await bodiesFile(b.profileDir), await readFile(await bodiesFile(a.profileDir)));
    const v = await openWithPassphrase(b.path, b.profileDir, b.passphrase);
    expect(dec(await v.secrets.getValue(NAME))).toBe('b');
    v.close();
  });
});
