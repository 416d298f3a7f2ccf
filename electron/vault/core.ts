/**
 * The unlocked vault in memory, for one member: a verified commit graph and
 * the four jobs run over it, each in its own module (FORMAT.md §6–§9):
 *
 *   reaching keys        access/keyring.ts    epochs, scope keys, batch keys
 *   decoding bodies      here                 meta key → canonical, validated body
 *   authorization        access/authorize.ts  who may write what, by history (C5)
 *   folding into state   state/fold.ts        records → objects, through state/kinds.ts
 *   reading values       state/values.ts      on demand, from the blob lines
 */
import type { RoleName } from '../../shared/keyvault.js';
import { checkCommitment, fromB64u, isDecryptionFailed, toB64u, unpad, wipe, keyCommitment } from './crypto/index.js';
import { corrupted } from './errors.js';
import { canonicalJson, isGenesis, isNewer, type CommitPayload } from './format/codec.js';
import type { Graph, GraphCommit } from './format/graph.js';
import { commitKeyContext, deriveDataKey, open, unwrapCommitKey } from './format/keys.js';
import { validateBody, type Body, type Hlc, type ScopeKeysJson, type VaultRecord } from './format/records.js';
import type { MemberIdentity } from './access/identity.js';
import { Authorizer, canonicalOrder, isMembershipRecord, membersAfter, type DecodedCommit, type MemberState, type Rejection } from './access/authorize.js';
import { restoreSnapshot, type Snapshot } from './cache/snapshot.js';
import { applyCheckpoint, checkCoverage, findCheckpoint, readCheckpoint } from './state/checkpoint.js';
import { Keyring, type EpochInfo } from './access/keyring.js';
import { permits, scopesOf, type Permission, type Scope } from './access/roles.js';
import { VaultState } from './state/fold.js';
import { bodyAd, objectId, openWithDataKey } from './state/values.js';
import { grantedDataKey } from './access/grants.js';
import { secretsKind } from './secrets/kind.js';
import type { SecretObject, SecretVersion, SecretsState } from './secrets/state.js';
import { keysKind } from './keys/kind.js';
import type { KeysState } from './keys/state.js';
import { OBJECT_KINDS } from './state/kinds.js';
import type { ObjectKind } from './state/object-kind.js';
import { VersionedObjects, type ObjectOf, type VersionOf } from './state/versioned.js';

export type { DecodedCommit, MemberState, Rejection } from './access/authorize.js';
export type { EpochInfo } from './access/keyring.js';
export { GENESIS_ADMIN } from './access/authorize.js';
export { latestVersion, type SecretObject, type SecretVersion } from './secrets/state.js';
export { objectId, bodyAd, valueAd } from './state/values.js';
export { keyCommitment };

export class VaultCore {
  readonly vaultId: string;
  readonly vaultIdBytes: Uint8Array;
  readonly decoded = new Map<string, DecodedCommit>();
  readonly keyring: Keyring;
  readonly authorizer: Authorizer;
  state = new VaultState();
  /** Highest sequence number per author over the whole graph. */
  readonly lastSeq = new Map<string, number>();
  /** Bodies this member decrypted and validated before (profile cache, cache/body-cache.ts). */
  cachedBodies: Map<string, string> | undefined;
  /** Bodies decrypted during this build that the cache lacks: [commit id, canonical JSON]. */
  readonly newBodies: [string, string][] = [];
  /** Built by a warm open (fromSnapshot). */
  private fromWarmSnapshot = false;

  constructor(
    readonly graph: Graph,
    readonly me: MemberIdentity,
  ) {
    this.vaultId = graph.vaultId;
    this.vaultIdBytes = Buffer.from(graph.vaultId, 'hex');
    this.keyring = new Keyring(
      this.vaultIdBytes,
      me,
      (info, scope) => this.scopeRecord(info, scope),
      (info, scope) => this.wrapHint(info, scope),
    );
    this.authorizer = new Authorizer({ graph, decoded: this.decoded, epochs: this.keyring.epochs, decodeBody: (d) => this.decodeBody(d) });
  }

  get myKey(): string {
    return toB64u(this.me.signPub);
  }

  /**
   * Runs every step over the whole graph. `previous`: a core of the same vault whose bodies
   * (decoded and validated) and scope keys are taken over rather than decrypted again.
   */
  build(previous?: VaultCore): void {
    if (previous) this.keyring.takeKeysFrom(previous.keyring);
    for (const c of this.graph.commits) this.registerCommit(c, previous);
    this.authorizer.authorizeAll();
    this.fold();
  }

