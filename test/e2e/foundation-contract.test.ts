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
    // schemas/ is committed, not written by the build: a mismatch means `npm run schemas` was not run.
    expect(schema, 'schemas/job-case.schema.json is stale: run npm run schemas and commit it').toEqual(JSON.parse(fs.readFileSync(path.join(repoRoot, 'schemas/job-case.schema.json'), 'utf8')));
    const env = await box.json(['schema', 'case', '--print']);
    expect(env.json.schema).toEqual(schema);
  });
});

describe('usage edges', () => {
  it('a group without a subcommand is a usage error with help, in both modes', async () => {
    const human = await box.run(['job']);
    expect(human.code).toBe(2);
    expect(human.stdout).toMatch(/Usage: dispatch job/);
    const json = await box.json(['module']);
    expect(json.code).toBe(2);
    expect(json.json.error).toMatchObject({ code: 'USAGE', message: 'a subcommand is required' });
    expect((await box.run([])).code).toBe(2);
  });

  it('a mistyped command gets a one-line message and a hint for the command that exists', async () => {
    const r = await box.json(['job', 'rn']);
    expect(r.json.error.message).toBe("unknown command 'rn' (Did you mean run?)");
    expect(r.json.error.hint).toBe('Run "dispatch job --help" for usage.');
  });

  it('--cwd must be a directory, and next[] keeps it', async () => {
    const bad = await box.json(['job', 'cases', '--cwd', path.join(box.root, 'nope')]);
    expect(bad.code).toBe(2);
    expect(bad.json.error.code).toBe('CWD_NOT_FOUND');
    const ok = await box.json(['job', 'validate', '--case', 'jobs/flow-sleep.job.case.json', '--cwd', repoRoot]);
    expect(ok.json.next[0].command).toBe(`dispatch job run --case jobs/flow-sleep.job.case.json --cwd ${repoRoot}`);
  });

  it('validate refuses what run would refuse: prototype --set names and reference paths', async () => {
    box.write('p.job.case.json', job([{ id: 'a', action: 'flow.sleep', payload: { duration: '${run.x.__proto__.polluted}' } }], { inputs: { x: {} } }));
    const ref = await box.json(['job', 'validate', '--case', 'p.job.case.json']);
    expect(ref.code).toBe(2);
    expect(ref.json.errors[0]).toMatchObject({ code: 'FORBIDDEN_KEY', path: '$.scenario.steps[0].payload.duration' });
    const file = path.join(repoRoot, 'jobs/flow-sleep.job.case.json');
    expect((await box.json(['job', 'validate', '--case', file, '--set', '__proto__=1'])).json.error.code).toBe('BAD_SET');
    expect((await box.json(['job', 'validate', '--case', file, '--set', 'novalue'])).json.error.code).toBe('BAD_SET');
  });

  it('never echoes a credential value in a validation message', async () => {
    box.write(
      's.job.case.json',
      job([{ id: 'a', action: 'flow.sleep', payload: { duration: 1 } }], {
        http: { baseUrl: '${env.DISPATCH_TEST_SECRET}' },
        credentials: { admin: { fromEnv: { password: 'DISPATCH_TEST_SECRET' } } },
      }),
    );
    const r = await box.json(['job', 'validate', '--case', 's.job.case.json'], { env: { DISPATCH_TEST_SECRET: 'S3cretPass!' } });
    expect(r.code).toBe(2);
    expect(r.json.errors.map((e: any) => e.code)).toContain('HTTP_CONFIG');
    expect(r.stdout + r.stderr).not.toContain('S3cretPass!');
    const human = await box.run(['job', 'run', '--case', 's.job.case.json'], { env: { DISPATCH_TEST_SECRET: 'S3cretPass!' } });
    expect(human.stdout + human.stderr).not.toContain('S3cretPass!');
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
