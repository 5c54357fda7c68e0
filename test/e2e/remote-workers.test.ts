import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import { createServer, type Server } from 'node:http';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { job, readJsonl, sandbox, type Sandbox } from '../support/cli.js';
import { closeLoopback, listenLoopback } from '../support/loopback.js';
import { dumpRedis, startRedis, type RedisServer } from '../support/redis.js';
import { until } from '../support/run-progress.js';

// run-many --redis over real dispatch worker processes and a real redis-server: modules travel as
// bundles, secrets stay with each worker, a worker killed mid-batch has its runs taken over, and
// the batch keeps exactly one record per run index, gathered into the local run output.

const PRODUCER_TOKEN = 'producer-token-1f3e-must-not-travel';
const WORKER_TOKEN = 'worker-token-77aa-from-the-worker-env';

interface Seen {
  worker: string;
  auth: string;
  aborted: boolean;
}

let redis: RedisServer;
let api: { url: string; server: Server; seen: Seen[] };
let box: Sandbox;
const workers: ChildProcess[] = [];

beforeAll(async () => {
  redis = await startRedis();
  const seen: Seen[] = [];
  // GET /slow holds each answer 300 ms, so a worker is caught with runs in flight.
  const server = createServer((req, res) => {
    const entry: Seen = { worker: String(req.headers['x-worker'] ?? ''), auth: String(req.headers.authorization ?? ''), aborted: false };
    seen.push(entry);
    res.on('close', () => (entry.aborted = !res.writableFinished));
    const answer = () => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ ok: true }));
    };
    if (req.url === '/slow') setTimeout(answer, 300);
    else answer();
  });
  api = { url: await listenLoopback(server), server, seen };
  box = sandbox('dispatch-remote-');
  // A repo module only the producer has: workers get it as a bundle.
  box.write('modules/tagger/module.json', { name: 'tagger', version: '1.0.0', entry: 'index.mjs' });
  box.write(
    'modules/tagger/index.mjs',
    `import { defineAction, defineModule, z } from 'dispatchkit';
export default defineModule({ name: 'tagger', version: '1.0.0', actions: {
  tag: defineAction({ description: 'tags a run', schema: z.object({ n: z.number() }), async handler(ctx, p) { return { response: { tag: 'tag-' + p.n } }; } }),
} });
`,
  );
  box.write(
    'jobs/remote.job.case.json',
    job(
      [
        { id: 'call', action: 'http.request', credential: 'api', payload: { path: '/slow', headers: { 'x-worker': '${env.WORKER_NAME:-none}' } } },
        { id: 'tag', action: 'tagger.tag', payload: { n: '${run.index}' } },
      ],
      {
        jobType: 'remote-batch',
        http: { baseUrl: api.url },
        credentials: { api: { fromEnv: { token: 'REMOTE_API_TOKEN' }, apply: 'bearer' } },
        assertions: [{ path: '$.steps.tag.response.tag', op: 'matches', value: '^tag-\\d+$' }],
      },
    ),
  );
}, 60_000);

afterAll(async () => {
  for (const w of workers) w.kill('SIGKILL');
  await closeLoopback(api.server);
  await redis?.stop();
  box?.cleanup();
});

/** A worker process with its own home and an empty working folder (no modules of its own). */
function startWorker(name: string, extraEnv: Record<string, string> = {}): { child: ChildProcess; ready: Promise<void>; stderr: () => string; exited: Promise<number> } {
  const home = path.join(box.root, `worker-${name}`);
  fs.mkdirSync(path.join(home, 'cwd'), { recursive: true });
  const child = box.spawn(['worker', '--redis', redis.url, '--concurrency', '2'], {
    cwd: path.join(home, 'cwd'),
    env: { DISPATCH_HOME: home, DISPATCH_RUN_OUTPUT: path.join(home, 'out'), WORKER_NAME: name, REMOTE_API_TOKEN: WORKER_TOKEN, DISPATCH_WORKER_LOCK_MS: '1500', ...extraEnv },
  });
  workers.push(child);
  let err = '';
  child.stderr!.on('data', (d) => (err += d));
  const exited = new Promise<number>((resolve) => child.on('close', (code) => resolve(code ?? -1)));
  return { child, ready: until(() => err.includes('dispatch worker'), `worker ${name} to start`), stderr: () => err, exited };
}

