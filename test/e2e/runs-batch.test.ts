import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readJsonl, sandbox, type Sandbox } from '../support/cli.js';
import { startBatchServer, writeBatchJob, writeWebModule, type BatchServer } from './runs-batch-helpers.js';

let box: Sandbox;
let server: BatchServer;
let env: Record<string, string>;
beforeEach(async () => {
  box = sandbox(undefined, { inProcess: true });
  writeWebModule(box);
  server = await startBatchServer();
  env = { BATCH_BASE_URL: server.url };
});
afterEach(async () => {
  await server.close();
  box.cleanup();
});

describe('job run-many', () => {
  it('runs independent runs, each with its own cookie jar, run.index and run.batchId', async () => {
    const file = writeBatchJob(box);
    const r = await box.json(['job', 'run-many', '--case', file, '--count', '6', '--concurrency', '3'], { env });
    expect(r.code).toBe(0);
    const { batchId, batchPath, runIds } = r.json;
    expect(r.json).toMatchObject({ command: 'job run-many', status: 'SUCCESS', exitCode: 0, jobType: 'batch-cookies', count: 6, concurrency: 3, notStarted: 0 });
    expect(batchId).toMatch(/^\d{8}-\d{6}-batch-[0-9a-f]{7}$/);
    expect(r.json.counts).toEqual({ SUCCESS: 6, FAILED: 0, INTERRUPTED: 0 });
    expect(runIds).toHaveLength(6);
    expect(new Set(runIds).size).toBe(6);
    expect(batchPath).toBe(path.join(box.output, 'batches', `${batchId}.json`));

    runIds.forEach((runId: string, index: number) => {
      expect(runId).toMatch(/-job-run-many-[0-9a-f]{7}$/);
      const dir = path.join(box.output, runId);
      const meta = JSON.parse(fs.readFileSync(path.join(dir, 'meta.json'), 'utf8'));
      expect(meta).toMatchObject({ batchId, batchIndex: index });
      const summary = JSON.parse(fs.readFileSync(path.join(dir, 'summary.json'), 'utf8'));
      expect(summary.run).toMatchObject({ index, batchId });
      // The cookie set at login in this run, and only that one, came back on whoami.
      const whoami = readJsonl(path.join(dir, 'steps.jsonl')).find((s) => s.id === 'whoami');
      expect(whoami.response.seen).toBe(`sid=s-${batchId}-${index}`);
      expect(summary.run.seen).toBe(`sid=s-${batchId}-${index}`);
    });
    expect(server.whoami.map((w) => w.cookie).sort()).toEqual(runIds.map((_: string, i: number) => `sid=s-${batchId}-${i}`).sort());
    expect(r.json.next.map((n: any) => n.command)).toContain(`dispatch job batch-inspect --batch-id ${batchId}`);
  });

  it('writes the batch record with counts, run ids in index order and durations', async () => {
    const file = writeBatchJob(box);
    const r = await box.json(['job', 'run-many', '--case', file, '--count', '5', '--concurrency', '9'], { env });
    expect(r.code).toBe(0);
    const record = JSON.parse(fs.readFileSync(r.json.batchPath, 'utf8'));
    expect(record).toMatchObject({ batchId: r.json.batchId, casePath: file, jobType: 'batch-cookies', count: 5, concurrency: 5, notStarted: 0, outcome: { status: 'SUCCESS', exitCode: 0 } });
    expect(record.counts).toEqual({ SUCCESS: 5, FAILED: 0, INTERRUPTED: 0 });
    expect(record.runIds).toEqual(r.json.runIds);
    expect(record.runs.map((x: any) => [x.index, x.runId, x.status, x.exitCode])).toEqual(r.json.runIds.map((id: string, i: number) => [i, id, 'SUCCESS', 0]));
    const d = record.durations;
    const all = record.runs.map((x: any) => x.durationMs);
    expect(d.min).toBe(Math.min(...all));
    expect(d.max).toBe(Math.max(...all));
    expect(d.min).toBeLessThanOrEqual(d.p50);
    expect(d.p50).toBeLessThanOrEqual(d.p95);
    expect(d.p95).toBeLessThanOrEqual(d.max);
    expect(Date.parse(record.finishedAt)).toBeGreaterThanOrEqual(Date.parse(record.startedAt));
    expect(fs.readdirSync(path.dirname(r.json.batchPath))).toEqual([`${r.json.batchId}.json`]);
  });

  it('fails with the transient class when only index 2 hits a 503', async () => {
    const file = writeBatchJob(box);
    const r = await box.json(['job', 'run-many', '--case', file, '--count', '4', '--concurrency', '2'], { env: { ...env, BATCH_FAIL_MODE: 'transient' } });
    expect(r.code).toBe(3);
    expect(r.json).toMatchObject({ status: 'FAILED', exitCode: 3, counts: { SUCCESS: 3, FAILED: 1, INTERRUPTED: 0 } });
    expect(r.json.error.code).toBe('BATCH_FAILED');
    expect(r.json.failures).toHaveLength(1);
    expect(r.json.failures[0]).toMatchObject({ index: 2, status: 'FAILED', exitCode: 3, runId: r.json.runIds[2] });
    const commands = r.json.next.map((n: any) => n.command);
    expect(commands).toContain(`dispatch job inspect --run-id ${r.json.runIds[2]}`);
    expect(commands).toContain(`dispatch job assert --run-id ${r.json.runIds[2]}`);
    expect(commands[0]).toMatch(/^dispatch job run-many --case /);
    const record = JSON.parse(fs.readFileSync(r.json.batchPath, 'utf8'));
    expect(record.outcome).toEqual({ status: 'FAILED', exitCode: 3 });
    expect(record.runs[2]).toMatchObject({ status: 'FAILED', exitCode: 3 });
  });

  it.each([
    ['mixed', 2],
    ['missing', 4],
  ])('reports the most severe class when runs fail differently (%s -> %i)', async (mode, code) => {
    const file = writeBatchJob(box);
    const r = await box.json(['job', 'run-many', '--case', file, '--count', '4', '--concurrency', '4'], { env: { ...env, BATCH_FAIL_MODE: mode } });
    expect(r.code).toBe(code);
    expect(r.json.counts).toEqual({ SUCCESS: 2, FAILED: 2, INTERRUPTED: 0 });
    expect(r.json.failures.map((f: any) => [f.index, f.exitCode])).toEqual([
      [1, code],
      [2, 3],
    ]);
  });

  it('refuses bad --count and --concurrency values with exit 2 before running anything', async () => {
    const file = writeBatchJob(box);
    for (const args of [
      ['--count', '0'],
      ['--count', 'abc'],
      ['--count', '10001'],
      ['--concurrency', '0'],
      ['--concurrency', '257'],
      ['--count', '2.5'],
    ]) {
      const r = await box.json(['job', 'run-many', '--case', file, ...args], { env });
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.json.error.code).toBe('BAD_OPTION');
    }
    expect(fs.existsSync(box.output)).toBe(false);
  });

  it('validates the job once and runs nothing when it is invalid', async () => {
    const file = writeBatchJob(box);
    const r = await box.json(['job', 'run-many', '--case', file, '--count', '3'], { env: {} });
    expect(r.code).toBe(2);
    expect(r.json.error.code).toBe('JOB_INVALID');
    expect(fs.existsSync(box.output)).toBe(false);
  });

  it('checks memory dependencies once, before any run starts', async () => {
    box.write('needs.job.case.json', {
      schemaVersion: 1,
      jobType: 'needs-memory',
      dependencies: { memory: [{ namespace: 'refs', key: 'user' }] },
      scenario: { steps: [{ id: 'a', action: 'memory.recall', payload: { namespace: 'refs', key: 'user' } }] },
    });
    const r = await box.json(['job', 'run-many', '--case', 'needs.job.case.json', '--count', '3']);
    expect(r.code).toBe(4);
    expect(r.json.error.code).toBe('MEMORY_DEPENDENCY_MISSING');
    expect(fs.readdirSync(box.output).filter((n) => n !== 'batches')).toEqual([]);
  });
});

