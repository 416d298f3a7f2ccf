/**
 * Who may call main: the app's own page, in the window's top frame, and
 * nothing else (ARCHITECTURE.md "Processes": main "checks the sender frame
 * (app origin, top frame)"). Pattern of VS Code's `validateEvent`
 * (src/vs/base/parts/ipc/electron-main/ipcMain.ts), which refuses any IPC
 * whose sender frame is missing, from another origin, or not the top frame.
 *
 * Why each check (Electron docs, "Security" §17 "Validate the sender of all
 * IPC messages"): any frame can reach ipcRenderer through a preload
 * compromise or a navigation, and an iframe or a page navigated to another
 * origin must not be able to read secrets.
 *
 * Types are structural (a subset of Electron's IpcMainInvokeEvent and
 * WebFrameMain) so this runs in plain Node: the `electron` package is not a
 * dependency on machines without its binary (ARCHITECTURE.md "Testing without
 * the Electron binary"), and a structural type keeps even `import type` out.
 */

/** The parts of Electron's WebFrameMain that the check reads. */
export interface SenderFrameLike {
  /** The frame's URL ("" for a blank child window). */
  readonly url: string;
  /**
   * RFC 6454 serialization of the frame's origin (Electron ≥ 21). Preferred
   * to a parse of the URL: Electron computes it as Chromium does (a blank
   * child window reports its opener's origin here but "" as url).
   */
  readonly origin?: string;
  /** null for a top frame (Electron docs: "WebFrameMain | null"). */
  readonly parent: SenderFrameLike | null;
}

/** The part of Electron's IpcMainInvokeEvent the check reads. */
export interface InvokeEventLike {
  /**
   * Electron docs: "May be null if accessed after the frame has either
   * navigated or been destroyed": refused then, the request has no trusted author.
   */
  readonly senderFrame: SenderFrameLike | null | undefined;
}

/** `scheme://host[:port]`: what an allowed origin must look like (never "null" or "*"). */
const ORIGIN_PATTERN = /^[a-z][a-z0-9+.-]*:\/\/[a-z0-9.-]+(:\d{1,5})?$/;

export function assertValidOrigin(origin: string): void {
  if (!ORIGIN_PATTERN.test(origin)) {
    throw new Error(`allowedOrigin must be scheme://host[:port] in lowercase (e.g. app://coffer), got ${JSON.stringify(origin)}`);
  }
}

/** Origin from a URL string, for a frame without `origin` (older Electron); works for custom schemes too. */
function originOfUrl(url: string): string | undefined {
  const m = /^([a-z][a-z0-9+.-]*:)\/\/([^/?#]*)/i.exec(url);
  if (!m || m[1] === undefined || m[2] === undefined) return undefined;
  const authority = m[2];
  // A userinfo part ("user@host") is never the app: refuse rather than parse around it.
  if (authority.includes('@')) return undefined;
  return `${m[1].toLowerCase()}//${authority.toLowerCase()}`;
}

export type SenderVerdict = { ok: true } | { ok: false; reason: 'no-frame' | 'subframe' | 'origin' };

export function checkSender(event: InvokeEventLike | null | undefined, allowedOrigin: string): SenderVerdict {
  const frame = event?.senderFrame;
  if (!frame) return { ok: false, reason: 'no-frame' };
  if (frame.parent !== null) return { ok: false, reason: 'subframe' };
  const origin = typeof frame.origin === 'string' && frame.origin !== '' ? frame.origin : originOfUrl(frame.url);
  if (origin !== allowedOrigin) return { ok: false, reason: 'origin' };
  // The URL must be the app's too (as VS Code checks the URL's host): a blank or
  // data: window inherits its opener's origin but is not the app's page.
  if (originOfUrl(frame.url) !== allowedOrigin) return { ok: false, reason: 'origin' };
  return { ok: true };
}
