import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { job, readJsonl, sandbox, type Sandbox } from '../support/cli.js';
import { startJsonPlaceholder, type JsonPlaceholderHandle } from '../support/jsonplaceholder.js';

const MODULE = `import { defineModule, defineAction, z } from 'dispatchkit';
export default defineModule({ name: 'api', version: '0.1.0', actions: {
  get: defineAction({ description: 'GET a path', schema: z.object({ path: z.string() }),
    async handler(ctx, p) { const r = ctx.http.ensureOk(await ctx.http.get(p.path)); return { response: r.body, exports: { status: r.status } }; } }),
  post: defineAction({ description: 'POST json', schema: z.object({ path: z.string(), body: z.unknown() }),
    async handler(ctx, p) { const r = ctx.http.ensureOk(await ctx.http.post(p.path, { json: p.body })); return { response: r.body, exports: { generatedId: r.body.id } }; } }),
}});
`;

const steps = [
  { id: 'user', action: 'api.get', payload: { path: '/users/${run.uid}' }, capture: { userName: 'response.name' } },
  // "$${" is a literal "${": the record must keep it literal so the replay sends the same text.
  { id: 'make', action: 'api.post', payload: { path: '/posts', body: { title: 'by ${run.userName} $${not.a.ref}', userId: '${step.user.response.id}' } }, capture: { postId: 'exports.generatedId' } },
  { id: 'pause', action: 'flow.sleep', payload: { duration: '1ms' } },
];
const CASE = job(steps, { jobType: 'replay-demo', http: { baseUrl: '${env.API_BASE}' }, inputs: { uid: 1 } });

let server: JsonPlaceholderHandle | undefined;
let box: Sandbox;

beforeEach(async () => {
  server = await startJsonPlaceholder();
  box = sandbox(undefined, { inProcess: true });
  box.write('modules/api/module.json', { name: 'api', version: '0.1.0', entry: 'index.mjs' });
  box.write('modules/api/index.mjs', MODULE);
});
afterEach(async () => {
  await server?.close();
  server = undefined;
  box.cleanup();
});

async function record(doc: unknown, extra: string[] = []): Promise<{ runId: string; runDir: string; status: string }> {
  box.write('jobs/demo.job.case.json', doc);
  const r = await box.json(['job', 'run', '--case', 'jobs/demo.job.case.json', ...extra], { env: { API_BASE: server!.url } });
  return { runId: r.json.runId, runDir: r.json.runDir, status: r.json.status };
}

async function stopServer(): Promise<void> {
  await server!.close();
  server = undefined;
}

