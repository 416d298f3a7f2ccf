// Bundles the preload (electron/preload/index.ts, with build-api.ts, the
// contract and zod) into ONE CommonJS file, dist/preload/index.cjs. A
// sandboxed preload cannot load ES modules or relative files: Electron gives
// it a polyfilled `require` that knows only 'electron' and a few Node
// built-ins (Electron docs "Process Sandboxing": "use a bundler"), so
// 'electron' stays external and everything else is inlined.
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

export default defineConfig({
  // No index.html, no public folder: this is a library build.
  publicDir: false,
  build: {
    lib: {
      entry: fileURLToPath(new URL('./electron/preload/index.ts', import.meta.url)),
      formats: ['cjs'],
      fileName: () => 'index.cjs',
    },
    outDir: fileURLToPath(new URL('./dist/preload/', import.meta.url)),
    emptyOutDir: true,
    // Electron 45's Chromium.
    target: 'chrome140',
    minify: false,
    sourcemap: false,
    reportCompressedSize: false,
    rollupOptions: { external: ['electron'] },
  },
});