  /**
   * The state of a warm open (cache/snapshot.ts): the snapshot's decisions and folded
   * state for its prefix, then the commits after it decided and folded one by one.
   * Undefined when they are not simply later (the caller takes the full path).
   */
  static fromSnapshot(graph: Graph, me: MemberIdentity, snap: Snapshot): VaultCore | undefined {
    const core = new VaultCore(graph, me);
    core.fromWarmSnapshot = true;
    restoreSnapshot(core, snap);
    const added = graph.commits.slice(snap.json.commits.length);
    if (added.length === 0) {
      core.state.settle();
      return core;
    }
    // Every new commit must follow every commit of the prefix: then it comes after them in
    // every order, and deciding and folding it last equals the full build.
    const prefixHeads = new Set(snap.json.commits.filter((row) => !row[8]).map((row) => row[0]));
    const reach = new Map<string, Set<string>>();
    for (const c of added) {
      const r = new Set<string>();
      for (const p of c.parents) {
        if (prefixHeads.has(p)) r.add(p);
        else for (const x of reach.get(p) ?? []) r.add(x);
      }
      if (r.size !== prefixHeads.size) return undefined;
      reach.set(c.id, r);
    }
    for (const c of added) core.registerCommit(c);
    const order = canonicalOrder(added.map((c) => ({ id: c.id, parents: c.parents.filter((p) => reach.has(p)) })), (a, b) => a.id < b.id);
    const decided = order.map((x) => core.decoded.get(x.id)!);
    for (const d of decided) {
      if (d.p.newEpoch) return undefined;
      core.authorizer.decideNext(d);
      if (d.body?.records.some(isMembershipRecord)) return undefined;
    }
    // Every new commit follows the prefix: folding them after it equals a full fold.
    core.state.applyInOrder(decided, core.accepted);
    core.state.settle();
    return core;
  }

  /**
   * A cold open from the newest checkpoint (state/checkpoint.ts): every epoch commit is
   * replayed, the data commits it covers take its decisions and state, the commits
   * after it are decided and folded. Undefined when there is none this member can
   * use (the caller takes the full path); `replayed` lists the commits whose
   * signatures must still be checked.
   */
  static fromCheckpoint(
    graph: Graph,
    me: MemberIdentity,
    warn?: (m: string) => void,
    /** Receives the core that looked, when the file has no checkpoint: the full path reuses what it read (build's `previous`). */
    noCheckpoint?: (probe: VaultCore) => void,
  ): { core: VaultCore; replayed: Set<string> } | undefined {
    const core = new VaultCore(graph, me);
    for (const c of graph.commits) core.registerCommit(c);
    const found = findCheckpoint(core);
    if (!found) {
      noCheckpoint?.(core);
      return undefined;
    }
    const ancestors = core.authorizer.ancestorsOf(found.d.c.id);
    const why = checkCoverage(graph, found.d, found.record, ancestors);
    const content = why ? undefined : readCheckpoint(core, found.d, found.record);
    if (!content) {
      warn?.(`Checkpoint ${found.d.c.id.slice(0, 12)} was not used: ${why ?? 'its state does not decrypt'}; every commit was read instead.`);
      return undefined;
    }
    const covered = new Set(ancestors);
    covered.delete(found.d.c.id);
    covered.delete(graph.genesis.id);
    const rejected = new Map(found.record.rejected.map((r) => [r.id, r.reason]));
    const preset = new Map<string, string | undefined>();
    for (const id of covered) if (!(graph.byId.get(id)!.payload as CommitPayload).newEpoch) preset.set(id, rejected.get(id));
    // Bodies for the covered data commits only: every epoch commit is decrypted and checked.
    try {
      applyCheckpoint(core, content, new Set(preset.keys()));
    } catch (e) {
      // Content of the wrong shape: the checkpoint is unusable, the vault is not.
      if (!(e instanceof TypeError || e instanceof RangeError)) throw e;
      warn?.(`Checkpoint ${found.d.c.id.slice(0, 12)} was not used: its state is not readable; every commit was read instead.`);
      return undefined;
    }
    for (const id of covered) {
      const d = core.decoded.get(id);
      if (d && preset.has(id) && d.body) d.partial = true;
    }
    core.authorizer.preset = preset;
    core.authorizer.authorizeAll();
    core.authorizer.preset = undefined;
    // Only an accepted checkpoint counts: its author held vault/checkpoint at that point (C5).
    if (!core.accepted.has(found.d.c.id)) {
      warn?.(`Checkpoint ${found.d.c.id.slice(0, 12)} was not used: it was rejected; every commit was read instead.`);
      return undefined;
    }
    // The checkpoint's own records (purges at the end of retention, its clock) and the commits after it,
    // on the state it carries (they all follow it: checkCoverage).
    const later = graph.commits.filter((c) => c.id === found.d.c.id || !ancestors.has(c.id)).map((c) => core.decoded.get(c.id)!);
    core.state.applyInOrder(later, core.accepted);
    core.state.settle();
    const replayed = new Set(graph.commits.map((c) => c.id).filter((id) => !preset.has(id)));
    for (const id of graph.slotCommits) replayed.add(id);
    return { core, replayed };
  }

