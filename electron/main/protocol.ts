/**
 * The `app://coffer/` scheme: how the packaged renderer is served to the
 * window (Electron security checklist, electronjs.org/docs/latest/tutorial/security,
 * §18 "Avoid usage of the file:// protocol and prefer usage of custom
 * protocols": file:// pages get privileges a browser never grants them).
 *
 * A pure function of (url, readFile, rendererDir) so it is tested in plain Node
 * (ARCHITECTURE.md "Testing without the Electron binary"). The Electron-only
 * entry wires it as
 *   protocol.registerSchemesAsPrivileged([{ scheme: 'app', privileges: { standard: true, secure: true } }])
 *   protocol.handle('app', async (req) => { const r = await serveAppRequest(req.url, read, dir);
 *     return new Response(r.body, { status: r.status, headers: r.headers }); })
 * (and answers 405 to anything but GET/HEAD before calling it).
 *
 * What it refuses, before any read:
 *   - another scheme, host, port or any userinfo → 404;
 *   - a path that is not plain segments: `.`/`..` in any spelling (`%2e%2e`,
 *     `.%2E`), encoded or literal slashes and backslashes inside a segment,
 *     empty segments (`//etc`), NUL and control characters, a drive letter or
 *     any `:`, bad percent-encoding → 400;
 *   - dotfiles, unknown file types, anything resolving outside rendererDir → 404.
 * `/` serves index.html. Every response, errors included, carries the CSP
 * (§7 "Define a Content-Security-Policy") and the other SECURITY_HEADERS.
 */
import { readFile } from 'node:fs/promises';
import { extname, resolve, sep } from 'node:path';

export const APP_SCHEME = 'app';
export const APP_HOST = 'coffer';
/** The origin main's IPC gate allows in Electron (DECISIONS.md "Tests and tooling"). */
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;

/**
 * §7 "use restrictive rules (i.e. script-src 'self')": the renderer is a
 * bundle with no inline script or style, no network (connect-src 'none': main
 * does all I/O over IPC), no plugins, no <base>, no form posts, no framing.
 * img-src allows data: for inline icons only.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'none'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

/** Sent on every response, whatever its status. */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  'Content-Security-Policy': CONTENT_SECURITY_POLICY,
  // The declared type is the only type: a JSON or text file is never run as script.
  'X-Content-Type-Options': 'nosniff',
  // A window the page might open (window.open is denied anyway, §14) gets no handle back to it.
  'Cross-Origin-Opener-Policy': 'same-origin',
  // A vault UI has nothing worth caching, and the bundle is local.
  'Cache-Control': 'no-store',
});

/** The renderer bundle's file types; anything else is not served. */
export const CONTENT_TYPES: Readonly<Record<string, string>> = Object.freeze({
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.wasm': 'application/wasm',
});

export interface AppResponse {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
}

export type ReadFileFn = (absolutePath: string) => Promise<Buffer | undefined>;

/** Longer URLs are refused outright (Chromium's own limit is 2 MiB; the bundle's paths are short). */
const MAX_URL_LENGTH = 4096;

function respond(status: number, body: Buffer, contentType: string): AppResponse {
  return { status, headers: { ...SECURITY_HEADERS, 'Content-Type': contentType }, body };
}

function error(status: 400 | 404 | 500): AppResponse {
  const text = status === 400 ? 'Bad Request' : status === 404 ? 'Not Found' : 'Internal Server Error';
  return respond(status, Buffer.from(text, 'utf8'), 'text/plain; charset=utf-8');
}

/** C0 controls (NUL included), DEL, and optionally the space. */
function hasControl(s: string, orSpace: boolean): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20 || c === 0x7f || (orSpace && c === 0x20)) return true;
  }
  return false;
}

/**
 * The path segments of an app:// URL, checked on the RAW string (a URL parser
 * would silently resolve `..` and `%2e%2e`, hiding the attempt): 'bad' for a
 * malformed or suspicious path, 'other' for another origin.
 */
export function appPathSegments(url: string): string[] | 'bad' | 'other' {
  if (url.length > MAX_URL_LENGTH) return 'bad';
  // Control characters (NUL included) and whitespace anywhere: a URL from Chromium never has them raw.
  if (hasControl(url, true)) return 'bad';
  const m = /^([A-Za-z][A-Za-z0-9+.-]*):\/\/([^/?#\\]*)([^?#]*)(?:[?#].*)?$/.exec(url);
  if (!m) return 'bad';
  const [, scheme = '', authority = '', rawPath = ''] = m;
  if (scheme.toLowerCase() !== APP_SCHEME || authority.toLowerCase() !== APP_HOST) return 'other';
  if (rawPath === '' || rawPath === '/') return ['index.html'];
  if (!rawPath.startsWith('/')) return 'bad';
  const segments: string[] = [];
  for (const raw of rawPath.slice(1).split('/')) {
    let seg: string;
    try {
      seg = decodeURIComponent(raw);
    } catch {
      return 'bad';
    }
    if (seg === '' || seg === '.' || seg === '..') return 'bad';
    if (hasControl(seg, false) || /[/\\:*?"<>|]/.test(seg)) return 'bad';
    // Windows ignores trailing dots and spaces ("index.html." is index.html).
    if (/[. ]$/.test(seg)) return 'bad';
    segments.push(seg);
  }
  return segments;
}

export async function serveAppRequest(url: string, readFile: ReadFileFn, rendererDir: string): Promise<AppResponse> {
  const segments = appPathSegments(url);
  if (segments === 'bad') return error(400);
  if (segments === 'other') return error(404);
  // Dotfiles (.env, .git) are never part of the bundle.
  if (segments.some((s) => s.startsWith('.'))) return error(404);
  const last = segments.at(-1) ?? '';
  const contentType = CONTENT_TYPES[extname(last).toLowerCase()];
  if (contentType === undefined) return error(404);
  // Belt and braces: whatever the checks above let through must still resolve under rendererDir.
  const root = resolve(rendererDir);
  const file = resolve(root, ...segments);
  if (!file.startsWith(root.endsWith(sep) ? root : root + sep)) return error(404);
  let body: Buffer | undefined;
  try {
    body = await readFile(file);
  } catch {
    return error(500);
  }
  if (body === undefined) return error(404);
  return respond(200, body, contentType);
}

/**
 * Reads a file of the bundle: undefined when there is none there (serveAppRequest
 * answers 404); any other error is thrown (500).
 */
export async function readBundleFile(path: string): Promise<Buffer | undefined> {
  try {
    return await readFile(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'EISDIR' || code === 'ENOTDIR') return undefined;
    throw e;
  }
}

/**
 * protocol.handle('app', ...)'s handler: GET and HEAD only (405 otherwise,
 * before any read), files of the renderer bundle through serveAppRequest.
 * The browser tests serve their fake origin through it too.
 */
export async function handleAppRequest(request: Request, rendererDir: string): Promise<Response> {
  if (request.method !== 'GET' && request.method !== 'HEAD') {
    return new Response('Method Not Allowed', { status: 405, headers: { Allow: 'GET, HEAD' } });
  }
  const r = await serveAppRequest(request.url, readBundleFile, rendererDir);
  return new Response(request.method === 'HEAD' ? null : new Uint8Array(r.body), { status: r.status, headers: r.headers });
}
