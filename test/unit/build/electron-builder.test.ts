/**
 * electron-builder.yml: loaded with electron-builder's own loader, validated
 * against electron-builder's own schema (app-builder-lib validateConfiguration),
 * its security-relevant values pinned, and an offline `--dir` pack with a
 * stand-in Electron binary (TOOLCHAIN.md "Electron without its binary") that
 * shows what really lands in app.asar and which fuses really get flipped.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { FuseV1Options, getCurrentFuseWire } from '@electron/fuses';
import { extractFile, listPackage, statFile } from '@electron/asar';
import type { Configuration } from 'app-builder-lib';
import { FileMatcher } from 'app-builder-lib/out/fileMatcher.js';
import { getConfig, validateConfiguration } from 'app-builder-lib/out/util/config/config.js';
import { DebugLogger } from 'builder-util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const CONFIG_FILE = join(ROOT, 'electron-builder.yml');
const PKG = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { main: string; type: string };

/** The config exactly as electron-builder reads it (its YAML loader, `extends` resolution). */
const loadConfig = (): Promise<Configuration> => getConfig(ROOT, CONFIG_FILE, null);

/**
 * The `files` patterns as electron-builder uses them: its loader normalizes
 * the YAML list into file sets ({ filter: [...] }), all from the app dir here.
 */
function filePatterns(config: Configuration): string[] {
  const sets = config.files == null ? [] : Array.isArray(config.files) ? config.files : [config.files];
  return sets.flatMap((set) => {
    if (typeof set === 'string') return [set];
    expect(set.from ?? '.', 'files are taken from the project root').toBe('.');
    expect(set.to ?? '.', 'files land at the asar root').toBe('.');
    return set.filter == null ? [] : Array.isArray(set.filter) ? set.filter : [set.filter];
  });
}

/** What every fuse must be in the shipped binary. Keys are electronFuses keys. */
const EXPECTED_FUSES = {
  runAsNode: false,
  enableCookieEncryption: true,
  enableNodeOptionsEnvironmentVariable: false,
  enableNodeCliInspectArguments: false,
  enableEmbeddedAsarIntegrityValidation: true,
  onlyLoadAppFromAsar: true,
  grantFileProtocolExtraPrivileges: false,
  loadBrowserProcessSpecificV8Snapshot: false,
} as const;

/** The same fuses by their index on the fuse wire (@electron/fuses). */
const FUSE_INDEX: Record<keyof typeof EXPECTED_FUSES, FuseV1Options> = {
  runAsNode: FuseV1Options.RunAsNode,
  enableCookieEncryption: FuseV1Options.EnableCookieEncryption,
  enableNodeOptionsEnvironmentVariable: FuseV1Options.EnableNodeOptionsEnvironmentVariable,
  enableNodeCliInspectArguments: FuseV1Options.EnableNodeCliInspectArguments,
  enableEmbeddedAsarIntegrityValidation: FuseV1Options.EnableEmbeddedAsarIntegrityValidation,
  onlyLoadAppFromAsar: FuseV1Options.OnlyLoadAppFromAsar,
  grantFileProtocolExtraPrivileges: FuseV1Options.GrantFileProtocolExtraPrivileges,
  loadBrowserProcessSpecificV8Snapshot: FuseV1Options.LoadBrowserProcessSpecificV8Snapshot,
};

