/** A secret's detail: every version with its attributes, and what can be done to each. */
import { useState } from 'react';
import type { SecretItem } from '../../../shared/keyvault.js';
import { L } from '../../app/labels.js';
import { ConfirmDialog } from '../../lib/Dialog.js';
import { VersionsTable } from '../../lib/objects/VersionsTable.js';
import { useSession } from '../vault/store.js';
import { EditDialog, NewVersionDialog } from './dialogs.js';
import { useSecrets } from './store.js';

type Open = { kind: 'newVersion' } | { kind: 'delete' } | { kind: 'edit'; version: SecretItem } | null;

const CONTENT_TYPE_COLUMN = [{ header: L.colContentType, cell: (i: SecretItem) => i.contentType ?? '' }] as const;

export function SecretDetail() {
  const name = useSecrets((s) => s.selected);
  const versions = useSecrets((s) => s.versions);
  const revealed = useSecrets((s) => s.revealed);
  const { remove, reveal, hide, copy, setEnabled } = useSecrets.getState();
  const retention = useSession((s) => s.vault?.retentionDays ?? null);
  const [dialog, setDialog] = useState<Open>(null);

  if (name === null) return <p className="muted hint-pane">{L.selectHint}</p>;

  return (
    <section className="detail" aria-label={L.detailRegion(name)}>
      <div className="detail-head">
        <h2>{name}</h2>
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
        <VersionsTable
          versions={versions}
          idOf={(v) => v.id}
          columns={CONTENT_TYPE_COLUMN}
          actions={(v, version, short) => (
            <>
              {revealed[version] === undefined ? (
                <button type="button" aria-label={L.revealVersion(short)} disabled={!v.attributes.enabled} onClick={() => void reveal(name, version)}>
                  {L.revealShort}
                </button>
              ) : (
                <button type="button" aria-label={L.hideVersion(short)} onClick={() => hide(version)}>
                  {L.hideShort}
                </button>
              )}
              <button type="button" aria-label={L.copyVersion(short)} disabled={!v.attributes.enabled} onClick={() => void copy(name, version)}>
                {L.copyShort}
              </button>
              {v.attributes.enabled ? (
                <button type="button" aria-label={L.disableVersion(short)} onClick={() => void setEnabled(name, version, false)}>
                  {L.disableShort}
                </button>
              ) : (
                <button type="button" aria-label={L.enableVersion(short)} onClick={() => void setEnabled(name, version, true)}>
                  {L.enableShort}
                </button>
              )}
              <button type="button" aria-label={L.editVersion(short)} onClick={() => setDialog({ kind: 'edit', version: v })}>
                {L.editShort}
              </button>
            </>
          )}
          below={(_v, version, short) =>
            revealed[version] === undefined ? null : (
              <section aria-label={L.revealedValue(short)} className="revealed">
                <pre>{revealed[version]}</pre>
              </section>
            )
          }
        />
      )}
      {dialog?.kind === 'newVersion' ? <NewVersionDialog name={name} onClose={() => setDialog(null)} /> : null}
      {dialog?.kind === 'edit' ? <EditDialog name={name} version={dialog.version} onClose={() => setDialog(null)} /> : null}
      {dialog?.kind === 'delete' ? (
        <ConfirmDialog title={L.deleteDialog(name)} text={L.deleteExplain(retention)} confirm={L.deleteConfirm} onConfirm={() => remove(name)} onClose={() => setDialog(null)} />
      ) : null}
    </section>
  );
}
