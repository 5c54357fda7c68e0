import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { HttpRecordSchema, MetaSchema, ModuleResolutionSchema, StepRecordSchema, SummarySchema } from '../../src/runs/artifacts.js';
import { job, readJsonl, sandbox, type Sandbox } from '../support/cli.js';
import { installAuthModule, startAuthServer, type AuthServer } from '../support/auth-server.js';
import { writeTestModule } from '../support/fixtures.js';

// One zod schema per run artifact (src/runs/artifacts.ts), shared by the recorder and every
// reader: what the recorder writes parses, and a record that breaks the format is refused by the
// readers with the file and the field named, never half-read.

let box: Sandbox;
let server: AuthServer;
beforeEach(async () => {
  box = sandbox('dispatch-format-', { inProcess: true });
  writeTestModule(box);
  installAuthModule(box.cwd);
  server = await startAuthServer({ username: 'u', password: 'format-pass-1' });
});
afterEach(async () => {
  await server.close();
  box.cleanup();
});

async function recordedRun(): Promise<{ runId: string; runDir: string }> {
  box.write(
    'fmt.job.case.json',
    job(
      [
        { id: 'say', action: 'testkit.echo', payload: { hello: 'world' }, capture: { said: 'response.hello' } },
        { id: 'call', action: 'auth.echo', payload: { note: 'n' } },
        { id: 'boom', action: 'testkit.fail', payload: {} },
        { id: 'never', action: 'testkit.echo', payload: {} },
      ],
      { http: { baseUrl: server.url } },
    ),
  );
  const r = await box.json(['job', 'run', '--case', 'fmt.job.case.json']);
  expect(r.json.status).toBe('FAILED');
  return { runId: r.json.runId, runDir: r.json.runDir };
}

const readJson = (f: string) => JSON.parse(fs.readFileSync(f, 'utf8'));

describe('run artifacts have one format, shared by writer and readers', () => {
  it('every file the recorder wrote parses with its schema, with nothing dropped', async () => {
    const { runDir } = await recordedRun();
    const summary = readJson(path.join(runDir, 'summary.json'));
    expect(SummarySchema.parse(summary)).toEqual(summary);
    expect(summary.steps.map((s: { status: string }) => s.status)).toEqual(['SUCCESS', 'SUCCESS', 'FAILED', 'SKIPPED']);
    expect(MetaSchema.parse(readJson(path.join(runDir, 'meta.json')))).toEqual(readJson(path.join(runDir, 'meta.json')));
    expect(ModuleResolutionSchema.parse(readJson(path.join(runDir, 'module_resolution.json'))).actions?.['testkit.echo']?.layer).toBe('repo');
    const steps = readJsonl(path.join(runDir, 'steps.jsonl'));
    expect(steps).toHaveLength(3);
    for (const s of steps) expect(StepRecordSchema.parse(s)).toEqual(s);
    const http = readJsonl(path.join(runDir, 'http.jsonl'));
    expect(http.length).toBeGreaterThan(0);
    for (const h of http) expect(HttpRecordSchema.parse(h)).toEqual(h);
  });

  it('a field of the wrong type is RUN_RECORD_CORRUPT naming the file and the field, in every reader', async () => {
    const { runId, runDir } = await recordedRun();
    const stepsFile = path.join(runDir, 'steps.jsonl');
    const lines = fs.readFileSync(stepsFile, 'utf8').trimEnd().split('\n');
    const second = JSON.parse(lines[1]);
    second.id = 42;
    lines[1] = JSON.stringify(second);
    fs.writeFileSync(stepsFile, `${lines.join('\n')}\n`);
    for (const cmd of ['assert', 'inspect', 'readable', 'dump', 'report', 'replay']) {
      const r = await box.json(['job', cmd, '--run-id', runId]);
      expect(r.code, cmd).toBe(2);
      expect(r.json.error.code, cmd).toBe('RUN_RECORD_CORRUPT');
      expect(r.json.error.message, cmd).toContain('steps.jsonl line 2');
      expect(r.json.error.message, cmd).toContain('field id');
    }
  });

  it('a summary with a status no version writes is refused, and job list names the folder instead of listing it', async () => {
    const { runId, runDir } = await recordedRun();
    const file = path.join(runDir, 'summary.json');
    fs.writeFileSync(file, JSON.stringify({ ...readJson(file), status: 'GREAT' }));
    const inspect = await box.json(['job', 'inspect', '--run-id', runId]);
    expect(inspect.json.error).toMatchObject({ code: 'RUN_RECORD_CORRUPT' });
    expect(inspect.json.error.message).toContain('field status');
    const list = await box.json(['job', 'list']);
    expect(list.json.runs).toEqual([]);
    expect(list.json.broken.map((b: { runId: string }) => b.runId)).toEqual([runId]);
  });

  it('an archive whose summary breaks the format is not imported, and nothing is written', async () => {
    const { runId, runDir } = await recordedRun();
    const file = path.join(runDir, 'summary.json');
    // Export copies a run folder byte for byte, whatever it holds; import is where an archive
    // from elsewhere is checked, against the format every reader will hold it to.
    fs.writeFileSync(file, JSON.stringify({ ...readJson(file), durationMs: 'slow' }));
    const zip = path.join(box.root, 'run.zip');
    expect((await box.json(['job', 'export', '--run-id', runId, '--out', zip])).code).toBe(0);
    const other = path.join(box.root, 'other-output');
    const refused = await box.json(['job', 'import', '--file', zip], { env: { DISPATCH_RUN_OUTPUT: other } });
    expect(refused.code).toBe(2);
    expect(refused.json.error).toMatchObject({ code: 'RUN_ARCHIVE_INVALID' });
    expect(refused.json.error.message).toContain('field durationMs');
    expect(fs.existsSync(path.join(other, runId))).toBe(false);
  });
});
