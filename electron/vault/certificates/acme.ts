/**
 * ACME (RFC 8555) for the vault's certificates: an account, an order
 * validated by http-01 or dns-01, and revocation, on top of `acme-client`
 * (loaded on first use, as X.509 is).
 *
 * - The directory must be HTTPS and its TLS is always verified: `caCertPem`,
 *   when given, is the only CA trusted for the CA's HTTPS (a private or test CA
 *   such as pebble); without it, Node's usual roots. Nothing reads
 *   NODE_EXTRA_CA_CERTS for us and nothing turns verification off.
 * - The order's identifiers come from the CSR: its DNS and IP subjectAltNames,
 *   else its subject CN when that is a host name. The CSR's signature must
 *   verify. The CA signs the CSR's key; no private key passes through here
 *   except the account key, which never appears in an error.
 * - http-01: a short-lived node:http responder serves exactly
 *   `/.well-known/acme-challenge/<token>` (GET or HEAD) with the key
 *   authorization and 404 for anything else. It listens on `http.port`
 *   (`http.host`, default all interfaces, since the CA connects from outside)
 *   only while the order's challenges are validated, and is closed on every
 *   path: success, failure, abort, timeout.
 * - dns-01: `onDnsRecord` receives `_acme-challenge.<domain>` (no trailing
 *   dot; a wildcard's `*.` dropped) with its TXT value; the CA is told to
 *   validate only after it resolves. A name and its wildcard share one record
 *   name with two values: add records, don't replace them. Removing them
 *   afterwards is the caller's job.
 * - `signal` and `timeoutMs` (default 5 minutes) end an order promptly with an
 *   IoError; no request is sent to the CA after that.
 * - Polling: authorizations and the order are re-read after 200 ms, then
 *   1.5× longer each time up to 5 s, or after the CA's Retry-After if longer.
 * - Failures are CofferErrors: the CA's problem document (RFC 8555 6.7) gives
 *   the code (rateLimited → LimitExceeded, alreadyRevoked → Conflict, badCSR,
 *   malformed, rejectedIdentifier... → BadParameter, failed validation →
 *   Forbidden) and `innerCode` `acme:<type>`; the message quotes the CA's
 *   detail. Network failures are IoError.
 */
import { createPrivateKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { Agent, get as httpsGet } from 'node:https';
import { isIP } from 'node:net';
import type * as AcmeClient from 'acme-client';
import { badParameter, CofferError, isCofferError } from '../errors.js';
import type { ErrorCode } from '../../../shared/vault-types.js';

export interface AcmeAccountOptions {
  directoryUrl: string;
  email?: string;
  /** PKCS#8 (or SEC1/PKCS#1) PEM of an EC P-256/384/521 or RSA ≥ 2048 key; a P-256 key is generated when absent. */
  accountKeyPem?: string;
  termsAgreed: boolean;
  /** The CA certificate trusted for the directory's HTTPS (instead of Node's roots). */
  caCertPem?: string;
}

export interface AcmeDnsRecord {
  name: string;
  type: 'TXT';
  value: string;
}

export interface AcmeOrderOptions {
  directoryUrl: string;
  accountKeyPem: string;
  /** The account's URL from createAcmeAccount; looked up with the key (onlyReturnExisting) when absent. */
  accountUrl?: string;
  /** DER PKCS#10 request; its DNS/IP subjectAltNames (else a host-name CN) are the order's identifiers. */
  csrDer: Uint8Array;
  challenge: 'http-01' | 'dns-01';
  /** For http-01: where the responder listens (the port the CA connects to: 80 for a public CA). */
  http?: { port: number; host?: string };
  /** For dns-01: creates the TXT record; the CA validates once it resolves. */
  onDnsRecord?: (r: AcmeDnsRecord) => Promise<void>;
  signal?: AbortSignal;
  /** The whole order's limit, default 300,000 ms. */
  timeoutMs?: number;
  caCertPem?: string;
}

export interface AcmeRevokeOptions {
  directoryUrl: string;
  accountKeyPem: string;
  /** The certificate (or its chain: the first block is revoked). */
  certPem: string;
  /** RFC 5280 CRLReason code: 0–6, 8–10. */
  reason?: number;
  caCertPem?: string;
}

const DEFAULT_TIMEOUT_MS = 300_000;
/** One HTTP request to the CA. */
const REQUEST_TIMEOUT_MS = 30_000;
const POLL_MIN_MS = 200;
const POLL_MAX_MS = 5_000;

// ---------------------------------------------------------------------------
// Loading acme-client, keys, errors
// ---------------------------------------------------------------------------

type AcmeModule = Pick<typeof AcmeClient, 'Client'>;
let acmeModule: Promise<AcmeModule> | undefined;

async function loadAcme(): Promise<AcmeModule> {
  // A CommonJS package: its exports are the ES module's default.
  const loading =
    acmeModule ??
    import('acme-client').then(
      (m) => {
        // Engine code prints nothing: acme-client's debug log (DEBUG=acme-client) is switched off.
        m.default.setLogger(() => undefined);
        return m.default as unknown as AcmeModule;
      },
      (e: unknown) => {
        acmeModule = undefined;
        throw new CofferError('Internal', 'The ACME client (acme-client) could not be loaded.', { cause: e });
      },
    );
  acmeModule = loading;
  return loading;
}

interface Problem {
  type: string;
  detail: string;
  status?: number;
}

const ACME_ERROR_PREFIX = 'urn:ietf:params:acme:error:';

function problemCode(shortType: string): ErrorCode {
  switch (shortType) {
    case 'rateLimited':
      return 'LimitExceeded';
    case 'alreadyRevoked':
    case 'orderNotReady':
      return 'Conflict';
    case 'accountDoesNotExist':
      return 'NotFound';
    case 'badCSR':
    case 'badRevocationReason':
    case 'badSignatureAlgorithm':
    case 'badPublicKey':
    case 'invalidContact':
    case 'unsupportedContact':
    case 'unsupportedIdentifier':
    case 'rejectedIdentifier':
    case 'malformed':
    case 'compound':
      return 'BadParameter';
    case 'unauthorized':
    case 'incorrectResponse':
    case 'connection':
    case 'dns':
    case 'caa':
    case 'tls':
    case 'userActionRequired':
    case 'externalAccountRequired':
      return 'Forbidden';
    case 'serverInternal':
      return 'IoError';
    default:
      return 'Internal';
  }
}

function problemError(what: string, p: Problem): CofferError {
  const short = p.type.startsWith(ACME_ERROR_PREFIX) ? p.type.slice(ACME_ERROR_PREFIX.length) : p.type || 'unknown';
  const detail = p.detail.replace(/\s+/g, ' ').trim();
  let message = `${what}: the ACME CA refused (${short})${detail ? `: ${detail}` : ''}`;
  if (short === 'alreadyRevoked') message = `${what}: the certificate is already revoked (ACME alreadyRevoked)${detail ? `: ${detail}` : ''}`;
  return new CofferError(problemCode(short), message, { innerCode: `acme:${short}` });
}

function asProblem(v: unknown): Problem | undefined {
  if (v === null || typeof v !== 'object') return undefined;
  const o = v as Record<string, unknown>;
  if (typeof o.type !== 'string') return undefined;
  const sub = Array.isArray(o.subproblems) ? (o.subproblems as unknown[]).map(asProblem).filter((s): s is Problem => s !== undefined) : [];
  const detail = [typeof o.detail === 'string' ? o.detail : '', ...sub.map((s) => s.detail)].filter((d) => d !== '').join('; ');
  return { type: o.type, detail, ...(typeof o.status === 'number' ? { status: o.status } : {}) };
}

const TLS_TRUST_CODES = new Set([
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'CERT_UNTRUSTED',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

function transportError(origin: string, e: unknown): CofferError {
  const code = e !== null && typeof e === 'object' && typeof (e as { code?: unknown }).code === 'string' ? (e as { code: string }).code : '';
  if (TLS_TRUST_CODES.has(code)) {
    return new CofferError(
      'Forbidden',
      `The ACME CA at ${origin} presented a TLS certificate that is not trusted (${code}); pass the CA's TLS certificate as caCertPem.`,
      { innerCode: 'AcmeTlsUntrusted' },
    );
  }
  return new CofferError('IoError', `The ACME CA at ${origin} could not be reached${code ? ` (${code})` : ''}.`, { innerCode: 'AcmeUnreachable' });
}

function originOf(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return 'the directory URL';
  }
}

function checkDirectoryUrl(directoryUrl: unknown): string {
  if (typeof directoryUrl !== 'string' || directoryUrl === '') throw badParameter('The ACME directory URL is missing.');
  let u: URL;
  try {
    u = new URL(directoryUrl);
  } catch {
    throw badParameter('The ACME directory URL is not a valid URL.');
  }
  if (u.protocol !== 'https:') throw badParameter(`The ACME directory URL must use https (got ${u.protocol.replace(':', '')}).`);
  return directoryUrl;
}

function accountKeyOf(pem: unknown): KeyObject {
  if (typeof pem !== 'string' || pem.trim() === '') throw badParameter('The ACME account key PEM is missing.');
  let key: KeyObject;
  try {
    key = createPrivateKey({ key: pem, format: 'pem' });
  } catch {
    throw badParameter('The ACME account key is not a readable unencrypted private key PEM.');
  }
  const t = key.asymmetricKeyType;
  const d = key.asymmetricKeyDetails;
  if (t === 'ec') {
    if (!['prime256v1', 'secp384r1', 'secp521r1'].includes(d?.namedCurve ?? '')) throw badParameter('The ACME account key must be EC P-256, P-384 or P-521, or RSA of 2048 bits or more.');
  } else if (t === 'rsa') {
    if ((d?.modulusLength ?? 0) < 2048) throw badParameter('The ACME account key must be EC P-256, P-384 or P-521, or RSA of 2048 bits or more.');
  } else {
    throw badParameter('The ACME account key must be EC P-256, P-384 or P-521, or RSA of 2048 bits or more.');
  }
  return key;
}

// ---------------------------------------------------------------------------
// One session with the CA: TLS agent, abort/timeout, request hook
// ---------------------------------------------------------------------------

interface AxiosLikeResponse {
  status: number;
  data: unknown;
  headers?: Record<string, unknown>;
}

/** Retry-After (RFC 8555 7.5.1 / 6.6) in ms: delta-seconds or an HTTP date; capped at a minute. */
function retryAfterMs(v: unknown): number {
  if (typeof v !== 'string' || v.trim() === '') return 0;
  const secs = /^\d+$/.test(v.trim()) ? Number(v.trim()) * 1000 : Date.parse(v) - Date.now();
  return Number.isFinite(secs) && secs > 0 ? Math.min(secs, 60_000) : 0;
}

interface HttpInternals {
  request: (url: string, method: string, opts?: Record<string, unknown>) => Promise<AxiosLikeResponse>;
}

class Session {
  readonly agent: Agent;
  readonly origin: string;
  readonly controller = new AbortController();
  lastProblem: Problem | undefined;
  /** The CA's Retry-After on its latest answer, in ms (0 without one). */
  retryAfter = 0;
  private readonly timer: NodeJS.Timeout | undefined;
  private readonly unlink: (() => void) | undefined;
  private readonly abortPromise: Promise<never>;

  constructor(
    readonly directoryUrl: string,
    caCertPem: string | undefined,
    opts: { signal?: AbortSignal | undefined; timeoutMs?: number | undefined; what: string },
  ) {
    this.origin = originOf(directoryUrl);
    if (caCertPem !== undefined && (typeof caCertPem !== 'string' || !caCertPem.includes('-----BEGIN CERTIFICATE-----'))) {
      throw badParameter('caCertPem must be a PEM certificate.');
    }
    // `ca` replaces Node's roots: the given CA alone is trusted for this CA's HTTPS. Verification stays on.
    this.agent = new Agent({ keepAlive: false, ...(caCertPem !== undefined ? { ca: caCertPem } : {}) });
    this.abortPromise = new Promise<never>((_resolve, reject) => {
      this.controller.signal.addEventListener('abort', () => reject(this.abortError()), { once: true });
    });
    this.abortPromise.catch(() => undefined);
    const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) throw badParameter('timeoutMs must be a positive number of milliseconds.');
    this.timer = setTimeout(() => this.controller.abort(new CofferError('IoError', `${opts.what} timed out after ${timeoutMs} ms.`, { innerCode: 'AcmeTimeout' })), timeoutMs);
    const outer = opts.signal;
    if (outer !== undefined) {
      const onAbort = (): void => this.controller.abort(new CofferError('IoError', `${opts.what} was cancelled.`, { innerCode: 'AcmeCancelled' }));
      if (outer.aborted) onAbort();
      else {
        outer.addEventListener('abort', onAbort, { once: true });
        this.unlink = () => outer.removeEventListener('abort', onAbort);
      }
    }
  }

  abortError(): CofferError {
    const r: unknown = this.controller.signal.reason;
    return isCofferError(r) ? r : new CofferError('IoError', 'The ACME operation was cancelled.', { innerCode: 'AcmeCancelled' });
  }

  throwIfAborted(): void {
    if (this.controller.signal.aborted) throw this.abortError();
  }

  /** Settles with p, or rejects as soon as the session is aborted (p's later result is ignored). */
  async run<T>(p: Promise<T>): Promise<T> {
    p.catch(() => undefined);
    this.throwIfAborted();
    return Promise.race([p, this.abortPromise]);
  }

  async sleep(ms: number): Promise<void> {
    let t: NodeJS.Timeout | undefined;
    try {
      await this.run(new Promise<void>((resolve) => (t = setTimeout(resolve, ms))));
    } finally {
      clearTimeout(t);
    }
  }

  /** GET the directory ourselves first: a TLS or network failure is reported at once (acme-client retries those for over a minute). */
  async checkDirectory(): Promise<void> {
    const body = await this.run(
      new Promise<string>((resolve, reject) => {
        const req = httpsGet(this.directoryUrl, { agent: this.agent, timeout: REQUEST_TIMEOUT_MS, signal: this.controller.signal }, (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => {
            chunks.push(c);
            if (chunks.reduce((n, b) => n + b.length, 0) > 1_000_000) req.destroy(new Error('too large'));
          });
          res.on('end', () => {
            if (res.statusCode !== 200) reject(new CofferError('IoError', `The ACME directory at ${this.directoryUrl} answered HTTP ${res.statusCode ?? '?'}.`));
            else resolve(Buffer.concat(chunks).toString('utf8'));
          });
          res.on('error', reject);
        });
        req.on('timeout', () => req.destroy(Object.assign(new Error('timeout'), { code: 'ETIMEDOUT' })));
        req.on('error', (e) => reject(isCofferError(e) ? e : transportError(this.origin, e)));
      }),
    );
    let dir: unknown;
    try {
      dir = JSON.parse(body);
    } catch {
      dir = undefined;
    }
    const d = dir as Record<string, unknown> | undefined;
    if (d === undefined || d === null || typeof d !== 'object' || typeof d.newNonce !== 'string' || typeof d.newAccount !== 'string' || typeof d.newOrder !== 'string') {
      throw new CofferError('BadParameter', `${this.directoryUrl} is not an ACME directory (no newNonce, newAccount, newOrder).`);
    }
  }

  async client(accountKeyPem: string, accountUrl?: string): Promise<AcmeClient.Client> {
    const acme = await this.run(loadAcme());
    const client = new acme.Client({
      directoryUrl: this.directoryUrl,
      accountKey: accountKeyPem,
      ...(accountUrl !== undefined ? { accountUrl } : {}),
    });
    // acme-client sends every request through one shared axios instance; this client's own
    // HttpClient.request is wrapped so that its requests alone use our TLS agent, stop once
    // the session is aborted, and leave the CA's problem document for our error messages.
    const http = (client as unknown as { http?: HttpInternals }).http;
    if (http === undefined || typeof http.request !== 'function') throw new CofferError('Internal', 'acme-client changed: its HTTP client could not be configured.');
    const original = http.request.bind(http);
    http.request = async (url, method, o = {}) => {
      this.throwIfAborted();
      this.lastProblem = undefined;
      let resp: AxiosLikeResponse;
      try {
        resp = await original(url, method, { ...o, httpsAgent: this.agent, timeout: REQUEST_TIMEOUT_MS, maxRedirects: 0 });
      } catch (e) {
        throw isCofferError(e) ? e : transportError(this.origin, (e as { cause?: unknown } | null)?.cause ?? e);
      }
      this.throwIfAborted();
      this.retryAfter = retryAfterMs(resp.headers?.['retry-after']);
      if (resp.status >= 400) this.lastProblem = asProblem(resp.data) ?? { type: '', detail: `HTTP ${resp.status}` };
      return resp;
    };
    return client;
  }

  /** Turns whatever acme-client threw into a CofferError. */
  fail(what: string, e: unknown): CofferError {
    if (this.controller.signal.aborted) return this.abortError();
    if (isCofferError(e)) return e;
    if (this.lastProblem !== undefined) return problemError(what, this.lastProblem);
    const msg = e instanceof Error ? e.message.replace(/\s+/g, ' ').slice(0, 300) : 'unknown error';
    return new CofferError('Internal', `${what}: ${msg}`);
  }

  /** Waits before the next poll: our backoff, or longer when the CA asked for it. */
  async pollPause(delay: number): Promise<void> {
    await this.sleep(Math.max(delay, this.retryAfter));
  }

  close(): void {
    clearTimeout(this.timer);
    this.unlink?.();
    // keepAlive is off, so the agent pools no socket. It is not destroyed: a request still in flight
    // after an abort ends normally (acme-client would retry a killed one), and the next is refused above.
  }
}

