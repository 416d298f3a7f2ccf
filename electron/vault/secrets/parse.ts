/**
 * Parsing of CLI input for secrets (CLI.md "Secrets", DECISIONS.md
 * "Identifiers and JSON"): ISO 8601 times, `--tags k=v ...`, `--enabled
 * true|false`, and the two `secret import` formats (.env and JSON). Every
 * import entry is fully validated here, so that the engine can import all or
 * nothing. Errors are BadParameter naming the flag, the line or the entry;
 * they never quote a value or a line of the input file.
 */
import type { ImportEntry } from '../api.js';
import { CofferError, badParameter } from '../errors.js';
import {
  MAX_UNIX_TIME,
  MIN_UNIX_TIME,
  describeForMessage,
  validateContentType,
  validateSecretName,
  validateTags,
  validateValue,
} from './rules.js';

/** Runs `fn`; a CofferError it throws gets `prefix: ` in front of its message. */
function withContext<T>(prefix: string, fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (e instanceof CofferError) {
      throw new CofferError(e.code, `${prefix}: ${e.message}`, {
        ...(e.innerCode !== undefined ? { innerCode: e.innerCode } : {}),
        cause: e,
      });
    }
    throw e;
  }
}

// ---------------------------------------------------------------------------
// Times

/**
 * ISO 8601 extended format: a date, or a date and time with optional seconds,
 * fraction and zone (Z or ±HH[:MM]). "T" (or a space, as RFC 3339 allows)
 * separates date and time.
 */
const ISO_8601 =
  /^(\d{4})-(\d{2})-(\d{2})(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?([Zz]|[+-]\d{2}(?::?\d{2})?)?)?$/;

/** Days from 1970-01-01 to y-m-d in the proleptic Gregorian calendar (H. Hinnant's days_from_civil). */
function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146_097 + doe - 719_468;
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

/**
 * An ISO 8601 date (`2025-12-31`, midnight UTC) or date-time
 * (`2025-12-31T23:59`, `2025-12-31T23:59:59.5+02:00`...) as Unix seconds, the
 * unit of Key Vault's nbf/exp (S-sec "format": "unixtime"). No zone means UTC
 * (DECISIONS.md). Fractions of a second are dropped (Key Vault's times are
 * whole seconds). Throws BadParameter naming `flag`.
 */
export function parseTime(input: string, flag: string): number {
  const text = typeof input === 'string' ? input.trim() : '';
  const m = ISO_8601.exec(text);
  const bad = (why: string): CofferError =>
    badParameter(
      `${flag}: ${why}: ${describeForMessage(text, 60)}; expected an ISO 8601 date or date-time ` +
        'such as 2025-12-31 or 2025-12-31T23:59:59Z (no zone means UTC).',
    );
  if (m === null) throw bad('not an ISO 8601 date');
  const num = (i: number): number => (m[i] === undefined ? 0 : Number(m[i]));
  const [year, month, day, hour, minute, second] = [num(1), num(2), num(3), num(4), num(5), num(6)];
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) throw bad('no such date');
  if (hour > 23 || minute > 59 || second > 59) throw bad('no such time');
  let offset = 0;
  const zone = m[8];
  if (zone !== undefined && zone !== 'Z' && zone !== 'z') {
    const sign = zone.startsWith('-') ? -1 : 1;
    const digits = zone.slice(1).replace(':', '');
    const zh = Number(digits.slice(0, 2));
    const zm = digits.length > 2 ? Number(digits.slice(2)) : 0;
    if (zh > 23 || zm > 59) throw bad('no such time zone offset');
    offset = sign * (zh * 3600 + zm * 60);
  }
  const seconds = daysFromCivil(year, month, day) * 86_400 + hour * 3600 + minute * 60 + second - offset;
  if (seconds < MIN_UNIX_TIME || seconds > MAX_UNIX_TIME) throw bad('out of range');
  return seconds;
}

/**
 * As parseTime, but `none` (any case) gives null: set-attributes'
 * `--expires none` / `--not-before none` clear the attribute (CLI.md).
 */
export function parseTimeOrNone(input: string, flag: string): number | null {
  return typeof input === 'string' && input.trim().toLowerCase() === 'none' ? null : parseTime(input, flag);
}

// ---------------------------------------------------------------------------
// Flags

