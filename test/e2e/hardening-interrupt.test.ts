import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { stepsDone } from '../support/run-progress.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { job, readJsonl, sandbox, type Sandbox } from '../support/cli.js';
import { startFaultServer, writeFaultModule, type FaultServer } from '../support/fault-server.js';

// SIGINT/SIGTERM in the middle of a request, a batch or a memory write: whatever was being
// written is either complete or absent, never half there.

const ARTIFACTS = ['activity.log', 'http.jsonl', 'job.case.input.json', 'job.case.resolved.json', 'meta.json', 'module_resolution.json', 'steps.jsonl', 'summary.json'];

let box: Sandbox;
let server: FaultServer;
beforeEach(async () => {
  box = sandbox();
  writeFaultModule(box);
  server = await startFaultServer();
});
afterEach(async () => {
  await server.close();
  box.cleanup();
});

function collect(child: ChildProcess): Promise<{ code: number; stdout: string }> {
  let stdout = '';
  child.stdout!.on('data', (d) => (stdout += d));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code: code ?? -1, stdout })));
}

/** Names anywhere under `dir` that only a half-finished write would leave behind. */
function leftovers(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return (fs.readdirSync(dir, { recursive: true }) as string[]).filter((n) => /(^|\/)\.tmp-|\.tmp$|\.lock($|\/)|\.stale($|\/)|\.old-/.test(n));
}

function expectCompleteRun(runDir: string, status: string) {
  expect(fs.readdirSync(runDir).sort()).toEqual(ARTIFACTS);
  const summary = JSON.parse(fs.readFileSync(path.join(runDir, 'summary.json'), 'utf8'));
  expect(summary.status).toBe(status);
  readJsonl(path.join(runDir, 'steps.jsonl'));
  readJsonl(path.join(runDir, 'http.jsonl'));
  return summary;
}

describe('interrupting a request in flight', () => {
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    it(`${signal} while waiting on the server records an INTERRUPTED run with the exchange`, async () => {
      box.write(
        'h.job.case.json',
        job(
          [
            { id: 'call', action: 'faulty.get', payload: { path: '/hang/x' } },
            { id: 'after', action: 'flow.sleep', payload: { duration: 1 } },
          ],
          { http: { baseUrl: server.url } },
        ),
      );
      const child = box.spawn(['job', 'run', '--case', 'h.job.case.json', '--json']);
      const done = collect(child);
      await server.waitForHeld(1);
      child.kill(signal);
      const { code, stdout } = await done;
      const env = JSON.parse(stdout);
      expect(code).toBe(3);
      expect(env).toMatchObject({ status: 'INTERRUPTED', exitCode: 3, error: { code: 'INTERRUPTED' } });
      expect(env.steps.map((s: { status: string }) => s.status)).toEqual(['INTERRUPTED', 'SKIPPED']);
      expectCompleteRun(env.runDir, 'INTERRUPTED');
      const [exchange] = readJsonl(path.join(env.runDir, 'http.jsonl'));
      expect(exchange).toMatchObject({ method: 'GET', stepId: 'call', error: { code: 'INTERRUPTED' } });
      expect(exchange.status).toBeUndefined();
      expect(leftovers(box.output)).toEqual([]);
    });
  }
});

