/**
 * A key's detail: its type, the current version's operations allowed and
 * public key (PEM, thumbprint, copy as PEM or JWK), Rotate now, the rotation
 * policy, and every version with its attributes and what can be done to it
 * (use, enable or disable, edit).
 */
import { useEffect, useState } from 'react';
import type { KeyItem } from '../../../shared/keyvault.js';
import { L } from '../../app/labels.js';
import { ConfirmDialog } from '../../lib/Dialog.js';
import { nameFromId } from '../../lib/format.js';
import { VersionsTable } from '../../lib/objects/VersionsTable.js';
import { useSession } from '../vault/store.js';
import { EditKeyDialog } from './dialogs.js';
import { RotationPolicyDialog } from './RotationPolicyDialog.js';
import { useKeys } from './store.js';
import { UseKeyPanel } from './UseKeyPanel.js';

type Open = { kind: 'delete' } | { kind: 'policy' } | { kind: 'edit'; version: string } | null;

const EXPORTABLE_COLUMN = [{ header: L.colExportable, cell: (i: KeyItem) => (i.attributes.exportable ? L.yes : L.no) }] as const;

export function KeyDetail() {
  const name = useKeys((s) => s.selected);
  const versions = useKeys((s) => s.versions);
  const details = useKeys((s) => s.details);
  const items = useKeys((s) => s.items);
  const using = useKeys((s) => s.using);
  const { remove, rotate, setEnabled, use, loadDetails, copyPublic } = useKeys.getState();
  const retention = useSession((s) => s.vault?.retentionDays ?? null);
  const [dialog, setDialog] = useState<Open>(null);
  const [rotating, setRotating] = useState(false);

  useEffect(() => {
    if (name !== null) void loadDetails();
  }, [name, loadDetails]);

  if (name === null) return <p className="muted hint-pane">{L.selectKeyHint}</p>;

  const jwk = details?.bundle.key;
  const listed = items?.find((i) => nameFromId(i.kid) === name);
  return (
    <section className="detail" aria-label={L.keyDetailRegion(name)}>
      <div className="detail-head">
        <h2>{name}</h2>
        <div className="actions">
          <button
            type="button"
            disabled={rotating}
            onClick={() => {
              setRotating(true);
              void rotate(name).finally(() => setRotating(false));
            }}
          >
            {L.rotateButton}
          </button>
          <button type="button" onClick={() => setDialog({ kind: 'policy' })}>
            {L.rotationPolicyButton}
          </button>
          <button type="button" className="danger" onClick={() => setDialog({ kind: 'delete' })}>
            {L.deleteKeyButton}
          </button>
        </div>
      </div>
      {jwk ? (
        <dl className="facts">
          <dt>{L.fieldKeyType}</dt>
          <dd>{L.keyTypeText(jwk.kty, listed?.size, jwk.crv)}</dd>
          <dt>{L.colKeyOps}</dt>
          <dd>{jwk.key_ops.length === 0 ? '—' : jwk.key_ops.join(', ')}</dd>
        </dl>
      ) : null}
      {details ? (
        <section className="public-key" aria-label={L.publicKeyRegion}>
          <h3>{L.publicKeyRegion}</h3>
          {details.pem === undefined ? (
            <p className="muted">{L.noPublicKey}</p>
          ) : (
            <>
              <p>
                {L.thumbprint}: <code className="break">{details.thumbprint}</code>
              </p>
              <pre className="pem">{details.pem}</pre>
              <div className="actions">
                <button type="button" onClick={() => void copyPublic(name, 'pem')}>
                  {L.copyPemButton}
                </button>
                <button type="button" onClick={() => void copyPublic(name, 'jwk')}>
                  {L.copyJwkButton}
                </button>
              </div>
            </>
          )}
        </section>
      ) : null}
      {versions === null ? (
        <p className="muted">{L.loading}</p>
      ) : (
        <VersionsTable
          versions={versions}
          idOf={(v) => v.kid}
          columns={EXPORTABLE_COLUMN}
          actions={(v, version, short) => (
            <>
              <button type="button" aria-label={L.useKeyVersion(short)} aria-expanded={using === version} onClick={() => use(using === version ? null : version)}>
                {L.useKeyButton}
              </button>
              {v.attributes.enabled ? (
                <button type="button" aria-label={L.disableKeyVersion(short)} onClick={() => void setEnabled(name, version, false)}>
                  {L.disableShort}
                </button>
              ) : (
                <button type="button" aria-label={L.enableKeyVersion(short)} onClick={() => void setEnabled(name, version, true)}>
                  {L.enableShort}
                </button>
              )}
              <button type="button" aria-label={L.editKeyVersion(short)} onClick={() => setDialog({ kind: 'edit', version })}>
                {L.editShort}
              </button>
            </>
          )}
          below={(_v, version) => (using === version ? <UseKeyPanel name={name} version={version} onClose={() => use(null)} /> : null)}
        />
      )}
      {dialog?.kind === 'policy' ? <RotationPolicyDialog name={name} onClose={() => setDialog(null)} /> : null}
      {dialog?.kind === 'edit' ? <EditKeyDialog name={name} version={dialog.version} onClose={() => setDialog(null)} /> : null}
      {dialog?.kind === 'delete' ? (
        <ConfirmDialog title={L.deleteKeyDialog(name)} text={L.deleteKeyExplain(retention)} confirm={L.deleteConfirm} onConfirm={() => remove(name)} onClose={() => setDialog(null)} />
      ) : null}
    </section>
  );
}
