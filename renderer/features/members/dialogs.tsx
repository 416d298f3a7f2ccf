/**
 * The Members view's dialogs. Add member: the invite pasted, read and
 * verified by main (members:readInvite), its sender's name and fingerprint
 * shown large, in groups, to compare out of band; the person confirms they
 * did, chooses roles, and main reads the invite again to add it (the page
 * never hands main keys). Change roles; remove, then the exposure report:
 * the secrets the member could read, each to be given a new value (its
 * detail is one click away).
 */
import { Fragment, useId, useState } from 'react';
import { LIMITS, type InvitePreview, type MemberView, type RemovedMember } from '../../../shared/contract.js';
import type { ExposedObject } from '../../../shared/vault-types.js';
import { OBJECT_SCOPE_ROLES, ROLE_NAMES, type RoleName } from '../../../shared/keyvault.js';
import { L } from '../../app/labels.js';
import { useShell, type KindId } from '../../app/shell.js';
import { call } from '../../lib/api.js';
import { Dialog, FormDialog, useSubmit } from '../../lib/Dialog.js';
import { Checkbox, Field, Select } from '../../lib/Field.js';
import { useCertificates } from '../certificates/store.js';
import { useKeys } from '../keys/store.js';
import { useSecrets } from '../secrets/store.js';
import { useMembers } from './store.js';

/** A fingerprint in its groups of four, spaced for reading aloud (`large` in the add dialog). */
export function Fingerprint({ value, large = false }: { value: string; large?: boolean }) {
  const groups = value.split('-');
  return (
    <code className={large ? 'fingerprint large' : 'fingerprint'}>
      {groups.map((g, i) => (
        <Fragment key={i}>
          {i > 0 ? ' ' : ''}
          <span className="fp-group">{g}</span>
        </Fragment>
      ))}
    </code>
  );
}

/** One checkbox per Key Vault built-in role (the engine's list, shared/keyvault.ts). */
function RoleChoices({ roles, onChange }: { roles: readonly RoleName[]; onChange: (roles: RoleName[]) => void }) {
  return (
    <fieldset className="field roles">
      <legend>{L.rolesLegend}</legend>
      {ROLE_NAMES.map((r) => (
        <Checkbox
          key={r}
          label={r}
          checked={roles.includes(r)}
          onChange={(on) => onChange(on ? ROLE_NAMES.filter((x) => x === r || roles.includes(x)) : roles.filter((x) => x !== r))}
        />
      ))}
    </fieldset>
  );
}

export function AddMemberDialog({ onClose }: { onClose: () => void }) {
  const add = useMembers((s) => s.add);
  const [invite, setInvite] = useState('');
  const [preview, setPreview] = useState<InvitePreview | null>(null);
  const [compared, setCompared] = useState(false);
  const [roles, setRoles] = useState<RoleName[]>([]);
  const { error, setError, busy: adding, run } = useSubmit(onClose);
  const [reading, setReading] = useState(false);
  const busy = adding || reading;
  const inviteId = useId();
  const explainId = useId();

  const edit = (text: string) => {
    setInvite(text);
    // A different invite is a different person: read and compare again.
    if (preview !== null) {
      setPreview(null);
      setCompared(false);
      setError(L.inviteChanged);
    }
  };

  /** Main reads and verifies the invite; its error (altered, truncated, not an invite) shows here. */
  const read = async () => {
    setReading(true);
    setError(null);
    const r = await call('members:readInvite', { invite });
    setReading(false);
    if (r.ok) setPreview(r.value);
    else setError(r.message);
  };

  const submit = () => {
    if (preview === null) {
      void read();
      return;
    }
    if (!compared) return setError(L.confirmComparedRequired);
    if (roles.length === 0) return setError(L.rolesRequired);
    void run(() => add(invite, roles));
  };

  return (
    <FormDialog
      title={L.addMemberDialog}
      onClose={onClose}
      onSubmit={submit}
      error={error}
      busy={busy}
      confirm={preview === null ? L.readInviteButton : L.addMemberConfirm}
    >
        <div className="field">
          <label htmlFor={inviteId}>{L.fieldInvite}</label>
          <textarea
            id={inviteId}
            value={invite}
            rows={4}
            maxLength={LIMITS.inviteLength}
            onChange={(e) => edit(e.target.value)}
            aria-describedby={explainId}
            spellCheck={false}
            autoComplete="off"
            className="invite"
          />
          <span id={explainId} className="hint">
            {L.addMemberExplain}
          </span>
        </div>
        {preview === null ? null : (
          <section aria-label={L.inviteFrom(preview.name)} className="invite-preview">
            <h3 className="break">{L.inviteFrom(preview.name)}</h3>
            <p className="muted">{L.inviteMemberId(preview.id)}</p>
            <p>{L.inviteFingerprint}:</p>
            <p>
              <Fingerprint value={preview.fingerprint} large />
            </p>
            <p className="hint">{L.inviteCompareExplain}</p>
            <Checkbox label={L.confirmCompared(preview.name)} checked={compared} onChange={setCompared} />
            <RoleChoices roles={roles} onChange={setRoles} />
          </section>
        )}
    </FormDialog>
  );
}

