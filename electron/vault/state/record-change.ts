/**
 * How the vault's history (state/history.ts) names what a record of an object
 * kind did. Each kind describes its own records, next to their schemas, and
 * registers its describer in state/kinds.ts: adding a kind edits no switch here.
 */
import type { HistoryChange } from '../../../shared/vault-types.js';

/** A kind's describer: the change a record made, or undefined for bookkeeping (keys wrapped to a grantee…). */
export type DescribeRecord = (r: { t: string }) => HistoryChange | undefined;

/**
 * The usual describer: each record names one object of `collection` by `name` (and a
 * `version`); `actions` gives each record type's word, and a record type it lacks is bookkeeping.
 */
export function describeNamed(collection: string, actions: Readonly<Record<string, string>>): DescribeRecord {
  return (r) => {
    const action = Object.hasOwn(actions, r.t) ? actions[r.t]! : undefined;
    if (action === undefined) return undefined;
    const { name, version, versions } = r as { name?: string; version?: string; versions?: string[] };
    return {
      kind: collection,
      object: name === undefined ? collection : `${collection}/${name}`,
      ...(version !== undefined ? { version } : {}),
      action,
      ...(versions !== undefined ? { detail: `${versions.length} version${versions.length === 1 ? '' : 's'}` } : {}),
    };
  };
}
