/**
 * Scenario (12): Key Vault's sign through the engine beside `openssl speed`,
 * and key generation per type.
 *
 * A vault made with the engine's public API (electron/vault/index.ts
 * loadEngine → createVault, the smallest Argon2id) holds an RSA-2048 and an
 * EC P-256 key. Each figure is ops/s of awaited `vault.keys.sign` calls one
 * after the other (one thread, one call in flight) over `seconds`:
 * - the digest path, `{ algorithm, digest }` with a 32-byte digest: Key
 *   Vault's API (its sign takes the digest), the judged figure;
 * - the data path, `{ algorithm, data }` with 32 bytes of data, which the
 *   engine hashes and signs with OpenSSL in one call (node:crypto sign).
 * Each call is the engine's whole per-operation path: the permission check,
 * the version's checks, its private material (decoded on first use and kept
 * for 2 s after its last use), the signature, and the audit record (queued in order and written behind the
 * call, in batches sharing one lock and one fsync). Right after the engine's figures for one algorithm, the same
 * child runs `openssl speed` for it (one process, one core).
 *
 * Then what a call is made of, measured alone in the same process (engine
 * internals, for the breakdown only): the signature on material decoded once
 * (algorithms.ts sign / signData), decoding the material (material.ts
 * decodePrivate), one `keys.get` (permission, lookup and the same audit
 * record, no key material), and one fsynced 200-byte append to a file in the
 * bench folder. And @noble/curves' ES256 over a digest with its default base
 * point table (W = 6) and after `Point.BASE.precompute(8)`, then the engine's
 * ES256 digest path again with that table.
 *
 * Last, key generation: `vault.keys.create` per type and size, each a commit
 * of its own, median of `genReps[type]` calls.
 */
import { createHash, generateKeyPairSync, randomBytes, sign as nodeSign } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { p256 } from '@noble/curves/nist.js';
import { loadEngine, type Vault } from '../../electron/vault/index.js';
import { sign as signDigest, signData } from '../../electron/vault/keys/algorithms.js';
import { decodePrivate, encodePrivate, generateKey, keyParts, type KeyMaterial } from '../../electron/vault/keys/material.js';
import { withFileLock } from '../../electron/vault/store/lock.js';
import { ensurePrivateDir } from '../../electron/vault/store/profile.js';
import { childArgs, emit, now, progress, runChild, summarize } from '../lib/common.js';
import { passphrase, quiet, SMALL_KDF } from '../lib/fixtures.js';

interface Args {
  dir: string;
  /** Seconds per engine sign figure. */
  seconds: number;
  /** `openssl speed -seconds`; it runs sign then verify, so each algorithm takes twice this. */
  opensslSeconds: number;
  /** The openssl binary, or null to skip the comparison. */
  openssl: string | null;
  /** Calls of keys.create per key type (e.g. "RSA-4096": 3). */
  genReps: Record<string, number>;
}

/** One rate: calls, wall and CPU time, and the latency of each call (bench/run.ts reports it). */
export interface Rate {
  opsPerSec: number;
  calls: number;
  wallMs: number;
  /** CPU time of the process per call (user + system, all threads), in ms. */
  cpuMsPerOp: number;
  latencyMs: { median: number; p95: number; min: number; max: number };
}

/** Calls of one figure, accumulated over rounds. */
interface Tally {
  lat: number[];
  wallMs: number;
  cpuUs: number;
}

function toRate(t: Tally): Rate {
  const s = [...t.lat].sort((a, b) => a - b);
  return {
    opsPerSec: (s.length * 1000) / t.wallMs,
    calls: s.length,
    wallMs: t.wallMs,
    cpuMsPerOp: t.cpuUs / 1000 / s.length,
    latencyMs: { median: s[s.length >> 1]!, p95: s[Math.min(s.length - 1, Math.ceil(s.length * 0.95) - 1)]!, min: s[0]!, max: s[s.length - 1]! },
  };
}

/**
 * Each `fns[k]` called one at a time, awaited, `seconds` in all, in ROUNDS
 * slices taken in turn (a, b, c, a, b, c...), so a change in the machine's load
 * falls on every figure alike; a short warm-up of each first.
 */
