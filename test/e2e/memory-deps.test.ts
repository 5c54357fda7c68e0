import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { job, readRunFiles, repoRoot, sandbox, type Sandbox } from '../support/cli.js';
import { startJsonPlaceholder } from '../support/jsonplaceholder.js';

const fixture = path.join(repoRoot, 'test/fixtures/memory-module');
let box: Sandbox;
beforeEach(() => {
  box = sandbox('dispatch-memdeps-', { inProcess: true });
  fs.cpSync(fixture, box.cwd, { recursive: true });
});
afterEach(() => box.cleanup());

const memFile = (ns: string) => path.join(box.home, 'memory', `${ns}.json`);
const runDirs = () => (fs.existsSync(box.output) ? fs.readdirSync(box.output).filter((n) => !n.startsWith('.') && n !== 'batches') : []);
const commands = (r: { json: { next: Array<{ command: string }> } }) => r.json.next.map((n) => n.command);
const readJson = (file: string) => JSON.parse(fs.readFileSync(file, 'utf8'));

describe('dependencies.memory', () => {
  it('a missing key fails before any step with exit 4 and next[] naming --resolve-deps and the fill job', async () => {
    const r = await box.json(['job', 'run', '--case', 'jobs/greet.job.case.json']);
    expect(r.code).toBe(4);
    expect(r.json.status).toBe('ERROR');
    expect(r.json.error.code).toBe('MEMORY_DEPENDENCY_MISSING');
    expect(r.json.error.details.missing[0]).toMatchObject({ namespace: 'memfix-ref', key: 'greetings.hello', fill: { module: 'memfix', job: 'seed-greeting' } });
    expect(commands(r)).toEqual(expect.arrayContaining(['dispatch job run --case jobs/greet.job.case.json --resolve-deps', 'dispatch job run --case modules/memfix/jobs/seed-greeting.job.seed.json']));
    expect(runDirs()).toEqual([]);
    expect(fs.existsSync(memFile('memfix-ref'))).toBe(false);
    const withSet = await box.json(['job', 'run', '--case', 'jobs/greet.job.case.json', '--set', 'label=two words']);
    expect(withSet.code).toBe(4);
    expect(commands(withSet)[0]).toBe("dispatch job run --case jobs/greet.job.case.json --set 'label=two words' --resolve-deps");

    // The fill command from next[] works as printed, and then the main job runs.
    const fillArgs = commands(r)[1].split(' ').slice(1);
    const fill = await box.json(fillArgs);
    expect(fill.code).toBe(0);
    const main = await box.json(['job', 'run', '--case', 'jobs/greet.job.case.json']);
    expect(main.code).toBe(0);
    expect(main.json.fills).toBeUndefined();
  });

  it('--resolve-deps runs the seed fill job as its own run, records it in meta.json, then runs the main job', async () => {
    const r = await box.json(['job', 'run', '--case', 'jobs/greet.job.case.json', '--resolve-deps']);
    expect(r.code).toBe(0);
    expect(r.json.status).toBe('SUCCESS');
    expect(r.json.fills).toHaveLength(1);
    const [fill] = r.json.fills;
    expect(fill).toMatchObject({
      namespace: 'memfix-ref',
      key: 'greetings.hello',
      module: 'memfix',
      job: 'seed-greeting',
      casePath: 'modules/memfix/jobs/seed-greeting.job.seed.json',
      status: 'SUCCESS',
    });
    expect(fill.runId).not.toBe(r.json.runId);
    expect(runDirs().sort()).toEqual([fill.runId, r.json.runId].sort());

    const mainMeta = readJson(path.join(r.json.runDir, 'meta.json'));
    expect(mainMeta.fills).toEqual(r.json.fills);
    const fillFiles = readRunFiles(path.join(box.output, fill.runId));
    expect(JSON.parse(fillFiles['summary.json']).status).toBe('SUCCESS');
    const fillMeta = JSON.parse(fillFiles['meta.json']);
    expect(fillMeta.caseKind).toBe('seed');
    expect(fillMeta.fillFor).toEqual({ casePath: 'jobs/greet.job.case.json', memory: [{ namespace: 'memfix-ref', key: 'greetings.hello' }] });

    expect(readJson(memFile('memfix-ref'))).toEqual({ greetings: { hello: { text: 'hello from the repo seed' } } });
    const summary = readJson(r.json.summaryPath);
    expect(summary.steps.map((s: { status: string }) => s.status)).toEqual(['SUCCESS', 'SUCCESS']);

    // Already satisfied: nothing is filled the second time.
    const again = await box.json(['job', 'run', '--case', 'jobs/greet.job.case.json', '--resolve-deps']);
    expect(again.code).toBe(0);
    expect(again.json.fills).toBeUndefined();
    expect(readJson(path.join(again.json.runDir, 'meta.json')).fills).toBeUndefined();
  });

  it('the user layer wins over the repo layer for the same fill job', async () => {
    const userMod = path.join(box.home, 'modules', 'memfix');
    fs.cpSync(path.join(box.cwd, 'modules/memfix'), userMod, { recursive: true });
    const seedFile = path.join(userMod, 'jobs/seed-greeting.job.seed.json');
    const seed = readJson(seedFile);
    seed.scenario.steps[0].payload.value = { text: 'hello from the user seed' };
    fs.writeFileSync(seedFile, JSON.stringify(seed));
    const r = await box.json(['job', 'run', '--case', 'jobs/greet.job.case.json', '--resolve-deps']);
    expect(r.code, JSON.stringify(r.json.error)).toBe(0);
    expect(r.json.fills[0].casePath).toBe(seedFile);
    expect(readJson(memFile('memfix-ref')).greetings.hello.text).toBe('hello from the user seed');
  });

  it('a failing fill stops the main job and exits with the fill class, pointing at the fill run', async () => {
    const r = await box.json(['job', 'run', '--case', 'jobs/needs-broken.job.case.json', '--resolve-deps']);
    expect(r.code).toBe(4);
    expect(r.json.status).toBe('FAILED');
    expect(r.json.error.code).toBe('MEMORY_FILL_FAILED');
    const fillRun = r.json.fills[0].runId;
    expect(r.json.fills[0].status).toBe('FAILED');
    expect(runDirs()).toEqual([fillRun]);
    expect(commands(r)).toContain(`dispatch job inspect --run-id ${fillRun}`);
    expect(r.json.runId).toBeUndefined();
  });

  it('a dependency without fill cannot be resolved; a fill job that does not exist exits 4', async () => {
    const noFill = await box.json(['job', 'run', '--case', 'jobs/no-fill.job.case.json']);
    expect(noFill.code).toBe(4);
    expect(noFill.json.error.code).toBe('MEMORY_DEPENDENCY_MISSING');
    expect(commands(noFill).some((c) => c.includes('--resolve-deps'))).toBe(false);
    // the namespace does not exist yet, so inspecting it would only say so: list them instead
    expect(commands(noFill)).toContain('dispatch memory list');
    const noFillResolve = await box.json(['job', 'run', '--case', 'jobs/no-fill.job.case.json', '--resolve-deps']);
    expect(noFillResolve.code).toBe(4);
    expect(runDirs()).toEqual([]);

    box.write(
      'jobs/ghost.job.case.json',
      job([{ id: 'r', action: 'memory.recall', payload: { namespace: 'x', key: 'y' } }], {
        dependencies: { memory: [{ namespace: 'x', key: 'y', fill: { module: 'memfix', job: 'no-such-job' } }] },
      }),
    );
    const ghost = await box.json(['job', 'run', '--case', 'jobs/ghost.job.case.json', '--resolve-deps']);
    expect(ghost.code).toBe(4);
    expect(ghost.json.error.code).toBe('FILL_JOB_NOT_FOUND');
    expect(commands(ghost)).toContain('dispatch module inspect memfix');
    expect(runDirs()).toEqual([]);
  });

  it('a fill job that does not store the key exits 4 after it ran; a fill cycle exits 2', async () => {
    const needs = (fillJob: string) => ({ dependencies: { memory: [{ namespace: 'memfix-ref', key: 'wanted', fill: { module: 'memfix', job: fillJob } }] } });
    box.write('modules/memfix/jobs/seed-wrong.job.seed.json', job([{ id: 's', action: 'memory.store', payload: { namespace: 'memfix-ref', key: 'other', value: 1 } }]));
    box.write('jobs/wrong.job.case.json', job([{ id: 'p', action: 'flow.sleep', payload: { duration: 1 } }], needs('seed-wrong')));
    const wrong = await box.json(['job', 'run', '--case', 'jobs/wrong.job.case.json', '--resolve-deps']);
    expect(wrong.code).toBe(4);
    expect(wrong.json.error.code).toBe('MEMORY_DEPENDENCY_UNFILLED');
    const [fillRun] = runDirs();
    expect(runDirs()).toHaveLength(1);
    expect(commands(wrong)).toContain(`dispatch job inspect --run-id ${fillRun}`);

    box.write('modules/memfix/jobs/seed-self.job.seed.json', job([{ id: 's', action: 'memory.store', payload: { namespace: 'memfix-ref', key: 'wanted', value: 1 } }], needs('seed-self')));
    box.write('jobs/self.job.case.json', job([{ id: 'p', action: 'flow.sleep', payload: { duration: 1 } }], needs('seed-self')));
    const cycle = await box.json(['job', 'run', '--case', 'jobs/self.job.case.json', '--resolve-deps']);
    expect(cycle.code).toBe(2);
    expect(cycle.json.error.code).toBe('MEMORY_DEPENDENCY_CYCLE');
    expect(runDirs()).toHaveLength(1);
  });

  it('unsafe namespaces, keys and fill job names in dependencies exit 2', async () => {
    box.write(
      'jobs/unsafe.job.case.json',
      job([{ id: 'p', action: 'flow.sleep', payload: { duration: 1 } }], {
        dependencies: {
          memory: [
            { namespace: '../up', key: 'a' },
            { namespace: 'fine', key: 'constructor.x' },
          ],
        },
      }),
    );
    const v = await box.json(['job', 'validate', '--case', 'jobs/unsafe.job.case.json']);
    expect(v.code).toBe(2);
    expect(v.json.errors.map((e: { path: string }) => e.path)).toEqual(expect.arrayContaining(['$.dependencies.memory[0].namespace', '$.dependencies.memory[1].key']));

    box.write(
      'jobs/sneaky.job.case.json',
      job([{ id: 'p', action: 'flow.sleep', payload: { duration: 1 } }], {
        dependencies: { memory: [{ namespace: 'fine', key: 'a', fill: { module: 'memfix', job: '../../../jobs/greet' } }] },
      }),
    );
    const r = await box.json(['job', 'run', '--case', 'jobs/sneaky.job.case.json', '--resolve-deps']);
    expect(r.code).toBe(2);
    expect(r.json.error.code).toBe('FILL_JOB_INVALID');
    expect(runDirs()).toEqual([]);
  });
});

