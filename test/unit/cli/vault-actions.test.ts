// `coffer vault merge --conflicts` (vault-actions.ts) through the built CLI: a sync folder's
// conflicted copy merged with no passphrase and moved aside; a copy of another vault reported
// with the batch exit code; --conflicts refused beside --other; plain `vault merge` unchanged.
import { copyFile, mkdir, readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_KDF_ARGS, json, makeTempHome, removeTempHome, runCoffer, writePassphraseFile, type CofferResult } from '../../helpers/cli.js';

const PASSPHRASE = 'conflicted copies passphrase';

interface Report {
  vault: string;
  copies: { file: string; service: string; result: string; added?: number; movedTo?: string; code?: string; message?: string }[];
  summary: Record<string, number>;
}

let laptop: string;
let desktop: string;
let folder: string;
let vault: string;
let pw: string;

/** `coffer ARGS` on the laptop (its own profile), no passphrase unless given. */
const onLaptop = (args: string[]): Promise<CofferResult> => runCoffer(args, { home: laptop, cwd: folder });
const withPassphrase = (home: string, args: string[]): Promise<CofferResult> => runCoffer(['--passphrase-file', pw, ...args], { home, cwd: folder });

beforeAll(async () => {
  laptop = await makeTempHome();
  desktop = await makeTempHome();
  folder = join(laptop, 'Nextcloud');
  await mkdir(folder);
  pw = await writePassphraseFile(laptop, PASSPHRASE);
  vault = join(folder, 'team.coffer');
  expect((await withPassphrase(laptop, ['vault', 'create', '--vault', vault, ...TEST_KDF_ARGS])).code).toBe(0);
});

afterAll(async () => {
  await removeTempHome(laptop);
  await removeTempHome(desktop);
});

describe('coffer vault merge --conflicts', () => {
  it('merges a conflicted copy with no passphrase, moves it aside and prints the report (exit 0)', async () => {
    const copy = join(folder, 'team (conflicted copy 2026-12-04 101500).coffer');
    await copyFile(vault, copy);
    expect((await withPassphrase(desktop, ['secret', 'set', '-n', 'from-desktop', '--value', 'desktop value', '--vault', copy])).code).toBe(0);
    expect((await withPassphrase(laptop, ['secret', 'set', '-n', 'from-laptop', '--value', 'laptop value', '--vault', vault])).code).toBe(0);
    const copyBytes = await readFile(copy);

    const r = await onLaptop(['vault', 'merge', '--conflicts', '--vault', 'team.coffer']);
    expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: '' });
    const report = json<Report>(r);
    expect(report).toEqual({
      vault,
      copies: [{ file: copy, service: 'nextcloud', result: 'merged', added: 1, movedTo: expect.stringMatching(/\.coffer\.merged-\d{8}T\d{6}Z$/) }],
      summary: { merged: 1, 'other-vault': 0, damaged: 0, failed: 0 },
    });
    expect(await readFile(report.copies[0]!.movedTo!)).toEqual(copyBytes);
    expect(await readdir(folder)).not.toContain('team (conflicted copy 2026-12-04 101500).coffer');
    const got = await withPassphrase(laptop, ['secret', 'get', '-n', 'from-desktop', '--vault', vault]);
    expect(got.stdout.toString()).toBe('desktop value');
    // No secret value reaches the report.
    expect(r.stdout.toString()).not.toMatch(/desktop value|laptop value/);
  });

  it('reports a copy of another vault, leaves it alone and exits with its code (2, BadParameter) after printing the report', async () => {
    const other = join(folder, 'team.sync-conflict-20261204-101500-ABCDEF7.coffer');
    expect((await withPassphrase(desktop, ['vault', 'create', '--vault', other, ...TEST_KDF_ARGS])).code).toBe(0);
    const before = await readFile(other);
    const r = await onLaptop(['vault', 'merge', '--conflicts', '--vault', vault]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^coffer: error: BadParameter: 1 of 1 conflicted copies were not merged and were left as they are: [^\n]*a copy of another vault[^\n]*\n$/);
    expect(json<Report>(r)).toMatchObject({ copies: [{ file: other, service: 'syncthing', result: 'other-vault', code: 'BadParameter' }], summary: { merged: 0, 'other-vault': 1 } });
    expect(await readFile(other)).toEqual(before);
  });

  it('is refused beside --other or --output (exit 2); without either, vault merge asks for one; --other still merges as before', async () => {
    for (const extra of [['--other', 'x.coffer'], ['--output', 'y.coffer']]) {
      const r = await onLaptop(['vault', 'merge', '--conflicts', ...extra, '--vault', vault]);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/^coffer: error: BadParameter: --conflicts merges the copies beside the vault into it/);
    }
    const none = await onLaptop(['vault', 'merge', '--vault', vault]);
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/^coffer: error: BadParameter: Give --other FILE/);

    const another = join(laptop, 'another.coffer');
    await copyFile(vault, another);
    const plain = await onLaptop(['vault', 'merge', '--other', another, '--vault', vault]);
    expect({ code: plain.code, stderr: plain.stderr }).toEqual({ code: 0, stderr: '' });
    expect(json(plain)).toEqual({ commits: expect.any(Number), added: 0 });
  });
});
