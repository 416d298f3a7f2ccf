// The CLI in-process, with a fake engine: parsing, option mapping, output
// shapes, error lines and exit codes. The real engine is exercised by
// e2e.test.ts through the built binary.
import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { main } from '../../../electron/cli/main.js';
import { CofferError } from '../../../electron/vault/errors.js';
import { fakeEngine, testIo, type FakeEngine } from './fake-engine.js';

let home: string;
let vaultPath: string;
let engine: FakeEngine;

beforeEach(async () => {
  home = await mkdtemp(join(tmpdir(), 'coffer-cli-'));
  vaultPath = join(home, 'personal.coffer');
  await writeFile(vaultPath, 'not really a vault\n');
  engine = fakeEngine();
});

afterEach(async () => {
  await rm(home, { recursive: true, force: true });
});

/** Runs `coffer args` in-process with COFFER_HOME=home, the fake engine and COFFER_PASSPHRASE set. */
async function run(
  args: string[],
  options: Parameters<typeof testIo>[0] & { noPassphrase?: boolean } = {},
): Promise<{ code: number; out: Buffer; stdout: string; stderr: string }> {
  const env: Record<string, string | undefined> = { COFFER_HOME: home, ...options.env };
  if (options.noPassphrase !== true) env.COFFER_PASSPHRASE ??= 'correct horse';
  const io = testIo({ engine, cwd: home, ...options, env });
  const code = await main(args, io);
  return { code, out: io.out(), stdout: io.out().toString('utf8'), stderr: io.err() };
}

const ERROR_LINE = /^coffer: error: [A-Za-z]+: (?:[A-Za-z]+: )?[^\n]+\n$/;

