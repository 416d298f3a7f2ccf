/**
 * My identity: the person's identity in this profile (VAULT-MODEL C2). With
 * none yet, a form creates one (display name, passphrase twice, the strength
 * meter); then, and whenever opened, its invite (copied by main, which clears
 * the clipboard later) and its fingerprint in groups, as the Administrator's
 * Add member dialog shows it, for the two to compare out of band; and
 * "Remember on this computer" (its passphrase asked first), or Forget.
 */
import { useEffect, useId, useRef, useState, type FormEvent, type Ref } from 'react';
import type { IdentityView } from '../../../shared/contract.js';
import { L } from '../../app/labels.js';
import { Dialog, ErrorAlert, FormDialog, useSubmit } from '../../lib/Dialog.js';
import { Field } from '../../lib/Field.js';
import { Fingerprint } from '../members/dialogs.js';
import { StrengthMeter } from '../vault/StrengthMeter.js';
import { useIdentity } from './store.js';

export function IdentityDialog({ onClose }: { onClose: () => void }) {
  const identity = useIdentity((s) => s.identity);
  const error = useIdentity((s) => s.error);
  useEffect(() => {
    useIdentity.setState({ error: null, status: null });
    void useIdentity.getState().load();
  }, []);
  if (identity === null) return <CreateIdentityDialog onClose={onClose} />;
  // Main answers at once: the dialog opens once it knows which of the two it is, so the focus moves in only once.
  if (identity === undefined && error === null) return null;
  return (
    <Dialog title={L.identityDialog} onClose={onClose}>
      {identity === undefined ? <ErrorAlert message={error} /> : <IdentityCard identity={identity} />}
      <div className="actions">
        <button type="button" onClick={onClose}>
          {L.closeButton}
        </button>
      </div>
    </Dialog>
  );
}

function CreateIdentityDialog({ onClose }: { onClose: () => void }) {
  const create = useIdentity((s) => s.create);
  const [name, setName] = useState('');
  const [pass, setPass] = useState('');
  const [repeat, setRepeat] = useState('');
  // Once created, the store holds the identity and the dialog shows its card instead of closing.
  const { error, setError, busy, run } = useSubmit(() => undefined);
  const submit = () => {
    if (pass !== repeat) return setError(L.passphraseMismatch);
    void run(() => create(name, pass));
  };
  return (
    <FormDialog title={L.identityDialog} onClose={onClose} onSubmit={submit} error={error} busy={busy} confirm={L.createIdentityButton}>
      <p className="hint">{L.identityNoneExplain}</p>
      <Field label={L.identityName} value={name} onChange={setName} hint={L.identityNameHint} required />
      <Field label={L.identityPassphrase} type="password" value={pass} onChange={setPass} required />
      <StrengthMeter passphrase={pass} />
      <Field label={L.identityRepeat} type="password" value={repeat} onChange={setRepeat} required />
      {busy ? <p role="status">{L.loading}</p> : null}
    </FormDialog>
  );
}

function IdentityCard({ identity }: { identity: IdentityView }) {
  const status = useIdentity((s) => s.status);
  const error = useIdentity((s) => s.error);
  const copyInvite = useIdentity((s) => s.copyInvite);
  const inviteId = useId();
  const explainId = useId();
  const forgetRef = useRef<HTMLButtonElement>(null);
  const rememberRef = useRef<HTMLInputElement>(null);
  // The control that had the focus goes away when the identity is remembered or forgotten: the focus moves to the one that replaces it.
  const wasRemembered = useRef(identity.remembered);
  useEffect(() => {
    if (wasRemembered.current === identity.remembered) return;
    wasRemembered.current = identity.remembered;
    (identity.remembered ? forgetRef : rememberRef).current?.focus();
  }, [identity.remembered]);
  return (
    <section aria-label={identity.name} className="invite-preview">
      <h3 className="break">{identity.name}</h3>
      <p className="muted">{L.inviteMemberId(identity.id)}</p>
      <p>{L.inviteFingerprint}:</p>
      <p>
        <Fingerprint value={identity.fingerprint} large />
      </p>
      <p className="hint">{L.identityFingerprintExplain}</p>
      <div className="field">
        <label htmlFor={inviteId}>{L.identityInvite}</label>
        <textarea id={inviteId} value={identity.invite} rows={4} readOnly aria-describedby={explainId} spellCheck={false} className="invite" />
        <span id={explainId} className="hint">
          {L.identityInviteExplain}
        </span>
      </div>
      <div className="actions">
        <button type="button" className="primary" onClick={() => void copyInvite()}>
          {L.copyInviteButton}
        </button>
      </div>
      {identity.remembered ? (
        <div className="actions">
          <p className="hint">{L.identityRememberedYes}</p>
          <button ref={forgetRef} type="button" onClick={() => void useIdentity.getState().forget()}>
            {L.forgetButton}
          </button>
        </div>
      ) : (
        <RememberIdentity inputRef={rememberRef} />
      )}
      {status ? <p role="status">{status}</p> : null}
      <ErrorAlert message={error} />
    </section>
  );
}

/** The identity's passphrase, then the OS keychain keeps it (as a vault's "Remember on this computer"). */
function RememberIdentity({ inputRef }: { inputRef: Ref<HTMLInputElement> }) {
  const remember = useIdentity((s) => s.remember);
  const [pass, setPass] = useState('');
  const { error, busy, run } = useSubmit(() => setPass(''));
  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    if (!busy) void run(() => remember(pass));
  };
  return (
    <form onSubmit={onSubmit} aria-busy={busy}>
      <Field label={L.identityRememberPassphrase} type="password" value={pass} onChange={setPass} hint={L.identityRememberTradeOff} inputRef={inputRef} required />
      <ErrorAlert message={error} />
      <button type="submit">{L.rememberCheckbox}</button>
    </form>
  );
}
