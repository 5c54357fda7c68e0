// A real loopback API with a cookie session, for e2e tests of ctx.http, credentials and redaction.
//   POST /login      {username, password} -> 200 + Set-Cookie session=<token>, or 401
//   GET  /me         200 {authenticated, username} with a valid session cookie, else 401
//   ANY  /echo       200 {method, url, headers, body}: what the server received
//   ANY  /status/N   answers status N with a JSON body
//   ANY  /hang       never answers (timeouts); close() drops the socket
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { repoRoot } from './cli.js';

export interface ReceivedRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

export interface AuthServer {
  url: string;
  /** Every request received, in order (tests assert that some commands send none). */
  requests: ReceivedRequest[];
  /** Session tokens handed out by /login (tests search artifacts for them). */
  sessions: string[];
  close(): Promise<void>;
}

export interface AuthServerOptions {
  username: string;
  password: string;
}

export async function startAuthServer(opts: AuthServerOptions): Promise<AuthServer> {
  const requests: ReceivedRequest[] = [];
  const sessions = new Map<string, string>();
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const url = req.url ?? '/';
      requests.push({ method: req.method ?? 'GET', url, headers: req.headers, body });
      const route = url.split('?')[0];
      if (route === '/login' && req.method === 'POST') return login(body, res);
      if (route === '/me') return me(req.headers.cookie, res);
      if (route === '/hang') return;
      if (route === '/echo') return send(res, 200, { method: req.method, url, headers: req.headers, body });
      const status = /^\/status\/(\d{3})$/.exec(route);
      if (status) return send(res, Number(status[1]), { status: Number(status[1]), message: `asked for ${status[1]}` });
      send(res, 404, { error: `no route ${route}` });
    });
  });

  function login(body: string, res: ServerResponse): void {
    let creds: { username?: unknown; password?: unknown } = {};
    try {
      creds = JSON.parse(body) as typeof creds;
    } catch {
      return send(res, 400, { error: 'body must be JSON' });
    }
    if (creds.username !== opts.username || creds.password !== opts.password) return send(res, 401, { error: 'bad username or password' });
    const token = randomBytes(16).toString('hex');
    sessions.set(token, opts.username);
    send(res, 200, { ok: true }, { 'set-cookie': `session=${token}; Path=/; HttpOnly; SameSite=Lax` });
  }

  function me(cookie: string | undefined, res: ServerResponse): void {
    const token = /(?:^|;\s*)session=([^;]+)/.exec(cookie ?? '')?.[1];
    const user = token ? sessions.get(token) : undefined;
    if (!user) return send(res, 401, { error: 'not logged in' });
    send(res, 200, { authenticated: true, username: user });
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    get sessions() {
      return [...sessions.keys()];
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function send(res: ServerResponse, status: number, value: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
  res.end(JSON.stringify(value));
}

/** A loopback port nothing listens on (bound, then released), for connection-refused cases. */
export async function unusedPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const { port } = s.address() as AddressInfo;
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return port;
}

/** Copies test/fixtures/auth-module into `<cwd>/modules/auth`, the repo layer of that working directory. */
export function installAuthModule(cwd: string): void {
  fs.cpSync(path.join(repoRoot, 'test/fixtures/auth-module'), path.join(cwd, 'modules/auth'), { recursive: true });
}
