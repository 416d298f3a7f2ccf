/**
 * dns-01: while an order by an ACME issuer waits, main asks the user to
 * publish a TXT record (a `dnsChallenge` event). The dialog shows the record
 * (name, type, value, selectable: the app has no clipboard channel for free
 * text) with "The record is published" and "Cancel the order"; Escape
 * cancels too. Mounted once in the vault's shell, so the record shows
 * wherever the order was started (the create wizard, Renew now).
 */
import { useEffect, useState } from 'react';
import { L } from '../../app/labels.js';
import { subscribeMainEvents } from '../../lib/api.js';
import { Dialog, ErrorAlert } from '../../lib/Dialog.js';
import { useCertificates, type DnsChallenge } from './store.js';

export function DnsChallengeHost() {
  const first = useCertificates((s) => s.dnsChallenges[0]);
  useEffect(() => subscribeMainEvents((e) => useCertificates.getState().dnsEvent(e)), []);
  return first ? <DnsChallengeDialog key={first.id} challenge={first} /> : null;
}

function DnsChallengeDialog({ challenge }: { challenge: DnsChallenge }) {
  const answerDns = useCertificates((s) => s.answerDns);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const answer = async (published: boolean) => {
    if (busy) return;
    setBusy(true);
    const err = await answerDns(challenge.id, published);
    setBusy(false);
    setError(err?.message ?? null);
  };

  return (
    <Dialog title={L.dnsDialog(challenge.certificate)} onClose={() => void answer(false)} role="alertdialog" initialFocus=".dns-ready">
      <p>{L.dnsExplain}</p>
      <section aria-label={L.dnsRecordRegion}>
        <dl className="facts">
          <dt>{L.dnsRecordName}</dt>
          <dd>
            <code className="break select-all">{challenge.name}</code>
          </dd>
          <dt>{L.dnsRecordType}</dt>
          <dd>
            <code>TXT</code>
          </dd>
          <dt>{L.dnsRecordValue}</dt>
          <dd>
            <code className="break select-all">{challenge.value}</code>
          </dd>
        </dl>
      </section>
      <ErrorAlert message={error} />
      <div className="actions" aria-busy={busy}>
        <button type="button" className="primary dns-ready" onClick={() => void answer(true)}>
          {L.dnsReadyButton}
        </button>
        <button type="button" onClick={() => void answer(false)}>
          {L.dnsCancelButton}
        </button>
      </div>
    </Dialog>
  );
}
