import fs from 'node:fs';
import path from 'node:path';
import { runFolders, stepStarted, stepsRecorded, until } from '../support/run-progress.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { job, readJsonl, sandbox, type Sandbox } from '../support/cli.js';
import { writeTestModule } from '../support/fixtures.js';

let box: Sandbox;
beforeEach(() => {
  box = sandbox();
  writeTestModule(box);
});
afterEach(() => box.cleanup());

const ARTIFACTS = ['activity.log', 'http.jsonl', 'job.case.input.json', 'job.case.resolved.json', 'meta.json', 'module_resolution.json', 'steps.jsonl', 'summary.json'];

describe('job run', () => {
  it('runs the quick-start job and writes every artifact', async () => {
    const r = await box.json(['job', 'run', '--case', path.join(process.cwd(), 'jobs/flow-sleep.job.case.json')]);
    expect(r.code).toBe(0);
    expect(r.json).toMatchObject({ command: 'job run', status: 'SUCCESS', exitCode: 0, jobType: 'flow-sleep-example' });
    expect(r.json.runId).toMatch(/^\d{8}-\d{6}-job-run-[0-9a-f]{7}$/);
    expect(r.json.runDir).toBe(path.join(box.output, r.json.runId));
    expect(r.json.moduleResolutionPath).toBe(path.join(r.json.runDir, 'module_resolution.json'));
    expect(r.json.next[0].command).toBe(`dispatch job assert --run-id ${r.json.runId}`);
    expect(fs.readdirSync(r.json.runDir).sort()).toEqual(ARTIFACTS);
    const summary = JSON.parse(fs.readFileSync(r.json.summaryPath, 'utf8'));
    expect(summary).toMatchObject({ runId: r.json.runId, status: 'SUCCESS', run: { label: 'quick-start', firstSleepMs: 250 } });
    expect(summary.steps.map((s: any) => s.status)).toEqual(['SUCCESS', 'SUCCESS']);
    const resolved = JSON.parse(fs.readFileSync(path.join(r.json.runDir, 'job.case.resolved.json'), 'utf8'));
    expect(resolved.scenario.steps[1].payload).toEqual({ duration: 250 });
    const meta = JSON.parse(fs.readFileSync(path.join(r.json.runDir, 'meta.json'), 'utf8'));
    expect(meta).toMatchObject({ cliVersion: r.json.cliVersion, caseKind: 'case', node: process.version });
    const resolution = JSON.parse(fs.readFileSync(r.json.moduleResolutionPath, 'utf8'));
    expect(resolution.actions['flow.sleep']).toMatchObject({ module: 'flow', layer: 'builtin' });
    expect(fs.readdirSync(box.output).filter((n) => n.startsWith('.tmp'))).toEqual([]);
  });

  it('interpolates typed values, templates, escapes, env fallbacks, jsonpath, --set and captures', async () => {
    box.write(
      'i.job.case.json',
      job(
        [
          { id: 'src', action: 'testkit.shape', payload: {}, capture: { itemId: '$.response.items[1].id', gen: 'exports.generatedId' } },
          {
            id: 'use',
            action: 'testkit.echo',
            payload: {
              whole: '${step.src.response.id}',
              text: 'id=${step.src.response.id} ready=${step.src.response.ready}',
              obj: '${step.src.response.nested}',
              first: '${jsonpath(step:src, $.items[*].name)}',
              all: '${jsonpathAll(step:src, $.items[*].name)}',
              literal: 'cost $${price}',
              fallback: '${env.DISPATCH_TEST_NOT_SET:-plan-b}',
              captured: '${run.itemId}-${run.gen}',
              exported: '${step.src.exports.generatedId}',
              who: '${run.who}',
              n: '${run.count}',
            },
          },
        ],
        { inputs: { who: 'default', count: 1 } },
      ),
    );
    const r = await box.json(['job', 'run', '--case', 'i.job.case.json', '--set', 'who=agent', '--set', 'count=5']);
    expect(r.code).toBe(0);
    const steps = readJsonl(path.join(r.json.runDir, 'steps.jsonl'));
    expect(steps[1].response).toEqual({
      whole: 7,
      text: 'id=7 ready=true',
      obj: { deep: { value: 'x' } },
      first: 'a',
      all: ['a', 'b'],
      literal: 'cost ${price}',
      fallback: 'plan-b',
      captured: '2-gen-42',
      exported: 'gen-42',
      who: 'agent',
      n: 5,
    });
    expect(r.json.run).toMatchObject({ itemId: 2, gen: 'gen-42', who: 'agent', count: 5 });
    // The resolved job re-escapes literal ${ so it interpolates back to the same values.
    const resolved = JSON.parse(fs.readFileSync(path.join(r.json.runDir, 'job.case.resolved.json'), 'utf8'));
    expect(resolved.scenario.steps[1].payload.literal).toBe('cost $${price}');
  });

  it('records a failed step, stops the run and exits with the step error class', async () => {
    box.write(
      'f.job.case.json',
      job([
        { id: 'ok', action: 'flow.sleep', payload: { duration: 1 } },
        { id: 'bad', action: 'testkit.fail', payload: { exitCode: 3 } },
        { id: 'never', action: 'flow.sleep', payload: { duration: 1 } },
      ]),
    );
    const r = await box.json(['job', 'run', '--case', 'f.job.case.json']);
    expect(r.code).toBe(3);
    expect(r.json.status).toBe('FAILED');
    expect(r.json.error).toMatchObject({ code: 'TEST_FAIL', message: 'asked to fail' });
    expect(r.json.steps.map((s: any) => s.status)).toEqual(['SUCCESS', 'FAILED', 'SKIPPED']);
    expect(r.json.next[0].command).toBe('dispatch job run --case f.job.case.json');
    expect(fs.readdirSync(r.json.runDir).sort()).toEqual(ARTIFACTS);
    const summary = JSON.parse(fs.readFileSync(r.json.summaryPath, 'utf8'));
    expect(summary.error.code).toBe('TEST_FAIL');

    box.write('g.job.case.json', job([{ id: 'bad', action: 'testkit.fail', payload: { plain: true } }]));
    const internal = await box.json(['job', 'run', '--case', 'g.job.case.json']);
    expect(internal.code).toBe(1);
    expect(internal.json.error.code).toBe('INTERNAL');
    expect(internal.stderr).not.toMatch(/at .*\.js:\d+/);
  });

  it('fails a step whose reference resolves to nothing at run time with exit 2', async () => {
    box.write(
      'r.job.case.json',
      job([
        { id: 'src', action: 'testkit.shape', payload: {} },
        { id: 'use', action: 'testkit.echo', payload: { v: '${step.src.response.missing.field}' } },
      ]),
    );
    const r = await box.json(['job', 'run', '--case', 'r.job.case.json']);
    expect(r.code).toBe(2);
    expect(r.json.error.code).toBe('REFERENCE_UNRESOLVED');
    expect(r.json.error.message).toContain('step.src.response.missing.field');
    expect(r.json.error.message).toContain('$.scenario.steps[1].payload.v');
  });

  it('refuses an invalid job before any step runs (nothing recorded)', async () => {
    box.write('x.job.case.json', job([{ id: 'a', action: 'nope.nothing', payload: {} }]));
    const r = await box.json(['job', 'run', '--case', 'x.job.case.json']);
    expect(r.code).toBe(2);
    expect(r.json.status).toBe('ERROR');
    expect(r.json.error.code).toBe('JOB_INVALID');
    expect(r.json.error.details.errors[0].path).toBe('$.scenario.steps[0].action');
    expect(fs.existsSync(box.output) ? fs.readdirSync(box.output) : []).toEqual([]);
  });
});

