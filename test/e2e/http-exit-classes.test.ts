import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { toTransportError } from '../../src/http/failures.js';
import { job, sandbox, type Sandbox } from '../support/cli.js';

// Failures a retry cannot fix are exit 2 with a hint that says so; and after a step that wrote, a
// transient failure no longer tells anyone a re-run is safe.

const MODULE = `import { defineAction, defineModule, z } from 'dispatchkit';
export default defineModule({ name: 'net', version: '1.0.0', actions: {
  call: defineAction({
    description: 'one request',
    schema: z.strictObject({ method: z.string().default('GET'), url: z.string().optional(), path: z.string().optional(), headers: z.record(z.string(), z.string()).optional() }),
    async handler(ctx, p) { return { response: ctx.http.ensureOk(await ctx.http.request(p)).body }; },
  }),
} });
`;

const listen = async (server: Server | net.Server): Promise<number> => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
};
const close = (server: Server | net.Server) => new Promise<void>((resolve) => server.close(() => resolve()));

let box: Sandbox;
const servers: Array<Server | net.Server> = [];
beforeEach(() => {
  box = sandbox('dispatch-exit-classes-');
  box.write('modules/net/module.json', { name: 'net', version: '1.0.0', entry: 'index.mjs' });
  box.write('modules/net/index.mjs', MODULE);
});
afterEach(() => box.cleanup());
afterAll(async () => {
  for (const s of servers) await close(s);
});

const runOne = async (step: Record<string, unknown>, extra: Record<string, unknown> = {}) => {
  box.write('jobs/c.job.case.json', job([{ id: 'call', action: 'net.call', payload: step }], extra));
  return box.json(['job', 'run', '--case', 'jobs/c.job.case.json']);
};

describe('failures a retry cannot fix are exit 2', () => {
  let tlsPort: number;
  let overflowPort: number;
  beforeAll(async () => {
    // A self-signed certificate made now, for 127.0.0.1.
    const dir = fs.mkdtempSync(path.join(box?.root ?? '/tmp', 'tls-'));
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', path.join(dir, 'key.pem'), '-out', path.join(dir, 'cert.pem'), '-days', '1', '-subj', '/CN=127.0.0.1'], {
      stdio: 'ignore',
    });
    const tls = createHttpsServer({ key: fs.readFileSync(path.join(dir, 'key.pem')), cert: fs.readFileSync(path.join(dir, 'cert.pem')) }, (_req, res) => res.end('{}'));
    servers.push(tls);
    tlsPort = await listen(tls);
    // Answers with 200 KB of headers.
    const overflow = net.createServer((socket) => {
      socket.on('error', () => undefined); // the client hangs up on the oversized answer
      socket.once('data', () => {
        socket.end(`HTTP/1.1 200 OK\r\ncontent-type: application/json\r\nx-big: ${'a'.repeat(200_000)}\r\ncontent-length: 2\r\n\r\n{}`);
      });
    });
    servers.push(overflow);
    overflowPort = await listen(overflow);
  });

  it('an untrusted certificate: HTTP_TLS_CERT with a hint naming NODE_EXTRA_CA_CERTS', async () => {
    const r = await runOne({ url: `https://127.0.0.1:${tlsPort}/` });
    expect(r.code).toBe(2);
    expect(r.json.error.code).toBe('HTTP_TLS_CERT');
    expect(r.json.error.hint).toContain('NODE_EXTRA_CA_CERTS');
    expect(r.json.next.map((n: { description: string }) => n.description).join(' ')).not.toMatch(/retry/i);
  });

  it('response headers larger than the client takes: HTTP_HEADERS_OVERFLOW', async () => {
    const r = await runOne({ url: `http://127.0.0.1:${overflowPort}/` });
    expect(r.code).toBe(2);
    expect(r.json.error.code).toBe('HTTP_HEADERS_OVERFLOW');
  });

  it('a header value HTTP cannot carry (a newline, a character above Latin-1): HTTP_BAD_HEADER, nothing sent', async () => {
    for (const value of ['line one\nline two', 'price in €']) {
      const r = await runOne({ url: `http://127.0.0.1:${overflowPort}/`, headers: { 'x-note': value } });
      expect(r.code, value).toBe(2);
      expect(r.json.error.code, value).toBe('HTTP_BAD_HEADER');
    }
  });

  it('a body too large to hold as one string is HTTP_RESPONSE_TOO_LARGE (classifier, with the error Node throws)', () => {
    const err = Object.assign(new Error('Cannot create a string longer than 0x1fffffe8 characters'), { code: 'ERR_STRING_TOO_LONG' });
    const e = toTransportError(err, { method: 'GET', url: 'http://x/', timeoutMs: 1000, abort: undefined });
    expect({ code: e.code, exitCode: e.exitCode }).toEqual({ code: 'HTTP_RESPONSE_TOO_LARGE', exitCode: 2 });
  });
});

describe('a transient failure after a step that wrote', () => {
  it('names the writes and does not call a re-run safe; without a write the retry comes first as before', async () => {
    const api = createHttpServer((req, res) => {
      req.resume();
      req.on('end', () => {
        res.writeHead(req.url === '/down' ? 503 : 200, { 'content-type': 'application/json' });
        res.end('{"ok":true}');
      });
    });
    servers.push(api);
    const port = await listen(api);
    const base = { http: { baseUrl: `http://127.0.0.1:${port}` } };
    box.write(
      'jobs/w.job.case.json',
      job(
        [
          { id: 'charge', action: 'net.call', payload: { method: 'POST', path: '/charges' } },
          { id: 'read-back', action: 'net.call', payload: { path: '/down' } },
        ],
        base,
      ),
    );
    const r = await box.json(['job', 'run', '--case', 'jobs/w.job.case.json']);
    expect(r.code).toBe(3);
    expect(r.json.error.hint).toContain('charge (POST');
    expect(r.json.error.hint).not.toMatch(/retrying is safe/);
    expect(r.json.error.details.wroteBefore).toEqual([expect.objectContaining({ stepId: 'charge', method: 'POST', status: 200 })]);
    expect(r.json.next[0].command).toMatch(/^dispatch job inspect/);
    const rerun = r.json.next.find((n: { command: string }) => n.command.startsWith('dispatch job run'));
    expect(rerun.description).toMatch(/only if repeating 1 write/);
    const human = await box.run(['job', 'run', '--case', 'jobs/w.job.case.json']);
    expect(human.stderr).toContain('Steps that already wrote: charge');

    box.write(
      'jobs/r.job.case.json',
      job(
        [
          { id: 'look', action: 'net.call', payload: { path: '/ok' } },
          { id: 'read-back', action: 'net.call', payload: { path: '/down' } },
        ],
        base,
      ),
    );
    const plain = await box.json(['job', 'run', '--case', 'jobs/r.job.case.json']);
    expect(plain.code).toBe(3);
    expect(plain.json.next[0]).toMatchObject({ command: 'dispatch job run --case jobs/r.job.case.json', description: 'retry: the failure was transient' });
  });
});
