/**
 * The vault engine's entry point: create, open (unlock), and every operation
 * on secrets, as Azure Key Vault defines them (AKV-REFERENCE.md §1). Each
 * write is one signed commit, appended and fsynced under the vault's lock; if
 * the file changed underneath (another writer, a sync tool), the new commits
 * are read and verified first, so nobody's changes are lost (V7).
 */
import { appendFile, mkdir, mkdtemp, open, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DeletedSecretBundle, DeletedSecretItem, RoleName, SecretBundle, SecretItem } from '../../shared/keyvault.js';
import type {
  CreateVaultOptions,
  ImportEntry,
  OpenVaultOptions,
  SecretAttributesPatch,
  KdfParams,
  MemberInfo,
  MembersApi,
  PublicIdentity,
  RepairResult,
  SecretsApi,
  SetSecretInput,
  Vault,
  VaultInfo,
} from './api.js';
import {
  checkKdfParams,
  concatBytes,
  DEFAULT_KDF,
  ed25519Sign,
  ed25519Verify,
  Ed25519Signer,
  fromB64u,
  keyCommitment,
  pad,
  randomBytes,
  seal,
  sha256,
  toB64u,
  toHex,
  utf8,
  wipe,
} from './crypto/index.js';
import { CofferError, corrupted } from './errors.js';
import { canonicalJson, commitLine, blobLine, headerLine, type CommitPayload, type GenesisPayload, type SlotJson } from './format/codec.js';
import { buildGraph, commitId, hashBlob, signatureMessage, verifySignatures, verifySignaturesParallel, type Graph, type GraphCommit } from './format/graph.js';
import {
  authorEphemeral,
  chainContext,
  commitKeyContext,
  deriveDataKey,
  memberWrapContext,
  newScopeKeyPair,
  wrapToMember,
  wrapWithEphemeral,
} from './format/keys.js';
import type { Body, Hlc, ScopeKeysJson, VaultRecord } from './format/records.js';
import { createIdentity, memberKeyId, openSlot, sealSlot, slotKdf, wipeIdentity, type MemberIdentity } from './access/identity.js';
import { parseRole, permits, scopesOf, SCOPES, type Permission, type Scope } from './access/roles.js';
import { bodyAd, latestVersion, objectId, valueAd, VaultCore, type DecodedCommit, type MemberState, type SecretObject, type SecretVersion } from './core.js';
import { AuditLog } from './audit/log.js';
import { BodyCache } from './cache/body-cache.js';
import { VerifiedCache } from './cache/verified-cache.js';
import { appendToVaultFile, createVaultFile, readVaultFile, replaceVaultFile } from './store/vault-file.js';
import * as keysModule from './format/keys.js';
import { checkCommitment, unpad as unpadSafe } from './crypto/index.js';
import { ensureProfileDir } from './store/profile.js';
import { vaultLockPath, withFileLock } from './store/lock.js';
import {
  nameKey,
  newVersionId,
  recoveryLevel as _recoveryLevel,
  validateContentType,
  validateRetentionDays,
  validateSecretName,
  validateSetInput,
  validateTags,
  validateTimes,
  validateVersionId,
} from './secrets/rules.js';
import { renderValue, toDeletedSecretBundle, toDeletedSecretItem, toSecretBundle, toSecretItem } from './secrets/bundles.js';
import { deletedSecretNotFound, secretDeletedButRecoverable, secretDisabled, secretNotFound } from './secrets/errors.js';

void _recoveryLevel;

/** A pending write: records plus the values they reference (in record order of 'secret' records). */
interface PendingCommit {
  records: VaultRecord[];
  values?: Uint8Array[];
  slots?: SlotJson[];
  /** Start a new epoch (membership change), with the membership after this commit. */
  newEpoch?: boolean;
}

// ------------------------------------------------------------------ create

export async function createVault(options: CreateVaultOptions): Promise<Vault> {
  const kdf = options.kdf ?? DEFAULT_KDF;
  const retentionDays = options.retentionDays ?? 90;
  validateRetentionDays(retentionDays);
  const { warnings } = checkKdfParams(kdf);
  for (const w of warnings) options.onWarning?.(w);
  await ensureProfileDir(options.profileDir);

  const me = createIdentity();
  // Genesis (C4): names its author, the vault's first Administrator; its hash is the vault id.
  const genesis: GenesisPayload = { v: 1, genesis: toB64u(randomBytes(32)), author: toB64u(me.signPub), seq: 0, parents: [] };
  const gText = canonicalJson(genesis);
  const gId = commitId(gText);
  const lines = [headerLine(gId), commitLine(gText, ed25519Sign(me.signSeed, signatureMessage(gId)))];
  const graph = buildGraph(Buffer.from(lines.join('')));
  const core = new VaultCore(graph, me);
  core.build();
  const slot = await sealSlot(me, options.passphrase, kdf, Buffer.from(gId, 'hex'));
  const first = buildCommit(core, {
    records: [
      { t: 'settings', retentionDays },
      { t: 'member', sign: toB64u(me.signPub), enc: toB64u(me.encPub), name: options.displayName ?? 'owner', roles: ['Key Vault Administrator'] },
    ],
    slots: [slot],
    newEpoch: true,
  });
  const data = Buffer.from(lines.join('') + first.text);
  await createVaultFile(options.path, data);
  const vault = new VaultImpl(options.path, options.profileDir, me, kdf, options.onWarning);
  await vault.load();
  await vault.audit('VaultCreate', 'ok');
  return vault;
}

// -------------------------------------------------------------------- open

export async function openVault(options: OpenVaultOptions): Promise<Vault> {
  return openVaultImpl(options, false);
}

