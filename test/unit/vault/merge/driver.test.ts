// `coffer vault merge-driver BASE OURS THEIRS` (git's %O %A %B) hands the common
// ancestor to the engine as a hint; `vault merge` has none. In-process, with the
// CLI's fake engine recording what the merge was asked, then with the real engine
// (the result is OURS, and git's ancestor is used as the shared prefix).
import { copyFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { main } from '../../../../electron/cli/main.js';
import type { MergeResult } from '../../../../electron/vault/api.js';
import { mergeVaultFilesDetailed, type MergeDetails, type MergeOptions } from '../../../../electron/vault/merge/merge.js';
import { fakeEngine, testIo } from '../../cli/fake-engine.js';
import { cleanupTemp, create, open, stateOfFile, tempDir, text } from './helpers.js';

let home: string;
beforeEach(async () => {
  home = await tempDir('coffer-merge-driver-');
});
afterAll(cleanupTemp);

/** Runs `coffer args` in-process with an engine whose merge is `merge`; returns the exit code and stderr. */
async function run(args: string[], merge: (ours: string, theirs: string, output: string, options?: MergeOptions) => Promise<MergeResult>): Promise<{ code: number; stderr: string }> {
  const engine = { ...fakeEngine(), mergeVaultFiles: merge };
  const io = testIo({ engine, cwd: home, env: { COFFER_HOME: home } });
  const code = await main(args, io);
  return { code, stderr: io.err() };
}

describe('vault merge-driver', () => {
  it('passes BASE (resolved against the working folder) to the engine; `vault merge` passes none', async () => {
    const calls: unknown[][] = [];
    const record = async (...a: unknown[]): Promise<MergeResult> => {
      calls.push(a);
      return { commits: 1, added: 0 };
    };
    expect(await run(['vault', 'merge-driver', '.merge_file_base', 'ours.coffer', '.merge_file_theirs'], record)).toEqual({ code: 0, stderr: '' });
    expect(calls[0]).toEqual([join(home, 'ours.coffer'), join(home, '.merge_file_theirs'), join(home, 'ours.coffer'), { base: join(home, '.merge_file_base') }]);
  });

  it("with the real engine, the result is OURS and git's ancestor is the shared prefix", async () => {
    const base = join(home, 'base.coffer');
    (await create(base, join(home, 'profile-base'))).close();
    const ours = join(home, 'ours.coffer');
    const theirs = join(home, 'theirs.coffer');
    for (const [path, name] of [
      [ours, 'o'],
      [theirs, 't'],
    ] as const) {
      await copyFile(base, path);
      const v = await open(path, join(home, `profile-${name}`));
      await v.secrets.set({ name, value: text(name) });
      v.close();
    }
    let details: MergeDetails | undefined;
    const real = async (o: string, t: string, output: string, options?: MergeOptions): Promise<MergeResult> => {
      details = await mergeVaultFilesDetailed(o, t, output, { ...options, profileDir: join(home, 'profile-merge') });
      return details;
    };
    expect(await run(['vault', 'merge-driver', 'base.coffer', 'ours.coffer', 'theirs.coffer'], real)).toEqual({ code: 0, stderr: '' });
    expect(details).toMatchObject({ shared: 'base', added: 1, wrote: 'append' });
    expect(Object.keys((await stateOfFile(ours, home)).objects).sort()).toEqual(['o', 't']);
  });
});