describe('electron-builder.yml', () => {
  it('passes electron-builder 26 schema validation (validateConfiguration)', async () => {
    const config = await loadConfig();
    await expect(validateConfiguration(config, new DebugLogger(false))).resolves.toBeUndefined();
  });

  it('the validator rejects an unknown key and a misspelled fuse, so passing it means something', async () => {
    const config = await loadConfig();
    const logger = new DebugLogger(false);
    await expect(
      validateConfiguration({ ...config, notAnOption: true } as Configuration, logger),
    ).rejects.toThrow(/unknown property 'notAnOption'/);
    // electronFuses is closed (additionalProperties: false): a typo cannot
    // silently leave a fuse at Electron's default.
    await expect(
      validateConfiguration(
        { ...config, electronFuses: { ...config.electronFuses, runAsNod: false } } as Configuration,
        logger,
      ),
    ).rejects.toThrow(/electronFuses/);
  });

  it('names the product: appId app.coffer.desktop, productName Coffer, output out, buildResources build', async () => {
    const config = await loadConfig();
    expect(config.appId).toBe('app.coffer.desktop');
    expect(config.productName).toBe('Coffer');
    expect(config.directories).toEqual({ output: 'out', buildResources: 'build' });
  });

  it('flips every security fuse: no RunAsNode, NODE_OPTIONS or --inspect; asar-only with integrity; encrypted cookies; no file:// privileges', async () => {
    const config = await loadConfig();
    expect(config.electronFuses).toEqual(EXPECTED_FUSES);
  });

  it('packs the app into one asar and unpacks N-API addons (*.node)', async () => {
    const config = await loadConfig();
    expect(config.asar).toBe(true);
    expect(config.asarUnpack).toContain('**/*.node');
  });

  it('targets AppImage and deb (Utility), dmg (hardened runtime, developer-tools), nsis', async () => {
    const config = await loadConfig();
    expect(config.linux?.target).toEqual(['AppImage', 'deb']);
    expect(config.linux?.category).toBe('Utility');
    expect(config.mac?.target).toEqual(['dmg']);
    expect(config.mac?.category).toBe('public.app-category.developer-tools');
    expect(config.mac?.hardenedRuntime).toBe(true);
    expect(config.win?.target).toEqual(['nsis']);
  });

  it('gives deb the maintainer and homepage fpm requires (package.json has neither author nor homepage)', async () => {
    const config = await loadConfig();
    expect(config.linux?.maintainer).toMatch(/^.+ <[^@\s]+@[^@\s]+>$/);
    expect((config.extraMetadata as { homepage?: string } | undefined)?.homepage).toMatch(/^https:\/\//);
  });

  it('files: ships dist/** and package.json, never source maps, TypeScript, test files or the project sources', async () => {
    const config = await loadConfig();
    const patterns = filePatterns(config);
    expect(patterns).toEqual(expect.arrayContaining(['dist/**', 'package.json']));
    // electron-builder's own matcher over the `files` patterns, on paths the app
    // has or may grow (the bundled preload, a vite source map, a stray test).
    const filter = new FileMatcher(ROOT, '/', (p) => p, patterns).createFilter();
    const file = { isDirectory: () => false } as unknown as Parameters<typeof filter>[1];
    const ships = (rel: string): boolean => filter(join(ROOT, rel), file);
    for (const rel of [
      'package.json',
      'dist/electron/main/index.js',
      'dist/preload/index.cjs',
      'dist/renderer/index.html',
      'dist/renderer/assets/index-abc123.js',
      'dist/renderer/assets/index-abc123.css',
      'dist/electron/vault/vault.js',
      'dist/shared/contract.js',
    ]) {
      expect(ships(rel), rel).toBe(true);
    }
    for (const rel of [
      'dist/renderer/assets/index-abc123.js.map',
      'dist/electron/main/index.js.map',
      'dist/preload/index.cjs.map',
      'dist/electron/vault/core.test.js',
      'dist/electron/main/ipc/register.spec.mjs',
      'dist/test/unit/main/helpers.js',
      'dist/e2e/harness.js',
      'dist/electron/main/index.d.ts',
      'dist/tsconfig.build.tsbuildinfo',
      'electron/main/protocol.ts',
      'renderer/main.tsx',
      'shared/contract.ts',
      'test/unit/main/helpers.ts',
      'test/global-setup.ts',
      'bench/run.ts',
      'scripts/test.mjs',
      'tsconfig.json',
      'electron-builder.yml',
      'README.md',
    ]) {
      expect(ships(rel), rel).toBe(false);
    }
  });
});

// Electron's fuse wire: this sentinel, a version byte, a length byte, then one
// byte per fuse, '0' off / '1' on (Electron docs, "Fuses", "The hard way").
const SENTINEL = 'dL7pKGdnNz796PbbjQWNKmHXBZaB9tsX';
const OFF = '0'.charCodeAt(0);
const ON = '1'.charCodeAt(0);
// Electron 45's wire has 9 fuses; the ninth (WasmTrapHandlers) has no
// electronFuses key and must be left as it is.
const WIRE_LENGTH = 9;
const NINTH_FUSE = 8;

describe('electron-builder --dir with a stand-in Electron (offline pack)', () => {
  let work = '';
  let resources = '';
  let binary = '';
  let entries: string[] = [];
  const asarPath = (): string => join(resources, 'app.asar');

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'coffer-pack-'));
    // A stand-in Electron: a file holding a fuse wire where every fuse starts
    // at the opposite of what we want, so each one must be flipped by the
    // config; the ninth starts on and must stay on.
    const electronDist = join(work, 'electron-dist');
    const start = Array<number>(WIRE_LENGTH).fill(ON);
    for (const [key, want] of Object.entries(EXPECTED_FUSES)) {
      start[FUSE_INDEX[key as keyof typeof EXPECTED_FUSES]] = want ? OFF : ON;
    }
    const fakeBinary = Buffer.concat([
      Buffer.from('not really electron\0'),
      Buffer.from(SENTINEL, 'ascii'),
      Buffer.from([1, WIRE_LENGTH, ...start]),
      Buffer.from('\0tail'),
    ]);
    mkdirSync(electronDist);
    writeFileSync(join(electronDist, 'electron'), fakeBinary, { mode: 0o755 });

    const output = join(work, 'out');
    await promisify(execFile)(
      process.execPath,
      [
        join(ROOT, 'node_modules/electron-builder/cli.js'),
        '--linux',
        '--dir',
        '--publish',
        'never',
        `-c.electronDist=${electronDist}`,
        `-c.directories.output=${output}`,
        // N-API addons need no rebuild (TOOLCHAIN.md); never touch the shared node_modules.
        '-c.npmRebuild=false',
        // electron-builder's own check that package.json's main is in the
        // archive; the entry test below asserts it instead, so this pack also
        // runs while dist/electron/main/index.js does not exist yet.
        '-c.disableSanityCheckAsar=true',
      ],
      {
        cwd: ROOT,
        env: { ...process.env, ELECTRON_SKIP_BINARY_DOWNLOAD: '1', FORCE_COLOR: '0' },
        maxBuffer: 16 * 1024 * 1024,
      },
    );
    const unpacked = readdirSync(output).find((d) => /^linux(-\w+)?-unpacked$/.test(d));
    if (unpacked === undefined) throw new Error(`no linux-*-unpacked in ${output}`);
    resources = join(output, unpacked, 'resources');
    binary = join(output, unpacked, 'coffer');
    entries = listPackage(asarPath(), { isPack: false }).map((p) => p.replace(/\\/g, '/').replace(/^\//, ''));
  });

  afterAll(() => {
    if (work !== '') rmSync(work, { recursive: true, force: true });
  });

  it('app.asar holds dist/ and package.json, nothing else of the project but production node_modules', () => {
    expect(entries).toContain('package.json');
    expect(entries).toContain('dist/renderer/index.html');
    expect(entries.some((e) => /^dist\/renderer\/assets\/[^/]+\.js$/.test(e))).toBe(true);
    expect(entries).toContain('dist/electron/vault/vault.js');
    expect(entries).toContain('dist/shared/contract.js');
    const topLevel = new Set(entries.map((e) => e.split('/')[0]));
    expect([...topLevel].sort()).toEqual(['dist', 'node_modules', 'package.json']);
  });

  it('app.asar has no source maps, TypeScript or test files', () => {
    expect(entries.filter((e) => e.endsWith('.map'))).toEqual([]);
    expect(entries.filter((e) => /\.(ts|tsx|mts|cts)$/.test(e))).toEqual([]);
    expect(entries.filter((e) => /\.(test|spec)\.[cm]?[jt]sx?$/.test(e))).toEqual([]);
    const ours = entries.filter((e) => !e.startsWith('node_modules/'));
    expect(ours.filter((e) => /(^|\/)(test|tests|__tests__|__mocks__|e2e|fixtures)(\/|$)/.test(e))).toEqual([]);
  });

  it("the packaged package.json is ESM with the built main entry, and carries the deb homepage", () => {
    const packaged = JSON.parse(extractFile(asarPath(), 'package.json').toString('utf8')) as Record<string, unknown>;
    expect(packaged.type).toBe('module');
    expect(packaged.main).toBe(PKG.main);
    expect(packaged.homepage).toMatch(/^https:\/\//);
  });

  it("@node-rs/argon2's N-API addon is unpacked next to app.asar, where it can be loaded", () => {
    const addons = entries.filter((e) => e.endsWith('.node'));
    expect(addons.some((e) => e.startsWith('node_modules/@node-rs/argon2'))).toBe(true);
    for (const addon of addons) {
      const entry = statFile(asarPath(), addon);
      expect('unpacked' in entry && entry.unpacked, addon).toBe(true);
      expect(existsSync(join(resources, 'app.asar.unpacked', addon)), addon).toBe(true);
    }
  });

  it('electron-builder writes every configured fuse into the Electron binary and leaves the ninth alone', async () => {
    const wire = (await getCurrentFuseWire(binary)) as unknown as Record<number, number>;
    for (const [key, want] of Object.entries(EXPECTED_FUSES)) {
      expect(wire[FUSE_INDEX[key as keyof typeof EXPECTED_FUSES]], key).toBe(want ? ON : OFF);
    }
    expect(wire[NINTH_FUSE]).toBe(ON);
  });

  it.skipIf(!existsSync(join(ROOT, PKG.main)))("app.asar holds package.json's main entry (dist/electron/main/index.js)", () => {
    expect(entries).toContain(PKG.main);
  });
});
