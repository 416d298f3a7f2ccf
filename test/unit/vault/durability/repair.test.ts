/**
 * V2, repair: `repairVaultFile(damaged, output)` writes a new file holding
 * every commit that is intact and whose ancestors are intact, with their
 * value lines; it never touches the damaged file and never overwrites an
 * existing output. The repaired file opens, and every secret written before
 * the damage is there with its values.
 *
 * The sample vault's history is linear, so "intact with intact ancestors"
 * is exactly "every commit line before the first damaged commit line", and
 * the expected state is the one recorded after that commit's save.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CofferError } from '../../../../electron/vault/errors.js';
import { checkVaultFile, repairVaultFile } from '../../../../electron/vault/vault.js';
import {
  buildSampleVault,
  copyProfile,
  describeOutcome,
  duplicateLine,
  flipBit,
  freshProfile,
  insertLine,
  lineBytes,
  openAndSnapshot,
  passphraseBytes,
  removeDir,
  removeLine,
  replaceLine,
  tempDir,
  truncateAt,
  writeVaultCopy,
  type FileLine,
  type HistoryStep,
  type SampleVault,
  type VaultState,
} from '../../../helpers/damage.js';

let root: string;
let sample: SampleVault;
let other: SampleVault;
let commits: FileLine[];
let outputs = 0;

beforeAll(async () => {
  root = await tempDir('coffer-repair-');
  sample = await buildSampleVault(root, 'sample');
  other = await buildSampleVault(root, 'other');
  commits = sample.lines.filter((l) => l.kind === 'commit');
});

afterAll(async () => {
  await removeDir(root);
});

const sha = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');
const newOutput = (): string => path.join(root, 'files', `repaired-${++outputs}.coffer`);

/** The history step of the last commit line before line `no` (the state a repair keeps). */
function stepBefore(no: number): HistoryStep {
  const kept = commits.filter((c) => c.no < no);
  const head = kept[kept.length - 1]!.commitId!;
  const step = sample.history.find((h) => h.head === head);
  if (!step) throw new Error(`no recorded state after commit line ${kept[kept.length - 1]!.no}`);
  return step;
}

/** Commit lines whose repair leaves `temp` created but not purged: its value line was compacted away (see the regression test below). */
function leavesPurgedValue(no: number): boolean {
  const label = stepBefore(no).label;
  return label.startsWith('set temp') || label.startsWith('delete temp');
}

interface Repaired {
  output: string;
  result: { kept: number; dropped: number };
  lostValues: string[] | null;
}

/** Repairs `bytes` (written to a fresh damaged file) and checks the damaged file was not touched. */
async function repair(bytes: Buffer, label: string, unlock = false): Promise<Repaired> {
  const damaged = await writeVaultCopy(root, bytes);
  const before = sha(await readFile(damaged));
  const output = newOutput();
  const { lostValues, ...result } = await repairVaultFile(damaged, output, unlock ? { passphrase: passphraseBytes() } : undefined);
  expect(sha(await readFile(damaged)), `${label}: repair touched the damaged file`).toBe(before);
  expect(existsSync(output), `${label}: no output`).toBe(true);
  if (process.platform !== 'win32') expect((await stat(output)).mode & 0o777).toBe(0o600);
  return { output, result, lostValues };
}

/** The repaired file passes `vault check` and opens (on a computer that never saw the vault) with `state`. */
async function expectRepairedState(r: Repaired, state: VaultState, label: string): Promise<void> {
  const report = await checkVaultFile(r.output);
  expect(report.problems, `${label}: vault check of the repaired file`).toEqual([]);
  expect(report.ok).toBe(true);
  expect(report.interruptedSave).toBe(false);
  const o = await openAndSnapshot(r.output, freshProfile(root));
  expect(o.ok, `${label}: the repaired file does not open: ${describeOutcome(o)}`).toBe(true);
  if (!o.ok) return;
  expect(o.warnings, label).toEqual([]);
  expect(o.state, `${label}: repaired state`).toEqual(state);
}

