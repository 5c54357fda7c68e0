import fs from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { job, readJsonl, sandbox, type CliResult, type Sandbox } from '../support/cli.js';
import { startFaultServer, writeFaultModule, type FaultServer } from '../support/fault-server.js';

// Servers that misbehave mid-exchange: each fault must be classified (exit 3 when a retry could
// help), and the run record must say what happened in every artifact.

const ARTIFACTS = ['activity.log', 'http.jsonl', 'job.case.input.json', 'job.case.resolved.json', 'meta.json', 'module_resolution.json', 'steps.jsonl', 'summary.json'];

let server: FaultServer;
let box: Sandbox;
let seq = 0;
beforeAll(async () => {
  server = await startFaultServer();
});
afterAll(() => server.close());
beforeEach(() => {
  box = sandbox();
  writeFaultModule(box);
});
afterEach(() => box.cleanup());

/** A fresh test id, so the server's per-id counters never leak between tests. */
const tid = () => `t${process.pid}-${++seq}`;

function runGet(route: string, http: Record<string, unknown> = {}): Promise<CliResult> {
  box.write('f.job.case.json', job([{ id: 'call', action: 'faulty.get', payload: { path: route } }], { http: { baseUrl: server.url, ...http } }));
  return box.json(['job', 'run', '--case', 'f.job.case.json']);
}

/** Every artifact exists and tells the same story: the step failed with `code` and exit class `exit`. */
function expectFailedRecord(r: CliResult, code: string, exit: number) {
  expect(r.code).toBe(exit);
  expect(r.json).toMatchObject({ status: 'FAILED', exitCode: exit, error: { code } });
  expect(fs.readdirSync(r.json.runDir).sort()).toEqual(ARTIFACTS);
  const summary = JSON.parse(fs.readFileSync(r.json.summaryPath, 'utf8'));
  expect(summary).toMatchObject({ status: 'FAILED', error: { code, exitCode: exit }, steps: [{ id: 'call', status: 'FAILED', error: { code } }] });
  const [step] = readJsonl(path.join(r.json.runDir, 'steps.jsonl'));
  expect(step).toMatchObject({ id: 'call', status: 'FAILED', payload: expect.any(Object), error: { code, exitCode: exit } });
  const exchanges = readJsonl(path.join(r.json.runDir, 'http.jsonl'));
  expect(exchanges).toHaveLength(1);
  expect(exchanges[0]).toMatchObject({ method: 'GET', stepId: 'call', url: expect.stringContaining(server.url) });
  expect(fs.readFileSync(path.join(r.json.runDir, 'activity.log'), 'utf8')).toContain(`step 1 call FAILED`);
  const retry = r.json.next.some((n: { command: string }) => n.command === 'dispatch job run --case f.job.case.json');
  expect(retry).toBe(exit === 3);
  return { summary, step, exchange: exchanges[0] };
}

describe('transport faults through a job run', () => {
  it('a connection reset before any answer is a transient network error (exit 3)', async () => {
    const id = tid();
    const r = await runGet(`/reset/${id}`);
    const { exchange } = expectFailedRecord(r, 'HTTP_NETWORK', 3);
    expect(exchange.status).toBeUndefined();
    expect(exchange.error.code).toBe('HTTP_NETWORK');
    expect(r.json.error.details).toMatchObject({ method: 'GET', url: `${server.url}/reset/${id}` });
    expect(server.hits(`reset/${id}`)).toBe(1);
  });

  it('a body cut short (content-length larger than what arrives) is a transient network error, not a parse error', async () => {
    const r = await runGet(`/truncated/${tid()}`);
    const { exchange } = expectFailedRecord(r, 'HTTP_NETWORK', 3);
    expect(exchange.status).toBeUndefined();
    expect(exchange.error.code).toBe('HTTP_NETWORK');
  });

  it('a server that stalls mid-body past http.timeoutMs is a transient timeout (exit 3)', async () => {
    const r = await runGet(`/stall/${tid()}`, { timeoutMs: 400 });
    const { exchange } = expectFailedRecord(r, 'HTTP_TIMEOUT', 3);
    expect(r.json.error.details.timeoutMs).toBe(400);
    expect(exchange.error.code).toBe('HTTP_TIMEOUT');
  });

  it('a 200 whose body is not the JSON its content type claims is returned as text, and recorded as text', async () => {
    const r = await runGet(`/invalid-json/${tid()}`);
    expect(r.code).toBe(0);
    expect(fs.readdirSync(r.json.runDir).sort()).toEqual(ARTIFACTS);
    const [step] = readJsonl(path.join(r.json.runDir, 'steps.jsonl'));
    expect(step).toMatchObject({ status: 'SUCCESS', response: '{"ok": tru', exports: { status: 200 } });
    const [exchange] = readJsonl(path.join(r.json.runDir, 'http.jsonl'));
    expect(exchange).toMatchObject({ status: 200, response: { body: '{"ok": tru', headers: { 'content-type': 'application/json' } } });
  });

  it('the same broken body on a 502 fails the step with exit 3 and keeps the text in the error', async () => {
    const r = await runGet(`/invalid-json/${tid()}?status=502`);
    const { exchange } = expectFailedRecord(r, 'HTTP_STATUS', 3);
    expect(r.json.error.details).toMatchObject({ status: 502, body: '{"ok": tru' });
    expect(exchange).toMatchObject({ status: 502, response: { body: '{"ok": tru' } });
  });
});

