/// <reference lib="dom" />
/**
 * Shared set-up for the renderer tests: the fake API, jsdom sizes for the
 * virtualized list (jsdom lays nothing out, so every element is 0×0), a
 * manual clock, and store resets between tests.
 */
import { cleanup, fireEvent, render, type RenderResult } from '@testing-library/react';
import { createElement } from 'react';
import { afterEach } from 'vitest';
import { App } from '../../../renderer/app/App.js';
import { useSession } from '../../../renderer/features/vault/store.js';
import type { Clock } from '../../../renderer/lib/clock.js';
import { resetAllStores } from '../../../renderer/lib/reset.js';
import { createFakeCoffer, installFake, type FakeCoffer } from './fake-api.js';

// The list's scroll box reports a 600 px tall, 400 px wide viewport.
Object.defineProperty(HTMLElement.prototype, 'offsetHeight', { configurable: true, get: () => 600 });
Object.defineProperty(HTMLElement.prototype, 'offsetWidth', { configurable: true, get: () => 400 });
Object.defineProperty(HTMLElement.prototype, 'clientHeight', { configurable: true, get: () => 600 });
if (!HTMLElement.prototype.scrollTo) HTMLElement.prototype.scrollTo = function scrollTo() {};

/** The tests' "now" (Unix seconds) and a day, for seeded vaults. */
export const NOW = Date.UTC(2026, 10, 25, 12) / 1000;
export const DAY = 86400;

/** Types `value` into a field as a change event (jsdom has no keyboard). */
export const type = (el: HTMLElement, value: string): boolean => fireEvent.change(el, { target: { value } });

export interface ManualClock extends Clock {
  advance(ms: number): void;
}

export function manualClock(start = Date.UTC(2026, 10, 25, 12)): ManualClock {
  let now = start;
  let next = 1;
  const timers = new Map<number, { at: number; fn: () => void }>();
  return {
    now: () => now,
    setTimeout(fn, ms) {
      const id = next++;
      timers.set(id, { at: now + ms, fn });
      return id;
    },
    clearTimeout(h) {
      timers.delete(h as number);
    },
    advance(ms) {
      const end = now + ms;
      for (;;) {
        let due: [number, { at: number; fn: () => void }] | undefined;
        for (const e of timers) if (e[1].at <= end && (!due || e[1].at < due[1].at)) due = e;
        if (!due) break;
        timers.delete(due[0]);
        now = Math.max(now, due[1].at);
        due[1].fn();
      }
      now = end;
    },
  };
}

export function renderApp(fake: FakeCoffer = createFakeCoffer(), clock?: Clock): RenderResult & { fake: FakeCoffer } {
  installFake(fake);
  const r = render(createElement(App, clock ? { clock } : {}));
  return Object.assign(r, { fake });
}

afterEach(() => {
  cleanup();
  resetAllStores();
  useSession.setState({ screen: 'loading', path: null, vault: null, error: null });
});