describe('repair', () => {
  it('of an intact file writes the same bytes and keeps every commit', async () => {
    const r = await repair(sample.bytes, 'intact');
    expect(r.result).toEqual({ kept: commits.length, dropped: 0 });
    expect((await readFile(r.output)).equals(sample.bytes)).toBe(true);
    await expectRepairedState(r, sample.final, 'intact');
  });

  it('of a damaged commit (payload flip, signature flip, removed line) keeps every commit before it, with all their secrets and values', async () => {
    let checked = 0;
    for (const c of commits) {
      const kept = commits.filter((x) => x.no < c.no).length;
      // Genesis damaged: below. First commit damaged: only the genesis is left, a file no passphrase opens
      // (see the regression test in damage.test.ts). The purge window: the regression test below.
      if (kept <= 1 || leavesPurgedValue(c.no)) continue;
      const step = stepBefore(c.no);
      const payloadAt = c.start + c.text.indexOf('"body":"') + 9 + ((c.no * 7) % 40);
      const cases: [string, Buffer, number][] = [
        [`payload flip in commit line ${c.no}`, flipBit(sample.bytes, payloadAt, c.no % 8), commits.length - kept],
        [`signature flip in commit line ${c.no}`, flipBit(sample.bytes, c.sigStart! + 11, (c.no + 3) % 8), commits.length - kept],
        [`commit line ${c.no} removed`, removeLine(sample.bytes, c.no), commits.length - 1 - kept],
      ];
      for (const [label, bytes, dropped] of cases) {
        const r = await repair(bytes, label);
        expect(r.result, label).toEqual({ kept, dropped });
        await expectRepairedState(r, step.state, `${label} (state after "${step.label}")`);
        checked++;
      }
    }
    expect(checked).toBeGreaterThanOrEqual(24);
  });

  it('of damage outside the commits (inserted, foreign or duplicated lines, a destroyed header) keeps everything', async () => {
    const last = commits[commits.length - 1]!;
    const cases: [string, Buffer, { kept: number; dropped: number }][] = [
      ['a garbage line inserted', insertLine(sample.bytes, 9, 'garbage\n'), { kept: commits.length, dropped: 0 }],
      ['a value line of another vault inserted', insertLine(sample.bytes, 9, lineBytes(other.bytes, other.lines.find((l) => l.kind === 'blob')!)), { kept: commits.length, dropped: 0 }],
      ['a commit line of another vault inserted', insertLine(sample.bytes, 9, lineBytes(other.bytes, other.lines.at(-1)!)), { kept: commits.length, dropped: 1 }],
      ['a commit line duplicated', duplicateLine(sample.bytes, last.no, last.no + 1), { kept: commits.length, dropped: 1 }],
      ['the header destroyed', replaceLine(sample.bytes, 1, 'this is no header\n'), { kept: commits.length, dropped: 0 }],
    ];
    for (const [label, bytes, result] of cases) {
      const r = await repair(bytes, label);
      expect(r.result, label).toEqual(result);
      await expectRepairedState(r, sample.final, label);
      // Everything salvaged: the repaired file is the original, byte for byte.
      expect((await readFile(r.output)).equals(sample.bytes), label).toBe(true);
    }
  });

  it('of an interrupted save drops the incomplete tail', async () => {
    const last = commits[commits.length - 1]!;
    const r = await repair(truncateAt(sample.bytes, last.start + 100), 'cut inside the last commit line');
    // The incomplete commit line counts as dropped (it starts with "C ").
    expect(r.result.kept).toBe(commits.length - 1);
    expect(r.result.dropped).toBeLessThanOrEqual(1);
    await expectRepairedState(r, sample.history.at(-2)!.state, 'cut inside the last commit line');
  });

  it('on the computer that saw the dropped commits: the repaired file opens with a warning naming what it lacks until accepted', async () => {
    const c = commits[commits.length - 3]!;
    const r = await repair(flipBit(sample.bytes, c.sigStart! + 2, 4), `signature flip in commit line ${c.no}`);
    const profile = await copyProfile(sample.profile, root);
    const lacking = await openAndSnapshot(r.output, profile);
    expect(lacking.ok, describeOutcome(lacking)).toBe(true);
    expect(lacking.warnings.some((w) => /lacks \d+ commit\(s\) this computer has seen/.test(w))).toBe(true);
    const accepted = await openAndSnapshot(r.output, profile, { acceptRollback: true });
    expect(accepted.ok, describeOutcome(accepted)).toBe(true);
    if (accepted.ok) expect(accepted.state).toEqual(stepBefore(c.no).state);
    // Accepted once: the next open on that computer takes the repaired file as it is.
    const again = await openAndSnapshot(r.output, profile);
    expect(again.ok, describeOutcome(again)).toBe(true);
    expect(again.warnings.filter((w) => w.includes('lacks'))).toEqual([]);
  });

  it('refuses to overwrite an existing output, and the damaged file itself', async () => {
    const damaged = await writeVaultCopy(root, flipBit(sample.bytes, commits[3]!.sigStart! + 1, 0));
    const before = await readFile(damaged);
    const output = newOutput();
    await writeFile(output, 'precious\n');
    await expect(repairVaultFile(damaged, output)).rejects.toMatchObject({ code: 'Conflict' });
    expect(await readFile(output, 'utf8')).toBe('precious\n');
    // The damaged file as its own output: refused, untouched.
    await expect(repairVaultFile(damaged, damaged)).rejects.toBeInstanceOf(CofferError);
    expect((await readFile(damaged)).equals(before)).toBe(true);
  });

  it('of a file whose genesis commit is damaged salvages nothing, says so, and writes no output', async () => {
    const output = newOutput();
    const damaged = await writeVaultCopy(root, flipBit(sample.bytes, sample.lines[1]!.start + 30, 1));
    await expect(repairVaultFile(damaged, output)).rejects.toMatchObject({ code: 'VaultCorrupted', part: 'genesis' });
    expect(existsSync(output)).toBe(false);
  });

  it('of a damaged value line drops the save that wrote it (and what follows it) and keeps every earlier secret', async () => {
    // A value line belongs to the commit line after it: one save. The commit cannot be kept without its
    // value, and later commits cannot be kept without it (their signatures cover their parents).
    let checked = 0;
    for (const blob of sample.lines.filter((l) => l.kind === 'blob')) {
      const owner = commits.find((c) => c.no > blob.no)!;
      const kept = commits.filter((c) => c.no < owner.no).length;
      const label = `value line ${blob.no} (${sample.blobOwner.get(blob.blobHash!)!.name}) flipped`;
      const r = await repair(flipBit(sample.bytes, blob.start + 12 + (blob.no % 20), blob.no % 8), label);
      expect(r.result, label).toEqual({ kept, dropped: commits.length - kept });
      await expectRepairedState(r, stepBefore(owner.no).state, label);
      checked++;
    }
    expect(checked).toBeGreaterThanOrEqual(8);
  });

  // Regression test (was an engine bug: repair keeps a version whose value line a purge compacted away, and the repaired
  // file then does not open): when the purge commit of `temp` (or the delete before it) is damaged,
  // repairVaultFile (merge.ts) keeps `temp`'s earlier commits, whose value line the purge's compaction
  // removed; without the purge record the engine takes the absent line for damage and the output fails
  // to open with "value of secret temp version …: the value line is missing from the file" (exit 5), so
  // the repair salvaged nothing usable (and `vault check` of the output says ok). Repair cannot tell a
  // purged value from a lost one without unlocking. Fix: let repair, given an identity (e.g. `vault
  // repair --passphrase-file`), append a signed commit that purges (or marks lost) every version whose
  // value line is absent and not already purged, so the output opens and says what was lost; or let
  // openVault open such a file with a warning naming the missing values and fail only reads of them.
  it('of a damaged purge commit, with the passphrase, records the lost values and writes a file that opens with every secret written before it', async () => {
    const purge = commits.find((c) => c.no > 3 && leavesPurgedValue(c.no) && stepBefore(c.no).label.startsWith('delete temp'))!;
    const r = await repair(flipBit(sample.bytes, purge.sigStart! + 5, 2), `signature flip in the purge commit (line ${purge.no})`, true);
    expect(r.lostValues?.length).toBeGreaterThan(0);
    expect(r.lostValues!.every((l) => l.startsWith('secrets/temp/'))).toBe(true);
    const o = await openAndSnapshot(r.output, freshProfile(root));
    expect(o.ok, describeOutcome(o)).toBe(true);
    if (!o.ok) return;
    expect(o.state.values).toEqual(sample.history.find((h) => h.label.startsWith('import'))!.state.values);
  });

  // Regression test (was an engine bug: repair cannot fix a header whose vault id was altered into other valid hex):
  // withRepairedHeader (merge.ts) rebuilds the header only when it does not match
  // /^coffer-vault\/1 [0-9a-f]{64}$/, so a header with a wrong but well-formed id is kept, the genesis
  // commit then "does not match the vault id in the header", and repair throws "genesis: the vault has
  // no valid genesis commit" although every commit is intact. Fix: in withRepairedHeader, compute the
  // genesis commit's id (commitId of the first genesis line's payload) and rebuild the header whenever
  // the header's id differs from it.
  it('of a header whose vault id was altered into other valid hex rebuilds it from the genesis commit', async () => {
    const at = sample.lines[0]!.text.indexOf(' ') + 5;
    const bytes = Buffer.from(sample.bytes);
    bytes[at] = bytes[at] === 0x61 ? 0x62 : 0x61; // 'a' <-> 'b' (or anything -> 'a'): still lowercase hex
    const r = await repair(bytes, 'header vault id altered');
    expect(r.result).toEqual({ kept: commits.length, dropped: 0 });
    await expectRepairedState(r, sample.final, 'header vault id altered');
  });
});
