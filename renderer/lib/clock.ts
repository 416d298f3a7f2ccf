/** Time as the renderer sees it, injectable so tests drive idle timers and "expires soon" by hand. */
import { createContext, useContext } from 'react';

export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const realClock: Clock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => globalThis.setTimeout(fn, ms),
  clearTimeout: (h) => globalThis.clearTimeout(h as ReturnType<typeof globalThis.setTimeout>),
};

export const ClockContext = createContext<Clock>(realClock);
export const useClock = (): Clock => useContext(ClockContext);