/**
 * `--tags k=v ...` as `az keyvault secret set --tags` reads it: each item is
 * split at its first `=` (a value may contain `=`); an item with no `=` is a
 * tag with an empty value (as az); empty items are skipped, so `--tags ""`
 * alone gives {} and clears the tags (DECISIONS.md); a repeated name keeps its
 * last value. The result is checked against Key Vault's tag limits.
 */
export function parseTagArgs(args: string[]): Record<string, string> {
  const tags = new Map<string, string>();
  for (const item of args) {
    if (item === '') continue;
    const eq = item.indexOf('=');
    const tagName = eq < 0 ? item : item.slice(0, eq);
    const tagValue = eq < 0 ? '' : item.slice(eq + 1);
    if (tagName === '') throw badParameter(`--tags: an item has an empty tag name (expected name=value).`);
    tags.set(tagName, tagValue);
  }
  // fromEntries defines own properties, so a tag named __proto__ stays a tag.
  const result = Object.fromEntries(tags);
  withContext('--tags', () => validateTags(result));
  return result;
}

/** `--enabled true|false` (any case). */
export function parseBoolean(input: string, flag: string): boolean {
  const text = typeof input === 'string' ? input.trim().toLowerCase() : '';
  if (text === 'true') return true;
  if (text === 'false') return false;
  throw badParameter(`${flag}: expected true or false, got ${describeForMessage(String(input), 40)}.`);
}

// ---------------------------------------------------------------------------
// .env import

/**
 * dotenv's line rule: the `LINE` regex of dotenv's lib/main.js (shipped in
 * dist/index.cjs of dotenv 18, used by `dotenv.parse` unless `{ fast: true }`),
 * with `(?:^|^)`/`(?:$|$)` written `^`/`$` and one more capture group so that
 * the line of each name is known: optional `export `, a name of [\w.-], `=` (or `: `), then a
 * single-, double- or back-quoted value (which may span lines) or an unquoted
 * value up to `#`, then an optional comment. Text dotenv skips silently
 * (anything that is not blank, a comment or such an assignment) is an error
 * here, naming its line.
 */