describe('interrupting run-many', () => {
  it('SIGTERM mid-batch: a complete batch record, complete run folders, nothing half-written', async () => {
    box.write('b.job.case.json', job([{ id: 'call', action: 'faulty.get', payload: { path: '/hang/${run.index}' } }], { http: { baseUrl: server.url } }));
    const child = box.spawn(['job', 'run-many', '--case', 'b.job.case.json', '--count', '6', '--concurrency', '2', '--json']);
    const done = collect(child);
    await server.waitForHeld(2);
    child.kill('SIGTERM');
    const { code, stdout } = await done;
    const out = JSON.parse(stdout);
    expect(code).toBe(3);
    expect(out).toMatchObject({ status: 'INTERRUPTED', counts: { SUCCESS: 0, FAILED: 0, INTERRUPTED: 2 }, notStarted: 4 });
    const record = JSON.parse(fs.readFileSync(out.batchPath, 'utf8'));
    expect(record).toMatchObject({ batchId: out.batchId, outcome: { status: 'INTERRUPTED', exitCode: 3 }, count: 6, notStarted: 4 });
    expect(record.runs).toHaveLength(2);
    for (const run of record.runs) expectCompleteRun(path.join(box.output, run.runId), 'INTERRUPTED');
    expect(
      fs
        .readdirSync(box.output)
        .filter((n) => n !== 'batches')
        .sort(),
    ).toEqual([...record.runIds].sort());
    expect(fs.readdirSync(path.join(box.output, 'batches'))).toEqual([`${out.batchId}.json`]);
    expect(leftovers(box.output)).toEqual([]);
  });
});

describe('interrupting memory writes', () => {
  const storeSteps = (n: number, prefix: string) =>
    Array.from({ length: n }, (_, i) => ({ id: `s${i}`, action: 'memory.store', payload: { namespace: 'bulk', key: `${prefix}.k${i}`, value: { i, pad: 'x'.repeat(400) } } }));
  const memoryFile = () => path.join(box.home, 'memory', 'bulk.json');

  /** The stored keys of one prefix are k0..k(n-1) with no gap: each write landed whole, in order. */
  function storedCount(data: Record<string, Record<string, { i: number }>>, prefix: string): number {
    const keys = Object.keys(data[prefix] ?? {});
    keys.forEach((k, idx) => expect(data[prefix][`k${idx}`]?.i, `${prefix}.${k}`).toBe(idx));
    return keys.length;
  }

  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    it(`${signal} during a seed job that stores many keys leaves a valid namespace file and no temp or lock files`, async () => {
      box.write('m.job.seed.json', job(storeSteps(600, 'one')));
      const child = box.spawn(['job', 'run', '--case', 'm.job.seed.json', '--json']);
      const done = collect(child);
      await stepsDone(box.output, 20);
      child.kill(signal);
      const { code, stdout } = await done;
      const env = JSON.parse(stdout);
      expect(code).toBe(3);
      expect(env.status).toBe('INTERRUPTED');
      const summary = expectCompleteRun(env.runDir, 'INTERRUPTED');
      const succeeded = summary.steps.filter((s: { status: string }) => s.status === 'SUCCESS').length;
      expect(succeeded).toBeLessThan(600);
      const stored = storedCount(JSON.parse(fs.readFileSync(memoryFile(), 'utf8')), 'one');
      // The step the signal cut short may or may not have landed its write, but never half of it.
      expect([succeeded, succeeded + 1]).toContain(stored);
      expect(leftovers(box.home)).toEqual([]);
      expect(leftovers(box.output)).toEqual([]);
    });
  }

  it('SIGINT during run-many seed runs writing one namespace at once: every write whole, the lock released', async () => {
    box.write('c.job.seed.json', job(storeSteps(120, 'r${run.index}')));
    const child = box.spawn(['job', 'run-many', '--case', 'c.job.seed.json', '--count', '4', '--concurrency', '4', '--json']);
    const done = collect(child);
    await stepsDone(box.output, 5, 4);
    child.kill('SIGINT');
    const { code, stdout } = await done;
    const out = JSON.parse(stdout);
    expect(code).toBe(3);
    expect(out.status).toBe('INTERRUPTED');
    expect(JSON.parse(fs.readFileSync(out.batchPath, 'utf8')).outcome.status).toBe('INTERRUPTED');
    const data = JSON.parse(fs.readFileSync(memoryFile(), 'utf8'));
    for (const index of [0, 1, 2, 3]) storedCount(data, `r${index}`);
    expect(leftovers(box.home)).toEqual([]);
    expect(leftovers(box.output)).toEqual([]);
  });
});