async function accountUrlOf(session: Session, client: AcmeClient.Client): Promise<string> {
  try {
    await session.run(client.createAccount({ onlyReturnExisting: true }));
    return client.getAccountUrl();
  } catch (e) {
    const err = session.fail('Finding the ACME account', e);
    if (err.innerCode === 'acme:accountDoesNotExist') {
      throw new CofferError('NotFound', 'The ACME CA has no account for this account key: create one first (createAcmeAccount).', { innerCode: err.innerCode });
    }
    throw err;
  }
}

// ---------------------------------------------------------------------------
// Account
// ---------------------------------------------------------------------------

/** Registers (or finds, for a known key) an ACME account. Generates an EC P-256 account key when none is given. */
export async function createAcmeAccount(opts: AcmeAccountOptions): Promise<{ accountKeyPem: string; accountUrl: string }> {
  if (opts === null || typeof opts !== 'object') throw badParameter('The ACME account options are missing.');
  const directoryUrl = checkDirectoryUrl(opts.directoryUrl);
  if (typeof opts.termsAgreed !== 'boolean') throw badParameter('termsAgreed must be true or false.');
  const email = opts.email;
  if (email !== undefined && (typeof email !== 'string' || !/^[^\s@,:<>]+@[^\s@,:<>]+$/.test(email))) throw badParameter('The ACME contact email is not a valid address.');
  let accountKeyPem: string;
  if (opts.accountKeyPem === undefined) {
    accountKeyPem = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  } else {
    accountKeyOf(opts.accountKeyPem);
    accountKeyPem = opts.accountKeyPem;
  }
  const session = new Session(directoryUrl, opts.caCertPem, { what: 'Creating the ACME account' });
  try {
    await session.checkDirectory();
    const client = await session.client(accountKeyPem);
    const tos = await session.run(client.getTermsOfServiceUrl()).catch((e: unknown) => {
      throw session.fail('Reading the ACME directory', e);
    });
    if (tos && !opts.termsAgreed) {
      throw new CofferError('Forbidden', `The ACME CA requires agreeing to its terms of service (${tos}); set termsAgreed after reading them.`, { innerCode: 'AcmeTermsNotAgreed' });
    }
    const contact = email !== undefined ? { contact: [`mailto:${email}`] } : {};
    if (opts.accountKeyPem !== undefined) {
      // A known key: the CA's existing account for it (its contact updated when an email is given).
      let existing: string | undefined;
      try {
        existing = await accountUrlOf(session, client);
      } catch (e) {
        if (!(isCofferError(e) && e.code === 'NotFound')) throw e;
      }
      if (existing !== undefined) {
        if (email !== undefined) {
          try {
            await session.run(client.updateAccount(contact));
          } catch (e) {
            throw session.fail('Updating the ACME account\'s contact', e);
          }
        }
        return { accountKeyPem, accountUrl: existing };
      }
    }
    try {
      await session.run(client.createAccount({ termsOfServiceAgreed: opts.termsAgreed, ...contact }));
      return { accountKeyPem, accountUrl: client.getAccountUrl() };
    } catch (e) {
      throw session.fail('Creating the ACME account', e);
    }
  } finally {
    session.close();
  }
}

