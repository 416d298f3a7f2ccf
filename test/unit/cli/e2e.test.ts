// End-to-end walk-throughs of CLI.md (Common, Vault, Secrets) through the
// built binary, against the real engine: `node bin/coffer.mjs ...` with no
// terminal and COFFER_HOME in a temporary folder.
import { execFileSync } from 'node:child_process';
import { copyFile, mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  TEST_KDF_ARGS,
  json,
  makeTempHome,
  removeTempHome,
  runCoffer,
  writePassphraseFile,
  type CofferResult,
  type RunCofferOptions,
} from '../../helpers/cli.js';

const PASSPHRASE = 'correct horse battery staple';
const ERROR_LINE = /^coffer: error: [A-Za-z]+: (?:[A-Za-z]+: )?[^\n]+\n$/;
const HEX32 = /^[0-9a-f]{32}$/;

interface Bundle {
  id: string;
  value?: string;
  contentType?: string;
  tags?: Record<string, string>;
  attributes: { enabled: boolean; exp?: number; nbf?: number; created: number; updated: number; recoverableDays: number };
  recoveryId?: string;
  deletedDate?: number;
  scheduledPurgeDate?: number;
}

let home: string;
/** Other profile folders: "other computers" sharing the vault file. */
let home2: string;
let home3: string;
let pwFile: string;

/** `coffer --passphrase-file pw ARGS` in `home`. */
function coffer(args: string[], opts: Partial<RunCofferOptions> = {}): Promise<CofferResult> {
  return runCoffer(['--passphrase-file', pwFile, ...args], { home, cwd: home, ...opts });
}

function expectError(r: CofferResult, exit: number, code: string): void {
  expect({ code: r.code, stderr: r.stderr }).toMatchObject({ code: exit, stderr: expect.stringMatching(ERROR_LINE) });
  expect(r.stderr.startsWith(`coffer: error: ${code}: `)).toBe(true);
  expect(r.stdout.length).toBe(0);
}

function expectOk(r: CofferResult): void {
  expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: '' });
}

/** Exit 0; stderr holds only `coffer: warning: ...` lines, if any (e.g. the engine's purge caveat). */
function expectOkWithWarnings(r: CofferResult): void {
  expect(r.code).toBe(0);
  expect(r.stderr).toMatch(/^(coffer: warning: [^\n]+\n)*$/);
}

/** Indexes of the commit lines ("C ...") of a vault file split on newlines. */
function commitLines(lines: string[]): number[] {
  return lines.flatMap((line, i) => (line.startsWith('C ') ? [i] : []));
}

/** The vault file with one character changed in the middle of the line `pick` chooses. */
async function damage(path: string, pick: (lines: string[]) => number | undefined): Promise<string> {
  const lines = (await readFile(path, 'utf8')).split('\n');
  const at = pick(lines);
  if (at === undefined || at < 0 || lines[at] === undefined) throw new Error('no such line to damage');
  const line = lines[at];
  const mid = Math.floor(line.length / 2);
  lines[at] = line.slice(0, mid) + (line[mid] === 'A' ? 'B' : 'A') + line.slice(mid + 1);
  return lines.join('\n');
}

beforeAll(async () => {
  home = await makeTempHome();
  home2 = await makeTempHome();
  home3 = await makeTempHome();
  pwFile = await writePassphraseFile(home, PASSPHRASE);
});

afterAll(async () => {
  for (const dir of [home, home2, home3]) await removeTempHome(dir);
});

describe('without a vault or a way to unlock', () => {
  it('prints help from the binary', async () => {
    const r = await runCoffer(['--help'], { home });
    expect(r.code).toBe(0);
    expect(r.stdout.toString()).toContain('Usage: coffer');
    const secret = await runCoffer(['secret', '--help'], { home });
    expect(secret.code).toBe(0);
    expect(secret.stdout.toString()).toContain('list-deleted');
  });

  it('reports a usage error on one line with exit 2', async () => {
    const r = await runCoffer(['secret', 'show'], { home });
    expectError(r, 2, 'BadParameter');
  });

  it('says there is no vault yet (exit 3)', async () => {
    expectError(await coffer(['secret', 'list']), 3, 'VaultNotFound');
  });
});

