import dotenv from 'dotenv';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ImportEntry } from '../../../../electron/vault/api.js';
import { CofferError } from '../../../../electron/vault/errors.js';
import {
  ENV_NAME_TAG,
  parseBoolean,
  parseDotenv,
  parseImportJson,
  parseTagArgs,
  parseTime,
  parseTimeOrNone,
} from '../../../../electron/vault/secrets/parse.js';

function thrown(fn: () => unknown): CofferError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(CofferError);
    return e as CofferError;
  }
  throw new Error('expected a CofferError');
}

const text = (bytes: Uint8Array): string => new TextDecoder().decode(bytes);
const simple = (entries: ImportEntry[]): [string, string, Record<string, string> | undefined][] =>
  entries.map((e) => [e.name, text(e.value), e.tags]);

describe('parseTime', () => {
  it('reads a date as midnight UTC', () => {
    expect(parseTime('2025-12-31', '--expires')).toBe(Date.UTC(2025, 11, 31) / 1000);
    expect(parseTime('1970-01-01', '--expires')).toBe(0);
  });

  it('reads a date-time without zone as UTC', () => {
    expect(parseTime('2025-12-31T23:59:59', '--expires')).toBe(Date.UTC(2025, 11, 31, 23, 59, 59) / 1000);
    expect(parseTime('2025-12-31T23:59', '--expires')).toBe(Date.UTC(2025, 11, 31, 23, 59) / 1000);
    expect(parseTime('2025-12-31 23:59:59', '--expires')).toBe(parseTime('2025-12-31T23:59:59Z', 'x'));
    expect(parseTime('2025-12-31t23:59:59z', '--expires')).toBe(parseTime('2025-12-31T23:59:59Z', 'x'));
  });

  it('applies zone offsets', () => {
    const utc = parseTime('2025-06-01T12:00:00Z', 'x');
    expect(parseTime('2025-06-01T14:00:00+02:00', 'x')).toBe(utc);
    expect(parseTime('2025-06-01T14:00:00+0200', 'x')).toBe(utc);
    expect(parseTime('2025-06-01T14:00:00+02', 'x')).toBe(utc);
    expect(parseTime('2025-06-01T06:30:00-05:30', 'x')).toBe(utc);
    expect(parseTime('1970-01-01T00:00:00+01:00', 'x')).toBe(-3600);
  });

  it('drops fractions of a second and trims', () => {
    expect(parseTime('  2025-06-01T12:00:00.999Z ', 'x')).toBe(parseTime('2025-06-01T12:00:00Z', 'x'));
    expect(parseTime('1969-12-31T23:59:59.5Z', 'x')).toBe(-1);
  });

  it('knows leap years', () => {
    expect(parseTime('2024-02-29', 'x')).toBe(Date.UTC(2024, 1, 29) / 1000);
    expect(parseTime('2000-02-29', 'x')).toBe(Date.UTC(2000, 1, 29) / 1000);
    expect(() => parseTime('2023-02-29', 'x')).toThrow(CofferError);
    expect(() => parseTime('2100-02-29', 'x')).toThrow(CofferError);
  });

  it('covers years 0001 to 9999', () => {
    expect(parseTime('0001-01-01T00:00:00Z', 'x')).toBe(-62_135_596_800);
    expect(parseTime('9999-12-31T23:59:59Z', 'x')).toBe(253_402_300_799);
    expect(() => parseTime('0000-12-31', 'x')).toThrow(CofferError);
    expect(() => parseTime('9999-12-31T23:59:59-01:00', 'x')).toThrow(CofferError);
  });

  it.each([
    '',
    'tomorrow',
    '2025-13-01',
    '2025-00-10',
    '2025-04-31',
    '2025-01-01T24:00',
    '2025-01-01T12:60',
    '2025-01-01T12:00:60',
    '2025-01-01T12',
    '2025-1-1',
    '20250101',
    '2025-01-01Z',
    '2025-01-01T12:00+25:00',
    '1735689600',
  ])('rejects %j naming the flag', (input) => {
    const e = thrown(() => parseTime(input, '--not-before'));
    expect(e.code).toBe('BadParameter');
    expect(e.message).toMatch(/^--not-before: /);
    expect(e.message).toContain('ISO 8601');
  });

  it('agrees with Date for random UTC date-times (property)', () => {
    fc.assert(
      fc.property(fc.date({ min: new Date('0100-01-01T00:00:00Z'), max: new Date('9999-12-31T23:59:59Z'), noInvalidDate: true }), (d) => {
        const iso = d.toISOString(); // YYYY-MM-DDTHH:MM:SS.sssZ
        expect(parseTime(iso, 'x')).toBe(Math.floor(d.getTime() / 1000));
        expect(parseTime(iso.slice(0, 19), 'x')).toBe(Math.floor(d.getTime() / 1000));
      }),
    );
  });

  it('parseTimeOrNone reads none as null', () => {
    expect(parseTimeOrNone('none', '--expires')).toBeNull();
    expect(parseTimeOrNone('NONE', '--expires')).toBeNull();
    expect(parseTimeOrNone('2025-01-01', '--expires')).toBe(Date.UTC(2025, 0, 1) / 1000);
    expect(() => parseTimeOrNone('never', '--expires')).toThrow(CofferError);
  });
});