describe('flow.poll', () => {
  const poll = (extra: Record<string, unknown>) => ({
    id: 'wait',
    action: 'flow.poll',
    payload: {
      action: 'testkit.tick',
      payload: {},
      intervalMs: 5,
      maxDurationMs: 5000,
      conditions: { mode: 'ALL', rules: [{ path: '$.state', op: 'eq', value: 'ready' }] },
      store: { finalCount: '$.count' },
      ...extra,
    },
  });

  it('polls until conditions hold, storing values, attempts and elapsed time', async () => {
    box.write('p.job.case.json', job([poll({})]));
    const r = await box.json(['job', 'run', '--case', 'p.job.case.json']);
    expect(r.code).toBe(0);
    const [step] = readJsonl(path.join(r.json.runDir, 'steps.jsonl'));
    expect(step.response).toEqual({ count: 3, state: 'ready' });
    expect(step.exports).toMatchObject({ finalCount: 3, attempts: 3 });
    expect(typeof step.exports.elapsedMs).toBe('number');
    const log = fs.readFileSync(path.join(r.json.runDir, 'activity.log'), 'utf8');
    expect(log.match(/poll attempt \d+/g)).toHaveLength(3);
  });

  it('retries transient inner failures', async () => {
    box.write('p.job.case.json', job([poll({ payload: { failUntil: 2 } })]));
    const r = await box.json(['job', 'run', '--case', 'p.job.case.json']);
    expect(r.code).toBe(0);
    const [step] = readJsonl(path.join(r.json.runDir, 'steps.jsonl'));
    expect(step.exports.attempts).toBe(3);
  });

  it('stops at once when failWhen holds (exit 2)', async () => {
    box.write('p.job.case.json', job([poll({ failWhen: { mode: 'ANY', rules: [{ path: '$.count', op: 'gte', value: 2 }] } })]));
    const r = await box.json(['job', 'run', '--case', 'p.job.case.json']);
    expect(r.code).toBe(2);
    expect(r.json.error.code).toBe('POLL_FAIL_WHEN');
    expect(r.json.error.details.attempts).toBe(2);
  });

  it('times out with exit 3, attempts, elapsed and the last response', async () => {
    box.write('p.job.case.json', job([poll({ maxDurationMs: 60, intervalMs: 20, conditions: { mode: 'ALL', rules: [{ path: '$.count', op: 'gt', value: 1000 }] } })]));
    const r = await box.json(['job', 'run', '--case', 'p.job.case.json']);
    expect(r.code).toBe(3);
    expect(r.json.error.code).toBe('POLL_TIMEOUT');
    expect(r.json.error.details.attempts).toBeGreaterThanOrEqual(1);
    expect(r.json.error.details.lastResponse).toHaveProperty('count');
    expect(typeof r.json.error.details.elapsedMs).toBe('number');
  });
});

