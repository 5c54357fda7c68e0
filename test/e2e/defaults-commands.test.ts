import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { job, repoRoot, sandbox, type Sandbox } from '../support/cli.js';

let box: Sandbox;
beforeEach(() => {
  box = sandbox('dispatch-defaults-', { inProcess: true });
  fs.cpSync(path.join(repoRoot, 'test/fixtures/modules/shipping'), path.join(box.cwd, 'modules/shipping'), { recursive: true });
});
afterEach(() => box.cleanup());

const defaultsFile = () => path.join(box.home, 'action-defaults.json');

describe('defaults set / show / unset', () => {
  it('stores defaults, deep-merges them beneath step payloads, and shows them in job.case.resolved.json', async () => {
    box.write('quote-defaults.json', { zone: 'world', express: true });
    const set = await box.json(['defaults', 'set', '--action', 'shipping.quote', '--file', 'quote-defaults.json']);
    expect(set.code).toBe(0);
    expect(set.json).toMatchObject({ action: 'shipping.quote', defaults: { zone: 'world', express: true }, replaced: false, warnings: [] });
    expect(JSON.parse(fs.readFileSync(defaultsFile(), 'utf8'))).toEqual({ 'shipping.quote': { zone: 'world', express: true } });

    const one = await box.json(['defaults', 'show', '--action', 'shipping.quote']);
    expect(one.json).toMatchObject({ set: true, defaults: { zone: 'world', express: true } });
    const all = await box.json(['defaults', 'show']);
    expect(all.json).toMatchObject({ count: 1, defaults: { 'shipping.quote': { zone: 'world', express: true } } });

    // The step gives weightKg and overrides express; zone comes from the defaults.
    box.write('q.job.case.json', job([{ id: 'q', action: 'shipping.quote', payload: { weightKg: 2, express: false } }]));
    const validate = await box.json(['job', 'validate', '--case', 'q.job.case.json']);
    expect(validate.code).toBe(0);
    const run = await box.json(['job', 'run', '--case', 'q.job.case.json']);
    expect(run.code).toBe(0);
    const resolved = JSON.parse(fs.readFileSync(path.join(run.json.runDir, 'job.case.resolved.json'), 'utf8'));
    expect(resolved.scenario.steps[0].payload).toEqual({ zone: 'world', express: false, weightKg: 2 });
    const steps = fs
      .readFileSync(path.join(run.json.runDir, 'steps.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(steps[0].response).toMatchObject({ zone: 'world', express: false, priceCents: 1220 });

    const human = await box.run(['defaults', 'show']);
    expect(human.stdout).toContain('shipping.quote {"zone":"world","express":true}');

    const unset = await box.json(['defaults', 'unset', '--action', 'shipping.quote']);
    expect(unset.code).toBe(0);
    expect(unset.json.removed).toEqual({ zone: 'world', express: true });
    expect(JSON.parse(fs.readFileSync(defaultsFile(), 'utf8'))).toEqual({});
    const without = await box.json(['job', 'validate', '--case', 'q.job.case.json']);
    expect(without.code).toBe(2);
  });

  it('replaces earlier defaults and warns about fields that do not fit the action schema', async () => {
    box.write('a.json', { zone: 'europe' });
    box.write('b.json', { zone: 'mars', weightKg: 'heavy' });
    await box.json(['defaults', 'set', '--action', 'shipping.quote', '--file', 'a.json']);
    const r = await box.json(['defaults', 'set', '--action', 'shipping.quote', '--file', 'b.json']);
    expect(r.code).toBe(0);
    expect(r.json.replaced).toBe(true);
    expect(r.json.warnings.map((w: any) => w.path).sort()).toEqual(['$.weightKg', '$.zone']);
    expect(JSON.parse(fs.readFileSync(defaultsFile(), 'utf8'))['shipping.quote']).toEqual({ zone: 'mars', weightKg: 'heavy' });
  });

  it('refuses keys the action does not take (they could never merge into a valid payload), storing nothing', async () => {
    box.write('typo.json', { zone: 'europe', bogus: 1 });
    const r = await box.json(['defaults', 'set', '--action', 'shipping.quote', '--file', 'typo.json']);
    expect(r.code).toBe(2);
    expect(r.json.error.code).toBe('DEFAULTS_INVALID');
    expect(r.json.error.message).toContain('bogus');
    expect(r.json.next[0].command).toBe('dispatch schema action --name shipping.quote');
    expect(fs.existsSync(defaultsFile())).toBe(false);
  });

  it('refuses bad input with the right exit class and leaves the file alone', async () => {
    box.write('arr.json', [1, 2]);
    box.write('broken.json', '{"zone": ');
    box.write('ok.json', { zone: 'europe' });
    const cases: Array<[string[], number, string]> = [
      [['defaults', 'set', '--action', 'shipping.quote', '--file', 'missing.json'], 4, 'FILE_NOT_FOUND'],
      [['defaults', 'set', '--action', 'shipping.quote', '--file', 'arr.json'], 2, 'DEFAULTS_NOT_OBJECT'],
      [['defaults', 'set', '--action', 'shipping.quote', '--file', 'broken.json'], 2, 'JOB_JSON_INVALID'],
      [['defaults', 'set', '--action', 'shipping.qoute', '--file', 'ok.json'], 2, 'UNKNOWN_ACTION'],
      [['defaults', 'set', '--action', 'nomodule.quote', '--file', 'ok.json'], 4, 'MODULE_NOT_FOUND'],
      [['defaults', 'set', '--action', 'quote', '--file', 'ok.json'], 2, 'ACTION_NAME_INVALID'],
      [['defaults', 'unset', '--action', 'shipping.quote'], 4, 'DEFAULTS_NOT_FOUND'],
    ];
    for (const [args, code, errorCode] of cases) {
      const r = await box.json(args);
      expect({ args, code: r.code, error: r.json.error?.code }).toEqual({ args, code, error: errorCode });
    }
    expect(fs.existsSync(defaultsFile())).toBe(false);
    const typo = await box.json(['defaults', 'set', '--action', 'shipping.qoute', '--file', 'ok.json']);
    expect(typo.json.error.hint).toContain('shipping.quote');

    const none = await box.json(['defaults', 'show', '--action', 'shipping.quote']);
    expect(none.code).toBe(0);
    expect(none.json).toMatchObject({ set: false, defaults: null });
    expect(none.json.next[0].command).toBe('dispatch defaults set --action shipping.quote --file <defaults.json>');
    const typoShow = await box.json(['defaults', 'show', '--action', 'shipping.qoute']);
    expect(typoShow.code).toBe(2);
    expect(typoShow.json.error.code).toBe('UNKNOWN_ACTION');
  });
});
