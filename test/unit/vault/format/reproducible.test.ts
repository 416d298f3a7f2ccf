/**
 * The reproducible vault (test/vectors/reproducible, docs/FORMAT.md §14).
 *
 * (a) generate.ts, run again, gives the committed files byte for byte;
 * (b) a reader written from FORMAT.md alone (below: it uses only the
 *     primitives of electron/vault/crypto, never the engine's format/, core
 *     or vault modules) decodes the committed file step by step, and every
 *     intermediate it computes matches reproducible.json;
 * (c) the ENGINE opens the committed file (as alice with the passphrase, as
 *     bob with his identity) and lists exactly the expected secrets and values;
 * (d) the other direction: a vault written by the engine is read by the same
 *     FORMAT.md reader, so the document describes what the engine writes.
 * Together (b)-(d) show that FORMAT.md, an independent implementation and the
 * engine agree.
 */
import { readFileSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { createHmac } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  argon2id,
  concatBytes,
  ed25519Verify,
  fromB64u,
  hkdfSha256,
  keyCommitment,
  open,
  sha256,
  signingPublicKey,
  toB64u,
  toHex,
  u64be,
  unpad,
  utf8,
  x25519,
  x25519PublicKey,
  equalBytes,
} from '../../../../electron/vault/crypto/index.js';
import { checkVaultFile, createIdentity, createVault, openVault } from '../../../../electron/vault/vault.js';
import { generate, JSON_FILE, VAULT_FILE } from '../../../vectors/reproducible/generate.js';

const DIR = new URL('../../../vectors/reproducible/', import.meta.url);
const committedVault = readFileSync(new URL(VAULT_FILE, DIR));
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const V: any = JSON.parse(readFileSync(new URL(JSON_FILE, DIR), 'utf8'));

// =====================================================================
// A reader written from docs/FORMAT.md (section numbers refer to it).
// =====================================================================

class FormatError extends Error {}
const fail = (m: string): never => {
  throw new FormatError(m);
};
const hexb = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'hex'));
/** §2.5: every label is UTF-8 "coffer/v1 <purpose>" followed by one NUL byte. */
const L = (purpose: string): Uint8Array => utf8(`coffer/v1 ${purpose}\0`);
const SCOPES = ['meta', 'secrets', 'keys', 'certificates', 'ca'] as const;
type Scope = (typeof SCOPES)[number];

