/**
 * The vault's ACME issuers (Let's Encrypt style, RFC 8555): listed with their
 * provider, directory, validation and state; enabled or disabled; their
 * validation (http-01 or dns-01, the http-01 port) edited; deleted after a
 * confirmation; and added with a form (directory URL, contact,
 * http-01 or dns-01, the http-01 port, a private CA's certificate, and the
 * CA's terms of service, which must be agreed to). Adding registers an
 * account with the CA (main does it; the account key stays in the vault).
 */
import { useEffect, useState } from 'react';
import { ACME_CHALLENGES, ACME_PROVIDER, CONTACT_EMAIL_PATTERN, issuerNameOf, type AcmeChallenge, type CertificateIssuerView } from '../../../shared/certificate-types.js';
import { LIMITS } from '../../../shared/contract.js';
import { MAX_NAME, SECRET_NAME_PATTERN } from '../../../shared/limits.js';
import { L } from '../../app/labels.js';
import { ConfirmDialog, Dialog, ErrorAlert, FormDialog, useSubmit } from '../../lib/Dialog.js';
import { Checkbox, Field } from '../../lib/Field.js';
import { FileDrop, type ChosenFile } from '../../lib/FileDrop.js';
import { useCertificates } from './store.js';

/** The vault's ACME issuers, loaded once per opening of what shows them. */
export function useVaultIssuers(): CertificateIssuerView[] {
  const issuers = useCertificates((s) => s.issuers);
  useEffect(() => {
    void useCertificates.getState().loadIssuers();
  }, []);
  return issuers ?? [];
}

type Mode = { kind: 'list' } | { kind: 'add' } | { kind: 'edit'; issuer: CertificateIssuerView } | { kind: 'delete'; name: string };

export function IssuersDialog({ onClose }: { onClose: () => void }) {
  const [mode, setMode] = useState<Mode>({ kind: 'list' });
  const deleteIssuer = useCertificates((s) => s.deleteIssuer);
  if (mode.kind === 'add') return <AddIssuerDialog onClose={() => setMode({ kind: 'list' })} />;
  if (mode.kind === 'edit') return <EditIssuerDialog issuer={mode.issuer} onClose={() => setMode({ kind: 'list' })} />;
  if (mode.kind === 'delete') {
    return (
      <ConfirmDialog
        title={L.deleteIssuerDialog(mode.name)}
        text={L.deleteIssuerExplain}
        confirm={L.deleteIssuerConfirm}
        onConfirm={() => deleteIssuer(mode.name)}
        onClose={() => setMode({ kind: 'list' })}
      />
    );
  }
  return (
    <IssuerList onClose={onClose} onAdd={() => setMode({ kind: 'add' })} onEdit={(issuer) => setMode({ kind: 'edit', issuer })} onDelete={(name) => setMode({ kind: 'delete', name })} />
  );
}

