/**
 * format/commit-builder.ts: every limit a reader checks is checked before a
 * commit is written. The records a commit holds (FORMAT.md §7.1: at most
 * 100,000) are refused with a clear LimitExceeded, not a validation message.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { MAX_RECORDS_PER_COMMIT } from '../../../../electron/vault/format/codec.js';
import { buildCommit } from '../../../../electron/vault/format/commit-builder.js';
import type { VaultRecord } from '../../../../electron/vault/format/records.js';
import type { VaultSession } from '../../../../electron/vault/session.js';
import { createTestVault, enc, removeTempDirs } from '../../../helpers/vault.js';

afterAll(removeTempDirs);

describe('buildCommit', () => {
  it('refuses more records than a commit may hold, and builds the most it may hold', async () => {
    const t = await createTestVault();
    await t.vault.secrets.set({ name: 's', value: enc('v') });
    const core = (t.vault as unknown as VaultSession).core;
    const deletes = (n: number): VaultRecord[] => Array.from({ length: n }, () => ({ t: 'secret.delete', name: 's' }));
    expect(() => buildCommit(core, { records: deletes(MAX_RECORDS_PER_COMMIT + 1) })).toThrow(
      expect.objectContaining({ code: 'LimitExceeded', message: expect.stringMatching(/^This change is too large for one commit: 100,001 records, over the 100,000 a commit may hold\. Nothing was written/) }),
    );
    expect(buildCommit(core, { records: deletes(MAX_RECORDS_PER_COMMIT) }).text.length).toBeGreaterThan(0);
    t.vault.close();
  }, 120_000);
});
