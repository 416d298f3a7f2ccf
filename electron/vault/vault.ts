/**
 * The vault engine's entry point (what api.ts describes): create a vault, open
 * (unlock) one, and the file-level work that needs no unlock — check, repair,
 * merge. An open vault is a VaultSession (session.ts); its secrets and members
 * are operated by secrets/operations.ts and access/members.ts.
 */
import type { VersionedObjects } from './state/versioned.js';
import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { CreateVaultOptions, ForgetResult, KdfParams, Keychain, OpenVaultOptions, RefoundResult, RefoundVaultOptions, RepairResult, UnlockMethod, Vault } from './api.js';
import { checkKdfParams, DEFAULT_KDF, ed25519Sign, randomBytes, toB64u } from './crypto/index.js';
import { CofferError } from './errors.js';
import { canonicalJson, commitLine, FORMAT_VERSION, headerLine, MAX_HEADER_BYTES, parseHeaderLine, readFileHeader, type GenesisPayload, type SlotJson } from './format/codec.js';
import { buildGraph, checkNotCut, commitId, signatureMessage, verifySignaturesParallel } from './format/graph.js';
import type { VaultRecord } from './format/records.js';
import { createIdentity, openSlot, sealSlot, slotKdf, wipeIdentity, type MemberIdentity } from './access/identity.js';
import { currentSlots, forgetSlotLines, readSlotMemory, rememberedMarkers, rememberSlots, scanSlots, slotsToTry, type SlotMemory, type SlotScan } from './access/slot-choice.js';
import { forgetRemembered, isRemembered, openRemembered } from './access/remembered.js';
import { UnlockAttempts } from './access/unlock-attempts.js';
import { VaultCore } from './core.js';
import type { Permission } from './access/roles.js';
import { createVaultFile, readVaultFile, readVaultFileFirstLine, readVaultFileVisiting, replaceVaultFile } from './store/vault-file.js';
import { vaultLockPath, withFileLock } from './store/lock.js';
import { ensureProfileDir } from './store/profile.js';
import { validateRetentionDays } from './secrets/rules.js';
import { repairVaultFile as salvageVaultFile } from './merge/merge.js';
import { buildCommit } from './format/commit-builder.js';
import { VaultSession } from './session.js';
import { checkMayRefound, copyVault } from './state/refound.js';

// ------------------------------------------------------------------ create

export async function createVault(options: CreateVaultOptions): Promise<Vault> {
  if ((options.passphrase === undefined) === (options.identity === undefined)) {
    throw new CofferError('BadParameter', 'A new vault is sealed by a passphrase or created by a member identity: give exactly one of them.');
  }
  const kdf = options.kdf ?? DEFAULT_KDF;
  const retentionDays = options.retentionDays ?? 90;
  validateRetentionDays(retentionDays);
  if (options.passphrase) for (const w of checkKdfParams(kdf).warnings) options.onWarning?.(w);
  await ensureProfileDir(options.profileDir);

  // A team vault's creator is the identity given (C8: no vault-wide passphrase); a personal vault's, a new one.
  const me = options.identity ?? createIdentity();
  // Genesis (C4): names its author, the vault's first Administrator; its hash is the vault id.
  const genesis: GenesisPayload = { v: FORMAT_VERSION, genesis: toB64u(randomBytes(32)), author: toB64u(me.signPub), seq: 0, parents: [] };
  const gText = canonicalJson(genesis);
  const gId = commitId(gText);
  const lines = [headerLine(gId), commitLine(gText, ed25519Sign(me.signSeed, signatureMessage(gId)))];
  const graph = buildGraph(Buffer.from(lines.join('')));
  const core = new VaultCore(graph, me);
  core.build();
  const slots = options.passphrase ? [await sealSlot(me, options.passphrase, kdf, Buffer.from(gId, 'hex'))] : undefined;
  const first = buildCommit(core, {
    records: [
      { t: 'settings', retentionDays },
      { t: 'member', sign: toB64u(me.signPub), enc: toB64u(me.encPub), name: options.displayName ?? 'owner', roles: ['Key Vault Administrator'] },
    ],
    ...(slots ? { slots } : {}),
    newEpoch: true,
  });
  const data = Buffer.from(lines.join('') + first.text);
  await createVaultFile(options.path, data);
  await rememberSlots(options.profileDir, gId, { author: toB64u(me.signPub) });
  const vault = new VaultSession(options.path, options.profileDir, me, kdf, options.passphrase ? 'passphrase' : 'identity', options.onWarning);
  await vault.load();
  await vault.audit('VaultCreate', 'ok');
  return vault;
}

