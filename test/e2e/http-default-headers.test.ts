import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { job, sandbox, type Sandbox } from '../support/cli.js';

// DESIGN 14: sensitive default headers go only to the baseUrl origin, never to another host a
// step names by absolute URL. Two loopback servers on two ports are two origins.

const MODULE = `import { defineAction, defineModule, z } from 'dispatchkit';
export default defineModule({ name: 'net', version: '1.0.0', actions: {
  call: defineAction({
    description: 'one request',
    schema: z.strictObject({ url: z.string().optional(), path: z.string().optional(), headers: z.record(z.string(), z.string()).optional() }),
    async handler(ctx, p) { return { response: ctx.http.ensureOk(await ctx.http.request({ method: 'GET', ...p })).body }; },
  }),
} });
`;

interface Recorder {
  url: string;
  seen: IncomingHttpHeaders[];
  server: Server;
}

async function start(): Promise<Recorder> {
  const seen: IncomingHttpHeaders[] = [];
  const server = createServer((req, res) => {
    seen.push(req.headers);
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end('{}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen, server };
}

let home: Recorder;
let other: Recorder;
let box: Sandbox;
beforeAll(async () => {
  [home, other] = await Promise.all([start(), start()]);
});
afterAll(() => Promise.all([home, other].map((r) => new Promise<void>((resolve) => r.server.close(() => resolve())))));
beforeEach(() => {
  box = sandbox('dispatch-default-headers-');
  box.write('modules/net/module.json', { name: 'net', version: '1.0.0', entry: 'index.mjs' });
  box.write('modules/net/index.mjs', MODULE);
  home.seen.length = 0;
  other.seen.length = 0;
});
afterEach(() => box.cleanup());

describe('sensitive default headers', () => {
  it('reach the baseUrl origin only; other headers go everywhere; a header the step sets itself always goes', async () => {
    box.write(
      'jobs/h.job.case.json',
      job(
        [
          { id: 'home', action: 'net.call', payload: { path: '/me' } },
          { id: 'elsewhere', action: 'net.call', payload: { url: `${other.url}/collect` } },
          { id: 'own', action: 'net.call', payload: { url: `${other.url}/with-own`, headers: { authorization: 'Bearer its-own-token-1' } } },
        ],
        {
          http: { baseUrl: home.url, defaultHeaders: { authorization: 'Bearer ${env.H_TOKEN}', 'private-token': '${env.H_TOKEN}', 'x-client': 'dispatch-test' } },
        },
      ),
    );
    const r = await box.json(['job', 'run', '--case', 'jobs/h.job.case.json'], { env: { H_TOKEN: 'home-only-token-77' } });
    expect(r.code).toBe(0);
    expect(home.seen[0]).toMatchObject({ authorization: 'Bearer home-only-token-77', 'private-token': 'home-only-token-77', 'x-client': 'dispatch-test' });
    expect(other.seen[0]['x-client']).toBe('dispatch-test');
    expect(other.seen[0].authorization).toBeUndefined();
    expect(other.seen[0]['private-token']).toBeUndefined();
    expect(other.seen[1].authorization).toBe('Bearer its-own-token-1');
    expect(other.seen[1]['private-token']).toBeUndefined();
  });
});
