import fs from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { job, readJsonl, sandbox, type Sandbox } from '../support/cli.js';
import { closeLoopback, listenLoopback } from '../support/loopback.js';

// http.request: a whole API workflow in a job file, no module code, against a real loopback API.

const TOKEN = 'tok-3b9f1c2e-http-request';
const PASSWORD = 'pw-81d2-http-request';

interface Api {
  url: string;
  received: Array<{ method: string; url: string; headers: IncomingHttpHeaders; body: string }>;
  close(): Promise<void>;
}

/**
 *   POST /login   form or JSON {username, password} -> 200 {token}, else 401
 *   GET  /items   bearer token required -> 200 [{id}], x-total: 2; else 401
 *   POST /items   -> 201 + location: /items/3
 *   GET  /status/<n> -> answers <n>
 *   ANY  other    -> 200 {method, url, headers, body}
 */
async function startApi(): Promise<Api> {
  const received: Api['received'] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const url = req.url ?? '/';
      received.push({ method: req.method ?? '', url, headers: req.headers, body });
      const send = (status: number, value: unknown, headers: Record<string, string> = {}) => {
        res.writeHead(status, { 'content-type': 'application/json', ...headers });
        res.end(JSON.stringify(value));
      };
      if (url === '/login' && req.method === 'POST') {
        const form = req.headers['content-type']?.startsWith('application/x-www-form-urlencoded') ? Object.fromEntries(new URLSearchParams(body)) : JSON.parse(body || '{}');
        return form.password === PASSWORD ? send(200, { token: TOKEN }) : send(401, { error: 'bad login' });
      }
      if (url.startsWith('/items') && req.method === 'GET') {
        return req.headers.authorization === `Bearer ${TOKEN}` ? send(200, [{ id: 1 }, { id: 2 }], { 'x-total': '2' }) : send(401, { error: 'no token' });
      }
      if (url === '/items' && req.method === 'POST') return send(201, { id: 3 }, { location: '/items/3' });
      const status = /^\/status\/(\d+)$/.exec(url);
      if (status) return send(Number(status[1]), { status: Number(status[1]) });
      send(200, { method: req.method, url, headers: req.headers, body });
    });
  });
  return { url: await listenLoopback(server), received, close: () => closeLoopback(server) };
}

let api: Api;
let other: Api;
let box: Sandbox;
const env = { HR_USER: 'ada', HR_PASSWORD: PASSWORD, HR_TOKEN: TOKEN };
beforeAll(async () => {
  api = await startApi();
  other = await startApi();
});
afterAll(async () => {
  await api.close();
  await other.close();
});
beforeEach(() => {
  box = sandbox('dispatch-http-request-');
  api.received.length = 0;
  other.received.length = 0;
});
afterEach(() => box.cleanup());

function workflow() {
  return job(
    [
      {
        id: 'login',
        action: 'http.request',
        payload: { method: 'post', path: '/login', form: { username: '${env.HR_USER}', password: '${env.HR_PASSWORD}' } },
        capture: { token: 'response.body.token' },
      },
      {
        id: 'list',
        action: 'http.request',
        credential: 'api',
        payload: { path: '/items', query: { page: 1, tag: ['a', 'b'] }, expect: { status: 200, headers: { 'x-total': { matches: '^\\d+$' } }, rules: [{ path: '$.body[1].id', op: 'eq', value: 2 }] } },
        capture: { total: 'http[0].headers.x-total' },
      },
      {
        id: 'create',
        action: 'http.request',
        payload: { method: 'POST', path: '/items', json: { name: 'third' }, expect: { status: [200, 201] } },
        capture: { location: 'response.headers.location' },
      },
    ],
    {
      jobType: 'http-request-workflow',
      http: { baseUrl: api.url },
      credentials: { api: { fromEnv: { token: 'HR_TOKEN' }, apply: 'bearer' } },
      assertions: [
        { path: '$.steps.create.http[0].status', op: 'eq', value: 201 },
        { path: '$.steps.list.http[0].headers.x-total', op: 'eq', value: '2' },
        { path: '$.run.location', op: 'eq', value: '/items/3' },
      ],
    },
  );
}

