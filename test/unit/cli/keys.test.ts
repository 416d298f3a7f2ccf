// `coffer key ...` (CLI.md "Keys") in-process against the real engine: a
// temporary vault with the test KDF, COFFER_HOME in a temporary folder. Every
// output is collected so the last test can show no private material leaked.
import { createHash, createPublicKey, generateKeyPairSync } from 'node:crypto';
import { readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../../electron/cli/main.js';
import { TEST_KDF_ARGS, makeTempHome, removeTempHome } from '../../helpers/cli.js';
import { testIo } from './fake-engine.js';

const ERROR_LINE = /^coffer: error: [A-Za-z]+: (?:[A-Za-z]+: )?[^\n]+\n$/;
const KID = /^coffer:\/\/[0-9a-f]{32}\/keys\/[A-Za-z0-9-]+\/[0-9a-f]{32}$/;
const B64URL = /^[A-Za-z0-9_-]+$/;

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

interface KeyBundle {
  key: Record<string, unknown> & { kid: string; kty: string; key_ops: string[] };
  attributes: { enabled: boolean; exportable?: boolean; exp?: number; created: number; recoverableDays: number };
  tags?: Record<string, string>;
  recoveryId?: string;
  deletedDate?: number;
}

let home: string;
const outputs: string[] = [];

async function coffer(args: string[]): Promise<Run> {
  const io = testIo({ cwd: home, env: { COFFER_HOME: home, COFFER_PASSPHRASE: 'correct horse battery staple' } });
  const code = await main(args, io);
  const r = { code, stdout: io.out().toString('utf8'), stderr: io.err() };
  outputs.push(r.stdout, r.stderr);
  return r;
}

async function ok<T = unknown>(args: string[]): Promise<T> {
  const r = await coffer(args);
  expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: '' });
  return JSON.parse(r.stdout) as T;
}

function expectError(r: Run, exit: number, code: string): void {
  expect({ code: r.code, stderr: r.stderr }).toMatchObject({ code: exit, stderr: expect.stringMatching(ERROR_LINE) });
  expect(r.stderr.startsWith(`coffer: error: ${code}: `)).toBe(true);
  expect(r.stdout).toBe('');
}

const b64 = (b: Buffer): string => b.toString('base64');
const digestOf = (text: string): Buffer => createHash('sha256').update(text).digest();

beforeAll(async () => {
  home = await makeTempHome();
  const r = await coffer(['vault', 'create', ...TEST_KDF_ARGS]);
  expect(r.code).toBe(0);
});

afterAll(async () => {
  await removeTempHome(home);
});

