/**
 * The certificates feature's dialogs: the create wizard (a policy and its
 * issuer; for a CA outside, then the CSR and the merge), import of a PFX/P12
 * or PEM file, export (PEM, DER, PFX with an optional password), the policy
 * editor, a version's tags and enabled, revocation of a version, and a
 * pending request by name.
 */
import { useEffect, useState } from 'react';
import {
  CERTIFICATE_EXPORT_FORMATS,
  REVOCATION_REASONS,
  type CertificateDetailsView,
  type CertificateExportFormat,
  type CertificateOperationView,
  type RevocationReason,
} from '../../../shared/certificate-types.js';
import { LIMITS } from '../../../shared/contract.js';
import type { CertificatePolicyBundle } from '../../../shared/keyvault.js';
import { MAX_NAME, SECRET_NAME_PATTERN } from '../../../shared/limits.js';
import { L, shortVersion } from '../../app/labels.js';
import { call } from '../../lib/api.js';
import { toB64u } from '../../lib/bytes.js';
import { Dialog, ErrorAlert, FormDialog, useSubmit } from '../../lib/Dialog.js';
import { Checkbox, Field, Select, TextArea } from '../../lib/Field.js';
import { FileDrop, type ChosenFile } from '../../lib/FileDrop.js';
import { formatTags, parseTags } from '../../lib/format.js';
import { PendingPanel } from './PendingPanel.js';
import { useVaultIssuers } from './IssuersDialog.js';
import { parsePolicy, PolicyFields, policyStateOf, useVaultCas, type PolicyState } from './PolicyForm.js';
import { useCertificates } from './store.js';

type Policy = Omit<CertificatePolicyBundle, 'id'>;

function checkName(name: string): string | null {
  return SECRET_NAME_PATTERN.test(name.trim()) ? null : L.nameRequired;
}

function tagsOf(text: string): { ok: true; tags: Record<string, string> } | { ok: false; message: string } {
  const t = parseTags(text);
  if ('badLine' in t && typeof t.badLine === 'number') return { ok: false, message: L.tagsError(t.badLine) };
  return { ok: true, tags: t as Record<string, string> };
}

/**
 * New certificate: the policy (from the engine's default policy) and its
 * issuer. Self and a vault CA complete at once; a CA outside answers a CSR,
 * shown in the wizard's second step with its merge.
 */
type PendingState = { name: string; op: CertificateOperationView };

/** A pending request in a dialog: its CSR, merge, cancel or delete; a merge opens the certificate, then says so. */
function PendingStep({ title, pending, onChange, onClose, onMerged }: {
  title: string;
  pending: PendingState;
  onChange: (p: PendingState) => void;
  onClose: () => void;
  onMerged: (name: string) => void;
}) {
  return (
    <Dialog title={title} onClose={onClose}>
      <PendingPanel
        name={pending.name}
        op={pending.op}
        onMerged={() => {
          onClose();
          onMerged(pending.name);
          // After opening it (which clears the page's messages).
          useCertificates.setState({ status: L.merged(pending.name) });
        }}
        onGone={(op) => (op ? onChange({ ...pending, op }) : onClose())}
      />
      <div className="actions">
        <button type="button" onClick={onClose}>
          {L.doneButton}
        </button>
      </div>
    </Dialog>
  );
}

export function CreateCertificateDialog({ onClose, onCreated }: { onClose: () => void; onCreated: (name: string) => void }) {
  const create = useCertificates((s) => s.create);
  const cas = useVaultCas();
  const issuers = useVaultIssuers();
  const [base, setBase] = useState<Policy | null>(null);
  const [name, setName] = useState('');
  const [s, setS] = useState<PolicyState | null>(null);
  const [tags, setTags] = useState('');
  const [pending, setPending] = useState<PendingState | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    let live = true;
    void call('certificates:defaultPolicy', {}).then((r) => {
      if (!live) return;
      if (!r.ok) return setError(r.message);
      // The default's placeholder subject is meant to be replaced.
      const p = { ...r.value, x509_props: { ...r.value.x509_props, subject: '' } };
      setBase(p);
      setS(policyStateOf(p));
    });
    return () => {
      live = false;
    };
  }, []);

  const onSubmit = async () => {
    if (!s || !base || busy) return;
    const bad = checkName(name);
    if (bad) return setError(bad);
    const p = parsePolicy(s, base);
    if (!p.ok) return setError(p.message);
    const t = tagsOf(tags);
    if (!t.ok) return setError(t.message);
    const n = name.trim();
    setBusy(true);
    setError(null);
    const r = await create({ name: n, policy: p.policy, ...(Object.keys(t.tags).length > 0 ? { tags: t.tags } : {}) });
    setBusy(false);
    if (!r.ok) return setError(r.message);
    if (r.value.status === 'inProgress') return setPending({ name: n, op: r.value });
    onClose();
    onCreated(n);
  };

  if (pending) return <PendingStep title={L.newCertificateDialog} pending={pending} onChange={setPending} onClose={onClose} onMerged={onCreated} />;

  return (
    <FormDialog title={L.newCertificateDialog} onClose={onClose} onSubmit={() => void onSubmit()} error={error} busy={busy || s === null} confirm={L.createCertificateConfirm}>
      <Field label={L.fieldName} value={name} onChange={setName} required maxLength={MAX_NAME} />
      {s === null ? <p className="muted">{L.loading}</p> : <PolicyFields s={s} set={setS} cas={cas} issuers={issuers} />}
      <TextArea label={L.fieldTags} value={tags} onChange={setTags} rows={2} />
      {busy ? (
        <p role="status" className="progress">
          <span className="spinner" aria-hidden="true" />
          {L.creatingCertificate}
        </p>
      ) : null}
    </FormDialog>
  );
}

