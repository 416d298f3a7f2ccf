/**
 * "Use key": encrypt, decrypt, sign or verify text or a file with one
 * version, with the algorithms that version takes (its type and operations
 * allowed, as main reports them). Bytes travel base64url as in Key Vault's
 * REST API. AES encryption makes its own IV (and GCM its tag), shown with
 * the result for decryption later. Results live in this panel only: closing
 * it, choosing another key or locking drops them.
 */
import { useEffect, useId, useState } from 'react';
import { LIMITS, type KeyDetails } from '../../../shared/contract.js';
import type { KeyOperationResult } from '../../../shared/keyvault.js';
import { L, shortVersion } from '../../app/labels.js';
import { call } from '../../lib/api.js';
import { fromB64u, fromUtf8, toB64u, utf8 } from '../../lib/bytes.js';
import { ErrorAlert } from '../../lib/Dialog.js';
import { Field, TextArea } from '../../lib/Field.js';

/** The operations the panel offers; wrap and unwrap are for keys, in the CLI. */
const PANEL_OPERATIONS = ['encrypt', 'decrypt', 'sign', 'verify'] as const;
type PanelOperation = (typeof PANEL_OPERATIONS)[number];

type Outcome = { kind: 'result'; op: 'encrypt' | 'decrypt' | 'sign'; result: KeyOperationResult } | { kind: 'verified'; valid: boolean };

const isAes = (alg: string) => /^A\d{3}(GCM|CBC|CBCPAD)$/.test(alg);
const isGcm = (alg: string) => /^A\d{3}GCM$/.test(alg);

