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
import { DEFAULT_KDF } from '../crypto/index.js';
import { isGenesis, type CommitPayload, type SlotJson } from '../format/codec.js';
import type { Graph } from '../format/graph.js';
import { writeNewFile } from '../store/vault-file.js';

export interface AuthoredSlot {
  author: string;
  slot: SlotJson;
}

/** Each author's newest slot list (a later list replaces the author's earlier one), at most one slot per use. */
export function currentSlots(graph: Graph): AuthoredSlot[] {
  const byAuthor = new Map<string, SlotJson[]>();
  for (const c of graph.commits) {
    if (isGenesis(c.payload)) continue;
    const p = c.payload as CommitPayload;
    if (p.slots) byAuthor.set(c.author, p.slots);
  }
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
