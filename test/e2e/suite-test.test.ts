import fs from 'node:fs';
import path from 'node:path';
import { XMLParser } from 'fast-xml-parser';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { sandbox, type Sandbox } from '../support/cli.js';
import { startSuiteApi, SUITE_TOKEN, suiteEnv, writeSuite, type SuiteApi } from '../support/suite-fixtures.js';

// dispatch job test: a suite of job cases against a real loopback API, its batch record, exit
// classes, --fail-fast, --shard, the human view and the --reporter files.

let api: SuiteApi;
let box: Sandbox;
let cases: ReturnType<typeof writeSuite>;
beforeAll(async () => {
  api = await startSuiteApi();
});
afterAll(() => api.close());
beforeEach(() => {
  box = sandbox('dispatch-suite-', { inProcess: true });
  cases = writeSuite(box, api.url);
});
afterEach(() => box.cleanup());

const test = (args: string[]) => box.json(['job', 'test', ...args], { env: suiteEnv });
const byPath = (list: Array<{ casePath: string }>): Record<string, any> => Object.fromEntries(list.map((c) => [c.casePath, c]));

describe('dispatch job test', () => {
  it('runs every job case of ./jobs once, checks its assertions and records one suite batch', async () => {
    const r = await test(['--concurrency', '3']);
    // An assertion failure and an invalid job (2) outrank a 404 (4).
    expect(r.json).toMatchObject({ command: 'job test', status: 'FAILED', exitCode: 2, kind: 'suite', count: 6, passed: 3, failed: 3, notStarted: 0, error: { code: 'SUITE_FAILED' } });
    expect(r.code).toBe(2);
    expect(r.json.cases.map((c: { casePath: string }) => c.casePath)).toEqual(Object.values(cases));
    const got = byPath(r.json.cases);
    expect(got[cases.ok]).toMatchObject({ passed: true, exitCode: 0, runStatus: 'SUCCESS', jobType: 'suite-ok', assertions: { passed: 2, failed: 0 } });
    expect(got[cases.nested]).toMatchObject({ passed: true, assertions: { passed: 2, failed: 0 } });
    expect(got[cases.secret]).toMatchObject({ passed: true });
    expect(got[cases.assertFails]).toMatchObject({ passed: false, exitCode: 2, runStatus: 'SUCCESS', assertions: { passed: 2, failed: 1 } });
    expect(got[cases.assertFails].failedRules[0].path).toBe('$.steps.get.response.body.items[0]');
    expect(got[cases.notFound]).toMatchObject({ passed: false, exitCode: 4, runStatus: 'FAILED', failedStep: 'get', error: { code: 'HTTP_STATUS' } });
    expect(got[cases.invalid]).toMatchObject({ passed: false, exitCode: 2, runId: null, runStatus: 'NOT_RUN', error: { code: 'JOB_INVALID' } });

    // The record: kind suite, each case with its run id, run status and assertion result.
    const record = JSON.parse(fs.readFileSync(r.json.batchPath, 'utf8'));
    expect(record).toMatchObject({ kind: 'suite', casePath: 'jobs', count: 6, outcome: { status: 'FAILED', exitCode: 2 }, counts: { SUCCESS: 4, FAILED: 2, INTERRUPTED: 0 } });
    expect(record.runs.map((x: { casePath: string }) => x.casePath)).toEqual(Object.values(cases));
    const meta = JSON.parse(fs.readFileSync(path.join(box.output, got[cases.ok].runId, 'meta.json'), 'utf8'));
    expect(meta).toMatchObject({ batchId: r.json.batchId, batchIndex: 0 });

    // job assert --batch-id reaches the same verdict later, offline.
    const again = await box.json(['job', 'assert', '--batch-id', r.json.batchId]);
    expect(again.json).toMatchObject({ status: 'FAILED', exitCode: 2, passedRuns: 3, failedRuns: 3 });
  });

  it('takes files, folders and quoted globs, each case once, and names what it cannot find', async () => {
    const r = await test([cases.ok, 'jobs/sub', 'jobs/[ac]-*.job.case.json', 'jobs/template.job.seed.json']);
    expect(r.json).toMatchObject({ status: 'SUCCESS', exitCode: 0, count: 4, passed: 4 });
    expect(r.json.cases.map((c: { casePath: string }) => c.casePath)).toEqual([cases.ok, cases.secret, 'jobs/sub/b-nested.job.case.json', 'jobs/template.job.seed.json'].sort());

    const missing = await test(['jobs/nope.job.case.json']);
    expect(missing.json).toMatchObject({ status: 'ERROR', exitCode: 4, error: { code: 'CASE_NOT_FOUND' } });
    const noMatch = await test(['jobs/**/*.nothing.job.case.json']);
    expect(noMatch.json).toMatchObject({ status: 'ERROR', exitCode: 4, error: { code: 'NO_JOB_CASES' } });
    box.write('notes.txt', 'hello');
    const notJob = await test(['notes.txt']);
    expect(notJob.json).toMatchObject({ status: 'ERROR', exitCode: 2, error: { code: 'NOT_A_JOB_FILE' } });
    const badReporter = await test(['--reporter', 'tap']);
    expect(badReporter.json).toMatchObject({ status: 'ERROR', exitCode: 2, error: { code: 'BAD_OPTION' } });
    expect(fs.existsSync(path.join(box.output, 'batches'))).toBe(true); // only the first call above ran a suite
    expect(fs.readdirSync(path.join(box.output, 'batches'))).toHaveLength(1);
  });

  it('exits with the class of the failure: a 404 alone is 4', async () => {
    const r = await test([cases.ok, cases.notFound]);
    expect(r.json).toMatchObject({ status: 'FAILED', exitCode: 4, passed: 1, failed: 1 });
  });

  it('--fail-fast starts no case after the first failure', async () => {
    const r = await test(['--fail-fast', '--concurrency', '1']);
    // Sorted: a-ok passes, c-secret passes, d-assert-fails fails; the rest never start.
    expect(r.json).toMatchObject({ status: 'FAILED', exitCode: 2, count: 6, passed: 2, failed: 1, notStarted: 3 });
    const record = JSON.parse(fs.readFileSync(r.json.batchPath, 'utf8'));
    expect(record).toMatchObject({ failFast: true, notStarted: 3 });
    expect(record.runs).toHaveLength(3);
  });

  it('--shard i/n splits the sorted cases without overlap', async () => {
    const shards = [];
    for (const i of [1, 2, 3]) shards.push(await test(['--shard', `${i}/3`]));
    const slices = shards.map((s) => s.json.cases.map((c: { casePath: string }) => c.casePath));
    expect(slices).toEqual([
      [cases.ok, cases.notFound],
      [cases.secret, cases.invalid],
      [cases.assertFails, cases.nested],
    ]);
    expect(shards.map((s) => s.json.shard)).toEqual([1, 2, 3].map((index) => ({ index, total: 3, batchCount: 6 })));
    expect(shards.map((s) => s.json.cases.map((c: { index: number }) => c.index))).toEqual([
      [0, 3],
      [1, 4],
      [2, 5],
    ]);
  });

  it('prints one line per case and the failures expanded after them', async () => {
    const r = await box.run(['job', 'test'], { env: suiteEnv });
    expect(r.code).toBe(2);
    const lines = r.stdout.split('\n');
    for (const c of Object.values(cases))
      expect(
        lines.some((l) => l.includes(c) && /^[✓✗] /.test(l)),
        c,
      ).toBe(true);
    const failures = r.stdout.slice(r.stdout.indexOf('Failures (3)'));
    expect(failures).toContain(`✗ ${cases.assertFails}`);
    expect(failures).toContain('$.steps.get.response.body.items[0]');
    expect(failures).toContain('step get: HTTP_STATUS');
    expect(failures).toContain('JOB_INVALID');
    expect(r.stdout).toMatch(/FAILED 3 passed, 3 failed of 6 case\(s\)/);
  });

  it('writes junit, json and html reports, with no secret in any of them', async () => {
    const r = await test(['--reporter', 'junit=out/junit.xml', '--reporter', 'json=out/suite.json', '--reporter', 'html']);
    expect(r.json.exitCode).toBe(2);
    const reports = Object.fromEntries(r.json.reports.map((x: { format: string; path: string }) => [x.format, x.path]));
    expect(reports.junit).toBe(path.join(box.cwd, 'out/junit.xml'));
    expect(reports.html).toBe(path.join(box.output, 'reports', `${r.json.batchId}.html`));

    // json is the command's own envelope, as --json printed it.
    const envelope = JSON.parse(fs.readFileSync(reports.json, 'utf8'));
    expect(envelope).toMatchObject({ command: 'job test', status: 'FAILED', exitCode: 2, batchId: r.json.batchId, passed: 3, failed: 3 });

    // JUnit: a testsuite per case, a testcase per step and per assertion.
    const doc = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '', isArray: (name) => ['testsuite', 'testcase', 'property'].includes(name) }).parse(
      fs.readFileSync(reports.junit, 'utf8'),
    );
    const suites = doc.testsuites.testsuite as Array<{ name: string; tests: string; failures: string; errors: string; testcase: Array<{ name: string; failure?: unknown }> }>;
    expect(doc.testsuites).toMatchObject({ name: `dispatch suite ${r.json.batchId}` });
    expect(suites.map((s) => s.name)).toEqual(Object.values(cases));
    const fails = suites.find((s) => s.name === cases.assertFails)!;
    expect(fails.testcase.map((t) => [t.name, t.failure !== undefined])).toEqual([
      ['get', false],
      ['assert $.status eq "SUCCESS"', false],
      ['assert $.steps.get.response.body.name eq "ok"', false],
      ['assert $.steps.get.response.body.items[0] eq 5', true],
    ]);
    const invalid = suites.find((s) => s.name === cases.invalid)!;
    expect(invalid).toMatchObject({ tests: '1', errors: '1' });

    // Every artifact of the suite: records, batch record and reports. The token is nowhere.
    const files = [...walk(box.output), ...walk(path.join(box.cwd, 'out'))];
    expect(files.length).toBeGreaterThan(10);
    for (const f of files) {
      const text = fs.readFileSync(f, 'utf8');
      for (const form of [SUITE_TOKEN, Buffer.from(SUITE_TOKEN).toString('base64'), encodeURIComponent(SUITE_TOKEN)]) expect(text.includes(form), f).toBe(false);
    }
    expect(r.stdout.includes(SUITE_TOKEN)).toBe(false);
  });

  it('renders the same reports offline from the suite record with job report', async () => {
    const r = await test(['--reporter', 'junit=live.xml']);
    const junit = await box.json(['job', 'report', '--batch-id', r.json.batchId, '--format', 'junit', '--out', 'later.xml']);
    expect(junit.json).toMatchObject({ status: 'SUCCESS', kind: 'suite', passed: false, totals: { cases: 6, passedCases: 3, failedCases: 3 } });
    expect(fs.readFileSync(path.join(box.cwd, 'later.xml'), 'utf8')).toBe(fs.readFileSync(path.join(box.cwd, 'live.xml'), 'utf8'));
    const json = await box.json(['job', 'report', '--batch-id', 'latest', '--format', 'json']);
    expect(json.json.report).toMatchObject({ report: 'dispatch', version: 1, kind: 'suite', id: r.json.batchId, passed: false });
    const failing = json.json.report.cases.find((c: { name: string }) => c.name === cases.notFound);
    expect(failing.steps.map((s: { id: string; status: string }) => [s.id, s.status])).toEqual([
      ['get', 'FAILED'],
      ['after', 'SKIPPED'],
    ]);
    expect(failing.steps[0].http[0]).toMatchObject({ method: 'GET', status: 404 });
  });
});

