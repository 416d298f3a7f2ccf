/**
 * Scenario (5): mergeVaultFiles of two copies of the many-commit vault, each
 * with its own divergent changes (no unlock: union of signed commits). Each
 * repetition writes a new output file.
 */
import { rm, stat } from 'node:fs/promises';
import { mergeVaultFiles } from '../../electron/vault/vault.js';
import { childArgs, emit, now, progress, runChild, summarize } from '../lib/common.js';

interface Args {
  ours: string;
  theirs: string;
  output: string;
  reps: number;
  expectAdded: number;
}

runChild(async () => {
  const a = childArgs<Args>();
  const ms: number[] = [];
  let commits = 0;
  for (let r = 0; r < a.reps; r++) {
    await rm(a.output, { force: true });
    const t = now();
    const res = await mergeVaultFiles(a.ours, a.theirs, a.output);
    ms.push(now() - t);
    if (res.added !== a.expectAdded) throw new Error(`merge added ${res.added} commits, expected ${a.expectAdded}`);
    commits = res.commits;
    progress(`merge ${r + 1}/${a.reps}: ${(ms[r]!).toFixed(0)} ms, ${res.commits} commits (${res.added} added)`);
  }
  emit('mergeMs', summarize(ms));
  emit('commits', commits);
  emit('outputBytes', (await stat(a.output)).size);
});