describe('coffer key', () => {
  it('lists its verbs in --help', async () => {
    const r = await coffer(['key', '--help']);
    expect(r.code).toBe(0);
    for (const verb of ['create', 'import', 'show', 'list', 'list-versions', 'list-deleted', 'show-deleted', 'set-attributes', 'delete', 'recover', 'purge', 'backup', 'restore', 'download', 'export', 'encrypt', 'decrypt', 'wrap', 'unwrap', 'sign', 'verify', 'rotate', 'rotation-policy', 'rotate-due']) {
      expect(r.stdout).toMatch(new RegExp(`^  ${verb}\\b`, 'm'));
    }
    const policy = await coffer(['key', 'rotation-policy', '--help']);
    expect(policy.stdout).toMatch(/^ {2}show\b/m);
    expect(policy.stdout).toMatch(/^ {2}update\b/m);
    expect((await coffer(['--help'])).stdout).toMatch(/^ {2}key\b/m);
  });

  it('creates keys of each type and prints KeyBundles with public JWKs only', async () => {
    const rsa = await ok<KeyBundle>(['key', 'create', '-n', 'rsa1', '--kty', 'RSA', '--size', '2048', '--tags', 'env=test']);
    expect(rsa.key.kid).toMatch(KID);
    expect(rsa.key).toMatchObject({ kty: 'RSA', n: expect.stringMatching(B64URL), e: 'AQAB' });
    expect(rsa.key).not.toHaveProperty('d');
    expect(rsa.tags).toEqual({ env: 'test' });
    expect(rsa.attributes.enabled).toBe(true);

    const ec = await ok<KeyBundle>(['key', 'create', '-n', 'ec1', '--kty', 'EC', '--curve', 'P-256', '--ops', 'sign', 'verify', '--exportable']);
    expect(ec.key).toMatchObject({ kty: 'EC', crv: 'P-256', key_ops: ['sign', 'verify'] });
    expect(ec.key).not.toHaveProperty('d');

    const oct = await ok<KeyBundle>(['key', 'create', '-n', 'aes1', '--kty', 'oct', '--size', '256', '--expires', '2099-01-01T00:00:00']);
    expect(oct.key.kty).toBe('oct');
    expect(oct.key).not.toHaveProperty('k');
    expect(oct.attributes.exp).toBe(Date.UTC(2099, 0, 1) / 1000);

    const ed = await ok<KeyBundle>(['key', 'create', '-n', 'ed1', '--kty', 'OKP', '--curve', 'Ed25519', '--disabled']);
    expect(ed.key).toMatchObject({ kty: 'OKP', crv: 'Ed25519' });
    expect(ed.attributes.enabled).toBe(false);
  });

  it('shows, lists and lists versions', async () => {
    const shown = await ok<KeyBundle>(['key', 'show', '-n', 'rsa1']);
    expect(shown.key.kid).toMatch(KID);
    const version = shown.key.kid.split('/').pop()!;
    expect((await ok<KeyBundle>(['key', 'show', '-n', 'RSA1', '--version', version])).key.kid).toBe(shown.key.kid);

    const items = await ok<{ kid: string; attributes: object }[]>(['key', 'list']);
    expect(items.map((i) => i.kid.split('/').pop()).sort()).toEqual(['aes1', 'ec1', 'ed1', 'rsa1']);
    for (const item of items) expect(item).not.toHaveProperty('key');

    await ok(['key', 'create', '-n', 'rsa1', '--kty', 'RSA']);
    const versions = await ok<{ kid: string }[]>(['key', 'list-versions', '-n', 'rsa1']);
    expect(versions).toHaveLength(2);
    for (const v of versions) expect(v.kid).toMatch(KID);
  });

  it('sets attributes, operations and tags', async () => {
    const b = await ok<KeyBundle>(['key', 'set-attributes', '-n', 'ed1', '--enabled', 'true', '--ops', 'sign', '--tags', 'a=1', 'b=2', '--expires', 'none']);
    expect(b.attributes.enabled).toBe(true);
    expect(b.key.key_ops).toEqual(['sign']);
    expect(b.tags).toEqual({ a: '1', b: '2' });
    expectError(await coffer(['key', 'set-attributes', '-n', 'ed1', '--enabled', 'maybe']), 2, 'BadParameter');
  });

  it('round-trips encrypt → decrypt (RSA-OAEP-256 and A256GCM) and wrap → unwrap', async () => {
    const enc = await ok<{ kid: string; value: string }>(['key', 'encrypt', '-n', 'rsa1', '-a', 'RSA-OAEP-256', '--value', 'hello keys', '--data-type', 'plaintext']);
    expect(enc.kid).toMatch(KID);
    expect(enc.value).toMatch(B64URL);
    const dec = await ok<{ value: string }>(['key', 'decrypt', '-n', 'rsa1', '--version', enc.kid.split('/').pop()!, '-a', 'RSA-OAEP-256', '--value', enc.value]);
    expect(Buffer.from(dec.value, 'base64url').toString('utf8')).toBe('hello keys');
    const text = await ok<{ value: string }>(['key', 'decrypt', '-n', 'rsa1', '-a', 'RSA-OAEP-256', '--value', enc.value, '--data-type', 'plaintext']);
    expect(text.value).toBe('hello keys');

    // Standard base64 with + and / is accepted as well as base64url.
    const data = Buffer.from([0xfb, 0xff, 0xfe, 0x01, 0x02]);
    const gcm = await ok<{ value: string; iv: string; tag: string }>(['key', 'encrypt', '-n', 'aes1', '-a', 'A256GCM', '--value', b64(data), '--aad', b64(Buffer.from('ctx'))]);
    expect(gcm.iv).toMatch(B64URL);
    expect(gcm.tag).toMatch(B64URL);
    const back = await ok<{ value: string }>(['key', 'decrypt', '-n', 'aes1', '-a', 'A256GCM', '--value', gcm.value, '--iv', gcm.iv, '--tag', gcm.tag, '--aad', b64(Buffer.from('ctx'))]);
    expect(Buffer.from(back.value, 'base64url')).toEqual(data);

    const cek = Buffer.alloc(32, 7);
    const wrapped = await ok<{ value: string }>(['key', 'wrap', '-n', 'aes1', '-a', 'A256KW', '--value', cek.toString('base64url')]);
    const unwrapped = await ok<{ value: string }>(['key', 'unwrap', '-n', 'aes1', '-a', 'A256KW', '--value', wrapped.value]);
    expect(Buffer.from(unwrapped.value, 'base64url')).toEqual(cek);
  });

  it('round-trips sign → verify', async () => {
    const digest = digestOf('message');
    const sig = await ok<{ kid: string; value: string }>(['key', 'sign', '-n', 'ec1', '-a', 'ES256', '--digest', b64(digest)]);
    expect(sig.kid).toMatch(KID);
    expect(Buffer.from(sig.value, 'base64url')).toHaveLength(64);
    expect(await ok(['key', 'verify', '-n', 'ec1', '-a', 'ES256', '--digest', digest.toString('base64url'), '--signature', sig.value])).toEqual({ value: true });
    expect(await ok(['key', 'verify', '-n', 'ec1', '-a', 'ES256', '--digest', b64(digestOf('other')), '--signature', sig.value])).toEqual({ value: false });
  });

  it('exits 2 on bad input, 3 on a missing key, 4 on a forbidden operation', async () => {
    expectError(await coffer(['key', 'sign', '-n', 'ec1', '-a', 'ES256', '--digest', 'not base64!']), 2, 'BadParameter');
    expectError(await coffer(['key', 'encrypt', '-n', 'rsa1', '-a', 'RSA-OAEP-256', '--value', 'a+b_c']), 2, 'BadParameter');
    expectError(await coffer(['key', 'create', '-n', 'x', '--kty', 'DSA']), 2, 'BadParameter');
    expectError(await coffer(['key', 'create', '-n', 'x']), 2, 'BadParameter');
    expectError(await coffer(['key', 'show', '-n', 'nope']), 3, 'KeyNotFound');
    expectError(await coffer(['key', 'sign', '-n', 'nope', '-a', 'ES256', '--digest', b64(digestOf('m'))]), 3, 'KeyNotFound');
    // An operation outside key_ops, a disabled version, and private export of a key not created exportable.
    await ok(['key', 'create', '-n', 'wrap-only', '--kty', 'oct', '--ops', 'wrapKey', 'unwrapKey']);
    const forbidden = await coffer(['key', 'encrypt', '-n', 'wrap-only', '-a', 'A256GCM', '--value', 'AAAA']);
    expectError(forbidden, 4, 'Forbidden');
    expect(forbidden.stderr).toContain('KeyOperationForbidden');
    expectError(await coffer(['key', 'set-attributes', '-n', 'ed1', '--enabled', 'false']).then(async () => coffer(['key', 'sign', '-n', 'ed1', '-a', 'EdDSA', '--digest', 'AAAA'])), 4, 'Forbidden');
    expectError(await coffer(['key', 'export', '-n', 'rsa1', '-f', 'rsa1.pem', '--confirm']), 4, 'Forbidden');
  });

  it('downloads the public key as PEM, DER and JWK, and refuses to overwrite', async () => {
    expect(await coffer(['key', 'download', '-n', 'ec1', '-f', 'ec1.pem'])).toEqual({ code: 0, stdout: '', stderr: '' });
    const pem = await readFile(join(home, 'ec1.pem'), 'utf8');
    expect(pem).toContain('-----BEGIN PUBLIC KEY-----');
    expect(createPublicKey(pem).asymmetricKeyType).toBe('ec');

    expectError(await coffer(['key', 'download', '-n', 'ec1', '-f', 'ec1.pem']), 6, 'Conflict');
    expect(await coffer(['key', 'download', '-n', 'ec1', '-f', 'ec1.pem', '--overwrite', '--encoding', 'DER'])).toMatchObject({ code: 0 });
    const der = await readFile(join(home, 'ec1.pem'));
    expect(createPublicKey({ key: der, format: 'der', type: 'spki' }).export({ format: 'pem', type: 'spki' })).toBe(pem);

    expect((await coffer(['key', 'download', '-n', 'ec1', '-f', 'ec1.jwk', '--encoding', 'JWK'])).code).toBe(0);
    const jwk = JSON.parse(await readFile(join(home, 'ec1.jwk'), 'utf8')) as Record<string, string>;
    expect(jwk).toMatchObject({ kty: 'EC', crv: 'P-256' });
    expect(jwk).not.toHaveProperty('d');
  });

  it('refuses export without --confirm, and exports an exportable key to a 0600 file', async () => {
    expectError(await coffer(['key', 'export', '-n', 'ec1', '-f', 'ec1-private.jwk', '--encoding', 'JWK']), 2, 'BadParameter');
    expect(await coffer(['key', 'export', '-n', 'ec1', '-f', 'ec1-private.jwk', '--encoding', 'JWK', '--confirm'])).toEqual({ code: 0, stdout: '', stderr: '' });
    const path = join(home, 'ec1-private.jwk');
    const jwk = JSON.parse(await readFile(path, 'utf8')) as Record<string, string>;
    expect(jwk.d).toMatch(B64URL);
    if (process.platform !== 'win32') expect((await stat(path)).mode & 0o777).toBe(0o600);
    expectError(await coffer(['key', 'export', '-n', 'ec1', '-f', 'ec1-private.jwk', '--encoding', 'JWK', '--confirm']), 6, 'Conflict');
    expect((await coffer(['key', 'export', '-n', 'ec1', '-f', 'ec1-private.pem', '--confirm'])).code).toBe(0);
    expect(await readFile(join(home, 'ec1-private.pem'), 'utf8')).toContain('PRIVATE KEY-----');
  });

  it('imports PEM (plain and encrypted) and JWK files', async () => {
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-384' });
    await writeFile(join(home, 'p384.pem'), privateKey.export({ format: 'pem', type: 'pkcs8' }));
    await writeFile(join(home, 'p384-enc.pem'), privateKey.export({ format: 'pem', type: 'pkcs8', cipher: 'aes-256-cbc', passphrase: 'pw' }));
    await writeFile(join(home, 'p384.jwk'), JSON.stringify(privateKey.export({ format: 'jwk' })));
    const publicX = (privateKey.export({ format: 'jwk' }) as { x: string }).x;

    const a = await ok<KeyBundle>(['key', 'import', '-n', 'imp-pem', '--pem-file', 'p384.pem', '--tags', 'src=pem']);
    expect(a.key).toMatchObject({ kty: 'EC', crv: 'P-384', x: publicX });
    expect(a.key).not.toHaveProperty('d');
    const b = await ok<KeyBundle>(['key', 'import', '-n', 'imp-enc', '--pem-file', 'p384-enc.pem', '--pem-password', 'pw', '--exportable']);
    expect(b.key.x).toBe(publicX);
    const c = await ok<KeyBundle>(['key', 'import', '-n', 'imp-jwk', '--jwk-file', 'p384.jwk', '--ops', 'verify']);
    expect(c.key).toMatchObject({ x: publicX, key_ops: ['verify'] });

    expectError(await coffer(['key', 'import', '-n', 'x', '--pem-file', 'p384.pem', '--jwk-file', 'p384.jwk']), 2, 'BadParameter');
    expectError(await coffer(['key', 'import', '-n', 'x', '--pem-file', 'missing.pem']), 2, 'BadParameter');
    await writeFile(join(home, 'bad.jwk'), 'not json');
    expectError(await coffer(['key', 'import', '-n', 'x', '--jwk-file', 'bad.jwk']), 2, 'BadParameter');
  });

  it('rotates, and shows and updates the rotation policy (show output accepted as input)', async () => {
    const before = await ok<{ kid: string }[]>(['key', 'list-versions', '-n', 'ec1']);
    const rotated = await ok<KeyBundle>(['key', 'rotate', '-n', 'ec1']);
    expect(rotated.key).toMatchObject({ kty: 'EC', crv: 'P-256' });
    expect(await ok<unknown[]>(['key', 'list-versions', '-n', 'ec1'])).toHaveLength(before.length + 1);

    const shown = await ok<{ id: string; lifetimeActions: unknown[] }>(['key', 'rotation-policy', 'show', '-n', 'ec1']);
    expect(shown).toHaveProperty('lifetimeActions');
    const policy = {
      lifetimeActions: [
        { trigger: { timeAfterCreate: 'P90D' }, action: { type: 'Rotate' } },
        { trigger: { timeBeforeExpiry: 'P30D' }, action: { type: 'Notify' } },
      ],
      attributes: { expiryTime: 'P1Y' },
    };
    await writeFile(join(home, 'policy.json'), JSON.stringify(policy));
    const updated = await ok<{ lifetimeActions: unknown[]; attributes: { expiryTime?: string } }>(['key', 'rotation-policy', 'update', '-n', 'ec1', '--value', 'policy.json']);
    expect(updated.lifetimeActions).toEqual(policy.lifetimeActions);
    expect(updated.attributes.expiryTime).toBe('P1Y');
    await writeFile(join(home, 'policy2.json'), JSON.stringify(updated));
    expect((await ok<{ lifetimeActions: unknown[] }>(['key', 'rotation-policy', 'update', '-n', 'ec1', '--value', 'policy2.json'])).lifetimeActions).toEqual(policy.lifetimeActions);

    await writeFile(join(home, 'bad-policy.json'), '[1, 2]');
    expectError(await coffer(['key', 'rotation-policy', 'update', '-n', 'ec1', '--value', 'bad-policy.json']), 2, 'BadParameter');
    expectError(await coffer(['key', 'rotation-policy', 'show', '-n', 'nope']), 3, 'KeyNotFound');

    // Nothing is due 90 days after a creation that happened just now.
    expect(await ok(['key', 'rotate-due'])).toEqual({ rotated: [], failed: [] });

    // A key that expires tomorrow, with "rotate 7 days before expiry": due now, rotated once.
    const tomorrow = new Date(Date.now() + 86_400_000).toISOString().replace(/\.\d+Z$/, 'Z');
    await ok(['key', 'create', '-n', 'soon', '--kty', 'EC', '--expires', tomorrow]);
    await writeFile(join(home, 'soon-policy.json'), JSON.stringify({ lifetimeActions: [{ trigger: { timeBeforeExpiry: 'P7D' }, action: { type: 'Rotate' } }], attributes: { expiryTime: 'P28D' } }));
    await ok(['key', 'rotation-policy', 'update', '-n', 'soon', '--value', 'soon-policy.json']);
    const due = await ok<{ rotated: { name: string; kid: string }[]; failed: unknown[] }>(['key', 'rotate-due']);
    expect(due.rotated.map((r) => r.name)).toEqual(['soon']);
    expect(due.failed).toEqual([]);
    expect(await ok<unknown[]>(['key', 'list-versions', '-n', 'soon'])).toHaveLength(2);
    // The new version expires 28 days on (the policy's expiryTime): nothing is due any more.
    expect(await ok(['key', 'rotate-due'])).toEqual({ rotated: [], failed: [] });
  });

  it('backs up, deletes, shows deleted, recovers, purges and restores', async () => {
    const backup = await ok<{ file: string }>(['key', 'backup', '-n', 'aes1', '-f', 'aes1.backup']);
    expect(backup).toEqual({ file: join(home, 'aes1.backup') });
    expectError(await coffer(['key', 'backup', '-n', 'aes1', '-f', 'aes1.backup']), 6, 'Conflict');

    const deleted = await ok<KeyBundle>(['key', 'delete', '-n', 'aes1']);
    expect(deleted.recoveryId).toMatch(/\/deletedkeys\/aes1$/);
    expect(deleted.deletedDate).toEqual(expect.any(Number));
    expect((await ok<{ kid: string }[]>(['key', 'list-deleted'])).map((d) => d.kid.split('/').pop())).toEqual(['aes1']);
    expect((await ok<KeyBundle>(['key', 'show-deleted', '-n', 'aes1'])).recoveryId).toBe(deleted.recoveryId);
    expectError(await coffer(['key', 'show', '-n', 'aes1']), 3, 'KeyNotFound');

    expect((await ok<KeyBundle>(['key', 'recover', '-n', 'aes1'])).key.kty).toBe('oct');
    await ok(['key', 'delete', '-n', 'aes1']);
    expect(await coffer(['key', 'purge', '-n', 'aes1'])).toMatchObject({ code: 0, stdout: '' });
    expectError(await coffer(['key', 'show-deleted', '-n', 'aes1']), 3, 'KeyNotFound');
    expectError(await coffer(['key', 'purge', '-n', 'aes1']), 3, 'KeyNotFound');

    const restored = await ok<KeyBundle>(['key', 'restore', '-f', 'aes1.backup']);
    expect(restored.key.kid).toMatch(/\/keys\/aes1\//);
    expectError(await coffer(['key', 'restore', '-f', 'missing.backup']), 2, 'BadParameter');
  });

  it('never prints private key material on stdout or stderr', async () => {
    const exported = JSON.parse(await readFile(join(home, 'ec1-private.jwk'), 'utf8')) as { d: string };
    const all = outputs.join('\n');
    expect(all).not.toContain(exported.d);
    expect(all).not.toContain('PRIVATE KEY');
    expect(all).not.toMatch(/"(d|p|q|dp|dq|qi|k)":/);
  });
});
