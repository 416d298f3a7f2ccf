/**
 * Main's history (handlers/history.ts): `vault:history` asks the engine, and
 * the watcher of the open vault's folder (a real temporary folder) refreshes
 * the vault once a burst of changes settles — an append, or a copy renamed
 * over the file as git and sync tools do — and tells the renderer what came.
 * Other files in the folder are ignored; a lock stops the watching. With the
 * real engine: another member's write shows as a `vaultChanged` event naming
 * them, without a relock.
 */
import { appendFile, mkdtemp, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { appEventSchema, type AppEvent } from '../../../../shared/contract.js';
import type { HistoryEntry, Vault } from '../../../../electron/vault/index.js';
import { CofferError } from '../../../../electron/vault/index.js';
import { changedEvent, historyHandlers, VaultWatcher } from '../../../../electron/main/handlers/history.js';
import type { LockReason } from '../../../../electron/main/handlers/session.js';
import { addMembers, createTestVault, enc, newMember, openAsMember, removeTempDirs } from '../../../helpers/vault.js';
import { appendToFile, craftCommit, loadCore, newVersion } from '../../vault/properties/forge.js';

const dirs: string[] = [];
afterAll(async () => {
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
  await removeTempDirs();
});

const DEBOUNCE = 40;
const settle = () => new Promise((r) => setTimeout(r, DEBOUNCE * 6));

const entry = (name: string): HistoryEntry => ({
  commit: 'a'.repeat(64),
  time: 1_700_000_000_000,
  author: { id: '0123456789abcdef', name },
  changes: [{ kind: 'secrets', object: 'secrets/db', version: '0'.repeat(32), action: 'new version' }],
});

/** A session manager with one vault that unlocks and locks on demand. */
function fakeSession() {
  const unlock = new Set<(v: Vault) => void>();
  const lock = new Set<(r: LockReason) => void>();
  let open: Vault | undefined;
  return {
    onUnlock: (l: (v: Vault) => void) => (unlock.add(l), () => unlock.delete(l)),
    onLock: (l: (r: LockReason) => void) => (lock.add(l), () => lock.delete(l)),
    isOpen: (v: Vault) => v === open,
    unlock(v: Vault) {
      open = v;
      for (const l of unlock) l(v);
    },
    lock() {
      open = undefined;
      for (const l of lock) l('lock');
    },
  };
}

async function folder(): Promise<{ dir: string; path: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'coffer-watch-'));
  dirs.push(dir);
  const path = join(dir, 'team.coffer');
  await writeFile(path, 'v1\n');
  return { dir, path };
}

const watchers: VaultWatcher[] = [];
afterEach(() => {
  for (const w of watchers.splice(0)) (w as unknown as { stop(): void }).stop();
});

/** Alice's vault with one more member, open and watched as the app does (the real engine). */
async function watchedTeam(member: Parameters<typeof addMembers>[1][number]) {
  const t = await createTestVault({ displayName: 'Alice' });
  await addMembers(t.vault, [member]);
  const session = fakeSession();
  const events: AppEvent[] = [];
  const watcher = new VaultWatcher({ session, notify: (e) => events.push(e), debounceMs: DEBOUNCE });
  watchers.push(watcher);
  session.unlock(t.vault);
  return { t, session, events, watcher };
}

function setup(path: string, refresh: Vault['refresh']) {
  const session = fakeSession();
  const events: AppEvent[] = [];
  const warnings: string[] = [];
  const watcher = new VaultWatcher({ session, notify: (e) => events.push(e), debounceMs: DEBOUNCE, onWarning: (m) => warnings.push(m) });
  watchers.push(watcher);
  const vault = { path, refresh: vi.fn(refresh) } as unknown as Vault & { refresh: ReturnType<typeof vi.fn> };
  session.unlock(vault);
  return { session, events, warnings, watcher, vault };
}

describe('vault:history', () => {
  it('asks the open vault, with what the renderer gave', async () => {
    const history = vi.fn(() => [entry('Alice')]);
    const h = historyHandlers({ session: { current: () => ({ history }) as unknown as Vault } });
    expect(await h['vault:history']({ since: 5, object: 'secrets/db' })).toEqual([entry('Alice')]);
    await h['vault:history']({});
    expect(history.mock.calls).toEqual([[{ since: 5, object: 'secrets/db' }], [{}]]);
  });
});

