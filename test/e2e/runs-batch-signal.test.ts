import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { binPath, sandbox, type Sandbox } from '../support/cli.js';
import { startBatchServer, writeBatchJob, writeWebModule, type BatchServer } from './runs-batch-helpers.js';

let box: Sandbox;
let server: BatchServer;
beforeEach(() => {
  box = sandbox();
  writeWebModule(box);
});
afterEach(async () => {
  await server?.close();
  box.cleanup();
});

const hasScript = spawnSync('script', ['--version']).status === 0;

/** Runs the CLI under `script`, so stdout and stderr are a real terminal; returns what the terminal showed. */
function inTerminal(args: string[], env: Record<string, string>): Promise<{ code: number; text: string }> {
  const cmd = [process.execPath, binPath, ...args].map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
  const fullEnv: Record<string, string> = {};
  for (const [k, v] of Object.entries({ ...process.env, ...box.env, ...env })) if (v !== undefined && k !== 'FORCE_COLOR') fullEnv[k] = v;
  return new Promise((resolve, reject) => {
    const child = spawn('script', ['-qec', cmd, '/dev/null'], { cwd: box.cwd, env: fullEnv });
    let text = '';
    child.stdout.on('data', (d) => (text += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, text }));
  });
}

/** Starts a batch command, sends SIGINT once the server holds two requests, returns its exit code and envelope. */
async function interruptAfterTwoHeld(args: string[]): Promise<{ code: number; out: any }> {
  const child = box.spawn(args, { env: { BATCH_BASE_URL: server.url } });
  let stdout = '';
  child.stdout!.on('data', (d) => (stdout += d));
  const closed = new Promise<number>((resolve) => child.on('close', (code) => resolve(code ?? -1)));
  await server.waitForHeld(2);
  child.kill('SIGINT');
  const code = await closed;
  return { code, out: JSON.parse(stdout) };
}

describe('job run-many interruption', () => {
  it('SIGINT interrupts the runs in flight, starts no more, and still writes the batch record', async () => {
    server = await startBatchServer({ hold: true });
    const file = writeBatchJob(box);
    const { code, out } = await interruptAfterTwoHeld(['job', 'run-many', '--case', file, '--count', '10', '--concurrency', '2', '--json']);
    expect(code).toBe(3);
    expect(out).toMatchObject({ status: 'INTERRUPTED', exitCode: 3, notStarted: 8, counts: { SUCCESS: 0, FAILED: 0, INTERRUPTED: 2 } });
    expect(out.error.code).toBe('BATCH_INTERRUPTED');
    expect(out.runIds).toHaveLength(2);
    for (const runId of out.runIds) {
      const summary = JSON.parse(fs.readFileSync(path.join(box.output, runId, 'summary.json'), 'utf8'));
      expect(summary.status).toBe('INTERRUPTED');
    }
    const record = JSON.parse(fs.readFileSync(out.batchPath, 'utf8'));
    expect(record).toMatchObject({ outcome: { status: 'INTERRUPTED', exitCode: 3 }, notStarted: 8 });
    expect(record.runs.map((r: any) => r.index)).toEqual([0, 1]);
  });
});

describe('job run-many progress bar', () => {
  it('is not drawn when stderr is not a terminal', async () => {
    server = await startBatchServer();
    const file = writeBatchJob(box);
    const r = await box.run(['job', 'run-many', '--case', file, '--count', '3'], { env: { BATCH_BASE_URL: server.url } });
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout).not.toContain('█');
    expect(r.stdout).toContain('3 succeeded');
    // Per-step lines of each run are not printed in a batch.
    expect(r.stdout).not.toContain('whoami');
  });

  it.skipIf(!hasScript)('is drawn on a terminal in human mode, and never under --json', async () => {
    server = await startBatchServer();
    const file = writeBatchJob(box);
    const human = await inTerminal(['job', 'run-many', '--case', file, '--count', '3', '--concurrency', '2'], { BATCH_BASE_URL: server.url });
    expect(human.code).toBe(0);
    expect(human.text).toContain('█');
    expect(human.text).toContain('3/3 runs');
    const json = await inTerminal(['job', 'run-many', '--case', file, '--count', '3', '--json'], { BATCH_BASE_URL: server.url });
    expect(json.code).toBe(0);
    expect(json.text).not.toContain('█');
    expect(JSON.parse(json.text).counts.SUCCESS).toBe(3);
  });
});

describe('job test interruption and progress', () => {
  it('SIGINT interrupts the cases in flight, starts no more, and writes the suite record', async () => {
    server = await startBatchServer({ hold: true });
    for (const n of [1, 2, 3, 4]) writeBatchJob(box, `jobs/case-${n}.job.case.json`);
    const { code, out } = await interruptAfterTwoHeld(['job', 'test', '--concurrency', '2', '--json']);
    expect(code).toBe(3);
    expect(out).toMatchObject({ status: 'INTERRUPTED', exitCode: 3, count: 4, passed: 0, failed: 2, notStarted: 2, error: { code: 'SUITE_INTERRUPTED' } });
    expect(out.cases.map((c: any) => c.runStatus)).toEqual(['INTERRUPTED', 'INTERRUPTED']);
    const record = JSON.parse(fs.readFileSync(out.batchPath, 'utf8'));
    expect(record).toMatchObject({ kind: 'suite', outcome: { status: 'INTERRUPTED', exitCode: 3 }, notStarted: 2 });
  });

  it.skipIf(!hasScript)('draws a progress line on a terminal, and prints a line per case', async () => {
    server = await startBatchServer();
    for (const n of [1, 2, 3]) writeBatchJob(box, `jobs/case-${n}.job.case.json`);
    const human = await inTerminal(['job', 'test', '--concurrency', '2'], { BATCH_BASE_URL: server.url });
    expect(human.code).toBe(0);
    expect(human.text).toContain('3/3 cases');
    expect(human.text).toMatch(/✓ jobs\/case-1\.job\.case\.json/);
    const piped = await box.run(['job', 'test'], { env: { BATCH_BASE_URL: server.url } });
    expect(piped.stderr).toBe('');
    expect(piped.stdout).not.toContain('█');
  });
});
