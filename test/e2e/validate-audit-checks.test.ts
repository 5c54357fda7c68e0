import { describe, expect, it } from 'vitest';
import { job } from '../support/cli.js';
import { validateAuditSandbox, type Found } from '../support/validate-audit.js';

const audit = validateAuditSandbox();
const { validate } = audit;
const pairs = (list: Found[]) => list.map((e) => [e.code, e.path]);
const poll = (extra: Record<string, unknown>) => ({
  action: 'testkit.shape',
  payload: {},
  intervalMs: 1,
  maxDurationMs: 1000,
  conditions: { rules: [{ path: '$.ready', op: 'eq', value: true }] },
  ...extra,
});

describe('flow.poll inner actions that need a credential (item 2)', () => {
  it('an unbound credential is a validation error at the poll step', async () => {
    const r = await validate(job([{ id: 'p', action: 'flow.poll', payload: poll({ action: 'auth.login' }) }]));
    expect(r.code).toBe(2);
    expect(pairs(r.errors)).toEqual([['CREDENTIAL_REQUIRED', '$.scenario.steps[0].credential']]);
    expect(r.errors[0].message).toContain('auth.login');
  });

  it('a bound profile is checked against the inner action, once', async () => {
    const r = await validate(
      job([{ id: 'p', action: 'flow.poll', credential: 'admin', payload: poll({ action: 'auth.login' }) }], { credentials: { admin: { fromEnv: { username: 'AUDIT_USER' } } } }),
      { env: { AUDIT_USER: 'u' } },
    );
    expect(pairs(r.errors)).toEqual([['CREDENTIAL_INVALID', '$.credentials.admin.fromEnv.password']]);
    expect(r.errors[0].hint).toContain('--name auth.login');
  });

  it('at run time, an action reached without a credential fails with exit 2, not an internal error', async () => {
    // Validation cannot see an action a handler invokes itself: the run-time check must hold.
    audit.box.write('modules/caller/module.json', { name: 'caller', version: '1.0.0', entry: 'index.mjs' });
    audit.box.write(
      'modules/caller/index.mjs',
      `import { defineAction, defineModule, z } from 'dispatchkit';
export default defineModule({ name: 'caller', version: '1.0.0', actions: {
  call: defineAction({ description: 'invokes auth.login', schema: z.object({}), handler: (ctx) => ctx.invoke('auth.login', {}) }),
} });
`,
    );
    const file = audit.box.write('call.job.case.json', job([{ id: 'c', action: 'caller.call', payload: {} }], { dependencies: { modules: [{ name: 'auth' }] } }));
    const r = await audit.box.json(['job', 'run', '--case', file]);
    expect(r.code).toBe(2);
    expect(r.json.error).toMatchObject({ code: 'CREDENTIAL_REQUIRED' });
    expect(r.json.steps[0]).toMatchObject({ id: 'c', status: 'FAILED' });
  });
});

describe('payloads with interpolation are checked where they can be (item 3)', () => {
  it('reports typos, wrong literal values and missing keys, not the interpolated values', async () => {
    const r = await validate(
      job(
        [
          { id: 'a', action: 'auth.echo', payload: { note: '${env.AUDIT_NOTE:-x}', nte: 1 } },
          { id: 'b', action: 'auth.status', payload: { code: 'abc', hang: '${run.h}' } },
          { id: 'c', action: 'flow.poll', payload: { action: 'testkit.shape', intervalMs: '${run.h}' } },
        ],
        { inputs: { h: false } },
      ),
    );
    expect(pairs(r.errors).sort()).toEqual([
      ['SCHEMA', '$.scenario.steps[1].payload.code'],
      ['SCHEMA', '$.scenario.steps[2].payload.conditions'],
      ['UNKNOWN_KEY', '$.scenario.steps[0].payload.nte'],
    ]);
    expect(r.errors.find((e) => e.code === 'UNKNOWN_KEY')!.hint).toMatch(/note/);
  });

  it('action defaults merge beneath the payload, as at run time', async () => {
    audit.box.write(`${audit.box.home}/action-defaults.json`, { 'auth.status': { code: 200, bogus: true } });
    const r = await validate(job([{ id: 'b', action: 'auth.status', payload: { hang: '${run.h}' } }], { inputs: { h: false } }));
    expect(pairs(r.errors)).toEqual([['UNKNOWN_KEY', '$.scenario.steps[0].payload.bogus']]);
  });
});

