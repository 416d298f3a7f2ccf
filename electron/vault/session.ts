/**
 * An unlocked vault: its state (core.ts), the verified and body caches, the
 * audit log, and the write path — lock, re-read if the file changed underneath,
 * build the commit from the fresh state, append + fsync (V7, C10).
 */
import { grantRoles } from './access/grants.js';
import { open } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import type { ForgetResult, HistoryEntry, HistoryOptions, KdfParams, Keychain, MembersApi, UnlockMethod, Vault, VaultInfo } from './api.js';
import { checkKdfParams, Ed25519Signer, equalBytes, fromB64u, wipe } from './crypto/index.js';
import { CofferError } from './errors.js';
import { canonicalJson, FORMAT_VERSION, headerLine, readFileHeader, type CommitPayload, type SlotJson } from './format/codec.js';
import { prefixGraph, SNAPSHOT_TAIL_BYTES, SNAPSHOT_TAIL_COMMITS, SnapshotFile, takeSnapshot } from './cache/snapshot.js';
import { buildGraph, checkNotCut, extendGraph, hashBlob, verifySignaturesParallel, type Graph, type GraphCommit } from './format/graph.js';
import type { Body } from './format/records.js';
import { memberKeyId, openSlot, sealSlot, wipeIdentity, type MemberIdentity } from './access/identity.js';
import { generateRecoveryKey } from './access/recovery-key.js';
import { forgetRemembered, rememberIdentity, rememberedPath } from './access/remembered.js';
import { UnlockAttempts } from './access/unlock-attempts.js';
import { permits, type Permission } from './access/roles.js';
import { isMembershipRecord } from './access/authorize.js';
import { VaultCore } from './core.js';
import { versionCount, type ObjectOf } from './state/versioned.js';
import { CHECKPOINT_EVERY, checkpointOf } from './state/checkpoint.js';
import { VaultHistory } from './state/history.js';
import { AuditLog } from './audit/log.js';
import { BodyCache } from './cache/body-cache.js';
import { VerifiedCache } from './cache/verified-cache.js';
import { buildCommit, type PendingCommit } from './format/commit-builder.js';
import { mergeGraphs } from './merge/merge.js';
import { SecretsOperations } from './secrets/operations.js';
import { KeysOperations } from './keys/operations.js';
import { CertificatesOperations } from './certificates/operations.js';
import { CertificateAuthorities } from './certificates/authorities.js';
import { MembersOperations } from './access/members.js';
import { appendToVaultFile, readVaultFile, replaceVaultFile } from './store/vault-file.js';
import { vaultLockPath, withFileLock } from './store/lock.js';
import { backupBeforeRewrite } from './store/backups.js';

export class VaultSession implements Vault {
  core!: VaultCore;
  private bytesSize = 0;
  /** What the file looked like when we last read or wrote it: a change means another writer. */
  private stamp: FileStamp | undefined;
  /**
   * Commits this computer accepted before that the file lacks (another git branch, a
   * restored backup, a partial copy: VAULT-MODEL V2). The copy opens with a warning;
   * writing is refused only when they change membership, roles or key epochs.
   */
  lacking: LackingCommits | undefined;
  /** Set only by repair: open although some value lines are missing, to record their loss. */
  allowMissingValues = false;
  /** Purged values still have lines in the file: rewrite it after this write (C10). */
  needsCompaction = false;
  private cache!: VerifiedCache;
  private snapshots!: SnapshotFile;
  /** Whether the last load took the warm path (the snapshot and the commits after it). */
  loadedWarm = false;
  /** Whether the last load was a cold open from a checkpoint. */
  loadedFromCheckpoint = false;
  private bodyCache!: BodyCache;
  private auditLog!: AuditLog;
  private auditSigner: Ed25519Signer | undefined;
  /** Writes in the background: audit records (list operations are synchronous) and the warm snapshot. */
  private readonly pending = new Set<Promise<void>>();
  /** A failed audit write was reported (auditBehind): once per session is enough. */
  private auditFailureSaid = false;
  /**
   * The warm snapshot this session's load owes (saveSnapshot): taken when the session closes,
   * or before it first changes the state, so the open does not wait for it.
   */
  private owedSnapshot: { core: VaultCore; data: Uint8Array } | undefined;
  readonly secrets: SecretsOperations;
  readonly keys: KeysOperations;
  readonly certificates: CertificatesOperations;
  readonly cas: CertificateAuthorities;
  readonly members: MembersApi;
  /** What each commit did, read once per commit (state/history.ts). */
  private readonly historyLog = new VaultHistory(() => this.core);
  private closed = false;