// ---------------------------------------------------------------------------
// Order
// ---------------------------------------------------------------------------

const HOST_NAME = /^(\*\.)?([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)*[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;

async function identifiersOf(csrDer: Uint8Array): Promise<{ type: 'dns' | 'ip'; value: string }[]> {
  if (!(csrDer instanceof Uint8Array) || csrDer.length === 0) throw badParameter('The ACME order needs the CSR as DER bytes (csrDer).');
  const x509 = await import('./x509.js');
  const csr = await x509.parseCsr(csrDer);
  if (!csr.signatureValid) throw badParameter("The CSR's signature does not verify with its own key.");
  const out: { type: 'dns' | 'ip'; value: string }[] = [];
  const seen = new Set<string>();
  const add = (type: 'dns' | 'ip', value: string): void => {
    const v = type === 'dns' ? value.toLowerCase().replace(/\.$/, '') : value;
    if (type === 'dns' && !HOST_NAME.test(v)) throw badParameter(`The CSR names "${value}", which is not a DNS name an ACME CA can validate.`);
    if (!seen.has(`${type}:${v}`)) {
      seen.add(`${type}:${v}`);
      out.push({ type, value: v });
    }
  };
  for (const d of csr.sans.dns_names) add('dns', d);
  for (const ip of csr.sans.ipAddresses) add('ip', ip);
  if (out.length === 0) {
    const cn = x509.parseDn(csr.subject).flat().find((a) => a.type === 'CN')?.value;
    if (cn !== undefined && isIP(cn) !== 0) add('ip', cn);
    else if (cn !== undefined && HOST_NAME.test(cn.toLowerCase())) add('dns', cn);
  }
  if (out.length === 0) throw badParameter('The CSR names no DNS name or IP address (subjectAltName or CN) to order a certificate for.');
  return out;
}

/** The http-01 responder: serves registered tokens only, 404 for everything else. */
class Responder {
  private readonly tokens = new Map<string, string>();
  private server: Server | undefined;

  set(token: string, keyAuthorization: string): void {
    this.tokens.set(token, keyAuthorization);
  }

  async listen(port: number, host: string | undefined): Promise<void> {
    const server = createServer((req: IncomingMessage, res: ServerResponse) => {
      const prefix = '/.well-known/acme-challenge/';
      const path = req.url ?? '';
      const token = path.startsWith(prefix) ? path.slice(prefix.length) : undefined;
      const value = token !== undefined && /^[A-Za-z0-9_-]+$/.test(token) ? this.tokens.get(token) : undefined;
      if ((req.method === 'GET' || req.method === 'HEAD') && value !== undefined) {
        res.writeHead(200, { 'Content-Type': 'text/plain', 'Content-Length': Buffer.byteLength(value), Connection: 'close' });
        res.end(req.method === 'HEAD' ? undefined : value);
      } else {
        res.writeHead(404, { 'Content-Type': 'text/plain', 'Content-Length': 9, Connection: 'close' });
        res.end(req.method === 'HEAD' ? undefined : 'Not found');
      }
    });
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', (e: NodeJS.ErrnoException) => {
        const where = `${host ?? 'all interfaces'} port ${port}`;
        if (e.code === 'EADDRINUSE') reject(new CofferError('Conflict', `The http-01 responder cannot listen on ${where}: the port is in use.`, { innerCode: 'AcmeResponderPortInUse' }));
        else if (e.code === 'EACCES') reject(new CofferError('Forbidden', `The http-01 responder may not listen on ${where} (a port below 1024 needs privileges).`, { innerCode: 'AcmeResponderPortDenied' }));
        else reject(new CofferError('IoError', `The http-01 responder cannot listen on ${where} (${e.code ?? 'error'}).`));
      });
      server.listen({ port, ...(host !== undefined ? { host } : {}), exclusive: true }, () => resolve());
    });
  }

  async close(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    this.tokens.clear();
    if (server === undefined || !server.listening) return;
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  }
}