describe('transient 503s', () => {
  it('503 then 200: the run exits 3, and the retry command it names succeeds', async () => {
    const id = tid();
    const first = await runGet(`/flaky/${id}?fails=1`);
    const { exchange } = expectFailedRecord(first, 'HTTP_STATUS', 3);
    expect(exchange.status).toBe(503);
    const retry = first.json.next[0].command as string;
    expect(retry).toBe('dispatch job run --case f.job.case.json');
    const second = await box.json(retry.split(' ').slice(1));
    expect(second.code).toBe(0);
    expect(second.json.status).toBe('SUCCESS');
    expect(readJsonl(path.join(second.json.runDir, 'steps.jsonl'))[0].response).toEqual({ ok: true, attempt: 2 });
    expect(server.hits(`flaky/${id}`)).toBe(2);
    expect(second.json.runId).not.toBe(first.json.runId);
  });

  it('flow.poll rides out three 503s and records every attempt', async () => {
    const id = tid();
    const poll = {
      action: 'faulty.get',
      payload: { path: `/flaky/${id}?fails=3` },
      intervalMs: 20,
      maxDurationMs: 20_000,
      conditions: { mode: 'ALL', rules: [{ path: '$.ok', op: 'eq', value: true }] },
      store: { attempt: '$.attempt' },
    };
    box.write('p.job.case.json', job([{ id: 'wait', action: 'flow.poll', payload: poll }], { http: { baseUrl: server.url } }));
    const r = await box.json(['job', 'run', '--case', 'p.job.case.json']);
    expect(r.code).toBe(0);
    const [step] = readJsonl(path.join(r.json.runDir, 'steps.jsonl'));
    expect(step).toMatchObject({ status: 'SUCCESS', response: { ok: true, attempt: 4 }, exports: { attempt: 4, attempts: 4 } });
    expect(readJsonl(path.join(r.json.runDir, 'http.jsonl')).map((e) => e.status)).toEqual([503, 503, 503, 200]);
    const log = fs.readFileSync(path.join(r.json.runDir, 'activity.log'), 'utf8');
    expect(log.match(/poll attempt \d+: transient HTTP_STATUS/g)).toHaveLength(3);
    expect(log).toMatch(/poll attempt 4: conditions held/);
  });

  it('flow.poll that never sees a 200 gives up with exit 3, the attempts and the last error', async () => {
    const poll = {
      action: 'faulty.get',
      payload: { path: `/flaky/${tid()}?fails=1000` },
      intervalMs: 50,
      maxDurationMs: 300,
      conditions: { mode: 'ALL', rules: [{ path: '$.ok', op: 'eq', value: true }] },
    };
    box.write('p.job.case.json', job([{ id: 'wait', action: 'flow.poll', payload: poll }], { http: { baseUrl: server.url } }));
    const r = await box.json(['job', 'run', '--case', 'p.job.case.json']);
    expect(r.code).toBe(3);
    expect(r.json.error).toMatchObject({ code: 'POLL_TIMEOUT', details: { lastError: { code: 'HTTP_STATUS' } } });
    const attempts = r.json.error.details.attempts as number;
    expect(readJsonl(path.join(r.json.runDir, 'http.jsonl'))).toHaveLength(attempts);
    expect(fs.readdirSync(r.json.runDir).sort()).toEqual(ARTIFACTS);
  });
});