  constructor(
    readonly path: string,
    readonly profileDir: string,
    private readonly me: MemberIdentity,
    private kdf: { memoryKiB: number; iterations: number; parallelism: number },
    readonly unlockedWith: UnlockMethod,
    private readonly onWarning?: (m: string) => void,
  ) {
    this.secrets = new SecretsOperations(this);
    this.keys = new KeysOperations(this);
    this.cas = new CertificateAuthorities(this);
    this.certificates = new CertificatesOperations(this, this.cas);
    this.members = new MembersOperations(this);
  }

  /** This member's current slots: those of their last commit that has slots (FORMAT.md §6.2). */
  private mySlots(): SlotJson[] {
    const g = this.core.graph;
    // Only the few commits that carry slots are looked at (their payloads are parsed; others stay unread).
    for (let i = g.slotCommits.length - 1; i >= 0; i--) {
      const c = g.byId.get(g.slotCommits[i]!)!;
      if (c.author === this.core.myKey) return (c.payload as CommitPayload).slots!;
    }
    return [];
  }

  /** Writes a new slot list for this member (it replaces their earlier one). */
  private async writeSlots(slots: SlotJson[]): Promise<void> {
    await this.write(() => ({ pending: { records: [], slots }, result: () => undefined }));
  }

  async verifyPassphrase(passphrase: Uint8Array): Promise<void> {
    const attempts = new UnlockAttempts(this.profileDir, this.core.vaultId);
    await attempts.waitTurn();
    for (const s of this.mySlots().filter((x) => x.use === undefined)) {
      try {
        const id = await openSlot(s, passphrase, this.core.vaultIdBytes);
        const same = equalBytes(id.signPub, this.me.signPub);
        wipeIdentity(id);
        if (same) {
          // The right passphrase: like an unlock, it ends the run of failures.
          await this.settleFailedUnlocks(attempts);
          return;
        }
      } catch (e) {
        if (!(e instanceof CofferError) || (e.code !== 'WrongPassphrase' && e.code !== 'LimitExceeded')) throw e;
      }
    }
    await this.audit('VaultUnlockFailed', 'error', { code: 'WrongPassphrase' }).catch(() => undefined);
    throw await attempts.wrongGuess('The passphrase is wrong.', true);
  }

  /**
   * Failures since the last unlock go into the signed audit log, with their own times
   * (access/unlock-attempts.ts). Best effort: the unlock stands if the log cannot be written.
   */
  async settleFailedUnlocks(attempts: UnlockAttempts): Promise<void> {
    await attempts.settle((f) => this.audit('VaultUnlockFailed', 'error', { code: f.code }, f.time)).catch(() => undefined);
  }

  async changePassphrase(passphrase: Uint8Array, kdf?: KdfParams, options: { current?: Uint8Array } = {}): Promise<void> {
    const params = kdf ?? this.kdf;
    const { warnings } = checkKdfParams(params);
    if (options.current) await this.verifyPassphrase(options.current);
    for (const w of warnings) this.onWarning?.(w);
    const slot = await sealSlot(this.me, passphrase, params, this.core.vaultIdBytes);
    // The recovery key stays valid: its slot is carried into the new list.
    await this.writeSlots([slot, ...this.mySlots().filter((s) => s.use === 'recovery')]);
    this.kdf = params;
    await this.audit('VaultPassphraseChange', 'ok');
  }

  async createRecoveryKey(): Promise<string> {
    const key = generateRecoveryKey();
    try {
      const slot = await sealSlot(this.me, key.bytes, this.kdf, this.core.vaultIdBytes, 'recovery');
      await this.writeSlots([...this.mySlots().filter((s) => s.use === undefined), slot]);
    } finally {
      wipe(key.bytes);
    }
    await this.audit('VaultRecoveryKeyCreate', 'ok');
    return key.text;
  }

  async removeRecoveryKey(): Promise<void> {
    const slots = this.mySlots();
    const kept = slots.filter((s) => s.use === undefined);
    if (kept.length === slots.length) throw new CofferError('NotFound', 'This vault has no recovery key for you.');
    if (kept.length === 0) {
      // Only a recovery slot (opened by identity): removing it would leave no way back in.
      throw new CofferError('Conflict', 'Set a passphrase before removing the recovery key: it is your only way to unlock.');
    }
    await this.writeSlots(kept);
    await this.audit('VaultRecoveryKeyRemove', 'ok');
  }

