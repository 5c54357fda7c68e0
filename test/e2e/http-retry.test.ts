import { createServer, type Server } from 'node:http';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { job, readJsonl, sandbox, type Sandbox } from '../support/cli.js';
import { closeLoopback, listenLoopback } from '../support/loopback.js';

// Per-step retry and the step timeout, against a loopback API that fails on purpose.

interface Api {
  url: string;
  /** Requests received per path. */
  hits: Map<string, number>;
  /** Paths whose request was cut off by the client before an answer. */
  aborted: string[];
  close(): Promise<void>;
}

/**
 *   /flaky/<key>/<n>/<status>  answers <status> to the first n requests for <key>, then 200
 *   /status/<n>                answers <n>
 *   /hang                      never answers
 */
async function startApi(): Promise<Api> {
  const hits = new Map<string, number>();
  const aborted: string[] = [];
  const server: Server = createServer((req, res) => {
    const url = req.url ?? '/';
    const count = (hits.get(url) ?? 0) + 1;
    hits.set(url, count);
    const send = (status: number) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ status, count }));
    };
    const flaky = /^\/flaky\/[^/]+\/(\d+)\/(\d+)$/.exec(url);
    if (flaky) return send(count <= Number(flaky[1]) ? Number(flaky[2]) : 200);
    const status = /^\/status\/(\d+)$/.exec(url);
    if (status) return send(Number(status[1]));
    if (url === '/hang') {
      res.on('close', () => {
        if (!res.writableEnded) aborted.push(url);
      });
      return;
    }
    send(404);
  });
  return { url: await listenLoopback(server), hits, aborted, close: () => closeLoopback(server) };
}

let api: Api;
let box: Sandbox;
beforeAll(async () => {
  api = await startApi();
});
afterAll(() => api.close());
afterEach(() => box?.cleanup());

const one = (payload: Record<string, unknown>, step: Record<string, unknown> = {}) => job([{ id: 'call', action: 'http.request', payload, ...step }], { http: { baseUrl: api.url } });

async function run(b: Sandbox, doc: unknown) {
  b.write('r.job.case.json', doc);
  const r = await b.json(['job', 'run', '--case', 'r.job.case.json']);
  const steps = r.json.runDir ? readJsonl(path.join(r.json.runDir, 'steps.jsonl')) : [];
  const http = r.json.runDir ? readJsonl(path.join(r.json.runDir, 'http.jsonl')) : [];
  return { r, steps, http };
}

describe('step retry', () => {
  it('retries a transient failure until it succeeds, and records every attempt', async () => {
    box = sandbox('dispatch-retry-', { inProcess: true });
    const { r, steps, http } = await run(box, one({ path: '/flaky/a/2/503' }, { retry: { attempts: 3, delay: '10ms' } }));
    expect(r.code, r.stdout).toBe(0);
    expect(api.hits.get('/flaky/a/2/503')).toBe(3);
    expect(steps[0].attempts.map((a: { status: string; error?: { code: string } }) => [a.status, a.error?.code])).toEqual([
      ['FAILED', 'HTTP_STATUS'],
      ['FAILED', 'HTTP_STATUS'],
      ['SUCCESS', undefined],
    ]);
    expect(http.map((h) => [h.stepId, h.status])).toEqual([
      ['call', 503],
      ['call', 503],
      ['call', 200],
    ]);
  });

  it('stops when the attempts are spent, with the last error, and never retries without retry', async () => {
    box = sandbox('dispatch-retry-', { inProcess: true });
    const spent = await run(box, one({ path: '/flaky/b/9/503' }, { retry: { attempts: 3, delay: '5ms', backoff: 1 } }));
    expect(spent.r.code).toBe(3);
    expect(spent.r.json.steps[0].error.code).toBe('HTTP_STATUS');
    expect(spent.steps[0].attempts).toHaveLength(3);
    expect(api.hits.get('/flaky/b/9/503')).toBe(3);

    const plain = await run(box, one({ path: '/flaky/c/1/503' }));
    expect(plain.r.code).toBe(3);
    expect(api.hits.get('/flaky/c/1/503')).toBe(1);
    expect(plain.steps[0].attempts).toBeUndefined();
  });

  it('retries the statuses the step lists, and not other client errors', async () => {
    box = sandbox('dispatch-retry-', { inProcess: true });
    const listed = await run(box, one({ path: '/flaky/d/1/409' }, { retry: { attempts: 2, delay: '5ms', on: [409] } }));
    expect(listed.r.code).toBe(0);
    expect(api.hits.get('/flaky/d/1/409')).toBe(2);

    const notListed = await run(box, one({ path: '/status/404' }, { retry: { attempts: 4, delay: '5ms' } }));
    expect(notListed.r.code).toBe(4);
    expect(api.hits.get('/status/404')).toBe(1);
    expect(notListed.steps[0].attempts).toHaveLength(1);
  });

  it('is checked by job validate', async () => {
    box = sandbox('dispatch-retry-', { inProcess: true });
    box.write('bad.job.case.json', job([{ id: 'a', action: 'flow.sleep', payload: { duration: 0 }, retry: { attempts: 0, on: ['sometimes'], delay: 'soon' } }]));
    const r = await box.json(['job', 'validate', '--case', 'bad.job.case.json']);
    expect(r.code).toBe(2);
    const paths = r.json.errors.map((e: { path: string }) => e.path);
    expect(paths).toEqual(expect.arrayContaining(['$.scenario.steps[0].retry.attempts', '$.scenario.steps[0].retry.on[0]', '$.scenario.steps[0].retry.delay']));
  });
});

