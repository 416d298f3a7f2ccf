/**
 * A certificate's detail: its subject, SANs, issuer, serial and key, the
 * validity (a bar and the days left), thumbprints, the issuer chain, the
 * policy (Edit policy), Renew now, Export, a pending request while one
 * waits, and every version with what can be done to it (enable or disable,
 * edit tags, export, and revoke when a CA of the vault or the policy's ACME
 * issuer can: main says which in `revoker`).
 */
import { useEffect, useState } from 'react';
import { daysLeft, expiryLevel, type CertificateFacts } from '../../../shared/certificate-types.js';
import type { CertificateDetails } from '../../../shared/contract.js';
import type { CertificateItem } from '../../../shared/keyvault.js';
import { L } from '../../app/labels.js';
import { useClock } from '../../lib/clock.js';
import { ConfirmDialog } from '../../lib/Dialog.js';
import { formatDate, formatTime, versionFromId } from '../../lib/format.js';
import { VersionsTable } from '../../lib/objects/VersionsTable.js';
import { useSession } from '../vault/store.js';
import { EditCertificateDialog, ExportCertificateDialog, PolicyDialog, RevokeCertificateDialog } from './dialogs.js';
import { PendingPanel } from './PendingPanel.js';
import { useCertificates } from './store.js';

type Open = { kind: 'delete' } | { kind: 'policy' } | { kind: 'export'; version?: string } | { kind: 'edit'; version: string } | { kind: 'revoke'; version: string } | null;

/**
 * Whether Revoke can work for `version`, as main's `revoker` says for the
 * version shown: the policy's ACME issuer revokes any version; a vault CA
 * is known to have issued the version shown only.
 */
function canRevoke(details: CertificateDetails | null, version: string): boolean {
  const r = details?.revoker;
  if (!r || !details) return false;
  const shown = versionFromId(details.bundle.id) === version;
  // The version shown says whether it was revoked already; no Revoke then.
  if (shown && details.revoked) return false;
  return r.kind === 'acme' || shown;
}

const THUMBPRINT_COLUMN = [{ header: L.colThumbprint, cell: (i: CertificateItem) => <code className="break">{i.x5t}</code> }] as const;

/** "N days left" or "expired", in the colour of its level: the list and the detail say it alike. */
export function ExpiryText({ exp, now }: { exp: number; now: number }) {
  const level = expiryLevel(exp, now);
  return <span className={`expiry expiry-${level}`}>{level === 'expired' ? L.expiredText : L.daysLeft(daysLeft(exp, now))}</span>;
}

function keyText(f: CertificateFacts): string {
  return L.keyTypeText(f.keyType, f.keySize, f.keyCurve);
}

function Validity({ facts, now, revoked }: { facts: CertificateFacts; now: number; revoked: CertificateDetails['revoked'] }) {
  const span = Math.max(1, facts.notAfter - facts.notBefore);
  const used = Math.min(span, Math.max(0, now - facts.notBefore));
  return (
    <div className="validity">
      <meter className={`validity-bar validity-${expiryLevel(facts.notAfter, now)}`} min={0} max={span} value={used} aria-label={L.validityMeter} />
      <p>
        {L.validityRange(formatDate(facts.notBefore), formatDate(facts.notAfter))} · <ExpiryText exp={facts.notAfter} now={now} />
      </p>
      {revoked ? <p className="expiry expiry-expired">{L.revokedText(revoked.reason, formatDate(revoked.time))}</p> : null}
    </div>
  );
}

function PolicySummary({ details }: { details: CertificateDetails }) {
  const p = details.bundle.policy;
  if (!p) return null;
  const k = p.key_props ?? {};
  const actions = p.lifetime_actions ?? [];
  return (
    <dl className="facts">
      <dt>{L.issuerLegend}</dt>
      <dd>{details.revoker?.kind === 'acme' ? L.policyIssuerAcme(details.revoker.name) : L.policyIssuerText(p.issuer?.name ?? 'Unknown')}</dd>
      <dt>{L.fieldSubject}</dt>
      <dd>{p.x509_props?.subject ?? '—'}</dd>
      <dt>{L.fieldValidityMonths}</dt>
      <dd>{L.policyValidityText(p.x509_props?.validity_months ?? 12)}</dd>
      <dt>{L.factKey}</dt>
      <dd>
        {L.keyTypeText(k.kty ?? 'RSA', k.key_size, k.crv)}, {L.policyKeyText(k.exportable ?? true, k.reuse_key ?? false)}
      </dd>
      <dt>{L.fieldSecretContentType}</dt>
      <dd>{L.contentTypeNames[p.secret_props?.contentType ?? ''] ?? p.secret_props?.contentType ?? '—'}</dd>
      <dt>{L.fieldLifetimeActions}</dt>
      <dd>
        {actions.length === 0
          ? L.policyNoActions
          : actions.map((a) => L.policyActionText(a.action.action_type, a.trigger.days_before_expiry, a.trigger.lifetime_percentage)).join('; ')}
      </dd>
    </dl>
  );
}

