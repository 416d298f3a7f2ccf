/**
 * The renderer's one door to main: `call(channel, input)` over the
 * `window.coffer` object the preload builds from shared/contract.ts. It never
 * throws: a missing bridge or a rejected promise becomes an error Result, so
 * every caller handles one shape.
 *
 * A write the engine refuses because the open copy lacks changes to members,
 * roles or keys (VaultRolledBack) says first, in the app's words, that nothing
 * was saved and why: every dialog and the page show `message` as it is.
 */
import { L } from '../app/labels.js';
import type { AppEvent, Channel, ChannelInput, ChannelOutput, CofferApi, CofferEvents, ErrorResult, Result } from '../../shared/contract.js';

declare global {
  interface Window {
    coffer?: CofferApi;
    cofferEvents?: CofferEvents;
  }
}

export type { Result, ErrorResult };

export async function call<C extends Channel>(channel: C, input: ChannelInput<C>): Promise<Result<ChannelOutput<C>>> {
  const api = typeof window === 'undefined' ? undefined : window.coffer;
  const method = api?.[channel] as ((i: ChannelInput<C>) => Promise<Result<ChannelOutput<C>>>) | undefined;
  if (typeof method !== 'function') {
    return { ok: false, code: 'Internal', message: 'The app’s main process is not available.' };
  }
  try {
    const r = await method(input);
    if (r && typeof r === 'object' && typeof r.ok === 'boolean') {
      return !r.ok && r.code === 'VaultRolledBack' ? { ...r, message: L.writeRefused(r.message) } : r;
    }
    return { ok: false, code: 'Internal', message: `${channel} returned an unexpected answer.` };
  } catch {
    return { ok: false, code: 'Internal', message: `${channel} could not reach the app’s main process.` };
  }
}

/**
 * Subscribes to main's events (the vault locked by main, a menu command);
 * returns the unsubscribe function. Without the preload's bridge there are no
 * events, and nothing to undo.
 */
export function subscribeMainEvents(listener: (event: AppEvent) => void): () => void {
  const events = typeof window === 'undefined' ? undefined : window.cofferEvents;
  if (!events || typeof events.subscribe !== 'function') return () => undefined;
  return events.subscribe(listener);
}
