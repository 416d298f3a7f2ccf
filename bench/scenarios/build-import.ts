/**
 * Fixture for scenario (2): a vault of N secrets × 5 versions written by ONE
 * `secrets.import` call (the `coffer secret import` path: one commit holding
 * every version). Reports the import time and the file size.
 */
import { stat } from 'node:fs/promises';
import type { ImportEntry } from '../../electron/vault/api.js';
import { createVault } from '../../electron/vault/vault.js';
import { childArgs, emit, progress, runChild, timed } from '../lib/common.js';
import { passphrase, quiet, secretName, secretValue, SMALL_KDF } from '../lib/fixtures.js';

interface Args {
  path: string;
  profileDir: string;
  secrets: number;
  versions: number;
}

runChild(async () => {
  const a = childArgs<Args>();
  const vault = await createVault({ path: a.path, profileDir: a.profileDir, passphrase: passphrase(), kdf: SMALL_KDF, onWarning: quiet });
  const entries: ImportEntry[] = [];
  for (let v = 0; v < a.versions; v++) for (let i = 0; i < a.secrets; i++) entries.push({ name: secretName(i), value: secretValue(i, v) });
  progress(`importing ${entries.length.toLocaleString('en')} entries in one commit...`);
  const { ms, value } = await timed(() => vault.secrets.import(entries));
  if (value.imported !== a.secrets || value.versions !== entries.length) throw new Error(`import returned ${JSON.stringify(value)}`);
  vault.close();
  await vault.settled();
  emit('importMs', ms);
  emit('fileBytes', (await stat(a.path)).size);
  emit('commits', 3);
});
