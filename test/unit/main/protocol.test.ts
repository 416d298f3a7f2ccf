/**
 * The app:// scheme handler (electron/main/protocol.ts): serves only files
 * under rendererDir, refuses every traversal spelling before reading, and puts
 * the CSP and security headers on every response.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve, sep } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  APP_ORIGIN,
  CONTENT_SECURITY_POLICY,
  SECURITY_HEADERS,
  appPathSegments,
  serveAppRequest,
  type AppResponse,
} from '../../../electron/main/protocol.js';

const ROOT = resolve('/srv/coffer/renderer');

/** An in-memory renderer bundle that records every path it is asked for. */
function fakeFs(files: Record<string, string>) {
  const reads: string[] = [];
  const read = async (path: string): Promise<Buffer | undefined> => {
    reads.push(path);
    const rel = path.startsWith(ROOT + sep) ? path.slice(ROOT.length + 1).split(sep).join('/') : undefined;
    const text = rel === undefined ? undefined : files[rel];
    return text === undefined ? undefined : Buffer.from(text, 'utf8');
  };
  return { read, reads };
}

const BUNDLE = {
  'index.html': '<!doctype html><title>Coffer</title>',
  'assets/app.js': 'console.log(1)',
  'assets/app.css': 'body{}',
  'assets/logo.svg': '<svg/>',
  'assets/font.woff2': 'wOF2',
  'assets/data.json': '{}',
  'assets/icon.png': 'PNG',
  'assets/unknown.bin': 'x',
  '.env': 'SECRET=1',
};

function expectSecurityHeaders(r: AppResponse): void {
  expect(r.headers['Content-Security-Policy']).toBe(CONTENT_SECURITY_POLICY);
  expect(r.headers['X-Content-Type-Options']).toBe('nosniff');
  expect(r.headers['Cross-Origin-Opener-Policy']).toBe('same-origin');
  expect(r.headers['Cache-Control']).toBe('no-store');
  expect(typeof r.headers['Content-Type']).toBe('string');
}

describe('the CSP', () => {
  it('is the strict policy, directive by directive', () => {
    expect(CONTENT_SECURITY_POLICY).toBe(
      "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; connect-src 'none'; object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
    );
    expect(CONTENT_SECURITY_POLICY).not.toMatch(/unsafe-inline|unsafe-eval|\*|https?:/);
    expect(Object.isFrozen(SECURITY_HEADERS)).toBe(true);
    expect(APP_ORIGIN).toBe('app://coffer');
  });
});

