/**
 * The unlocked vault: the top bar (the vault's path, Settings, Security,
 * My identity, Lock), the navigation between object kinds (app/kinds.tsx) and the
 * vault's own views (app/views.tsx: Members), the banners
 * every kind shares (a copy missing changes, a sync service's conflicted
 * copies, notices) and the chosen kind's
 * screen. Main's events land here: the menu's commands go to the kind they
 * are for, keys rotated on schedule and changes by other writers become a
 * notice (and the latter reload what every screen shows), and a DNS record an
 * ACME order waits for shows as a dialog over any screen.
 */
import { IdCard, Lock, Settings, ShieldCheck } from 'lucide-react';
import { useEffect, useState } from 'react';
import { subscribeMainEvents } from '../lib/api.js';
import { reloadAllStores } from '../lib/reload.js';
import { changedNotice } from '../features/history/describe.js';
import { DnsChallengeHost } from '../features/certificates/DnsChallengeDialog.js';
import { ConflictedCopiesBanner } from '../features/conflicts/ConflictedCopiesBanner.js';
import { IdentityDialog } from '../features/identity/IdentityDialog.js';
import { useIdentity } from '../features/identity/store.js';
import { SettingsDialog } from '../features/settings/SettingsDialog.js';
import { LackingBanner } from '../features/vault/LackingBanner.js';
import { RemovedBanner } from '../features/vault/RemovedBanner.js';
import { SecurityDialog } from '../features/vault/SecurityDialog.js';
import { useSession } from '../features/vault/store.js';
import { useAutoLock } from '../features/vault/useAutoLock.js';
import { KINDS } from './kinds.js';
import { L } from './labels.js';
import { useShell } from './shell.js';
import { VIEWS } from './views.js';

export function VaultShell() {
  useAutoLock();
  const path = useSession((s) => s.path);
  const openedAs = useSession((s) => (s.vault?.unlockedWith === 'identity' ? s.vault.memberId : null));
  const myIdentity = useIdentity((s) => s.identity);
  const lock = useSession((s) => s.lock);
  const notice = useSession((s) => s.notice);
  const dismissNotice = useSession((s) => s.dismissNotice);
  const kind = useShell((s) => s.kind);
  const view = useShell((s) => s.view);
  const go = useShell((s) => s.go);
  const show = useShell((s) => s.show);
  const [settingsOpen, setSettingsOpen] = useState(false);
  const [securityOpen, setSecurityOpen] = useState(false);
  const [identityOpen, setIdentityOpen] = useState(false);

  // Opened as a member: the top bar names them (the profile's identity has the name; the vault's id is the member id).
  useEffect(() => {
    if (openedAs !== null && useIdentity.getState().identity === undefined) void useIdentity.getState().load();
  }, [openedAs]);

  useEffect(
    () =>
      subscribeMainEvents((e) => {
        if (e.type === 'command') {
          // The menu's New secret is for secrets; Find searches the kind in view (from Members, the last kind shown).
          if (e.command === 'newSecret') useShell.getState().ask('secrets', 'new');
          else useShell.getState().ask(useShell.getState().kind, 'find');
        } else if (e.type === 'keysRotated') {
          useSession.setState({ notice: L.keysRotatedNotice(e.rotated, e.failed) });
        } else if (e.type === 'certificatesRenewed') {
          useSession.setState({ notice: L.certificatesRenewedNotice(e.renewed, e.expiring, e.failed, e.contacts) });
        } else if (e.type === 'vaultChanged') {
          // Another writer changed the vault while it is open (main took the commits in): say who and what, show it.
          useSession.setState({ notice: changedNotice(e.commits, e.count) });
          void reloadAllStores();
        }
      }),
    [],
  );

  const current = (view === null ? undefined : VIEWS.find((v) => v.id === view)) ?? KINDS.find((k) => k.id === kind) ?? KINDS[0]!;
  return (
    <div className="vault">
      <header className="topbar">
        <h1>{L.appTitle}</h1>
        <span className="path" title={path ?? ''}>
          {path}
        </span>
        {openedAs === null ? null : <span className="chip">{L.openedAs(myIdentity?.id === openedAs ? myIdentity.name : null, openedAs)}</span>}
        <div className="actions">
          <button type="button" onClick={() => setSettingsOpen(true)}>
            <Settings aria-hidden="true" className="icon" />
            {L.settingsButton}
          </button>
          <button type="button" onClick={() => setSecurityOpen(true)}>
            <ShieldCheck aria-hidden="true" className="icon" />
            {L.securityButton}
          </button>
          <button type="button" onClick={() => setIdentityOpen(true)}>
            <IdCard aria-hidden="true" className="icon" />
            {L.myIdentityButton}
          </button>
          <button type="button" onClick={() => void lock()} aria-keyshortcuts="Control+L Meta+L">
            <Lock aria-hidden="true" className="icon" />
            {L.lockButton}
          </button>
        </div>
      </header>
      <div className="shell-body">
        <nav className="kinds-nav" aria-label={L.kindsNav}>
          <ul>
            {KINDS.map(({ id, label, Icon }) => (
              <li key={id}>
                <button type="button" aria-current={view === null && id === kind ? 'page' : undefined} onClick={() => go(id)}>
                  <Icon aria-hidden="true" className="icon" />
                  {label}
                </button>
              </li>
            ))}
          </ul>
          <ul aria-label={L.viewsNav} className="views-nav">
            {VIEWS.map(({ id, label, Icon }) => (
              <li key={id}>
                <button type="button" aria-current={id === view ? 'page' : undefined} onClick={() => show(id)}>
                  <Icon aria-hidden="true" className="icon" />
                  {label}
                </button>
              </li>
            ))}
          </ul>
        </nav>
        <main className="vault-main">
          <RemovedBanner />
          <LackingBanner />
          <ConflictedCopiesBanner />
          {notice ? (
            <div className="notice" role="alert">
              <span>{notice}</span>
              <button type="button" className="link" onClick={dismissNotice}>
                {L.closeButton}
              </button>
            </div>
          ) : null}
          <current.Screen />
        </main>
      </div>
      {settingsOpen ? <SettingsDialog onClose={() => setSettingsOpen(false)} /> : null}
      {securityOpen ? <SecurityDialog onClose={() => setSecurityOpen(false)} /> : null}
      {identityOpen ? <IdentityDialog onClose={() => setIdentityOpen(false)} /> : null}
      <DnsChallengeHost />
    </div>
  );
}
