/**
 * Builds `window.coffer` from the IPC contract (shared/contract.ts): one
 * method per channel, named after the channel ('vault:open', 'secrets:list',
 * ...), each forwarding its single input, untouched, to
 * `invoke('coffer:<channel>', input)`. Adding a channel to the contract adds a
 * method here; nothing else is exposed — no ipcRenderer, no event object, no
 * generic invoke (ARCHITECTURE.md "Processes"; pattern of GitHub Desktop's
 * `app/src/lib/ipc-shared.ts`).
 *
 * Electron security checklist (electronjs.org/docs/latest/tutorial/security):
 *   §3  "Enable context isolation": the page sees only what contextBridge copies;
 *   §20 "Do not expose Electron APIs to untrusted web content": the methods
 *       close over `invoke` and take one argument, so a page can neither reach
 *       ipcRenderer nor choose a channel outside the contract;
 *   §17 main still validates every sender and input (electron/main/ipc/).
 *
 * This file is pure TypeScript (no 'electron', no DOM): it is unit-tested in
 * Node. The Electron-only entry is ./index.ts; the browser tests' emulation is
 * `preloadInitScript()` below, which builds the same shape.
 */
import {
  appEventSchema,
  CHANNELS,
  EVENT_CHANNEL,
  IPC_PREFIX,
  ipcChannel,
  type AppEvent,
  type Channel,
  type CofferApi,
  type CofferEvents,
  type ErrorResult,
} from '../../shared/contract.js';

/** ipcRenderer.invoke's shape, narrowed to one input (the contract's calls take exactly one). */
export type InvokeFn = (channel: string, input: unknown) => Promise<unknown>;

/**
 * What a method answers when the call never reached a handler (ipcRenderer.invoke
 * rejects, e.g. "No handler registered"): still a Result, as every CofferApi call
 * promises, with a fixed message (the rejection's text may hold internals).
 */
export function unreachableResult(channel: Channel): ErrorResult {
  return { ok: false, code: 'Internal', message: `${channel} could not reach the app's main process.` };
}

export function buildCofferApi(invoke: InvokeFn): CofferApi {
  if (typeof invoke !== 'function') throw new TypeError('buildCofferApi: invoke must be a function');
  // Null prototype: the object's only properties are the channels (no toString,
  // constructor or __proto__ to reach through).
  const api = Object.create(null) as Record<Channel, (input: unknown) => Promise<unknown>>;
  for (const channel of CHANNELS) {
    const name = ipcChannel(channel);
    // One parameter: extra arguments are dropped, so main always gets exactly one
    // (register.ts refuses more).
    const method = async (input: unknown): Promise<unknown> => {
      try {
        return await invoke(name, input);
      } catch {
        return unreachableResult(channel);
      }
    };
    Object.defineProperty(api, channel, { value: Object.freeze(method), enumerable: true, writable: false, configurable: false });
  }
  return Object.freeze(api) as unknown as CofferApi;
}

/**
 * ipcRenderer.on / removeListener, narrowed: `on` subscribes a payload
 * listener to a channel and returns how to unsubscribe.
 */
export type OnFn = (channel: string, listener: (payload: unknown) => void) => () => void;

/**
 * `window.cofferEvents` from main's one event channel (EVENT_CHANNEL): each
 * payload is parsed with the contract's appEventSchema (anything else is
 * dropped) and the listener gets the parsed copy only, never Electron's event
 * object (§20). A listener that throws does not stop the others.
 */
export function buildEventsApi(on: OnFn): CofferEvents {
  if (typeof on !== 'function') throw new TypeError('buildEventsApi: on must be a function');
  const listeners = new Set<(event: AppEvent) => void>();
  let unsubscribe: (() => void) | undefined;
  const dispatch = (payload: unknown): void => {
    const parsed = appEventSchema.safeParse(payload);
    if (!parsed.success) return;
    for (const l of [...listeners]) {
      try {
        l(parsed.data);
      } catch {
        // One screen's failure must not keep the others from, say, clearing on lock.
      }
    }
  };
  const api = Object.create(null) as CofferEvents;
  Object.defineProperty(api, 'subscribe', {
    enumerable: true,
    value: Object.freeze((listener: (event: AppEvent) => void): (() => void) => {
      if (typeof listener !== 'function') throw new TypeError('cofferEvents.subscribe: listener must be a function');
      listeners.add(listener);
      // One IPC listener however many subscribers (Node warns past ten per channel).
      unsubscribe ??= on(EVENT_CHANNEL, dispatch);
      return () => {
        listeners.delete(listener);
        if (listeners.size === 0 && unsubscribe) {
          unsubscribe();
          unsubscribe = undefined;
        }
      };
    }),
  });
  return Object.freeze(api);
}

