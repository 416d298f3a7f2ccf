/**
 * The IPC gate (electron/main/ipc/register.ts) with spy handlers: every
 * channel of the contract is registered, a refused sender never reaches a
 * handler, a bad input never reaches a handler, errors become results.
 */
import { describe, expect, it, vi } from 'vitest';
import { CHANNELS, ipcChannel, type Channel } from '../../../../shared/contract.js';
import { registerHandlers, type Handlers } from '../../../../electron/main/ipc/register.js';
import { CofferError } from '../../../../electron/vault/errors.js';
import { APP_FRAME, FakeIpcMain, ORIGIN, frame } from '../helpers.js';

/** A handler per channel that records its calls and answers `null`. */
function spyHandlers(impl?: (channel: Channel, input: unknown) => unknown) {
  const calls: { channel: Channel; input: unknown }[] = [];
  const handlers = Object.fromEntries(
    CHANNELS.map((c) => [
      c,
      async (input: unknown) => {
        calls.push({ channel: c, input });
        return impl ? impl(c, input) : null;
      },
    ]),
  ) as unknown as Handlers;
  return { handlers, calls };
}

/** A valid input per channel (the smallest the schema accepts). */
const VALID: Record<Channel, unknown> = {
  'vault:create': { path: '/tmp/x/a.coffer', passphrase: 'p' },
  'vault:open': { path: '/tmp/x/a.coffer', passphrase: 'p' },
  'vault:createWithIdentity': { path: '/tmp/x/a.coffer' },
  'vault:openWithIdentity': { path: '/tmp/x/a.coffer', passphrase: 'p' },
  'vault:unlockWithKeychain': { path: '/tmp/x/a.coffer' },
  'vault:resetPassphrase': { path: '/tmp/x/a.coffer', recoveryKey: 'k', newPassphrase: 'p' },
  'vault:remember': { passphrase: 'p' },
  'vault:forget': { path: '/tmp/x/a.coffer' },
  'vault:changePassphrase': { current: 'p', next: 'q' },
  'vault:createRecoveryKey': { passphrase: 'p' },
  'vault:removeRecoveryKey': {},
  'vault:lock': {},
  'vault:status': {},
  'vault:recent': {},
  'vault:suggestPath': {},
  'vault:history': {},
  'vault:refound': { path: '/tmp/x/b.coffer' },
  'vault:conflictedCopies': {},
  'vault:mergeConflictedCopies': {},
  'dialog:chooseVault': {},
  'dialog:chooseNewVault': { defaultPath: '/tmp/x/a.coffer' },
  'secrets:list': {},
  'secrets:listVersions': { name: 'a' },
  'secrets:listDeleted': {},
  'secrets:set': { name: 'a', value: '' },
  'secrets:update': { name: 'a', patch: {} },
  'secrets:delete': { name: 'a' },
  'secrets:recover': { name: 'a' },
  'secrets:purge': { name: 'a' },
  'secrets:reveal': { name: 'a' },
  'secrets:copy': { name: 'a', version: '0123456789abcdef0123456789ABCDEF' },
  'keys:list': {},
  'keys:listVersions': { name: 'a' },
  'keys:listDeleted': {},
  'keys:copyPublic': { name: 'a', format: 'pem' },
  'keys:get': { name: 'a', version: '0123456789abcdef0123456789ABCDEF' },
  'keys:create': { name: 'a', kty: 'EC' },
  'keys:import': { name: 'a', text: '{}' },
  'keys:update': { name: 'a', patch: {} },
  'keys:delete': { name: 'a' },
  'keys:recover': { name: 'a' },
  'keys:purge': { name: 'a' },
  'keys:rotate': { name: 'a' },
  'keys:getRotationPolicy': { name: 'a' },
  'keys:updateRotationPolicy': { name: 'a', lifetimeActions: [] },
  'keys:encrypt': { name: 'a', algorithm: 'RSA-OAEP-256', value: '' },
  'keys:decrypt': { name: 'a', algorithm: 'A256GCM', value: 'AA', iv: 'AAAAAAAAAAAAAAAA', tag: 'AAAAAAAAAAAAAAAAAAAAAA' },
  'keys:sign': { name: 'a', algorithm: 'ES256', data: '' },
  'keys:verify': { name: 'a', algorithm: 'ES256', data: '', signature: '' },
  'certificates:list': {},
  'certificates:listVersions': { name: 'a' },
  'certificates:listDeleted': {},
  'certificates:get': { name: 'a' },
  'certificates:defaultPolicy': {},
  'certificates:create': { name: 'a', policy: {} },
  'certificates:import': { name: 'a', value: 'AA' },
  'certificates:export': { name: 'a', format: 'PEM' },
  'certificates:update': { name: 'a', patch: {} },
  'certificates:getPolicy': { name: 'a' },
  'certificates:updatePolicy': { name: 'a', policy: {} },
  'certificates:delete': { name: 'a' },
  'certificates:recover': { name: 'a' },
  'certificates:purge': { name: 'a' },
  'certificates:renew': { name: 'a' },
  'certificates:getPending': { name: 'a' },
  'certificates:mergePending': { name: 'a', file: 'AA' },
  'certificates:cancelPending': { name: 'a' },
  'certificates:deletePending': { name: 'a' },
  'certificates:copyCsr': { name: 'a' },
  'certificates:listCas': {},
  'certificates:listIssuers': {},
  'certificates:createIssuer': { name: 'a', directoryUrl: 'https://acme.example/dir', challenge: 'http-01', termsAgreed: true },
  'certificates:updateIssuer': { name: 'a', patch: {} },
  'certificates:deleteIssuer': { name: 'a' },
  'certificates:revoke': { name: 'a' },
  'certificates:dnsReady': { id: '0f8a2c1e-3b4d-4e5f-8a9b-0c1d2e3f4a5b' },
  'certificates:dnsCancel': { id: '0f8a2c1e-3b4d-4e5f-8a9b-0c1d2e3f4a5b' },
  'certificates:getContacts': {},
  'certificates:setContacts': { contacts: [] },
  'certificates:deleteContacts': {},
  'members:list': {},
  'members:readInvite': { invite: 'coffer-invite:AAAA' },
  'members:add': { invite: 'coffer-invite:AAAA', roles: ['Key Vault Reader'] },
  'members:setRoles': { signPub: 'A'.repeat(43), roles: ['Key Vault Reader'] },
  'members:remove': { signPub: 'A'.repeat(43) },
  'members:needsRotation': {},
  'members:grant': { signPub: 'A'.repeat(43), object: 'secrets/db', role: 'Key Vault Secrets User' },
  'members:revokeGrant': { signPub: 'A'.repeat(43), object: 'secrets/db' },
  'identity:get': {},
  'identity:create': { name: 'Ann', passphrase: 'p' },
  'identity:copyInvite': {},
  'identity:remember': { passphrase: 'p' },
  'identity:forget': {},
  'settings:get': {},
  'settings:set': { clipboardClearSeconds: 10 },
};