/** §2.4 canonical JSON. */
function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v !== null && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    return `{${Object.keys(o)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical(o[k])}`)
      .join(',')}}`;
  }
  if (typeof v === 'number' && !Number.isSafeInteger(v)) fail('a number that is not a safe integer');
  return JSON.stringify(v);
}

interface Stanza {
  epk: string;
  ct: string;
}
interface SlotJ {
  id: string;
  kdf: { m: number; t: number; p: number };
  salt: string;
  ct: string;
}
interface Payload {
  v: 1 | 2;
  genesis?: string;
  vault?: string;
  author: string;
  seq: number;
  parents: string[];
  epoch?: string;
  newEpoch?: { id: string; prev: string[]; meta: { pub: string; wraps: Stanza[]; chain: Stanza[] } };
  slots?: SlotJ[];
  key?: Stanza;
  kc?: string;
  body?: string;
  blobs?: string[];
}
type Rec = Record<string, unknown> & { t: string };
interface Body {
  hlc: [number, number];
  time: number;
  records: Rec[];
}

interface ReadCommit {
  line: number;
  id: string;
  text: string;
  p: Payload;
  genesis: boolean;
  author: Uint8Array;
  ancestors: Set<string>;
  bodyWrapKey?: string;
  bodyKey?: Uint8Array;
  bodyJson?: string;
  body?: Body;
  batchWrapKey?: string;
  batchKey?: Uint8Array;
  accepted?: boolean;
}

interface Me {
  signSeed?: Uint8Array;
  signPub: Uint8Array;
  encPriv: Uint8Array;
  encPub: Uint8Array;
}

interface FoldedVersion {
  version: string;
  enabled: boolean;
  encoding: 'utf8' | 'binary';
  contentType?: string;
  tags?: Record<string, string>;
  nbf?: number;
  exp?: number;
  created: number;
  updated: number;
  commit: string;
  epoch: string;
  blob: string;
  value?: Uint8Array;
  dataKey?: Uint8Array;
}
interface FoldedSecret {
  name: string;
  objectId: string;
  versions: FoldedVersion[];
  deleted?: number;
}

interface SpecRead {
  vaultId: string;
  vid: Uint8Array;
  commits: ReadCommit[];
  byId: Map<string, ReadCommit>;
  blobs: Map<string, Uint8Array>;
  me: Me;
  slotKey?: Uint8Array;
  scopeKeys: Map<string, { priv: Uint8Array; pub: Uint8Array } | null>;
  scopeKey(epoch: string, scope: Scope): { priv: Uint8Array; pub: Uint8Array } | null;
  members: Map<string, { name: string; roles: string[]; enc: string }>;
  retentionDays: number;
  secrets: FoldedSecret[];
}

// ---- §3 lines, §4 schema (the subset of checks this vault needs, strictly)

const HEX64 = /^[0-9a-f]{64}$/;
const HEX32 = /^[0-9a-f]{32}$/;
function b64(v: unknown, len?: number): Uint8Array {
  if (typeof v !== 'string') return fail('not a string');
  const b = fromB64u(v); // strict: alphabet, no padding, canonical trailing bits
  if (len !== undefined && b.length !== len) fail(`expected ${len} bytes`);
  return b;
}
function exactKeys(o: unknown, required: string[], optional: string[] = []): Record<string, unknown> {
  if (o === null || typeof o !== 'object' || Array.isArray(o)) return fail('not an object');
  const r = o as Record<string, unknown>;
  for (const k of Object.keys(r)) if (!required.includes(k) && !optional.includes(k)) fail(`unknown field ${k}`);
  for (const k of required) if (!(k in r)) fail(`missing field ${k}`);
  return r;
}
function stanzaOk(s: unknown): void {
  const o = exactKeys(s, ['epk', 'ct']);
  b64(o.epk, 32);
  b64(o.ct);
}
function validatePayload(raw: unknown): Payload {
  const o = raw as Record<string, unknown>;
  if ('genesis' in o) {
    exactKeys(o, ['v', 'genesis', 'author', 'seq', 'parents']);
    if ((o.v !== 1 && o.v !== 2) || o.seq !== 0 || !Array.isArray(o.parents) || o.parents.length !== 0) fail('bad genesis');
    b64(o.genesis, 32);
    b64(o.author, 32);
    return o as unknown as Payload;
  }
  exactKeys(o, ['v', 'vault', 'author', 'seq', 'parents', 'epoch', 'key', 'kc', 'body'], ['newEpoch', 'slots', 'blobs']);
  if (o.v !== 1 && o.v !== 2) fail('version');
  if (typeof o.vault !== 'string' || !HEX64.test(o.vault)) fail('vault');
  b64(o.author, 32);
  if (!Number.isSafeInteger(o.seq) || (o.seq as number) < 1) fail('seq');
  const parents = o.parents as string[];
  if (!Array.isArray(parents) || parents.length === 0 || parents.length > 1024) fail('parents');
  parents.forEach((p, i) => (HEX64.test(p) && (i === 0 || parents[i - 1]! < p)) || fail('parents not sorted/unique hex'));
  if (typeof o.epoch !== 'string' || !HEX32.test(o.epoch)) fail('epoch');
  stanzaOk(o.key);
  b64(o.kc, 32);
  b64(o.body);
  if (o.blobs !== undefined) {
    const bl = o.blobs as string[];
    if (!Array.isArray(bl) || bl.length === 0 || new Set(bl).size !== bl.length || !bl.every((h) => HEX64.test(h))) fail('blobs');
  }
  if (o.slots !== undefined) {
    const sl = o.slots as unknown[];
    if (!Array.isArray(sl) || sl.length === 0 || sl.length > 16) fail('slots');
    for (const s of sl) {
      const so = exactKeys(s, ['id', 'kdf', 'salt', 'ct']);
      if (!HEX32.test(so.id as string)) fail('slot id');
      exactKeys(so.kdf, ['m', 't', 'p']);
      b64(so.salt, 16);
      b64(so.ct);
    }
  }
  if (o.newEpoch !== undefined) {
    const e = exactKeys(o.newEpoch, ['id', 'prev', 'meta']);
    if (e.id !== o.epoch) fail('newEpoch.id');
    const prev = e.prev as string[];
    prev.forEach((p, i) => (HEX32.test(p) && (i === 0 || prev[i - 1]! < p)) || fail('prev'));
    const m = exactKeys(e.meta, ['pub', 'wraps', 'chain']);
    b64(m.pub, 32);
    (m.wraps as unknown[]).forEach(stanzaOk);
    (m.chain as unknown[]).forEach(stanzaOk);
    if ((m.chain as unknown[]).length !== prev.length) fail('chain length');
  }
  return o as unknown as Payload;
}

// ---- §6 constructions

const memberWrapContext = (vid: Uint8Array, epoch: string, scope: Scope, recipient: Uint8Array): Uint8Array =>
  concatBytes(L('scope-key'), vid, hexb(epoch), utf8(scope), recipient);
const chainContext = (vid: Uint8Array, epoch: string, scope: Scope, prev: string): Uint8Array =>
  concatBytes(L('scope-chain'), vid, hexb(epoch), utf8(scope), hexb(prev));
const commitKeyContext = (vid: Uint8Array, epoch: string, scope: Scope, author: Uint8Array, seq: number): Uint8Array =>
  concatBytes(L('commit-key'), vid, hexb(epoch), utf8(scope), author, u64be(seq));
const bodyAd = (vid: Uint8Array, epoch: string, author: Uint8Array, seq: number): Uint8Array =>
  concatBytes(L('body'), vid, hexb(epoch), utf8('meta'), author, u64be(seq));
const valueAd = (vid: Uint8Array, oid: string, version: string, epoch: string): Uint8Array =>
  concatBytes(L('value'), vid, utf8(oid), hexb(version), utf8('value'), hexb(epoch), utf8('secrets'));
const objectIdOf = (vid: Uint8Array, collection: string, name: string): string =>
  toHex(sha256(L('object'), vid, utf8(`${collection}/${name.toLowerCase()}`))).slice(0, 32);
const dataKeyOf = (batch: Uint8Array, oid: string, version: string): Uint8Array =>
  hkdfSha256(batch, new Uint8Array(0), concatBytes(L('data-key'), utf8(oid), hexb(version)), 32);
const slotAd = (vid: Uint8Array, s: SlotJ): Uint8Array => concatBytes(L('slot'), vid, utf8(canonical({ id: s.id, kdf: s.kdf, salt: s.salt })));
function authorEphemeral(encPriv: Uint8Array, vid: Uint8Array, epoch: string, scope: Scope): { priv: Uint8Array; pub: Uint8Array } {
  const priv = hkdfSha256(encPriv, vid, concatBytes(L('author-ephemeral'), hexb(epoch), utf8(scope)), 32);
  return { priv, pub: x25519PublicKey(priv) };
}

/** §6.4: open an X25519 stanza with the recipient's key pair; null if it is not for them. */
function unwrap(priv: Uint8Array, pub: Uint8Array, s: Stanza, context: Uint8Array): { key: Uint8Array; wrapKey: Uint8Array } | null {
  const epk = fromB64u(s.epk);
  let shared: Uint8Array;
  try {
    shared = x25519(priv, epk); // refuses an all-zero result
  } catch {
    return null;
  }
  const wrapKey = hkdfSha256(shared, concatBytes(epk, pub), concatBytes(L('wrap'), context), 32);
  try {
    return { key: open(wrapKey, fromB64u(s.ct), context), wrapKey };
  } catch {
    return null;
  }
}

const ROLE_SCOPES: Record<string, readonly Scope[]> = {
  'Key Vault Administrator': SCOPES,
  'Key Vault Data Access Administrator': ['meta'],
  'Key Vault Reader': ['meta'],
  'Key Vault Secrets Officer': ['meta', 'secrets'],
  'Key Vault Secrets User': ['meta', 'secrets'],
  'Key Vault Crypto Officer': ['meta', 'keys'],
  'Key Vault Crypto User': ['meta', 'keys'],
  'Key Vault Crypto Service Encryption User': ['meta', 'keys'],
  'Key Vault Certificates Officer': ['meta', 'ca'],
  'Key Vault Certificate User': ['meta', 'secrets', 'keys'],
};
const PERMS: Record<string, string[]> = {
  'Key Vault Administrator': ['read', 'get', 'write', 'purge', 'manage'],
  'Key Vault Reader': ['read'],
  'Key Vault Secrets Officer': ['read', 'get', 'write', 'purge'],
  'Key Vault Secrets User': ['read', 'get'],
  'Key Vault Certificate User': ['read', 'get'],
};

/**
 * Reads a vault file as FORMAT.md describes, for one member (by passphrase
 * slot or by identity). Authorization (§8) is evaluated for histories whose
 * membership events are totally ordered, as in every vault read here.
 */
async function specRead(bytes: Uint8Array, unlock: { passphrase: Uint8Array } | { identity: Me }): Promise<SpecRead> {
  // §3.1 header
  const buf = Buffer.from(bytes);
  const nl0 = buf.indexOf(0x0a);
  const header = buf.subarray(0, nl0).toString('latin1');
  const hm = /^coffer-vault\/[12] ([0-9a-f]{64})$/.exec(header) ?? fail('header');
  const vaultId = hm[1]!;
  const vid = hexb(vaultId);

  // §3.2 lines, §5 ids, signatures and structure
  const commits: ReadCommit[] = [];
  const byId = new Map<string, ReadCommit>();
  const blobs = new Map<string, Uint8Array>();
  let pending: string[] = [];
  const maxSeq = new Map<string, Map<string, number>>(); // commit -> author -> max seq in ancestry (inclusive)
  const epochStarted = new Set<string>();
  let pos = nl0 + 1;
  let line = 1;
  while (pos < buf.length) {
    const nl = buf.indexOf(0x0a, pos);
    if (nl < 0) break; // §3.4 an interrupted save: ignored
    line++;
    const raw = buf.subarray(pos, nl);
    pos = nl + 1;
    if (raw.length > 16 * 1024 * 1024) fail(`line ${line} too long`);
    const tag = raw.subarray(0, 2).toString('latin1');
    if (tag === 'B ') {
      const blob = fromB64u(raw.subarray(2).toString('latin1'));
      const h = toHex(sha256(blob));
      if (blobs.has(h)) fail('duplicate blob');
      blobs.set(h, blob);
      pending.push(h);
      continue;
    }
    if (tag !== 'C ') fail(`line ${line} is neither B nor C`);
    const rest = raw.subarray(2).toString('latin1');
    const sp = rest.lastIndexOf(' ');
    const text = rest.slice(0, sp);
    const sig = fromB64u(rest.slice(sp + 1));
    if (sig.length !== 64) fail('signature length');
    const parsed: unknown = JSON.parse(text);
    if (canonical(parsed) !== text) fail(`line ${line} is not canonical JSON`);
    const p = validatePayload(parsed);
    const id = toHex(sha256(utf8(text)));
    const author = fromB64u(p.author);
    if (!ed25519Verify(author, concatBytes(L('commit'), hexb(id)), sig)) fail(`line ${line}: bad signature`);
    const genesis = p.genesis !== undefined;
    const ancestors = new Set<string>();
    if (genesis) {
      if (commits.length > 0 || id !== vaultId) fail('genesis');
      maxSeq.set(id, new Map([[p.author, 0]]));
    } else {
      if (commits.length === 0 || p.vault !== vaultId) fail('commit before genesis or other vault');
      const merged = new Map<string, number>();
      for (const par of p.parents) {
        const pc = byId.get(par) ?? fail(`missing parent ${par}`);
        ancestors.add(par);
        for (const a of pc.ancestors) ancestors.add(a);
        for (const [a, s] of maxSeq.get(par)!) if ((merged.get(a) ?? -1) < s) merged.set(a, s);
      }
      if (p.seq !== (merged.get(p.author) ?? 0) + 1) fail(`line ${line}: sequence ${p.seq}`);
      merged.set(p.author, p.seq);
      maxSeq.set(id, merged);
      if (p.newEpoch) {
        if (epochStarted.has(p.epoch!)) fail('epoch started twice');
        epochStarted.add(p.epoch!);
      } else if (!epochStarted.has(p.epoch!)) fail('unknown epoch');
    }
    const referenced = new Set(commits.flatMap((c) => c.p.blobs ?? []).concat(p.blobs ?? []));
    if (!pending.every((h) => referenced.has(h))) fail('unreferenced blob');
    pending = [];
    const c: ReadCommit = { line, id, text, p, genesis, author, ancestors };
    commits.push(c);
    byId.set(id, c);
  }
  for (const h of pending) blobs.delete(h); // §3.4 blob lines after the last commit: an interrupted save

  // §6.2 unlock: the newest slot of each author, tried newest first
  let me: Me;
  let slotKey: Uint8Array | undefined;
  if ('identity' in unlock) me = unlock.identity;
  else {
    const byAuthor = new Map<string, SlotJ[]>();
    for (const c of commits) if (c.p.slots) byAuthor.set(c.p.author, c.p.slots);
    let found: Me | undefined;
    for (const s of [...byAuthor.values()].flat().reverse()) {
      const { m, t, p } = s.kdf;
      if (m > 4 * 1024 * 1024 || t > 20 || p > 16 || t < 1 || p < 1 || m < 8 * p) fail('refused KDF parameters');
      const key = await argon2id(unlock.passphrase, fromB64u(s.salt), { memoryKiB: m, iterations: t, parallelism: p }, 32);
      let secret: Uint8Array;
      try {
        secret = open(key, fromB64u(s.ct), slotAd(vid, s));
      } catch {
        continue; // wrong passphrase for this slot
      }
      if (secret.length !== 64) fail('sealed identity length');
      const signSeed = secret.slice(0, 32);
      const encPriv = secret.slice(32);
      found = { signSeed, signPub: signingPublicKey(signSeed), encPriv, encPub: x25519PublicKey(encPriv) };
      slotKey = key;
      break;
    }
    me = found ?? fail('WrongPassphrase');
  }

  // §6.5 scope keys, §6.6 bodies
  const epochs = new Map<string, ReadCommit>();
  for (const c of commits) if (c.p.newEpoch) epochs.set(c.p.epoch!, c);
  const scopeKeys = new Map<string, { priv: Uint8Array; pub: Uint8Array } | null>();

  function decodeBody(c: ReadCommit): Body | undefined {
    if (c.genesis) return undefined;
    if (c.body) return c.body;
    const meta = scopeKey(c.p.epoch!, 'meta');
    if (!meta) return undefined;
    const u = unwrap(meta.priv, meta.pub, c.p.key!, commitKeyContext(vid, c.p.epoch!, 'meta', c.author, c.p.seq)) ?? fail(`body key of line ${c.line}`);
    if (!equalBytes(keyCommitment(u.key), fromB64u(c.p.kc!))) fail('body key commitment');
    const json = Buffer.from(unpad(open(u.key, fromB64u(c.p.body!), bodyAd(vid, c.p.epoch!, c.author, c.p.seq)))).toString('utf8');
    const body = JSON.parse(json) as Body;
    exactKeys(body, ['hlc', 'time', 'records']);
    Object.assign(c, { bodyWrapKey: toHex(u.wrapKey), bodyKey: u.key, bodyJson: json, body });
    return body;
  }

  function scopeRecord(epoch: string, scope: Scope): { pub: string; wraps: Stanza[]; chain: Stanza[] } | undefined {
    const ec = epochs.get(epoch);
    if (!ec) return undefined;
    if (scope === 'meta') return ec.p.newEpoch!.meta;
    const r = decodeBody(ec)?.records.find((x) => x.t === 'scopes');
    return (r?.scopes as Record<string, { pub: string; wraps: Stanza[]; chain: Stanza[] }> | undefined)?.[scope];
  }

  function scopeKey(epoch: string, scope: Scope): { priv: Uint8Array; pub: Uint8Array } | null {
    const k = `${epoch}/${scope}`;
    if (scopeKeys.has(k)) return scopeKeys.get(k)!;
    scopeKeys.set(k, null);
    const rec = scopeRecord(epoch, scope);
    if (!rec) return null;
    const pub = fromB64u(rec.pub);
    let priv: Uint8Array | null = null;
    for (const s of rec.wraps) {
      priv = unwrap(me.encPriv, me.encPub, s, memberWrapContext(vid, epoch, scope, me.encPub))?.key ?? null;
      if (priv) break;
    }
    if (!priv) {
      // chaining: a later epoch whose prev lists this one wraps this key at the same index of its chain
      for (const [later, lc] of epochs) {
        const i = lc.p.newEpoch!.prev.indexOf(epoch);
        if (i < 0) continue;
        const lk = scopeKey(later, scope);
        const chain = scopeRecord(later, scope)?.chain[i];
        if (!lk || !chain) continue;
        priv = unwrap(lk.priv, lk.pub, chain, chainContext(vid, later, scope, epoch))?.key ?? null;
        if (priv) break;
      }
    }
    if (priv && !equalBytes(x25519PublicKey(priv), pub)) fail(`scope key ${k} does not match its public key`);
    const r = priv ? { priv, pub } : null;
    scopeKeys.set(k, r);
    return r;
  }

  for (const c of commits) decodeBody(c);

  // §8 authorization by history (membership events totally ordered here)
  const genesisC = commits[0]!;
  const accepted = new Set<string>([genesisC.id]);
  for (const c of commits.slice(1)) {
    const body = c.body ?? fail(`line ${c.line} unreadable for this member`);
    const members = new Map<string, string[]>([[genesisC.p.author, ['Key Vault Administrator']]]);
    const anc = commits.filter((a) => c.ancestors.has(a.id) && accepted.has(a.id));
    for (const a of anc) {
      for (const r of a.body?.records ?? []) {
        if (r.t === 'member') members.set(r.sign as string, r.roles as string[]);
        if (r.t === 'remove') members.delete(r.sign as string);
      }
    }
    const roles = members.get(c.p.author) ?? fail(`line ${c.line}: author is not a member`);
    const may = (perm: string): boolean => roles.some((r) => PERMS[r]?.includes(perm));
    const isFirst = c.p.seq === 1 && c.p.author === genesisC.p.author && c.p.parents.length === 1 && c.p.parents[0] === genesisC.id;
    for (const r of body.records) {
      const need = { member: 'manage', remove: 'manage', scopes: 'manage', 'secret.purge': 'purge', settings: '' }[r.t] ?? 'write';
      if (r.t === 'settings' && !isFirst) fail('settings after the first commit');
      if (need && !may(need)) fail(`line ${c.line}: ${r.t} not permitted`);
    }
    if (c.p.newEpoch && !may('manage')) fail('epoch without manage');
    // §8.4 epoch frontier of the accepted ancestors
    const started = anc.filter((a) => a.p.newEpoch).map((a) => a.p.epoch!);
    const superseded = new Set<string>();
    const walk = (e: string): void => {
      for (const p of epochs.get(e)?.p.newEpoch?.prev ?? []) {
        if (superseded.has(p)) continue;
        superseded.add(p);
        walk(p);
      }
    };
    started.forEach(walk);
    const frontier = started.filter((e) => !superseded.has(e)).sort();
    if (c.p.newEpoch) {
      if (c.p.newEpoch.prev.join() !== frontier.join()) fail('newEpoch.prev is not the frontier');
      if (!body.records.some((r) => r.t === 'scopes')) fail('epoch without scopes');
    } else if (!frontier.includes(c.p.epoch!)) fail('stale epoch');
    const versions = body.records.filter((r) => r.t === 'secret').length;
    if (versions > 0 && body.records.filter((r) => r.t === 'batch').length !== 1) fail('batch');
    if (versions !== (c.p.blobs?.length ?? 0)) fail('blobs vs versions');
    for (const par of c.p.parents) {
      const pb = byId.get(par)!.body;
      if (pb && (body.hlc[0] < pb.hlc[0] || (body.hlc[0] === pb.hlc[0] && body.hlc[1] <= pb.hlc[1]))) fail('clock');
    }
    accepted.add(c.id);
    c.accepted = true;
  }

  // §9 fold in (hlc, commit id) order
  const order = commits.filter((c) => c.accepted).sort((a, b) => a.body!.hlc[0] - b.body!.hlc[0] || a.body!.hlc[1] - b.body!.hlc[1] || (a.id < b.id ? -1 : 1));
  const secrets = new Map<string, FoldedSecret>();
  const members = new Map<string, { name: string; roles: string[]; enc: string }>();
  let retentionDays = 90;
  for (const c of order) {
    const b = c.body!;
    for (const r of b.records) {
      const name = r.name as string;
      const o = name === undefined ? undefined : secrets.get(name.toLowerCase());
      switch (r.t) {
        case 'settings':
          retentionDays = r.retentionDays as number;
          break;
        case 'member':
          members.set(r.sign as string, { name: r.name as string, roles: r.roles as string[], enc: r.enc as string });
          break;
        case 'remove':
          members.delete(r.sign as string);
          break;
        case 'secret': {
          let s = o;
          if (!s) secrets.set(name.toLowerCase(), (s = { name, objectId: objectIdOf(vid, 'secrets', name), versions: [] }));
          if (s.versions.some((x) => x.version === r.version)) break;
          s.versions.push({
            version: r.version as string,
            enabled: r.enabled as boolean,
            encoding: r.enc as 'utf8' | 'binary',
            ...(r.contentType !== undefined ? { contentType: r.contentType as string } : {}),
            ...(r.tags !== undefined ? { tags: r.tags as Record<string, string> } : {}),
            ...(r.nbf !== undefined ? { nbf: r.nbf as number } : {}),
            ...(r.exp !== undefined ? { exp: r.exp as number } : {}),
            created: (r.created as number | undefined) ?? b.time,
            updated: (r.updated as number | undefined) ?? b.time,
            commit: c.id,
            epoch: c.p.epoch!,
            blob: c.p.blobs![r.blob as number]!,
          });
          delete s.deleted;
          break;
        }
        case 'secret.update': {
          const v = o?.versions.find((x) => x.version === r.version);
          if (!v) break;
          const set = r.set as Record<string, unknown>;
          for (const k of ['enabled', 'nbf', 'exp', 'contentType', 'tags'] as const) if (set[k] !== undefined) (v as unknown as Record<string, unknown>)[k] = set[k];
          for (const k of r.clear as ('nbf' | 'exp' | 'contentType')[]) delete v[k];
          v.updated = b.time;
          break;
        }
        case 'secret.delete':
          if (o) o.deleted = b.time;
          break;
        case 'secret.recover':
          if (o) delete o.deleted;
          break;
        case 'secret.purge':
          if (!o) break;
          o.versions = o.versions.filter((x) => !(r.versions as string[]).includes(x.version));
          if (o.versions.length === 0) secrets.delete(name.toLowerCase());
          else delete o.deleted;
          break;
      }
    }
  }

  // §6.7 values: batch key -> data key -> blob
  for (const s of secrets.values()) {
    for (const v of s.versions) {
      const c = byId.get(v.commit)!;
      const sk = scopeKey(v.epoch, 'secrets');
      if (!sk) continue; // this member's roles do not read secrets
      if (!c.batchKey) {
        const batch = c.body!.records.find((r) => r.t === 'batch') ?? fail('no batch');
        const u = unwrap(sk.priv, sk.pub, batch.key as Stanza, commitKeyContext(vid, v.epoch, 'secrets', c.author, c.p.seq)) ?? fail('batch key');
        if (!equalBytes(keyCommitment(u.key), fromB64u(batch.kc as string))) fail('batch key commitment');
        c.batchKey = u.key;
        c.batchWrapKey = toHex(u.wrapKey);
      }
      v.dataKey = dataKeyOf(c.batchKey, s.objectId, v.version);
      const blob = blobs.get(v.blob) ?? fail('missing value line');
      v.value = unpad(open(v.dataKey, blob, valueAd(vid, s.objectId, v.version, v.epoch)));
    }
  }

  return {
    vaultId,
    vid,
    commits,
    byId,
    blobs,
    me,
    ...(slotKey ? { slotKey } : {}),
    scopeKeys,
    scopeKey,
    members,
    retentionDays,
    secrets: [...secrets.values()].sort((a, b) => (a.name.toLowerCase() < b.name.toLowerCase() ? -1 : 1)),
  };
}

/** A version as reproducible.json lists it. */
function expectedShape(v: FoldedVersion): Record<string, unknown> {
  const value = v.value!;
  return {
    version: v.version,
    enabled: v.enabled,
    encoding: v.encoding,
    ...(v.contentType !== undefined ? { contentType: v.contentType } : {}),
    ...(v.tags !== undefined ? { tags: v.tags } : {}),
    ...(v.nbf !== undefined ? { nbf: v.nbf } : {}),
    ...(v.exp !== undefined ? { exp: v.exp } : {}),
    created: v.created,
    updated: v.updated,
    ...(v.encoding === 'utf8' ? { value: Buffer.from(value).toString('utf8') } : { valueBase64: Buffer.from(value).toString('base64') }),
  };
}

const identityOf = (name: 'alice' | 'bob'): Me & { signSeed: Uint8Array } => {
  const i = V.identities[name];
  return { signSeed: hexb(i.signSeed), signPub: hexb(i.signPublic), encPriv: hexb(i.encPrivate), encPub: hexb(i.encPublic) };
};

// =====================================================================

describe('reproducible vault (a): regeneration', () => {
  it('generate.ts reproduces reproducible.coffer.txt and reproducible.json byte for byte', async () => {
    const g = await generate();
    expect(Buffer.from(g.vault).equals(committedVault)).toBe(true);
    expect(g.json).toBe(readFileSync(new URL(JSON_FILE, DIR), 'utf8'));
    expect(toHex(sha256(committedVault))).toBe(V.file.sha256);
    expect(committedVault.length).toBe(V.file.bytes);
  });
});

describe('reproducible vault (b): decoded step by step from FORMAT.md', () => {
  let alice: SpecRead;
  let bob: SpecRead;
  beforeAll(async () => {
    alice = await specRead(committedVault, { passphrase: utf8(V.passphrase) });
    bob = await specRead(committedVault, { identity: identityOf('bob') });
  });

  it('§3 lines: a header, then blob lines before the commit that references them', () => {
    const lines = committedVault.toString('latin1').split('\n');
    expect(lines.pop()).toBe(''); // ends with a newline
    expect(lines.length).toBe(V.file.lines);
    expect(lines[0]).toBe(`coffer-vault/1 ${V.vaultId}`);
    expect(lines.slice(1).map((l) => l.slice(0, 2))).toEqual(['C ', 'C ', 'B ', 'B ', 'C ', 'C ', 'B ', 'B ', 'C ', 'C ']);
    expect(toB64u(utf8(V.passphrase))).toBe(toB64u(hexb(V.passphraseUtf8)));
  });

  it('§5 ids, signatures, sequence numbers and parents match', () => {
    expect(alice.vaultId).toBe(V.vaultId);
    expect(alice.commits.length).toBe(V.commits.length);
    alice.commits.forEach((c, i) => {
      const e = V.commits[i];
      expect(c.id).toBe(e.id);
      expect(c.line).toBe(e.line);
      expect(c.p.seq).toBe(e.seq);
      expect(toHex(c.author)).toBe(V.identities[e.author].signPublic);
      if (i === 0) expect(c.text).toBe(e.payload);
      else {
        expect(c.p.parents).toEqual(e.parents);
        expect(c.p.epoch).toBe(e.epoch);
        expect(!!c.p.newEpoch).toBe(e.kind === 'epoch');
      }
    });
    // the vault id is the genesis hash; genesis carries no encrypted content (deviation 1)
    expect(alice.commits[0]!.id).toBe(alice.vaultId);
    expect(Object.keys(alice.commits[0]!.p).sort()).toEqual(['author', 'genesis', 'parents', 'seq', 'v']);
  });

  it('§6.2 the passphrase slot: Argon2id key and the sealed identity', () => {
    expect(toHex(alice.slotKey!)).toBe(V.slot.argon2Key);
    const slot = alice.commits[1]!.p.slots![0]!;
    expect(slot.kdf).toEqual({ m: V.kdf.m, t: V.kdf.t, p: V.kdf.p });
    expect(slot.id).toBe(V.slot.id);
    expect(toHex(fromB64u(slot.salt))).toBe(V.slot.salt);
    expect(toHex(slotAd(alice.vid, slot))).toBe(V.slot.ad);
    expect(toHex(alice.me.signSeed!)).toBe(V.identities.alice.signSeed);
    expect(toHex(alice.me.encPriv)).toBe(V.identities.alice.encPrivate);
    expect(toHex(alice.me.encPub)).toBe(V.identities.alice.encPublic);
  });

  it('a wrong passphrase opens no slot', async () => {
    await expect(specRead(committedVault, { passphrase: utf8('wrong') })).rejects.toThrow('WrongPassphrase');
  });

  it('§6.5 scope private keys per epoch: alice reads every scope, bob meta and secrets (E1 by chaining)', () => {
    for (const e of V.epochs) {
      for (const scope of SCOPES) {
        const exp = e.scopes[scope];
        expect(toHex(alice.scopeKey(e.id, scope)!.priv)).toBe(exp.private);
        expect(toHex(alice.scopeKey(e.id, scope)!.pub)).toBe(exp.public);
        const bk = bob.scopeKey(e.id, scope);
        if (ROLE_SCOPES['Key Vault Secrets Officer']!.includes(scope)) expect(toHex(bk!.priv)).toBe(exp.private);
        else expect(bk).toBeNull();
      }
    }
    // bob has no wrap of his own in E1: his E1 keys come through E2's chain
    const e1 = V.epochs[0];
    expect(e1.scopes.meta.readers).toEqual(['alice']);
    expect(Object.keys(V.epochs[1].scopes.secrets.chainWrapKeys)).toEqual([e1.id]);
  });

  it('V3: bob, with the file and his identity, opens no stanza of a scope his role does not read', () => {
    const bobId = identityOf('bob');
    let opened = 0;
    for (const c of alice.commits) {
      const rec = c.body?.records.find((r) => r.t === 'scopes');
      if (!rec) continue;
      for (const scope of ['keys', 'certificates', 'ca'] as const) {
        const sk = (rec.scopes as Record<string, { wraps: Stanza[] }>)[scope]!;
        for (const s of sk.wraps) {
          for (const sc of SCOPES) if (unwrap(bobId.encPriv, bobId.encPub, s, memberWrapContext(alice.vid, c.p.epoch!, sc, bobId.encPub))) opened++;
        }
      }
    }
    expect(opened).toBe(0);
  });

  it('§6.6 author ephemerals are derived from the author identity per (vault, epoch, scope) and used for commit keys', () => {
    for (const e of V.authorEphemerals) {
      const id = identityOf(e.author);
      const eph = authorEphemeral(id.encPriv, alice.vid, e.epoch, e.scope);
      expect(toHex(eph.priv)).toBe(e.private);
      expect(toHex(eph.pub)).toBe(e.public);
    }
    for (const c of alice.commits.slice(1)) {
      const who = V.commits.find((x: { id: string }) => x.id === c.id).author as 'alice' | 'bob';
      const eph = authorEphemeral(identityOf(who).encPriv, alice.vid, c.p.epoch!, 'meta');
      expect(c.p.key!.epk).toBe(toB64u(eph.pub));
    }
  });

  it('§6.6 body keys, wrap keys, commitments and the decrypted bodies', () => {
    alice.commits.slice(1).forEach((c, i) => {
      const e = V.commits[i + 1];
      expect(toHex(c.bodyKey!)).toBe(e.bodyKey);
      expect(toHex(keyCommitment(c.bodyKey!))).toBe(e.bodyKeyCommitment);
      expect(c.bodyWrapKey).toBe(e.bodyWrapKey);
      expect(c.bodyJson).toBe(e.bodyJson);
      // Padmé: the sealed body is nonce ‖ padded plaintext ‖ tag
      expect(fromB64u(c.p.body!).length).toBe(24 + e.bodyPaddedLength + 16);
      // bob decrypts the same bodies (E1 via chaining)
      expect(bob.byId.get(c.id)!.bodyJson).toBe(e.bodyJson);
    });
  });

  it('§6.7 batch keys, derived data keys, value blobs', () => {
    for (const e of V.commits.filter((x: { batchKey?: string }) => x.batchKey)) {
      const c = alice.byId.get(e.id)!;
      expect(toHex(c.batchKey!)).toBe(e.batchKey);
      expect(c.batchWrapKey).toBe(e.batchWrapKey);
      expect(c.p.blobs).toEqual(e.values.map((v: { blobHash: string }) => v.blobHash));
      for (const v of e.values) {
        expect(objectIdOf(alice.vid, 'secrets', v.name)).toBe(v.objectId);
        expect(toHex(dataKeyOf(c.batchKey!, v.objectId, v.version))).toBe(v.dataKey);
        expect(alice.blobs.get(v.blobHash)!.length).toBe(v.blobLength);
        expect(v.blobLength).toBe(24 + v.paddedLength + 16);
      }
    }
  });

  it('§9 the folded state: exactly the expected secrets, versions, attributes and values', () => {
    for (const r of [alice, bob]) {
      expect(r.retentionDays).toBe(V.retentionDays);
      expect(r.secrets.map((s) => ({ name: s.name, objectId: s.objectId, versions: s.versions.map(expectedShape) }))).toEqual(V.secrets);
    }
    expect([...alice.members.values()].map((m) => [m.name, m.roles])).toEqual([
      ['alice', ['Key Vault Administrator']],
      ['bob', ['Key Vault Secrets Officer']],
    ]);
  });
});

describe('reproducible vault (c): the engine opens it', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'coffer-reproducible-'));
    await copyFile(new URL(VAULT_FILE, DIR), join(dir, 'reproducible.coffer'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  async function checkListing(v: Awaited<ReturnType<typeof openVault>>): Promise<void> {
    const list = v.secrets.list();
    expect(list.map((i) => i.id)).toEqual(V.secrets.map((s: { name: string }) => `coffer://${V.vaultId32}/secrets/${s.name}`));
    for (const s of V.secrets) {
      const versions = v.secrets.listVersions(s.name);
      expect(versions.map((x) => x.id.split('/').pop())).toEqual(s.versions.map((x: { version: string }) => x.version));
      for (const e of s.versions) {
        const b = await v.secrets.get(s.name, e.version);
        expect(b.id).toBe(`coffer://${V.vaultId32}/secrets/${s.name}/${e.version}`);
        expect(b.value).toBe(e.encoding === 'utf8' ? e.value : e.valueBase64);
        expect(b.contentType).toBe(e.contentType);
        expect(b.tags).toEqual(e.tags);
        const { enabled, nbf, exp, created, updated, recoverableDays } = b.attributes;
        expect({ enabled, nbf, exp, created, updated }).toEqual({ enabled: e.enabled, nbf: e.nbf, exp: e.exp, created: e.created, updated: e.updated });
        expect(recoverableDays).toBe(V.retentionDays);
        const raw = await v.secrets.getValue(s.name, e.version);
        expect(Buffer.from(raw).equals(e.encoding === 'utf8' ? Buffer.from(e.value, 'utf8') : Buffer.from(e.valueBase64, 'base64'))).toBe(true);
      }
    }
  }

  it('vault check: structure and every signature verify', async () => {
    const r = await checkVaultFile(join(dir, 'reproducible.coffer'));
    expect(r).toMatchObject({ ok: true, vaultId: V.vaultId32, commits: V.commits.length, problems: [], interruptedSave: false });
  });

  it('alice, with the passphrase: every secret, version, attribute and value', async () => {
    const profileDir = join(dir, 'profile-alice');
    const v = await openVault({ path: join(dir, 'reproducible.coffer'), profileDir, passphrase: utf8(V.passphrase) });
    try {
      const info = v.info();
      expect(info).toMatchObject({ id: V.vaultId32, formatVersion: 1, retentionDays: V.retentionDays, roles: ['Key Vault Administrator'], rejectedCommits: [] });
      expect(info.kdf).toEqual({ memoryKiB: V.kdf.m, iterations: V.kdf.t, parallelism: V.kdf.p });
      expect(info.counts).toEqual({ secrets: 3, secretVersions: 4, deletedSecrets: 0, keys: 0, keyVersions: 0, deletedKeys: 0, commits: 6, members: 2 });
      expect(v.members.list().map((m) => [m.name, m.roles, m.signPub, m.encPub]).sort()).toEqual([
        ['alice', ['Key Vault Administrator'], V.identities.alice.signPublicB64u, V.identities.alice.encPublicB64u],
        ['bob', ['Key Vault Secrets Officer'], V.identities.bob.signPublicB64u, V.identities.bob.encPublicB64u],
      ]);
      await checkListing(v);
    } finally {
      v.close();
      await v.settled();
    }
    // §12.1 the verified-state cache: commit ids, HMAC-chained under a key derived from the identity
    const a = V.identities.alice;
    const text = await readFile(join(profileDir, 'cache', `${V.vaultId32}-${a.signPublic.slice(0, 16)}.verified`), 'utf8');
    const key = hkdfSha256(hexb(a.encPrivate), hexb(V.vaultId), utf8('coffer/v1 verified-cache\0'), 32);
    let prev = '';
    const ids: string[] = [];
    for (const l of text.split('\n').filter(Boolean)) {
      const [list, mac] = l.split(' ');
      expect(mac).toBe(createHmac('sha256', key).update(prev).update(list!).digest('hex'));
      ids.push(...list!.split(','));
      prev = mac!;
    }
    // Each entry is "<id>.<first 32 hex of SHA-256(signature)>".
    const lines = (await readFile(join(dir, 'reproducible.coffer'), 'utf8')).split('\n').filter((l) => l.startsWith('C '));
    const expected = lines.map((l) => {
      const payload = l.slice(2, l.lastIndexOf(' '));
      const sig = fromB64u(l.slice(l.lastIndexOf(' ') + 1));
      return `${toHex(sha256(utf8(payload)))}.${toHex(sha256(sig)).slice(0, 32)}`;
    });
    expect(ids.sort()).toEqual(expected.sort());
    expect(ids.map((e) => e.slice(0, 64)).sort()).toEqual(V.commits.map((c: { id: string }) => c.id).sort());
  });

  it('bob, with his identity (no slot of his own): the same listing, E1 values through chaining', async () => {
    const v = await openVault({ path: join(dir, 'reproducible.coffer'), profileDir: join(dir, 'profile-bob'), passphrase: new Uint8Array(0), identity: identityOf('bob') });
    try {
      expect(v.info().roles).toEqual(['Key Vault Secrets Officer']);
      await checkListing(v);
    } finally {
      v.close();
      await v.settled();
    }
  });
});

