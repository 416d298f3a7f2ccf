/**
 * The unlocked vault in memory: a verified commit graph, the keys this member
 * can reach, the commits accepted by history-based authorization, and the
 * state folded from their records. FORMAT.md §6–§9 describe each step.
 *
 *   graph (format/graph.ts)  →  bodies decrypted with meta(epoch)
 *     →  authorization by ancestors (C5)  →  fold in (hlc, commit id) order
 */
import type { RoleName } from '../../shared/keyvault.js';
import { ROLE_NAMES } from '../../shared/keyvault.js';
import { checkCommitment, concatBytes, equalBytes, fromB64u, keyCommitment, sha256, toB64u, toHex, u64be, unpad, utf8, wipe, x25519PublicKey } from './crypto/index.js';
import { isDecryptionFailed } from './crypto/index.js';
import { CofferError, corrupted } from './errors.js';
import { canonicalJson, isGenesis, type CommitPayload, type Stanza } from './format/codec.js';
import type { Graph, GraphCommit } from './format/graph.js';
import {
  chainContext,
  commitKeyContext,
  deriveDataKey,
  label,
  memberWrapContext,
  open,
  SharedSecretCache,
  unwrapCommitKey,
  unwrapStanza,
} from './format/keys.js';
import { compareHlc, validateBody, type Body, type Hlc, type ScopeKeysJson, type SecretVersionRecord, type VaultRecord } from './format/records.js';
import type { MemberIdentity } from './access/identity.js';
import { permits, ROLE_SCOPES, type Permission, type Scope } from './access/roles.js';
import type { SecretVersionState } from './secrets/model.js';
import { nameKey } from './secrets/rules.js';

export interface EpochInfo {
  id: string;
  commitId: string;
  prev: string[];
  metaPub: Uint8Array;
  metaWraps: Stanza[];
  metaChain: Stanza[];
  /** Transitive predecessors. */
  ancestors: Set<string>;
}

export interface DecodedCommit {
  c: GraphCommit;
  p: CommitPayload;
  body: Body | null;
  /** Why the body could not be read or was rejected. */
  problem?: string;
}

export interface MemberState {
  sign: string;
  enc: string;
  name: string;
  roles: RoleName[];
}

export interface SecretVersion {
  state: SecretVersionState;
  commitId: string;
  epoch: string;
  blob: string;
  /** Fold key of the last attribute change. */
  clock: Hlc;
}

export interface SecretObject {
  key: string;
  name: string;
  versions: Map<string, SecretVersion>;
  /** Version ids in creation order (fold order). */
  order: string[];
  deleted?: { date: number };
}

/** The newest version of a secret (Key Vault's "latest": the last one created). */
export function latestVersion(o: SecretObject): SecretVersion {
  return o.versions.get(o.order[o.order.length - 1]!)!;
}

export interface Rejection {
  id: string;
  reason: string;
}

export const GENESIS_ADMIN: RoleName = 'Key Vault Administrator';

export function objectId(vaultId: Uint8Array, collection: string, name: string): string {
  return toHex(sha256(label('object'), vaultId, utf8(`${collection}/${nameKey(name)}`))).slice(0, 32);
}

export function bodyAd(vaultId: Uint8Array, epoch: string, author: Uint8Array, seq: number): Uint8Array {
  return concatBytes(label('body'), vaultId, Buffer.from(epoch, 'hex'), utf8('meta'), author, u64be(seq));
}

export function valueAd(vaultId: Uint8Array, objId: string, version: string, epoch: string): Uint8Array {
  return concatBytes(label('value'), vaultId, utf8(objId), Buffer.from(version, 'hex'), utf8('value'), Buffer.from(epoch, 'hex'), utf8('secrets'));
}

/**
 * Everything derived from a graph for one member. Rebuilt when the file
 * changes underneath; extended incrementally by this member's own writes.
 */
