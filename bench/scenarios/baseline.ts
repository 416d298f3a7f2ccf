/** Peak memory of a child that only loads the engine (tsx + modules): the floor under every other figure. */
import { childArgs, emit, runChild } from '../lib/common.js';

runChild(async () => {
  childArgs<Record<string, never>>();
  const engine = await import('../../electron/vault/vault.js');
  emit('engineExports', Object.keys(engine).length);
});
