import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { job, sandbox, type Sandbox } from '../support/cli.js';
import { writeTestModule } from '../support/fixtures.js';

// Commands run from a subfolder of a project find the project: its modules/, jobs/ and run-output/.

let box: Sandbox;
beforeEach(() => {
  box = sandbox('dispatch-root-', { inProcess: true });
  writeTestModule(box);
  box.write('jobs/echo.job.case.json', job([{ id: 'say', action: 'testkit.echo', payload: { hello: 'root' } }]));
  fs.mkdirSync(path.join(box.cwd, 'jobs', 'nested', 'deeper'), { recursive: true });
});
afterEach(() => box.cleanup());

describe('project root', () => {
  it('a run from a subfolder uses the repo layer and the run output of the project', async () => {
    const sub = path.join(box.cwd, 'jobs', 'nested', 'deeper');
    // DISPATCH_RUN_OUTPUT unset: the default run-output/ belongs to the project root, not the subfolder.
    const r = await box.json(['job', 'run', '--case', '../../echo.job.case.json'], { cwd: sub, env: { DISPATCH_RUN_OUTPUT: undefined } });
    expect(r.code, r.stdout).toBe(0);
    expect(r.json.runDir.startsWith(path.join(box.cwd, 'run-output') + path.sep)).toBe(true);
    expect(fs.existsSync(path.join(sub, 'run-output'))).toBe(false);
    const list = await box.json(['job', 'list'], { env: { DISPATCH_RUN_OUTPUT: undefined } });
    expect(list.json.runs.map((x: { runId: string }) => x.runId)).toEqual([r.json.runId]);

    const cases = await box.json(['job', 'cases'], { cwd: sub });
    expect(cases.json.cases.map((c: { path: string }) => path.basename(c.path))).toContain('echo.job.case.json');
  });

  it('doctor says where the project was found and which folders it looked in', async () => {
    const sub = path.join(box.cwd, 'jobs', 'nested');
    const r = await box.json(['doctor'], { cwd: sub });
    expect(r.json.projectRoot).toBe(box.cwd);
    const check = r.json.checks.find((c: { name: string }) => c.name === 'project root');
    expect(check).toMatchObject({ status: 'ok', details: { root: box.cwd, looked: [sub, path.join(box.cwd, 'jobs'), box.cwd] } });
    expect(check.message).toContain(`found from ${sub}`);
  });

  it("a module's own folder is not a project: its jobs/ belong to the module", async () => {
    const moduleDir = path.join(box.cwd, 'modules', 'testkit');
    fs.mkdirSync(path.join(moduleDir, 'jobs'), { recursive: true });
    const r = await box.json(['module', 'list'], { cwd: moduleDir });
    expect(r.json.modules.map((m: { name: string; layer: string }) => `${m.name}@${m.layer}`)).toContain('testkit@repo');
  });
});