const DOTENV_LINE =
  /^(\s*(?:export\s+)?)([\w.-]+)(?:\s*=\s*?|:\s+?)(\s*'(?:\\'|[^'])*'|\s*"(?:\\"|[^"])*"|\s*`(?:\\`|[^`])*`|[^#\r\n]+)?\s*(?:#.*)?$/gm;

/** dotenv's value rule: trim, drop matching outer quotes, and in double quotes expand \n and \r. */
function dotenvValue(raw: string | undefined): string {
  let value = (raw ?? '').trim();
  const quote = value[0];
  value = value.replace(/^(['"`])([\s\S]*)\1$/gm, '$2');
  if (quote === '"') value = value.replace(/\\n/g, '\n').replace(/\\r/g, '\r');
  return value;
}

/** The tag that keeps a .env name before `_` became `-` (DECISIONS.md). */
export const ENV_NAME_TAG = 'env-name';

/**
 * A .env file as import entries, with dotenv's parse semantics for names,
 * `export`, quoting, multi-line quoted values, `\n` in double quotes and
 * comments. Names map `_` to `-` (Key Vault names allow no underscore,
 * D-obj) and every entry keeps the original name in the tag `env-name`
 * (DECISIONS.md), so FOO_BAR=1 becomes FOO-BAR with tags {env-name: FOO_BAR}.
 * Values become UTF-8 bytes. A name given several times yields one entry per
 * occurrence, in file order (CLI.md: one version per appearance).
 * Line numbers count from 1; "\r\n" and "\r" end lines as "\n" does.
 */
export function parseDotenv(text: string): ImportEntry[] {
  const src = text.replace(/\r\n?/g, '\n');
  const lineStarts: number[] = [0];
  for (let i = 0; i < src.length; i++) if (src.charCodeAt(i) === 10) lineStarts.push(i + 1);
  const lineOf = (pos: number): number => {
    let lo = 0;
    let hi = lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((lineStarts[mid] ?? 0) <= pos) lo = mid;
      else hi = mid - 1;
    }
    return lo + 1;
  };
  const checkGap = (from: number, to: number): void => {
    const pieces = src.slice(from, to).split('\n');
    const first = lineOf(from);
    pieces.forEach((piece, i) => {
      const t = piece.trim();
      if (t !== '' && !t.startsWith('#')) {
        throw badParameter(`line ${first + i}: not a valid assignment (expected NAME=value).`);
      }
    });
  };

  const entries: ImportEntry[] = [];
  const encoder = new TextEncoder();
  const re = new RegExp(DOTENV_LINE.source, DOTENV_LINE.flags);
  let end = 0;
  for (let m = re.exec(src); m !== null; m = re.exec(src)) {
    checkGap(end, m.index);
    end = m.index + m[0].length;
    const envName = m[2] ?? '';
    const line = lineOf(m.index + (m[1] ?? '').length);
    const entry = withContext(`line ${line}`, (): ImportEntry => {
      const name = envName.replace(/_/g, '-');
      validateSecretName(name);
      const value = encoder.encode(dotenvValue(m[3]));
      validateValue(value);
      return { name, value, tags: { [ENV_NAME_TAG]: envName } };
    });
    entries.push(entry);
  }
  checkGap(end, src.length);
  return entries;
}

// ---------------------------------------------------------------------------
// JSON import

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const JSON_FIELDS = new Set(['name', 'value', 'contentType', 'tags', 'expires']);

function jsonSyntaxError(text: string, e: unknown): CofferError {
  // V8's message may quote the input (and so a value): only its position is kept.
  const pos = /position (\d+)/.exec(e instanceof Error ? e.message : '');
  if (pos?.[1] !== undefined) {
    const offset = Math.min(Number(pos[1]), text.length);
    const before = text.slice(0, offset);
    const line = before.split('\n').length;
    const column = offset - before.lastIndexOf('\n');
    return badParameter(`The import file is not valid JSON (line ${line}, column ${column}).`);
  }
  return badParameter('The import file is not valid JSON.');
}

/**
 * A JSON import file (CLI.md): an array of
 * `{"name", "value", "contentType"?, "tags"?, "expires"?}` where `value` is
 * text (stored as UTF-8), `tags` an object of strings and `expires` an ISO
 * 8601 time (becomes exp). Optional fields may be null (= absent). Names are
 * taken as given (no `_` mapping) and must be valid Key Vault names. Any other
 * field is an error. Errors name the entry by its array index, counted from 0:
 * `entry 3: ...`.
 */
export function parseImportJson(text: string): ImportEntry[] {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw jsonSyntaxError(text, e);
  }
  if (!Array.isArray(doc)) {
    throw badParameter('The import file must be a JSON array of {"name", "value", ...} objects.');
  }
  const encoder = new TextEncoder();
  return doc.map((raw: unknown, index) =>
    withContext(`entry ${index}`, (): ImportEntry => {
      if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
        throw badParameter('expected an object with "name" and "value".');
      }
      const obj = raw as Record<string, unknown>;
      for (const field of Object.keys(obj)) {
        if (!JSON_FIELDS.has(field)) {
          throw badParameter(
            `unknown field ${describeForMessage(field, 40)} (allowed: name, value, contentType, tags, expires).`,
          );
        }
      }
      const { name, value, contentType, tags, expires } = obj;
      if (typeof name !== 'string') throw badParameter('"name" must be a string.');
      validateSecretName(name);
      if (typeof value !== 'string') throw badParameter(`"value" of ${name} must be a string.`);
      // TextEncoder would silently turn a lone surrogate (possible in JSON, "\ud800") into U+FFFD.
      if (LONE_SURROGATE.test(value)) throw badParameter(`"value" of ${name} is not valid Unicode (lone surrogate).`);
      const bytes = encoder.encode(value);
      validateValue(bytes);
      const entry: ImportEntry = { name, value: bytes };
      if (contentType !== undefined && contentType !== null) {
        if (typeof contentType !== 'string') throw badParameter(`"contentType" of ${name} must be a string.`);
        validateContentType(contentType);
        entry.contentType = contentType;
      }
      if (tags !== undefined && tags !== null) {
        if (typeof tags !== 'object' || Array.isArray(tags)) {
          throw badParameter(`"tags" of ${name} must be an object of strings.`);
        }
        const copy = Object.fromEntries(Object.entries(tags as Record<string, unknown>)) as Record<string, string>;
        validateTags(copy);
        entry.tags = copy;
      }
      if (expires !== undefined && expires !== null) {
        if (typeof expires !== 'string') throw badParameter(`"expires" of ${name} must be an ISO 8601 string.`);
        entry.exp = parseTime(expires, 'expires');
      }
      return entry;
    }),
  );
}
