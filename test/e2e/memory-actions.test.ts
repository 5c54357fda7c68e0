import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { job, readJsonl, sandbox, type Sandbox } from '../support/cli.js';

let box: Sandbox;
beforeEach(() => {
  box = sandbox('dispatch-memory-');
});
afterEach(() => box.cleanup());

const memFile = (ns: string) => path.join(box.home, 'memory', `${ns}.json`);
const store = (id: string, namespace: string, key: string, value: unknown) => ({ id, action: 'memory.store', payload: { namespace, key, value } });

/** Every file under a folder, as paths relative to it. */
function filesUnder(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return (fs.readdirSync(dir, { recursive: true, withFileTypes: true }) as fs.Dirent[])
    .filter((e) => !e.isDirectory())
    .map((e) => path.relative(dir, path.join(e.parentPath ?? (e as unknown as { path: string }).path, e.name)));
}

describe('memory actions through seed jobs', () => {
  it('stores, recalls and forgets keys as plain nested JSON on disk', async () => {
    box.write(
      'seed.job.seed.json',
      job([
        store('user-1', 'reference-data', 'users.user-1', { id: 1, name: 'Leanne Graham' }),
        store('user-2', 'reference-data', 'users.user-2', { id: 2, name: 'Ervin Howell' }),
        store('count', 'reference-data', 'meta.count', 2),
        { id: 'recall', action: 'memory.recall', payload: { namespace: 'reference-data', key: 'users.user-1.name' }, capture: { name: 'response' } },
        { id: 'forget-count', action: 'memory.forget', payload: { namespace: 'reference-data', key: 'meta.count' } },
      ]),
    );
    const r = await box.json(['job', 'run', '--case', 'seed.job.seed.json']);
    expect(r.code).toBe(0);
    expect(r.json.status).toBe('SUCCESS');
    expect(r.json.run.name).toBe('Leanne Graham');
    const expected = { users: { 'user-1': { id: 1, name: 'Leanne Graham' }, 'user-2': { id: 2, name: 'Ervin Howell' } }, meta: {} };
    expect(fs.readFileSync(memFile('reference-data'), 'utf8')).toBe(`${JSON.stringify(expected, null, 2)}\n`);
    const steps = readJsonl(path.join(r.json.runDir, 'steps.jsonl'));
    expect(steps.find((s) => s.id === 'forget-count').response).toEqual({ removed: true, namespace: 'reference-data', key: 'meta.count' });

    box.write('clear.job.seed.json', job([{ id: 'clear', action: 'memory.forget', payload: { namespace: 'reference-data' } }]));
    const cleared = await box.json(['job', 'run', '--case', 'clear.job.seed.json']);
    expect(cleared.code).toBe(0);
    expect(fs.existsSync(memFile('reference-data'))).toBe(false);
    expect(filesUnder(path.join(box.home, 'memory'))).toEqual([]);
  });

  it('recall of a missing key exits 4; with a default it succeeds with the default', async () => {
    box.write('missing.job.case.json', job([{ id: 'recall', action: 'memory.recall', payload: { namespace: 'nothing-here', key: 'a.b' } }]));
    const missing = await box.json(['job', 'run', '--case', 'missing.job.case.json']);
    expect(missing.code).toBe(4);
    expect(missing.json.status).toBe('FAILED');
    expect(missing.json.error.code).toBe('MEMORY_KEY_NOT_FOUND');
    expect(missing.json.steps[0]).toMatchObject({ id: 'recall', status: 'FAILED' });

    box.write('default.job.case.json', job([{ id: 'recall', action: 'memory.recall', payload: { namespace: 'nothing-here', key: 'a.b', default: { fallback: true } } }]));
    const withDefault = await box.json(['job', 'run', '--case', 'default.job.case.json']);
    expect(withDefault.code).toBe(0);
    const [step] = readJsonl(path.join(withDefault.json.runDir, 'steps.jsonl'));
    expect(step.response).toEqual({ fallback: true });
    expect(step.exports).toEqual({ found: false });
    expect(fs.existsSync(memFile('nothing-here'))).toBe(false);
  });
});