export function CertificateDetail() {
  const name = useCertificates((s) => s.selected);
  const versions = useCertificates((s) => s.versions);
  const details = useCertificates((s) => s.details);
  const { remove, renew, setEnabled, loadDetails } = useCertificates.getState();
  const retention = useSession((s) => s.vault?.retentionDays ?? null);
  const now = Math.floor(useClock().now() / 1000);
  const [dialog, setDialog] = useState<Open>(null);
  const [renewing, setRenewing] = useState(false);

  useEffect(() => {
    if (name !== null) void loadDetails();
  }, [name, loadDetails]);

  if (name === null) return <p className="muted hint-pane">{L.selectCertificateHint}</p>;

  const f = details?.facts;
  return (
    <section className="detail" aria-label={L.certificateDetailRegion(name)}>
      <div className="detail-head">
        <h2>{name}</h2>
        <div className="actions">
          <button
            type="button"
            disabled={renewing}
            onClick={() => {
              setRenewing(true);
              void renew(name).finally(() => setRenewing(false));
            }}
          >
            {L.renewButton}
          </button>
          <button type="button" onClick={() => setDialog({ kind: 'export' })}>
            {L.exportButton}
          </button>
          <button type="button" onClick={() => setDialog({ kind: 'policy' })}>
            {L.editPolicyButton}
          </button>
          <button type="button" className="danger" onClick={() => setDialog({ kind: 'delete' })}>
            {L.deleteCertificateButton}
          </button>
        </div>
      </div>
      {f && details ? (
        <>
          <dl className="facts">
            <dt>{L.factSubject}</dt>
            <dd className="break">{f.subject}</dd>
            <dt>{L.factSans}</dt>
            <dd>
              {f.sans.length === 0 ? (
                L.noSans
              ) : (
                <ul className="plain">
                  {f.sans.map((s) => (
                    <li key={s}>{s}</li>
                  ))}
                </ul>
              )}
            </dd>
            <dt>{L.factIssuer}</dt>
            <dd className="break">{f.issuer}</dd>
            <dt>{L.factSerial}</dt>
            <dd>
              <code className="break">{f.serial}</code>
            </dd>
            <dt>{L.factKey}</dt>
            <dd>{keyText(f)}</dd>
            <dt>{L.colNotBefore}</dt>
            <dd>{formatTime(f.notBefore)}</dd>
            <dt>{L.colExpires}</dt>
            <dd>{formatTime(f.notAfter)}</dd>
          </dl>
          <Validity facts={f} now={now} revoked={details.revoked} />
          <section aria-label={L.thumbprintsRegion}>
            <h3>{L.thumbprintsRegion}</h3>
            <dl className="facts">
              <dt>{L.thumbprintX5t}</dt>
              <dd>
                <code className="break">{f.x5t}</code>
              </dd>
              <dt>{L.thumbprintSha1}</dt>
              <dd>
                <code className="break">{f.sha1}</code>
              </dd>
              <dt>{L.thumbprintSha256}</dt>
              <dd>
                <code className="break">{f.sha256}</code>
              </dd>
            </dl>
          </section>
          <section aria-label={L.chainRegion}>
            <h3>{L.chainRegion}</h3>
            <ol className="chain" aria-label={L.chainList}>
              {details.chain.map((c, i) => (
                <li key={`${i}-${c.subject}`}>
                  {c.subject} {c.ca ? <span className="muted">{L.chainVaultCa(c.ca)}</span> : null} · <ExpiryText exp={c.notAfter} now={now} />
                </li>
              ))}
            </ol>
            {f.selfSigned ? <p className="muted">{L.chainSelfSigned}</p> : null}
            {!f.selfSigned && details.chain.length === 1 ? <p className="muted">{L.chainOutside(f.issuer)}</p> : null}
          </section>
          <section aria-label={L.policyRegion}>
            <h3>{L.policyRegion}</h3>
            <PolicySummary details={details} />
          </section>
          {details.pending ? <PendingPanel name={name} op={details.pending} onMerged={() => undefined} onGone={() => undefined} /> : null}
        </>
      ) : null}
      {versions === null ? (
        <p className="muted">{L.loading}</p>
      ) : (
        <VersionsTable
          versions={versions}
          idOf={(v) => v.id}
          columns={THUMBPRINT_COLUMN}
          actions={(v, version, short) => (
            <>
              {v.attributes.enabled ? (
                <button type="button" aria-label={L.disableCertificateVersion(short)} onClick={() => void setEnabled(name, version, false)}>
                  {L.disableShort}
                </button>
              ) : (
                <button type="button" aria-label={L.enableCertificateVersion(short)} onClick={() => void setEnabled(name, version, true)}>
                  {L.enableShort}
                </button>
              )}
              <button type="button" aria-label={L.editCertificateVersion(short)} onClick={() => setDialog({ kind: 'edit', version })}>
                {L.editShort}
              </button>
              <button type="button" aria-label={L.exportCertificateVersion(short)} onClick={() => setDialog({ kind: 'export', version })}>
                {L.exportShort}
              </button>
              {canRevoke(details, version) ? (
                <button type="button" className="danger" aria-label={L.revokeCertificateVersion(short)} onClick={() => setDialog({ kind: 'revoke', version })}>
                  {L.revokeShort}
                </button>
              ) : null}
            </>
          )}
        />
      )}
      {dialog?.kind === 'policy' ? <PolicyDialog name={name} onClose={() => setDialog(null)} /> : null}
      {dialog?.kind === 'export' ? <ExportCertificateDialog name={name} {...(dialog.version === undefined ? {} : { version: dialog.version })} onClose={() => setDialog(null)} /> : null}
      {dialog?.kind === 'edit' ? <EditCertificateDialog name={name} version={dialog.version} onClose={() => setDialog(null)} /> : null}
      {dialog?.kind === 'revoke' && details?.revoker ? <RevokeCertificateDialog name={name} version={dialog.version} revoker={details.revoker} onClose={() => setDialog(null)} /> : null}
      {dialog?.kind === 'delete' ? (
        <ConfirmDialog
          title={L.deleteCertificateDialog(name)}
          text={L.deleteCertificateExplain(retention)}
          confirm={L.deleteConfirm}
          onConfirm={() => remove(name)}
          onClose={() => setDialog(null)}
        />
      ) : null}
    </section>
  );
}
