/**
 * The vault's history: who changed what, commit by commit (Vault.history). Every
 * commit's author is in its signed payload; its clock and records are in its body,
 * sealed under the `meta` scope (FORMAT.md §7), so a member reads them for the
 * epochs it holds keys of and sees the rest as unreadable. Commits rejected by
 * authorization (VAULT-MODEL C5) are listed with their reason, never left out.
 */
import type { HistoryChange, HistoryEntry, HistoryOptions } from '../../../shared/vault-types.js';
import { badParameter } from '../errors.js';
import type { Body, VaultRecord } from '../format/records.js';
import { memberKeyId } from '../access/identity.js';
import type { DecodedCommit, MemberState, VaultCore } from '../core.js';
import { KIND_DESCRIBERS, KIND_RECORDS } from './kinds.js';

/** What an author is called when no readable record names them. */
export const UNKNOWN_MEMBER = 'unknown member';

/** Only these objects can be asked about (format/records.ts names grants' objects the same way). */
const OBJECT = /^(secrets|keys|certificates)\/[0-9a-zA-Z-]{1,127}$/;

/** A membership record as read, before the history knows whether the member was new then. */
type Described = { time: number; records: (HistoryChange | MemberRecord)[] } | { problem: string };
type MemberRecord = { member: Extract<VaultRecord, { t: 'member' | 'remove' }> };

/**
 * What each commit did, read once per commit: a body is decrypted again only when a
 * warm or checkpointed open kept part of it. Commit ids cover their payloads, so an
 * entry never goes stale; decisions (accepted or rejected) and names are looked up on
 * each call, as the vault's state holds them then.
 */
export class VaultHistory {
  private readonly described = new Map<string, Described>();

  constructor(private readonly core: () => VaultCore) {}

  list(options: HistoryOptions = {}): HistoryEntry[] {
    const { since, object, limit } = checkOptions(options);
    const core = this.core();
    const ids = since === undefined ? core.graph.commits.map((c) => c.id).filter((id) => id !== core.graph.genesis.id) : this.since(core, since);
    const key = object?.toLowerCase();
    const out: HistoryEntry[] = [];
    for (const id of this.newestFirst(core, ids)) {
      const e = this.entry(core, id);
      if (key !== undefined) {
        if (!e.changes) continue;
        e.changes = e.changes.filter((ch) => ch.object.toLowerCase() === key);
        if (e.changes.length === 0) continue;
      }
      out.push(e);
      if (limit !== undefined && out.length >= limit) break;
    }
    return out;
  }

  /** The given commits, described as list() describes them, newest first. */
  entries(ids: readonly string[]): HistoryEntry[] {
    const core = this.core();
    return this.newestFirst(core, ids).map((id) => this.entry(core, id));
  }

  /**
   * Newest first by clock, then by place in the file. A commit whose body is unreadable
   * here stands with the newest of its parents (its clock is no earlier than theirs, C5).
   */
  private newestFirst(core: VaultCore, ids: readonly string[]): string[] {
    const times = new Map<string, number>();
    const timeOf = (id: string): number => {
      let t = times.get(id);
      if (t !== undefined) return t;
      // Unreadable runs are walked back iteratively: a removed member may see many in a row.
      const pending = [id];
      while (pending.length > 0) {
        const x = pending[pending.length - 1]!;
        const d = x === core.graph.genesis.id ? { time: 0 } : this.describe(core, x);
        if ('time' in d) {
          times.set(x, d.time);
          pending.pop();
          continue;
        }
        const parents = core.graph.byId.get(x)!.parents;
        const missing = parents.filter((q) => !times.has(q));
        if (missing.length > 0) pending.push(...missing);
        else {
          times.set(x, Math.max(0, ...parents.map((q) => times.get(q)!)));
          pending.pop();
        }
      }
      t = times.get(id)!;
      return t;
    };
    const index = (id: string): number => core.graph.byId.get(id)!.index;
    return [...ids].sort((a, b) => timeOf(b) - timeOf(a) || index(b) - index(a));
  }

  /**
   * The commits from `since` on: from the heads back through parents, stopping at an
   * accepted commit older than `since` (C5: an accepted commit's clock is never earlier
   * than its parents', so nothing before it is newer). A rejected or unreadable commit's
   * clock proves nothing, so the walk goes on past it.
   */
  private since(core: VaultCore, since: number): string[] {
    const out: string[] = [];
    const seen = new Set<string>();
    const stack = [...core.graph.heads];
    while (stack.length > 0) {
      const id = stack.pop()!;
      if (seen.has(id) || id === core.graph.genesis.id) continue;
      seen.add(id);
      const d = this.describe(core, id);
      const old = 'time' in d && d.time < since;
      if (old && core.accepted.has(id)) continue;
      if (!old) out.push(id);
      stack.push(...core.graph.byId.get(id)!.parents);
    }
    return out;
  }

  private entry(core: VaultCore, id: string): HistoryEntry {
    const c = core.graph.byId.get(id)!;
    const d = this.describe(core, id);
    const rejection = core.rejected.find((r) => r.id === id) ?? core.unreadable.find((r) => r.id === id);
    const e: HistoryEntry = {
      commit: id,
      time: 'time' in d ? d.time : null,
      author: { id: memberKeyId(c.author), name: nameOf(core, id, c.author) },
      changes: 'time' in d ? d.records.map((r) => ('member' in r ? memberChange(core, id, r) : { ...r })) : null,
    };
    if ('problem' in d) e.unreadable = d.problem;
    // A body that cannot be read is why such a commit is not applied: said once, as unreadable.
    if (rejection && 'time' in d) e.rejected = rejection.reason;
    return e;
  }