describe('help and usage', () => {
  it('prints the main help with the groups, environment and exit codes (exit 0)', async () => {
    const r = await run(['--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Usage: coffer [--vault FILE] [--passphrase-file FILE] GROUP VERB [options]');
    for (const word of ['vault', 'secret', 'git', 'COFFER_PASSPHRASE', 'COFFER_HOME', 'Exit codes']) {
      expect(r.stdout).toContain(word);
    }
    expect(r.stderr).toBe('');
  });

  it('says in the main help that a copy lacking commits opens with a warning, and when writes fail', async () => {
    const r = await run(['--help']);
    const text = r.stdout.replace(/\s+/g, ' ');
    expect(text).toContain('opens with a one-line warning naming what it lacks');
    expect(text).toContain('change members, roles or keys: then writes fail with VaultRolledBack (exit 5)');
    expect(text).toContain('`coffer vault merge --other FILE`');
    expect(text).toContain('the OS keychain if this computer remembers the vault');
    expect(text).not.toMatch(/lacks commits[^.]*fails with VaultRolledBack/);
    const verb = (await run(['secret', 'list', '--help'])).stdout.replace(/\s+/g, ' ');
    expect(verb).toContain('--accept-rollback use a copy that lacks commits this computer saw before');
    expect(verb).toContain('this computer forgets those commits');
  });

  it('prints the secret help listing every verb', async () => {
    const r = await run(['secret', '--help']);
    expect(r.code).toBe(0);
    for (const verb of [
      'set', 'show', 'get', 'list', 'list-versions', 'set-attributes', 'delete', 'list-deleted',
      'show-deleted', 'recover', 'purge', 'backup', 'restore', 'download', 'import',
    ]) {
      expect(r.stdout).toMatch(new RegExp(`\\n  ${verb} `));
    }
    expect(r.stdout).toContain('WITHOUT the value');
  });

  it('prints help for a verb, including the common options', async () => {
    const r = await run(['secret', 'set', '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('--value-stdin');
    expect(r.stdout).toContain('--vault <file>');
    expect(r.stdout).toContain('--passphrase-file <file>');
    const viaHelp = await run(['help', 'secret']);
    expect(viaHelp.code).toBe(0);
    expect(viaHelp.stdout).toContain('list-deleted');
  });

  it('prints the version', async () => {
    const r = await run(['--version']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^\d+\.\d+\.\d+\n$/);
  });

  it('exits 2 with the help on stderr when no command is given', async () => {
    for (const args of [[], ['secret'], ['vault']]) {
      const r = await run(args);
      expect(r.code).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr).toContain('Usage:');
    }
  });

  it.each([
    [['bogus'], /unknown command 'bogus'/],
    [['secret', 'sett', '-n', 'x'], /unknown command 'sett'.*Did you mean set\?/],
    [['secret', 'show'], /required option '-n, --name <name>' not specified/],
    [['secret', 'show', '-n', 'x', '--bogus'], /unknown option '--bogus'/],
    [['secret', 'list', 'extra'], /too many arguments/],
    [['secret', 'set', '-n', 'x', '--tags'], /argument missing/],
    [['secret', 'import', '-f', 'x.env', '--format', 'xml'], /Allowed choices are json, dotenv/],
    [['vault', 'create', '--retention-days', 'ten'], /Must be a whole number/],
    [['vault', 'merge-driver', 'a', 'b'], /missing required argument 'theirs'/],
  ])('usage error %j exits 2 with one BadParameter line', async (args, message) => {
    const r = await run(args);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(ERROR_LINE);
    expect(r.stderr).toMatch(/^coffer: error: BadParameter: /);
    expect(r.stderr).toMatch(message);
    expect(engine.calls).toEqual([]);
  });

  it('refuses zero or several value sources for secret set (exit 2), before unlocking', async () => {
    for (const args of [
      ['secret', 'set', '-n', 'x'],
      ['secret', 'set', '-n', 'x', '--value', 'v', '--value-stdin'],
      ['secret', 'set', '-n', 'x', '--value', 'v', '--file', 'f'],
    ]) {
      const r = await run(args);
      expect(r.code).toBe(2);
      expect(r.stderr).toBe('coffer: error: BadParameter: Give exactly one of --value, --file and --value-stdin\n');
    }
    expect(engine.calls).toEqual([]);
  });

  it('refuses partial KDF parameters (exit 2)', async () => {
    await rm(vaultPath);
    const r = await run(['vault', 'create', '--kdf-memory', '8']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/BadParameter: Give --kdf-memory, --kdf-iterations and --kdf-parallelism together/);
  });

  it('reports bad attribute values from the parsers as BadParameter (exit 2)', async () => {
    const bad = await run(['secret', 'set-attributes', '-n', 'x', '--enabled', 'maybe']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/^coffer: error: BadParameter: .*--enabled/);
    const time = await run(['secret', 'set', '-n', 'x', '--value', 'v', '--expires', 'next tuesday']);
    expect(time.code).toBe(2);
    expect(time.stderr).toMatch(/^coffer: error: BadParameter: .*--expires/);
  });
});

describe('unlocking', () => {
  it('fails at once with VaultLocked (exit 4) without a terminal or a passphrase', async () => {
    const r = await run(['secret', 'list'], { noPassphrase: true });
    expect(r.code).toBe(4);
    expect(r.stderr).toBe(
      'coffer: error: VaultLocked: No way to unlock: pass --passphrase-file, set COFFER_PASSPHRASE or run in a terminal\n',
    );
    expect(engine.calls.map((c) => c.method)).not.toContain('openVault');
  });

  it('reads --passphrase-file without its trailing newline, before $COFFER_PASSPHRASE, and wipes it', async () => {
    await writeFile(join(home, 'pw'), 'from file\n');
    const r = await run(['secret', 'list', '--passphrase-file', 'pw'], { env: { COFFER_PASSPHRASE: 'from env' } });
    expect(r.code).toBe(0);
    expect(engine.passphraseTexts).toEqual(['from file']);
    expect(Array.from(engine.passphrases[0] ?? [1]).every((b) => b === 0)).toBe(true);
  });

  it('accepts --passphrase-file before the group too', async () => {
    await writeFile(join(home, 'pw'), 'before\r\n');
    const r = await run(['--passphrase-file', 'pw', 'secret', 'list']);
    expect(r.code).toBe(0);
    expect(engine.passphraseTexts).toEqual(['before']);
  });

  it('names a missing passphrase file (exit 2)', async () => {
    const r = await run(['secret', 'list', '--passphrase-file', 'nope']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`coffer: error: BadParameter: --passphrase-file ${join(home, 'nope')}: no such file\n`);
  });

  it('prompts on a terminal, and twice for vault create', async () => {
    const prompts: string[] = [];
    const readPassphrase = async (prompt: string) => {
      prompts.push(prompt);
      return new Uint8Array(Buffer.from('typed'));
    };
    const open = await run(['vault', 'info'], { noPassphrase: true, stdinTTY: true, readPassphrase });
    expect(open.code).toBe(0);
    expect(prompts).toEqual([`Passphrase for ${vaultPath}: `]);
    expect(engine.passphraseTexts).toEqual(['typed']);

    await rm(vaultPath);
    prompts.length = 0;
    const created = await run(['vault', 'create'], { noPassphrase: true, stdinTTY: true, readPassphrase });
    expect(created.code).toBe(0);
    expect(prompts).toEqual([`New passphrase for ${vaultPath}: `, 'Repeat the passphrase: ']);
  });

  it('refuses two different passphrases at creation (exit 2)', async () => {
    await rm(vaultPath);
    let n = 0;
    const readPassphrase = async () => new Uint8Array(Buffer.from(`pw${n++}`));
    const r = await run(['vault', 'create'], { noPassphrase: true, stdinTTY: true, readPassphrase });
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('coffer: error: BadParameter: The two passphrases differ\n');
    expect(engine.calls).toEqual([]);
  });
});

describe('vault path', () => {
  it('uses personal.coffer in $COFFER_HOME by default', async () => {
    await run(['secret', 'list']);
    expect(engine.calls[0]).toMatchObject({ method: 'openVault', args: [{ path: vaultPath, profileDir: home }] });
  });

  it('prefers --vault (after the verb, then before the group) over $COFFER_VAULT', async () => {
    for (const name of ['a.coffer', 'b.coffer', 'c.coffer']) await writeFile(join(home, name), 'x');
    const env = { COFFER_VAULT: join(home, 'c.coffer') };
    await run(['--vault', 'b.coffer', 'secret', 'list', '--vault', 'a.coffer'], { env });
    await run(['--vault', 'b.coffer', 'secret', 'list'], { env });
    await run(['secret', 'list'], { env });
    const paths = engine.calls.filter((c) => c.method === 'openVault').map((c) => (c.args[0] as { path: string }).path);
    expect(paths).toEqual([join(home, 'a.coffer'), join(home, 'b.coffer'), join(home, 'c.coffer')]);
  });

  it('passes --accept-rollback to the engine only when given', async () => {
    await run(['secret', 'list']);
    await run(['secret', 'list', '--accept-rollback']);
    await run(['--accept-rollback', 'vault', 'info']);
    const flags = engine.calls
      .filter((c) => c.method === 'openVault')
      .map((c) => (c.args[0] as { acceptRollback?: boolean }).acceptRollback);
    expect(flags).toEqual([undefined, true, true]);
    expect((await run(['vault', 'create', '--accept-rollback'])).code).toBe(2);
  });

  it('reports a missing vault as VaultNotFound (exit 3) without asking for a passphrase', async () => {
    const r = await run(['secret', 'list', '--vault', 'missing.coffer'], { noPassphrase: true });
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/^coffer: error: VaultNotFound: No vault at .*missing\.coffer: create one with/);
  });

  it('refuses to create over an existing vault (exit 6)', async () => {
    const r = await run(['vault', 'create']);
    expect(r.code).toBe(6);
    expect(r.stderr).toMatch(/^coffer: error: VaultExists: /);
  });
});

describe('vault commands', () => {
  it('create converts MiB to KiB, prints warnings on stderr and the info JSON', async () => {
    await rm(vaultPath);
    const r = await run([
      'vault', 'create', '--retention-days', '7', '--kdf-memory', '8', '--kdf-iterations', '1', '--kdf-parallelism', '2',
    ]);
    expect(r.code).toBe(0);
    expect(engine.calls[0]).toMatchObject({
      method: 'createVault',
      args: [{ path: vaultPath, retentionDays: 7, kdf: { memoryKiB: 8192, iterations: 1, parallelism: 2 } }],
    });
    expect(r.stderr).toBe('coffer: warning: KDF parameters below the defaults\n');
    expect(JSON.parse(r.stdout)).toMatchObject({ id: expect.any(String), retentionDays: 7 });
    expect(engine.calls.at(-1)?.method).toBe('close');
  });

  it('check prints the report and exits 5 when the vault is damaged', async () => {
    const ok = await run(['vault', 'check'], { noPassphrase: true });
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.stdout)).toMatchObject({ ok: true });
    engine.checkReport = { ...engine.checkReport, ok: false, problems: [{ part: 'line 2', message: 'bad signature' }] };
    const bad = await run(['vault', 'check'], { noPassphrase: true });
    expect(bad.code).toBe(5);
    expect(JSON.parse(bad.stdout)).toMatchObject({ ok: false, problems: [{ part: 'line 2' }] });
  });

  it('check passes a passphrase from --passphrase-file or $COFFER_PASSPHRASE only, and wipes it', async () => {
    await writeFile(join(home, 'pw'), 'from the file\n');
    const fromFile = await run(['vault', 'check', '--passphrase-file', 'pw'], { noPassphrase: true });
    const fromEnv = await run(['vault', 'check'], { env: { COFFER_PASSPHRASE: 'from the env' } });
    // Neither a prompt (readPassphrase rejects) nor the keychain (a remembered vault is not asked about).
    engine.remembered = true;
    const without = await run(['vault', 'check'], { noPassphrase: true, stdinTTY: true });
    for (const r of [fromFile, fromEnv, without]) expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: '' });
    expect(engine.calls).toEqual([
      { method: 'checkVaultFile', args: [vaultPath, 'passphrase'] },
      { method: 'checkVaultFile', args: [vaultPath, 'passphrase'] },
      { method: 'checkVaultFile', args: [vaultPath, undefined] },
    ]);
    expect(engine.passphraseTexts).toEqual(['from the file', 'from the env']);
    for (const p of engine.passphrases) expect(p.every((b) => b === 0)).toBe(true);
    expect((await run(['vault', 'check', '--help'])).stdout).toMatch(/--passphrase-file <file>[\s\S]*COFFER_PASSPHRASE[\s\S]*never prompts/);
    expect((await run(['vault', 'check', '--accept-rollback'])).code).toBe(2);
  });

  it('merge, merge-driver and repair need no passphrase', async () => {
    await writeFile(join(home, 'other.coffer'), 'x');
    const merged = await run(['vault', 'merge', '--other', 'other.coffer'], { noPassphrase: true });
    expect(merged.code).toBe(0);
    expect(JSON.parse(merged.stdout)).toEqual({ commits: 7, added: 2 });
    const driver = await run(['vault', 'merge-driver', 'base', 'ours', 'theirs'], { noPassphrase: true });
    expect(driver.code).toBe(0);
    expect(driver.stdout).toBe('');
    const repaired = await run(['vault', 'repair', '--output', 'fixed.coffer'], { noPassphrase: true });
    expect(JSON.parse(repaired.stdout)).toEqual({ file: join(home, 'fixed.coffer'), kept: 4, dropped: 1, lostValues: null });
    expect(engine.calls).toEqual([
      { method: 'mergeVaultFiles', args: [vaultPath, join(home, 'other.coffer'), vaultPath] },
      { method: 'mergeVaultFiles', args: [join(home, 'ours'), join(home, 'theirs'), join(home, 'ours')] },
      { method: 'repairVaultFile', args: [vaultPath, join(home, 'fixed.coffer')] },
    ]);
  });

  it('textconv prints the lines the engine describes', async () => {
    engine.describeVaultFile = async (path) => [`line for ${path}`, 'second'];
    const r = await run(['vault', 'textconv', 'personal.coffer'], { noPassphrase: true });
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`line for ${vaultPath}\nsecond\n`);
  });
});

