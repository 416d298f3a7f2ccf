/**
 * Authorization by history (VAULT-MODEL C5, V4; FORMAT.md §8): a commit is
 * accepted when its author held the needed role in the membership given by
 * the commit's ancestors, wrote under the newest key epoch it had seen, and
 * is not a removed member's commit concurrent with (or after) the removal.
 *
 * Membership is a line of seniority: an Administrator's seniority is the
 * position, in the canonical order of the graph, of the commit that made them
 * one (the creator first). One removes or demotes only members junior to
 * oneself, so a removed member choosing old parents can never remove anyone
 * senior, and concurrent membership changes are settled the same way on
 * every computer. The clock orders nothing here.
 */
import { ROLE_NAMES, type RoleName } from '../../../shared/keyvault.js';
import type { CommitPayload } from '../format/codec.js';
import type { Graph } from '../format/graph.js';
import { compareHlc, type Body, type VaultRecord } from '../format/records.js';
import { KIND_RECORDS } from '../state/kinds.js';
import { recordBlob } from '../state/object-kind.js';
import { grantKeyWithoutVersion } from './grants.js';
import type { EpochInfo } from './keyring.js';
import { permits, ROLE_SCOPES, type Permission } from './roles.js';

export const GENESIS_ADMIN: RoleName = 'Key Vault Administrator';

export interface DecodedCommit {
  c: Graph['commits'][number];
  p: CommitPayload;
  body: Body | null;
  /** Why the body could not be read or was rejected. */
  problem?: string;
  /** Restored from a warm snapshot: the body keeps only what later steps read (no object records). */
  partial?: true;
}

export interface MemberState {
  sign: string;
  enc: string;
  name: string;
  roles: RoleName[];
  /**
   * Seniority of a member who may manage members: the canonical position of the
   * commit that granted it (-1 for the creator). Undefined for everyone else.
   */
  rank?: number;
}

export interface Rejection {
  id: string;
  reason: string;
}

export interface AuthorizerHost {
  readonly graph: Graph;
  readonly decoded: Map<string, DecodedCommit>;
  readonly epochs: Map<string, EpochInfo>;
  decodeBody(d: DecodedCommit): void;
}

/** The members after a commit's membership records are applied to `members` (the writer's and the reader's view alike). */
export function membersAfter(members: ReadonlyMap<string, MemberState>, records: readonly VaultRecord[]): Map<string, MemberState> {
  const out = new Map(members);
  for (const r of records) {
    if (r.t === 'member') out.set(r.sign, { sign: r.sign, enc: r.enc, name: r.name, roles: r.roles });
    else if (r.t === 'remove') out.delete(r.sign);
  }
  return out;
}

/** A record that changes who is a member or their roles (FORMAT.md §8.1). */
export const isMembershipRecord = (r: VaultRecord): boolean => r.t === 'member' || r.t === 'remove';
const managesMembers = (roles: readonly RoleName[]): boolean => permits(roles, 'members/manage');

/** Seniority (C5): one removes or demotes only a member without a rank or of a larger rank than one's own. */
export const outranks = (author: MemberState, target: MemberState): boolean => target.rank === undefined || (author.rank ?? Infinity) < target.rank;

/**
 * A canonical linear extension of the graph: parents first, ready commits in
 * `key` order (Kahn's algorithm with a heap). Commits added later never change
 * the relative order of earlier ones (a new commit is never a parent of an old one).
 */
export function canonicalOrder<T extends { id: string; parents: readonly string[] }>(commits: readonly T[], before: (a: T, b: T) => boolean): T[] {
  const waiting = new Map<string, number>();
  const children = new Map<string, T[]>();
  for (const c of commits) {
    waiting.set(c.id, c.parents.length);
    for (const p of c.parents) {
      const list = children.get(p);
      if (list) list.push(c);
      else children.set(p, [c]);
    }
  }
  const heap: T[] = [];
  const push = (x: T): void => {
    heap.push(x);
    for (let i = heap.length - 1; i > 0; ) {
      const up = (i - 1) >> 1;
      if (!before(heap[i]!, heap[up]!)) break;
      [heap[i], heap[up]] = [heap[up]!, heap[i]!];
      i = up;
    }
  };
  const pop = (): T => {
    const top = heap[0]!;
    const last = heap.pop()!;
    if (heap.length > 0) {
      heap[0] = last;
      for (let i = 0; ; ) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < heap.length && before(heap[l]!, heap[m]!)) m = l;
        if (r < heap.length && before(heap[r]!, heap[m]!)) m = r;
        if (m === i) break;
        [heap[i], heap[m]] = [heap[m]!, heap[i]!];
        i = m;
      }
    }
    return top;
  };
  for (const c of commits) if (c.parents.length === 0) push(c);
  const out: T[] = [];
  while (heap.length > 0) {
    const c = pop();
    out.push(c);
    for (const ch of children.get(c.id) ?? []) {
      const n = waiting.get(ch.id)! - 1;
      waiting.set(ch.id, n);
      if (n === 0) push(ch);
    }
  }
  return out;
}

