/**
 * The cryptographic operations through the vault (keys/operations.ts): every
 * algorithm of every key type round-trips; the private part is unsealed only
 * when an operation needs it, once for a burst, and disposed at close; Key Vault's checks (enabled,
 * key_ops, nbf/exp, algorithm) in its order and with its errors; audit records
 * name each operation and never hold key material; canary material shows up in
 * no error, audit line or file.
 */
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import type { Vault } from '../../../../electron/vault/api.js';
import type { VaultSession } from '../../../../electron/vault/session.js';
import { CofferError } from '../../../../electron/vault/errors.js';
import { algorithmsFor, digestFor, KEY_OPERATIONS, RSA1_5_DISABLED, type KeyAlgorithm, type KeyOperation } from '../../../../electron/vault/keys/algorithms.js';
import { exportPrivateJwk, generateKey, KeyMaterial } from '../../../../electron/vault/keys/material.js';
import type { KeyBundle } from '../../../../shared/keyvault.js';
import { createTestVault, findCanaries, readAllFiles, removeTempDirs, type TestVault } from '../../../helpers/vault.js';
import { failure } from './helpers.js';

afterAll(removeTempDirs);
afterEach(() => vi.restoreAllMocks());

const b64u = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'base64url'));
const bytes = (n: number, fill = 7): Uint8Array => new Uint8Array(n).fill(fill);
const versionOf = (b: KeyBundle): string => b.key.kid.split('/').pop()!;
const coreOf = (v: Vault): VaultSession['core'] => (v as unknown as VaultSession).core;


async function outcome(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'ok';
  } catch (e) {
    if (e instanceof CofferError) return e.innerCode ? `${e.code}/${e.innerCode}` : e.code;
    throw e;
  }
}

/** A request for each operation with `alg` that succeeds on a key that allows it; `prior` holds what encrypt/wrap/sign produced. */
function input(op: KeyOperation, alg: KeyAlgorithm, prior?: { value: string; iv?: string; tag?: string; aad?: string }): Record<string, unknown> {
  const family = alg.startsWith('A') && alg.endsWith('GCM') ? 'gcm' : alg.endsWith('CBC') ? 'cbc' : alg.endsWith('CBCPAD') ? 'cbcpad' : alg;
  switch (op) {
    case 'encrypt':
      if (family === 'gcm') return { algorithm: alg, value: bytes(21), aad: bytes(5, 1) };
      if (family === 'cbc') return { algorithm: alg, value: bytes(32) };
      return { algorithm: alg, value: bytes(family === 'cbcpad' ? 21 : 16) };
    case 'decrypt':
      return { algorithm: alg, value: b64u(prior!.value), ...(prior!.iv ? { iv: b64u(prior!.iv) } : {}), ...(prior!.tag ? { tag: b64u(prior!.tag) } : {}), ...(prior!.aad ? { aad: b64u(prior!.aad) } : {}) };
    case 'wrapKey':
      return { algorithm: alg, value: bytes(alg === 'CKM_AES_KEY_WRAP_PAD' ? 20 : 32) };
    case 'unwrapKey':
      return { algorithm: alg, value: b64u(prior!.value) };
    case 'sign':
    case 'verify': {
      const message = Buffer.from('message to sign');
      const digest = alg === 'RSNULL' ? bytes(32) : alg === 'EdDSA' || alg.startsWith('HS') ? message : digestFor(alg, message);
      return op === 'sign' ? { algorithm: alg, digest } : { algorithm: alg, digest, signature: b64u(prior!.value) };
    }
  }
}

const SHAPES = [
  { kty: 'RSA', size: 2048 },
  { kty: 'EC', crv: 'P-256' },
  { kty: 'EC', crv: 'P-384' },
  { kty: 'EC', crv: 'P-521' },
  { kty: 'EC', crv: 'P-256K' },
  { kty: 'OKP', crv: 'Ed25519' },
  { kty: 'oct', size: 128 },
  { kty: 'oct', size: 192 },
  { kty: 'oct', size: 256 },
] as const;