const ROUNDS = 5;
async function rates<K extends string>(seconds: number, fns: Record<K, () => unknown>): Promise<Record<K, Rate>> {
  const keys = Object.keys(fns) as K[];
  const tallies = Object.fromEntries(keys.map((k) => [k, { lat: [], wallMs: 0, cpuUs: 0 } as Tally])) as Record<K, Tally>;
  for (const k of keys) {
    const warm = now() + Math.min(200, seconds * 100);
    while (now() < warm) await fns[k]();
  }
  // The warm-up's audit records are written before the first slice starts: else the first
  // figure's settle pays for them (200 ms of keys.get leaves tens of thousands queued).
  await settle();
  for (let round = 0; round < ROUNDS; round++) {
    for (const k of keys) await slice(fns[k], (seconds * 1000) / ROUNDS, tallies[k]);
  }
  return Object.fromEntries(keys.map((k) => [k, toRate(tallies[k])])) as Record<K, Rate>;
}

/**
 * Waited for at the end of each slice, inside its wall time: the vault's
 * audit records still queued (they are written behind the calls), so a
 * slice pays for every record of its calls.
 */
let settle: () => Promise<void> = async () => undefined;

/** `fn` called one at a time, awaited, for `ms`, into `tally`. */
async function slice(fn: () => unknown, ms: number, tally: Tally): Promise<void> {
  const c0 = process.cpuUsage();
  const t0 = now();
  const end = t0 + ms;
  let t = t0;
  while (t < end) {
    await fn();
    const t1 = now();
    tally.lat.push(t1 - t);
    t = t1;
  }
  await settle();
  t = now();
  tally.wallMs += t - t0;
  const cpu = process.cpuUsage(c0);
  tally.cpuUs += cpu.user + cpu.system;
}


/** Synchronous work, timed in batches (no await between calls). */
function rateSync(seconds: number, fn: () => unknown): Rate {
  const warm = now() + Math.min(200, seconds * 100);
  while (now() < warm) fn();
  let calls = 0;
  const c0 = process.cpuUsage();
  const t0 = now();
  const end = t0 + seconds * 1000;
  let t = t0;
  while (t < end) {
    for (let i = 0; i < 16; i++) fn();
    calls += 16;
    t = now();
  }
  const wallMs = t - t0;
  const cpu = process.cpuUsage(c0);
  const per = wallMs / calls;
  return { opsPerSec: (calls * 1000) / wallMs, calls, wallMs, cpuMsPerOp: (cpu.user + cpu.system) / 1000 / calls, latencyMs: { median: per, p95: per, min: per, max: per } };
}

const r0 = (x: Rate): string => `${Math.round(x.opsPerSec).toLocaleString('en')} ops/s`;

