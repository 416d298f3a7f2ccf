/** A kind's deleted objects: when each was deleted and will be purged; recover, or purge after a confirmation. */
import { useEffect, useState } from 'react';
import type { ErrorResult } from '../../../shared/contract.js';
import type { DeletionInfo } from '../../../shared/keyvault.js';
import { L } from '../../app/labels.js';
import { ConfirmDialog } from '../Dialog.js';
import { formatTime } from '../format.js';
import { byName } from './status.js';

export interface DeletedListProps<D extends DeletionInfo> {
  deleted: D[] | null;
  nameOf: (item: D) => string;
  load: () => Promise<void>;
  recover: (name: string) => Promise<void>;
  purge: (name: string) => Promise<ErrorResult | null>;
  labels: { list: string; empty: string };
}

export function DeletedList<D extends DeletionInfo>({ deleted, nameOf, load, recover, purge, labels }: DeletedListProps<D>) {
  const [purging, setPurging] = useState<string | null>(null);

  useEffect(() => {
    void load();
  }, [load]);

  if (deleted === null) return <p className="muted">{L.loading}</p>;
  if (deleted.length === 0) return <p className="empty">{labels.empty}</p>;

  const rows = deleted.map((d) => ({ name: nameOf(d), d })).sort(byName);
  return (
    <>
      <ul className="deleted-list" aria-label={labels.list}>
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
        <ConfirmDialog title={L.purgeDialog(purging)} text={L.purgeExplain} confirm={L.purgeConfirm} onConfirm={() => purge(purging)} onClose={() => setPurging(null)} />
      ) : null}
    </>
  );
}