export class VaultCore {
  readonly vaultId: string;
  readonly vaultIdBytes: Uint8Array;
  readonly epochs = new Map<string, EpochInfo>();
  readonly decoded = new Map<string, DecodedCommit>();
  readonly accepted = new Set<string>();
  readonly rejected: Rejection[] = [];
  readonly unreadable: Rejection[] = [];
  /** Scope private keys this member reached, by `${epoch}/${scope}`. */
  private readonly scopeKeys = new Map<string, { priv: Uint8Array; pub: Uint8Array } | null>();
  private readonly batchKeys = new Map<string, Uint8Array>();
  readonly shared = new SharedSecretCache();
  /** Membership-event commit ids in each accepted commit's ancestry (inclusive), shared by reference. */
  private readonly memberEvents = new Map<string, readonly string[]>();
  private readonly membershipCache = new WeakMap<readonly string[], Map<string, MemberState>>();
  /** Latest epochs (not superseded) in each commit's ancestry, inclusive. */
  private readonly epochFrontier = new Map<string, readonly string[]>();
  retentionDays = 90;
  created = 0;
  secrets = new Map<string, SecretObject>();
  /**
   * Deleted secrets whose retention has ended (Key Vault purges them at
   * scheduledPurgeDate, D-sd): gone from every view; the next write by a member
   * allowed to purge records their purge.
   */
  expiredDeleted = new Map<string, SecretObject>();
  purgedBlobs = new Set<string>();
  maxHlc: Hlc = [0, 0];
  /** Highest sequence number per author over the whole graph. */
  readonly lastSeq = new Map<string, number>();

  constructor(
    readonly graph: Graph,
    readonly me: MemberIdentity,
  ) {
    this.vaultId = graph.vaultId;
    this.vaultIdBytes = Buffer.from(graph.vaultId, 'hex');
  }

  get myKey(): string {
    return toB64u(this.me.signPub);
  }

  /** Runs every step over the whole graph. */
  build(previous?: VaultCore): void {
    for (const c of this.graph.commits) this.registerCommit(c, previous);
    this.authorizeAll();
    this.fold();
  }

  // ---------------------------------------------------------------- keys

  private registerCommit(c: GraphCommit, previous?: VaultCore): void {
    const prevSeq = this.lastSeq.get(c.author) ?? -1;
    if (c.seq > prevSeq) this.lastSeq.set(c.author, c.seq);
    if (isGenesis(c.payload)) return;
    const p = c.payload;
    if (p.newEpoch) {
      const ancestors = new Set<string>();
      for (const pr of p.newEpoch.prev) {
        ancestors.add(pr);
        for (const a of this.epochs.get(pr)?.ancestors ?? []) ancestors.add(a);
      }
      this.epochs.set(p.epoch, {
        id: p.epoch,
        commitId: c.id,
        prev: p.newEpoch.prev,
        metaPub: fromB64u(p.newEpoch.meta.pub),
        metaWraps: p.newEpoch.meta.wraps,
        metaChain: p.newEpoch.meta.chain,
        ancestors,
      });
    }
    const old = previous?.decoded.get(c.id);
    this.decoded.set(c.id, old ? { ...old } : { c, p, body: null });
  }

  /** Bodies this member decrypted and validated before (profile cache, cache/body-cache.ts). */
  cachedBodies: Map<string, string> | undefined;
  /** Bodies decrypted during this build that the cache lacks: [commit id, canonical JSON]. */
  readonly newBodies: [string, string][] = [];

