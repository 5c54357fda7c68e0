import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { job, sandbox, type Sandbox } from '../support/cli.js';
import { writeTestModule } from '../support/fixtures.js';

// What offline commands do with a damaged record, and what `job assert` may and may not conclude.

let box: Sandbox;
beforeEach(() => {
  box = sandbox(undefined, { inProcess: true });
  writeTestModule(box);
});
afterEach(() => box.cleanup());

/** A run that fails at its first step, so the second is skipped. */
async function failedRun(): Promise<{ runId: string; runDir: string }> {
  box.write(
    'fail.job.case.json',
    job(
      [
        { id: 'first', action: 'testkit.fail', payload: {} },
        { id: 'after', action: 'testkit.echo', description: 'Never runs.', payload: { x: 1 }, capture: { got: 'response.x' } },
      ],
      {
        assertions: [
          { path: '$.steps.first.status', op: 'eq', value: 'FAILED' },
          { path: '$.steps.after.status', op: 'eq', value: 'SKIPPED' },
          { path: '$.steps.after.response', op: 'eq', value: null },
        ],
      },
    ),
  );
  const r = await box.json(['job', 'run', '--case', 'fail.job.case.json']);
  expect(r.json.status).toBe('FAILED');
  return { runId: r.json.runId, runDir: r.json.runDir };
}

async function okRun(assertions: unknown[] = [{ path: '$.steps.say.response.hello', op: 'eq', value: 'world' }]): Promise<{ runId: string; runDir: string }> {
  box.write('ok.job.case.json', job([{ id: 'say', action: 'testkit.echo', payload: { hello: 'world' } }], { assertions }));
  const r = await box.json(['job', 'run', '--case', 'ok.job.case.json']);
  expect(r.code).toBe(0);
  return { runId: r.json.runId, runDir: r.json.runDir };
}

function expectCorrupt(r: { code: number; json: any }, file: string, label: string): void {
  expect(r.code, label).toBe(2);
  expect(r.json.status, label).toBe('ERROR');
  expect(r.json.error.code, label).toBe('RUN_RECORD_CORRUPT');
  expect(r.json.error.message, label).toContain(file);
  expect(r.json.error.hint, label).toMatch(/restore|run the job again/i);
  expect(r.json.next.length, label).toBeGreaterThan(0);
}

