/** A secret's detail: every version with its attributes, and what can be done to each. */
import { useId, useState } from 'react';
import type { SecretItem } from '../../../shared/keyvault.js';
import { L, shortVersion } from '../../app/labels.js';
import { useClock } from '../../lib/clock.js';
import { formatTime, versionFromId } from '../../lib/format.js';
import { useSession } from '../vault/store.js';
import { Chips } from './Chips.js';
import { ConfirmDialog, EditDialog, NewVersionDialog } from './dialogs.js';
import { chipsOf } from './status.js';
import { useSecrets } from './store.js';

type Open = { kind: 'newVersion' } | { kind: 'delete' } | { kind: 'edit'; version: SecretItem } | null;

export function SecretDetail() {
  const name = useSecrets((s) => s.selected);
  const versions = useSecrets((s) => s.versions);
  const remove = useSecrets((s) => s.remove);
  const retention = useSession((s) => s.vault?.retentionDays ?? null);
  const [dialog, setDialog] = useState<Open>(null);
  const headingId = useId();

  if (name === null) return <p className="muted hint-pane">{L.selectHint}</p>;

  return (
    <section className="detail" aria-label={L.detailRegion(name)}>
      <div className="detail-head">
        <h2 id={headingId}>{name}</h2>
        <div className="actions">
          <button type="button" onClick={() => setDialog({ kind: 'newVersion' })}>
            {L.newVersionButton}
          </button>
          <button type="button" className="danger" onClick={() => setDialog({ kind: 'delete' })}>
            {L.deleteSecretButton}
          </button>
        </div>
      </div>
      {versions === null ? (
        <p className="muted">{L.loading}</p>
      ) : (
        <div className="table-wrap">
          <table aria-label={L.versionsTable}>
            <thead>
              <tr>
                <th scope="col">{L.colVersion}</th>
                <th scope="col">{L.colStatus}</th>
                <th scope="col">{L.colCreated}</th>
                <th scope="col">{L.colUpdated}</th>
                <th scope="col">{L.colNotBefore}</th>
                <th scope="col">{L.colExpires}</th>
                <th scope="col">{L.colContentType}</th>
                <th scope="col">{L.colTags}</th>
                <th scope="col">{L.colActions}</th>
              </tr>
            </thead>
            <tbody>
              {versions.map((v) => (
                <VersionRows key={v.id} name={name} item={v} onEdit={() => setDialog({ kind: 'edit', version: v })} />
              ))}
            </tbody>
          </table>
        </div>
      )}
      {dialog?.kind === 'newVersion' ? <NewVersionDialog name={name} onClose={() => setDialog(null)} /> : null}
      {dialog?.kind === 'edit' ? <EditDialog name={name} version={dialog.version} onClose={() => setDialog(null)} /> : null}
      {dialog?.kind === 'delete' ? (
        <ConfirmDialog
          title={L.deleteDialog(name)}
          text={L.deleteExplain(retention)}
          confirm={L.deleteConfirm}
          onConfirm={() => remove(name)}
          onClose={() => setDialog(null)}
        />
      ) : null}
    </section>
  );
}

function VersionRows({ name, item, onEdit }: { name: string; item: SecretItem; onEdit: () => void }) {
  const version = versionFromId(item.id);
  const short = shortVersion(version);
  const value = useSecrets((s) => s.revealed[version]);
  const { reveal, hide, copy, setEnabled } = useSecrets.getState();
  const now = Math.floor(useClock().now() / 1000);
  const a = item.attributes;
  const chips = chipsOf(a, now);
  return (
    <>
      <tr>
        <th scope="row">
          <code title={version}>{short}</code>
        </th>
        <td>{chips.length === 0 ? <span className="chip chip-ok">{L.chipEnabled}</span> : <Chips chips={chips} />}</td>
        <td>{formatTime(a.created)}</td>
        <td>{formatTime(a.updated)}</td>
        <td>{formatTime(a.nbf)}</td>
        <td>{formatTime(a.exp)}</td>
        <td>{item.contentType ?? ''}</td>
        <td>
          {Object.entries(item.tags ?? {}).map(([k, v]) => (
            <span key={k} className="tag">
              {k}={v}
            </span>
          ))}
        </td>
        <td className="row-actions">
          {value === undefined ? (
            <button type="button" aria-label={L.revealVersion(short)} disabled={!a.enabled} onClick={() => void reveal(name, version)}>
              Reveal
            </button>
          ) : (
            <button type="button" aria-label={L.hideVersion(short)} onClick={() => hide(version)}>
              Hide
            </button>
          )}
          <button type="button" aria-label={L.copyVersion(short)} disabled={!a.enabled} onClick={() => void copy(name, version)}>
            Copy
          </button>
          {a.enabled ? (
            <button type="button" aria-label={L.disableVersion(short)} onClick={() => void setEnabled(name, version, false)}>
              Disable
            </button>
          ) : (
            <button type="button" aria-label={L.enableVersion(short)} onClick={() => void setEnabled(name, version, true)}>
              Enable
            </button>
          )}
          <button type="button" aria-label={L.editVersion(short)} onClick={onEdit}>
            Edit
          </button>
        </td>
      </tr>
      {value === undefined ? null : (
        <tr className="revealed-row">
          <td colSpan={9}>
            <section aria-label={L.revealedValue(short)} className="revealed">
              <pre>{value}</pre>
            </section>
          </td>
        </tr>
      )}
    </>
  );
}