describe('step timeoutMs', () => {
  it('aborts the request in flight, which the record keeps, and the binary exits with the step timed out', async () => {
    box = sandbox('dispatch-timeout-');
    const { r, http } = await run(box, one({ path: '/hang' }, { timeoutMs: 300 }));
    expect(r.code).toBe(3);
    expect(r.json.steps[0].error.code).toBe('STEP_TIMEOUT');
    expect(http).toHaveLength(1);
    expect(http[0]).toMatchObject({ stepId: 'call', method: 'GET', error: { code: 'HTTP_ABORTED' } });
    // The server saw the connection cut, not a request left hanging.
    await expect.poll(() => api.aborted.length).toBe(1);
  });
});

describe('job run --timeout', () => {
  it('stops the run: FAILED, RUN_TIMEOUT, exit 3, a complete record with the request in flight', async () => {
    box = sandbox('dispatch-run-timeout-');
    box.write(
      't.job.case.json',
      job(
        [
          { id: 'wait', action: 'http.request', payload: { path: '/hang' } },
          { id: 'after', action: 'flow.sleep', payload: { duration: 0 } },
        ],
        { http: { baseUrl: api.url } },
      ),
    );
    const before = api.aborted.length;
    const r = await box.json(['job', 'run', '--case', 't.job.case.json', '--timeout', '400ms']);
    expect(r.code).toBe(3);
    expect(r.json).toMatchObject({ status: 'FAILED', error: { code: 'RUN_TIMEOUT' } });
    expect(r.json.steps.map((s: { status: string }) => s.status)).toEqual(['FAILED', 'SKIPPED']);
    const inspect = await box.json(['job', 'inspect', '--run-id', r.json.runId]);
    expect(inspect.json).toMatchObject({ runStatus: 'FAILED', runError: { code: 'RUN_TIMEOUT', exitCode: 3 } });
    expect(readJsonl(path.join(r.json.runDir, 'http.jsonl'))).toHaveLength(1);
    await expect.poll(() => api.aborted.length).toBe(before + 1);
  });

  it('limits each run of a batch, and refuses a --timeout that is not a duration', async () => {
    box = sandbox('dispatch-run-timeout-', { inProcess: true });
    box.write('s.job.case.json', job([{ id: 'nap', action: 'flow.sleep', payload: { duration: '20s' } }]));
    const batch = await box.json(['job', 'run-many', '--case', 's.job.case.json', '--count', '2', '--concurrency', '2', '--timeout', '200ms']);
    expect(batch.code).toBe(3);
    expect(batch.json.counts).toMatchObject({ FAILED: 2, SUCCESS: 0 });
    for (const bad of ['soon', '0', '-5s']) {
      const r = await box.json(['job', 'run', '--case', 's.job.case.json', '--timeout', bad]);
      expect([r.code, r.json.error.code], bad).toEqual([2, 'BAD_OPTION']);
    }
  });
});
