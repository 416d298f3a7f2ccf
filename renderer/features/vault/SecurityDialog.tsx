/**
 * Security: how the open vault unlocks (issue 4). Remember it on this computer
 * (the OS keychain) or forget it; change the passphrase (the KDF is raised to
 * the defaults on the way); create, replace or remove the recovery key, shown
 * once; an Administrator re-founds the vault (RefoundDialog.tsx). Every step
 * that adds a way in asks for the passphrase again: someone at an unlocked,
 * unattended computer must not be able to give themselves a lasting way in.
 * One dialog at a time: the overview, or the step's own form.
 */
import { useState } from 'react';
import { DEFAULT_KDF } from '../../../shared/limits.js';
import { L } from '../../app/labels.js';
import { call } from '../../lib/api.js';
import { Dialog, ErrorAlert, FormDialog } from '../../lib/Dialog.js';
import { Field } from '../../lib/Field.js';
import { RefoundDialog } from './RefoundDialog.js';
import { useSession } from './store.js';
import { StrengthMeter } from './StrengthMeter.js';

type Step = 'overview' | 'remember' | 'change' | 'createRecovery' | 'removeRecovery' | 'refound' | { recoveryKey: string };

export function SecurityDialog({ onClose }: { onClose: () => void }) {
  const [step, setStep] = useState<Step>('overview');
  /** What the last step did, said in the overview (inside the dialog, where a screen reader is). */
  const [done, setDone] = useState<string | null>(null);
  const back = () => setStep('overview');
  if (step === 'remember') return <RememberForm onClose={back} />;
  if (step === 'change')
    return (
      <ChangePassphraseForm
        onClose={back}
        onChanged={() => {
          setDone(L.passphraseChanged);
          back();
        }}
      />
    );
  if (step === 'createRecovery') return <CreateRecoveryForm onClose={back} onCreated={(recoveryKey) => setStep({ recoveryKey })} />;
  if (step === 'removeRecovery') return <RemoveRecoveryForm onClose={back} />;
  if (step === 'refound') return <RefoundDialog onClose={back} />;
  if (typeof step === 'object') return <ShowRecoveryKey recoveryKey={step.recoveryKey} onClose={back} />;
  return <Overview onClose={onClose} go={setStep} done={done} />;
}

function Overview({ onClose, go, done }: { onClose: () => void; go: (s: Step) => void; done: string | null }) {
  const { vault, path, forget } = useSession();
  const [error, setError] = useState<string | null>(null);
  if (!vault || path === null) return null;
  const onForget = async () => {
    const err = await forget(path);
    setError(err ? err.message : null);
  };
  return (
    <Dialog title={L.securityDialog} onClose={onClose}>
      <p role="status">{done ?? ''}</p>
      <p>{L.securityUnlockedWith(L.unlockedWithNames[vault.unlockedWith] ?? vault.unlockedWith)}</p>
      {/* A member opened by their identity has no passphrase in this vault: remembering, its passphrase and a recovery key belong to the identity (My identity). */}
      {vault.unlockedWith === 'identity' ? <p className="note">{L.securityByIdentity}</p> : null}
      {vault.unlockedWith === 'identity' ? null : (
        <>
          <section className="security-item">
            <p>{vault.remembered ? L.securityRememberedYes : L.securityRememberedNo}</p>
            {vault.remembered ? (
              <button type="button" onClick={() => void onForget()}>
                {L.forgetButton}
              </button>
            ) : (
              <>
                <p className="hint">{L.rememberTradeOff}</p>
                <button type="button" onClick={() => go('remember')}>
                  {L.rememberButton}
                </button>
              </>
            )}
          </section>
          <section className="security-item">
            <button type="button" onClick={() => go('change')}>
              {L.changePassphraseButton}
            </button>
          </section>
          <section className="security-item">
            <p>{vault.recoveryKey ? L.securityRecoveryYes : L.securityRecoveryNo}</p>
            <div className="actions">
              <button type="button" onClick={() => go('createRecovery')}>
                {vault.recoveryKey ? L.replaceRecoveryButton : L.createRecoveryButton}
              </button>
              {vault.recoveryKey ? (
                <button type="button" onClick={() => go('removeRecovery')}>
                  {L.removeRecoveryButton}
                </button>
              ) : null}
            </div>
          </section>
        </>
      )}
      {vault.roles.includes('Key Vault Administrator') ? (
        <section className="security-item">
          <p>{L.securityRefound}</p>
          <button type="button" onClick={() => go('refound')}>
            {L.refoundButton}
          </button>
        </section>
      ) : null}
      <ErrorAlert message={error} />
      <div className="actions">
        <button type="button" onClick={onClose}>
          {L.closeButton}
        </button>
      </div>
    </Dialog>
  );
}

/** Runs one call to main: busy while it runs, its error message kept for the form. */
function useStep() {
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const run = async <T,>(fn: () => Promise<{ ok: true; value: T } | { ok: false; message: string }>, then: (v: T) => void) => {
    setError(null);
    setBusy(true);
    const r = await fn();
    setBusy(false);
    if (r.ok) then(r.value);
    else setError(r.message);
  };
  return { error, setError, busy, run };
}

