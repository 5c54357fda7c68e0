// A loopback API that misbehaves on purpose, for fault tests of the transport and the run record.
// Every route takes a test id, so runs sharing one server keep independent counters:
//   GET /reset/<id>          destroys the socket as soon as the request arrives (no response)
//   GET /stall/<id>          sends headers and half a JSON body, then goes silent
//   GET /hang/<id>           never answers at all
//   GET /truncated/<id>      promises 200 bytes of JSON (content-length), sends 20, then destroys
//   GET /invalid-json/<id>   a complete 200 (or ?status=N) body that is not JSON, labelled application/json
//   GET /flaky/<id>?fails=N  503 for the first N requests of that id, then 200 {ok, attempt}
//   GET /deep/<id>?depth=N   200 with JSON nested N arrays deep (default 20000)
//   GET /proto/<id>          200 with "__proto__" and "constructor.prototype" keys in the JSON
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { Sandbox } from './cli.js';

export interface FaultServer {
  url: string;
  /** Requests received per `<route>/<id>`, e.g. hits('flaky/t1'). */
  hits(key: string): number;
  /** Resolves once `n` requests to a route that never ends (stall, hang) are being held. */
  waitForHeld(n: number): Promise<void>;
  close(): Promise<void>;
}

export async function startFaultServer(): Promise<FaultServer> {
  const counts = new Map<string, number>();
  const sockets = new Set<Socket>();
  let held = 0;
  let waiter: { n: number; resolve: () => void } | undefined;
  const hold = () => {
    held++;
    if (waiter && held >= waiter.n) waiter.resolve();
  };
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const [, route = '', id = ''] = url.pathname.split('/');
    const key = `${route}/${id}`;
    const hit = (counts.get(key) ?? 0) + 1;
    counts.set(key, hit);
    switch (route) {
      case 'reset':
        return req.socket.destroy();
      case 'stall':
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': '100' });
        res.write('{"partial": ');
        return hold();
      case 'hang':
        return hold();
      case 'truncated':
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': '200' });
        res.write('{"items": [1, 2, 3, ');
        // Flush the partial body before the reset, so the client sees a body cut short.
        return void setTimeout(() => req.socket.destroy(), 20);
      case 'invalid-json': {
        const body = '{"ok": tru';
        res.writeHead(Number(url.searchParams.get('status') ?? 200), { 'content-type': 'application/json', 'content-length': String(body.length) });
        return void res.end(body);
      }
      case 'flaky': {
        const fails = Number(url.searchParams.get('fails') ?? 1);
        const status = hit <= fails ? 503 : 200;
        res.writeHead(status, { 'content-type': 'application/json' });
        return void res.end(JSON.stringify(status === 200 ? { ok: true, attempt: hit } : { ok: false, attempt: hit, error: 'warming up' }));
      }
      case 'deep': {
        const depth = Number(url.searchParams.get('depth') ?? 20_000);
        res.writeHead(200, { 'content-type': 'application/json' });
        return void res.end(`{"deep":${'['.repeat(depth)}1${']'.repeat(depth)}}`);
      }
      case 'proto':
        res.writeHead(200, { 'content-type': 'application/json' });
        return void res.end('{"id":1,"__proto__":{"polluted":true},"constructor":{"prototype":{"polluted":true}},"nested":{"__proto__":{"isAdmin":true}}}');
      default:
        res.writeHead(404, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: `no route ${url.pathname}` }));
    }
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    hits: (key) => counts.get(key) ?? 0,
    waitForHeld: (n) => new Promise((resolve) => (held >= n ? resolve() : (waiter = { n, resolve }))),
    close: () =>
      new Promise((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/**
 * A repo-layer module: `faulty.get` sends a GET through ctx.http and refuses non-2xx answers;
 * `faulty.probe` reports whether anything reached Object.prototype in the CLI process.
 */
export function writeFaultModule(box: Sandbox): void {
  box.write('modules/faulty/module.json', { name: 'faulty', version: '1.0.0', entry: 'index.mjs' });
  box.write(
    'modules/faulty/index.mjs',
    `import { defineAction, defineModule, z } from 'dispatchkit';
export default defineModule({
  name: 'faulty',
  version: '1.0.0',
  actions: {
    get: defineAction({
      description: 'GET a path and return its body (non-2xx fails the step)',
      schema: z.object({ path: z.string(), timeoutMs: z.number().optional() }),
      handler: async (ctx, p) => {
        const res = ctx.http.ensureOk(await ctx.http.get(p.path, p.timeoutMs ? { timeoutMs: p.timeoutMs } : {}));
        return { response: res.body, exports: { status: res.status } };
      },
    }),
    probe: defineAction({
      description: 'what a plain object inherits that it should not',
      schema: z.object({ value: z.unknown().optional() }),
      handler: async () => ({ response: { polluted: ({}).polluted ?? null, isAdmin: ({}).isAdmin ?? null, protoKeys: Object.keys(Object.prototype) } }),
    }),
  },
});
`,
  );
}