describe('http.request', () => {
  it("runs a login-then-call workflow from the job file alone, and assertions read each step's HTTP facts", async () => {
    box.write('wf.job.case.json', workflow());
    const run = await box.json(['job', 'run', '--case', 'wf.job.case.json'], { env });
    expect(run.code, run.stdout).toBe(0);
    expect(run.json.run).toMatchObject({ total: '2', location: '/items/3' });
    // What the API received: a form login, the bearer token the profile applies, the query, JSON.
    const [login, list, create] = api.received;
    expect(login).toMatchObject({ method: 'POST', url: '/login' });
    expect(login.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(Object.fromEntries(new URLSearchParams(login.body))).toEqual({ username: 'ada', password: PASSWORD });
    expect(list.url).toBe('/items?page=1&tag=a&tag=b');
    expect(list.headers.authorization).toBe(`Bearer ${TOKEN}`);
    expect(create.headers.authorization).toBeUndefined();
    expect(JSON.parse(create.body)).toEqual({ name: 'third' });

    const assert = await box.json(['job', 'assert', '--run-id', run.json.runId], { env });
    expect(assert.code, JSON.stringify(assert.json.results)).toBe(0);
    expect(assert.json.passed).toBe(4);

    // The password and the token went out, and appear nowhere in the record or the output.
    for (const name of fs.readdirSync(run.json.runDir)) {
      const text = fs.readFileSync(path.join(run.json.runDir, name), 'utf8');
      expect(text.includes(PASSWORD), name).toBe(false);
      expect(text.includes(TOKEN), name).toBe(false);
    }
    expect(run.stdout + run.stderr + assert.stdout).not.toContain(TOKEN);
    const http = readJsonl(path.join(run.json.runDir, 'http.jsonl'));
    expect(http.map((h) => [h.stepId, h.method, h.status])).toEqual([
      ['login', 'POST', 200],
      ['list', 'GET', 200],
      ['create', 'POST', 201],
    ]);
  });

  it('fails a non-2xx answer with the exit class of its status unless expect says otherwise', async () => {
    const one = (payload: Record<string, unknown>) => job([{ id: 'call', action: 'http.request', payload }], { http: { baseUrl: api.url } });
    const cases: Array<[Record<string, unknown>, number, string]> = [
      [{ path: '/status/404' }, 4, 'HTTP_STATUS'],
      [{ path: '/status/503' }, 3, 'HTTP_STATUS'],
      [{ path: '/status/400' }, 2, 'HTTP_STATUS'],
      [{ path: '/status/200', expect: { status: 201 } }, 2, 'HTTP_EXPECT_STATUS'],
      [{ path: '/status/503', expect: { status: '2xx' } }, 3, 'HTTP_EXPECT_STATUS'],
      [{ path: '/status/200', expect: { headers: { 'x-missing': 'yes' } } }, 2, 'HTTP_EXPECT_HEADERS'],
      [{ path: '/status/200', expect: { rules: [{ path: '$.body.status', op: 'eq', value: 201 }] } }, 2, 'HTTP_EXPECT_RULES'],
    ];
    // A matrix of inputs: in-process through the CLI's entry (docs/testing.md).
    const fast = sandbox('dispatch-http-request-matrix-', { inProcess: true });
    try {
      for (const [payload, exit, code] of cases) {
        fast.write('one.job.case.json', one(payload));
        const r = await fast.json(['job', 'run', '--case', 'one.job.case.json']);
        expect([r.code, r.json.steps[0].error?.code], JSON.stringify(payload)).toEqual([exit, code]);
      }
      fast.write('ok.job.case.json', one({ path: '/status/404', expect: { status: 404 } }));
      const ok = await fast.json(['job', 'run', '--case', 'ok.job.case.json']);
      expect(ok.code).toBe(0);
      expect(ok.json.steps[0].status).toBe('SUCCESS');
    } finally {
      fast.cleanup();
    }
  });

  it('keeps a credential header a profile applies to the baseUrl origin', async () => {
    box.write(
      'x.job.case.json',
      job(
        [
          { id: 'mine', action: 'http.request', credential: 'key', payload: { path: '/echo' } },
          { id: 'theirs', action: 'http.request', credential: 'key', payload: { url: `${other.url}/echo` } },
        ],
        { http: { baseUrl: api.url }, credentials: { key: { fromEnv: { value: 'HR_TOKEN' }, apply: { header: 'X-Custom' } } } },
      ),
    );
    const r = await box.json(['job', 'run', '--case', 'x.job.case.json'], { env });
    expect(r.code, r.stdout).toBe(0);
    expect(api.received[0].headers['x-custom']).toBe(TOKEN);
    expect(other.received[0].headers['x-custom']).toBeUndefined();
  });

  it('is checked by job validate: where the request goes, one body, and what an applied profile needs', async () => {
    box.write(
      'bad.job.case.json',
      job(
        [
          { id: 'nowhere', action: 'http.request', payload: { method: 'GET' } },
          { id: 'two', action: 'http.request', payload: { path: '/x', json: {}, form: { a: 1 } } },
          { id: 'verb', action: 'http.request', payload: { path: '/x', method: 'FETCH' } },
        ],
        { credentials: { api: { fromEnv: { secret: 'HR_TOKEN' }, apply: 'bearer' } } },
      ),
    );
    const r = await box.json(['job', 'validate', '--case', 'bad.job.case.json'], { env });
    expect(r.code).toBe(2);
    const found = r.json.errors.map((e: { path: string; message: string }) => `${e.path} ${e.message}`);
    expect(found).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^\$\.scenario\.steps\[0\]\.payload\.path .*url .*path/),
        expect.stringMatching(/^\$\.scenario\.steps\[1\]\.payload\.form .*one body/),
        expect.stringMatching(/^\$\.scenario\.steps\[2\]\.payload\.method /),
        expect.stringMatching(/^\$\.credentials\.api\.fromEnv .*token/),
      ]),
    );
  });

  it('--verbose prints every exchange to stderr, redacted, and leaves --json stdout one document', async () => {
    box.write('wf.job.case.json', workflow());
    for (const args of [['--json'], []]) {
      const r = await box.run(['job', 'run', '--case', 'wf.job.case.json', '--verbose', ...args], { env });
      expect(r.code, r.stderr).toBe(0);
      if (args.length) expect(JSON.parse(r.stdout).status).toBe('SUCCESS');
      expect(r.stderr).toContain(`> POST ${api.url}/login  (step login)`);
      expect(r.stderr).toContain(`> GET ${api.url}/items?page=1&tag=a&tag=b  (step list)`);
      expect(r.stderr).toMatch(/< 201 \(\d+ ms\)/);
      expect(r.stderr).toContain('> authorization: [REDACTED]');
      expect(r.stderr).toContain('< x-total: 2');
      expect(r.stderr + r.stdout).not.toContain(TOKEN);
      expect(r.stderr + r.stdout).not.toContain(PASSWORD);
    }
    // Without --verbose, no exchange is printed.
    const quiet = await box.run(['job', 'run', '--case', 'wf.job.case.json', '--json'], { env });
    expect(quiet.stderr).not.toContain('> POST');
  });

  it('is documented like any action: schema action and module inspect', async () => {
    const schema = await box.json(['schema', 'action', '--name', 'http.request']);
    expect(schema.code).toBe(0);
    expect(Object.keys(schema.json.schema.input.properties)).toEqual(expect.arrayContaining(['method', 'url', 'path', 'query', 'headers', 'json', 'form', 'expect']));
    const mod = await box.json(['module', 'inspect', 'http']);
    expect(mod.json.actions.map((a: { name: string }) => a.name)).toContain('http.request');
  });
});
