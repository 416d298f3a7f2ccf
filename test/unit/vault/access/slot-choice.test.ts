/**
 * No member can make another member's unlock cost more than one
 * default-parameter Argon2id run (VAULT-MODEL C8; access/slot-choice.ts).
 * Members plant slots with costly parameters (up to C8's limits) in a shared
 * vault; every Argon2id run is counted, with its parameters, through a
 * wrapper around the real implementation.
 */
import { createHash } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeEach, describe, expect, it, vi } from 'vitest';
import type { KdfParams } from '../../../../electron/vault/api.js';

const runs: KdfParams[] = [];
vi.mock('../../../../electron/vault/crypto/argon2.js', async (importOriginal) => {
  const real = await importOriginal<typeof import('../../../../electron/vault/crypto/argon2.js')>();
  return {
    ...real,
    argon2id: (passphrase: Uint8Array, salt: Uint8Array, params: KdfParams, length?: number) => {
      runs.push(params);
      return real.argon2id(passphrase, salt, params, length);
    },
  };
});

const { sealSlot } = await import('../../../../electron/vault/access/identity.js');
const { readSlotMemory, rememberedMarkers, rememberSlots } = await import('../../../../electron/vault/access/slot-choice.js');
const { DEFAULT_KDF } = await import('../../../../electron/vault/crypto/index.js');
const helpers = await import('../../../helpers/vault.js');
const { appendToFile, craftCommit, loadCore } = await import('../properties/forge.js');
const { addMembers, createTestVault, enc, newMember, openAsMember, openWithPassphrase, removeTempDirs, TEST_KDF } = helpers;

afterAll(removeTempDirs);
beforeEach(() => {
  runs.length = 0;
});

/** The C8 limits: what a planted slot would make a victim pay if it were tried. */
const COSTLY: KdfParams = { memoryKiB: 4 * 1024 * 1024, iterations: 20, parallelism: 16 };
const costly = (p: KdfParams): boolean => p.memoryKiB > DEFAULT_KDF.memoryKiB || p.iterations > DEFAULT_KDF.iterations;

async function plantSlot(path: string, member: ReturnType<typeof newMember>, passphrase: string): Promise<void> {
  const core = loadCore(await readFile(path), member.identity);
  const slot = await sealSlot(member.identity, enc(passphrase), TEST_KDF, core.vaultIdBytes);
  await appendToFile(path, craftCommit(core, member.identity, { records: [], slots: [{ ...slot, kdf: { m: COSTLY.memoryKiB, t: COSTLY.iterations, p: COSTLY.parallelism } }] }).text);
}

describe('C8: slots planted by other members are never paid for', () => {
  it('the owner, on a computer that unlocked before and on a new one, never runs a costly foreign slot', async () => {
    const t = await createTestVault();
    const mallory = newMember('mallory');
    await addMembers(t.vault, [[mallory, ['Key Vault Reader']]]);
    t.vault.close();
    await plantSlot(t.path, mallory, 'anything');
    await plantSlot(t.path, newMember('stranger'), 'anything');
    for (const profile of [t.profileDir, join(t.dir, 'new-computer')]) {
      runs.length = 0;
      const v = await openWithPassphrase(t.path, profile, t.passphrase);
      v.close();
      expect(runs).toEqual([TEST_KDF]);
      // A wrong passphrase: still nothing costly is tried.
      runs.length = 0;
      await expect(openWithPassphrase(t.path, profile, 'wrong passphrase')).rejects.toMatchObject({ code: 'WrongPassphrase' });
      expect(runs.filter(costly)).toEqual([]);
    }
  });

  it('a planted slot with parameters no Argon2id accepts (m < 8p) is skipped, not an error', async () => {
    const t = await createTestVault();
    const mallory = newMember('mallory');
    await addMembers(t.vault, [[mallory, ['Key Vault Reader']]]);
    t.vault.close();
    const core = loadCore(await readFile(t.path), mallory.identity);
    const slot = await sealSlot(mallory.identity, enc('x'), TEST_KDF, core.vaultIdBytes);
    await appendToFile(t.path, craftCommit(core, mallory.identity, { records: [], slots: [{ ...slot, kdf: { m: 8, t: 1, p: 4 } }] }).text);
    const v = await openWithPassphrase(t.path, join(t.dir, 'new-computer'), t.passphrase);
    v.close();
    await expect(openWithPassphrase(t.path, join(t.dir, 'other-computer'), 'wrong')).rejects.toMatchObject({ code: 'WrongPassphrase' });
  });

  it('a passphrase change cut before its final newline (an interrupted save) does not stop the unlock', async () => {
    const t = await createTestVault();
    await t.vault.changePassphrase(enc('new passphrase'), TEST_KDF);
    t.vault.close();
    const bytes = await readFile(t.path);
    await writeFile(t.path, bytes.subarray(0, bytes.length - 1)); // the slot commit's newline never made it
    const v = await openWithPassphrase(t.path, join(t.dir, 'p'), t.passphrase); // the earlier passphrase, still current
    v.close();
  });

  it("a member with their own passphrase: one run on a computer that knows their slot; the others' costly slots never", async () => {
    const t = await createTestVault();
    const bob = newMember('bob');
    const mallory = newMember('mallory');
    await addMembers(t.vault, [
      [bob, ['Key Vault Secrets User']],
      [mallory, ['Key Vault Secrets User']],
    ]);
    t.vault.close();
    const bobProfile = join(t.dir, 'profile-bob');
    const asBob = await openAsMember(t.path, bob, { profileDir: bobProfile });
    await asBob.changePassphrase(enc('bob passphrase'), TEST_KDF);
    asBob.close();
    await plantSlot(t.path, mallory, 'anything'); // newer than bob's slot
    runs.length = 0;
    const known = await openWithPassphrase(t.path, bobProfile, 'bob passphrase');
    expect(known.members.list().find((m) => m.name === 'bob')).toBeDefined();
    known.close();
    expect(runs).toEqual([TEST_KDF]);
    // A new computer: cheap slots only (the creator's, then bob's), never mallory's.
    runs.length = 0;
    const fresh = await openWithPassphrase(t.path, join(t.dir, 'bob-new-computer'), 'bob passphrase');
    fresh.close();
    expect(runs.filter(costly)).toEqual([]);
    expect(runs.length).toBeLessThanOrEqual(2);
  });
});

