import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DispatchError } from '../../../src/errors.js';
import { createTransport } from '../../../src/http/transport.js';
import { freePort, sendJson, startServer, type TestServer } from './_server.js';

let server: TestServer;

beforeAll(async () => {
  server = await startServer((req, _body, res) => {
    const path = req.url ?? '';
    if (path === '/stall') return; // never answers
    if (path.startsWith('/status/')) return sendJson(res, Number(path.slice(8)), { error: 'x'.repeat(5000) });
    if (path === '/long-text') {
      res.writeHead(500, { 'content-type': 'text/plain' });
      return res.end('y'.repeat(5000));
    }
    return sendJson(res, 200, { ok: true });
  });
});

afterAll(() => server.close());

async function caught(promise: Promise<unknown>): Promise<DispatchError> {
  try {
    await promise;
  } catch (err) {
    expect(err).toBeInstanceOf(DispatchError);
    return err as DispatchError;
  }
  throw new Error('expected a rejection');
}

function thrown(fn: () => unknown): DispatchError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(DispatchError);
    return err as DispatchError;
  }
  throw new Error('expected a throw');
}

describe('ensureOk', () => {
  it('passes 2xx through unchanged', async () => {
    const http = createTransport({ baseUrl: server.url });
    const res = await http.get('/ok');
    expect(http.ensureOk(res)).toBe(res);
  });

  it.each([
    [404, 4],
    [401, 2],
    [422, 2],
    [429, 3],
    [503, 3],
  ])('maps %i to exit %i with status, method and url in details', async (status, exit) => {
    const http = createTransport({ baseUrl: server.url });
    const res = await http.get(`/status/${status}`);
    const err = thrown(() => http.ensureOk(res));
    expect(err.code).toBe('HTTP_STATUS');
    expect(err.exitCode).toBe(exit);
    expect(err.details).toMatchObject({ status, method: 'GET', url: `${server.url}/status/${status}` });
    expect(String(err.details?.body).length).toBeLessThan(2100);
  });

  it('names method, url and status text in the message and truncates long bodies', async () => {
    const http = createTransport({ baseUrl: server.url });
    const notFound = thrown(() => http.ensureOk({ status: 0, headers: {}, body: null }));
    expect(notFound.message).toBe('request answered 0');
    const res = await http.get('/long-text');
    const err = thrown(() => http.ensureOk(res));
    expect(err.message).toBe(`GET ${server.url}/long-text answered 500 Internal Server Error`);
    expect(typeof err.details?.body).toBe('string');
    expect((err.details?.body as string).length).toBeLessThanOrEqual(2049);
  });
});

describe('transport failures', () => {
  it('times out a stalled request fast with HTTP_TIMEOUT, exit 3', async () => {
    const http = createTransport({ baseUrl: server.url, timeoutMs: 10_000 });
    const started = Date.now();
    const err = await caught(http.get('/stall', { timeoutMs: 200 }));
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(err.code).toBe('HTTP_TIMEOUT');
    expect(err.exitCode).toBe(3);
    expect(err.message).toBe(`GET ${server.url}/stall timed out after 200 ms`);
    expect(err.hint).toContain('http.timeoutMs');
  });

  it('uses the transport timeout when the request has none', async () => {
    const http = createTransport({ baseUrl: server.url, timeoutMs: 200 });
    expect((await caught(http.post('/stall', { json: {} }))).code).toBe('HTTP_TIMEOUT');
  });

  it('reports connection refused as HTTP_NETWORK, exit 3', async () => {
    const port = await freePort();
    const http = createTransport({ baseUrl: `http://127.0.0.1:${port}` });
    const err = await caught(http.get('/x'));
    expect(err.code).toBe('HTTP_NETWORK');
    expect(err.exitCode).toBe(3);
    expect(err.message).toContain(`GET http://127.0.0.1:${port}/x`);
    expect(err.message).toContain('ECONNREFUSED');
  });

  it('throws INTERRUPTED when the run signal aborts mid-request', async () => {
    const controller = new AbortController();
    const http = createTransport({ baseUrl: server.url, signal: controller.signal });
    setTimeout(() => controller.abort(), 50);
    const err = await caught(http.get('/stall'));
    expect(err.code).toBe('INTERRUPTED');
    expect(err.exitCode).toBe(3);
  });

  it('throws INTERRUPTED without sending when the signal already aborted', async () => {
    const controller = new AbortController();
    controller.abort();
    const http = createTransport({ baseUrl: server.url, signal: controller.signal });
    expect((await caught(http.get('/ok'))).code).toBe('INTERRUPTED');
  });

  it('rejects a relative path without baseUrl and an invalid url with HTTP_BAD_URL, exit 2', async () => {
    const http = createTransport({});
    const missing = await caught(http.get('/posts'));
    expect(missing.code).toBe('HTTP_BAD_URL');
    expect(missing.exitCode).toBe(2);
    expect(missing.hint).toContain('http.baseUrl');
    const invalid = await caught(http.request({ url: 'http://exa mple.com/' }));
    expect(invalid.code).toBe('HTTP_BAD_URL');
    expect((await caught(http.request({ url: 'ftp://example.com/' }))).code).toBe('HTTP_BAD_URL');
  });
});