/** The value blobs of a body's records, each with the scope its batch key must be of. */
export function valueBlobs(records: readonly VaultRecord[]): { blob: number; scope: string }[] {
  const out: { blob: number; scope: string }[] = [];
  for (const r of records) {
    if (r.t === 'checkpoint') {
      for (const b of r.state) out.push({ blob: b, scope: 'meta' });
      continue;
    }
    const k = KIND_RECORDS.get(r.t);
    const blob = k ? recordBlob(k.type, r) : undefined;
    if (blob !== undefined) out.push({ blob, scope: k!.kind.valueScope });
  }
  return out;
}

export class Authorizer {
  readonly accepted = new Set<string>();
  readonly rejected: Rejection[] = [];
  readonly unreadable: Rejection[] = [];
  /** Membership-event commit ids in each accepted commit's ancestry (inclusive), shared by reference. */
  private readonly memberEvents = new Map<string, readonly string[]>();
  private readonly membershipCache = new WeakMap<readonly string[], Map<string, MemberState>>();
  /** Latest epochs (not superseded) in each commit's ancestry, inclusive. */
  private readonly epochFrontier = new Map<string, readonly string[]>();
  /** Position of each commit in the canonical order by commit id (seniority; clear data only). */
  private readonly position = new Map<string, number>();
  private derived: { heads: string[]; members: Map<string, MemberState>; frontier: string[] } | undefined;

  constructor(private readonly host: AuthorizerHost) {}

  private get graph(): Graph {
    return this.host.graph;
  }

  /** Membership at a set of membership-event commits. */
  membershipAt(events: readonly string[]): Map<string, MemberState> {
    const cached = this.membershipCache.get(events);
    if (cached) return cached;
    type SetEvent = { ev: string; roles: RoleName[]; enc: string; name: string; pos: number };
    const sets = new Map<string, SetEvent[]>();
    const removes = new Map<string, string[]>();
    const genesis = this.graph.genesis;
    for (const ev of events) {
      if (ev === genesis.id) continue;
      for (const r of this.host.decoded.get(ev)?.body?.records ?? []) {
        if (r.t === 'member') {
          const list = sets.get(r.sign) ?? [];
          list.push({ ev, roles: r.roles, enc: r.enc, name: r.name, pos: this.position.get(ev) ?? 0 });
          sets.set(r.sign, list);
        } else if (r.t === 'remove') {
          removes.set(r.sign, [...(removes.get(r.sign) ?? []), ev]);
        }
      }
    }
    const result = new Map<string, MemberState>();
    for (const m of new Set([...sets.keys(), ...removes.keys(), genesis.author])) {
      const rs = removes.get(m) ?? [];
      // A set counts only if every removal of the member precedes it causally.
      const candidates: SetEvent[] = [];
      if (m === genesis.author && rs.length === 0) candidates.push({ ev: genesis.id, roles: [GENESIS_ADMIN], enc: '', name: '', pos: -1 });
      for (const s of sets.get(m) ?? []) {
        const anc = this.memberEvents.get(s.ev) ?? [];
        if (rs.every((r) => r !== s.ev && anc.includes(r))) candidates.push(s);
      }
      if (candidates.length === 0) continue;
      candidates.sort((a, b) => a.pos - b.pos);
      // The latest sets: those not in the ancestry of another. Concurrent ones are settled by
      // seniority: the set written by the most senior author stands (C5), ties by position.
      const latest = candidates.filter((a) => !candidates.some((b) => b.ev !== a.ev && (this.memberEvents.get(b.ev) ?? []).includes(a.ev)));
      const winner = latest.reduce((best, x) => (this.authorRank(x.ev) < this.authorRank(best.ev) ? x : best));
      // The creator's own member record (commit 1) carries their keys; keep the implicit Administrator role.
      const withKeys = [...latest].reverse().find((x) => x.enc) ?? candidates.filter((x) => x.enc).pop();
      // Seniority counts from the first set, in canonical order, since which the member manages members.
      let since: number | undefined;
      for (const c of candidates) {
        if (!managesMembers(c.roles)) since = undefined;
        else if (since === undefined) since = c.pos;
      }
      if (!managesMembers(winner.roles)) since = undefined;
      result.set(m, {
        sign: m,
        enc: withKeys?.enc ?? '',
        name: withKeys?.name ?? '',
        roles: ROLE_NAMES.filter((r) => winner.roles.includes(r)),
        ...(since !== undefined ? { rank: since } : {}),
      });
    }
    this.membershipCache.set(events, result);
    return result;
  }