async function openVaultImpl(options: OpenVaultOptions, allowMissingValues: boolean): Promise<VaultImpl> {
  await ensureProfileDir(options.profileDir);
  const bytes = await readVaultFile(options.path);
  // Structure and signatures first: a damaged file is VaultCorrupted, never a wrong passphrase.
  const graph = buildGraph(bytes, { deferSignatures: true });
  // createVault writes genesis and the first commit in one save: a file with only the
  // genesis was cut (the first commit holds the slot, the keys and the settings).
  if (graph.commits.length < 2) throw corrupted('line 3', 'the vault has no first commit after its genesis: the file was cut');
  let me = options.identity;
  let kdf = DEFAULT_KDF;
  if (!me) {
    const slots = currentSlots(graph);
    if (slots.length === 0) throw new CofferError('VaultLocked', 'This vault has no passphrase slot; open it with a member identity.');
    let lastError: unknown;
    for (const s of slots) {
      // The slot's own commit must verify before its bytes are trusted with the passphrase.
      verifySignatures(graph, new Set(), (c) => (c.payload as CommitPayload).slots?.includes(s) ?? false);
      try {
        me = await openSlot(s, options.passphrase, Buffer.from(graph.vaultId, 'hex'));
        kdf = slotKdf(s);
        break;
      } catch (e) {
        // A slot with absurd parameters (LimitExceeded) is skipped like a wrong one, so a
        // planted slot cannot lock the owner out; WrongPassphrase wins the final report.
        if (!(e instanceof CofferError) || (e.code !== 'WrongPassphrase' && e.code !== 'LimitExceeded')) throw e;
        if (!lastError || e.code === 'WrongPassphrase') lastError = e;
      }
    }
    if (!me) {
      const v = { vaultId: graph.vaultId, profileDir: options.profileDir };
      await recordFailedUnlock(v).catch(() => undefined);
      throw lastError;
    }
  }
  const vault = new VaultImpl(options.path, options.profileDir, me, kdf, options.onWarning);
  vault.allowMissingValues = allowMissingValues;
  await vault.load(bytes, graph, options.acceptRollback ?? false);
  return vault;
}

/** Failed unlocks are kept in a plain counter file (no identity to sign with). */
async function recordFailedUnlock(v: { vaultId: string; profileDir: string }): Promise<void> {
  const dir = join(v.profileDir, 'audit');
  await mkdir(dir, { recursive: true, mode: 0o700 });
  await appendFile(join(dir, `${v.vaultId.slice(0, 32)}.failed-unlocks`), `${new Date().toISOString()} VaultUnlockFailed WrongPassphrase\n`, { mode: 0o600 });
}

/** The newest slot of each author (a later slot replaces the author's earlier ones: passphrase change). */
function currentSlots(graph: Graph): SlotJson[] {
  const byAuthor = new Map<string, SlotJson[]>();
  for (const c of graph.commits) {
    const p = c.payload as CommitPayload;
    if (p.slots) byAuthor.set(c.author, p.slots);
  }
  // The creator's slot first: only the creator can sign it, so a slot planted by
  // anyone else (with costly KDF parameters) is tried only if the creator's fails.
  const creator = byAuthor.get(graph.genesis.author) ?? [];
  byAuthor.delete(graph.genesis.author);
  return [...creator, ...[...byAuthor.values()].flat().reverse()];
}

// ------------------------------------------------------------ commit build

interface BuiltCommit {
  text: string;
  commit: GraphCommit;
  decoded: DecodedCommit;
  blobs: Map<string, Uint8Array>;
}

