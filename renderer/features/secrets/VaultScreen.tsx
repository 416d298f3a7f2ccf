/** The unlocked vault: header (path, New secret, Lock), tabs Secrets / Deleted, list + detail. */
import { useEffect, useId, useRef, useState, type KeyboardEvent } from 'react';
import { L } from '../../app/labels.js';
import { subscribeMainEvents } from '../../lib/api.js';
import { ErrorAlert } from '../../lib/Dialog.js';
import { SettingsDialog } from '../settings/SettingsDialog.js';
import { LackingBanner } from '../vault/LackingBanner.js';
import { SecurityDialog } from '../vault/SecurityDialog.js';
import { useSession } from '../vault/store.js';
import { useAutoLock } from '../vault/useAutoLock.js';
import { DeletedView } from './DeletedView.js';
import { NewSecretDialog } from './dialogs.js';
import { SecretDetail } from './SecretDetail.js';
import { SecretList } from './SecretList.js';
import type { SortKey } from './status.js';
import { useSecrets, type View } from './store.js';

export function VaultScreen() {
  useAutoLock();
  const path = useSession((s) => s.path);
  const lock = useSession((s) => s.lock);
  const { view, error, status, query, sort } = useSecrets();
  const { setView, setQuery, setSort, loadList, select } = useSecrets.getState();
  const [newOpen, setNewOpen] = useState(false);
  const [settingsOpen, setSettingsOpen] = useState(false);
  const [securityOpen, setSecurityOpen] = useState(false);
  const notice = useSession((s) => s.notice);
  const dismissNotice = useSession((s) => s.dismissNotice);
  const searchId = useId();
  const sortId = useId();
  const tabsId = useId();
  const tabRefs = useRef<Record<View, HTMLButtonElement | null>>({ secrets: null, deleted: null });
  const searchRef = useRef<HTMLInputElement>(null);

  useEffect(() => {
    void loadList();
  }, [loadList]);

  // The app menu's New secret (Ctrl/Cmd+N) and Find (Ctrl/Cmd+F), sent by main.
  useEffect(
    () =>
      subscribeMainEvents((e) => {
        if (e.type !== 'command') return;
        if (e.command === 'newSecret') setNewOpen(true);
        else if (e.command === 'find') {
          setView('secrets');
          // After the Secrets tab has rendered its search box.
          requestAnimationFrame(() => searchRef.current?.focus());
        }
      }),
    [setView],
  );

  const onTabKey = (e: KeyboardEvent<HTMLDivElement>) => {
    if (e.key !== 'ArrowLeft' && e.key !== 'ArrowRight' && e.key !== 'Home' && e.key !== 'End') return;
    e.preventDefault();
    const next: View = e.key === 'Home' ? 'secrets' : e.key === 'End' ? 'deleted' : view === 'secrets' ? 'deleted' : 'secrets';
    setView(next);
    tabRefs.current[next]?.focus();
  };

  const tab = (v: View, label: string) => (
    <button
      ref={(el) => {
        tabRefs.current[v] = el;
      }}
      type="button"
      role="tab"
      id={`${tabsId}-${v}`}
      aria-selected={view === v}
      aria-controls={`${tabsId}-panel`}
      tabIndex={view === v ? 0 : -1}
      onClick={() => setView(v)}
    >
      {label}
    </button>
  );

  return (
    <div className="vault">
      <header className="topbar">
        <h1>{L.appTitle}</h1>
        <span className="path" title={path ?? ''}>
          {path}
        </span>
        <div className="actions">
          <button type="button" className="primary" onClick={() => setNewOpen(true)} aria-keyshortcuts="Control+N Meta+N">
            {L.newSecretButton}
          </button>
          <button type="button" onClick={() => setSettingsOpen(true)}>
            {L.settingsButton}
          </button>
          <button type="button" onClick={() => setSecurityOpen(true)}>
            {L.securityButton}
          </button>
          <button type="button" onClick={() => void lock()} aria-keyshortcuts="Control+L Meta+L">
            {L.lockButton}
          </button>
        </div>
      </header>
      <main className="vault-main">
      <LackingBanner />
      {notice ? (
        <div className="notice" role="alert">
          <span>{notice}</span>
          <button type="button" className="link" onClick={dismissNotice}>
            {L.closeButton}
          </button>
        </div>
      ) : null}
      <ErrorAlert message={error} />
      <p role="status" className="status">
        {status ?? ''}
      </p>
      <div className="tabs" role="tablist" aria-label={L.viewTabs} onKeyDown={onTabKey}>
        {tab('secrets', L.secretsTab)}
        {tab('deleted', L.deletedTab)}
      </div>
      <div id={`${tabsId}-panel`} role="tabpanel" aria-labelledby={`${tabsId}-${view}`} className="panel">
        {view === 'secrets' ? (
          <div className="split">
            <div className="list-pane">
              <div className="toolbar">
                <label htmlFor={searchId} className="visually-hidden">
                  {L.search}
                </label>
                <input ref={searchRef} id={searchId} type="search" placeholder={L.search} value={query} onChange={(e) => setQuery(e.target.value)} spellCheck={false} autoComplete="off" />
                <label htmlFor={sortId}>{L.sortBy}</label>
                <select id={sortId} value={sort} onChange={(e) => setSort(e.target.value as SortKey)}>
                  <option value="name">{L.sortName}</option>
                  <option value="updated">{L.sortUpdated}</option>
                  <option value="expires">{L.sortExpires}</option>
                </select>
              </div>
              <SecretList />
            </div>
            <SecretDetail />
          </div>
        ) : (
          <DeletedView />
        )}
      </div>
      </main>
      {newOpen ? (
        <NewSecretDialog
          onClose={() => setNewOpen(false)}
          onCreated={(name) => {
            setView('secrets');
            void select(name);
          }}
        />
      ) : null}
      {settingsOpen ? <SettingsDialog onClose={() => setSettingsOpen(false)} /> : null}
      {securityOpen ? <SecurityDialog onClose={() => setSecurityOpen(false)} /> : null}
    </div>
  );
}
