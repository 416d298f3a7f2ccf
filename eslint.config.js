// Lint, including the layering rules of ARCHITECTURE.md: the vault engine never
// imports electron or react (it also serves the CLI and the REST endpoint).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

// TOOLCHAIN.md: importing 'electron' as a value under plain Node tries to download the binary.
// Only the two entries Electron alone runs may; everything else takes Electron's modules as arguments.
const ELECTRON_ENTRIES = ['electron/main/index.ts', 'electron/preload/index.ts'];
const electronOnlyInEntries = {
  name: 'electron',
  allowTypeImports: true,
  message: "Only electron/main/index.ts and electron/preload/index.ts import 'electron' (ARCHITECTURE.md: testing without the Electron binary).",
};

// The front doors (CLI, main, preload, REST server, renderer) use the engine through its one entry
// module, electron/vault/index.ts, and import no other engine file, not even for types. Tests may:
// they mirror the engine's files. From electron/<front door>/ the engine is '../vault/' (or
// '../../vault/' one folder down); from renderer/ it is '.../electron/vault/' (renderer's own
// features/vault/ is not the engine). \x2F is '/': esquery's regex literals cannot hold one.
const ENGINE_MESSAGE = 'Import the vault engine through its entry module, electron/vault/index.ts, only.';
const ENGINE_FROM_ELECTRON = String.raw`^(?:\.\.\x2F)+(?:electron\x2F)?vault\x2F(?!index\.js$)`;
const ENGINE_FROM_RENDERER = String.raw`(?:^|\x2F)electron\x2Fvault\x2F(?!index\.js$)`;

/** no-restricted-imports and no-restricted-syntax for a set of files: one options object each, since a later config's options replace an earlier one's. */
function importRules({ electron, engine }) {
  const options = {
    ...(electron ? { paths: [electronOnlyInEntries] } : {}),
    ...(engine ? { patterns: [{ regex: engine, message: ENGINE_MESSAGE }] } : {}),
  };
  const rules = { 'no-restricted-imports': ['error', options] };
  if (engine) {
    // no-restricted-imports sees import and export declarations only: also import() and `typeof import()`.
    rules['no-restricted-syntax'] = [
      'error',
      { selector: `ImportExpression[source.value=/${engine}/]`, message: ENGINE_MESSAGE },
      { selector: `TSImportType[argument.literal.value=/${engine}/]`, message: ENGINE_MESSAGE },
    ];
  }
  return rules;
}

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'out/**', 'coverage/**', 'test-results/**', 'scratch/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    // Plain Node scripts (the bin launcher, the test runner, vector generators).
    files: ['**/*.mjs'],
    languageOptions: {
      globals: { process: 'readonly', console: 'readonly', URL: 'readonly', Buffer: 'readonly', setTimeout: 'readonly', TextEncoder: 'readonly', TextDecoder: 'readonly' },
    },
  },
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': 'off',
    },
  },
  {
    files: ['electron/vault/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [
          { group: ['electron', 'electron/*'], message: 'The vault engine must not import electron (ARCHITECTURE.md).' },
          { group: ['react', 'react-dom', 'react/*'], message: 'The vault engine must not import react (ARCHITECTURE.md).' },
          { group: ['**/cli/**', '**/main/**', '**/renderer/**'], message: 'The engine is the bottom layer: it imports no front door.' },
        ],
      }],
    },
  },
  // Import restrictions outside the engine. Each file matches exactly one of these four, so that no
  // config's no-restricted-imports options replace another's.
  {
    files: ['test/**/*.ts', 'bench/**/*.ts'],
    rules: importRules({ electron: true }),
  },
  {
    files: ['electron/main/**/*.ts', 'electron/preload/**/*.ts', 'electron/cli/**/*.ts'],
    ignores: ELECTRON_ENTRIES,
    rules: importRules({ electron: true, engine: ENGINE_FROM_ELECTRON }),
  },
  {
    files: [...ELECTRON_ENTRIES, 'electron/server/**/*.ts'],
    rules: importRules({ engine: ENGINE_FROM_ELECTRON }),
  },
  {
    files: ['renderer/**/*.{ts,tsx}'],
    rules: importRules({ electron: true, engine: ENGINE_FROM_RENDERER }),
  },
  {
    files: ['shared/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [
          { group: ['node:*', 'electron', 'react'], message: 'shared/ holds plain data and the contract: no Node, no DOM, no electron.' },
        ],
      }],
    },
  },
);
