import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import { createServer, request as httpRequest, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import net from 'node:net';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { job, sandbox, type Sandbox } from '../support/cli.js';
import { closeLoopback, listenLoopback } from '../support/loopback.js';

// Proxies and TLS: a small forward proxy that records what passed through it, and an HTTPS server
// with a certificate made by openssl at test time.

const PROXY_PASSWORD = 'proxy-pw-7c1d0e';

interface Recorded {
  url: string;
  server: Server;
  close(): Promise<void>;
}

let api: Recorded;
let proxy: Recorded & { seen: Array<{ target: string; auth?: string }> };
let tlsUrl: string;
let certFile: string;
let box: Sandbox;

beforeAll(async () => {
  const apiServer = createServer((req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ via: req.headers.via ?? null, path: req.url }));
  });
  api = { url: await listenLoopback(apiServer), server: apiServer, close: () => closeLoopback(apiServer) };

  // A forward proxy: CONNECT tunnels (what undici's proxy agents use, for http and https alike),
  // and plain absolute-form requests. It records each target and the credentials it was given.
  const seen: Array<{ target: string; auth?: string }> = [];
  const proxyServer = createServer((req, res) => {
    seen.push({ target: req.url ?? '', auth: req.headers['proxy-authorization'] as string | undefined });
    const target = new URL(req.url ?? '');
    const headers = { ...req.headers, via: '1.1 test-proxy' };
    delete headers['proxy-authorization'];
    const upstream = httpRequest({ host: target.hostname, port: target.port, path: `${target.pathname}${target.search}`, method: req.method, headers }, (up) => {
      res.writeHead(up.statusCode ?? 502, up.headers);
      up.pipe(res);
    });
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  });
  proxyServer.on('connect', (req, socket, head) => {
    seen.push({ target: req.url ?? '', auth: req.headers['proxy-authorization'] as string | undefined });
    const [host, port] = (req.url ?? '').split(':');
    const upstream = net.connect(Number(port), host, () => {
      socket.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      upstream.write(head);
      upstream.pipe(socket);
      socket.pipe(upstream);
    });
    const end = () => {
      upstream.destroy();
      socket.destroy();
    };
    upstream.on('error', end);
    socket.on('error', end);
  });
  proxy = { url: await listenLoopback(proxyServer), server: proxyServer, close: () => closeLoopback(proxyServer), seen };

  const dir = fs.mkdtempSync(path.join(process.env.TMPDIR ?? '/tmp', 'dispatch-tls-'));
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      path.join(dir, 'key.pem'),
      '-out',
      path.join(dir, 'cert.pem'),
      '-days',
      '1',
      '-subj',
      '/CN=127.0.0.1',
      '-addext',
      'subjectAltName=IP:127.0.0.1',
    ],
    { stdio: 'ignore' },
  );
  certFile = path.join(dir, 'cert.pem');
  const tls = createHttpsServer({ key: fs.readFileSync(path.join(dir, 'key.pem')), cert: fs.readFileSync(certFile) }, (_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end('{"secure":true}');
  });
  tlsUrl = await listenLoopback(tls as unknown as Server, 'https');
  onClose.push(
    () => closeLoopback(tls as unknown as Server),
    () => fs.promises.rm(dir, { recursive: true, force: true }),
  );
});
const onClose: Array<() => Promise<void>> = [];
afterAll(async () => {
  await api.close();
  await proxy.close();
  for (const c of onClose) await c();
});
beforeEach(() => {
  box = sandbox('dispatch-proxy-tls-', { inProcess: true });
  proxy.seen.length = 0;
});
afterEach(() => box.cleanup());

const call = (url: string, http: Record<string, unknown> = {}) => job([{ id: 'call', action: 'http.request', payload: { url } }], Object.keys(http).length ? { http } : {});

async function run(doc: unknown, env: Record<string, string | undefined> = {}) {
  box.write('p.job.case.json', doc);
  return box.json(['job', 'run', '--case', 'p.job.case.json'], {
    env: { HTTP_PROXY: undefined, HTTPS_PROXY: undefined, NO_PROXY: undefined, http_proxy: undefined, https_proxy: undefined, no_proxy: undefined, ...env },
  });
}