type Authz = AcmeClient.Authorization;

function challengeProblem(authz: Authz): Problem | undefined {
  for (const c of authz.challenges) {
    const p = asProblem((c as { error?: unknown }).error);
    if (p !== undefined) return p;
  }
  return undefined;
}

/**
 * Orders a certificate for the CSR's names, proves control with `challenge`,
 * and returns the issued chain as PEM (leaf first, as the CA sends it).
 */
export async function acmeOrder(opts: AcmeOrderOptions): Promise<{ chainPem: string }> {
  if (opts === null || typeof opts !== 'object') throw badParameter('The ACME order options are missing.');
  const directoryUrl = checkDirectoryUrl(opts.directoryUrl);
  accountKeyOf(opts.accountKeyPem);
  if (opts.challenge !== 'http-01' && opts.challenge !== 'dns-01') throw badParameter('The ACME challenge must be http-01 or dns-01.');
  if (opts.challenge === 'http-01') {
    const port = opts.http?.port;
    if (typeof port !== 'number' || !Number.isInteger(port) || port < 1 || port > 65535) throw badParameter('http-01 needs http.port, the port the CA connects to (1–65535; 80 for a public CA).');
  } else if (typeof opts.onDnsRecord !== 'function') {
    throw badParameter('dns-01 needs onDnsRecord to create the _acme-challenge TXT records.');
  }
  const identifiers = await identifiersOf(opts.csrDer);
  if (opts.challenge === 'dns-01' && identifiers.some((i) => i.type === 'ip')) throw badParameter('dns-01 cannot validate an IP address; use http-01.');
  const csrPem = `-----BEGIN CERTIFICATE REQUEST-----\n${(Buffer.from(opts.csrDer).toString('base64').match(/.{1,64}/g) ?? []).join('\n')}\n-----END CERTIFICATE REQUEST-----\n`;
  const names = identifiers.map((i) => i.value).join(', ');
  const session = new Session(directoryUrl, opts.caCertPem, { signal: opts.signal, timeoutMs: opts.timeoutMs, what: `The ACME order for ${names}` });
  const responder = new Responder();
  try {
    await session.checkDirectory();
    const client = await session.client(opts.accountKeyPem, opts.accountUrl);
    if (opts.accountUrl === undefined) await accountUrlOf(session, client);
    const step = async <T>(what: string, p: Promise<T>): Promise<T> => {
      try {
        return await session.run(p);
      } catch (e) {
        throw session.fail(what, e);
      }
    };

    const order = await step(`Creating the ACME order for ${names}`, client.createOrder({ identifiers }));
    let authzs = await step('Reading the order\'s authorizations', client.getAuthorizations(order));
    const pending = authzs.filter((a) => a.status === 'pending');
    const bad = authzs.find((a) => a.status !== 'pending' && a.status !== 'valid');
    if (bad !== undefined) throw new CofferError('Forbidden', `The ACME authorization for ${bad.identifier.value} is ${bad.status}.`, { innerCode: 'AcmeAuthorizationInvalid' });

    if (pending.length > 0 && opts.challenge === 'http-01') await session.run(responder.listen(opts.http!.port, opts.http!.host));
    const chosen: { authz: Authz; challenge: AcmeClient.Authorization['challenges'][number] }[] = [];
    for (const authz of pending) {
      const challenge = authz.challenges.find((c) => c.type === opts.challenge);
      if (challenge === undefined) {
        throw new CofferError('BadParameter', `The ACME CA offers no ${opts.challenge} challenge for ${authz.wildcard === true ? '*.' : ''}${authz.identifier.value} (offered: ${authz.challenges.map((c) => c.type).join(', ') || 'none'}).`, { innerCode: 'AcmeChallengeUnavailable' });
      }
      const keyAuthorization = await step('Computing the key authorization', client.getChallengeKeyAuthorization(challenge));
      if (challenge.type === 'http-01') {
        responder.set((challenge as { token: string }).token, keyAuthorization);
      } else {
        const record: AcmeDnsRecord = { name: `_acme-challenge.${authz.identifier.value.replace(/^\*\./, '')}`, type: 'TXT', value: keyAuthorization };
        try {
          await session.run(opts.onDnsRecord!(record));
        } catch (e) {
          if (session.controller.signal.aborted) throw session.abortError();
          throw new CofferError(isCofferError(e) ? e.code : 'IoError', `Creating the DNS record ${record.name} failed${e instanceof Error ? `: ${e.message}` : ''}.`, { cause: e });
        }
      }
      chosen.push({ authz, challenge });
    }
    for (const { challenge } of chosen) await step('Asking the ACME CA to validate', client.completeChallenge(challenge));

    // Poll the authorizations until every one is valid or one fails.
    let delay = POLL_MIN_MS;
    for (;;) {
      const invalid = authzs.find((a) => a.status !== 'valid' && a.status !== 'pending');
      if (invalid !== undefined) {
        const p = challengeProblem(invalid);
        const what = `${opts.challenge} validation of ${invalid.identifier.value} failed`;
        throw p !== undefined ? problemError(what, p) : new CofferError('Forbidden', `${what}: the authorization is ${invalid.status}.`, { innerCode: 'AcmeAuthorizationInvalid' });
      }
      if (authzs.every((a) => a.status === 'valid')) break;
      await session.pollPause(delay);
      delay = Math.min(delay * 1.5, POLL_MAX_MS);
      authzs = await step('Reading the order\'s authorizations', client.getAuthorizations(order));
    }
    await responder.close();

    let current = await step(`Finalizing the ACME order for ${names}`, client.finalizeOrder(order, csrPem));
    delay = POLL_MIN_MS;
    while (current.status !== 'valid') {
      if (current.status === 'invalid') {
        const p = asProblem(current.error);
        throw p !== undefined ? problemError(`The ACME order for ${names}`, p) : new CofferError('Forbidden', `The ACME order for ${names} became invalid.`, { innerCode: 'AcmeOrderInvalid' });
      }
      await session.pollPause(delay);
      delay = Math.min(delay * 1.5, POLL_MAX_MS);
      current = await step('Reading the ACME order', client.getOrder({ ...current, url: order.url }));
    }
    const chain = await step('Downloading the issued certificate', client.getCertificate({ ...current, url: order.url }));
    const chainPem = String(chain);
    if (!chainPem.includes('-----BEGIN CERTIFICATE-----')) throw new CofferError('Internal', 'The ACME CA returned a certificate download that is not PEM.');
    return { chainPem };
  } finally {
    await responder.close();
    session.close();
  }
}

