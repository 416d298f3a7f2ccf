/** Unlock: the vault locked (by the user or after idle time); its passphrase opens it again. */
import { useId, useRef, useState, type FormEvent } from 'react';
import { L } from '../../app/labels.js';
import { ErrorAlert } from '../../lib/Dialog.js';
import { Field } from '../../lib/Field.js';
import { useSession } from './store.js';

export function UnlockScreen() {
  const { path, open, goStart, error: sessionError } = useSession();
  const headingId = useId();
  const [pass, setPass] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const passRef = useRef<HTMLInputElement>(null);

  const onSubmit = async (e: FormEvent) => {
    e.preventDefault();
    if (busy || path === null) return;
    setError(null);
    setBusy(true);
    const err = await open(path, pass);
    setBusy(false);
    if (err) {
      setError(err.code === 'WrongPassphrase' ? L.wrongPassphrase : err.message);
      setPass('');
      passRef.current?.focus();
    }
  };

  return (
    <main className="start">
      <h1>{L.appTitle}</h1>
      <section className="card narrow" aria-labelledby={headingId}>
        <h2 id={headingId}>{L.unlockRegion}</h2>
        <p>
          {L.unlockPathLabel} <span className="path">{path}</span>
        </p>
        <form onSubmit={onSubmit} aria-busy={busy}>
          <Field label={L.unlockPassphrase} type="password" value={pass} onChange={setPass} inputRef={passRef} autoFocus required />
          <ErrorAlert message={error ?? sessionError} />
          <div className="actions">
            <button type="submit" className="primary">
              {L.unlockButton}
            </button>
            <button type="button" onClick={goStart}>
              {L.otherVaultButton}
            </button>
          </div>
          {busy ? <p role="status">{L.loading}</p> : null}
        </form>
      </section>
    </main>
  );
}
