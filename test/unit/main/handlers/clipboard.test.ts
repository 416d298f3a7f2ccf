/**
 * Copy through main (issue 3): the value is written, cleared after the
 * configured delay unless the user copied something else, the delay restarts
 * on a new copy, and lock clears at once. Issue 4: each copy is one
 * clipboard.write of one ClipboardItem holding the text and the platform's
 * "do not record" markers, and a copy that cannot be written so fails.
 */
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import {
  ClipboardService,
  concealedPayload,
  osFormat,
  realTimers,
  type ClipboardItemLike,
  type ClipboardPayload,
  type TimersLike,
} from '../../../../electron/main/handlers/clipboard.js';
import { removeTempDirs } from '../../../helpers/vault.js';
import { FakeClipboard, FakeClipboardItem, FakeTimers, startUnlockedApp } from '../helpers.js';

afterAll(removeTempDirs);

const service = (cb: FakeClipboard, timers: TimersLike, platform: NodeJS.Platform = 'linux') =>
  new ClipboardService(cb, { ClipboardItem: FakeClipboardItem, platform, timers });

/** A Blob payload's bytes, or a string payload as is. */
async function bytes(v: string | Blob | undefined): Promise<number[] | string | undefined> {
  return v instanceof Blob ? [...new Uint8Array(await v.arrayBuffer())] : v;
}

/** The formats each platform's copy carries, besides text/plain, and their payloads. */
const MARKERS: Record<'linux' | 'darwin' | 'win32', Record<string, number[] | string>> = {
  linux: { 'electron application/osclipboard;format="x-kde-passwordManagerHint"': 'secret' },
  darwin: { 'electron application/osclipboard;format="org.nspasteboard.ConcealedType"': 'secret' },
  win32: {
    'electron application/osclipboard;format="ExcludeClipboardContentFromMonitorProcessing"': [0, 0, 0, 0],
    'electron application/osclipboard;format="CanIncludeInClipboardHistory"': [0, 0, 0, 0],
    'electron application/osclipboard;format="CanUploadToCloudClipboard"': [0, 0, 0, 0],
  },
};

async function readPayload(p: Readonly<ClipboardPayload>): Promise<Record<string, number[] | string | undefined>> {
  const out: Record<string, number[] | string | undefined> = {};
  for (const [k, v] of Object.entries(p)) out[k] = await bytes(v);
  return out;
}

describe('concealedPayload: the text and the platform\'s "do not record" markers', () => {
  it('uses Electron 45\'s custom format for raw platform formats', () => {
    expect(osFormat('x-kde-passwordManagerHint')).toBe('electron application/osclipboard;format="x-kde-passwordManagerHint"');
  });

  it.each(['linux', 'darwin', 'win32'] as const)('%s: text/plain plus exactly its markers', async (platform) => {
    const p = concealedPayload('the value', platform);
    expect(await readPayload(p)).toEqual({ 'text/plain': 'the value', ...MARKERS[platform] });
  });

  it('Windows: each marker is a serialized DWORD 0, 4 bytes (Microsoft\'s clipboard history formats)', async () => {
    const p = concealedPayload('v', 'win32');
    for (const [k, v] of Object.entries(p)) {
      if (k === 'text/plain') continue;
      expect(v, k).toBeInstanceOf(Blob);
      expect((v as Blob).size, k).toBe(4);
    }
  });

  it('the other Unix desktops (X11/Wayland) get the Linux hint', async () => {
    for (const platform of ['freebsd', 'openbsd', 'sunos'] as const) {
      expect(await readPayload(concealedPayload('v', platform))).toEqual({ 'text/plain': 'v', ...MARKERS.linux });
    }
  });

  it('no marker carries the value: it is in text/plain only', async () => {
    const value = 'correct-horse-value';
    for (const platform of ['linux', 'darwin', 'win32'] as const) {
      const p = await readPayload(concealedPayload(value, platform));
      const markers = Object.entries(p).filter(([k]) => k !== 'text/plain');
      expect(markers.length).toBeGreaterThan(0);
      for (const [k, v] of markers) expect(JSON.stringify(v), k).not.toContain(value);
    }
  });

  it('fresh payloads each time (a Blob is never shared between copies)', () => {
    const a = concealedPayload('v', 'win32');
    const b = concealedPayload('v', 'win32');
    expect(a).not.toBe(b);
    const k = osFormat('CanIncludeInClipboardHistory');
    expect(a[k]).not.toBe(b[k]);
  });
});

