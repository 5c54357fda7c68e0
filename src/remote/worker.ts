import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { resolveBase, type BaseOptions } from '../commands/context.js';
import { ensureMemoryDeps } from '../commands/job/deps.js';
import { prepareJob } from '../commands/job/prepare.js';
import { toDispatchError } from '../errors.js';
import { executePrepared } from '../job/execute.js';
import { packRun } from '../runs/archive.js';
import { withRunTimeout } from '../util/sleep.js';
import { projectFor } from './bundles.js';
import type { RedisClient } from './connection.js';
import type { RemoteResult, RemoteRun } from './protocol.js';

export interface WorkerPlace {
  /** Unpacked module bundles, one project folder per set of bundles. */
  projects: string;
  /** Where runs are recorded before they are packed and sent back (then removed). */
  runs: string;
  /** Per-run scratch folders holding the job file. */
  scratch: string;
}

/** This worker's name in results: host and pid. */
export const workerName = () => `${os.hostname()}:${process.pid}`;

/**
 * One run taken from the queue, executed as a local run would be: the job file as the producer
 * read it, its modules from the bundles (a private repo layer), credentials and env from this
 * process. The record is packed as an export archive for the producer and removed here.
 */
export async function executeRemote(r: RemoteRun, place: WorkerPlace, redis: RedisClient, signal: AbortSignal): Promise<RemoteResult> {
  const project = await projectFor(place.projects, r.bundles, redis);
  const scratch = path.join(place.scratch, `${r.batchId}-${r.index}-${randomBytes(4).toString('hex')}`);
  const rel = safeRelative(r.casePath);
  await fs.mkdir(path.dirname(path.join(scratch, rel)), { recursive: true });
  await fs.writeFile(path.join(scratch, rel), r.jobText);
  try {
    const base: BaseOptions = { ...resolveBase({ cwd: scratch }), root: project };
    const prepared = await prepareJob(base, rel, { setNames: Object.keys(r.setValues) });
    // Memory lives on each machine: a dependency this worker's store lacks fails the run here (exit 4).
    await ensureMemoryDeps(base, prepared, { casePath: rel, resolve: false, outputRoot: place.runs });
    const outcome = await withRunTimeout(signal, r.timeoutMs, (runSignal) =>
      executePrepared(base, prepared, {
        casePath: rel,
        outputRoot: place.runs,
        setValues: r.setValues,
        runValues: r.runValues,
        signal: runSignal,
        argv: ['dispatch', 'worker'],
        meta: { batchId: r.batchId, batchIndex: r.index, worker: workerName() },
        command: r.command,
      }),
    );
    if (outcome.recordError) throw outcome.recordError;
    const { zip } = await packRun(outcome.runId, outcome.runDir);
    await fs.rm(outcome.runDir, { recursive: true, force: true });
    const e = outcome.error;
    return {
      runId: outcome.runId,
      status: outcome.status,
      durationMs: outcome.durationMs,
      exitCode: outcome.status === 'SUCCESS' ? 0 : (e?.exitCode ?? 1),
      ...(e ? { error: { code: e.code, message: e.message } } : {}),
      archive: Buffer.from(zip).toString('base64'),
      worker: workerName(),
    };
  } catch (err) {
    // BullMQ keeps only a message: the code and exit class travel at its front (see producer.ts).
    const e = toDispatchError(err);
    throw new Error(`${e.code} (exit ${e.exitCode}): ${e.message}`);
  } finally {
    await fs.rm(scratch, { recursive: true, force: true });
  }
}

/** The job file's place in the scratch folder: its relative path, or jobs/<name> for anything that would leave it. */
function safeRelative(casePath: string): string {
  const norm = path.posix.normalize(casePath.replace(/\\/g, '/'));
  if (path.posix.isAbsolute(norm) || norm.startsWith('../') || norm === '..') return `jobs/${path.posix.basename(norm)}`;
  return norm;
}
