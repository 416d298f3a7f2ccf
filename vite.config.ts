// Builds the renderer (renderer/) into dist/renderer/, served by the app from
// app:// and by the browser tests from a fake https origin. Relative asset
// paths ('./') so the same build loads from any origin. The CSP is
// `script-src 'self'; style-src 'self'`: Vite emits external script and style
// files only (no inline <script> or <style>); modulepreload's polyfill is an
// inline-free module, and it is disabled anyway (Chromium supports it).
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

const root = fileURLToPath(new URL('./renderer/', import.meta.url));

export default defineConfig({
  root,
  base: './',
  plugins: [react()],
  build: {
    outDir: fileURLToPath(new URL('./dist/renderer/', import.meta.url)),
    emptyOutDir: true,
    target: 'chrome130',
    modulePreload: { polyfill: false },
    // Small assets become files, never data: URLs inlined into CSS/JS.
    assetsInlineLimit: 0,
    sourcemap: false,
    reportCompressedSize: false,
  },
});
