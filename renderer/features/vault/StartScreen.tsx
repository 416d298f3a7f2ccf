/** Start: create a vault, or open one (recent list, file picker, typed path, drag and drop); the person's identity (My identity). */
import { useEffect, useId, useRef, useState, type DragEvent, type FormEvent } from 'react';
import { L } from '../../app/labels.js';
import { call } from '../../lib/api.js';
import { ErrorAlert } from '../../lib/Dialog.js';
import { Field } from '../../lib/Field.js';
import { IdentityDialog } from '../identity/IdentityDialog.js';
import { OpenWithFields, PROTECT_WITH, UnlockChoice, type OpenWith } from '../identity/OpenWithChoice.js';
import { useIdentity } from '../identity/store.js';
import { NewVaultPathField } from './NewVaultPathField.js';
import { useSession } from './store.js';
import { StrengthMeter } from './StrengthMeter.js';

export function StartScreen() {
  const [identityOpen, setIdentityOpen] = useState(false);
  return (
    <main className="start">
      <h1>{L.appTitle}</h1>
      <div className="start-columns">
        <CreateForm onMyIdentity={() => setIdentityOpen(true)} />
        <OpenForm />
      </div>
      <p>
        <button type="button" onClick={() => setIdentityOpen(true)}>
          {L.myIdentityButton}
        </button>
      </p>
      {identityOpen ? <IdentityDialog onClose={() => setIdentityOpen(false)} /> : null}
    </main>
  );
}

/**
 * Protect with a passphrase (a personal vault) or with the profile's identity
 * (a team vault, VAULT-MODEL C8: its Administrator, with no passphrase slot;
 * each member opens it with their own identity). Without an identity in the
 * profile, My identity is offered to make one.
 */
function CreateForm({ onMyIdentity }: { onMyIdentity: () => void }) {
  const { create, createWithIdentity } = useSession();
  const identity = useIdentity((s) => s.identity);
  const headingId = useId();
  const [path, setPath] = useState('');
  const [protectWith, setProtectWith] = useState<OpenWith>('passphrase');
  const [pass, setPass] = useState('');
  const [repeat, setRepeat] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const passRef = useRef<HTMLInputElement>(null);

  // A first vault goes to the profile's personal.coffer, as the CLI's does, unless the user picks another place.
  useEffect(() => {
    let live = true;
    void call('vault:suggestPath', {}).then((r) => {
      if (live && r.ok && r.value.path !== null) setPath((p) => (p === '' ? (r.value.path ?? '') : p));
    });
    return () => {
      live = false;
    };
  }, []);

  const onSubmit = async (e: FormEvent) => {
    e.preventDefault();
    if (busy) return;
    const byIdentity = protectWith === 'identity';
    if (!byIdentity && pass !== repeat) {
      setError(L.passphraseMismatch);
      return;
    }
    setError(null);
    setBusy(true);
    const err = await (byIdentity ? createWithIdentity(path.trim(), pass) : create(path.trim(), pass));
    setBusy(false);
    if (err) setError(err.message);
  };

  const chooseProtection = (value: OpenWith) => {
    // The fields change meaning: what was typed for one is never sent as the other.
    setPass('');
    setRepeat('');
    setError(null);
    setProtectWith(value);
  };

  return (
    <section className="card" aria-labelledby={headingId}>
      <h2 id={headingId}>{L.createRegion}</h2>
      <form onSubmit={onSubmit} aria-busy={busy}>
        <NewVaultPathField label={L.createPath} value={path} onChange={setPath} onChosen={() => passRef.current?.focus()} onError={setError} />
        <UnlockChoice value={protectWith} onChange={chooseProtection} words={PROTECT_WITH} />
        {protectWith === 'passphrase' ? (
          <>
            <Field label={L.createPassphrase} type="password" value={pass} onChange={setPass} inputRef={passRef} required />
            <StrengthMeter passphrase={pass} />
            <Field label={L.createRepeat} type="password" value={repeat} onChange={setRepeat} required />
          </>
        ) : identity ? (
          <Field label={L.identityPassphrase} type="password" value={pass} onChange={setPass} inputRef={passRef} required={!identity.remembered} />
        ) : (
          <p>
            {L.protectNoIdentity}{' '}
            <button type="button" onClick={onMyIdentity}>
              {L.myIdentityButton}
            </button>
          </p>
        )}
        <ErrorAlert message={error} />
        {protectWith === 'passphrase' || identity ? (
          <button type="submit" className="primary">
            {L.createButton}
          </button>
        ) : null}
        {busy ? <p role="status">{L.loading}</p> : null}
      </form>
    </section>
  );
}

