/** The secrets feature's dialogs: new secret, new version, edit a version's attributes. */
import { useState } from 'react';
import type { SecretItem } from '../../../shared/keyvault.js';
import { MAX_NAME, SECRET_NAME_PATTERN } from '../../../shared/limits.js';
import { L, shortVersion } from '../../app/labels.js';
import { FormDialog, useSubmit } from '../../lib/Dialog.js';
import { Field, TextArea } from '../../lib/Field.js';
import { versionFromId } from '../../lib/format.js';
import { AttributeFields, attributesOf, NEW_ATTRIBUTES, newVersionAttributes, parseAttributes, type AttributeState } from '../../lib/objects/AttributeFields.js';
import { useSecrets } from './store.js';

export function NewSecretDialog({ onClose, onCreated }: { onClose: () => void; onCreated: (name: string) => void }) {
  const setSecret = useSecrets((s) => s.setSecret);
  const [name, setName] = useState('');
  const [value, setValue] = useState('');
  const [contentType, setContentType] = useState('');
  const [a, setA] = useState<AttributeState>(NEW_ATTRIBUTES);
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
    const p = parseAttributes(a);
    if (!p.ok) {
      setError(p.message);
      return;
    }
    created.name = n;
    void run(() =>
      setSecret({
        name: n,
        value,
        ...newVersionAttributes(a, p),
        ...(contentType.trim() === '' ? {} : { contentType: contentType.trim() }),
      }),
    );
  };

  return (
    <FormDialog title={L.newSecretDialog} onClose={onClose} onSubmit={onSubmit} error={error} busy={busy}>
      <Field label={L.fieldName} value={name} onChange={setName} required maxLength={MAX_NAME} />
      <TextArea label={L.fieldValue} value={value} onChange={setValue} />
      <Field label={L.fieldContentType} value={contentType} onChange={setContentType} />
      <AttributeFields a={a} set={setA} />
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
  const [contentType, setContentType] = useState(version.contentType ?? '');
  const [a, setA] = useState<AttributeState>(attributesOf(version));
  const { error, setError, busy, run } = useSubmit(onClose);
  const onSubmit = () => {
    const p = parseAttributes(a);
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
          contentType: contentType.trim() === '' ? null : contentType.trim(),
          tags: p.tags,
          nbf: p.nbf ?? null,
          exp: p.exp ?? null,
        },
      }),
    );
  };
  return (
    <FormDialog title={L.editDialog(shortVersion(v))} onClose={onClose} onSubmit={onSubmit} error={error} busy={busy}>
      <Field label={L.fieldContentType} value={contentType} onChange={setContentType} />
      <AttributeFields a={a} set={setA} />
    </FormDialog>
  );
}
