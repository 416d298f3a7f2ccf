/** The Keys screen: New key, Import key, the tabs Keys / Deleted, list + detail. */
import { useEffect, useState } from 'react';
import type { KeyListItem } from '../../../shared/contract.js';
import { L } from '../../app/labels.js';
import { subscribeMainEvents } from '../../lib/api.js';
import { formatDate, nameFromId } from '../../lib/format.js';
import { KindScreen } from '../../lib/objects/KindScreen.js';
import { ObjectsView } from '../../lib/objects/ObjectsView.js';
import { CreateKeyDialog, ImportKeyDialog } from './dialogs.js';
import { KeyDetail } from './KeyDetail.js';
import { useKeys } from './store.js';

const nameOf = (i: { kid: string }) => nameFromId(i.kid);
const typeOf = (i: KeyListItem) => L.keyTypeText(i.kty, i.size, i.crv);
/** The row shows the type and, when set, the expiry date (the chips say when it is near or past). */
const rowExtra = (i: KeyListItem) => (i.attributes.exp === undefined ? typeOf(i) : `${typeOf(i)} · ${L.expiresOn(formatDate(i.attributes.exp))}`);
const LABELS = {
  live: L.keysTab,
  search: L.searchKeys,
  list: L.keysList,
  empty: L.emptyKeys,
  noMatch: L.noMatchKeys,
  count: L.keyCount,
  deletedList: L.deletedKeysList,
  deletedEmpty: L.emptyDeletedKeys,
};

export function KeysScreen() {
  const error = useKeys((s) => s.error);
  const status = useKeys((s) => s.status);
  const [dialog, setDialog] = useState<'create' | 'import' | null>(null);
  // Scheduled rotation (main) made new versions: show them (the shell shows the notice).
  useEffect(() => subscribeMainEvents((e) => void (e.type === 'keysRotated' && e.rotated.length > 0 && useKeys.getState().rotated(e.rotated))), []);

  const opened = (name: string) => {
    useKeys.getState().setView('live');
    void useKeys.getState().select(name);
  };

  return (
    <KindScreen
      title={L.keysTab}
      error={error}
      status={status}
      actions={
        <>
          <button type="button" className="primary" onClick={() => setDialog('create')}>
            {L.newKeyButton}
          </button>
          <button type="button" onClick={() => setDialog('import')}>
            {L.importKeyButton}
          </button>
        </>
      }
    >
      <ObjectsView
        kind="keys"
        store={useKeys}
        onNew={() => setDialog('create')}
        nameOf={nameOf}
        searchText={typeOf}
        extra={rowExtra}
        detail={<KeyDetail />}
        labels={LABELS}
      />
      {dialog === 'create' ? <CreateKeyDialog onClose={() => setDialog(null)} onCreated={opened} /> : null}
      {dialog === 'import' ? <ImportKeyDialog onClose={() => setDialog(null)} onCreated={opened} /> : null}
    </KindScreen>
  );
}
