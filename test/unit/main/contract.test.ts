/**
 * shared/contract.ts on its own: the schemas' bounds (Key Vault's rules), and
 * that messages name the field without echoing the value. (Tested here, under
 * test/unit/main, because main is the side that parses.) What the contract and
 * the engine both need is defined once in shared/ (limits.ts, vault-types.ts)
 * and re-exported by the engine: the same bindings, not copies.
 */
import { describe, expect, it } from 'vitest';
import { CHANNELS, type contract, DEFAULT_SETTINGS, ipcChannel, LIMITS, type ResultErrorCode, utf8Length } from '../../../shared/contract.js';
import { parseInput } from '../../../electron/main/ipc/register.js';
import * as argon2 from '../../../electron/vault/crypto/argon2.js';
import * as errors from '../../../electron/vault/errors.js';
import * as rules from '../../../electron/vault/secrets/rules.js';
import * as limits from '../../../shared/limits.js';
import * as vaultTypes from '../../../shared/vault-types.js';

const VERSION_LIKE = '0123456789abcdef0123456789abcdef';

const parse = (channel: keyof typeof contract, input: unknown) => {
  const r = parseInput(channel, input);
  return r.ok ? { ok: true as const } : { ok: false as const, message: r.message };
};

describe('contract', () => {
  it('lists the channels the desktop app needs for secrets (issue 3), for unlocking (issue 4), for keys, for certificates and for members', () => {
    expect([...CHANNELS].sort()).toEqual(
      [
        'vault:create', 'vault:open', 'vault:lock', 'vault:status', 'vault:recent', 'vault:suggestPath', 'vault:history',
        'vault:conflictedCopies', 'vault:mergeConflictedCopies',
        'vault:createWithIdentity', 'vault:openWithIdentity', 'vault:unlockWithKeychain', 'vault:resetPassphrase', 'vault:remember', 'vault:forget',
        'vault:changePassphrase', 'vault:createRecoveryKey', 'vault:removeRecoveryKey', 'vault:refound',
        'dialog:chooseVault', 'dialog:chooseNewVault',
        'secrets:list', 'secrets:listVersions', 'secrets:listDeleted', 'secrets:set', 'secrets:update',
        'secrets:delete', 'secrets:recover', 'secrets:purge', 'secrets:reveal', 'secrets:copy',
        'keys:list', 'keys:listVersions', 'keys:listDeleted', 'keys:copyPublic', 'keys:get', 'keys:create',
        'keys:import', 'keys:update', 'keys:delete', 'keys:recover', 'keys:purge', 'keys:rotate',
        'keys:getRotationPolicy', 'keys:updateRotationPolicy', 'keys:encrypt', 'keys:decrypt', 'keys:sign', 'keys:verify',
        'certificates:list', 'certificates:listVersions', 'certificates:listDeleted', 'certificates:get',
        'certificates:defaultPolicy', 'certificates:create', 'certificates:import', 'certificates:export',
        'certificates:update', 'certificates:getPolicy', 'certificates:updatePolicy', 'certificates:delete',
        'certificates:recover', 'certificates:purge', 'certificates:renew', 'certificates:getPending',
        'certificates:mergePending', 'certificates:cancelPending', 'certificates:deletePending', 'certificates:copyCsr',
        'certificates:listCas', 'certificates:listIssuers', 'certificates:createIssuer', 'certificates:updateIssuer',
        'certificates:deleteIssuer', 'certificates:revoke', 'certificates:dnsReady', 'certificates:dnsCancel',
        'certificates:getContacts', 'certificates:setContacts', 'certificates:deleteContacts',
        'members:list', 'members:readInvite', 'members:add', 'members:setRoles', 'members:remove', 'members:needsRotation', 'members:grant', 'members:revokeGrant',
        'identity:get', 'identity:create', 'identity:copyInvite', 'identity:remember', 'identity:forget',
        'settings:get', 'settings:set',
      ].sort(),
    );
    expect(ipcChannel('secrets:list')).toBe('coffer:secrets:list');
    expect(Object.isFrozen(CHANNELS)).toBe(true);
  });

  it("builds its bounds from shared/limits.ts, which the engine's rules re-export", () => {
    expect(LIMITS).toMatchObject({
      nameLength: limits.MAX_NAME,
      valueBytes: limits.MAX_VALUE_BYTES,
      tags: limits.MAX_TAGS,
      tagNameLength: limits.MAX_TAG_NAME,
      tagValueLength: limits.MAX_TAG_VALUE,
      contentTypeLength: limits.MAX_CONTENT_TYPE,
      minRetentionDays: limits.MIN_RETENTION_DAYS,
      maxRetentionDays: limits.MAX_RETENTION_DAYS,
      minUnixTime: limits.MIN_UNIX_TIME,
      maxUnixTime: limits.MAX_UNIX_TIME,
    });
    const shared = [
      'MAX_NAME', 'MAX_VALUE_BYTES', 'MAX_TAGS', 'MAX_TAG_NAME', 'MAX_TAG_VALUE', 'MAX_CONTENT_TYPE',
      'MIN_RETENTION_DAYS', 'MAX_RETENTION_DAYS', 'MIN_UNIX_TIME', 'MAX_UNIX_TIME',
    ] as const;
    for (const name of shared) expect(rules[name], name).toBe(limits[name]);
    // Key Vault's figures (D-obj, D-sec, D-sd), in case the one definition drifts.
    expect(LIMITS).toMatchObject({ nameLength: 127, valueBytes: 25_600, tags: 15, tagNameLength: 256, tagValueLength: 256, contentTypeLength: 255 });
    expect(LIMITS).toMatchObject({ minRetentionDays: 7, maxRetentionDays: 90, minUnixTime: -62_135_596_800, maxUnixTime: 253_402_300_799 });
    expect(DEFAULT_SETTINGS).toEqual({ clipboardClearSeconds: 30, autoLockMinutes: 5, lockOnMinimize: false });
  });

  it("the engine's KDF defaults and limits, error codes and exit codes are shared/'s, not copies", () => {
    expect(argon2.DEFAULT_KDF).toBe(limits.DEFAULT_KDF);
    expect(argon2.KDF_LIMITS).toBe(limits.KDF_LIMITS);
    expect(limits.DEFAULT_KDF).toEqual({ memoryKiB: 65536, iterations: 3, parallelism: 4 });
    expect(Object.isFrozen(limits.DEFAULT_KDF) && Object.isFrozen(limits.KDF_LIMITS)).toBe(true);
    expect(errors.EXIT_CODES).toBe(vaultTypes.EXIT_CODES);
    expect(Object.isFrozen(vaultTypes.EXIT_CODES)).toBe(true);
    // A CofferError's code is a contract ErrorResult code, with its exit code (README "Exit codes").
    const e = new errors.CofferError('VaultRolledBack', 'm');
    const code: ResultErrorCode = e.code;
    expect([code, e.exitCode]).toEqual(['VaultRolledBack', 5]);
  });

  it('checks secret names and versions with the engine\'s patterns', () => {
    for (const name of ['a', 'A-1', 'x'.repeat(127), '', 'x'.repeat(128), 'under_score', 'é']) {
      expect(parse('secrets:listVersions', { name }).ok, name).toBe(limits.SECRET_NAME_PATTERN.test(name));
    }
    for (const version of [VERSION_LIKE, VERSION_LIKE.toUpperCase(), VERSION_LIKE.slice(1), `${VERSION_LIKE}0`, 'g'.repeat(32)]) {
      expect(parse('secrets:reveal', { name: 'a', version }).ok, version).toBe(limits.SECRET_VERSION_PATTERN.test(version));
    }
  });

  it('counts UTF-8 bytes as TextEncoder does', () => {
    for (const s of ['', 'abc', 'é', '€', '😀', 'a😀é€\u0000', 'x'.repeat(1000)]) {
      expect(utf8Length(s)).toBe(new TextEncoder().encode(s).length);
    }
  });

  describe('secret names (D-obj: 1-127 of 0-9 a-z A-Z -)', () => {
    it.each(['a', 'A-1', 'x'.repeat(127), '0-0-0'])('accepts %j', (name) => {
      expect(parse('secrets:listVersions', { name })).toEqual({ ok: true });
    });
    it.each(['', 'x'.repeat(128), 'under_score', 'sp ace', 'dot.ted', 'é', '../etc'])('refuses %j naming the field', (name) => {
      const r = parse('secrets:listVersions', { name });
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.message).toMatch(/^Invalid input for secrets:listVersions: name: /);
    });
  });

  describe('secret values (≤ 25,600 bytes, well-formed)', () => {
    it('accepts 25,600 bytes, counted in UTF-8', () => {
      expect(parse('secrets:set', { name: 'a', value: 'x'.repeat(25_600) }).ok).toBe(true);
      expect(parse('secrets:set', { name: 'a', value: 'é'.repeat(12_800) }).ok).toBe(true);
    });
    it('refuses 25,601 bytes, in characters or in UTF-8 bytes, without echoing the value', () => {
      for (const value of ['x'.repeat(25_601), 'é'.repeat(12_801), '😀'.repeat(6_401)]) {
        const r = parse('secrets:set', { name: 'a', value });
        expect(r.ok).toBe(false);
        if (!r.ok) {
          expect(r.message).toContain('value: must be at most 25600 bytes');
          expect(r.message).not.toContain(value.slice(0, 8));
        }
      }
    });
    it('refuses a lone surrogate (it would be stored as U+FFFD)', () => {
      const r = parse('secrets:set', { name: 'a', value: 'ab\uD800cd' });
      expect(r).toEqual({ ok: false, message: 'Invalid input for secrets:set: value: must be well-formed Unicode text.' });
    });
  });

  describe('passphrases', () => {
    it('refuses empty, overlong and ill-formed passphrases without echoing them', () => {
      const canary = 'CANARY-passphrase-9f3e';
      for (const passphrase of ['', canary + 'x'.repeat(LIMITS.passphraseLength), `${canary}\uDC00`]) {
        const r = parse('vault:open', { path: '/v/a.coffer', passphrase });
        expect(r.ok).toBe(false);
        if (!r.ok) {
          expect(r.message).toMatch(/passphrase: /);
          expect(r.message).not.toContain('CANARY');
        }
      }
      expect(parse('vault:open', { path: '/v/a.coffer', passphrase: 'x'.repeat(LIMITS.passphraseLength) }).ok).toBe(true);
    });
  });

  describe('paths', () => {
    it.each(['/home/u/a.coffer', 'C:\\Users\\u\\a.coffer', 'D:/v/a.coffer', '\\\\server\\share\\a.coffer'])('accepts %j', (path) => {
      expect(parse('vault:create', { path, passphrase: 'p' })).toEqual({ ok: true });
    });
    it.each([
      ['relative.coffer', 'must be an absolute path'],
      ['./a.coffer', 'must be an absolute path'],
      ['/a/b.txt', 'must end in .coffer'],
      ['/a/b\0.coffer', 'must not contain a NUL character'],
      [`/${'a'.repeat(LIMITS.pathLength)}.coffer`, 'Too big'],
      ['', 'Too small'],
    ])('vault:create refuses %j', (path, why) => {
      const r = parse('vault:create', { path, passphrase: 'p' });
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.message).toContain(`path: ${why}`);
    });
    it('vault:open accepts a vault file without the .coffer ending (a renamed file still opens)', () => {
      expect(parse('vault:open', { path: '/a/b.vault', passphrase: 'p' }).ok).toBe(true);
    });
  });

  describe('attributes', () => {
    it('bounds tags, content type, times and retention as Key Vault', () => {
      const tags16 = Object.fromEntries(Array.from({ length: 16 }, (_, i) => [`t${i}`, 'v']));
      const tags15 = Object.fromEntries(Array.from({ length: 15 }, (_, i) => [`t${i}`, 'v']));
      const cases: [unknown, string | null][] = [
        [{ name: 'a', value: 'v', tags: tags15 }, null],
        [{ name: 'a', value: 'v', tags: tags16 }, 'tags: at most 15 tags'],
        [{ name: 'a', value: 'v', tags: { ['k'.repeat(257)]: 'v' } }, 'tags.'],
        [{ name: 'a', value: 'v', tags: { '': 'v' } }, 'tags.'],
        [{ name: 'a', value: 'v', tags: { k: 'v'.repeat(257) } }, 'tags.k: Too big'],
        [{ name: 'a', value: 'v', tags: { k: 1 } }, 'tags.k: Invalid input'],
        [{ name: 'a', value: 'v', tags: ['x'] }, 'tags: Invalid input'],
        [{ name: 'a', value: 'v', contentType: 'c'.repeat(255) }, null],
        [{ name: 'a', value: 'v', contentType: 'c'.repeat(256) }, 'contentType: Too big'],
        [{ name: 'a', value: 'v', nbf: 1.5 }, 'nbf: '],
        [{ name: 'a', value: 'v', exp: LIMITS.maxUnixTime + 1 }, 'exp: Too big'],
        [{ name: 'a', value: 'v', exp: LIMITS.minUnixTime - 1 }, 'exp: Too small'],
        [{ name: 'a', value: 'v', exp: Number.NaN }, 'exp: '],
        [{ name: 'a', value: 'v', exp: '2030-01-01' }, 'exp: Invalid input'],
        [{ name: 'a', value: 'v', enabled: 'yes' }, 'enabled: Invalid input'],
      ];
      for (const [input, message] of cases) {
        const r = parse('secrets:set', input);
        if (message === null) expect(r, JSON.stringify(input).slice(0, 80)).toEqual({ ok: true });
        else {
          expect(r.ok, JSON.stringify(input).slice(0, 80)).toBe(false);
          if (!r.ok) expect(r.message).toContain(message);
        }
      }
    });

    it('cuts and escapes odd field names in messages', () => {
      const r = parse('vault:status', { ['k'.repeat(500)]: 1, 'a\nb': 2 });
      expect(r.ok).toBe(false);
      if (!r.ok) {
        expect(r.message.length).toBeLessThan(200);
        expect(r.message).toContain('"a\\nb"');
      }
    });

    it('secrets:update takes null to clear and refuses unknown patch fields', () => {
      expect(parse('secrets:update', { name: 'a', patch: { exp: null, nbf: null, contentType: null } }).ok).toBe(true);
      const r = parse('secrets:update', { name: 'a', patch: { value: 'x' } });
      expect(r).toEqual({ ok: false, message: 'Invalid input for secrets:update: patch: unknown field value.' });
      const r2 = parse('secrets:update', { name: 'a' });
      expect(r2.ok).toBe(false);
      expect(r2).toEqual({ ok: false, message: 'Invalid input for secrets:update: patch: is required.' });
    });

    it('retention days are whole days from 7 to 90', () => {
      for (const retentionDays of [7, 90]) expect(parse('vault:create', { path: '/a.coffer', passphrase: 'p', retentionDays }).ok).toBe(true);
      for (const retentionDays of [6, 91, 30.5, '30']) {
        const r = parse('vault:create', { path: '/a.coffer', passphrase: 'p', retentionDays });
        expect(r.ok).toBe(false);
        if (!r.ok) expect(r.message).toContain('retentionDays: ');
      }
    });

    it('refuses a KDF over IPC (only main chooses it)', () => {
      const r = parse('vault:create', { path: '/a.coffer', passphrase: 'p', kdf: { memoryKiB: 8, iterations: 1, parallelism: 1 } });
      expect(r).toEqual({ ok: false, message: 'Invalid input for vault:create: unknown field kdf.' });
    });
  });
});
