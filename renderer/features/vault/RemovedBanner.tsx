/**
 * Shown while the engine finds that this identity was most likely removed
 * from the open vault (VaultInfo.removal, VAULT-MODEL C5): a new key epoch it
 * cannot read, started by a member who may remove it. What follows is sealed
 * to keys it never received, and every write is refused (the other members
 * would reject it), so the banner says both, as an alert.
 */
import { useId } from 'react';
import { L } from '../../app/labels.js';
import { useSession } from './store.js';

export function RemovedBanner() {
  const removal = useSession((s) => s.vault?.removal ?? null);
  const titleId = useId();
  if (!removal) return null;
  return (
    <div className="banner banner-bad" role="alert" aria-labelledby={titleId}>
      <p id={titleId} className="banner-title">
        {L.removedTitle}
      </p>
      <p>{L.removedExplain(removal.by, removal.commit.slice(0, 12))}</p>
    </div>
  );
}
