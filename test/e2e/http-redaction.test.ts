import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { job, readJsonl, readRunFiles, type CliResult } from '../support/cli.js';
import { authServerSandbox } from '../support/auth-sandbox.js';

// One login flow with every kind of secret in play, then a literal search for each secret in every
// file of every run and in everything the CLI printed. A leak anywhere fails the test.

const USER = 'redact-user-7f3a';
// Quote, ampersand, slash and space: the password also has a JSON-escaped and two URL-encoded forms.
const PASSWORD = 'Pa55"w&rd/SECRET 91d2';
const API_KEY = 'api-key-SECRET-44c8';
const TOKEN = 'bearer-SECRET-0b6e';
const env = { DISPATCH_TEST_USER: USER, DISPATCH_TEST_PASSWORD: PASSWORD, DISPATCH_TEST_API_KEY: API_KEY, DISPATCH_TEST_TOKEN: TOKEN };

const ctx = authServerSandbox({ username: USER, password: PASSWORD }, { inProcess: true });

function loginFlow() {
  return job(
    [
      { id: 'login', action: 'auth.login', credential: 'admin', payload: {} },
      { id: 'me', action: 'auth.me', payload: {} },
      // Careless on purpose: the password in a payload (and so a URL query) and captures of echoed secrets.
      { id: 'echo', action: 'auth.echo', payload: { note: 'pw=${env.DISPATCH_TEST_PASSWORD}' }, capture: { echoedKey: 'response.headers.x-api-key', echoedUrl: 'response.url' } },
      { id: 'bearer', action: 'auth.echo-bearer', credential: 'api', payload: {}, capture: { echoedAuth: 'response.headers.authorization' } },
    ],
    {
      http: { baseUrl: ctx.server.url, defaultHeaders: { 'x-api-key': '${env.DISPATCH_TEST_API_KEY}', 'x-client': 'dispatch-redaction' } },
      credentials: {
        admin: { fromEnv: { username: 'DISPATCH_TEST_USER', password: 'DISPATCH_TEST_PASSWORD' } },
        api: { fromEnv: { token: 'DISPATCH_TEST_TOKEN' } },
      },
      assertions: [
        { path: '$.steps.me.response.authenticated', op: 'eq', value: true },
        // Comparing against a redacted value cannot be checked offline (it would match any secret).
        { path: '$.run.echoedKey', op: 'exists' },
      ],
    },
  );
}

/** The secret as written, inside JSON text, percent-encoded and form-encoded. */
function formsOf(secret: string): string[] {
  return [...new Set([secret, JSON.stringify(secret).slice(1, -1), encodeURIComponent(secret), new URLSearchParams({ s: secret }).toString().slice(2)])];
}

function expectNoSecret(where: string, text: string, secrets: string[]): void {
  for (const secret of secrets.flatMap(formsOf)) expect({ where, secret, found: text.includes(secret) }).toEqual({ where, secret, found: false });
}

