/** How the renderer words a commit of the history: in the History view, and in the notice of changes by others. */
import type { HistoryChange, HistoryEntry } from '../../../shared/vault-types.js';
import { L } from '../../app/labels.js';

/** "new version of secrets/db (3fa2b1c0)", "member added — Bob: Key Vault Reader". */
export function changeText(c: HistoryChange): string {
  // Membership and the vault's own changes name no object of their own worth showing: the detail says who.
  const object = c.kind === 'members' || c.object === c.kind ? undefined : c.object;
  return L.historyChange(c.action, object, c.version, c.detail);
}

/** What a commit did, in one line: its changes, why it was not applied, or why it cannot be read. */
export function entryText(e: HistoryEntry): string {
  if (e.changes === null) return L.historyUnreadable(e.unreadable ?? '');
  const what = e.changes.length > 0 ? e.changes.map(changeText).join(', ') : L.historyNothingNamed;
  return e.rejected === undefined ? what : `${what}. ${L.historyRejectedReason(e.rejected)}`;
}

/** How many commits the notice of changes by others words; the rest are counted. */
const NOTICE_COMMITS = 3;

/** "Changed by Alice: new version of secrets/db (3fa2b1c0)." for the newest few of `count` new commits. */
export function changedNotice(commits: readonly HistoryEntry[], count: number): string {
  const shown = commits.slice(0, NOTICE_COMMITS);
  return L.vaultChangedNotice(
    // changedBy ends the sentence: an entry's text that already does (unreadable, rejected) loses its own full stop.
    shown.map((e) => L.changedBy(e.author.name, entryText(e).replace(/\.$/, ''))),
    count - shown.length,
  );
}