/** A JS identifier: the binding name is pasted into source code. */
const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/**
 * The source of a Playwright `page.addInitScript` that emulates the preload in
 * browser tests (TOOLCHAIN.md "The renderer in a real browser"): the test calls
 * `page.exposeBinding(bindingName, (source, channel, input) => ...)` FIRST,
 * then adds this script, which builds the same `window.coffer` as
 * buildCofferApi (channels from the contract, same names, same forwarding, same
 * Result on a failed call, frozen, null prototype) and the same
 * `window.cofferEvents` as buildEventsApi (main's events arrive through the
 * optional, non-enumerable `eventHookName` function, which the test calls with
 * page.evaluate), defines them read-only as contextBridge does, and deletes the raw binding so the page cannot call an
 * arbitrary channel. Init scripts run before any page script, so the page never
 * sees the binding.
 *
 * Kept as hand-written ES2020 (not `fn.toString()` of compiled code, which may
 * carry bundler helpers); test/unit/preload checks it behaves as buildCofferApi.
 */
export function preloadInitScript(bindingName: string, eventHookName?: string): string {
  for (const n of [bindingName, ...(eventHookName === undefined ? [] : [eventHookName])]) {
    if (!IDENTIFIER.test(n)) throw new Error(`preloadInitScript: binding name must be a JS identifier, got ${JSON.stringify(n)}`);
  }
  const hook = JSON.stringify(eventHookName ?? null);
  const binding = JSON.stringify(bindingName);
  const channels = JSON.stringify(CHANNELS);
  const prefix = JSON.stringify(IPC_PREFIX);
  return `(() => {
  'use strict';
  const w = window;
  const invoke = w[${binding}];
  if (typeof invoke !== 'function') throw new Error('coffer preload emulation: binding ' + ${binding} + ' is missing');
  const channels = ${channels};
  const api = Object.create(null);
  for (const channel of channels) {
    const name = ${prefix} + channel;
    const method = async (input) => {
      try {
        return await invoke(name, input);
      } catch (e) {
        return { ok: false, code: 'Internal', message: channel + " could not reach the app's main process." };
      }
    };
    Object.defineProperty(api, channel, { value: Object.freeze(method), enumerable: true, writable: false, configurable: false });
  }
  Object.freeze(api);
  Object.defineProperty(w, 'coffer', { value: api, enumerable: true, writable: false, configurable: false });
  // window.cofferEvents as buildEventsApi builds it; main's side is the hook below
  // (the test validates each payload with appEventSchema before it calls the hook).
  const listeners = new Set();
  const events = Object.create(null);
  Object.defineProperty(events, 'subscribe', { enumerable: true, value: Object.freeze((listener) => {
    if (typeof listener !== 'function') throw new TypeError('cofferEvents.subscribe: listener must be a function');
    listeners.add(listener);
    return () => { listeners.delete(listener); };
  }) });
  Object.freeze(events);
  Object.defineProperty(w, 'cofferEvents', { value: events, enumerable: true, writable: false, configurable: false });
  const hook = ${hook};
  if (hook !== null) {
    Object.defineProperty(w, hook, { enumerable: false, writable: false, configurable: false, value: (payload) => {
      for (const l of [...listeners]) { try { l(payload); } catch (e) { /* as buildEventsApi */ } }
    } });
  }
  try { delete w[${binding}]; } catch (e) { /* non-configurable: overwrite below */ }
  if (${binding} in w) { try { w[${binding}] = undefined; } catch (e) { /* nothing more to do */ } }
})();
`;
}