  private decodeBody(d: DecodedCommit): void {
    if (d.body || d.problem) return;
    const { p } = d;
    const cached = this.cachedBodies?.get(d.c.id);
    if (cached !== undefined) {
      // Sealed under this member's identity, stored only after it decrypted and validated.
      d.body = JSON.parse(cached) as Body;
      return;
    }
    const meta = this.scopeKey(p.epoch, 'meta');
    if (!meta) {
      d.problem = 'this member cannot read the epoch it was written under';
      return;
    }
    const author = fromB64u(p.author);
    const key = unwrapCommitKey(meta.priv, meta.pub, p.key, commitKeyContext(this.vaultIdBytes, p.epoch, 'meta', author, p.seq), this.shared);
    if (!key) {
      d.problem = 'its body key does not unwrap';
      return;
    }
    try {
      if (!checkCommitment(key, fromB64u(p.kc))) {
        d.problem = 'its body key does not match its commitment';
        return;
      }
      const plain = unpad(open(key, fromB64u(p.body), bodyAd(this.vaultIdBytes, p.epoch, author, p.seq)));
      let raw: unknown;
      const text = Buffer.from(plain).toString('utf8');
      try {
        raw = JSON.parse(text);
      } catch {
        d.problem = 'its body is not JSON';
        return;
      }
      // One spelling only (sorted keys, no duplicates): every client folds the same records.
      if (canonicalJson(raw) !== text) {
        d.problem = 'its body is not in canonical form';
        return;
      }
      const body = validateBody(raw, p.blobs?.length ?? 0);
      if (typeof body === 'string') d.problem = body;
      else {
        d.body = body;
        this.newBodies.push([d.c.id, text]);
      }
    } catch (e) {
      if (isDecryptionFailed(e)) d.problem = 'its body does not decrypt';
      else throw e;
    } finally {
      wipe(key);
    }
  }

  /** The private key of `scope` in `epoch`, if this member can reach it (directly or by chaining from a later epoch). */
  scopeKey(epoch: string, scope: Scope, depth = 0): { priv: Uint8Array; pub: Uint8Array } | null {
    const k = `${epoch}/${scope}`;
    if (this.scopeKeys.has(k)) return this.scopeKeys.get(k)!;
    this.scopeKeys.set(k, null); // guards cycles
    const info = this.epochs.get(epoch);
    if (!info || depth > 10_000) return null;
    let pub: Uint8Array | undefined;
    let wraps: Stanza[] = [];
    if (scope === 'meta') {
      pub = info.metaPub;
      wraps = info.metaWraps;
    } else {
      const sk = this.scopeRecord(info, scope);
      if (sk) {
        pub = fromB64u(sk.pub);
        wraps = sk.wraps;
      }
    }
    if (!pub) return null;
    let priv: Uint8Array | null = null;
    const ctx = memberWrapContext(this.vaultIdBytes, epoch, scope, this.me.encPub);
    for (const s of wraps) {
      priv = unwrapStanza(this.me.encPriv, this.me.encPub, s, ctx);
      if (priv) break;
    }
    if (!priv) {
      // Chaining (C7): a later epoch that lists this one in `prev` wraps its key.
      for (const later of this.epochs.values()) {
        const i = later.prev.indexOf(epoch);
        if (i < 0) continue;
        const lk = this.scopeKey(later.id, scope, depth + 1);
        if (!lk) continue;
        const chain = scope === 'meta' ? later.metaChain : this.scopeRecord(later, scope)?.chain;
        const s = chain?.[i];
        if (!s) continue;
        priv = unwrapStanza(lk.priv, lk.pub, s, chainContext(this.vaultIdBytes, later.id, scope, epoch));
        if (priv) break;
      }
    }
    // An unwrapped private key must be the one the epoch published (a member could wrap another).
    if (priv && !equalBytes(x25519PublicKey(priv), pub)) {
      wipe(priv);
      priv = null;
    }
    const result = priv ? { priv, pub } : null;
    this.scopeKeys.set(k, result);
    return result;
  }

  scopePub(epoch: string, scope: Scope): Uint8Array | undefined {
    const info = this.epochs.get(epoch);
    if (!info) return undefined;
    if (scope === 'meta') return info.metaPub;
    const sk = this.scopeRecord(info, scope);
    return sk ? fromB64u(sk.pub) : undefined;
  }

  private scopeRecord(info: EpochInfo, scope: Exclude<Scope, 'meta'>): ScopeKeysJson | undefined {
    const d = this.decoded.get(info.commitId);
    if (!d) return undefined;
    this.decodeBody(d);
    const r = d.body?.records.find((x) => x.t === 'scopes');
    return r && r.t === 'scopes' ? r.scopes[scope] : undefined;
  }

  // ------------------------------------------------------- authorization

