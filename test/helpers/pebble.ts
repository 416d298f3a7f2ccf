/**
 * Let's Encrypt's test CA on loopback (TOOLCHAIN.md "A real ACME CA on
 * loopback"): pebble with REAL validation (PEBBLE_VA_ALWAYS_VALID is never
 * set), and pebble-challtestsrv as its DNS server, so that every test host
 * name resolves to 127.0.0.1 and dns-01 TXT records can be added through
 * challtestsrv's management API.
 *
 * Everything lives in a temporary folder: pebble's TLS certificate for
 * 127.0.0.1 (made here with openssl, from a throwaway CA: `caCertPem`), its
 * config and both programs' logs. Ports are picked free. Each program runs
 * under a `sh` guard that kills it when its stdin closes, so they go away on
 * stop(), on this process's exit, and even if this process is killed (pebble's
 * guard then removes the temporary folder too).
 *
 * scripts/test.mjs installs the Debian package `pebble` (it also ships
 * pebble-challtestsrv) before the suites run; without it this throws, it never
 * skips.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { Agent, request as httpsRequest } from 'node:https';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface Pebble {
  /** https://127.0.0.1:<port>/dir */
  directoryUrl: string;
  /** The CA of pebble's own TLS certificate (for the directory's and management's HTTPS). */
  caCertPem: string;
  /** The port pebble's VA connects to for http-01: the responder must listen there. */
  httpPort: number;
  /** challtestsrv's management API (http://127.0.0.1:<port>): /set-txt, /clear-txt... */
  challtestsrvUrl: string;
  /** pebble's issuing root (management /roots/0): changes on every start. */
  rootsPem(): Promise<string>;
  /** POST to challtestsrv's management API. */
  challtestsrv(path: string, body: unknown): Promise<void>;
  /** The folder with the config, the TLS files and pebble.log / challtestsrv.log. */
  dir: string;
  stop(): Promise<void>;
}

function tcpPortFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createServer();
    s.once('error', () => resolve(false));
    s.listen({ port, host: '127.0.0.1', exclusive: true }, () => s.close(() => resolve(true)));
  });
}

function udpPortFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createSocket('udp4');
    s.once('error', () => {
      s.close();
      resolve(false);
    });
    s.bind({ port, address: '127.0.0.1', exclusive: true }, () => s.close(() => resolve(true)));
  });
}

/** A TCP port that is free now (and, with udp, free for UDP too). */
export async function freePort(udp = false): Promise<number> {
  for (let i = 0; i < 50; i++) {
    const port = await new Promise<number>((resolve, reject) => {
      const s = createServer();
      s.once('error', reject);
      s.listen({ port: 0, host: '127.0.0.1' }, () => {
        const a = s.address();
        const p = typeof a === 'object' && a !== null ? a.port : 0;
        s.close(() => resolve(p));
      });
    });
    if (!udp || (await udpPortFree(port))) return port;
  }
  throw new Error('no free port found');
}

export { tcpPortFree };

function openssl(args: string[], cwd: string): void {
  const r = spawnSync('openssl', args, { cwd, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`openssl ${args[0]} failed: ${r.stderr}`);
}

/** Children we started; killed if the test process exits without stop(). */
const running = new Set<ChildProcess>();
let exitHookInstalled = false;
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const c of running) {
      // The guard kills its program when stdin closes; the signal covers a guard that is stuck.
      c.stdin?.destroy();
      c.kill('SIGTERM');
    }
  });
}

/**
 * Runs `bin args...` under `sh`: the program is killed when our end of sh's stdin
 * closes (our exit, even a SIGKILL) or when sh gets SIGTERM.
 */
function guarded(bin: string, args: string[], env: NodeJS.ProcessEnv, log: string, cleanup = ''): ChildProcess {
  // CLEANUP: a folder the guard removes after its program ends (the temp dir, also when we were killed).
  const end = 'kill $p 2>/dev/null; wait $p; if [ -n "$CLEANUP" ]; then rm -rf "$CLEANUP"; fi; exit 0';
  const script = `"$@" >"$LOG" 2>&1 & p=$!; trap '${end}' TERM; read _; ${end}`;
  const child = spawn('sh', ['-c', script, 'guard', bin, ...args], { env: { ...env, LOG: log, CLEANUP: cleanup }, stdio: ['pipe', 'ignore', 'ignore'] });
  child.on('error', () => undefined);
  running.add(child);
  child.once('exit', () => running.delete(child));
  installExitHook();
  return child;
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.stdin?.end();
  const t = setTimeout(() => child.kill('SIGKILL'), 5_000);
  await exited;
  clearTimeout(t);
}

function fetchText(url: string, agent?: Agent, method = 'GET', body?: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const u = new URL(url);
    const req = (u.protocol === 'https:' ? httpsRequest : httpRequest)(u, { method, agent, timeout: 5_000 }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end(body);
  });
}

