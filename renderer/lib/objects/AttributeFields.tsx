/**
 * The attributes every kind's version has, as form fields: tags, enabled,
 * not before, expires (Key Vault's attributes; a kind adds its own fields
 * beside them). `parseAttributes` turns the fields into the values the
 * contract takes, or the message of the first bad one.
 */
import { L } from '../../app/labels.js';
import { Checkbox, Field, TextArea } from '../Field.js';
import { formatTags, fromLocalInput, parseTags, toLocalInput } from '../format.js';

export interface AttributeState {
  tags: string;
  enabled: boolean;
  nbf: string;
  exp: string;
}

export type ParsedAttributes = { ok: true; tags: Record<string, string>; nbf: number | undefined; exp: number | undefined } | { ok: false; message: string };

export const NEW_ATTRIBUTES: AttributeState = Object.freeze({ tags: '', enabled: true, nbf: '', exp: '' });

/** The fields of an existing version. */
export function attributesOf(item: { tags?: Record<string, string>; attributes: { enabled: boolean; nbf?: number; exp?: number } }): AttributeState {
  return { tags: formatTags(item.tags), enabled: item.attributes.enabled, nbf: toLocalInput(item.attributes.nbf), exp: toLocalInput(item.attributes.exp) };
}

export function parseAttributes(a: AttributeState): ParsedAttributes {
  const tags = parseTags(a.tags);
  if ('badLine' in tags && typeof tags.badLine === 'number') return { ok: false, message: L.tagsError(tags.badLine) };
  const nbf = fromLocalInput(a.nbf);
  if (Number.isNaN(nbf)) return { ok: false, message: L.dateError(L.fieldNotBefore) };
  const exp = fromLocalInput(a.exp);
  if (Number.isNaN(exp)) return { ok: false, message: L.dateError(L.fieldExpires) };
  return { ok: true, tags: tags as Record<string, string>, nbf, exp };
}

/** What a new version's form sends: only the attributes given. */
export function newVersionAttributes(a: AttributeState, p: Extract<ParsedAttributes, { ok: true }>): { enabled: boolean; tags?: Record<string, string>; nbf?: number; exp?: number } {
  return {
    enabled: a.enabled,
    ...(Object.keys(p.tags).length === 0 ? {} : { tags: p.tags }),
    ...(p.nbf === undefined ? {} : { nbf: p.nbf }),
    ...(p.exp === undefined ? {} : { exp: p.exp }),
  };
}

export function AttributeFields({ a, set }: { a: AttributeState; set: (a: AttributeState) => void }) {
  return (
    <>
      <TextArea label={L.fieldTags} value={a.tags} onChange={(tags) => set({ ...a, tags })} />
      <Checkbox label={L.fieldEnabled} checked={a.enabled} onChange={(enabled) => set({ ...a, enabled })} />
      <Field label={L.fieldNotBefore} type="datetime-local" value={a.nbf} onChange={(nbf) => set({ ...a, nbf })} />
      <Field label={L.fieldExpires} type="datetime-local" value={a.exp} onChange={(exp) => set({ ...a, exp })} />
    </>
  );
}
