import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTransport } from '../../../src/http/transport.js';
import { sendJson, startServer, type TestServer } from './_server.js';

let server: TestServer;
let other: TestServer;

const whoami = (cookie: string | undefined) => ({ cookie: cookie ?? null });

beforeAll(async () => {
  server = await startServer((req, _body, res) => {
    if (req.url === '/login') {
      return sendJson(
        res,
        200,
        { ok: true },
        {
          'set-cookie': ['sid=abc123; Path=/; HttpOnly', 'theme=dark; Expires=Wed, 21 Oct 2099 07:28:00 GMT; Path=/', 'bad=1; Domain=evil.example'],
        },
      );
    }
    return sendJson(res, 200, whoami(req.headers.cookie));
  });
  other = await startServer((req, _body, res) => sendJson(res, 200, whoami(req.headers.cookie)));
});

afterAll(async () => {
  await server.close();
  await other.close();
});

type Who = { cookie: string | null };

describe('cookie jar', () => {
  it('stores cookies from a login and sends them on later requests', async () => {
    const http = createTransport({ baseUrl: server.url });
    expect((await http.get<Who>('/me')).body.cookie).toBeNull();
    const login = await http.post('/login');
    expect(login.headers['set-cookie']).toContain('sid=abc123');
    expect((await http.get<Who>('/me')).body.cookie).toBe('sid=abc123; theme=dark');
  });

  it('shares the jar with withDefaults clients but not across transports', async () => {
    const http = createTransport({ baseUrl: server.url });
    await http.post('/login');
    const scoped = http.withDefaults({ baseUrl: `${server.url}/api`, headers: { 'x-a': 'b' } });
    expect((await scoped.get<Who>('/me')).body.cookie).toBe('sid=abc123; theme=dark');
    const fresh = createTransport({ baseUrl: server.url });
    expect((await fresh.get<Who>('/me')).body.cookie).toBeNull();
  });

  it('merges an explicit cookie header with the jar', async () => {
    const http = createTransport({ baseUrl: server.url });
    await http.post('/login');
    expect((await http.get<Who>('/me', { headers: { Cookie: 'extra=1' } })).body.cookie).toBe('extra=1; sid=abc123; theme=dark');
  });

  it('never sends cookies to another host', async () => {
    const http = createTransport({ baseUrl: server.url });
    await http.post('/login');
    // Same loopback address, different host name: cookies are scoped by host, not by IP.
    const res = await http.request<Who>({ url: `http://localhost:${other.port}/me` });
    expect(res.body.cookie).toBeNull();
  });
});
