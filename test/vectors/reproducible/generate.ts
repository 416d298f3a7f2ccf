/**
 * The reproducible vault (DECISIONS.md "Tests and tooling"): a small Coffer
 * vault built from FIXED SEEDS by a second, independent writer that follows
 * docs/FORMAT.md. It uses only the primitives of electron/vault/crypto/
 * (SHA-256, HKDF-SHA-256, XChaCha20-Poly1305 with an explicit nonce, X25519,
 * Ed25519, Padmé, Argon2id, key commitment), never the engine's format/,
 * core or vault modules, and replaces every random draw with a labelled
 * deterministic one (see `rnd`), so the output is the same on every run.
 *
 *   npx tsx test/vectors/reproducible/generate.ts
 *
 * writes, beside this file:
 *   reproducible.coffer.txt  the vault (a .coffer file; *.coffer is git-ignored)
 *   reproducible.json        passphrase, KDF parameters, every random input and
 *                            intermediate key, the decrypted bodies and the
 *                            expected secrets with their values
 *
 * test/unit/vault/format/reproducible.test.ts regenerates both and compares
 * bytes, decodes the vault step by step from FORMAT.md, and opens it with the
 * engine.
 *
 * The history (FORMAT.md §14):
 *   #0 genesis            alice
 *   #1 epoch E1           alice  scopes, settings (retention 30), member alice (Administrator), passphrase slot
 *   #2 values             alice  db-password v1, api-key v1 (one batch key, two data keys)
 *   #3 epoch E2           alice  scopes (chained to E1), member bob (Secrets Officer)
 *   #4 values             bob    db-password v2, TLS-Cert-Der v1 (binary)
 *   #5 update             alice  api-key v1: tags replaced, nbf set, exp cleared (same millisecond as #4: hlc counter 1)
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import {
  argon2id,
  concatBytes,
  ed25519Sign,
  hkdfSha256,
  keyCommitment,
  pad,
  sha256,
  signingPublicKey,
  toB64u,
  toHex,
  u64be,
  utf8,
  x25519,
  x25519PublicKey,
  xchachaSeal,
} from '../../../electron/vault/crypto/index.js';

export const VAULT_FILE = 'reproducible.coffer.txt';
export const JSON_FILE = 'reproducible.json';

export const PASSPHRASE = 'Tr0ub4dor&3 · reproducible';
/** DECISIONS.md: test vaults use m = 8 MiB, t = 1, p = 1. */
export const KDF = { m: 8192, t: 1, p: 1 } as const;
/** 2026-01-01T00:00:00Z. */
const T0 = 1_767_225_600;

type Scope = 'meta' | 'secrets' | 'keys' | 'certificates' | 'ca';
const SCOPES: readonly Scope[] = ['meta', 'secrets', 'keys', 'certificates', 'ca'];
const ROLE_SCOPES: Record<string, readonly Scope[]> = {
  'Key Vault Administrator': SCOPES,
  'Key Vault Secrets Officer': ['meta', 'secrets'],
};

// ------------------------------------------------------------ deterministic draws

/**
 * The stand-in for the CSPRNG: the n bytes drawn under `label` are the first
 * n bytes of SHA-256(UTF-8("coffer-test-vector/" ‖ label ‖ "/0")) ‖
 * SHA-256(... "/1") ‖ ... Every draw has its own label, so the JSON can name
 * each random input and no draw depends on the order of the others.
 */
const draws: Record<string, string> = {};
export function rnd(label: string, n: number): Uint8Array {
  const out = new Uint8Array(n);
  for (let i = 0, off = 0; off < n; i++, off += 32) {
    const block = sha256(utf8(`coffer-test-vector/${label}/${i}`));
    out.set(block.subarray(0, Math.min(32, n - off)), off);
  }
  draws[label] = toHex(out);
  return out;
}

// ------------------------------------------------------------ FORMAT.md §2, §6 helpers

const hexBytes = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'hex'));
const lbl = (purpose: string): Uint8Array => utf8(`coffer/v1 ${purpose}\0`);

/** FORMAT.md §2.4: keys sorted by UTF-16 code units, no white space, safe integers only. */
function canonicalJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  if (v !== null && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    const keys = Object.keys(o)
      .filter((k) => o[k] !== undefined)
      .sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(o[k])}`).join(',')}}`;
  }
  if (typeof v === 'number' && !Number.isSafeInteger(v)) throw new Error('canonical JSON holds integers only');
  return JSON.stringify(v);
}

