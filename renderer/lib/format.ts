/** Small display helpers shared by the features. */

/**
 * An object id as the engine writes it, Key Vault's shape on Coffer's scheme:
 * `coffer://<vault>/<collection>/<name>[/<version>]` (secrets, keys, later
 * certificates).
 */
const OBJECT_ID = /^coffer:\/\/[^/]+\/[a-z]+\/([^/]+)(?:\/([^/]+))?$/;

/** The object name of an id (a secret's `id`, a key's `kid`). */
export function nameFromId(id: string): string {
  return OBJECT_ID.exec(id)?.[1] ?? id;
}

/** `collection/name` of an id (`secrets/db`), as the vault's history names objects; null for anything else. */
export function objectFromId(id: string): string | null {
  const m = /^coffer:\/\/[^/]+\/([a-z]+)\/([^/]+)(?:\/[^/]+)?$/.exec(id);
  return m ? `${m[1]}/${m[2]}` : null;
}

/** The version of a version id, or '' for a base id. */
export function versionFromId(id: string): string {
  return OBJECT_ID.exec(id)?.[2] ?? '';
}

/** Unix seconds → a short local date and time ('' when absent). */
export function formatTime(seconds: number | undefined): string {
  if (seconds === undefined) return '';
  const d = new Date(seconds * 1000);
  if (Number.isNaN(d.getTime())) return '';
  return d.toLocaleString(undefined, { year: 'numeric', month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' });
}

/** Unix seconds → a short local date ('' when absent). */
export function formatDate(seconds: number | undefined): string {
  if (seconds === undefined) return '';
  const d = new Date(seconds * 1000);
  return Number.isNaN(d.getTime()) ? '' : d.toLocaleDateString(undefined, { year: 'numeric', month: 'short', day: 'numeric' });
}

/** Unix seconds → the value of an <input type="datetime-local"> (local time). */
export function toLocalInput(seconds: number | undefined): string {
  if (seconds === undefined) return '';
  const d = new Date(seconds * 1000);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}`;
}

/** <input type="datetime-local"> value → Unix seconds; undefined when empty, NaN when invalid. */
export function fromLocalInput(value: string): number | undefined {
  const v = value.trim();
  if (v === '') return undefined;
  const t = new Date(v).getTime();
  return Number.isNaN(t) ? Number.NaN : Math.floor(t / 1000);
}

/** `key=value` lines → tags; returns the 1-based number of the first bad line instead. */
export function parseTags(text: string): Record<string, string> | { badLine: number } {
  const tags: Record<string, string> = {};
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = (lines[i] ?? '').trim();
    if (line === '') continue;
    const eq = line.indexOf('=');
    if (eq <= 0) return { badLine: i + 1 };
    tags[line.slice(0, eq).trim()] = line.slice(eq + 1).trim();
  }
  return tags;
}

export function formatTags(tags: Record<string, string> | undefined): string {
  return Object.entries(tags ?? {})
    .map(([k, v]) => `${k}=${v}`)
    .join('\n');
}
