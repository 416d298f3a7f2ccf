/**
 * A certificate policy as form fields, shared by the create wizard and the
 * policy editor: the issuer (self-signed, a CA kept in the vault, one of the
 * vault's ACME issuers, or a CA outside through a CSR), subject, SANs, validity, key type and size or
 * curve, exportable, reuse key, how the secret is stored, and the lifetime
 * actions. `parsePolicy` turns the fields into the policy the contract takes
 * (Key Vault's JSON names), keeping what the form does not show (key usages,
 * EKUs) from the policy it started from.
 */
import { useEffect, useState } from 'react';
import {
  CERTIFICATE_CONTENT_TYPES,
  CERTIFICATE_KEY_TYPES,
  issuerNameOf,
  SELF_ISSUER,
  UNKNOWN_ISSUER,
  type CertificateAuthorityView,
  type CertificateContentType,
  type CertificateIssuerView,
  type CertificateKeyType,
} from '../../../shared/certificate-types.js';
import type { ChannelInput } from '../../../shared/contract.js';
import { EC_CURVES, RSA_SIZES } from '../../../shared/key-types.js';
import type { CertificatePolicyBundle } from '../../../shared/keyvault.js';
import { L } from '../../app/labels.js';
import { call } from '../../lib/api.js';
import { Checkbox, Field, Select, TextArea } from '../../lib/Field.js';
import { IssuersDialog } from './IssuersDialog.js';
import { useCertificates } from './store.js';

export type PolicyInput = ChannelInput<'certificates:create'>['policy'];
type Policy = Omit<CertificatePolicyBundle, 'id'>;

interface ActionState {
  on: boolean;
  kind: 'days' | 'percent';
  value: string;
}

export interface PolicyState {
  /** The issuer's name; '' while "An ACME CA" is chosen and no ACME issuer is (the vault has none yet). */
  issuer: string;
  subject: string;
  dns: string;
  emails: string;
  ips: string;
  uris: string;
  months: string;
  kty: CertificateKeyType;
  size: string;
  crv: string;
  exportable: boolean;
  reuseKey: boolean;
  contentType: CertificateContentType;
  renew: ActionState;
  notify: ActionState;
}

const lines = (text: string): string[] =>
  text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== '');

function actionOf(p: Policy, type: 'AutoRenew' | 'EmailContacts', fallback: ActionState): ActionState {
  const a = p.lifetime_actions?.find((x) => x.action.action_type === type);
  if (!a) return { ...fallback, on: false };
  return a.trigger.lifetime_percentage !== undefined
    ? { on: true, kind: 'percent', value: String(a.trigger.lifetime_percentage) }
    : { on: true, kind: 'days', value: String(a.trigger.days_before_expiry ?? 30) };
}

/** The fields of a policy (the engine's default policy, or a certificate's). */
export function policyStateOf(p: Policy): PolicyState {
  const k = p.key_props ?? {};
  const x = p.x509_props ?? {};
  const kty: CertificateKeyType = k.kty === 'EC' ? 'EC' : 'RSA';
  return {
    issuer: p.issuer?.name ?? UNKNOWN_ISSUER,
    subject: x.subject ?? '',
    dns: (x.sans?.dns_names ?? []).join('\n'),
    emails: (x.sans?.emails ?? []).join('\n'),
    ips: (x.sans?.ipAddresses ?? []).join('\n'),
    uris: (x.sans?.uris ?? []).join('\n'),
    months: String(x.validity_months ?? 12),
    kty,
    size: String(kty === 'RSA' ? (k.key_size ?? RSA_SIZES[0]) : RSA_SIZES[0]),
    crv: k.crv ?? EC_CURVES[0],
    exportable: k.exportable ?? true,
    reuseKey: k.reuse_key ?? false,
    contentType: p.secret_props?.contentType === 'application/x-pem-file' ? 'application/x-pem-file' : 'application/x-pkcs12',
    renew: actionOf(p, 'AutoRenew', { on: false, kind: 'days', value: '30' }),
    notify: actionOf(p, 'EmailContacts', { on: false, kind: 'percent', value: '80' }),
  };
}

function triggerOf(a: ActionState): { days_before_expiry: number } | { lifetime_percentage: number } | null {
  if (!/^\d{1,5}$/.test(a.value.trim())) return null;
  const n = Number(a.value.trim());
  if (a.kind === 'days') return n >= 1 ? { days_before_expiry: n } : null;
  return n >= 1 && n <= 99 ? { lifetime_percentage: n } : null;
}