describe('job run-many --redis over dispatch workers', () => {
  it('takes over the runs of a worker killed mid-batch and gathers exactly one record per index', async () => {
    const ws = ['w1', 'w2', 'w3'].map((n) => startWorker(n));
    await Promise.all(ws.map((w) => w.ready));

    const producer = box.spawn(['job', 'run-many', '--case', 'jobs/remote.job.case.json', '--count', '24', '--redis', redis.url, '--json'], { env: { REMOTE_API_TOKEN: PRODUCER_TOKEN } });
    let stdout = '';
    producer.stdout!.on('data', (d) => (stdout += d));
    const done = new Promise<number>((resolve) => producer.on('close', (code) => resolve(code ?? -1)));

    // Kill w1 while it holds a run: its request is in flight at the API.
    await until(() => api.seen.some((s) => s.worker === 'w1'), 'w1 to take a run');
    ws[0].child.kill('SIGKILL');
    expect(await done).toBe(0);
    const out = JSON.parse(stdout);
    expect(out).toMatchObject({ status: 'SUCCESS', exitCode: 0, count: 24, counts: { SUCCESS: 24, FAILED: 0 }, notStarted: 0 });

    // One record per index, each gathered into the local run output.
    const record = JSON.parse(fs.readFileSync(out.batchPath, 'utf8'));
    expect(record.runs.map((r: { index: number }) => r.index)).toEqual(Array.from({ length: 24 }, (_, i) => i));
    expect(new Set(record.runIds).size).toBe(24);
    for (const runId of record.runIds) {
      const steps = readJsonl(path.join(box.output, runId, 'steps.jsonl'));
      expect(steps.map((s: { id: string }) => s.id)).toEqual(['call', 'tag']);
    }
    // The killed worker's run was cut off at the API and run again elsewhere.
    expect(api.seen.some((s) => s.worker === 'w1' && s.aborted)).toBe(true);
    const ranOn = new Set(record.runIds.map((id: string) => JSON.parse(fs.readFileSync(path.join(box.output, id, 'meta.json'), 'utf8')).worker));
    expect(ranOn.size).toBeGreaterThanOrEqual(2);

    // Each worker used its own credential and env; the producer's token never left this machine.
    expect(api.seen.every((s) => s.auth === `Bearer ${WORKER_TOKEN}`)).toBe(true);
    const stored = await dumpRedis(redis.port);
    expect(stored.includes(PRODUCER_TOKEN)).toBe(false);
    expect(stored.includes(WORKER_TOKEN)).toBe(false);

    // The batch reads like a local one: assert and a report, offline.
    const assert = await box.json(['job', 'assert', '--batch-id', out.batchId]);
    expect(assert.json).toMatchObject({ status: 'SUCCESS', passedRuns: 24, failedRuns: 0 });
    const report = await box.json(['job', 'report', '--batch-id', out.batchId, '--format', 'junit']);
    expect(report.json).toMatchObject({ status: 'SUCCESS', passed: true, suites: 24 });

    // SIGTERM stops a worker cleanly: exit 0 with its counts.
    let wout = '';
    ws[1].child.stdout!.on('data', (d) => (wout += d));
    ws[1].child.kill('SIGTERM');
    expect(await ws[1].exited).toBe(0);
    ws[2].child.kill('SIGTERM');
    expect(await ws[2].exited).toBe(0);
    expect(wout).toContain('"SUCCESS"');
  }, 120_000);

  it('re-attaches to an interrupted batch with --resume, and runs job test on workers', async () => {
    const ws = ['r1', 'r2'].map((n) => startWorker(n));
    await Promise.all(ws.map((w) => w.ready));
    const args = ['job', 'run-many', '--case', 'jobs/remote.job.case.json', '--count', '12', '--redis', redis.url, '--json'];
    const first = box.spawn(args);
    let stdout = '';
    first.stdout!.on('data', (d) => (stdout += d));
    const closed = new Promise<number>((resolve) => first.on('close', (code) => resolve(code ?? -1)));
    const before = api.seen.length;
    await until(() => api.seen.length >= before + 2, 'the workers to start the batch');
    first.kill('SIGINT');
    expect(await closed).toBe(3);
    const cut = JSON.parse(stdout);
    expect(cut).toMatchObject({ status: 'INTERRUPTED' });
    expect(cut.count).toBe(12);

    // The workers carried on; --resume gathers what they finished and what is left, once each.
    const resumed = await box.json([...args.slice(0, -1), '--resume', cut.batchId]);
    expect(resumed.json).toMatchObject({ status: 'SUCCESS', batchId: cut.batchId, count: 12, counts: { SUCCESS: 12 }, notStarted: 0 });
    const record = JSON.parse(fs.readFileSync(resumed.json.batchPath, 'utf8'));
    expect(record.runs.map((r: { index: number }) => r.index)).toEqual(Array.from({ length: 12 }, (_, i) => i));
    expect(new Set(record.runIds).size).toBe(12);
    const notResumable = await box.json(['job', 'run-many', '--case', 'jobs/remote.job.case.json', '--resume', cut.batchId]);
    expect(notResumable.json).toMatchObject({ status: 'ERROR', exitCode: 2, error: { code: 'RESUME_NEEDS_REDIS' } });

    // job test --redis: cases run on the workers, assertions are checked here from the gathered records.
    box.write(
      'suite/ok.job.case.json',
      job([{ id: 'tag', action: 'tagger.tag', payload: { n: 1 } }], { jobType: 'remote-ok', assertions: [{ path: '$.steps.tag.response.tag', op: 'eq', value: 'tag-1' }] }),
    );
    box.write(
      'suite/bad.job.case.json',
      job([{ id: 'tag', action: 'tagger.tag', payload: { n: 2 } }], { jobType: 'remote-bad', assertions: [{ path: '$.steps.tag.response.tag', op: 'eq', value: 'tag-1' }] }),
    );
    box.write('suite/broken.job.case.json', job([{ id: 'x', action: 'nope.nothing', payload: {} }], { jobType: 'remote-broken' }));
    const suite = await box.json(['job', 'test', 'suite', '--redis', redis.url]);
    expect(suite.json).toMatchObject({ status: 'FAILED', exitCode: 2, kind: 'suite', count: 3, passed: 1, failed: 2 });
    const byPath = Object.fromEntries(suite.json.cases.map((c: { casePath: string }) => [c.casePath, c]));
    expect(byPath['suite/ok.job.case.json']).toMatchObject({ passed: true, runStatus: 'SUCCESS', assertions: { passed: 2, failed: 0 } });
    expect(byPath['suite/bad.job.case.json']).toMatchObject({ passed: false, exitCode: 2, runStatus: 'SUCCESS', assertions: { failed: 1 } });
    expect(byPath['suite/broken.job.case.json']).toMatchObject({ passed: false, runId: null, runStatus: 'NOT_RUN', error: { code: 'JOB_INVALID' } });
    const meta = JSON.parse(fs.readFileSync(path.join(box.output, byPath['suite/ok.job.case.json'].runId, 'meta.json'), 'utf8'));
    expect(meta.worker).toMatch(/:\d+$/);

    for (const w of ws) w.child.kill('SIGTERM');
    expect(await Promise.all(ws.map((w) => w.exited))).toEqual([0, 0]);
  }, 120_000);

  it('refuses a bad --redis URL (exit 2) and an unreachable Redis (exit 3)', async () => {
    const bad = await box.json(['job', 'run-many', '--case', 'jobs/remote.job.case.json', '--redis', 'http://127.0.0.1:1']);
    expect(bad.json).toMatchObject({ status: 'ERROR', exitCode: 2, error: { code: 'REDIS_URL_INVALID' } });
    const down = await box.json(['job', 'run-many', '--case', 'jobs/remote.job.case.json', '--redis', 'redis://127.0.0.1:1']);
    expect(down.json).toMatchObject({ status: 'ERROR', exitCode: 3, error: { code: 'REDIS_UNREACHABLE' } });
    expect(down.json.error.hint).toContain('Start Redis');
    const worker = await box.json(['worker', '--redis', 'redis://127.0.0.1:1']);
    expect(worker.json).toMatchObject({ status: 'ERROR', exitCode: 3, error: { code: 'REDIS_UNREACHABLE' } });
  }, 60_000);
});
