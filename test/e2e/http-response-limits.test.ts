import { createHash } from 'node:crypto';
import fs from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { Readable } from 'node:stream';
import zlib from 'node:zlib';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { job, readJsonl, sandbox, type Sandbox } from '../support/cli.js';

// A response body is limited by its size after decompression (http.maxResponseBytes, default
// 50 MiB): a small compressed "bomb" fails with exit 2 while memory stays bounded, and a large
// body is recorded once (steps.jsonl), with only its size and digest in http.jsonl.

const MODULE = `import { defineAction, defineModule, z } from 'dispatchkit';
export default defineModule({ name: 'net', version: '1.0.0', actions: {
  get: defineAction({ description: 'GET a path', schema: z.strictObject({ path: z.string() }),
    async handler(ctx, p) { return { response: ctx.http.ensureOk(await ctx.http.get(p.path)).body }; } }),
} });
`;

/** `mib` MiB of zeros through a compressor, made at test time. */
async function compressedZeros(make: () => zlib.BrotliCompress | zlib.Gzip | zlib.Deflate, mib: number): Promise<Buffer> {
  const chunk = Buffer.alloc(1 << 20);
  let n = 0;
  const parts: Buffer[] = [];
  const z = make();
  new Readable({
    read() {
      this.push(n++ < mib ? chunk : null);
    },
  }).pipe(z);
  for await (const p of z) parts.push(p as Buffer);
  return Buffer.concat(parts);
}

let server: Server;
let base: string;
let bodies: Record<string, { data: Buffer; encoding?: string; type?: string }>;
let box: Sandbox;
const BIG = JSON.stringify({ items: Array.from({ length: 40_000 }, (_, i) => ({ id: i, name: `item-${i}-padding-padding` })) });

beforeAll(async () => {
  bodies = {
    '/bomb-br': { data: await compressedZeros(() => zlib.createBrotliCompress({ params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 1 } }), 1024), encoding: 'br' },
    '/bomb-gzip': { data: await compressedZeros(() => zlib.createGzip({ level: 1 }), 256), encoding: 'gzip' },
    '/bomb-deflate': { data: await compressedZeros(() => zlib.createDeflate({ level: 1 }), 256), encoding: 'deflate' },
    '/small': { data: Buffer.from(JSON.stringify({ text: 'x'.repeat(500) })), type: 'application/json' },
    '/medium': { data: Buffer.from(JSON.stringify({ text: 'x'.repeat(2000) })), type: 'application/json' },
    '/big': { data: Buffer.from(BIG), type: 'application/json' },
  };
  server = createServer((req, res) => {
    const b = bodies[req.url ?? ''];
    if (!b) return void res.writeHead(404).end();
    res.writeHead(200, { 'content-type': b.type ?? 'application/octet-stream', ...(b.encoding ? { 'content-encoding': b.encoding } : {}), 'content-length': b.data.length });
    res.on('error', () => undefined);
    res.end(b.data);
  });
  server.on('clientError', () => undefined);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}, 120_000);
afterAll(
  () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
);
beforeEach(() => {
  box = sandbox('dispatch-limits-');
  box.write('modules/net/module.json', { name: 'net', version: '1.0.0', entry: 'index.mjs' });
  box.write('modules/net/index.mjs', MODULE);
});
afterEach(() => box.cleanup());

/** Runs the CLI and samples its peak resident memory (VmHWM) until it exits. */
async function runMeasured(args: string[]): Promise<{ code: number | null; json: any; peakMiB: number }> {
  const child = box.spawn(args);
  let stdout = '';
  child.stdout!.on('data', (d) => (stdout += d));
  let peak = 0;
  let running = true;
  const closed = new Promise<number | null>((resolve) =>
    child.on('close', (code) => {
      running = false;
      resolve(code);
    }),
  );
  while (running) {
    try {
      const hwm = /VmHWM:\s*(\d+) kB/.exec(fs.readFileSync(`/proc/${child.pid}/status`, 'utf8'));
      if (hwm) peak = Math.max(peak, Number(hwm[1]) / 1024);
    } catch {
      /* gone between the check and the read */
    }
    await new Promise((r) => setImmediate(r));
  }
  const code = await closed;
  return { code, json: JSON.parse(stdout), peakMiB: peak };
}

