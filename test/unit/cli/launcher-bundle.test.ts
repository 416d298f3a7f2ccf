/**
 * bin/coffer.mjs picks what to run: the bundle (dist/cli/coffer.bundle.js,
 * with its code cache) unless tsc's modules (dist/electron/cli/main.js) are
 * newer or the bundle is missing. Checked on a copy of the launcher in a
 * made-up installation, with stand-ins for the two builds.
 */
import { spawnSync } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { COFFER_BIN } from '../../helpers/cli.js';

const BUNDLE_ID = '// coffer CLI bundle 0123456789abcdef0123456789abcdef\n';
const BUNDLE = `${BUNDLE_ID}(function (exports, require, module, __filename, __dirname) {
'use strict';
exports.main = async (argv) => { process.stdout.write('bundle ' + argv.join(' ')); return 3; };
})`;
const MODULES = "export async function main(argv) { process.stdout.write('modules ' + argv.join(' ')); return 4; }\n";

let root: string;
const bundlePath = (): string => join(root, 'dist', 'cli', 'coffer.bundle.js');
const modulesPath = (): string => join(root, 'dist', 'electron', 'cli', 'main.js');

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'coffer-launcher-'));
  await mkdir(join(root, 'bin'));
  await copyFile(COFFER_BIN, join(root, 'bin', 'coffer.mjs'));
  await writeFile(join(root, 'package.json'), '{ "type": "module" }\n');
});

afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

async function writeBuilds(which: { bundle?: Date; modules?: Date }): Promise<void> {
  if (which.bundle) {
    await mkdir(join(root, 'dist', 'cli'), { recursive: true });
    await writeFile(bundlePath(), BUNDLE);
    await utimes(bundlePath(), which.bundle, which.bundle);
  }
  if (which.modules) {
    await mkdir(join(root, 'dist', 'electron', 'cli'), { recursive: true });
    await writeFile(modulesPath(), MODULES);
    await utimes(modulesPath(), which.modules, which.modules);
  }
}

function coffer(...args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [join(root, 'bin', 'coffer.mjs'), ...args], { encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const EARLIER = new Date('2030-01-01T00:00:00Z');
const LATER = new Date('2030-01-01T00:01:00Z');

describe('bin/coffer.mjs', () => {
  it('runs the bundle when it is at least as new as tsc’s modules, with the arguments and its exit code', async () => {
    await writeBuilds({ bundle: LATER, modules: EARLIER });
    expect(coffer('secret', 'get')).toEqual({ code: 3, stdout: 'bundle secret get', stderr: '' });
  });

  it('runs tsc’s modules when they are newer (tsc alone ran since the bundle was made) or the bundle is missing', async () => {
    await writeBuilds({ bundle: EARLIER, modules: LATER });
    expect(coffer('--version')).toEqual({ code: 4, stdout: 'modules --version', stderr: '' });
    await rm(bundlePath());
    expect(coffer('--version')).toEqual({ code: 4, stdout: 'modules --version', stderr: '' });
  });

  it('runs the bundle alone', async () => {
    await writeBuilds({ bundle: LATER });
    expect(coffer('--help').stdout).toBe('bundle --help');
  });

  it('says the CLI is not built when neither is there', async () => {
    expect(coffer('--version')).toEqual({
      code: 1,
      stdout: '',
      stderr: 'coffer: error: Internal: the CLI is not built; run `npm run build` in the coffer folder\n',
    });
  });

  it('ignores a code cache made for another build, and runs the same when V8 refuses the cache', async () => {
    await writeBuilds({ bundle: LATER });
    await writeFile(`${bundlePath()}.cache`, `// coffer CLI bundle ffffffffffffffffffffffffffffffff\n${'x'.repeat(64)}`);
    expect(coffer('a').stdout).toBe('bundle a');
    await writeFile(`${bundlePath()}.cache`, `${BUNDLE_ID}${'not V8 code '.repeat(8)}`);
    expect(coffer('b')).toEqual({ code: 3, stdout: 'bundle b', stderr: '' });
  });
});