  registerCommit(c: GraphCommit, previous?: VaultCore): void {
    if (c.seq > (this.lastSeq.get(c.author) ?? -1)) this.lastSeq.set(c.author, c.seq);
    if (isGenesis(c.payload)) return;
    if (isNewer(c.payload)) {
      // Left unread (FORMAT.md §1): neither applied nor a reason to distrust the rest.
      const problem = `it was written by a newer format (version ${c.payload.v})`;
      this.decoded.set(c.id, { c, p: c.payload as unknown as CommitPayload, body: null, problem });
      return;
    }
    const p = c.payload;
    this.keyring.registerEpoch(c.id, p);
    // A body decoded before is reused, unless a warm snapshot left only part of it.
    const old = previous?.decoded.get(c.id);
    this.decoded.set(c.id, old && !old.partial ? { ...old } : { c, p, body: null });
  }

  // ------------------------------------------------------------ bodies

  /**
   * Decrypts and validates a commit's body once. A body cached in the profile is
   * validated like a fresh one: the cache saves the decryption, never a check.
   */
  decodeBody(d: DecodedCommit): void {
    if (d.body || d.problem) return;
    const { p } = d;
    const cached = this.cachedBodies?.get(d.c.id);
    if (cached !== undefined) {
      this.acceptBody(d, cached, false);
      if (d.body) return;
      delete d.problem; // a cached body that no longer validates is decrypted again
    }
    const meta = this.keyring.scopeKey(p.epoch, 'meta');
    if (!meta) {
      d.problem = 'this member cannot read the epoch it was written under';
      return;
    }
    const author = fromB64u(p.author);
    const key = unwrapCommitKey(meta.priv, meta.pub, p.key, commitKeyContext(this.vaultIdBytes, p.epoch, 'meta', author, p.seq), this.keyring.shared, meta.agree);
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
      this.acceptBody(d, Buffer.from(plain).toString('utf8'), true);
    } catch (e) {
      if (isDecryptionFailed(e)) d.problem = 'its body does not decrypt';
      else throw e;
    } finally {
      wipe(key);
    }
  }

  private acceptBody(d: DecodedCommit, text: string, fresh: boolean): void {
    let raw: unknown;
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
    const body = validateBody(raw, d.p.blobs?.length ?? 0, d.p.v);
    if (typeof body === 'string') {
      d.problem = body;
      return;
    }
    d.body = body;
    if (fresh) this.newBodies.push([d.c.id, text]);
  }

  /**
   * This member's place among the wraps of `scope` in epoch `info` as its writer made them
   * (commit-builder.ts: the members after the commit, in membership order, who read the
   * scope). Before the body is read (`meta`), the members before the commit stand in.
   */
  private wrapHint(info: EpochInfo, scope: Scope): number | undefined {
    const d = this.decoded.get(info.commitId);
    if (!d) return undefined;
    const before = this.authorizer.membersBefore(d.p);
    const members = d.body ? membersAfter(before, d.body.records) : before;
    let i = 0;
    for (const m of members.values()) {
      if (!m.enc && m.sign !== this.myKey) continue;
      if (!scopesOf(m.roles).has(scope)) continue;
      if (m.sign === this.myKey) return i;
      i++;
    }
    return undefined;
  }

  private scopeRecord(info: EpochInfo, scope: Exclude<Scope, 'meta'>): ScopeKeysJson | undefined {
    const d = this.decoded.get(info.commitId);
    if (!d) return undefined;
    this.decodeBody(d);
    const r = d.body?.records.find((x) => x.t === 'scopes');
    return r && r.t === 'scopes' ? r.scopes[scope] : undefined;
  }

  scopeKey(epoch: string, scope: Scope): { priv: Uint8Array; pub: Uint8Array } | null {
    return this.keyring.scopeKey(epoch, scope);
  }

  scopePub(epoch: string, scope: Scope): Uint8Array | undefined {
    return this.keyring.scopePub(epoch, scope);
  }

  get shared(): Keyring['shared'] {
    return this.keyring.shared;
  }

  get epochs(): Map<string, EpochInfo> {
    return this.keyring.epochs;
  }

  // ------------------------------------------------------ authorization

  get accepted(): Set<string> {
    return this.authorizer.accepted;
  }
  get rejected(): Rejection[] {
    return this.authorizer.rejected;
  }
  get unreadable(): Rejection[] {
    return this.authorizer.unreadable;
  }

  /** An epoch commit this identity cannot read that may be its removal (Authorizer.possibleRemovalOf). */
  possibleRemoval(): string | undefined {
    return this.authorizer.possibleRemovalOf(this.myKey);
  }
  checkAuthorized(d: DecodedCommit): string | undefined {
    return this.authorizer.checkAuthorized(d);
  }
  currentMembers(): Map<string, MemberState> {
    return this.authorizer.currentMembers();
  }
  currentFrontier(): string[] {
    return this.authorizer.currentFrontier();
  }
  acceptedHeads(): string[] {
    return this.authorizer.acceptedHeads();
  }
  epochExposed(epoch: string): boolean {
    return this.authorizer.epochExposed(epoch);
  }
  membersAtCommit(id: string): Map<string, MemberState> {
    return this.authorizer.membersAtCommit(id);
  }
  myRoles(): RoleName[] {
    return this.currentMembers().get(this.myKey)?.roles ?? [];
  }

  /**
   * Adds a commit this member just wrote (already checked with checkAuthorized
   * and durably appended). Its parents are all heads, so applying it last equals a full fold.
   */
  addOwnCommit(c: GraphCommit, d: DecodedCommit): void {
    this.graph.commits.push(c);
    this.graph.byId.set(c.id, c);
    this.graph.heads = [c.id];
    if (d.p.slots) this.graph.slotCommits.push(c.id);
    this.registerCommit(c);
    this.decoded.set(c.id, d);
    this.authorizer.addOwn(c.id, d);
    // Never folded again from the bodies: a warm or checkpointed open holds only part of them.
    this.state.apply(d);
    this.state.settle();
  }

  // ---------------------------------------------------------------- fold

  fold(): void {
    const nodes: DecodedCommit[] = this.graph.commits.map((c) => this.decoded.get(c.id) ?? { c, p: c.payload as CommitPayload, body: null });
    this.state = VaultState.fold(nodes, this.accepted, Math.floor(Date.now() / 1000));
  }

  private get secretsState(): SecretsState {
    return this.state.of(secretsKind);
  }
  /** Live and soft-deleted secrets by name key. */
  get secrets(): Map<string, SecretObject> {
    return this.secretsState.objects;
  }
  /** Deleted secrets past their retention (purged by the next write of a member allowed to purge). */
  /** Keys (Key Vault keys) by name key, live and soft-deleted, with their rotation policies. */
  get keys(): KeysState {
    return this.state.of(keysKind);
  }
  /** The state of every kind whose objects have versions, with its kind. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  private *versionedStates(): Generator<{ kind: ObjectKind<any>; state: VersionedObjects<unknown> }> {
    for (const kind of OBJECT_KINDS) {
      const state: unknown = this.state.of(kind);
      if (state instanceof VersionedObjects) yield { kind, state };
    }
  }
  /** Blobs of purged versions of every kind: a compaction drops their lines (C10). */
  get purgedBlobs(): Set<string> {
    const all = new Set<string>();
    for (const { state } of this.versionedStates()) for (const b of state.purgedBlobs) all.add(b);
    return all;
  }
  /**
   * The purge records that end retention (C10): each deleted object past its scheduled purge
   * date, of each kind whose purge `roles` permit. A write carries them in its own commit.
   */
  expiredPurges(roles: readonly RoleName[]): VaultRecord[] {
    const out: VaultRecord[] = [];
    for (const { kind, state } of this.versionedStates()) {
      if (!kind.versions) continue;
      for (const o of state.expired.values()) {
        // A certificate's key or secret ends with it, under the certificate permission (secrets/records.ts managedFlag).
        const managed = state.isManaged(o);
        if (!permits(roles, (managed ? 'certificates/purge' : `${kind.collection}/purge`) as Permission)) continue;
        out.push(kind.versions.purge(o.name, [...o.order], managed) as VaultRecord);
      }
    }
    return out;
  }
  get retentionDays(): number {
    return this.state.retentionDays;
  }
  get created(): number {
    return this.state.created;
  }
  get maxHlc(): Hlc {
    return this.state.maxHlc;
  }

  /** Versions of every kind whose value line is not in the file (only a repaired file may open with some). */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  lostVersions(): { kind: ObjectKind<any>; name: string; version: string }[] {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    const out: { kind: ObjectKind<any>; name: string; version: string }[] = [];
    // The graph lists every value its commits reference that the file lacks (purged, or
    // lost): without one, no version is missing its value, and nothing is looked up. A warm
    // open's prefix is the snapshot's byte for byte, and its snapshot was taken with every
    // value line present: only what the commits after it changed is looked at.
    const missing = this.graph.missingBlobs;
    if (missing.size === 0) return out;
    for (const { kind, state } of this.versionedStates()) {
      if (!kind.versions) continue;
      for (const { o, version, blob } of state.valueBlobs(this.fromWarmSnapshot)) if (blob !== undefined && missing.has(blob)) out.push({ kind, name: o.name, version });
    }
    return out;
  }

  /** Every live value's blob must be in the file: a missing one is damage, not a purge (V2). */
  checkBlobs(): void {
    const lost = this.lostVersions()[0];
    if (lost) throw corrupted(lostValuePart(lost.kind, lost.name, lost.version), 'the value line is missing from the file');
  }

  // -------------------------------------------------------------- values

  /** Decrypts one version's value (C6: batch key → data key → blob). The caller wipes the result. */
  readValue(o: SecretObject, v: SecretVersion): Uint8Array {
    return this.readKindValue(secretsKind, o, v, 'secret');
  }

  /**
   * One version's value of any kind, sealed under the kind's value scope; `what` names the
   * kind in messages ("key db version 3fa2…"). Forbidden when this member cannot read the scope.
   */
  readKindValue<V>(kind: ObjectKind<unknown>, o: ObjectOf<V>, v: VersionOf<V>, what: string): Uint8Array {
    const dk = this.dataKey(kind, o, v);
    try {
      return openWithDataKey(
        this.vaultIdBytes,
        dk,
        { collection: kind.collection, name: o.name, version: v.version, epoch: v.epoch, scope: kind.valueScope },
        this.graph.blobs.get(v.blob!),
        `${what} ${o.name} version ${v.version}`,
      );
    } finally {
      wipe(dk);
    }
  }

  /**
   * One version's data key (C6): derived from its commit's batch key when this member reads
   * the kind's scope, else from a grant on the object (access/grants.ts). The caller wipes it.
   */
  dataKey<V>(kind: ObjectKind<unknown>, o: ObjectOf<V>, v: VersionOf<V>): Uint8Array {
    const d = this.decoded.get(v.commitId);
    if (!this.keyring.scopeKey(v.epoch, kind.valueScope)) {
      const granted = grantedDataKey(this, kind.collection, o.name, v.version);
      if (granted) return granted;
    }
    const batch = d?.body?.records.find((r) => r.t === 'batch' && r.scope === kind.valueScope);
    if (!d || !batch || batch.t !== 'batch') throw corrupted(`commit ${v.commitId.slice(0, 12)}`, 'the value key is missing');
    const bk = this.keyring.batchKey(v.commitId, d.p, kind.valueScope, batch);
    return deriveDataKey(bk, objectId(this.vaultIdBytes, kind.collection, o.name), v.version);
  }

  wipe(): void {
    this.keyring.wipe();
  }
}

export type { Body };

/** How an open names a version whose value line is missing (merge.ts reads it back for `vault check`). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function lostValuePart(kind: ObjectKind<any>, name: string, version: string): string {
  return `value of ${kind.versions?.word ?? kind.collection} ${name} version ${version}`;
}