/** A step that only asks for the passphrase again, then makes one call with it. */
function PassphraseStep<T>({ title, explain, confirm, submit, onDone, onClose }: {
  title: string;
  explain: string;
  confirm: string;
  submit: (passphrase: string) => Promise<{ ok: true; value: T } | { ok: false; message: string }>;
  onDone: (value: T) => void;
  onClose: () => void;
}) {
  const [pass, setPass] = useState('');
  const { error, busy, run } = useStep();
  return (
    <FormDialog title={title} onClose={onClose} error={error} busy={busy} confirm={confirm} onSubmit={() => void run(() => submit(pass), onDone)}>
      <p className="hint">{explain}</p>
      <Field label={L.confirmPassphrase} type="password" value={pass} onChange={setPass} required />
    </FormDialog>
  );
}

function RememberForm({ onClose }: { onClose: () => void }) {
  const applyStatus = useSession((s) => s.applyStatus);
  return (
    <PassphraseStep
      title={L.rememberDialog}
      explain={L.rememberTradeOff}
      confirm={L.rememberConfirm}
      submit={(passphrase) => call('vault:remember', { passphrase })}
      onDone={(status) => {
        applyStatus(status);
        onClose();
      }}
      onClose={onClose}
    />
  );
}

function ChangePassphraseForm({ onClose, onChanged }: { onClose: () => void; onChanged: () => void }) {
  const { applyStatus, vault } = useSession();
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [repeat, setRepeat] = useState('');
  const { error, setError, busy, run } = useStep();
  const kdf = vault?.kdf;
  // VAULT-MODEL V8's defaults: main raises a weaker vault to them (handlers/session.ts changePassphrase).
  const target = {
    m: Math.max(kdf?.memoryKiB ?? 0, DEFAULT_KDF.memoryKiB),
    t: Math.max(kdf?.iterations ?? 0, DEFAULT_KDF.iterations),
    p: Math.max(kdf?.parallelism ?? 0, DEFAULT_KDF.parallelism),
  };
  const submit = () => {
    if (next !== repeat) return setError(L.passphraseMismatch);
    void run(
      () => call('vault:changePassphrase', { current, next }),
      (status) => {
        applyStatus(status);
        onChanged();
      },
    );
  };
  return (
    <FormDialog title={L.changePassphraseDialog} onClose={onClose} error={error} busy={busy} confirm={L.changeConfirm} onSubmit={submit}>
      <Field label={L.currentPassphrase} type="password" value={current} onChange={setCurrent} required />
      <Field label={L.newPassphraseField} type="password" value={next} onChange={setNext} required />
      <StrengthMeter passphrase={next} />
      <Field label={L.repeatNewPassphrase} type="password" value={repeat} onChange={setRepeat} required />
      <p className="hint">{L.changeKdfNote(target.m, target.t, target.p)}</p>
    </FormDialog>
  );
}

function CreateRecoveryForm({ onClose, onCreated }: { onClose: () => void; onCreated: (key: string) => void }) {
  const refresh = useSession((s) => s.refresh);
  return (
    <PassphraseStep
      title={L.createRecoveryDialog}
      explain={L.createRecoveryExplain}
      confirm={L.createConfirm}
      submit={(passphrase) => call('vault:createRecoveryKey', { passphrase })}
      onDone={(r) => {
        void refresh();
        onCreated(r.recoveryKey);
      }}
      onClose={onClose}
    />
  );
}

function RemoveRecoveryForm({ onClose }: { onClose: () => void }) {
  const applyStatus = useSession((s) => s.applyStatus);
  const { error, busy, run } = useStep();
  return (
    <FormDialog
      title={L.removeRecoveryDialog}
      onClose={onClose}
      error={error}
      busy={busy}
      confirm={L.removeConfirm}
      onSubmit={() =>
        void run(
          () => call('vault:removeRecoveryKey', {}),
          (status) => {
            applyStatus(status);
            onClose();
          },
        )
      }
    >
      <p>{L.removeRecoveryExplain}</p>
    </FormDialog>
  );
}

/** The key, once: large, monospaced, printable (print CSS shows only this). Closing forgets it. */
function ShowRecoveryKey({ recoveryKey, onClose }: { recoveryKey: string; onClose: () => void }) {
  return (
    <Dialog title={L.showRecoveryDialog} onClose={onClose} initialFocus="button.primary">
      <p>{L.recoveryKeyShown}:</p>
      <p className="recovery-key">
        <code>{recoveryKey}</code>
      </p>
      <p>{L.recoveryKeyOnce}</p>
      <div className="actions">
        <button type="button" className="primary" onClick={onClose}>
          {L.recoveryDone}
        </button>
        <button type="button" onClick={() => window.print()}>
          {L.printButton}
        </button>
      </div>
    </Dialog>
  );
}