function buildCommit(core: VaultCore, pending: PendingCommit): BuiltCommit {
  const me = core.me;
  const author = toB64u(me.signPub);
  const parents = [...core.graph.heads].sort();
  const seq = (core.lastSeq.get(author) ?? 0) + 1;
  const wall = Date.now();
  const hlc: Hlc = wall > core.maxHlc[0] ? [wall, 0] : [core.maxHlc[0], core.maxHlc[1] + 1];
  const vid = core.vaultIdBytes;
  const records = [...pending.records];
  const frontier = core.currentFrontier();
  let epoch: string;
  let newEpoch: CommitPayload['newEpoch'];

  const admin = permits(core.myRoles().length ? core.myRoles() : ['Key Vault Administrator'], 'members/manage');
  const exposed = frontier.some((e) => core.epochExposed(e));
  if (pending.newEpoch || (admin && (frontier.length > 1 || exposed))) {
    // C7: a new epoch with fresh scope keys, wrapped to the members after this commit.
    epoch = toHex(randomBytes(16));
    const members = membersAfter(core.currentMembers(), records, core);
    const scopes: Record<string, { pub: Uint8Array; priv: Uint8Array; wraps: ReturnType<typeof wrapToMember>[]; chain: ReturnType<typeof wrapToMember>[] }> = {};
    for (const scope of SCOPES) {
      const kp = newScopeKeyPair();
      const wraps = [];
      for (const m of members.values()) {
        if (!scopesOf(m.roles).has(scope) || !m.enc) continue;
        const recipient = fromB64u(m.enc);
        wraps.push(wrapToMember(recipient, kp.priv, memberWrapContext(vid, epoch, scope, recipient)));
      }
      const chain = frontier.map((prev) => {
        const pk = core.scopeKey(prev, scope);
        if (!pk) throw new CofferError('Forbidden', 'Only a member who can read every scope may start a new key epoch.');
        return wrapToMember(kp.pub, pk.priv, chainContext(vid, epoch, scope, prev));
      });
      scopes[scope] = { ...kp, wraps, chain };
    }
    const json = (s: Scope): ScopeKeysJson => ({ pub: toB64u(scopes[s]!.pub), wraps: scopes[s]!.wraps, chain: scopes[s]!.chain });
    newEpoch = { id: epoch, prev: frontier, meta: json('meta') };
    records.unshift({ t: 'scopes', scopes: { secrets: json('secrets'), keys: json('keys'), certificates: json('certificates'), ca: json('ca') } });
    core.epochs.set(epoch, {
      id: epoch,
      commitId: '',
      prev: frontier,
      metaPub: scopes.meta!.pub,
      metaWraps: [],
      metaChain: [],
      ancestors: new Set(frontier.flatMap((f) => [f, ...(core.epochs.get(f)?.ancestors ?? [])])),
    });
    pendingScopePubs.set(epoch, Object.fromEntries(SCOPES.map((s) => [s, scopes[s]!.pub])) as Record<Scope, Uint8Array>);
    for (const s of Object.values(scopes)) wipe(s.priv);
  } else {
    // Non-admins cannot start epochs (they cannot read every scope). After concurrent
    // epochs they write under one that no removed member can read; if there is none,
    // an Administrator's next write must re-key first (C7).
    const safe = frontier.filter((e) => !core.epochExposed(e));
    if (safe.length === 0) {
      throw new CofferError(
        'Forbidden',
        'Members were removed in a copy merged into this vault; an Administrator must open and save it (re-keying) before others write.',
      );
    }
    epoch = safe.sort((a, b) => (core.epochs.get(b)?.commitId ?? '').localeCompare(core.epochs.get(a)?.commitId ?? ''))[0]!;
  }
  const scopePub = (s: Scope): Uint8Array => pendingScopePubs.get(epoch)?.[s] ?? core.scopePub(epoch, s)!;

  // Values: one batch key per commit, a derived data key per version (C6).
  const blobs = new Map<string, Uint8Array>();
  const blobList: string[] = [];
  const secretRecords = records.filter((r) => r.t === 'secret');
  if (secretRecords.length > 0) {
    const batch = randomBytes(32);
    const eph = authorEphemeral(me.encPriv, vid, epoch, 'secrets');
    const ctx = commitKeyContext(vid, epoch, 'secrets', me.signPub, seq);
    records.push({ t: 'batch', scope: 'secrets', key: wrapWithEphemeral(eph, scopePub('secrets'), batch, ctx, core.shared), kc: toB64u(keyCommitment(batch)) });
    secretRecords.forEach((r, i) => {
      if (r.t !== 'secret') return;
      const oid = objectId(vid, 'secrets', r.name);
      const dk = deriveDataKey(batch, oid, r.version);
      const padded = pad(pending.values![i]!);
      const ct = seal(dk, padded, valueAd(vid, oid, r.version, epoch));
      wipe(dk, padded);
      const h = hashBlob(ct);
      blobs.set(h, ct);
      r.blob = blobList.length;
      blobList.push(h);
    });
    wipe(batch, eph.priv);
  }

  const body: Body = { hlc, time: Math.floor(wall / 1000), records };
  const bodyKey = randomBytes(32);
  const eph = authorEphemeral(me.encPriv, vid, epoch, 'meta');
  const keyStanza = wrapWithEphemeral(eph, scopePub('meta'), bodyKey, commitKeyContext(vid, epoch, 'meta', me.signPub, seq), core.shared);
  const plain = pad(utf8(canonicalJson(body)));
  const sealedBody = seal(bodyKey, plain, bodyAd(vid, epoch, me.signPub, seq));
  const kc = keyCommitment(bodyKey);
  wipe(bodyKey, plain, eph.priv);
  const payload: CommitPayload = {
    v: 1,
    vault: core.vaultId,
    author,
    seq,
    parents,
    epoch,
    ...(newEpoch ? { newEpoch } : {}),
    ...(pending.slots ? { slots: pending.slots } : {}),
    key: keyStanza,
    kc: toB64u(kc),
    body: toB64u(sealedBody),
    ...(blobList.length ? { blobs: blobList } : {}),
  };
  const text = canonicalJson(payload);
  const id = commitId(text);
  const sig = ed25519Sign(me.signSeed, signatureMessage(id));
  if (newEpoch) {
    const e = core.epochs.get(epoch)!;
    e.commitId = id;
    e.metaWraps = newEpoch.meta.wraps;
    e.metaChain = newEpoch.meta.chain;
  }
  const commit: GraphCommit = { id, line: 0, end: 0, payload, payloadText: text, sig, author, seq, parents, index: core.graph.commits.length };
  let out = '';
  for (const b of blobList) out += blobLine(blobs.get(b)!);
  out += commitLine(text, sig);
  return { text: out, commit, decoded: { c: commit, p: payload, body }, blobs };
}

/** Scope public keys of epochs being created (before their commit is registered). */
const pendingScopePubs = new Map<string, Record<Scope, Uint8Array>>();

function membersAfter(members: Map<string, MemberState>, records: VaultRecord[], core: VaultCore): Map<string, MemberState> {
  const out = new Map(members);
  for (const r of records) {
    if (r.t === 'member') out.set(r.sign, { sign: r.sign, enc: r.enc, name: r.name, roles: r.roles });
    if (r.t === 'remove') out.delete(r.sign);
  }
  // The creator's first commit: the genesis author is Administrator with the keys of its member record.
  const me = toB64u(core.me.signPub);
  if (!out.get(me)?.enc && out.has(me)) out.set(me, { ...out.get(me)!, enc: toB64u(core.me.encPub) });
  return out;
}

// ------------------------------------------------------------------- vault

class VaultImpl implements Vault {
  core!: VaultCore;
  private bytesSize = 0;
  /** What the file looked like when we last read or wrote it: a change means another writer. */
  private stamp: FileStamp | undefined;
  /** Set only by repair: open although some value lines are missing, to record their loss. */
  allowMissingValues = false;
  /** Purged values still have lines in the file: rewrite it after this write (C10). */
  needsCompaction = false;
  private cache!: VerifiedCache;
  private bodyCache!: BodyCache;
  private auditLog!: AuditLog;
  private auditSigner: Ed25519Signer | undefined;
  /** Audit records being written (list operations are synchronous and log in the background). */
  private readonly pendingAudit = new Set<Promise<void>>();
  readonly secrets: SecretsApi;
  readonly members: MembersApi;
  private closed = false;