describe('ClipboardService.copy writes once, atomically, with the markers', () => {
  it.each(['linux', 'darwin', 'win32'] as const)('%s: one write() of one item with the text and the markers', async (platform) => {
    const cb = new FakeClipboard();
    service(cb, new FakeTimers(), platform).copy('value-1', 30);
    expect(cb.items).toHaveLength(1);
    expect(cb.items[0]).toHaveLength(1);
    const item = cb.items[0]![0]!;
    expect(item).toBeInstanceOf(FakeClipboardItem);
    expect(item.types.sort()).toEqual(['text/plain', ...Object.keys(MARKERS[platform])].sort());
    expect(await readPayload(item.payload)).toEqual({ 'text/plain': 'value-1', ...MARKERS[platform] });
    expect(cb.text).toBe('value-1');
  });

  it('an item Electron refuses to build: the copy throws, nothing is written or scheduled', () => {
    const cb = new FakeClipboard();
    const timers = new FakeTimers();
    class RefusingItem implements ClipboardItemLike {
      readonly types: string[] = [];
      constructor(_payload: ClipboardPayload) {
        throw new TypeError('unsupported format');
      }
    }
    const s = new ClipboardService<ClipboardItemLike>(cb, { ClipboardItem: RefusingItem, platform: 'linux', timers });
    expect(() => s.copy('v', 30)).toThrow('unsupported format');
    expect(cb.writes).toEqual([]);
    expect(s.scheduled).toBe(false);
    expect(timers.pending).toBe(0);
  });

  it('a synchronous write that throws: the copy throws and schedules nothing (no plain-text fallback)', () => {
    const cb = new FakeClipboard();
    cb.write = () => {
      throw new Error('no display');
    };
    const timers = new FakeTimers();
    const s = service(cb, timers);
    expect(() => s.copy('v', 30)).toThrow('no display');
    expect(cb.text).toBe('');
    expect(s.scheduled).toBe(false);
  });
});

describe('ClipboardService (vitest fake timers over the real timer functions)', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('clears after exactly the given seconds', () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const cb = new FakeClipboard();
    const s = service(cb, realTimers);
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
    const s = service(cb, realTimers);
    s.copy('value-1', 30);
    cb.text = 'something the user copied';
    vi.advanceTimersByTime(30_000);
    expect(cb.text).toBe('something the user copied');
    expect(cb.clears).toBe(0);
  });

  it('a new copy cancels the pending clear and starts its own delay', () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const cb = new FakeClipboard();
    const s = service(cb, realTimers);
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
    const s = service(cb, timers);
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
    service(cb, timers).copy('v', 5);
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
    app.clipboard.userCopies('user copy');
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

/** Electron 45's clipboard: write and readText return promises (W3C navigator.clipboard style). */
class AsyncClipboard {
  text = '';
  clears = 0;
  failWrites = false;
  async write(items: FakeClipboardItem[]): Promise<void> {
    await new Promise((r) => setImmediate(r));
    if (this.failWrites) throw new Error('clipboard busy');
    this.text = String(items[0]?.payload['text/plain']);
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
  const asyncService = (cb: AsyncClipboard, timers: TimersLike) =>
    new ClipboardService(cb, { ClipboardItem: FakeClipboardItem, platform: 'linux', timers });

  it('copy resolves once written; the timed clear and clearNow wait for the read', async () => {
    const cb = new AsyncClipboard();
    const timers = new FakeTimers();
    const s = asyncService(cb, timers);
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

  it('a lock while the write is in flight clears the value as soon as it lands', async () => {
    const cb = new AsyncClipboard();
    const timers = new FakeTimers();
    const s = asyncService(cb, timers);
    const copying = s.copy('value-1', 30);
    await s.clearNow(); // the vault locked before the clipboard answered
    await copying;
    await new Promise((r) => setImmediate(r));
    await new Promise((r) => setImmediate(r));
    expect(cb.text).toBe('');
    expect(s.scheduled).toBe(false);
    expect(timers.pending).toBe(0);
  });

  it('a failed copy keeps the clear of the value copied before it', async () => {
    const cb = new AsyncClipboard();
    const timers = new FakeTimers();
    const s = asyncService(cb, timers);
    await s.copy('value-1', 30);
    cb.failWrites = true;
    await expect(s.copy('value-2', 30)).rejects.toThrow('clipboard busy');
    expect(cb.text).toBe('value-1');
    timers.advance(30_000);
    await new Promise((r) => setImmediate(r));
    await new Promise((r) => setImmediate(r));
    expect(cb.text).toBe('');
  });

  it('a failed write rejects the copy and schedules nothing', async () => {
    const cb = new AsyncClipboard();
    cb.failWrites = true;
    const s = asyncService(cb, new FakeTimers());
    await expect(s.copy('v', 30)).rejects.toThrow('clipboard busy');
    expect(s.scheduled).toBe(false);
  });
});

describe('secrets:copy writes the markers of the platform main was given', () => {
  it.each(['linux', 'darwin', 'win32'] as const)('%s', async (platform) => {
    const app = await startUnlockedApp({ platform });
    await app.ok('secrets:set', { name: 'a', value: 'copy me' });
    await app.ok('secrets:copy', { name: 'a' });
    expect(app.clipboard.items).toHaveLength(1);
    expect(await readPayload(app.clipboard.items[0]![0]!.payload)).toEqual({ 'text/plain': 'copy me', ...MARKERS[platform] });
  });

  it('a write that fails is IoError without the value, nothing is scheduled, and the clipboard is untouched', async () => {
    const app = await startUnlockedApp();
    await app.ok('secrets:set', { name: 'a', value: 'copy me' });
    app.clipboard.userCopies('what the user had');
    app.clipboard.write = () => {
      throw new Error('the X server refused the selection');
    };
    const r = await app.call('secrets:copy', { name: 'a' });
    expect(r).toMatchObject({ ok: false, code: 'IoError' });
    expect(JSON.stringify(r)).not.toContain('copy me');
    expect(app.clipboard.text).toBe('what the user had');
    expect(app.services.clipboard.scheduled).toBe(false);
    expect(app.timers.pending).toBe(0);
  });
});
