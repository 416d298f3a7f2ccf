/**
 * Re-found the vault (VAULT-MODEL C5: "a team that cannot reach its creator
 * re-founds the vault"): main's `vault:refound` creates a new vault owned by
 * the member who opened this one, copies every object into it and adds the
 * other members again. The path comes from the save dialog (or is typed); a
 * vault opened by a passphrase needs the new vault's passphrase, twice, one
 * opened by the identity none. Then what was copied, and who was added.
 */
import { useState } from 'react';
import type { RefoundResult } from '../../../shared/vault-types.js';
import { L } from '../../app/labels.js';
import { call } from '../../lib/api.js';
import { Dialog, FormDialog } from '../../lib/Dialog.js';
import { Field } from '../../lib/Field.js';
import { NewVaultPathField } from './NewVaultPathField.js';
import { useSession } from './store.js';
import { StrengthMeter } from './StrengthMeter.js';

export function RefoundDialog({ onClose }: { onClose: () => void }) {
  const vault = useSession((s) => s.vault);
  const [path, setPath] = useState('');
  const [pass, setPass] = useState('');
  const [repeat, setRepeat] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<RefoundResult | null>(null);
  if (!vault) return null;
  if (result) return <RefoundDone result={result} onClose={onClose} />;
  const byIdentity = vault.unlockedWith === 'identity';

  const submit = async () => {
    if (path.trim() === '') return setError(L.refoundNoPath);
    if (!byIdentity && pass !== repeat) return setError(L.passphraseMismatch);
    setError(null);
    setBusy(true);
    const r = await call('vault:refound', byIdentity ? { path: path.trim() } : { path: path.trim(), newPassphrase: pass });
    setBusy(false);
    if (r.ok) setResult(r.value);
    else setError(r.message);
  };
  return (
    <FormDialog title={L.refoundDialog} onClose={onClose} error={error} busy={busy} confirm={L.refoundConfirm} onSubmit={() => void submit()}>
      <p className="hint">{L.refoundExplain}</p>
      <NewVaultPathField label={L.refoundPath} value={path} onChange={setPath} onError={setError} />
      {byIdentity ? (
        <p className="hint">{L.refoundByIdentity}</p>
      ) : (
        <>
          <Field label={L.newPassphraseField} type="password" value={pass} onChange={setPass} required />
          <StrengthMeter passphrase={pass} />
          <Field label={L.repeatNewPassphrase} type="password" value={repeat} onChange={setRepeat} required />
        </>
      )}
    </FormDialog>
  );
}

function RefoundDone({ result, onClose }: { result: RefoundResult; onClose: () => void }) {
  return (
    <Dialog title={L.refoundDoneDialog} onClose={onClose} initialFocus="button.primary">
      <p role="status">{L.refoundCopied(result.copied)}</p>
      <h3>{L.refoundMembers}</h3>
      {result.members.length === 0 ? (
        <p>{L.refoundNoMembers}</p>
      ) : (
        <ul>
          {result.members.map((m) => (
            <li key={m.id}>{L.refoundMember(m.name, m.roles)}</li>
          ))}
        </ul>
      )}
      {result.deletedAgain.length > 0 ? <p>{L.refoundDeletedAgain(result.deletedAgain)}</p> : null}
      {result.notCopied.pendingCertificates.length > 0 ? <p>{L.refoundNotCopied(result.notCopied.pendingCertificates)}</p> : null}
      <p>{L.refoundWhere(result.path)}</p>
      <div className="actions">
        <button type="button" className="primary" onClick={onClose}>
          {L.closeButton}
        </button>
      </div>
    </Dialog>
  );
}
