/**
 * Unlock: the vault locked (by the user, after idle time, on OS suspend or
 * screen lock) or the last vault at start-up. It opens with the OS keychain
 * when this computer remembers it (a button: never by itself, or a lock would
 * undo itself), with the passphrase (optionally remembering it), with the
 * profile's identity and its passphrase (a member of a team vault), or, when
 * the passphrase is lost, with the recovery key plus a new passphrase.
 */
import { useId, useRef, useState, type FormEvent } from 'react';
import { L } from '../../app/labels.js';
import { ErrorAlert } from '../../lib/Dialog.js';
import { Checkbox, Field } from '../../lib/Field.js';
import { OpenWithFields, type OpenWith } from '../identity/OpenWithChoice.js';
import { useIdentity } from '../identity/store.js';
import { useSession } from './store.js';
import { StrengthMeter } from './StrengthMeter.js';

export function UnlockScreen() {
  const path = useSession((s) => s.path);
  const headingId = useId();
  const [mode, setMode] = useState<'passphrase' | 'recovery'>('passphrase');
  return (
    <main className="start">
      <h1>{L.appTitle}</h1>
      <section className="card narrow" aria-labelledby={headingId}>
        <h2 id={headingId}>{mode === 'passphrase' ? L.unlockRegion : L.recoveryRegion}</h2>
        <p>
          {L.unlockPathLabel} <span className="path">{path}</span>
        </p>
        {mode === 'passphrase' ? <PassphraseUnlock onRecovery={() => setMode('recovery')} /> : <RecoveryUnlock onBack={() => setMode('passphrase')} />}
      </section>
    </main>
  );
}

function PassphraseUnlock({ onRecovery }: { onRecovery: () => void }) {
  const { path, open, openWithIdentity, goStart, remembered, unlockWithKeychain, forget, openedWith, error: sessionError } = useSession();
  const [pass, setPass] = useState('');
  // A vault last opened with the identity (a team vault) is offered that way again.
  const [choice, setOpenWith] = useState<OpenWith>(openedWith === 'identity' ? 'identity' : 'passphrase');
  const hasIdentity = useIdentity((s) => !!s.identity);
  const openWith: OpenWith = hasIdentity ? choice : 'passphrase';
  const [remember, setRemember] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const passRef = useRef<HTMLInputElement>(null);
  const rememberHintId = useId();

  const run = async (action: () => Promise<{ message: string } | null>, clear: boolean) => {
    if (busy || path === null) return;
    setError(null);
    setBusy(true);
    const err = await action();
    setBusy(false);
    if (err) {
      // Main's message says why (a wrong passphrase also says how long the next attempt waits).
      setError(err.message);
      if (clear) setPass('');
      passRef.current?.focus();
    }
  };

  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    if (path !== null) void run(() => (openWith === 'identity' ? openWithIdentity(path, pass) : open(path, pass, remember)), true);
  };

  return (
    <>
      {remembered && path !== null ? (
        <div className="keychain">
          <p className="hint">{L.keychainUnlockHint}</p>
          <div className="actions">
            <button type="button" className="primary" onClick={() => void run(() => unlockWithKeychain(path), false)}>
              {L.keychainUnlockButton}
            </button>
            <button
              type="button"
              onClick={() =>
                void run(async () => {
                  const err = await forget(path);
                  // The buttons are gone: the passphrase field is what is left to use.
                  if (!err) requestAnimationFrame(() => passRef.current?.focus());
                  return err;
                }, false)
              }
            >
              {L.forgetButton}
            </button>
          </div>
        </div>
      ) : null}
      <form onSubmit={onSubmit} aria-busy={busy}>
        <OpenWithFields
          openWith={openWith}
          onOpenWith={setOpenWith}
          vaultLabel={L.unlockPassphrase}
          value={pass}
          onChange={setPass}
          inputRef={passRef}
          autoFocus={!remembered}
        />
        {remembered || openWith === 'identity' ? null : (
          <>
            <Checkbox label={L.rememberCheckbox} checked={remember} onChange={setRemember} describedBy={rememberHintId} />
            <p id={rememberHintId} className="hint">
              {L.rememberTradeOff}
            </p>
          </>
        )}
        <ErrorAlert message={error ?? sessionError} />
        <div className="actions">
          <button type="submit" className={remembered ? undefined : 'primary'}>
            {L.unlockButton}
          </button>
          <button type="button" onClick={goStart}>
            {L.otherVaultButton}
          </button>
        </div>
        <p>
          <button type="button" className="link" onClick={onRecovery}>
            {L.forgotRecovery}
          </button>
        </p>
        {busy ? <p role="status">{L.loading}</p> : null}
      </form>
    </>
  );
}

function RecoveryUnlock({ onBack }: { onBack: () => void }) {
  const { path, resetPassphrase } = useSession();
  const [key, setKey] = useState('');
  const [pass, setPass] = useState('');
  const [repeat, setRepeat] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const onSubmit = async (e: FormEvent) => {
    e.preventDefault();
    if (busy || path === null) return;
    if (pass !== repeat) return setError(L.passphraseMismatch);
    setError(null);
    setBusy(true);
    const err = await resetPassphrase(path, key, pass);
    setBusy(false);
    if (err) setError(err.message);
  };

  return (
    <form onSubmit={(e) => void onSubmit(e)} aria-busy={busy}>
      <Field label={L.recoveryKeyField} value={key} onChange={setKey} hint={L.recoveryKeyHint} autoFocus required autoCapitalize="characters" />
      <Field label={L.newPassphraseField} type="password" value={pass} onChange={setPass} required />
      <StrengthMeter passphrase={pass} />
      <Field label={L.repeatNewPassphrase} type="password" value={repeat} onChange={setRepeat} required />
      <ErrorAlert message={error} />
      <div className="actions">
        <button type="submit" className="primary">
          {L.resetButton}
        </button>
        <button type="button" onClick={onBack}>
          {L.backToPassphrase}
        </button>
      </div>
      {busy ? <p role="status">{L.loading}</p> : null}
    </form>
  );
}
