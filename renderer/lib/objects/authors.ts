/**
 * Who wrote each version of one object, from the vault's history (main's
 * `vault:history` with `object`): the author of the commit that made each
 * version. Asked again when the versions shown change (a write, or another
 * writer's change taken in).
 */
import { useEffect, useState } from 'react';
import type { HistoryEntry } from '../../../shared/vault-types.js';
import { call } from '../api.js';

export type VersionAuthors = ReadonlyMap<string, HistoryEntry['author']>;

/** Null while asked for (or when `object` is null); a version missing from the map was written where this member cannot read. */
export function useVersionAuthors(object: string | null, versions: readonly string[]): VersionAuthors | null {
  const [authors, setAuthors] = useState<{ key: string; map: VersionAuthors } | null>(null);
  const key = `${object ?? ''} ${versions.join(',')}`;
  useEffect(() => {
    if (object === null) return;
    let live = true;
    void call('vault:history', { object }).then((r) => {
      if (!live) return;
      const map = new Map<string, HistoryEntry['author']>();
      // Newest first: a version's oldest "new version" is the one that made it.
      if (r.ok) for (const e of r.value) for (const c of e.changes ?? []) if (c.action === 'new version' && c.version !== undefined && e.rejected === undefined) map.set(c.version, e.author);
      setAuthors({ key, map });
    });
    return () => {
      live = false;
    };
  }, [object, key]);
  return authors?.key === key ? authors.map : null;
}
