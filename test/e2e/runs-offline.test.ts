import fs from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { job, sandbox, type Sandbox } from '../support/cli.js';
import { startJsonPlaceholder, type JsonPlaceholderHandle } from '../support/jsonplaceholder.js';

// A repo-layer module that really calls HTTP, so runs have responses and http.jsonl lines.
const MODULE = `import { defineModule, defineAction, z } from 'dispatchkit';
export default defineModule({ name: 'api', version: '0.1.0', actions: {
  get: defineAction({ description: 'GET a path', schema: z.object({ path: z.string() }),
    async handler(ctx, p) { const r = ctx.http.ensureOk(await ctx.http.get(p.path)); return { response: r.body, exports: { status: r.status } }; } }),
}});
`;

const CASE = job(
  [
    { id: 'user', action: 'api.get', description: 'Fetch the first user.', payload: { path: '/users/${run.uid}' }, capture: { userName: 'response.name' } },
    { id: 'posts', action: 'api.get', payload: { path: '/posts?userId=${step.user.response.id}' } },
    { id: 'missing', action: 'api.get', payload: { path: '/posts/99999' } },
    { id: 'never', action: 'api.get', payload: { path: '/users/2' } },
  ],
  { jobType: 'offline-demo', http: { baseUrl: '${env.API_BASE}' }, inputs: { uid: 1 } },
);

let server: JsonPlaceholderHandle;
let box: Sandbox;
let runId: string;

beforeAll(async () => {
  server = await startJsonPlaceholder();
});
afterAll(async () => {
  await server.close();
});
beforeEach(async () => {
  box = sandbox(undefined, { inProcess: true });
  box.write('modules/api/module.json', { name: 'api', version: '0.1.0', entry: 'index.mjs' });
  box.write('modules/api/index.mjs', MODULE);
  box.write('jobs/demo.job.case.json', CASE);
  const r = await box.json(['job', 'run', '--case', 'jobs/demo.job.case.json'], { env: { API_BASE: server.url } });
  expect(r.json.status).toBe('FAILED');
  runId = r.json.runId;
});
afterEach(() => box.cleanup());

describe('job inspect', () => {
  it('summarises the run: status, steps with http counts, run values and artifact paths', async () => {
    const r = await box.json(['job', 'inspect', '--run-id', 'latest']);
    expect(r.code).toBe(0);
    expect(r.json).toMatchObject({ status: 'SUCCESS', runId, jobType: 'offline-demo', runStatus: 'FAILED', caseKind: 'case' });
    expect(r.json.steps.map((s: any) => [s.n, s.id, s.status, s.httpCalls])).toEqual([
      [1, 'user', 'SUCCESS', 1],
      [2, 'posts', 'SUCCESS', 1],
      [3, 'missing', 'FAILED', 1],
      [4, 'never', 'SKIPPED', 0],
    ]);
    expect(r.json.run).toEqual({ index: 0, uid: 1, userName: 'Leanne Graham' });
    expect(r.json.runError.code).toBe('HTTP_STATUS');
    expect(fs.existsSync(r.json.paths['steps.jsonl'])).toBe(true);
    expect(r.json.next[0].command).toBe(`dispatch job inspect --run-id ${runId} --step missing`);
  });

  it('shows one step by id or 1-based number, with its own http exchanges', async () => {
    const byId = await box.json(['job', 'inspect', '--run-id', runId, '--step', 'user']);
    expect(byId.json.step).toMatchObject({ n: 1, id: 'user', status: 'SUCCESS', payload: { path: '/users/1' }, exports: { status: 200 }, description: 'Fetch the first user.' });
    expect(byId.json.step.response.name).toBe('Leanne Graham');
    expect(byId.json.http.map((h: any) => [h.method, h.url, h.status])).toEqual([['GET', `${server.url}/users/1`, 200]]);
    const byNumber = await box.json(['job', 'inspect', '--run-id', runId, '--step', '3']);
    expect(byNumber.json.step).toMatchObject({ id: 'missing', status: 'FAILED', error: { code: 'HTTP_STATUS', exitCode: 4 } });
    expect(byNumber.json.http[0].status).toBe(404);
    const skipped = await box.json(['job', 'inspect', '--run-id', runId, '--step', 'never']);
    expect(skipped.json.step).toMatchObject({ status: 'SKIPPED', payloadResolved: false });
  });

  it('exits 4 for an unknown step and for an unknown run id, pointing at the way out', async () => {
    const step = await box.json(['job', 'inspect', '--run-id', runId, '--step', 'nope']);
    expect(step.code).toBe(4);
    expect(step.json.error.code).toBe('STEP_NOT_FOUND');
    expect(step.json.error.details.steps).toEqual(['user', 'posts', 'missing', 'never']);
    const run = await box.json(['job', 'inspect', '--run-id', '20200101-000000-job-run-0000000']);
    expect(run.code).toBe(4);
    expect(run.json.next.map((n: any) => n.command)).toContain('dispatch job list');
  });
});

