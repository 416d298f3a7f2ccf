/**
 * The renderer as the app ships it (dist/renderer, built by the global setup
 * as `npm start` builds it): React's production build, and nothing the
 * strict CSP (electron/main/protocol.ts) would refuse — no inline script or
 * style, no remote URL.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { RENDERER_DIR } from '../../e2e/harness.js';

const html = () => readFileSync(join(RENDERER_DIR, 'index.html'), 'utf8');
const scripts = () =>
  readdirSync(join(RENDERER_DIR, 'assets'))
    .filter((f) => f.endsWith('.js'))
    .map((f) => readFileSync(join(RENDERER_DIR, 'assets', f), 'utf8'));

describe('the built renderer (dist/renderer)', () => {
  it("is React's production build (a NODE_ENV=test from vitest must not leak into vite)", () => {
    const js = scripts();
    expect(js.length).toBeGreaterThan(0);
    for (const src of js) {
      expect(src).not.toContain('jsxDEV');
      expect(src).not.toContain('react-dom.development');
    }
  });

  it('has no inline script or style and loads nothing remote', () => {
    const page = html();
    expect(page).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
    expect(page).not.toMatch(/<style\b/);
    expect(page).not.toMatch(/\sstyle=/);
    expect(page).not.toMatch(/(src|href)="(https?:)?\/\//);
    expect(page).toMatch(/<script type="module" crossorigin src="\.\/assets\/[^"]+\.js"><\/script>/);
  });
});