  /** Membership at a set of membership-event commits (C5; FORMAT.md §8). */
  membershipAt(events: readonly string[]): Map<string, MemberState> {
    const cached = this.membershipCache.get(events);
    if (cached) return cached;
    const sets = new Map<string, { ev: string; rec: Extract<VaultRecord, { t: 'member' }> }[]>();
    const removes = new Map<string, string[]>();
    const genesisAuthor = this.graph.genesis.author;
    for (const ev of events) {
      if (ev === this.graph.genesis.id) continue;
      for (const r of this.decoded.get(ev)?.body?.records ?? []) {
        if (r.t === 'member') {
          if (!sets.has(r.sign)) sets.set(r.sign, []);
          sets.get(r.sign)!.push({ ev, rec: r });
        } else if (r.t === 'remove') {
          if (!removes.has(r.sign)) removes.set(r.sign, []);
          removes.get(r.sign)!.push(ev);
        }
      }
    }
    const result = new Map<string, MemberState>();
    const members = new Set([...sets.keys(), ...removes.keys(), genesisAuthor]);
    for (const m of members) {
      const rs = removes.get(m) ?? [];
      // A set counts only if every removal of the member precedes it causally.
      const candidates: { ev: string; roles: RoleName[]; enc: string; name: string }[] = [];
      if (m === genesisAuthor && rs.length === 0) candidates.push({ ev: this.graph.genesis.id, roles: [GENESIS_ADMIN], enc: '', name: '' });
      for (const s of sets.get(m) ?? []) {
        const anc = this.memberEvents.get(s.ev) ?? [];
        if (rs.every((r) => r !== s.ev && anc.includes(r))) candidates.push({ ev: s.ev, roles: s.rec.roles, enc: s.rec.enc, name: s.rec.name });
      }
      if (candidates.length === 0) continue;
      // The latest sets: those not in the ancestry of another candidate. Concurrent role changes intersect (conservative).
      const latest = candidates.filter((a) => !candidates.some((b) => b !== a && b.ev !== a.ev && (this.memberEvents.get(b.ev) ?? []).includes(a.ev)));
      let roles = latest[0]!.roles;
      for (const l of latest.slice(1)) roles = roles.filter((r) => l.roles.includes(r));
      // The genesis author's own member record (commit 1) carries their keys; keep the implicit Administrator role.
      const withKeys = [...latest].reverse().find((x) => x.enc) ?? candidates.filter((x) => x.enc).pop();
      if (roles.length === 0) continue;
      result.set(m, { sign: m, enc: withKeys?.enc ?? '', name: withKeys?.name ?? '', roles: ROLE_NAMES.filter((r) => roles.includes(r)) });
    }
    this.membershipCache.set(events, result);
    return result;
  }

  private parentEvents(p: CommitPayload): readonly string[] {
    if (p.parents.length === 1) return this.memberEvents.get(p.parents[0]!) ?? [];
    const all = new Set<string>();
    for (const x of p.parents) for (const e of this.memberEvents.get(x) ?? []) all.add(e);
    return [...all].sort();
  }

  private parentFrontier(p: CommitPayload): readonly string[] {
    if (p.parents.length === 1) return this.epochFrontier.get(p.parents[0]!) ?? [];
    const union = new Set<string>();
    for (const x of p.parents) for (const e of this.epochFrontier.get(x) ?? []) union.add(e);
    return this.reduceFrontier(union);
  }

  reduceFrontier(union: Iterable<string>): string[] {
    const list = [...new Set(union)];
    return list.filter((e) => !list.some((o) => o !== e && this.epochs.get(o)?.ancestors.has(e))).sort();
  }

