/**
 * V3 — read access is cryptographic. An attacker holding a member identity
 * whose roles do not read `secrets` takes the vault file and tries, with raw
 * cryptography only (raw-attack.ts), every stanza with every key it holds or
 * recovers in every context it can build, and every blob with every key:
 * 0 secret values recovered. The same attack run by a Secrets User recovers
 * every value, which shows the attack code itself works.
 */
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Vault } from '../../../../electron/vault/api.js';
import { addMembers, createTestVault, enc, newMember, removeTempDirs, type TestMember, type TestVault } from '../../../helpers/vault.js';
import { rawAttack, recoveredCanaries, type AttackResult } from './raw-attack.js';

const pair = (m: TestMember): { priv: Uint8Array; pub: Uint8Array } => ({ priv: m.identity.encPriv.slice(), pub: m.identity.encPub.slice() });

afterAll(removeTempDirs);

describe('V3: a member without the secrets scope recovers no value with raw crypto', () => {
  const VALUES = {
    a1: 'v3canary-value-A1-7f3kQz9WmPx2',
    a2: 'v3canary-value-A2-Lr8sVb4NcTq6',
    b: 'v3canary-value-B-Hy5dJe2UgKo1',
    c: 'v3canary-value-C-Zt9wMa3RfXs8',
    d: 'v3canary-value-D-Qp4nBv7YkLc5',
  };
  const all = Object.values(VALUES);
  let t: TestVault;
  let bytes: Uint8Array;
  const rita = newMember('rita-reader');
  const carl = newMember('carl-crypto-officer');
  const sue = newMember('sue-secrets-user');
  const attacks = new Map<string, AttackResult>();
  const attack = (who: TestMember): AttackResult => {
    let r = attacks.get(who.name);
    if (!r) attacks.set(who.name, (r = rawAttack(bytes, [pair(who)])));
    return r;
  };

  beforeAll(async () => {
    t = await createTestVault();
    const v: Vault = t.vault;
    await v.secrets.set({ name: 'alpha', value: enc(VALUES.a1), contentType: 'text/plain', tags: { env: 'prod' } });
    await addMembers(v, [
      [rita, ['Key Vault Reader']],
      [carl, ['Key Vault Crypto Officer']],
      [sue, ['Key Vault Secrets User']],
    ]);
    await v.secrets.set({ name: 'bravo', value: enc(VALUES.b) });
    await v.secrets.import([
      { name: 'charlie', value: enc(VALUES.c) },
      { name: 'delta', value: enc(VALUES.d) },
    ]);
    await v.secrets.set({ name: 'alpha', value: enc(VALUES.a2) });
    await v.secrets.update('bravo', undefined, { tags: { team: 'x' } });
    bytes = await readFile(t.path);
  });

  it('the attack code works: a Secrets User recovers every value with it', () => {
    const r = attack(sue);
    expect(recoveredCanaries(r, all).sort()).toEqual([...all].sort());
    expect(r.values.size).toBe(5);
  });

  it('a Reader recovers 0 values, although it decrypts every body and meta key', () => {
    const r = attack(rita);
    const commits = bytes.toString().split('\n').filter((l) => l.startsWith('C ')).length - 1; // minus genesis
    // The attacker got as far as a Reader legitimately can: every body, so every inner stanza was tried.
    expect(r.bodies.size).toBe(commits);
    expect(r.opened.some((w) => w.includes('batch key'))).toBe(false);
    expect(r.opened.some((w) => /secrets (wrap|chain)/.test(w))).toBe(false);
    expect(r.stanzas).toBeGreaterThan(20);
    expect(recoveredCanaries(r, all)).toEqual([]);
    expect(r.values.size).toBe(0);
  });

  it('a Crypto Officer (meta + keys) recovers 0 secret values', () => {
    const r = attack(carl);
    expect(r.opened.some((w) => / keys (wrap|chain)/.test(w))).toBe(true); // it does read its own scope
    expect(r.opened.some((w) => / secrets (wrap|chain)|batch key/.test(w))).toBe(false);
    expect(recoveredCanaries(r, all)).toEqual([]);
    expect(r.values.size).toBe(0);
  });

  it('an outsider identity (not a member) recovers nothing at all', () => {
    const r = rawAttack(bytes, [pair(newMember('mallory'))]);
    expect(r.plaintexts).toEqual([]);
  });
});

describe('V3: a removed member recovers none of the values written after the removal', () => {
  const PRE = 'v3canary-before-removal-Wc6hPn2';
  const POST = ['v3canary-after-removal-1-Ks8dTg3', 'v3canary-after-removal-2-Fm1xRz7'];
  it('old values only (they were readable before), 0 new ones', async () => {
    const t = await createTestVault();
    const bob = newMember('bob-removed');
    const keep = newMember('kim-keeps');
    await addMembers(t.vault, [
      [bob, ['Key Vault Secrets User']],
      [keep, ['Key Vault Secrets User']],
    ]);
    await t.vault.secrets.set({ name: 'old', value: enc(PRE) });
    await t.vault.members.remove(bob.identity.signPub);
    await t.vault.secrets.set({ name: 'new', value: enc(POST[0]!) });
    await t.vault.secrets.set({ name: 'old', value: enc(POST[1]!) });
    const bytes = await readFile(t.path);

    const r = rawAttack(bytes, [pair(bob)]);
    expect(recoveredCanaries(r, [PRE, ...POST])).toEqual([PRE]);
    // Control: a remaining member recovers all three with the same code.
    const k = rawAttack(bytes, [pair(keep)]);
    expect(recoveredCanaries(k, [PRE, ...POST]).sort()).toEqual([PRE, ...POST].sort());
  });
});
