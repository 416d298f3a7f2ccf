// The CLI's small parts: error lines, JSON output, passphrase sources, the hidden prompt.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { CommanderError } from 'commander';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CliCancelled, formatErrorLine, reportError } from '../../../electron/cli/errors.js';
import { defaultIo } from '../../../electron/cli/io.js';
import { formatJson, withoutValue } from '../../../electron/cli/output.js';
import { readHiddenLine } from '../../../electron/cli/prompt.js';
import { NO_WAY_TO_UNLOCK, obtainPassphrase, stripOneNewline } from '../../../electron/cli/unlock.js';
import { CofferError, EXIT_CODES, type ErrorCode } from '../../../electron/vault/errors.js';
import { testIo } from './fake-engine.js';

const text = (bytes: Uint8Array): string => Buffer.from(bytes).toString('utf8');

describe('error lines', () => {
  it('formats Code: message and Code: InnerCode: message on one line', () => {
    expect(formatErrorLine('SecretNotFound', 'A secret with (name/id) db was not found in this key vault.')).toBe(
      'coffer: error: SecretNotFound: A secret with (name/id) db was not found in this key vault.',
    );
    expect(formatErrorLine('Forbidden', 'Operation get is not allowed on a disabled secret.', 'SecretDisabled')).toBe(
      'coffer: error: Forbidden: SecretDisabled: Operation get is not allowed on a disabled secret.',
    );
    expect(formatErrorLine('BadParameter', "unknown command 'x'\n(Did you mean y?)")).toBe(
      "coffer: error: BadParameter: unknown command 'x' (Did you mean y?)",
    );
  });

  it('maps every CofferError code to its exit code', () => {
    for (const [code, exit] of Object.entries(EXIT_CODES) as [ErrorCode, number][]) {
      const io = testIo({});
      expect(reportError(defaultIo(io), new CofferError(code, 'm'))).toBe(exit);
      expect(io.err()).toBe(`coffer: error: ${code}: m\n`);
    }
  });

  it('maps parser errors to BadParameter (2), cancellations to 130 and anything else to Internal (1)', () => {
    const io = testIo({});
    expect(reportError(defaultIo(io), new CommanderError(1, 'commander.unknownOption', "error: unknown option '--x'"))).toBe(2);
    expect(reportError(defaultIo(io), new CliCancelled())).toBe(130);
    expect(reportError(defaultIo(io), 'a thrown string')).toBe(1);
    expect(io.err()).toBe(
      "coffer: error: BadParameter: unknown option '--x'\n" +
        'coffer: cancelled\n' +
        'coffer: error: Internal: Unexpected string; set COFFER_DEBUG=1 to see the details.\n',
    );
  });
});

describe('output', () => {
  it('prints JSON on one line off a terminal and indented on one', () => {
    const value = { id: 'x', attributes: { enabled: true } };
    expect(formatJson(value, false)).toBe('{"id":"x","attributes":{"enabled":true}}\n');
    expect(formatJson(value, true)).toBe('{\n  "id": "x",\n  "attributes": {\n    "enabled": true\n  }\n}\n');
  });

  it('drops the value of a bundle without touching the original', () => {
    const bundle = { id: 'x', value: 'secret', contentType: 't' };
    expect(withoutValue(bundle)).toEqual({ id: 'x', contentType: 't' });
    expect(bundle.value).toBe('secret');
  });
});

describe('passphrase sources', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'coffer-unlock-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('strips exactly one trailing newline', () => {
    const strip = (s: string) => text(stripOneNewline(Buffer.from(s)));
    expect(strip('pw\n')).toBe('pw');
    expect(strip('pw\r\n')).toBe('pw');
    expect(strip('pw\n\n')).toBe('pw\n');
    expect(strip('pw')).toBe('pw');
    expect(strip(' pw \n')).toBe(' pw ');
  });

  it('takes the file first, then the environment, then the prompt', async () => {
    await writeFile(join(dir, 'pw'), 'file pw\n');
    const io = (env: Record<string, string>, stdinTTY: boolean) =>
      defaultIo(testIo({ env, stdinTTY, cwd: dir, readPassphrase: async () => new Uint8Array(Buffer.from('typed')) }));
    const base = { vaultPath: '/v.coffer', purpose: 'open' as const };
    expect(text(await obtainPassphrase({ ...base, io: io({ COFFER_PASSPHRASE: 'env' }, true), passphraseFile: 'pw' }))).toBe(
      'file pw',
    );
    expect(text(await obtainPassphrase({ ...base, io: io({ COFFER_PASSPHRASE: 'env' }, true), passphraseFile: undefined }))).toBe(
      'env',
    );
    expect(text(await obtainPassphrase({ ...base, io: io({ COFFER_PASSPHRASE: '' }, true), passphraseFile: undefined }))).toBe(
      'typed',
    );
    await expect(obtainPassphrase({ ...base, io: io({}, false), passphraseFile: undefined })).rejects.toMatchObject({
      code: 'VaultLocked',
      message: NO_WAY_TO_UNLOCK,
    });
  });

  it('refuses an empty passphrase file', async () => {
    await writeFile(join(dir, 'empty'), '\n');
    await expect(
      obtainPassphrase({
        io: defaultIo(testIo({ cwd: dir })),
        passphraseFile: 'empty',
        vaultPath: '/v',
        purpose: 'open',
      }),
    ).rejects.toMatchObject({ code: 'BadParameter' });
  });
});

describe('hidden prompt', () => {
  function fakeTty() {
    const stream = new PassThrough() as PassThrough & { isTTY: boolean; isRaw: boolean; setRawMode: (m: boolean) => void };
    stream.isTTY = true;
    stream.isRaw = false;
    stream.setRawMode = (mode: boolean) => {
      stream.isRaw = mode;
    };
    return stream;
  }

  it('reads to Enter without echo, with Backspace (UTF-8 aware) and Ctrl-U', async () => {
    const stdin = fakeTty();
    const io = testIo({});
    const pending = readHiddenLine('Passphrase: ', stdin, defaultIo(io).stderr);
    expect(stdin.isRaw).toBe(true);
    stdin.write('junk\x15');
    stdin.write('pé\x7fa');
    stdin.write('ss\x1b\rignored');
    const result = await pending;
    expect(text(result)).toBe('pass');
    expect(stdin.isRaw).toBe(false);
    expect(io.err()).toBe('Passphrase: \n');
  });

  it('cancels on Ctrl-C', async () => {
    const stdin = fakeTty();
    const pending = readHiddenLine('Passphrase: ', stdin, defaultIo(testIo({})).stderr);
    stdin.write('abc\x03');
    await expect(pending).rejects.toBeInstanceOf(CliCancelled);
    expect(stdin.isRaw).toBe(false);
  });

  it('ends at the end of input', async () => {
    const stdin = fakeTty();
    const pending = readHiddenLine('P: ', stdin, defaultIo(testIo({})).stderr);
    stdin.end('xyz');
    expect(text(await pending)).toBe('xyz');
  });
});