  /** Checks one commit against the state of its ancestors; returns the reason it is rejected, if it is. */
  checkAuthorized(d: DecodedCommit): string | undefined {
    const { p } = d;
    if (!d.body) return d.problem ? `unreadable: ${d.problem}` : 'unreadable';
    const members = this.membershipAt(this.parentEvents(p));
    const author = members.get(p.author);
    if (!author) return 'its author was not a member at that point of the history';
    const need = new Set<Permission>();
    const isFirst = p.parents.length === 1 && p.parents[0] === this.graph.genesis.id && p.author === this.graph.genesis.author && p.seq === 1;
    for (const r of d.body.records) {
      switch (r.t) {
        case 'settings':
          if (!isFirst) return 'vault settings may only be set by the first commit';
          break;
        case 'member':
        case 'remove':
        case 'scopes':
          need.add('members/manage');
          break;
        case 'secret.purge':
          need.add('secrets/purge');
          break;
        case 'batch':
        case 'secret':
        case 'secret.update':
        case 'secret.delete':
        case 'secret.recover':
          need.add('secrets/write');
          break;
      }
    }
    if (p.newEpoch) need.add('members/manage');
    for (const perm of need) if (!permits(author.roles, perm)) return `its author's roles do not allow ${perm}`;
    // Epochs (C7): write under the newest epoch of the ancestry; a new epoch supersedes exactly that frontier.
    const frontier = this.parentFrontier(p);
    if (p.newEpoch) {
      if (p.newEpoch.prev.join() !== frontier.join()) return 'it starts an epoch that does not follow the latest epochs it had seen';
      if (!d.body.records.some((r) => r.t === 'scopes')) return 'it starts an epoch without scope keys';
    } else if (!frontier.includes(p.epoch)) {
      return 'it writes under an epoch older than the newest one it had seen';
    }
    // Body-level consistency: a value batch key for every commit that writes values.
    const versions = d.body.records.filter((r): r is SecretVersionRecord => r.t === 'secret');
    const batches = d.body.records.filter((r) => r.t === 'batch');
    if (versions.length > 0 && batches.length !== 1) return 'it writes values without exactly one batch key';
    if (versions.length !== (p.blobs?.length ?? 0)) return 'its value blobs do not match its versions';
    if (new Set(versions.map((v) => v.blob)).size !== versions.length) return 'two versions share one value blob';
    // Only accepted parents count: a rejected commit's clock (even far in the future) binds nobody.
    const hlcOk = p.parents.every((x) => {
      if (!this.accepted.has(x)) return true;
      const pb = this.decoded.get(x)?.body;
      return !pb || compareHlc(d.body!.hlc, pb.hlc) > 0;
    });
    if (!hlcOk) return 'its clock is not later than its parents';
    return undefined;
  }

  /** Decides every commit (C5), iterating while post-removal rejections change the membership. */
  private authorizeAll(): void {
    const banned = new Set<string>();
    this.derived = undefined;
    for (let round = 0; round < 50; round++) {
      this.derived = undefined;
      this.accepted.clear();
      this.rejected.length = 0;
      this.unreadable.length = 0;
      this.memberEvents.clear();
      this.epochFrontier.clear();
      const g = this.graph.genesis;
      this.accepted.add(g.id);
      this.memberEvents.set(g.id, Object.freeze([g.id]));
      this.epochFrontier.set(g.id, Object.freeze([]));
      for (const c of this.graph.commits) {
        if (c === g) continue;
        const d = this.decoded.get(c.id)!;
        this.decodeBody(d);
        let reason = banned.has(c.id) ? 'its author was removed concurrently (not an ancestor of the removal)' : this.checkAuthorized(d);
        if (reason && !d.body) {
          this.unreadable.push({ id: c.id, reason });
          reason = reason || 'unreadable';
        } else if (reason) {
          this.rejected.push({ id: c.id, reason });
        }
        const pe = this.parentEvents(d.p);
        const isMemberEvent = !reason && d.body!.records.some((r) => r.t === 'member' || r.t === 'remove');
        this.memberEvents.set(c.id, isMemberEvent ? Object.freeze([...pe, c.id].sort()) : pe);
        const pf = this.parentFrontier(d.p);
        this.epochFrontier.set(c.id, !reason && d.p.newEpoch ? Object.freeze([d.p.epoch]) : pf);
        if (!reason) this.accepted.add(c.id);
      }
      // Post-removal rule (C5): a commit by a removed member that is not an ancestor of the removal is rejected,
      // unless it only removes members (two admins removing each other concurrently: both removals apply).
      const newlyBanned = this.postRemovalViolations();
      let changed = false;
      for (const id of newlyBanned) {
        if (banned.has(id)) continue;
        banned.add(id);
        changed = true;
      }
      if (!changed) return;
    }
  }

