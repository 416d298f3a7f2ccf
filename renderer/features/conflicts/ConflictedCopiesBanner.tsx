/**
 * Shown while a sync service's conflicted copies lie beside the open vault
 * (Dropbox, OneDrive, Nextcloud, Syncthing: VAULT-MODEL V6): how many, from
 * which service, each one that cannot be merged with why, and Merge, which
 * main runs on the open vault; then what became of each copy, until closed.
 * Main is asked whenever a vault opens.
 */
import { useEffect, useId, useRef } from 'react';
import { L } from '../../app/labels.js';
import { ErrorAlert } from '../../lib/Dialog.js';
import { useSession } from '../vault/store.js';
import { useConflicts } from './store.js';

export function ConflictedCopiesBanner() {
  const vaultPath = useSession((s) => s.vault?.path ?? null);
  const copies = useConflicts((s) => s.copies);
  const report = useConflicts((s) => s.report);
  const busy = useConflicts((s) => s.busy);
  const error = useConflicts((s) => s.error);
  const titleId = useId();
  const closeRef = useRef<HTMLButtonElement>(null);

  useEffect(() => {
    if (vaultPath !== null) void useConflicts.getState().check();
  }, [vaultPath]);
  // The Merge button that had the focus is gone: the report's Close takes it.
  const reported = report !== null;
  useEffect(() => {
    if (reported) closeRef.current?.focus();
  }, [reported]);

  if (report !== null) {
    const partly = report.some((c) => !c.merged);
    return (
      <div className={`banner ${partly ? 'banner-warn' : 'banner-ok'}`} role="status" aria-labelledby={titleId}>
        <p id={titleId} className="banner-title">
          {partly ? L.conflictsPartlyMergedTitle : L.conflictsMergedTitle}
        </p>
        <ul className="plain">
          {report.map((c) => (
            <li key={c.path} className="break">
              {c.merged ? L.conflictMerged(c.name, c.added, c.movedTo) : L.conflictNotMerged(c.name, c.reason)}
            </li>
          ))}
        </ul>
        <button ref={closeRef} type="button" onClick={() => useConflicts.getState().dismiss()}>
          {L.closeButton}
        </button>
      </div>
    );
  }
  if (copies.length === 0) return null;
  const mergeable = copies.filter((c) => c.mergeable).length;
  const services = [...new Set(copies.map((c) => L.syncServiceNames[c.service] ?? c.service))];
  return (
    <div className="banner banner-warn" role="status" aria-labelledby={titleId} aria-busy={busy}>
      <p id={titleId} className="banner-title">
        {L.conflictsTitle(copies.length, services)}
      </p>
      <p>{L.conflictsExplain}</p>
      <ul className="plain" aria-label={L.conflictsList}>
        {copies.map((c) => (
          <li key={c.path} className="break">
            {c.mergeable ? c.name : L.conflictLeft(c.name, c.reason ?? '')}
          </li>
        ))}
      </ul>
      <ErrorAlert message={error} />
      {mergeable > 0 ? (
        <button type="button" className="primary" onClick={() => void useConflicts.getState().merge()}>
          {busy ? L.conflictsMerging : L.conflictsMergeButton(mergeable)}
        </button>
      ) : null}
    </div>
  );
}
