import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { job, repoRoot, sandbox, type Sandbox } from '../support/cli.js';

let box: Sandbox;
beforeEach(() => {
  box = sandbox();
});
afterEach(() => box.cleanup());

const ANSI = /\u001b\[/;

describe('output contract', () => {
  it('prints the package version for --version', async () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(repoRoot, 'package.json'), 'utf8'));
    const r = await box.run(['--version']);
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toBe(pkg.version);
  });

  it('answers unknown commands and bad flags with a usage envelope (exit 2)', async () => {
    const unknown = await box.json(['job', 'frobnicate']);
    expect(unknown.code).toBe(2);
    expect(unknown.json).toMatchObject({ status: 'ERROR', exitCode: 2, error: { code: 'USAGE' } });
    expect(Object.keys(unknown.json).slice(0, 4)).toEqual(['cliVersion', 'command', 'status', 'exitCode']);
    expect(Array.isArray(unknown.json.next)).toBe(true);
    const flag = await box.json(['job', 'run', '--case', 'x.job.case.json', '--bogus']);
    expect(flag.code).toBe(2);
    expect(flag.json.error.message).toMatch(/bogus/);
    const missing = await box.json(['job', 'run']);
    expect(missing.code).toBe(2);
    expect(missing.json.error.message).toMatch(/--case/);
  });

  it('keeps --json free of ANSI codes even with FORCE_COLOR, and human output colourless with NO_COLOR', async () => {
    const file = path.join(repoRoot, 'jobs/flow-sleep.job.case.json');
    const forced = await box.json(['job', 'validate', '--case', file], { env: { FORCE_COLOR: '1', NO_COLOR: undefined } });
    expect(forced.stdout).not.toMatch(ANSI);
    const coloured = await box.run(['job', 'validate', '--case', file], { env: { FORCE_COLOR: '1', NO_COLOR: undefined } });
    expect(coloured.stdout).toMatch(ANSI);
    const plain = await box.run(['job', 'validate', '--case', file]);
    expect(plain.stdout).not.toMatch(ANSI);
    expect(plain.stdout).toMatch(/valid flow-sleep-example/);
  });

  it('prints errors on stderr with the hint in human mode, stdout stays clean of them', async () => {
    const r = await box.run(['job', 'validate', '--case', 'missing.job.case.json']);
    expect(r.code).toBe(4);
    expect(r.stderr).toMatch(/CASE_NOT_FOUND/);
    expect(r.stderr).toMatch(/hint/);
  });

  it('prints the job case JSON Schema, identical to the shipped file', async () => {
    const r = await box.run(['schema', 'case', '--print']);
    expect(r.code).toBe(0);
    const schema = JSON.parse(r.stdout);
    expect(schema.properties.scenario).toBeDefined();
    expect(schema.required).toEqual(expect.arrayContaining(['schemaVersion', 'jobType', 'scenario']));
    expect(schema).toEqual(JSON.parse(fs.readFileSync(path.join(repoRoot, 'schemas/job-case.schema.json'), 'utf8')));
    const env = await box.json(['schema', 'case', '--print']);
    expect(env.json.schema).toEqual(schema);
  });
});

describe('hostile job files get exit 2 with a located message, never a crash', () => {
  const cases: Array<[string, string | Buffer, RegExp]> = [
    ['truncated JSON', '{"schemaVersion": 1, "jobType": "x", "scenario": {"steps": [', /line 1/],
    ['trailing comma', '{"schemaVersion": 1,}', /not valid JSON/],
    ['wrong types', JSON.stringify({ schemaVersion: '1', jobType: 5, scenario: { steps: 'no' } }), /schemaVersion|jobType|steps/],
    ['__proto__ key', '{"schemaVersion":1,"jobType":"x","scenario":{"steps":[{"id":"a","action":"flow.sleep","payload":{"__proto__":{"polluted":true}}}]}}', /__proto__/],
    ['deep nesting', `{"schemaVersion":1,"jobType":"x","inputs":{"a":${'['.repeat(5000)}${']'.repeat(5000)}},"scenario":{"steps":[]}}`, /nested more than/],
    ['unterminated ${', JSON.stringify(job([{ id: 'a', action: 'flow.sleep', payload: { duration: '${env.X' } }])), /Unterminated/],
    ['invalid UTF-8', Buffer.from([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x7d]), /UTF-8/],
    ['empty file', '', /not valid JSON/],
    ['a JSON array', '[]', /expected object/],
  ];
  for (const [name, content, pattern] of cases) {
    it(name, async () => {
      box.write('h.job.case.json', content as string);
      const r = await box.json(['job', 'validate', '--case', 'h.job.case.json']);
      expect(r.code).toBe(2);
      const text = JSON.stringify(r.json.error) + JSON.stringify(r.json.errors ?? []);
      expect(text).toMatch(pattern);
      expect(r.stderr).not.toMatch(/at .*:\d+:\d+/);
      const run = await box.json(['job', 'run', '--case', 'h.job.case.json']);
      expect(run.code).toBe(2);
    });
  }

  it('a very long string value is fine (and a BOM is accepted)', async () => {
    box.write('l.job.case.json', '\uFEFF' + JSON.stringify(job([{ id: 'a', action: 'flow.sleep', payload: { duration: 1 }, description: 'x'.repeat(2_000_000) }])));
    const r = await box.json(['job', 'validate', '--case', 'l.job.case.json']);
    expect(r.code).toBe(0);
  });
});