function setup(impl?: (channel: Channel, input: unknown) => unknown) {
  const ipc = new FakeIpcMain();
  const spy = spyHandlers(impl);
  const refused: string[] = [];
  const unexpected: unknown[] = [];
  const reg = registerHandlers(ipc, spy.handlers, {
    allowedOrigin: ORIGIN,
    onRefused: (c, reason) => refused.push(`${c}:${reason}`),
    onUnexpectedError: (_c, e) => unexpected.push(e),
  });
  return { ipc, ...spy, refused, unexpected, reg };
}

describe('registerHandlers', () => {
  it('registers exactly the contract channels, each as coffer:<channel>', () => {
    const { ipc } = setup();
    expect([...ipc.handlers.keys()].sort()).toEqual(CHANNELS.map((c) => `coffer:${c}`).sort());
    expect(CHANNELS.length).toBe(95);
  });

  it('dispose() removes every handler', () => {
    const { ipc, reg } = setup();
    reg.dispose();
    expect(ipc.handlers.size).toBe(0);
  });

  it('refuses a handler table that is not the contract', () => {
    const { handlers } = spyHandlers();
    const missing = { ...handlers } as Partial<Handlers>;
    delete missing['secrets:copy'];
    expect(() => registerHandlers(new FakeIpcMain(), missing as Handlers, { allowedOrigin: ORIGIN })).toThrow(/exactly the contract/);
    const extra = { ...handlers, 'secrets:export': async () => null } as unknown as Handlers;
    expect(() => registerHandlers(new FakeIpcMain(), extra, { allowedOrigin: ORIGIN })).toThrow(/exactly the contract/);
  });

  it.each(['null', '*', 'app://coffer/', 'APP://coffer', 'coffer', ''])('refuses allowedOrigin %j', (origin) => {
    expect(() => registerHandlers(new FakeIpcMain(), spyHandlers().handlers, { allowedOrigin: origin })).toThrow(/allowedOrigin/);
  });

  it.each(CHANNELS)('%s: a valid call from the app frame reaches the handler with the parsed input', async (channel) => {
    const { ipc, calls } = setup();
    const r = await ipc.invoke(ipcChannel(channel), APP_FRAME, VALID[channel]);
    expect(r).toEqual({ ok: true, value: null });
    expect(calls).toEqual([{ channel, input: VALID[channel] }]);
  });

  const badSenders: [string, ReturnType<typeof frame> | null][] = [
    ['another origin', frame('https://evil.example/index.html', { origin: 'https://evil.example' })],
    ['http instead of https', frame('http://coffer.invalid/index.html', { origin: 'http://coffer.invalid' })],
    ['another port', frame('https://coffer.invalid:8443/', { origin: 'https://coffer.invalid:8443' })],
    ['a look-alike host', frame('https://coffer.invalid.evil.example/', { origin: 'https://coffer.invalid.evil.example' })],
    ['a subframe of the app', frame(`${ORIGIN}/frame.html`, { origin: ORIGIN, parent: APP_FRAME })],
    ['a foreign subframe', frame('https://evil.example/', { origin: 'https://evil.example', parent: APP_FRAME })],
    ['a destroyed frame (null)', null],
    ['about:blank with the app origin', frame('about:blank', { origin: ORIGIN })],
    ['a data: URL', frame('data:text/html,hi', { origin: 'null' })],
    ['a file: URL', frame('file:///etc/passwd', { origin: 'file://' })],
    ['a URL with userinfo', frame('https://coffer.invalid@evil.example/', {})],
    ['origin and URL that disagree', frame('https://evil.example/', { origin: ORIGIN })],
  ];

  describe.each(badSenders)('a sender that is %s', (_label, senderFrame) => {
    it.each(CHANNELS)('%s: Forbidden, the handler never runs', async (channel) => {
      const { ipc, calls, refused } = setup();
      const r = (await ipc.invoke(ipcChannel(channel), senderFrame, VALID[channel])) as { ok: boolean; code: string; message: string };
      expect(r.ok).toBe(false);
      expect(r.code).toBe('Forbidden');
      expect(r.message).toContain(channel);
      expect(calls).toEqual([]);
      expect(refused).toHaveLength(1);
    });
  });

  it('checks the sender before the input: a foreign sender with a bad input gets Forbidden', async () => {
    const { ipc } = setup();
    const r = await ipc.invoke('coffer:secrets:set', frame('https://evil.example/', { origin: 'https://evil.example' }), { bogus: 1 });
    expect(r).toMatchObject({ ok: false, code: 'Forbidden' });
  });

  it('accepts a frame without `origin` (older Electron) by its URL', async () => {
    const { ipc } = setup();
    expect(await ipc.invoke('coffer:vault:status', frame(`${ORIGIN}/`), {})).toEqual({ ok: true, value: null });
    expect(await ipc.invoke('coffer:vault:status', frame('https://evil.example/'), {})).toMatchObject({ code: 'Forbidden' });
  });

  it('accepts app://coffer when that is the allowed origin (Electron)', async () => {
    const ipc = new FakeIpcMain();
    registerHandlers(ipc, spyHandlers().handlers, { allowedOrigin: 'app://coffer' });
    expect(await ipc.invoke('coffer:vault:status', frame('app://coffer/index.html', { origin: 'app://coffer' }), {})).toEqual({ ok: true, value: null });
    expect(await ipc.invoke('coffer:vault:status', APP_FRAME, {})).toMatchObject({ code: 'Forbidden' });
  });

  it.each(CHANNELS)('%s: non-object inputs, unknown fields and extra arguments are BadParameter, the handler never runs', async (channel) => {
    const { ipc, calls } = setup();
    const bad: unknown[][] = [[undefined], [null], ['text'], [42], [[]], [{ ...(VALID[channel] as object), bogusField: 1 }], [VALID[channel], 'extra']];
    for (const args of bad) {
      const r = (await ipc.invoke(ipcChannel(channel), APP_FRAME, ...args)) as { ok: boolean; code: string; message: string };
      expect(r.ok, JSON.stringify(args)).toBe(false);
      expect(r.code).toBe('BadParameter');
      expect(r.message).toMatch(new RegExp(`^Invalid input for ${channel}: `));
    }
    const unknown = (await ipc.invoke(ipcChannel(channel), APP_FRAME, { ...(VALID[channel] as object), bogusField: 1 })) as { message: string };
    expect(unknown.message).toContain('unknown field bogusField');
    expect(calls).toEqual([]);
  });

  it('maps a CofferError to its code, innerCode and message', async () => {
    const { ipc } = setup(() => {
      throw new CofferError('Forbidden', 'Operation get is not allowed on a disabled secret.', { innerCode: 'SecretDisabled' });
    });
    expect(await ipc.invoke('coffer:secrets:reveal', APP_FRAME, { name: 'a' })).toEqual({
      ok: false,
      code: 'Forbidden',
      innerCode: 'SecretDisabled',
      message: 'Operation get is not allowed on a disabled secret.',
    });
  });

  it('maps any other error to Internal with a generic message (the original is logged, not sent)', async () => {
    const { ipc, unexpected } = setup(() => {
      throw new Error('ENOENT: /home/someone/.secret-path');
    });
    const r = (await ipc.invoke('coffer:secrets:list', APP_FRAME, {})) as { ok: boolean; code: string; message: string };
    expect(r).toEqual({ ok: false, code: 'Internal', message: 'secrets:list failed unexpectedly; see the application log.' });
    expect(unexpected).toHaveLength(1);
    // A thrown non-Error too.
    const { ipc: ipc2 } = setup(() => {
      throw 'a string';
    });
    expect(await ipc2.invoke('coffer:secrets:list', APP_FRAME, {})).toMatchObject({ ok: false, code: 'Internal' });
  });

  it('never throws across IPC, even for a handler that rejects asynchronously', async () => {
    const { ipc } = setup(() => Promise.reject(new TypeError('boom')));
    await expect(ipc.invoke('coffer:settings:get', APP_FRAME, {})).resolves.toMatchObject({ ok: false, code: 'Internal' });
  });

  it('gives the handler the parsed data, not the caller object', async () => {
    const seen = vi.fn();
    const { ipc } = setup((_c, input) => {
      seen(input);
      return null;
    });
    const input = { name: 'a', value: 'v' };
    await ipc.invoke('coffer:secrets:set', APP_FRAME, input);
    expect(seen.mock.calls[0]?.[0]).toEqual(input);
    expect(seen.mock.calls[0]?.[0]).not.toBe(input);
  });
});
