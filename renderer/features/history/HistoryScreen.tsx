/**
 * The History view: who changed what in the vault over the last 24 hours, 7
 * or 30 days, newest first (the engine's Vault.history). Each commit with its
 * time, its author's name and member id, and what it did. A commit the vault
 * rejected (its author lacked the role, or was removed meanwhile: VAULT-MODEL
 * C5) is shown apart with its reason, as is one this member cannot read.
 */
import { useEffect, useId } from 'react';
import type { HistoryEntry } from '../../../shared/vault-types.js';
import { L } from '../../app/labels.js';
import { useClock } from '../../lib/clock.js';
import { formatTime } from '../../lib/format.js';
import { KindScreen } from '../../lib/objects/KindScreen.js';
import { changeText, entryText } from './describe.js';
import { HISTORY_PERIODS, useHistory, type HistoryPeriod } from './store.js';

export function HistoryScreen() {
  const entries = useHistory((s) => s.entries);
  const error = useHistory((s) => s.error);
  const days = useHistory((s) => s.days);
  const clock = useClock();
  const periodId = useId();

  useEffect(() => {
    void useHistory.getState().load(clock.now());
  }, [clock]);

  return (
    <KindScreen
      title={L.historyTitle}
      error={error}
      status={null}
      actions={
        <label htmlFor={periodId}>
          {L.historyPeriod}{' '}
          <select id={periodId} value={days} onChange={(e) => void useHistory.getState().setDays(Number(e.target.value) as HistoryPeriod, clock.now())}>
            {HISTORY_PERIODS.map((d) => (
              <option key={d} value={d}>
                {L.historyDays(d)}
              </option>
            ))}
          </select>
        </label>
      }
    >
      <div className="history">
        <p className="hint">{L.historyExplain}</p>
        {entries === null ? (
          <p className="muted">{L.loading}</p>
        ) : entries.length === 0 ? (
          <p className="muted">{L.historyNone(days)}</p>
        ) : (
          <div className="table-wrap">
            <table aria-label={L.historyTable}>
              <thead>
                <tr>
                  <th scope="col">{L.colWhen}</th>
                  <th scope="col">{L.colWho}</th>
                  <th scope="col">{L.colWhat}</th>
                </tr>
              </thead>
              <tbody>
                {entries.map((e) => (
                  <HistoryRow key={e.commit} entry={e} />
                ))}
              </tbody>
            </table>
          </div>
        )}
      </div>
    </KindScreen>
  );
}

function HistoryRow({ entry: e }: { entry: HistoryEntry }) {
  const rejected = e.rejected !== undefined;
  return (
    <tr className={rejected ? 'history-rejected' : e.changes === null ? 'history-unreadable' : undefined}>
      <td>{e.time === null ? <span className="muted">{L.timeUnknown}</span> : formatTime(Math.floor(e.time / 1000))}</td>
      <th scope="row" className="break">
        {e.author.name} <code>{e.author.id}</code>
      </th>
      <td>
        {rejected ? <span className="chip chip-rejected">{L.historyRejected}</span> : null}
        {e.changes === null || e.changes.length <= 1 ? (
          <span>{entryText(e)}</span>
        ) : (
          <>
            <ul className="plain">
              {e.changes.map((c, i) => (
                <li key={i}>{changeText(c)}</li>
              ))}
            </ul>
            {rejected ? <p>{L.historyRejectedReason(e.rejected!)}</p> : null}
          </>
        )}
      </td>
    </tr>
  );
}