describe('hostile response bodies', () => {
  it('JSON nested 20000 levels deep: recorded cut short, a clear exit 2 when interpolated as text, never a crash', async () => {
    const id = tid();
    box.write(
      'd.job.case.json',
      job(
        [
          { id: 'deep', action: 'faulty.get', payload: { path: `/deep/${id}` }, capture: { d: 'response.deep' } },
          { id: 'text', action: 'faulty.get', payload: { path: `/flaky/${id}?fails=0&x=\${run.d}` } },
        ],
        { http: { baseUrl: server.url } },
      ),
    );
    const r = await box.json(['job', 'run', '--case', 'd.job.case.json']);
    expect(r.code).toBe(2);
    expect(r.json.error).toMatchObject({ code: 'VALUE_TOO_DEEP', message: expect.stringContaining('$.scenario.steps[1].payload.path') });
    expect(r.json.steps.map((s: { status: string }) => s.status)).toEqual(['SUCCESS', 'FAILED']);
    expect(r.stderr).toBe('');
    expect(fs.readdirSync(r.json.runDir).sort()).toEqual(ARTIFACTS);
    const [first] = readJsonl(path.join(r.json.runDir, 'steps.jsonl'));
    expect(JSON.stringify(first.response)).toContain('[TRUNCATED: nested deeper than 200 levels]');
    for (const cmd of ['inspect', 'readable', 'dump', 'replay']) {
      const offline = await box.json(['job', cmd, '--run-id', r.json.runId]);
      expect([0, 2], `job ${cmd}`).toContain(offline.code);
    }
    const human = await box.run(['job', 'run', '--case', 'd.job.case.json']);
    expect(human.code).toBe(2);
    expect(human.stderr).toContain('VALUE_TOO_DEEP');
    expect(human.stderr).not.toMatch(/\n\s+at .+:\d+:\d+/);
  });

  it('"__proto__" and "constructor.prototype" keys in a response stay data: captured, passed on, nothing polluted', async () => {
    box.write(
      'p.job.case.json',
      job(
        [
          { id: 'evil', action: 'faulty.get', payload: { path: `/proto/${tid()}` }, capture: { whole: 'response', nested: 'response.nested' } },
          { id: 'pass', action: 'faulty.probe', payload: { value: '${run.whole}' } },
          { id: 'path', action: 'faulty.probe', payload: { value: '${jsonpath(step:evil, $.nested)}' } },
        ],
        { http: { baseUrl: server.url } },
      ),
    );
    const r = await box.json(['job', 'run', '--case', 'p.job.case.json']);
    expect(r.code).toBe(0);
    const steps = readJsonl(path.join(r.json.runDir, 'steps.jsonl'));
    for (const s of steps.slice(1)) expect(s.response).toEqual({ polluted: null, isAdmin: null, protoKeys: [] });
    expect(Object.keys(steps[1].payload.value)).toEqual(['id', '__proto__', 'constructor', 'nested']);
    expect(steps[2].payload.value).toEqual(JSON.parse('{"__proto__":{"isAdmin":true}}'));
  });

  it('a seed job refuses to store a response holding "__proto__" (exit 2), and the namespace stays untouched', async () => {
    box.write(
      'p.job.seed.json',
      job(
        [
          { id: 'evil', action: 'faulty.get', payload: { path: `/proto/${tid()}` }, capture: { whole: 'response' } },
          { id: 'keep', action: 'memory.store', payload: { namespace: 'ns', key: 'k', value: '${run.whole}' } },
        ],
        { http: { baseUrl: server.url } },
      ),
    );
    const r = await box.json(['job', 'run', '--case', 'p.job.seed.json']);
    expect(r.code).toBe(2);
    expect(r.json.error.code).toBe('FORBIDDEN_KEY');
    expect(fs.existsSync(path.join(box.home, 'memory', 'ns.json'))).toBe(false);
  });
});