describe('secret commands', () => {
  it('set maps the options and prints the bundle without its value, one line off a terminal', async () => {
    const r = await run([
      'secret', 'set', '-n', 'db', '--value-stdin', '--content-type', 'text/plain', '--tags', 'env=prod', 'team=a=b',
      '--expires', '2030-01-01T00:00:00Z', '--not-before', '2020-01-01', '--disabled',
    ], { input: 'line one\nline two\n' });
    expect(r.code).toBe(0);
    expect(engine.calls[1]).toEqual({
      method: 'set',
      args: [{
        name: 'db', value: 'line one\nline two\n', contentType: 'text/plain', tags: { env: 'prod', team: 'a=b' },
        exp: 1_893_456_000, nbf: 1_577_836_800, enabled: false,
      }],
    });
    expect(r.stdout.endsWith('\n')).toBe(true);
    expect(r.stdout.trimEnd()).not.toContain('\n');
    const printed = JSON.parse(r.stdout) as Record<string, unknown>;
    expect(printed).not.toHaveProperty('value');
    expect(printed.id).toMatch(/^coffer:\/\/[0-9a-f]{32}\/secrets\/db\/[0-9a-f]{32}$/);
  });

  it('pretty-prints JSON on a terminal', async () => {
    const r = await run(['secret', 'show', '-n', 'db', '--version', 'v1'], { stdoutTTY: true });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('\n  "id": ');
    expect(JSON.parse(r.stdout)).toMatchObject({ value: 'the-value' });
    expect(engine.calls[1]).toEqual({ method: 'get', args: ['db', 'v1'] });
  });

  it('set reads --file as bytes and --value as UTF-8', async () => {
    await writeFile(join(home, 'value.bin'), 'from file');
    expect((await run(['secret', 'set', '-n', 'a', '--file', 'value.bin'])).code).toBe(0);
    expect((await run(['secret', 'set', '-n', 'b', '--value', '-starts-with-dash'])).code).toBe(0);
    expect(engine.values).toEqual(['from file', '-starts-with-dash']);
    const missing = await run(['secret', 'set', '-n', 'c', '--file', 'nope.bin']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/BadParameter: --file .*nope\.bin: no such file/);
  });

  it('get writes the raw value with no newline added', async () => {
    const r = await run(['secret', 'get', '-n', 'db']);
    expect(r.code).toBe(0);
    expect(r.out).toEqual(Buffer.from('raw\nvalue'));
  });

  it('set-attributes maps none, booleans, empty content type and tags', async () => {
    const r = await run([
      'secret', 'set-attributes', '-n', 'db', '--version', 'v2', '--enabled', 'FALSE', '--expires', 'none',
      '--not-before', '2021-06-01T12:00:00', '--content-type', '', '--tags', '',
    ]);
    expect(r.code).toBe(0);
    expect(engine.calls[1]).toEqual({
      method: 'update',
      args: ['db', 'v2', { enabled: false, exp: null, nbf: 1_622_548_800, contentType: null, tags: {} }],
    });
    expect(JSON.parse(r.stdout)).not.toHaveProperty('value');
  });

  it('list, list-versions, delete, list-deleted, show-deleted, recover print JSON; purge prints nothing', async () => {
    const list = await run(['secret', 'list']);
    expect(JSON.parse(list.stdout)).toHaveLength(2);
    expect(JSON.parse((await run(['secret', 'list-versions', '-n', 'a'])).stdout)).toHaveLength(1);
    expect(JSON.parse((await run(['secret', 'delete', '-n', 'a'])).stdout)).toHaveProperty('recoveryId');
    expect(JSON.parse((await run(['secret', 'list-deleted'])).stdout)).toHaveLength(1);
    expect(JSON.parse((await run(['secret', 'show-deleted', '-n', 'a'])).stdout)).toHaveProperty('scheduledPurgeDate');
    expect(JSON.parse((await run(['secret', 'recover', '-n', 'a'])).stdout)).toHaveProperty('id');
    const purge = await run(['secret', 'purge', '-n', 'a']);
    expect(purge).toMatchObject({ code: 0, stdout: '', stderr: '' });
  });

  it('backup writes a 0600 file and refuses to overwrite; restore reads it back', async () => {
    const r = await run(['secret', 'backup', '-n', 'a', '-f', 'a.backup']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ file: join(home, 'a.backup') });
    expect(Array.from(await readFile(join(home, 'a.backup')))).toEqual([1, 2, 3, 0, 255]);
    expect((await stat(join(home, 'a.backup'))).mode & 0o777).toBe(0o600);
    const again = await run(['secret', 'backup', '-n', 'a', '-f', 'a.backup']);
    expect(again.code).toBe(6);
    expect(again.stderr).toMatch(/^coffer: error: Conflict: --file .*a\.backup: the file already exists\n$/);
    const restored = await run(['secret', 'restore', '-f', 'a.backup']);
    expect(restored.code).toBe(0);
    expect(engine.calls.find((c) => c.method === 'restore')?.args).toEqual([[1, 2, 3, 0, 255]]);
  });

  it('download writes the raw value with mode 0600, and overwrites only with --overwrite', async () => {
    const r = await run(['secret', 'download', '-n', 'a', '-f', 'out.txt']);
    expect(r).toMatchObject({ code: 0, stdout: '', stderr: '' });
    expect(await readFile(join(home, 'out.txt'), 'utf8')).toBe('raw\nvalue');
    expect((await stat(join(home, 'out.txt'))).mode & 0o777).toBe(0o600);
    const refused = await run(['secret', 'download', '-n', 'a', '-f', 'out.txt']);
    expect(refused.code).toBe(6);
    expect(refused.stderr).toMatch(/Conflict: .*pass --overwrite/);
    await writeFile(join(home, 'out.txt'), 'old');
    const replaced = await run(['secret', 'download', '-n', 'a', '-f', 'out.txt', '--overwrite', '--version', 'v9']);
    expect(replaced.code).toBe(0);
    expect(await readFile(join(home, 'out.txt'), 'utf8')).toBe('raw\nvalue');
    expect(engine.calls.filter((c) => c.method === 'getValue').at(-1)?.args).toEqual(['a', 'v9']);
  });

  it('import picks the format from the extension unless --format is given', async () => {
    await writeFile(join(home, 'app.env'), 'DB_PASSWORD=one\nAPI_KEY=two\nDB_PASSWORD=three\n');
    await writeFile(join(home, 'list.json'), JSON.stringify([{ name: 'x', value: 'y' }]));
    await writeFile(join(home, 'list.txt'), JSON.stringify([{ name: 'z', value: 'w' }]));
    const env = await run(['secret', 'import', '-f', 'app.env']);
    expect(env.code).toBe(0);
    expect(JSON.parse(env.stdout)).toEqual({ imported: 2, versions: 3 });
    const imports = () => engine.calls.filter((c) => c.method === 'import').map((c) => c.args[0]);
    expect(imports()[0]).toMatchObject([
      { name: 'DB-PASSWORD', value: 'one', tags: { 'env-name': 'DB_PASSWORD' } },
      { name: 'API-KEY', value: 'two' },
      { name: 'DB-PASSWORD', value: 'three' },
    ]);
    expect((await run(['secret', 'import', '-f', 'list.json'])).code).toBe(0);
    expect((await run(['secret', 'import', '-f', 'list.txt', '--format', 'json'])).code).toBe(0);
    expect(imports().slice(1)).toMatchObject([[{ name: 'x', value: 'y' }], [{ name: 'z', value: 'w' }]]);
    const bad = await run(['secret', 'import', '-f', 'list.txt']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/^coffer: error: BadParameter: /);
  });
});

