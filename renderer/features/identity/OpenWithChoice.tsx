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
      <UnlockChoice value={openWith} onChange={onOpenWith} />
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

/** The words of a choice between a passphrase and the profile's identity; `noIdentity` offers the identity while the profile has none. */
export interface ChoiceWords {
  legend: string;
  passphrase: string;
  identity: (identity: IdentityView) => string;
  noIdentity?: string;
  keychainHint: string;
}

const OPEN_WITH: ChoiceWords = {
  legend: L.openWithLegend,
  passphrase: L.openWithPassphrase,
  identity: (identity) => L.openWithIdentity(identity.name, identity.id),
  keychainHint: L.identityKeychainHint,
};

/** The Create form's: a personal vault's passphrase, or a team vault of the identity (offered without one: the form says how to make it). */
export const PROTECT_WITH: ChoiceWords = {
  legend: L.protectWithLegend,
  passphrase: L.protectWithPassphrase,
  identity: (identity) => L.protectWithIdentity(identity.name, identity.id),
  noIdentity: L.protectWithNoIdentity,
  keychainHint: L.identityKeychainCreateHint,
};

/**
 * A passphrase or the profile's identity, in the caller's words (Open with,
 * Protect with). Absent while the profile has no identity, unless the words
 * have `noIdentity`: then the identity is offered under it all the same, and
 * the caller says how to make one.
 */
export function UnlockChoice({ value, onChange, words = OPEN_WITH }: { value: OpenWith; onChange: (value: OpenWith) => void; words?: ChoiceWords }) {
  const identity = useIdentity((s) => s.identity);
  const group = useId();
  useEffect(() => {
    if (useIdentity.getState().identity === undefined) void useIdentity.getState().load();
  }, []);
  if (identity === undefined || (identity === null && words.noIdentity === undefined)) return null;
  return (
    <fieldset className="field">
      <legend>{words.legend}</legend>
      {/* Named by id as well as by the wrapping label: every control's name is findable the same way (renderer tests). */}
      <label className="radio" htmlFor={`${group}-passphrase`}>
        <input id={`${group}-passphrase`} type="radio" name={group} checked={value === 'passphrase'} onChange={() => onChange('passphrase')} />
        {words.passphrase}
      </label>
      <label className="radio" htmlFor={`${group}-identity`}>
        <input id={`${group}-identity`} type="radio" name={group} checked={value === 'identity'} onChange={() => onChange('identity')} />
        {identity === null ? words.noIdentity : words.identity(identity)}
      </label>
      {value === 'identity' && identity?.remembered === true ? <p className="hint">{words.keychainHint}</p> : null}
    </fieldset>
  );
}