/** `openssl speed` in machine-readable form (-mr): its sign/s and verify/s for one algorithm. */
function opensslSpeed(bin: string, args: string[], line: RegExp): { command: string; signPerSec: number; verifyPerSec: number; version: string } {
  const command = `openssl speed ${args.join(' ')}`;
  const r = spawnSync(bin, ['speed', '-mr', ...args], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${command} exited with ${r.status}: ${r.stderr.slice(0, 300)}`);
  const m = line.exec(r.stdout);
  if (!m) throw new Error(`${command}: no result line in its output (${r.stdout.slice(0, 200)})`);
  const version = spawnSync(bin, ['version'], { encoding: 'utf8' }).stdout.trim();
  return { command: `${command} (with -mr, its machine-readable output)`, signPerSec: Number(m[1]), verifyPerSec: Number(m[2]), version };
}

/** The key types of the generation figures, as keys.create takes them. */
const GEN_TYPES: Record<string, { kty: 'RSA' | 'EC' | 'oct' | 'OKP'; size?: number; crv?: string }> = {
  'RSA-2048': { kty: 'RSA', size: 2048 },
  'RSA-3072': { kty: 'RSA', size: 3072 },
  'RSA-4096': { kty: 'RSA', size: 4096 },
  'EC P-256': { kty: 'EC', crv: 'P-256' },
  'EC P-384': { kty: 'EC', crv: 'P-384' },
  'EC P-521': { kty: 'EC', crv: 'P-521' },
  'EC P-256K': { kty: 'EC', crv: 'P-256K' },
  'oct 128': { kty: 'oct', size: 128 },
  'oct 256': { kty: 'oct', size: 256 },
  'OKP Ed25519': { kty: 'OKP', crv: 'Ed25519' },
};

async function publicKeyOf(vault: Vault, name: string): Promise<Record<string, string>> {
  const e = await vault.keys.exportKey(name, undefined, { format: 'jwk' });
  if (!e.jwk) throw new Error(`no public JWK for ${name}`);
  return e.jwk;
}

const b64u = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'base64url'));

runChild(async () => {
  const a = childArgs<Args>();
  const engine = await loadEngine();
  const vault = await engine.createVault({ path: join(a.dir, 'keys.coffer'), profileDir: join(a.dir, 'profile-keys'), passphrase: passphrase(), kdf: SMALL_KDF, onWarning: quiet });
  settle = () => vault.settled();
  try {
    await vault.keys.create({ name: 'bench-rsa', kty: 'RSA', size: 2048 });
    await vault.keys.create({ name: 'bench-ec', kty: 'EC', crv: 'P-256' });
    const data = randomBytes(32);
    const digest = new Uint8Array(createHash('sha256').update(data).digest());

    // What is measured must be right: both paths' signatures verify, over the same digest.
    const rsDigest = await vault.keys.sign('bench-rsa', undefined, { algorithm: 'RS256', digest });
    const rsData = await vault.keys.sign('bench-rsa', undefined, { algorithm: 'RS256', data });
    if (rsDigest.value !== rsData.value) throw new Error('RS256: the digest and the data path gave different signatures (PKCS#1 v1.5 is deterministic)');
    const ecPub = await publicKeyOf(vault, 'bench-ec');
    const point = new Uint8Array([4, ...b64u(ecPub.x!), ...b64u(ecPub.y!)]);
    for (const input of [{ digest }, { data }]) {
      const s = await vault.keys.sign('bench-ec', undefined, { algorithm: 'ES256', ...input });
      if (!p256.verify(b64u(s.value), digest, point, { prehash: false, lowS: false })) throw new Error(`ES256 (${Object.keys(input)[0]} path): the signature does not verify`);
    }
    emit('checked', true);

    // The claim behind ES256's digest path (noble, not OpenSSL): node:crypto has no ECDSA sign of a given
    // digest. sign(null, ...) on an EC key takes OpenSSL's default digest (SHA-256) and hashes its input.
    {
      const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
      const jwk = publicKey.export({ format: 'jwk' });
      const pub = new Uint8Array([4, ...b64u(jwk.x!), ...b64u(jwk.y!)]);
      const sig = new Uint8Array(nodeSign(null, digest, { key: privateKey, dsaEncoding: 'ieee-p1363' }));
      const hashed = new Uint8Array(createHash('sha256').update(digest).digest());
      emit('nodeSignNull', {
        overDigest: p256.verify(sig, digest, pub, { prehash: false, lowS: false }),
        overSha256OfDigest: p256.verify(sig, hashed, pub, { prehash: false, lowS: false }),
      });
    }

    const signer = (name: string, algorithm: string, input: { digest: Uint8Array } | { data: Uint8Array }) => () => vault.keys.sign(name, undefined, { algorithm, ...input });

    // RS256 (digest path, data path, and keys.get in turn), then openssl rsa2048.
    const rs = await rates(a.seconds, { digest: signer('bench-rsa', 'RS256', { digest }), data: signer('bench-rsa', 'RS256', { data }), get: () => vault.keys.get('bench-rsa') });
    progress(`RS256, digest path: ${r0(rs.digest)}; data path: ${r0(rs.data)}; keys.get between them: ${r0(rs.get)}`);
    emit('rs256Digest', rs.digest);
    emit('rs256Data', rs.data);
    emit('rs256Get', rs.get);
    if (a.openssl) {
      const o = opensslSpeed(a.openssl, ['-seconds', String(a.opensslSeconds), '-multi', '1', 'rsa2048'], /^\+F2:\d+:2048:([\d.]+):([\d.]+)/m);
      progress(`${o.command}: ${Math.round(o.signPerSec)} sign/s`);
      emit('opensslRsa2048', o);
    }

    // ES256 the same way, then openssl ecdsap256.
    const es = await rates(a.seconds, { digest: signer('bench-ec', 'ES256', { digest }), data: signer('bench-ec', 'ES256', { data }), get: () => vault.keys.get('bench-ec') });
    progress(`ES256, digest path: ${r0(es.digest)}; data path: ${r0(es.data)}; keys.get between them: ${r0(es.get)}`);
    emit('es256Digest', es.digest);
    emit('es256Data', es.data);
    emit('es256Get', es.get);
    if (a.openssl) {
      const o = opensslSpeed(a.openssl, ['-seconds', String(a.opensslSeconds), 'ecdsap256'], /^\+F4:\d+:256:([\d.]+):([\d.]+)/m);
      progress(`${o.command}: ${Math.round(o.signPerSec)} sign/s`);
      emit('opensslEcdsaP256', o);
    }

    // The breakdown: each part of a call alone (engine internals; same material types and sizes).
    const part = Math.max(0.5, a.seconds / 3);
    const parts: Record<string, Rate> = {};
    for (const [label, spec, alg] of [
      ['rsa', { kty: 'RSA', size: 2048 }, 'RS256'],
      ['ec', { kty: 'EC', crv: 'P-256' }, 'ES256'],
    ] as const) {
      const m: KeyMaterial = await generateKey(spec);
      const desc = m.describe();
      const blob = encodePrivate(m);
      parts[`${label}SignDigest`] = rateSync(part, () => signDigest(m, alg, digest));
      parts[`${label}SignData`] = rateSync(part, () => signData(m, alg, data));
      parts[`${label}Decode`] = rateSync(part, () => decodePrivate(desc, blob).dispose());
      blob.fill(0);
      if (label === 'ec') {
        const d = (keyParts(m) as { d: Uint8Array }).d;
        // W = 6 and W = 8 in turn: the table is the base point's, for every call in this process
        // while it is set (built before each slice; back to W = 6 after).
        const nw: Record<6 | 8, Tally> = { 6: { lat: [], wallMs: 0, cpuUs: 0 }, 8: { lat: [], wallMs: 0, cpuUs: 0 } };
        for (let round = 0; round < ROUNDS; round++) {
          for (const size of [6, 8] as const) {
            p256.Point.BASE.precompute(size, false);
            for (let i = 0; i < 20; i++) p256.sign(digest, d, { prehash: false });
            await slice(() => p256.sign(digest, d, { prehash: false }), (part * 1000) / ROUNDS, nw[size]);
          }
        }
        p256.Point.BASE.precompute(6, false);
        parts.nobleW6 = toRate(nw[6]);
        parts.nobleW8 = toRate(nw[8]);
      }
      m.dispose();
    }
    const fh = await open(join(a.dir, 'fsync-probe.log'), 'a');
    const line = Buffer.alloc(200, 0x61);
    try {
      const fsyncAppend = async (): Promise<void> => {
        await fh.write(line, 0, line.length, null);
        await fh.sync();
      };
      // An audit record's other file work (audit/log.ts appendNow): two folder checks, then the record
      // under the log's file lock (store/lock.ts), taken and released around an empty body here.
      const lockPath = join(a.dir, 'probe.lock');
      const r = await rates(part, { fsyncAppend, fileLock: () => withFileLock(lockPath, () => Promise.resolve()), ensureDir: () => ensurePrivateDir(a.dir) });
      Object.assign(parts, r);
    } finally {
      await fh.close();
    }
    // The engine's ES256 digest path with noble's default table (W = 6) and with W = 8, taken in turn
    // (each table is built before its slice starts).
    const es256 = signer('bench-ec', 'ES256', { digest });
    const w: Record<6 | 8, Tally> = { 6: { lat: [], wallMs: 0, cpuUs: 0 }, 8: { lat: [], wallMs: 0, cpuUs: 0 } };
    for (let round = 0; round < ROUNDS; round++) {
      for (const size of [6, 8] as const) {
        p256.Point.BASE.precompute(size, false);
        await slice(es256, (a.seconds * 1000) / ROUNDS, w[size]);
      }
    }
    p256.Point.BASE.precompute(6, false);
    parts.es256DigestW6 = toRate(w[6]);
    parts.es256DigestW8 = toRate(w[8]);
    for (const [k, v] of Object.entries(parts)) progress(`${k}: ${r0(v)}`);
    emit('parts', parts);

    // Key generation through keys.create, one commit each.
    const gen: Record<string, number[]> = {};
    for (const [label, spec] of Object.entries(GEN_TYPES)) {
      const reps = a.genReps[label] ?? 5;
      const ms: number[] = [];
      for (let i = 0; i < reps; i++) {
        const t = now();
        await vault.keys.create({ name: `gen-${label.replace(/[^A-Za-z0-9]+/g, '-')}-${i}`, ...spec });
        ms.push(now() - t);
      }
      progress(`keys.create ${label}: ${ms.map((x) => x.toFixed(0)).join(', ')} ms`);
      gen[label] = ms;
    }
    emit('create', Object.fromEntries(Object.entries(gen).map(([k, v]) => [k, summarize(v)])));
  } finally {
    await vault.settled();
    vault.close();
  }
});
