/**
 * A pending request for a CA outside the vault: its CSR (PEM) with a Copy
 * button (main writes the clipboard), and the merge step that takes the
 * signed certificate's PEM, CRT or CER file; the request can be cancelled or
 * deleted. Shown by the create wizard's second step, by a certificate's
 * detail while a renewal waits, and by the Pending request dialog.
 */
import { useState } from 'react';
import type { CertificateOperationView } from '../../../shared/contract.js';
import { LIMITS } from '../../../shared/contract.js';
import { L } from '../../app/labels.js';
import { call } from '../../lib/api.js';
import { toB64u } from '../../lib/bytes.js';
import { ErrorAlert } from '../../lib/Dialog.js';
import { FileDrop, type ChosenFile } from '../../lib/FileDrop.js';
import { useCertificates } from './store.js';

export function PendingPanel({ name, op, onMerged, onGone }: {
  name: string;
  op: CertificateOperationView;
  /** After the merge completed the certificate. */
  onMerged: () => void;
  /** After the request was cancelled or deleted (with its new state, or null once deleted). */
  onGone: (op: CertificateOperationView | null) => void;
}) {
  const { merge, cancelPending, deletePending } = useCertificates.getState();
  const [file, setFile] = useState<ChosenFile | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [status, setStatus] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const run = async (fn: () => Promise<string | null>) => {
    if (busy) return;
    setBusy(true);
    setError(null);
    setStatus(null);
    const message = await fn();
    setBusy(false);
    if (message !== null) setError(message);
  };

  const copy = () =>
    run(async () => {
      const r = await call('certificates:copyCsr', { name });
      if (!r.ok) return r.message;
      setStatus(L.copied(r.value.clearsInSeconds));
      return null;
    });

  const doMerge = () =>
    run(async () => {
      if (file === null) return L.mergeNoFile;
      const err = await merge(name, toB64u(file.bytes));
      if (err) return err.message;
      onMerged();
      return null;
    });

  const stop = (which: 'cancel' | 'delete') =>
    run(async () => {
      const r = await (which === 'cancel' ? cancelPending(name) : deletePending(name));
      if (!r.ok) return r.message;
      onGone(which === 'cancel' ? r.value : null);
      return null;
    });

  return (
    <section className="pending" aria-label={L.csrRegion}>
      <h3>{L.csrRegion}</h3>
      <p className="muted">{L.requestStatus(op.status)}</p>
      {op.status === 'inProgress' ? (
        <>
          <p>{L.csrExplain(name)}</p>
          {op.csrPem ? (
            <pre className="pem">
              {op.csrPem}
            </pre>
          ) : null}
          <div className="actions">
            <button type="button" onClick={() => void copy()}>
              {L.copyCsrButton}
            </button>
          </div>
          <FileDrop
            label={L.mergeFile}
            hint={L.mergeFileHint}
            accept=".pem,.crt,.cer,.der"
            maxBytes={LIMITS.certificateFileBytes}
            tooLarge={L.certificateFileTooLarge(LIMITS.certificateFileBytes)}
            onFile={(f) => {
              setFile(f);
              setError(null);
            }}
            onError={setError}
            chosen={file}
          />
          <div className="actions">
            <button type="button" className="primary" onClick={() => void doMerge()}>
              {L.mergeConfirm}
            </button>
            <button type="button" onClick={() => void stop('cancel')}>
              {L.cancelRequestButton}
            </button>
            <button type="button" className="danger" onClick={() => void stop('delete')}>
              {L.deleteRequestButton}
            </button>
          </div>
        </>
      ) : (
        <div className="actions">
          <button type="button" className="danger" onClick={() => void stop('delete')}>
            {L.deleteRequestButton}
          </button>
        </div>
      )}
      <p role="status" className="status">
        {status ?? ''}
      </p>
      <ErrorAlert message={error} />
    </section>
  );
}
