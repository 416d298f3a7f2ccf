// Lint, including the layering rules of ARCHITECTURE.md: the vault engine never
// imports electron or react (it also serves the CLI and the REST endpoint).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

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
  {
    // TOOLCHAIN.md: importing 'electron' as a value under plain Node tries to download the binary.
    // Only the two entries Electron alone runs may; everything else takes Electron's modules as arguments.
    files: ['electron/main/**/*.ts', 'electron/preload/**/*.ts', 'electron/cli/**/*.ts', 'renderer/**/*.{ts,tsx}', 'test/**/*.ts', 'bench/**/*.ts'],
    ignores: ['electron/main/index.ts', 'electron/preload/index.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: [
          { name: 'electron', allowTypeImports: true, message: "Only electron/main/index.ts and electron/preload/index.ts import 'electron' (ARCHITECTURE.md: testing without the Electron binary)." },
        ],
      }],
    },
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
