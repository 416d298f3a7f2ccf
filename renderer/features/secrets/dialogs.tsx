/** The secrets feature's dialogs: new secret, new version, edit attributes, and confirmations. */
import { useState } from 'react';
import type { ErrorResult } from '../../../shared/contract.js';
import type { SecretItem } from '../../../shared/keyvault.js';
import { MAX_NAME, SECRET_NAME_PATTERN } from '../../../shared/limits.js';
import { L, shortVersion } from '../../app/labels.js';
import { FormDialog } from '../../lib/Dialog.js';
import { Checkbox, Field, TextArea } from '../../lib/Field.js';
import { formatTags, fromLocalInput, parseTags, toLocalInput, versionFromId } from '../../lib/format.js';
import { useSecrets } from './store.js';

interface AttrState {
  contentType: string;
  tags: string;
  enabled: boolean;
  nbf: string;
  exp: string;
}

type Parsed = { ok: true; tags: Record<string, string>; nbf: number | undefined; exp: number | undefined } | { ok: false; message: string };

function parseAttrs(a: AttrState): Parsed {
  const tags = parseTags(a.tags);
  if ('badLine' in tags && typeof tags.badLine === 'number') return { ok: false, message: L.tagsError(tags.badLine) };
  const nbf = fromLocalInput(a.nbf);
  if (Number.isNaN(nbf)) return { ok: false, message: L.dateError(L.fieldNotBefore) };
  const exp = fromLocalInput(a.exp);
  if (Number.isNaN(exp)) return { ok: false, message: L.dateError(L.fieldExpires) };
  return { ok: true, tags: tags as Record<string, string>, nbf, exp };
}

function AttrFields({ a, set }: { a: AttrState; set: (a: AttrState) => void }) {
  return (
    <>
      <Field label={L.fieldContentType} value={a.contentType} onChange={(contentType) => set({ ...a, contentType })} />
      <TextArea label={L.fieldTags} value={a.tags} onChange={(tags) => set({ ...a, tags })} />
      <Checkbox label={L.fieldEnabled} checked={a.enabled} onChange={(enabled) => set({ ...a, enabled })} />
      <Field label={L.fieldNotBefore} type="datetime-local" value={a.nbf} onChange={(nbf) => set({ ...a, nbf })} />
      <Field label={L.fieldExpires} type="datetime-local" value={a.exp} onChange={(exp) => set({ ...a, exp })} />
    </>
  );
}

/** Runs a store action that answers an error or null; closes on success. */
function useSubmit(onClose: () => void) {
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const run = async (fn: () => Promise<ErrorResult | null>) => {
    setBusy(true);
    setError(null);
    const err = await fn();
    setBusy(false);
    if (err) setError(err.message);
    else onClose();
  };
  return { error, setError, busy, run };
}

export function NewSecretDialog({ onClose, onCreated }: { onClose: () => void; onCreated: (name: string) => void }) {
  const setSecret = useSecrets((s) => s.setSecret);
  const [name, setName] = useState('');
  const [value, setValue] = useState('');
  const [a, setA] = useState<AttrState>({ contentType: '', tags: '', enabled: true, nbf: '', exp: '' });
  const created = { name: '' };
  const { error, setError, busy, run } = useSubmit(() => {
    onClose();
    onCreated(created.name);
  });

  const onSubmit = () => {
    const n = name.trim();
    if (!SECRET_NAME_PATTERN.test(n)) {
      setError(L.nameRequired);
      return;
    }
    const p = parseAttrs(a);
    if (!p.ok) {
      setError(p.message);
      return;
    }
    created.name = n;
    void run(() =>
      setSecret({
        name: n,
        value,
        enabled: a.enabled,
        ...(a.contentType.trim() === '' ? {} : { contentType: a.contentType.trim() }),
        ...(Object.keys(p.tags).length === 0 ? {} : { tags: p.tags }),
        ...(p.nbf === undefined ? {} : { nbf: p.nbf }),
        ...(p.exp === undefined ? {} : { exp: p.exp }),
      }),
    );
  };

  return (
    <FormDialog title={L.newSecretDialog} onClose={onClose} onSubmit={onSubmit} error={error} busy={busy}>
      <Field label={L.fieldName} value={name} onChange={setName} required maxLength={MAX_NAME} />
      <TextArea label={L.fieldValue} value={value} onChange={setValue} />
      <AttrFields a={a} set={setA} />
    </FormDialog>
  );
}

export function NewVersionDialog({ name, onClose }: { name: string; onClose: () => void }) {
  const setSecret = useSecrets((s) => s.setSecret);
  const [value, setValue] = useState('');
  const { error, busy, run } = useSubmit(onClose);
  return (
    <FormDialog title={L.newVersionDialog(name)} onClose={onClose} onSubmit={() => void run(() => setSecret({ name, value }))} error={error} busy={busy}>
      <TextArea label={L.fieldValue} value={value} onChange={setValue} />
    </FormDialog>
  );
}

export function EditDialog({ name, version, onClose }: { name: string; version: SecretItem; onClose: () => void }) {
  const update = useSecrets((s) => s.update);
  const v = versionFromId(version.id);
  const [a, setA] = useState<AttrState>({
    contentType: version.contentType ?? '',
    tags: formatTags(version.tags),
    enabled: version.attributes.enabled,
    nbf: toLocalInput(version.attributes.nbf),
    exp: toLocalInput(version.attributes.exp),
  });
  const { error, setError, busy, run } = useSubmit(onClose);
  const onSubmit = () => {
    const p = parseAttrs(a);
    if (!p.ok) {
      setError(p.message);
      return;
    }
    void run(() =>
      update({
        name,
        version: v,
        patch: {
          enabled: a.enabled,
          contentType: a.contentType.trim() === '' ? null : a.contentType.trim(),
          tags: p.tags,
          nbf: p.nbf ?? null,
          exp: p.exp ?? null,
        },
      }),
    );
  };
  return (
    <FormDialog title={L.editDialog(shortVersion(v))} onClose={onClose} onSubmit={onSubmit} error={error} busy={busy}>
      <AttrFields a={a} set={setA} />
    </FormDialog>
  );
}

export function ConfirmDialog({ title, text, confirm, onConfirm, onClose }: {
  title: string;
  text: string;
  confirm: string;
  onConfirm: () => Promise<ErrorResult | null>;
  onClose: () => void;
}) {
  const { error, busy, run } = useSubmit(onClose);
  return (
    <FormDialog title={title} onClose={onClose} onSubmit={() => void run(onConfirm)} error={error} busy={busy} confirm={confirm}>
      <p>{text}</p>
    </FormDialog>
  );
}
