import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { job, readJsonl, sandbox, type Sandbox } from '../support/cli.js';

// DESIGN 9 (revised): the record is written as the run happens, so a run killed at any point is
// found as ABANDONED, named by latest, refused by assert; module faults and a record that cannot be
// completed end in an envelope with the run id; signals during start-up end as INTERRUPTED.

const API_MODULE = `import { defineAction, defineModule, z } from 'dispatchkit';
import fs from 'node:fs';
import path from 'node:path';
const send = (method) => defineAction({ description: method, schema: z.strictObject({ path: z.string() }), async handler(ctx, p) {
  return { response: ctx.http.ensureOk(await ctx.http.request({ method, path: p.path, ...(method === 'POST' ? { json: { n: 1 } } : {}) })).body };
} });
export default defineModule({ name: 'api', version: '1.0.0', actions: {
  post: send('POST'),
  get: send('GET'),
  exit: defineAction({ description: 'process.exit, now or later', schema: z.strictObject({ later: z.boolean().optional() }), async handler(_ctx, p) {
    if (p.later) { setTimeout(() => process.exit(0), 1); return new Promise(() => {}); }
    process.exit(0);
  } }),
  throwLater: defineAction({ description: 'throws in a timer', schema: z.strictObject({ rejection: z.boolean().optional() }), async handler(_ctx, p) {
    if (p.rejection) Promise.reject(new Error('nobody awaited me'));
    else setTimeout(() => { throw new Error('thrown in a timer'); }, 1);
    return new Promise(() => {});
  } }),
  big: defineAction({ description: 'a BigInt', schema: z.strictObject({}), async handler() { return { response: { n: 10n } }; } }),
  wreck: defineAction({ description: 'replaces the run folder with a file, as a disk that takes no more writes', schema: z.strictObject({}), async handler() {
    const root = process.env.DISPATCH_RUN_OUTPUT;
    const dir = fs.readdirSync(root).filter((n) => /^\\d{8}-/.test(n)).sort().pop();
    fs.rmSync(path.join(root, dir), { recursive: true, force: true });
    fs.writeFileSync(path.join(root, dir), 'not a folder any more');
    return { response: { wrecked: dir } };
  } }),
} });
`;

interface Api {
  url: string;
  seen: string[];
  /** Resolves when a request for `route` has arrived. */
  arrived(route: string): Promise<void>;
  close(): Promise<void>;
}

async function startApi(): Promise<Api> {
  const seen: string[] = [];
  const waiters: Array<() => void> = [];
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    req.resume();
    req.on('end', () => {
      seen.push(`${req.method} ${req.url}`);
      waiters.forEach((w) => w());
      if (req.url === '/hold') return; // answers never: the run is killed while it waits
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ ok: true, url: req.url }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    seen,
    arrived: (route) =>
      new Promise<void>((resolve) => {
        const check = () => seen.some((s) => s.endsWith(` ${route}`)) && resolve();
        waiters.push(check);
        check();
      }),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

let api: Api;
let box: Sandbox;
beforeAll(async () => {
  api = await startApi();
});
afterAll(() => api.close());
beforeEach(() => {
  box = sandbox('dispatch-records-');
  box.write('modules/api/module.json', { name: 'api', version: '1.0.0', entry: 'index.mjs' });
  box.write('modules/api/index.mjs', API_MODULE);
  api.seen.length = 0;
});
afterEach(() => box.cleanup());

/** Polls a condition on the file system; a run writes its record as it goes, so it changes. */
async function until(test: () => boolean, what: string, ms = 20_000): Promise<void> {
  const end = Date.now() + ms;
  while (!test()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setImmediate(r));
  }
}

let seed = Number(process.env.DISPATCH_FUZZ_SEED ?? 20261204);
/** 0-40 ms from a small seeded generator (mulberry32), so a failure can be replayed. */
function jitter(): number {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) % 41;
}

const runFolders = () => (fs.existsSync(box.output) ? fs.readdirSync(box.output).filter((n) => /^\d{8}-/.test(n)) : []);
const exited = (child: ChildProcess) => new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));