describe('walk-through', () => {
  let vaultPath: string;
  let vaultId: string;

  it('vault create: default personal vault, info JSON, KDF warning, mode 0600', async () => {
    const r = await coffer(['vault', 'create', '--retention-days', '7', ...TEST_KDF_ARGS]);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/^(coffer: warning: [^\n]+\n)+$/);
    const info = json<{
      id: string; formatVersion: number; path: string; retentionDays: number;
      kdf: { memoryKiB: number; iterations: number; parallelism: number };
      counts: { secrets: number; commits: number; members: number }; roles: string[];
    }>(r);
    expect(info.id).toMatch(HEX32);
    expect(info.path).toBe(join(home, 'personal.coffer'));
    expect(info.retentionDays).toBe(7);
    expect(info.kdf).toEqual({ memoryKiB: 8192, iterations: 1, parallelism: 1 });
    expect(info.counts.secrets).toBe(0);
    expect(info.roles).toContain('Key Vault Administrator');
    vaultPath = info.path;
    vaultId = info.id;
    expect((await stat(vaultPath)).mode & 0o777).toBe(0o600);
  });

  it('vault create refuses an existing vault (exit 6) and a retention outside 7..90 (exit 2)', async () => {
    expectError(await coffer(['vault', 'create', ...TEST_KDF_ARGS]), 6, 'VaultExists');
    const short = await coffer(['vault', 'create', '--vault', 'short.coffer', '--retention-days', '5', ...TEST_KDF_ARGS]);
    expect(short.code).toBe(2);
    expect(short.stderr.trimEnd().split('\n').at(-1)).toMatch(/^coffer: error: BadParameter: /);
  });

  it('unlocking: no way to unlock fails at once even with stdin left open (exit 4); wrong passphrase exit 4', async () => {
    const started = Date.now();
    const locked = await runCoffer(['secret', 'list'], { home, keepStdinOpen: true, timeoutMs: 20_000 });
    expect(Date.now() - started).toBeLessThan(20_000);
    expect(locked.code).toBe(4);
    expect(locked.stderr).toBe(
      'coffer: error: VaultLocked: No way to unlock: pass --passphrase-file, set COFFER_PASSPHRASE or run in a terminal\n',
    );
    const wrong = await runCoffer(['secret', 'list'], { home, env: { COFFER_PASSPHRASE: 'not it' } });
    expectError(wrong, 4, 'WrongPassphrase');
  });

  it('vault info with $COFFER_PASSPHRASE and $COFFER_VAULT', async () => {
    const r = await runCoffer(['vault', 'info'], {
      home,
      env: { COFFER_PASSPHRASE: PASSPHRASE, COFFER_VAULT: vaultPath },
      cwd: '/',
    });
    expectOk(r);
    expect(json<{ id: string }>(r).id).toBe(vaultId);
  });

  it('secret set from stdin, a file and --value prints the bundle without the value', async () => {
    const fromStdin = await coffer(
      ['secret', 'set', '-n', 'db-password', '--value-stdin', '--content-type', 'text/plain', '--tags', 'env=prod', 'team=web'],
      { input: 'hunter2\n' },
    );
    expectOk(fromStdin);
    const b = json<Bundle>(fromStdin);
    expect(b).not.toHaveProperty('value');
    expect(b.id).toMatch(new RegExp(`^coffer://${vaultId}/secrets/db-password/[0-9a-f]{32}$`));
    expect(b.contentType).toBe('text/plain');
    expect(b.tags).toEqual({ env: 'prod', team: 'web' });
    expect(b.attributes.enabled).toBe(true);
    expect(b.attributes.recoverableDays).toBe(7);
    expect(fromStdin.stdout.toString().trimEnd()).not.toContain('\n'); // one line off a terminal

    await writeFile(join(home, 'key.bin'), Buffer.from([0x00, 0xff, 0xfe, 0x80, 0x0a]));
    const fromFile = await coffer(['secret', 'set', '-n', 'binary-key', '--file', 'key.bin']);
    expectOk(fromFile);
    expect(json<Bundle>(fromFile)).not.toHaveProperty('value');

    const fromValue = await coffer([
      'secret', 'set', '-n', 'api-token', '--value', 'tok-1',
      '--expires', '2099-01-01T00:00:00Z', '--not-before', '2020-01-01',
    ]);
    expectOk(fromValue);
    expect(json<Bundle>(fromValue).attributes).toMatchObject({ exp: 4_070_908_800, nbf: 1_577_836_800 });
  });

  it('secret show prints the value; get writes the raw bytes with no newline', async () => {
    const show = await coffer(['secret', 'show', '-n', 'DB-PASSWORD']);
    expectOk(show);
    expect(json<Bundle>(show)).toMatchObject({ value: 'hunter2\n', contentType: 'text/plain' });

    const get = await coffer(['secret', 'get', '-n', 'db-password']);
    expectOk(get);
    expect(get.stdout).toEqual(Buffer.from('hunter2\n'));

    const binShow = await coffer(['secret', 'show', '-n', 'binary-key']);
    expect(json<Bundle>(binShow)).toMatchObject({
      value: Buffer.from([0x00, 0xff, 0xfe, 0x80, 0x0a]).toString('base64'),
      contentType: 'application/octet-stream',
    });
    const binGet = await coffer(['secret', 'get', '-n', 'binary-key']);
    expect(binGet.stdout).toEqual(Buffer.from([0x00, 0xff, 0xfe, 0x80, 0x0a]));

    expectError(await coffer(['secret', 'show', '-n', 'nope']), 3, 'SecretNotFound');
    expectError(await coffer(['secret', 'get', '-n', 'bad_name']), 2, 'BadParameter');
  });

  it('secret list and list-versions (no values), show and get --version', async () => {
    const first = json<Bundle>(await coffer(['secret', 'show', '-n', 'api-token'])).id.split('/').at(-1) ?? '';
    expectOk(await coffer(['secret', 'set', '-n', 'api-token', '--value', 'tok-2']));

    const list = await coffer(['secret', 'list']);
    expectOk(list);
    const items = json<Bundle[]>(list);
    expect(items.map((i) => i.id).sort()).toEqual(
      ['api-token', 'binary-key', 'db-password'].map((n) => `coffer://${vaultId}/secrets/${n}`),
    );
    for (const item of items) expect(item).not.toHaveProperty('value');

    const versions = json<Bundle[]>(await coffer(['secret', 'list-versions', '-n', 'api-token']));
    expect(versions).toHaveLength(2);
    for (const v of versions) {
      expect(v.id).toMatch(new RegExp(`^coffer://${vaultId}/secrets/api-token/[0-9a-f]{32}$`));
      expect(v).not.toHaveProperty('value');
    }
    expect((await coffer(['secret', 'get', '-n', 'api-token'])).stdout.toString()).toBe('tok-2');
    expect((await coffer(['secret', 'get', '-n', 'api-token', '--version', first])).stdout.toString()).toBe('tok-1');
    expect(json<Bundle>(await coffer(['secret', 'show', '-n', 'api-token', '--version', first])).value).toBe('tok-1');
  });

  it('secret set-attributes: disable (get → Forbidden: SecretDisabled), enable, clear expiry, tags', async () => {
    const disabled = await coffer(['secret', 'set-attributes', '-n', 'api-token', '--enabled', 'false']);
    expectOk(disabled);
    expect(json<Bundle>(disabled)).not.toHaveProperty('value');
    expect(json<Bundle>(disabled).attributes.enabled).toBe(false);

    const refused = await coffer(['secret', 'get', '-n', 'api-token']);
    expectError(refused, 4, 'Forbidden');
    expect(refused.stderr).toMatch(/^coffer: error: Forbidden: SecretDisabled: /);

    const enabled = await coffer([
      'secret', 'set-attributes', '-n', 'api-token', '--enabled', 'true', '--expires', 'none',
      '--not-before', 'none', '--tags', 'owner=ops', '--content-type', 'text/x-token',
    ]);
    expectOk(enabled);
    const b = json<Bundle>(enabled);
    expect(b.attributes.enabled).toBe(true);
    expect(b.attributes).not.toHaveProperty('exp');
    expect(b.attributes).not.toHaveProperty('nbf');
    expect(b.tags).toEqual({ owner: 'ops' });
    expect(b.contentType).toBe('text/x-token');

    const cleared = json<Bundle>(await coffer(['secret', 'set-attributes', '-n', 'api-token', '--tags', '']));
    expect(cleared.tags ?? {}).toEqual({});
    expect((await coffer(['secret', 'get', '-n', 'api-token'])).stdout.toString()).toBe('tok-2');
  });

  it('secret delete, list-deleted, show-deleted, recover, purge', async () => {
    const deleted = await coffer(['secret', 'delete', '-n', 'api-token']);
    expectOk(deleted);
    const d = json<Bundle>(deleted);
    expect(d.recoveryId).toBe(`coffer://${vaultId}/deletedsecrets/api-token`);
    expect(d.scheduledPurgeDate! - d.deletedDate!).toBe(7 * 86_400);

    expectError(await coffer(['secret', 'show', '-n', 'api-token']), 3, 'SecretNotFound');
    const listDeleted = json<Bundle[]>(await coffer(['secret', 'list-deleted']));
    expect(listDeleted.map((i) => i.recoveryId)).toEqual([`coffer://${vaultId}/deletedsecrets/api-token`]);
    expect(json<Bundle>(await coffer(['secret', 'show-deleted', '-n', 'api-token'])).recoveryId).toBe(d.recoveryId);
    expectError(await coffer(['secret', 'set', '-n', 'api-token', '--value', 'x']), 6, 'Conflict');

    const recovered = await coffer(['secret', 'recover', '-n', 'api-token']);
    expectOk(recovered);
    expect(json<Bundle>(recovered).id).toMatch(new RegExp(`/secrets/api-token/[0-9a-f]{32}$`));
    expect((await coffer(['secret', 'get', '-n', 'api-token'])).stdout.toString()).toBe('tok-2');

    expectOk(await coffer(['secret', 'delete', '-n', 'api-token']));
    const purged = await coffer(['secret', 'purge', '-n', 'api-token']);
    expectOkWithWarnings(purged);
    expect(purged.stdout.length).toBe(0);
    expectError(await coffer(['secret', 'show-deleted', '-n', 'api-token']), 3, 'SecretNotFound');
    expect(json<Bundle[]>(await coffer(['secret', 'list-deleted']))).toEqual([]);
  });

  it('secret backup (refuses to overwrite) and restore', async () => {
    const backup = await coffer(['secret', 'backup', '-n', 'db-password', '-f', 'db.backup']);
    expectOk(backup);
    expect(json(backup)).toEqual({ file: join(home, 'db.backup') });
    const blob = await readFile(join(home, 'db.backup'));
    expect(blob.includes(Buffer.from('hunter2'))).toBe(false);
    expectError(await coffer(['secret', 'backup', '-n', 'db-password', '-f', 'db.backup']), 6, 'Conflict');

    expectError(await coffer(['secret', 'restore', '-f', 'db.backup']), 6, 'Conflict'); // still exists
    expectOk(await coffer(['secret', 'delete', '-n', 'db-password']));
    expectOkWithWarnings(await coffer(['secret', 'purge', '-n', 'db-password']));
    const restored = await coffer(['secret', 'restore', '-f', 'db.backup']);
    expectOk(restored);
    expect(json<Bundle>(restored).id).toMatch(/\/secrets\/db-password\//);
    expect((await coffer(['secret', 'get', '-n', 'db-password'])).stdout.toString()).toBe('hunter2\n');
  });

  it('secret download writes the raw value (0600), refusing an existing file unless --overwrite', async () => {
    expectOk(await coffer(['secret', 'download', '-n', 'binary-key', '-f', 'out.bin']));
    expect(await readFile(join(home, 'out.bin'))).toEqual(Buffer.from([0x00, 0xff, 0xfe, 0x80, 0x0a]));
    expect((await stat(join(home, 'out.bin'))).mode & 0o777).toBe(0o600);
    expectError(await coffer(['secret', 'download', '-n', 'db-password', '-f', 'out.bin']), 6, 'Conflict');
    const over = await coffer(['secret', 'download', '-n', 'db-password', '-f', 'out.bin', '--overwrite']);
    expectOk(over);
    expect(over.stdout.length).toBe(0);
    expect(await readFile(join(home, 'out.bin'), 'utf8')).toBe('hunter2\n');
  });

  it('secret import: .env and JSON in one commit each; an invalid file imports nothing', async () => {
    const before = json<{ counts: { commits: number } }>(await coffer(['vault', 'info'])).counts.commits;
    await writeFile(join(home, 'app.env'), 'SMTP_USER=mailer\nSMTP_PASS="p a s s"\nSMTP_USER=mailer2\n');
    const env = await coffer(['secret', 'import', '-f', 'app.env']);
    expectOk(env);
    expect(json(env)).toEqual({ imported: 2, versions: 3 });
    expect((await coffer(['secret', 'get', '-n', 'SMTP-USER'])).stdout.toString()).toBe('mailer2');
    expect(json<Bundle>(await coffer(['secret', 'show', '-n', 'smtp-pass'])).tags).toMatchObject({ 'env-name': 'SMTP_PASS' });
    expect(json<Bundle[]>(await coffer(['secret', 'list-versions', '-n', 'smtp-user']))).toHaveLength(2);

    await writeFile(
      join(home, 'list.json'),
      JSON.stringify([{ name: 'from-json', value: 'j1', contentType: 'text/plain', tags: { a: 'b' } }, { name: 'from-json', value: 'j2' }]),
    );
    expect(json(await coffer(['secret', 'import', '-f', 'list.json']))).toEqual({ imported: 1, versions: 2 });
    await writeFile(join(home, 'list.data'), JSON.stringify([{ name: 'as-json', value: 'x' }]));
    expect(json(await coffer(['secret', 'import', '-f', 'list.data', '--format', 'json']))).toEqual({ imported: 1, versions: 1 });
    const after = json<{ counts: { commits: number } }>(await coffer(['vault', 'info'])).counts.commits;
    expect(after - before).toBe(3);

    await writeFile(join(home, 'bad.json'), JSON.stringify([{ name: 'fine', value: 'v' }, { name: 'no_underscores', value: 'v' }]));
    const bad = await coffer(['secret', 'import', '-f', 'bad.json']);
    expectError(bad, 2, 'BadParameter');
    expectError(await coffer(['secret', 'show', '-n', 'fine']), 3, 'SecretNotFound');
  });

  it('vault check: ok, then exit 5 naming the damaged part; vault repair writes the intact commits', async () => {
    const ok = await coffer(['vault', 'check']);
    expectOk(ok);
    expect(json(ok)).toMatchObject({ ok: true, vaultId, problems: [] });

    // One character changed in the middle of the last commit line but one.
    const damaged = join(home, 'damaged.coffer');
    await writeFile(damaged, await damage(vaultPath, (lines) => commitLines(lines).at(-2)), { mode: 0o600 });

    const check = await coffer(['vault', 'check', '--vault', 'damaged.coffer']);
    expect(check.code).toBe(5);
    const report = json<{ ok: boolean; problems: { part: string; message: string }[] }>(check);
    expect(report.ok).toBe(false);
    expect(report.problems.length).toBeGreaterThan(0);

    const repaired = await coffer(['vault', 'repair', '--vault', 'damaged.coffer', '--output', 'repaired.coffer']);
    expectOk(repaired);
    const result = json<{ file: string; kept: number; dropped: number }>(repaired);
    expect(result.file).toBe(join(home, 'repaired.coffer'));
    expect(result.dropped).toBeGreaterThan(0);
    expect(json(await coffer(['vault', 'check', '--vault', 'repaired.coffer']))).toMatchObject({ ok: true });
    // It lacks commits this profile has seen: here it opens with a one-line warning saying so; elsewhere it opens quietly.
    const here = await coffer(['secret', 'list', '--vault', 'repaired.coffer']);
    expectOkWithWarnings(here);
    expect(here.stderr.toString()).toMatch(/^coffer: warning: This copy lacks \d+ commit\(s\) this computer has seen/m);
    expectOk(await coffer(['secret', 'list', '--vault', 'repaired.coffer'], { home: home3 }));
    expectOk(await coffer(['secret', 'list', '--vault', 'repaired.coffer', '--accept-rollback']));
    expectError(
      await coffer(['vault', 'repair', '--vault', 'damaged.coffer', '--output', 'repaired.coffer']),
      6,
      'Conflict',
    );
  });

  // Engine issue (reported): a damaged value line ("B ...") is reported by check only as an orphan blob;
  // repair keeps every commit (dropped 0) and its output passes check but cannot be opened
  // ("VaultCorrupted: value of secret ... the value line is missing"). Drop `.fails` once fixed.
  it('vault repair of a damaged value line gives a vault that opens', async () => {
    await writeFile(join(home, 'blob-damaged.coffer'), await damage(vaultPath, (lines) => (commitLines(lines).at(-1) ?? 0) - 1), {
      mode: 0o600,
    });
    const check = await coffer(['vault', 'check', '--vault', 'blob-damaged.coffer']);
    expect(check.code).toBe(5);
    const repaired = await coffer(['vault', 'repair', '--vault', 'blob-damaged.coffer', '--output', 'blob-repaired.coffer']);
    expectOk(repaired);
    expect(json<{ dropped: number }>(repaired).dropped).toBeGreaterThan(0);
    expectOk(await coffer(['secret', 'list', '--vault', 'blob-repaired.coffer'], { home: await makeTempHome() }));
  });

  it('vault merge unions two copies (no passphrase needed)', async () => {
    // The other copy is changed from another profile ("another computer"): this profile's
    // verified-state cache would rightly call a copy that lacks commits it saw a rollback.
    const other = join(home, 'other.coffer');
    await copyFile(vaultPath, other);
    expectOk(await coffer(['secret', 'set', '-n', 'only-here', '--value', 'here']));
    expectOk(await coffer(['secret', 'set', '-n', 'only-there', '--value', 'there', '--vault', other], { home: home2 }));

    const toFile = await runCoffer(['vault', 'merge', '--other', other, '--output', 'merged.coffer'], { home, cwd: home });
    expectOk(toFile);
    expect(json<{ commits: number; added: number }>(toFile).added).toBe(1);
    const merged = json<Bundle[]>(await coffer(['secret', 'list', '--vault', 'merged.coffer'])).map((i) => i.id);
    expect(merged).toContain(`coffer://${vaultId}/secrets/only-here`);
    expect(merged).toContain(`coffer://${vaultId}/secrets/only-there`);

    const inPlace = await runCoffer(['vault', 'merge', '--other', other], { home, cwd: home });
    expectOk(inPlace);
    expect((await coffer(['secret', 'get', '-n', 'only-there'])).stdout.toString()).toBe('there');
    expect(json(await coffer(['vault', 'check']))).toMatchObject({ ok: true });
  });
});

