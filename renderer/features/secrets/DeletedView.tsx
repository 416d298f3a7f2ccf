/** Deleted secrets: recover, or purge after a confirmation. */
import { useEffect, useState } from 'react';
import { L } from '../../app/labels.js';
import { formatTime, nameFromId } from '../../lib/format.js';
import { ConfirmDialog } from './dialogs.js';
import { useSecrets } from './store.js';

export function DeletedView() {
  const deleted = useSecrets((s) => s.deleted);
  const { loadDeleted, recover, purge } = useSecrets.getState();
  const [purging, setPurging] = useState<string | null>(null);

  useEffect(() => {
    void loadDeleted();
  }, [loadDeleted]);

  if (deleted === null) return <p className="muted">{L.loading}</p>;
  if (deleted.length === 0) return <p className="empty">{L.emptyDeleted}</p>;

  const rows = deleted.map((d) => ({ name: nameFromId(d.id), d })).sort((a, b) => a.name.localeCompare(b.name));
  return (
    <>
      <ul className="deleted-list" aria-label={L.deletedList}>
        {rows.map(({ name, d }) => (
          <li key={name}>
            <span className="row-name">{name}</span>
            <span className="muted">
              {L.deletedOn(formatTime(d.deletedDate))}, {L.purgeOn(formatTime(d.scheduledPurgeDate))}
            </span>
            <span className="actions">
              <button type="button" onClick={() => void recover(name)}>
                {L.recoverButton(name)}
              </button>
              <button type="button" className="danger" onClick={() => setPurging(name)}>
                {L.purgeButton(name)}
              </button>
            </span>
          </li>
        ))}
      </ul>
      {purging !== null ? (
        <ConfirmDialog
          title={L.purgeDialog(purging)}
          text={L.purgeExplain}
          confirm={L.purgeConfirm}
          onConfirm={() => purge(purging)}
          onClose={() => setPurging(null)}
        />
      ) : null}
    </>
  );
}