const PAIRS: [KeyOperation, KeyOperation][] = [
  ['encrypt', 'decrypt'],
  ['wrapKey', 'unwrapKey'],
  ['sign', 'verify'],
];

function call(v: Vault, op: KeyOperation, name: string, version: string | undefined, req: Record<string, unknown>): Promise<{ value: unknown; kid?: string; iv?: string; tag?: string; aad?: string }> {
  return (v.keys[op] as (n: string, ver: string | undefined, i: unknown) => Promise<{ value: unknown }>)(name, version, req);
}

describe('every algorithm of every key type, through the vault', () => {
  for (const shape of SHAPES) {
    it(`${shape.kty} ${'size' in shape ? shape.size : shape.crv}`, async () => {
      const t = await createTestVault();
      const created = await t.vault.keys.create({ name: 'k', ...shape });
      const kid = created.key.kid;
      const reads = vi.spyOn(coreOf(t.vault), 'readKindValue');
      const disposed = vi.spyOn(KeyMaterial.prototype, 'dispose');
      let tried = 0;
      for (const [first, second] of PAIRS) {
        for (const alg of algorithmsFor(shape, first)) {
          const before = reads.mock.calls.length;
          const out = await call(t.vault, first, 'k', undefined, input(first, alg));
          expect(out.kid).toBe(kid);
          // encrypt, wrapKey and sign's counterpart verify use the record's public part; oct keys are all private.
          const firstPrivate = first === 'sign' || shape.kty === 'oct';
          // The private part is read from its blob once, then kept decoded for the burst (recent-material.ts).
          if (!firstPrivate) expect(reads.mock.calls.length - before, `${first} ${alg}`).toBe(0);
          const at = reads.mock.calls.length;
          if (alg === 'RSA1_5') {
            // DECISIONS.md "Algorithms": decryption refused, encryption works.
            const e = await call(t.vault, second, 'k', undefined, input(second, alg, out as { value: string })).catch((x: unknown) => x);
            expect((e as CofferError).message).toBe(RSA1_5_DISABLED);
            continue;
          }
          const back = await call(t.vault, second, 'k', versionOf(created), input(second, alg, out as { value: string }));
          if (second === 'verify') expect(back).toEqual({ value: true });
          else expect(b64u(back.value as string)).toEqual(input(first, alg).value);
          const secondPrivate = second !== 'verify' || shape.kty === 'oct';
          if (!secondPrivate) expect(reads.mock.calls.length - at, `${second} ${alg}`).toBe(0);
          tried++;
        }
      }
      expect(tried).toBeGreaterThanOrEqual(shape.kty === 'EC' || shape.kty === 'OKP' ? 1 : 3);
      // One version, one blob: read once for all the private operations.
      expect(reads.mock.calls.length).toBe(1);
      // Closing disposes what the operations kept decoded (the private part and the public one, oct: one).
      const before = disposed.mock.calls.length;
      t.vault.close();
      expect(disposed.mock.calls.length - before).toBe(shape.kty === 'oct' ? 1 : 2);
    });
  }

  it('sign and verify also take the data, hashed here (the same signature as over its digest)', async () => {
    const t = await createTestVault();
    await t.vault.keys.create({ name: 'ec', kty: 'EC', crv: 'P-256' });
    await t.vault.keys.create({ name: 'rsa', kty: 'RSA' });
    const data = Buffer.from('the data');
    for (const [name, alg] of [['ec', 'ES256'], ['rsa', 'PS384'], ['rsa', 'RS512']] as const) {
      const s = await t.vault.keys.sign(name, undefined, { algorithm: alg, data });
      expect((await t.vault.keys.verify(name, undefined, { algorithm: alg, digest: digestFor(alg, data), signature: b64u(s.value) })).value).toBe(true);
      expect((await t.vault.keys.verify(name, undefined, { algorithm: alg, data: Buffer.from('other'), signature: b64u(s.value) })).value).toBe(false);
    }
    expect(await outcome(t.vault.keys.sign('ec', undefined, { algorithm: 'ES256' }))).toBe('BadParameter');
    expect(await outcome(t.vault.keys.sign('ec', undefined, { algorithm: 'ES256', data, digest: digestFor('ES256', data) }))).toBe('BadParameter');
    t.vault.close();
  });
});