  async remember(keychain: Keychain): Promise<void> {
    if (this.closed) throw new CofferError('VaultLocked', 'The vault is closed.');
    await rememberIdentity(this.profileDir, this.core.vaultId, this.me, keychain);
    await this.audit('VaultRemember', 'ok');
  }

  async forget(keychain: Keychain): Promise<ForgetResult> {
    const r = await forgetRemembered(this.profileDir, this.core.vaultId, keychain);
    if (r.forgotten) await this.audit('VaultForget', 'ok');
    return r;
  }

  get id(): string {
    return this.core.vaultId.slice(0, 32);
  }

  /** Reads (or re-reads) the file and rebuilds the state. `sha256`: of `bytes`, if the reader hashed them. */
  async load(bytes?: Uint8Array, graph?: Graph, acceptRollback = false, sha256?: string): Promise<void> {
    let data = bytes ?? (await readVaultFile(this.path));
    const first = !this.core;
    let signatures: Promise<void> = Promise.resolve();
    let probe: VaultCore | undefined;
    if (first) {
      const vaultId = graph?.vaultId ?? readFileHeader(data).vaultId;
      this.cache = new VerifiedCache(this.profileDir, vaultId, this.me);
      await this.cache.load();
      this.bodyCache = new BodyCache(this.profileDir, vaultId, this.me);
      this.snapshots = new SnapshotFile(this.profileDir, vaultId, this.me);
      // The audit signer holds its own key object: records still being written when the
      // vault closes (and its identity buffers are wiped) are signed correctly.
      this.auditSigner = new Ed25519Signer(this.me.signSeed);
      const signer = this.auditSigner;
      this.auditLog = new AuditLog(this.profileDir, vaultId.slice(0, 32), { publicKey: signer.publicKey, sign: (m) => signer.sign(m) });
      // A warm open (C11): the snapshot's prefix is trusted, only the commits after it are read.
      if (!acceptRollback && !graph && (await this.warmLoad(data, sha256))) return;
      await this.bodyCache.load();
      const g0 = graph ?? buildGraph(data, { deferSignatures: true, deferLargeHashes: true });
      checkNotCut(g0);
      // A computer that never opened the vault starts from its newest checkpoint (C11).
      if (!acceptRollback && this.cache.verified.size === 0 && (await this.coldFromCheckpoint(data, g0, (p) => (probe = p)))) return;
      // Signatures of commits this computer has not verified before (C11: a warm open checks only new ones).
      // Queued on the thread pool now, awaited after the bodies are decrypted (below).
      signatures = verifySignaturesParallel(g0, this.cache.verified);
      signatures.catch(() => undefined); // awaited below; never an unhandled rejection
      graph = g0;
    }
    let g = graph && !first ? graph : graph ?? buildGraph(data, { trusted: this.cache.verified });
    if (!first && g.vaultId !== this.core.vaultId) throw new CofferError('Conflict', 'The vault file was replaced by another vault.');
    // Rollback (C11, V2): every commit accepted here before must still be in the file.
    let missing = this.cache.ids().filter((id) => !g.byId.has(id));
    // An altered commit has a new id, so it looks missing: report damage as damage first.
    if (missing.length > 0) await signatures;
    if (missing.length > 0 && first) {
      // The file was read before the unlock; another process using this profile may have
      // saved (and cached) since. Read it again under the vault's lock before judging.
      data = await withFileLock(vaultLockPath(this.path), () => readVaultFile(this.path));
      g = buildGraph(data, { trusted: this.cache.verified });
      missing = this.cache.ids().filter((id) => !g.byId.has(id));
    }
    if (missing.length > 0 && acceptRollback) {
      // The older copy is intended: forget the commits it lacks.
      await this.cache.reset();
      await this.bodyCache.reset();
      missing = [];
    }
    const core = new VaultCore(g, this.me);
    core.cachedBodies = this.bodyCache.bodies;
    // What the search for a checkpoint decrypted (every epoch commit's body, their meta keys) is not decrypted again.
    core.build(this.core ?? (probe?.graph === g ? probe : undefined));
    probe?.wipe();
    // Nothing built from an unverified commit is used before every signature checked out.
    await signatures;
    await this.adopt(core, data, missing, [...core.accepted].map((id) => g.byId.get(id)!), true);
    if (missing.length === 0) this.saveSnapshot(core, data);
  }