  constructor(
    readonly path: string,
    readonly profileDir: string,
    private readonly me: MemberIdentity,
    private kdf: { memoryKiB: number; iterations: number; parallelism: number },
    private readonly onWarning?: (m: string) => void,
  ) {
    this.secrets = new SecretsImpl(this);
    this.members = new MembersImpl(this);
  }

  async changePassphrase(passphrase: Uint8Array, kdf?: KdfParams): Promise<void> {
    const params = kdf ?? this.kdf;
    const { warnings } = checkKdfParams(params);
    for (const w of warnings) this.onWarning?.(w);
    const slot = await sealSlot(this.me, passphrase, params, this.core.vaultIdBytes);
    await this.write(() => ({ pending: { records: [], slots: [slot] }, result: () => undefined }));
    this.kdf = params;
    await this.audit('VaultPassphraseChange', 'ok');
  }

  get id(): string {
    return this.core.vaultId.slice(0, 32);
  }

  /** Reads (or re-reads) the file and rebuilds the state. */
  async load(bytes?: Uint8Array, graph?: Graph, acceptRollback = false): Promise<void> {
    let data = bytes ?? (await readVaultFile(this.path));
    const first = !this.core;
    let signatures: Promise<void> = Promise.resolve();
    let vaultId: string;
    if (first) {
      const g0 = graph ?? buildGraph(data, { deferSignatures: true });
      vaultId = g0.vaultId;
      this.cache = new VerifiedCache(this.profileDir, vaultId, this.me);
      await this.cache.load();
      this.bodyCache = new BodyCache(this.profileDir, vaultId, this.me);
      await this.bodyCache.load();
      // The audit signer holds its own key object: records still being written when the
      // vault closes (and its identity buffers are wiped) are signed correctly.
      this.auditSigner = new Ed25519Signer(this.me.signSeed);
      const signer = this.auditSigner;
      this.auditLog = new AuditLog(this.profileDir, vaultId.slice(0, 32), { publicKey: signer.publicKey, sign: (m) => signer.sign(m) });
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
    if (missing.length > 0) {
      if (!acceptRollback) {
        throw new CofferError(
          'VaultRolledBack',
          `${missing.length} commit(s) this computer saw earlier are missing from the file (first: ${missing[0]!.slice(0, 12)}): the file was rolled back or is a partial copy. Merge the newer copy with \`coffer vault merge --other FILE\`.`,
          { part: `commit ${missing[0]!.slice(0, 12)}` },
        );
      }
      await this.cache.reset();
      await this.bodyCache.reset();
    }
    const core = new VaultCore(g, this.me);
    core.cachedBodies = this.bodyCache.bodies;
    core.build(this.core);
    // Nothing built from an unverified commit is used before every signature checked out.
    await signatures;
    if (!core.currentMembers().has(core.myKey)) throw new CofferError('Forbidden', 'This identity is not a member of the vault.', { innerCode: 'ForbiddenByRbac' });
    if (!this.allowMissingValues) core.checkBlobs();
    if (this.core && this.core !== core) this.core.wipe();
    this.core = core;
    this.bytesSize = data.length;
    this.stamp = await fileStamp(this.path);
    if (g.interruptedSave) this.onWarning?.('The vault file ends with an interrupted save; it will be dropped on the next save.');
    for (const r of core.rejected.slice(0, 5)) this.onWarning?.(`Commit ${r.id.slice(0, 12)} was rejected: ${r.reason}.`);
    if (core.unreadable.length > 0) {
      this.onWarning?.(
        `${core.unreadable.length} commit(s) are written under key epochs this identity cannot read: it was removed, or its roles were lowered. What is shown is the state before them.`,
      );
    }
    await this.cache.add([...core.accepted].map((id) => g.byId.get(id)!));
    await this.bodyCache.add(core.newBodies.splice(0), true);
  }

  info(): VaultInfo {
    const c = this.core;
    let versions = 0;
    let live = 0;
    let deleted = 0;
    for (const o of c.secrets.values()) {
      versions += o.versions.size;
      if (o.deleted) deleted++;
      else live++;
    }
    return {
      id: this.id,
      formatVersion: 1,
      path: this.path,
      retentionDays: c.retentionDays,
      kdf: this.kdf,
      counts: { secrets: live, secretVersions: versions, deletedSecrets: deleted, commits: c.graph.commits.length, members: c.currentMembers().size },
      roles: c.myRoles(),
      rejectedCommits: [...c.rejected, ...c.unreadable.filter((u) => c.myRoles().length > 0 && !u.reason.includes('cannot read'))],
    };
  }

  warn(message: string): void {
    this.onWarning?.(message);
  }

  require(p: Permission): void {
    if (!permits(this.core.myRoles(), p)) {
      throw new CofferError('Forbidden', `Caller is not authorized to perform this action (${p}) on this vault.`, { innerCode: 'ForbiddenByRbac' });
    }
  }

  async audit(op: string, result: 'ok' | 'error', extra: { object?: string; version?: string; code?: string } = {}): Promise<void> {
    const p = this.auditLog.append({ op, result, ...extra });
    this.pendingAudit.add(p);
    try {
      await p;
    } finally {
      this.pendingAudit.delete(p);
    }
  }

  /** Resolves when every audit record started so far is written. */
  async settled(): Promise<void> {
    await Promise.allSettled([...this.pendingAudit]);
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
      await compactPurged(this);
    }
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
        const st = await fileStamp(this.path);
        if (!sameStamp(st, this.stamp) || st.size !== this.bytesSize) await this.reloadChanged();
        const { pending, result } = build(this.core);
        // End of retention: purge what expired, in this same commit, when this member may purge.
        const expired = permits(this.core.myRoles(), 'secrets/purge') ? [...this.core.expiredDeleted.values()] : [];
        if (expired.length > 0) {
          pending.records.unshift(...expired.map((o): VaultRecord => ({ t: 'secret.purge', name: o.name, versions: [...o.order] })));
        }
        const built = buildCommit(this.core, pending);
        const reason = this.core.checkAuthorized(built.decoded);
        if (reason) throw new CofferError('Forbidden', `This change is not allowed: ${reason}.`, { innerCode: 'ForbiddenByRbac' });
        const status = await appendToVaultFile(this.path, Buffer.from(built.text), { expectedSize: this.bytesSize, truncateTo: this.core.graph.truncateTo });
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
    await replaceVaultFile(this.path, Buffer.from(union.text));
    const merged = await readVaultFile(this.path);
    await this.load(merged, buildGraph(merged, { trusted: this.cache.verified }));
    this.onWarning?.(`The vault file was replaced by a copy lacking ${union.commits - g.commits.length} commit(s) held here; they were merged back.`);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.core?.wipe();
    this.cache?.wipe();
    this.bodyCache?.wipe();
    wipeIdentity(this.me);
    const signer = this.auditSigner;
    void this.settled().then(() => signer?.dispose());
  }
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

// ----------------------------------------------------------------- secrets

class SecretsImpl implements SecretsApi {
  constructor(private readonly v: VaultImpl) {}