describe('job assert never passes by accident', () => {
  for (const [label, damage] of [
    ['missing', (f: string) => fs.rmSync(f)],
    ['empty', (f: string) => fs.writeFileSync(f, '')],
    ['cut short', (f: string) => fs.writeFileSync(f, '{"schemaVersion": 1, "assertions": [')],
  ] as const) {
    it(`refuses a run whose job.case.input.json is ${label}`, async () => {
      const { runId, runDir } = await okRun();
      const file = path.join(runDir, 'job.case.input.json');
      damage(file);
      expectCorrupt(await box.json(['job', 'assert', '--run-id', runId]), file, label);
    });
  }

  it('refuses a recorded rule that does not parse, naming its index', async () => {
    const { runId, runDir } = await okRun();
    const file = path.join(runDir, 'job.case.input.json');
    const input = JSON.parse(fs.readFileSync(file, 'utf8'));
    input.assertions.push({ path: '$.status', op: 'roughly', value: 'SUCCESS' });
    fs.writeFileSync(file, JSON.stringify(input));
    const r = await box.json(['job', 'assert', '--run-id', runId]);
    expectCorrupt(r, file, 'bad rule');
    expect(r.json.error.message).toContain('assertion [1]');
  });

  it('sees every step of the job, a skipped one as SKIPPED', async () => {
    const { runId } = await failedRun();
    const r = await box.json(['job', 'assert', '--run-id', runId, '--expect-status', 'FAILED']);
    expect(r.code).toBe(0);
    expect(r.json).toMatchObject({ status: 'SUCCESS', passed: 4, failed: 0 });
  });

  it('does not let a redacted value satisfy a rule, on either side', async () => {
    box.write('modules/sec/module.json', { name: 'sec', version: '0.1.0', entry: 'index.mjs' });
    box.write(
      'modules/sec/index.mjs',
      `import { defineModule, defineAction, z } from 'dispatchkit';
export default defineModule({ name: 'sec', version: '0.1.0', actions: {
  whoami: defineAction({ description: 'echoes the token', schema: z.object({}), credentialSchema: z.object({ token: z.string() }),
    async handler(ctx) { return { response: { token: ctx.credential.token, user: 'ann' } }; } }),
}});
`,
    );
    const secret = 'audit-secret-token-1';
    box.write(
      'sec.job.case.json',
      job([{ id: 'me', action: 'sec.whoami', credential: 'api', payload: {} }], {
        credentials: { api: { fromEnv: { token: 'AUDIT_TOKEN' } } },
        assertions: [
          { path: '$.steps.me.response.token', op: 'eq', value: secret },
          { path: '$.steps.me.response.token', op: 'eq', value: '[REDACTED]' },
          { path: '$.steps.me.response.token', op: 'neq', value: 'something else' },
          { path: '$.steps.me.response.user', op: 'in', value: ['[REDACTED]', 'ann'] },
          { path: '$.steps.me.response.token', op: 'exists' },
          { path: '$.steps.me.response.user', op: 'eq', value: 'ann' },
        ],
      }),
    );
    const run = await box.json(['job', 'run', '--case', 'sec.job.case.json'], { env: { AUDIT_TOKEN: secret } });
    expect(run.code).toBe(0);
    const r = await box.json(['job', 'assert', '--run-id', run.json.runId]);
    expect(r.code).toBe(2);
    expect(r.json.status).toBe('FAILED');
    expect(r.json.results.map((x: any) => x.pass)).toEqual([true, false, false, false, false, true, true]);
    for (const x of r.json.results.slice(1, 5)) expect(x.message).toMatch(/secrets are not kept in the run record/);
    expect(JSON.stringify(r.json)).not.toContain(secret);
  });

  it('names a bad --expect-status BAD_OPTION with a hint', async () => {
    const { runId } = await okRun();
    const r = await box.json(['job', 'assert', '--run-id', runId, '--expect-status', 'MAYBE']);
    expect(r.code).toBe(2);
    expect(r.json.error.code).toBe('BAD_OPTION');
    expect(r.json.error.hint).toContain('--expect-status');
  });
});

describe('a damaged record is one clear error in every offline command', () => {
  const commands = (runId: string, out: string): Array<[string, string[]]> => [
    ['inspect', ['job', 'inspect', '--run-id', runId]],
    ['inspect --step', ['job', 'inspect', '--run-id', runId, '--step', '1']],
    ['readable', ['job', 'readable', '--run-id', runId]],
    ['dump', ['job', 'dump', '--run-id', runId]],
    ['report', ['job', 'report', '--run-id', runId, '--out', out]],
    ['assert', ['job', 'assert', '--run-id', runId]],
    ['replay', ['job', 'replay', '--run-id', runId]],
  ];

  for (const [label, name, damage] of [
    ['missing steps.jsonl', 'steps.jsonl', (f: string) => fs.rmSync(f)],
    ['empty steps.jsonl', 'steps.jsonl', (f: string) => fs.writeFileSync(f, '')],
    ['truncated meta.json', 'meta.json', (f: string) => fs.writeFileSync(f, '{"runId": "x", "cliV')],
    ['missing job.case.resolved.json', 'job.case.resolved.json', (f: string) => fs.rmSync(f)],
  ] as const) {
    it(label, async () => {
      const { runId, runDir } = await okRun();
      const file = path.join(runDir, name);
      damage(file);
      const out = path.join(box.cwd, 'report.xml');
      for (const [cmd, args] of commands(runId, out)) expectCorrupt(await box.json(args), file, `${label}: ${cmd}`);
      expect(fs.existsSync(out)).toBe(false);
      // No replay was recorded on top of the damaged run.
      expect(fs.readdirSync(box.output).filter((n) => n.includes('job-replay'))).toEqual([]);
    });
  }

  it('a batch report shows a damaged run as an error case and still reports the others', async () => {
    box.write('ok.job.case.json', job([{ id: 'say', action: 'testkit.echo', payload: {} }]));
    const batch = await box.json(['job', 'run-many', '--case', 'ok.job.case.json', '--count', '2']);
    const broken = batch.json.runIds[0];
    fs.writeFileSync(path.join(box.output, broken, 'steps.jsonl'), '');
    const r = await box.json(['job', 'report', '--batch-id', batch.json.batchId]);
    expect(r.code).toBe(0);
    expect(r.json).toMatchObject({ tests: 3, errors: 1, failures: 0 });
    expect(r.json.xml).toContain('type="RUN_RECORD_CORRUPT"');
    expect(r.json.xml).toContain(path.join(box.output, broken, 'steps.jsonl'));
  });
});

