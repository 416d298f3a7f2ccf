/**
 * `vault:refound` through the real gate and handlers on the real engine: the
 * open vault re-founded into a new file, sealed by the new passphrase given;
 * the engine's refusals (no passphrase for a vault opened by one, a file in
 * use) as results with its messages; the open vault still open and its file
 * unchanged.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Result } from '../../../../shared/contract.js';
import { openVault } from '../../../../electron/vault/vault.js';
import { removeTempDirs } from '../../../helpers/vault.js';
import { startUnlockedApp } from '../helpers.js';

afterAll(removeTempDirs);

function expectError(r: Result<unknown>, code: string): string {
  if (r.ok) throw new Error(`expected ${code}, got ok`);
  expect(r.code).toBe(code);
  return r.message;
}

describe('vault:refound (real handlers and engine)', () => {
  it('copies the open vault into a new one sealed by the new passphrase, and leaves the open one as it was', async () => {
    const app = await startUnlockedApp();
    await app.ok('secrets:set', { name: 'db', value: 'the value' });
    await app.ok('keys:create', { name: 'k', kty: 'EC' });
    const before = await readFile(app.vaultPath);
    const path = join(app.dir, 'refounded.coffer');
    expect(expectError(await app.call('vault:refound', { path }), 'BadParameter')).toBe('Give the re-founded vault a passphrase, or open the old one with a member identity to make a team vault.');
    const r = await app.ok('vault:refound', { path, newPassphrase: 'the new passphrase' });
    expect(r).toMatchObject({ path, copied: { secrets: 1, secretVersions: 1, keys: 1, keyVersions: 1 }, members: [] });
    expect(expectError(await app.call('vault:refound', { path, newPassphrase: 'again' }), 'VaultExists')).toContain(path);
    expect((await readFile(app.vaultPath)).equals(before)).toBe(true);
    expect(await app.ok('secrets:list')).toHaveLength(1);
    const v = await openVault({ path, profileDir: join(app.dir, 'p2'), passphrase: new TextEncoder().encode('the new passphrase') });
    expect(Buffer.from(await v.secrets.getValue('db')).toString('utf8')).toBe('the value');
    v.close();
  });
});
