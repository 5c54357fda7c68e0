import { describe, expect, it } from 'vitest';
import { job } from '../support/cli.js';
import { validateAuditSandbox, type Found } from '../support/validate-audit.js';

// One structural mistake in a step or section must not hide the rest of it from the other checks
// (DESIGN §4: every problem at once), nor make sound parts look broken.

const audit = validateAuditSandbox();
const validate = (doc: unknown, env: Record<string, string | undefined> = {}) => audit.validate(doc, { env });
const pairs = (list: Found[]) => list.map((e) => [e.code, e.path]);

describe('partly broken steps and sections are still checked', () => {
  it('(a) a typo key on a step does not hide an unset env var in its payload', async () => {
    const r = await validate(job([{ id: 'a', action: 'testkit.echo', descripton: 'x', payload: { v: '${env.NOPE_A}' } }]), { NOPE_A: undefined });
    expect(r.code).toBe(2);
    expect(pairs(r.errors)).toEqual(
      expect.arrayContaining([
        ['UNKNOWN_KEY', '$.scenario.steps[0].descripton'],
        ['ENV_MISSING', '$.scenario.steps[0].payload.v'],
      ]),
    );
    expect(r.errors.find((e) => e.code === 'UNKNOWN_KEY')!.hint).toMatch(/description/);
  });

  it('(b) a wrong-typed field keeps the unknown action reported and the capture known', async () => {
    const r = await validate(
      job([
        { id: 'a', action: 'm.ecko', timeoutMs: '5s', capture: { z: 'response.value' } },
        { id: 'b', action: 'testkit.echo', payload: { v: '${run.z}' } },
      ]),
    );
    expect(pairs(r.errors)).toEqual(
      expect.arrayContaining([
        ['SCHEMA', '$.scenario.steps[0].timeoutMs'],
        ['UNKNOWN_ACTION', '$.scenario.steps[0].action'],
      ]),
    );
    expect(r.errors.filter((e) => e.path.startsWith('$.scenario.steps[1]'))).toEqual([]);
  });

  it('(c) one broken credential profile does not undefine the sound ones', async () => {
    const r = await validate(
      job(
        [
          { id: 'a', action: 'auth.login', credential: 'admin', payload: {} },
          { id: 'b', action: 'auth.login', credential: 'admin', payload: {} },
        ],
        { credentials: { admin: { fromEnv: { username: 'AUDIT_USER', password: 'AUDIT_PASS' } }, lower: { fromEnv: { username: 'lower-case-var' } } } },
      ),
      { AUDIT_USER: 'u', AUDIT_PASS: 'p' },
    );
    expect(pairs(r.errors)).toEqual([['SCHEMA', '$.credentials.lower.fromEnv.username']]);
  });

  it('(d) a bad input name leaves the good inputs declared, and the error names the pattern', async () => {
    const r = await validate(job([{ id: 'a', action: 'testkit.echo', payload: { v: '${run.good}' } }], { inputs: { good: 1, 'bad name': 2 } }));
    expect(pairs(r.errors)).toEqual([['SCHEMA', '$.inputs["bad name"]']]);
    expect(r.errors[0].message).toContain('"bad name"');
    expect(r.errors[0].message).toContain('[A-Za-z_][A-Za-z0-9_-]*');
    expect(r.errors[0].message).not.toMatch(/Invalid key in record/);
  });

  it('(e) an unknown http key does not hide an unset env var in baseUrl', async () => {
    const r = await validate(job([{ id: 'a', action: 'flow.sleep', payload: { duration: 1 } }], { http: { baseUrl: '${env.NOPE_BASE}', timeout: 5 } }), { NOPE_BASE: undefined });
    expect(pairs(r.errors)).toEqual(
      expect.arrayContaining([
        ['UNKNOWN_KEY', '$.http.timeout'],
        ['ENV_MISSING', '$.http.baseUrl'],
      ]),
    );
    expect(r.errors.find((e) => e.code === 'UNKNOWN_KEY')!.hint).toMatch(/timeoutMs/);
  });

  it('a broken field gives no follow-up errors: credential binding, required http path', async () => {
    const r = await validate(job([{ id: 'a', action: 'auth.login', credential: 7, payload: {} }], { http: { baseUrl: 5 }, dependencies: { http: { required: ['baseUrl'] } } }));
    expect(pairs(r.errors).sort()).toEqual([
      ['SCHEMA', '$.http.baseUrl'],
      ['SCHEMA', '$.scenario.steps[0].credential'],
    ]);
  });
});
