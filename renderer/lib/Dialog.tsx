/**
 * A modal dialog as the WAI-ARIA dialog pattern describes it: role=dialog,
 * aria-modal, labelled by its heading; focus moves in on open (first field,
 * or `initialFocus`), stays inside (Tab wraps), Escape closes, and focus
 * returns to where it was on close. The rest of the app is made inert
 * meanwhile (#root), and the dialog is portalled outside it.
 */
import { useEffect, useId, useRef, type ReactNode } from 'react';
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

  useEffect(() => {
    const previous = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    const root = document.getElementById('root');
    const wasInert = root?.hasAttribute('inert') ?? false;
    if (root && !wasInert) root.setAttribute('inert', '');
    const el = ref.current;
    const first = (initialFocus ? el?.querySelector<HTMLElement>(initialFocus) : null) ?? el?.querySelector<HTMLElement>(FOCUSABLE) ?? el;
    first?.focus();
    return () => {
      if (root && !wasInert) root.removeAttribute('inert');
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
