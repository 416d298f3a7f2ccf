/** A labelled input: the label names the control (for screen readers and tests alike). */
import { useId, type InputHTMLAttributes, type ReactNode, type Ref } from 'react';

interface FieldProps extends Omit<InputHTMLAttributes<HTMLInputElement>, 'onChange' | 'value'> {
  label: string;
  value: string;
  onChange: (value: string) => void;
  hint?: string;
  inputRef?: Ref<HTMLInputElement>;
  /** A control beside the input (a Choose… button), above the hint. */
  trailing?: ReactNode;
}

export function Field({ label, value, onChange, hint, inputRef, trailing, ...rest }: FieldProps) {
  const id = useId();
  const hintId = `${id}-hint`;
  const input = (
    <input
      id={id}
      ref={inputRef}
      value={value}
      onChange={(e) => onChange(e.target.value)}
      aria-describedby={hint ? hintId : undefined}
      spellCheck={false}
      autoComplete="off"
      {...rest}
    />
  );
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      {trailing ? (
        <div className="input-row">
          {input}
          {trailing}
        </div>
      ) : (
        input
      )}
      {hint ? (
        <span id={hintId} className="hint">
          {hint}
        </span>
      ) : null}
    </div>
  );
}

export function TextArea({ label, value, onChange, rows = 3 }: { label: string; value: string; onChange: (v: string) => void; rows?: number }) {
  const id = useId();
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <textarea id={id} value={value} rows={rows} onChange={(e) => onChange(e.target.value)} spellCheck={false} autoComplete="off" />
    </div>
  );
}

export function Checkbox({ label, checked, onChange, describedBy }: { label: string; checked: boolean; onChange: (v: boolean) => void; describedBy?: string }) {
  const id = useId();
  return (
    <div className="field checkbox">
      <input id={id} type="checkbox" checked={checked} onChange={(e) => onChange(e.target.checked)} aria-describedby={describedBy} />
      <label htmlFor={id}>{label}</label>
    </div>
  );
}

/** A labelled <select> of value/label options. */
export function Select({ label, value, options, onChange }: { label: string; value: string; options: readonly { value: string; label: string }[]; onChange: (v: string) => void }) {
  const id = useId();
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <select id={id} value={value} onChange={(e) => onChange(e.target.value)}>
        {options.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </select>
    </div>
  );
}