describe('job replay', () => {
  it('reproduces a recorded run with the server stopped, as a new job-replay run', async () => {
    const original = await record(CASE, ['--set', 'uid=2']);
    expect(original.status).toBe('SUCCESS');
    await stopServer();
    const r = await box.json(['job', 'replay', '--run-id', original.runId]);
    expect(r.code).toBe(0);
    expect(r.json).toMatchObject({ status: 'SUCCESS', reproduced: true, replayOf: original.runId, recordedStatus: 'SUCCESS', replayStatus: 'SUCCESS' });
    expect(r.json.runId).toMatch(/^\d{8}-\d{6}-job-replay-[0-9a-f]{7}$/);
    const meta = JSON.parse(fs.readFileSync(path.join(r.json.runDir, 'meta.json'), 'utf8'));
    expect(meta.replayOf).toBe(original.runId);
    expect(fs.readFileSync(path.join(r.json.runDir, 'http.jsonl'), 'utf8')).toBe('');
    const before = readJsonl(path.join(original.runDir, 'steps.jsonl'));
    const after = readJsonl(path.join(r.json.runDir, 'steps.jsonl'));
    expect(after.map((s) => s.payload)).toEqual(before.map((s) => s.payload));
    expect(after[1].payload.body.title).toBe('by Ervin Howell ${not.a.ref}');
    const summary = JSON.parse(fs.readFileSync(path.join(r.json.runDir, 'summary.json'), 'utf8'));
    expect(summary.run).toMatchObject({ uid: 2, userName: 'Ervin Howell', postId: 101 });
  });

  it('counts a recorded failure replayed at the same step as reproduced', async () => {
    const failing = job([steps[0], { id: 'gone', action: 'api.get', payload: { path: '/posts/99999' } }, steps[2]], { http: { baseUrl: '${env.API_BASE}' }, inputs: { uid: 1 } });
    const original = await record(failing);
    expect(original.status).toBe('FAILED');
    await stopServer();
    const r = await box.json(['job', 'replay', '--run-id', original.runId]);
    expect(r.code).toBe(0);
    expect(r.json).toMatchObject({ status: 'SUCCESS', reproduced: true, recordedStatus: 'FAILED', replayStatus: 'FAILED' });
    expect(r.json.steps.map((s: any) => s.status)).toEqual(['SUCCESS', 'FAILED', 'SKIPPED']);
    expect(r.json.steps[1].error).toMatchObject({ code: 'HTTP_STATUS', exitCode: 4 });
  });

  it('fails with REPLAY_DIVERGED when the recorded job was edited', async () => {
    const original = await record(CASE);
    await stopServer();
    const file = path.join(original.runDir, 'job.case.resolved.json');
    const resolved = JSON.parse(fs.readFileSync(file, 'utf8'));
    resolved.scenario.steps[1].payload.body.title = 'edited';
    fs.writeFileSync(file, JSON.stringify(resolved));
    const r = await box.json(['job', 'replay', '--run-id', original.runId]);
    expect(r.code).toBe(2);
    expect(r.json.status).toBe('FAILED');
    expect(r.json.error.code).toBe('REPLAY_DIVERGED');
    expect(r.json.divergence).toMatchObject({ stepId: 'make', field: 'payload.body.title', recorded: '"by Leanne Graham ${not.a.ref}"', replayed: '"edited"' });
    expect(r.json.next[0].command).toBe(`dispatch job inspect --run-id ${original.runId} --step make`);
  });

  it('fails when a recorded response was edited, naming the run value it changed', async () => {
    const original = await record(CASE);
    const file = path.join(original.runDir, 'steps.jsonl');
    const rows = readJsonl(file);
    rows[0].response.name = 'Someone Else';
    fs.writeFileSync(file, rows.map((x) => JSON.stringify(x)).join('\n') + '\n');
    const r = await box.json(['job', 'replay', '--run-id', original.runId]);
    expect(r.code).toBe(2);
    expect(r.json.divergence).toMatchObject({ stepId: null, field: 'run.userName', recorded: '"Leanne Graham"', replayed: '"Someone Else"' });
  });

  it('fails when a step is missing from the record', async () => {
    const original = await record(CASE);
    const file = path.join(original.runDir, 'steps.jsonl');
    const rows = readJsonl(file).filter((x) => x.id !== 'make');
    fs.writeFileSync(file, rows.map((x) => JSON.stringify(x)).join('\n') + '\n');
    const r = await box.json(['job', 'replay', '--run-id', original.runId]);
    expect(r.code).toBe(2);
    expect(r.json.divergence).toMatchObject({ stepId: 'make', field: 'step' });
    // The replay is itself recorded, failing at the step it could not answer.
    const summary = JSON.parse(fs.readFileSync(path.join(r.json.runDir, 'summary.json'), 'utf8'));
    expect(summary.steps[1]).toMatchObject({ id: 'make', status: 'FAILED', error: { code: 'REPLAY_DIVERGED' } });
  });

  it('exits 4 for an unknown run id with next[] pointing at job list', async () => {
    const r = await box.json(['job', 'replay', '--run-id', '20200101-000000-job-run-abcdef0']);
    expect(r.code).toBe(4);
    expect(r.json.error.code).toBe('RUN_NOT_FOUND');
    expect(r.json.next.map((n: any) => n.command)).toContain('dispatch job list');
  });
});
