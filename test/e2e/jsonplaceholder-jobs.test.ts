import fs from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { readJsonl, repoRoot, sandbox, type Sandbox } from '../support/cli.js';
import { startJsonPlaceholder, type JsonPlaceholderHandle } from '../support/jsonplaceholder.js';

// The shipped jobs run from the repository root (README commands), against a local json-server.
const JOBS = 'modules/jsonplaceholder/jobs';
const caseOf = (name: string) => `${JOBS}/${name}`;

let jp: JsonPlaceholderHandle;
let box: Sandbox;
beforeAll(async () => {
  jp = await startJsonPlaceholder();
});
afterAll(() => jp.close());
beforeEach(() => {
  box = sandbox();
});
afterEach(() => box.cleanup());

const local = () => ({ cwd: repoRoot, env: { JSONPLACEHOLDER_BASE_URL: jp.url } });

async function runAndAssert(file: string) {
  const run = await box.json(['job', 'run', '--case', caseOf(file)], local());
  expect(run.json.error).toBeUndefined();
  expect(run.code).toBe(0);
  expect(run.json.status).toBe('SUCCESS');
  const assert = await box.json(['job', 'assert', '--run-id', run.json.runId], local());
  expect(assert.json.failed).toBe(0);
  expect(assert.code).toBe(0);
  expect(assert.json).toMatchObject({ status: 'SUCCESS', actualStatus: 'SUCCESS' });
  return run;
}

/** Both kitchen-sink jobs (module and http.request) take the same tour, every step succeeding. */
const KITCHEN_SINK_STEPS = ['warm-up', 'author', 'author-posts', 'wait-for-post', 'comments', 'follow-up'].map((id) => [id, 'SUCCESS']);