  /**
   * The warm path: the snapshot whose prefix is this file's, then only the commits after
   * it. False (nothing changed) when the full path is needed: no snapshot, a prefix that
   * differs, commits that lack, or new commits that are not simply later.
   */
  private async warmLoad(data: Uint8Array, sha256?: string): Promise<boolean> {
    const snap = await this.snapshots.read(data, sha256);
    if (!snap) return false;
    const g = extendGraph(data, prefixGraph(snap, data), { trusted: this.cache.verified });
    if (!g || this.cache.ids().some((id) => !g.byId.has(id))) return false;
    const core = VaultCore.fromSnapshot(g, this.me, snap);
    if (!core) return false;
    const added = g.commits.slice(snap.json.commits.length);
    await this.adopt(core, data, [], added.filter((c) => core.accepted.has(c.id)));
    this.loadedWarm = true;
    if (added.length > SNAPSHOT_TAIL_COMMITS || data.length - snap.json.prefix.length > SNAPSHOT_TAIL_BYTES) this.saveSnapshot(core, data);
    return true;
  }

  /** The cold path from a checkpoint (state/checkpoint.ts); false when there is none to use. */
  private async coldFromCheckpoint(data: Uint8Array, g: Graph, noCheckpoint: (probe: VaultCore) => void): Promise<boolean> {
    const from = VaultCore.fromCheckpoint(g, this.me, (m) => this.onWarning?.(m), noCheckpoint);
    if (!from) return false;
    // Signatures of what was replayed (epoch and slot commits, the checkpoint, the commits after it).
    await verifySignaturesParallel(g, this.cache.verified, from.replayed);
    const core = from.core;
    await this.adopt(core, data, [], [...core.accepted].map((id) => g.byId.get(id)!));
    this.loadedFromCheckpoint = true;
    this.saveSnapshot(core, data);
    return true;
  }

  /**
   * The next open on this computer starts from here (cache/snapshot.ts). Owed, not taken: on a
   * large vault taking it costs as much as the open, and the user is waiting for the open.
   */
  private saveSnapshot(core: VaultCore, data: Uint8Array): void {
    // A warm open trusts the snapshot's value lines to be present (FORMAT.md §12.7): none of a state missing some.
    if (!this.allowMissingValues) this.owedSnapshot = { core, data };
  }

  /** Takes the owed snapshot while the state is still the one it describes; written in the background. Best effort: the open stands without it. */
  private payOwedSnapshot(): void {
    const owed = this.owedSnapshot;
    this.owedSnapshot = undefined;
    if (!owed || owed.core !== this.core) return;
    let write: Promise<void>;
    try {
      // Sealed before this returns (SnapshotFile.write): the key may be wiped next.
      write = this.snapshots.write(takeSnapshot(owed.core, owed.data)).catch(() => undefined);
    } catch {
      return;
    }
    this.pending.add(write);
    void write.finally(() => this.pending.delete(write));
  }

  /**
   * Writes a checkpoint of everything this member holds (an Administrator's commit, C11), so
   * a cold open on another computer reads the commits after it only. Returns how many it covers.
   */
  async checkpoint(): Promise<{ commits: number }> {
    this.require('vault/checkpoint');
    const r = await this.write((core) => {
      const { record, content } = checkpointOf(core);
      return { pending: { records: [record], newEpoch: true, checkpointState: content }, result: () => ({ commits: record.count }) };
    });
    await this.audit('VaultCheckpoint', 'ok');
    return r;
  }

  /** Whether the history since the last checkpoint is long enough for an Administrator's write to add one. */
  private checkpointDue(): boolean {
    const commits = this.core.graph.commits;
    if (commits.length < CHECKPOINT_EVERY || !permits(this.core.myRoles(), 'vault/checkpoint')) return false;
    for (let i = commits.length - 1; i >= commits.length - CHECKPOINT_EVERY; i--) {
      if (this.core.decoded.get(commits[i]!.id)?.body?.records.some((r) => r.t === 'checkpoint')) return false;
    }
    return true;
  }

