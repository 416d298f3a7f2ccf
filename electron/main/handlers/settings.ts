/**
 * The app's settings and recent vaults, kept in `<profile>/settings.json`
 * (DECISIONS.md "Files and folders": the profile holds settings; it is shared
 * by the app and the CLI, so keys this version does not know are kept as
 * they are). Mode 0600 and written atomically (temp file + rename, through
 * the engine's writeNewFile) so a crash never leaves half a file; writes are
 * queued so two quick changes cannot interleave.
 *
 * The file is parsed as unknown: a damaged or hand-edited file falls back to
 * the defaults field by field instead of stopping the app.
 */
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { DEFAULT_SETTINGS, LIMITS, type AppSettings, type RecentVault } from '../../../shared/contract.js';
import { ensureProfileDir, writeNewFile } from '../../vault/index.js';

export const SETTINGS_FILE = 'settings.json';
/** How many recent vaults are kept (most recent first). */
export const MAX_RECENT = 10;

const recentEntry = z.object({
  path: z.string().min(1).max(LIMITS.pathLength),
  lastOpened: z.number().int(),
});

/** Each field on its own: one bad field does not cost the others. */
const fields = {
  clipboardClearSeconds: z.number().int().min(LIMITS.minClipboardClearSeconds).max(LIMITS.maxClipboardClearSeconds),
  autoLockMinutes: z.number().int().min(LIMITS.minAutoLockMinutes).max(LIMITS.maxAutoLockMinutes),
  lockOnMinimize: z.boolean(),
  recentVaults: z.array(z.unknown()),
};

interface SettingsData extends AppSettings {
  recentVaults: { path: string; lastOpened: number }[];
}

export interface SettingsStoreOptions {
  profileDir: string;
  /** Unix seconds (injected for tests). */
  now?: () => number;
  onWarning?: (message: string) => void;
}

export class SettingsStore {
  readonly file: string;
  private data: SettingsData | undefined;
  /** Unknown top-level keys of the file, written back unchanged. */
  private others: Record<string, unknown> = {};
  private queue: Promise<unknown> = Promise.resolve();
  private readonly now: () => number;

  constructor(private readonly options: SettingsStoreOptions) {
    this.file = join(options.profileDir, SETTINGS_FILE);
    this.now = options.now ?? (() => Math.floor(Date.now() / 1000));
  }

  async get(): Promise<AppSettings> {
    const d = await this.load();
    return { clipboardClearSeconds: d.clipboardClearSeconds, autoLockMinutes: d.autoLockMinutes, lockOnMinimize: d.lockOnMinimize };
  }

  async set(patch: Partial<AppSettings>): Promise<AppSettings> {
    await this.update((d) => {
      if (patch.clipboardClearSeconds !== undefined) d.clipboardClearSeconds = patch.clipboardClearSeconds;
      if (patch.autoLockMinutes !== undefined) d.autoLockMinutes = patch.autoLockMinutes;
      if (patch.lockOnMinimize !== undefined) d.lockOnMinimize = patch.lockOnMinimize;
    });
    return this.get();
  }

  async recent(): Promise<RecentVault[]> {
    const d = await this.load();
    return Promise.all(
      d.recentVaults.map(async (r) => ({ path: r.path, lastOpened: r.lastOpened, exists: await isFile(r.path) })),
    );
  }

  /** Moves (or adds) `path` to the top of the recent list. */
  async addRecent(path: string): Promise<void> {
    await this.update((d) => {
      const rest = d.recentVaults.filter((r) => r.path !== path);
      d.recentVaults = [{ path, lastOpened: this.now() }, ...rest].slice(0, MAX_RECENT);
    });
  }

  private async load(): Promise<SettingsData> {
    if (this.data) return this.data;
    let raw: unknown = {};
    try {
      raw = JSON.parse(await readFile(this.file, 'utf8'));
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') {
        this.options.onWarning?.(`${this.file} could not be read (${e instanceof SyntaxError ? 'not JSON' : 'unreadable'}); using the default settings.`);
      }
    }
    const obj: Record<string, unknown> = raw !== null && typeof raw === 'object' && !Array.isArray(raw) ? { ...(raw as Record<string, unknown>) } : {};
    const pick = <K extends keyof typeof fields>(k: K, fallback: z.infer<(typeof fields)[K]>): z.infer<(typeof fields)[K]> => {
      const r = fields[k].safeParse(obj[k]);
      return r.success ? (r.data as z.infer<(typeof fields)[K]>) : fallback;
    };
    const recentVaults = pick('recentVaults', [])
      .map((e) => recentEntry.safeParse(e))
      .flatMap((r) => (r.success ? [r.data] : []))
      .slice(0, MAX_RECENT);
    const data: SettingsData = {
      clipboardClearSeconds: pick('clipboardClearSeconds', DEFAULT_SETTINGS.clipboardClearSeconds),
      autoLockMinutes: pick('autoLockMinutes', DEFAULT_SETTINGS.autoLockMinutes),
      // A settings file from before issue 4 has no such key: the default (off) applies.
      lockOnMinimize: pick('lockOnMinimize', DEFAULT_SETTINGS.lockOnMinimize),
      recentVaults,
    };
    for (const k of Object.keys(fields)) delete obj[k];
    this.others = obj;
    this.data = data;
    return data;
  }

  /** Applies `change` and saves, one save at a time, in call order. */
  private update(change: (d: SettingsData) => void): Promise<void> {
    const run = async (): Promise<void> => {
      // On a copy: a failed save leaves the settings as they are on disk.
      const d = structuredClone(await this.load());
      change(d);
      await ensureProfileDir(this.options.profileDir);
      const text = `${JSON.stringify({ ...this.others, ...d }, null, 2)}\n`;
      await writeNewFile(this.file, new TextEncoder().encode(text), { overwrite: true, mode: 0o600 });
      this.data = d;
    };
    const next = this.queue.then(run, run);
    this.queue = next.catch(() => undefined);
    return next;
  }
}

async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}
