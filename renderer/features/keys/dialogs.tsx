/** The keys feature's dialogs: new key, import a key, edit a version's attributes. */
import { useEffect, useState } from 'react';
import { LIMITS } from '../../../shared/contract.js';
import { EC_CURVES, KEY_TYPE_OPERATIONS, KEY_TYPES, OCT_SIZES, RSA_SIZES, type KeyOperation, type KeyType } from '../../../shared/key-types.js';
import { MAX_NAME, SECRET_NAME_PATTERN } from '../../../shared/limits.js';
import { L, shortVersion } from '../../app/labels.js';
import { call } from '../../lib/api.js';
import { FormDialog, useSubmit } from '../../lib/Dialog.js';
import { Checkbox, Field, Select, TextArea } from '../../lib/Field.js';
import { AttributeFields, attributesOf, NEW_ATTRIBUTES, newVersionAttributes, parseAttributes, type AttributeState } from '../../lib/objects/AttributeFields.js';
import { FileDrop, type ChosenFile } from '../../lib/FileDrop.js';
import { useKeys } from './store.js';

/** The choices of size or curve for each type; the first is the default (Key Vault's: RSA 2048, P-256, AES-256). */
const SHAPES: Record<KeyType, { field: 'size' | 'crv'; options: readonly (string | number)[] }> = {
  RSA: { field: 'size', options: RSA_SIZES },
  EC: { field: 'crv', options: EC_CURVES },
  oct: { field: 'size', options: [...OCT_SIZES].reverse() },
  OKP: { field: 'crv', options: ['Ed25519'] },
};

/** Checkboxes of the operations a key type can perform; none checked is refused before sending. */
function OperationsField({ kty, ops, setOps }: { kty: KeyType; ops: readonly KeyOperation[]; setOps: (ops: KeyOperation[]) => void }) {
  return (
    <fieldset className="field ops">
      <legend>{L.fieldKeyOps}</legend>
      {KEY_TYPE_OPERATIONS[kty].map((op) => (
        <Checkbox key={op} label={op} checked={ops.includes(op)} onChange={(on) => setOps(KEY_TYPE_OPERATIONS[kty].filter((o) => (o === op ? on : ops.includes(o))))} />
      ))}
    </fieldset>
  );
}

function checkName(name: string): string | null {
  return SECRET_NAME_PATTERN.test(name.trim()) ? null : L.nameRequired;
}

export function CreateKeyDialog({ onClose, onCreated }: { onClose: () => void; onCreated: (name: string) => void }) {
  const create = useKeys((s) => s.create);
  const [name, setName] = useState('');
  const [kty, setKty] = useState<KeyType>('RSA');
  const [shape, setShape] = useState<string>(String(SHAPES.RSA.options[0]));
  const [ops, setOps] = useState<readonly KeyOperation[]>(KEY_TYPE_OPERATIONS.RSA);
  const [exportable, setExportable] = useState(false);
  const [a, setA] = useState<AttributeState>(NEW_ATTRIBUTES);
  const created = { name: '' };
  const { error, setError, busy, run } = useSubmit(() => {
    onClose();
    onCreated(created.name);
  });

  const chooseType = (t: KeyType) => {
    setKty(t);
    setShape(String(SHAPES[t].options[0]));
    setOps(KEY_TYPE_OPERATIONS[t]);
  };

  const onSubmit = () => {
    const bad = checkName(name);
    const p = parseAttributes(a);
    if (bad) return setError(bad);
    if (!p.ok) return setError(p.message);
    if (ops.length === 0) return setError(L.opsRequired);
    created.name = name.trim();
    const s = SHAPES[kty];
    void run(() =>
      create({
        name: created.name,
        kty,
        ...(s.field === 'size' ? { size: Number(shape) } : { crv: shape as (typeof EC_CURVES)[number] | 'Ed25519' }),
        keyOps: [...ops],
        exportable,
        ...newVersionAttributes(a, p),
      }),
    );
  };

  return (
    <FormDialog title={L.newKeyDialog} onClose={onClose} onSubmit={onSubmit} error={error} busy={busy} confirm={L.createKeyConfirm}>
      <Field label={L.fieldName} value={name} onChange={setName} required maxLength={MAX_NAME} />
      <Select label={L.fieldKeyType} value={kty} options={KEY_TYPES.map((t) => ({ value: t, label: L.keyTypeNames[t] ?? t }))} onChange={(v) => chooseType(v as KeyType)} />
      {SHAPES[kty].options.length > 1 ? (
        <Select
          label={SHAPES[kty].field === 'size' ? L.fieldKeySize : L.fieldCurve}
          value={shape}
          options={SHAPES[kty].options.map((o) => ({ value: String(o), label: String(o) }))}
          onChange={setShape}
        />
      ) : null}
      <OperationsField kty={kty} ops={ops} setOps={setOps} />
      <Checkbox label={L.fieldExportable} checked={exportable} onChange={setExportable} />
      <AttributeFields a={a} set={setA} />
      {busy ? (
        <p role="status" className="progress">
          <span className="spinner" aria-hidden="true" />
          {L.generating(L.keyTypeText(kty, SHAPES[kty].field === 'size' ? Number(shape) : undefined, SHAPES[kty].field === 'crv' ? shape : undefined))}
        </p>
      ) : null}
    </FormDialog>
  );
}

