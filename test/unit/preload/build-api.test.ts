/**
 * The preload's API (electron/preload/build-api.ts): exactly the contract's
 * channels, each forwarding to 'coffer:<channel>' with the input untouched,
 * frozen, nothing else; and the browser tests' emulation (preloadInitScript)
 * builds the same object.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { CHANNELS, contract, EVENT_CHANNEL, ipcChannel, type AppEvent, type Channel, type CofferApi, type CofferEvents } from '../../../shared/contract.js';
import {
  buildCofferApi,
  buildEventsApi,
  preloadInitScript,
  unreachableResult,
  type InvokeFn,
  type OnFn,
} from '../../../electron/preload/build-api.js';

interface Call {
  channel: string;
  args: unknown[];
}

function recorder(answer: (channel: string, input: unknown) => Promise<unknown> = async (channel) => ({ ok: true, value: channel })) {
  const calls: Call[] = [];
  const invoke = (channel: string, ...args: unknown[]): Promise<unknown> => {
    calls.push({ channel, args });
    return answer(channel, args[0]);
  };
  return { calls, invoke: invoke as InvokeFn };
}

type AnyMethod = (...args: unknown[]) => Promise<unknown>;
const method = (api: unknown, channel: string): AnyMethod => (api as Record<string, AnyMethod>)[channel] as AnyMethod;

/** Runs preloadInitScript on a fake window holding a binding; returns the window. */
function runInitScript(
  binding: (channel: string, input: unknown) => Promise<unknown>,
  name = '__cofferInvoke',
  hook?: string,
): Record<string, unknown> {
  const fakeWindow: Record<string, unknown> = { [name]: binding, other: 1 };
  new Function('window', preloadInitScript(name, hook))(fakeWindow);
  return fakeWindow;
}

describe('buildCofferApi', () => {
  it('has exactly one method per contract channel, named after it', () => {
    const api = buildCofferApi(recorder().invoke);
    expect(Reflect.ownKeys(api)).toEqual([...CHANNELS]);
    expect(Object.keys(contract).sort()).toEqual(Object.keys(api).sort());
    for (const channel of CHANNELS) expect(typeof api[channel]).toBe('function');
  });

  it('forwards each method to coffer:<channel> with the input untouched (same reference)', async () => {
    const { calls, invoke } = recorder();
    const api = buildCofferApi(invoke);
    for (const channel of CHANNELS) {
      const input = { marker: channel, nested: { a: [1, 2] } };
      const result = await method(api, channel)(input);
      expect(result).toEqual({ ok: true, value: ipcChannel(channel) });
      const last = calls.at(-1);
      expect(last?.channel).toBe(`coffer:${channel}`);
      expect(last?.args).toHaveLength(1);
      expect(last?.args[0]).toBe(input);
    }
    expect(calls).toHaveLength(CHANNELS.length);
  });

  it('passes exactly one argument: extra ones are dropped, a missing one is undefined (main then refuses it)', async () => {
    const { calls, invoke } = recorder();
    const api = buildCofferApi(invoke);
    await method(api, 'vault:status')({}, 'extra', { evil: true });
    await method(api, 'vault:lock')();
    expect(calls.map((c) => c.args)).toEqual([[{}], [undefined]]);
  });

  it('answers whatever main answers, including error results', async () => {
    const err = { ok: false, code: 'BadParameter', message: 'Invalid input for secrets:set: name: is required.' };
    const api = buildCofferApi(async () => err);
    await expect(api['secrets:set']({ name: '', value: 'x' })).resolves.toBe(err);
  });

  it('turns a rejected invoke into an Internal result without its message', async () => {
    const api = buildCofferApi(async () => {
      throw new Error("Error invoking remote method 'coffer:vault:open': /home/me/secret/path");
    });
    const r = await api['vault:open']({ path: '/x.coffer', passphrase: 'pw' });
    expect(r).toEqual(unreachableResult('vault:open'));
    expect(JSON.stringify(r)).not.toContain('/home/me');
  });

  it('is frozen, with frozen methods and no prototype, so nothing else is reachable', () => {
    const api = buildCofferApi(recorder().invoke) as unknown as Record<string, unknown>;
    expect(Object.isFrozen(api)).toBe(true);
    expect(Object.getPrototypeOf(api)).toBeNull();
    for (const channel of CHANNELS) expect(Object.isFrozen(api[channel])).toBe(true);
    for (const key of ['invoke', 'ipcRenderer', 'send', 'on', 'constructor', 'toString', '__proto__', 'then']) {
      expect(key in api).toBe(false);
    }
    expect(() => {
      api['vault:open'] = () => 0;
    }).toThrow(TypeError);
    expect(() => {
      api.extra = 1;
    }).toThrow(TypeError);
    expect(() => delete api['vault:open']).toThrow(TypeError);
    expect(Reflect.ownKeys(api)).toHaveLength(CHANNELS.length);
  });

  it('builds independent objects and refuses a non-function invoke', () => {
    expect(buildCofferApi(recorder().invoke)).not.toBe(buildCofferApi(recorder().invoke));
    expect(() => buildCofferApi(undefined as unknown as InvokeFn)).toThrow(TypeError);
  });

  it('types every method from the contract', () => {
    // Compile-time: the return type is the contract's CofferApi.
    const api: CofferApi = buildCofferApi(recorder().invoke);
    const keys: Channel[] = Object.keys(api) as Channel[];
    expect(keys).toHaveLength(CHANNELS.length);
  });
});

