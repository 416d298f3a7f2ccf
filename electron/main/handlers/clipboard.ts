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
 * Issue 4: a copied value is marked "do not record" for clipboard history
 * and sync (see concealedPayload), in the same write as the text, so there
 * is never a moment when the value is on the clipboard unmarked. If that
 * write fails the copy fails: there is no unmarked writeText fallback.
 *
 * The clipboard, Electron's ClipboardItem class and the timers are injected
 * (Electron's modules in the app, fakes in tests: ARCHITECTURE.md "Testing
 * without the Electron binary").
 */
import { createHash } from 'node:crypto';

/**
 * A clipboard entry's payloads by format, as Electron 45's `new
 * ClipboardItem(items)` takes them: a string is written UTF-8 encoded, a Blob
 * as its raw bytes (https://www.electronjs.org/docs/latest/api/clipboard-item).
 */
export type ClipboardPayload = Record<string, string | Blob>;

/** The part of Electron's ClipboardItem read here (its formats). */
export interface ClipboardItemLike {
  readonly types: readonly string[];
}

/** Electron's `ClipboardItem` class (main process only), or a fake in tests. */
export type ClipboardItemConstructor<I extends ClipboardItemLike = ClipboardItemLike> = new (payload: ClipboardPayload) => I;

/**
 * The subset of Electron's `clipboard` used. Electron 45 made the clipboard
 * asynchronous (modelled on the W3C navigator.clipboard API: write and
 * readText return promises); test fakes answer at once. Both work: a plain
 * value is used synchronously, a promise is awaited. `write` commits all the
 * items of one call atomically (electron docs/api/clipboard.md, clipboard.write).
 */
export interface ClipboardLike<I extends ClipboardItemLike = ClipboardItemLike> {
  write(items: I[]): void | Promise<void>;
  readText(): string | Promise<string>;
  clear(): void;
}

/**
 * Electron's custom format for a raw platform clipboard format: the name is
 * the OS's own (a pasteboard type on macOS, a registered clipboard format on
 * Windows, a MIME target on Linux), written as is
 * (https://www.electronjs.org/docs/latest/api/clipboard, "custom formats").
 */
export const osFormat = (name: string): string => `electron application/osclipboard;format="${name}"`;

/** A serialized DWORD 0 (4 bytes, little-endian), as Microsoft's clipboard history formats take it. */
const dwordZero = (): Blob => new Blob([new Uint8Array(4)]);

/**
 * What one copy writes: the text, plus the markers by which this platform's
 * clipboard history and sync tools know not to record it. Each is a
 * convention those tools honour, not an enforcement: a clipboard manager
 * that ignores them still sees the value, which is why the copy is also
 * cleared after a while.
 *
 * - macOS: `org.nspasteboard.ConcealedType`, the nspasteboard.org convention
 *   for passwords and other confidential data, which pasteboard history apps
 *   skip. Its payload is "of your choice" (nspasteboard.org); this writes a
 *   fixed non-secret word, never the value (KeePassXC's src/gui/Clipboard.cpp
 *   puts the text itself there; arboard, which Bitwarden's desktop_native
 *   clipboard.rs uses, an empty string: a non-empty constant leaves no room
 *   for a writer that drops empty payloads).
 * - Windows: Microsoft's "Cloud Clipboard and Clipboard History Formats"
 *   (learn.microsoft.com/windows/win32/dataxchg/clipboard-formats):
 *   `ExcludeClipboardContentFromMonitorProcessing` (any data: keeps it out of
 *   history, cloud sync and clipboard monitors), `CanIncludeInClipboardHistory`
 *   = DWORD 0 (not in Win+V history) and `CanUploadToCloudClipboard` = DWORD 0
 *   (not synced to the user's other devices). All three as a 4-byte 0, as
 *   arboard's windows.rs (add_clipboard_exclusions) writes them.
 * - Linux and the other X11/Wayland desktops: `x-kde-passwordManagerHint` =
 *   "secret", which KDE's Klipper and CopyQ honour (wl-clipboard's
 *   `wl-paste --watch` reports it as CLIPBOARD_STATE=sensitive); KeePassXC
 *   (src/gui/Clipboard.cpp, setText) and arboard (exclude_from_history on
 *   Linux) write the same.
 */
export function concealedPayload(text: string, platform: NodeJS.Platform): ClipboardPayload {
  const payload: ClipboardPayload = { 'text/plain': text };
  switch (platform) {
    case 'darwin':
      payload[osFormat('org.nspasteboard.ConcealedType')] = 'secret';
      break;
    case 'win32':
      payload[osFormat('ExcludeClipboardContentFromMonitorProcessing')] = dwordZero();
      payload[osFormat('CanIncludeInClipboardHistory')] = dwordZero();
      payload[osFormat('CanUploadToCloudClipboard')] = dwordZero();
      break;
    default:
      payload[osFormat('x-kde-passwordManagerHint')] = 'secret';
  }
  return payload;
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

export interface ClipboardServiceOptions<I extends ClipboardItemLike> {
  /** Electron's ClipboardItem class: a copy is one item holding the text and the markers. */
  ClipboardItem: ClipboardItemConstructor<I>;
  /** Whose markers a copy carries (concealedPayload). */
  platform: NodeJS.Platform;
  timers?: TimersLike;
}

export class ClipboardService<I extends ClipboardItemLike = ClipboardItemLike> {
  private pending: { handle: unknown; digest: string } | undefined;
  /** Counts clearNow() calls, so a copy whose write was still in flight during one (a lock) clears itself at once. */
  private clearNowCalls = 0;
  private readonly timers: TimersLike;

  constructor(
    private readonly clipboard: ClipboardLike<I>,
    private readonly options: ClipboardServiceOptions<I>,
  ) {
    this.timers = options.timers ?? realTimers;
  }

  /**
   * Writes `text` with this platform's "do not record" markers, in one
   * clipboard write, and schedules its clearing after `seconds`. Resolves (or
   * returns at once, for a synchronous clipboard) when it is written; a
   * failed write (or an item Electron refuses to build) schedules nothing and
   * rejects (or throws): nothing is written without the markers. The previous
   * copy's clear is replaced only once this write succeeded, so a failed copy
   * still clears the value copied before it. A lock (clearNow) while the
   * write is in flight clears the value as soon as it lands.
   */
  copy(text: string, seconds: number): MaybePromise<void> {
    const d = digest(text);
    const calls = this.clearNowCalls;
    const item = new this.options.ClipboardItem(concealedPayload(text, this.options.platform));
    return whenReady(this.clipboard.write([item]), () => {
      if (this.clearNowCalls !== calls) {
        void this.clearIfOurs(d);
        return;
      }
      this.cancel();
      const handle = this.timers.setTimeout(() => {
        if (this.pending?.handle === handle) this.pending = undefined;
        void this.clearIfOurs(d);
      }, seconds * 1000);
      this.pending = { handle, digest: d };
    });
  }

  /**
   * Clears now if the clipboard still holds the last copied value (on lock,
   * on quit). Settles when the check is done (at once for a synchronous
   * clipboard), so quitting can wait for it.
   */
  clearNow(): MaybePromise<void> {
    this.clearNowCalls++;
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