describe('shipped jsonplaceholder jobs', () => {
  it('every shipped job file validates, points at the env-overridable base URL and names the schema', async () => {
    const files = fs.readdirSync(path.join(repoRoot, JOBS)).sort();
    expect(files).toEqual([
      'jsonplaceholder-from-memory.job.case.json',
      'jsonplaceholder-kitchen-sink-http.job.case.json',
      'jsonplaceholder-kitchen-sink.job.case.json',
      'jsonplaceholder-poll.job.case.json',
      'jsonplaceholder-relations.job.case.json',
      'jsonplaceholder-run-many.job.case.json',
      'seed-user-1-reference.job.seed.json',
    ]);
    for (const file of files) {
      const raw = JSON.parse(fs.readFileSync(path.join(repoRoot, JOBS, file), 'utf8'));
      expect(raw.$schema).toBe('../../../schemas/job-case.schema.json');
      expect(raw.http.baseUrl).toBe('${env.JSONPLACEHOLDER_BASE_URL:-https://jsonplaceholder.typicode.com}');
      const r = await box.json(['job', 'validate', '--case', caseOf(file)], { cwd: repoRoot });
      expect({ file, code: r.code, errors: r.json.errors }).toEqual({ file, code: 0, errors: [] });
      expect(r.json.kind).toBe(file.endsWith('.job.seed.json') ? 'seed' : 'case');
    }
  });

  it('kitchen-sink passes offline: sleep, poll, interpolation, captures and a follow-up create', async () => {
    const run = await runAndAssert('jsonplaceholder-kitchen-sink.job.case.json');
    expect(run.json.steps.map((s: any) => [s.id, s.status])).toEqual(KITCHEN_SINK_STEPS);
    expect(run.json.run).toMatchObject({ authorName: 'Leanne Graham', authorId: 1, firstPostId: 1, commentCount: 5 });
    const steps = readJsonl(path.join(run.json.runDir, 'steps.jsonl'));
    const followUp = steps.find((s) => s.id === 'follow-up');
    expect(followUp.payload.title).toBe('dispatch kitchen sink for Leanne Graham');
    expect(followUp.payload.body).toMatch(/^Re: sunt aut facere .+ \(5 comments, first by Eliseo@gardner\.biz\)$/);
    expect(followUp.exports.createdId).toBe(run.json.run.createdPostId);
    const resolution = JSON.parse(fs.readFileSync(run.json.moduleResolutionPath, 'utf8'));
    expect(resolution.actions['jsonplaceholder.get-user']).toMatchObject({ module: 'jsonplaceholder', layer: 'repo', version: '0.2.0' });
  });

  it('the kitchen-sink written with http.request only gets the same answers, with no module action', async () => {
    const run = await runAndAssert('jsonplaceholder-kitchen-sink-http.job.case.json');
    expect(run.json.steps.map((s: any) => [s.id, s.status])).toEqual(KITCHEN_SINK_STEPS);
    expect(run.json.run).toMatchObject({ authorName: 'Leanne Graham', authorId: 1, firstPostId: 1, firstCommenter: 'Eliseo@gardner.biz' });
    const resolution = JSON.parse(fs.readFileSync(run.json.moduleResolutionPath, 'utf8'));
    expect(Object.keys(resolution.actions).sort()).toEqual(['flow.poll', 'flow.sleep', 'http.request']);
    expect(resolution.actions['http.request']).toMatchObject({ module: 'http', layer: 'builtin' });
    const lines = readJsonl(path.join(run.json.runDir, 'http.jsonl'));
    expect(lines.map((l) => `${l.stepId} ${l.method} ${l.url.slice(jp.url.length)} ${l.status}`)).toEqual([
      'author GET /users/1 200',
      'author-posts GET /posts?userId=1&_limit=5 200',
      'wait-for-post GET /posts/1 200',
      'comments GET /posts/1/comments 200',
      'follow-up POST /posts 201',
    ]);
  });

  it('relations walks user -> albums -> photos and user -> posts -> comments', async () => {
    const run = await runAndAssert('jsonplaceholder-relations.job.case.json');
    const steps = readJsonl(path.join(run.json.runDir, 'steps.jsonl'));
    const byId = Object.fromEntries(steps.map((s) => [s.id, s]));
    expect(byId.albums.response.every((a: any) => a.userId === 1)).toBe(true);
    expect(byId.photos.payload).toEqual({ albumId: byId.albums.response[0].id, limit: 10 });
    expect(byId.photos.response.every((p: any) => p.albumId === byId.albums.response[0].id)).toBe(true);
    expect(byId.comments.payload).toEqual({ postId: byId.posts.response[0].id });
    expect(byId.comments.exports.ids).toEqual([1, 2, 3, 4, 5]);
  });

  it('poll stores values from the polled response and feeds them to the next step', async () => {
    const run = await runAndAssert('jsonplaceholder-poll.job.case.json');
    const poll = readJsonl(path.join(run.json.runDir, 'steps.jsonl'))[0];
    expect(poll.exports).toMatchObject({ title: expect.any(String), authorId: 1, attempts: 1 });
    const activity = fs.readFileSync(path.join(run.json.runDir, 'activity.log'), 'utf8');
    expect(activity).toMatch(/poll attempt 1: conditions held/);
  });

  it('records every exchange of a run in http.jsonl: method, url, status, timing, headers and bodies', async () => {
    const run = await runAndAssert('jsonplaceholder-kitchen-sink.job.case.json');
    const lines = readJsonl(path.join(run.json.runDir, 'http.jsonl'));
    expect(lines.map((l) => `${l.stepId} ${l.method} ${l.url.slice(jp.url.length)} ${l.status}`)).toEqual([
      'author GET /users/1 200',
      'author-posts GET /users/1/posts?_limit=5 200',
      'wait-for-post GET /posts/1 200',
      'comments GET /posts/1/comments 200',
      'follow-up POST /posts 201',
    ]);
    for (const l of lines) {
      expect(Number.isNaN(Date.parse(l.ts))).toBe(false);
      expect(l.durationMs).toEqual(expect.any(Number));
      expect(l.request.headers['x-client']).toBe('dispatch-example');
      expect(l.response.headers['content-type']).toMatch(/application\/json/);
    }
    const post = lines[4];
    expect(post.request.headers['content-type']).toBe('application/json');
    expect(post.request.body).toMatchObject({ title: 'dispatch kitchen sink for Leanne Graham', userId: 1 });
    expect(post.response.body).toMatchObject({ id: run.json.run.createdPostId, userId: 1 });
    expect(lines[0].response.body).toMatchObject({ id: 1, name: 'Leanne Graham', username: 'Bret' });
  });

  it('a job with no HTTP steps still writes an empty http.jsonl', async () => {
    const r = await box.json(['job', 'run', '--case', path.join(repoRoot, 'jobs/flow-sleep.job.case.json')]);
    expect(r.code).toBe(0);
    expect(fs.readFileSync(path.join(r.json.runDir, 'http.jsonl'), 'utf8')).toBe('');
  });
});