describe('job batch-inspect', () => {
  it('reads a batch by id and as latest', async () => {
    const file = writeBatchJob(box);
    const first = await box.json(['job', 'run-many', '--case', file, '--count', '2'], { env });
    const second = await box.json(['job', 'run-many', '--case', file, '--count', '3', '--concurrency', '3'], { env: { ...env, BATCH_FAIL_MODE: 'transient' } });
    const byId = await box.json(['job', 'batch-inspect', '--batch-id', first.json.batchId]);
    expect(byId.code).toBe(0);
    expect(byId.json).toMatchObject({ command: 'job batch-inspect', status: 'SUCCESS', batchId: first.json.batchId, count: 2, runIds: first.json.runIds, outcome: { status: 'SUCCESS', exitCode: 0 } });
    const latest = await box.json(['job', 'batch-inspect', '--batch-id', 'latest']);
    expect(latest.json).toMatchObject({ batchId: second.json.batchId, batchPath: second.json.batchPath, outcome: { status: 'FAILED', exitCode: 3 } });
    expect(latest.json.runs).toHaveLength(3);
    expect(latest.json.next.map((n: any) => n.command)).toContain(`dispatch job inspect --run-id ${second.json.runIds[2]}`);
  });

  it('exits 4 with a working next[] for unknown or malformed batch ids', async () => {
    for (const id of ['20200101-000000-batch-0000000', '../../etc/passwd', 'latest']) {
      const r = await box.json(['job', 'batch-inspect', '--batch-id', id]);
      expect(r.code, id).toBe(4);
      expect(r.json.error.code).toBe('BATCH_NOT_FOUND');
      // no batch exists yet: the jobs that could be run as one
      expect(r.json.next.map((n: any) => n.command)).toContain('dispatch job cases');
    }
  });

  it('refuses a hand-edited batch record with exit 2, naming the file and the field, for inspect and report', async () => {
    const file = writeBatchJob(box);
    const run = await box.json(['job', 'run-many', '--case', file, '--count', '2'], { env });
    const batchPath = run.json.batchPath as string;
    const good = JSON.parse(fs.readFileSync(batchPath, 'utf8'));
    const cases: Array<[string, string]> = [
      [JSON.stringify({ __proto__: null, ...good, runs: 'gone' }), '$.runs'],
      [`{"__proto__": {"polluted": true}, "batchId": "${good.batchId}"}`, '$.casePath'],
      [JSON.stringify({ ...good, runs: [{ ...good.runs[0], status: 'MAYBE' }] }), '$.runs[0].status'],
    ];
    for (const [text, where] of cases) {
      fs.writeFileSync(batchPath, text);
      for (const args of [
        ['job', 'batch-inspect', '--batch-id', good.batchId],
        ['job', 'report', '--batch-id', good.batchId, '--format', 'junit'],
      ]) {
        const r = await box.json(args);
        expect(r.code, `${args[1]} ${where}`).toBe(2);
        expect(r.json.error.code).toBe('BATCH_RECORD_CORRUPT');
        expect(r.json.error.message).toContain(batchPath);
        expect(r.json.error.message).toContain(where);
      }
    }
    // the record is left as it was: nothing rewrites it
    expect(fs.readFileSync(batchPath, 'utf8')).toBe(cases[2][0]);
  });
});
