/**
 * Locks the vault after the settings' autoLockMinutes (features/settings) without user
 * activity (pointer, keys, wheel, touch, focus). Activity only records a
 * time; one timer checks it when it could have run out, so a moving mouse
 * costs nothing. Also Ctrl/Cmd+L locks at once.
 */
import { useEffect } from 'react';
import { useClock } from '../../lib/clock.js';
import { useSettings } from '../settings/store.js';
import { useSession } from './store.js';

/** shared/contract.ts DEFAULT_AUTO_LOCK_MINUTES (not imported: that module brings zod into the bundle). */
const DEFAULT_AUTO_LOCK_MINUTES = 5;

const ACTIVITY = ['pointerdown', 'pointermove', 'mousedown', 'mousemove', 'keydown', 'wheel', 'touchstart', 'focusin'] as const;

export function useAutoLock(): void {
  const clock = useClock();
  const lock = useSession((s) => s.lock);
  const minutes = useSettings((s) => s.settings?.autoLockMinutes);

  useEffect(() => {
    if (minutes === undefined) void useSettings.getState().load();
  }, [minutes]);

  useEffect(() => {
    let cancelled = false;
    const limitMs = (minutes ?? DEFAULT_AUTO_LOCK_MINUTES) * 60_000;
    let last = clock.now();
    let handle: unknown = null;

    const schedule = (ms: number) => {
      if (handle !== null) clock.clearTimeout(handle);
      handle = clock.setTimeout(check, Math.max(ms, 0));
    };
    function check() {
      handle = null;
      if (cancelled) return;
      const idle = clock.now() - last;
      if (idle >= limitMs) {
        cancelled = true;
        void lock();
      } else schedule(limitMs - idle);
    }
    const onActivity = () => {
      last = clock.now();
    };

    for (const t of ACTIVITY) window.addEventListener(t, onActivity, { passive: true, capture: true });
    schedule(limitMs);

    return () => {
      cancelled = true;
      if (handle !== null) clock.clearTimeout(handle);
      for (const t of ACTIVITY) window.removeEventListener(t, onActivity, { capture: true });
    };
  }, [clock, lock, minutes]);

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if ((e.ctrlKey || e.metaKey) && !e.altKey && !e.shiftKey && e.key.toLowerCase() === 'l') {
        e.preventDefault();
        void lock();
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [lock]);
}