// -------------------------------------------------------------------- open

export async function openVault(options: OpenVaultOptions): Promise<Vault> {
  return openVaultImpl(options, false);
}

async function openVaultImpl(options: OpenVaultOptions, allowMissingValues: boolean): Promise<VaultSession> {
  // The file is read while the profile folder is checked; a profile error is still the one reported.
  // Each part is hashed while the next part is read: a warm snapshot's prefix is the whole
  // file (unless another writer appended since), and so is the slot memory's.
  let hasher = createHash('sha256');
  const reading = readVaultFileVisiting(options.path, (file, start, end) => {
    if (start === 0) hasher = createHash('sha256');
    hasher.update(file.subarray(start, end));
  });
  reading.catch(() => undefined);
  await ensureProfileDir(options.profileDir);
  const bytes = await reading;
  const sha256 = hasher.digest('hex');
  // Only what the unlock needs is read first (the slots); the whole file is checked after it,
  // and before any wrong passphrase is reported: a damaged file is VaultCorrupted, never that.
  let found: { scan: SlotScan; memory: SlotMemory; markersRemembered: boolean };
  try {
    const memory = await readSlotMemory(options.profileDir, readFileHeader(bytes).vaultId);
    const markers = rememberedMarkers(memory, bytes, sha256);
    found = { scan: scanSlots(bytes, markers), memory, markersRemembered: markers !== undefined };
  } catch (e) {
    // Damage found early is named the way the whole-file check names it (FORMAT.md §5.8).
    if (e instanceof CofferError && e.code === 'VaultCorrupted') await checkWholeFile(bytes);
    throw e;
  }
  const { scan, memory, markersRemembered } = found;
  const attempts = new UnlockAttempts(options.profileDir, scan.vaultId, options.unlockClock);
  const unlocked = await unlockIdentity(options, scan, memory.author, attempts, () => checkWholeFile(bytes));
  const vault = new VaultSession(options.path, options.profileDir, unlocked.identity, unlocked.kdf, unlocked.method, options.onWarning);
  vault.allowMissingValues = allowMissingValues;
  try {
    await vault.load(bytes, undefined, options.acceptRollback ?? false, sha256);
    // The remembered slot lines are a hint from the profile, which nothing signs: the slot that
    // opened the vault must be one the verified history holds as its author's newest.
    if (markersRemembered && unlocked.slot && !currentSlots(vault.core.graph).some((s) => s.slot.ct === unlocked.slot!.ct)) {
      await forgetSlotLines(options.profileDir, scan.vaultId, memory).catch(() => undefined);
      throw new CofferError('IoError', 'What this computer remembered of the vault\'s passphrase slots does not match the vault; it was forgotten: unlock again.');
    }
    await vault.settleFailedUnlocks(attempts);
  } catch (e) {
    // An open that fails wipes the identity and the keys it reached, and closes the snapshot it read.
    vault.close();
    throw e;
  }
  // Whose slots an unlock on this computer tries from now on (access/slot-choice.ts).
  const next: SlotMemory = { author: toB64u(unlocked.identity.signPub), lines: { length: bytes.length, sha256, at: scan.markers } };
  await rememberSlots(options.profileDir, scan.vaultId, next, memory).catch(() => undefined);
  // Written behind (audit/log.ts): close() and settled() wait for it.
  vault.auditBehind(OPEN_OPS[unlocked.method], 'ok');
  return vault;
}

const OPEN_OPS: Record<UnlockMethod, string> = {
  passphrase: 'VaultOpen',
  keychain: 'VaultOpenKeychain',
  recoveryKey: 'VaultOpenRecoveryKey',
  identity: 'VaultOpenIdentity',
};

/**
 * The whole file's structure and every signature (VaultCorrupted naming the first damaged
 * part). The signatures are verified on the thread pool, so a wrong passphrase on a large
 * vault does not hold the app's main thread.
 */
async function checkWholeFile(bytes: Uint8Array): Promise<void> {
  const graph = buildGraph(bytes, { deferSignatures: true });
  checkNotCut(graph);
  await verifySignaturesParallel(graph, new Set());
}

