// Team vaults through the built CLI (CLI.md "Identities and members"): Alice
// creates a vault, Bob creates an identity in his own profile, Alice adds his
// invite with a role, Bob opens the vault with --identity and reads by that
// role; a Reader lists but cannot read values; after removal, nothing.
// Each person has their own COFFER_HOME; no passphrase reaches any output.
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../../electron/cli/main.js';
import { TEST_KDF_ARGS, json, makeTempHome, removeTempHome, runCoffer, type CofferResult } from '../../helpers/cli.js';
import { testIo } from './fake-engine.js';

const ALICE_PASSPHRASE = 'alice-canary-passphrase-5d1e09';
const BOB_PASSPHRASE = 'bob-canary-passphrase-77f0c2';
const CAROL_PASSPHRASE = 'carol-canary-passphrase-a41b3e';
const ERROR_LINE = /^coffer: error: [A-Za-z]+: (?:[A-Za-z]+: )?[^\n]+\n$/;
const FINGERPRINT = /^([0-9A-HJKMNP-TV-Z]{4}-){5}[0-9A-HJKMNP-TV-Z]{4}$/;

interface Card {
  name: string;
  id: string;
  fingerprint: string;
  invite: string;
  file: string;
}
interface Member {
  id: string;
  name: string;
  fingerprint: string;
  roles: string[];
  grants: { object: string; role: string }[];
  addedBy?: string;
  added?: string;
}

const ISO_TIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.000Z$/;

let alice: string;
let bob: string;
let carol: string;
let vault: string;
let bobCard: Card;
const outputs: CofferResult[] = [];

async function run(args: string[], home: string, env: Record<string, string>, input?: string): Promise<CofferResult> {
  const r = await runCoffer(args, { home, env, ...(input === undefined ? {} : { input }) });
  outputs.push(r);
  return r;
}

const asAlice = (args: string[], input?: string): Promise<CofferResult> => run(args, alice, { COFFER_PASSPHRASE: ALICE_PASSPHRASE }, input);
const asBob = (args: string[], env: Record<string, string> = { COFFER_IDENTITY_PASSPHRASE: BOB_PASSPHRASE }): Promise<CofferResult> =>
  run(['--vault', vault, '--identity', bobCard.file, ...args], bob, env);

function expectError(r: CofferResult, exit: number, code: string): void {
  expect({ code: r.code, stderr: r.stderr }).toMatchObject({ code: exit, stderr: expect.stringMatching(ERROR_LINE) });
  expect(r.stderr.startsWith(`coffer: error: ${code}: `)).toBe(true);
  expect(r.stdout.length).toBe(0);
}

function expectOk(r: CofferResult): void {
  expect({ code: r.code, stderr: r.stderr.replace(/^coffer: warning: [^\n]+\n/gm, '') }).toEqual({ code: 0, stderr: '' });
}

beforeAll(async () => {
  [alice, bob, carol] = await Promise.all([makeTempHome(), makeTempHome(), makeTempHome()]);
  vault = join(alice, 'team.coffer');
  expectOk(await asAlice(['--vault', vault, 'vault', 'create', ...TEST_KDF_ARGS]));
  expectOk(await asAlice(['--vault', vault, 'secret', 'set', '-n', 'db-password', '--value-stdin'], 'value-before'));
  const created = await run(['identity', 'create', '--name', 'Bob', ...TEST_KDF_ARGS], bob, { COFFER_IDENTITY_PASSPHRASE: BOB_PASSPHRASE });
  expectOk(created);
  bobCard = json<Card>(created);
});

afterAll(async () => {
  await Promise.all([alice, bob, carol].map((h) => removeTempHome(h)));
});

