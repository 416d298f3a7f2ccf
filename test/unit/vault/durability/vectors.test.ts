/**
 * The committed damaged-file vectors (test/vectors/damaged/, age test kit
 * style): each file declares its expected outcome in expected.json, and
 * every vector must meet it: the error code and the part it names, or the
 * state it opens with. Vectors are stored as *.coffer.txt (*.coffer is
 * git-ignored) and copied to a temporary .coffer path to be opened.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { copyFile, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CofferError } from '../../../../electron/vault/errors.js';
import { checkVaultFile, openVault } from '../../../../electron/vault/vault.js';
import type { VectorExpectation } from '../../../vectors/damaged/generate.js';
import { freshProfile, INTERRUPTED_WARNING, removeDir, tempDir } from '../../../helpers/damage.js';

const dir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../vectors/damaged');
const manifest = JSON.parse(readFileSync(path.join(dir, 'expected.json'), 'utf8')) as { passphrase: string; vectors: VectorExpectation[] };

let root: string;
beforeAll(async () => {
  root = await tempDir('coffer-vectors-');
});
afterAll(async () => {
  await removeDir(root);
});

describe('damaged-file vectors', () => {
  it('expected.json lists every vector file, and every listed file exists', () => {
    const files = readdirSync(dir).filter((n) => n.endsWith('.coffer.txt')).sort();
    expect(manifest.vectors.map((v) => v.file).sort()).toEqual(files);
    expect(files.length).toBeGreaterThanOrEqual(15);
    for (const v of manifest.vectors) {
      if (v.expect !== 'ok') expect(v.parts?.length, `${v.file} declares no part`).toBeGreaterThan(0);
    }
  });

  for (const v of manifest.vectors) {
    it(`${v.file}: ${v.expect === 'ok' ? 'opens' : `${v.expect} naming ${v.parts!.join(' or ')}`}`, async () => {
      const file = path.join(root, v.file.replace(/\.coffer\.txt$/, '.coffer'));
      await copyFile(path.join(dir, v.file), file);
      const bytes = await readFile(file);
      const warnings: string[] = [];
      let error: CofferError | undefined;
      try {
        const vault = await openVault({ path: file, profileDir: freshProfile(root), passphrase: Buffer.from(manifest.passphrase), onWarning: (m) => warnings.push(m) });
        try {
          const names = vault.secrets.list().map((s) => s.id.split('/').pop()!);
          const secrets: Record<string, string> = {};
          for (const n of names) secrets[n] = Buffer.from(await vault.secrets.getValue(n)).toString('utf8');
          expect(v.expect, `${v.file} opened: ${JSON.stringify(secrets)}`).toBe('ok');
          expect(secrets).toEqual(v.secrets);
          expect(warnings.some((w) => INTERRUPTED_WARNING.test(w))).toBe(v.interruptedSave ?? false);
        } finally {
          vault.close();
        }
      } catch (e) {
        if (!(e instanceof CofferError)) throw e;
        error = e;
      }
      if (v.expect !== 'ok') {
        expect(error, `${v.file}: expected ${v.expect}`).toBeDefined();
        expect(error!.code, error!.message).toBe(v.expect);
        expect(error!.exitCode).toBe(5);
        expect(v.parts, `${v.file}: ${error!.message}`).toContain(error!.part);
        expect(error!.message.startsWith(`${error!.part}: `)).toBe(true);
        if (v.message) expect(error!.message).toContain(v.message);
      } else {
        expect(error?.message).toBeUndefined();
      }
      expect((await readFile(file)).equals(bytes), `${v.file}: opening wrote to it`).toBe(true);

      const report = await checkVaultFile(file);
      expect(report.ok, `${v.file}: vault check ${JSON.stringify(report.problems)}`).toBe(v.check.ok);
      if (v.check.interruptedSave !== undefined) expect(report.interruptedSave).toBe(v.check.interruptedSave);
    });
  }
});
