// Merges across membership changes (VAULT-MODEL V6 with C5 and C7): the merge
// unions commits without unlocking, and every client then decides
// authorization by history on open. Concurrent epochs from two admins' copies
// merge in either order to the same state; a removed member's commit that is
// concurrent with the removal is rejected and reported, in both merge orders.
import { join } from 'node:path';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import type { Vault } from '../../../../electron/vault/api.js';
import { createIdentity, mergeVaultFiles, openVault, type MemberIdentity } from '../../../../electron/vault/vault.js';
import { cleanupTemp, copyVault, create, hex, open, stateOf, stateOfFile, tempDir, text } from './helpers.js';

let dir: string;
let base: string;

beforeEach(async () => {
  dir = await tempDir();
  base = join(dir, 'team.coffer');
});
afterAll(cleanupTemp);

/** Opens `path` as `who` (a copy of the identity: close() wipes the one it is given). */
function openAs(path: string, who: MemberIdentity, profileDir: string): Promise<Vault> {
  return openVault({
    path,
    profileDir,
    passphrase: new Uint8Array(0),
    identity: { signPub: who.signPub, encPub: who.encPub, signSeed: who.signSeed.slice(), encPriv: who.encPriv.slice() },
    onWarning: () => undefined,
  });
}

const pub = (who: MemberIdentity, name: string): { signPub: Uint8Array; encPub: Uint8Array; name: string } => ({ signPub: who.signPub, encPub: who.encPub, name });

async function both(a: string, b: string): Promise<[string, string]> {
  const ab = join(dir, 'AB.coffer');
  const ba = join(dir, 'BA.coffer');
  await mergeVaultFiles(a, b, ab);
  await mergeVaultFiles(b, a, ba);
  return [ab, ba];
}

describe('merging copies with membership changes', () => {
  it('two admins add different members concurrently: both orders give one state; after the next write every member reads both sides', async () => {
    const bob = createIdentity();
    const carol = createIdentity();
    const owner = await create(base, join(dir, 'profile-owner'));
    await owner.secrets.set({ name: 'before', value: text('b0') });
    owner.close();
    const a = await copyVault(base, join(dir, 'A.coffer'));
    const b = await copyVault(base, join(dir, 'B.coffer'));
    const va = await open(a, join(dir, 'profile-A'));
    await va.members.add(pub(bob, 'bob'), ['Key Vault Secrets Officer']);
    await va.secrets.set({ name: 'from-a', value: text('a1') });
    va.close();
    const vb = await open(b, join(dir, 'profile-B'));
    await vb.members.add(pub(carol, 'carol'), ['Key Vault Secrets Officer']);
    await vb.secrets.set({ name: 'from-b', value: text('b1') });
    vb.close();

    const [ab, ba] = await both(a, b);
    const s = await stateOfFile(ab, dir);
    expect(await stateOfFile(ba, dir)).toEqual(s);
    expect(s.rejected).toBe(0);
    expect(Object.keys(s.objects).sort()).toEqual(['before', 'from-a', 'from-b']);

    // The owner's next write on the merged file starts an epoch over both branches (C7).
    const w = await open(ab, join(dir, 'profile-A'));
    expect(w.members.list().map((m) => m.name).sort()).toEqual(['bob', 'carol', 'owner']);
    await w.secrets.set({ name: 'after', value: text('x') });
    w.close();
    for (const [who, name] of [
      [bob, 'bob'],
      [carol, 'carol'],
    ] as const) {
      const v = await openAs(ab, who, join(dir, `profile-${name}`));
      try {
        for (const [secret, value] of [
          ['before', 'b0'],
          ['from-a', 'a1'],
          ['from-b', 'b1'],
          ['after', 'x'],
        ] as const) {
          expect({ who: name, secret, value: hex(await v.secrets.getValue(secret)) }).toEqual({ who: name, secret, value: hex(text(value)) });
        }
      } finally {
        v.close();
      }
    }
  });

  it('a member removed in one copy while writing in another: the concurrent write is rejected and reported, in both merge orders', async () => {
    const bob = createIdentity();
    const owner = await create(base, join(dir, 'profile-owner'));
    await owner.members.add(pub(bob, 'bob'), ['Key Vault Secrets Officer']);
    owner.close();
    // Bob's computer has the vault; he writes once before and once after the owner removes him.
    const bobCopy = await copyVault(base, join(dir, 'bob.coffer'));
    const vb = await openAs(bobCopy, bob, join(dir, 'profile-bob'));
    await vb.secrets.set({ name: 'bob-early', value: text('early') });
    vb.close();
    await mergeVaultFiles(base, bobCopy, base); // the owner pulls Bob's early write...
    const vo = await open(base, join(dir, 'profile-owner'));
    await vo.members.remove(bob.signPub); // ...and then removes him
    vo.close();
    const vb2 = await openAs(bobCopy, bob, join(dir, 'profile-bob'));
    await vb2.secrets.set({ name: 'bob-late', value: text('late') }); // concurrent with the removal
    vb2.close();

    const [ab, ba] = await both(base, bobCopy);
    const s = await stateOfFile(ab, dir);
    expect(await stateOfFile(ba, dir)).toEqual(s);
    expect(Object.keys(s.objects)).toEqual(['bob-early']);
    expect(s.rejected).toBe(1);
    const v = await open(ab, join(dir, 'profile-owner'));
    try {
      expect(v.info().rejectedCommits).toEqual([{ id: expect.stringMatching(/^[0-9a-f]{64}$/), reason: expect.stringMatching(/removed/) }]);
      expect(v.members.list().map((m) => m.name)).toEqual(['owner']);
      expect(await stateOf(v)).toEqual(s);
    } finally {
      v.close();
    }
  });
});