describe('coffer identity', () => {
  it('create writes identity.json (0600) in the profile and prints the invite and fingerprint; show needs no passphrase', async () => {
    expect(bobCard).toMatchObject({ name: 'Bob', file: join(bob, 'identity.json') });
    expect(bobCard.id).toMatch(/^[0-9a-f]{16}$/);
    expect(bobCard.fingerprint).toMatch(FINGERPRINT);
    expect(bobCard.invite.startsWith('coffer-invite:')).toBe(true);
    expect((await stat(bobCard.file)).mode & 0o777).toBe(0o600);

    const shown = await run(['identity', 'show'], bob, {});
    expectOk(shown);
    expect(json<Card>(shown)).toEqual(bobCard);
    const text = await run(['identity', 'show', '-o', 'text'], bob, {});
    expectOk(text);
    expect(text.stdout.toString()).toContain(`fingerprint: ${bobCard.fingerprint}\n`);
    expect(text.stdout.toString()).toContain(`invite: ${bobCard.invite}\n`);
  });

  it('refuses to replace an identity without --force; -f names another file; no passphrase and no terminal fails at once', async () => {
    const again = await run(['identity', 'create', '--name', 'Bob', ...TEST_KDF_ARGS], bob, { COFFER_IDENTITY_PASSPHRASE: BOB_PASSPHRASE });
    expectError(again, 6, 'Conflict');
    expect(again.stderr).toContain('--force');

    const file = join(carol, 'carol.json');
    const first = await run(['identity', 'create', '-f', file, '--name', 'Carol', ...TEST_KDF_ARGS], carol, { COFFER_IDENTITY_PASSPHRASE: CAROL_PASSPHRASE });
    expectOk(first);
    const forced = await run(['identity', 'create', '-f', file, '--name', 'Carol', '--force', ...TEST_KDF_ARGS], carol, { COFFER_IDENTITY_PASSPHRASE: CAROL_PASSPHRASE });
    expectOk(forced);
    expect(json<Card>(forced).fingerprint).not.toBe(json<Card>(first).fingerprint);

    expectError(await run(['identity', 'create', '-f', join(carol, 'x.json'), ...TEST_KDF_ARGS], carol, {}), 4, 'VaultLocked');
    expectError(await run(['identity', 'show', '-f', join(carol, 'absent.json')], carol, {}), 3, 'NotFound');
    expectError(await run(['identity', 'create', '-f', join(carol, 'y.json'), '--name', 'a\u0007b', ...TEST_KDF_ARGS], carol, { COFFER_IDENTITY_PASSPHRASE: CAROL_PASSPHRASE }), 2, 'BadParameter');
  });
});