/** The member identity that opens the vault, by the first method of OpenVaultOptions that applies. */
async function unlockIdentity(
  options: OpenVaultOptions,
  scan: SlotScan,
  /** The author whose slot opened the vault on this computer before (slot memory). */
  own: string | undefined,
  attempts: UnlockAttempts,
  /** Runs before a wrong passphrase is reported: damage is reported as damage. */
  checkFile: () => Promise<void>,
): Promise<{ identity: MemberIdentity; kdf: KdfParams; method: UnlockMethod; slot?: SlotJson }> {
  const slots = scan.slots;
  const passphraseKdf = (author: string | undefined): KdfParams => {
    const s = slots.find((x) => x.slot.use === undefined && x.author === author);
    return s ? slotKdf(s.slot) : DEFAULT_KDF;
  };
  if (options.identity) return { identity: options.identity, kdf: passphraseKdf(toB64u(options.identity.signPub)), method: 'identity' };
  let keychainProblem: string | undefined;
  if (options.keychain) {
    const r = await openRemembered(options.profileDir, scan.vaultId, options.keychain);
    if (r && 'identity' in r) return { identity: r.identity, kdf: passphraseKdf(toB64u(r.identity.signPub)), method: 'keychain' };
    if (r) keychainProblem = r.problem;
  }
  const secret = options.recoveryKey ?? options.passphrase;
  if (!secret) {
    throw new CofferError('VaultLocked', keychainProblem ?? 'The vault is locked: give its passphrase.');
  }
  if (keychainProblem) options.onWarning?.(keychainProblem);
  const use = options.recoveryKey ? 'recovery' : undefined;
  if (!slots.some((s) => s.slot.use === use)) {
    await checkFile();
    throw new CofferError(
      'VaultLocked',
      use ? 'This vault has no recovery key.' : 'This vault has no passphrase slot; open it with a member identity.',
    );
  }
  await attempts.waitTurn();
  const candidates = slotsToTry(slots, use, { own, creator: scan.creator });
  let lastError: unknown;
  for (const { author, slot } of candidates) {
    // The slot's own commit must verify before its bytes are trusted with the passphrase.
    scan.verify(slot);
    try {
      const identity = await openSlot(slot, secret, Buffer.from(scan.vaultId, 'hex'));
      if (toB64u(identity.signPub) !== author) {
        // A slot sealing someone else's identity: its author planted it; never used.
        wipeIdentity(identity);
        continue;
      }
      return { identity, kdf: use ? passphraseKdf(author) : slotKdf(slot), method: use ? 'recoveryKey' : 'passphrase', slot };
    } catch (e) {
      // A slot with absurd parameters (LimitExceeded) is skipped like a wrong one, so a
      // planted slot cannot lock the owner out; WrongPassphrase wins the final report.
      // BadParameter: parameters no Argon2id accepts (a planted slot, C8): skipped the same way.
      if (!(e instanceof CofferError) || (e.code !== 'WrongPassphrase' && e.code !== 'LimitExceeded' && e.code !== 'BadParameter')) throw e;
      if (!lastError || e.code === 'WrongPassphrase') lastError = e;
    }
  }
  lastError ??= new CofferError('WrongPassphrase', 'The passphrase is wrong.');
  await checkFile();
  if (lastError instanceof CofferError && lastError.code === 'WrongPassphrase') throw await attempts.wrongGuess(lastError.message);
  throw lastError;
}

export { checkVaultFile, describeVaultFile, mergeVaultFiles } from './merge/merge.js';

// ----------------------------------------------------------------- refound

/**
 * `vault refound` (VAULT-MODEL C5): a new vault created by the member who opened `vault`, the
 * way they opened it (a member identity makes a team vault, C8; otherwise a new passphrase), in
 * the same profile, with a copy of everything (state/refound.ts). A new vault that could not be
 * filled is removed: nothing half-copied is left behind.
 */
