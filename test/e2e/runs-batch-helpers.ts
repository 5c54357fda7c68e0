import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { job, type Sandbox } from '../support/cli.js';

/**
 * A loopback API for batch tests. POST /login sets a per-run session cookie; GET /work/<index>
 * answers 200 unless the mode makes that index fail; GET /whoami echoes the Cookie header back.
 * `hold: true` keeps /work requests open until close(), so a test can interrupt runs in flight.
 */
export interface BatchServer {
  url: string;
  /** Requests to /whoami with the cookie each one carried. */
  whoami: Array<{ cookie: string | undefined }>;
  /** Resolves once `n` /work requests are being held open. */
  waitForHeld(n: number): Promise<void>;
  close(): Promise<void>;
}

const FAILURES: Record<string, Record<string, number>> = {
  none: {},
  transient: { '2': 503 },
  mixed: { '1': 400, '2': 503 },
  missing: { '1': 404, '2': 503 },
};

export async function startBatchServer(opts: { hold?: boolean } = {}): Promise<BatchServer> {
  const whoami: BatchServer['whoami'] = [];
  const held: http.ServerResponse[] = [];
  let heldWaiter: { n: number; resolve: () => void } | undefined;
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const send = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      res.writeHead(status, { 'content-type': 'application/json', ...headers });
      res.end(JSON.stringify(body));
    };
    let text = '';
    req.on('data', (d) => (text += d));
    req.on('end', () => {
      if (req.method === 'POST' && url.pathname === '/login') {
        const session = String(JSON.parse(text || '{}').session);
        return send(200, { ok: true }, { 'set-cookie': `sid=${session}; Path=/; HttpOnly` });
      }
      const work = /^\/work\/(\d+)$/.exec(url.pathname);
      if (work) {
        if (opts.hold) {
          held.push(res);
          if (heldWaiter && held.length >= heldWaiter.n) heldWaiter.resolve();
          return;
        }
        const status = FAILURES[url.searchParams.get('mode') ?? 'none']?.[work[1]] ?? 200;
        return send(status, { index: Number(work[1]), status });
      }
      if (url.pathname === '/whoami') {
        whoami.push({ cookie: req.headers.cookie });
        return send(200, { seen: req.headers.cookie ?? null });
      }
      send(404, { error: 'no route' });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    whoami,
    waitForHeld: (n) => new Promise((resolve) => (held.length >= n ? resolve() : (heldWaiter = { n, resolve }))),
    close: () =>
      new Promise((resolve) => {
        for (const res of held) res.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A repo-layer module with one action that calls ctx.http and refuses non-2xx answers. */
export function writeWebModule(box: Sandbox): void {
  box.write('modules/web/module.json', { name: 'web', version: '1.0.0', entry: 'index.mjs' });
  box.write(
    'modules/web/index.mjs',
    `import { defineAction, defineModule, z } from 'dispatchkit';
export default defineModule({
  name: 'web',
  version: '1.0.0',
  actions: {
    call: defineAction({
      description: 'one HTTP request through the run transport',
      schema: z.object({ method: z.string(), path: z.string(), json: z.unknown().optional() }),
      handler: async (ctx, p) => {
        const res = ctx.http.ensureOk(await ctx.http.request({ method: p.method, path: p.path, json: p.json }));
        return { response: res.body };
      },
    }),
  },
});
`,
  );
}

/** login (cookie carries batch id and index) -> work/<index> -> whoami (echoes the cookie). */
export function writeBatchJob(box: Sandbox, file = 'jobs/batch.job.case.json'): string {
  box.write(
    file,
    job(
      [
        { id: 'login', action: 'web.call', payload: { method: 'POST', path: '/login', json: { session: 's-${run.batchId}-${run.index}' } } },
        { id: 'work', action: 'web.call', payload: { method: 'GET', path: '/work/${run.index}?mode=${env.BATCH_FAIL_MODE:-none}' } },
        { id: 'whoami', action: 'web.call', payload: { method: 'GET', path: '/whoami' }, capture: { seen: 'response.seen' } },
      ],
      { jobType: 'batch-cookies', http: { baseUrl: '${env.BATCH_BASE_URL}' } },
    ),
  );
  return file;
}
