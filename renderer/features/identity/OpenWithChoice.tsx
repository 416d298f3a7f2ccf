/**
 * "Open with": the vault's passphrase, or the profile's identity (a member of
 * a team vault, which holds no passphrase slot for them: VAULT-MODEL C2).
 * Offered wherever a vault is opened with a passphrase (the start screen's
 * Open form, the unlock screen); absent while the profile has no identity.
 * An identity this computer remembers opens with the OS keychain when its
 * passphrase is left empty.
 */
import { useEffect, useId } from 'react';
import { L } from '../../app/labels.js';
import { useIdentity } from './store.js';

export type OpenWith = 'passphrase' | 'identity';

/** Whether the passphrase may be left empty: opening with the identity this computer remembers. */
export function usePassphraseOptional(openWith: OpenWith): boolean {
  return useIdentity((s) => openWith === 'identity' && s.identity?.remembered === true);
}

export function OpenWithChoice({ value, onChange }: { value: OpenWith; onChange: (value: OpenWith) => void }) {
  const identity = useIdentity((s) => s.identity);
  const group = useId();
  useEffect(() => {
    if (useIdentity.getState().identity === undefined) void useIdentity.getState().load();
  }, []);
  if (!identity) return null;
  return (
    <fieldset className="field">
      <legend>{L.openWithLegend}</legend>
      <label className="radio">
        <input type="radio" name={group} checked={value === 'passphrase'} onChange={() => onChange('passphrase')} />
        {L.openWithPassphrase}
      </label>
      <label className="radio">
        <input type="radio" name={group} checked={value === 'identity'} onChange={() => onChange('identity')} />
        {L.openWithIdentity(identity.name, identity.id)}
      </label>
      {value === 'identity' && identity.remembered ? <p className="hint">{L.identityKeychainHint}</p> : null}
    </fieldset>
  );
}
