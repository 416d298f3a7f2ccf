/**
 * "Open with": the vault's passphrase, or the profile's identity (a member of
 * a team vault, which holds no passphrase slot for them: VAULT-MODEL C2).
 * Offered wherever a vault is opened with a passphrase (the start screen's
 * Open form, the unlock screen); absent while the profile has no identity.
 * The start screen's Create form asks the same question as "Protect with"
 * (UnlockChoice): a personal vault's passphrase, or a team vault of the identity.
 * An identity this computer remembers opens with the OS keychain when its
 * passphrase is left empty.
 */
import { useEffect, useId, type Ref } from 'react';
import type { IdentityView } from '../../../shared/contract.js';
import { L } from '../../app/labels.js';
import { Field } from '../../lib/Field.js';
import { useIdentity } from './store.js';

export type OpenWith = 'passphrase' | 'identity';

/**
 * The choice, then the passphrase it asks for: the vault's (labelled
 * `vaultLabel`) or the identity's, which may be left empty when this computer
 * remembers the identity.
 */
export function OpenWithFields({ openWith, onOpenWith, vaultLabel, value, onChange, inputRef, autoFocus = false }: {
  openWith: OpenWith;
  onOpenWith: (value: OpenWith) => void;
  vaultLabel: string;
  value: string;
  onChange: (value: string) => void;
  inputRef: Ref<HTMLInputElement>;
  autoFocus?: boolean;
}) {
  const optional = useIdentity((s) => openWith === 'identity' && s.identity?.remembered === true);
  return (
    <>
      <OpenWithChoice value={openWith} onChange={onOpenWith} />
      <Field
        label={openWith === 'identity' ? L.identityPassphrase : vaultLabel}
        type="password"
        value={value}
        onChange={onChange}
        inputRef={inputRef}
        autoFocus={autoFocus}
        required={!optional}
      />
    </>
  );
}

function OpenWithChoice({ value, onChange }: { value: OpenWith; onChange: (value: OpenWith) => void }) {
  return (
    <UnlockChoice
      value={value}
      onChange={onChange}
      legend={L.openWithLegend}
      passphraseLabel={L.openWithPassphrase}
      identityLabel={(identity) => L.openWithIdentity(identity.name, identity.id)}
      keychainHint={L.identityKeychainHint}
    />
  );
}

/**
 * A passphrase or the profile's identity, in the caller's words (Open with,
 * Protect with). Absent while the profile has no identity, unless
 * `noIdentityLabel` is given: then the identity is offered under it all the
 * same, and the caller says how to make one.
 */
export function UnlockChoice({ value, onChange, legend, passphraseLabel, identityLabel, noIdentityLabel, keychainHint }: {
  value: OpenWith;
  onChange: (value: OpenWith) => void;
  legend: string;
  passphraseLabel: string;
  identityLabel: (identity: IdentityView) => string;
  noIdentityLabel?: string;
  keychainHint: string;
}) {
  const identity = useIdentity((s) => s.identity);
  const group = useId();
  useEffect(() => {
    if (useIdentity.getState().identity === undefined) void useIdentity.getState().load();
  }, []);
  if (identity === undefined || (identity === null && noIdentityLabel === undefined)) return null;
  return (
    <fieldset className="field">
      <legend>{legend}</legend>
      <label className="radio">
        <input type="radio" name={group} checked={value === 'passphrase'} onChange={() => onChange('passphrase')} />
        {passphraseLabel}
      </label>
      <label className="radio">
        <input type="radio" name={group} checked={value === 'identity'} onChange={() => onChange('identity')} />
        {identity === null ? noIdentityLabel : identityLabel(identity)}
      </label>
      {value === 'identity' && identity?.remembered === true ? <p className="hint">{keychainHint}</p> : null}
    </fieldset>
  );
}
