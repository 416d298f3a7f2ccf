/**
 * Builds one signed commit from pending records (FORMAT.md §4–§7): parents,
 * sequence, clock, epoch (a new one with fresh scope keys when membership
 * changes, C7), value blobs under a per-commit batch key, the sealed body.
 */

import { ed25519Sign, fromB64u, keyCommitment, pad, randomBytes, seal, toB64u, toHex, utf8, wipe } from '../crypto/index.js';
import { CofferError } from '../errors.js';
import { canonicalJson, commitLine, blobLine, FORMAT_VERSION, MAX_LINE_BYTES, MAX_RECORDS_PER_COMMIT, validatePayload, type CommitPayload, type SlotJson } from './codec.js';
import { commitId, hashBlob, signatureMessage, type GraphCommit } from './graph.js';
import { authorEphemeral, chainContext, commitKeyContext, memberWrapContext, newScopeKeyPair, wrapToMember, wrapWithEphemeral } from './keys.js';
import { MAX_HLC_COUNTER, MAX_HLC_TIME, validateBody, type Body, type Hlc, type ScopeKeysJson, type ValueScope, type VaultRecord } from './records.js';
import { KIND_RECORDS } from '../state/kinds.js';
import { permits, scopesOf, SCOPES, type Scope } from '../access/roles.js';
import { membersAfter } from '../access/authorize.js';
import { bodyAd, type DecodedCommit, type MemberState, type VaultCore } from '../core.js';
import { sealValue, type ValueRef } from '../state/values.js';
import { grantKeysFor } from '../access/grants.js';

/** A pending write: records plus the values they reference (one per record that writes a value, in record order). */
export interface PendingCommit {
  records: VaultRecord[];
  values?: Uint8Array[];
  slots?: SlotJson[];
  /** Start a new epoch (membership change), with the membership after this commit. */
  newEpoch?: boolean;
  /** A checkpoint's folded state (the record is in `records`): sealed in chunks under a meta batch key. */
  checkpointState?: Uint8Array;
}

/** A checkpoint's state is cut into chunks of this many bytes (each one blob line). */
export const CHECKPOINT_CHUNK = 8 * 1024 * 1024;

/** Where a checkpoint's state chunk `i` belongs (its data key and AD, FORMAT.md §6.7). */
export function checkpointChunk(i: number, epoch: string): ValueRef {
  return { collection: 'checkpoints', name: 'state', version: i.toString(16).padStart(32, '0'), epoch, scope: 'meta' };
}

export interface BuiltCommit {
  text: string;
  commit: GraphCommit;
  decoded: DecodedCommit;
  blobs: Map<string, Uint8Array>;
}