describe('parseTagArgs', () => {
  it('reads k=v items, a value may contain =', () => {
    expect(parseTagArgs(['env=prod', 'conn=a=b;c=d', 'empty='])).toEqual({ env: 'prod', conn: 'a=b;c=d', empty: '' });
  });

  it('a single "" clears', () => {
    expect(parseTagArgs([''])).toEqual({});
    expect(parseTagArgs([])).toEqual({});
  });

  it('keeps the last value of a repeated name', () => {
    expect(parseTagArgs(['a=1', 'b=2', 'a=3'])).toEqual({ a: '3', b: '2' });
  });

  it('reads an item without = as an empty value, as az does', () => {
    expect(parseTagArgs(['flag'])).toEqual({ flag: '' });
  });

  it('keeps __proto__ as a plain tag', () => {
    const tags = parseTagArgs(['__proto__=x']);
    expect(Object.keys(tags)).toEqual(['__proto__']);
    expect(Object.getPrototypeOf(tags)).toBe(Object.prototype);
  });

  it('checks the limits, naming --tags', () => {
    expect(Object.keys(parseTagArgs(Array.from({ length: 15 }, (_, i) => `t${i}=v`)))).toHaveLength(15);
    const many = thrown(() => parseTagArgs(Array.from({ length: 16 }, (_, i) => `t${i}=v`)));
    expect(many.code).toBe('BadParameter');
    expect(many.message).toMatch(/^--tags: /);
    expect(() => parseTagArgs([`n=${'v'.repeat(257)}`])).toThrow(CofferError);
    expect(() => parseTagArgs([`${'n'.repeat(257)}=v`])).toThrow(CofferError);
    expect(thrown(() => parseTagArgs(['=v'])).message).toMatch(/^--tags: /);
  });
});

describe('parseBoolean', () => {
  it('reads true and false in any case', () => {
    expect(parseBoolean('true', '--enabled')).toBe(true);
    expect(parseBoolean('FALSE', '--enabled')).toBe(false);
    expect(parseBoolean(' True ', '--enabled')).toBe(true);
  });

  it.each(['yes', '1', '', 'truthy'])('rejects %j naming the flag', (input) => {
    const e = thrown(() => parseBoolean(input, '--enabled'));
    expect(e.code).toBe('BadParameter');
    expect(e.message).toMatch(/^--enabled: /);
  });
});