function IssuerList({ onClose, onAdd, onEdit, onDelete }: { onClose: () => void; onAdd: () => void; onEdit: (issuer: CertificateIssuerView) => void; onDelete: (name: string) => void }) {
  const issuers = useCertificates((s) => s.issuers);
  const loadError = useCertificates((s) => s.issuersError);
  const updateIssuer = useCertificates((s) => s.updateIssuer);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    void useCertificates.getState().loadIssuers();
  }, []);

  const setEnabled = async (name: string, enabled: boolean) => {
    setBusy(true);
    const err = await updateIssuer({ name, patch: { enabled } });
    setBusy(false);
    setError(err?.message ?? null);
  };

  return (
    <Dialog title={L.issuersDialog} onClose={onClose}>
      <p className="hint">{L.issuersExplain}</p>
      {issuers === null ? (
        <p className="muted">{L.loading}</p>
      ) : issuers.length === 0 ? (
        <p>{L.issuersEmpty}</p>
      ) : (
        <div className="table-wrap">
          <table aria-label={L.issuersTable} aria-busy={busy}>
            <thead>
              <tr>
                <th scope="col">{L.colIssuerName}</th>
                <th scope="col">{L.colProvider}</th>
                <th scope="col">{L.colDirectory}</th>
                <th scope="col">{L.colChallenge}</th>
                <th scope="col">{L.colEnabled}</th>
                <th scope="col">{L.colActions}</th>
              </tr>
            </thead>
            <tbody>
              {issuers.map((i) => {
                const name = issuerNameOf(i);
                const challenge = i.acme?.challenge ?? 'http-01';
                return (
                  <tr key={i.id}>
                    <th scope="row">{name}</th>
                    <td>{i.provider}</td>
                    <td className="break">{i.acme?.directory_url ?? '—'}</td>
                    <td>
                      {L.challengeShort[challenge] ?? challenge}
                      {challenge === 'http-01' && i.acme?.http_port !== undefined ? `, port ${i.acme.http_port}` : ''}
                    </td>
                    <td>{L.issuerEnabledText(i.attributes.enabled)}</td>
                    <td>
                      <div className="actions">
                        <button type="button" aria-label={i.attributes.enabled ? L.disableIssuer(name) : L.enableIssuer(name)} onClick={() => void setEnabled(name, !i.attributes.enabled)}>
                          {i.attributes.enabled ? L.disableShort : L.enableShort}
                        </button>
                        {i.provider === ACME_PROVIDER ? (
                          <button type="button" aria-label={L.editIssuer(name)} onClick={() => onEdit(i)}>
                            {L.editShort}
                          </button>
                        ) : null}
                        <button type="button" className="danger" aria-label={L.deleteIssuer(name)} onClick={() => onDelete(name)}>
                          {L.deleteShort}
                        </button>
                      </div>
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
      <ErrorAlert message={error ?? loadError} />
      <div className="actions">
        <button type="button" className="primary" onClick={onAdd}>
          {L.addIssuerButton}
        </button>
        <button type="button" onClick={onClose}>
          {L.doneButton}
        </button>
      </div>
    </Dialog>
  );
}

/** The http-01 port typed, or null unless it is a whole number from 1 to 65535. */
function parsePort(text: string): number | null {
  const t = text.trim();
  const port = Number(t);
  return /^\d{1,5}$/.test(t) && port >= 1 && port <= 65_535 ? port : null;
}

/** How the CA validates: http-01 (with its port) or dns-01; the add and edit forms' fields. */
function ChallengeFields({ challenge, onChallenge, port, onPort }: { challenge: AcmeChallenge; onChallenge: (c: AcmeChallenge) => void; port: string; onPort: (p: string) => void }) {
  return (
    <>
      <fieldset className="field">
        <legend>{L.fieldChallenge}</legend>
        {ACME_CHALLENGES.map((c) => (
          <label key={c} className="radio">
            <input type="radio" name="acme-challenge" value={c} checked={challenge === c} onChange={() => onChallenge(c)} />
            {L.challengeNames[c] ?? c}
          </label>
        ))}
      </fieldset>
      {challenge === 'http-01' ? <Field label={L.fieldHttpPort} value={port} onChange={onPort} inputMode="numeric" maxLength={5} hint={L.httpPortHint} /> : null}
    </>
  );
}

/** An ACME issuer's validation: http-01 (and its port) or dns-01, by `certificates:updateIssuer`. */
function EditIssuerDialog({ issuer, onClose }: { issuer: CertificateIssuerView; onClose: () => void }) {
  const updateIssuer = useCertificates((s) => s.updateIssuer);
  const name = issuerNameOf(issuer);
  const [challenge, setChallenge] = useState<AcmeChallenge>(issuer.acme?.challenge ?? 'http-01');
  const [port, setPort] = useState(String(issuer.acme?.http_port ?? 80));
  const { error, setError, busy, run } = useSubmit(() => {
    onClose();
    useCertificates.setState({ status: L.issuerUpdated(name), error: null });
  });

  const onSubmit = () => {
    const httpPort = parsePort(port);
    if (challenge === 'http-01' && httpPort === null) return setError(L.httpPortError);
    void run(() => updateIssuer({ name, patch: { challenge, ...(challenge === 'http-01' && httpPort !== null ? { httpPort } : {}) } }));
  };

  return (
    <FormDialog title={L.editIssuerDialog(name)} onClose={onClose} onSubmit={onSubmit} error={error} busy={busy}>
      <p className="hint">{L.editIssuerExplain}</p>
      <ChallengeFields challenge={challenge} onChallenge={setChallenge} port={port} onPort={setPort} />
    </FormDialog>
  );
}

function AddIssuerDialog({ onClose }: { onClose: () => void }) {
  const createIssuer = useCertificates((s) => s.createIssuer);
  const [name, setName] = useState('');
  const [directoryUrl, setDirectoryUrl] = useState('');
  const [email, setEmail] = useState('');
  const [challenge, setChallenge] = useState<AcmeChallenge>('http-01');
  const [port, setPort] = useState('80');
  const [caFile, setCaFile] = useState<ChosenFile | null>(null);
  const [agreed, setAgreed] = useState(false);
  const created = { name: '' };
  const { error, setError, busy, run } = useSubmit(() => {
    onClose();
    useCertificates.setState({ status: L.issuerAdded(created.name), error: null });
  });

  const onSubmit = () => {
    if (!SECRET_NAME_PATTERN.test(name.trim())) return setError(L.nameRequired);
    const url = directoryUrl.trim();
    if (!/^https:\/\/\S+$/.test(url) || url.length > LIMITS.urlLength) return setError(L.directoryUrlError);
    const mail = email.trim();
    if (mail !== '' && !CONTACT_EMAIL_PATTERN.test(mail)) return setError(L.acmeEmailError);
    const httpPort = parsePort(port);
    if (challenge === 'http-01' && httpPort === null) return setError(L.httpPortError);
    let pem: string | undefined;
    if (caFile !== null) {
      pem = new TextDecoder().decode(caFile.bytes);
      if (!pem.includes('-----BEGIN CERTIFICATE-----')) return setError(L.acmeCaNotPem);
    }
    if (!agreed) return setError(L.acmeTermsRequired);
    created.name = name.trim();
    void run(() =>
      createIssuer({
        name: created.name,
        directoryUrl: url,
        challenge,
        termsAgreed: true,
        ...(mail === '' ? {} : { email: mail }),
        ...(challenge === 'http-01' && httpPort !== null ? { httpPort } : {}),
        ...(pem === undefined ? {} : { caCertificatePem: pem }),
      }),
    );
  };

  return (
    <FormDialog title={L.addIssuerDialog} onClose={onClose} onSubmit={onSubmit} error={error} busy={busy} confirm={L.addIssuerConfirm}>
      <Field label={L.fieldIssuerName} value={name} onChange={setName} required maxLength={MAX_NAME} />
      <Field label={L.fieldDirectoryUrl} value={directoryUrl} onChange={setDirectoryUrl} required type="url" maxLength={LIMITS.urlLength} hint={L.directoryUrlHint} />
      <Field label={L.fieldAcmeEmail} value={email} onChange={setEmail} type="email" maxLength={LIMITS.emailLength} />
      <ChallengeFields challenge={challenge} onChallenge={setChallenge} port={port} onPort={setPort} />
      <FileDrop
        label={L.fieldAcmeCaFile}
        hint={L.acmeCaHint}
        accept=".pem,.crt,.cer"
        maxBytes={LIMITS.caCertificatePemLength}
        tooLarge={L.certificateFileTooLarge(LIMITS.caCertificatePemLength)}
        onFile={(f) => {
          setCaFile(f);
          setError(null);
        }}
        onError={setError}
        chosen={caFile}
      />
      <Checkbox label={L.acmeTermsAgree} checked={agreed} onChange={setAgreed} />
      {busy ? (
        <p role="status" className="progress">
          <span className="spinner" aria-hidden="true" />
          {L.addingIssuer}
        </p>
      ) : null}
    </FormDialog>
  );
}