  private describe(core: VaultCore, id: string): Described {
    let d = this.described.get(id);
    if (!d) {
      const body = readBody(core, id);
      d = typeof body === 'string' ? { problem: body } : { time: body.hlc[0], records: describeBody(core, id, body) };
      this.described.set(id, d);
    }
    return d;
  }
}

function checkOptions(o: HistoryOptions): HistoryOptions {
  if (o.since !== undefined && !(Number.isFinite(o.since) && o.since >= 0)) throw badParameter('since must be a time in Unix milliseconds.');
  if (o.object !== undefined && (typeof o.object !== 'string' || !OBJECT.test(o.object))) throw badParameter('object must be secrets/NAME, keys/NAME or certificates/NAME.');
  if (o.limit !== undefined && !(Number.isSafeInteger(o.limit) && o.limit >= 1)) throw badParameter('limit must be a positive whole number.');
  return o;
}

/**
 * A commit's whole body, or why it cannot be read. A warm open (cache/snapshot.ts) keeps
 * only part of the older bodies and a checkpoint's open reads none of those it covers:
 * those are decrypted again here, for reading only (not kept by the vault's state).
 */
function readBody(core: VaultCore, id: string): Body | string {
  const d = core.decoded.get(id);
  if (!d) return 'it is not in the vault';
  if (d.body && !d.partial) return d.body;
  if (d.problem) return d.problem;
  const fresh: DecodedCommit = { c: d.c, p: d.p, body: null };
  const kept = core.newBodies.length;
  core.decodeBody(fresh);
  core.newBodies.length = kept;
  return fresh.body ?? fresh.problem ?? 'its body cannot be read';
}

function describeBody(core: VaultCore, id: string, body: Body): (HistoryChange | MemberRecord)[] {
  const out: (HistoryChange | MemberRecord)[] = [];
  const p = core.decoded.get(id)!.p;
  for (const r of body.records) {
    const ch = describeCoreRecord(core, id, r);
    if (ch) out.push(ch);
  }
  // A key epoch, or new unlock slots, said only when the commit did nothing else worth naming:
  // every membership change and checkpoint starts an epoch (C7).
  if (out.length === 0 && p.newEpoch) out.push({ kind: 'vault', object: 'vault', action: 'new key epoch' });
  if (out.length === 0 && p.slots) out.push({ kind: 'vault', object: 'vault', action: 'unlock methods changed' });
  return out;
}

function describeCoreRecord(core: VaultCore, id: string, r: VaultRecord): HistoryChange | MemberRecord | undefined {
  switch (r.t) {
    case 'member':
    case 'remove':
      return { member: r };
    case 'settings':
      return { kind: 'vault', object: 'vault', action: 'settings', detail: `retention ${r.retentionDays} days` };
    case 'checkpoint':
      return { kind: 'vault', object: 'vault', action: 'checkpoint', detail: `${r.count} commits` };
    case 'grant':
    case 'grant.revoke': {
      const who = nameOf(core, id, r.sign);
      return {
        kind: r.object.split('/')[0]!,
        object: r.object,
        action: r.t === 'grant' ? 'access granted' : 'access revoked',
        detail: r.t === 'grant' ? `${who}: ${r.role}` : who,
      };
    }
    case 'scopes':
    case 'batch':
    case 'grant.key':
      return undefined;
    default: {
      const describer = KIND_DESCRIBERS.get(r.t);
      if (describer) return describer(r);
      const kind = KIND_RECORDS.get(r.t)?.kind.collection ?? 'vault';
      return { kind, object: kind, action: r.t };
    }
  }
}

/**
 * Whether a member record added the member or changed their roles: the membership before the commit
 * says (the vault's creator is an Administrator by the genesis alone, without keys, until commit 1 adds them: C4).
 */
function memberChange(core: VaultCore, id: string, { member: r }: MemberRecord): HistoryChange {
  const before = membersBefore(core, id);
  const object = `members/${memberKeyId(r.sign)}`;
  if (r.t === 'remove') return { kind: 'members', object, action: 'member removed', detail: before.get(r.sign)?.name || nameOf(core, id, r.sign) };
  return { kind: 'members', object, action: before.get(r.sign)?.enc ? 'roles changed' : 'member added', detail: `${r.name}: ${r.roles.join(', ')}` };
}

function membersBefore(core: VaultCore, id: string): Map<string, MemberState> {
  const out = new Map<string, MemberState>();
  for (const parent of core.graph.byId.get(id)!.parents) for (const [k, m] of core.membersAtCommit(parent)) out.set(k, m);
  return out;
}

/**
 * A member's name as of a commit (a removed member keeps the name they had), else as
 * the vault names them now; UNKNOWN_MEMBER when no record this member reads names them.
 */
function nameOf(core: VaultCore, id: string, sign: string): string {
  return core.membersAtCommit(id).get(sign)?.name || membersBefore(core, id).get(sign)?.name || core.currentMembers().get(sign)?.name || UNKNOWN_MEMBER;
}