describe('slot memory: where the slot lines of the file as it last opened lie', () => {
  const sha = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');
  const memoryFile = (t: { profileDir: string; vault: { id: string } }): string => join(t.profileDir, 'slots', `${t.vault.id}.json`);

  it('is kept for the file as it opened, used only for that file, and searched again after any change', async () => {
    const t = await createTestVault();
    const file = memoryFile(t);
    t.vault.close();
    (await openWithPassphrase(t.path, t.profileDir, t.passphrase)).close();
    const bytes = await readFile(t.path);
    const memory = await readSlotMemory(t.profileDir, t.vault.id);
    expect(memory.lines).toMatchObject({ length: bytes.length, sha256: sha(bytes) });
    expect(rememberedMarkers(memory, bytes, sha(bytes))).toEqual(memory.lines!.at);
    // Another file, or the same length with one byte changed: not used.
    const changed = Buffer.from(bytes);
    changed[changed.length - 2]! ^= 1;
    expect(rememberedMarkers(memory, changed, sha(changed))).toBeUndefined();
    expect(rememberedMarkers(memory, bytes.subarray(1), sha(bytes.subarray(1)))).toBeUndefined();
    // A position that no longer holds a marker: not used.
    expect(rememberedMarkers({ lines: { ...memory.lines!, at: [memory.lines!.at[0]! + 1] } }, bytes, sha(bytes))).toBeUndefined();
    // A write changes the file: the next open searches it and remembers the new one.
    const v = await openWithPassphrase(t.path, t.profileDir, t.passphrase);
    await v.changePassphrase(enc('second passphrase'), TEST_KDF);
    v.close();
    (await openWithPassphrase(t.path, t.profileDir, 'second passphrase')).close();
    const after = await readSlotMemory(t.profileDir, t.vault.id);
    expect(after.lines!.length).toBe((await readFile(t.path)).length);
    expect(after.lines!.at.length).toBe(2);
    expect(JSON.parse(await readFile(file, 'utf8'))).toEqual(after);
  });

  it('refuses what is not a memory: garbage, out-of-range or unordered positions, a bad hash', async () => {
    const t = await createTestVault();
    t.vault.close();
    const file = memoryFile(t);
    await mkdir(join(t.profileDir, 'slots'), { recursive: true });
    const author = 'A'.repeat(43);
    for (const [text, expected] of [
      ['not json', {}],
      ['[]', {}],
      [JSON.stringify({ author: 'short' }), {}],
      [JSON.stringify({ author, lines: { length: 10, sha256: 'a'.repeat(64), at: [3, 2] } }), { author }],
      [JSON.stringify({ author, lines: { length: 10, sha256: 'a'.repeat(64), at: [10] } }), { author }],
      [JSON.stringify({ author, lines: { length: 10, sha256: 'A'.repeat(64), at: [1] } }), { author }],
      [JSON.stringify({ author, lines: { length: 10, sha256: 'a'.repeat(64), at: [1, 4] } }), { author, lines: { length: 10, sha256: 'a'.repeat(64), at: [1, 4] } }],
    ] as const) {
      await writeFile(file, text);
      expect(await readSlotMemory(t.profileDir, t.vault.id)).toEqual(expected);
    }
    // Written only when it changed.
    await writeFile(file, 'stays');
    await rememberSlots(t.profileDir, t.vault.id, { author }, { author });
    expect(await readFile(file, 'utf8')).toBe('stays');
  });

  it('a profile whose memory hides the newest slot list cannot bring an old passphrase back', async () => {
    const t = await createTestVault();
    await t.vault.changePassphrase(enc('new passphrase'), TEST_KDF);
    t.vault.close();
    (await openWithPassphrase(t.path, t.profileDir, 'new passphrase')).close();
    const file = memoryFile(t);
    const memory = await readSlotMemory(t.profileDir, t.vault.id);
    expect(memory.lines!.at.length).toBe(2);
    // An attacker who can write the profile drops the newer slot line from the memory.
    await writeFile(file, JSON.stringify({ ...memory, lines: { ...memory.lines!, at: [memory.lines!.at[0]] } }));
    await expect(openWithPassphrase(t.path, t.profileDir, t.passphrase)).rejects.toMatchObject({ code: 'IoError', message: expect.stringMatching(/remembered of the vault's passphrase slots does not match/) });
    // The lines were forgotten: the file is searched, and the old passphrase is wrong again.
    expect((await readSlotMemory(t.profileDir, t.vault.id)).lines).toBeUndefined();
    await expect(openWithPassphrase(t.path, t.profileDir, t.passphrase)).rejects.toMatchObject({ code: 'WrongPassphrase' });
    (await openWithPassphrase(t.path, t.profileDir, 'new passphrase')).close();
  });
});