describe('proxies', () => {
  it('sends every request through http.proxy, its credentials kept out of the record', async () => {
    const withAuth = proxy.url.replace('http://', `http://dispatch:${PROXY_PASSWORD}@`);
    const r = await run(call(`${api.url}/through`, { proxy: withAuth }));
    expect(r.code, r.stdout).toBe(0);
    expect(r.json.steps[0].status).toBe('SUCCESS');
    expect(proxy.seen.map((s) => s.target)).toEqual([api.url.replace('http://', '')]);
    expect(proxy.seen[0].auth).toBe(`Basic ${Buffer.from(`dispatch:${PROXY_PASSWORD}`).toString('base64')}`);
    const files = fs.readdirSync(r.json.runDir).map((f) => fs.readFileSync(path.join(r.json.runDir, f), 'utf8'));
    for (const text of [...files, r.stdout, r.stderr]) expect(text).not.toContain(PROXY_PASSWORD);
  });

  it('honours HTTP_PROXY and NO_PROXY from the environment', async () => {
    const through = await run(call(`${api.url}/env`), { HTTP_PROXY: proxy.url });
    expect(through.code).toBe(0);
    expect(proxy.seen.map((s) => s.target)).toEqual([api.url.replace('http://', '')]);
    const bypass = await run(call(`${api.url}/direct`), { http_proxy: proxy.url, NO_PROXY: '127.0.0.1' });
    expect(bypass.code).toBe(0);
    expect(proxy.seen).toHaveLength(1);
    // Without proxy settings nothing goes near it.
    const plain = await run(call(`${api.url}/plain`));
    expect(plain.code).toBe(0);
    expect(proxy.seen).toHaveLength(1);
  });
});

describe('TLS', () => {
  it('an untrusted certificate is exit 2 with a hint naming http.tls and NODE_EXTRA_CA_CERTS', async () => {
    const r = await run(call(`${tlsUrl}/`));
    expect(r.code).toBe(2);
    expect(r.json.error.code).toBe('HTTP_TLS_CERT');
    expect(r.json.error.hint).toContain('http.tls.ca');
    expect(r.json.error.hint).toContain('NODE_EXTRA_CA_CERTS');
  });

  it('trusts the CA http.tls.ca names (a file or PEM text), or any certificate with insecureSkipVerify', async () => {
    for (const tls of [{ ca: certFile }, { ca: '${env.TEST_CA_PEM}' }, { insecureSkipVerify: true }]) {
      const r = await run(call(`${tlsUrl}/`, { tls }), { TEST_CA_PEM: fs.readFileSync(certFile, 'utf8') });
      expect(r.code, `${JSON.stringify(tls)} ${r.stdout}`).toBe(0);
      expect(r.json.steps[0].status).toBe('SUCCESS');
    }
  });

  it('reaches an HTTPS server through HTTPS_PROXY with the CA http.tls names, and prints no warning', async () => {
    // Spawned: the warning undici would print goes to the real stderr.
    const spawned = sandbox('dispatch-proxy-tls-spawn-');
    onClose.push(async () => spawned.cleanup());
    spawned.write('p.job.case.json', call(`${tlsUrl}/`, { tls: { ca: certFile } }));
    const r = await spawned.json(['job', 'run', '--case', 'p.job.case.json'], { env: { HTTPS_PROXY: proxy.url, NO_PROXY: undefined, no_proxy: undefined, HTTP_PROXY: undefined } });
    expect(r.code, r.stdout).toBe(0);
    expect(proxy.seen.map((s) => s.target)).toEqual([tlsUrl.replace('https://', '')]);
    expect(r.stderr).not.toMatch(/experimental|Warning/);
  });

  it('refuses at validation a CA file that is not there, and a cert without its key', async () => {
    box.write('t.job.case.json', call(`${tlsUrl}/`, { tls: { ca: 'missing-ca.pem', cert: certFile } }));
    const r = await box.json(['job', 'validate', '--case', 't.job.case.json']);
    expect(r.code).toBe(2);
    expect(r.json.errors.map((e: { path: string; code: string }) => `${e.path} ${e.code}`)).toEqual(expect.arrayContaining(['$.http.tls.ca HTTP_CONFIG', '$.http.tls HTTP_CONFIG']));
  });
});