export function ImportKeyDialog({ onClose, onCreated }: { onClose: () => void; onCreated: (name: string) => void }) {
  const importKey = useKeys((s) => s.importKey);
  const [name, setName] = useState('');
  const [text, setText] = useState('');
  const [password, setPassword] = useState('');
  const [exportable, setExportable] = useState(false);
  const [a, setA] = useState<AttributeState>(NEW_ATTRIBUTES);
  const created = { name: '' };
  const { error, setError, busy, run } = useSubmit(() => {
    onClose();
    onCreated(created.name);
  });

  // A file named after the key fills in an empty name (my-key.pem → my-key).
  const chose = (file: ChosenFile) => {
    let text: string;
    try {
      text = new TextDecoder('utf-8', { fatal: true }).decode(file.bytes);
    } catch {
      return setError(L.fileUnreadable);
    }
    setText(text);
    setError(null);
    const stem = file.name.replace(/\.[^.]*$/, '');
    if (name.trim() === '' && SECRET_NAME_PATTERN.test(stem)) setName(stem);
  };

  const onSubmit = () => {
    const bad = checkName(name);
    const p = parseAttributes(a);
    if (bad) return setError(bad);
    if (text.trim() === '') return setError(L.importNoKey);
    if (!p.ok) return setError(p.message);
    created.name = name.trim();
    void run(() =>
      importKey({
        name: created.name,
        text,
        ...(password === '' ? {} : { password }),
        exportable,
        ...newVersionAttributes(a, p),
      }),
    );
  };

  return (
    <FormDialog title={L.importKeyDialog} onClose={onClose} onSubmit={onSubmit} error={error} busy={busy} confirm={L.importKeyConfirm}>
      <Field label={L.fieldName} value={name} onChange={setName} required maxLength={MAX_NAME} />
      <FileDrop
        label={L.importFile}
        hint={L.importFileHint}
        accept=".pem,.key,.jwk,.json,.txt"
        maxBytes={LIMITS.keyTextLength}
        tooLarge={L.fileTooLarge(LIMITS.keyTextLength)}
        onFile={chose}
        onError={setError}
        chosen={null}
      />
      <TextArea label={L.importText} value={text} onChange={setText} rows={5} />
      <Field label={L.importPassword} type="password" value={password} onChange={setPassword} maxLength={LIMITS.passphraseLength} />
      <Checkbox label={L.fieldExportable} checked={exportable} onChange={setExportable} />
      <AttributeFields a={a} set={setA} />
    </FormDialog>
  );
}

/** A version's attributes and operations allowed; the material is immutable (Key Vault's UpdateKey). */
export function EditKeyDialog({ name, version, onClose }: { name: string; version: string; onClose: () => void }) {
  const update = useKeys((s) => s.update);
  const [loaded, setLoaded] = useState<{ kty: KeyType; a: AttributeState; ops: KeyOperation[] } | null>(null);
  const { error, setError, busy, run } = useSubmit(onClose);

  useEffect(() => {
    let live = true;
    void call('keys:get', { name, version }).then((r) => {
      if (!live) return;
      if (!r.ok) return setError(r.message);
      const b = r.value.bundle;
      setLoaded({ kty: b.key.kty, a: attributesOf(b), ops: b.key.key_ops.filter((o): o is KeyOperation => (KEY_TYPE_OPERATIONS[b.key.kty] as readonly string[]).includes(o)) });
    });
    return () => {
      live = false;
    };
  }, [name, version, setError]);

  const onSubmit = () => {
    if (!loaded) return;
    const p = parseAttributes(loaded.a);
    if (!p.ok) return setError(p.message);
    if (loaded.ops.length === 0) return setError(L.opsRequired);
    void run(() => update({ name, version, patch: { enabled: loaded.a.enabled, keyOps: loaded.ops, tags: p.tags, nbf: p.nbf ?? null, exp: p.exp ?? null } }));
  };

  return (
    <FormDialog title={L.editKeyDialog(shortVersion(version))} onClose={onClose} onSubmit={onSubmit} error={error} busy={busy || loaded === null}>
      {loaded === null ? (
        <p className="muted">{L.loading}</p>
      ) : (
        <>
          <OperationsField kty={loaded.kty} ops={loaded.ops} setOps={(ops) => setLoaded({ ...loaded, ops })} />
          <AttributeFields a={loaded.a} set={(a) => setLoaded({ ...loaded, a })} />
        </>
      )}
    </FormDialog>
  );
}