  /** The membership a commit was written on: that of its parents' ancestry. */
  membersBefore(p: CommitPayload): Map<string, MemberState> {
    return this.membershipAt(this.parentEvents(p));
  }

  /** The seniority of the author of membership event `ev`, as of that event's parents. */
  private authorRank(ev: string): number {
    if (ev === this.graph.genesis.id) return -1;
    const d = this.host.decoded.get(ev);
    if (!d) return Number.MAX_SAFE_INTEGER;
    return this.membershipAt(this.parentEvents(d.p)).get(d.p.author)?.rank ?? Number.MAX_SAFE_INTEGER;
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
    return list.filter((e) => !list.some((o) => o !== e && this.host.epochs.get(o)?.ancestors.has(e))).sort();
  }

  /** The permission each record needs: vault records here, object records from their kind (state/kinds.ts). */
  private permissionFor(r: VaultRecord): Permission | 'first-commit' | undefined {
    switch (r.t) {
      case 'settings':
        return 'first-commit';
      case 'member':
      case 'remove':
      case 'scopes':
      case 'grant':
      case 'grant.revoke':
        return 'members/manage';
      case 'checkpoint':
        return 'vault/checkpoint';
      case 'batch':
      case 'grant.key':
        return undefined; // checked with the values they go with, below
      default:
        return KIND_RECORDS.get(r.t)!.type.permission(r) as Permission;
    }
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
      const perm = this.permissionFor(r);
      if (perm === 'first-commit') {
        if (!isFirst) return 'vault settings may only be set by the first commit';
      } else if (perm) need.add(perm);
      // A member's encryption key is theirs: nobody else may replace it (new scope keys would go to the replacement).
      if (r.t === 'member' && r.sign !== p.author && members.get(r.sign)?.enc && members.get(r.sign)!.enc !== r.enc) {
        return "it replaces another member's encryption key";
      }
      // Seniority (C5): one removes or demotes only members junior to oneself; the creator may step down.
      if ((r.t === 'remove' || r.t === 'member') && r.sign !== p.author) {
        const target = members.get(r.sign);
        const demotes = r.t === 'remove' || !managesMembers(r.roles);
        if (target && demotes && !outranks(author, target)) {
          return `its author may not ${r.t === 'remove' ? 'remove' : 'demote'} a member senior to them`;
        }
      }
    }
    // C5: the vault always keeps a member who manages members (the creator hands the role on first).
    if (d.body.records.some(isMembershipRecord) && ![...membersAfter(members, d.body.records).values()].some((m) => managesMembers(m.roles))) {
      return 'it would leave the vault without an Administrator';
    }
    if (p.newEpoch) need.add('members/manage');
    for (const perm of need) if (!permits(author.roles, perm)) return `its author's roles do not allow ${perm}`;
    // V5/C7: every membership change starts a new epoch, so membership commits are visible in
    // the clear (and nobody added or removed shares keys with the epoch before).
    if (!p.newEpoch && d.body.records.some(isMembershipRecord)) return 'it changes membership without starting a new key epoch';
    // Epochs (C7): write under the newest epoch of the ancestry; a new epoch supersedes exactly that frontier.
    const frontier = this.parentFrontier(p);
    if (p.newEpoch) {
      if (p.newEpoch.prev.join() !== frontier.join()) return 'it starts an epoch that does not follow the latest epochs it had seen';
      if (!d.body.records.some((r) => r.t === 'scopes')) return 'it starts an epoch without scope keys';
    } else if (!frontier.includes(p.epoch)) {
      return 'it writes under an epoch older than the newest one it had seen';
    }
    // Values (C6): every blob is one record's, each sealed under its kind's scope by
    // exactly one batch key of that scope per commit.
    const blobScopes = valueBlobs(d.body.records);
    const batchScopes = d.body.records.filter((r) => r.t === 'batch').map((r) => r.scope);
    if (blobScopes.length !== (p.blobs?.length ?? 0)) return 'its value blobs do not match its versions';
    if (new Set(blobScopes.map((b) => b.blob)).size !== blobScopes.length) return 'two versions share one value blob';
    const used = [...new Set(blobScopes.map((b) => b.scope))].sort();
    if (new Set(batchScopes).size !== batchScopes.length || [...batchScopes].sort().join() !== used.join()) {
      return 'it writes values without exactly one batch key for each scope it seals values under';
    }
    // A version's data key goes to grantees only beside that version, by its writer (FORMAT.md §6.10).
    const strayKey = grantKeyWithoutVersion(d.body.records);
    if (strayKey) return `it wraps a data key of ${strayKey} without writing that version`;
    // Only accepted parents count; a child's clock may equal its parents' (C5: no writer ever
    // needs to exceed them, so a crafted clock at the bound stops nobody).
    for (const x of p.parents) {
      if (!this.accepted.has(x)) continue;
      const pb = this.host.decoded.get(x)?.body;
      if (pb && compareHlc(d.body.hlc, pb.hlc) < 0) return 'its clock is earlier than its parents';
    }
    return undefined;
  }

  /**
   * Decisions taken from a checkpoint for the data commits it covers (state/checkpoint.ts):
   * those commits are neither decrypted nor checked again; every epoch commit still is.
   */
  preset: Map<string, string | undefined> | undefined;

  /** Decides every commit, iterating while post-removal rejections change the membership. */
  authorizeAll(): void {
    this.position.clear();
    canonicalOrder(this.graph.commits, (a, b) => a.id < b.id).forEach((c, i) => this.position.set(c.id, i));
    const banned = new Map<string, string>();
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
        const d = this.host.decoded.get(c.id)!;
        const preset = this.preset?.has(c.id) ? { reason: this.preset.get(c.id) } : undefined;
        if (!preset) this.host.decodeBody(d);
        const reason = banned.get(c.id) ?? (preset ? preset.reason : this.checkAuthorized(d));
        if (reason && !d.body && !preset) this.unreadable.push({ id: c.id, reason });
        else if (reason) this.rejected.push({ id: c.id, reason });
        this.record(c.id, d, !reason);
      }
      // Post-removal rule (C5), with no exemption: every commit by a removed member that is
      // not an ancestor of the removal is rejected, whatever it holds.
      let changed = false;
      for (const id of this.postRemovalViolations()) {
        if (banned.has(id)) continue;
        banned.set(id, 'its author was removed concurrently (it is not an ancestor of the removal)');
        changed = true;
      }
      // Concurrent changes that each kept an Administrator can together leave none (two
      // Administrators stepping down on two copies): the most junior author's change is
      // rejected, one at a time, until the vault has one again (C5: settled by seniority).
      if (!changed && ![...this.current().members.values()].some((m) => managesMembers(m.roles))) {
        const junior = this.juniorMembershipChange();
        if (junior) {
          banned.set(junior, 'concurrent membership changes would leave the vault without an Administrator; a more senior change stands');
          changed = true;
        }
      }
      if (!changed) return;
    }
  }

  private record(id: string, d: DecodedCommit, ok: boolean): void {
    const pe = this.parentEvents(d.p);
    const isMemberEvent = ok && !!d.body?.records.some(isMembershipRecord);
    this.memberEvents.set(id, isMemberEvent ? Object.freeze([...pe, id].sort()) : pe);
    this.epochFrontier.set(id, ok && d.p.newEpoch ? Object.freeze([d.p.epoch]) : this.parentFrontier(d.p));
    if (ok) this.accepted.add(id);
  }

  /** The latest accepted membership change (not an ancestor of another) whose author is the most junior. */
  private juniorMembershipChange(): string | undefined {
    const events = [...this.accepted].filter((id) => id !== this.graph.genesis.id && (this.memberEvents.get(id) ?? []).includes(id));
    const latest = events.filter((a) => !events.some((b) => b !== a && (this.memberEvents.get(b) ?? []).includes(a)));
    latest.sort((a, b) => this.authorRank(b) - this.authorRank(a) || (this.position.get(b) ?? 0) - (this.position.get(a) ?? 0));
    return latest[0];
  }

  private postRemovalViolations(): string[] {
    const out: string[] = [];
    for (const id of this.accepted) {
      for (const r of this.host.decoded.get(id)?.body?.records ?? []) {
        if (r.t !== 'remove') continue;
        const anc = this.ancestorsOf(id);
        for (const c of this.graph.commits) {
          if (c.author !== r.sign || !this.accepted.has(c.id) || anc.has(c.id)) continue;
          if ((this.memberEvents.get(c.id) ?? []).includes(id)) continue; // after the removal: judged by membership
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

  /**
   * An epoch commit `me` cannot read whose author, as of its parents, may remove `me`:
   * an Administrator senior to it (C5), or `me` itself (it left). That is most likely its
   * removal, after which every reader rejects what it writes (V4). An unreadable epoch
   * commit by anyone else cannot be a removal that stands, so it stops nobody's write.
   */
  possibleRemovalOf(me: string): string | undefined {
    for (const u of this.unreadable) {
      const d = this.host.decoded.get(u.id);
      if (!d?.p.newEpoch) continue;
      // Its own epoch commit that this identity cannot read: it left the vault by it (C5).
      if (d.p.author === me) return u.id;
      const members = this.membershipAt(this.parentEvents(d.p));
      const author = members.get(d.p.author);
      const target = members.get(me);
      if (author && target && managesMembers(author.roles) && outranks(author, target)) return u.id;
    }
    return undefined;
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
    const info = this.host.epochs.get(epoch);
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

  /** Heads, membership and epoch frontier of the accepted set; computed once per change. */
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

  currentMembers(): Map<string, MemberState> {
    return this.current().members;
  }

  currentFrontier(): string[] {
    return [...this.current().frontier];
  }

  acceptedHeads(): string[] {
    return [...this.current().heads];
  }

  /** What the warm snapshot keeps of the decisions (cache/snapshot.ts). */
  exportState(): { memberEvents: Map<string, readonly string[]>; epochFrontier: Map<string, readonly string[]>; position: Map<string, number> } {
    return { memberEvents: this.memberEvents, epochFrontier: this.epochFrontier, position: this.position };
  }

  importState(s: {
    accepted: string[];
    rejected: Rejection[];
    unreadable: Rejection[];
    memberEvents: Map<string, readonly string[]>;
    epochFrontier: Map<string, readonly string[]>;
    position: Map<string, number>;
  }): void {
    this.derived = undefined;
    for (const id of s.accepted) this.accepted.add(id);
    this.rejected.push(...s.rejected);
    this.unreadable.push(...s.unreadable);
    for (const [k, v] of s.memberEvents) this.memberEvents.set(k, v);
    for (const [k, v] of s.epochFrontier) this.epochFrontier.set(k, v);
    for (const [k, v] of s.position) this.position.set(k, v);
  }

  /**
   * Decides a commit that follows every commit decided so far and changes no
   * membership or epoch (a warm open's new commits, cache/snapshot.ts).
   */
  decideNext(d: DecodedCommit): void {
    this.derived = undefined;
    this.host.decodeBody(d);
    const reason = this.checkAuthorized(d);
    if (reason && !d.body) this.unreadable.push({ id: d.c.id, reason });
    else if (reason) this.rejected.push({ id: d.c.id, reason });
    this.position.set(d.c.id, this.position.size);
    this.record(d.c.id, d, !reason);
  }

  /**
   * Adds a commit this member just wrote (checked with checkAuthorized). Its parents
   * are all heads, so it comes last in every order and is the only head: every commit
   * before it is its ancestor, so even a membership change bans none of them (C5), and
   * no decision is taken again (a warm or checkpointed open holds only part of the
   * bodies those decisions were taken on).
   */
  addOwn(id: string, d: DecodedCommit): void {
    this.position.set(id, this.position.size);
    this.record(id, d, true);
    if (d.body!.records.some(isMembershipRecord) || d.p.newEpoch) this.derived = undefined;
    else if (this.derived) this.derived = { ...this.derived, heads: [id], frontier: [...this.epochFrontier.get(id)!].sort() };
  }
}
