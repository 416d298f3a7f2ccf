/** The Certificates screen: New certificate, Import certificate, a pending request, the vault's ACME issuers and certificate contacts; the tabs Certificates / Deleted, list + detail. */
import { useEffect, useState } from 'react';
import type { CertificateListItem } from '../../../shared/contract.js';
import { L } from '../../app/labels.js';
import { subscribeMainEvents } from '../../lib/api.js';
import { useClock } from '../../lib/clock.js';
import { nameFromId } from '../../lib/format.js';
import { KindScreen } from '../../lib/objects/KindScreen.js';
import { ObjectsView } from '../../lib/objects/ObjectsView.js';
import { CertificateDetail, ExpiryText } from './CertificateDetail.js';
import { ContactsDialog } from './ContactsDialog.js';
import { CreateCertificateDialog, ImportCertificateDialog, PendingRequestDialog } from './dialogs.js';
import { IssuersDialog } from './IssuersDialog.js';
import { useCertificates } from './store.js';

const nameOf = (i: { id: string }) => nameFromId(i.id);
/** Searched: the subject and the issuer. */
const searchText = (i: CertificateListItem) => `${i.subject}\n${i.issuer}`;
const LABELS = {
  live: L.certificatesTab,
  search: L.searchCertificates,
  list: L.certificatesList,
  empty: L.emptyCertificates,
  noMatch: L.noMatchCertificates,
  count: L.certificateCount,
  deletedList: L.deletedCertificatesList,
  deletedEmpty: L.emptyDeletedCertificates,
};

/** The row shows the days left, coloured by how near the expiry is, then the subject (cut short first when the row is narrow). */
function RowExtra({ item }: { item: CertificateListItem }) {
  const now = Math.floor(useClock().now() / 1000);
  return (
    <>
      {item.attributes.exp === undefined ? null : (
        <>
          <ExpiryText exp={item.attributes.exp} now={now} />
          {' · '}
        </>
      )}
      {item.subject}
    </>
  );
}

export function CertificatesScreen() {
  const error = useCertificates((s) => s.error);
  const status = useCertificates((s) => s.status);
  const [dialog, setDialog] = useState<'create' | 'import' | 'pending' | 'issuers' | 'contacts' | null>(null);
  // Scheduled renewal (main) made new versions: show them (the shell shows the notice).
  useEffect(() => subscribeMainEvents((e) => void (e.type === 'certificatesRenewed' && e.renewed.length > 0 && useCertificates.getState().renewed(e.renewed))), []);

  const opened = (name: string) => {
    useCertificates.getState().setView('live');
    void useCertificates.getState().select(name);
  };

  return (
    <KindScreen
      title={L.certificatesTab}
      error={error}
      status={status}
      actions={
        <>
          <button type="button" className="primary" onClick={() => setDialog('create')}>
            {L.newCertificateButton}
          </button>
          <button type="button" onClick={() => setDialog('import')}>
            {L.importCertificateButton}
          </button>
          <button type="button" onClick={() => setDialog('pending')}>
            {L.pendingRequestButton}
          </button>
          <button type="button" onClick={() => setDialog('issuers')}>
            {L.issuersButton}
          </button>
          <button type="button" onClick={() => setDialog('contacts')}>
            {L.contactsButton}
          </button>
        </>
      }
    >
      <ObjectsView
        kind="certificates"
        store={useCertificates}
        onNew={() => setDialog('create')}
        nameOf={nameOf}
        searchText={searchText}
        extra={(i) => <RowExtra item={i} />}
        detail={<CertificateDetail />}
        labels={LABELS}
      />
      {dialog === 'create' ? <CreateCertificateDialog onClose={() => setDialog(null)} onCreated={opened} /> : null}
      {dialog === 'import' ? <ImportCertificateDialog onClose={() => setDialog(null)} onCreated={opened} /> : null}
      {dialog === 'pending' ? <PendingRequestDialog onClose={() => setDialog(null)} onMerged={opened} /> : null}
      {dialog === 'issuers' ? <IssuersDialog onClose={() => setDialog(null)} /> : null}
      {dialog === 'contacts' ? <ContactsDialog onClose={() => setDialog(null)} /> : null}
    </KindScreen>
  );
}
