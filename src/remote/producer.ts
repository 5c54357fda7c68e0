import type { BatchRun } from '../runs/batch.js';
import type { Registry } from '../modules/registry.js';
import { createProgress } from '../output/progress.js';
import { importRunArchive } from '../runs/archive.js';
import { isDispatchError, type ExitCode } from '../errors.js';
import type { TextStream } from '../util/io-types.js';
import { shipModules } from './bundles.js';
import { connectRedis } from './connection.js';
import { jobIdOf, KEEP_SECONDS, type RemoteResult, type RemoteRun } from './protocol.js';

/** One run to send: its index in the batch, its job file and values. */
export interface RunToSend {
  index: number;
  casePath: string;
  jobText: string;
  registry: Registry;
  setValues: Record<string, unknown>;
  runValues: Record<string, unknown>;
}

export interface RemoteBatch {
  redis: URL;
  queue: string;
  batchId: string;
  command: string;
  runs: RunToSend[];
  timeoutMs?: number;
  outputRoot: string;
  signal: AbortSignal;
  progress?: TextStream;
}

// How often the producer also asks for the state of runs it has not heard about (a completion
// event missed while it reconnected, or one that happened before it subscribed).
const RECHECK_MS = 1000;
const RECHECK_BATCH = 200;

/**
 * Sends a batch's runs to the queue (one queue job per run index, so sending an index twice
 * is a no-op), then gathers each finished run's record into the local run output as job import
 * would, one record per index: the first result for an index wins, a later one is ignored. Ends
 * when every run is gathered or the signal aborts (the runs keep going on the workers).
 */
export async function runRemoteBatch(b: RemoteBatch): Promise<Array<BatchRun | undefined>> {
  const redis = await connectRedis(b.redis);
  const { Queue, QueueEvents } = await import('../vendor/queue.js');
  const queue = new Queue<RemoteRun, RemoteResult>(b.queue, { connection: redis });
  const events = new QueueEvents(b.queue, { connection: redis.duplicate() });
  const results: Array<BatchRun | undefined> = new Array(b.runs.length).fill(undefined);
  const slotOf = new Map(b.runs.map((r, slot) => [jobIdOf(b.batchId, r.index), slot]));
  const progress = createProgress(b.runs.length, b.progress);
  let left = b.runs.length;
  let wake: () => void = () => undefined;
  const settle = async (jobId: string, finish: () => Promise<BatchRun>) => {
    const slot = slotOf.get(jobId);
    if (slot === undefined || results[slot]) return;
    const run = await finish();
    if (results[slot]) return;
    results[slot] = run;
    left--;
    progress.tick(run.status);
    if (left === 0) wake();
  };
  const completed = (jobId: string, value: unknown) =>
    settle(jobId, async () => {
      const r = (typeof value === 'string' ? JSON.parse(value) : value) as RemoteResult;
      const index = b.runs[slotOf.get(jobId)!].index;
      try {
        await importRunArchive(new Uint8Array(Buffer.from(r.archive, 'base64')), `run ${r.runId} from ${r.worker}`, b.outputRoot);
      } catch (err) {
        // Gathered before (a resumed producer): the record is already here.
        if (!(isDispatchError(err) && err.code === 'RUN_EXISTS')) {
          const e = err as Error;
          return { index, runId: null, status: 'FAILED', durationMs: r.durationMs, exitCode: 1, error: { code: 'RUN_NOT_GATHERED', message: e.message } };
        }
      }
      return { index, runId: r.runId, status: r.status, durationMs: r.durationMs, exitCode: r.exitCode as ExitCode, ...(r.error ? { error: r.error } : {}) };
    });
  const failed = (jobId: string, reason: string) =>
    settle(jobId, async () => {
      const m = /^([A-Z][A-Z0-9_]+) \(exit ([0-4])\): ([\s\S]*)$/.exec(reason);
      const index = b.runs[slotOf.get(jobId)!].index;
      return {
        index,
        runId: null,
        status: 'FAILED',
        durationMs: 0,
        exitCode: (m ? Number(m[2]) : 1) as ExitCode,
        error: m ? { code: m[1], message: m[3] } : { code: 'WORKER_FAILED', message: reason },
      };
    });
  events.on('completed', ({ jobId, returnvalue }) => void completed(jobId, returnvalue));
  events.on('failed', ({ jobId, failedReason }) => void failed(jobId, failedReason));
  try {
    await events.waitUntilReady();
    const bundlesOf = new Map<string, Awaited<ReturnType<typeof shipModules>>>();
    const jobs = [];
    for (const r of b.runs) {
      if (!bundlesOf.has(r.casePath)) bundlesOf.set(r.casePath, await shipModules(r.registry, redis));
      const data: RemoteRun = {
        batchId: b.batchId,
        index: r.index,
        casePath: r.casePath,
        jobText: r.jobText,
        bundles: bundlesOf.get(r.casePath)!,
        setValues: r.setValues,
        runValues: r.runValues,
        command: b.command,
        ...(b.timeoutMs !== undefined ? { timeoutMs: b.timeoutMs } : {}),
      };
      jobs.push({ name: 'run', data, opts: { jobId: jobIdOf(b.batchId, r.index), attempts: 1, removeOnComplete: { age: KEEP_SECONDS }, removeOnFail: { age: KEEP_SECONDS } } });
    }
    for (let i = 0; i < jobs.length; i += 500) await queue.addBulk(jobs.slice(i, i + 500));
    await new Promise<void>((resolve) => {
      wake = resolve;
      if (left === 0) resolve();
      b.signal.addEventListener('abort', () => resolve(), { once: true });
      const recheck = async () => {
        if (left === 0 || b.signal.aborted) return;
        const pending = [...slotOf.keys()].filter((id) => !results[slotOf.get(id)!]).slice(0, RECHECK_BATCH);
        for (const id of pending) {
          const job = await queue.getJob(id);
          if (job?.finishedOn && job.returnvalue) await completed(id, job.returnvalue);
          else if (job?.finishedOn && job.failedReason) await failed(id, job.failedReason);
        }
        setTimeout(() => void recheck(), RECHECK_MS).unref();
      };
      setTimeout(() => void recheck(), RECHECK_MS).unref();
    });
  } finally {
    progress.done();
    await events.close().catch(() => undefined);
    await queue.close().catch(() => undefined);
    redis.disconnect();
  }
  return results;
}
