/**
 * Settings: auto-lock after idle minutes, clipboard clear seconds (bounds from
 * shared/contract.ts LIMITS, checked again by main), and whether minimising the
 * window locks the vault (main acts on it when the window is minimised).
 */
import { useState } from 'react';
import { L } from '../../app/labels.js';
import { FormDialog } from '../../lib/Dialog.js';
import { Checkbox, Field } from '../../lib/Field.js';
import { useSettings } from './store.js';

/** shared/contract.ts LIMITS (not imported: that module brings zod into the bundle). */
const BOUNDS = { autoLock: [1, 1440], clipboard: [5, 600] } as const;

function wholeNumberIn(text: string, [min, max]: readonly [number, number]): number | null {
  if (!/^\d+$/.test(text.trim())) return null;
  const n = Number(text.trim());
  return n >= min && n <= max ? n : null;
}

export function SettingsDialog({ onClose }: { onClose: () => void }) {
  const current = useSettings((s) => s.settings);
  const save = useSettings((s) => s.save);
  const [autoLock, setAutoLock] = useState(String(current?.autoLockMinutes ?? 5));
  const [clipboard, setClipboard] = useState(String(current?.clipboardClearSeconds ?? 30));
  const [lockOnMinimize, setLockOnMinimize] = useState(current?.lockOnMinimize ?? false);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const onSubmit = async () => {
    const autoLockMinutes = wholeNumberIn(autoLock, BOUNDS.autoLock);
    if (autoLockMinutes === null) return setError(L.settingsRange(L.settingsAutoLock, ...BOUNDS.autoLock));
    const clipboardClearSeconds = wholeNumberIn(clipboard, BOUNDS.clipboard);
    if (clipboardClearSeconds === null) return setError(L.settingsRange(L.settingsClipboard, ...BOUNDS.clipboard));
    setBusy(true);
    const err = await save({ autoLockMinutes, clipboardClearSeconds, lockOnMinimize });
    setBusy(false);
    if (err) setError(err.message);
    else onClose();
  };

  return (
    <FormDialog title={L.settingsDialog} onClose={onClose} onSubmit={() => void onSubmit()} error={error} busy={busy}>
      <Field label={L.settingsAutoLock} inputMode="numeric" value={autoLock} onChange={setAutoLock} hint={L.settingsAutoLockHint} />
      <Field label={L.settingsClipboard} inputMode="numeric" value={clipboard} onChange={setClipboard} hint={L.settingsClipboardHint} />
      <Checkbox label={L.settingsLockOnMinimize} checked={lockOnMinimize} onChange={setLockOnMinimize} />
    </FormDialog>
  );
}
