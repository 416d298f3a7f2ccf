/**
 * The `vault:history` channel of the renderer's fake main (fake-api.ts): the
 * entries a test gives a vault (FakeVault.history, newest first), filtered as
 * the engine filters them: from `since` on (a commit whose time is unknown is
 * kept), or only the changes to `object`.
 */
import type { ChannelInput, ErrorResult, Result } from '../../../shared/contract.js';
import type { HistoryEntry } from '../../../shared/vault-types.js';

export function historyChannels(deps: { store: () => { history?: HistoryEntry[] } | ErrorResult }): {
  'vault:history': (input: ChannelInput<'vault:history'>) => Result<HistoryEntry[]>;
} {
  return {
    'vault:history': ({ since, object }) => {
      const v = deps.store();
      if ('ok' in v) return v;
      const out: HistoryEntry[] = [];
      for (const e of v.history ?? []) {
        if (since !== undefined && e.time !== null && e.time < since) continue;
        if (object === undefined) {
          out.push(e);
          continue;
        }
        const changes = e.changes?.filter((c) => c.object.toLowerCase() === object.toLowerCase()) ?? [];
        if (changes.length > 0) out.push({ ...e, changes });
      }
      return { ok: true, value: out };
    },
  };
}