  private postRemovalViolations(): string[] {
    const out: string[] = [];
    for (const id of this.accepted) {
      const d = this.decoded.get(id);
      for (const r of d?.body?.records ?? []) {
        if (r.t !== 'remove') continue;
        const anc = this.ancestorsOf(id);
        for (const c of this.graph.commits) {
          if (c.author !== r.sign || !this.accepted.has(c.id) || anc.has(c.id)) continue;
          if ((this.memberEvents.get(c.id) ?? []).includes(id)) continue; // after the removal: judged by membership
          const recs = this.decoded.get(c.id)?.body?.records ?? [];
          if (recs.every((x) => x.t === 'remove' || x.t === 'scopes')) continue;
          out.push(c.id);
        }
      }
    }
    return out;
  }

  ancestorsOf(id: string): Set<string> {
    const seen = new Set<string>([id]);
    const stack = [id];
    while (stack.length) {
      const c = this.graph.byId.get(stack.pop()!);
      for (const p of c?.parents ?? []) {
        if (seen.has(p)) continue;
        seen.add(p);
        stack.push(p);
      }
    }
    return seen;
  }

  /** Membership as of one accepted commit (its ancestry, itself included). */
  membersAtCommit(id: string): Map<string, MemberState> {
    return this.membershipAt(this.memberEvents.get(id) ?? []);
  }

  /**
   * True when someone who could read `epoch` when it started has since been
   * removed or lost a scope (C7, V5): nothing new may be written under it.
   */
  epochExposed(epoch: string): boolean {
    const info = this.epochs.get(epoch);
    if (!info?.commitId) return false;
    const start = this.membersAtCommit(info.commitId);
    const now = this.currentMembers();
    for (const [k, m] of start) {
      const n = now.get(k);
      if (!n) return true;
      const had = new Set(m.roles.flatMap((r) => ROLE_SCOPES[r]));
      const has = new Set(n.roles.flatMap((r) => ROLE_SCOPES[r]));
      for (const sc of had) if (!has.has(sc)) return true;
    }
    return false;
  }

  /**
   * Derived from the accepted set; computed once per change (a write asks for them
   * several times, and scanning 50,000 commits each time made saves O(vault)).
   */
  private derived: { heads: string[]; members: Map<string, MemberState>; frontier: string[] } | undefined;

  private current(): { heads: string[]; members: Map<string, MemberState>; frontier: string[] } {
    if (this.derived) return this.derived;
    const hasChild = new Set<string>();
    for (const id of this.accepted) for (const p of this.graph.byId.get(id)?.parents ?? []) hasChild.add(p);
    const heads = [...this.accepted].filter((id) => !hasChild.has(id));
    const events = new Set<string>();
    const epochs = new Set<string>();
    for (const h of heads) {
      for (const e of this.memberEvents.get(h) ?? []) events.add(e);
      for (const e of this.epochFrontier.get(h) ?? []) epochs.add(e);
    }
    this.derived = { heads, members: this.membershipAt([...events].sort()), frontier: this.reduceFrontier(epochs) };
    return this.derived;
  }

  /** Membership as of every accepted commit. */
  currentMembers(): Map<string, MemberState> {
    return this.current().members;
  }

  currentFrontier(): string[] {
    return [...this.current().frontier];
  }

  acceptedHeads(): string[] {
    return [...this.current().heads];
  }

  myRoles(): RoleName[] {
    return this.currentMembers().get(this.myKey)?.roles ?? [];
  }