/** The policy the fields say, or the message of the first bad field. `base` keeps what the form does not show. */
export function parsePolicy(s: PolicyState, base: Policy): { ok: true; policy: PolicyInput } | { ok: false; message: string } {
  if (s.issuer === '') return { ok: false, message: L.acmeIssuerRequired };
  if (s.subject.trim() === '') return { ok: false, message: L.subjectRequired };
  const months = Number(s.months.trim());
  if (!/^\d{1,4}$/.test(s.months.trim()) || months < 1 || months > 1200) return { ok: false, message: L.validityError };
  const actions: NonNullable<PolicyInput['lifetime_actions']> = [];
  for (const [type, a, label] of [
    ['AutoRenew', s.renew, L.actionRenew],
    ['EmailContacts', s.notify, L.actionNotify],
  ] as const) {
    if (!a.on) continue;
    const trigger = triggerOf(a);
    if (trigger === null) return { ok: false, message: L.triggerError(label) };
    actions.push({ trigger, action: { action_type: type } });
  }
  const sans = {
    ...(lines(s.dns).length > 0 ? { dns_names: lines(s.dns) } : {}),
    ...(lines(s.emails).length > 0 ? { emails: lines(s.emails) } : {}),
    ...(lines(s.ips).length > 0 ? { ipAddresses: lines(s.ips) } : {}),
    ...(lines(s.uris).length > 0 ? { uris: lines(s.uris) } : {}),
    ...(base.x509_props?.sans?.upns ? { upns: base.x509_props.sans.upns } : {}),
  };
  const x = base.x509_props ?? {};
  const keyUsage = x.key_usage as NonNullable<NonNullable<PolicyInput['x509_props']>['key_usage']> | undefined;
  return {
    ok: true,
    policy: {
      key_props: {
        kty: s.kty,
        ...(s.kty === 'RSA' ? { key_size: Number(s.size) } : { crv: s.crv as (typeof EC_CURVES)[number] }),
        exportable: s.exportable,
        reuse_key: s.reuseKey,
      },
      secret_props: { contentType: s.contentType },
      x509_props: {
        subject: s.subject.trim(),
        ...(Object.keys(sans).length > 0 ? { sans } : {}),
        ...(x.ekus ? { ekus: x.ekus } : {}),
        ...(keyUsage ? { key_usage: keyUsage } : {}),
        validity_months: months,
      },
      lifetime_actions: actions,
      issuer: { name: s.issuer },
    },
  };
}

/** The CAs kept in the vault (none if this member cannot read them). */
export function useVaultCas(): CertificateAuthorityView[] {
  const [cas, setCas] = useState<CertificateAuthorityView[]>([]);
  useEffect(() => {
    let live = true;
    void call('certificates:listCas', {}).then((r) => {
      if (live && r.ok) setCas(r.value);
    });
    return () => {
      live = false;
    };
  }, []);
  return cas;
}

function ActionFields({ label, a, set }: { label: string; a: ActionState; set: (a: ActionState) => void }) {
  return (
    <div className="lifetime-action">
      <Checkbox label={label} checked={a.on} onChange={(on) => set({ ...a, on })} />
      {a.on ? (
        <div className="input-row">
          <Field label={L.triggerValue(label)} value={a.value} onChange={(value) => set({ ...a, value })} inputMode="numeric" maxLength={5} />
          <Select
            label={L.triggerWhen(label)}
            value={a.kind}
            options={[
              { value: 'days', label: L.triggerDaysBefore },
              { value: 'percent', label: L.triggerPercent },
            ]}
            onChange={(kind) => set({ ...a, kind: kind as ActionState['kind'] })}
          />
        </div>
      ) : null}
    </div>
  );
}

/**
 * The ACME choice: the vault's ACME issuers in a list, or, when it has none,
 * how to add one and the button opening the Issuers dialog (over this one).
 */
function AcmeIssuerField({ s, set, issuers }: { s: PolicyState; set: (s: PolicyState) => void; issuers: readonly CertificateIssuerView[] }) {
  const [open, setOpen] = useState(false);
  return (
    <div className="field acme-issuer">
      {issuers.length > 0 ? (
        <Select
          label={L.fieldAcmeIssuer}
          value={s.issuer}
          options={[
            ...(s.issuer === '' ? [{ value: '', label: '—' }] : []),
            ...issuers.map((i) => ({ value: issuerNameOf(i), label: L.acmeIssuerOption(issuerNameOf(i), i.acme?.directory_url ?? i.provider, i.attributes.enabled) })),
          ]}
          onChange={(issuer) => set({ ...s, issuer })}
        />
      ) : (
        <p className="hint">{L.noAcmeIssuers}</p>
      )}
      <button type="button" onClick={() => setOpen(true)}>
        {L.issuersButton}
      </button>
      {open ? (
        <IssuersDialog
          onClose={() => {
            setOpen(false);
            // What was added there is offered here at once.
            void useCertificates.getState().loadIssuers();
          }}
        />
      ) : null}
    </div>
  );
}

