import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { job } from '../support/cli.js';
import { authServerSandbox } from '../support/auth-sandbox.js';

// Job-level http config and credentials are checked before anything is sent: every failing case
// here asserts exit 2, the culprit named, and a server that received no request at all.

const ctx = authServerSandbox({ username: 'cfg-user', password: 'cfg-password' }, { inProcess: true });

const echoStep = { id: 'echo', action: 'auth.echo', payload: {} };

/** validate and run of the same file must both refuse it with exit 2; returns the two envelopes. */
async function refused(doc: unknown, env: Record<string, string | undefined> = {}) {
  const file = ctx.box.write('cfg.job.case.json', doc);
  const validate = await ctx.box.json(['job', 'validate', '--case', file], { env });
  const run = await ctx.box.json(['job', 'run', '--case', file], { env });
  expect(validate.code).toBe(2);
  expect(validate.json).toMatchObject({ status: 'FAILED', exitCode: 2, valid: false });
  expect(run.code).toBe(2);
  expect(run.json).toMatchObject({ status: 'ERROR', exitCode: 2, error: { code: 'JOB_INVALID' } });
  expect(run.json.runId).toBeUndefined();
  expect(fs.existsSync(ctx.box.output) ? fs.readdirSync(ctx.box.output) : []).toEqual([]);
  expect(ctx.server.requests).toEqual([]);
  return { validate: validate.json, run: run.json, errors: validate.json.errors as Array<{ path: string; code: string; message: string; hint?: string }> };
}

describe('job-level http config', () => {
  it('a baseUrl env var that is not set fails validate and run, naming the variable', async () => {
    const { errors, run } = await refused(job([echoStep], { http: { baseUrl: '${env.DISPATCH_TEST_API_URL}' } }), { DISPATCH_TEST_API_URL: undefined });
    expect(errors).toEqual([expect.objectContaining({ path: '$.http.baseUrl' })]);
    expect(errors[0].message).toContain('DISPATCH_TEST_API_URL');
    expect(run.error.message).toContain('DISPATCH_TEST_API_URL');
    expect(run.error.details.errors).toEqual(errors);
  });

  it('a defaultHeaders env var that is not set fails validate and run, naming the variable', async () => {
    const doc = job([echoStep], { http: { baseUrl: ctx.server.url, defaultHeaders: { 'x-context': '${env.DISPATCH_TEST_CONTEXT}' } } });
    const { errors } = await refused(doc, { DISPATCH_TEST_CONTEXT: undefined });
    expect(errors.map((e) => e.path)).toEqual(['$.http.defaultHeaders["x-context"]']);
    expect(errors[0].message).toContain('DISPATCH_TEST_CONTEXT');
  });

  it('env values that resolve to an invalid baseUrl or timeout are refused before any request', async () => {
    const doc = job([echoStep], { http: { baseUrl: '${env.DISPATCH_TEST_API_URL}', timeoutMs: '${env.DISPATCH_TEST_TIMEOUT}' } });
    const { errors } = await refused(doc, { DISPATCH_TEST_API_URL: 'not a url', DISPATCH_TEST_TIMEOUT: 'soon' });
    expect(errors.map((e) => [e.path, e.code])).toEqual([
      ['$.http.baseUrl', 'HTTP_CONFIG'],
      ['$.http.timeoutMs', 'HTTP_CONFIG'],
    ]);
    expect(errors[0].message).toContain('not a url');
  });

  it('dependencies.http.required paths that are missing or empty fail before any request', async () => {
    const doc = job([echoStep], {
      http: { baseUrl: ctx.server.url, defaultHeaders: { 'x-tenant': '${env.DISPATCH_TEST_TENANT:-}' } },
      dependencies: { http: { required: ['baseUrl', 'defaultHeaders.x-client', 'defaultHeaders.x-tenant'] } },
    });
    const { errors } = await refused(doc);
    expect(errors.map((e) => [e.path, e.code])).toEqual([
      ['$.dependencies.http.required[1]', 'HTTP_REQUIRED_MISSING'],
      ['$.dependencies.http.required[2]', 'HTTP_REQUIRED_MISSING'],
    ]);
    expect(errors[0].message).toContain('http.defaultHeaders.x-client');
  });

  it('the same job runs once the env provides the values, and the resolved config reaches the wire', async () => {
    const doc = job([echoStep], {
      http: { baseUrl: '${env.DISPATCH_TEST_API_URL}', defaultHeaders: { 'X-Context': '${env.DISPATCH_TEST_CONTEXT}' }, timeoutMs: '${env.DISPATCH_TEST_TIMEOUT}' },
      dependencies: { http: { required: ['baseUrl', 'defaultHeaders.x-context'] } },
    });
    const file = ctx.box.write('ok.job.case.json', doc);
    const env = { DISPATCH_TEST_API_URL: ctx.server.url, DISPATCH_TEST_CONTEXT: 'ctx-42', DISPATCH_TEST_TIMEOUT: '5000' };
    const r = await ctx.box.json(['job', 'run', '--case', file], { env });
    expect(r.json.error).toBeUndefined();
    expect(r.code).toBe(0);
    expect(ctx.server.requests).toHaveLength(1);
    expect(ctx.server.requests[0].headers['x-context']).toBe('ctx-42');
    const resolved = JSON.parse(fs.readFileSync(`${r.json.runDir}/job.case.resolved.json`, 'utf8'));
    expect(resolved.http).toMatchObject({ baseUrl: ctx.server.url, defaultHeaders: { 'x-context': 'ctx-42' }, timeoutMs: 5000 });
  });
});