  /**
   * Adds a commit this member just wrote (already checked with checkAuthorized
   * and durably appended). Its parents are all heads and its clock is the
   * highest, so applying it last equals a full fold.
   */
  addOwnCommit(c: GraphCommit, d: DecodedCommit): void {
    this.graph.commits.push(c);
    this.graph.byId.set(c.id, c);
    this.graph.heads = [c.id];
    this.registerCommit(c);
    this.decoded.set(c.id, d);
    const changesMembers = d.body!.records.some((r) => r.t === 'member' || r.t === 'remove');
    if (changesMembers || d.p.newEpoch) {
      this.authorizeAll();
      this.fold();
      return;
    }
    this.accepted.add(c.id);
    this.memberEvents.set(c.id, this.parentEvents(d.p));
    this.epochFrontier.set(c.id, this.parentFrontier(d.p));
    // The new commit's parents are all heads: it is the only head now.
    if (this.derived) this.derived = { ...this.derived, heads: [c.id], frontier: [...this.epochFrontier.get(c.id)!].sort() };
    // Objects expired before this commit were purged by it (see write()); re-attach the rest.
    for (const [k, o] of this.expiredDeleted) this.secrets.set(k, o);
    this.applyCommit(d);
    this.expireDeleted();
  }

  // ---------------------------------------------------------------- fold

  /** Applies accepted records in (hlc, commit id) order: a linear extension of causality (C5). */
  fold(): void {
    this.secrets = new Map();
    this.purgedBlobs = new Set();
    const list = [...this.accepted].map((id) => this.decoded.get(id)).filter((d): d is DecodedCommit => !!d?.body);
    list.sort((a, b) => compareHlc(a.body!.hlc, b.body!.hlc) || (a.c.id < b.c.id ? -1 : 1));
    for (const d of list) this.applyCommit(d);
    this.expireDeleted();
  }

  expireDeleted(nowSeconds = Math.floor(Date.now() / 1000)): void {
    this.expiredDeleted = new Map();
    for (const [k, o] of this.secrets) {
      if (o.deleted && o.deleted.date + this.retentionDays * 86_400 <= nowSeconds) {
        this.expiredDeleted.set(k, o);
        this.secrets.delete(k);
      }
    }
  }

  applyCommit(d: DecodedCommit): void {
    const body = d.body!;
    if (compareHlc(body.hlc, this.maxHlc) > 0) this.maxHlc = body.hlc;
    for (const r of body.records) {
      switch (r.t) {
        case 'settings':
          this.retentionDays = r.retentionDays;
          this.created = body.time;
          break;
        case 'secret': {
          const k = nameKey(r.name);
          let o = this.secrets.get(k);
          if (!o) this.secrets.set(k, (o = { key: k, name: r.name, versions: new Map(), order: [] }));
          if (o.versions.has(r.version)) break; // the same version id twice: the first stands
          o.versions.set(r.version, {
            state: {
              name: o.name,
              version: r.version,
              enabled: r.enabled,
              encoding: r.enc,
              created: r.created ?? body.time,
              updated: r.updated ?? body.time,
              ...(r.contentType !== undefined ? { contentType: r.contentType } : {}),
              ...(r.tags !== undefined ? { tags: r.tags } : {}),
              ...(r.nbf !== undefined ? { nbf: r.nbf } : {}),
              ...(r.exp !== undefined ? { exp: r.exp } : {}),
            },
            commitId: d.c.id,
            epoch: d.p.epoch,
            blob: d.p.blobs![r.blob]!,
            clock: body.hlc,
          });
          o.order.push(r.version);
          delete o.deleted; // Delete vs new version: ordered by clock (DECISIONS.md "Merge semantics")
          break;
        }
        case 'secret.update': {
          const v = this.secrets.get(nameKey(r.name))?.versions.get(r.version);
          if (!v) break;
          const s = v.state;
          if (r.set.enabled !== undefined) s.enabled = r.set.enabled;
          if (r.set.nbf !== undefined) s.nbf = r.set.nbf;
          if (r.set.exp !== undefined) s.exp = r.set.exp;
          if (r.set.contentType !== undefined) s.contentType = r.set.contentType;
          if (r.set.tags !== undefined) s.tags = r.set.tags;
          for (const c of r.clear) delete s[c];
          s.updated = body.time;
          v.clock = body.hlc;
          break;
        }
        case 'secret.delete': {
          const o = this.secrets.get(nameKey(r.name));
          if (o) o.deleted = { date: body.time };
          break;
        }
        case 'secret.recover': {
          const o = this.secrets.get(nameKey(r.name));
          if (o) delete o.deleted;
          break;
        }
        case 'secret.purge': {
          const o = this.secrets.get(nameKey(r.name)) ?? this.expiredDeleted.get(nameKey(r.name));
          if (!o) break;
          this.expiredDeleted.delete(nameKey(r.name));
          for (const v of r.versions) {
            const ver = o.versions.get(v);
            if (ver) this.purgedBlobs.add(ver.blob);
            o.versions.delete(v);
          }
          o.order = o.order.filter((v) => o.versions.has(v));
          // Versions written concurrently with the purge survive, in the state the clock gives
          // them (a version newer than the delete has already cleared it); purge wins over recover.
          if (o.versions.size === 0) this.secrets.delete(o.key);
          break;
        }
        default:
          break;
      }
    }
  }