describe('serveAppRequest: files', () => {
  it('serves index.html for / and for the bare origin', async () => {
    for (const url of ['app://coffer/', 'app://coffer', 'app://coffer/?x=1', 'app://coffer/#/secrets', 'APP://COFFER/']) {
      const { read, reads } = fakeFs(BUNDLE);
      const r = await serveAppRequest(url, read, ROOT);
      expect(r.status, url).toBe(200);
      expect(r.body.toString()).toBe(BUNDLE['index.html']);
      expect(r.headers['Content-Type']).toBe('text/html; charset=utf-8');
      expect(reads).toEqual([join(ROOT, 'index.html')]);
      expectSecurityHeaders(r);
    }
  });

  it('serves files under rendererDir with the right Content-Type', async () => {
    const { read } = fakeFs(BUNDLE);
    const cases: [string, string][] = [
      ['index.html', 'text/html; charset=utf-8'],
      ['assets/app.js', 'text/javascript; charset=utf-8'],
      ['assets/app.css', 'text/css; charset=utf-8'],
      ['assets/logo.svg', 'image/svg+xml'],
      ['assets/font.woff2', 'font/woff2'],
      ['assets/data.json', 'application/json; charset=utf-8'],
      ['assets/icon.png', 'image/png'],
    ];
    for (const [path, type] of cases) {
      const r = await serveAppRequest(`app://coffer/${path}?v=2#h`, read, ROOT);
      expect(r.status, path).toBe(200);
      expect(r.headers['Content-Type'], path).toBe(type);
      expect(r.body.toString()).toBe(BUNDLE[path as keyof typeof BUNDLE]);
      expectSecurityHeaders(r);
    }
  });

  it('decodes percent-encoded names (a space) but nothing that changes the path', async () => {
    const { read, reads } = fakeFs({ 'my file.js': 'ok' });
    const r = await serveAppRequest('app://coffer/my%20file.js', read, ROOT);
    expect(r.status).toBe(200);
    expect(reads).toEqual([join(ROOT, 'my file.js')]);
  });

  it('404s missing files, unknown types, dotfiles and directories', async () => {
    const { read, reads } = fakeFs(BUNDLE);
    for (const path of ['missing.js', 'assets/unknown.bin', '.env', 'assets', 'assets/', '.git/config']) {
      const r = await serveAppRequest(`app://coffer/${path}`, read, ROOT);
      expect([400, 404], path).toContain(r.status);
      expectSecurityHeaders(r);
    }
    // Only the one that passed every check was looked for.
    expect(reads).toEqual([join(ROOT, 'missing.js')]);
  });

  it('answers 500 (with the headers, without the error text) when reading fails', async () => {
    const r = await serveAppRequest(
      'app://coffer/index.html',
      async () => {
        throw new Error('EACCES /srv/coffer/renderer/index.html');
      },
      ROOT,
    );
    expect(r.status).toBe(500);
    expect(r.body.toString()).not.toContain('EACCES');
    expectSecurityHeaders(r);
  });
});

describe('serveAppRequest: refusals, never reading outside rendererDir', () => {
  const traversals = [
    'app://coffer/../secret.txt',
    'app://coffer/../../etc/passwd',
    'app://coffer/assets/../../etc/passwd',
    'app://coffer/assets/../index.html',
    'app://coffer/./index.html',
    'app://coffer/%2e%2e/etc/passwd',
    'app://coffer/%2E%2E/%2e%2e/etc/passwd',
    'app://coffer/.%2e/etc/passwd',
    'app://coffer/%2e/index.html',
    'app://coffer/assets%2f..%2f..%2fetc%2fpasswd',
    'app://coffer/..%2fetc%2fpasswd.js',
    'app://coffer/%2fetc%2fpasswd.js',
    'app://coffer/..%5c..%5cwindows%5cwin.ini',
    'app://coffer/..\\..\\etc\\passwd',
    'app://coffer/assets\\..\\..\\x.js',
    'app://coffer/%5cetc%5cpasswd.js',
    'app://coffer//etc/passwd',
    'app://coffer///etc/passwd.js',
    'app://coffer/C:/Windows/win.ini',
    'app://coffer/C%3A%5CWindows%5Cwin.ini',
    'app://coffer/index.html%00.js',
    'app://coffer/index.html\u0000.js',
    'app://coffer/%c0%ae%c0%ae/etc/passwd',
    'app://coffer/%E0%A4%A',
    'app://coffer/index.html.',
    'app://coffer/index.html%20',
    'app://coffer/ index.html',
    'app://coffer/a\nb.js',
    `app://coffer/${'a/'.repeat(3000)}x.js`,
  ];

  it.each(traversals)('%s → 400 or 404, nothing read', async (url) => {
    const { read, reads } = fakeFs(BUNDLE);
    const r = await serveAppRequest(url, read, ROOT);
    expect([400, 404]).toContain(r.status);
    expect(reads).toEqual([]);
    expectSecurityHeaders(r);
  });

  it('classifies dot segments and encoded separators as bad requests (400)', async () => {
    const { read } = fakeFs(BUNDLE);
    for (const url of ['app://coffer/../x.js', 'app://coffer/%2e%2e/x.js', 'app://coffer/a%2fb.js', 'app://coffer/a\\b.js', 'app://coffer//x.js', 'app://coffer/x%00.js']) {
      expect((await serveAppRequest(url, read, ROOT)).status, url).toBe(400);
    }
  });

  const others = [
    'app://evil/index.html',
    'app://coffer.evil/index.html',
    'app://coffer:8080/index.html',
    'app://user@coffer/index.html',
    'app://coffer@evil/index.html',
    'app:///index.html',
    'app:///etc/passwd',
    'https://coffer/index.html',
    'file:///etc/passwd',
    'file://coffer/index.html',
    'http://localhost/index.html',
  ];

  it.each(others)('%s (another origin) → 404, nothing read', async (url) => {
    const { read, reads } = fakeFs(BUNDLE);
    const r = await serveAppRequest(url, read, ROOT);
    expect(r.status).toBe(404);
    expect(reads).toEqual([]);
    expectSecurityHeaders(r);
  });

  it('refuses strings that are not URLs', async () => {
    const { read, reads } = fakeFs(BUNDLE);
    for (const url of ['', 'index.html', '/etc/passwd', 'app:index.html', 'app:/index.html', 'javascript:alert(1)']) {
      const r = await serveAppRequest(url, read, ROOT);
      expect([400, 404], url).toContain(r.status);
    }
    expect(reads).toEqual([]);
  });

  it('every read a random path causes stays under rendererDir', async () => {
    const alphabet = ['a', '.', '..', '%2e', '%2f', '%5c', '/', '\\', '%00', 'b.js', ':', '%', 'C:', '~', ' '];
    let seed = 12345;
    const next = (): number => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed;
    };
    const { read, reads } = fakeFs(BUNDLE);
    for (let i = 0; i < 2000; i++) {
      let path = '';
      for (let j = next() % 8; j >= 0; j--) path += alphabet[next() % alphabet.length];
      const r = await serveAppRequest(`app://coffer/${path}`, read, ROOT);
      expectSecurityHeaders(r);
    }
    for (const p of reads) expect(p.startsWith(ROOT + sep), p).toBe(true);
  });
});