  private get core(): VaultCore {
    return this.v.core;
  }
  private get vid(): string {
    return this.v.id;
  }

  private live(name: string, core = this.core): SecretObject {
    validateSecretName(name);
    const o = core.secrets.get(nameKey(name));
    if (!o || o.deleted) throw secretNotFound(name);
    return o;
  }

  private version(o: SecretObject, version?: string): SecretVersion {
    const id = version === undefined || version === '' ? o.order[o.order.length - 1] : validateVersionId(version);
    const v = id ? o.versions.get(id) : undefined;
    if (!v) throw secretNotFound(o.name, version);
    return v;
  }

  private async logged<T>(op: string, name: string | undefined, fn: () => Promise<T> | T, version?: () => string | undefined): Promise<T> {
    try {
      const r = await fn();
      const ver = version?.();
      await this.v.audit(op, 'ok', { ...(name ? { object: name } : {}), ...(ver ? { version: ver } : {}) });
      return r;
    } catch (e) {
      if (e instanceof CofferError) {
        const validName = name && /^[0-9a-zA-Z-]{1,127}$/.test(name) ? { object: name } : {};
        await this.v.audit(op, 'error', { ...validName, code: e.innerCode ?? e.code }).catch(() => undefined);
      }
      throw e;
    }
  }

  set(input: SetSecretInput): Promise<SecretBundle> {
    return this.logged('SecretSet', input.name, () => {
      this.v.require('secrets/write');
      const { encoding, contentType } = validateSetInput(input);
      return this.v.write((core) => {
        const o = core.secrets.get(nameKey(input.name));
        if (o?.deleted) throw secretDeletedButRecoverable(o.name);
        const version = newVersionId();
        const name = o?.name ?? input.name;
        return {
          pending: {
            records: [
              {
                t: 'secret',
                name,
                version,
                blob: 0,
                enc: encoding,
                enabled: input.enabled ?? true,
                ...(contentType !== undefined ? { contentType } : {}),
                ...(input.tags !== undefined ? { tags: input.tags } : {}),
                ...(input.nbf !== undefined ? { nbf: input.nbf } : {}),
                ...(input.exp !== undefined ? { exp: input.exp } : {}),
              },
            ],
            values: [input.value],
          },
          result: (c) => toSecretBundle(this.vid, c.secrets.get(nameKey(name))!.versions.get(version)!.state, c.retentionDays),
        };
      });
    });
  }

  async get(name: string, version?: string): Promise<SecretBundle> {
    let ver: string | undefined;
    return this.logged(
      'SecretGet',
      name,
      () => {
        const { o, v, value } = this.readChecked(name, version);
        ver = v.state.version;
        try {
          return toSecretBundle(this.vid, v.state, this.core.retentionDays, renderValue(value, v.state.encoding));
        } finally {
          wipe(value);
          void o;
        }
      },
      () => ver,
    );
  }

  async getValue(name: string, version?: string): Promise<Uint8Array> {
    let ver: string | undefined;
    return this.logged(
      'SecretGet',
      name,
      () => {
        const r = this.readChecked(name, version);
        ver = r.v.state.version;
        return r.value;
      },
      () => ver,
    );
  }

  private readChecked(name: string, version?: string): { o: SecretObject; v: SecretVersion; value: Uint8Array } {
    this.v.require('secrets/getSecret');
    const o = this.live(name);
    const v = this.version(o, version);
    // Key Vault: a disabled secret's value cannot be read (403 Forbidden, SecretDisabled).
    if (!v.state.enabled) throw secretDisabled('get');
    return { o, v, value: this.core.readValue(o, v) };
  }

  list(): SecretItem[] {
    this.v.require('secrets/readMetadata');
    const items: SecretItem[] = [];
    for (const o of this.core.secrets.values()) {
      if (o.deleted) continue;
      const latest = latestVersion(o);
      items.push(toSecretItem(this.vid, latest.state, this.core.retentionDays, { versionless: true }));
    }
    void this.v.audit('SecretList', 'ok').catch(() => undefined);
    return items.sort((a, b) => a.id.localeCompare(b.id));
  }

