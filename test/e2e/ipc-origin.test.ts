/**
 * Main answers only the app's own page in its top frame (electron/main/ipc/
 * sender.ts), checked here from real Chromium frames: the preload emulation
 * exists in every frame (Playwright's bindings and init scripts are
 * per-frame, as a preload with nodeIntegrationInSubFrames would be), and main
 * sees each call's true frame. A page of another origin, a subframe of another
 * origin and even a same-origin subframe are refused with Forbidden before
 * any handler runs; the app's top frame is served.
 *
 * The test pages are fulfilled by routes added after launchApp's, without
 * the app's CSP (which would rightly refuse to frame another origin).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Frame } from 'playwright-core';
import { APP_URL, launchApp, TEST_ORIGIN, type App } from './harness.js';

const EVIL = 'https://evil.invalid';
const html = (body: string): { status: number; contentType: string; body: string } => ({
  status: 200,
  contentType: 'text/html; charset=utf-8',
  body: `<!doctype html><html lang="en"><head><title>test</title></head><body>${body}</body></html>`,
});

let app: App;

/** Calls `vault:status` through the frame's own `window.coffer`, as code in that frame would. */
function statusFrom(frame: Frame): Promise<unknown> {
  return frame.evaluate(async () => {
    const w = globalThis as unknown as { coffer?: Record<string, (input: unknown) => Promise<unknown>>; __cofferInvoke?: unknown };
    return {
      rawBindingVisible: typeof w.__cofferInvoke === 'function',
      result: w.coffer ? await w.coffer['vault:status']!({}) : 'no window.coffer',
    };
  });
}

function childFrame(url: string): Frame {
  const f = app.page.frames().find((fr) => fr.url() === url);
  if (!f) throw new Error(`no frame at ${url}; frames: ${app.page.frames().map((fr) => fr.url()).join(', ')}`);
  return f;
}

describe('IPC from frames other than the app top frame is refused (real Chromium frames)', () => {
  beforeAll(async () => {
    app = await launchApp({ url: null });
    await app.page.route(
      (url) => url.origin === EVIL,
      (route) => {
        const path = new URL(route.request().url()).pathname;
        if (path === '/') return route.fulfill(html(`<h1>evil</h1><iframe title="app" src="${TEST_ORIGIN}/__e2e/child.html"></iframe>`));
        return route.fulfill(html('<p>evil child</p>'));
      },
    );
    await app.page.route(
      (url) => url.origin === TEST_ORIGIN && url.pathname.startsWith('/__e2e/'),
      (route) => {
        const path = new URL(route.request().url()).pathname;
        if (path === '/__e2e/top.html') {
          return route.fulfill(
            html(
              `<h1>app top</h1><iframe title="same origin" src="${TEST_ORIGIN}/__e2e/child.html"></iframe>` +
                `<iframe title="other origin" src="${EVIL}/child.html"></iframe>`,
            ),
          );
        }
        return route.fulfill(html('<p>child</p>'));
      },
    );
  }, 60_000);

  afterAll(async () => {
    await app?.close();
  });

  it('the app origin in the top frame is served, and the raw binding is hidden from the page', async () => {
    await app.page.goto(`${TEST_ORIGIN}/__e2e/top.html`);
    await app.page.waitForLoadState('load');
    expect(await statusFrom(app.page.mainFrame())).toEqual({ rawBindingVisible: false, result: { ok: true, value: { state: 'locked', path: null, remembered: false } } });
  });

  it('a subframe of another origin is refused with Forbidden', async () => {
    const r = (await statusFrom(childFrame(`${EVIL}/child.html`))) as { rawBindingVisible: boolean; result: { ok: boolean; code?: string } };
    expect(r.rawBindingVisible).toBe(false);
    expect(r.result).toMatchObject({ ok: false, code: 'Forbidden' });
  });

  it('a same-origin subframe is refused with Forbidden (top frame only)', async () => {
    const r = (await statusFrom(childFrame(`${TEST_ORIGIN}/__e2e/child.html`))) as { result: { ok: boolean; code?: string } };
    expect(r.result).toMatchObject({ ok: false, code: 'Forbidden' });
  });

  it('a top-level page of another origin is refused with Forbidden, even for a state-changing call', async () => {
    await app.page.goto(`${EVIL}/`);
    const r = await app.page.evaluate(async () => {
      const w = globalThis as unknown as { coffer: Record<string, (input: unknown) => Promise<unknown>> };
      return w.coffer['vault:create']!({ path: '/tmp/evil.coffer', passphrase: 'x' });
    });
    expect(r).toMatchObject({ ok: false, code: 'Forbidden' });
    expect(app.services.session.isUnlocked).toBe(false);
    // The app's page inside the evil page's iframe is a subframe: refused too.
    const framed = (await statusFrom(childFrame(`${TEST_ORIGIN}/__e2e/child.html`))) as { result: { ok: boolean; code?: string } };
    expect(framed.result).toMatchObject({ ok: false, code: 'Forbidden' });
  });

  it('the gate itself: fake senders of another origin, a lookalike URL, a subframe or no frame are Forbidden', async () => {
    const top = { url: APP_URL, origin: TEST_ORIGIN, parent: null };
    expect(await app.callAs(top, 'vault:status', {})).toMatchObject({ ok: true });
    for (const sender of [
      { url: `${EVIL}/`, origin: EVIL, parent: null },
      { url: 'https://coffer.invalid.evil.invalid/', origin: 'https://coffer.invalid.evil.invalid', parent: null },
      { url: 'http://coffer.invalid/', origin: 'http://coffer.invalid', parent: null },
      { url: 'about:blank', origin: TEST_ORIGIN, parent: null },
      { url: `${APP_URL}index.html`, origin: TEST_ORIGIN, parent: top },
      null,
    ]) {
      const r = await app.callAs(sender, 'secrets:list', {});
      expect(r, JSON.stringify(sender)).toMatchObject({ ok: false, code: 'Forbidden' });
    }
  });

  it('every refused call was logged as Forbidden and none reached a handler', () => {
    const fromPages = app.calls.filter((c) => !c.senderUrl.startsWith(`${TEST_ORIGIN}/__e2e/top.html`) || c.code !== undefined);
    expect(fromPages.length).toBeGreaterThanOrEqual(4);
    expect(fromPages.every((c) => c.code === 'Forbidden')).toBe(true);
    expect(app.warnings).toEqual([]);
  });
});
