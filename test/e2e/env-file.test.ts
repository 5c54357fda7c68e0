import fs from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, onTestFinished } from 'vitest';
import { startAuthServer, type AuthServer } from '../support/auth-server.js';
import { job, sandbox, type Sandbox } from '../support/cli.js';

// --env-file: env vars from KEY=value files, never over ones already set.

const TOKEN = 'envfile-token-5d1e9a7c';
let server: AuthServer;
let box: Sandbox;
beforeAll(async () => {
  server = await startAuthServer({ username: 'u', password: 'pw-envfile-1' });
});
afterAll(() => server.close());
beforeEach(() => {
  box = sandbox('dispatch-envfile-');
  server.requests.length = 0;
});
afterEach(() => box.cleanup());

function envJob() {
  return job([{ id: 'call', action: 'http.request', credential: 'api', payload: { path: '/echo', headers: { 'x-region': '${env.EF_REGION}' } } }], {
    http: { baseUrl: '${env.EF_BASE}' },
    credentials: { api: { fromEnv: { token: 'EF_TOKEN' }, apply: 'bearer' } },
  });
}

describe('--env-file', () => {
  it('fills unset env vars for validate and run, keeps the ones already set, and redacts what it read', async () => {
    box.write('e.job.case.json', envJob());
    box.write('.env.test', `# test values\nEF_BASE=${server.url}\nEF_TOKEN="${TOKEN}"\nexport EF_REGION=from-file\n`);
    box.write('.env.more', 'EF_REGION=second-file\n');

    const without = await box.json(['job', 'validate', '--case', 'e.job.case.json']);
    expect(without.code).toBe(2);
    const validated = await box.json(['job', 'validate', '--case', 'e.job.case.json', '--env-file', '.env.test']);
    expect(validated.code, JSON.stringify(validated.json.errors)).toBe(0);

    // EF_REGION is set in the environment: neither file replaces it. The first file wins over the second.
    const run = await box.json(['job', 'run', '--case', 'e.job.case.json', '--env-file', '.env.test', '--env-file', '.env.more'], { env: { EF_REGION: 'from-env' } });
    expect(run.code, run.stdout).toBe(0);
    const got = server.requests.find((r) => r.url.startsWith('/echo'))!;
    expect(got.headers['x-region']).toBe('from-env');
    expect(got.headers.authorization).toBe(`Bearer ${TOKEN}`);
    const first = await box.json(['job', 'run', '--case', 'e.job.case.json', '--env-file', '.env.test', '--env-file', '.env.more']);
    expect(first.code).toBe(0);
    expect(server.requests.filter((r) => r.url.startsWith('/echo')).at(-1)!.headers['x-region']).toBe('from-file');

    for (const name of fs.readdirSync(run.json.runDir)) expect(fs.readFileSync(path.join(run.json.runDir, name), 'utf8'), name).not.toContain(TOKEN);
    expect(run.stdout + run.stderr).not.toContain(TOKEN);
  });

  it('names a file that is missing (exit 4) and does not run', async () => {
    // In-process: Node 20 itself acts on --env-file anywhere in argv, and a spawned binary given a
    // missing file is stopped by Node before dispatch runs (docs/http.md, "Env files").
    const fast = sandbox('dispatch-envfile-missing-', { inProcess: true });
    onTestFinished(() => fast.cleanup());
    fast.write('e.job.case.json', envJob());
    const r = await fast.json(['job', 'run', '--case', 'e.job.case.json', '--env-file', 'nope.env']);
    expect(r.code).toBe(4);
    expect(r.json.error).toMatchObject({ code: 'ENV_FILE_NOT_FOUND' });
    expect(r.json.error.message).toContain('nope.env');
    expect(fs.existsSync(fast.output) ? fs.readdirSync(fast.output) : []).toEqual([]);
    expect(server.requests).toHaveLength(0);
  });
});
