/**
 * The local audit log (VAULT-MODEL C12): reads, uses and failures that leave
 * no commit in the vault (reveal, copy, list, sign, decrypt, a failed
 * unlock...) are recorded in `<profile>/audit/<vaultId>.log`, one JSON entry
 * per line, each signed by the member's identity and chained to the previous
 * line by hash. Writes are already in the vault's signed history; they may be
 * logged here too.
 *
 * What this does and does not prove: a verifier holding the public key can
 * tell that no line was modified, removed, inserted or reordered since it was
 * signed, except at the end (dropping the newest lines is not detectable from
 * the file alone). The signer itself can rewrite the whole log: the private
 * key that signs is on the same computer. SECURITY.md says so.
 *
 * No values, ever (V9): an entry accepts only an allowlist of fields, each
 * of a narrow shape (an operation name, a result, an error code, an object
 * name from Key Vault's name charset, a 32-hex version). There is no free
 * text field in which a value or a message could slip through.
 *
 * Entry line (UTF-8 JSON, keys in this order, no spaces, ending with "\n"):
 *   {"seq":1,"time":"2026-01-02T03:04:05.678Z","op":"SecretGet","result":"ok",
 *    "object":"db-password","version":"<32 hex>","actor":"<64 hex>",
 *    "prev":"<64 hex>","sig":"<86 base64url>"}
 * - seq: 1 for the first line, +1 for each following line;
 * - time: ISO 8601 UTC with milliseconds, when the event happened (a failed
 *   unlock is logged at the next unlock with its own time: times need not increase);
 * - op: Key Vault's operationName (SecretGet, SecretList, SecretSet, ...) or
 *   Coffer's own (VaultOpen, VaultUnlockFailed, ...);
 * - result: "ok" | "error"; code: the error code for "error";
 * - actor: hex of the signer's Ed25519 public key;
 * - prev: hex SHA-256 of the previous line's bytes without its newline, or 64
 *   zeros on the first line;
 * - sig: base64url (no padding) Ed25519 signature over
 *   utf8("coffer/v1 audit\0") ‖ SHA-256(canonical JSON of the entry without
 *   sig), where canonical JSON has the keys sorted by code unit, no
 *   whitespace, integers in decimal (all string fields are plain ASCII that
 *   JSON.stringify writes without escapes).
 *
 * Entries are written in batches (every record queued while the previous
 * batch was being written), and a batch is signed once: its last line has
 * `sig`, the lines before it in the batch have none. Each of those is bound
 * by the chain to the signed line after it (the next line's `prev` is its
 * hash, and that line's own `prev` is signed), as a transparency log's
 * signed head covers the entries before it. A signature costs more than the
 * rest of a record (Ed25519, ~25 µs): one per batch keeps the log from
 * slowing a service that signs or decrypts in a loop. Unsigned lines at the
 * end of the file, with no signed line after them, are not part of the log:
 * an append that was cut before its last line, or lines someone else
 * added; the next append drops them, as an incomplete line.
 */
