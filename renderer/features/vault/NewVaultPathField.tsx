/** A new vault's file: typed, or chosen in main's save dialog (`dialog:chooseNewVault`), which starts at the path typed so far. */
import { L } from '../../app/labels.js';
import { call } from '../../lib/api.js';
import { Field } from '../../lib/Field.js';

export function NewVaultPathField({ label, value, onChange, onChosen, onError }: {
  label: string;
  value: string;
  onChange: (path: string) => void;
  /** After a path was chosen (the next field takes the focus). */
  onChosen?: () => void;
  onError: (message: string) => void;
}) {
  const choose = async () => {
    const trimmed = value.trim();
    const r = await call('dialog:chooseNewVault', trimmed.startsWith('/') || /^[A-Za-z]:[\\/]/.test(trimmed) ? { defaultPath: trimmed } : {});
    if (!r.ok) onError(r.message);
    else if (r.value !== null) {
      onChange(r.value);
      onChosen?.();
    }
  };
  return (
    <Field
      label={label}
      value={value}
      onChange={onChange}
      hint={L.createPathHint}
      required
      trailing={
        <button type="button" onClick={() => void choose()} aria-label={L.chooseNewPath}>
          {L.chooseButton}
        </button>
      }
    />
  );
}