export async function refoundVault(vault: Vault, options: RefoundVaultOptions): Promise<RefoundResult> {
  if (!(vault instanceof VaultSession)) throw new CofferError('BadParameter', 'Only a vault this engine opened can be re-founded.');
  checkMayRefound(vault);
  if (resolve(options.path) === resolve(vault.path)) throw new CofferError('BadParameter', 'The re-founded vault needs a file of its own: the old one is left as it is.');
  const byIdentity = vault.unlockedWith === 'identity';
  if (byIdentity === (options.passphrase !== undefined)) {
    throw new CofferError(
      'BadParameter',
      byIdentity
        ? 'Opened by a member identity, the vault is re-founded as a team vault created by that identity: it takes no passphrase.'
        : 'Give the re-founded vault a passphrase, or open the old one with a member identity to make a team vault.',
    );
  }
  const { me, myKey, retentionDays } = vault.core;
  const target = (await createVault({
    path: options.path,
    profileDir: vault.profileDir,
    retentionDays,
    displayName: vault.members.list().find((m) => m.signPub === myKey)?.name ?? 'owner',
    ...(byIdentity
      ? { identity: { signSeed: me.signSeed.slice(), signPub: me.signPub.slice(), encPriv: me.encPriv.slice(), encPub: me.encPub.slice() } }
      : { passphrase: options.passphrase!, ...(options.kdf ? { kdf: options.kdf } : {}) }),
    ...(options.onWarning ? { onWarning: options.onWarning } : {}),
  })) as VaultSession;
  let copied = false;
  try {
    const result = await copyVault(vault, target, new Set(options.leaveOut ?? []));
    copied = true;
    return result;
  } finally {
    target.close();
    await target.settled();
    if (!copied) await rm(options.path, { force: true });
  }
}

/**
 * `vault upgrade`: rewrites the header of an older-format file to the current
 * format (FORMAT.md §1), without unlocking: every commit stays as signed, and
 * new commits are written in the current format. Older Coffers then refuse the
 * file, saying a newer one may read it.
 */
export async function upgradeVaultFile(path: string): Promise<{ from: number; to: number; upgraded: boolean }> {
  return withFileLock(vaultLockPath(path), async () => {
    const bytes = await readVaultFile(path);
    const g = buildGraph(bytes); // structure and every signature: nothing damaged is rewritten
    if (g.newerFormat) throw new CofferError('Forbidden', `A newer Coffer (format version ${g.formatVersion}) wrote this vault; this one cannot upgrade it.`, { innerCode: 'NewerFormat' });
    if (g.formatVersion === FORMAT_VERSION) return { from: g.formatVersion, to: FORMAT_VERSION, upgraded: false };
    const rest = bytes.subarray(bytes.indexOf(0x0a) + 1);
    await replaceVaultFile(path, Buffer.concat([Buffer.from(headerLine(g.vaultId)), rest]));
    return { from: g.formatVersion, to: FORMAT_VERSION, upgraded: true };
  });
}

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
        // One purge record per object, of the kind it is.
        const byObject = new Map<string, { lost: (typeof lost)[number]; versions: string[] }>();
        for (const l of lost) {
          const k = `${l.kind.collection}/${l.name}`;
          byObject.set(k, { lost: l, versions: [...(byObject.get(k)?.versions ?? []), l.version] });
        }
        const managed = (l: (typeof lost)[number]): boolean => {
          const state = v.core.state.of(l.kind) as VersionedObjects<unknown>;
          const o = state.get(l.name);
          return o !== undefined && state.isManaged(o);
        };
        for (const l of lost) v.require((managed(l) ? 'certificates/purge' : `${l.kind.collection}/purge`) as Permission);
        await v.write(() => ({
          pending: { records: [...byObject.values()].map(({ lost: l, versions }) => l.kind.versions!.purge(l.name, versions, managed(l)) as VaultRecord) },
          result: () => undefined,
        }));
      }
      return { ...r, lostValues: lost.map((l) => `${l.kind.collection}/${l.name}/${l.version}`) };
    } finally {
      v.close();
      await v.settled();
    }
  } finally {
    await rm(profileDir, { recursive: true, force: true });
  }
}
export { createIdentity, type MemberIdentity } from './access/identity.js';

// ------------------------------------------------- remembered on this computer

/**
 * The vault id from the file's header line, without reading the rest: enough
 * to find the profile's remembered-unlock file (a wrong id finds nothing; the
 * identity it would open is bound to the real id and checked on open).
 */
async function readVaultIdFromHeader(path: string): Promise<string> {
  return parseHeaderLine(await readVaultFileFirstLine(path, MAX_HEADER_BYTES));
}

export async function isVaultRemembered(options: { path: string; profileDir: string }): Promise<boolean> {
  return isRemembered(options.profileDir, await readVaultIdFromHeader(options.path));
}

export async function forgetVault(options: { path: string; profileDir: string; keychain: Keychain }): Promise<ForgetResult> {
  return forgetRemembered(options.profileDir, await readVaultIdFromHeader(options.path), options.keychain);
}

export { defaultCertificatePolicy } from './certificates/policy.js';