import { createHash } from 'node:crypto';
import { open, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { HEX64 } from '../crypto/index.js';
import { CofferError } from '../errors.js';
import { withFileLock } from '../store/lock.js';
import { ensurePrivateDir } from '../store/profile.js';
import { describeFsError } from '../store/vault-file.js';

/** Signature label (C1): a signature made for the audit log is valid for nothing else. */
export const AUDIT_SIGNATURE_LABEL = 'coffer/v1 audit\0';
export const AUDIT_GENESIS_PREV = '0'.repeat(64);

/** Signs with the member's Ed25519 identity key; supplied by the caller (the crypto module). */
export interface AuditSigner {
  /** 32-byte Ed25519 public key. */
  publicKey: Uint8Array;
  /** Ed25519 signature (64 bytes) of `message`. */
  sign(message: Uint8Array): Uint8Array;
}

/** Ed25519 verification: true if `signature` is valid for `message` under `publicKey`. */
export type AuditVerifyFn = (publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array) => boolean;

/** What a caller records. Nothing else is accepted. */
export interface AuditEvent {
  op: string;
  result: 'ok' | 'error';
  code?: string;
  object?: string;
  version?: string;
}

/** A full entry as stored. */
export interface AuditEntry extends AuditEvent {
  seq: number;
  time: string;
  actor: string;
  prev: string;
  /** On the last line of each batch; the lines before it in the batch are covered through the chain. */
  sig?: string;
}

export interface AuditVerifyResult {
  /** True if every complete line verified. */
  ok: boolean;
  /** Number of entries that verified (before the problem, if any). */
  entries: number;
  /** The first problem found, with its 1-based line number. */
  problem?: { line: number; message: string };
  /** Set when the file ends with an incomplete line (an interrupted append; dropped by the next append). */
  warning?: string;
}

const OP = /^[A-Za-z]{1,64}$/;
const CODE = /^[A-Za-z]{1,64}$/;
/** Key Vault object names: 1–127 of 0-9 a-z A-Z - (AKV-REFERENCE). */
const OBJECT = /^[0-9A-Za-z-]{1,127}$/;
const VERSION = /^[0-9A-Fa-f]{32}$/;
const SIG = /^[A-Za-z0-9_-]{86}$/;
const ISO_TIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

/** ISO 8601 UTC with milliseconds, and a real date (what an entry's `time` must be). */
function isAuditTime(s: string): boolean {
  return ISO_TIME.test(s) && !Number.isNaN(Date.parse(s));
}
/** Vault ids are lowercase hex (DECISIONS "Identifiers"); the pattern also keeps the file name inside audit/. */
const VAULT_ID = /^[0-9a-f]{16,64}$/;

const EVENT_FIELDS = ['op', 'result', 'code', 'object', 'version'] as const;
const ENTRY_FIELDS = ['seq', 'time', 'op', 'result', 'code', 'object', 'version', 'actor', 'prev', 'sig'] as const;
const REQUIRED_ENTRY_FIELDS = ['seq', 'time', 'op', 'result', 'actor', 'prev'] as const;

/** Entries are well under 1 KiB; a line longer than this is damage. */
const MAX_ENTRY_BYTES = 4096;
/** How much of the end of the log an append reads to find the last entry. */
const TAIL_BYTES = 2 * MAX_ENTRY_BYTES;
const NEWLINE = 0x0a;

/** `<profile>/audit/<vaultId>.log`. */
export function auditLogPath(profileDir: string, vaultId: string): string {
  if (!VAULT_ID.test(vaultId)) throw new CofferError('BadParameter', 'A vault id is 16 to 64 lowercase hex characters');
  return path.join(profileDir, 'audit', `${vaultId}.log`);
}

// ---------------------------------------------------------------------------
// Validation and encoding

/**
 * Check an event against the allowlist. Messages name the field, never its
 * content (the content is what might be a secret).
 */
function validateEvent(e: unknown): AuditEvent {
  if (typeof e !== 'object' || e === null || Array.isArray(e)) {
    throw new CofferError('BadParameter', 'An audit event is an object with op, result and optional code, object, version');
  }
  const r = e as Record<string, unknown>;
  for (const key of Object.keys(r)) {
    if (!(EVENT_FIELDS as readonly string[]).includes(key)) {
      const shown = /^[A-Za-z0-9_-]{1,40}$/.test(key) ? `'${key}'` : 'an unknown field';
      throw new CofferError(
        'BadParameter',
        `Audit events take only op, result, code, object and version; ${shown} is refused (values never go to the audit log)`,
      );
    }
  }
  const out: AuditEvent = { op: '', result: 'ok' };
  if (typeof r.op !== 'string' || !OP.test(r.op)) throw new CofferError('BadParameter', "Audit field 'op' must be an operation name (letters only)");
  out.op = r.op;
  if (r.result !== 'ok' && r.result !== 'error') throw new CofferError('BadParameter', "Audit field 'result' must be 'ok' or 'error'");
  out.result = r.result;
  if (r.code !== undefined) {
    if (typeof r.code !== 'string' || !CODE.test(r.code)) throw new CofferError('BadParameter', "Audit field 'code' must be an error code (letters only)");
    out.code = r.code;
  }
  if (r.object !== undefined) {
    if (typeof r.object !== 'string' || !OBJECT.test(r.object)) {
      throw new CofferError('BadParameter', "Audit field 'object' must be an object name (1-127 of 0-9 a-z A-Z -)");
    }
    out.object = r.object;
  }
  if (r.version !== undefined) {
    if (typeof r.version !== 'string' || !VERSION.test(r.version)) {
      throw new CofferError('BadParameter', "Audit field 'version' must be a 32-character hex version id");
    }
    out.version = r.version;
  }
  return out;
}

/** Canonical JSON of an entry without `sig`: sorted keys, no whitespace, absent optional fields omitted. */
export function canonicalAuditJson(entry: Omit<AuditEntry, 'sig'>): string {
  const e = entry as unknown as Record<string, unknown>;
  const keys = ENTRY_FIELDS.filter((k) => k !== 'sig' && e[k] !== undefined).sort();
  return '{' + keys.map((k) => `${JSON.stringify(k)}:${JSON.stringify(e[k])}`).join(',') + '}';
}

/** The bytes an audit signature covers: utf8("coffer/v1 audit\0") ‖ SHA-256(canonical JSON without sig). */
export function auditSigningMessage(entry: Omit<AuditEntry, 'sig'>): Uint8Array {
  const digest = createHash('sha256').update(canonicalAuditJson(entry), 'utf8').digest();
  return Buffer.concat([Buffer.from(AUDIT_SIGNATURE_LABEL, 'utf8'), digest]);
}

/** The stored line (without newline): keys in the documented order. */
function serializeLine(entry: AuditEntry): string {
  const e = entry as unknown as Record<string, unknown>;
  return '{' + ENTRY_FIELDS.filter((k) => e[k] !== undefined).map((k) => `${JSON.stringify(k)}:${JSON.stringify(e[k])}`).join(',') + '}';
}

function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** Parse and shape-check one stored line; returns a reason string on failure. */
function parseLine(line: Buffer): AuditEntry | string {
  let v: unknown;
  try {
    v = JSON.parse(line.toString('utf8'));
  } catch {
    return 'is not valid JSON';
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return 'is not a JSON object';
  const r = v as Record<string, unknown>;
  for (const key of Object.keys(r)) {
    if (!(ENTRY_FIELDS as readonly string[]).includes(key)) return 'has a field that audit entries do not have';
  }
  for (const key of REQUIRED_ENTRY_FIELDS) {
    if (r[key] === undefined) return `lacks the field '${key}'`;
  }
  if (typeof r.seq !== 'number' || !Number.isSafeInteger(r.seq) || r.seq < 1) return "has an invalid 'seq'";
  if (typeof r.time !== 'string' || !isAuditTime(r.time)) return "has an invalid 'time'";
  if (typeof r.actor !== 'string' || !HEX64.test(r.actor)) return "has an invalid 'actor'";
  if (typeof r.prev !== 'string' || !HEX64.test(r.prev)) return "has an invalid 'prev'";
  if (r.sig !== undefined && (typeof r.sig !== 'string' || !SIG.test(r.sig))) return "has an invalid 'sig'";
  let event: AuditEvent;
  try {
    event = validateEvent({ op: r.op, result: r.result, code: r.code, object: r.object, version: r.version });
  } catch (err) {
    return err instanceof CofferError ? `is invalid: ${err.message}` : 'is invalid';
  }
  const entry: AuditEntry = { seq: r.seq, time: r.time, ...event, actor: r.actor, prev: r.prev, ...(r.sig === undefined ? {} : { sig: r.sig as string }) };
  // One byte sequence per entry: rejects re-encoded lines (key order, spaces, escapes).
  if (serializeLine(entry) !== line.toString('utf8')) return 'is not in canonical form';
  return entry;
}

function damaged(file: string, detail: string): CofferError {
  return new CofferError('VaultCorrupted', `The audit log ${file} is damaged: ${detail}`, { part: file });
}

async function readAt(fh: FileHandle, position: number, length: number): Promise<Buffer> {
  const buf = Buffer.alloc(length);
  let done = 0;
  while (done < length) {
    const { bytesRead } = await fh.read(buf, done, length - done, position + done);
    if (bytesRead === 0) break;
    done += bytesRead;
  }
  return buf.subarray(0, done);
}

/**
 * From the end of the log, find what the next entry chains to: the last
 * signed line's seq and hash, and `keep`, the length up to it. Anything after
 * it (an incomplete line, or complete lines no signature covers) is an
 * interrupted append or lines someone else added: the next append drops it.
 * Reads only the tail (more only when unsigned lines fill it), so an append
 * costs the same on a long log as on a short one.
 */
async function readTail(fh: FileHandle, size: number, file: string): Promise<{ seq: number; prev: string; keep: number }> {
  for (let window = TAIL_BYTES; ; window *= 2) {
    const start = Math.max(0, size - window);
    const buf = await readAt(fh, start, size - start);
    // Complete lines end at a newline; bytes after the last one are an interrupted append.
    let lineEnd = buf.lastIndexOf(NEWLINE);
    while (lineEnd >= 0) {
      const prevNl = lineEnd === 0 ? -1 : buf.lastIndexOf(NEWLINE, lineEnd - 1);
      if (prevNl === -1 && start > 0) break; // the line may begin before the window: read more
      const line = buf.subarray(prevNl + 1, lineEnd);
      if (line.length > MAX_ENTRY_BYTES) throw damaged(file, 'its last line is too long to be an entry');
      const parsed = parseLine(line);
      if (typeof parsed === 'string') throw damaged(file, `its last entry ${parsed}`);
      if (parsed.sig !== undefined) return { seq: parsed.seq, prev: sha256Hex(line), keep: start + lineEnd + 1 };
      lineEnd = prevNl;
    }
    // From the start of the file, no signed line at all: nothing is part of the log yet.
    if (start === 0) return { seq: 0, prev: AUDIT_GENESIS_PREV, keep: 0 };
  }
}

// ---------------------------------------------------------------------------
// Appending

export class AuditLog {
  /** `<profile>/audit/<vaultId>.log` */
  readonly path: string;
  private readonly actor: string;
  /**
   * Entries waiting for the next batch. Appends are written in batches: one
   * file lock, one read of the tail, one write and one fsync for every entry
   * queued meanwhile, in the order they were appended.
   */
  private waiting: { event: AuditEvent; time: string; resolve: () => void; reject: (e: unknown) => void }[] = [];
  private flushing = false;
  /** The audit folders were checked once (ensurePrivateDir): not again for each batch. */
  private foldersReady = false;

  constructor(
    private readonly profileDir: string,
    vaultId: string,
    private readonly signer: AuditSigner,
  ) {
    this.path = auditLogPath(profileDir, vaultId);
    if (!(signer.publicKey instanceof Uint8Array) || signer.publicKey.length !== 32) {
      throw new CofferError('BadParameter', 'The audit signer needs a 32-byte Ed25519 public key');
    }
    this.actor = Buffer.from(signer.publicKey).toString('hex');
  }

  /**
   * Append one signed entry. Validation happens before anything is touched,
   * so a refused event (e.g. one carrying a `value` field) writes nothing.
   * Its time is taken now (or `time`: when the event happened, if earlier, as
   * a failed unlock logged at the next unlock). Resolves once the entry is
   * fsynced, with the others of its batch.
   */
  append(e: AuditEvent, options: { time?: string } = {}): Promise<void> {
    let event: AuditEvent;
    try {
      event = validateEvent(e);
      if (options.time !== undefined && !isAuditTime(options.time)) {
        throw new CofferError('BadParameter', 'An audit time must be ISO 8601 UTC with milliseconds');
      }
    } catch (err) {
      return Promise.reject(err);
    }
    const time = options.time ?? new Date().toISOString();
    return new Promise<void>((resolve, reject) => {
      this.waiting.push({ event, time, resolve, reject });
      if (!this.flushing) void this.flush();
    });
  }

  /** Writes batches until nothing waits; a batch that fails rejects its own entries only. */
  private async flush(): Promise<void> {
    this.flushing = true;
    try {
      while (this.waiting.length > 0) {
        const batch = this.waiting;
        this.waiting = [];
        try {
          await this.appendNow(batch);
          for (const b of batch) b.resolve();
        } catch (err) {
          for (const b of batch) b.reject(err);
        }
      }
    } finally {
      this.flushing = false;
    }
  }

  private async ensureFolders(): Promise<void> {
    await ensurePrivateDir(this.profileDir);
    await ensurePrivateDir(path.dirname(this.path));
    this.foldersReady = true;
  }

  /** Opens the log for appending; a folder removed since it was checked is made again. */
  private async openLog(): Promise<FileHandle> {
    try {
      return await open(this.path, 'a+', 0o600);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      await this.ensureFolders();
      return open(this.path, 'a+', 0o600);
    }
  }

  private async appendNow(batch: readonly { event: AuditEvent; time: string }[]): Promise<void> {
    if (!this.foldersReady) await this.ensureFolders();
    // The lock spans read-tail → write, so the app and the CLI appending at
    // once each chain to the other's entry instead of forking the chain.
    await withFileLock(`${this.path}.lock`, async () => {
      let fh: FileHandle;
      try {
        fh = await this.openLog();
      } catch (err) {
        throw new CofferError('IoError', `Cannot open the audit log ${this.path}: ${describeFsError(err)}`, { cause: err });
      }
      try {
        const st = await fh.stat();
        if (process.platform !== 'win32' && (st.mode & 0o077) !== 0) await fh.chmod(0o600);
        const tail = await readTail(fh, st.size, this.path);
        // An incomplete last line is an append that was interrupted before its
        // fsync returned: it was never recorded, so drop it and chain to the
        // last complete line (truncation is allowed with O_APPEND).
        if (tail.keep < st.size) await fh.truncate(tail.keep);
        let { seq, prev } = tail;
        const lines: Buffer[] = [];
        batch.forEach(({ event, time }, i) => {
          const unsigned: Omit<AuditEntry, 'sig'> = { seq: seq + 1, time, ...event, actor: this.actor, prev };
          // One signature per batch, on its last line: the chain binds the others to it.
          const last = i === batch.length - 1;
          const text = serializeLine(last ? { ...unsigned, sig: Buffer.from(this.signer.sign(auditSigningMessage(unsigned))).toString('base64url') } : unsigned);
          seq = unsigned.seq;
          prev = sha256Hex(Buffer.from(text, 'utf8'));
          lines.push(Buffer.from(text + '\n', 'utf8'));
        });
        const data = Buffer.concat(lines);
        // O_APPEND: the position argument is ignored and the write lands at the end.
        let done = 0;
        while (done < data.length) {
          const { bytesWritten } = await fh.write(data, done, data.length - done, null);
          done += bytesWritten;
        }
        await fh.sync();
      } catch (err) {
        if (err instanceof CofferError) throw err;
        throw new CofferError('IoError', `Cannot write the audit log ${this.path}: ${describeFsError(err)}`, { cause: err });
      } finally {
        await fh.close().catch(() => undefined);
      }
    });
  }
}

// ---------------------------------------------------------------------------
// Verifying

/** Yield each line of a file (without its newline), streaming; a line longer than `max` is yielded truncated with `tooLong`. */
async function* lines(fh: FileHandle, max: number): AsyncGenerator<{ line: Buffer; complete: boolean; tooLong: boolean }> {
  const chunk = Buffer.alloc(64 * 1024);
  let pending: Buffer = Buffer.alloc(0);
  let position = 0;
  for (;;) {
    const { bytesRead } = await fh.read(chunk, 0, chunk.length, position);
    if (bytesRead === 0) break;
    position += bytesRead;
    let data = Buffer.concat([pending, chunk.subarray(0, bytesRead)]);
    let nl: number;
    while ((nl = data.indexOf(NEWLINE)) !== -1) {
      const line = data.subarray(0, nl);
      yield { line, complete: true, tooLong: line.length > max };
      data = data.subarray(nl + 1);
    }
    if (data.length > max) {
      yield { line: data, complete: false, tooLong: true };
      return;
    }
    pending = Buffer.from(data);
  }
  if (pending.length > 0) yield { line: pending, complete: false, tooLong: false };
}

/**
 * Check a whole audit log: every line is a canonical entry, seq runs 1, 2,
 * 3..., each prev is the hash of the line before (zeros for the first), every
 * signature verifies under its actor key, and each unsigned line is covered
 * by the next signed line, of the same actor (one batch). Stops at the first
 * problem and reports its line number. `entries` counts the lines a
 * signature covers; unsigned lines at the end are reported as a warning, as
 * an incomplete line is. To accept only certain signers, check `publicKey`
 * inside `verify`.
 */
export async function verifyAuditLog(file: string, verify: AuditVerifyFn): Promise<AuditVerifyResult> {
  let fh: FileHandle;
  try {
    fh = await open(file, 'r');
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    if (code === 'ENOENT') throw new CofferError('NotFound', `No audit log at ${file}`, { cause: err });
    throw new CofferError('IoError', `Cannot read the audit log ${file}: ${describeFsError(err)}`, { cause: err });
  }
  /** Lines read, and lines covered by a signature (the verified entries). */
  let read = 0;
  let n = 0;
  let prev = AUDIT_GENESIS_PREV;
  /** The actor of the unsigned lines waiting for their batch's signed line. */
  let pendingActor: string | undefined;
  const fail = (line: number, message: string): AuditVerifyResult => ({ ok: false, entries: n, problem: { line, message } });
  const uncovered = (): string => (read === n + 1 ? `line ${read} is` : `lines ${n + 1}–${read} are`);
  try {
    for await (const { line, complete, tooLong } of lines(fh, MAX_ENTRY_BYTES)) {
      const lineNo = read + 1;
      if (tooLong) return fail(lineNo, `line ${lineNo} is too long to be an audit entry`);
      if (!complete) {
        const cut = read > n ? `${uncovered()} not covered by a signature and ` : '';
        return { ok: true, entries: n, warning: `${cut}line ${lineNo} is incomplete: an append was interrupted (the next append drops it)` };
      }
      const entry = parseLine(line);
      if (typeof entry === 'string') return fail(lineNo, `line ${lineNo} ${entry}`);
      const { sig, ...unsigned } = entry;
      if (sig !== undefined) {
        let good = false;
        try {
          good = verify(Buffer.from(entry.actor, 'hex'), auditSigningMessage(unsigned), Buffer.from(sig, 'base64url'));
        } catch {
          good = false;
        }
        if (!good) return fail(lineNo, `line ${lineNo} has an invalid signature: it was modified or not written by its actor`);
      }
      if (entry.seq !== lineNo) {
        return fail(lineNo, `line ${lineNo} has sequence number ${entry.seq}, expected ${lineNo}: entries were removed, inserted or reordered`);
      }
      if (entry.prev !== prev) {
        return fail(
          lineNo,
          lineNo === 1
            ? 'line 1 does not start the chain: earlier entries were removed'
            : `line ${lineNo} does not chain to line ${lineNo - 1}: a line was modified, removed or reordered`,
        );
      }
      if (pendingActor !== undefined && entry.actor !== pendingActor) {
        return fail(lineNo, `line ${lineNo} has another actor than the unsigned lines before it: they are not covered by a signature of theirs`);
      }
      prev = sha256Hex(line);
      read = lineNo;
      if (sig === undefined) {
        pendingActor = entry.actor;
        continue;
      }
      n = lineNo;
      pendingActor = undefined;
    }
    if (read > n) return { ok: true, entries: n, warning: `${uncovered()} not covered by a signature: an append was cut before its last line, or they were added (the next append drops them)` };
    return { ok: true, entries: n };
  } catch (err) {
    if (err instanceof CofferError) throw err;
    throw new CofferError('IoError', `Cannot read the audit log ${file}: ${describeFsError(err)}`, { cause: err });
  } finally {
    await fh.close().catch(() => undefined);
  }
}