/** FORMAT.md §2.6 SEAL: nonce24 ‖ XChaCha20-Poly1305(key, nonce24, plaintext, ad). */
function sealN(key: Uint8Array, nonce: Uint8Array, plaintext: Uint8Array, ad: Uint8Array): Uint8Array {
  return concatBytes(nonce, xchachaSeal(key, nonce, plaintext, ad));
}

interface StanzaOut {
  stanza: { epk: string; ct: string };
  wrapKey: string;
}

/** FORMAT.md §6.4: an X25519 stanza with a given ephemeral private key and nonce. */
function wrap(ephPriv: Uint8Array, recipient: Uint8Array, key: Uint8Array, context: Uint8Array, nonce: Uint8Array): StanzaOut {
  const epk = x25519PublicKey(ephPriv);
  const shared = x25519(ephPriv, recipient);
  const wk = hkdfSha256(shared, concatBytes(epk, recipient), concatBytes(lbl('wrap'), context), 32);
  return { stanza: { epk: toB64u(epk), ct: toB64u(sealN(wk, nonce, key, context)) }, wrapKey: toHex(wk) };
}

const memberWrapContext = (vid: Uint8Array, epoch: string, scope: Scope, recipient: Uint8Array): Uint8Array =>
  concatBytes(lbl('scope-key'), vid, hexBytes(epoch), utf8(scope), recipient);
const chainContext = (vid: Uint8Array, epoch: string, scope: Scope, prev: string): Uint8Array =>
  concatBytes(lbl('scope-chain'), vid, hexBytes(epoch), utf8(scope), hexBytes(prev));
const commitKeyContext = (vid: Uint8Array, epoch: string, scope: Scope, author: Uint8Array, seq: number): Uint8Array =>
  concatBytes(lbl('commit-key'), vid, hexBytes(epoch), utf8(scope), author, u64be(seq));
const bodyAd = (vid: Uint8Array, epoch: string, author: Uint8Array, seq: number): Uint8Array =>
  concatBytes(lbl('body'), vid, hexBytes(epoch), utf8('meta'), author, u64be(seq));
const valueAd = (vid: Uint8Array, oid: string, version: string, epoch: string): Uint8Array =>
  concatBytes(lbl('value'), vid, utf8(oid), hexBytes(version), utf8('value'), hexBytes(epoch), utf8('secrets'));
const objectId = (vid: Uint8Array, collection: string, name: string): string =>
  toHex(sha256(lbl('object'), vid, utf8(`${collection}/${name.toLowerCase()}`))).slice(0, 32);
const dataKey = (batch: Uint8Array, oid: string, version: string): Uint8Array =>
  hkdfSha256(batch, new Uint8Array(0), concatBytes(lbl('data-key'), utf8(oid), hexBytes(version)), 32);
function authorEphemeral(encPriv: Uint8Array, vid: Uint8Array, epoch: string, scope: Scope): { priv: Uint8Array; pub: Uint8Array } {
  const priv = hkdfSha256(encPriv, vid, concatBytes(lbl('author-ephemeral'), hexBytes(epoch), utf8(scope)), 32);
  return { priv, pub: x25519PublicKey(priv) };
}

// ------------------------------------------------------------ the vault

interface Identity {
  name: string;
  signSeed: Uint8Array;
  signPub: Uint8Array;
  encPriv: Uint8Array;
  encPub: Uint8Array;
}

function identity(name: string): Identity {
  const signSeed = rnd(`${name}/sign-seed`, 32);
  const encPriv = rnd(`${name}/enc-private`, 32);
  return { name, signSeed, signPub: signingPublicKey(signSeed), encPriv, encPub: x25519PublicKey(encPriv) };
}

type Rec = Record<string, unknown> & { t: string };

interface SecretWrite {
  record: Rec & { t: 'secret'; name: string; version: string };
  value: Uint8Array;
}

export interface Generated {
  vault: string;
  json: string;
}