/** Import: a .pfx/.p12 (with its password) or a .pem with the private key and the certificate. */
export function ImportCertificateDialog({ onClose, onCreated }: { onClose: () => void; onCreated: (name: string) => void }) {
  const importCertificate = useCertificates((s) => s.importCertificate);
  const [name, setName] = useState('');
  const [file, setFile] = useState<ChosenFile | null>(null);
  const [password, setPassword] = useState('');
  const [tags, setTags] = useState('');
  const created = { name: '' };
  const { error, setError, busy, run } = useSubmit(() => {
    onClose();
    onCreated(created.name);
  });

  const onFile = (f: ChosenFile) => {
    setFile(f);
    setError(null);
    // A file named after the certificate fills in an empty name (web-tls.pfx → web-tls).
    const stem = f.name.replace(/\.[^.]*$/, '');
    if (name.trim() === '' && SECRET_NAME_PATTERN.test(stem)) setName(stem);
  };

  const onSubmit = () => {
    const bad = checkName(name);
    if (bad) return setError(bad);
    if (file === null) return setError(L.importNoFile);
    const t = tagsOf(tags);
    if (!t.ok) return setError(t.message);
    created.name = name.trim();
    void run(() =>
      importCertificate({
        name: created.name,
        value: toB64u(file.bytes),
        ...(password === '' ? {} : { password }),
        ...(Object.keys(t.tags).length > 0 ? { tags: t.tags } : {}),
      }),
    );
  };

  return (
    <FormDialog title={L.importCertificateDialog} onClose={onClose} onSubmit={onSubmit} error={error} busy={busy} confirm={L.importKeyConfirm}>
      <Field label={L.fieldName} value={name} onChange={setName} required maxLength={MAX_NAME} />
      <FileDrop
        label={L.importCertificateFile}
        hint={L.importCertificateHint}
        accept=".pfx,.p12,.pem"
        maxBytes={LIMITS.certificateFileBytes}
        tooLarge={L.certificateFileTooLarge(LIMITS.certificateFileBytes)}
        onFile={onFile}
        onError={setError}
        chosen={file}
      />
      <Field label={L.importCertificatePassword} type="password" value={password} onChange={setPassword} maxLength={LIMITS.passphraseLength} />
      <TextArea label={L.fieldTags} value={tags} onChange={setTags} rows={2} />
    </FormDialog>
  );
}

/** Export a version: main asks where, then writes PEM, DER, or a PFX with the key (protected if a password is given). */
export function ExportCertificateDialog({ name, version, onClose }: { name: string; version?: string; onClose: () => void }) {
  const exportCertificate = useCertificates((s) => s.exportCertificate);
  const [format, setFormat] = useState<CertificateExportFormat>('PEM');
  const [password, setPassword] = useState('');
  const { error, busy, run } = useSubmit(onClose);

  const onSubmit = () =>
    void run(() => exportCertificate({ name, ...(version === undefined ? {} : { version }), format, ...(format === 'PFX' && password !== '' ? { password } : {}) }));

  return (
    <FormDialog title={L.exportCertificateDialog(name)} onClose={onClose} onSubmit={onSubmit} error={error} busy={busy} confirm={L.exportConfirm}>
      <fieldset className="field">
        <legend>{L.exportFormat}</legend>
        {CERTIFICATE_EXPORT_FORMATS.map((f) => (
          <label key={f} className="radio">
            <input type="radio" name="export-format" value={f} checked={format === f} onChange={() => setFormat(f)} />
            {L.exportFormatNames[f] ?? f}
          </label>
        ))}
      </fieldset>
      {format === 'PFX' ? <Field label={L.exportPassword} type="password" value={password} onChange={setPassword} maxLength={LIMITS.passphraseLength} /> : null}
    </FormDialog>
  );
}