describe('errors', () => {
  it('prints Code: InnerCode: message with the exit code of the code', async () => {
    engine.failWith = new CofferError('Forbidden', 'Operation get is not allowed on a disabled secret.', {
      innerCode: 'SecretDisabled',
    });
    const r = await run(['secret', 'get', '-n', 'db']);
    expect(r.code).toBe(4);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(
      'coffer: error: Forbidden: SecretDisabled: Operation get is not allowed on a disabled secret.\n',
    );
  });

  it.each([
    ['SecretNotFound', 3],
    ['WrongPassphrase', 4],
    ['VaultCorrupted', 5],
    ['VaultRolledBack', 5],
    ['Conflict', 6],
    ['ObjectIsBeingDeleted', 6],
    ['IoError', 1],
  ] as const)('%s exits %i', async (code, exit) => {
    engine.failWith = new CofferError(code, 'something');
    const r = await run(['secret', 'list']);
    expect(r.code).toBe(exit);
    expect(r.stderr).toBe(`coffer: error: ${code}: something\n`);
  });

  it('reports an unexpected error as Internal (exit 1), with the stack only when COFFER_DEBUG=1', async () => {
    engine.failWith = new TypeError('x is undefined (with details that stay hidden)');
    const quiet = await run(['secret', 'list']);
    expect(quiet.code).toBe(1);
    expect(quiet.stderr).toBe('coffer: error: Internal: Unexpected TypeError; set COFFER_DEBUG=1 to see the details.\n');
    const loud = await run(['secret', 'list'], { env: { COFFER_DEBUG: '1' } });
    expect(loud.code).toBe(1);
    expect(loud.stderr.split('\n')[0]).toBe(quiet.stderr.trimEnd());
    expect(loud.stderr).toContain('TypeError: x is undefined');
    expect(loud.stderr).toMatch(/\n\s+at /);
  });

  it('closes the vault even when the command fails', async () => {
    engine.failWith = new CofferError('SecretNotFound', 'nope');
    await run(['secret', 'show', '-n', 'x']);
    expect(engine.calls.map((c) => c.method)).toEqual(['openVault', 'close']);
  });
});

