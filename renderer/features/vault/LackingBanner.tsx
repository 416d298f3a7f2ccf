/**
 * Shown while the open vault is a copy that lacks commits this computer has
 * seen (an older copy, another git branch): the engine's `lacking` report
 * (shared/vault-types.ts), carried in the session's summary. Its message says
 * what is missing and how to merge; when `writable` is false the engine
 * refuses every write (VaultRolledBack) until the newer copy is merged in,
 * and the banner says so, as an alert. Otherwise it is a status: writing
 * works, the copies can be merged later.
 */
import { useId } from 'react';
import { L } from '../../app/labels.js';
import { useSession } from './store.js';

export function LackingBanner() {
  const lacking = useSession((s) => s.vault?.lacking ?? null);
  const titleId = useId();
  if (!lacking) return null;
  const readOnly = !lacking.writable;
  return (
    <div className={`banner ${readOnly ? 'banner-bad' : 'banner-warn'}`} role={readOnly ? 'alert' : 'status'} aria-labelledby={titleId}>
      <p id={titleId} className="banner-title">
        {readOnly ? L.lackingReadOnlyTitle : L.lackingTitle}
      </p>
      <p>{lacking.message}</p>
      {readOnly ? <p>{L.lackingReadOnly}</p> : null}
    </div>
  );
}