describe("Key Vault's checks on each operation", () => {
  let t: TestVault;
  /** Outputs made while the key was usable, for the operations that consume them. */
  const made: Partial<Record<KeyOperation, { value: string }>> = {};
  const ALG: Record<KeyOperation, KeyAlgorithm> = { encrypt: 'RSA-OAEP-256', decrypt: 'RSA-OAEP-256', wrapKey: 'RSA-OAEP', unwrapKey: 'RSA-OAEP', sign: 'PS256', verify: 'PS256' };
  const req = (op: KeyOperation): Record<string, unknown> => input(op, ALG[op], op === 'decrypt' ? made.encrypt : op === 'unwrapKey' ? made.wrapKey : op === 'verify' ? made.sign : undefined);
  const all = async (v: Vault): Promise<Record<KeyOperation, string>> => {
    const out = {} as Record<KeyOperation, string>;
    for (const op of KEY_OPERATIONS) out[op] = await outcome(call(v, op, 'k', undefined, req(op)));
    return out;
  };
  const now = (): number => Math.floor(Date.now() / 1000);

  it('a usable key runs every operation', async () => {
    t = await createTestVault();
    await t.vault.keys.create({ name: 'k', kty: 'RSA' });
    for (const op of ['encrypt', 'wrapKey', 'sign'] as const) made[op] = (await call(t.vault, op, 'k', undefined, req(op))) as { value: string };
    expect(Object.values(await all(t.vault))).toEqual(Array(6).fill('ok'));
  });

  it('a disabled version takes no operation: 403 Forbidden, KeyDisabled', async () => {
    await t.vault.keys.update('k', undefined, { enabled: false });
    expect(Object.values(await all(t.vault))).toEqual(Array(6).fill('Forbidden/KeyDisabled'));
    const e = await failure(t.vault.keys.sign('k', undefined, req('sign') as never));
    expect(e.message).toBe('Operation sign is not allowed on a disabled key.');
    await t.vault.keys.update('k', undefined, { enabled: true });
  });

  it('an operation not in key_ops: 403 Forbidden, KeyOperationForbidden', async () => {
    await t.vault.keys.update('k', undefined, { keyOps: ['verify', 'unwrapKey'] });
    expect(await all(t.vault)).toEqual({
      encrypt: 'Forbidden/KeyOperationForbidden',
      decrypt: 'Forbidden/KeyOperationForbidden',
      wrapKey: 'Forbidden/KeyOperationForbidden',
      unwrapKey: 'ok',
      sign: 'Forbidden/KeyOperationForbidden',
      verify: 'ok',
    });
    const e = await failure(t.vault.keys.decrypt('k', undefined, req('decrypt') as never));
    expect(e.message).toBe('Operation decrypt is not permitted on this key.');
    await t.vault.keys.update('k', undefined, { keyOps: ['encrypt', 'decrypt', 'sign', 'verify', 'wrapKey', 'unwrapKey'] });
  });

  it('outside nbf/exp only decrypt, unwrapKey and verify work (D-keyd)', async () => {
    await t.vault.keys.update('k', undefined, { nbf: now() + 3600 });
    const early = await all(t.vault);
    expect(early).toEqual({
      encrypt: 'Forbidden/KeyNotYetValid',
      decrypt: 'ok',
      wrapKey: 'Forbidden/KeyNotYetValid',
      unwrapKey: 'ok',
      sign: 'Forbidden/KeyNotYetValid',
      verify: 'ok',
    });
    await t.vault.keys.update('k', undefined, { nbf: null, exp: now() - 1 });
    const late = await all(t.vault);
    expect(late).toEqual({
      encrypt: 'Forbidden/KeyExpired',
      decrypt: 'ok',
      wrapKey: 'Forbidden/KeyExpired',
      unwrapKey: 'ok',
      sign: 'Forbidden/KeyExpired',
      verify: 'ok',
    });
    await t.vault.keys.update('k', undefined, { exp: now() + 3600, nbf: now() - 3600 });
    expect(Object.values(await all(t.vault))).toEqual(Array(6).fill('ok'));
  });

  it('the algorithm must fit the key and the operation (BadParameter); a missing key is KeyNotFound', async () => {
    expect(await outcome(t.vault.keys.sign('k', undefined, { algorithm: 'ES256', digest: bytes(32) }))).toBe('BadParameter');
    expect(await outcome(t.vault.keys.encrypt('k', undefined, { algorithm: 'PS256', value: bytes(4) }))).toBe('BadParameter');
    expect(await outcome(t.vault.keys.encrypt('k', undefined, { algorithm: 'NOPE', value: bytes(4) }))).toBe('BadParameter');
    expect(await outcome(t.vault.keys.wrapKey('k', undefined, { algorithm: 'RSA-OAEP', value: bytes(32), iv: bytes(16) }))).toBe('BadParameter');
    expect(await outcome(t.vault.keys.encrypt('nope', undefined, { algorithm: 'RSA-OAEP', value: bytes(4) }))).toBe('KeyNotFound');
    expect(await outcome(t.vault.keys.decrypt('k', 'f'.repeat(32), req('decrypt') as never))).toBe('KeyNotFound');
    // A wrong ciphertext fails with one message whatever the cause.
    const e = await failure(t.vault.keys.decrypt('k', undefined, { algorithm: 'RSA-OAEP-256', value: bytes(256) }));
    expect([e.code, e.message]).toEqual(['BadParameter', 'decryption failed: wrong key, or the ciphertext, IV, tag or additional data do not match']);
  });

  it('each operation is in the audit log under its Key Vault name, with the version, and errors with their code', async () => {
    // Records are written behind the calls: settled() waits for them.
    await t.vault.settled();
    const files = await readAllFiles(t.profileDir);
    const log = files.find((f) => f.path.includes('audit'))!.bytes.toString('utf8');
    const entries = log.trim().split('\n').map((l) => JSON.parse(l) as { op: string; result: string; object?: string; version?: string; code?: string });
    const ops = new Set(entries.map((e) => e.op));
    for (const op of ['KeyCreate', 'KeyUpdate', 'KeyEncrypt', 'KeyDecrypt', 'KeyWrap', 'KeyUnwrap', 'KeySign', 'KeyVerify']) expect(ops, op).toContain(op);
    const sign = entries.find((e) => e.op === 'KeySign' && e.result === 'ok')!;
    expect(sign).toMatchObject({ object: 'k', version: expect.stringMatching(/^[0-9a-f]{32}$/) });
    expect(entries.some((e) => e.op === 'KeySign' && e.code === 'KeyDisabled')).toBe(true);
    expect(entries.some((e) => e.op === 'KeyEncrypt' && e.code === 'KeyExpired')).toBe(true);
    expect(entries.some((e) => e.op === 'KeyDecrypt' && e.code === 'KeyOperationForbidden')).toBe(true);
    t.vault.close();
  });
});