describe('secret import too large for one commit', () => {
  it('is refused (exit 2, LimitExceeded) on one line before anything is written; the vault still opens', async () => {
    const file = join(home, 'import-limit.coffer');
    expect((await coffer(['vault', 'create', '--vault', file, ...TEST_KDF_ARGS])).code).toBe(0);
    expectOk(await coffer(['secret', 'set', '-n', 'kept', '--value', 'still here', '--vault', file]));
    const before = await readFile(file);
    // 2,500 entries with 15 tags each, names and values of 256 characters: about 19 MiB of JSON.
    const tags = (i: number) =>
      Object.fromEntries(Array.from({ length: 15 }, (_, t) => [`t${t}-${i}-`.padEnd(256, 'n'), 'v'.repeat(256)]));
    const entries = Array.from({ length: 2_500 }, (_, i) => ({ name: `big-${i}`, value: `value ${i}`, tags: tags(i) }));
    await writeFile(join(home, 'big.json'), JSON.stringify(entries));

    const r = await coffer(['secret', 'import', '-f', 'big.json', '--vault', file]);
    expectError(r, 2, 'LimitExceeded');
    expect(r.stderr).toMatch(/^coffer: error: LimitExceeded: This change is too large for one commit: \d+\.\d MiB, over the 16 MiB a commit may take\. Nothing was written: import fewer entries at a time/);
    expect(await readFile(file)).toEqual(before);

    const list = await coffer(['secret', 'list', '--vault', file]);
    expectOk(list);
    expect(json<Bundle[]>(list).map((i) => i.id.split('/').at(-1))).toEqual(['kept']);
    expect((await coffer(['secret', 'get', '-n', 'kept', '--vault', file], { home: home3 })).stdout.toString()).toBe('still here');
    expect(json(await coffer(['vault', 'check', '--vault', file]))).toMatchObject({ ok: true, problems: [] });
  });
});

