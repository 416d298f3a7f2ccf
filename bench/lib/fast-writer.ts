/**
 * The fast commit writer (for the many-commit vaults of sections (3)–(5)).
 * It uses the engine's internals (VaultCore, format, keys, crypto), unlike
 * the rest of the bench, which calls only the engine's public functions:
 * only build-commits.ts imports this module.
 *
 * Why a fast writer: a `secrets.set` takes the lock, fsyncs, and on a vault
 * of n commits scans all n accepted commits several times (VaultCore
 * currentMembers / currentFrontier / acceptedHeads), so building 50,000
 * commits one `set` at a time is quadratic: over an hour here, far beyond
 * the bench's budget (scenario (4) measures one set, and the report
 * extrapolates the build time from it).
 * FastCommitWriter produces the SAME commits as a `set` of one secret: it
 * runs the steps of vault.ts buildCommit (the non-epoch branch, which is
 * the one a single-member vault takes) with the engine's own format, key and
 * crypto functions, and appends them in large batches with one fsync at the
 * end, instead of one lock + read + append + fsync cycle per commit.
 * Nothing is trusted from it: the bench opens every fixture with the engine
 * on a fresh profile (full verification of every signature, authorization
 * and body), checks the counts, and compares the shape of a fast commit
 * with a commit the engine wrote itself (assertSameShape) so the writer
 * cannot silently drift from buildCommit.
 * COFFER_BENCH_REAL_SETS=1 builds with real `set` calls instead.
 */
import { open as openFile } from 'node:fs/promises';
import type { Vault } from '../../electron/vault/api.js';
import type { VaultCore } from '../../electron/vault/core.js';
import { bodyAd, objectId, valueAd } from '../../electron/vault/core.js';
import {
  Ed25519Signer,
  keyCommitment,
  pad,
  randomBytes,
  seal,
  toB64u,
  utf8 as utf8Bytes,
  wipe,
} from '../../electron/vault/crypto/index.js';
import { blobLine, canonicalJson, commitLine, type CommitPayload } from '../../electron/vault/format/codec.js';
import { commitId, hashBlob, signatureMessage } from '../../electron/vault/format/graph.js';
import { authorEphemeral, commitKeyContext, deriveDataKey, SharedSecretCache, wrapWithEphemeral } from '../../electron/vault/format/keys.js';
import type { Body, Hlc, VaultRecord } from '../../electron/vault/format/records.js';
import { newVersionId, validateSetInput } from '../../electron/vault/secrets/rules.js';

/** The engine keeps its state on the Vault object (VaultImpl.core); the bench reads it, never writes it. */
export function coreOf(vault: Vault): VaultCore {
  const core = (vault as unknown as { core?: VaultCore }).core;
  if (!core) throw new Error('the engine no longer exposes VaultImpl.core: update bench/lib/fast-writer.ts');
  return core;
}

interface WriterState {
  heads: string[];
  seq: number;
  maxHlc: Hlc;
}

export interface FastCommit {
  id: string;
  payload: CommitPayload;
  body: Body;
  /** Blob lines then the commit line, as buildCommit returns them. */
  text: string;
}

/** Appends one-secret `set` commits to a vault file, exactly as vault.ts buildCommit would (see the header). */
export class FastCommitWriter {
  private readonly vaultId: string;
  private readonly vid: Uint8Array;
  private readonly author: string;
  private readonly signPub: Uint8Array;
  private readonly signer: Ed25519Signer;
  private readonly epoch: string;
  private readonly pubSecrets: Uint8Array;
  private readonly pubMeta: Uint8Array;
  // authorEphemeral is a pure function of (identity, vault, epoch, scope): buildCommit derives
  // the same pair for every commit; deriving it once gives the same bytes.
  private readonly ephSecrets: { priv: Uint8Array; pub: Uint8Array };
  private readonly ephMeta: { priv: Uint8Array; pub: Uint8Array };
  private readonly shared: SharedSecretCache;
  private state: WriterState;