describe('parseDotenv', () => {
  it('maps _ to - and keeps the original name in env-name', () => {
    expect(ENV_NAME_TAG).toBe('env-name');
    expect(simple(parseDotenv('DB_PASSWORD=hunter2\nplain=x\n'))).toEqual([
      ['DB-PASSWORD', 'hunter2', { 'env-name': 'DB_PASSWORD' }],
      ['plain', 'x', { 'env-name': 'plain' }],
    ]);
  });

  it('handles comments, blank lines, export and spaces around =', () => {
    const src = [
      '# a comment',
      '',
      '   ',
      'export API_KEY=abc',
      'export   SPACED  =  v w   # trailing comment',
      '  INDENTED=1',
      'HASH=a#b',
      'COLON: yaml-style',
      '# last',
    ].join('\n');
    expect(simple(parseDotenv(src)).map(([n, v]) => [n, v])).toEqual([
      ['API-KEY', 'abc'],
      ['SPACED', 'v w'],
      ['INDENTED', '1'],
      ['HASH', 'a'],
      ['COLON', 'yaml-style'],
    ]);
  });

  it('handles quoting as dotenv does', () => {
    const src = [
      `SINGLE='a # not a comment'`,
      `DOUBLE="line1\\nline2"`,
      `RAW='line1\\nline2'`,
      'BACK=`it\'s "x"`',
      `EMPTY=`,
      `EMPTYQ=""`,
      `INNER="say \\"hi\\""`,
      `SPACES="  padded  "`,
    ].join('\n');
    expect(Object.fromEntries(simple(parseDotenv(src)).map(([n, v]) => [n, v]))).toEqual({
      SINGLE: 'a # not a comment',
      DOUBLE: 'line1\nline2',
      RAW: 'line1\\nline2',
      BACK: `it's "x"`,
      EMPTY: '',
      EMPTYQ: '',
      INNER: 'say \\"hi\\"',
      SPACES: '  padded  ',
    });
  });

  it('reads multi-line quoted values and counts their lines', () => {
    const src = 'KEY="-----BEGIN-----\nabc\n-----END-----"\nNEXT=1\nbad line\n';
    expect(simple(parseDotenv(src.replace('bad line\n', ''))).map(([n, v]) => [n, v])).toEqual([
      ['KEY', '-----BEGIN-----\nabc\n-----END-----'],
      ['NEXT', '1'],
    ]);
    expect(thrown(() => parseDotenv(src)).message).toMatch(/^line 5: /);
  });

  it('accepts CRLF and CR line ends', () => {
    expect(simple(parseDotenv('A=1\r\nB="x\r\ny"\r\n')).map(([n, v]) => [n, v])).toEqual([
      ['A', '1'],
      ['B', 'x\ny'],
    ]);
    expect(thrown(() => parseDotenv('A=1\r\n\r\nnot valid\r\n')).message).toMatch(/^line 3: /);
  });

  it('yields one entry per occurrence, in order', () => {
    expect(simple(parseDotenv('A=1\nB=2\nA=3\nA_B=4\nA-B=5')).map(([n, v]) => [n, v])).toEqual([
      ['A', '1'],
      ['B', '2'],
      ['A', '3'],
      ['A-B', '4'],
      ['A-B', '5'],
    ]);
  });

  it('stores values as UTF-8 bytes', () => {
    const [entry] = parseDotenv('K=pässwörd 🔑');
    expect(entry?.value).toEqual(new TextEncoder().encode('pässwörd 🔑'));
    expect(entry?.contentType).toBeUndefined();
  });

  it('gives no entries for an empty or comment-only file', () => {
    expect(parseDotenv('')).toEqual([]);
    expect(parseDotenv('# only\n\n')).toEqual([]);
  });

  it.each([
    ['A=1\nnot an assignment\n', 2],
    ['\n\n\nexport ONLY_EXPORT\n', 4],
    ['A=1\nB=2\n=nothing\n', 3],
    ['A=1\nB C=2\n', 2],
    ['junk', 1],
  ])('names the line of text that is not an assignment: %j', (src, line) => {
    const e = thrown(() => parseDotenv(src));
    expect(e.code).toBe('BadParameter');
    expect(e.message).toMatch(new RegExp(`^line ${line}: `));
  });

  it('names the line of an invalid name after mapping', () => {
    const e = thrown(() => parseDotenv('OK=1\n# c\nMY.VAR=2\n'));
    expect(e.message).toMatch(/^line 3: The request URI contains an invalid name: MY\.VAR/);
    expect(thrown(() => parseDotenv(`${'A'.repeat(128)}=1`)).message).toMatch(/^line 1: /);
    expect(() => parseDotenv(`${'A_'.repeat(63)}B=1`)).not.toThrow(); // 127 characters
  });

  it('names the line of a value over 25,600 bytes', () => {
    expect(() => parseDotenv(`A=${'x'.repeat(25_600)}`)).not.toThrow();
    const e = thrown(() => parseDotenv(`A=1\nB=${'x'.repeat(25_601)}`));
    expect(e.message).toMatch(/^line 2: /);
    expect(e.message).not.toContain('xxxx');
  });

  it('never quotes the offending line', () => {
    expect(thrown(() => parseDotenv('password hunter2')).message).not.toContain('hunter2');
  });

  it('gives the same values as dotenv.parse when it accepts a file (property)', () => {
    const piece = fc.constantFrom(
      'A', 'b', 'C_D', 'x1', '=', '=', ' ', '\n', '\n', '#', '"', "'", '`', '\\n', '\\', 'export ', ': ', '.', '\r\n', 'é',
    );
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 40 }), (pieces) => {
        const src = pieces.join('');
        let entries: ImportEntry[];
        try {
          entries = parseDotenv(src);
        } catch (e) {
          expect(e).toBeInstanceOf(CofferError);
          return;
        }
        const ours = Object.fromEntries(entries.map((e) => [e.tags?.[ENV_NAME_TAG] ?? '', text(e.value)]));
        expect(ours).toEqual({ ...dotenv.parse(src) });
      }),
      { numRuns: 2000 },
    );
  });

  it('accepts any file made of assignments and comments (property)', () => {
    const name = fc.stringMatching(/^[A-Za-z0-9_-]{1,20}$/);
    const value = fc.stringMatching(/^[A-Za-z0-9 _.,:;!?=-]{0,30}$/);
    const line = fc.oneof(
      // Unquoted values are trimmed; quoted ones are kept as written.
      fc.tuple(name, value).map(([n, v]) => ({ n, v: v.trim(), line: `${n}=${v}` })),
      fc.tuple(name, value).map(([n, v]) => ({ n, v, line: `export ${n}="${v}"` })),
      fc.tuple(name, value).map(([n, v]) => ({ n, v, line: `${n}='${v}' # note` })),
      fc.constant({ n: '', v: '', line: '# comment' }),
      fc.constant({ n: '', v: '', line: '' }),
    );
    fc.assert(
      fc.property(fc.array(line, { maxLength: 20 }), (lines) => {
        const entries = parseDotenv(lines.map((l) => l.line).join('\n'));
        const expected = lines.filter((l) => l.n !== '');
        expect(entries.map((e) => e.name)).toEqual(expected.map((l) => l.n.replace(/_/g, '-')));
        expect(entries.map((e) => e.tags?.[ENV_NAME_TAG])).toEqual(expected.map((l) => l.n));
        expect(entries.map((e) => text(e.value))).toEqual(expected.map((l) => l.v));
      }),
    );
  });
});

