import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { job, sandbox, type Sandbox } from '../support/cli.js';
import { writeTestModule } from '../support/fixtures.js';

// Which run is "latest", and what `job list` says about run folders it cannot read.

let box: Sandbox;
let template: string;

beforeEach(async () => {
  box = sandbox(undefined, { inProcess: true });
  writeTestModule(box);
  box.write('echo.job.case.json', job([{ id: 'say', action: 'testkit.echo', payload: {} }]));
  const r = await box.json(['job', 'run', '--case', 'echo.job.case.json']);
  expect(r.code).toBe(0);
  template = r.json.runDir;
});
afterEach(() => box.cleanup());

/** A copy of a real run under a chosen id and start time (ids only carry the second). */
function craft(runId: string, startedAt: string): string {
  const dir = path.join(box.output, runId);
  fs.cpSync(template, dir, { recursive: true });
  const file = path.join(dir, 'summary.json');
  fs.writeFileSync(file, JSON.stringify({ ...JSON.parse(fs.readFileSync(file, 'utf8')), runId, startedAt }, null, 2));
  return dir;
}

const hex = (n: number) => n.toString(16).padStart(7, '0');

describe('latest', () => {
  it('is the run that started last, even when 30 batch runs of the same second sort above it by id', async () => {
    // "job-run-many-…" sorts above "job-run-<hex>" as text, and there are more of them than a
    // window of limit + 20 ids: the newest job run must still win on startedAt.
    for (let i = 0; i < 30; i++) craft(`20300101-120000-job-run-many-${hex(i)}`, `2030-01-01T12:00:00.${String(100 + i).padStart(3, '0')}Z`);
    const newest = `20300101-120000-job-run-${hex(0xfff)}`;
    craft(newest, '2030-01-01T12:00:00.900Z');
    craft(`20300101-115959-job-run-${hex(1)}`, '2030-01-01T11:59:59.999Z');

    const latest = await box.json(['job', 'latest']);
    expect(latest.code).toBe(0);
    expect(latest.json.runId).toBe(newest);
    const assert = await box.json(['job', 'assert', '--run-id', 'latest']);
    expect(assert.code).toBe(0);
    expect(assert.json.runId).toBe(newest);
    const inspect = await box.json(['job', 'inspect']);
    expect(inspect.json.runId).toBe(newest);
    const list = await box.json(['job', 'list', '--limit', '3']);
    expect(list.json.runs.map((r: any) => r.runId)).toEqual([newest, `20300101-120000-job-run-many-${hex(29)}`, `20300101-120000-job-run-many-${hex(28)}`]);
    expect(list.json).toMatchObject({ total: 33, count: 3, more: true });
  });

  it('a damaged newest run is reported, not skipped in favour of an older one', async () => {
    const broken = path.join(box.output, '20990101-000000-job-run-abcdef0');
    fs.cpSync(template, broken, { recursive: true });
    fs.writeFileSync(path.join(broken, 'summary.json'), '{"runId": "20990101-000000-job-run-abcdef0", "sta');
    for (const args of [
      ['job', 'latest'],
      ['job', 'assert', '--run-id', 'latest'],
      ['job', 'inspect'],
    ]) {
      const r = await box.json(args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.json.error.code).toBe('RUN_RECORD_CORRUPT');
      expect(r.json.error.message).toContain(path.join(broken, 'summary.json'));
      expect(r.json.error.hint).toBeTruthy();
      expect(r.json.next.length).toBeGreaterThan(0);
    }
  });
});

describe('job list with unreadable run folders', () => {
  it('lists them as broken with a warning naming them, and does not offer --limit for them', async () => {
    const a = '20300101-000000-job-run-0000aaa';
    fs.mkdirSync(path.join(box.output, a));
    fs.writeFileSync(path.join(box.output, a, 'summary.json'), '{"cut": ');
    const b = '20300101-000001-job-run-0000bbb';
    fs.cpSync(template, path.join(box.output, b), { recursive: true });
    fs.rmSync(path.join(box.output, b, 'steps.jsonl'));

    const r = await box.json(['job', 'list']);
    expect(r.code).toBe(0);
    expect(r.json.runs.map((x: any) => x.runId)).toEqual([path.basename(template)]);
    expect(r.json.broken.map((x: any) => [x.runId, x.code])).toEqual([
      [b, 'RUN_RECORD_CORRUPT'],
      [a, 'RUN_RECORD_CORRUPT'],
    ]);
    expect(r.json.broken[0].problem).toContain('steps.jsonl');
    expect(r.json.broken[1].problem).toContain('summary.json');
    expect(r.json).toMatchObject({ total: 3, count: 1, more: false });
    expect(r.json.warnings).toHaveLength(1);
    expect(r.json.warnings[0].message).toContain(a);
    expect(r.json.warnings[0].message).toContain(b);

    const human = await box.run(['job', 'list']);
    expect(human.code).toBe(0);
    expect(human.stdout).toContain(`BROKEN ${a}`);
    expect(human.stdout).toContain(`BROKEN ${b}`);
    expect(human.stdout).not.toContain('--limit');
  });
});