/** The policy editor: Save replaces the sections of the policy the form holds (Key Vault's PATCH). */
export function PolicyDialog({ name, onClose }: { name: string; onClose: () => void }) {
  const updatePolicy = useCertificates((s) => s.updatePolicy);
  const cas = useVaultCas();
  const issuers = useVaultIssuers();
  const [base, setBase] = useState<Policy | null>(null);
  const [s, setS] = useState<PolicyState | null>(null);
  const { error, setError, busy, run } = useSubmit(onClose);

  useEffect(() => {
    let live = true;
    void call('certificates:getPolicy', { name }).then((r) => {
      if (!live) return;
      if (!r.ok) return setError(r.message);
      setBase(r.value);
      setS(policyStateOf(r.value));
    });
    return () => {
      live = false;
    };
  }, [name, setError]);

  const onSubmit = () => {
    if (!s || !base) return;
    const p = parsePolicy(s, base);
    if (!p.ok) return setError(p.message);
    void run(() => updatePolicy({ name, policy: p.policy }));
  };

  return (
    <FormDialog title={L.policyDialog(name)} onClose={onClose} onSubmit={onSubmit} error={error} busy={busy || s === null}>
      <p className="hint">{L.policyEditExplain}</p>
      {s === null ? <p className="muted">{L.loading}</p> : <PolicyFields s={s} set={setS} cas={cas} issuers={issuers} />}
    </FormDialog>
  );
}

/** A version's tags and enabled (UpdateCertificate); the X.509 is immutable. */
export function EditCertificateDialog({ name, version, onClose }: { name: string; version: string; onClose: () => void }) {
  const update = useCertificates((s) => s.update);
  const item = useCertificates((s) => s.versions?.find((v) => v.id.endsWith(`/${version}`)));
  const [tags, setTags] = useState(() => formatTags(item?.tags));
  const [enabled, setEnabled] = useState(item?.attributes.enabled ?? true);
  const { error, setError, busy, run } = useSubmit(onClose);

  const onSubmit = () => {
    const t = tagsOf(tags);
    if (!t.ok) return setError(t.message);
    void run(() => update({ name, version, patch: { enabled, tags: t.tags } }));
  };

  return (
    <FormDialog title={L.editCertificateDialog(shortVersion(version))} onClose={onClose} onSubmit={onSubmit} error={error} busy={busy}>
      <TextArea label={L.fieldTags} value={tags} onChange={setTags} />
      <Checkbox label={L.fieldEnabled} checked={enabled} onChange={setEnabled} />
    </FormDialog>
  );
}

/** Revoke a version, by the vault CA that issued it or the policy's ACME issuer (the detail offers it only then), with an RFC 5280 reason. */
export function RevokeCertificateDialog({ name, version, revoker, onClose }: {
  name: string;
  version: string;
  revoker: NonNullable<CertificateDetailsView['revoker']>;
  onClose: () => void;
}) {
  const revoke = useCertificates((s) => s.revoke);
  const [reason, setReason] = useState<RevocationReason>('unspecified');
  const { error, busy, run } = useSubmit(onClose);
  return (
    <FormDialog title={L.revokeDialog(shortVersion(version))} onClose={onClose} onSubmit={() => void run(() => revoke({ name, version, reason }))} error={error} busy={busy} confirm={L.revokeConfirm}>
      <p>{L.revokeExplain(revoker.kind, revoker.name)}</p>
      <Select
        label={L.revokeReason}
        value={reason}
        options={REVOCATION_REASONS.map((r) => ({ value: r, label: L.revocationReasonNames[r] ?? r }))}
        onChange={(v) => setReason(v as RevocationReason)}
      />
    </FormDialog>
  );
}

/** A pending request by certificate name (a first version waiting for its CA has no row in the list yet). */
export function PendingRequestDialog({ onClose, onMerged }: { onClose: () => void; onMerged: (name: string) => void }) {
  const [name, setName] = useState('');
  const [found, setFound] = useState<PendingState | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const find = async () => {
    const bad = checkName(name);
    if (bad) return setError(bad);
    const n = name.trim();
    setBusy(true);
    const r = await call('certificates:getPending', { name: n });
    setBusy(false);
    if (!r.ok) return setError(r.message);
    if (r.value === null) return setError(L.noPending(n));
    setError(null);
    setFound({ name: n, op: r.value });
  };

  if (found) return <PendingStep title={L.pendingDialog} pending={found} onChange={setFound} onClose={onClose} onMerged={onMerged} />;
  return (
    <FormDialog title={L.pendingDialog} onClose={onClose} onSubmit={() => void find()} error={null} busy={busy} confirm={L.findPendingConfirm}>
      <Field label={L.pendingName} value={name} onChange={setName} required maxLength={MAX_NAME} />
      <ErrorAlert message={error} />
    </FormDialog>
  );
}
