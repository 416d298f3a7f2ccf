/**
 * A modal dialog as the WAI-ARIA dialog pattern describes it: role=dialog,
 * aria-modal, labelled by its heading; focus moves in on open (first field,
 * or `initialFocus`), stays inside (Tab wraps), Escape closes, and focus
 * returns to where it was on close. The rest of the app is made inert
 * meanwhile (#root), and the dialog is portalled outside it; a dialog opened
 * over another (the Issuers dialog from the create wizard, a DNS record while
 * an order waits) makes the one below inert too.
 */
import { useEffect, useId, useLayoutEffect, useRef, useState, type FormEvent, type ReactNode } from 'react';
import type { ErrorResult } from '../../shared/contract.js';
import { L } from '../app/labels.js';
import { createPortal } from 'react-dom';

const FOCUSABLE = 'input:not([disabled]), textarea:not([disabled]), select:not([disabled]), button:not([disabled]), [href], [tabindex]:not([tabindex="-1"])';

export interface DialogProps {
  title: string;
  onClose: () => void;
  children: ReactNode;
  /** CSS selector of the element to focus first (default: the first focusable). */
  initialFocus?: string;
  /** 'alertdialog' for confirmations. */
  role?: 'dialog' | 'alertdialog';
}

export function Dialog({ title, onClose, children, initialFocus, role = 'dialog' }: DialogProps) {
  const ref = useRef<HTMLDivElement>(null);
  const headingId = useId();
  const onCloseRef = useRef(onClose);
  useEffect(() => {
    onCloseRef.current = onClose;
  });

  // A layout effect, so focus and `inert` land in the same commit that shows
  // the dialog: no frame in which keystrokes still reach the page behind it.
  useLayoutEffect(() => {
    const previous = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    const el = ref.current;
    const own = el?.parentElement ?? null;
    // The page, and any dialog already open below this one.
    const below = [document.getElementById('root'), ...Array.from(document.querySelectorAll<HTMLElement>('body > .backdrop'))].filter(
      (b): b is HTMLElement => b !== null && b !== own && !b.hasAttribute('inert'),
    );
    for (const b of below) b.setAttribute('inert', '');
    const first = (initialFocus ? el?.querySelector<HTMLElement>(initialFocus) : null) ?? el?.querySelector<HTMLElement>(FOCUSABLE) ?? el;
    first?.focus();
    return () => {
      for (const b of below) b.removeAttribute('inert');
      if (previous && previous.isConnected) previous.focus();
    };
    // Runs once per opening (initialFocus is read on open only).
  }, []);

  const onKeyDown = (e: React.KeyboardEvent<HTMLDivElement>) => {
    if (e.key === 'Escape') {
      e.preventDefault();
      e.stopPropagation();
      onCloseRef.current();
      return;
    }
    if (e.key !== 'Tab' || !ref.current) return;
    const items = Array.from(ref.current.querySelectorAll<HTMLElement>(FOCUSABLE));
    if (items.length === 0) return;
    const firstItem = items[0]!;
    const lastItem = items[items.length - 1]!;
    if (e.shiftKey && document.activeElement === firstItem) {
      e.preventDefault();
      lastItem.focus();
    } else if (!e.shiftKey && document.activeElement === lastItem) {
      e.preventDefault();
      firstItem.focus();
    }
  };

  return createPortal(
    <div className="backdrop">
      <div ref={ref} className="dialog" role={role} aria-modal="true" aria-labelledby={headingId} tabIndex={-1} onKeyDown={onKeyDown}>
        <h2 id={headingId}>{title}</h2>
        {children}
      </div>
    </div>,
    document.body,
  );
}

/** An error from a Result: its message only (never a stack), announced. */
export function ErrorAlert({ message }: { message: string | null | undefined }) {
  if (!message) return null;
  return (
    <p role="alert" className="alert">
      {message}
    </p>
  );
}

/** A Dialog holding a form: its fields, the error, and Save (or `confirm`) / Cancel. Submitting while busy does nothing. */
export function FormDialog({ title, onClose, onSubmit, error, children, confirm = L.saveButton, busy }: {
  title: string;
  onClose: () => void;
  onSubmit: () => void;
  error: string | null;
  children?: ReactNode;
  confirm?: string;
  busy: boolean;
}) {
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (!busy) onSubmit();
  };
  return (
    <Dialog title={title} onClose={onClose}>
      <form onSubmit={submit} aria-busy={busy}>
        {children}
        <ErrorAlert message={error} />
        <div className="actions">
          <button type="submit" className="primary">
            {confirm}
          </button>
          <button type="button" onClick={onClose}>
            {L.cancelButton}
          </button>
        </div>
      </form>
    </Dialog>
  );
}

/** Runs a store action that answers an error or null, for a dialog: busy meanwhile, its error shown, closed on success. */
export function useSubmit(onDone: () => void) {
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const run = async (fn: () => Promise<ErrorResult | null>) => {
    setBusy(true);
    setError(null);
    const err = await fn();
    setBusy(false);
    if (err) setError(err.message);
    else onDone();
  };
  return { error, setError, busy, run };
}

/** A confirmation (delete, purge) whose action may fail: the error shows in the dialog. */
export function ConfirmDialog({ title, text, confirm, onConfirm, onClose }: {
  title: string;
  text: string;
  confirm: string;
  onConfirm: () => Promise<ErrorResult | null>;
  onClose: () => void;
}) {
  const { error, busy, run } = useSubmit(onClose);
  return (
    <FormDialog title={title} onClose={onClose} onSubmit={() => void run(onConfirm)} error={error} busy={busy} confirm={confirm}>
      <p>{text}</p>
    </FormDialog>
  );
}