describe('git setup', () => {
  it('writes .gitattributes once and registers the drivers', async () => {
    const repo = join(home, 'repo');
    execFileSync('git', ['init', '-q', repo]);
    await writeFile(join(repo, '.gitattributes'), '*.png binary');
    const first = await run(['git', 'setup'], { cwd: join(repo), noPassphrase: true });
    expect(first.code).toBe(0);
    const result = JSON.parse(first.stdout) as { gitattributesChanged: boolean; mergeDriver: string };
    expect(result.gitattributesChanged).toBe(true);
    const second = await run(['git', 'setup'], { cwd: repo, noPassphrase: true });
    expect(JSON.parse(second.stdout)).toMatchObject({ gitattributesChanged: false });
    expect(await readFile(join(repo, '.gitattributes'), 'utf8')).toBe(
      '*.png binary\n*.coffer -text merge=coffer diff=coffer\n',
    );
    const config = (key: string) => execFileSync('git', ['config', key], { cwd: repo, encoding: 'utf8' }).trim();
    expect(config('merge.coffer.name')).toBe('Coffer vault merge');
    expect(config('merge.coffer.driver')).toMatch(/bin\/coffer\.mjs'? vault merge-driver %O %A %B$/);
    expect(config('merge.coffer.driver')).toContain(process.execPath);
    expect(config('diff.coffer.textconv')).toMatch(/bin\/coffer\.mjs'? vault textconv$/);
  });

  it('fails outside a git repository with NotFound (exit 3)', async () => {
    const r = await run(['git', 'setup'], { cwd: home, noPassphrase: true, env: { GIT_CEILING_DIRECTORIES: tmpdir() } });
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/^coffer: error: NotFound: .* is not inside a git work tree\n$/);
  });
});

describe('vault remember | forget | change-passphrase | recovery-key (issue 4)', () => {
  it('the keychain is tried only for a remembered vault, after the passphrase sources and before the prompt', async () => {
    // Not remembered: no keychain call, straight to "no way to unlock".
    let r = await run(['vault', 'info'], { noPassphrase: true });
    expect(r.code).toBe(4);
    expect(engine.calls.map((c) => c.method)).toEqual(['isVaultRemembered']);
    // Remembered: the keychain opens it.
    engine.calls.length = 0;
    engine.remembered = true;
    r = await run(['vault', 'info'], { noPassphrase: true });
    expect(r.code).toBe(0);
    expect(engine.calls.find((c) => c.method === 'openVault')!.args[0]).toMatchObject({ keychain: 'keychain', passphrase: undefined });
    // A passphrase given by file or environment wins: the keychain is not asked.
    engine.calls.length = 0;
    r = await run(['vault', 'info']);
    expect(r.code).toBe(0);
    expect(engine.calls.map((c) => c.method)).not.toContain('isVaultRemembered');
  });

  it('a keychain that cannot unlock says why, then the prompt asks on a terminal', async () => {
    engine.remembered = true;
    const real = engine.openVault.bind(engine);
    engine.openVault = async (o) => {
      if (o.keychain) throw new CofferError('VaultLocked', 'The OS keychain (Secret Service) cannot be used: DBus error. Unlock with the passphrase.');
      return real(o);
    };
    const prompts: string[] = [];
    const r = await run(['vault', 'info'], { noPassphrase: true, stdinTTY: true, readPassphrase: async (p) => (prompts.push(p), new TextEncoder().encode('typed')) });
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/^coffer: warning: The OS keychain \(Secret Service\) cannot be used/);
    expect(prompts).toEqual([`Passphrase for ${vaultPath}: `]);
    expect(engine.passphraseTexts).toEqual(['typed']);
  });

  it('remember and recovery-key want the passphrase, never the keychain', async () => {
    engine.remembered = true;
    for (const args of [['vault', 'remember'], ['vault', 'recovery-key', 'create'], ['vault', 'change-passphrase']]) {
      engine.calls.length = 0;
      const r = await run(args, { noPassphrase: true });
      expect(r.code, args.join(' ')).toBe(4);
      expect(engine.calls.map((c) => c.method)).not.toContain('isVaultRemembered');
    }
    const r = await run(['vault', 'recovery-key', 'create']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ recoveryKey: '0000-0000-0000-0000-0000-0000-0000-0000-TEST' });
    expect(r.stderr).toMatch(/shown only this once/);
  });

  it('change-passphrase takes the new one from a file or the environment, with --kdf-* together; without either and no terminal: exit 2', async () => {
    await writeFile(join(home, 'new.txt'), 'from the file\n');
    let r = await run(['vault', 'change-passphrase', '--new-passphrase-file', 'new.txt', '--kdf-memory', '128', '--kdf-iterations', '4', '--kdf-parallelism', '2']);
    expect(r.code).toBe(0);
    expect(engine.calls.find((c) => c.method === 'changePassphrase')!.args).toEqual(['from the file', { memoryKiB: 131072, iterations: 4, parallelism: 2 }]);
    r = await run(['vault', 'change-passphrase'], { env: { COFFER_NEW_PASSPHRASE: 'from env' } });
    expect(r.code).toBe(0);
    r = await run(['vault', 'change-passphrase', '--kdf-memory', '128']);
    expect(r.code).toBe(2);
    r = await run(['vault', 'change-passphrase']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/No new passphrase: pass --new-passphrase-file/);
  });

  it('forget needs no passphrase and prints {forgotten}', async () => {
    const r = await run(['vault', 'forget'], { noPassphrase: true });
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ forgotten: false });
    expect(engine.calls.map((c) => c.method)).toEqual(['forgetVault']);
  });
});