describe('a run killed at any point', () => {
  const points = ['folder created', 'after the POST', 'mid-request', 'between steps'] as const;

  it.each(points)('kill -9 %s: list, latest and inspect say ABANDONED, assert refuses it, no older run stands in', async (point) => {
    box.write('jobs/ok.job.case.json', job([{ id: 'nap', action: 'flow.sleep', payload: { duration: 0 } }]));
    const older = await box.json(['job', 'run', '--case', 'jobs/ok.job.case.json']);
    expect(older.code).toBe(0);
    box.write(
      'jobs/k.job.case.json',
      job(
        [
          { id: 'create', action: 'api.post', payload: { path: '/items' } },
          { id: 'pause', action: 'flow.sleep', payload: { duration: '20s' } },
          { id: 'wait', action: 'api.get', payload: { path: '/hold' } },
        ].map((s, i) => (point === 'mid-request' && i === 1 ? { ...s, payload: { duration: 0 } } : s)),
        { http: { baseUrl: api.url } },
      ),
    );
    const before = new Set(runFolders());
    const child = box.spawn(['job', 'run', '--case', 'jobs/k.job.case.json', '--json']);
    const done = exited(child);
    const runDir = () => {
      const id = runFolders().find((n) => !before.has(n));
      return id ? path.join(box.output, id) : undefined;
    };
    if (point === 'folder created') await until(() => !!runDir() && fs.existsSync(path.join(runDir()!, 'summary.json')), 'the RUNNING summary');
    if (point === 'after the POST') await api.arrived('/items');
    if (point === 'mid-request') await api.arrived('/hold');
    const stepLines = () => {
      const file = runDir() && path.join(runDir()!, 'steps.jsonl');
      return file && fs.existsSync(file) ? fs.readFileSync(file, 'utf8').split('\n').filter(Boolean).length : 0;
    };
    if (point === 'between steps') await until(() => stepLines() === 1, 'the first step record');
    // Then a little later, by a seeded random amount: the exact moment varies between points and
    // seeds (DISPATCH_FUZZ_SEED), and every moment must leave a record the readers can trust.
    await new Promise((r) => setTimeout(r, jitter()));
    child.kill('SIGKILL');
    await done;
    const dir = runDir()!;
    const runId = path.basename(dir);

    const list = await box.json(['job', 'list']);
    expect(list.json.runs[0]).toMatchObject({ runId, status: 'ABANDONED' });
    expect(list.json.runs[1]).toMatchObject({ runId: older.json.runId, status: 'SUCCESS' });
    const latest = await box.json(['job', 'latest']);
    expect(latest.json.runId).toBe(runId);
    const inspect = await box.json(['job', 'inspect', '--run-id', 'latest']);
    expect(inspect.code).toBe(0);
    expect(inspect.json.runStatus).toBe('ABANDONED');
    const assert = await box.json(['job', 'assert', '--run-id', 'latest']);
    expect(assert.code).toBe(2);
    expect(assert.json.error.code).toBe('RUN_ABANDONED');
    expect(assert.json.error.message).toContain(runId);
    const replay = await box.json(['job', 'replay', '--run-id', runId]);
    expect(replay.code).toBe(2);
    expect(replay.json.error.code).toBe('RUN_ABANDONED');

    const summary = JSON.parse(fs.readFileSync(path.join(dir, 'summary.json'), 'utf8'));
    expect(summary).toMatchObject({ status: 'RUNNING', runId, pid: child.pid });
    const steps = readJsonl(path.join(dir, 'steps.jsonl'));
    const http = readJsonl(path.join(dir, 'http.jsonl'));
    if (point !== 'folder created') {
      // The POST happened: its exchange is on disk, and so is its step once it finished.
      await until(() => readJsonl(path.join(dir, 'http.jsonl')).length > 0 || point === 'after the POST', 'the POST exchange');
      if (point !== 'after the POST') {
        expect(steps[0]).toMatchObject({ id: 'create', status: 'SUCCESS' });
        expect(http[0]).toMatchObject({ method: 'POST', status: 200 });
      }
    }
  });
});

