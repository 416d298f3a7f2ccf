/**
 * "Copy" without the value crossing into the renderer (ARCHITECTURE.md: copy
 * is done by main, clipboard write plus timed clear). Issue 3: clear after
 * 30 s (configurable) unless the user copied something else since.
 *
 * To tell "still ours" from "the user copied something else", main keeps a
 * SHA-256 of what it wrote, not the text: the value need not stay in main's
 * memory for the delay (JS strings cannot be wiped). A new copy cancels the
 * pending clear and starts its own; lock clears at once (if still ours).
 *
 * The clipboard and the timers are injected (Electron's `clipboard` module in
 * the app, fakes in tests: ARCHITECTURE.md "Testing without the Electron binary").
 */
import { createHash } from 'node:crypto';

/**
 * The subset of Electron's `clipboard` used. Electron 45 made readText and
 * writeText asynchronous (modelled on the W3C navigator.clipboard API: they
 * return promises); older versions and test fakes answer at once. Both work:
 * a plain value is used synchronously, a promise is awaited.
 */
export interface ClipboardLike {
  writeText(text: string): void | Promise<void>;
  readText(): string | Promise<string>;
  clear(): void;
}

type MaybePromise<T> = T | Promise<T>;

/** Runs `then` on the value now, or when the promise resolves; a rejection goes to `onError`, else rejects the result. */
function whenReady<T>(v: MaybePromise<T>, then: (x: T) => void, onError?: (e: unknown) => void): MaybePromise<void> {
  if (v instanceof Promise) return v.then(then, onError);
  then(v);
}

export interface TimersLike {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const realTimers: TimersLike = {
  // Arrow functions: vitest's fake timers replace the globals, so look them up at call time.
  setTimeout: (fn, ms) => {
    const t = setTimeout(fn, ms);
    // Never keep main alive just to clear the clipboard (the app clears on quit).
    (t as { unref?: () => void }).unref?.();
    return t;
  },
  clearTimeout: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
};

const digest = (text: string): string => createHash('sha256').update(text, 'utf8').digest('hex');

export class ClipboardService {
  private pending: { handle: unknown; digest: string } | undefined;

  constructor(
    private readonly clipboard: ClipboardLike,
    private readonly timers: TimersLike = realTimers,
  ) {}

  /**
   * Writes `text` and schedules its clearing after `seconds`. Resolves (or
   * returns at once, for a synchronous clipboard) when the text is written;
   * a failed write schedules nothing and rejects.
   */
  copy(text: string, seconds: number): MaybePromise<void> {
    this.cancel();
    const d = digest(text);
    return whenReady(
      this.clipboard.writeText(text),
      () => {
        const handle = this.timers.setTimeout(() => {
          if (this.pending?.handle === handle) this.pending = undefined;
          void this.clearIfOurs(d);
        }, seconds * 1000);
        this.pending = { handle, digest: d };
      },
    );
  }

  /**
   * Clears now if the clipboard still holds the last copied value (on lock,
   * on quit). Settles when the check is done (at once for a synchronous
   * clipboard), so quitting can wait for it.
   */
  clearNow(): MaybePromise<void> {
    const p = this.pending;
    this.cancel();
    if (p) return this.clearIfOurs(p.digest);
  }

  /** Whether a clear is scheduled. */
  get scheduled(): boolean {
    return this.pending !== undefined;
  }

  private cancel(): void {
    if (this.pending) this.timers.clearTimeout(this.pending.handle);
    this.pending = undefined;
  }

  private clearIfOurs(d: string): MaybePromise<void> {
    let current: MaybePromise<string>;
    try {
      current = this.clipboard.readText();
    } catch {
      return;
    }
    return whenReady(
      current,
      (text) => {
        if (digest(text) === d) this.clipboard.clear();
      },
      // Unreadable clipboard: leave it; there is nothing safe to compare.
      () => undefined,
    );
  }
}
