// A team vault through the built CLI, with no vault-wide passphrase (VAULT-MODEL C8): Ann
// creates it with her identity file; Bob and Carol are added from their invites.
// Each person has their own COFFER_HOME; no passphrase reaches any output.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_KDF_ARGS, json, makeTempHome, removeTempHome, runCoffer, type CofferResult } from '../../helpers/cli.js';

const PASSPHRASES = { ann: 'ann-canary-passphrase-0c9d21', bob: 'bob-canary-passphrase-e5a7b3', carol: 'carol-canary-passphrase-41f6d8' };
type Person = keyof typeof PASSPHRASES;
const ERROR_LINE = /^coffer: error: [A-Za-z]+: (?:[A-Za-z]+: )?[^\n]+\n$/;

interface Card {
  name: string;
  id: string;
  invite: string;
  file: string;
}
interface Member {
  id: string;
  name: string;
  roles: string[];
}

const homes = {} as Record<Person, string>;
const cards = {} as Record<Person, Card>;
let vault: string;
const outputs: CofferResult[] = [];

/** Runs as `who`, through their identity file (its passphrase from the environment). */
async function as(who: Person, args: string[], input?: string): Promise<CofferResult> {
  const r = await runCoffer(['--vault', vault, ...args], {
    home: homes[who],
    env: { COFFER_IDENTITY: cards[who].file, COFFER_IDENTITY_PASSPHRASE: PASSPHRASES[who] },
    ...(input === undefined ? {} : { input }),
  });
  outputs.push(r);
  return r;
}

function expectOk(r: CofferResult): void {
  expect({ code: r.code, stderr: r.stderr.replace(/^coffer: warning: [^\n]+\n/gm, '') }).toEqual({ code: 0, stderr: '' });
}

function expectError(r: CofferResult, exit: number, code: string): void {
  expect({ code: r.code, stderr: r.stderr }).toMatchObject({ code: exit, stderr: expect.stringMatching(ERROR_LINE) });
  expect(r.stderr.startsWith(`coffer: error: ${code}: `)).toBe(true);
}

beforeAll(async () => {
  for (const who of Object.keys(PASSPHRASES) as Person[]) {
    homes[who] = await makeTempHome();
    const created = await runCoffer(['identity', 'create', '--name', who[0]!.toUpperCase() + who.slice(1), ...TEST_KDF_ARGS], {
      home: homes[who],
      env: { COFFER_IDENTITY_PASSPHRASE: PASSPHRASES[who] },
    });
    expectOk(created);
    cards[who] = json<Card>(created);
  }
  vault = join(homes.ann, 'team.coffer');
});

afterAll(async () => {
  await Promise.all(Object.values(homes).map((h) => removeTempHome(h)));
});

describe('vault create --identity', () => {
  it('creates a team vault whose creator and Administrator is the identity, under its name', async () => {
    const created = await as('ann', ['vault', 'create']);
    expectOk(created);
    expect(json<{ unlockedWith: string; roles: string[] }>(created)).toMatchObject({ unlockedWith: 'identity', roles: ['Key Vault Administrator'] });
    expectOk(await as('ann', ['secret', 'set', '-n', 'db', '--value-stdin'], 'db-value'));
    expect(json<Member[]>(await as('ann', ['member', 'list']))).toEqual([expect.objectContaining({ id: cards.ann.id, name: 'Ann', roles: ['Key Vault Administrator'] })]);
  });

  it('has no passphrase: a passphrase open is refused', async () => {
    const r = await runCoffer(['--vault', vault, 'secret', 'list'], { home: homes.ann, env: { COFFER_PASSPHRASE: 'anything' } });
    expectError(r, 4, 'VaultLocked');
    expect(r.stderr).toContain('This vault has no passphrase slot; open it with a member identity.');
  });

  it('refuses the --kdf-* options, which set a passphrase slot', async () => {
    expectError(await as('ann', ['vault', 'create', '--vault', join(homes.ann, 'other.coffer'), ...TEST_KDF_ARGS]), 2, 'BadParameter');
  });

  it('members added from invites read by role', async () => {
    expectOk(await as('ann', ['member', 'add', '--invite', cards.bob.invite, '--role', 'Key Vault Secrets User']));
    const got = await as('bob', ['secret', 'get', '-n', 'db']);
    expectOk(got);
    expect(got.stdout.toString('utf8')).toBe('db-value');
  });
});