describe('preloadInitScript (browser-test emulation of the preload)', () => {
  it('builds window.coffer with the same shape as buildCofferApi and deletes the raw binding', () => {
    const { invoke } = recorder();
    const w = runInitScript(invoke);
    expect('__cofferInvoke' in w).toBe(false);
    expect(w.other).toBe(1);
    const emulated = w.coffer as Record<string, unknown>;
    const real = buildCofferApi(invoke) as unknown as Record<string, unknown>;
    expect(Reflect.ownKeys(emulated)).toEqual(Reflect.ownKeys(real));
    expect(Object.isFrozen(emulated)).toBe(true);
    expect(Object.getPrototypeOf(emulated)).toBeNull();
    for (const channel of CHANNELS) {
      expect(typeof emulated[channel]).toBe('function');
      expect(Object.isFrozen(emulated[channel])).toBe(true);
    }
  });

  it('window.coffer is read-only, as contextBridge defines it', () => {
    const w = runInitScript(recorder().invoke);
    const d = Object.getOwnPropertyDescriptor(w, 'coffer');
    expect(d?.writable).toBe(false);
    expect(d?.configurable).toBe(false);
  });

  it('forwards the same channels and inputs as buildCofferApi, one argument each', async () => {
    const a = recorder();
    const b = recorder();
    const emulated = runInitScript(a.invoke).coffer;
    const real = buildCofferApi(b.invoke);
    for (const channel of CHANNELS) {
      const input = { channel };
      const [x, y] = await Promise.all([method(emulated, channel)(input, 'extra'), method(real, channel)(input, 'extra')]);
      expect(x).toEqual(y);
      expect(a.calls.at(-1)?.args[0]).toBe(input);
    }
    expect(a.calls).toEqual(b.calls);
  });

  it('answers the same Result when the binding rejects', async () => {
    const fail = async (): Promise<unknown> => {
      throw new Error('binding gone');
    };
    const emulated = runInitScript(fail).coffer;
    for (const channel of CHANNELS) {
      await expect(method(emulated, channel)({})).resolves.toEqual(unreachableResult(channel));
    }
  });

  it('refuses a missing binding and a binding name that is not an identifier', () => {
    expect(() => new Function('window', preloadInitScript('__cofferInvoke'))({})).toThrow(/missing/);
    for (const bad of ['', 'a-b', '1x', "x'];alert(1);//", 'a b']) expect(() => preloadInitScript(bad)).toThrow(/identifier/);
  });

  it('takes its channel list from the contract', () => {
    const src = preloadInitScript('__cofferInvoke');
    expect(src).toContain(JSON.stringify(CHANNELS));
  });
});

/** ipcRenderer.on/removeListener as a fake: `send` plays main's webContents.send. */
function fakeIpcOn() {
  const subs = new Map<string, Set<(payload: unknown) => void>>();
  const on: OnFn = (channel, listener) => {
    const set = subs.get(channel) ?? new Set();
    subs.set(channel, set);
    set.add(listener);
    return () => set.delete(listener);
  };
  const send = (channel: string, payload: unknown) => {
    for (const l of subs.get(channel) ?? []) l(payload);
  };
  const count = (channel: string) => subs.get(channel)?.size ?? 0;
  return { on, send, count };
}