describe('credential profiles', () => {
  const loginJob = (extra: Record<string, unknown> = {}) =>
    job(
      [
        { id: 'login', action: 'auth.login', credential: 'admin', payload: {} },
        { id: 'me', action: 'auth.me', payload: {} },
      ],
      {
        http: { baseUrl: ctx.server.url },
        credentials: { admin: { fromEnv: { username: 'DISPATCH_TEST_USER', password: 'DISPATCH_TEST_PASSWORD' } } },
        ...extra,
      },
    );

  it('a credential env var that is not set fails validate and run, naming the variable', async () => {
    const { errors, run } = await refused(loginJob(), { DISPATCH_TEST_USER: 'cfg-user', DISPATCH_TEST_PASSWORD: undefined });
    expect(errors).toEqual([expect.objectContaining({ path: '$.credentials.admin.fromEnv.password', code: 'CREDENTIAL_ENV_MISSING' })]);
    expect(errors[0].message).toContain('DISPATCH_TEST_PASSWORD');
    expect(errors[0].hint).toContain('DISPATCH_TEST_PASSWORD');
    expect(run.error.message).toContain('DISPATCH_TEST_PASSWORD');
  });

  it('an action with a credentialSchema and no credential on the step fails validation', async () => {
    const doc = job([{ id: 'login', action: 'auth.login', payload: {} }], { http: { baseUrl: ctx.server.url } });
    const { errors } = await refused(doc);
    expect(errors).toEqual([expect.objectContaining({ path: '$.scenario.steps[0].credential', code: 'CREDENTIAL_REQUIRED' })]);
    expect(errors[0].message).toContain('auth.login');
  });

  it('a step bound to an undefined profile, or a profile missing a field the action needs, is refused', async () => {
    const doc = job(
      [
        { id: 'login', action: 'auth.login', credential: 'admn', payload: {} },
        { id: 'bearer', action: 'auth.echo-bearer', credential: 'admin', payload: {} },
      ],
      { http: { baseUrl: ctx.server.url }, credentials: { admin: { fromEnv: { username: 'DISPATCH_TEST_USER' } } } },
    );
    const { errors } = await refused(doc, { DISPATCH_TEST_USER: 'cfg-user' });
    expect(errors.map((e) => [e.path, e.code])).toEqual([
      ['$.scenario.steps[0].credential', 'CREDENTIAL_UNKNOWN'],
      ['$.credentials.admin.fromEnv.token', 'CREDENTIAL_INVALID'],
    ]);
    expect(errors[0].hint).toContain('admin');
  });

  it('with the env vars set, the bound credential reaches the action and the login works', async () => {
    const file = ctx.box.write('login.job.case.json', loginJob());
    const r = await ctx.box.json(['job', 'run', '--case', file], { env: { DISPATCH_TEST_USER: 'cfg-user', DISPATCH_TEST_PASSWORD: 'cfg-password' } });
    expect(r.json.error).toBeUndefined();
    expect(r.code).toBe(0);
    expect(JSON.parse(ctx.server.requests[0].body)).toEqual({ username: 'cfg-user', password: 'cfg-password' });
  });
});
