/**
 * What each `coffer identity` verb does (./identity-commands.ts declares them):
 * loaded when a verb runs, with the identity files of the engine.
 */
import { existsSync } from 'node:fs';
import { userInfo } from 'node:os';
import { resolve } from 'node:path';
import { ensureProfileDir, loadIdentities, resolveProfileDir, type IdentityCard } from '../vault/index.js';
import type { CliIo } from './io.js';
import { printJson, printWarning } from './output.js';
import { identityPassphrase } from './unlock.js';
import { kdfFromOptions, type KdfOptions } from './vault-actions.js';

export interface IdentityShowOptions {
  file?: string;
  output: 'json' | 'text';
}

export interface IdentityCreateOptions extends IdentityShowOptions, KdfOptions {
  name?: string;
  force?: boolean;
}

/** `-f FILE`, else identity.json in the profile folder (made, mode 0700, when it is the one used). */
async function identityPath(io: CliIo, file: string | undefined, create: boolean): Promise<string> {
  if (file !== undefined) return resolve(io.cwd, file);
  const profileDir = resolve(io.cwd, resolveProfileDir(io.env));
  if (create) await ensureProfileDir(profileDir);
  return (await loadIdentities()).defaultIdentityPath(profileDir);
}

/** The login name, as a default display name; "member" where the OS has none. */
function loginName(): string {
  try {
    return userInfo().username || 'member';
  } catch {
    return 'member';
  }
}

/** `identity create`: checks everything it can before asking for the passphrase. */
export async function createIdentity(io: CliIo, opts: IdentityCreateOptions): Promise<void> {
  const identities = await loadIdentities();
  const kdf = kdfFromOptions(opts);
  const name = identities.checkDisplayName(opts.name ?? loginName());
  const path = await identityPath(io, opts.file, true);
  // Refused before the passphrase is asked; the write itself refuses atomically all the same.
  if (opts.force !== true && existsSync(path)) throw identities.identityExists(path);
  const passphrase = await identityPassphrase(io, path, 'create');
  let card: IdentityCard;
  try {
    card = await identities.createIdentityFile({
      path,
      passphrase,
      name,
      ...(kdf ? { kdf } : {}),
      overwrite: opts.force === true,
      onWarning: (m) => printWarning(io, m),
    });
  } finally {
    passphrase.fill(0);
  }
  await printCard(io, card, path, opts.output);
}

/** `identity show`: no passphrase. */
export async function showIdentity(io: CliIo, opts: IdentityShowOptions): Promise<void> {
  const path = await identityPath(io, opts.file, false);
  const card = await (await loadIdentities()).readIdentityFile(path);
  await printCard(io, card, path, opts.output);
}

function printCard(io: CliIo, card: IdentityCard, file: string, output: 'json' | 'text'): Promise<void> {
  if (output === 'json') return printJson(io, { ...card, file });
  const text = `name: ${card.name}\nid: ${card.id}\nfingerprint: ${card.fingerprint}\ninvite: ${card.invite}\nfile: ${file}\n`;
  return new Promise((done) => io.stdout.write(text, () => done()));
}