/** A dropped file's path: Electron's File.path when present, a file:// URI, or only the name. */
function pathFromDrop(e: DragEvent): { path: string; nameOnly: boolean } | null {
  const file = e.dataTransfer.files[0] as (File & { path?: string }) | undefined;
  if (file?.path) return { path: file.path, nameOnly: false };
  const uri = e.dataTransfer.getData('text/uri-list').split(/\r?\n/).find((l) => l.startsWith('file://'));
  if (uri) {
    try {
      const u = new URL(uri);
      let p = decodeURIComponent(u.pathname);
      if (/^\/[A-Za-z]:\//.test(p)) p = p.slice(1);
      return { path: p, nameOnly: false };
    } catch {
      // fall through to the name
    }
  }
  if (file?.name) return { path: file.name, nameOnly: true };
  return null;
}

function OpenForm() {
  const { recent, loadRecent, open, openWithIdentity } = useSession();
  const headingId = useId();
  const [path, setPath] = useState('');
  const [pass, setPass] = useState('');
  const [openWith, setOpenWith] = useState<OpenWith>('passphrase');
  const [error, setError] = useState<string | null>(null);
  const [note, setNote] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [dragging, setDragging] = useState(false);
  const passRef = useRef<HTMLInputElement>(null);
  const pathRef = useRef<HTMLInputElement>(null);

  useEffect(() => {
    void loadRecent();
  }, [loadRecent]);

  const onSubmit = async (e: FormEvent) => {
    e.preventDefault();
    if (busy) return;
    setError(null);
    setBusy(true);
    const err = await (openWith === 'identity' ? openWithIdentity(path.trim(), pass) : open(path.trim(), pass));
    setBusy(false);
    if (err) {
      // The identity's own message names its file; the vault's is said in the app's words.
      setError(err.code === 'WrongPassphrase' && openWith === 'passphrase' ? L.wrongPassphrase : err.message);
      setPass('');
      passRef.current?.focus();
    }
  };

  const choose = async () => {
    const r = await call('dialog:chooseVault', {});
    if (!r.ok) setError(r.message);
    else if (r.value !== null) {
      setPath(r.value);
      setNote(null);
      passRef.current?.focus();
    }
  };

  const onDrop = (e: DragEvent) => {
    e.preventDefault();
    setDragging(false);
    const got = pathFromDrop(e);
    if (!got) return;
    setPath(got.path);
    setNote(got.nameOnly ? L.dropNameOnly(got.path) : null);
    (got.nameOnly ? pathRef : passRef).current?.focus();
  };

  return (
    <section className="card" aria-labelledby={headingId}>
      <h2 id={headingId}>{L.openRegion}</h2>
      <h3>{L.recentList}</h3>
      {recent.length === 0 ? (
        <p className="muted">{L.noRecent}</p>
      ) : (
        <ul className="recent" aria-label={L.recentList}>
          {recent.map((r) => (
            <li key={r.path}>
              <button
                type="button"
                className={r.exists ? 'link' : 'link missing'}
                onClick={() => {
                  setPath(r.path);
                  setNote(null);
                  passRef.current?.focus();
                }}
              >
                {r.path}
                {r.exists ? '' : ` (${L.recentMissing})`}
              </button>
            </li>
          ))}
        </ul>
      )}
      <div
        className={dragging ? 'dropzone dragging' : 'dropzone'}
        role="group"
        aria-label={L.dropZone}
        onDragOver={(e) => {
          e.preventDefault();
          e.dataTransfer.dropEffect = 'copy';
          setDragging(true);
        }}
        onDragLeave={() => setDragging(false)}
        onDrop={onDrop}
      >
        {L.dropHint}
      </div>
      <form onSubmit={onSubmit} aria-busy={busy}>
        <Field
          label={L.openPath}
          value={path}
          onChange={setPath}
          inputRef={pathRef}
          required
          trailing={
            <button type="button" onClick={() => void choose()} aria-label={L.chooseOpenPath}>
              {L.chooseButton}
            </button>
          }
        />
        {note ? <p className="hint">{note}</p> : null}
        <OpenWithFields openWith={openWith} onOpenWith={setOpenWith} vaultLabel={L.openPassphrase} value={pass} onChange={setPass} inputRef={passRef} />
        <ErrorAlert message={error} />
        <button type="submit" className="primary">
          {L.openButton}
        </button>
        {busy ? <p role="status">{L.loading}</p> : null}
      </form>
    </section>
  );
}
