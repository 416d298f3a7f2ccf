/**
 * The Members view of a team vault: every member with their name, short id,
 * fingerprint, roles (at vault scope, and on single objects), and who added
 * them when. A member with the Key Vault Administrator role adds members by
 * invite, changes roles and removes members (dialogs.tsx); anyone else sees
 * the list and why those controls are not offered (the engine would refuse
 * them: only the Administrator role manages members). Where seniority (the
 * engine's `notRemovable`) rules out removing a member, the row says why.
 * Above the list, the objects a former reader can still decrypt the current
 * value of, each one click from its new version, until it has one.
 */
import { useEffect, useRef, useState } from 'react';
import type { MemberView, RemovedMember } from '../../../shared/contract.js';
import type { RoleName } from '../../../shared/keyvault.js';
import { L } from '../../app/labels.js';
import { KindScreen } from '../../lib/objects/KindScreen.js';
import { formatDate } from '../../lib/format.js';
import { useSession } from '../vault/store.js';
import { AddMemberDialog, ExposedList, ExposureReportDialog, Fingerprint, GrantDialog, RemoveMemberDialog, RolesDialog } from './dialogs.js';
import { useMembers } from './store.js';

/** The role that manages members (the engine's `members/manage`). */
export const ADMIN_ROLE: RoleName = 'Key Vault Administrator';

type Open = { type: 'add' } | { type: 'roles'; member: MemberView } | { type: 'grant'; member: MemberView } | { type: 'remove'; member: MemberView } | { type: 'removed'; report: RemovedMember } | null;

export function MembersScreen() {
  const members = useMembers((s) => s.members);
  const needsRotation = useMembers((s) => s.needsRotation);
  const error = useMembers((s) => s.error);
  const status = useMembers((s) => s.status);
  const myRoles = useSession((s) => s.vault?.roles ?? []);
  const myId = useSession((s) => s.vault?.memberId);
  const isAdmin = myRoles.includes(ADMIN_ROLE);
  const [open, setOpen] = useState<Open>(null);
  const addRef = useRef<HTMLButtonElement>(null);
  /** The removed member's row (whose Remove button had the focus) is gone: the focus goes to Add member. */
  const closeReport = () => {
    setOpen(null);
    requestAnimationFrame(() => {
      if (document.activeElement === document.body || document.activeElement === null) addRef.current?.focus();
    });
  };

  const endGrant = (m: MemberView, object: string) => useMembers.getState().revokeGrant(m, object);

  useEffect(() => {
    useMembers.setState({ error: null, status: null });
    void useMembers.getState().load();
  }, []);

  return (
    <KindScreen
      title={L.membersTitle}
      error={error}
      status={status}
      actions={
        isAdmin ? (
          <button ref={addRef} type="button" className="primary" onClick={() => setOpen({ type: 'add' })}>
            {L.addMemberButton}
          </button>
        ) : null
      }
    >
      <div className="members">
        <p className="hint">{L.membersExplain}</p>
        {isAdmin ? null : <p className="note">{L.membersNotAdmin(myRoles)}</p>}
        {needsRotation.length > 0 ? (
          <section aria-labelledby="needs-rotation" className="note">
            <h3 id="needs-rotation">{L.needsRotationTitle}</h3>
            <p>{L.needsRotationExplain(needsRotation.length)}</p>
            <ExposedList exposed={needsRotation} label={L.needsRotationTitle} />
          </section>
        ) : null}
        {members === null ? (
          <p className="muted">{L.loading}</p>
        ) : (
          <div className="table-wrap">
            <table aria-label={L.membersTable}>
              <thead>
                <tr>
                  <th scope="col">{L.colMemberName}</th>
                  <th scope="col">{L.colMemberId}</th>
                  <th scope="col">{L.colMemberFingerprint}</th>
                  <th scope="col">{L.colMemberRoles}</th>
                  <th scope="col">{L.colMemberAdded}</th>
                  {isAdmin ? <th scope="col">{L.colActions}</th> : null}
                </tr>
              </thead>
              <tbody>
                {members.map((m) => (
                  <tr key={m.signPub}>
                    <th scope="row" className="break">
                      {m.name}
                    </th>
                    <td>
                      <code>{m.id}</code>
                      {/* Beside the id, not in the row header, whose text names the row. */}
                      {m.id === myId ? (
                        <>
                          {' '}
                          <span className="chip">{L.memberYou}</span>
                        </>
                      ) : null}
                    </td>
                    <td>
                      <Fingerprint value={m.fingerprint} />
                    </td>
                    <td>
                      <ul className="plain">
                        {m.roles.map((r) => (
                          <li key={r}>{r}</li>
                        ))}
                        {m.grants.map((g) => (
                          <li key={`${g.object} ${g.role}`}>
                            {L.memberGrant(g.role, g.object)}
                            {isAdmin ? (
                              <>
                                {' '}
                                <button type="button" className="link" aria-label={L.endGrantOf(m.name, g.role, g.object)} onClick={() => void endGrant(m, g.object)}>
                                  {L.endGrantButton}
                                </button>
                              </>
                            ) : null}
                          </li>
                        ))}
                      </ul>
                    </td>
                    <td>{m.added ? L.memberAddedBy(m.added.by, formatDate(m.added.time)) : ''}</td>
                    {isAdmin ? (
                      <td>
                        <div className="row-actions">
                          {/* One's own roles may change (the creator steps down); a senior Administrator's may not (C5). */}
                          {m.notRemovable && m.id !== myId ? null : (
                            <button type="button" aria-label={L.changeRolesOf(m.name, m.id)} onClick={() => setOpen({ type: 'roles', member: m })}>
                              {L.changeRolesButton}
                            </button>
                          )}
                          {m.id === myId ? null : (
                            <button type="button" aria-label={L.grantOf(m.name, m.id)} onClick={() => setOpen({ type: 'grant', member: m })}>
                              {L.grantButton}
                            </button>
                          )}
                          {m.notRemovable ? (
                            <span className="muted">{m.notRemovable}</span>
                          ) : (
                            <button type="button" aria-label={L.removeMemberOf(m.name, m.id)} onClick={() => setOpen({ type: 'remove', member: m })}>
                              {L.removeMemberButton}
                            </button>
                          )}
                        </div>
                      </td>
                    ) : null}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </div>
      {open?.type === 'add' ? <AddMemberDialog onClose={() => setOpen(null)} /> : null}
      {open?.type === 'roles' ? <RolesDialog member={open.member} onClose={() => setOpen(null)} /> : null}
      {open?.type === 'grant' ? <GrantDialog member={open.member} onClose={() => setOpen(null)} /> : null}
      {open?.type === 'remove' ? (
        <RemoveMemberDialog member={open.member} onClose={() => setOpen(null)} onRemoved={(report) => setOpen({ type: 'removed', report })} />
      ) : null}
      {open?.type === 'removed' ? <ExposureReportDialog report={open.report} onClose={closeReport} /> : null}
    </KindScreen>
  );
}