  listVersions(name: string): SecretItem[] {
    this.v.require('secrets/readMetadata');
    const o = this.live(name);
    void this.v.audit('SecretListVersions', 'ok', { object: o.name }).catch(() => undefined);
    return o.order.map((id) => toSecretItem(this.vid, o.versions.get(id)!.state, this.core.retentionDays, { versionless: false }));
  }

  update(name: string, version: string | undefined, patch: SecretAttributesPatch): Promise<SecretBundle> {
    return this.logged('SecretUpdate', name, () => {
      this.v.require('secrets/write');
      if (patch.contentType) validateContentType(patch.contentType);
      if (patch.tags) validateTags(patch.tags);
      if (patch.enabled !== undefined && typeof patch.enabled !== 'boolean') throw new CofferError('BadParameter', 'enabled must be true or false.');
      return this.v.write((core) => {
        const o = this.live(name, core);
        const v = this.version(o, version);
        const nbf = patch.nbf === undefined ? v.state.nbf : patch.nbf ?? undefined;
        const exp = patch.exp === undefined ? v.state.exp : patch.exp ?? undefined;
        validateTimes(nbf, exp);
        const set: Extract<VaultRecord, { t: 'secret.update' }>['set'] = {};
        const clear: ('nbf' | 'exp' | 'contentType')[] = [];
        if (patch.enabled !== undefined) set.enabled = patch.enabled;
        for (const k of ['nbf', 'exp', 'contentType'] as const) {
          const val = patch[k];
          if (val === null) clear.push(k);
          else if (val !== undefined) (set as Record<string, unknown>)[k] = val;
        }
        if (patch.tags !== undefined) set.tags = patch.tags;
        const vid = v.state.version;
        return {
          pending: { records: [{ t: 'secret.update', name: o.name, version: vid, set, clear }] },
          result: (c) => toSecretBundle(this.vid, c.secrets.get(o.key)!.versions.get(vid)!.state, c.retentionDays),
        };
      });
    });
  }

  delete(name: string): Promise<DeletedSecretBundle> {
    return this.logged('SecretDelete', name, () => {
      this.v.require('secrets/write');
      return this.v.write((core) => {
        const o = this.live(name, core);
        return {
          pending: { records: [{ t: 'secret.delete', name: o.name }] },
          result: (c) => this.deletedBundle(c.secrets.get(o.key)!),
        };
      });
    });
  }

  private deletedBundle(o: SecretObject): DeletedSecretBundle {
    const latest = latestVersion(o);
    return toDeletedSecretBundle(this.vid, latest.state, this.core.retentionDays, o.deleted!.date);
  }

  private deletedObject(name: string, core = this.core): SecretObject {
    validateSecretName(name);
    const o = core.secrets.get(nameKey(name));
    if (!o?.deleted) throw deletedSecretNotFound(name);
    return o;
  }

  listDeleted(): DeletedSecretItem[] {
    this.v.require('secrets/readMetadata');
    const out: DeletedSecretItem[] = [];
    for (const o of this.core.secrets.values()) {
      if (!o.deleted) continue;
      const latest = latestVersion(o);
      out.push(toDeletedSecretItem(this.vid, latest.state, this.core.retentionDays, o.deleted.date));
    }
    void this.v.audit('SecretListDeleted', 'ok').catch(() => undefined);
    return out.sort((a, b) => a.id.localeCompare(b.id));
  }

  getDeleted(name: string): DeletedSecretBundle {
    this.v.require('secrets/readMetadata');
    const b = this.deletedBundle(this.deletedObject(name));
    void this.v.audit('SecretGetDeleted', 'ok', { object: name }).catch(() => undefined);
    return b;
  }

  recover(name: string): Promise<SecretBundle> {
    return this.logged('SecretRecover', name, () => {
      this.v.require('secrets/write');
      return this.v.write((core) => {
        const o = this.deletedObject(name, core);
        return {
          pending: { records: [{ t: 'secret.recover', name: o.name }] },
          result: (c) => {
            const obj = c.secrets.get(o.key)!;
            return toSecretBundle(this.vid, latestVersion(obj).state, c.retentionDays);
          },
        };
      });
    });
  }

  purge(name: string): Promise<void> {
    return this.logged('SecretPurge', name, async () => {
      this.v.require('secrets/purge');
      await this.v.write((core) => {
        const o = this.deletedObject(name, core);
        return { pending: { records: [{ t: 'secret.purge', name: o.name, versions: [...o.order] }] }, result: () => undefined };
      });
      // C10: drop the purged values' bytes from the file (a rewrite), so the vault no longer holds them.
      await compactPurged(this.v);
      this.v.warn('Purged values are gone from this file, but older copies and git history still hold them: rotate the secret if it mattered.');
    });
  }

  backup(name: string): Promise<Uint8Array> {
    return this.logged('SecretBackup', name, () => {
      this.v.require('secrets/write');
      this.v.require('secrets/getSecret');
      const o = this.live(name);
      const versions = o.order.map((id) => {
        const v = o.versions.get(id)!;
        const value = this.core.readValue(o, v);
        const b64 = Buffer.from(value).toString('base64');
        wipe(value);
        return { ...v.state, value: b64 };
      });
      return sealBackup(this.core, { kind: 'secret', name: o.name, versions });
    });
  }

