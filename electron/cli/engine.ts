/**
 * The engine as the CLI sees it: VaultEngine (api.ts) plus the optional
 * `describeVaultFile` used by `vault textconv` (git diff). Loaded lazily so that
 * `coffer --help` and usage errors never pay for loading the engine, and so
 * tests can inject a fake through CliIo.engine.
 */
import { loadEngine as loadVaultEngine, type VaultEngine } from '../vault/index.js';

export type CliEngine = VaultEngine & {
  /** One line per commit (short id, short author id, seq, parents), read without unlocking. */
  describeVaultFile?: (path: string) => Promise<string[]>;
};

let loaded: Promise<CliEngine> | undefined;

export function loadEngine(): Promise<CliEngine> {
  loaded ??= loadVaultEngine();
  return loaded;
}