export function buildCommit(core: VaultCore, pending: PendingCommit): BuiltCommit {
  const me = core.me;
  const author = toB64u(me.signPub);
  const parents = [...core.graph.heads].sort();
  const seq = (core.lastSeq.get(author) ?? 0) + 1;
  // C5: at least the parents' clock, within the fixed bounds (equal is allowed, so a clock at the bound stops nobody).
  const wall = Math.min(Date.now(), MAX_HLC_TIME);
  const hlc: Hlc = wall > core.maxHlc[0] ? [wall, 0] : [core.maxHlc[0], Math.min(core.maxHlc[1] + 1, MAX_HLC_COUNTER)];
  const vid = core.vaultIdBytes;
  const records = [...pending.records];
  const frontier = core.currentFrontier();
  let epoch: string;
  let newEpoch: CommitPayload['newEpoch'];
  let newScopePubs: Record<Scope, Uint8Array> | undefined;

  const admin = permits(core.myRoles().length ? core.myRoles() : ['Key Vault Administrator'], 'members/manage');
  const exposed = frontier.some((e) => core.epochExposed(e));
  if (pending.newEpoch || (admin && (frontier.length > 1 || exposed))) {
    // C7: a new epoch with fresh scope keys, wrapped to the members after this commit.
    epoch = toHex(randomBytes(16));
    const members = membersAfterWrite(core.currentMembers(), records, core);
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
    newScopePubs = Object.fromEntries(SCOPES.map((s) => [s, scopes[s]!.pub])) as Record<Scope, Uint8Array>;
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
  // A new epoch's scope keys are not registered yet (their commit is being built).
  const scopePub = (s: Scope): Uint8Array => newScopePubs?.[s] ?? core.scopePub(epoch, s)!;

  // Values: one batch key per scope and commit, a derived data key per version (C6).
  const blobs = new Map<string, Uint8Array>();
  const blobList: string[] = [];
  const withBatch = (scope: ValueScope | 'meta', fill: (batch: Uint8Array) => void): void => {
    const batch = randomBytes(32);
    const eph = authorEphemeral(me.encPriv, vid, epoch, scope);
    const ctx = commitKeyContext(vid, epoch, scope, me.signPub, seq);
    records.push({ t: 'batch', scope, key: wrapWithEphemeral(eph, scopePub(scope), batch, ctx, core.shared), kc: toB64u(keyCommitment(batch)) });
    try {
      fill(batch);
    } finally {
      wipe(batch, eph.priv);
    }
  };
  /** Adds a sealed value as a blob line of this commit; returns its index in `blobs`. */
  const addBlob = (batch: Uint8Array, ref: ValueRef, plain: Uint8Array): number => {
    const ct = sealValue(vid, batch, ref, plain);
    const h = hashBlob(ct);
    blobs.set(h, ct);
    return blobList.push(h) - 1;
  };
  // Each kind's values under its own scope's batch key (FORMAT.md §6.7), in record order within it.
  const byScope = new Map<ValueScope, { r: { name: string; version: string; blob: number }; collection: string; value: Uint8Array }[]>();
  let valueIndex = 0;
  for (const r of records) {
    const k = KIND_RECORDS.get(r.t);
    // A record with an optional value (blobOf) has one when the operation gave it a blob index.
    if (!k || !(k.type.writesValue || (k.type.blobOf && k.type.blobOf(r) !== undefined))) continue;
    const scope = k.kind.valueScope;
    const list = byScope.get(scope) ?? [];
    list.push({ r: r as unknown as { name: string; version: string; blob: number }, collection: k.kind.collection, value: pending.values![valueIndex++]! });
    byScope.set(scope, list);
  }
  for (const [scope, list] of byScope) {
    withBatch(scope, (batch) => {
      for (const { r, collection, value } of list) {
        r.blob = addBlob(batch, { collection, name: r.name, version: r.version, epoch, scope }, value);
        // The new version's data key goes to those who hold a role on its object (FORMAT.md §6.10).
        records.push(...grantKeysFor(core, collection, r.name, r.version, batch));
      }
    });
  }
  const checkpoint = records.find((r) => r.t === 'checkpoint');
  if (checkpoint && checkpoint.t === 'checkpoint' && pending.checkpointState) {
    // C11: the folded state in blob lines (a line holds at most 16 MiB of base64).
    const state = pending.checkpointState;
    withBatch('meta', (batch) => {
      for (let i = 0, at = 0; at < state.length || i === 0; i++, at += CHECKPOINT_CHUNK) {
        checkpoint.state.push(addBlob(batch, checkpointChunk(i, epoch), state.subarray(at, at + CHECKPOINT_CHUNK)));
      }
    });
  }

  const body: Body = { hlc, time: Math.floor(wall / 1000), records };
  if (records.length > MAX_RECORDS_PER_COMMIT) {
    throw tooLarge(`${records.length.toLocaleString('en-US')} records, over the ${MAX_RECORDS_PER_COMMIT.toLocaleString('en-US')} a commit may hold`);
  }
  // What the reader refuses, no writer may write: the body passes the same validation as on open.
  const bodyText = canonicalJson(body);
  const invalid = validateBody(JSON.parse(bodyText), blobList.length, FORMAT_VERSION);
  if (typeof invalid === 'string') throw new CofferError('BadParameter', `This change cannot be written: ${invalid}.`);
  const bodyKey = randomBytes(32);
  const eph = authorEphemeral(me.encPriv, vid, epoch, 'meta');
  const keyStanza = wrapWithEphemeral(eph, scopePub('meta'), bodyKey, commitKeyContext(vid, epoch, 'meta', me.signPub, seq), core.shared);
  const plain = pad(utf8(bodyText));
  const sealedBody = seal(bodyKey, plain, bodyAd(vid, epoch, me.signPub, seq));
  const kc = keyCommitment(bodyKey);
  wipe(bodyKey, plain, eph.priv);
  const payload: CommitPayload = {
    v: FORMAT_VERSION,
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
  // The payload too passes the reader's checks (counts of parents, blobs, slots...) before it is signed.
  try {
    validatePayload(JSON.parse(text));
  } catch (e) {
    throw new CofferError('LimitExceeded', `This change cannot be written: ${e instanceof Error ? e.message : 'invalid commit'}. Nothing was written.`);
  }
  const id = commitId(text);
  const sig = ed25519Sign(me.signSeed, signatureMessage(id));
  const commit: GraphCommit = { id, line: 0, end: 0, payload, payloadText: text, sig, author, seq, parents, index: core.graph.commits.length };
  let out = '';
  for (const b of blobList) out += blobLine(blobs.get(b)!);
  const line = commitLine(text, sig);
  if (Buffer.byteLength(line) > MAX_LINE_BYTES) {
    throw tooLarge(`${(Buffer.byteLength(line) / 2 ** 20).toFixed(1)} MiB, over the ${MAX_LINE_BYTES / 2 ** 20} MiB a commit may take`);
  }
  out += line;
  return { text: out, commit, decoded: { c: commit, p: payload, body }, blobs };
}


/** A change over a limit the reader checks: refused before anything is written. */
function tooLarge(why: string): CofferError {
  return new CofferError('LimitExceeded', `This change is too large for one commit: ${why}. Nothing was written: import fewer entries at a time, or make the change in smaller parts.`);
}

/** Who a new epoch's scope keys are wrapped to: the members after this commit's records. */
function membersAfterWrite(members: Map<string, MemberState>, records: VaultRecord[], core: VaultCore): Map<string, MemberState> {
  const out = membersAfter(members, records);
  // The creator's first commit: the genesis author is Administrator with the keys of its member record.
  const me = toB64u(core.me.signPub);
  if (!out.get(me)?.enc && out.has(me)) out.set(me, { ...out.get(me)!, enc: toB64u(core.me.encPub) });
  return out;
}