describe('--reporter on job run and job run-many', () => {
  it('writes the reports of one run and of a batch once their records are on disk', async () => {
    const run = await box.json(['job', 'run', '--case', cases.assertFails, '--reporter', 'junit=run.xml', '--reporter', 'json=run.json']);
    // The run succeeded; its report still shows the assertion that does not hold.
    expect(run.json).toMatchObject({ status: 'SUCCESS', reports: [{ format: 'junit' }, { format: 'json' }] });
    const xml = fs.readFileSync(path.join(box.cwd, 'run.xml'), 'utf8');
    expect(xml).toMatch(/<testsuites name="dispatch suite-assert-fails" tests="4" failures="1"/);
    expect(JSON.parse(fs.readFileSync(path.join(box.cwd, 'run.json'), 'utf8'))).toMatchObject({ command: 'job run', runId: run.json.runId });

    const many = await box.json(['job', 'run-many', '--case', cases.ok, '--count', '3', '--reporter', 'html', '--reporter', 'junit']);
    expect(many.json.status).toBe('SUCCESS');
    const files = many.json.reports.map((x: { path: string }) => path.basename(x.path));
    expect(files).toEqual([`${many.json.batchId}.html`, `${many.json.batchId}.junit.xml`]);
    expect(fs.readFileSync(many.json.reports[1].path, 'utf8')).toMatch(/tests="9" failures="0" errors="0"/); // per run: a step and two assertions
  });

  it('a report that cannot be written fails a successful run with REPORT_UNWRITABLE, keeping the run fields', async () => {
    fs.mkdirSync(path.join(box.cwd, 'adir'));
    const r = await box.json(['job', 'run', '--case', cases.ok, '--reporter', 'junit=adir']);
    expect(r.json).toMatchObject({ status: 'ERROR', exitCode: 2, error: { code: 'REPORT_UNWRITABLE' } });
    expect(fs.existsSync(path.join(box.output, r.json.runId, 'summary.json'))).toBe(true);
  });
});

function walk(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((d) => (d.isDirectory() ? walk(path.join(dir, d.name)) : [path.join(dir, d.name)]));
}