describe('module faults end as a failed run with an envelope and a record', () => {
  const cases: Array<[string, Record<string, unknown>, string]> = [
    ['process.exit in the handler', { id: 'bad', action: 'api.exit', payload: {} }, 'MODULE_CALLED_EXIT'],
    ['process.exit in a timer', { id: 'bad', action: 'api.exit', payload: { later: true } }, 'MODULE_CALLED_EXIT'],
    ['a throw in a timer', { id: 'bad', action: 'api.throwLater', payload: {} }, 'MODULE_ASYNC_ERROR'],
    ['an unhandled rejection', { id: 'bad', action: 'api.throwLater', payload: { rejection: true } }, 'MODULE_ASYNC_ERROR'],
    ['a BigInt result', { id: 'bad', action: 'api.big', payload: {} }, 'ACTION_RESULT_NOT_JSON'],
  ];
  it.each(cases)('%s', async (_name, step, code) => {
    box.write('jobs/f.job.case.json', job([{ id: 'first', action: 'flow.sleep', payload: { duration: 0 } }, step, { id: 'after', action: 'flow.sleep', payload: { duration: 0 } }]));
    const r = await box.json(['job', 'run', '--case', 'jobs/f.job.case.json']);
    expect(r.json.status).toBe('FAILED');
    expect(r.json.error.code).toBe(code);
    expect(r.code).toBe(r.json.exitCode);
    expect(r.json.runId).toMatch(/^\d{8}-/);
    expect(r.json.steps.map((s: { status: string }) => s.status)).toEqual(['SUCCESS', 'FAILED', 'SKIPPED']);
    const summary = JSON.parse(fs.readFileSync(path.join(r.json.runDir, 'summary.json'), 'utf8'));
    expect(summary.status).toBe('FAILED');
    expect(summary.error.code).toBe(code);
    expect(readJsonl(path.join(r.json.runDir, 'steps.jsonl')).map((s) => s.id)).toEqual(['first', 'bad']);
  });

  it('a record that cannot be completed (the folder is gone) is an ERROR envelope with the run id and the steps that ran', async () => {
    box.write(
      'jobs/w.job.case.json',
      job([
        { id: 'wreck', action: 'api.wreck', payload: {} },
        { id: 'after', action: 'flow.sleep', payload: { duration: 0 } },
      ]),
    );
    const r = await box.json(['job', 'run', '--case', 'jobs/w.job.case.json']);
    expect(r.code).toBe(2);
    expect(r.json.status).toBe('ERROR');
    expect(r.json.error.code).toBe('RUN_OUTPUT_UNWRITABLE');
    expect(r.json.error.message).toContain(r.json.runId);
    expect(r.json.steps.map((s: { id: string; status: string }) => `${s.id}:${s.status}`)).toEqual(['wreck:SUCCESS', 'after:SUCCESS']);
  });
});

describe('signals while dispatch starts', () => {
  /** Resolves once the entry's first line ran: it names the process "dispatch" after it starts catching signals. */
  async function entryStarted(pid: number): Promise<void> {
    await until(() => {
      try {
        return fs.readFileSync(`/proc/${pid}/comm`, 'utf8').trim() === 'dispatch';
      } catch {
        return false;
      }
    }, 'the entry to start');
  }

  it.each([0, 5, 25, 60])('SIGINT %i ms after the entry started: exit 3 and an INTERRUPTED envelope', async (extra) => {
    box.write('jobs/s.job.case.json', job([{ id: 'nap', action: 'flow.sleep', payload: { duration: '20s' } }]));
    const child = box.spawn(['job', 'run', '--case', 'jobs/s.job.case.json', '--json']);
    let stdout = '';
    child.stdout!.on('data', (d) => (stdout += d));
    const done = exited(child);
    await entryStarted(child.pid!);
    if (extra) await new Promise((r) => setTimeout(r, extra));
    child.kill('SIGINT');
    expect(await done).toBe(3);
    const env = JSON.parse(stdout);
    expect(env.status).toBe('INTERRUPTED');
    expect(env.exitCode).toBe(3);
  });
});

describe('leftover temporary folders', () => {
  it('are named by job list and doctor', async () => {
    const tmp = path.join(box.output, '.tmp-20200101-000000-job-run-abcdef0');
    fs.mkdirSync(tmp, { recursive: true });
    const list = await box.json(['job', 'list']);
    expect(list.json.warnings.find((w: { code: string }) => w.code === 'RUN_TEMP_LEFTOVER').message).toContain(tmp);
    const doctor = await box.json(['doctor']);
    const check = doctor.json.checks.find((c: { name: string }) => c.name === 'run output leftovers');
    expect(check).toMatchObject({ status: 'warn', details: { leftovers: [tmp] } });
  });
});