describe('vault check with the passphrase', () => {
  interface Report { ok: boolean; problems: { part: string; message: string }[]; notes?: string[] }

  it('names a live version whose value line was removed only when given the passphrase (file or environment)', async () => {
    const file = join(home, 'values.coffer');
    expect((await coffer(['vault', 'create', '--vault', file, ...TEST_KDF_ARGS])).code).toBe(0);
    expectOk(await coffer(['secret', 'set', '-n', 'first', '--value', 'one', '--vault', file]));
    expectOk(await coffer(['secret', 'set', '-n', 'second', '--value', 'two', '--vault', file]));
    const version = json<Bundle>(await coffer(['secret', 'show', '-n', 'first', '--vault', file])).id.split('/').at(-1);
    // Remove the value line of `first`: a later commit follows it, so without a key it may have been purged.
    const lines = (await readFile(file, 'utf8')).split('\n');
    const blob = lines.findIndex((l) => l.startsWith('B '));
    const damaged = join(home, 'value-removed.coffer');
    await writeFile(damaged, lines.filter((_, i) => i !== blob).join('\n'), { mode: 0o600 });
    const bytes = await readFile(damaged);

    const bare = await runCoffer(['vault', 'check', '--vault', damaged], { home: home3, cwd: home });
    expectOk(bare);
    expect(json<Report>(bare)).toMatchObject({ ok: true, problems: [], notes: [expect.stringMatching(/^1 value line is absent .*passphrase/)] });

    const part = `value of secret first version ${version}`;
    const expected = { ok: false, problems: [{ part, message: `${part}: the value line is missing from the file` }] };
    const withFile = await runCoffer(['vault', 'check', '--vault', damaged, '--passphrase-file', pwFile], { home: home3, cwd: home });
    expect(withFile.code).toBe(5);
    expect(withFile.stderr).toBe('');
    expect(json<Report>(withFile)).toMatchObject(expected);
    expect(json<Report>(withFile).notes).toBeUndefined();
    const withEnv = await runCoffer(['vault', 'check', '--vault', damaged], { home: home3, cwd: home, env: { COFFER_PASSPHRASE: PASSPHRASE } });
    expect(withEnv.code).toBe(5);
    expect(json<Report>(withEnv)).toMatchObject(expected);

    expectError(await runCoffer(['vault', 'check', '--vault', damaged], { home: home3, cwd: home, env: { COFFER_PASSPHRASE: 'not it' } }), 4, 'WrongPassphrase');
    // The intact file checks ok with the passphrase; check changed neither file.
    expect(json<Report>(await coffer(['vault', 'check', '--vault', file]))).toMatchObject({ ok: true, problems: [] });
    expect(await readFile(damaged)).toEqual(bytes);
  });
});

