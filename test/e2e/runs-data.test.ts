import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { job, readJsonl, sandbox, type Sandbox } from '../support/cli.js';
import { writeTestModule } from '../support/fixtures.js';

// job run-many --data: one run per row of a CSV, JSON or JSONL file.

let box: Sandbox;
beforeEach(() => {
  box = sandbox('dispatch-data-', { inProcess: true });
  writeTestModule(box);
  box.write('greet.job.case.json', job([{ id: 'say', action: 'testkit.echo', payload: { name: '${run.name}', age: '${run.age}', tag: '${run.tag}' } }], { inputs: { tag: 'default' } }));
});
afterEach(() => box.cleanup());

async function payloads(batch: { json: { runIds: string[] } }) {
  return batch.json.runIds.map((id) => readJsonl(path.join(box.output, id, 'steps.jsonl'))[0].payload);
}

describe('run-many --data', () => {
  it('runs a CSV row by row: header names, quoted cells, JSON-typed cells, and --set over a row', async () => {
    box.write('people.csv', 'name,age,tag\nAda,36,"a, quoted"\n"Grace\nHopper",85,\nLin,007,x\n');
    const r = await box.json(['job', 'run-many', '--case', 'greet.job.case.json', '--data', 'people.csv', '--concurrency', '2']);
    expect(r.code, r.stdout).toBe(0);
    expect(r.json).toMatchObject({ count: 3, counts: { SUCCESS: 3 }, data: { file: 'people.csv', rows: 3 } });
    const got = (await payloads(r)).sort((a, b) => String(a.name).localeCompare(String(b.name)));
    expect(got).toEqual([
      { name: 'Ada', age: 36, tag: 'a, quoted' },
      { name: 'Grace\nHopper', age: 85, tag: '' },
      { name: 'Lin', age: '007', tag: 'x' },
    ]);
    const set = await box.json(['job', 'run-many', '--case', 'greet.job.case.json', '--data', 'people.csv', '--count', '1', '--set', 'tag=cli']);
    expect(set.json.count).toBe(1);
    expect((await payloads(set))[0]).toEqual({ name: 'Ada', age: 36, tag: 'cli' });
  });

  it('reads JSON and JSONL rows, keeping their types', async () => {
    box.write('rows.json', [{ name: 'J', age: 1, tag: { deep: true } }]);
    box.write('rows.jsonl', '{"name":"L1","age":2,"tag":"t"}\n\n{"name":"L2","age":3,"tag":null}\n');
    const j = await box.json(['job', 'run-many', '--case', 'greet.job.case.json', '--data', 'rows.json']);
    expect((await payloads(j))[0]).toEqual({ name: 'J', age: 1, tag: { deep: true } });
    const l = await box.json(['job', 'run-many', '--case', 'greet.job.case.json', '--data', 'rows.jsonl']);
    expect(l.json.count).toBe(2);
    expect((await payloads(l)).map((p) => p.name).sort()).toEqual(['L1', 'L2']);
  });

  it('refuses data it cannot use before any run starts', async () => {
    box.write('bad-name.json', [{ 'not ok': 1 }]);
    box.write('proto.json', '[{"__proto__": {"x": 1}}]');
    box.write('scalar.json', [1, 2]);
    box.write('empty.csv', 'name,age\n');
    box.write('rows.txt', 'name\nx\n');
    box.write('two.jsonl', '{"name":"a"}\n{"name":"b"}\n');
    for (const [args, code, err] of [
      [['--data', 'missing.csv'], 4, 'DATA_NOT_FOUND'],
      [['--data', 'bad-name.json'], 2, 'DATA_INVALID'],
      [['--data', 'proto.json'], 2, 'DATA_INVALID'],
      [['--data', 'scalar.json'], 2, 'DATA_INVALID'],
      [['--data', 'empty.csv'], 2, 'DATA_INVALID'],
      [['--data', 'rows.txt'], 2, 'DATA_INVALID'],
      [['--data', 'two.jsonl', '--count', '3'], 2, 'DATA_COUNT'],
    ] as const) {
      const r = await box.json(['job', 'run-many', '--case', 'greet.job.case.json', ...args]);
      expect([r.code, r.json.error?.code], args.join(' ')).toEqual([code, err]);
    }
    const list = await box.json(['job', 'list']);
    expect(list.json.runs).toEqual([]);
  });
});

describe('job assert --batch-id', () => {
  it('asserts every run of a batch: exit 0 only when each one holds, and names the runs that do not', async () => {
    box.write('adult.job.case.json', job([{ id: 'say', action: 'testkit.echo', payload: { age: '${run.age}' } }], { assertions: [{ path: '$.steps.say.response.age', op: 'gte', value: 18 }] }));
    box.write('ok.csv', 'age\n20\n30\n');
    box.write('mixed.csv', 'age\n40\n10\n');
    const ok = await box.json(['job', 'run-many', '--case', 'adult.job.case.json', '--data', 'ok.csv']);
    const passing = await box.json(['job', 'assert', '--batch-id', ok.json.batchId]);
    expect(passing.code).toBe(0);
    expect(passing.json).toMatchObject({ status: 'SUCCESS', passedRuns: 2, failedRuns: 0 });

    await box.json(['job', 'run-many', '--case', 'adult.job.case.json', '--data', 'mixed.csv']);
    const failing = await box.json(['job', 'assert', '--batch-id', 'latest']);
    expect(failing.code).toBe(2);
    expect(failing.json).toMatchObject({ status: 'FAILED', passedRuns: 1, failedRuns: 1, error: { code: 'ASSERTION_FAILED' } });
    const bad = failing.json.runs.find((r: { failed: number }) => r.failed > 0);
    expect(bad).toMatchObject({ index: 1, failed: 1, failures: [{ path: '$.steps.say.response.age', op: 'gte' }] });
    expect(failing.json.next[0].command).toBe(`dispatch job assert --run-id ${bad.runId}`);

    const both = await box.json(['job', 'assert', '--batch-id', 'latest', '--run-id', bad.runId]);
    expect([both.code, both.json.error.code]).toEqual([2, 'BAD_OPTION']);
  });
});

describe('run-many --shard', () => {
  it('splits a batch into disjoint slices that together cover every index once', async () => {
    box.write('idx.job.case.json', job([{ id: 'say', action: 'testkit.echo', payload: { index: '${run.index}', name: '${run.name}' } }]));
    box.write('names.jsonl', ['a', 'b', 'c', 'd', 'e', 'f', 'g'].map((n) => JSON.stringify({ name: n })).join('\n'));
    const seen: Array<[number, string]> = [];
    for (const shard of ['1/3', '2/3', '3/3']) {
      const r = await box.json(['job', 'run-many', '--case', 'idx.job.case.json', '--data', 'names.jsonl', '--shard', shard, '--concurrency', '2']);
      expect(r.code, r.stdout).toBe(0);
      expect(r.json.shard).toEqual({ index: Number(shard[0]), total: 3, batchCount: 7 });
      for (const p of await payloads(r)) seen.push([p.index, p.name]);
    }
    expect(seen.sort((x, y) => x[0] - y[0])).toEqual([
      [0, 'a'],
      [1, 'b'],
      [2, 'c'],
      [3, 'd'],
      [4, 'e'],
      [5, 'f'],
      [6, 'g'],
    ]);
    for (const bad of ['0/3', '4/3', '1', 'a/b']) {
      const r = await box.json(['job', 'run-many', '--case', 'idx.job.case.json', '--count', '2', '--shard', bad]);
      expect([r.code, r.json.error.code], bad).toEqual([2, 'BAD_OPTION']);
    }
  });
});