describe('job inspect', () => {
  it('shows a skipped step with its description and capture map', async () => {
    const { runId } = await failedRun();
    const r = await box.json(['job', 'inspect', '--run-id', runId, '--step', 'after']);
    expect(r.code).toBe(0);
    expect(r.json.step).toMatchObject({ id: 'after', status: 'SKIPPED', payloadResolved: false, payload: { x: 1 }, description: 'Never runs.', capture: { got: 'response.x' } });
  });

  it('does not suggest itself again for a run that failed before any step', async () => {
    const { runId, runDir } = await failedRun();
    // The record of a run stopped before its first step: every step skipped, nothing in steps.jsonl.
    const file = path.join(runDir, 'summary.json');
    const summary = JSON.parse(fs.readFileSync(file, 'utf8'));
    summary.steps = summary.steps.map((s: any) => ({ id: s.id, action: s.action, status: 'SKIPPED', durationMs: 0 }));
    summary.error = { code: 'INPUT_UNRESOLVED', message: 'an input did not resolve', exitCode: 2 };
    fs.writeFileSync(file, JSON.stringify(summary));
    fs.writeFileSync(path.join(runDir, 'steps.jsonl'), '');
    const r = await box.json(['job', 'inspect', '--run-id', runId]);
    expect(r.code).toBe(0);
    const commands = r.json.next.map((n: any) => n.command);
    expect(commands).not.toContain(`dispatch job inspect --run-id ${runId}`);
    expect(commands).toContain(`dispatch job readable --run-id ${runId}`);
  });
});

describe('next[] and ids', () => {
  it('job export does not suggest an import that would answer RUN_EXISTS here', async () => {
    const { runId } = await okRun();
    const r = await box.json(['job', 'export', '--run-id', runId, '--out', 'run.zip']);
    expect(r.code).toBe(0);
    expect(r.json.next.filter((n: any) => n.command.includes('job import'))).toEqual([]);
  });

  it('batch-inspect of an unknown batch points at something that finds batches, not at the run list', async () => {
    const none = await box.json(['job', 'batch-inspect', '--batch-id', '20200101-000000-batch-0000000']);
    expect(none.code).toBe(4);
    expect(none.json.next.map((n: any) => n.command)).toEqual(['dispatch job cases']);
    box.write('ok.job.case.json', job([{ id: 'say', action: 'testkit.echo', payload: {} }]));
    await box.json(['job', 'run-many', '--case', 'ok.job.case.json', '--count', '1']);
    const unknown = await box.json(['job', 'batch-inspect', '--batch-id', '20200101-000000-batch-0000000']);
    expect(unknown.code).toBe(4);
    const next = unknown.json.next.map((n: any) => n.command);
    expect(next).toEqual(['dispatch job batch-inspect --batch-id latest']);
    // The suggestion works as printed.
    expect((await box.json(next[0].split(' ').slice(1))).code).toBe(0);
  });

  it('an empty --batch-id is an error, like an empty --run-id', async () => {
    await okRun();
    for (const args of [
      ['job', 'batch-inspect', '--batch-id', ''],
      ['job', 'report', '--batch-id', ''],
      ['job', 'inspect', '--run-id', ''],
    ]) {
      const r = await box.json(args);
      expect(r.code, args.join(' ')).toBe(2);
      // The option check every surface shares (src/cli/check-options.ts) names the empty flag.
      expect(r.json.error.code).toBe('USAGE');
      expect(r.json.error.message).toContain(`${args[2]} is empty`);
      expect(r.json.error.hint).toBeTruthy();
    }
  });
});