describe('job assert', () => {
  it('passes, fails with exit 2, honours --expect-status, and 404s unknown runs', async () => {
    box.write(
      'a.job.case.json',
      job([{ id: 'src', action: 'testkit.shape', payload: {} }], {
        assertions: [
          { path: '$.steps.src.response.items[0].name', op: 'eq', value: 'a' },
          { path: '$.steps.src.response.id', op: 'gt', value: 5 },
        ],
      }),
    );
    const run = await box.json(['job', 'run', '--case', 'a.job.case.json']);
    const ok = await box.json(['job', 'assert', '--run-id', run.json.runId]);
    expect(ok.code).toBe(0);
    expect(ok.json).toMatchObject({ status: 'SUCCESS', passed: 3, failed: 0 });

    box.write('b.job.case.json', job([{ id: 'src', action: 'testkit.shape', payload: {} }], { assertions: [{ path: '$.steps.src.response.id', op: 'eq', value: 8 }] }));
    await box.json(['job', 'run', '--case', 'b.job.case.json']);
    const bad = await box.json(['job', 'assert', '--run-id', 'latest']);
    expect(bad.code).toBe(2);
    expect(bad.json.status).toBe('FAILED');
    expect(bad.json.error.code).toBe('ASSERTION_FAILED');
    expect(bad.json.results.find((x: any) => !x.pass)).toMatchObject({ path: '$.steps.src.response.id', actual: 7, expected: 8 });

    box.write('c.job.case.json', job([{ id: 'boom', action: 'testkit.fail', payload: {} }], { assertions: [{ path: '$.steps.boom.error.code', op: 'eq', value: 'TEST_FAIL' }] }));
    const failed = await box.json(['job', 'run', '--case', 'c.job.case.json']);
    expect((await box.json(['job', 'assert', '--run-id', failed.json.runId])).code).toBe(2);
    const expected = await box.json(['job', 'assert', '--run-id', failed.json.runId, '--expect-status', 'FAILED']);
    expect(expected.code).toBe(0);

    const unknown = await box.json(['job', 'assert', '--run-id', '20200101-000000-job-run-0000000']);
    expect(unknown.code).toBe(4);
    expect(unknown.json.next.map((n: any) => n.command)).toContain('dispatch job list');
  });
});