export function PolicyFields({ s, set, cas, issuers = [] }: {
  s: PolicyState;
  set: (s: PolicyState) => void;
  cas: readonly CertificateAuthorityView[];
  /** The vault's ACME issuers. */
  issuers?: readonly CertificateIssuerView[];
}) {
  const acmeNames = issuers.map((i) => issuerNameOf(i));
  const acme = s.issuer === '' || acmeNames.some((n) => n.toLowerCase() === s.issuer.toLowerCase());
  const choices = [
    { value: SELF_ISSUER, label: L.issuerSelf },
    ...cas.map((c) => ({ value: c.name, label: L.issuerCa(c.name, c.subject) })),
  ];
  // A policy naming a CA this member cannot list still shows it.
  if (!acme && s.issuer !== UNKNOWN_ISSUER && !choices.some((i) => i.value === s.issuer)) choices.splice(1, 0, { value: s.issuer, label: L.policyIssuerText(s.issuer) });
  // An enabled ACME issuer first, when the user picks "An ACME CA".
  const firstAcme = issuers.find((i) => i.attributes.enabled) ?? issuers[0];
  return (
    <>
      <fieldset className="field issuers">
        <legend>{L.issuerLegend}</legend>
        {choices.map((i) => (
          <label key={i.value} className="radio">
            <input type="radio" name="issuer" value={i.value} checked={!acme && s.issuer === i.value} onChange={() => set({ ...s, issuer: i.value })} />
            {i.label}
          </label>
        ))}
        <label className="radio">
          <input type="radio" name="issuer" value="" checked={acme} onChange={() => set({ ...s, issuer: firstAcme ? issuerNameOf(firstAcme) : '' })} />
          {L.issuerAcme}
        </label>
        {acme ? <AcmeIssuerField s={s} set={set} issuers={issuers} /> : null}
        <label className="radio">
          <input type="radio" name="issuer" value={UNKNOWN_ISSUER} checked={!acme && s.issuer === UNKNOWN_ISSUER} onChange={() => set({ ...s, issuer: UNKNOWN_ISSUER })} />
          {L.issuerUnknown}
        </label>
      </fieldset>
      <Field label={L.fieldSubject} value={s.subject} onChange={(subject) => set({ ...s, subject })} required maxLength={1024} />
      <TextArea label={L.fieldDnsNames} value={s.dns} onChange={(dns) => set({ ...s, dns })} rows={2} />
      <TextArea label={L.fieldEmails} value={s.emails} onChange={(emails) => set({ ...s, emails })} rows={1} />
      <TextArea label={L.fieldIpAddresses} value={s.ips} onChange={(ips) => set({ ...s, ips })} rows={1} />
      <TextArea label={L.fieldUris} value={s.uris} onChange={(uris) => set({ ...s, uris })} rows={1} />
      <Field label={L.fieldValidityMonths} value={s.months} onChange={(months) => set({ ...s, months })} inputMode="numeric" maxLength={4} required />
      <Select label={L.fieldKeyType} value={s.kty} options={CERTIFICATE_KEY_TYPES.map((t) => ({ value: t, label: L.keyTypeNames[t] ?? t }))} onChange={(v) => set({ ...s, kty: v as CertificateKeyType })} />
      {s.kty === 'RSA' ? (
        <Select label={L.fieldKeySize} value={s.size} options={RSA_SIZES.map((n) => ({ value: String(n), label: String(n) }))} onChange={(size) => set({ ...s, size })} />
      ) : (
        <Select label={L.fieldCurve} value={s.crv} options={EC_CURVES.map((c) => ({ value: c, label: c }))} onChange={(crv) => set({ ...s, crv })} />
      )}
      <Checkbox label={L.fieldCertExportable} checked={s.exportable} onChange={(exportable) => set({ ...s, exportable })} />
      <Checkbox label={L.fieldReuseKey} checked={s.reuseKey} onChange={(reuseKey) => set({ ...s, reuseKey })} />
      <Select
        label={L.fieldSecretContentType}
        value={s.contentType}
        options={CERTIFICATE_CONTENT_TYPES.map((c) => ({ value: c, label: L.contentTypeNames[c] ?? c }))}
        onChange={(v) => set({ ...s, contentType: v as CertificateContentType })}
      />
      <fieldset className="field">
        <legend>{L.fieldLifetimeActions}</legend>
        <ActionFields label={L.actionRenew} a={s.renew} set={(renew) => set({ ...s, renew })} />
        <ActionFields label={L.actionNotify} a={s.notify} set={(notify) => set({ ...s, notify })} />
      </fieldset>
    </>
  );
}
