import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { job, readJsonl, repoRoot, sandbox, type Sandbox } from '../support/cli.js';
import { startJsonPlaceholder, type JsonPlaceholderHandle } from '../support/jsonplaceholder.js';

let jp: JsonPlaceholderHandle;
let box: Sandbox;
beforeAll(async () => {
  jp = await startJsonPlaceholder();
});
afterAll(() => jp.close());
beforeEach(() => {
  box = sandbox(undefined, { inProcess: true });
});
afterEach(() => box.cleanup());

const HTTP = { baseUrl: '${env.JSONPLACEHOLDER_BASE_URL:-https://jsonplaceholder.typicode.com}' };

/** Runs an ad-hoc job from the repository root, where modules/jsonplaceholder is the repo layer. */
function runJob(steps: unknown[]) {
  const file = box.write('adhoc.job.case.json', job(steps, { http: HTTP }));
  return box.json(['job', 'run', '--case', file], { cwd: repoRoot, env: { JSONPLACEHOLDER_BASE_URL: jp.url } });
}

describe('jsonplaceholder module actions', () => {
  it('covers reads, filters, writes and deletes with intent payloads', async () => {
    const r = await runJob([
      { id: 'users', action: 'jsonplaceholder.list-users', payload: { limit: 2 } },
      { id: 'user-2', action: 'jsonplaceholder.get-user', payload: { userId: 2 } },
      { id: 'posts-of-2', action: 'jsonplaceholder.list-posts', payload: { userId: 2, limit: 3 } },
      { id: 'page', action: 'jsonplaceholder.list-posts', payload: { offset: 4, limit: 2 } },
      { id: 'done', action: 'jsonplaceholder.list-user-todos', payload: { userId: 1, completed: true } },
      { id: 'edit', action: 'jsonplaceholder.update-post', payload: { postId: 3, title: 'edited by dispatch' } },
      { id: 'remove', action: 'jsonplaceholder.delete-post', payload: { postId: 4 } },
    ]);
    expect(r.json.error).toBeUndefined();
    expect(r.code).toBe(0);
    const byId = Object.fromEntries(readJsonl(path.join(r.json.runDir, 'steps.jsonl')).map((s) => [s.id, s]));
    expect(byId.users.response.map((u: any) => u.name)).toEqual(['Leanne Graham', 'Ervin Howell']);
    expect(byId['user-2'].exports).toMatchObject({ userId: 2, name: 'Ervin Howell' });
    expect(byId['posts-of-2'].response.map((p: any) => p.userId)).toEqual([2, 2, 2]);
    expect(byId.page.exports.ids).toEqual([5, 6]);
    expect(byId.done.response.length).toBeGreaterThan(0);
    expect(byId.done.response.every((t: any) => t.completed === true && t.userId === 1)).toBe(true);
    expect(byId.edit.response).toMatchObject({ id: 3, title: 'edited by dispatch' });
    expect(byId.remove.response).toEqual({ deleted: true, postId: 4 });
    const methods = readJsonl(path.join(r.json.runDir, 'http.jsonl')).map((l) => l.method);
    expect(methods).toEqual(['GET', 'GET', 'GET', 'GET', 'GET', 'PATCH', 'DELETE']);
  });

  it('a missing post fails the step with ensureOk as not found (exit 4)', async () => {
    const r = await runJob([{ id: 'ghost', action: 'jsonplaceholder.get-post', payload: { postId: 9999 } }]);
    expect(r.code).toBe(4);
    expect(r.json).toMatchObject({ status: 'FAILED', exitCode: 4, error: { code: 'HTTP_STATUS', details: { status: 404, method: 'GET', url: `${jp.url}/posts/9999` } } });
    expect(r.json.next.map((n: any) => n.command)).toContain(`dispatch job inspect --run-id ${r.json.runId}`);
  });

  it('payloads are checked against the action schemas before any request', async () => {
    const before = await fetch(`${jp.url}/posts`).then((res) => res.json() as Promise<unknown[]>);
    const file = box.write('bad.job.case.json', job([{ id: 'p', action: 'jsonplaceholder.create-post', payload: { title: '', userId: 'one' } }], { http: HTTP }));
    const r = await box.json(['job', 'run', '--case', file], { cwd: repoRoot, env: { JSONPLACEHOLDER_BASE_URL: jp.url } });
    expect(r.code).toBe(2);
    const paths = r.json.error.details.errors.map((e: any) => e.path);
    expect(paths).toEqual(expect.arrayContaining(['$.scenario.steps[0].payload.title', '$.scenario.steps[0].payload.body', '$.scenario.steps[0].payload.userId']));
    const after = await fetch(`${jp.url}/posts`).then((res) => res.json() as Promise<unknown[]>);
    expect(after.length).toBe(before.length);
  });
});

describe('npm run demo', () => {
  it('runs and asserts both kitchen-sink jobs (module and http.request) against its own local server', async () => {
    // A base URL that cannot answer proves the demo points the job at its own server.
    const env: NodeJS.ProcessEnv = { ...process.env, ...box.env, JSONPLACEHOLDER_BASE_URL: 'http://127.0.0.1:9' };
    delete env.FORCE_COLOR;
    const child = spawn(process.execPath, [path.join(repoRoot, 'scripts/demo.mjs')], { cwd: repoRoot, env });
    let stdout = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.resume();
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(stdout).toMatch(/SUCCESS jsonplaceholder-kitchen-sink /);
    expect(stdout).toMatch(/SUCCESS jsonplaceholder-kitchen-sink-http /);
    expect(stdout.match(/SUCCESS assert/g)).toHaveLength(2);
    expect(code).toBe(0);
    const runs = fs.readdirSync(box.output).filter((n) => /job-run/.test(n));
    const summaries = runs.map((r) => JSON.parse(fs.readFileSync(path.join(box.output, r, 'summary.json'), 'utf8')));
    expect(summaries.map((s) => [s.jobType, s.status]).sort()).toEqual([
      ['jsonplaceholder-kitchen-sink', 'SUCCESS'],
      ['jsonplaceholder-kitchen-sink-http', 'SUCCESS'],
    ]);
  });
});