describe('coffer member', () => {
  it('an identity that is not a member cannot open the vault', async () => {
    const created = await run(['identity', 'create', '--name', 'Stranger', '-f', join(carol, 'stranger.json'), ...TEST_KDF_ARGS], carol, { COFFER_IDENTITY_PASSPHRASE: CAROL_PASSPHRASE });
    expectOk(created);
    const r = await run(['--vault', vault, '--identity', join(carol, 'stranger.json'), 'secret', 'list'], carol, { COFFER_IDENTITY_PASSPHRASE: CAROL_PASSPHRASE });
    expectError(r, 4, 'Forbidden');
  });

  it('refuses a tampered or truncated invite and unknown or missing roles before unlocking', async () => {
    const body = bobCard.invite.slice('coffer-invite:'.length);
    const tampered = `coffer-invite:${body.slice(0, 20)}${body[20] === 'A' ? 'B' : 'A'}${body.slice(21)}`;
    for (const invite of [tampered, bobCard.invite.slice(0, -12), 'hello']) {
      // No passphrase given: a refusal here is not an unlock failure.
      const r = await run(['--vault', vault, 'member', 'add', '--invite', invite, '--role', 'Key Vault Reader'], alice, {});
      expectError(r, 2, 'BadParameter');
      expect(r.stderr).toContain('The invite is not valid');
    }
    expectError(await run(['--vault', vault, 'member', 'add', '--invite', bobCard.invite, '--role', 'Key Vault Superuser'], alice, {}), 2, 'BadParameter');
    expectError(await run(['--vault', vault, 'member', 'add', '--invite', bobCard.invite], alice, {}), 2, 'BadParameter');
  });

  it('Alice adds Bob as Secrets User (showing the invite\'s fingerprint); Bob opens with --identity and reads the secret', async () => {
    const added = await asAlice(['--vault', vault, 'member', 'add', '--invite', bobCard.invite, '--role', 'Key Vault Secrets User']);
    expectOk(added);
    const aliceId = json<{ memberId: string }>(await asAlice(['--vault', vault, 'vault', 'info'])).memberId;
    const bobAdded = { id: bobCard.id, name: 'Bob', fingerprint: bobCard.fingerprint, roles: ['Key Vault Secrets User'], grants: [], addedBy: aliceId, added: expect.stringMatching(ISO_TIME) };
    expect(json<Member>(added)).toEqual(bobAdded);
    expect(added.stderr).toContain(bobCard.fingerprint);

    const list = await asAlice(['--vault', vault, 'member', 'list']);
    expectOk(list);
    const members = json<Member[]>(list);
    expect(members).toHaveLength(2);
    expect(members).toContainEqual(bobAdded);
    expect(members.find((m) => m.id !== bobCard.id)?.roles).toEqual(['Key Vault Administrator']);

    const read = await asBob(['secret', 'get', '-n', 'db-password']);
    expectOk(read);
    expect(read.stdout.toString()).toBe('value-before');
    // --identity may follow the verb, as --vault and --passphrase-file may.
    const after = await run(['secret', 'get', '-n', 'db-password', '--vault', vault, '--identity', bobCard.file], bob, { COFFER_IDENTITY_PASSPHRASE: BOB_PASSPHRASE });
    expectOk(after);
    expect(after.stdout.toString()).toBe('value-before');
    // $COFFER_IDENTITY does what --identity does.
    const viaEnv = await run(['--vault', vault, 'vault', 'info'], bob, { COFFER_IDENTITY: bobCard.file, COFFER_IDENTITY_PASSPHRASE: BOB_PASSPHRASE });
    expectOk(viaEnv);
    expect(json<{ roles: string[]; unlockedWith: string }>(viaEnv)).toMatchObject({ roles: ['Key Vault Secrets User'], unlockedWith: 'identity' });
  });

  it('Bob may not manage members, nor open with a wrong identity passphrase, nor without one', async () => {
    expectError(await asBob(['member', 'set-role', '--member', bobCard.id, '--role', 'Key Vault Administrator']), 4, 'Forbidden');
    expectError(await asBob(['secret', 'list'], { COFFER_IDENTITY_PASSPHRASE: 'not-bobs' }), 4, 'WrongPassphrase');
    expectError(await asBob(['secret', 'list'], {}), 4, 'VaultLocked');
  });

  it('as a Reader (set by fingerprint), Bob lists secrets but cannot read a value', async () => {
    const set = await asAlice(['--vault', vault, 'member', 'set-role', '--member', bobCard.fingerprint.toLowerCase(), '--role', 'Key Vault Reader']);
    expectOk(set);
    // The exposure report of the scope he lost (V5): the secret he could read.
    expect(json<Member & { exposed: unknown[] }>(set)).toMatchObject({ roles: ['Key Vault Reader'], exposed: [{ kind: 'secrets', name: 'db-password' }] });
    expect(set.stderr).toContain('coffer: warning: Bob could read 1 object(s) until now');
    const list = await asBob(['secret', 'list']);
    expectOk(list);
    expect(json<{ id: string }[]>(list).map((s) => s.id.split('/').pop())).toEqual(['db-password']);
    expectError(await asBob(['secret', 'get', '-n', 'db-password']), 4, 'Forbidden');
  });

  it('remove prints what Bob could read; `member exposure` lists it until rotated; a secret written afterwards is out of his reach', async () => {
    const raised = await asAlice(['--vault', vault, 'member', 'set-role', '--member', bobCard.id, '--role', 'Key Vault Secrets User']);
    expectOk(raised);
    expect(json<{ exposed: unknown[] }>(raised).exposed).toEqual([]); // he lost no scope
    const removed = await asAlice(['--vault', vault, 'member', 'remove', '--member', bobCard.id]);
    expectOk(removed);
    expect(json(removed)).toEqual({
      removed: { id: bobCard.id, name: 'Bob', fingerprint: bobCard.fingerprint, roles: ['Key Vault Secrets User'], grants: [], addedBy: expect.any(String), added: expect.stringMatching(ISO_TIME) },
      exposed: [{ kind: 'secrets', name: 'db-password' }],
      exposedSecrets: ['db-password'],
    });
    expect(removed.stderr).toContain('coffer: warning: Bob could read 1 object(s) until now');
    const before = await asAlice(['--vault', vault, 'member', 'exposure']);
    expectOk(before);
    expect(json(before)).toEqual([{ kind: 'secrets', name: 'db-password' }]);
    expectOk(await asAlice(['--vault', vault, 'secret', 'set', '-n', 'after-removal', '--value-stdin'], 'value-after'));
    expectOk(await asAlice(['--vault', vault, 'secret', 'set', '-n', 'db-password', '--value-stdin'], 'rotated-after'));
    const rotated = await asAlice(['--vault', vault, 'member', 'exposure']);
    expectOk(rotated);
    expect(json(rotated)).toEqual([]);

    // V5: what follows the removal is under epochs Bob's identity cannot read; he sees the state before it.
    const after = await asBob(['secret', 'get', '-n', 'after-removal']);
    expect(after.code).toBe(3);
    expect(after.stderr).toMatch(/^coffer: warning: .*cannot read: it was removed.*\ncoffer: error: SecretNotFound: /);
    const asRemoved = await asBob(['secret', 'get', '-n', 'db-password']);
    expect(asRemoved.stdout.toString()).not.toContain('rotated-after');
    const all = outputs.filter((r) => r.stdout.toString().includes('value-after') || r.stdout.toString().includes('rotated-after'));
    expect(all).toEqual([]);
    expectError(await asAlice(['--vault', vault, 'member', 'remove', '--member', bobCard.id]), 3, 'NotFound');
  });

  it('--scope: a role on one secret; Carol reads that secret and no other; set-role --scope adds one, remove --scope ends one with its report', async () => {
    const created = await run(['identity', 'create', '--name', 'Carol', ...TEST_KDF_ARGS], carol, { COFFER_IDENTITY_PASSPHRASE: CAROL_PASSPHRASE });
    expectOk(created);
    const carolCard = json<Card>(created);
    const asCarol = (args: string[]): Promise<CofferResult> => run(['--vault', vault, '--identity', carolCard.file, ...args], carol, { COFFER_IDENTITY_PASSPHRASE: CAROL_PASSPHRASE });
    expectOk(await asAlice(['--vault', vault, 'secret', 'set', '-n', 'api-key', '--value-stdin'], 'api-value'));
    const user = ['--role', 'Key Vault Secrets User'];
    // One role per scope, and only the reading roles: refused before anything is written.
    expectError(await asAlice(['--vault', vault, 'member', 'add', '--invite', carolCard.invite, ...user, '--role', 'Key Vault Reader', '--scope', 'secrets/api-key']), 2, 'BadParameter');
    expectError(await asAlice(['--vault', vault, 'member', 'add', '--invite', carolCard.invite, '--role', 'Key Vault Secrets Officer', '--scope', 'secrets/api-key']), 2, 'BadParameter');
    expectError(await asAlice(['--vault', vault, 'member', 'add', '--invite', carolCard.invite, ...user, '--scope', 'vaults/x']), 2, 'BadParameter');
    expectError(await asAlice(['--vault', vault, 'member', 'add', '--invite', carolCard.invite, ...user, '--scope', 'secrets/nope']), 3, 'NotFound');
    expect(json<Member[]>(await asAlice(['--vault', vault, 'member', 'list'])).map((m) => m.name)).not.toContain('Carol');

    const added = await asAlice(['--vault', vault, 'member', 'add', '--invite', carolCard.invite, ...user, '--scope', 'secrets/api-key']);
    expectOk(added);
    expect(json<Member>(added)).toMatchObject({ name: 'Carol', roles: ['Key Vault Reader'], grants: [{ object: 'secrets/api-key', role: 'Key Vault Secrets User' }] });
    const read = await asCarol(['secret', 'get', '-n', 'api-key']);
    expectOk(read);
    expect(read.stdout.toString()).toBe('api-value');
    expectError(await asCarol(['secret', 'get', '-n', 'db-password']), 4, 'Forbidden');

    const more = await asAlice(['--vault', vault, 'member', 'set-role', '--member', carolCard.id, ...user, '--scope', 'secrets/db-password']);
    expectOk(more);
    expect(json<Member>(more).grants).toEqual([
      { object: 'secrets/api-key', role: 'Key Vault Secrets User' },
      { object: 'secrets/db-password', role: 'Key Vault Secrets User' },
    ]);
    expect((await asCarol(['secret', 'get', '-n', 'db-password'])).stdout.toString()).toBe('rotated-after');

    const ended = await asAlice(['--vault', vault, 'member', 'remove', '--member', carolCard.id, '--scope', 'secrets/api-key']);
    expectOk(ended);
    expect(json<Member & { exposed: unknown[] }>(ended)).toMatchObject({ grants: [{ object: 'secrets/db-password' }], exposed: [{ kind: 'secrets', name: 'api-key' }] });
    expect(ended.stderr).toContain('coffer: warning: Carol could read 1 object(s) until now');
    expectError(await asCarol(['secret', 'get', '-n', 'api-key']), 4, 'Forbidden');
    expect(json(await asAlice(['--vault', vault, 'member', 'exposure']))).toEqual([{ kind: 'secrets', name: 'api-key' }]);
  });

  it('--identity with --passphrase-file, or on commands that act on the passphrase, is a usage error', async () => {
    const pw = join(alice, 'pw');
    await import('node:fs/promises').then((fs) => fs.writeFile(pw, ALICE_PASSPHRASE, { mode: 0o600 }));
    expectError(await run(['--vault', vault, '--passphrase-file', pw, '--identity', bobCard.file, 'secret', 'list'], alice, {}), 2, 'BadParameter');
    expectError(await run(['--vault', vault, '--identity', bobCard.file, 'vault', 'remember'], alice, {}), 2, 'BadParameter');
    expectError(await run(['--vault', join(alice, 'new.coffer'), '--passphrase-file', pw, '--identity', bobCard.file, 'vault', 'create'], alice, {}), 2, 'BadParameter');
  });

  it('no passphrase appears in any output', () => {
    expect(outputs.length).toBeGreaterThan(20);
    for (const r of outputs) {
      for (const pw of [ALICE_PASSPHRASE, BOB_PASSPHRASE, CAROL_PASSPHRASE]) {
        expect(r.stdout.toString('utf8')).not.toContain(pw);
        expect(r.stderr).not.toContain(pw);
      }
    }
  });
});