describe('job readable', () => {
  it('tells the run as Markdown and prints it raw in human mode', async () => {
    const r = await box.json(['job', 'readable', '--run-id', runId]);
    expect(r.code).toBe(0);
    const md: string = r.json.markdown;
    expect(md.startsWith('# offline-demo: FAILED\n')).toBe(true);
    expect(md).toContain('### 1. user (`api.get`): SUCCESS');
    expect(md).toContain('Fetch the first user.');
    expect(md).toContain('- `run.userName` = `"Leanne Graham"`');
    expect(md).toContain(`- GET ${server.url}/posts/99999 → 404`);
    expect(md).toContain('## What failed');
    expect(md).toMatch(/Step `missing` \(`api.get`\) failed with `HTTP_STATUS`/);
    expect(md).toContain('Hint: ');
    expect(md).toContain('### 4. never (`api.get`): SKIPPED');
    expect(md).toContain(`\`dispatch job inspect --run-id ${runId} --step missing\``);
    // The posts list is long: the excerpt is cut and says how much is missing.
    expect(md).toMatch(/… \(\d+ more characters\)/);
    const human = await box.run(['job', 'readable', '--run-id', runId]);
    expect(human.code).toBe(0);
    expect(human.stdout).toBe(md);
  });
});

describe('job dump', () => {
  it('puts every artifact in one document, or writes it with --out', async () => {
    const r = await box.json(['job', 'dump', '--run-id', runId]);
    expect(r.code).toBe(0);
    for (const k of ['summary', 'meta', 'moduleResolution', 'inputJob', 'resolvedJob', 'steps', 'http', 'activity']) expect(r.json).toHaveProperty(k);
    expect(r.json.summary.runId).toBe(runId);
    expect(r.json.inputJob).toEqual(CASE);
    expect(r.json.resolvedJob.scenario.steps[0].payload).toEqual({ path: '/users/1' });
    expect(r.json.steps).toHaveLength(3);
    expect(r.json.http).toHaveLength(3);
    expect(r.json.moduleResolution.actions['api.get']).toMatchObject({ module: 'api', layer: 'repo' });
    expect(r.json.activity.some((l: string) => l.includes('step 3 missing FAILED'))).toBe(true);

    const out = await box.json(['job', 'dump', '--run-id', runId, '--out', 'dumps/run.json']);
    const file = path.join(box.cwd, 'dumps/run.json');
    expect(out.json).toMatchObject({ status: 'SUCCESS', out: file, runId });
    const written = JSON.parse(fs.readFileSync(file, 'utf8'));
    expect(written.steps).toEqual(r.json.steps);
    expect(written.summary).toEqual(r.json.summary);
    expect(fs.readdirSync(path.dirname(file))).toEqual(['run.json']);
  });

  it('refuses an --out that is a directory with exit 2', async () => {
    fs.mkdirSync(path.join(box.cwd, 'adir'));
    const r = await box.json(['job', 'dump', '--run-id', runId, '--out', 'adir']);
    expect(r.code).toBe(2);
    expect(r.json.error.code).toBe('DUMP_UNWRITABLE');
  });
});
