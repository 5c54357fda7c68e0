import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { job, readJsonl, repoRoot, sandbox, type CliResult, type Sandbox } from '../support/cli.js';

// Folders dispatch cannot write: the answer is a clear exit-2 error naming the folder, never a
// crash (exit 1) or a stack trace. A read-only folder (chmod 0555) stops writes for normal
// users but not for root, which is how CI containers often run; there the test uses a path
// below a regular file instead, which fails for root too (ENOTDIR), and stands in for a full
// or read-only disk the same way: the first write under it is refused.

let box: Sandbox;
beforeEach(() => {
  box = sandbox();
});
afterEach(() => {
  for (const dir of [box.root, ...locked]) fs.chmodSync(dir, 0o755);
  locked.length = 0;
  box.cleanup();
});

const locked: string[] = [];

/** A folder path no write can land in, whatever user the tests run as. */
function unwritable(name: string): string {
  const dir = path.join(box.root, `ro-${name}`);
  fs.mkdirSync(dir);
  fs.chmodSync(dir, 0o555);
  locked.push(dir);
  try {
    fs.writeFileSync(path.join(dir, 'probe'), 'x');
    fs.rmSync(path.join(dir, 'probe'));
  } catch {
    return dir; // chmod works here: a real read-only folder
  }
  const blocker = path.join(box.root, `file-${name}`);
  fs.writeFileSync(blocker, 'a regular file where a folder should be\n');
  return path.join(blocker, 'sub');
}

const STACK = /\n\s+at .+:\d+:\d+/;

function expectCleanUsageError(r: CliResult, code?: string) {
  expect(r.code).toBe(2);
  expect(r.json).toMatchObject({ status: expect.stringMatching(/ERROR|FAILED/), exitCode: 2, error: { code: code ?? expect.any(String), message: expect.any(String) } });
  expect(r.json.error.code).not.toBe('INTERNAL');
  expect(r.json.error.hint).toBeTruthy();
  expect(r.stderr).not.toMatch(STACK);
}

const sleepJob = () => box.write('s.job.case.json', job([{ id: 'nap', action: 'flow.sleep', payload: { duration: 1 } }]));
const storeJob = () => box.write('m.job.seed.json', job([{ id: 'put', action: 'memory.store', payload: { namespace: 'ns', key: 'k', value: 1 } }]));

describe('run output that cannot be written', () => {
  it('job run and run-many refuse before any step runs, naming the folder', async () => {
    const out = unwritable('output');
    sleepJob();
    for (const args of [
      ['job', 'run', '--case', 's.job.case.json'],
      ['job', 'run-many', '--case', 's.job.case.json', '--count', '2'],
    ]) {
      const r = await box.json(args, { env: { DISPATCH_RUN_OUTPUT: out } });
      expectCleanUsageError(r, 'RUN_OUTPUT_UNWRITABLE');
      expect(r.json.error.message).toContain(out);
      expect(r.json.runId).toBeUndefined();
    }
    const human = await box.run(['job', 'run', '--case', 's.job.case.json'], { env: { DISPATCH_RUN_OUTPUT: out } });
    expect(human.code).toBe(2);
    expect(human.stderr).toContain('RUN_OUTPUT_UNWRITABLE');
    expect(human.stderr).toMatch(/DISPATCH_RUN_OUTPUT/);
    expect(human.stderr).not.toMatch(STACK);
  });

  it('job import into it is refused with exit 2, and the archive is left alone', async () => {
    sleepJob();
    const run = await box.json(['job', 'run', '--case', 's.job.case.json']);
    const zip = path.join(box.cwd, 'run.zip');
    expect((await box.json(['job', 'export', '--run-id', run.json.runId, '--out', zip])).code).toBe(0);
    const r = await box.json(['job', 'import', '--file', zip], { env: { DISPATCH_RUN_OUTPUT: unwritable('import') } });
    expectCleanUsageError(r);
    expect(fs.existsSync(zip)).toBe(true);
  });

  it('export and dump to an unwritable --out are exit 2', async () => {
    sleepJob();
    const run = await box.json(['job', 'run', '--case', 's.job.case.json']);
    const dir = unwritable('out');
    expectCleanUsageError(await box.json(['job', 'export', '--run-id', run.json.runId, '--out', path.join(dir, 'r.zip')]));
    expectCleanUsageError(await box.json(['job', 'dump', '--run-id', run.json.runId, '--out', path.join(dir, 'd.json')]));
  });

  it('a batch record that cannot be written is exit 2 after the runs, whose folders stay complete', async () => {
    sleepJob();
    fs.mkdirSync(box.output, { recursive: true });
    fs.writeFileSync(path.join(box.output, 'batches'), 'not a folder');
    const r = await box.json(['job', 'run-many', '--case', 's.job.case.json', '--count', '2']);
    expectCleanUsageError(r, 'RUN_OUTPUT_UNWRITABLE');
    const runs = fs.readdirSync(box.output).filter((n) => n !== 'batches');
    expect(runs).toHaveLength(2);
    for (const id of runs) expect(JSON.parse(fs.readFileSync(path.join(box.output, id, 'summary.json'), 'utf8')).status).toBe('SUCCESS');
  });
});

describe('state home that cannot be written', () => {
  it('a seed job with an unwritable state home is exit 2 (at the first read or at the write), never a crash', async () => {
    storeJob();
    const r = await box.json(['job', 'run', '--case', 'm.job.seed.json'], { env: { DISPATCH_HOME: unwritable('home') } });
    expectCleanUsageError(r);
    if (r.json.runDir) {
      const [step] = readJsonl(path.join(r.json.runDir, 'steps.jsonl'));
      expect(step).toMatchObject({ id: 'put', status: 'FAILED', error: { exitCode: 2 } });
    }
  });

  it('a memory folder that is a file: seed jobs fail with exit 2 naming it, case jobs still run', async () => {
    fs.mkdirSync(box.home, { recursive: true });
    fs.writeFileSync(path.join(box.home, 'memory'), 'not a folder');
    storeJob();
    const r = await box.json(['job', 'run', '--case', 'm.job.seed.json']);
    expectCleanUsageError(r, 'FILESYSTEM');
    expect(r.json.error.message).toContain(path.join(box.home, 'memory'));
    expect(r.json.steps[0]).toMatchObject({ status: 'FAILED', error: { code: 'FILESYSTEM', exitCode: 2 } });
    expect(fs.readdirSync(r.json.runDir).length).toBe(8);
    sleepJob();
    expect((await box.json(['job', 'run', '--case', 's.job.case.json'])).code).toBe(0);
    expectCleanUsageError(await box.json(['memory', 'list']));
    expectCleanUsageError(await box.json(['memory', 'inspect', '--namespace', 'ns']));
  });

  it('defaults set, module install and runtime unset are exit 2, never a crash', async () => {
    const home = unwritable('state');
    box.write('d.json', { duration: 5 });
    const env = { DISPATCH_HOME: home };
    expectCleanUsageError(await box.json(['defaults', 'set', '--action', 'flow.sleep', '--file', 'd.json'], { env }));
    const bundle = path.join(box.cwd, 'jp.dpmod.zip');
    expect((await box.json(['module', 'pack', '--path', path.join(repoRoot, 'modules/jsonplaceholder'), '--out', bundle])).code).toBe(0);
    expectCleanUsageError(await box.json(['module', 'install', '--bundle', bundle], { env }));
    const unset = await box.json(['runtime', 'unset', '--all'], { env });
    expect([0, 2]).toContain(unset.code);
    if (unset.code === 2) expectCleanUsageError(unset);
  });
});
