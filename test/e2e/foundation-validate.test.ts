import fs from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { job, sandbox, type Sandbox } from '../support/cli.js';
import { writeTestModule } from '../support/fixtures.js';

let box: Sandbox;
beforeEach(() => {
  box = sandbox(undefined, { inProcess: true });
  writeTestModule(box);
});
afterEach(() => box.cleanup());

describe('job validate', () => {
  it('accepts the quick-start job and lists its steps', async () => {
    const r = await box.json(['job', 'validate', '--case', `${process.cwd()}/jobs/flow-sleep.job.case.json`]);
    expect(r.code).toBe(0);
    expect(r.json).toMatchObject({ command: 'job validate', status: 'SUCCESS', exitCode: 0, kind: 'case', jobType: 'flow-sleep-example', valid: true });
    expect(r.json.steps.map((s: any) => [s.id, s.layer])).toEqual([
      ['short-pause', 'builtin'],
      ['second-pause', 'builtin'],
    ]);
    expect(r.json.next[0].command).toMatch(/^dispatch job run --case /);
  });

  it('reports every problem at once with its JSON path', async () => {
    box.write('bad.job.case.json', {
      schemaVersion: 1,
      jobType: 'bad',
      scenaro: {},
      scenario: {
        steps: [
          { id: 'a', action: 'testkit.echo', payload: { v: '${step.b.response.id}' } },
          { id: 'b', action: 'testkit.ecko', payload: {} },
          { id: 'b', action: 'flow.sleep', payload: { duration: 'soon' } },
          { id: 'c', action: 'testkit.echo', payload: { x: '${run.nope}', y: '${env.DISPATCH_TEST_UNSET_VAR}', z: '${step.a.response', w: '${jsonpath(step:a, $.items[?(@.id==1)])}' } },
        ],
      },
    });
    const r = await box.json(['job', 'validate', '--case', 'bad.job.case.json']);
    expect(r.code).toBe(2);
    expect(r.json.status).toBe('FAILED');
    expect(r.json.error.code).toBe('JOB_INVALID');
    // Schema errors stop deeper checks, so check the unknown key first on its own.
    const paths = r.json.errors.map((e: any) => e.path);
    expect(paths).toContain('$.scenaro');
    expect(r.json.errors.find((e: any) => e.path === '$.scenaro').hint).toMatch(/scenario/);

    const doc = JSON.parse(fs.readFileSync(`${box.cwd}/bad.job.case.json`, 'utf8'));
    delete doc.scenaro;
    box.write('bad.job.case.json', doc);
    const r2 = await box.json(['job', 'validate', '--case', 'bad.job.case.json']);
    expect(r2.code).toBe(2);
    const byPath = (p: string) => r2.json.errors.filter((e: any) => e.path.startsWith(p)).map((e: any) => e.code);
    expect(byPath('$.scenario.steps[0].payload.v')).toContain('STEP_NOT_YET');
    expect(byPath('$.scenario.steps[1].action')).toContain('UNKNOWN_ACTION');
    expect(r2.json.errors.find((e: any) => e.code === 'UNKNOWN_ACTION').hint).toMatch(/testkit\.echo/);
    expect(byPath('$.scenario.steps[2].id')).toContain('DUPLICATE_STEP_ID');
    expect(byPath('$.scenario.steps[2].payload.duration')).toContain('SCHEMA');
    expect(byPath('$.scenario.steps[3].payload.x')).toContain('RUN_UNKNOWN');
    expect(byPath('$.scenario.steps[3].payload.y')).toContain('ENV_MISSING');
    expect(byPath('$.scenario.steps[3].payload.z')).toContain('INTERPOLATION_SYNTAX');
    expect(byPath('$.scenario.steps[3].payload.w')).toContain('JSONPATH_INVALID');
  });

  it('refuses a wrong file name (2) and a missing file (4)', async () => {
    box.write('job.json', job([{ id: 'a', action: 'flow.sleep', payload: { duration: 1 } }]));
    const wrong = await box.json(['job', 'validate', '--case', 'job.json']);
    expect(wrong.code).toBe(2);
    expect(wrong.json.error.code).toBe('JOB_FILE_KIND');
    const missing = await box.json(['job', 'validate', '--case', 'nope.job.case.json']);
    expect(missing.code).toBe(4);
    expect(missing.json.error.code).toBe('CASE_NOT_FOUND');
    expect(missing.json.next.map((n: any) => n.command)).toContain('dispatch job cases');
  });

  it('refuses memory writes in case files, including inside flow.poll', async () => {
    box.write(
      'm.job.case.json',
      job([
        { id: 'w', action: 'memory.store', payload: { namespace: 'ns', key: 'k', value: 1 } },
        {
          id: 'p',
          action: 'flow.poll',
          payload: { action: 'memory.forget', payload: { namespace: 'ns' }, intervalMs: 1, maxDurationMs: 10, conditions: { mode: 'ALL', rules: [{ path: '$.removed', op: 'exists' }] } },
        },
      ]),
    );
    const r = await box.json(['job', 'validate', '--case', 'm.job.case.json']);
    expect(r.code).toBe(2);
    const hits = r.json.errors.filter((e: any) => e.code === 'MEMORY_WRITE_IN_CASE').map((e: any) => e.path);
    expect(hits).toEqual(['$.scenario.steps[0].action', '$.scenario.steps[1].payload.action']);
    box.write('m.job.seed.json', job([{ id: 'w', action: 'memory.store', payload: { namespace: 'ns', key: 'k', value: 1 } }]));
    expect((await box.json(['job', 'validate', '--case', 'm.job.seed.json'])).code).toBe(0);
  });

  it('checks credential bindings and their env vars without printing values', async () => {
    box.write(
      'c.job.case.json',
      job(
        [
          { id: 'a', action: 'testkit.echo', credential: 'admin', payload: {} },
          { id: 'b', action: 'testkit.echo', credential: 'nobody', payload: {} },
        ],
        {
          credentials: { admin: { fromEnv: { username: 'DISPATCH_TEST_USER', password: 'DISPATCH_TEST_PASS' } } },
        },
      ),
    );
    const r = await box.json(['job', 'validate', '--case', 'c.job.case.json'], { env: { DISPATCH_TEST_USER: 'alice', DISPATCH_TEST_PASS: undefined } });
    expect(r.code).toBe(2);
    const codes = r.json.errors.map((e: any) => [e.code, e.path]);
    expect(codes).toContainEqual(['CREDENTIAL_ENV_MISSING', '$.credentials.admin.fromEnv.password']);
    expect(codes).toContainEqual(['CREDENTIAL_UNKNOWN', '$.scenario.steps[1].credential']);
    expect(r.stdout).toContain('DISPATCH_TEST_PASS');
    expect(r.stdout).not.toContain('alice');
  });

  it('validates http config resolved from env, and required http paths', async () => {
    box.write(
      'h.job.case.json',
      job([{ id: 'a', action: 'flow.sleep', payload: { duration: 1 } }], {
        http: { baseUrl: '${env.DISPATCH_TEST_BASE}', defaultHeaders: { 'x-client': 'dispatch' } },
        dependencies: { http: { required: ['baseUrl', 'defaultHeaders.x-context'] } },
      }),
    );
    const unset = await box.json(['job', 'validate', '--case', 'h.job.case.json']);
    expect(unset.code).toBe(2);
    expect(unset.json.errors.map((e: any) => e.code)).toEqual(expect.arrayContaining(['ENV_MISSING', 'HTTP_REQUIRED_MISSING']));
    const bad = await box.json(['job', 'validate', '--case', 'h.job.case.json'], { env: { DISPATCH_TEST_BASE: 'not a url' } });
    expect(bad.json.errors.map((e: any) => e.code)).toContain('HTTP_CONFIG');
  });

  it('reports schema errors and the semantic problems of the parts that parse in one pass', async () => {
    box.write('mixed.job.case.json', {
      schemaVersion: 1,
      jobType: 'mixed',
      scenaro: {},
      scenario: {
        steps: [
          { id: 'a', action: 'flow.sleep', payload: { duration: 1 }, bogus: true },
          { id: 'b', action: 'testkit.ecko', payload: {} },
          { id: 'c', action: 'testkit.echo', payload: { v: '${step.a.response.sleptMs}', w: '${step.zz.response}' } },
        ],
      },
    });
    const r = await box.json(['job', 'validate', '--case', 'mixed.job.case.json']);
    expect(r.code).toBe(2);
    const found = r.json.errors.map((e: any) => [e.code, e.path]);
    expect(found).toContainEqual(['UNKNOWN_KEY', '$.scenaro']);
    expect(found).toContainEqual(['UNKNOWN_KEY', '$.scenario.steps[0].bogus']);
    expect(found).toContainEqual(['UNKNOWN_ACTION', '$.scenario.steps[1].action']);
    expect(found).toContainEqual(['STEP_UNKNOWN', '$.scenario.steps[2].payload.w']);
    // step a failed its schema but still exists: referring to it is not an error
    expect(found.filter(([, p]: string[]) => p === '$.scenario.steps[2].payload.v')).toEqual([]);
  });

  it('refuses rules that cannot hold as written, including catastrophic regexes', async () => {
    box.write(
      'rules.job.case.json',
      job(
        [
          {
            id: 'p',
            action: 'flow.poll',
            payload: { action: 'testkit.tick', payload: {}, intervalMs: 1, maxDurationMs: 10, conditions: { mode: 'ALL', rules: [{ path: '$.state', op: 'matches', value: '(' }] } },
          },
        ],
        {
          assertions: [
            { path: '$.status', op: 'eq' },
            { path: '$.status', op: 'in', value: 'SUCCESS' },
            { path: '$.steps.p.response.state', op: 'matches', value: '^(a+)+$' },
          ],
        },
      ),
    );
    const r = await box.json(['job', 'validate', '--case', 'rules.job.case.json']);
    expect(r.code).toBe(2);
    const found = r.json.errors.map((e: any) => [e.code, e.path]);
    expect(found).toContainEqual(['RULE_REGEX', '$.scenario.steps[0].payload.conditions.rules[0].value']);
    expect(found).toContainEqual(['RULE_VALUE_MISSING', '$.assertions[0].value']);
    expect(found).toContainEqual(['RULE_VALUE_TYPE', '$.assertions[1].value']);
    expect(found).toContainEqual(['RULE_REGEX', '$.assertions[2].value']);
  });

  it('refuses a computed flow.poll inner action, so a case job cannot reach memory writes', async () => {
    box.write(
      'sneaky.job.case.json',
      job([
        {
          id: 'p',
          action: 'flow.poll',
          payload: {
            action: '${env.ACT:-memory.store}',
            payload: { namespace: 'victim', key: 'k', value: 'x' },
            intervalMs: 1,
            maxDurationMs: 50,
            conditions: { mode: 'ALL', rules: [{ path: '$.stored', op: 'exists' }] },
          },
        },
      ]),
    );
    const r = await box.json(['job', 'run', '--case', 'sneaky.job.case.json']);
    expect(r.code).toBe(2);
    expect(r.json.error.details.errors.map((e: any) => e.code)).toContain('POLL_ACTION_DYNAMIC');
    expect(fs.existsSync(`${box.home}/memory/victim.json`)).toBe(false);
  });

  it('warns at validation when a declared fill job exists in no module layer', async () => {
    box.write(
      'f.job.case.json',
      job([{ id: 'r', action: 'memory.recall', payload: { namespace: 'ref', key: 'a', default: 1 } }], {
        dependencies: { memory: [{ namespace: 'ref', key: 'a', fill: { module: 'testkit', job: 'no-such-seed' } }] },
      }),
    );
    const r = await box.json(['job', 'validate', '--case', 'f.job.case.json']);
    expect(r.code).toBe(0);
    expect(r.json.warnings).toContainEqual(expect.objectContaining({ code: 'FILL_JOB_NOT_FOUND', path: '$.dependencies.memory[0].fill' }));
    expect(r.json.warnings.find((w: any) => w.code === 'FILL_JOB_NOT_FOUND').hint).toMatch(/no-such-seed\.job\.seed\.json/);
  });

  it('checks a module version range against every copy that serves the job, layer by layer', async () => {
    // The user layer overrides only testkit.echo with 2.0.0; testkit.shape still comes from the repo (1.2.3).
    box.write(`${box.home}/modules/testkit/module.json`, { name: 'testkit', version: '2.0.0', entry: 'index.mjs' });
    box.write(
      `${box.home}/modules/testkit/index.mjs`,
      "import { defineAction, defineModule, z } from 'dispatchkit';\nexport default defineModule({ name: 'testkit', version: '2.0.0', actions: { echo: defineAction({ description: 'echo', schema: z.object({}).passthrough(), handler: async (_c, p) => ({ response: p }) }) } });\n",
    );
    const deps = { dependencies: { modules: [{ name: 'testkit', version: '^2.0.0' }] } };
    box.write('echo.job.case.json', job([{ id: 'e', action: 'testkit.echo', payload: {} }], deps));
    expect((await box.json(['job', 'validate', '--case', 'echo.job.case.json'])).code).toBe(0);
    box.write('shape.job.case.json', job([{ id: 's', action: 'testkit.shape', payload: {} }], deps));
    const r = await box.json(['job', 'validate', '--case', 'shape.job.case.json']);
    expect(r.code).toBe(2);
    expect(r.json.errors[0]).toMatchObject({ code: 'MODULE_VERSION', path: '$.dependencies.modules[0].version' });
    expect(r.json.errors[0].message).toContain('1.2.3 (repo layer)');
  });

  it('checks memory namespaces built from env vars at validation', async () => {
    box.write('ns.job.seed.json', job([{ id: 'w', action: 'memory.store', payload: { namespace: '${env.DISPATCH_TEST_NS}', key: 'k', value: 1 } }]));
    const bad = await box.json(['job', 'validate', '--case', 'ns.job.seed.json'], { env: { DISPATCH_TEST_NS: '../escape' } });
    expect(bad.code).toBe(2);
    expect(bad.json.errors[0]).toMatchObject({ code: 'INVALID_NAMESPACE', path: '$.scenario.steps[0].payload.namespace' });
    expect((await box.json(['job', 'validate', '--case', 'ns.job.seed.json'], { env: { DISPATCH_TEST_NS: 'fine-ns' } })).code).toBe(0);
  });
});