  private constructor(from: FastCommitWriter | VaultCore) {
    if (from instanceof FastCommitWriter) {
      this.vaultId = from.vaultId;
      this.vid = from.vid;
      this.author = from.author;
      this.signPub = from.signPub;
      this.signer = from.signer;
      this.epoch = from.epoch;
      this.pubSecrets = from.pubSecrets;
      this.pubMeta = from.pubMeta;
      this.ephSecrets = from.ephSecrets;
      this.ephMeta = from.ephMeta;
      this.shared = from.shared;
      this.state = { heads: [...from.state.heads], seq: from.state.seq, maxHlc: [...from.state.maxHlc] };
      return;
    }
    const core = from;
    const frontier = core.currentFrontier();
    if (frontier.length !== 1) throw new Error(`FastCommitWriter needs a vault with one current key epoch (has ${frontier.length})`);
    if (core.currentMembers().size !== 1) throw new Error('FastCommitWriter mirrors a single-member vault (no re-key on write)');
    this.vaultId = core.vaultId;
    this.vid = Uint8Array.from(core.vaultIdBytes);
    this.signPub = Uint8Array.from(core.me.signPub);
    this.author = toB64u(this.signPub);
    this.signer = new Ed25519Signer(core.me.signSeed);
    this.epoch = frontier[0]!;
    const ps = core.scopePub(this.epoch, 'secrets');
    const pm = core.scopePub(this.epoch, 'meta');
    if (!ps || !pm) throw new Error('the current epoch has no secrets/meta public key');
    this.pubSecrets = ps;
    this.pubMeta = pm;
    this.ephSecrets = authorEphemeral(core.me.encPriv, this.vid, this.epoch, 'secrets');
    this.ephMeta = authorEphemeral(core.me.encPriv, this.vid, this.epoch, 'meta');
    this.shared = new SharedSecretCache();
    this.state = { heads: [...core.graph.heads].sort(), seq: core.lastSeq.get(this.author) ?? 0, maxHlc: [...core.maxHlc] };
  }

  /** From an open vault (the vault object must not be written through afterwards). */
  static fromVault(vault: Vault): FastCommitWriter {
    return new FastCommitWriter(coreOf(vault));
  }

  /** A second writer continuing from the same point: a divergent copy (same member on another computer). */
  fork(): FastCommitWriter {
    return new FastCommitWriter(this);
  }

  /** vault.ts buildCommit for `secrets.set({ name, value })`, records [secret] + batch. */
  set(name: string, value: Uint8Array): FastCommit {
    const { encoding, contentType } = validateSetInput({ name, value });
    const seq = this.state.seq + 1;
    const parents = [...this.state.heads].sort();
    const wall = Date.now();
    const max = this.state.maxHlc;
    const hlc: Hlc = wall > max[0] ? [wall, 0] : [max[0], max[1] + 1];
    const version = newVersionId();
    const record: VaultRecord = {
      t: 'secret',
      name,
      version,
      blob: 0,
      enc: encoding,
      enabled: true,
      ...(contentType !== undefined ? { contentType } : {}),
    };
    const records: VaultRecord[] = [record];

    const batch = randomBytes(32);
    const ctx = commitKeyContext(this.vid, this.epoch, 'secrets', this.signPub, seq);
    records.push({ t: 'batch', scope: 'secrets', key: wrapWithEphemeral(this.ephSecrets, this.pubSecrets, batch, ctx, this.shared), kc: toB64u(keyCommitment(batch)) });
    const oid = objectId(this.vid, 'secrets', name);
    const dk = deriveDataKey(batch, oid, version);
    const padded = pad(value);
    const ct = seal(dk, padded, valueAd(this.vid, oid, version, this.epoch));
    wipe(dk, padded, batch);
    const blobHash = hashBlob(ct);

    const body: Body = { hlc, time: Math.floor(wall / 1000), records };
    const bodyKey = randomBytes(32);
    const keyStanza = wrapWithEphemeral(this.ephMeta, this.pubMeta, bodyKey, commitKeyContext(this.vid, this.epoch, 'meta', this.signPub, seq), this.shared);
    const plain = pad(utf8Bytes(canonicalJson(body)));
    const sealedBody = seal(bodyKey, plain, bodyAd(this.vid, this.epoch, this.signPub, seq));
    const kc = keyCommitment(bodyKey);
    wipe(bodyKey, plain);
    const payload: CommitPayload = {
      v: 1,
      vault: this.vaultId,
      author: this.author,
      seq,
      parents,
      epoch: this.epoch,
      key: keyStanza,
      kc: toB64u(kc),
      body: toB64u(sealedBody),
      blobs: [blobHash],
    };
    const text = canonicalJson(payload);
    const id = commitId(text);
    const sig = this.signer.sign(signatureMessage(id));
    this.state = { heads: [id], seq, maxHlc: hlc };
    return { id, payload, body, text: blobLine(ct) + commitLine(text, sig) };
  }
}

