/**
 * V3/V5 attacker: reads a vault file with raw cryptography only (crypto/
 * primitives, the context and unwrap helpers of format/keys.ts, and the
 * associated-data builders bodyAd/valueAd/objectId; never VaultCore or the
 * vault API) and tries to decrypt everything it can. Passphrase slots are
 * out of its reach (it has no passphrase).
 *
 * Starting from the X25519 keys it holds (a member identity), it repeats until
 * nothing new is found:
 * - every stanza (clear: commit body keys, meta wraps and chains; and inside
 *   every body it managed to open: scope wraps and chains, value batch keys)
 *   × every private key held or recovered × the contexts it can build from
 *   the file. The identity key it holds is tried in every context family:
 *   member wraps (every epoch × scope × recipient it knows: itself and every
 *   member's key), chains (every epoch × scope × previous epoch), commit keys
 *   (every epoch × scope, with the stanza's commit author and sequence),
 *   granted data keys (every version seen × every member's key),
 *   backups (every epoch) and the empty context. A recovered key is tried in
 *   its stanza's family over every epoch, scope and previous epoch (every
 *   family with every recovered key too triples the CPU time of the V3 and V5
 *   suites, for stanzas whose place in the file already says what they carry);
 * - every commit body × every symmetric key recovered × the body AD of every
 *   epoch;
 * - every value blob × every recovered key, used directly and as the batch key
 *   of every (object, version) the attacker has seen, × the value AD of every
 *   epoch.
 * A recovered 32-byte key is used as a private key too when it opened under a
 * member or chain context (that is what such stanzas carry) or its public half
 * appears anywhere the attacker can see.
 *
 * Every successful decryption is kept, so a test can search the outputs for
 * canary values.
 */
import { SCOPES, type Scope } from '../../../../electron/vault/access/roles.js';
import { bodyAd, objectId, valueAd } from '../../../../electron/vault/core.js';
import { chainContext, commitKeyContext, deriveDataKey, grantKeyContext, label, memberWrapContext, SharedSecretCache, unwrapCommitKey } from '../../../../electron/vault/format/keys.js';
import { concatBytes, fromB64u, open, toB64u, unpad, x25519PublicKey } from '../../../../electron/vault/crypto/index.js';
import { parseVaultLines } from '../../../helpers/vault.js';

export interface X25519Pair {
  priv: Uint8Array;
  pub: Uint8Array;
}

type Family = 'member' | 'chain' | 'commit' | 'grant' | 'backup' | 'empty';

interface Pair {
  author: Uint8Array;
  seq: number;
}

interface StanzaRef {
  epk: string;
  ct: string;
  where: string;
  /** What the stanza's place in the file says it carries: a key for members, a chained older key, a commit key, a granted data key. */
  family: 'member' | 'chain' | 'commit' | 'grant';
  /** Author and sequence number of the commit that holds it. */
  pair: Pair;
}

export interface AttackResult {
  /** Every plaintext obtained (unwrapped keys, bodies, values). */
  plaintexts: Uint8Array[];
  /** Commit id → decrypted body (JSON). */
  bodies: Map<string, unknown>;
  /** Blob hash → decrypted (padded) value. */
  values: Map<string, Uint8Array>;
  /** Stanzas seen, and those opened (by where they were found). */
  stanzas: number;
  opened: string[];
  /** Private keys held at the end (own + recovered). */
  privateKeys: number;
  tries: number;
}

/** The records that write a value, with the collection of their object id and the scope that seals it (FORMAT.md §6.7). */
const VALUE_RECORDS: Record<string, { collection: string; scope: Scope }> = {
  secret: { collection: 'secrets', scope: 'secrets' },
  key: { collection: 'keys', scope: 'keys' },
  ca: { collection: 'cas', scope: 'ca' },
  'certificate.pending': { collection: 'certificates', scope: 'ca' },
};

const isObj = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