describe('interruption', () => {
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    it(`${signal} during a step records an INTERRUPTED run and exits promptly`, async () => {
      box.write(
        's.job.case.json',
        job([
          { id: 'long', action: 'flow.sleep', payload: { duration: '60s' } },
          { id: 'after', action: 'flow.sleep', payload: { duration: 1 } },
        ]),
      );
      const child = box.spawn(['job', 'run', '--case', 's.job.case.json', '--json']);
      let stdout = '';
      child.stdout!.on('data', (d) => (stdout += d));
      await stepStarted(box.output, 'long');
      child.kill(signal);
      const code = await new Promise<number>((resolve) => child.on('close', (c) => resolve(c ?? -1)));
      const env = JSON.parse(stdout);
      expect(env.status).toBe('INTERRUPTED');
      expect(code).toBe(3);
      expect(env.steps.map((s: any) => s.status)).toEqual(['INTERRUPTED', 'SKIPPED']);
      expect(fs.readdirSync(env.runDir).sort()).toEqual(ARTIFACTS);
      expect(JSON.parse(fs.readFileSync(env.summaryPath, 'utf8')).status).toBe('INTERRUPTED');
    });
  }
});

describe('a second interrupt', () => {
  it('exits at once and still leaves no half-written run folder, lock or temp file', async () => {
    const steps = Array.from({ length: 120 }, (_, i) => ({ id: `s${i}`, action: 'memory.store', payload: { namespace: 'bulk', key: `k${i}`, value: { i, pad: 'x'.repeat(2000) } } }));
    box.write('bulk.job.seed.json', job(steps));
    for (const after of [5, 30]) {
      const before = new Set(runFolders(box.output));
      const child = box.spawn(['job', 'run', '--case', 'bulk.job.seed.json', '--json']);
      child.stdout!.resume();
      child.stderr!.resume();
      const exited = new Promise((resolve) => child.on('exit', resolve));
      await until(() => runFolders(box.output).some((d) => !before.has(d) && stepsRecorded(d) >= after), `${after} stored steps`);
      child.kill('SIGINT');
      // The second signal once the first was taken (a pending SIGINT would merge with it): the
      // step it interrupted is recorded as INTERRUPTED, or the run has already ended.
      await until(
        () => child.exitCode !== null || runFolders(box.output).some((d) => !before.has(d) && fs.readFileSync(path.join(d, 'steps.jsonl'), 'utf8').includes('"INTERRUPTED"')),
        'the first signal to be handled',
        10_000,
      ).catch(() => undefined);
      child.kill('SIGINT');
      await exited;
      const leftovers = fs.existsSync(box.output) ? fs.readdirSync(box.output).filter((n) => n.startsWith('.tmp')) : [];
      expect(leftovers).toEqual([]);
      const memDir = path.join(box.home, 'memory');
      if (fs.existsSync(memDir)) {
        expect(fs.readdirSync(memDir).filter((n) => /lock|tmp/.test(n))).toEqual([]);
        if (fs.existsSync(path.join(memDir, 'bulk.json'))) expect(() => JSON.parse(fs.readFileSync(path.join(memDir, 'bulk.json'), 'utf8'))).not.toThrow();
      }
    }
  });
});

describe('redaction across a batch', () => {
  it('keeps a credential value out of the batch record and batch-inspect, even where the env var is unset', async () => {
    const secret = 'hunter2-batch-secret';
    box.write(
      'b.job.case.json',
      job([{ id: 'bad', action: 'testkit.fail', credential: 'svc', payload: { message: 'refused token=${env.DISPATCH_TEST_BATCH_PASS}' } }], {
        credentials: { svc: { fromEnv: { password: 'DISPATCH_TEST_BATCH_PASS' } } },
      }),
    );
    const r = await box.json(['job', 'run-many', '--case', 'b.job.case.json', '--count', '2', '--concurrency', '2'], { env: { DISPATCH_TEST_BATCH_PASS: secret } });
    expect(r.code).toBe(2);
    const record = fs.readFileSync(r.json.batchPath, 'utf8');
    expect(record).toContain('[REDACTED]');
    expect(record).not.toContain(secret);
    const inspect = await box.run(['job', 'batch-inspect', '--batch-id', 'latest']);
    expect(inspect.stdout + inspect.stderr).not.toContain(secret);
  });
});
