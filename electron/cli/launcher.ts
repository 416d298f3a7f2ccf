/**
 * Where this installation of coffer is: bin/coffer.mjs (what `coffer git
 * setup` registers as the merge driver) and package.json (the version).
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CofferError } from '../vault/index.js';

/** bin/coffer.mjs of this installation, found from this file (src or dist) upwards. */
export function launcherPath(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = join(dir, 'bin', 'coffer.mjs');
    if (existsSync(candidate) && existsSync(join(dir, 'package.json'))) return resolve(candidate);
    const parent = dirname(dir);
    if (parent === dir) throw new CofferError('Internal', 'Cannot find bin/coffer.mjs above the CLI');
    dir = parent;
  }
}

/** The version in this installation's package.json ('0.0.0' if it cannot be read). */
export function packageVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(join(dirname(dirname(launcherPath())), 'package.json'), 'utf8')) as {
      version?: unknown;
    };
    return typeof pkg.version === 'string' ? pkg.version : '0.0.0';
  } catch {
    return '0.0.0';
  }
}