/** Appends text in large writes and fsyncs once at the end (the file must be a complete vault: it ends with a newline). */
export class BatchAppender {
  private chunks: string[] = [];
  private size = 0;
  bytes = 0;
  private constructor(private readonly fh: Awaited<ReturnType<typeof openFile>>) {}

  static async open(path: string): Promise<BatchAppender> {
    return new BatchAppender(await openFile(path, 'a'));
  }

  async add(text: string): Promise<void> {
    this.chunks.push(text);
    this.size += text.length;
    if (this.size >= 8 * 1024 * 1024) await this.flush();
  }

  private async flush(): Promise<void> {
    if (this.chunks.length === 0) return;
    const buf = Buffer.from(this.chunks.join(''), 'latin1');
    await this.fh.write(buf);
    this.bytes += buf.length;
    this.chunks = [];
    this.size = 0;
  }

  async close(): Promise<void> {
    await this.flush();
    await this.fh.sync();
    await this.fh.close();
  }
}

const sortedKeys = (o: object): string => Object.keys(o).sort().join(',');

/**
 * The fast writer must produce what buildCommit produces: same payload
 * fields, same body fields, same records with the same fields. Compared with
 * a commit the engine itself wrote for a `set` (values differ: keys, ids...).
 */
export function assertSameShape(engine: { payload: CommitPayload; body: Body }, fast: { payload: CommitPayload; body: Body }): void {
  const problems: string[] = [];
  const same = (what: string, a: string, b: string): void => {
    if (a !== b) problems.push(`${what}: engine {${a}} vs fast writer {${b}}`);
  };
  same('payload fields', sortedKeys(engine.payload), sortedKeys(fast.payload));
  same('body fields', sortedKeys(engine.body), sortedKeys(fast.body));
  same('record types', engine.body.records.map((r) => r.t).join(','), fast.body.records.map((r) => r.t).join(','));
  engine.body.records.forEach((r, i) => {
    const f = fast.body.records[i];
    if (f) same(`record ${i} (${r.t}) fields`, sortedKeys(r), sortedKeys(f));
  });
  same('blobs per commit', String(engine.payload.blobs?.length), String(fast.payload.blobs?.length));
  same('parents per commit', String(engine.payload.parents.length), String(fast.payload.parents.length));
  if (engine.payload.epoch !== fast.payload.epoch) problems.push('the fast writer writes under another epoch');
  if (problems.length > 0) throw new Error(`FastCommitWriter no longer matches vault.ts buildCommit:\n  ${problems.join('\n  ')}`);
}

/** The engine's last commit with its decrypted body (for assertSameShape). */
export function lastEngineCommit(vault: Vault): { payload: CommitPayload; body: Body } {
  const core = coreOf(vault);
  const c = core.graph.commits[core.graph.commits.length - 1]!;
  const body = core.decoded.get(c.id)?.body;
  if (!body) throw new Error('the last commit has no decoded body');
  return { payload: c.payload as CommitPayload, body };
}
