/**
 * Locks the vault after `settings:get`'s autoLockMinutes without user
 * activity (pointer, keys, wheel, touch, focus). Activity only records a
 * time; one timer checks it when it could have run out, so a moving mouse
 * costs nothing. Also Ctrl/Cmd+L locks at once.
 */
import { useEffect } from 'react';
import { call } from '../../lib/api.js';
import { useClock } from '../../lib/clock.js';
import { useSession } from './store.js';

/** shared/contract.ts DEFAULT_AUTO_LOCK_MINUTES (not imported: that module brings zod into the bundle). */
const DEFAULT_AUTO_LOCK_MINUTES = 5;

const ACTIVITY = ['pointerdown', 'pointermove', 'mousedown', 'mousemove', 'keydown', 'wheel', 'touchstart', 'focusin'] as const;

export function useAutoLock(): void {
  const clock = useClock();
  const lock = useSession((s) => s.lock);

  useEffect(() => {
    let cancelled = false;
    let limitMs = DEFAULT_AUTO_LOCK_MINUTES * 60_000;
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
    void call('settings:get', {}).then((r) => {
      if (cancelled || !r.ok) return;
      limitMs = r.value.autoLockMinutes * 60_000;
      schedule(limitMs - (clock.now() - last));
    });

    return () => {
      cancelled = true;
      if (handle !== null) clock.clearTimeout(handle);
      for (const t of ACTIVITY) window.removeEventListener(t, onActivity, { capture: true });
    };
  }, [clock, lock]);

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