const jpDir = path.join(repoRoot, 'modules/jsonplaceholder/jobs');
const jpReady = fs.existsSync(path.join(jpDir, 'seed-user-1-reference.job.seed.json')) && fs.existsSync(path.join(jpDir, 'jsonplaceholder-from-memory.job.case.json'));

describe.skipIf(!jpReady)('jsonplaceholder memory jobs', () => {
  it('jsonplaceholder-from-memory runs with --resolve-deps against the local server', async () => {
    const server = await startJsonPlaceholder();
    try {
      const env = { JSONPLACEHOLDER_BASE_URL: server.url };
      const caseFile = 'modules/jsonplaceholder/jobs/jsonplaceholder-from-memory.job.case.json';
      const missing = await box.json(['job', 'run', '--case', caseFile, '--cwd', repoRoot], { env });
      expect(missing.code).toBe(4);
      expect(commands(missing)).toContain(`dispatch job run --case ${caseFile} --resolve-deps --cwd ${repoRoot}`);
      const r = await box.json(['job', 'run', '--case', caseFile, '--resolve-deps', '--cwd', repoRoot], { env });
      expect(r.code, JSON.stringify(r.json.error)).toBe(0);
      expect(r.json.fills[0]).toMatchObject({ module: 'jsonplaceholder', job: 'seed-user-1-reference', status: 'SUCCESS' });
      const stored = readJson(path.join(box.home, 'memory', 'jsonplaceholder-reference.json'));
      expect(stored.users['user-1'].id).toBe(1);
    } finally {
      await server.close();
    }
  });
});
