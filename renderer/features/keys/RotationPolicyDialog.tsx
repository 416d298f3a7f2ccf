/**
 * A key's rotation policy (Key Vault's KeyRotationPolicy): rotate a set time
 * after a version is created or before it expires, notify before expiry,
 * and the expiry given to new versions. Durations are ISO 8601 as Key
 * Vault's (P90D, P3M, P1Y); the engine checks Key Vault's rules and its
 * message shows here.
 */
import { useEffect, useId, useState } from 'react';
import type { ChannelInput } from '../../../shared/contract.js';
import type { KeyRotationPolicy } from '../../../shared/keyvault.js';
import { L } from '../../app/labels.js';
import { call } from '../../lib/api.js';
import { FormDialog, useSubmit } from '../../lib/Dialog.js';
import { Checkbox, Field } from '../../lib/Field.js';

/** ISO 8601 durations as Key Vault takes them: years, months, days (and weeks). */
const DURATION = /^P(?=\d)(\d+Y)?(\d+M)?(\d+W)?(\d+D)?$/;

interface PolicyForm {
  rotate: boolean;
  rotateTrigger: 'timeAfterCreate' | 'timeBeforeExpiry';
  rotateAfter: string;
  notify: boolean;
  notifyBefore: string;
  expiryTime: string;
}

function formOf(p: KeyRotationPolicy): PolicyForm {
  const rotate = p.lifetimeActions.find((a) => a.action.type === 'Rotate');
  const notify = p.lifetimeActions.find((a) => a.action.type === 'Notify');
  return {
    rotate: rotate !== undefined,
    rotateTrigger: rotate?.trigger.timeBeforeExpiry !== undefined ? 'timeBeforeExpiry' : 'timeAfterCreate',
    rotateAfter: rotate?.trigger.timeAfterCreate ?? rotate?.trigger.timeBeforeExpiry ?? 'P90D',
    notify: notify !== undefined,
    notifyBefore: notify?.trigger.timeBeforeExpiry ?? 'P30D',
    expiryTime: p.attributes.expiryTime ?? '',
  };
}

export function RotationPolicyDialog({ name, onClose }: { name: string; onClose: () => void }) {
  const [form, setForm] = useState<PolicyForm | null>(null);
  const { error, setError, busy, run } = useSubmit(onClose);
  const triggerId = useId();

  useEffect(() => {
    let live = true;
    void call('keys:getRotationPolicy', { name }).then((r) => {
      if (!live) return;
      if (r.ok) setForm(formOf(r.value));
      else setError(r.message);
    });
    return () => {
      live = false;
    };
  }, [name, setError]);

  const onSubmit = () => {
    if (!form) return;
    const checks: [boolean, string, string][] = [
      [form.rotate, form.rotateAfter, L.policyRotateAfter],
      [form.notify, form.notifyBefore, L.policyNotifyBefore],
      [form.expiryTime.trim() !== '', form.expiryTime, L.policyExpiryTime],
    ];
    for (const [used, value, field] of checks) if (used && !DURATION.test(value.trim())) return setError(L.durationError(field));
    const lifetimeActions: ChannelInput<'keys:updateRotationPolicy'>['lifetimeActions'] = [];
    if (form.rotate) lifetimeActions.push({ trigger: { [form.rotateTrigger]: form.rotateAfter.trim() }, action: { type: 'Rotate' } });
    if (form.notify) lifetimeActions.push({ trigger: { timeBeforeExpiry: form.notifyBefore.trim() }, action: { type: 'Notify' } });
    void run(async () => {
      const r = await call('keys:updateRotationPolicy', { name, lifetimeActions, ...(form.expiryTime.trim() === '' ? {} : { expiryTime: form.expiryTime.trim() }) });
      return r.ok ? null : r;
    });
  };

  return (
    <FormDialog title={L.rotationPolicyDialog(name)} onClose={onClose} onSubmit={onSubmit} error={error} busy={busy || form === null}>
      {form === null ? (
        <p className="muted">{L.loading}</p>
      ) : (
        <>
          <p className="hint">{L.policyExplain}</p>
          <Checkbox label={L.policyRotateEnabled} checked={form.rotate} onChange={(rotate) => setForm({ ...form, rotate })} />
          {form.rotate ? (
            <div className="indent">
              <div className="field">
                <label htmlFor={triggerId}>{L.policyRotateWhen}</label>
                <select id={triggerId} value={form.rotateTrigger} onChange={(e) => setForm({ ...form, rotateTrigger: e.target.value as PolicyForm['rotateTrigger'] })}>
                  <option value="timeAfterCreate">{L.policyAfterCreate}</option>
                  <option value="timeBeforeExpiry">{L.policyBeforeExpiry}</option>
                </select>
              </div>
              <Field label={L.policyRotateAfter} value={form.rotateAfter} onChange={(rotateAfter) => setForm({ ...form, rotateAfter })} />
            </div>
          ) : null}
          <Checkbox label={L.policyNotifyEnabled} checked={form.notify} onChange={(notify) => setForm({ ...form, notify })} />
          {form.notify ? (
            <div className="indent">
              <Field label={L.policyNotifyBefore} value={form.notifyBefore} onChange={(notifyBefore) => setForm({ ...form, notifyBefore })} />
            </div>
          ) : null}
          <Field label={L.policyExpiryTime} value={form.expiryTime} onChange={(expiryTime) => setForm({ ...form, expiryTime })} />
        </>
      )}
    </FormDialog>
  );
}
