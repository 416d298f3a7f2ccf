/**
 * The vault's certificate contacts (Key Vault's SetCertificateContacts): who
 * is to be told when a certificate's "Email contacts" lifetime action fires.
 * Listed with their email, name and phone, each removable; added with a
 * form; Save writes the whole list (an empty list deletes the contacts). A
 * member whose roles may not read them sees the engine's Forbidden, and
 * nothing to edit.
 */
import { useEffect, useState, type FormEvent } from 'react';
import { CONTACT_EMAIL_PATTERN, type CertificateContact } from '../../../shared/certificate-types.js';
import { LIMITS } from '../../../shared/contract.js';
import { L } from '../../app/labels.js';
import { Dialog, ErrorAlert, useSubmit } from '../../lib/Dialog.js';
import { Field } from '../../lib/Field.js';
import { useCertificates } from './store.js';

export function ContactsDialog({ onClose }: { onClose: () => void }) {
  const saveContacts = useCertificates((s) => s.saveContacts);
  // null while loading; the load's error replaces the list.
  const [contacts, setContacts] = useState<CertificateContact[] | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const { error, setError, busy, run } = useSubmit(onClose);

  useEffect(() => {
    let live = true;
    void useCertificates
      .getState()
      .loadContacts()
      .then((r) => {
        if (!live) return;
        if (r.ok) setContacts(r.value.contacts);
        else setLoadError(r.message);
      });
    return () => {
      live = false;
    };
  }, []);

  const add = (c: CertificateContact): string | null => {
    if (contacts === null) return null;
    if (contacts.length >= LIMITS.contacts) return L.contactsFull(LIMITS.contacts);
    if (contacts.some((x) => x.email.toLowerCase() === c.email.toLowerCase())) return L.contactDuplicate(c.email);
    setContacts([...contacts, c]);
    setError(null);
    return null;
  };

  return (
    <Dialog title={L.contactsDialog} onClose={onClose}>
      <p className="hint">{L.contactsExplain}</p>
      {loadError !== null ? null : contacts === null ? (
        <p className="muted">{L.loading}</p>
      ) : (
        <>
          {contacts.length === 0 ? (
            <p>{L.contactsEmpty}</p>
          ) : (
            <div className="table-wrap">
              <table aria-label={L.contactsTable} aria-busy={busy}>
                <thead>
                  <tr>
                    <th scope="col">{L.colContactEmail}</th>
                    <th scope="col">{L.colContactName}</th>
                    <th scope="col">{L.colContactPhone}</th>
                    <th scope="col">{L.colActions}</th>
                  </tr>
                </thead>
                <tbody>
                  {contacts.map((c) => (
                    <tr key={c.email}>
                      <th scope="row" className="break">
                        {c.email}
                      </th>
                      <td>{c.name ?? '—'}</td>
                      <td>{c.phone ?? '—'}</td>
                      <td>
                        <button type="button" aria-label={L.removeContact(c.email)} onClick={() => setContacts(contacts.filter((x) => x !== c))}>
                          {L.removeConfirm}
                        </button>
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
          <AddContactForm onAdd={add} />
        </>
      )}
      <ErrorAlert message={loadError ?? error} />
      <div className="actions">
        {contacts === null ? null : (
          <button type="button" className="primary" onClick={() => !busy && void run(() => saveContacts(contacts))}>
            {L.saveButton}
          </button>
        )}
        <button type="button" onClick={onClose}>
          {contacts === null ? L.doneButton : L.cancelButton}
        </button>
      </div>
    </Dialog>
  );
}

/** Email (checked as the engine does), name and phone; `onAdd` answers why it was not added, or null. */
function AddContactForm({ onAdd }: { onAdd: (c: CertificateContact) => string | null }) {
  const [email, setEmail] = useState('');
  const [name, setName] = useState('');
  const [phone, setPhone] = useState('');
  const [error, setError] = useState<string | null>(null);

  const submit = (e: FormEvent) => {
    e.preventDefault();
    const mail = email.trim();
    if (!CONTACT_EMAIL_PATTERN.test(mail)) return setError(L.contactEmailError);
    const who = name.trim();
    const tel = phone.trim();
    const refused = onAdd({ email: mail, ...(who === '' ? {} : { name: who }), ...(tel === '' ? {} : { phone: tel }) });
    setError(refused);
    if (refused !== null) return;
    setEmail('');
    setName('');
    setPhone('');
  };

  return (
    // The app's own messages, not the browser's validation bubble.
    <form onSubmit={submit} noValidate>
      <fieldset className="field">
        <legend>{L.addContactLegend}</legend>
        <Field label={L.fieldContactEmail} value={email} onChange={setEmail} type="email" required maxLength={LIMITS.emailLength} />
        <Field label={L.fieldContactName} value={name} onChange={setName} maxLength={LIMITS.contactNameLength} />
        <Field label={L.fieldContactPhone} value={phone} onChange={setPhone} type="tel" maxLength={LIMITS.contactPhoneLength} />
        <ErrorAlert message={error} />
        <div className="actions">
          <button type="submit">{L.addContactButton}</button>
        </div>
      </fieldset>
    </form>
  );
}