export function UseKeyPanel({ name, version, onClose }: { name: string; version: string; onClose: () => void }) {
  const short = shortVersion(version);
  const [details, setDetails] = useState<KeyDetails | null>(null);
  const [op, setOp] = useState<PanelOperation | null>(null);
  const [alg, setAlg] = useState('');
  const [text, setText] = useState('');
  const [file, setFile] = useState<{ name: string; bytes: Uint8Array } | null>(null);
  const [signature, setSignature] = useState('');
  const [iv, setIv] = useState('');
  const [tag, setTag] = useState('');
  const [aad, setAad] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [outcome, setOutcome] = useState<Outcome | null>(null);
  const opId = useId();
  const algId = useId();
  const fileId = useId();

  useEffect(() => {
    let live = true;
    void call('keys:get', { name, version }).then((r) => {
      if (!live) return;
      if (!r.ok) return setError(r.message);
      setDetails(r.value);
      const first = PANEL_OPERATIONS.find((o) => (r.value.algorithms[o]?.length ?? 0) > 0) ?? null;
      setOp(first);
      setAlg(first ? (r.value.algorithms[first]?.[0] ?? '') : '');
    });
    return () => {
      live = false;
    };
  }, [name, version]);

  const available = PANEL_OPERATIONS.filter((o) => (details?.algorithms[o]?.length ?? 0) > 0);
  const chooseOp = (o: PanelOperation) => {
    const algs = details?.algorithms[o] ?? [];
    setOp(o);
    // Decrypting what was just encrypted, or verifying what was just signed, takes the same algorithm.
    setAlg(algs.includes(alg) ? alg : (algs[0] ?? ''));
    setOutcome(null);
    setError(null);
  };

  /** The input's bytes: the file's, or the text as UTF-8 (base64url for decrypt's ciphertext). */
  const input = (): Uint8Array | string => {
    if (file) return file.bytes;
    if (op === 'decrypt') return fromB64u(text) ?? L.base64Error(L.useKeyInputBase64);
    return utf8(text);
  };

  const run = async () => {
    if (!op) return;
    setError(null);
    setOutcome(null);
    const data = input();
    if (typeof data === 'string') return setError(data);
    if (data.length > LIMITS.keyDataBytes) return setError(L.dataTooLarge(LIMITS.keyDataBytes));
    const target = { name, version, algorithm: alg };
    const b64 = (v: string, label: string): string | null => {
      const bytes = fromB64u(v);
      if (bytes === null) {
        setError(L.base64Error(label));
        return null;
      }
      return toB64u(bytes);
    };
    setBusy(true);
    try {
      if (op === 'verify') {
        const sig = b64(signature, L.useKeySignature);
        if (sig === null) return;
        const r = await call('keys:verify', { ...target, data: toB64u(data), signature: sig });
        if (r.ok) setOutcome({ kind: 'verified', valid: r.value.value });
        else setError(r.message);
      } else if (op === 'sign') {
        const r = await call('keys:sign', { ...target, data: toB64u(data) });
        if (r.ok) setOutcome({ kind: 'result', op, result: r.value });
        else setError(r.message);
      } else {
        const extra: { iv?: string; tag?: string; aad?: string } = {};
        if (isGcm(alg) && aad !== '') extra.aad = toB64u(utf8(aad));
        if (op === 'decrypt' && isAes(alg)) {
          const ivB = b64(iv, L.useKeyIv);
          if (ivB === null) return;
          extra.iv = ivB;
          if (isGcm(alg)) {
            const tagB = b64(tag, L.useKeyTag);
            if (tagB === null) return;
            extra.tag = tagB;
          }
        }
        const r = await call(op === 'encrypt' ? 'keys:encrypt' : 'keys:decrypt', { ...target, value: toB64u(data), ...extra });
        if (r.ok) setOutcome({ kind: 'result', op, result: r.value });
        else setError(r.message);
      }
    } finally {
      setBusy(false);
    }
  };

  const readFile = async (f: File | undefined) => {
    if (!f) return;
    if (f.size > LIMITS.keyDataBytes) return setError(L.dataTooLarge(LIMITS.keyDataBytes));
    try {
      setFile({ name: f.name, bytes: new Uint8Array(await f.arrayBuffer()) });
      setError(null);
    } catch {
      setError(L.fileUnreadable);
    }
  };

  return (
    <section className="use-key" aria-label={L.useKeyRegion(name, short)}>
      <div className="use-key-head">
        <h3>{L.useKeyRegion(name, short)}</h3>
        <button type="button" onClick={onClose}>
          {L.useKeyClose}
        </button>
      </div>
      {details === null ? (
        error ? <ErrorAlert message={error} /> : <p className="muted">{L.loading}</p>
      ) : available.length === 0 || op === null ? (
        <p className="muted">{L.noOperations}</p>
      ) : (
        <form
          aria-busy={busy}
          onSubmit={(e) => {
            e.preventDefault();
            if (!busy) void run();
          }}
        >
          <div className="form-row">
            <div className="field">
              <label htmlFor={opId}>{L.useKeyOperation}</label>
              <select id={opId} value={op} onChange={(e) => chooseOp(e.target.value as PanelOperation)}>
                {available.map((o) => (
                  <option key={o} value={o}>
                    {L.operationNames[o]}
                  </option>
                ))}
              </select>
            </div>
            <div className="field">
              <label htmlFor={algId}>{L.useKeyAlgorithm}</label>
              <select id={algId} value={alg} onChange={(e) => setAlg(e.target.value)}>
                {(details.algorithms[op] ?? []).map((a) => (
                  <option key={a} value={a}>
                    {a}
                  </option>
                ))}
              </select>
            </div>
          </div>
          {file ? (
            <p>
              {L.useKeyFileChosen(file.name, file.bytes.length)}{' '}
              <button type="button" className="link" onClick={() => setFile(null)}>
                {L.useKeyClearFile}
              </button>
            </p>
          ) : (
            <TextArea label={op === 'decrypt' ? L.useKeyInputBase64 : L.useKeyInputText} value={text} onChange={setText} rows={4} />
          )}
          <div className="field">
            <label htmlFor={fileId}>{L.useKeyFile}</label>
            <input id={fileId} type="file" onChange={(e) => void readFile(e.target.files?.[0])} />
          </div>
          {op === 'verify' ? <Field label={L.useKeySignature} value={signature} onChange={setSignature} /> : null}
          {op === 'decrypt' && isAes(alg) ? <Field label={L.useKeyIv} value={iv} onChange={setIv} /> : null}
          {op === 'decrypt' && isGcm(alg) ? <Field label={L.useKeyTag} value={tag} onChange={setTag} /> : null}
          {(op === 'encrypt' || op === 'decrypt') && isGcm(alg) ? <Field label={L.useKeyAad} value={aad} onChange={setAad} /> : null}
          <ErrorAlert message={error} />
          <div className="actions">
            <button type="submit" className="primary">
              {L.operationNames[op]}
            </button>
          </div>
        </form>
      )}
      {outcome ? <OutcomeView outcome={outcome} /> : null}
    </section>
  );
}

function OutcomeView({ outcome }: { outcome: Outcome }) {
  if (outcome.kind === 'verified') {
    return (
      <p role="status" className={outcome.valid ? 'verdict ok' : 'verdict bad'}>
        {outcome.valid ? L.verifyValid : L.verifyInvalid}
      </p>
    );
  }
  const r = outcome.result;
  const asText = outcome.op === 'decrypt' ? fromUtf8(fromB64u(r.value) ?? new Uint8Array()) : null;
  return (
    <div className="outcome">
      <ReadOnly label={L.useKeyResult} value={r.value} />
      {r.iv ? <ReadOnly label={L.useKeyIv} value={r.iv} /> : null}
      {r.tag ? <ReadOnly label={L.useKeyTag} value={r.tag} /> : null}
      {outcome.op === 'decrypt' ? asText === null ? <p className="hint">{L.notUtf8}</p> : <ReadOnly label={L.useKeyResultText} value={asText} /> : null}
      <p className="hint">{L.useKeySaveHint}</p>
    </div>
  );
}

function ReadOnly({ label, value }: { label: string; value: string }) {
  const id = useId();
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <textarea id={id} readOnly value={value} rows={Math.min(6, Math.max(2, Math.ceil(value.length / 64)))} spellCheck={false} />
    </div>
  );
}
