/**
 * An import too large for one commit (format/commit-builder.ts: a commit line
 * over the 16 MiB a reader accepts) is refused with LimitExceeded before
 * anything is written: the vault file is unchanged, the vault still opens on
 * this computer and another, and a smaller import then works.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { ImportEntry } from '../../../../electron/vault/api.js';
import { MAX_TAG_NAME, MAX_TAG_VALUE, MAX_TAGS } from '../../../../shared/limits.js';
import { createTestVault, dec, enc, openWithPassphrase, removeTempDirs } from '../../../helpers/vault.js';
import { MAX_IMPORT_ENTRIES } from '../../../../electron/vault/secrets/operations.js';

afterAll(removeTempDirs);

/** `count` entries, each with the most tags Key Vault allows, names and values at their longest. */
function bigEntries(count: number): ImportEntry[] {
  return Array.from({ length: count }, (_, i) => ({
    name: `big-${i}`,
    value: enc(`value ${i}`),
    tags: Object.fromEntries(
      Array.from({ length: MAX_TAGS }, (_, t) => [`t${t}-${i}-`.padEnd(MAX_TAG_NAME, 'n'), 'v'.repeat(MAX_TAG_VALUE)]),
    ),
  }));
}

describe('an import too large for one commit', () => {
  it('is refused with LimitExceeded before anything is written; the vault still opens', async () => {
    const t = await createTestVault();
    await t.vault.secrets.set({ name: 'before', value: enc('kept') });
    const before = await readFile(t.path);

    const error = await t.vault.secrets.import(bigEntries(2_500)).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toMatchObject({ code: 'LimitExceeded' });
    const message = (error as Error).message;
    expect(message).toMatch(/^This change is too large for one commit: \d+\.\d MiB, over the 16 MiB a commit may take\. Nothing was written: import fewer entries at a time/);
    expect(message).not.toContain('\n');
    expect((await readFile(t.path)).equals(before), 'the vault file changed').toBe(true);

    // Nothing of the refused import is visible, here or after reopening, and a smaller one is written.
    expect(t.vault.secrets.list().map((s) => s.id.split('/').at(-1))).toEqual(['before']);
    t.vault.close();
    const again = await openWithPassphrase(t.path, t.profileDir, t.passphrase);
    expect(again.secrets.list().map((s) => s.id.split('/').at(-1))).toEqual(['before']);
    expect(await again.secrets.import(bigEntries(100))).toEqual({ imported: 100, versions: 100 });
    again.close();

    const other = await openWithPassphrase(t.path, join(t.dir, 'other-computer'), t.passphrase);
    expect(other.secrets.list()).toHaveLength(101);
    expect(dec(await other.secrets.getValue('before'))).toBe('kept');
    expect(other.secrets.listVersions('big-99')[0]!.tags).toEqual(bigEntries(100)[99]!.tags);
    other.close();
  });
});

describe('the records a commit may hold, at the edge', () => {
  it('one entry more than a commit holds records for is refused at once; the most it holds records for is refused by the line size; nothing is written', async () => {
    const t = await createTestVault();
    const entries = (n: number): ImportEntry[] => Array.from({ length: n }, (_, i) => ({ name: `e${i}`, value: enc('v') }));
    const before = await readFile(t.path);
    const refused = await t.vault.secrets.import(entries(MAX_IMPORT_ENTRIES + 1)).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(refused).toMatchObject({ code: 'LimitExceeded' });
    expect((refused as Error).message).toBe("At most 99,999 entries per import (one commit: a record per entry and the commit's value key). Nothing was written.");
    // 99,999 of the smallest entries are over a line's 16 MiB: the record limit is never what a reader meets first.
    const tooLong = await t.vault.secrets.import(entries(MAX_IMPORT_ENTRIES)).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(tooLong).toMatchObject({ code: 'LimitExceeded' });
    expect((tooLong as Error).message).toMatch(/^This change is too large for one commit: \d+\.\d MiB, over the 16 MiB a commit may take\. Nothing was written/);
    expect((await readFile(t.path)).equals(before)).toBe(true);
    t.vault.close();
  }, 180_000);
});