describe('reproducible vault (d): the FORMAT.md reader reads what the engine writes', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'coffer-format-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('an engine vault with two epochs, versions, an update, a delete and a backup', async () => {
    const path = join(dir, 'engine.coffer');
    const profileDir = join(dir, 'profile');
    await mkdir(profileDir, { recursive: true });
    const passphrase = utf8('engine passphrase');
    const v = await createVault({ path, profileDir, passphrase, kdf: { memoryKiB: 8192, iterations: 1, parallelism: 1 }, retentionDays: 7, onWarning: () => undefined });
    const bobId = createIdentity();
    const bob: Me = { signPub: bobId.signPub.slice(), encPriv: bobId.encPriv.slice(), encPub: bobId.encPub.slice() };
    let backup: Uint8Array;
    try {
      await v.secrets.set({ name: 'Alpha', value: utf8('one') });
      await v.secrets.set({ name: 'bin', value: new Uint8Array([0xff, 0x00, 0x01]) });
      await v.members.add({ signPub: bobId.signPub, encPub: bobId.encPub, name: 'bob' }, ['Key Vault Secrets User']);
      await v.secrets.set({ name: 'alpha', value: utf8('two'), tags: { k: 'v' } });
      await v.secrets.update('Alpha', undefined, { contentType: 'text/plain' });
      await v.secrets.delete('bin');
      backup = await v.secrets.backup('Alpha');
    } finally {
      v.close();
      await v.settled();
    }
    const bytes = await readFile(path);

    for (const unlock of [{ passphrase }, { identity: bob }] as const) {
      const r = await specRead(bytes, unlock);
      expect(r.retentionDays).toBe(7);
      expect(r.secrets.map((s) => [s.name, s.deleted !== undefined, s.versions.map((x) => [Buffer.from(x.value!).toString('hex'), x.encoding, x.tags, x.contentType])])).toEqual([
        ['Alpha', false, [[Buffer.from('one').toString('hex'), 'utf8', undefined, undefined], [Buffer.from('two').toString('hex'), 'utf8', { k: 'v' }, 'text/plain']]],
        ['bin', true, [['ff0001', 'binary', undefined, 'application/octet-stream']]],
      ]);
      expect(new Set(r.commits.filter((c) => c.p.newEpoch).map((c) => c.p.epoch)).size).toBe(2);
      // the engine's commit keys use the author ephemeral of §6.6
      if ('passphrase' in unlock) {
        for (const c of r.commits.slice(1)) expect(c.p.key!.epk).toBe(toB64u(authorEphemeral(r.me.encPriv, r.vid, c.p.epoch!, 'meta').pub));
      }
    }

    // §11 the backup file, decoded with the secrets scope key of its epoch
    const r = await specRead(bytes, { passphrase });
    const text = Buffer.from(backup).toString('utf8');
    expect(text.startsWith('coffer-backup/1 ') && text.endsWith('\n')).toBe(true);
    const env = JSON.parse(text.slice('coffer-backup/1 '.length)) as { vault: string; epoch: string; key: Stanza; kc: string; data: string };
    expect(Object.keys(env)).toEqual(['vault', 'epoch', 'key', 'kc', 'data']);
    expect(env.vault).toBe(r.vaultId);
    const sk = r.scopeKey(env.epoch, 'secrets')!;
    const ctx = concatBytes(L('backup'), r.vid, hexb(env.epoch));
    const u = unwrap(sk.priv, sk.pub, env.key, ctx)!;
    // FORMAT.md §11: kc commits the backup key; restore checks it.
    expect(env.kc).toBe(toB64u(keyCommitment(u.key)));
    const data = JSON.parse(Buffer.from(unpad(open(u.key, fromB64u(env.data), ctx))).toString('utf8')) as { kind: string; name: string; versions: { value: string }[] };
    expect(data.kind).toBe('secret');
    expect(data.name).toBe('Alpha');
    expect(data.versions.map((x) => Buffer.from(x.value, 'base64').toString('utf8'))).toEqual(['one', 'two']);
  });
});