  /**
   * Makes `core` this session's state, with the warnings it calls for; remembers `accepted`
   * as seen here and the bodies it decrypted (a later copy lacking them is judged by them).
   */
  private async adopt(core: VaultCore, data: Uint8Array, missing: string[], accepted: GraphCommit[], compactBodies = false): Promise<void> {
    const g = core.graph;
    if (!core.currentMembers().has(core.myKey)) throw new CofferError('Forbidden', 'This identity is not a member of the vault.', { innerCode: 'ForbiddenByRbac' });
    if (!this.allowMissingValues) core.checkBlobs();
    if (this.core && this.core !== core) this.core.wipe();
    if (this.owedSnapshot?.core !== core) this.owedSnapshot = undefined;
    this.core = core;
    this.lacking = missing.length > 0 ? describeLacking(missing, this.bodyCache.bodies) : undefined;
    if (this.lacking) this.onWarning?.(this.lacking.warning);
    this.bytesSize = data.length;
    this.stamp = await fileStamp(this.path);
    if (g.newerFormat) this.onWarning?.(newerFormatMessage(g));
    if (g.interruptedSave) this.onWarning?.('The vault file ends with an interrupted save; it will be dropped on the next save.');
    for (const r of core.rejected.slice(0, 5)) this.onWarning?.(`Commit ${r.id.slice(0, 12)} was rejected: ${r.reason}.`);
    if (core.unreadable.length > 0) {
      this.onWarning?.(
        `${core.unreadable.length} commit(s) are written under key epochs this identity cannot read: it was removed, or its roles were lowered. What is shown is the state before them.`,
      );
    }
    await this.cache.add(accepted);
    await this.bodyCache.add(core.newBodies.splice(0), compactBodies);
  }

  info(): VaultInfo {
    const c = this.core;
    const secrets = countObjects(c.secrets.values());
    const keys = countObjects(c.keys.objects.values());
    return {
      id: this.id,
      formatVersion: c.graph.formatVersion,
      path: this.path,
      retentionDays: c.retentionDays,
      kdf: this.kdf,
      counts: {
        secrets: secrets.live,
        secretVersions: secrets.versions,
        deletedSecrets: secrets.deleted,
        keys: keys.live,
        keyVersions: keys.versions,
        deletedKeys: keys.deleted,
        commits: c.graph.commits.length,
        members: c.currentMembers().size,
      },
      roles: c.myRoles(),
      memberId: memberKeyId(this.me.signPub),
      unlockedWith: this.unlockedWith,
      remembered: existsSync(rememberedPath(this.profileDir, c.vaultId)),
      recoveryKey: this.mySlots().some((s) => s.use === 'recovery'),
      rejectedCommits: [...c.rejected, ...c.unreadable.filter((u) => c.myRoles().length > 0 && !u.reason.includes('cannot read'))],
      lacking: this.lacking ? { commits: this.lacking.ids.length, writable: !this.lacking.membership, message: this.lacking.warning } : null,
      removal: this.removal(),
    };
  }

  /** The commit that most likely removed this identity, and who wrote it (by name while they are a member). */
  private removal(): VaultInfo['removal'] {
    const commit = this.core.possibleRemoval();
    const author = commit ? this.core.graph.byId.get(commit)?.author : undefined;
    if (!commit || !author) return null;
    return { commit, by: this.core.currentMembers().get(author)?.name || memberKeyId(author) };
  }

  warn(message: string): void {
    this.onWarning?.(message);
  }

  /** `on`: the object acted on, whose grants (a role at its scope, access/grants.ts) count too. */
  require(p: Permission, on?: { collection: string; name: string }): void {
    if (on && permits(grantRoles(this.core, this.core.myKey, on.collection, on.name), p)) return;
    if (!permits(this.core.myRoles(), p)) {
      throw new CofferError('Forbidden', `Caller is not authorized to perform this action (${p}) on this vault.`, { innerCode: 'ForbiddenByRbac' });
    }
  }

  /** `time`: when it happened, if not now (failed unlocks are logged at the next unlock). */
  async audit(op: string, result: 'ok' | 'error', extra: { object?: string; version?: string; code?: string } = {}, time?: string): Promise<void> {
    const p = this.auditLog.append({ op, result, ...extra }, time === undefined ? {} : { time });
    this.pending.add(p);
    try {
      await p;
    } finally {
      this.pending.delete(p);
    }
  }