describe('buildEventsApi (window.cofferEvents)', () => {
  it("passes main's valid events, parsed, to every subscriber; drops anything else", () => {
    const ipc = fakeIpcOn();
    const events = buildEventsApi(ipc.on);
    const got: AppEvent[] = [];
    const unsubscribe = events.subscribe((e) => got.push(e));
    ipc.send(EVENT_CHANNEL, { type: 'locked' });
    ipc.send(EVENT_CHANNEL, { type: 'command', command: 'newSecret' });
    const rotated = { type: 'keysRotated', rotated: ['signing-key'], failed: [{ name: 'old-key', message: 'The vault file could not be written.' }] };
    ipc.send(EVENT_CHANNEL, rotated);
    for (const bad of [
      null,
      'locked',
      { type: 'locked', extra: 1 },
      { type: 'command', command: 'rm -rf' },
      { type: 'other' },
      { type: 'keysRotated', rotated: ['a'] },
      { type: 'keysRotated', rotated: [], failed: [{ name: 'a' }] },
      { type: 'keysRotated', rotated: ['n'.repeat(128)], failed: [] },
      { type: 'keysRotated', rotated: [], failed: [{ name: 'a', message: 'm'.repeat(1001) }] },
    ]) {
      ipc.send(EVENT_CHANNEL, bad);
    }
    ipc.send('coffer:other', { type: 'locked' });
    expect(got).toEqual([{ type: 'locked' }, { type: 'command', command: 'newSecret' }, rotated]);
    unsubscribe();
    ipc.send(EVENT_CHANNEL, { type: 'locked' });
    expect(got).toHaveLength(3);
  });

  it('keeps one IPC listener for any number of subscribers, removed with the last; a throwing subscriber does not stop the others', () => {
    const ipc = fakeIpcOn();
    const events = buildEventsApi(ipc.on);
    const got: string[] = [];
    const a = events.subscribe(() => {
      throw new Error('broken screen');
    });
    const b = events.subscribe(() => got.push('b'));
    expect(ipc.count(EVENT_CHANNEL)).toBe(1);
    ipc.send(EVENT_CHANNEL, { type: 'locked' });
    expect(got).toEqual(['b']);
    a();
    b();
    expect(ipc.count(EVENT_CHANNEL)).toBe(0);
    events.subscribe(() => got.push('c'));
    ipc.send(EVENT_CHANNEL, { type: 'locked' });
    expect(got).toEqual(['b', 'c']);
  });

  it('is frozen with subscribe only, and refuses a non-function', () => {
    const events = buildEventsApi(fakeIpcOn().on);
    expect(Reflect.ownKeys(events)).toEqual(['subscribe']);
    expect(Object.isFrozen(events)).toBe(true);
    expect(Object.getPrototypeOf(events)).toBeNull();
    expect(() => events.subscribe(5 as unknown as () => void)).toThrow(TypeError);
    expect(() => buildEventsApi(undefined as unknown as OnFn)).toThrow(TypeError);
  });

  it('the emulation builds the same shape, fed by its hidden hook', () => {
    const w = runInitScript(recorder().invoke, '__cofferInvoke', '__cofferEmit');
    const emulated = w.cofferEvents as CofferEvents;
    expect(Reflect.ownKeys(emulated)).toEqual(Reflect.ownKeys(buildEventsApi(fakeIpcOn().on)));
    expect(Object.isFrozen(emulated)).toBe(true);
    expect(Object.keys(w)).not.toContain('__cofferEmit');
    const got: AppEvent[] = [];
    const off = emulated.subscribe((e) => got.push(e));
    (w.__cofferEmit as (e: AppEvent) => void)({ type: 'locked' });
    off();
    (w.__cofferEmit as (e: AppEvent) => void)({ type: 'locked' });
    expect(got).toEqual([{ type: 'locked' }]);
    expect(() => preloadInitScript('__cofferInvoke', 'bad-hook')).toThrow(/identifier/);
  });
});

describe('preload layering', () => {
  it("only electron/preload/index.ts touches 'electron', and build-api.ts imports no Node or DOM module", () => {
    const dir = fileURLToPath(new URL('../../../electron/preload/', import.meta.url));
    const files = readdirSync(dir).filter((f) => f.endsWith('.ts'));
    expect(files).toContain('index.ts');
    for (const f of files) {
      const src = readFileSync(dir + f, 'utf8');
      const mentionsElectron = /(from|require\()\s*['"]electron['"]/.test(src);
      expect(mentionsElectron, f).toBe(f === 'index.ts');
    }
    const buildApi = readFileSync(dir + 'build-api.ts', 'utf8');
    const imports = [...buildApi.matchAll(/from\s+'([^']+)'/g)].map((m) => m[1]);
    expect(imports).toEqual(['../../shared/contract.js']);
  });
});
