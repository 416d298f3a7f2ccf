/**
 * `vault check` on the committed damaged-file vectors (test/vectors/damaged/):
 * where a vector fails the check, the check's first problem names one of the
 * parts an open may name (open and check agree on the first real cause); and
 * where a vector declares `checkUnlocked`, check given the passphrase reports
 * it (a missing value line a purge cannot explain is named by its secret and
 * version, as an open names it). vectors.test.ts checks open and the bare check.
 */
import { readFileSync } from 'node:fs';
import { copyFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkVaultFile } from '../../../../electron/vault/vault.js';
import type { VectorExpectation } from '../../../vectors/damaged/generate.js';
import { removeDir, tempDir } from '../../../helpers/damage.js';

const dir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../vectors/damaged');
const manifest = JSON.parse(readFileSync(path.join(dir, 'expected.json'), 'utf8')) as { passphrase: string; vectors: VectorExpectation[] };

let root: string;
beforeAll(async () => {
  root = await tempDir('coffer-vectors-check-');
});
afterAll(async () => {
  await removeDir(root);
});

async function copyOf(v: VectorExpectation): Promise<string> {
  const file = path.join(root, v.file.replace(/\.coffer\.txt$/, '.coffer'));
  await copyFile(path.join(dir, v.file), file);
  return file;
}

describe('vault check on the damaged-file vectors', () => {
  it('the vectors include altered epoch and seq fields and a lost value of the last save', () => {
    const names = manifest.vectors.map((v) => v.file.replace(/^\d+-|\.coffer\.txt$/g, ''));
    expect(names).toEqual(expect.arrayContaining(['epoch-altered', 'seq-altered', 'last-value-removed']));
  });

  for (const v of manifest.vectors.filter((x) => x.expect === 'VaultCorrupted' && !x.check.ok)) {
    it(`${v.file}: the first problem is one of ${v.parts!.join(', ')}`, async () => {
      const report = await checkVaultFile(await copyOf(v));
      expect(report.ok).toBe(false);
      expect(v.parts, JSON.stringify(report.problems)).toContain(report.problems[0]!.part);
      if (v.message === 'signature does not verify') expect(report.problems[0]!.message).toContain(v.message);
    });
  }

  for (const v of manifest.vectors.filter((x) => x.checkUnlocked)) {
    it(`${v.file}: with the passphrase, ${v.checkUnlocked!.ok ? 'ok' : `names ${v.checkUnlocked!.part}`}`, async () => {
      const report = await checkVaultFile(await copyOf(v), { passphrase: Buffer.from(manifest.passphrase) });
      expect(report.ok, JSON.stringify(report.problems)).toBe(v.checkUnlocked!.ok);
      if (v.checkUnlocked!.part) expect(report.problems.map((p) => p.part)).toContain(v.checkUnlocked!.part);
    });
  }
});
