import { describe, expect, it } from 'vitest';
import { job } from '../support/cli.js';
import { validateAuditSandbox, type Found } from '../support/validate-audit.js';

// Item 7 of the validation audit: messages say what is wrong and the hint aims at the near miss.

const audit = validateAuditSandbox();
const { validate } = audit;
const at = (list: Found[], path: string) => list.filter((e) => e.path === path);
const shape = { id: 'a', action: 'testkit.shape', payload: {} };

describe('reference messages', () => {
  it('(a) unknown references are quoted plainly, with a hint at the form meant', async () => {
    const r = await validate(job([shape, { id: 'b', action: 'testkit.echo', payload: { v1: '${step.a.body.id}', v2: '${step.a}', v3: '${run}', v4: '${steps.a.response}', v5: '${nope}' } }]));
    const one = (k: string) => at(r.errors, `$.scenario.steps[1].payload.${k}`)[0];
    expect(one('v1').message).toBe('Unknown reference "${step.a.body.id}".');
    expect(one('v1').hint).toContain('${step.a.response.body.id}');
    expect(one('v1').hint).toContain('${step.a.exports.body.id}');
    expect(one('v2').hint).toContain('${step.a.response}');
    expect(one('v3').hint).toContain('${run.<name>}');
    expect(one('v4').hint).toContain('${step.a.response}');
    expect(one('v5').hint).toContain('jsonpathAll');
  });

  it('(b) a malformed JSONPath inside jsonpath(...) is reported as such, not as an unterminated ${', async () => {
    const r = await validate(job([shape, { id: 'b', action: 'testkit.echo', payload: { v: '${jsonpath(step:a, $[)}' } }]));
    const found = at(r.errors, '$.scenario.steps[1].payload.v');
    expect(found.map((e) => e.message)).toEqual(['${jsonpath(step:a, $[)}: Invalid JSONPath "$[": a "[" is not closed.']);
    expect(found[0].hint).toMatch(/\$\.items\[0\]\.id/);
  });

  it('(i) run.* in http: the hint does not suggest a capture', async () => {
    const r = await validate(job([{ ...shape, capture: { base: 'response.id' } }], { http: { baseUrl: '${run.base}' } }));
    const e = at(r.errors, '$.http.baseUrl')[0];
    expect(e.code).toBe('RUN_UNKNOWN');
    expect(e.hint).toMatch(/inputs/);
    expect(e.hint).not.toMatch(/"capture"/);
  });

  it('(j) a --set name the job never reads is a warning', async () => {
    const doc = job([{ id: 'a', action: 'testkit.echo', payload: { v: '${run.userId}' } }], { inputs: { userId: 1, other: 2 } });
    const r = await validate(doc, { args: ['--set', 'userID=3', '--set', 'other=4', '--set', 'userId=5'] });
    expect(r.code).toBe(0);
    expect(r.warnings.map((w) => [w.code, w.message])).toEqual([['SET_UNUSED', expect.stringContaining('userID')]]);
    expect(r.warnings[0].hint).toContain('userId');
  });
});

describe('credential messages', () => {
  const creds = { admin: { fromEnv: { username: 'AUDIT_USER', password: 'AUDIT_PASS' } } };
  const login = (id: string) => ({ id, action: 'auth.login', credential: 'admin', payload: {} });

  it('(c, d) an empty env var is called empty, and reported once for the profile however many steps bind it', async () => {
    const r = await validate(job([login('a'), login('b')], { credentials: creds }), { env: { AUDIT_USER: 'u', AUDIT_PASS: '' } });
    expect(r.errors.map((e) => [e.code, e.path])).toEqual([['CREDENTIAL_ENV_MISSING', '$.credentials.admin.fromEnv.password']]);
    expect(r.errors[0].message).toMatch(/AUDIT_PASS, which is set but empty/);
  });

  it('(e) a profile that does not fit names the action in its hint, once', async () => {
    const r = await validate(job([login('a'), login('b')], { credentials: { admin: { fromEnv: { username: 'AUDIT_USER' } } } }), { env: { AUDIT_USER: 'u' } });
    expect(r.errors.map((e) => [e.code, e.path])).toEqual([['CREDENTIAL_INVALID', '$.credentials.admin.fromEnv.password']]);
    expect(r.errors[0].hint).toContain('dispatch schema action --name auth.login --print');
  });
});

describe('schema messages', () => {
  it('(f) flow.sleep without duration says what to write; a typo of it is one problem', async () => {
    const r = await validate(
      job([
        { id: 'a', action: 'flow.sleep', payload: {} },
        { id: 'b', action: 'flow.sleep', payload: { duraton: '1s' } },
      ]),
    );
    expect(at(r.errors, '$.scenario.steps[0].payload.duration').map((e) => e.message)).toEqual(['duration is required (e.g. "500ms", "2s" or a number of ms)']);
    expect(r.errors.filter((e) => e.path.startsWith('$.scenario.steps[1]')).map((e) => [e.code, e.path, e.hint])).toEqual([
      ['UNKNOWN_KEY', '$.scenario.steps[1].payload.duraton', 'Did you mean "duration"?'],
    ]);
  });

  it('(h) did-you-mean for rule ops, modes and action names without a dot', async () => {
    const r = await validate(
      job(
        [
          { id: 'a', action: 'flowsleep', payload: { duration: 1 } },
          { id: 'p', action: 'flow.poll', payload: { action: 'testkit.shape', conditions: { mode: 'all', rules: [{ path: '$.ready', op: 'equals', value: true }] } } },
        ],
        { assertions: [{ path: '$.status', op: 'exist' }] },
      ),
    );
    const hint = (p: string) => at(r.errors, p)[0]?.hint;
    expect(hint('$.scenario.steps[0].action')).toContain('"flow.sleep"');
    expect(hint('$.scenario.steps[1].payload.conditions.mode')).toBe('Did you mean "ALL"?');
    expect(hint('$.scenario.steps[1].payload.conditions.rules[0].op')).toBe('Did you mean "eq"?');
    expect(hint('$.assertions[0].op')).toBe('Did you mean "exists"?');
  });
});