describe('parseImportJson', () => {
  it('reads entries with every field', () => {
    const entries = parseImportJson(
      JSON.stringify([
        { name: 'db-password', value: 'hunter2' },
        {
          name: 'Api-Key',
          value: 'k€y',
          contentType: 'text/plain',
          tags: { env: 'prod' },
          expires: '2030-01-01T00:00:00Z',
        },
        { name: 'db-password', value: 'second', contentType: null, tags: null, expires: null },
      ]),
    );
    expect(entries).toEqual([
      { name: 'db-password', value: new TextEncoder().encode('hunter2') },
      {
        name: 'Api-Key',
        value: new TextEncoder().encode('k€y'),
        contentType: 'text/plain',
        tags: { env: 'prod' },
        exp: Date.UTC(2030, 0, 1) / 1000,
      },
      { name: 'db-password', value: new TextEncoder().encode('second') },
    ]);
  });

  it('accepts an empty array and limits at the boundaries', () => {
    expect(parseImportJson('[]')).toEqual([]);
    const tags = Object.fromEntries(Array.from({ length: 15 }, (_, i) => [`t${i}`, 'v']));
    expect(() =>
      parseImportJson(
        JSON.stringify([{ name: 'n'.repeat(127), value: 'x'.repeat(25_600), contentType: 'c'.repeat(255), tags }]),
      ),
    ).not.toThrow();
  });

  it.each([
    [{ name: 'a', value: 'v', enabled: true }, /unknown field enabled/],
    [{ value: 'v' }, /"name" must be a string/],
    [{ name: 'a_b', value: 'v' }, /invalid name: a_b/],
    [{ name: 'n'.repeat(128), value: 'v' }, /invalid name/],
    [{ name: 'a' }, /"value" of a must be a string/],
    [{ name: 'a', value: 42 }, /"value" of a must be a string/],
    [{ name: 'a', value: 'x'.repeat(25_601) }, /25601 bytes/],
    [{ name: 'a', value: 'ok\ud800' }, /not valid Unicode/],
    [{ name: 'a', value: 'v', contentType: 'c'.repeat(256) }, /content type is too long/],
    [{ name: 'a', value: 'v', contentType: 5 }, /"contentType" of a must be a string/],
    [{ name: 'a', value: 'v', tags: Object.fromEntries(Array.from({ length: 16 }, (_, i) => [`t${i}`, 'v'])) }, /Too many tags/],
    [{ name: 'a', value: 'v', tags: { t: 1 } }, /tag t must be a string/],
    [{ name: 'a', value: 'v', tags: ['x'] }, /"tags" of a must be an object/],
    [{ name: 'a', value: 'v', expires: 'soon' }, /expires: not an ISO 8601 date/],
    [{ name: 'a', value: 'v', expires: 1735689600 }, /"expires" of a must be an ISO 8601 string/],
    ['just a string', /expected an object/],
    [null, /expected an object/],
  ])('names the index of an invalid entry: %j', (bad, pattern) => {
    const e = thrown(() => parseImportJson(JSON.stringify([{ name: 'ok', value: 'v' }, { name: 'ok2', value: 'v' }, bad])));
    expect(e.code).toBe('BadParameter');
    expect(e.message).toMatch(/^entry 2: /);
    expect(e.message).toMatch(pattern);
  });

  it('rejects a document that is not an array', () => {
    expect(thrown(() => parseImportJson('{"name":"a","value":"v"}')).message).toMatch(/JSON array/);
  });

  it('reports invalid JSON without quoting it', () => {
    const e = thrown(() => parseImportJson('[\n  {"name": "a", "value": "hunter2"\n'));
    expect(e.code).toBe('BadParameter');
    expect(e.message).toMatch(/not valid JSON/);
    expect(e.message).not.toContain('hunter2');
    expect(thrown(() => parseImportJson('[{"name": "a", "value": hunter2}]')).message).not.toContain('hunter2');
  });

  it('accepts surrogate pairs', () => {
    const [entry] = parseImportJson('[{"name":"a","value":"\\ud83d\\udd11"}]');
    expect(entry?.value).toEqual(new TextEncoder().encode('🔑'));
  });

  it('keeps a tag named __proto__ as a tag', () => {
    const [entry] = parseImportJson('[{"name":"a","value":"v","tags":{"__proto__":"x"}}]');
    expect(Object.keys(entry?.tags ?? {})).toEqual(['__proto__']);
  });
});
