import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { job, readJsonl, readRunFiles } from '../support/cli.js';
import { authServerSandbox } from '../support/auth-sandbox.js';

// The cookie session contract of docs/modules/http-auth.md: one jar per run, shared by every
// client of that run, gone when the run ends.

const ctx = authServerSandbox({ username: 'session-user', password: 'session-pass' });

const env = { DISPATCH_TEST_USER: 'session-user', DISPATCH_TEST_PASSWORD: 'session-pass', DISPATCH_TEST_TOKEN: 'bearer-token-123' };
const credentials = {
  admin: { fromEnv: { username: 'DISPATCH_TEST_USER', password: 'DISPATCH_TEST_PASSWORD' } },
  api: { fromEnv: { token: 'DISPATCH_TEST_TOKEN' } },
};

describe('cookie session', () => {
  it('a login sets the session cookie and later steps of the same run reuse it', async () => {
    const file = ctx.box.write(
      'login.job.case.json',
      job(
        [
          { id: 'login', action: 'auth.login', credential: 'admin', payload: {} },
          { id: 'me', action: 'auth.me', payload: {} },
          { id: 'narrow', action: 'auth.echo-bearer', credential: 'api', payload: {} },
        ],
        { http: { baseUrl: ctx.server.url }, credentials },
      ),
    );
    const r = await ctx.box.json(['job', 'run', '--case', file], { env });
    expect(r.json.error).toBeUndefined();
    expect(r.code).toBe(0);
    const [token] = ctx.server.sessions;
    expect(ctx.server.requests.map((q) => `${q.method} ${q.url}`)).toEqual(['POST /login', 'GET /me', 'GET /echo']);
    expect(ctx.server.requests[0].headers.cookie).toBeUndefined();
    expect(ctx.server.requests[1].headers.cookie).toBe(`session=${token}`);
    // A client derived with withDefaults keeps the run's jar and adds its own header.
    expect(ctx.server.requests[2].headers.cookie).toBe(`session=${token}`);
    expect(ctx.server.requests[2].headers.authorization).toBe('Bearer bearer-token-123');

    const steps = readJsonl(path.join(r.json.runDir, 'steps.jsonl'));
    expect(steps[1].response).toEqual({ authenticated: true, username: '[REDACTED]' });
    const http = readJsonl(path.join(r.json.runDir, 'http.jsonl'));
    expect(http[0].response.headers['set-cookie']).toBe('[REDACTED]');
    expect(http[1].request.headers.cookie).toBe('[REDACTED]');
    expect(http[2].request.headers).toMatchObject({ cookie: '[REDACTED]', authorization: '[REDACTED]' });
    // The echoed request headers come back in the body; they are masked there too.
    expect(http[2].response.body.headers).toMatchObject({ cookie: '[REDACTED]', authorization: '[REDACTED]' });
    for (const [name, text] of Object.entries(readRunFiles(r.json.runDir))) expect({ name, leaked: text.includes(token) }).toEqual({ name, leaked: false });
  });

  it('a second run starts with an empty jar: the session does not carry over', async () => {
    const login = ctx.box.write('login.job.case.json', job([{ id: 'login', action: 'auth.login', credential: 'admin', payload: {} }], { http: { baseUrl: ctx.server.url }, credentials }));
    const first = await ctx.box.json(['job', 'run', '--case', login], { env });
    expect(first.code).toBe(0);
    const me = ctx.box.write('me.job.case.json', job([{ id: 'me', action: 'auth.me', payload: {} }], { http: { baseUrl: ctx.server.url } }));
    const second = await ctx.box.json(['job', 'run', '--case', me], { env });
    expect(second.code).toBe(2);
    expect(second.json.error).toMatchObject({ code: 'HTTP_STATUS', details: { status: 401 } });
    expect(ctx.server.requests.map((q) => q.url)).toEqual(['/login', '/me']);
    expect(ctx.server.requests[1].headers.cookie).toBeUndefined();
    // Nothing about the session was written to the state home either.
    const home = fs.existsSync(ctx.box.home) ? fs.readdirSync(ctx.box.home, { recursive: true }).map(String) : [];
    for (const f of home) {
      const full = path.join(ctx.box.home, f);
      if (fs.statSync(full).isFile()) expect(fs.readFileSync(full, 'utf8')).not.toContain(ctx.server.sessions[0]);
    }
  });
});
