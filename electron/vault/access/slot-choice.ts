/**
 * Which passphrase slots an unlock tries, and in what order (VAULT-MODEL C8).
 * Every member can write slots into a shared vault, so without care one member
 * could make everyone else's unlock run Argon2id with huge parameters. The
 * rule: no member makes another member's unlock cost more than one
 * default-parameter run. This computer remembers whose slot opened the vault
 * and tries only that one; a computer that has not unlocked the vault yet
 * tries slots at or below the default parameters (the creator's first), and
 * above them only the creator's, which no one else can sign.
 */
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DEFAULT_KDF, ed25519Verify, fromB64u, HEX64 } from '../crypto/index.js';
import { corrupted } from '../errors.js';
import { isGenesis, isNewer, isSchemaError, parseCommitLine, readFileHeader, type AnyPayload, type CommitPayload, type SlotJson } from '../format/codec.js';
import { commitId, signatureMessage, type Graph } from '../format/graph.js';
import { writeNewFile } from '../store/vault-file.js';

export interface AuthoredSlot {
  author: string;
  slot: SlotJson;
}

/** Each author's newest slot list (a later list replaces the author's earlier one), at most one slot per use. */
export function currentSlots(graph: Pick<Graph, 'byId' | 'slotCommits'>): AuthoredSlot[] {
  return newestPerAuthor(graph.slotCommits.map((id) => graph.byId.get(id)!).map((c) => ({ author: c.author, slots: (c.payload as CommitPayload).slots ?? [] })));
}

function newestPerAuthor(lists: { author: string; slots: SlotJson[] }[]): AuthoredSlot[] {
  const byAuthor = new Map<string, SlotJson[]>();
  for (const l of lists) byAuthor.set(l.author, l.slots);
  const out: AuthoredSlot[] = [];
  for (const [author, slots] of byAuthor) {
    const seen = new Set<string | undefined>();
    for (const slot of slots) {
      if (seen.has(slot.use)) continue;
      seen.add(slot.use);
      out.push({ author, slot });
    }
  }
  return out;
}

/** What an unlock needs from the file before any key is known: the vault, its creator and the slots. */
export interface SlotScan {
  vaultId: string;
  formatVersion: number;
  creator: string;
  slots: AuthoredSlot[];
  /** Where the slot markers are in the file (what the slot memory keeps). */
  markers: readonly number[];
  /** Checks the signature of the commit that carries `slot` (VaultCorrupted naming it otherwise). */
  verify(slot: SlotJson): void;
}

/** What marks a commit that carries passphrase slots: its payload's `slots` field. */
const SLOTS_MARKER = Buffer.from('"slots":[');

/** Every slot marker of a whole file. */
function searchSlotMarkers(buf: Buffer): number[] {
  const positions: number[] = [];
  for (let at = buf.indexOf(SLOTS_MARKER); at >= 0; at = buf.indexOf(SLOTS_MARKER, at + SLOTS_MARKER.length)) positions.push(at);
  return positions;
}

/**
 * Finds the genesis and the commits that carry slots without parsing the rest of
 * the file (`"slots":[` appears in a line only as that field: every other value in
 * a commit line is hex, base64url or a number). Each line found is parsed and
 * checked strictly; the rest of the file is checked after the unlock.
 * `markers`: where the marker occurs in `bytes`, if known (this computer's slot
 * memory of the same file); else the file is searched.
 */
export function scanSlots(bytes: Uint8Array, markers?: readonly number[]): SlotScan {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const { vaultId, formatVersion, end: firstNl } = readFileHeader(buf);
  // Line numbers are counted only for an error (the parts the damage reports name: FORMAT.md §5.8).
  const lineNumber = (start: number): number => {
    let n = 1;
    for (let at = buf.indexOf(0x0a); at >= 0 && at < start; at = buf.indexOf(0x0a, at + 1)) n++;
    return n;
  };
  const lineAt = (start: number): { payloadText: string; payload: AnyPayload; sig: Uint8Array; line: () => string } => {
    const end = buf.indexOf(0x0a, start);
    if (end < 0) throw corrupted(`line ${lineNumber(start)}`, 'the line is cut');
    const text = buf.subarray(start, end).toString('utf8');
    const where = (): string => `line ${lineNumber(start)}`;
    if (!text.startsWith('C ')) throw corrupted(where(), 'the line is not a commit');
    try {
      return { ...parseCommitLine(text.slice(2), formatVersion), line: where };
    } catch (e) {
      if (isSchemaError(e)) throw corrupted(where(), e.message);
      throw e;
    }
  };
  const genesis = lineAt(firstNl + 1);
  if (!isGenesis(genesis.payload)) throw corrupted('line 2', 'the first commit is not the genesis commit');
  const found: { author: string; slots: SlotJson[]; id: string; sig: Uint8Array; where: () => string }[] = [];
  const positions = markers ?? searchSlotMarkers(buf);
  for (const at of positions.filter((x) => x >= firstNl)) {
    // A last line without its newline is an interrupted save (C10): not part of the vault.
    if (buf.indexOf(0x0a, at) < 0) break;
    const c = lineAt(buf.lastIndexOf(0x0a, at) + 1);
    if (isGenesis(c.payload) || isNewer(c.payload) || !c.payload.slots) continue;
    found.push({ author: c.payload.author, slots: c.payload.slots, id: commitId(c.payloadText), sig: c.sig, where: c.line });
  }
  return {
    vaultId,
    formatVersion,
    creator: genesis.payload.author,
    slots: newestPerAuthor(found),
    markers: positions,
    verify(slot) {
      const c = found.find((f) => f.slots.includes(slot))!;
      if (!ed25519Verify(fromB64u(c.author), signatureMessage(c.id), c.sig)) {
        throw corrupted(`commit ${c.id.slice(0, 12)} (${c.where()})`, 'the signature does not verify (the commit was altered or forged)');
      }
    },
  };
}

