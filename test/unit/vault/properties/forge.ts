/**
 * A "modified client" for the property tests: builds commits by hand from the
 * format's pieces (canonical JSON, commit lines, signatures, wraps), so a test
 * can write what the engine's API would refuse to write (V4, V8).
 */
import { appendFile } from 'node:fs/promises';
import { VaultCore, bodyAd, objectId, valueAd } from '../../../../electron/vault/core.js';
import { blobLine, canonicalJson, commitLine, FORMAT_VERSION, type CommitPayload, type SlotJson } from '../../../../electron/vault/format/codec.js';
import { valueBlobs } from '../../../../electron/vault/access/authorize.js';
import type { Scope } from '../../../../electron/vault/access/roles.js';
import { buildGraph, commitId, hashBlob, signatureMessage, type Graph } from '../../../../electron/vault/format/graph.js';
import { commitKeyContext, deriveDataKey, wrapToMember } from '../../../../electron/vault/format/keys.js';
import { compareHlc, type Body, type Hlc, type VaultRecord } from '../../../../electron/vault/format/records.js';
import { ed25519Sign, keyCommitment, pad, randomBytes, seal, toB64u, toHex, utf8 } from '../../../../electron/vault/crypto/index.js';
import type { MemberIdentity } from '../../../../electron/vault/access/identity.js';

/** The engine's view of a file for one identity (what a modified client would start from). */
export function loadCore(bytes: Uint8Array, me: MemberIdentity): VaultCore {
  const core = new VaultCore(buildGraph(bytes), me);
  core.build();
  return core;
}

export interface CraftOptions {
  /** Body records; `secret` records get their `blob` index in order, and a batch key is added when values are given. */
  records: VaultRecord[];
  values?: Uint8Array[];
  slots?: SlotJson[];
  /** Default: the file's heads. */
  parents?: string[];
  /** Default: the author's next sequence number in the file. */
  seq?: number;
  /** Default: the newest epoch this identity sees, else the last one started in the file. */
  epoch?: string;
  /** Default: later than every clock this identity can read. */
  hlc?: Hlc;
  /** The author named in the payload (default: `me.signPub`). */
  author?: Uint8Array;
  /** The seed that signs (default: `me.signSeed`). */
  signSeed?: Uint8Array;
  /** The payload's format version (default: the current one). */
  v?: 1 | 2;
}

export interface CraftedCommit {
  /** Blob lines then the commit line, ready to append. */
  text: string;
  id: string;
  payload: CommitPayload;
}

function lastClearEpoch(g: Graph): string | undefined {
  let e: string | undefined;
  for (const c of g.commits) {
    const p = c.payload as CommitPayload;
    if (p.newEpoch) e = p.epoch;
  }
  return e;
}

/** Builds one commit as the engine would (FORMAT: body under meta, values under a batch key wrapped to `secrets`). */
export function craftCommit(core: VaultCore, me: MemberIdentity, o: CraftOptions): CraftedCommit {
  const vid = core.vaultIdBytes;
  const authorPub = o.author ?? me.signPub;
  const author = toB64u(authorPub);
  const parents = [...(o.parents ?? core.graph.heads)].sort();
  const seq = o.seq ?? (core.lastSeq.get(author) ?? 0) + 1;
  const epoch = o.epoch ?? core.currentFrontier()[0] ?? lastClearEpoch(core.graph);
  if (!epoch) throw new Error('craftCommit: no epoch in the file');
  let hlc: Hlc = o.hlc ?? [Date.now(), 0];
  if (!o.hlc) for (const d of core.decoded.values()) if (d.body && compareHlc(d.body.hlc, hlc) >= 0) hlc = [d.body.hlc[0], d.body.hlc[1] + 1];

  const records = o.records.map((r) => ({ ...r }));
  const blobs: string[] = [];
  let text = '';
  const values = o.values ?? [];
  if (values.length > 0) {
    // One batch key per scope the values are sealed under (C6), each value's blob in record order.
    const refs = valueBlobs(records);
    const batches = new Map<string, Uint8Array>();
    for (const { scope } of refs) {
      if (batches.has(scope)) continue;
      const pub = core.scopePub(epoch, scope as Scope);
      if (!pub) throw new Error(`craftCommit: this identity cannot see the ${scope} scope key of the epoch`);
      const batch = randomBytes(32);
      batches.set(scope, batch);
      records.push({ t: 'batch', scope: scope as 'secrets', key: wrapToMember(pub, batch, commitKeyContext(vid, epoch, scope as Scope, authorPub, seq)), kc: toB64u(keyCommitment(batch)) });
    }
    let i = 0;
    for (const r of records) {
      const ref = r.t === 'batch' ? undefined : valueBlobs([r])[0];
      if (!ref) continue;
      const named = r as { name: string; version: string; blob: number };
      const collection = ref.scope === 'ca' ? 'cas' : ref.scope;
      const oid = objectId(vid, collection, named.name);
      const dk = deriveDataKey(batches.get(ref.scope)!, oid, named.version);
      const ct = seal(dk, pad(values[i]!), valueAd(vid, oid, named.version, epoch, ref.scope));
      named.blob = blobs.length;
      blobs.push(hashBlob(ct));
      text += blobLine(ct);
      i++;
    }
  }
  const metaPub = core.scopePub(epoch, 'meta');
  if (!metaPub) throw new Error('craftCommit: unknown epoch');
  const body: Body = { hlc, time: Math.floor(hlc[0] / 1000), records };
  const bodyKey = randomBytes(32);
  const payload: CommitPayload = {
    v: o.v ?? FORMAT_VERSION,
    vault: core.vaultId,
    author,
    seq,
    parents,
    epoch,
    ...(o.slots ? { slots: o.slots } : {}),
    key: wrapToMember(metaPub, bodyKey, commitKeyContext(vid, epoch, 'meta', authorPub, seq)),
    kc: toB64u(keyCommitment(bodyKey)),
    body: toB64u(seal(bodyKey, pad(utf8(canonicalJson(body))), bodyAd(vid, epoch, authorPub, seq))),
    ...(blobs.length ? { blobs } : {}),
  };
  const payloadText = canonicalJson(payload);
  const id = commitId(payloadText);
  const sig = ed25519Sign(o.signSeed ?? me.signSeed, signatureMessage(id));
  return { text: text + commitLine(payloadText, sig), id, payload };
}

/** A fresh 32-hex version id. */
export const newVersion = (): string => toHex(randomBytes(16));

export async function appendToFile(path: string, text: string): Promise<void> {
  await appendFile(path, text);
}

