/**
 * Copy through main (issue 3): the value is written, cleared after the
 * configured delay unless the user copied something else, the delay restarts
 * on a new copy, and lock clears at once.
 */
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { ClipboardService, realTimers } from '../../../../electron/main/handlers/clipboard.js';
import { removeTempDirs } from '../../../helpers/vault.js';
import { FakeClipboard, FakeTimers, startUnlockedApp } from '../helpers.js';

afterAll(removeTempDirs);

describe('ClipboardService (vitest fake timers over the real timer functions)', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('clears after exactly the given seconds', () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const cb = new FakeClipboard();
    const s = new ClipboardService(cb, realTimers);
    s.copy('value-1', 30);
    expect(cb.text).toBe('value-1');
    vi.advanceTimersByTime(29_999);
    expect(cb.text).toBe('value-1');
    vi.advanceTimersByTime(1);
    expect(cb.text).toBe('');
    expect(cb.clears).toBe(1);
    expect(s.scheduled).toBe(false);
  });

  it('does not clear what the user copied since', () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const cb = new FakeClipboard();
    const s = new ClipboardService(cb, realTimers);
    s.copy('value-1', 30);
    cb.text = 'something the user copied';
    vi.advanceTimersByTime(30_000);
    expect(cb.text).toBe('something the user copied');
    expect(cb.clears).toBe(0);
  });

  it('a new copy cancels the pending clear and starts its own delay', () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const cb = new FakeClipboard();
    const s = new ClipboardService(cb, realTimers);
    s.copy('value-1', 30);
    vi.advanceTimersByTime(20_000);
    s.copy('value-2', 30);
    vi.advanceTimersByTime(10_000); // the first copy's time: no clear
    expect(cb.text).toBe('value-2');
    expect(cb.clears).toBe(0);
    vi.advanceTimersByTime(20_000);
    expect(cb.text).toBe('');
    expect(cb.clears).toBe(1);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('clearNow clears our value at once and cancels the timer; leaves a user copy alone', () => {
    const cb = new FakeClipboard();
    const timers = new FakeTimers();
    const s = new ClipboardService(cb, timers);
    s.copy('value-1', 30);
    s.clearNow();
    expect(cb.text).toBe('');
    expect(timers.pending).toBe(0);
    s.copy('value-2', 30);
    cb.text = 'user text';
    s.clearNow();
    expect(cb.text).toBe('user text');
    // Nothing pending: clearNow is a no-op.
    s.clearNow();
    expect(cb.clears).toBe(1);
  });

  it('an unreadable clipboard is left alone rather than throwing from a timer', () => {
    const cb = new FakeClipboard();
    cb.readText = () => {
      throw new Error('no display');
    };
    const timers = new FakeTimers();
    new ClipboardService(cb, timers).copy('v', 5);
    expect(() => timers.advance(5_000)).not.toThrow();
    expect(cb.clears).toBe(0);
  });
});

describe('secrets:copy through the handlers', () => {
  it('writes the value, clears it after the configured time, not before', async () => {
    const app = await startUnlockedApp();
    await app.ok('secrets:set', { name: 'a', value: 'copy me' });
    await app.ok('settings:set', { clipboardClearSeconds: 12 });
    expect(await app.ok('secrets:copy', { name: 'a' })).toEqual({ clearsInSeconds: 12 });
    expect(app.clipboard.text).toBe('copy me');
    app.timers.advance(11_999);
    expect(app.clipboard.text).toBe('copy me');
    app.timers.advance(1);
    expect(app.clipboard.text).toBe('');
  });

  it('does not clear if the user copied something else', async () => {
    const app = await startUnlockedApp();
    await app.ok('secrets:set', { name: 'a', value: 'copy me' });
    await app.ok('secrets:copy', { name: 'a' });
    app.clipboard.writeText('user copy');
    app.timers.advance(30_000);
    expect(app.clipboard.text).toBe('user copy');
  });

  it('lock clears the copied value at once and cancels the timer', async () => {
    const app = await startUnlockedApp();
    await app.ok('secrets:set', { name: 'a', value: 'copy me' });
    await app.ok('secrets:copy', { name: 'a' });
    await app.ok('vault:lock');
    expect(app.clipboard.text).toBe('');
    expect(app.timers.pending).toBe(0);
  });

  it('opening another vault (which locks the first) clears it too', async () => {
    const app = await startUnlockedApp();
    await app.ok('secrets:set', { name: 'a', value: 'copy me' });
    await app.ok('secrets:copy', { name: 'a' });
    await app.call('vault:open', { path: app.vaultPath, passphrase: 'wrong' });
    expect(app.clipboard.text).toBe('');
  });

  it('copy while locked is VaultLocked and writes nothing', async () => {
    const app = await startUnlockedApp();
    await app.ok('secrets:set', { name: 'a', value: 'copy me' });
    await app.ok('vault:lock');
    const r = await app.call('secrets:copy', { name: 'a' });
    expect(r).toMatchObject({ ok: false, code: 'VaultLocked' });
    expect(app.clipboard.writes).toEqual([]);
  });
});

/** Electron 45's clipboard: readText and writeText return promises (W3C navigator.clipboard style). */
class AsyncClipboard {
  text = '';
  clears = 0;
  failWrites = false;
  async writeText(text: string): Promise<void> {
    await new Promise((r) => setImmediate(r));
    if (this.failWrites) throw new Error('clipboard busy');
    this.text = text;
  }
  async readText(): Promise<string> {
    await new Promise((r) => setImmediate(r));
    return this.text;
  }
  clear(): void {
    this.text = '';
    this.clears++;
  }
}

describe('ClipboardService over an asynchronous clipboard (Electron 45)', () => {
  it('copy resolves once written; the timed clear and clearNow wait for the read', async () => {
    const cb = new AsyncClipboard();
    const timers = new FakeTimers();
    const s = new ClipboardService(cb, timers);
    await s.copy('value-1', 30);
    expect(cb.text).toBe('value-1');
    expect(s.scheduled).toBe(true);
    timers.advance(30_000);
    await new Promise((r) => setImmediate(r));
    await new Promise((r) => setImmediate(r));
    expect(cb.text).toBe('');
    await s.copy('value-2', 30);
    await s.clearNow();
    expect(cb.text).toBe('');
    expect(cb.clears).toBe(2);
  });

  it('a failed write rejects the copy and schedules nothing', async () => {
    const cb = new AsyncClipboard();
    cb.failWrites = true;
    const s = new ClipboardService(cb, new FakeTimers());
    await expect(s.copy('v', 30)).rejects.toThrow('clipboard busy');
    expect(s.scheduled).toBe(false);
  });
});