  /**
   * Records an operation without waiting for the record's fsync: it is queued
   * in order (audit/log.ts writes queued records in batches) and settled()
   * and close() wait for it. A record that cannot be written is said once
   * per session as a warning, never as the operation's error.
   */
  auditBehind(op: string, result: 'ok' | 'error', extra: { object?: string; version?: string; code?: string } = {}): void {
    this.audit(op, result, extra).catch((e: unknown) => {
      if (this.auditFailureSaid) return;
      this.auditFailureSaid = true;
      this.onWarning?.(`Operations are not being recorded in the audit log: ${e instanceof CofferError ? e.message : 'unknown error'}`);
    });
  }

  /** Resolves when every background write started so far (audit records, the warm snapshot) is done. */
  async settled(): Promise<void> {
    await Promise.allSettled([...this.pending]);
  }

  /**
   * One write: lock, re-read if the file changed, build the commit from the
   * fresh state, append + fsync, update memory. `build` may throw (Conflict,
   * NotFound...) and then nothing is written.
   */
  async write<T>(build: (core: VaultCore) => { pending: PendingCommit; result: (core: VaultCore) => T }): Promise<T> {
    if (this.closed) throw new CofferError('VaultLocked', 'The vault is closed.');
    const out = await this.writeLocked(build);
    if (this.needsCompaction) {
      this.needsCompaction = false;
      await this.compactPurged();
    }
    // The app and the CLI keep cold opens short: an Administrator's write adds a checkpoint
    // when the history since the last one is long (best effort: the write itself stood).
    if (this.checkpointDue()) await this.checkpoint().catch((e: unknown) => this.onWarning?.(`No checkpoint was written: ${e instanceof Error ? e.message : 'error'}.`));
    return out;
  }

  private writeLocked<T>(build: (core: VaultCore) => { pending: PendingCommit; result: (core: VaultCore) => T }): Promise<T> {
    return withFileLock(vaultLockPath(this.path), async () => {
      for (let attempt = 0; attempt < 5; attempt++) {
        // Another writer (app, CLI, git, a sync tool) changed the file: read and verify its
        // commits first, so the new commit's parents include them (V7). A stat is enough to
        // tell: saving stays proportional to the change, not to the vault.
        // The stamp includes the file's last bytes: a same-size, same-mtime rewrite in place
        // (coarse-mtime file systems, rsync --inplace -t) is still noticed.
        await this.reloadIfChanged();
        // Before the state changes: the owed snapshot describes the state as read.
        this.payOwedSnapshot();
        if (this.lacking?.membership) throw this.lacking.refusal();
        // What the readers refuse, no writer writes: after a removal this identity cannot read, they reject its commits (V4).
        const removal = this.core.possibleRemoval();
        if (removal) {
          const left = this.core.graph.byId.get(removal)?.author === this.core.myKey;
          throw new CofferError(
            'Forbidden',
            left
              ? `This identity left this vault by its own commit ${removal.slice(0, 12)}: it can no longer write to it. Ask an Administrator of the vault to add it again.`
              : `This identity can no longer write to this vault: commit ${removal.slice(0, 12)}, written by an Administrator who may remove it, is under a key epoch it cannot read, so it was most likely removed. Ask an Administrator of the vault.`,
            { innerCode: 'ForbiddenByRbac' },
          );
        }
        if (this.core.graph.newerFormat) throw new CofferError('Forbidden', newerFormatMessage(this.core.graph), { innerCode: 'NewerFormat' });
        const { pending, result } = build(this.core);
        // End of retention: purge what expired, in this same commit, when this member may purge.
        const expired = this.core.expiredPurges(this.core.myRoles());
        pending.records.unshift(...expired);
        const built = buildCommit(this.core, pending);
        const reason = this.core.checkAuthorized(built.decoded);
        if (reason) throw new CofferError('Forbidden', `This change is not allowed: ${reason}.`, { innerCode: 'ForbiddenByRbac' });
        const status =
          this.core.graph.formatVersion < FORMAT_VERSION
            ? await this.upgradeWith(built.text)
            : await appendToVaultFile(this.path, Buffer.from(built.text), { expectedSize: this.bytesSize, truncateTo: this.core.graph.truncateTo });
        if (status === 'changed') continue;
        const newSize = this.core.graph.truncateTo + Buffer.byteLength(built.text);
        for (const [h, b] of built.blobs) this.core.graph.blobs.set(h, { bytes: b, line: 0 });
        this.core.graph.truncateTo = newSize;
        this.core.graph.validLength = newSize;
        this.core.graph.interruptedSave = false;
        this.core.addOwnCommit(built.commit, built.decoded);
        this.bytesSize = newSize;
        this.stamp = await fileStamp(this.path);
        await this.cache.add([built.commit]);
        await this.bodyCache.add([[built.commit.id, canonicalJson(built.decoded.body)]]);
        if (expired.length > 0) this.needsCompaction = true;
        return result(this.core);
      }
      throw new CofferError('Conflict', 'The vault file keeps changing underneath; try again.');
    });
  }