const atMostDefault = (s: SlotJson): boolean => s.kdf.m <= DEFAULT_KDF.memoryKiB && s.kdf.t <= DEFAULT_KDF.iterations && s.kdf.p <= DEFAULT_KDF.parallelism;

/** The slots of `use` to try, in order. `own`: the author whose slot opened the vault on this computer before. */
export function slotsToTry(all: AuthoredSlot[], use: 'recovery' | undefined, who: { own: string | undefined; creator: string }): AuthoredSlot[] {
  const slots = all.filter((s) => s.slot.use === use);
  const mine = who.own === undefined ? undefined : slots.find((s) => s.author === who.own);
  if (mine) return [mine];
  // Newest first (later authors' lists come later in the file), the creator first of all.
  const ordered = [...slots].reverse().sort((a, b) => Number(b.author === who.creator) - Number(a.author === who.creator));
  return [...ordered.filter((s) => atMostDefault(s.slot)), ...ordered.filter((s) => s.author === who.creator && !atMostDefault(s.slot))];
}

function slotMemoryFile(profileDir: string, vaultId: string): string {
  return join(profileDir, 'slots', `${vaultId.slice(0, 32)}.json`);
}

/**
 * What this computer remembers of a vault's slots (not secret: the file holds them in the
 * clear): whose slot unlocked it here, and where the slot lines of the file as it last
 * opened lie, by the file's length and SHA-256, so an unlock of the same file does not
 * search it again. A changed byte changes the hash, and the file is searched.
 */
export interface SlotMemory {
  author?: string;
  lines?: { length: number; sha256: string; at: readonly number[] };
}

const AUTHOR = /^[A-Za-z0-9_-]{43}$/;

/** This computer's slot memory of a vault; empty when there is none or it is unreadable. */
export async function readSlotMemory(profileDir: string, vaultId: string): Promise<SlotMemory> {
  let v: unknown;
  try {
    v = JSON.parse(await readFile(slotMemoryFile(profileDir, vaultId), 'utf8'));
  } catch {
    return {};
  }
  const o = (typeof v === 'object' && v !== null ? v : {}) as { author?: unknown; lines?: { length?: unknown; sha256?: unknown; at?: unknown } };
  const out: SlotMemory = {};
  if (typeof o.author === 'string' && AUTHOR.test(o.author)) out.author = o.author;
  const l = o.lines;
  if (
    l &&
    Number.isSafeInteger(l.length) &&
    typeof l.sha256 === 'string' &&
    HEX64.test(l.sha256) &&
    Array.isArray(l.at) &&
    l.at.every((x, i, a) => Number.isSafeInteger(x) && (x as number) >= 0 && (x as number) < (l.length as number) && (i === 0 || (x as number) > (a[i - 1] as number)))
  ) {
    out.lines = { length: l.length as number, sha256: l.sha256, at: l.at as number[] };
  }
  return out;
}

/** The slot markers `memory` holds for exactly this file (its length and hash, each still a marker), if any. */
export function rememberedMarkers(memory: SlotMemory, file: Uint8Array, sha256: string): readonly number[] | undefined {
  const l = memory.lines;
  if (!l || l.length !== file.length || l.sha256 !== sha256) return undefined;
  const buf = Buffer.from(file.buffer, file.byteOffset, file.byteLength);
  return l.at.every((at) => buf.compare(SLOTS_MARKER, 0, SLOTS_MARKER.length, at, at + SLOTS_MARKER.length) === 0) ? l.at : undefined;
}

/** Saves the slot memory when it changed from `before` (what was read at the open). */
export async function rememberSlots(profileDir: string, vaultId: string, next: SlotMemory, before: SlotMemory = {}): Promise<void> {
  if (JSON.stringify(next) !== JSON.stringify(before)) await writeSlotMemory(profileDir, vaultId, next);
}

/** Forgets where the slot lines lie (the memory did not match the vault); whose slot opened it stays. */
export async function forgetSlotLines(profileDir: string, vaultId: string, memory: SlotMemory): Promise<void> {
  await writeSlotMemory(profileDir, vaultId, memory.author === undefined ? {} : { author: memory.author });
}

async function writeSlotMemory(profileDir: string, vaultId: string, memory: SlotMemory): Promise<void> {
  await mkdir(join(profileDir, 'slots'), { recursive: true, mode: 0o700 });
  await writeNewFile(slotMemoryFile(profileDir, vaultId), Buffer.from(`${JSON.stringify(memory)}\n`), { overwrite: true });
}
