// A loopback API that echoes everything back, for the redaction tests:
//   GET  /whoami  {username} decoded from a Basic authorization header
//   ANY  other    200 {method, url, headers, body} plus x-echo-url and a set-cookie carrying the url
import fs from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { repoRoot } from './cli.js';

export interface EchoServer {
  url: string;
  /** Raw request targets received, in order (tests check the secret really travelled). */
  received: Array<{ url: string; headers: Record<string, unknown>; body: string }>;
  close(): Promise<void>;
}

export async function startEchoServer(): Promise<EchoServer> {
  const received: EchoServer['received'] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const url = req.url ?? '/';
      received.push({ url, headers: req.headers, body });
      let answer: unknown = { method: req.method, url, headers: req.headers, body };
      if (url.startsWith('/whoami')) {
        const basic = /^Basic (.+)$/.exec(String(req.headers.authorization ?? ''))?.[1] ?? '';
        answer = { username: Buffer.from(basic, 'base64').toString('utf8').split(':')[0] };
      }
      res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'x-echo-url': url, 'set-cookie': `echo=${encodeURIComponent(url)}; Path=/` });
      res.end(JSON.stringify(answer));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Copies test/fixtures/redaction-module into `<cwd>/modules/probe`, the repo layer of that folder. */
export function installProbeModule(cwd: string): void {
  fs.cpSync(path.join(repoRoot, 'test/fixtures/redaction-module'), path.join(cwd, 'modules/probe'), { recursive: true });
}
