/**
 * Folding accepted commits into state (FORMAT.md §9): vault settings here,
 * every object record through its kind in state/kinds.ts. The order is a
 * canonical linear extension of the graph: a commit comes after its parents
 * whatever its clock says, and concurrent commits are ordered by clock, then
 * commit id (VAULT-MODEL C5), so every computer folds the same state.
 */
import { canonicalOrder, type DecodedCommit } from '../access/authorize.js';
import type { RoleName } from '../../../shared/keyvault.js';
import type { Stanza } from '../format/codec.js';
import { compareHlc, type Hlc } from '../format/records.js';
import type { ObjectKind, SnapshotRefs } from './object-kind.js';
import { KIND_RECORDS, OBJECT_KINDS } from './kinds.js';
import { grantKey } from '../access/grants.js';

export class VaultState {
  retentionDays = 90;
  /** When the vault was created (its first commit), Unix seconds. */
  created = 0;
  /** The highest clock folded: a new commit's clock is at least this (C5). */
  maxHlc: Hlc = [0, 0];
  private readonly kinds = new Map<string, unknown>(OBJECT_KINDS.map((k) => [k.collection, k.createState()]));
  /**
   * Roles at object scope (Key Vault's per-object assignments): object → member → the
   * role and the object's data keys wrapped to them, by version.
   */
  readonly grants = new Map<string, Map<string, { role: RoleName; keys: Map<string, { key: Stanza; kc: string }> }>>();

  /** The state of one object kind. */
  of<S>(kind: ObjectKind<S>): S {
    return this.kinds.get(kind.collection) as S;
  }

  /** Folds every accepted commit of `commits` (all of the graph's, with their decoded bodies). */
  static fold(commits: readonly DecodedCommit[], accepted: ReadonlySet<string>, nowSeconds: number): VaultState {
    const state = new VaultState();
    state.applyInOrder(commits, accepted);
    state.settle(nowSeconds);
    return state;
  }

  /**
   * Applies the accepted commits of `commits` in the fold order among them (parents
   * outside the set are taken as already folded: a warm or checkpointed open folds
   * only commits that follow everything folded before).
   */
  applyInOrder(commits: readonly DecodedCommit[], accepted: ReadonlySet<string>): void {
    const zero: Hlc = [0, 0];
    const key = (d: DecodedCommit): Hlc => (accepted.has(d.c.id) && d.body ? d.body.hlc : zero);
    const ids = new Set(commits.map((d) => d.c.id));
    const order = canonicalOrder(
      commits.map((d) => ({ id: d.c.id, parents: d.c.parents.filter((p) => ids.has(p)), d })),
      (a, b) => {
        const c = compareHlc(key(a.d), key(b.d));
        return c < 0 || (c === 0 && a.id < b.id);
      },
    );
    for (const { d } of order) if (accepted.has(d.c.id) && d.body) this.apply(d);
  }

  /** Applies one accepted commit's records. */
  apply(d: DecodedCommit): void {
    const body = d.body!;
    if (compareHlc(body.hlc, this.maxHlc) > 0) this.maxHlc = body.hlc;
    const at = { commitId: d.c.id, epoch: d.p.epoch, blobs: d.p.blobs ?? [], hlc: body.hlc, time: body.time };
    for (const r of body.records) {
      if (r.t === 'settings') {
        this.retentionDays = r.retentionDays;
        this.created = body.time;
        continue;
      }
      if (r.t === 'grant') {
        const object = grantKey(r.object);
        const byMember = this.grants.get(object) ?? new Map();
        byMember.set(r.sign, { role: r.role, keys: new Map(r.keys.map((k) => [k.version, { key: k.key, kc: k.kc }])) });
        this.grants.set(object, byMember);
        continue;
      }
      if (r.t === 'grant.revoke') {
        this.grants.get(grantKey(r.object))?.delete(r.sign);
        continue;
      }
      if (r.t === 'grant.key') {
        this.grants.get(grantKey(r.object))?.get(r.sign)?.keys.set(r.version, { key: r.key, kc: r.kc });
        continue;
      }
      // A removed member's grants end with their membership: a later re-add starts without them.
      if (r.t === 'remove') {
        for (const byMember of this.grants.values()) byMember.delete(r.sign);
        continue;
      }
      const k = KIND_RECORDS.get(r.t);
      if (k) k.type.apply(this.kinds.get(k.kind.collection), r, at);
    }
  }

  /** What the warm snapshot keeps (cache/snapshot.ts): each kind's compact form, or its fields as they are. */
  exportState(refs: SnapshotRefs): { retentionDays: number; created: number; maxHlc: Hlc; grants: VaultState['grants']; kinds: Record<string, unknown> } {
    const kinds: Record<string, unknown> = {};
    for (const k of OBJECT_KINDS) {
      const s = this.kinds.get(k.collection);
      kinds[k.collection] = k.save ? { saved: k.save(s, refs) } : { fields: { ...(s as Record<string, unknown>) } };
    }
    return { retentionDays: this.retentionDays, created: this.created, maxHlc: this.maxHlc, grants: this.grants, kinds };
  }

  importState(s: ReturnType<VaultState['exportState']>, refs: SnapshotRefs): void {
    this.retentionDays = s.retentionDays;
    this.created = s.created;
    this.maxHlc = s.maxHlc;
    for (const [k, v] of s.grants) this.grants.set(k, v);
    for (const k of OBJECT_KINDS) {
      const saved = s.kinds[k.collection] as { saved?: unknown; fields?: Record<string, unknown> } | undefined;
      if (!saved) continue;
      if (k.restore && saved.saved !== undefined) this.kinds.set(k.collection, k.restore(saved.saved, refs));
      // A kind without a compact form: its fresh state object (class and methods) takes the saved fields.
      else if (saved.fields) Object.assign(this.kinds.get(k.collection) as object, saved.fields);
    }
  }

  /** Time rules of each kind (end of retention...). */
  settle(nowSeconds = Math.floor(Date.now() / 1000)): void {
    for (const k of OBJECT_KINDS) k.settle?.(this.kinds.get(k.collection), { retentionDays: this.retentionDays }, nowSeconds);
  }
}
