/**
 * A kind's two views as WAI-ARIA tabs: its live objects and the deleted
 * ones. Arrow keys, Home and End move between the tabs (the tabs pattern's
 * automatic activation).
 */
import { useId, useRef, type KeyboardEvent, type ReactNode } from 'react';
import { L } from '../../app/labels.js';
import type { ObjectsView } from './store.js';

export function KindTabs({ view, setView, liveLabel, children }: { view: ObjectsView; setView: (v: ObjectsView) => void; liveLabel: string; children: ReactNode }) {
  const tabsId = useId();
  const tabRefs = useRef<Record<ObjectsView, HTMLButtonElement | null>>({ live: null, deleted: null });

  const onTabKey = (e: KeyboardEvent<HTMLDivElement>) => {
    if (e.key !== 'ArrowLeft' && e.key !== 'ArrowRight' && e.key !== 'Home' && e.key !== 'End') return;
    e.preventDefault();
    const next: ObjectsView = e.key === 'Home' ? 'live' : e.key === 'End' ? 'deleted' : view === 'live' ? 'deleted' : 'live';
    setView(next);
    tabRefs.current[next]?.focus();
  };

  const tab = (v: ObjectsView, label: string) => (
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
    <>
      <div className="tabs" role="tablist" aria-label={L.viewTabs} onKeyDown={onTabKey}>
        {tab('live', liveLabel)}
        {tab('deleted', L.deletedTab)}
      </div>
      <div id={`${tabsId}-panel`} role="tabpanel" aria-labelledby={`${tabsId}-${view}`} className="panel">
        {children}
      </div>
    </>
  );
}
