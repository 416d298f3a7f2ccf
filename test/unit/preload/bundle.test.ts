/**
 * The preload as Electron runs it: dist/preload/index.cjs (vite.preload.config.ts),
 * evaluated the way a sandboxed preload is — one CommonJS script whose
 * `require` knows only 'electron' (Electron docs "Process Sandboxing") — with
 * contextBridge and ipcRenderer faked. It must load with nothing else,
 * expose exactly `coffer` (the contract's methods) and `cofferEvents`, and
 * never hand the page ipcRenderer or an event object.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import vm from 'node:vm';
import { describe, expect, it } from 'vitest';
import { CHANNELS, EVENT_CHANNEL, type AppEvent, type CofferEvents } from '../../../shared/contract.js';
import { ROOT } from '../../e2e/harness.js';

const BUNDLE = join(ROOT, 'dist', 'preload', 'index.cjs');

function loadPreload() {
  const exposed = new Map<string, unknown>();
  const invoked: { channel: string; args: unknown[] }[] = [];
  const listeners = new Map<string, ((event: unknown, ...args: unknown[]) => void)[]>();
  const required: string[] = [];
  const ipcRenderer = {
    invoke: async (channel: string, ...args: unknown[]) => {
      invoked.push({ channel, args });
      return { ok: true, value: null };
    },
    on: (channel: string, l: (event: unknown, ...args: unknown[]) => void) => {
      listeners.set(channel, [...(listeners.get(channel) ?? []), l]);
    },
    removeListener: (channel: string, l: unknown) => {
      listeners.set(channel, (listeners.get(channel) ?? []).filter((x) => x !== l));
    },
  };
  const electron = { contextBridge: { exposeInMainWorld: (key: string, api: unknown) => exposed.set(key, api) }, ipcRenderer };
  const sandboxRequire = (id: string) => {
    required.push(id);
    if (id === 'electron') return electron;
    throw new Error(`module not found: ${id}`);
  };
  const module = { exports: {} };
  const context = vm.createContext({ require: sandboxRequire, module, exports: module.exports, console });
  vm.runInContext(readFileSync(BUNDLE, 'utf8'), context, { filename: BUNDLE });
  const send = (payload: unknown) => {
    for (const l of listeners.get(EVENT_CHANNEL) ?? []) l({ sender: ipcRenderer }, payload);
  };
  return { exposed, invoked, required, send, listeners };
}

describe('the bundled sandboxed preload (dist/preload/index.cjs)', () => {
  it("loads with only require('electron') and exposes exactly coffer and cofferEvents", () => {
    const p = loadPreload();
    expect(p.required).toEqual(['electron']);
    expect([...p.exposed.keys()]).toEqual(['coffer', 'cofferEvents']);
    expect(Object.keys(p.exposed.get('coffer') as object)).toEqual([...CHANNELS]);
    expect(Object.keys(p.exposed.get('cofferEvents') as object)).toEqual(['subscribe']);
  });

  it('forwards each method to coffer:<channel> with its one input', async () => {
    const p = loadPreload();
    const api = p.exposed.get('coffer') as Record<string, (...a: unknown[]) => Promise<unknown>>;
    await api['secrets:list']!({}, 'extra');
    expect(p.invoked).toEqual([{ channel: 'coffer:secrets:list', args: [{}] }]);
  });

  it('passes main’s events as parsed payloads, never the event object; drops malformed ones', () => {
    const p = loadPreload();
    const events = p.exposed.get('cofferEvents') as CofferEvents;
    const got: unknown[] = [];
    const off = events.subscribe((e: AppEvent) => got.push(e));
    p.send({ type: 'locked' });
    p.send({ type: 'command', command: 'find' });
    p.send({ type: 'command', command: 'eval' });
    expect(got).toEqual([{ type: 'locked' }, { type: 'command', command: 'find' }]);
    off();
    expect(p.listeners.get(EVENT_CHANNEL)).toEqual([]);
  });
});