describe('case jobs may not write memory', () => {
  it('memory.store in a case job fails validate and run with exit 2 naming the step', async () => {
    box.write('bad.job.case.json', job([{ id: 'pause', action: 'flow.sleep', payload: { duration: 1 } }, store('write', 'ns', 'k', 1)]));
    const v = await box.json(['job', 'validate', '--case', 'bad.job.case.json']);
    expect(v.code).toBe(2);
    expect(v.json.errors).toContainEqual(expect.objectContaining({ path: '$.scenario.steps[1].action', code: 'MEMORY_WRITE_IN_CASE' }));
    const r = await box.json(['job', 'run', '--case', 'bad.job.case.json']);
    expect(r.code).toBe(2);
    expect(r.json.error.code).toBe('JOB_INVALID');
    expect(r.json.error.details.errors).toContainEqual(expect.objectContaining({ path: '$.scenario.steps[1].action', code: 'MEMORY_WRITE_IN_CASE' }));
    expect(filesUnder(box.output)).toEqual([]);
    expect(fs.existsSync(memFile('ns'))).toBe(false);
  });

  it('memory.forget as a flow.poll inner action is refused too; the same file as a seed job is valid', async () => {
    const steps = [
      {
        id: 'poll-forget',
        action: 'flow.poll',
        payload: { action: 'memory.forget', payload: { namespace: 'ns' }, intervalMs: 10, maxDurationMs: 100, conditions: { mode: 'ALL', rules: [{ path: '$.removed', op: 'exists' }] } },
      },
    ];
    box.write('poll.job.case.json', job(steps));
    const v = await box.json(['job', 'validate', '--case', 'poll.job.case.json']);
    expect(v.code).toBe(2);
    expect(v.json.errors).toContainEqual(expect.objectContaining({ path: '$.scenario.steps[0].payload.action', code: 'MEMORY_WRITE_IN_CASE' }));
    const r = await box.json(['job', 'run', '--case', 'poll.job.case.json']);
    expect(r.code).toBe(2);

    box.write('poll.job.seed.json', job(steps));
    const seed = await box.json(['job', 'validate', '--case', 'poll.job.seed.json']);
    expect(seed.code).toBe(0);
  });
});

describe('unsafe namespaces and keys', () => {
  const outside = () => path.join(box.root, 'escaped');
  const cases = () => [
    { name: 'parent', payload: { namespace: '../escaped', key: 'k', value: 1 }, at: 'namespace', code: 'INVALID_NAMESPACE' },
    { name: 'slash', payload: { namespace: 'a/b', key: 'k', value: 1 }, at: 'namespace', code: 'INVALID_NAMESPACE' },
    { name: 'absolute', payload: { namespace: outside(), key: 'k', value: 1 }, at: 'namespace', code: 'INVALID_NAMESPACE' },
    { name: 'dots', payload: { namespace: '..', key: 'k', value: 1 }, at: 'namespace', code: 'INVALID_NAMESPACE' },
    { name: 'empty', payload: { namespace: '', key: 'k', value: 1 }, at: 'namespace', code: undefined },
    { name: 'proto', payload: { namespace: 'ok', key: '__proto__.polluted', value: 1 }, at: 'key', code: 'FORBIDDEN_KEY' },
    { name: 'constructor', payload: { namespace: 'ok', key: 'a.constructor', value: 1 }, at: 'key', code: 'FORBIDDEN_KEY' },
    { name: 'prototype', payload: { namespace: 'ok', key: 'prototype', value: 1 }, at: 'key', code: 'FORBIDDEN_KEY' },
  ];

  it('literal unsafe values fail validate and run with exit 2 and the payload path; nothing is written', async () => {
    for (const c of cases()) {
      const file = `${c.name}.job.seed.json`;
      box.write(file, job([{ id: 'write', action: 'memory.store', payload: c.payload }]));
      const v = await box.json(['job', 'validate', '--case', file]);
      expect(v.code, c.name).toBe(2);
      const problem = v.json.errors.find((e: { path: string }) => e.path === `$.scenario.steps[0].payload.${c.at}`);
      expect(problem, c.name).toBeDefined();
      if (c.code) expect(problem.code, c.name).toBe(c.code);
      const r = await box.json(['job', 'run', '--case', file]);
      expect(r.code, c.name).toBe(2);
    }
    expect(filesUnder(box.output)).toEqual([]);
    expect(filesUnder(box.home)).toEqual([]);
    expect(fs.readdirSync(box.root).sort()).toEqual(['work']);
  });

  it('interpolated unsafe values fail the step at run time with exit 2', async () => {
    box.write('dyn.job.seed.json', job([store('write', '${run.ns}', '${run.key}', { x: 1 })], { inputs: { ns: 'fine', key: 'fine' } }));
    const attempts = [
      ['ns=../../escaped', 'INVALID_NAMESPACE'],
      [`ns=${outside()}`, 'INVALID_NAMESPACE'],
      ['key=__proto__.polluted', 'FORBIDDEN_KEY'],
      ['key=users.constructor', 'FORBIDDEN_KEY'],
    ];
    for (const [set, code] of attempts) {
      const r = await box.json(['job', 'run', '--case', 'dyn.job.seed.json', '--set', set]);
      expect(r.code, set).toBe(2);
      expect(r.json.status, set).toBe('FAILED');
      expect(r.json.error.code, set).toBe(code);
    }
    expect(filesUnder(path.join(box.home, 'memory'))).toEqual([]);
    expect(fs.readdirSync(box.root).sort()).toEqual(['run-output', 'work']);
    const ok = await box.json(['job', 'run', '--case', 'dyn.job.seed.json']);
    expect(ok.code).toBe(0);
    expect(filesUnder(path.join(box.home, 'memory'))).toEqual(['fine.json']);
  });
});