describe('response size, counted after decompression', () => {
  it.each(['/bomb-br', '/bomb-gzip', '/bomb-deflate'])(
    '%s: stopped at the 50 MiB default with exit 2, peak memory well under 400 MiB',
    async (route) => {
      expect(bodies[route].data.length).toBeLessThan(route === '/bomb-br' ? 256 * 1024 : 8 * 1024 * 1024);
      box.write('jobs/b.job.case.json', job([{ id: 'bomb', action: 'net.get', payload: { path: route } }], { http: { baseUrl: base } }));
      const r = await runMeasured(['job', 'run', '--case', 'jobs/b.job.case.json', '--json']);
      expect(r.code).toBe(2);
      expect(r.json.status).toBe('FAILED');
      expect(r.json.error.code).toBe('HTTP_RESPONSE_TOO_LARGE');
      expect(r.json.error.hint).toContain('http.maxResponseBytes');
      expect(r.peakMiB).toBeGreaterThan(0);
      if (process.env.DISPATCH_PRINT_PEAK) console.log(`${route}: peak ${r.peakMiB.toFixed(0)} MiB`);
      expect(r.peakMiB).toBeLessThan(400);
      const [exchange] = readJsonl(path.join(r.json.runDir, 'http.jsonl'));
      expect(exchange.error.code).toBe('HTTP_RESPONSE_TOO_LARGE');
    },
    120_000,
  );

  it('http.maxResponseBytes sets the limit per job (from env too); a bad value is refused at validate', async () => {
    box.write(
      'jobs/l.job.case.json',
      job(
        [
          { id: 'ok', action: 'net.get', payload: { path: '/small' } },
          { id: 'over', action: 'net.get', payload: { path: '/medium' } },
        ],
        { http: { baseUrl: base, maxResponseBytes: '${env.MAX_BODY}' } },
      ),
    );
    const r = await box.json(['job', 'run', '--case', 'jobs/l.job.case.json'], { env: { MAX_BODY: '1000' } });
    expect(r.code).toBe(2);
    expect(r.json.steps.map((s: { status: string }) => s.status)).toEqual(['SUCCESS', 'FAILED']);
    expect(r.json.error.code).toBe('HTTP_RESPONSE_TOO_LARGE');
    const bad = await box.json(['job', 'validate', '--case', 'jobs/l.job.case.json'], { env: { MAX_BODY: 'lots' } });
    expect(bad.code).toBe(2);
    expect(bad.json.errors[0]).toMatchObject({ path: '$.http.maxResponseBytes', code: 'HTTP_CONFIG' });
  });

  it('a large body is recorded once: whole in steps.jsonl, as size and sha256 in http.jsonl', async () => {
    box.write('jobs/big.job.case.json', job([{ id: 'big', action: 'net.get', payload: { path: '/big' } }], { http: { baseUrl: base } }));
    const r = await box.json(['job', 'run', '--case', 'jobs/big.job.case.json']);
    expect(r.code).toBe(0);
    const [step] = readJsonl(path.join(r.json.runDir, 'steps.jsonl'));
    expect(step.response.items).toHaveLength(40_000);
    const [exchange] = readJsonl(path.join(r.json.runDir, 'http.jsonl'));
    expect(exchange.response.body).toBeUndefined();
    expect(exchange.response.bodyOmitted).toEqual({ bytes: Buffer.byteLength(BIG), sha256: createHash('sha256').update(BIG).digest('hex') });
    expect(fs.statSync(path.join(r.json.runDir, 'http.jsonl')).size).toBeLessThan(10_000);
  });
});
