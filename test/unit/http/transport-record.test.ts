import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redactor } from '../../../src/output/redact.js';
import { createTransport } from '../../../src/http/transport.js';
import type { HttpExchange } from '../../../src/http/types.js';
import { freePort, sendJson, startServer, type TestServer } from './_server.js';

let server: TestServer;

beforeAll(async () => {
  server = await startServer((req, body, res) => {
    if (req.url?.startsWith('/login')) {
      return sendJson(res, 200, { token: 'tok-s3cret-value', echo: body }, { 'set-cookie': 'sid=abc123; Path=/' });
    }
    if (req.url === '/stall') return;
    return sendJson(res, 201, { session: req.headers.cookie === 'sid=abc123' });
  });
});

afterAll(() => server.close());

function recorder(): { exchanges: HttpExchange[]; onExchange: (e: HttpExchange) => void } {
  const exchanges: HttpExchange[] = [];
  return { exchanges, onExchange: (e) => exchanges.push(e) };
}

describe('exchange recording', () => {
  it('records every exchange with sensitive headers masked, while the caller keeps real values', async () => {
    const { exchanges, onExchange } = recorder();
    const http = createTransport({ baseUrl: server.url, onExchange, defaultHeaders: { Authorization: 'Bearer abc', 'X-Api-Key': 'k-123' } });
    const login = await http.post('/login', { json: { user: 'ada' }, query: { v: 1 } });
    expect(login.headers['set-cookie']).toContain('sid=abc123');
    const next = await http.get<{ session: boolean }>('/items');
    expect(next.body.session).toBe(true);

    expect(exchanges).toHaveLength(2);
    const [first, second] = exchanges;
    expect(first).toMatchObject({
      method: 'POST',
      url: `${server.url}/login?v=1`,
      status: 200,
      request: { headers: { authorization: '[REDACTED]', 'x-api-key': '[REDACTED]', 'content-type': 'application/json' }, body: { user: 'ada' } },
      response: { headers: { 'set-cookie': '[REDACTED]' }, body: { token: 'tok-s3cret-value' } },
    });
    expect(new Date(first.ts).toISOString()).toBe(first.ts);
    expect(Number.isInteger(first.durationMs)).toBe(true);
    expect(first.error).toBeUndefined();
    expect(second.request.headers.cookie).toBe('[REDACTED]');
    expect(second.request.body).toBeUndefined();
    expect(second.status).toBe(201);
    expect(JSON.stringify(exchanges)).not.toMatch(/abc123|Bearer abc|k-123/);
  });

  it('passes exchanges through the redact hook', async () => {
    const { exchanges, onExchange } = recorder();
    const redactor = new Redactor();
    redactor.addSecret('tok-s3cret-value');
    redactor.addSecret('hunter22');
    const http = createTransport({ baseUrl: server.url, onExchange, redact: (v) => redactor.redact(v) });
    const res = await http.post<{ token: string }>('/login', { body: 'password=hunter22', headers: { 'content-type': 'text/plain' } });
    expect(res.body.token).toBe('tok-s3cret-value');
    const text = JSON.stringify(exchanges);
    expect(text).not.toContain('tok-s3cret-value');
    expect(text).not.toContain('hunter22');
    expect(exchanges[0].request.body).toBe('password=[REDACTED]');
  });

  it('records failures with their error code', async () => {
    const { exchanges, onExchange } = recorder();
    const port = await freePort();
    const refused = createTransport({ baseUrl: `http://127.0.0.1:${port}`, onExchange });
    await expect(refused.get('/x', { headers: { authorization: 'Bearer zzz' } })).rejects.toMatchObject({ code: 'HTTP_NETWORK' });
    const slow = createTransport({ baseUrl: server.url, onExchange, timeoutMs: 150 });
    await expect(slow.get('/stall')).rejects.toMatchObject({ code: 'HTTP_TIMEOUT' });

    expect(exchanges.map((e) => e.error?.code)).toEqual(['HTTP_NETWORK', 'HTTP_TIMEOUT']);
    expect(exchanges[0]).toMatchObject({ method: 'GET', url: `http://127.0.0.1:${port}/x`, request: { headers: { authorization: '[REDACTED]' } } });
    expect(exchanges[0].status).toBeUndefined();
    expect(exchanges[0]).not.toHaveProperty('response');
    expect(exchanges[1].durationMs).toBeGreaterThanOrEqual(100);
  });
});