export function rawAttack(fileBytes: Uint8Array, held: X25519Pair[]): AttackResult {
  const file = parseVaultLines(fileBytes);
  const vid = new Uint8Array(Buffer.from(file.vaultId, 'hex'));
  const commits = file.commits.filter((c) => !('genesis' in c.payload));
  const epochs = [...new Set(commits.map((c) => String(c.payload.epoch)))];
  const cache = new SharedSecretCache();
  let tries = 0;

  const result: AttackResult = { plaintexts: [], bodies: new Map(), values: new Map(), stanzas: 0, opened: [], privateKeys: 0, tries: 0 };

  // ---- material
  const stanzas: StanzaRef[] = [];
  const stanzaSeen = new Set<string>();
  const addStanza = (s: unknown, where: string, family: StanzaRef['family'], pair: Pair): void => {
    if (!isObj(s) || typeof s.epk !== 'string' || typeof s.ct !== 'string') return;
    const k = `${s.epk}.${s.ct}`;
    if (stanzaSeen.has(k)) return;
    stanzaSeen.add(k);
    stanzas.push({ epk: s.epk, ct: s.ct, where, family, pair });
  };
  const knownPubs = new Set<string>();
  const memberEncs = new Set<string>();
  const privs = new Map<string, X25519Pair & { own: boolean }>();
  const symKeys = new Map<string, Uint8Array>();
  const versions = new Map<string, { oid: string; version: string; scope: string }>();
  const addPriv = (priv: Uint8Array): void => {
    let pub: Uint8Array;
    try {
      pub = x25519PublicKey(priv);
    } catch {
      return;
    }
    const k = toB64u(pub);
    if (!privs.has(k)) privs.set(k, { priv, pub, own: false });
  };
  for (const h of held) {
    privs.set(toB64u(h.pub), { priv: h.priv, pub: h.pub, own: true });
    symKeys.set(toB64u(h.priv), h.priv);
    knownPubs.add(toB64u(h.pub));
  }

  const pairOf = (c: (typeof commits)[number]): Pair => ({ author: fromB64u(String(c.payload.author)), seq: Number(c.payload.seq) });
  for (const c of commits) {
    const p = c.payload;
    const where = `commit ${c.id.slice(0, 8)}`;
    addStanza(p.key, `${where} body key`, 'commit', pairOf(c));
    if (isObj(p.newEpoch) && isObj(p.newEpoch.meta)) {
      const m = p.newEpoch.meta;
      if (typeof m.pub === 'string') knownPubs.add(m.pub);
      (m.wraps as unknown[]).forEach((s, i) => addStanza(s, `${where} meta wrap ${i}`, 'member', pairOf(c)));
      (m.chain as unknown[]).forEach((s, i) => addStanza(s, `${where} meta chain ${i}`, 'chain', pairOf(c)));
    }
  }

  // ---- contexts
  const hexBytes = (h: string): Uint8Array => new Uint8Array(Buffer.from(h, 'hex'));
  const memberCtx = new Map<string, Uint8Array[]>();
  const memberContexts = (recipient: string): Uint8Array[] => {
    let l = memberCtx.get(recipient);
    if (!l) {
      l = [];
      for (const e of epochs) for (const s of SCOPES as readonly Scope[]) l.push(memberWrapContext(vid, e, s, fromB64u(recipient)));
      memberCtx.set(recipient, l);
    }
    return l;
  };
  const chainContexts: Uint8Array[] = [];
  for (const e of epochs) for (const s of SCOPES as readonly Scope[]) for (const prev of epochs) chainContexts.push(chainContext(vid, e, s, prev));
  const commitCtx = new Map<string, Uint8Array[]>();
  const commitContexts = (pair: Pair): Uint8Array[] => {
    const k = `${toB64u(pair.author)}/${pair.seq}`;
    let l = commitCtx.get(k);
    if (!l) {
      l = [];
      for (const e of epochs) for (const s of SCOPES as readonly Scope[]) l.push(commitKeyContext(vid, e, s, pair.author, pair.seq));
      commitCtx.set(k, l);
    }
    return l;
  };
  // A granted data key (FORMAT.md §6.10): every version seen × the recipient; rebuilt as versions are found.
  const grantCtx = new Map<string, { size: number; list: Uint8Array[] }>();
  const grantContexts = (recipient: string): Uint8Array[] => {
    let l = grantCtx.get(recipient);
    if (!l || l.size !== versions.size) {
      l = { size: versions.size, list: [...versions.values()].map((v) => grantKeyContext(vid, v.oid, v.version, fromB64u(recipient))) };
      grantCtx.set(recipient, l);
    }
    return l.list;
  };
  const otherContexts: Uint8Array[] = [...epochs.map((e) => concatBytes(label('backup'), vid, hexBytes(e))), new Uint8Array(0)];
  /**
   * A held identity key is tried in every family; a recovered key in its
   * stanza's family, over every epoch, scope and (for chains) previous epoch.
   */
  const contextsFor = (s: StanzaRef, key: X25519Pair & { own: boolean }): { family: Family; ctx: Uint8Array }[] => {
    const out: { family: Family; ctx: Uint8Array }[] = [];
    const add = (family: Family, l: Uint8Array[]): void => {
      for (const ctx of l) out.push({ family, ctx });
    };
    if (key.own || s.family === 'member') {
      add('member', memberContexts(toB64u(key.pub)));
      if (key.own) for (const r of memberEncs) if (r !== toB64u(key.pub)) add('member', memberContexts(r));
    }
    if (key.own || s.family === 'chain') add('chain', chainContexts);
    if (key.own || s.family === 'commit') add('commit', commitContexts(s.pair));
    if (key.own || s.family === 'grant') {
      add('grant', grantContexts(toB64u(key.pub)));
      if (key.own) for (const r of memberEncs) if (r !== toB64u(key.pub)) add('grant', grantContexts(r));
    }
    if (key.own) add('backup', otherContexts);
    return out;
  };

  const ctxKey = (c: Uint8Array): string => Buffer.from(c).toString('base64');

  // ---- body handling
  const walkBody = (body: unknown, commitId: string, pair: Pair): void => {
    if (!isObj(body) || !Array.isArray(body.records)) return;
    for (const r of body.records as unknown[]) {
      if (!isObj(r)) continue;
      if (r.t === 'member' && typeof r.enc === 'string') {
        memberEncs.add(r.enc);
        knownPubs.add(r.enc);
      }
      if (r.t === 'scopes' && isObj(r.scopes)) {
        for (const [scope, sk] of Object.entries(r.scopes)) {
          if (!isObj(sk)) continue;
          if (typeof sk.pub === 'string') knownPubs.add(sk.pub);
          (sk.wraps as unknown[]).forEach((s, i) => addStanza(s, `commit ${commitId.slice(0, 8)} ${scope} wrap ${i}`, 'member', pair));
          (sk.chain as unknown[]).forEach((s, i) => addStanza(s, `commit ${commitId.slice(0, 8)} ${scope} chain ${i}`, 'chain', pair));
        }
      }
      if (r.t === 'batch') addStanza(r.key, `commit ${commitId.slice(0, 8)} batch key`, 'commit', pair);
      if (r.t === 'grant' && Array.isArray(r.keys)) r.keys.forEach((k, i) => isObj(k) && addStanza(k.key, `commit ${commitId.slice(0, 8)} grant key ${i}`, 'grant', pair));
      if (r.t === 'grant.key') addStanza(r.key, `commit ${commitId.slice(0, 8)} grant key`, 'grant', pair);
      // Every record that writes a value (FORMAT.md §6.7): its object id and the scope it is sealed under.
      const valueOf = VALUE_RECORDS[String(r.t)];
      if (valueOf && typeof r.name === 'string' && typeof r.version === 'string') {
        const oid = objectId(vid, valueOf.collection, r.name);
        versions.set(`${oid}/${r.version}`, { oid, version: r.version, scope: valueOf.scope });
      }
    }
  };

  const triedUnwrap = new Set<string>();
  const triedBody = new Set<string>();
  const triedBlob = new Set<string>();

  for (let round = 0; round < 50; round++) {
    let progress = false;

    // 1. every stanza × every private key × every context
    for (const [ki, key] of privs) {
      for (let si = 0; si < stanzas.length; si++) {
        const s = stanzas[si]!;
        for (const { family, ctx } of contextsFor(s, key)) {
          const t = `${ki}|${si}|${ctxKey(ctx)}`;
          if (triedUnwrap.has(t)) continue;
          triedUnwrap.add(t);
          tries++;
          let out: Uint8Array | null;
          try {
            out = unwrapCommitKey(key.priv, key.pub, { epk: s.epk, ct: s.ct }, ctx, cache);
          } catch {
            out = null; // a malformed stanza (e.g. a low-order ephemeral)
          }
          if (!out) continue;
          result.plaintexts.push(out);
          result.opened.push(`${s.where} (${family})`);
          progress = true;
          if (out.length === 32) {
            symKeys.set(toB64u(out), out);
            if (family === 'member' || family === 'chain') addPriv(out);
          }
        }
      }
    }
    // Any recovered key whose public half the attacker has seen is a private key too.
    for (const k of symKeys.values()) {
      try {
        const pub = toB64u(x25519PublicKey(k));
        if (knownPubs.has(pub) && !privs.has(pub)) {
          addPriv(k);
          progress = true;
        }
      } catch {
        /* not a usable X25519 scalar */
      }
    }

    // 2. every body × every symmetric key × the body AD of every epoch
    for (const c of commits) {
      if (result.bodies.has(c.id)) continue;
      const sealed = fromB64u(String(c.payload.body));
      const author = fromB64u(String(c.payload.author));
      const seq = Number(c.payload.seq);
      outer: for (const [kk, k] of symKeys) {
        for (const e of epochs) {
          const t = `${kk}|${c.id}|${e}`;
          if (triedBody.has(t)) continue;
          triedBody.add(t);
          tries++;
          let plain: Uint8Array;
          try {
            plain = open(k, sealed, bodyAd(vid, e, author, seq));
          } catch {
            continue;
          }
          result.plaintexts.push(plain);
          progress = true;
          try {
            const body = JSON.parse(Buffer.from(unpad(plain)).toString('utf8')) as unknown;
            result.bodies.set(c.id, body);
            walkBody(body, c.id, { author, seq });
          } catch {
            /* keep the raw plaintext */
          }
          break outer;
        }
      }
    }

    // 3. every blob × every key (direct, and as a batch key for every known version) × the value AD of every epoch
    for (const b of file.blobs) {
      if (result.values.has(b.hash)) continue;
      outer: for (const [kk, k] of symKeys) {
        for (const { oid, version, scope } of versions.values()) {
          const t = `${kk}|${b.hash}|${oid}/${version}`;
          if (triedBlob.has(t)) continue;
          triedBlob.add(t);
          const candidates = [k, deriveDataKey(k, oid, version)];
          for (const key of candidates) {
            for (const e of epochs) {
              tries++;
              let plain: Uint8Array;
              try {
                plain = open(key, b.bytes, valueAd(vid, oid, version, e, scope));
              } catch {
                continue;
              }
              result.plaintexts.push(plain);
              result.values.set(b.hash, plain);
              progress = true;
              break outer;
            }
          }
        }
      }
    }
    if (!progress) break;
  }
  cache.wipe();
  result.stanzas = stanzas.length;
  result.privateKeys = privs.size;
  result.tries = tries;
  return result;
}

/** The canaries (strings) found in any plaintext of an attack. */
export function recoveredCanaries(r: AttackResult, canaries: string[]): string[] {
  const texts = r.plaintexts.map((p) => Buffer.from(p).toString('latin1'));
  return canaries.filter((c) => texts.some((t) => t.includes(Buffer.from(c, 'utf8').toString('latin1'))));
}