describe('serveAppRequest on a real folder', () => {
  it('serves the bundle and never a file beside it', async () => {
    const base = mkdtempSync(join(tmpdir(), 'coffer-protocol-'));
    const dir = join(base, 'renderer');
    mkdirSync(join(dir, 'assets'), { recursive: true });
    writeFileSync(join(dir, 'index.html'), '<p>app</p>');
    writeFileSync(join(dir, 'assets', 'app.js'), 'ok');
    writeFileSync(join(base, 'secret.js'), 'SECRET');
    writeFileSync(join(base, 'renderer-evil.js'), 'SECRET');
    const reads: string[] = [];
    const readReal = async (p: string): Promise<Buffer | undefined> => {
      reads.push(p);
      return readFile(p).catch(() => undefined);
    };
    expect((await serveAppRequest('app://coffer/', readReal, dir)).body.toString()).toBe('<p>app</p>');
    expect((await serveAppRequest('app://coffer/assets/app.js', readReal, dir)).body.toString()).toBe('ok');
    for (const url of ['app://coffer/../secret.js', 'app://coffer/%2e%2e/secret.js', 'app://coffer/..%2fsecret.js', 'app://coffer/../renderer-evil.js']) {
      const r = await serveAppRequest(url, readReal, dir);
      expect(r.body.toString()).not.toContain('SECRET');
    }
    for (const p of reads) expect(p.startsWith(dir + sep)).toBe(true);
  });
});

describe('appPathSegments', () => {
  it('splits a clean path and tells bad paths from other origins', () => {
    expect(appPathSegments('app://coffer/')).toEqual(['index.html']);
    expect(appPathSegments('app://coffer/assets/app.js?x#y')).toEqual(['assets', 'app.js']);
    expect(appPathSegments('app://coffer/../x')).toBe('bad');
    expect(appPathSegments('app://other/x')).toBe('other');
  });
});