describe('durations beyond the timer limit (item 4)', () => {
  it('are refused by validation with the limit named', async () => {
    const r = await validate(
      job([
        { id: 's', action: 'flow.sleep', payload: { duration: '600h' } },
        { id: 'n', action: 'flow.sleep', payload: { duration: 2_200_000_000 }, timeoutMs: 2_200_000_000 },
        { id: 'p', action: 'flow.poll', payload: poll({ intervalMs: 2_200_000_000, maxDurationMs: 2_200_000_000 }) },
      ]),
    );
    expect(pairs(r.errors).sort()).toEqual([
      ['SCHEMA', '$.scenario.steps[0].payload.duration'],
      ['SCHEMA', '$.scenario.steps[1].payload.duration'],
      ['SCHEMA', '$.scenario.steps[1].timeoutMs'],
      ['SCHEMA', '$.scenario.steps[2].payload.intervalMs'],
      ['SCHEMA', '$.scenario.steps[2].payload.maxDurationMs'],
    ]);
    for (const e of r.errors) expect(e.message).toContain('2147483647');
  });

  it('an interpolated duration over the limit fails the step at run time (exit 2), without sleeping 1 ms', async () => {
    const file = audit.box.write('sleep.job.case.json', job([{ id: 's', action: 'flow.sleep', payload: { duration: '${run.d}' } }], { inputs: { d: '1ms' } }));
    const r = await audit.box.json(['job', 'run', '--case', file, '--set', 'd=600h']);
    expect(r.code).toBe(2);
    expect(r.json.steps[0].status).toBe('FAILED');
    expect(r.json.error.message).toContain('2147483647');
  });
});

describe('run.batchId and run.index outside run-many (item 5)', () => {
  it('warn once per name, and not when inputs or --set give them', async () => {
    const doc = job([{ id: 'a', action: 'testkit.echo', payload: { b: '${run.batchId}', c: '${run.batchId}', i: '${run.index}' } }]);
    const r = await validate(doc);
    expect(r.code).toBe(0);
    expect(pairs(r.warnings)).toEqual([
      ['RUN_BATCH_ONLY', '$.scenario.steps[0].payload.b'],
      ['RUN_BATCH_ONLY', '$.scenario.steps[0].payload.i'],
    ]);
    expect(r.warnings[0].message).toMatch(/run-many/);
    const given = await validate(doc, { args: ['--set', 'batchId=b1', '--set', 'index=3'] });
    expect(given.warnings).toEqual([]);
  });
});

describe('flow.poll store that finds nothing (item 6)', () => {
  it('fails the step with STORE_EMPTY (exit 2) naming the path', async () => {
    const file = audit.box.write('store.job.case.json', job([{ id: 'p', action: 'flow.poll', payload: poll({ store: { deep: '$.nested.deep.value', gone: '$.nested.nothing' } }) }]));
    const r = await audit.box.json(['job', 'run', '--case', file]);
    expect(r.code).toBe(2);
    expect(r.json.error.code).toBe('STORE_EMPTY');
    expect(r.json.error.message).toContain('$.nested.nothing');
    expect(r.json.steps[0]).toMatchObject({ id: 'p', status: 'FAILED' });
  });
});

describe('assertion mistakes (item 8)', () => {
  it('an unknown step id is an error, a value on exists/absent and an interpolated value are warnings', async () => {
    const r = await validate(
      job([{ id: 'login', action: 'testkit.shape', payload: {} }], {
        inputs: { x: 1 },
        assertions: [
          { path: '$.steps.nostep.response', op: 'exists' },
          { path: "$.steps['logn'].response.id", op: 'eq', value: 7 },
          { path: '$.steps.login.response.id', op: 'exists', value: 5 },
          { path: '$.steps.login.response.id', op: 'eq', value: '${run.x}' },
          { path: 'steps.login.response.id', op: 'gt', value: 0 },
        ],
      }),
    );
    expect(pairs(r.errors)).toEqual([
      ['ASSERTION_STEP_UNKNOWN', '$.assertions[0].path'],
      ['ASSERTION_STEP_UNKNOWN', '$.assertions[1].path'],
    ]);
    expect(r.errors[1].hint).toMatch(/"login"/);
    expect(pairs(r.warnings)).toEqual([
      ['RULE_VALUE_IGNORED', '$.assertions[2].value'],
      ['ASSERTION_NOT_INTERPOLATED', '$.assertions[3].value'],
    ]);
  });

  it('interpolated values in flow.poll rules are not judged before they have a value', async () => {
    const r = await validate(job([{ id: 'p', action: 'flow.poll', payload: poll({ conditions: { rules: [{ path: '$.id', op: 'in', value: '${run.ids}' }] } }) }], { inputs: { ids: [7] } }));
    expect(r.errors).toEqual([]);
  });
});