describe('git', () => {
  it('git setup, then git merges two branches that both changed the vault', async () => {
    const repo = join(home, 'repo');
    await mkdir(repo);
    const gitEnv = {
      ...process.env,
      HOME: home,
      GIT_CONFIG_NOSYSTEM: '1',
      GIT_AUTHOR_NAME: 'T',
      GIT_AUTHOR_EMAIL: 't@example.invalid',
      GIT_COMMITTER_NAME: 'T',
      GIT_COMMITTER_EMAIL: 't@example.invalid',
    };
    const git = (...args: string[]) => execFileSync('git', args, { cwd: repo, env: gitEnv, encoding: 'utf8' });
    git('init', '-q', '-b', 'main');

    const setup = await runCoffer(['git', 'setup'], { home, cwd: repo });
    expectOk(setup);
    expect(json(setup)).toMatchObject({ repository: repo, gitattributesChanged: true });
    expectOk(await runCoffer(['git', 'setup'], { home, cwd: repo }));
    expect(await readFile(join(repo, '.gitattributes'), 'utf8')).toBe('*.coffer -text merge=coffer diff=coffer\n');

    // Each branch is changed from its own profile, as two people would (see the merge test).
    const team = (args: string[], profile = home) => coffer([...args, '--vault', join(repo, 'team.coffer')], { home: profile });
    expect((await team(['vault', 'create', ...TEST_KDF_ARGS])).code).toBe(0);
    expectOk(await team(['secret', 'set', '-n', 'shared', '--value', 'v0']));
    git('add', '.');
    git('commit', '-q', '-m', 'vault');
    git('checkout', '-q', '-b', 'feature');
    expectOk(await team(['secret', 'set', '-n', 'feature-secret', '--value', 'f'], home2));
    git('commit', '-q', '-am', 'feature');
    git('checkout', '-q', 'main');
    expectOk(await team(['secret', 'set', '-n', 'main-secret', '--value', 'm']));
    expectOk(await team(['secret', 'set', '-n', 'shared', '--value', 'v1']));
    git('commit', '-q', '-am', 'main');

    git('merge', '-q', '--no-edit', 'feature'); // throws if the driver fails
    expect(git('status', '--porcelain')).toBe('');
    const names = json<Bundle[]>(await team(['secret', 'list'])).map((i) => i.id.split('/').at(-1));
    expect(names.sort()).toEqual(['feature-secret', 'main-secret', 'shared']);
    expect((await team(['secret', 'get', '-n', 'shared'])).stdout.toString()).toBe('v1');
    expect(json(await team(['vault', 'check']))).toMatchObject({ ok: true });

    // git diff shows vault files through `coffer vault textconv`: one line per commit, no unlock.
    const commits = json<{ counts: { commits: number } }>(await team(['vault', 'info'])).counts.commits;
    const described = await runCoffer(['vault', 'textconv', 'team.coffer'], { home: await makeTempHome(), cwd: repo });
    expectOk(described);
    const lines = described.stdout.toString().trimEnd().split('\n');
    expect(lines).toHaveLength(commits);
    for (const line of lines) expect(line).toMatch(/[0-9a-f]{8,}.* seq \d+ parents \d+/);
    const diff = git('diff', 'HEAD~1', 'HEAD', '--', 'team.coffer');
    expect(diff).toMatch(/^\+\S.* seq \d+ parents \d+/m);
    expect(diff).not.toMatch(/^\+C \{/m);
  });

  it('vault merge-driver reports a failure with a non-zero exit', async () => {
    await writeFile(join(home, 'garbage-a.coffer'), 'not a vault\n');
    await writeFile(join(home, 'garbage-b.coffer'), 'not a vault either\n');
    const r = await runCoffer(['vault', 'merge-driver', 'x', 'garbage-a.coffer', 'garbage-b.coffer'], { home, cwd: home });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(ERROR_LINE);
    expect(await readFile(join(home, 'garbage-a.coffer'), 'utf8')).toBe('not a vault\n');
  });
});
