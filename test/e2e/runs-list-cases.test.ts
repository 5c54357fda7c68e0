import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { job, sandbox, type Sandbox } from '../support/cli.js';
import { writeTestModule } from '../support/fixtures.js';

let box: Sandbox;
beforeEach(() => {
  box = sandbox(undefined, { inProcess: true });
});
afterEach(() => box.cleanup());

const echo = (jobType: string) => job([{ id: 'a', action: 'flow.sleep', payload: { duration: 1 } }], { jobType, description: `${jobType} job` });

describe('job cases', () => {
  it('lists job files in ./jobs and in repo and user module jobs/ folders, with kind and layer', async () => {
    writeTestModule(box);
    box.write('jobs/a.job.case.json', echo('repo-a'));
    box.write('jobs/nested/b.job.seed.json', echo('repo-b'));
    box.write('jobs/notes.json', { not: 'a job' });
    box.write('jobs/broken.job.case.json', '{ "jobType": ');
    box.write('modules/testkit/jobs/kit.job.case.json', echo('kit'));
    box.write('modules/stray/jobs/ignored.job.case.json', echo('no module.json here'));
    const userMod = path.join(box.home, 'modules', 'userdir');
    box.write(path.join(userMod, 'module.json'), { name: 'usermod', version: '0.1.0', entry: 'index.mjs' });
    box.write(path.join(userMod, 'jobs', 'fill.job.seed.json'), echo('user-fill'));

    const r = await box.json(['job', 'cases']);
    expect(r.code).toBe(0);
    expect(r.json).toMatchObject({ command: 'job cases', status: 'SUCCESS', count: 5 });
    const rows = r.json.cases.map((c: any) => [c.kind, c.path, c.layer, c.module ?? null, c.jobType ?? null]);
    expect(rows).toEqual([
      ['case', 'jobs/a.job.case.json', 'repo', null, 'repo-a'],
      ['case', 'jobs/broken.job.case.json', 'repo', null, null],
      ['seed', 'jobs/nested/b.job.seed.json', 'repo', null, 'repo-b'],
      ['case', 'modules/testkit/jobs/kit.job.case.json', 'repo', 'testkit', 'kit'],
      ['seed', path.join(userMod, 'jobs', 'fill.job.seed.json'), 'user', 'usermod', 'user-fill'],
    ]);
    expect(r.json.cases[0].description).toBe('repo-a job');
    expect(r.json.cases[1].parseError).toBeTruthy();
    expect(r.json.next[0].command).toBe('dispatch job validate --case jobs/a.job.case.json');

    // A listed path runs as is.
    const run = await box.json(['job', 'validate', '--case', r.json.cases[3].path]);
    expect(run.code).toBe(0);
  });

  it('returns an empty list when there are no job files', async () => {
    const r = await box.json(['job', 'cases']);
    expect(r.code).toBe(0);
    expect(r.json.cases).toEqual([]);
    expect(r.json.next[0].command).toBe('dispatch module list');
  });
});
