/** checkSender (electron/main/ipc/sender.ts): the reasons, as VS Code's validateEvent distinguishes them. */
import { describe, expect, it } from 'vitest';
import { assertValidOrigin, checkSender } from '../../../../electron/main/ipc/sender.js';
import { APP_FRAME, ORIGIN, frame } from '../helpers.js';

describe('checkSender', () => {
  it('accepts the app page in the top frame', () => {
    expect(checkSender({ senderFrame: APP_FRAME }, ORIGIN)).toEqual({ ok: true });
    expect(checkSender({ senderFrame: frame(`${ORIGIN}/deep/page.html?q=1#x`, { origin: ORIGIN }) }, ORIGIN)).toEqual({ ok: true });
    // Scheme and host compare case-insensitively in URLs.
    expect(checkSender({ senderFrame: frame('HTTPS://Coffer.Invalid/', { origin: ORIGIN }) }, ORIGIN)).toEqual({ ok: true });
  });

  it('names why a sender is refused', () => {
    expect(checkSender({ senderFrame: null }, ORIGIN)).toEqual({ ok: false, reason: 'no-frame' });
    expect(checkSender({ senderFrame: undefined }, ORIGIN)).toEqual({ ok: false, reason: 'no-frame' });
    expect(checkSender(undefined, ORIGIN)).toEqual({ ok: false, reason: 'no-frame' });
    expect(checkSender({ senderFrame: frame(`${ORIGIN}/`, { origin: ORIGIN, parent: APP_FRAME }) }, ORIGIN)).toEqual({ ok: false, reason: 'subframe' });
    expect(checkSender({ senderFrame: frame('https://evil.example/', { origin: 'https://evil.example' }) }, ORIGIN)).toEqual({ ok: false, reason: 'origin' });
    expect(checkSender({ senderFrame: frame('', { origin: ORIGIN }) }, ORIGIN)).toEqual({ ok: false, reason: 'origin' });
  });

  it('allowed origins are scheme://host[:port]', () => {
    for (const o of ['app://coffer', 'https://coffer.invalid', 'http://127.0.0.1:5173']) expect(() => assertValidOrigin(o)).not.toThrow();
    for (const o of ['null', '*', 'app://coffer/', 'https://', 'coffer.invalid']) expect(() => assertValidOrigin(o)).toThrow();
  });
});