  restore(blob: Uint8Array): Promise<SecretBundle> {
    return this.logged('SecretRestore', undefined, () => {
      this.v.require('secrets/write');
      const data = openBackup(this.core, blob);
      return this.v.write((core) => {
        if (core.secrets.has(nameKey(data.name))) {
          const o = core.secrets.get(nameKey(data.name))!;
          if (o.deleted) throw secretDeletedButRecoverable(o.name);
          throw new CofferError('Conflict', `Secret ${o.name} already exists; restore needs a name that is not in use.`);
        }
        const values: Uint8Array[] = [];
        const records: VaultRecord[] = data.versions.map((v) => {
          values.push(Buffer.from(v.value, 'base64'));
          return {
            t: 'secret',
            name: data.name,
            version: v.version,
            blob: 0,
            enc: v.encoding,
            enabled: v.enabled,
            created: v.created,
            updated: v.updated,
            ...(v.contentType !== undefined ? { contentType: v.contentType } : {}),
            ...(v.tags !== undefined ? { tags: v.tags } : {}),
            ...(v.nbf !== undefined ? { nbf: v.nbf } : {}),
            ...(v.exp !== undefined ? { exp: v.exp } : {}),
          };
        });
        return {
          pending: { records, values },
          result: (c) => {
            const o = c.secrets.get(nameKey(data.name))!;
            return toSecretBundle(this.vid, latestVersion(o).state, c.retentionDays);
          },
        };
      });
    });
  }

  import(entries: ImportEntry[]): Promise<{ imported: number; versions: number }> {
    return this.logged('SecretSet', undefined, () => {
      this.v.require('secrets/write');
      const checked = entries.map((e, i) => {
        try {
          return { e, ...validateSetInput({ name: e.name, value: e.value, ...(e.contentType !== undefined ? { contentType: e.contentType } : {}), ...(e.tags ? { tags: e.tags } : {}), ...(e.exp !== undefined ? { exp: e.exp } : {}) }) };
        } catch (err) {
          if (err instanceof CofferError) throw new CofferError(err.code, `entry ${i + 1}: ${err.message}`);
          throw err;
        }
      });
      if (checked.length > 100_000) throw new CofferError('LimitExceeded', 'At most 100,000 entries per import.');
      return this.v.write((core) => {
        const records: VaultRecord[] = [];
        const values: Uint8Array[] = [];
        const names = new Map<string, string>();
        checked.forEach(({ e, encoding, contentType }, i) => {
          const k = nameKey(e.name);
          const o = core.secrets.get(k);
          if (o?.deleted) throw new CofferError('Conflict', `entry ${i + 1}: ${secretDeletedButRecoverable(o.name).message}`, { innerCode: 'ObjectIsDeletedButRecoverable' });
          const name = o?.name ?? names.get(k) ?? e.name;
          names.set(k, name);
          records.push({
            t: 'secret',
            name,
            version: newVersionId(),
            blob: 0,
            enc: encoding,
            enabled: true,
            ...(contentType !== undefined ? { contentType } : {}),
            ...(e.tags ? { tags: e.tags } : {}),
            ...(e.exp !== undefined ? { exp: e.exp } : {}),
          });
          values.push(e.value);
        });
        return { pending: { records, values }, result: () => ({ imported: names.size, versions: records.length }) };
      });
    });
  }
}

// ----------------------------------------------------------------- members

function memberInfo(m: MemberState): MemberInfo {
  return { id: memberKeyId(m.sign), name: m.name, roles: m.roles, signPub: m.sign, encPub: m.enc };
}

class MembersImpl implements MembersApi {
  constructor(private readonly v: VaultImpl) {}

  list(): MemberInfo[] {
    return [...this.v.core.currentMembers().values()].map(memberInfo);
  }

  private checkRoles(roles: RoleName[]): RoleName[] {
    if (!Array.isArray(roles) || roles.length === 0) throw new CofferError('BadParameter', 'A member needs at least one role.');
    return roles.map((r) => parseRole(r));
  }

  add(identity: PublicIdentity, roles: RoleName[]): Promise<MemberInfo> {
    const rs = this.checkRoles(roles);
    if (identity.signPub?.length !== 32 || identity.encPub?.length !== 32) throw new CofferError('BadParameter', 'The identity must hold a 32-byte signing key and a 32-byte encryption key.');
    const name = String(identity.name ?? '').slice(0, 200);
    const sign = toB64u(identity.signPub);
    this.v.require('members/manage');
    return this.v.write((core) => {
      if (core.currentMembers().has(sign)) throw new CofferError('Conflict', `${memberKeyId(sign)} is already a member; use setRoles.`);
      return {
        pending: { records: [{ t: 'member', sign, enc: toB64u(identity.encPub), name, roles: rs }], newEpoch: true },
        result: (c) => memberInfo(c.currentMembers().get(sign)!),
      };
    });
  }

  setRoles(signPub: Uint8Array, roles: RoleName[]): Promise<MemberInfo> {
    const rs = this.checkRoles(roles);
    const sign = toB64u(signPub);
    this.v.require('members/manage');
    return this.v.write((core) => {
      const m = core.currentMembers().get(sign);
      if (!m) throw new CofferError('NotFound', `No member ${memberKeyId(sign)} in this vault.`);
      return {
        pending: { records: [{ t: 'member', sign, enc: m.enc, name: m.name, roles: rs }], newEpoch: true },
        result: (c) => memberInfo(c.currentMembers().get(sign)!),
      };
    });
  }

