/// <reference lib="dom" />
/**
 * The conflicted-copy channels of the renderer's fake main (fake-api.ts): the
 * copies a test puts beside the open vault, as main lists them; merging adds
 * each mergeable copy's secrets to the vault (what the union of commits does),
 * renames it aside and leaves the others, each with its reason.
 */
import type { ConflictedCopyOutcome, ConflictedCopyView, ErrorResult, Result } from '../../../shared/contract.js';

/** A copy beside the vault; `secrets` are what merging it adds to the vault (name → value). */
export interface FakeConflictedCopy extends ConflictedCopyView {
  secrets?: Record<string, string>;
}

/** What the fake's vault keeps of its copies. */
export interface FakeConflictsHolder {
  conflictedCopies?: FakeConflictedCopy[];
}

/** The name a merged copy is renamed to (the engine's `<copy>.merged-<UTC time>`). */
export const mergedName = (name: string): string => `${name}.merged-20261204T101500Z`;

const ok = <T>(value: T): Result<T> => ({ ok: true, value });

export function conflictedCopyChannels<V extends FakeConflictsHolder>(ctx: { vault(): V | ErrorResult; addSecret(vault: V, name: string, value: string): void }) {
  return {
    'vault:conflictedCopies': () => {
      const v = ctx.vault();
      if ('ok' in v) return v;
      return ok((v.conflictedCopies ?? []).map(({ secrets: _s, ...view }) => view));
    },
    'vault:mergeConflictedCopies': () => {
      const v = ctx.vault();
      if ('ok' in v) return v;
      const outcomes: ConflictedCopyOutcome[] = [];
      const left: FakeConflictedCopy[] = [];
      for (const c of v.conflictedCopies ?? []) {
        const { path, name, service } = c;
        if (!c.mergeable) {
          outcomes.push({ path, name, service, merged: false, code: 'BadParameter', reason: c.reason ?? '' });
          left.push(c);
          continue;
        }
        const added = Object.entries(c.secrets ?? {});
        for (const [n, value] of added) ctx.addSecret(v, n, value);
        outcomes.push({ path, name, service, merged: true, added: added.length, movedTo: mergedName(name) });
      }
      v.conflictedCopies = left;
      return ok(outcomes);
    },
  };
}
