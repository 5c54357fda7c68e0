import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { job, sandbox, type Sandbox } from '../support/cli.js';
import { writeTestModule } from '../support/fixtures.js';

let box: Sandbox;
beforeEach(() => {
  box = sandbox(undefined, { inProcess: true });
  writeTestModule(box);
  box.write('ok.job.case.json', job([{ id: 'say', action: 'testkit.echo', payload: { n: '${run.n}' } }], { jobType: 'echo-job', inputs: { n: 0 } }));
  box.write('bad.job.case.json', job([{ id: 'boom', action: 'testkit.fail', payload: { exitCode: 2 } }], { jobType: 'fail-job' }));
});
afterEach(() => box.cleanup());

async function runJob(file: string, n?: number): Promise<string> {
  const r = await box.json(['job', 'run', '--case', file, ...(n === undefined ? [] : ['--set', `n=${n}`])]);
  expect(r.json.runId).toBeTruthy();
  return r.json.runId;
}

describe('job list', () => {
  it('lists finished runs newest first and honours --limit', async () => {
    const ids = [await runJob('ok.job.case.json', 1), await runJob('bad.job.case.json'), await runJob('ok.job.case.json', 3)];
    const all = await box.json(['job', 'list']);
    expect(all.code).toBe(0);
    expect(all.json).toMatchObject({ command: 'job list', status: 'SUCCESS', total: 3, count: 3 });
    expect(all.json.runs.map((r: any) => r.runId)).toEqual([...ids].reverse());
    expect(all.json.runs[1]).toMatchObject({ status: 'FAILED', jobType: 'fail-job', errorCode: 'TEST_FAIL', casePath: 'bad.job.case.json', runDir: path.join(box.output, ids[1]) });
    expect(all.json.runs[0]).toMatchObject({ status: 'SUCCESS', jobType: 'echo-job' });
    expect(all.json.runs[0].errorCode).toBeUndefined();
    expect(all.json.next[0].command).toBe(`dispatch job inspect --run-id ${ids[2]}`);

    const two = await box.json(['job', 'list', '--limit', '2']);
    expect(two.json.runs.map((r: any) => r.runId)).toEqual([ids[2], ids[1]]);
    expect(two.json).toMatchObject({ total: 3, count: 2, limit: 2 });
  });

  it('ignores unfinished .tmp-* folders, the batches folder and stray files', async () => {
    const id = await runJob('ok.job.case.json');
    const tmp = path.join(box.output, '.tmp-20991231-235959-job-run-abcdef0');
    fs.mkdirSync(tmp);
    fs.writeFileSync(path.join(tmp, 'summary.json'), JSON.stringify({ runId: 'x', status: 'SUCCESS', startedAt: '2099-12-31T23:59:59.000Z' }));
    fs.mkdirSync(path.join(box.output, 'batches'));
    fs.writeFileSync(path.join(box.output, 'notes.txt'), 'not a run');
    const r = await box.json(['job', 'list']);
    expect(r.json.runs.map((x: any) => x.runId)).toEqual([id]);
    expect(r.json.total).toBe(1);
  });

  it('answers an empty list, not an error, when nothing ran', async () => {
    const r = await box.json(['job', 'list']);
    expect(r.code).toBe(0);
    expect(r.json).toMatchObject({ runs: [], total: 0, count: 0 });
    expect(r.json.next[0].command).toBe('dispatch job cases');
  });

  it('refuses a bad --limit with exit 2', async () => {
    for (const limit of ['0', '-1', 'ten', '10001']) {
      const r = await box.json(['job', 'list', '--limit', limit]);
      expect(r.code, limit).toBe(2);
      expect(r.json.error.code).toBe('BAD_OPTION');
    }
  });
});

describe('job latest', () => {
  it('exits 4 pointing at job list when nothing ran', async () => {
    const r = await box.json(['job', 'latest']);
    expect(r.code).toBe(4);
    expect(r.json.error.code).toBe('RUN_NOT_FOUND');
    expect(r.json.next.map((n: any) => n.command)).toEqual(['dispatch job list', 'dispatch job cases']);
  });

  it('shows the newest run with its status, summary and artifact paths', async () => {
    await runJob('ok.job.case.json');
    const id = await runJob('bad.job.case.json');
    const r = await box.json(['job', 'latest']);
    expect(r.code).toBe(0);
    expect(r.json).toMatchObject({ status: 'SUCCESS', runId: id, runStatus: 'FAILED', jobType: 'fail-job', runDir: path.join(box.output, id) });
    expect(r.json.summary).toMatchObject({ runId: id, status: 'FAILED', error: { code: 'TEST_FAIL' } });
    for (const p of Object.values(r.json.paths) as string[]) expect(fs.existsSync(p), p).toBe(true);
    expect(r.json.paths.summary).toBe(path.join(box.output, id, 'summary.json'));
    expect(r.json.next.map((n: any) => n.command)).toContain(`dispatch job inspect --run-id ${id}`);
  });
});
