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
import { DEFAULT_KDF, ed25519Verify, fromB64u } from '../crypto/index.js';
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
  /** Checks the signature of the commit that carries `slot` (VaultCorrupted naming it otherwise). */
  verify(slot: SlotJson): void;
}

/** What marks a commit that carries passphrase slots: its payload's `slots` field. */
const SLOTS_MARKER = Buffer.from('"slots":[');

/**
 * Finds the slot markers of a file part by part, as it is read (store/vault-file.ts
 * readVaultFileVisiting): `positions` then holds every one, for scanSlots.
 */
export function slotMarkerFinder(): { positions: number[]; visit(file: Buffer, start: number, end: number): void } {
  const positions: number[] = [];
  return {
    positions,
    visit(file, start, end) {
      if (start === 0) positions.length = 0;
      // A marker may begin in the previous part: search from there, keep those that end in this one.
      const from = Math.max(0, start - SLOTS_MARKER.length + 1);
      const part = file.subarray(from, end);
      for (let at = part.indexOf(SLOTS_MARKER); at >= 0; at = part.indexOf(SLOTS_MARKER, at + SLOTS_MARKER.length)) {
        if (from + at + SLOTS_MARKER.length > start) positions.push(from + at);
      }
    },
  };
}

/** Every slot marker of a whole file. */
function searchWhole(buf: Buffer): number[] {
  const finder = slotMarkerFinder();
  finder.visit(buf, 0, buf.length);
  return finder.positions;
}

/**
 * Finds the genesis and the commits that carry slots without parsing the rest of
 * the file (`"slots":[` appears in a line only as that field: every other value in
 * a commit line is hex, base64url or a number). Each line found is parsed and
 * checked strictly; the rest of the file is checked after the unlock.
 * `markers`: where the marker occurs in `bytes` (slotMarkerFinder), if the reader
 * found them already.
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
  const positions = markers ?? searchWhole(buf);
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

function ownSlotFile(profileDir: string, vaultId: string): string {
  return join(profileDir, 'slots', `${vaultId.slice(0, 32)}.json`);
}

/** The author whose slot this computer unlocked before, if any (not secret: the file names authors in the clear). */
export async function readOwnSlotAuthor(profileDir: string, vaultId: string): Promise<string | undefined> {
  try {
    const v = JSON.parse(await readFile(ownSlotFile(profileDir, vaultId), 'utf8')) as unknown;
    const author = (v as { author?: unknown })?.author;
    return typeof author === 'string' && /^[A-Za-z0-9_-]{43}$/.test(author) ? author : undefined;
  } catch {
    return undefined;
  }
}

export async function rememberOwnSlotAuthor(profileDir: string, vaultId: string, author: string): Promise<void> {
  if ((await readOwnSlotAuthor(profileDir, vaultId)) === author) return;
  await mkdir(join(profileDir, 'slots'), { recursive: true, mode: 0o700 });
  await writeNewFile(ownSlotFile(profileDir, vaultId), Buffer.from(`${JSON.stringify({ author })}\n`), { overwrite: true });
}
