import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { job, repoRoot, sandbox, type Sandbox } from '../support/cli.js';

// Issue 14's validation items: what a job file may not say, and what it is warned about.
let box: Sandbox;
beforeEach(() => {
  box = sandbox('dispatch-trust-validate-', { inProcess: true });
});
afterEach(() => box.cleanup());

const sleep = (id: string) => ({ id, action: 'flow.sleep', payload: { duration: 0 } });
const codes = (list: Array<{ code: string }>) => list.map((p) => p.code);
const runDirs = () => (fs.existsSync(box.output) ? fs.readdirSync(box.output) : []);

describe('refused at validate', () => {
  it('a base URL with user:password@ is exit 2 for validate and run, never echoed, and no run is recorded', async () => {
    const secret = 'pa55-w0rd-xyz';
    box.write('jobs/literal.job.case.json', job([sleep('a')], { http: { baseUrl: `https://alice:${secret}@api.example.test/v1` } }));
    box.write('jobs/from-env.job.case.json', job([sleep('a')], { http: { baseUrl: '${env.API_URL}' } }));
    const env = { API_URL: `http://bob:${secret}@127.0.0.1:9/` };
    for (const [args, opts] of [
      [['job', 'validate', '--case', 'jobs/literal.job.case.json'], {}],
      [['job', 'run', '--case', 'jobs/literal.job.case.json'], {}],
      [['job', 'validate', '--case', 'jobs/from-env.job.case.json'], { env }],
      [['job', 'run', '--case', 'jobs/from-env.job.case.json'], { env }],
    ] as const) {
      const r = await box.json([...args], opts);
      expect(r.code, args.join(' ')).toBe(2);
      const errors = r.json.errors ?? r.json.error.details.errors;
      expect(errors.find((e: { path: string }) => e.path === '$.http.baseUrl')?.code).toBe('HTTP_BASEURL_CREDENTIALS');
      expect(r.stdout + r.stderr).not.toContain(secret);
      const human = await box.run([...args], opts);
      expect(human.stdout + human.stderr).not.toContain(secret);
    }
    expect(runDirs()).toEqual([]);
  });

  it('step ids __proto__, constructor and prototype are refused; ids that only contain them are fine', async () => {
    box.write('jobs/reserved.job.case.json', job([sleep('__proto__'), sleep('constructor'), sleep('prototype'), sleep('my-constructor'), sleep('__proto__x')]));
    const r = await box.json(['job', 'validate', '--case', 'jobs/reserved.job.case.json']);
    expect(r.code).toBe(2);
    const bad = r.json.errors.filter((e: { message: string }) => /reserved/.test(e.message)).map((e: { path: string }) => e.path);
    expect(bad).toEqual(['$.scenario.steps[0].id', '$.scenario.steps[1].id', '$.scenario.steps[2].id']);
  });
});

describe('warnings at validate', () => {
  it('a key written twice is a warning with its path and line; the job stays valid', async () => {
    const text =
      '{\n  "schemaVersion": 1,\n  "jobType": "dup",\n  "scenario": {\n    "steps": [\n      {"id": "a", "action": "flow.sleep", "payload": {"duration": 0, "duration": 5}}\n    ]\n  },\n  "jobType": "dup-again"\n}\n';
    box.write('jobs/dup.job.case.json', text);
    const r = await box.json(['job', 'validate', '--case', 'jobs/dup.job.case.json']);
    expect(r.code).toBe(0);
    const dups = r.json.warnings.filter((w: { code: string }) => w.code === 'DUPLICATE_KEY');
    expect(dups.map((w: { path: string }) => w.path)).toEqual(['$.scenario.steps[0].payload.duration', '$.jobType']);
    expect(dups[0].message).toContain('line 6');
    expect(dups[1].message).toContain('line 9');
    // job run carries the same warnings.
    const run = await box.json(['job', 'run', '--case', 'jobs/dup.job.case.json']);
    expect(run.code).toBe(0);
    expect(codes(run.json.warnings)).toContain('DUPLICATE_KEY');
  });

  it('an env var named like a secret read outside credentials is a warning, once per variable', async () => {
    box.write(
      'jobs/env.job.case.json',
      job(
        [
          { id: 'a', action: 'flow.sleep', payload: { duration: '${env.MY_API_TOKEN:-0}' } },
          { id: 'b', action: 'flow.sleep', payload: { duration: '${env.MY_API_TOKEN:-0}' } },
          { id: 'c', action: 'flow.sleep', payload: { duration: '${env.PLAIN_DELAY:-0}' } },
        ],
        { http: { defaultHeaders: { 'x-pass': '${env.DB_PASSWORD}' } } },
      ),
    );
    const r = await box.json(['job', 'validate', '--case', 'jobs/env.job.case.json'], { env: { MY_API_TOKEN: '0', DB_PASSWORD: 'hunter2-long', PLAIN_DELAY: '0' } });
    expect(r.code).toBe(0);
    const warned = r.json.warnings.filter((w: { code: string }) => w.code === 'SECRET_ENV_OUTSIDE_CREDENTIALS');
    expect(warned.map((w: { message: string }) => /reads (\w+)/.exec(w.message)?.[1]).sort()).toEqual(['DB_PASSWORD', 'MY_API_TOKEN']);
    expect(warned.every((w: { hint: string }) => w.hint.includes('credentials'))).toBe(true);
  });

  it('missing memory dependencies are a warning, and next[] leads with the --resolve-deps command', async () => {
    fs.cpSync(path.join(repoRoot, 'test/fixtures/memory-module'), box.cwd, { recursive: true });
    const r = await box.json(['job', 'validate', '--case', 'jobs/greet.job.case.json']);
    expect(r.code).toBe(0);
    expect(r.json.valid).toBe(true);
    const w = r.json.warnings.find((x: { code: string }) => x.code === 'MEMORY_DEPENDENCY_MISSING');
    expect(w).toMatchObject({ path: '$.dependencies.memory[0]' });
    expect(w.message).toContain('memfix-ref:greetings.hello');
    const next = r.json.next.map((n: { command: string }) => n.command);
    expect(next[0]).toBe('dispatch job run --case jobs/greet.job.case.json --resolve-deps');
    expect(next).toContain('dispatch job run --case modules/memfix/jobs/seed-greeting.job.seed.json');
    expect(next).toContain('dispatch job run --case jobs/greet.job.case.json');

    // Once the memory is there, no warning and the plain run command comes first.
    const fill = await box.json(['job', 'run', '--case', 'modules/memfix/jobs/seed-greeting.job.seed.json']);
    expect(fill.code).toBe(0);
    const again = await box.json(['job', 'validate', '--case', 'jobs/greet.job.case.json']);
    expect(codes(again.json.warnings)).not.toContain('MEMORY_DEPENDENCY_MISSING');
    expect(again.json.next[0].command).toBe('dispatch job run --case jobs/greet.job.case.json');
  });
});