  /**
   * The first write to a file of an older format upgrades it (FORMAT.md §1): one
   * atomic rewrite with the new header, every line kept, and the new commit. The
   * headers have one length, so every byte offset stays where it was.
   */
  private async upgradeWith(text: string): Promise<'appended' | 'changed'> {
    const current = await readVaultFile(this.path);
    if (current.length !== this.bytesSize) return 'changed';
    const header = headerLine(this.core.vaultId);
    const rest = current.subarray(current.indexOf(0x0a) + 1, this.core.graph.truncateTo);
    await replaceVaultFile(this.path, Buffer.concat([Buffer.from(header), rest, Buffer.from(text)]));
    this.onWarning?.(`The vault file was upgraded from format version ${this.core.graph.formatVersion} to ${FORMAT_VERSION}: Coffer versions that read only version ${this.core.graph.formatVersion} can no longer open it.`);
    this.core.graph.formatVersion = FORMAT_VERSION;
    return 'appended';
  }

  /** Re-reads the file if another writer changed it since this session last read or wrote it (the caller holds the vault's lock). */
  private async reloadIfChanged(): Promise<boolean> {
    const st = await fileStamp(this.path);
    if (sameStamp(st, this.stamp) && st.size === this.bytesSize) return false;
    await this.reloadChanged();
    return true;
  }

  history(options?: HistoryOptions): HistoryEntry[] {
    if (this.closed) throw new CofferError('VaultLocked', 'The vault is closed.');
    return this.historyLog.list(options);
  }

  /**
   * Takes in what other writers (another member, the CLI, git, a sync tool) added to the
   * file, without a relock: read under the vault's lock and verified exactly as a write
   * re-reads a changed file (rollback, lacking copies, rejected commits reported), then
   * the new commits described as history() describes them.
   */
  async refresh(): Promise<{ changed: boolean; commits: HistoryEntry[] }> {
    if (this.closed) throw new CofferError('VaultLocked', 'The vault is closed.');
    return withFileLock(vaultLockPath(this.path), async () => {
      if (this.closed) throw new CofferError('VaultLocked', 'The vault is closed.');
      const before = new Set(this.core.graph.byId.keys());
      if (!(await this.reloadIfChanged())) return { changed: false, commits: [] };
      const added = this.core.graph.commits.filter((c) => !before.has(c.id)).map((c) => c.id);
      return { changed: added.length > 0, commits: this.historyLog.entries(added) };
    });
  }

  /**
   * The file changed underneath. Appends by other writers are read and verified. A file
   * replaced by a copy that lacks commits we hold (a sync tool swapping in another copy)
   * gets them back: the union is written (C10: "if the file changed underneath them, merge").
   */
  private async reloadChanged(): Promise<void> {
    const current = await readVaultFile(this.path);
    const g = buildGraph(current, { trusted: this.cache.verified });
    if (g.vaultId !== this.core.vaultId) throw new CofferError('Conflict', 'The vault file was replaced by another vault.');
    const lacking = this.core.graph.commits.some((c) => !g.byId.has(c.id));
    if (!lacking) {
      await this.load(current, g);
      return;
    }
    const union = mergeGraphs(g, this.core.graph);
    await backupBeforeRewrite(this.path, this.profileDir, this.core.vaultId);
    await replaceVaultFile(this.path, Buffer.from(union.text));
    const merged = await readVaultFile(this.path);
    await this.load(merged, buildGraph(merged, { trusted: this.cache.verified }));
    this.onWarning?.(`The vault file was replaced by a copy lacking ${union.commits - g.commits.length} commit(s) held here; they were merged back.`);
  }