async function waitFor(what: string, child: ChildProcess, log: string, probe: () => Promise<boolean>): Promise<void> {
  const started = Date.now();
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${what} exited at start: ${safeRead(log)}`);
    if (await probe().catch(() => false)) return;
    if (Date.now() - started > 20_000) throw new Error(`${what} did not start within 20 s: ${safeRead(log)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

function safeRead(path: string): string {
  try {
    return readFileSync(path, 'utf8').slice(-2000);
  } catch {
    return '(no log)';
  }
}

function requireTool(bin: string): void {
  if (spawnSync('sh', ['-c', `command -v ${bin}`], { stdio: 'ignore' }).status !== 0) {
    throw new Error(`${bin} is not installed (npm test installs it: apt-get install pebble openssl)`);
  }
}

export async function startPebble(): Promise<Pebble> {
  for (const b of ['pebble', 'pebble-challtestsrv', 'openssl']) requireTool(b);
  const dir = mkdtempSync(join(tmpdir(), 'coffer-pebble-'));
  const children: ChildProcess[] = [];
  const stop = async (): Promise<void> => {
    await Promise.all(children.map(stopChild));
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    // pebble's TLS: a throwaway CA and a certificate for 127.0.0.1 signed by it.
    openssl(['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', 'ca-key.pem', '-out', 'ca.pem', '-days', '2', '-subj', '/CN=Coffer test pebble TLS CA', '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign'], dir);
    openssl(['req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', 'key.pem', '-out', 'tls.csr', '-subj', '/CN=127.0.0.1'], dir);
    writeFileSync(join(dir, 'ext.cnf'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=critical,CA:FALSE\nextendedKeyUsage=serverAuth\n');
    openssl(['x509', '-req', '-in', 'tls.csr', '-CA', 'ca.pem', '-CAkey', 'ca-key.pem', '-CAcreateserial', '-out', 'cert.pem', '-days', '2', '-extfile', 'ext.cnf'], dir);
    const caCertPem = readFileSync(join(dir, 'ca.pem'), 'utf8');

    const [listenPort, managementPort, httpPort, dnsPort, challPort, tlsPort] = [
      await freePort(),
      await freePort(),
      await freePort(),
      await freePort(true),
      await freePort(),
      await freePort(),
    ];
    // challtestsrv: DNS only (A → 127.0.0.1, no AAAA); its own challenge servers are off, since
    // the code under test answers http-01 itself on httpPort.
    const challLog = join(dir, 'challtestsrv.log');
    const chall = guarded(
      'pebble-challtestsrv',
      ['-defaultIPv4', '127.0.0.1', '-defaultIPv6', '', '-dns01', `127.0.0.1:${dnsPort}`, '-http01', '', '-https01', '', '-tlsalpn01', '', '-management', `127.0.0.1:${challPort}`],
      process.env,
      challLog,
    );
    children.push(chall);
    const challtestsrvUrl = `http://127.0.0.1:${challPort}`;
    await waitFor('pebble-challtestsrv', chall, challLog, async () => (await fetchText(`${challtestsrvUrl}/clear-txt`, undefined, 'POST', '{"host":"probe.invalid."}')).status === 200);

    writeFileSync(
      join(dir, 'pebble-config.json'),
      JSON.stringify({
        pebble: {
          listenAddress: `127.0.0.1:${listenPort}`,
          managementListenAddress: `127.0.0.1:${managementPort}`,
          certificate: join(dir, 'cert.pem'),
          privateKey: join(dir, 'key.pem'),
          httpPort,
          tlsPort,
          ocspResponderURL: '',
          externalAccountBindingRequired: false,
        },
      }),
    );
    // No random validation delay, and no reuse of earlier authorizations: every order is validated for real.
    // pebble still rejects some nonces (badNonce), which the client must retry.
    const env: NodeJS.ProcessEnv = { ...process.env, PEBBLE_VA_NOSLEEP: '1', PEBBLE_AUTHZREUSE: '0' };
    delete env.PEBBLE_VA_ALWAYS_VALID;
    const pebbleLog = join(dir, 'pebble.log');
    const pebble = guarded('pebble', ['-config', join(dir, 'pebble-config.json'), '-dnsserver', `127.0.0.1:${dnsPort}`], env, pebbleLog, dir);
    children.push(pebble);
    const agent = new Agent({ ca: caCertPem, keepAlive: false });
    const directoryUrl = `https://127.0.0.1:${listenPort}/dir`;
    await waitFor('pebble', pebble, pebbleLog, async () => (await fetchText(directoryUrl, agent)).status === 200);

    return {
      directoryUrl,
      caCertPem,
      httpPort,
      challtestsrvUrl,
      dir,
      rootsPem: async () => {
        const r = await fetchText(`https://127.0.0.1:${managementPort}/roots/0`, agent);
        if (r.status !== 200) throw new Error(`pebble /roots/0 answered ${r.status}`);
        return r.text;
      },
      challtestsrv: async (path, body) => {
        const r = await fetchText(`${challtestsrvUrl}${path}`, undefined, 'POST', JSON.stringify(body));
        if (r.status !== 200) throw new Error(`challtestsrv ${path} answered ${r.status}: ${r.text}`);
      },
      stop: async () => {
        agent.destroy();
        await stop();
      },
    };
  } catch (e) {
    await stop();
    throw e;
  }
}
