import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { job, repoRoot } from '../support/cli.js';
import { authServerSandbox } from '../support/auth-sandbox.js';

// The SDK as a program uses it: a separate project whose node_modules/dispatchkit is this repo,
// importing the BUILT package by name, and type-checking against the shipped declarations.

const run = promisify(execFile);
const USER = 'sdk-user';
const PASSWORD = 'sdk-SECRET-pass-2b7d';

const ctx = authServerSandbox({ username: USER, password: PASSWORD });
let project: string;
beforeEach(() => {
  project = fs.mkdtempSync(path.join(os.tmpdir(), 'dispatch-sdk-consumer-'));
  fs.mkdirSync(path.join(project, 'node_modules'));
  fs.symlinkSync(repoRoot, path.join(project, 'node_modules/dispatchkit'), 'dir');
  fs.symlinkSync(path.join(repoRoot, 'node_modules/@types'), path.join(project, 'node_modules/@types'), 'dir');
  fs.writeFileSync(path.join(project, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }));
});
afterEach(() => fs.rmSync(project, { recursive: true, force: true }));

const CONSUMER = `
import { runJob, validateJob, assertRun, loadRun, testJobs } from 'dispatchkit';
const cfg = JSON.parse(process.env.SDK_TEST_CONFIG);
const where = { cwd: cfg.cwd, env: cfg.env };
const events = [];
const validate = await validateJob({ ...where, case: 'login.job.case.json', set: { note: 42 } });
const run = await runJob({ ...where, case: 'login.job.case.json', set: { note: 42 }, onEvent: (e) => events.push(e.type) });
const assert = await assertRun({ ...where, runId: run.runId });
const load = await loadRun({ ...where, runId: 'latest' });
const missing = await validateJob({ ...where, case: 'missing.job.case.json' });
const suite = await testJobs({ ...where, paths: ['login.job.case.json'], set: { note: 42 }, reporter: ['junit=suite.xml'] });
process.stdout.write(JSON.stringify({ validate, run, assert, load, missing, events, suite }));
`;