describe('identity passphrases on a terminal (in-process, a fake prompt)', () => {
  const prompts = (answers: string[], asked: string[]) => (prompt: string): Promise<Uint8Array> => {
    asked.push(prompt);
    return Promise.resolve(new TextEncoder().encode(answers.shift() ?? ''));
  };

  it('identity create asks twice and refuses two different answers; --identity asks once for the identity\'s passphrase', async () => {
    const home = await makeTempHome();
    try {
      const file = join(home, 'me.json');
      const asked: string[] = [];
      const differ = testIo({ env: { COFFER_HOME: home }, stdinTTY: true, readPassphrase: prompts(['one-passphrase', 'another-one'], asked) });
      expect(await main(['identity', 'create', '-f', file, '--name', 'Me', ...TEST_KDF_ARGS], differ)).toBe(2);
      expect(differ.err()).toContain('coffer: error: BadParameter: The two passphrases differ');
      expect(asked).toEqual([`New passphrase for the identity ${file}: `, 'Repeat the passphrase: ']);

      const same = testIo({ env: { COFFER_HOME: home }, stdinTTY: true, readPassphrase: prompts([CAROL_PASSPHRASE, CAROL_PASSPHRASE], []) });
      expect(await main(['identity', 'create', '-f', file, '--name', 'Me', ...TEST_KDF_ARGS], same)).toBe(0);
      const card = JSON.parse(same.out().toString('utf8')) as Card;
      expect(card.file).toBe(file);

      // Not a member of Alice's vault: the identity is unlocked (one prompt, naming the file), then the open is Forbidden.
      const openAsked: string[] = [];
      const open = testIo({ env: { COFFER_HOME: home }, stdinTTY: true, readPassphrase: prompts([CAROL_PASSPHRASE], openAsked) });
      expect(await main(['--vault', vault, '--identity', file, 'secret', 'list'], open)).toBe(4);
      expect(openAsked).toEqual([`Passphrase for the identity ${file}: `]);
      expect(open.err()).toMatch(/^coffer: error: Forbidden: /m);
      for (const io of [differ, same, open]) {
        for (const pw of [CAROL_PASSPHRASE, 'one-passphrase', 'another-one']) {
          expect(io.out().toString('utf8')).not.toContain(pw);
          expect(io.err()).not.toContain(pw);
        }
      }
    } finally {
      await removeTempHome(home);
    }
  });
});