  async remove(signPub: Uint8Array): Promise<{ exposedSecrets: string[] }> {
    const sign = toB64u(signPub);
    this.v.require('members/manage');
    let exposed: string[] = [];
    await this.v.write((core) => {
      const m = core.currentMembers().get(sign);
      if (!m) throw new CofferError('NotFound', `No member ${memberKeyId(sign)} in this vault.`);
      if (sign === toB64u(core.me.signPub)) throw new CofferError('BadParameter', 'You cannot remove yourself.');
      // V5: what the member could read, so it can be rotated.
      exposed = scopesOf(m.roles).has('secrets') ? [...core.secrets.values()].map((o) => o.name).sort() : [];
      return { pending: { records: [{ t: 'remove', sign }], newEpoch: true }, result: () => undefined };
    });
    await this.v.audit('VaultMemberRemove', 'ok');
    return { exposedSecrets: exposed };
  }
}

// ------------------------------------------------------------------ backup

/**
 * Backups (Key Vault's BackupSecret) are encrypted to this vault's current
 * `secrets` scope key, so they restore only into this vault, by members who
 * may read secrets (as Key Vault restores only within its own geography).
 */
const BACKUP_PREFIX = 'coffer-backup/1 ';
interface BackupData {
  kind: 'secret';
  name: string;
  versions: (import('./secrets/model.js').SecretVersionState & { value: string })[];
}

function sealBackup(core: VaultCore, data: BackupData): Uint8Array {
  const epoch = core.currentFrontier()[0]!;
  const pub = core.scopePub(epoch, 'secrets')!;
  const key = randomBytes(32);
  const ctx = concatBytes(utf8('coffer/v1 backup\0'), core.vaultIdBytes, Buffer.from(epoch, 'hex'));
  const stanza = wrapToMember(pub, key, ctx);
  const kc = keyCommitment(key);
  const json = utf8(JSON.stringify(data));
  const ct = seal(key, pad(json), ctx);
  wipe(key, json);
  return utf8(`${BACKUP_PREFIX}${JSON.stringify({ vault: core.vaultId, epoch, key: stanza, kc: toB64u(kc), data: toB64u(ct) })}\n`);
}

function openBackup(core: VaultCore, blob: Uint8Array): BackupData {
  const text = Buffer.from(blob).toString('utf8');
  const bad = (): never => {
    throw new CofferError('BadParameter', 'The file is not a Coffer secret backup, or it is damaged.');
  };
  if (!text.startsWith(BACKUP_PREFIX)) bad();
  let env: { vault: string; epoch: string; key: { epk: string; ct: string }; kc: string; data: string };
  try {
    env = JSON.parse(text.slice(BACKUP_PREFIX.length));
  } catch {
    return bad();
  }
  if (env.vault !== core.vaultId) throw new CofferError('BadParameter', 'This backup belongs to another vault; backups restore only into the vault they came from (as in Key Vault).');
  const sk = core.scopeKey(env.epoch, 'secrets');
  if (!sk) throw new CofferError('Forbidden', 'Your roles do not grant reading this backup.', { innerCode: 'ForbiddenByRbac' });
  const ctx = concatBytes(utf8('coffer/v1 backup\0'), core.vaultIdBytes, Buffer.from(env.epoch, 'hex'));
  const { unwrapStanza, open } = keysModule;
  let key: Uint8Array | null;
  try {
    key = unwrapStanza(sk.priv, sk.pub, env.key, ctx);
  } catch {
    return bad();
  }
  if (!key) return bad();
  try {
    if (typeof env.kc !== 'string' || !checkCommitment(key, fromB64u(env.kc))) bad();
    const json = Buffer.from(unpadSafe(open(key, fromB64u(env.data), ctx))).toString('utf8');
    const data = JSON.parse(json) as BackupData;
    validateSecretName(data.name);
    if (!Array.isArray(data.versions) || data.versions.length === 0 || data.versions.length > 500) bad();
    for (const v of data.versions) validateVersionId(v.version);
    return data;
  } catch (e) {
    if (e instanceof CofferError) throw e;
    return bad();
  } finally {
    wipe(key);
  }
}


// ------------------------------------------------------------- compaction

/** Rewrites the file without the blob lines of purged versions (C10: temp file, fsync, rename). */
async function compactPurged(v: VaultImpl): Promise<void> {
  await withFileLock(vaultLockPath(v.path), async () => {
    const bytes = await readVaultFile(v.path);
    const text = bytes.toString('latin1');
    const drop = v.core.purgedBlobs;
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
    await replaceVaultFile(v.path, Buffer.from(kept.join('\n'), 'latin1'));
    await v.load();
  });
}

export { sha256, ed25519Verify, corrupted };
export type { RoleName };

export { checkVaultFile, describeVaultFile, mergeVaultFiles } from './merge/merge.js';
import { mergeGraphs, repairVaultFile as salvageVaultFile } from './merge/merge.js';

/**
 * `vault repair`: every intact commit into a new file (merge/merge.ts). A damaged
 * commit may have been the purge that removed some value lines; the versions it
 * purged are then kept without their values, and the new file would not open. With
 * the passphrase, the new file is opened (in a throwaway profile, so this computer's
 * cache and audit log are untouched) and one signed commit purges those versions.
 */
export async function repairVaultFile(path: string, output: string, unlock?: { passphrase: Uint8Array }): Promise<RepairResult> {
  const r = await salvageVaultFile(path, output);
  if (!unlock) return { ...r, lostValues: null };
  const profileDir = await mkdtemp(join(tmpdir(), 'coffer-repair-'));
  try {
    const v = await openVaultImpl({ path: output, profileDir, passphrase: unlock.passphrase }, true);
    try {
      const lost = v.core.lostVersions();
      if (lost.length > 0) {
        const byName = new Map<string, string[]>();
        for (const l of lost) byName.set(l.name, [...(byName.get(l.name) ?? []), l.version]);
        v.require('secrets/purge');
        await v.write(() => ({
          pending: { records: [...byName].map(([name, versions]): VaultRecord => ({ t: 'secret.purge', name, versions })) },
          result: () => undefined,
        }));
      }
      return { ...r, lostValues: lost.map((l) => `${l.name}/${l.version}`) };
    } finally {
      v.close();
      await v.settled();
    }
  } finally {
    await rm(profileDir, { recursive: true, force: true });
  }
}
export { createIdentity, type MemberIdentity } from './access/identity.js';
