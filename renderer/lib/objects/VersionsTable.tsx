/**
 * An object's versions as a table, newest first by their order in the
 * history, the current one (the newest) marked: the attributes every kind
 * has (status, created, who wrote it, updated, not before, expires, tags),
 * the columns the kind adds, and per version what can be done to it.
 */
import type { ReactNode } from 'react';
import { L, shortVersion } from '../../app/labels.js';
import { useClock } from '../clock.js';
import { formatTime, objectFromId, versionFromId } from '../format.js';
import { useVersionAuthors } from './authors.js';
import { Chips } from './Chips.js';
import { chipsOf, type ListItem } from './status.js';

export interface VersionColumn<T> {
  header: string;
  cell: (item: T) => ReactNode;
}

export interface VersionsTableProps<T extends ListItem & { attributes: { created: number } }> {
  /** Newest first. */
  versions: readonly T[];
  idOf: (item: T) => string;
  columns?: readonly VersionColumn<T>[];
  actions: (item: T, version: string, short: string) => ReactNode;
  /** A row under the version's (a revealed value), or null. */
  below?: (item: T, version: string, short: string) => ReactNode;
}

export function VersionsTable<T extends ListItem & { attributes: { created: number } }>({ versions, idOf, columns = [], actions, below }: VersionsTableProps<T>) {
  const now = Math.floor(useClock().now() / 1000);
  const span = 9 + columns.length;
  const ids = versions.map((item) => idOf(item));
  const authors = useVersionAuthors(ids.length > 0 ? objectFromId(ids[0]!) : null, ids.map(versionFromId));
  return (
    <div className="table-wrap">
      <table aria-label={L.versionsTable}>
        <thead>
          <tr>
            <th scope="col">{L.colVersion}</th>
            <th scope="col">{L.colStatus}</th>
            <th scope="col">{L.colCreated}</th>
            <th scope="col">{L.colAuthor}</th>
            <th scope="col">{L.colUpdated}</th>
            <th scope="col">{L.colNotBefore}</th>
            <th scope="col">{L.colExpires}</th>
            {columns.map((c) => (
              <th key={c.header} scope="col">
                {c.header}
              </th>
            ))}
            <th scope="col">{L.colTags}</th>
            <th scope="col">{L.colActions}</th>
          </tr>
        </thead>
        <tbody>
          {versions.map((item, i) => {
            const version = versionFromId(idOf(item));
            const short = shortVersion(version);
            const a = item.attributes;
            const chips = chipsOf(a, now);
            const under = below?.(item, version, short);
            return (
              <VersionRow key={version} under={under} span={span}>
                <th scope="row">
                  <code title={version}>{short}</code>
                  {i === 0 ? <span className="chip chip-current">{L.currentVersion}</span> : null}
                </th>
                <td>{chips.length === 0 ? <span className="chip chip-ok">{L.chipEnabled}</span> : <Chips chips={chips} />}</td>
                <td>{formatTime(a.created)}</td>
                <td>{authors === null ? '' : (authors.get(version)?.name ?? <span className="muted">{L.authorUnknown}</span>)}</td>
                <td>{formatTime(a.updated)}</td>
                <td>{formatTime(a.nbf)}</td>
                <td>{formatTime(a.exp)}</td>
                {columns.map((c) => (
                  <td key={c.header}>{c.cell(item)}</td>
                ))}
                <td>
                  <Tags tags={item.tags} />
                </td>
                <td className="row-actions">{actions(item, version, short)}</td>
              </VersionRow>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

function VersionRow({ children, under, span }: { children: ReactNode; under: ReactNode; span: number }) {
  return (
    <>
      <tr>{children}</tr>
      {under ? (
        <tr className="below-row">
          <td colSpan={span}>{under}</td>
        </tr>
      ) : null}
    </>
  );
}

export function Tags({ tags }: { tags: Record<string, string> | undefined }) {
  return (
    <>
      {Object.entries(tags ?? {}).map(([k, v]) => (
        <span key={k} className="tag">
          {k}={v}
        </span>
      ))}
    </>
  );
}