  /** Every live value's blob must be in the file: a missing one is damage, not a purge (V2). */
  /** Versions whose value line is not in the file (only a repaired file may open with some). */
  lostVersions(): { name: string; version: string }[] {
    const out: { name: string; version: string }[] = [];
    for (const o of [...this.secrets.values(), ...this.expiredDeleted.values()]) {
      for (const v of o.versions.values()) if (!this.graph.blobs.has(v.blob)) out.push({ name: o.name, version: v.state.version });
    }
    return out;
  }

  checkBlobs(): void {
    for (const o of [...this.secrets.values(), ...this.expiredDeleted.values()]) {
      for (const v of o.versions.values()) {
        if (!this.graph.blobs.has(v.blob)) {
          throw corrupted(`value of secret ${o.name} version ${v.state.version}`, 'the value line is missing from the file');
        }
      }
    }
  }

  // -------------------------------------------------------------- values

  /** Decrypts one version's value (C6: batch key → data key → blob). The caller wipes the result. */
  readValue(o: SecretObject, v: SecretVersion): Uint8Array {
    const d = this.decoded.get(v.commitId);
    const batch = d?.body?.records.find((r) => r.t === 'batch');
    if (!d || !batch || batch.t !== 'batch') throw corrupted(`commit ${v.commitId.slice(0, 12)}`, 'the value key is missing');
    let bk = this.batchKeys.get(v.commitId);
    if (!bk) {
      const sk = this.scopeKey(v.epoch, 'secrets');
      if (!sk) throw new CofferError('Forbidden', 'Your roles do not grant reading secret values in this vault.', { innerCode: 'ForbiddenByRbac' });
      const ctx = commitKeyContext(this.vaultIdBytes, v.epoch, 'secrets', fromB64u(d.p.author), d.p.seq);
      const k = unwrapCommitKey(sk.priv, sk.pub, batch.key, ctx, this.shared);
      if (!k) throw corrupted(`commit ${v.commitId.slice(0, 12)}`, 'the value key does not unwrap');
      if (!checkCommitment(k, fromB64u(batch.kc))) throw corrupted(`commit ${v.commitId.slice(0, 12)}`, 'the value key does not match its commitment');
      bk = k;
      this.batchKeys.set(v.commitId, bk);
    }
    const blob = this.graph.blobs.get(v.blob);
    if (!blob) throw corrupted(`value of secret ${o.name} version ${v.state.version}`, 'the value line is missing from the file');
    const oid = objectId(this.vaultIdBytes, 'secrets', o.name);
    const dk = deriveDataKey(bk, oid, v.state.version);
    try {
      return unpad(open(dk, blob.bytes, valueAd(this.vaultIdBytes, oid, v.state.version, v.epoch)));
    } catch (e) {
      if (isDecryptionFailed(e)) throw corrupted(`value of secret ${o.name} version ${v.state.version} (line ${blob.line})`, 'the value does not decrypt: it was altered or moved');
      throw e;
    } finally {
      wipe(dk);
    }
  }

  wipe(): void {
    for (const k of this.scopeKeys.values()) if (k) wipe(k.priv);
    this.scopeKeys.clear();
    for (const k of this.batchKeys.values()) wipe(k);
    this.batchKeys.clear();
    this.shared.wipe();
  }
}

export { keyCommitment };