describe('the vault watcher', () => {
  it('refreshes once after a burst of appends, and tells what came', async () => {
    const { path } = await folder();
    const { vault, events, watcher } = setup(path, async () => ({ changed: true, commits: [entry('Bob')] }));
    expect(watcher.watching).toBe(true);
    for (let i = 0; i < 5; i++) await appendFile(path, `line ${i}\n`);
    await settle();
    await watcher.whenIdle();
    expect(vault.refresh).toHaveBeenCalledTimes(1);
    expect(events).toEqual([{ type: 'vaultChanged', count: 1, commits: [entry('Bob')] }]);
    expect(appEventSchema.safeParse(events[0]).success).toBe(true);
  });

  it('sees a copy renamed over the file (git, sync tools), and ignores other files', async () => {
    const { dir, path } = await folder();
    const { vault, events, watcher } = setup(path, async () => ({ changed: true, commits: [entry('Bob')] }));
    await writeFile(join(dir, 'notes.txt'), 'x');
    await writeFile(join(dir, 'team.coffer.lock'), 'x');
    await settle();
    expect(vault.refresh).not.toHaveBeenCalled();
    await writeFile(join(dir, '.team.coffer.tmp'), 'v2\n');
    await rename(join(dir, '.team.coffer.tmp'), path);
    await settle();
    await watcher.whenIdle();
    expect(vault.refresh).toHaveBeenCalled();
    expect(events).toHaveLength(1);
  });

  it('says nothing when the vault saw no new commits (its own write)', async () => {
    const { path } = await folder();
    const { vault, events } = setup(path, async () => ({ changed: false, commits: [] }));
    await appendFile(path, 'x\n');
    await settle();
    expect(vault.refresh).toHaveBeenCalled();
    expect(events).toEqual([]);
  });

  it('stops on lock', async () => {
    const { path } = await folder();
    const { vault, session, watcher } = setup(path, async () => ({ changed: true, commits: [entry('Bob')] }));
    session.lock();
    expect(watcher.watching).toBe(false);
    await appendFile(path, 'x\n');
    await settle();
    expect(vault.refresh).not.toHaveBeenCalled();
  });

  it('a refresh that fails is a warning, and the next change tries again', async () => {
    const { path } = await folder();
    let fail = true;
    const { vault, warnings, events, watcher } = setup(path, async () => {
      if (fail) throw new CofferError('IoError', 'Cannot read the vault file: ENOENT');
      return { changed: true, commits: [entry('Bob')] };
    });
    await appendFile(path, 'x\n');
    await settle();
    await watcher.whenIdle();
    expect(warnings).toEqual(['The vault file changed, but its new content could not be read: Cannot read the vault file: ENOENT']);
    fail = false;
    await appendFile(path, 'y\n');
    await settle();
    await watcher.whenIdle();
    expect(vault.refresh).toHaveBeenCalledTimes(2);
    expect(events).toHaveLength(1);
  });

  it('the event keeps within the bounds the preload checks', () => {
    const many = Array.from({ length: 80 }, () => ({ ...entry('Bob'), changes: Array.from({ length: 150 }, () => entry('Bob').changes![0]!) }));
    const e = changedEvent(many);
    expect(e.count).toBe(80);
    expect(e.commits).toHaveLength(50);
    expect(e.commits[0]!.changes).toHaveLength(100);
    expect(appEventSchema.safeParse(e).success).toBe(true);
  });

  it('with the engine: another member\'s write is told by name, without a relock', async () => {
    const bob = newMember('Bob');
    const { t, session, events, watcher } = await watchedTeam([bob, ['Key Vault Secrets Officer']]);
    const asBob = await openAsMember(t.path, bob);
    await asBob.secrets.set({ name: 'db', value: enc('from-bob') });
    asBob.close();
    await vi.waitFor(() => expect(events).toHaveLength(1), { timeout: 5000, interval: 50 });
    const e = events[0] as Extract<AppEvent, { type: 'vaultChanged' }>;
    expect(e.commits.map((c) => [c.author.name, c.changes?.map((ch) => `${ch.action} ${ch.object}`)])).toEqual([['Bob', ['new version secrets/db']]]);
    expect(t.vault.secrets.list().map((s) => s.id.split('/').pop())).toEqual(['db']);
    // The app's own write is no news.
    await t.vault.secrets.set({ name: 'mine', value: enc('v') });
    await settle();
    await watcher.whenIdle();
    expect(events).toHaveLength(1);
    session.lock();
    t.vault.close();
  });

  it('with the engine: a forged write (a Reader setting a secret) is told as rejected, with why, and never applied (V4)', async () => {
    const rita = newMember('Rita');
    const { t, session, events } = await watchedTeam([rita, ['Key Vault Reader']]);
    // A modified client: signed by Rita, a commit her role does not allow.
    const forged = craftCommit(loadCore(await readFile(t.path), rita.identity), rita.identity, {
      records: [{ t: 'secret', name: 'evil', version: newVersion(), blob: 0, enc: 'utf8', enabled: true }],
      values: [enc('v4-app-evil-value')],
    });
    await appendToFile(t.path, forged.text);
    await vi.waitFor(() => expect(events).toHaveLength(1), { timeout: 5000, interval: 50 });
    const e = events[0] as Extract<AppEvent, { type: 'vaultChanged' }>;
    expect(e.commits).toEqual([expect.objectContaining({ commit: forged.id, author: expect.objectContaining({ name: 'Rita' }), rejected: expect.stringMatching(/secrets\/setSecret/) })]);
    expect(t.vault.secrets.list()).toEqual([]);
    const h = historyHandlers({ session: { current: () => t.vault } });
    const listed = (await h['vault:history']({})).find((x) => x.commit === forged.id);
    expect(listed?.rejected).toMatch(/secrets\/setSecret/);
    expect(t.vault.info().rejectedCommits.map((r) => r.id)).toContain(forged.id);
    expect(JSON.stringify(events)).not.toContain('v4-app-evil-value');
    session.lock();
    t.vault.close();
  });
});