// ---------------------------------------------------------------------------
// Revocation
// ---------------------------------------------------------------------------

const REVOCATION_REASONS = new Set([0, 1, 2, 3, 4, 5, 6, 8, 9, 10]);

/** Revokes a certificate this account ordered (RFC 8555 7.6), signed with the account key. */
export async function acmeRevoke(opts: AcmeRevokeOptions): Promise<void> {
  if (opts === null || typeof opts !== 'object') throw badParameter('The ACME revocation options are missing.');
  const directoryUrl = checkDirectoryUrl(opts.directoryUrl);
  accountKeyOf(opts.accountKeyPem);
  if (typeof opts.certPem !== 'string') throw badParameter('The certificate PEM to revoke is missing.');
  const block = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/.exec(opts.certPem)?.[0];
  if (block === undefined) throw badParameter('The certificate to revoke is not a PEM certificate.');
  if (opts.reason !== undefined && !REVOCATION_REASONS.has(opts.reason)) throw badParameter('The revocation reason must be an RFC 5280 CRLReason code (0–6 or 8–10).');
  const session = new Session(directoryUrl, opts.caCertPem, { what: 'Revoking the certificate' });
  try {
    await session.checkDirectory();
    const client = await session.client(opts.accountKeyPem);
    await accountUrlOf(session, client);
    try {
      await session.run(client.revokeCertificate(`${block}\n`, opts.reason !== undefined ? { reason: opts.reason } : {}));
    } catch (e) {
      throw session.fail('Revoking the certificate', e);
    }
  } finally {
    session.close();
  }
}