describe('key material never leaves the engine but through an export of an exportable key', () => {
  it('canary material is in no error message, audit line, output or file', async () => {
    const t = await createTestVault();
    const canaryOct = new Uint8Array(Buffer.from('CANARY-oct-key-material-32-bytes'));
    expect(canaryOct.length).toBe(32);
    const ec = await generateKey({ kty: 'EC', crv: 'P-256' });
    const ecJwk = exportPrivateJwk(ec);
    ec.dispose();
    const canaries: Uint8Array[] = [canaryOct.slice(), b64u(ecJwk.d!)];
    await t.vault.keys.import({ name: 'oct', key: { jwk: { kty: 'oct', k: Buffer.from(canaryOct).toString('base64url') } } });
    await t.vault.keys.import({ name: 'ec', key: { jwk: { ...ecJwk } } });
    const texts: string[] = [];
    const record = async (p: Promise<unknown>): Promise<void> => {
      try {
        texts.push(JSON.stringify(await p));
      } catch (e) {
        texts.push(e instanceof Error ? `${e.message} ${JSON.stringify(e)}` : String(e));
      }
    };
    for (const name of ['oct', 'ec']) {
      await record(t.vault.keys.get(name));
      await record(t.vault.keys.exportKey(name, undefined, {}));
      await record(t.vault.keys.exportKey(name, undefined, { includePrivate: true })); // not exportable: refused
      await record(t.vault.keys.sign(name, undefined, { algorithm: name === 'oct' ? 'HS256' : 'ES256', digest: bytes(32) }));
      await record(t.vault.keys.sign(name, undefined, { algorithm: 'RS256', digest: bytes(32) }));
      await record(t.vault.keys.decrypt(name, undefined, { algorithm: 'A256GCM', value: bytes(40), iv: bytes(12), tag: bytes(16) }));
      await record(t.vault.keys.unwrapKey(name, undefined, { algorithm: 'A256KW', value: bytes(40) }));
      await record(t.vault.keys.encrypt(name, undefined, { algorithm: 'A256CBC', value: bytes(15) }));
      await record(t.vault.keys.backup(name));
    }
    texts.push(JSON.stringify(t.vault.keys.list()), JSON.stringify(t.warnings));
    await t.vault.settled();
    t.vault.close();
    // The check finds the material where it is (the private JWK)...
    expect(findCanaries(JSON.stringify(ecJwk), canaries)).toHaveLength(1);
    // ...and nowhere else.
    expect(findCanaries(texts.join('\n'), canaries)).toEqual([]);
    for (const f of await readAllFiles(t.dir)) expect(findCanaries(f.bytes, canaries), f.path).toEqual([]);
  });

  it('exports the public key always, the private key only of an exportable version, with keys/release', async () => {
    const t = await createTestVault();
    await t.vault.keys.create({ name: 'pub', kty: 'EC' });
    const pem = (await t.vault.keys.exportKey('pub', undefined, { format: 'pem' })).pem!;
    expect(pem).toMatch(/^-----BEGIN PUBLIC KEY-----/);
    const e = await failure(t.vault.keys.exportKey('pub', undefined, { includePrivate: true }));
    expect([e.code, e.innerCode]).toEqual(['Forbidden', 'KeyNotExportable']);
    await t.vault.keys.create({ name: 'out', kty: 'RSA', exportable: true });
    const priv = await t.vault.keys.exportKey('out', undefined, { includePrivate: true, format: 'pem', password: 'pw' });
    expect(priv.pem).toMatch(/^-----BEGIN ENCRYPTED PRIVATE KEY-----/);
    const jwk = (await t.vault.keys.exportKey('out', undefined, { includePrivate: true })).jwk!;
    expect(Object.keys(jwk).sort()).toEqual(['d', 'dp', 'dq', 'e', 'kty', 'n', 'p', 'q', 'qi']);
    expect(await outcome(t.vault.keys.exportKey('out', undefined, { password: 'pw' }))).toBe('BadParameter');
    await t.vault.keys.create({ name: 'sym', kty: 'oct', exportable: true });
    expect(await outcome(t.vault.keys.exportKey('sym', undefined, {}))).toBe('BadParameter'); // no public part
    expect(Object.keys((await t.vault.keys.exportKey('sym', undefined, { includePrivate: true })).jwk!)).toEqual(['kty', 'k']);
    t.vault.close();
  });
});