export async function generate(): Promise<Generated> {
  for (const k of Object.keys(draws)) delete draws[k];
  const alice = identity('alice');
  const bob = identity('bob');
  const lines: string[] = [];
  const log = {
    commits: [] as Record<string, unknown>[],
    epochs: [] as Record<string, unknown>[],
    authorEphemerals: [] as Record<string, unknown>[],
  };
  const sign = (who: Identity, id: string): string => toB64u(ed25519Sign(who.signSeed, concatBytes(lbl('commit'), hexBytes(id))));

  // #0 genesis (FORMAT.md §4.1): no encrypted content; its hash is the vault id.
  const genesis = { v: 1, genesis: toB64u(rnd('genesis/nonce', 32)), author: toB64u(alice.signPub), seq: 0, parents: [] };
  const gText = canonicalJson(genesis);
  const vaultId = toHex(sha256(utf8(gText)));
  const vid = hexBytes(vaultId);
  lines.push(`coffer-vault/1 ${vaultId}\n`, `C ${gText} ${sign(alice, vaultId)}\n`);
  log.commits.push({ index: 0, line: 2, kind: 'genesis', id: vaultId, author: 'alice', seq: 0, payload: gText });

  // Epoch scope keys (FORMAT.md §6.5).
  const epochKeys = new Map<string, Record<Scope, { priv: Uint8Array; pub: Uint8Array }>>();
  const epochIds: string[] = [];
  function newEpoch(n: number, members: { who: Identity; roles: string[] }[], prev: string[]): {
    id: string;
    json: Record<Scope, { pub: string; wraps: { epk: string; ct: string }[]; chain: { epk: string; ct: string }[] }>;
  } {
    const id = toHex(rnd(`epoch/${n}/id`, 16));
    const keys = {} as Record<Scope, { priv: Uint8Array; pub: Uint8Array }>;
    const json = {} as Record<Scope, { pub: string; wraps: { epk: string; ct: string }[]; chain: { epk: string; ct: string }[] }>;
    const scopesLog: Record<string, unknown> = {};
    for (const scope of SCOPES) {
      const priv = rnd(`epoch/${n}/${scope}/private`, 32);
      const pub = x25519PublicKey(priv);
      keys[scope] = { priv, pub };
      const wraps: StanzaOut[] = [];
      const readers: string[] = [];
      for (const m of members) {
        if (!m.roles.some((r) => ROLE_SCOPES[r]!.includes(scope))) continue;
        readers.push(m.who.name);
        const eph = rnd(`epoch/${n}/${scope}/wrap/${m.who.name}/ephemeral`, 32);
        const nonce = rnd(`epoch/${n}/${scope}/wrap/${m.who.name}/nonce`, 24);
        wraps.push(wrap(eph, m.who.encPub, priv, memberWrapContext(vid, id, scope, m.who.encPub), nonce));
      }
      const chain = prev.map((p) => {
        const eph = rnd(`epoch/${n}/${scope}/chain/${p}/ephemeral`, 32);
        const nonce = rnd(`epoch/${n}/${scope}/chain/${p}/nonce`, 24);
        return wrap(eph, pub, epochKeys.get(p)![scope].priv, chainContext(vid, id, scope, p), nonce);
      });
      json[scope] = { pub: toB64u(pub), wraps: wraps.map((w) => w.stanza), chain: chain.map((w) => w.stanza) };
      scopesLog[scope] = {
        private: toHex(priv),
        public: toHex(pub),
        readers,
        wrapKeys: Object.fromEntries(readers.map((r, i) => [r, wraps[i]!.wrapKey])),
        chainWrapKeys: Object.fromEntries(prev.map((p, i) => [p, chain[i]!.wrapKey])),
      };
    }
    epochKeys.set(id, keys);
    epochIds.push(id);
    log.epochs.push({ index: epochIds.length, id, startedBy: n, prev, scopes: scopesLog });
    return { id, json };
  }

  const heads = { seq: new Map<string, number>(), last: vaultId };
  const ephLogged = new Set<string>();

  /** FORMAT.md §4.2, §6.6–§6.8: one commit after genesis. */
  function commit(n: number, c: {
    author: Identity;
    epoch: string;
    newEpoch?: { prev: string[]; json: Record<Scope, { pub: string; wraps: unknown[]; chain: unknown[] }> };
    slots?: unknown[];
    hlc: [number, number];
    time: number;
    records: Rec[];
    writes?: SecretWrite[];
  }): string {
    const seq = (heads.seq.get(c.author.name) ?? 0) + 1;
    heads.seq.set(c.author.name, seq);
    const parents = [heads.last];
    const keys = epochKeys.get(c.epoch)!;
    const records: Rec[] = [];
    if (c.newEpoch) {
      const j = c.newEpoch.json;
      records.push({ t: 'scopes', scopes: { secrets: j.secrets, keys: j.keys, certificates: j.certificates, ca: j.ca } });
    }
    records.push(...c.records);
    const entry: Record<string, unknown> = { index: n, kind: c.newEpoch ? 'epoch' : 'commit', author: c.author.name, seq, parents, epoch: c.epoch };
    const logEph = (scope: Scope, e: { priv: Uint8Array; pub: Uint8Array }): void => {
      const k = `${c.author.name}/${c.epoch}/${scope}`;
      if (ephLogged.has(k)) return;
      ephLogged.add(k);
      log.authorEphemerals.push({ author: c.author.name, epoch: c.epoch, scope, private: toHex(e.priv), public: toHex(e.pub) });
    };

    // Values (FORMAT.md §6.7): one batch key, one derived data key per version.
    const blobHashes: string[] = [];
    const blobLines: string[] = [];
    if (c.writes && c.writes.length > 0) {
      const batch = rnd(`commit/${n}/batch-key`, 32);
      const eph = authorEphemeral(c.author.encPriv, vid, c.epoch, 'secrets');
      logEph('secrets', eph);
      const w = wrap(eph.priv, keys.secrets.pub, batch, commitKeyContext(vid, c.epoch, 'secrets', c.author.signPub, seq), rnd(`commit/${n}/batch-key/nonce`, 24));
      const values: Record<string, unknown>[] = [];
      c.writes.forEach((wr, i) => {
        const oid = objectId(vid, 'secrets', wr.record.name);
        const dk = dataKey(batch, oid, wr.record.version);
        const padded = pad(wr.value);
        const blob = sealN(dk, rnd(`commit/${n}/value/${i}/nonce`, 24), padded, valueAd(vid, oid, wr.record.version, c.epoch));
        const h = toHex(sha256(blob));
        wr.record.blob = i;
        records.push(wr.record);
        blobHashes.push(h);
        blobLines.push(`B ${toB64u(blob)}\n`);
        values.push({ name: wr.record.name, objectId: oid, version: wr.record.version, dataKey: toHex(dk), valueLength: wr.value.length, paddedLength: padded.length, blobLength: blob.length, blobHash: h });
      });
      records.push({ t: 'batch', scope: 'secrets', key: w.stanza, kc: toB64u(keyCommitment(batch)) });
      Object.assign(entry, { batchKey: toHex(batch), batchKeyCommitment: toHex(keyCommitment(batch)), batchWrapKey: w.wrapKey, values });
    }

    // Body (FORMAT.md §6.6, §7).
    const bodyJson = canonicalJson({ hlc: c.hlc, time: c.time, records });
    const bodyKey = rnd(`commit/${n}/body-key`, 32);
    const plain = pad(utf8(bodyJson));
    const sealed = sealN(bodyKey, rnd(`commit/${n}/body/nonce`, 24), plain, bodyAd(vid, c.epoch, c.author.signPub, seq));
    const eph = authorEphemeral(c.author.encPriv, vid, c.epoch, 'meta');
    logEph('meta', eph);
    const k = wrap(eph.priv, keys.meta.pub, bodyKey, commitKeyContext(vid, c.epoch, 'meta', c.author.signPub, seq), rnd(`commit/${n}/body-key/nonce`, 24));
    const payload = {
      v: 1,
      vault: vaultId,
      author: toB64u(c.author.signPub),
      seq,
      parents,
      epoch: c.epoch,
      ...(c.newEpoch ? { newEpoch: { id: c.epoch, prev: c.newEpoch.prev, meta: c.newEpoch.json.meta } } : {}),
      ...(c.slots ? { slots: c.slots } : {}),
      key: k.stanza,
      kc: toB64u(keyCommitment(bodyKey)),
      body: toB64u(sealed),
      ...(blobHashes.length > 0 ? { blobs: blobHashes } : {}),
    };
    const text = canonicalJson(payload);
    const id = toHex(sha256(utf8(text)));
    lines.push(...blobLines, `C ${text} ${sign(c.author, id)}\n`);
    heads.last = id;
    const lineNo = lines.reduce((a, l) => a + (l.endsWith('\n') ? 1 : 0), 0);
    Object.assign(entry, {
      id,
      line: lineNo,
      bodyKey: toHex(bodyKey),
      bodyKeyCommitment: toHex(keyCommitment(bodyKey)),
      bodyWrapKey: k.wrapKey,
      bodyJson,
      bodyPaddedLength: plain.length,
    });
    // Keep the JSON's key order readable: index, kind, id first.
    log.commits.push({ index: n, kind: entry.kind, id, line: lineNo, ...entry });
    return id;
  }

  // The passphrase slot (FORMAT.md §6.2), sealed to the vault id.
  const slotHead = { id: toHex(rnd('slot/alice/id', 16)), kdf: { ...KDF }, salt: toB64u(rnd('slot/alice/salt', 16)) };
  const slotKey = await argon2id(utf8(PASSPHRASE), rnd('slot/alice/salt', 16), { memoryKiB: KDF.m, iterations: KDF.t, parallelism: KDF.p }, 32);
  const slotAd = concatBytes(lbl('slot'), vid, utf8(canonicalJson(slotHead)));
  const slot = { ...slotHead, ct: toB64u(sealN(slotKey, rnd('slot/alice/nonce', 24), concatBytes(alice.signSeed, alice.encPriv), slotAd)) };

  const ADMIN = 'Key Vault Administrator';
  const OFFICER = 'Key Vault Secrets Officer';
  const ms = (s: number): number => s * 1000;

  // #1: the first epoch, settings and the creator's member record (FORMAT.md §15 (1)).
  const e1 = newEpoch(1, [{ who: alice, roles: [ADMIN] }], []);
  commit(1, {
    author: alice,
    epoch: e1.id,
    newEpoch: { prev: [], json: e1.json },
    slots: [slot],
    hlc: [ms(T0 + 60), 0],
    time: T0 + 60,
    records: [
      { t: 'settings', retentionDays: 30 },
      { t: 'member', sign: toB64u(alice.signPub), enc: toB64u(alice.encPub), name: 'alice', roles: [ADMIN] },
    ],
  });

  // #2: two secrets in one commit (one batch key).
  const v = (name: string, k: number): string => toHex(rnd(`secret/${name}/version/${k}`, 16));
  commit(2, {
    author: alice,
    epoch: e1.id,
    hlc: [ms(T0 + 120), 0],
    time: T0 + 120,
    records: [],
    writes: [
      { record: { t: 'secret', name: 'db-password', version: v('db-password', 1), enc: 'utf8', enabled: true }, value: utf8('hunter2') },
      {
        record: {
          t: 'secret',
          name: 'api-key',
          version: v('api-key', 1),
          enc: 'utf8',
          enabled: true,
          contentType: 'text/plain',
          tags: { owner: 'alice', env: 'test' },
          exp: T0 + 365 * 86_400,
        },
        value: utf8('sk_test_4eC39HqLyjWDarjtT1zdp7dc ✓'),
      },
    ],
  });

  // #3: a member is added: a new epoch whose scope keys chain E1's.
  const e2 = newEpoch(3, [{ who: alice, roles: [ADMIN] }, { who: bob, roles: [OFFICER] }], [e1.id]);
  commit(3, {
    author: alice,
    epoch: e2.id,
    newEpoch: { prev: [e1.id], json: e2.json },
    hlc: [ms(T0 + 180), 0],
    time: T0 + 180,
    records: [{ t: 'member', sign: toB64u(bob.signPub), enc: toB64u(bob.encPub), name: 'bob', roles: [OFFICER] }],
  });

  // #4: bob's first commit (seq 1): a second version and a binary value.
  const der = new Uint8Array([0x30, 0x82, 0x01, 0x0a, 0x02, 0x82, 0x01, 0x01, 0x00, 0xc3, 0xff, 0xfe, 0x80, 0x00, 0x7f, 0x0a]);
  commit(4, {
    author: bob,
    epoch: e2.id,
    hlc: [ms(T0 + 240), 0],
    time: T0 + 240,
    records: [],
    writes: [
      { record: { t: 'secret', name: 'db-password', version: v('db-password', 2), enc: 'utf8', enabled: true }, value: utf8('correct-horse-battery-staple') },
      { record: { t: 'secret', name: 'TLS-Cert-Der', version: v('TLS-Cert-Der', 1), enc: 'binary', enabled: true, contentType: 'application/octet-stream' }, value: der },
    ],
  });

  // #5: an attribute update in the same millisecond as #4 (hlc counter 1).
  commit(5, {
    author: alice,
    epoch: e2.id,
    hlc: [ms(T0 + 240), 1],
    time: T0 + 240,
    records: [{ t: 'secret.update', name: 'api-key', version: v('api-key', 1), set: { tags: { env: 'prod' }, nbf: T0 }, clear: ['exp'] }],
  });

  const vaultText = lines.join('');

  // The expected state (FORMAT.md §9), written out from the history above.
  const expectedSecrets = [
    {
      name: 'api-key',
      objectId: objectId(vid, 'secrets', 'api-key'),
      versions: [
        { version: v('api-key', 1), enabled: true, encoding: 'utf8', contentType: 'text/plain', tags: { env: 'prod' }, nbf: T0, created: T0 + 120, updated: T0 + 240, value: 'sk_test_4eC39HqLyjWDarjtT1zdp7dc ✓' },
      ],
    },
    {
      name: 'db-password',
      objectId: objectId(vid, 'secrets', 'db-password'),
      versions: [
        { version: v('db-password', 1), enabled: true, encoding: 'utf8', created: T0 + 120, updated: T0 + 120, value: 'hunter2' },
        { version: v('db-password', 2), enabled: true, encoding: 'utf8', created: T0 + 240, updated: T0 + 240, value: 'correct-horse-battery-staple' },
      ],
    },
    {
      name: 'TLS-Cert-Der',
      objectId: objectId(vid, 'secrets', 'TLS-Cert-Der'),
      versions: [
        { version: v('TLS-Cert-Der', 1), enabled: true, encoding: 'binary', contentType: 'application/octet-stream', created: T0 + 240, updated: T0 + 240, valueBase64: Buffer.from(der).toString('base64') },
      ],
    },
  ];

  const idJson = (who: Identity, roles: string[]): Record<string, unknown> => ({
    signSeed: toHex(who.signSeed),
    signPublic: toHex(who.signPub),
    signPublicB64u: toB64u(who.signPub),
    encPrivate: toHex(who.encPriv),
    encPublic: toHex(who.encPub),
    encPublicB64u: toB64u(who.encPub),
    roles,
  });

  const json = {
    description:
      'Coffer reproducible vault (docs/FORMAT.md §14), generated from fixed seeds by test/vectors/reproducible/generate.ts with the primitives of electron/vault/crypto only. Hex unless a field name says B64u; every random input is listed under "draws".',
    formatVersion: 1,
    file: { name: VAULT_FILE, bytes: Buffer.byteLength(vaultText), sha256: toHex(sha256(utf8(vaultText))), lines: lines.length },
    deterministicRandom: 'draw(label, n) = first n bytes of SHA-256(UTF-8("coffer-test-vector/" + label + "/0")) || SHA-256(... "/1") || ...',
    passphrase: PASSPHRASE,
    passphraseUtf8: toHex(utf8(PASSPHRASE)),
    kdf: { ...KDF, algorithm: 'Argon2id', version: 19, outputLength: 32 },
    vaultId,
    vaultId32: vaultId.slice(0, 32),
    retentionDays: 30,
    identities: { alice: idJson(alice, [ADMIN]), bob: idJson(bob, [OFFICER]) },
    slot: {
      author: 'alice',
      commit: 1,
      id: slotHead.id,
      salt: toHex(rnd('slot/alice/salt', 16)),
      argon2Key: toHex(slotKey),
      adUtf8Tail: canonicalJson(slotHead),
      ad: toHex(slotAd),
      sealedPlaintext: 'alice signSeed || alice encPrivate',
    },
    epochs: log.epochs,
    authorEphemerals: log.authorEphemerals,
    commits: log.commits,
    secrets: expectedSecrets,
    draws: { ...draws },
  };
  return { vault: vaultText, json: `${JSON.stringify(json, null, 2)}\n` };
}

export const OUT_DIR = fileURLToPath(new URL('.', import.meta.url));

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const g = await generate();
  writeFileSync(new URL(VAULT_FILE, import.meta.url), g.vault);
  writeFileSync(new URL(JSON_FILE, import.meta.url), g.json);
  console.log(`wrote ${VAULT_FILE} (${Buffer.byteLength(g.vault)} bytes) and ${JSON_FILE} in ${OUT_DIR}`);
}