describe('SDK: import { runJob, validateJob, assertRun, loadRun } from "dispatchkit"', () => {
  it('validates, runs against a loopback server, asserts and loads the run, returning the CLI envelopes', async () => {
    ctx.box.write(
      'login.job.case.json',
      job(
        [
          { id: 'login', action: 'auth.login', credential: 'admin', payload: {} },
          { id: 'echo', action: 'auth.echo', payload: { note: 'n-${run.note}' }, capture: { echoed: 'response.url' } },
        ],
        {
          jobType: 'sdk-login',
          http: { baseUrl: ctx.server.url },
          inputs: { note: 0 },
          credentials: { admin: { fromEnv: { username: 'SDK_TEST_USER', password: 'SDK_TEST_PASSWORD' } } },
          assertions: [{ path: '$.run.echoed', op: 'contains', value: 'note=n-42' }],
        },
      ),
    );
    fs.writeFileSync(path.join(project, 'consumer.mjs'), CONSUMER);
    // Paths and credentials reach the handlers only through the options' env, not this process's.
    const env = { ...ctx.box.env, SDK_TEST_USER: USER, SDK_TEST_PASSWORD: PASSWORD };
    const childEnv: Record<string, string | undefined> = { ...process.env, SDK_TEST_CONFIG: JSON.stringify({ cwd: ctx.box.cwd, env }) };
    for (const k of ['DISPATCH_HOME', 'DISPATCH_RUN_OUTPUT', 'SDK_TEST_USER', 'SDK_TEST_PASSWORD']) delete childEnv[k];
    const { stdout } = await run(process.execPath, ['consumer.mjs'], { cwd: project, env: childEnv });
    // The SDK printed nothing of its own: stdout is the consumer's one document.
    const out = JSON.parse(stdout);

    expect(out.validate).toMatchObject({ command: 'job validate', status: 'SUCCESS', exitCode: 0, valid: true, kind: 'case', jobType: 'sdk-login' });
    // The literal command that runs the job: its --set values kept, and the folder the SDK was given.
    expect(out.validate.next).toEqual([{ command: `dispatch job run --case login.job.case.json --set note=42 --cwd ${ctx.box.cwd}`, description: 'run the job' }]);

    expect(out.run).toMatchObject({ command: 'job run', status: 'SUCCESS', exitCode: 0, jobType: 'sdk-login' });
    expect(out.run.runId).toMatch(/^\d{8}-\d{6}-job-run-[0-9a-f]{7}$/);
    expect(out.run.runDir).toBe(path.join(ctx.box.output, out.run.runId));
    expect(out.run.steps.map((s: { id: string; status: string }) => [s.id, s.status])).toEqual([
      ['login', 'SUCCESS'],
      ['echo', 'SUCCESS'],
    ]);
    // An object `set` keeps the value's JSON type.
    expect(out.run.run.note).toBe(42);
    expect(out.run.next[0].command).toBe(`dispatch job assert --run-id ${out.run.runId} --cwd ${ctx.box.cwd}`);
    expect(out.events[0]).toBe('run:start');
    expect(out.events.at(-1)).toBe('run:end');
    const meta = JSON.parse(fs.readFileSync(path.join(out.run.runDir, 'meta.json'), 'utf8'));
    expect(meta.argv).toEqual(['dispatch', 'job', 'run', '--cwd', ctx.box.cwd, '--case', 'login.job.case.json', '--set', 'note=42']);

    expect(out.assert).toMatchObject({ command: 'job assert', status: 'SUCCESS', runId: out.run.runId, passed: 2, failed: 0 });
    expect(out.load).toMatchObject({ command: 'job dump', status: 'SUCCESS', runId: out.run.runId });
    expect(out.load.summary).toMatchObject({ status: 'SUCCESS', jobType: 'sdk-login' });
    expect(out.load.steps.map((s: { id: string }) => s.id)).toEqual(['login', 'echo']);
    expect(out.load.http.map((h: { status: number }) => h.status)).toEqual([200, 200]);

    // A command failure is an envelope, not an exception.
    expect(out.missing).toMatchObject({ command: 'job validate', status: 'ERROR', exitCode: 4 });
    expect(out.missing.error.code).toBeTruthy();
    expect(stdout.includes(PASSWORD)).toBe(false);

    // job test from a program: the case passes, the report is written where asked.
    expect(out.suite).toMatchObject({ command: 'job test', status: 'SUCCESS', exitCode: 0, kind: 'suite', count: 1, passed: 1 });
    expect(out.suite.cases[0]).toMatchObject({ casePath: 'login.job.case.json', passed: true, assertions: { passed: 2, failed: 0 } });
    expect(out.suite.reports[0].path).toBe(path.join(ctx.box.cwd, 'suite.xml'));
    expect(fs.readFileSync(path.join(ctx.box.cwd, 'suite.xml'), 'utf8').includes(PASSWORD)).toBe(false);

    // Same handlers, same envelope as the CLI given the same folder.
    const cli = await ctx.box.json(['job', 'assert', '--run-id', out.run.runId, '--cwd', ctx.box.cwd]);
    expect(out.assert).toEqual(cli.json);
  });

  it('ships type declarations a TypeScript consumer compiles against', { timeout: 90_000 }, async () => {
    fs.writeFileSync(
      path.join(project, 'consumer.ts'),
      `import { assertRun, loadRun, runJob, testJobs, validateJob, type ExitCode, type RunJobEnvelope, type StepSummary } from 'dispatchkit';

export async function main(): Promise<ExitCode> {
  const run: RunJobEnvelope = await runJob({ case: 'a.job.case.json', set: { id: 1 }, env: { BASE: 'x' }, cwd: '.' });
  if (run.status === 'SUCCESS') {
    const id: string = run.runId;
    const steps: StepSummary[] = run.steps;
    const assert = await assertRun({ runId: id, expectStatus: 'SUCCESS' });
    const failed: number | undefined = assert.failed;
    const loaded = await loadRun({ runId: id });
    if (loaded.status === 'SUCCESS') return loaded.http.length > steps.length + (failed ?? 0) ? 0 : 2;
  } else {
    // @ts-expect-error the run fields are optional unless the run succeeded
    const id: string = run.runId;
    void id;
  }
  // @ts-expect-error case is required
  await validateJob({});
  const v = await validateJob({ case: 'a.job.case.json' });
  const suite = await testJobs({ paths: ['jobs'], concurrency: 2, failFast: true });
  if (suite.status === 'SUCCESS') {
    const cases: Array<{ casePath: string; passed: boolean }> = suite.cases;
    void cases;
  }
  return v.exitCode;
}
`,
    );
    // One tsc run checks both the consumer against the declarations and the declarations themselves
    // (skipLibCheck off), without @types/node (types: []): a consumer need not install it.
    fs.writeFileSync(
      path.join(project, 'tsconfig.json'),
      JSON.stringify({ compilerOptions: { target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, noEmit: true, skipLibCheck: false, types: [] }, files: ['consumer.ts'] }),
    );
    const tsc = path.join(repoRoot, 'node_modules/typescript/bin/tsc');
    const strict = await run(process.execPath, [tsc, '-p', project], { cwd: project }).then(
      () => ({ code: 0, out: '' }),
      (err: { code: number; stdout: string }) => ({ code: err.code, out: err.stdout }),
    );
    expect(strict).toEqual({ code: 0, out: '' });
  });
});