export function RolesDialog({ member, onClose }: { member: MemberView; onClose: () => void }) {
  const setMemberRoles = useMembers((s) => s.setRoles);
  const [roles, setRoles] = useState<RoleName[]>(member.roles);
  const { error, setError, busy, run } = useSubmit(onClose);
  const submit = () => {
    if (roles.length === 0) return setError(L.rolesRequired);
    void run(() => setMemberRoles(member, roles));
  };
  return (
    <FormDialog title={L.changeRolesDialog(member.name)} onClose={onClose} onSubmit={submit} error={error} busy={busy}>
      <p className="muted">
        {L.inviteMemberId(member.id)} · <Fingerprint value={member.fingerprint} />
      </p>
      <RoleChoices roles={roles} onChange={setRoles} />
    </FormDialog>
  );
}

/** The object's kind from what is typed (`keys/signing` → keys), to offer that kind's roles. */
const kindTyped = (object: string): keyof typeof OBJECT_SCOPE_ROLES => {
  const k = object.trim().split('/')[0];
  return k === 'keys' || k === 'certificates' ? k : 'secrets';
};

/** A reading role on one object (Key Vault's object scope): the engine checks the object and the role. */
export function GrantDialog({ member, onClose }: { member: MemberView; onClose: () => void }) {
  const grant = useMembers((s) => s.grant);
  const [object, setObject] = useState('secrets/');
  const offered: readonly RoleName[] = OBJECT_SCOPE_ROLES[kindTyped(object)];
  const [role, setRole] = useState<RoleName>(offered[0]!);
  const chosen = offered.includes(role) ? role : offered[0]!;
  const { error, busy, run } = useSubmit(onClose);
  return (
    <FormDialog
      title={L.grantDialog(member.name)}
      onClose={onClose}
      onSubmit={() => void run(() => grant(member, object.trim(), chosen))}
      error={error}
      busy={busy}
    >
      <p className="hint">{L.grantExplain}</p>
      <Field label={L.fieldGrantObject} value={object} onChange={setObject} required />
      <Select label={L.fieldGrantRole} value={chosen} options={offered.map((r) => ({ value: r, label: r }))} onChange={(v) => setRole(v as RoleName)} />
    </FormDialog>
  );
}

export function RemoveMemberDialog({ member, onClose, onRemoved }: { member: MemberView; onClose: () => void; onRemoved: (report: RemovedMember) => void }) {
  const remove = useMembers((s) => s.remove);
  // On success this dialog gives way to the exposure report (onRemoved), rather than closing.
  const { error, busy, run } = useSubmit(() => undefined);
  return (
    <FormDialog
      title={L.removeMemberDialog(member.name)}
      onClose={onClose}
      onSubmit={() =>
        void run(async () => {
          const r = await remove(member);
          if (!r.ok) return r;
          onRemoved(r.value);
          return null;
        })
      }
      error={error}
      busy={busy}
      confirm={L.removeConfirm}
    >
      <p className="muted">
        {L.inviteMemberId(member.id)} · <Fingerprint value={member.fingerprint} />
      </p>
      <p>{L.removeMemberExplain(member.name)}</p>
    </FormDialog>
  );
}

/** Where an exposed object gets its new version: the screen of its kind (a certificate's own key or secret: the certificate's). */
function screenOf(e: ExposedObject): KindId | undefined {
  if (e.certificate || e.pendingRequest) return 'certificates';
  return e.kind === 'cas' ? undefined : e.kind;
}

const STORES = { secrets: useSecrets, keys: useKeys, certificates: useCertificates } as const;

/** Opens the object's detail on its screen, where New version, Rotate or Renew writes its new version. */
function openObject(kind: KindId, name: string): void {
  useShell.getState().go(kind);
  const store = STORES[kind].getState();
  store.setView('live');
  void store.select(name);
}

/**
 * Objects a former reader could read, each with the way to its new version (its screen's
 * detail): the removal report, and the Members view's list of what still needs one.
 * `onOpen` runs before the object opens (the report closes itself).
 */
export function ExposedList({ exposed, label, onOpen }: { exposed: readonly ExposedObject[]; label: string; onOpen?: () => void }) {
  return (
    <ul aria-label={label} className="exposure">
      {exposed.map((e) => {
        const screen = screenOf(e);
        return (
          <li key={`${e.kind}/${e.name}/${e.pendingRequest ? 'pending' : ''}`}>
            <span className="break">
              {L.exposedKind(e.kind)} {e.name}
            </span>
            {e.deleted ? (
              <span className="muted"> ({L.exposureDeleted})</span>
            ) : screen ? (
              <>
                {e.certificate || e.pendingRequest ? <span className="muted"> ({e.pendingRequest ? L.exposurePending : L.exposureRenew})</span> : null}{' '}
                <button
                  type="button"
                  onClick={() => {
                    onOpen?.();
                    openObject(screen, e.name);
                  }}
                >
                  {L.openObject(screen, e.name)}
                </button>
              </>
            ) : (
              <span className="muted"> ({L.exposureCa})</span>
            )}
          </li>
        );
      })}
    </ul>
  );
}

export function ExposureReportDialog({ report, onClose }: { report: RemovedMember; onClose: () => void }) {
  const { removed, exposed } = report;
  return (
    <Dialog title={L.removedDialog(removed.name)} onClose={onClose} initialFocus=".actions .primary">
      {exposed.length === 0 ? (
        <p>{L.exposureNone(removed.name)}</p>
      ) : (
        <>
          <p>{L.exposureExplain(removed.name, exposed.length)}</p>
          <ExposedList exposed={exposed} label={L.exposureList} onOpen={onClose} />
        </>
      )}
      <div className="actions">
        <button type="button" className="primary" onClick={onClose}>
          {L.doneButton}
        </button>
      </div>
    </Dialog>
  );
}
