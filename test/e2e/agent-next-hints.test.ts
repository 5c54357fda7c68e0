import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { binPath, job, sandbox, type Sandbox } from '../support/cli.js';

// next[] names literal commands (DESIGN §3); human errors go to stderr; help is not an error.
let box: Sandbox;
beforeEach(() => (box = sandbox(undefined, { inProcess: true })));
afterEach(() => box.cleanup());

const sleepJob = (extra: Record<string, unknown> = {}) => job([{ id: 'a', action: 'flow.sleep', payload: { duration: '1ms' } }], extra);

describe('next[] commands work as printed', () => {
  it('quote a path with spaces and keep every --set value', async () => {
    box.write('jobs/my job.job.case.json', job([{ id: 'a', action: 'flow.sleep', payload: { duration: '${run.pause}' } }]));
    const v = await box.json(['job', 'validate', '--case', 'jobs/my job.job.case.json', '--set', 'pause=1ms']);
    expect(v.code).toBe(0);
    const next = v.json.next[0].command as string;
    expect(next).toBe("dispatch job run --case 'jobs/my job.job.case.json' --set pause=1ms");
    // Run it exactly as printed, through a shell, with `dispatch` being this build.
    const out = execFileSync('sh', ['-c', `${next.replace(/^dispatch /, `"${process.execPath}" "${binPath}" `)} --json`], { cwd: box.cwd, env: { ...process.env, ...box.env }, encoding: 'utf8' });
    expect(JSON.parse(out)).toMatchObject({ command: 'job run', status: 'SUCCESS' });
  });

  it('a mistyped flag is reported as unknown, not as the required option it was meant to be', async () => {
    const r = await box.json(['job', 'run', '-case', 'x.job.case.json']);
    expect(r.code).toBe(2);
    expect(r.json.error.message).toBe("unknown option '-case' (Did you mean --case?)");
  });

  it('a flag value that starts with "-" is a value, as commander reads it: --set -x is not an unknown option', async () => {
    const missing = await box.json(['job', 'run', '--set', '-x']);
    expect(missing.code).toBe(2);
    expect(missing.json.error.message).toBe("required option '--case <path>' not specified");
    box.write('x.job.case.json', { schemaVersion: 1, jobType: 'x', scenario: { steps: [{ id: 'a', action: 'flow.sleep', payload: { duration: 0 } }] } });
    const bad = await box.json(['job', 'run', '--case', 'x.job.case.json', '--set', '-x']);
    expect(bad.json.error.code).toBe('BAD_SET');
  });

  it('usage errors point at the help of the command', async () => {
    const r = await box.json(['job', 'run']);
    expect(r.code).toBe(2);
    expect(r.json.next).toEqual([{ command: 'dispatch job run --help', description: 'the usage of this command' }]);
  });
});

describe('help and version', () => {
  it('`dispatch help <command>` succeeds, and --help/--version under --json are one envelope', async () => {
    const h = await box.run(['help', 'job']);
    expect(h.code).toBe(0);
    expect(h.stdout).toContain('Usage: dispatch job');
    const hj = await box.json(['job', '--help']);
    expect(hj.code).toBe(0);
    expect(hj.json).toMatchObject({ command: 'job', status: 'SUCCESS', exitCode: 0 });
    expect(hj.json.help).toContain('Usage: dispatch job');
    const unknown = await box.json(['help', 'nosuch']);
    expect(unknown.code).toBe(2);
    expect(unknown.json.error.message).toBe("unknown command 'nosuch'");
    const vj = await box.json(['--version']);
    expect(vj.json).toMatchObject({ status: 'SUCCESS', version: expect.stringMatching(/^\d+\.\d+\.\d+/) });
  });
});

describe('human mode', () => {
  it('a command that could not do its work writes nothing to stdout', async () => {
    const r = await box.run(['job', 'report', '--run-id', '20200101-000000-job-run-0000000']);
    expect(r.code).toBe(4);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('RUN_NOT_FOUND');
    expect(r.stderr).toContain('next:');
  });

  it('job run of an invalid job lists every problem', async () => {
    box.write(
      'jobs/bad.job.case.json',
      job([
        { id: 'a', action: 'flow.sleep', payload: { duration: '${run.nope1}' } },
        { id: 'b', action: 'flow.sleep', payload: { duration: '${run.nope2}' } },
        { id: 'c', action: 'flow.sleep', payload: { duration: '${run.nope3}' } },
      ]),
    );
    const r = await box.run(['job', 'run', '--case', 'jobs/bad.job.case.json']);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    for (const p of ['$.scenario.steps[0].payload.duration', '$.scenario.steps[1].payload.duration', '$.scenario.steps[2].payload.duration']) expect(r.stderr).toContain(p);
  });

  it('shows the steps a failure skipped', async () => {
    box.write(
      'jobs/f.job.case.json',
      job([
        { id: 'first', action: 'memory.recall', payload: { namespace: 'nothing-here', key: 'k' } },
        { id: 'second', action: 'flow.sleep', payload: { duration: '1ms' } },
      ]),
    );
    const r = await box.run(['job', 'run', '--case', 'jobs/f.job.case.json']);
    expect(r.code).toBe(4);
    expect(r.stdout).toMatch(/✗ first/);
    expect(r.stdout).toMatch(/- second flow\.sleep skipped/);
  });
});

describe('dispatch job validate in a folder given by --cwd', () => {
  it('keeps --cwd in next[]', async () => {
    box.write('jobs/s.job.case.json', sleepJob());
    const r = await box.json(['job', 'validate', '--case', 'jobs/s.job.case.json', '--cwd', box.cwd], { cwd: box.root });
    expect(r.json.next[0].command).toBe(`dispatch job run --case jobs/s.job.case.json --cwd ${box.cwd}`);
    expect(fs.existsSync(box.cwd)).toBe(true);
  });
});

describe('job run warnings', () => {
  it('carries the warnings job validate would give, e.g. a --set name nothing reads', async () => {
    box.write('jobs/s.job.case.json', sleepJob());
    const r = await box.json(['job', 'run', '--case', 'jobs/s.job.case.json', '--set', 'lable=x']);
    expect(r.code).toBe(0);
    expect(r.json.warnings.map((w: { code: string }) => w.code)).toEqual(['SET_UNUSED']);
    const clean = await box.json(['job', 'run', '--case', 'jobs/s.job.case.json']);
    expect(clean.json.warnings).toBeUndefined();
    const batch = await box.json(['job', 'run-many', '--case', 'jobs/s.job.case.json', '--count', '2', '--set', 'lable=x']);
    expect(batch.code).toBe(0);
    expect(batch.json.warnings.map((w: { code: string }) => w.code)).toEqual(['SET_UNUSED']);
  });
});