describe('redaction', () => {
  it('no secret reaches any artifact of the run or any output of validate, run and assert', async () => {
    ctx.box.write('login.job.case.json', loginFlow());
    // The password also travels in argv (a --set value), so meta.json's argv must be masked too.
    const set = ['--set', `note=${PASSWORD}`];
    const outputs: Array<[string, CliResult]> = [];
    const cmd = async (label: string, args: string[], json: boolean) => {
      const r = json ? await ctx.box.json(args, { env }) : await ctx.box.run(args, { env });
      outputs.push([label, r]);
      return r;
    };

    expect((await cmd('validate', ['job', 'validate', '--case', 'login.job.case.json', ...set], false)).code).toBe(0);
    expect((await cmd('validate --json', ['job', 'validate', '--case', 'login.job.case.json', ...set], true)).code).toBe(0);
    const human = await cmd('run', ['job', 'run', '--case', 'login.job.case.json', ...set], false);
    expect(human.code).toBe(0);
    const run = await cmd('run --json', ['job', 'run', '--case', 'login.job.case.json', ...set], true);
    expect(run.json.error).toBeUndefined();
    expect(run.code).toBe(0);
    expect((await cmd('assert', ['job', 'assert', '--run-id', run.json.runId], false)).code).toBe(0);
    expect((await cmd('assert --json', ['job', 'assert', '--run-id', run.json.runId], true)).code).toBe(0);

    // The secrets really were used: the server saw every one of them.
    const login = ctx.server.requests.find((q) => q.url === '/login')!;
    expect(JSON.parse(login.body)).toEqual({ username: USER, password: PASSWORD });
    const bearer = ctx.server.requests.filter((q) => q.url === '/echo').pop()!;
    expect(bearer.headers).toMatchObject({ 'x-api-key': API_KEY, authorization: `Bearer ${TOKEN}` });
    const secrets = [USER, PASSWORD, API_KEY, TOKEN, ...ctx.server.sessions];
    expect(secrets).toHaveLength(6); // two runs, two sessions

    for (const [label, r] of outputs) {
      expectNoSecret(`${label} stdout`, r.stdout, secrets);
      expectNoSecret(`${label} stderr`, r.stderr, secrets);
    }
    const runDirs = fs.readdirSync(ctx.box.output).filter((n) => /job-run/.test(n));
    expect(runDirs).toHaveLength(2);
    for (const dir of runDirs) {
      const files = readRunFiles(path.join(ctx.box.output, dir));
      expect(Object.keys(files).sort()).toEqual(['activity.log', 'http.jsonl', 'job.case.input.json', 'job.case.resolved.json', 'meta.json', 'module_resolution.json', 'steps.jsonl', 'summary.json']);
      for (const [name, text] of Object.entries(files)) expectNoSecret(`${dir}/${name}`, text, secrets);
    }

    // Masked, not dropped: the places that held secrets now say [REDACTED].
    const meta = JSON.parse(fs.readFileSync(path.join(run.json.runDir, 'meta.json'), 'utf8'));
    expect(meta.argv).toContain('note=[REDACTED]');
    const summary = JSON.parse(fs.readFileSync(run.json.summaryPath, 'utf8'));
    expect(summary.run).toMatchObject({ note: '[REDACTED]', echoedKey: '[REDACTED]', echoedAuth: 'Bearer [REDACTED]' });
    expect(summary.run.echoedUrl).toBe('/echo?note=pw%3D[REDACTED]');
    expect(readJsonl(path.join(run.json.runDir, 'http.jsonl'))[2].url).toBe(`${ctx.server.url}/echo?note=pw%3D[REDACTED]`);
    const resolved = JSON.parse(fs.readFileSync(path.join(run.json.runDir, 'job.case.resolved.json'), 'utf8'));
    expect(resolved.http.defaultHeaders).toEqual({ 'x-api-key': '[REDACTED]', 'x-client': 'dispatch-redaction' });
    expect(resolved.scenario.steps[2].payload.note).toBe('pw=[REDACTED]');
    const http = readJsonl(path.join(run.json.runDir, 'http.jsonl'));
    expect(http[0].request.body).toEqual({ username: '[REDACTED]', password: '[REDACTED]' });
    expect(http[0].request.headers['x-api-key']).toBe('[REDACTED]');
    expect(http[0].request.headers['x-client']).toBe('dispatch-redaction');
    expect(http[3].request.headers.authorization).toBe('[REDACTED]');
  });

  it('a failing login keeps the secrets out of the error, the record and the output', async () => {
    ctx.box.write('login.job.case.json', loginFlow());
    const wrong = { ...env, DISPATCH_TEST_PASSWORD: 'Wrong-SECRET-pass-55e1' };
    const r = await ctx.box.json(['job', 'run', '--case', 'login.job.case.json'], { env: wrong });
    expect(r.code).toBe(2);
    expect(r.json.error).toMatchObject({ code: 'HTTP_STATUS', details: { status: 401 } });
    const human = await ctx.box.run(['job', 'run', '--case', 'login.job.case.json'], { env: wrong });
    expect(human.code).toBe(2);
    expect(JSON.parse(ctx.server.requests[0].body).password).toBe('Wrong-SECRET-pass-55e1');
    const secrets = ['Wrong-SECRET-pass-55e1', USER, API_KEY];
    for (const [label, text] of [
      ['json', r.stdout + r.stderr],
      ['human', human.stdout + human.stderr],
    ])
      expectNoSecret(label, text, secrets);
    for (const [name, text] of Object.entries(readRunFiles(r.json.runDir))) expectNoSecret(name, text, secrets);
  });
});