  /** Rewrites the file without the blob lines of purged versions (C10: temp file, fsync, rename). */
  async compactPurged(): Promise<void> {
    await withFileLock(vaultLockPath(this.path), async () => {
      const bytes = await readVaultFile(this.path);
      const text = bytes.toString('latin1');
      const drop = this.core.purgedBlobs;
      if (drop.size === 0) return;
      const kept: string[] = [];
      let dropped = 0;
      for (const line of text.split('\n')) {
        if (line.startsWith('B ')) {
          const h = hashBlob(fromB64u(line.slice(2)));
          if (drop.has(h)) {
            dropped++;
            continue;
          }
        }
        kept.push(line);
      }
      if (dropped === 0) return;
      await replaceVaultFile(this.path, Buffer.from(kept.join('\n'), 'latin1'));
      await this.load();
    });
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.payOwedSnapshot();
    this.keys.recent.close();
    this.core?.wipe();
    this.cache?.wipe();
    this.bodyCache?.wipe();
    this.snapshots?.wipe();
    wipeIdentity(this.me);
    const signer = this.auditSigner;
    void this.settled().then(() => signer?.dispose());
  }
}

function newerFormatMessage(g: Graph): string {
  return `A newer Coffer (format version ${Math.max(g.formatVersion, FORMAT_VERSION + 1)}) wrote this vault: what this version knows is shown, and writing is refused. Update Coffer to write to it.`;
}

export interface LackingCommits {
  ids: string[];
  /** Some lacking commit changes membership, roles or key epochs (or is unknown here). */
  membership: boolean;
  warning: string;
  refusal(): CofferError;
}

/**
 * What a copy lacks, judged from the bodies this computer decrypted before: a commit
 * whose body is not known here counts as a membership change (the safe side).
 */
function describeLacking(ids: string[], bodies: Map<string, string>): LackingCommits {
  const changesMembership = (id: string): boolean => {
    const text = bodies.get(id);
    if (text === undefined) return true;
    const body = JSON.parse(text) as Body;
    return body.records.some((r) => isMembershipRecord(r) || r.t === 'scopes');
  };
  const membership = ids.filter(changesMembership);
  const first = ids[0]!.slice(0, 12);
  const what = `This copy lacks ${ids.length} commit(s) this computer has seen (first: ${first}): it is an older copy, another branch or a partial one.`;
  return {
    ids,
    membership: membership.length > 0,
    warning:
      membership.length > 0
        ? `${what} ${membership.length} of them change members, roles or keys, so writing here is refused until the newer copy is merged in (\`coffer vault merge --other FILE\`).`
        : `${what} They change no member, role or key: you may write here, and merge the copies later (\`coffer vault merge --other FILE\`).`,
    refusal: () =>
      new CofferError(
        'VaultRolledBack',
        `This copy lacks ${membership.length} commit(s) this computer has seen that change members, roles or keys (first: ${membership[0]!.slice(0, 12)}); new values written here could be sealed to keys that no longer match who may read them. Merge the newer copy first: \`coffer vault merge --other FILE\`; if this older copy is intended, open it with \`--accept-rollback\`.`,
        { part: `commit ${membership[0]!.slice(0, 12)}` },
      ),
  };
}

interface FileStamp {
  size: number;
  mtimeMs: number;
  ino: number;
  tail: string;
}

/** Size, mtime, inode and the last 64 bytes: cheap, and independent of the vault's size. */
async function fileStamp(path: string): Promise<FileStamp> {
  let fh;
  try {
    fh = await open(path, 'r');
    const st = await fh.stat();
    const n = Math.min(64, st.size);
    const buf = Buffer.alloc(n);
    await fh.read(buf, 0, n, st.size - n);
    return { size: st.size, mtimeMs: st.mtimeMs, ino: st.ino, tail: buf.toString('latin1') };
  } catch (e) {
    throw new CofferError('IoError', `Cannot read the vault file ${path}: ${(e as NodeJS.ErrnoException).code ?? 'error'}`);
  } finally {
    await fh?.close();
  }
}

function sameStamp(a: FileStamp, b: FileStamp | undefined): boolean {
  return !!b && a.size === b.size && a.mtimeMs === b.mtimeMs && a.ino === b.ino && a.tail === b.tail;
}

/** Live and deleted objects of one kind, and their versions (VaultInfo.counts). */
function countObjects<V>(objects: Iterable<ObjectOf<V>>): { live: number; versions: number; deleted: number } {
  let live = 0;
  let versions = 0;
  let deleted = 0;
  for (const o of objects) {
    versions += versionCount(o);
    if (o.deleted) deleted++;
    else live++;
  }
  return { live, versions, deleted };
}