describe('member leave', () => {
  it('refuses the last Administrator, and a member who does not manage members', async () => {
    const last = await as('ann', ['member', 'leave']);
    expectError(last, 6, 'Conflict');
    expect(last.stderr).toContain('You are the last Administrator of this vault');
    expectError(await as('bob', ['member', 'leave']), 4, 'Forbidden');
  });

  it('member remove of oneself points to member leave', async () => {
    const r = await as('ann', ['member', 'remove', '--member', cards.ann.id]);
    expectError(r, 2, 'BadParameter');
    expect(r.stderr).toContain('use `coffer member leave`');
  });

  it('the creator hands the role on, leaves, and can no longer write', async () => {
    expectOk(await as('ann', ['member', 'set-role', '--member', cards.bob.id, '--role', 'Key Vault Administrator']));
    const left = await as('ann', ['member', 'leave']);
    expectOk(left);
    expect(json<{ left: Member; exposedSecrets: string[] }>(left)).toMatchObject({ left: { id: cards.ann.id, name: 'Ann' }, exposedSecrets: ['db'] });
    const late = await as('ann', ['secret', 'set', '-n', 'late', '--value-stdin'], 'x');
    expectError(late, 4, 'Forbidden');
    expect(json<Member[]>(await as('bob', ['member', 'list'])).map((m) => m.name)).toEqual(['Bob']);
    expectOk(await as('bob', ['member', 'add', '--invite', cards.carol.invite, '--role', 'Key Vault Reader']));
  });
});

describe('vault refound', () => {
  it('refuses a member who cannot read everything, naming what they lack', async () => {
    const r = await as('carol', ['vault', 'refound', '--to', join(homes.carol, 'mine.coffer')]);
    expectError(r, 4, 'Forbidden');
    expect(r.stderr).toContain('your roles do not allow secrets/backup');
  });

  it('an Administrator copies everything into a new vault they create; the old file is left as it was', async () => {
    const before = await readFile(vault);
    const to = join(homes.bob, 'refounded.coffer');
    const r = await as('bob', ['vault', 'refound', '--to', to]);
    expectOk(r);
    expect(r.stderr).toContain('version ids are kept');
    expect(json<{ path: string; copied: Record<string, number>; members: Member[] }>(r)).toMatchObject({
      path: to,
      copied: { secrets: 1, secretVersions: 1, keys: 0, certificates: 0, cas: 0 },
      members: [{ id: cards.carol.id, name: 'Carol', roles: ['Key Vault Reader'] }],
    });
    expect((await readFile(vault)).equals(before)).toBe(true);
    const asBobThere = await runCoffer(['--vault', to, 'secret', 'get', '-n', 'db'], { home: homes.bob, env: { COFFER_IDENTITY: cards.bob.file, COFFER_IDENTITY_PASSPHRASE: PASSPHRASES.bob } });
    outputs.push(asBobThere);
    expect(asBobThere.stdout.toString('utf8')).toBe('db-value');
    expectError(await as('bob', ['vault', 'refound', '--to', to]), 6, 'VaultExists');
  });

  it('--leave-out drops a member, listed apart', async () => {
    const r = await as('bob', ['vault', 'refound', '--to', join(homes.bob, 'without-carol.coffer'), '--leave-out', cards.carol.id]);
    expectOk(r);
    expect(json<{ members: Member[]; leftOut: Member[] }>(r)).toMatchObject({ members: [], leftOut: [{ id: cards.carol.id, name: 'Carol' }] });
  });
});

describe('no passphrase in any output', () => {
  it('holds for every command run', () => {
    for (const r of outputs) {
      for (const pw of Object.values(PASSPHRASES)) {
        expect(r.stdout.toString('utf8')).not.toContain(pw);
        expect(r.stderr).not.toContain(pw);
      }
    }
  });
});
