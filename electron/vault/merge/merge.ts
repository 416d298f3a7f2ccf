/**
 * Work on vault files that needs no unlock: merge (V6: union of commits, the
 * git merge driver and sync-folder "conflicted copies"), check (V2: names
 * every damaged part), repair (a new file with every intact commit) and a
 * one-line-per-commit description for `git diff`.
 *
 * Merge unions signed commits; it never decides authorization (that needs
 * the decrypted membership and is done by every client on open, C5), and it
 * never drops a value blob, so an unauthorized commit cannot destroy data
 * through a merge (V4). Purged values come back with an old copy's lines and
 * are dropped again by the next purge compaction of an unlocked client.
 */
import { mkdtemp, realpath, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { CheckReport, MergeResult } from '../api.js';
import { CofferError, isCofferError } from '../errors.js';
import { blobLine, commitLine, headerLine, isGenesis, HEADER_PREFIX, type CommitPayload } from '../format/codec.js';
import { buildGraph, commitId, commitPart, verifySignatures, type Graph, type GraphCommit, type GraphProblems } from '../format/graph.js';
import { readVaultFile, replaceVaultFile, writeNewFile } from '../store/vault-file.js';
import { vaultLockPath, withFileLock } from '../store/lock.js';
import { backupBeforeRewrite } from '../store/backups.js';
import { resolveProfileDir } from '../store/profile.js';
import type { VaultSession } from '../session.js';

function serialize(g: Graph, commits = g.commits): string {
  const out: string[] = [headerLine(g.vaultId, g.formatVersion)];
  for (const c of commits) {
    if (!isGenesis(c.payload)) {
      for (const b of (c.payload as CommitPayload).blobs ?? []) {
        const blob = g.blobs.get(b);
        if (blob) out.push(blobLine(blob.bytes));
      }
    }
    out.push(commitLine(c.payloadText, c.sig));
  }
  return out.join('');
}

async function graphOf(path: string, which: string, deferSignatures = false): Promise<Graph> {
  const bytes = await readVaultFile(path);
  try {
    return buildGraph(bytes, { deferSignatures });
  } catch (e) {
    if (isCofferError(e) && e.code === 'VaultCorrupted') throw new CofferError('VaultCorrupted', `${which} (${path}): ${e.message}`, { part: e.part ?? which });
    throw e;
  }
}

/** Union of two copies of one vault, in an order every parent precedes its children. */
export function mergeGraphs(ours: Graph, theirs: Graph): { text: string; commits: number; added: number } {
  if (ours.vaultId !== theirs.vaultId) {
    throw new CofferError('BadParameter', 'The two files are different vaults (their genesis commits differ); they cannot be merged.');
  }
  const added = theirs.commits.filter((c) => !ours.byId.has(c.id));
  // The result holds both copies' commits: its header is the newer of the two formats.
  ours.formatVersion = Math.max(ours.formatVersion, theirs.formatVersion);
  for (const [h, b] of theirs.blobs) if (!ours.blobs.has(h)) ours.blobs.set(h, b);
  // Ours keeps its order; theirs' new commits follow in their own (topological) order:
  // each parent is in ours or earlier among them.
  const text = serialize(ours, [...ours.commits, ...added]);
  return { text, commits: ours.commits.length + added.length, added: added.length };
}

async function samePath(a: string, b: string): Promise<boolean> {
  if (resolve(a) === resolve(b)) return true;
  try {
    return (await realpath(a)) === (await realpath(b));
  } catch {
    return false;
  }
}

/**
 * Merges `theirs` into `ours`, writing `output`. In place (output is ours), the
 * previous file is first copied to the profile's backups (`profileDir`, default
 * the user's profile folder).
 */
export async function mergeVaultFiles(oursPath: string, theirsPath: string, output: string, options: { profileDir?: string } = {}): Promise<MergeResult> {
  const inPlace = await samePath(output, oursPath);
  const run = async (): Promise<MergeResult> => {
    // Structure of both copies is checked in full; signatures only where the merge adds
    // something: theirs' commits that ours lacks, and any commit whose signature bytes
    // differ between the copies. Ours' own commits go to the result unchanged, and
    // every open verifies them (C11), so re-verifying 50,000 of them is not the merge's job.
    const ours = await graphOf(oursPath, 'our copy', true);
    const theirs = await graphOf(theirsPath, 'their copy', true);
    const differs = (c: GraphCommit): boolean => {
      const mine = ours.byId.get(c.id);
      return !mine || Buffer.compare(Buffer.from(mine.sig), Buffer.from(c.sig)) !== 0;
    };
    try {
      verifySignatures(theirs, new Set(), differs);
    } catch (e) {
      if (isCofferError(e) && e.code === 'VaultCorrupted') throw new CofferError('VaultCorrupted', `their copy (${theirsPath}): ${e.message}`, { part: e.part ?? 'their copy' });
      throw e;
    }
    const changed = theirs.commits.filter((c) => ours.byId.has(c.id) && differs(c)).map((c) => c.id);
    if (changed.length > 0) verifySignatures(ours, new Set(), (c) => changed.includes(c.id));
    const r = mergeGraphs(ours, theirs);
    if (inPlace) {
      if (r.added > 0 || ours.interruptedSave) {
        await backupBeforeRewrite(oursPath, options.profileDir ?? resolveProfileDir(), ours.vaultId);
        await replaceVaultFile(oursPath, Buffer.from(r.text));
      }
    } else {
      await writeNewFile(output, Buffer.from(r.text), { overwrite: true });
    }
    return { commits: r.commits, added: r.added };
  };
  // Whatever file is written is locked: a vault's writers must not lose a save to the merge.
  return withFileLock(vaultLockPath(inPlace ? oursPath : output), run);
}

/** What `vault check` reports (CheckReport), and what it could not decide without the passphrase. */
export interface FileCheckReport extends CheckReport {
  /** Set when something could not be told without unlocking: absent value lines, purged or lost. */
  notes?: string[];
}

/**
 * `vault check`: structure and every signature; every damaged part named.
 *
 * A value line referenced by a commit and absent from the file was purged (a
 * later `secret.purge` record, encrypted, and the purge compaction, FORMAT.md
 * §10.5) or lost. Without a key, only one case is decided: a purge lists the
 * versions its writer had seen, so it descends from the commit that wrote them,
 * and an absent value of a commit that no commit descends from was lost. The
 * others are counted in a note. With `unlock`, the file is opened in a throwaway
 * profile, which decides (§9.5): each live version whose value line is missing
 * is a problem named as an open names it.
 */
export async function checkVaultFile(path: string, unlock?: { passphrase: Uint8Array }): Promise<FileCheckReport> {
  const bytes = await readVaultFile(path);
  const problems: GraphProblems = { issues: [] };
  const collected = (): CheckReport['problems'] =>
    problems.issues.map((i) => ({ part: i.message.includes(':') && i.message.startsWith('commit') ? i.message.split(':')[0]! : `line ${i.line}`, message: i.message }));
  let g: Graph;
  try {
    g = buildGraph(bytes, { salvage: true }, problems);
  } catch (e) {
    if (isCofferError(e) && e.code === 'VaultCorrupted') {
      // What was found before the file proved unreadable comes first: it is the cause (a genesis
      // that does not match the header leaves no valid genesis).
      const found = [...collected(), { part: e.part ?? 'file', message: e.message }];
      return { ok: false, vaultId: null, commits: 0, problems: found, rejected: [], interruptedSave: false };
    }
    throw e;
  }
  const found = collected();
  const damaged = found.length > 0;
  const notes: string[] = [];
  const absent = absentValues(g, problems);
  for (const { commit, blobs } of absent.lost) {
    const part = commitPart(commit.id, commit.line);
    const lines = blobs.length > 1 ? `${blobs.length} value lines are` : 'value line is';
    found.push({ part, message: `${part}: its ${lines} missing (blob ${blobs[0]!.slice(0, 12)}) and no later commit could have purged ${blobs.length > 1 ? 'them' : 'it'}` });
  }
  if (absent.undecided > 0) {
    const n = `${absent.undecided} value line${absent.undecided > 1 ? 's are' : ' is'} absent`;
    if (damaged) notes.push(`${n} (purged or lost; \`vault repair\` with the passphrase tells which values were lost)`);
    else if (!unlock) notes.push(`${n} (purged or lost; give the passphrase to tell)`);
  }
  if (unlock && !damaged && (absent.undecided > 0 || absent.lost.length > 0)) {
    for (const p of await lostValues(path, unlock.passphrase)) if (!found.some((f) => f.part === p.part)) found.push(p);
  }
  return {
    ok: found.length === 0,
    vaultId: g.vaultId.slice(0, 32),
    commits: g.commits.length,
    problems: found,
    rejected: [],
    interruptedSave: g.interruptedSave,
    ...(notes.length > 0 ? { notes } : {}),
  };
}

/**
 * Blobs that commits reference and the file lacks: `lost` where no purge can
 * explain them (no commit descends from theirs, and no damaged line follows it
 * that might have been one), the rest `undecided`.
 */
function absentValues(g: Graph, problems: GraphProblems): { lost: { commit: GraphCommit; blobs: string[] }[]; undecided: number } {
  const lost: { commit: GraphCommit; blobs: string[] }[] = [];
  if (g.missingBlobs.size === 0) return { lost, undecided: 0 };
  const heads = new Set(g.heads);
  const lastDamage = problems.issues.reduce((max, i) => Math.max(max, i.line), 0);
  let undecided = 0;
  for (const c of g.commits) {
    if (isGenesis(c.payload)) continue;
    const missing = ((c.payload as CommitPayload).blobs ?? []).filter((b) => g.missingBlobs.has(b));
    if (missing.length === 0) continue;
    if (heads.has(c.id) && lastDamage < c.line) lost.push({ commit: c, blobs: missing });
    else undecided += missing.length;
  }
  return { lost, undecided };
}

/**
 * Opens the file in a throwaway profile (this computer's cache and audit log are
 * untouched) and returns each live version whose value line is missing, as an
 * open names it. Any other damage an open finds is returned too; a wrong
 * passphrase is thrown.
 */
async function lostValues(path: string, passphrase: Uint8Array): Promise<{ part: string; message: string }[]> {
  // vault.ts imports this module: loaded when needed, not at start-up.
  const { openVault, repairVaultFile } = await import('../vault.js');
  const dir = await mkdtemp(join(tmpdir(), 'coffer-check-'));
  try {
    try {
      const v = await openVault({ path, profileDir: join(dir, 'profile'), passphrase, onWarning: () => undefined });
      v.close();
      await (v as VaultSession).settled();
      return []; // every live value is present: the absent lines were purged
    } catch (e) {
      if (!isCofferError(e) || e.code !== 'VaultCorrupted') throw e;
      const first = { part: e.part ?? 'file', message: e.message };
      if (!first.part.startsWith('value of secret ')) return [first];
      // An open names the first lost value only. Repair's tolerant open lists them all
      // (it appends a purge of them to its copy, which is then deleted); a member who
      // may not purge gets the first one.
      const r = await repairVaultFile(path, join(dir, 'copy.coffer'), { passphrase }).catch((err: unknown) => {
        if (isCofferError(err)) return undefined;
        throw err;
      });
      const all = r?.lostValues?.map((nv) => {
        const slash = nv.lastIndexOf('/');
        const part = `value of secret ${nv.slice(0, slash)} version ${nv.slice(slash + 1)}`;
        return { part, message: `${part}: the value line is missing from the file` };
      });
      return all && all.some((p) => p.part === first.part) ? all : [first];
    }
  } finally {
    await rm(dir, { recursive: true, force: true, maxRetries: 10, retryDelay: 50 });
  }
}

/** A damaged header is rebuilt from the genesis commit, whose hash is the vault id (C4). */
function withRepairedHeader(bytes: Buffer): Buffer {
  const nl = bytes.indexOf(0x0a);
  const header = nl < 0 ? '' : bytes.subarray(0, nl).toString('latin1');
  const text = bytes.toString('utf8');
  for (const line of text.split('\n')) {
    if (!line.startsWith('C ')) continue;
    const payload = line.slice(2, line.lastIndexOf(' '));
    if (!payload.includes('"genesis"')) continue;
    const id = commitId(payload);
    if (/^coffer-vault\/[1-9][0-9]{0,9} /.test(header) && header.endsWith(` ${id}`)) return bytes;
    const expected = `${HEADER_PREFIX}${id}`;
    const rest = nl < 0 || header.startsWith('C ') || header.startsWith('B ') ? bytes : bytes.subarray(nl + 1);
    return Buffer.concat([Buffer.from(`${expected}\n`), rest]);
  }
  return bytes;
}

/**
 * `vault repair`: a new file holding every intact commit whose ancestors are
 * intact (a commit cannot be kept without its parents: its signature covers
 * them), with their value blobs. The damaged file is never touched.
 */
export async function repairVaultFile(path: string, output: string): Promise<{ kept: number; dropped: number }> {
  const bytes = withRepairedHeader(await readVaultFile(path));
  const problems: GraphProblems = { issues: [] };
  const g = buildGraph(bytes, { salvage: true }, problems);
  const totalCommitLines = bytes.toString('latin1').split('\n').filter((l) => l.startsWith('C ')).length;
  await writeNewFile(output, Buffer.from(serialize(g)), { overwrite: false });
  return { kept: g.commits.length, dropped: Math.max(0, totalCommitLines - g.commits.length) };
}

/** `git diff` text conversion: one line per commit, nothing secret (all of it is in the clear in the file). */
export async function describeVaultFile(path: string): Promise<string[]> {
  const g = buildGraph(await readVaultFile(path), { salvage: true });
  return g.commits.map((c) => {
    const p = c.payload;
    const kind = isGenesis(p) ? 'genesis' : (p as CommitPayload).newEpoch ? 'epoch' : 'commit';
    const blobs = isGenesis(p) ? 0 : ((p as CommitPayload).blobs?.length ?? 0);
    return `${kind} ${c.id.slice(0, 12)} author ${Buffer.from(c.author, 'base64url').toString('hex').slice(0, 12)} seq ${c.seq} parents ${c.parents.length} values ${blobs}`;
  });
}
