import fs from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { job, sandbox, type Sandbox } from '../support/cli.js';
import { startSuiteApi, suiteEnv, writeSuite, type SuiteApi } from '../support/suite-fixtures.js';

// job merge and job export --batch-id: the shards of a CI matrix, each in its own run output
// folder (as separate CI jobs leave them), handed over as folders or archives and gathered into
// one batch that reports and gates read like any other.

let api: SuiteApi;
let box: Sandbox;
beforeAll(async () => {
  api = await startSuiteApi();
});
afterAll(() => api.close());
beforeEach(() => {
  box = sandbox('dispatch-merge-', { inProcess: true });
  writeSuite(box, api.url);
});
afterEach(() => box.cleanup());

/** Runs a command with its own run output folder, as one CI job of a matrix would. */
const inShard = (dir: string, args: string[]) => box.json(args, { env: { ...suiteEnv, DISPATCH_RUN_OUTPUT: path.join(box.cwd, dir) } });

describe('job merge', () => {
  it('gathers suite shards from folders and an archive into one batch that reports like an unsharded suite', async () => {
    const shards = [];
    for (const i of [1, 2, 3]) shards.push(await inShard(`shard-${i}`, ['job', 'test', '--shard', `${i}/3`]));
    expect(shards.map((s) => s.json.count)).toEqual([2, 2, 2]);
    const exported = await inShard('shard-1', ['job', 'export', '--batch-id', 'latest', '--out', 'shard-1.zip']);
    expect(exported.json).toMatchObject({ status: 'SUCCESS', batchId: shards[0].json.batchId, runs: 2 });

    const merged = await box.json(['job', 'merge', 'shard-1.zip', 'shard-2', 'shard-3', '--reporter', 'junit=merged.xml']);
    expect(merged.json).toMatchObject({ command: 'job merge', status: 'FAILED', exitCode: 2, kind: 'suite', count: 6, notStarted: 0, imported: 5, alreadyHere: 0 });
    expect(merged.json.mergedFrom).toEqual(shards.map((s) => s.json.batchId).sort());
    expect(merged.json.sources.map((s: { kind: string }) => s.kind)).toEqual(['archive', 'folder', 'folder']);
    const record = JSON.parse(fs.readFileSync(merged.json.batchPath, 'utf8'));
    expect(record.runs.map((r: { index: number }) => r.index)).toEqual([0, 1, 2, 3, 4, 5]);
    for (const runId of record.runIds) expect(fs.existsSync(path.join(box.output, runId, 'summary.json')), runId).toBe(true);

    // The same verdicts as one unsharded run of the suite.
    const whole = await box.json(['job', 'test'], { env: suiteEnv });
    const report = (batchId: string) => box.json(['job', 'report', '--batch-id', batchId, '--format', 'json']);
    const a = (await report(merged.json.batchId)).json.report;
    const b = (await report(whole.json.batchId)).json.report;
    const verdicts = (m: { cases: Array<{ name: string; passed: boolean; runStatus: string }> }) => m.cases.map((c) => [c.name, c.passed, c.runStatus]);
    expect(verdicts(a)).toEqual(verdicts(b));
    expect(a.totals).toEqual(b.totals);
    expect(fs.readFileSync(path.join(box.cwd, 'merged.xml'), 'utf8')).toContain(`name="dispatch suite ${merged.json.batchId}"`);
    const gate = await box.json(['job', 'assert', '--batch-id', merged.json.batchId]);
    expect(gate.json).toMatchObject({ status: 'FAILED', passedRuns: 3, failedRuns: 3 });

    // Merging again keeps the runs already here and writes another batch.
    const again = await box.json(['job', 'merge', 'shard-1.zip', 'shard-2', 'shard-3']);
    expect(again.json).toMatchObject({ imported: 0, alreadyHere: 5 });
    expect(again.json.batchId).not.toBe(merged.json.batchId);
  });

  it('counts a shard no source holds as not started', async () => {
    await inShard('s1', ['job', 'test', '--shard', '1/3']);
    await inShard('s3', ['job', 'test', '--shard', '3/3']);
    const merged = await box.json(['job', 'merge', 's1', 's3']);
    expect(merged.json).toMatchObject({ status: 'FAILED', count: 6, notStarted: 2 });
    expect(merged.json.warnings[0].message).toContain('shard(s) 2');
  });

  it('merges run-many shards of one job into a passing batch', async () => {
    box.write('ok.job.case.json', job([{ id: 'get', action: 'http.request', payload: { path: '/ok' } }], { jobType: 'many-ok', http: { baseUrl: api.url } }));
    for (const i of [1, 2]) await inShard(`m${i}`, ['job', 'run-many', '--case', 'ok.job.case.json', '--count', '5', '--shard', `${i}/2`]);
    const merged = await box.json(['job', 'merge', 'm1', 'm2']);
    expect(merged.json).toMatchObject({ status: 'SUCCESS', exitCode: 0, jobType: 'many-ok', count: 5, counts: { SUCCESS: 5 }, notStarted: 0, imported: 5 });
    const exported = await box.json(['job', 'export', '--batch-id', merged.json.batchId, '--out', 'all.zip']);
    expect(exported.json).toMatchObject({ runs: 5, files: 1 + 5 * 8 });
    // A batch archive is for merge; import says so instead of half-importing it.
    const imp = await box.json(['job', 'import', '--file', 'all.zip']);
    expect(imp.json).toMatchObject({ status: 'ERROR', exitCode: 2, error: { code: 'RUN_ARCHIVE_INVALID' } });
    expect(imp.json.error.hint).toContain('dispatch job merge');
  });

  it('refuses sources it cannot merge before writing anything', async () => {
    const missing = await box.json(['job', 'merge', 'nowhere']);
    expect(missing.json).toMatchObject({ status: 'ERROR', exitCode: 4, error: { code: 'MERGE_SOURCE_NOT_FOUND' } });
    fs.mkdirSync(path.join(box.cwd, 'empty'));
    const empty = await box.json(['job', 'merge', 'empty']);
    expect(empty.json).toMatchObject({ status: 'ERROR', exitCode: 2, error: { code: 'MERGE_NO_BATCH' } });
    box.write('ok.job.case.json', job([{ id: 'get', action: 'http.request', payload: { path: '/ok' } }], { http: { baseUrl: api.url } }));
    await inShard('suite', ['job', 'test', 'jobs/a-ok.job.case.json']);
    await inShard('many', ['job', 'run-many', '--case', 'ok.job.case.json']);
    const mixed = await box.json(['job', 'merge', 'suite', 'many']);
    expect(mixed.json).toMatchObject({ status: 'ERROR', exitCode: 2, error: { code: 'MERGE_MIXED' } });
    box.write('bad/batches/20260101-000000-batch-abcdef0.json', { batchId: 'x' });
    const corrupt = await box.json(['job', 'merge', 'bad']);
    expect(corrupt.json).toMatchObject({ status: 'ERROR', exitCode: 2, error: { code: 'BATCH_RECORD_CORRUPT' } });
    expect(fs.existsSync(box.output)).toBe(false);
    const none = await box.json(['job', 'merge']);
    expect(none.json).toMatchObject({ status: 'ERROR', exitCode: 2 });
  });
});
