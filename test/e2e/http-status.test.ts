import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { job, readJsonl } from '../support/cli.js';
import { unusedPort } from '../support/auth-server.js';
import { authServerSandbox } from '../support/auth-sandbox.js';

// ensureOk and transport failures, seen the way an agent sees them: the exit code of `job run`.

const ctx = authServerSandbox({ username: 'u', password: 'p' }, { inProcess: true });

async function runStatus(payload: Record<string, unknown>, http: Record<string, unknown> = { baseUrl: ctx.server.url }) {
  ctx.box.write('status.job.case.json', job([{ id: 'call', action: 'auth.status', payload }], { http }));
  return ctx.box.json(['job', 'run', '--case', 'status.job.case.json']);
}

describe('ensureOk exit classes through a job', () => {
  it.each([
    [404, 4],
    [400, 2],
    [401, 2],
    [403, 2],
    [409, 2],
    [422, 2],
    [408, 3],
    [429, 3],
    [503, 3],
  ])('HTTP %i fails the run with exit %i', async (status, exit) => {
    const r = await runStatus({ code: status });
    expect(r.code).toBe(exit);
    expect(r.json).toMatchObject({
      status: 'FAILED',
      exitCode: exit,
      error: { code: 'HTTP_STATUS', details: { status, method: 'GET', url: `${ctx.server.url}/status/${status}`, body: { status } } },
    });
    expect(r.json.steps[0]).toMatchObject({ id: 'call', status: 'FAILED', error: { code: 'HTTP_STATUS', exitCode: exit } });
    const retry = r.json.next.some((n: any) => n.command.startsWith('dispatch job run --case'));
    expect(retry).toBe(exit === 3);
    const [exchange] = readJsonl(path.join(r.json.runDir, 'http.jsonl'));
    expect(exchange).toMatchObject({ method: 'GET', status, stepId: 'call' });
  });

  it('a 2xx passes through ensureOk', async () => {
    const r = await runStatus({ code: 201 });
    expect(r.code).toBe(0);
    expect(r.json.status).toBe('SUCCESS');
  });

  it('connection refused is transient (exit 3) and recorded as an exchange without a status', async () => {
    const port = await unusedPort();
    const r = await runStatus({ code: 200 }, { baseUrl: `http://127.0.0.1:${port}` });
    expect(r.code).toBe(3);
    expect(r.json).toMatchObject({ status: 'FAILED', exitCode: 3, error: { code: 'HTTP_NETWORK', details: { method: 'GET', url: `http://127.0.0.1:${port}/status/200` } } });
    expect(r.json.error.details.reason).toBe('ECONNREFUSED');
    expect(r.json.error.hint).toBeTruthy();
    expect(r.json.next[0].command).toBe('dispatch job run --case status.job.case.json');
    const [exchange] = readJsonl(path.join(r.json.runDir, 'http.jsonl'));
    expect(exchange.status).toBeUndefined();
    expect(exchange.error.code).toBe('HTTP_NETWORK');
  });

  it('a request that outlives http.timeoutMs is transient (exit 3)', async () => {
    const r = await runStatus({ hang: true }, { baseUrl: ctx.server.url, timeoutMs: 300 });
    expect(r.code).toBe(3);
    expect(r.json.error).toMatchObject({ code: 'HTTP_TIMEOUT', details: { timeoutMs: 300 } });
  });
});
