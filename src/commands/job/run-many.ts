import path from 'node:path';
import { readDataRows } from './data-rows.js';
import { checkRedisUrl, DEFAULT_QUEUE } from '../../remote/connection.js';
import { runRemoteBatch } from '../../remote/producer.js';
import { parseReporters, withReports } from './reporters.js';
import { executeInBatch, parseShard, positiveInt, resumeId, runPool } from './batch-options.js';
import { runTimeoutMs } from './run-timeout.js';
import type { OptionsOf } from '../../cli/command-options.js';
import { caseCommand } from '../../output/next-hints.js';
import type { RunExtras } from '../../cli/types.js';
import { DispatchError, toDispatchError, usageError, type NextHint } from '../../errors.js';
import type { CommandResult } from '../../output/envelope.js';
import { createProgress } from '../../output/progress.js';
import { durationStats, newBatchId, worstExitCode, writeBatchRecord, type BatchRecord, type BatchRun } from '../../runs/batch.js';
import { outputRootOf, resolveBase, type BaseOptions } from '../context.js';
import { batchView } from './batch-inspect.js';
import { ensureMemoryDeps } from './deps.js';
import { parseSetValues, prepareJob, type PreparedJob } from './prepare.js';
import { ensureWritable } from '../../job/execute.js';

export const MAX_COUNT = 10_000;
export const MAX_CONCURRENCY = 256;

export interface JobRunManyOptions {
  cwd?: string;
  case: string;
  count?: string | number;
  concurrency?: string | number;
  set?: string[];
  timeout?: string;
  data?: string;
  shard?: string;
  reporter?: string[];
  redis?: string;
  queue?: string;
  resume?: string;
}

export async function jobRunMany(opts: JobRunManyOptions, x: RunExtras): Promise<CommandResult> {
  const timeoutMs = runTimeoutMs(opts.timeout);
  const specs = parseReporters(opts.reporter);
  const redisUrl = opts.redis === undefined ? undefined : checkRedisUrl(opts.redis);
  const resumed = resumeId(opts.resume, redisUrl);
  const rows = opts.data === undefined ? undefined : await readDataRows(opts.data, resolveBase(opts).cwd);
  const count = positiveInt(opts.count ?? rows?.length ?? 1, '--count', MAX_COUNT);
  if (rows && count > rows.length) {
    throw usageError('DATA_COUNT', `--count ${count} asks for more runs than --data ${opts.data} has rows (${rows.length}).`, {
      hint: 'Leave --count out to run every row once, or give a smaller count to run the first rows.',
    });
  }
  const shard = parseShard(opts.shard);
  // A shard runs its slice of the indexes; each run keeps its index in the whole batch (run.index).
  const indexes = Array.from({ length: count }, (_, i) => i).filter((i) => !shard || i % shard.total === shard.index - 1);
  const concurrency = Math.max(1, Math.min(positiveInt(opts.concurrency ?? 1, '--concurrency', MAX_CONCURRENCY), indexes.length));
  const base = resolveBase(opts);
  const setValues = parseSetValues(opts.set);
  const rowNames = new Set(rows?.flatMap((r) => Object.keys(r)));
  // On workers, env and credentials come from each worker's environment, not this one: the job is
  // checked here as for a replay, which needs neither (each worker validates it fully again).
  const prepared = await prepareJob(base, opts.case, { setNames: [...new Set([...Object.keys(setValues), ...rowNames])], ...(redisUrl ? { replay: true } : {}) });
  const outputRoot = outputRootOf(base);
  await ensureWritable(outputRoot);
  // Missing memory would fail every run the same way: say so once, before the batch starts (on
  // workers, memory is each worker's own, checked there).
  if (!redisUrl) await ensureMemoryDeps(base, prepared, { casePath: opts.case, resolve: false, outputRoot });

  const batchId = resumed ?? newBatchId();
  const started = Date.now();
  const runs = redisUrl
    ? await runRemoteBatch({
        redis: redisUrl,
        queue: opts.queue ?? DEFAULT_QUEUE,
        batchId,
        command: 'job-run-many',
        runs: indexes.map((index) => ({
          index,
          casePath: path.relative(base.cwd, prepared.file.path) || prepared.file.path,
          jobText: prepared.file.text,
          registry: prepared.registry,
          setValues: rows ? { ...rows[index], ...setValues } : setValues,
          runValues: { index, batchId },
        })),
        ...(timeoutMs !== undefined ? { timeoutMs } : {}),
        outputRoot,
        signal: x.signal,
        ...(x.progress ? { progress: x.progress } : {}),
      })
    : await runBatch({ base, prepared, opts, x, outputRoot, batchId, indexes, concurrency, setValues, timeoutMs, rows });
  const finished = Date.now();

  const done = runs.filter((r): r is BatchRun => r !== undefined);
  const counts = { SUCCESS: 0, FAILED: 0, INTERRUPTED: 0 };
  for (const r of done) counts[r.status]++;
  const interrupted = x.signal.aborted;
  const worst = worstExitCode(done.map((r) => r.exitCode));
  const status = interrupted ? 'INTERRUPTED' : counts.SUCCESS === indexes.length ? 'SUCCESS' : 'FAILED';
  const exitCode = status === 'SUCCESS' ? 0 : worst === 0 ? 3 : worst;
  const record: BatchRecord = {
    batchId,
    casePath: opts.case,
    jobType: prepared.job.jobType,
    count: indexes.length,
    concurrency,
    startedAt: new Date(started).toISOString(),
    finishedAt: new Date(finished).toISOString(),
    durationMs: finished - started,
    outcome: { status, exitCode },
    counts,
    notStarted: indexes.length - done.length,
    runIds: done.flatMap((r) => (r.runId ? [r.runId] : [])),
    runs: done,
    durations: durationStats(done.map((r) => r.durationMs)),
    ...(rows && opts.data ? { data: { file: opts.data, rows: rows.length } } : {}),
    ...(shard ? { shard: { ...shard, batchCount: count } } : {}),
  };
  const batchPath = await writeBatchRecord(outputRoot, record);

  const failures = done.filter((r) => r.status !== 'SUCCESS');
  const { runs: _runs, outcome: _outcome, ...summary } = record;
  // Validation warnings, as job run gives them; run.index and run.batchId are set in a batch.
  const warnings = prepared.validation.warnings.filter((w) => w.code !== 'RUN_BATCH_ONLY');
  const data = { ...summary, batchPath, failures: failures.slice(0, 20), ...(warnings.length ? { warnings } : {}) };
  const result: CommandResult = { status, exitCode, data, next: nextHints(record, failures, opts), view: batchView };
  if (status !== 'SUCCESS') {
    const first = failures.find((r) => r.error) ?? failures[0];
    result.error = new DispatchError({
      code: status === 'INTERRUPTED' ? 'BATCH_INTERRUPTED' : 'BATCH_FAILED',
      exitCode,
      message: describeFailure(record, first),
      hint: exitCode === 3 ? 'The failures are transient: running the batch again is safe.' : `dispatch job batch-inspect --batch-id ${batchId} lists every run with its error.`,
    });
  }
  return withReports(result, { base, outputRoot, command: 'job run-many', specs, target: { batchId } });
}

interface BatchContext {
  base: BaseOptions;
  prepared: PreparedJob;
  opts: JobRunManyOptions;
  x: RunExtras;
  outputRoot: string;
  batchId: string;
  /** The run indexes this command runs: all of 0..count-1, or a shard's slice. */
  indexes: number[];
  concurrency: number;
  setValues: Record<string, unknown>;
  /** --timeout: each run's own limit. */
  timeoutMs?: number;
  /** --data: run i gets row i as run values (--set still wins over a row). */
  rows?: Array<Record<string, unknown>>;
}

/** Runs the batch's indexes, at most `concurrency` at once; a signal stops new starts and aborts runs in flight. */
async function runBatch(b: BatchContext): Promise<Array<BatchRun | undefined>> {
  const progress = createProgress(b.indexes.length, b.x.progress);
  try {
    return await runPool(
      b.indexes.length,
      b.concurrency,
      b.x.signal,
      async (slot, signal) => {
        const run = await oneRun(b, b.indexes[slot], signal);
        progress.tick(run.status);
        return run;
      },
      // The record could not be written: later runs would fail the same way.
      (run) => run.runId === null,
    );
  } finally {
    progress.done();
  }
}

async function oneRun(b: BatchContext, index: number, signal: AbortSignal): Promise<BatchRun> {
  const t0 = Date.now();
  try {
    const outcome = await executeInBatch(b.base, b.prepared, {
      casePath: b.opts.case,
      outputRoot: b.outputRoot,
      batchId: b.batchId,
      index,
      setValues: b.rows ? { ...b.rows[index], ...b.setValues } : b.setValues,
      timeoutMs: b.timeoutMs,
      signal,
      x: b.x,
      command: 'job-run-many',
    });
    const e = outcome.error;
    return {
      index,
      runId: outcome.runId,
      status: outcome.status,
      durationMs: outcome.durationMs,
      exitCode: outcome.status === 'SUCCESS' ? 0 : (e?.exitCode ?? 1),
      ...(e ? { error: { code: e.code, message: e.message } } : {}),
    };
  } catch (err) {
    const e = toDispatchError(err);
    return { index, runId: null, status: 'FAILED', durationMs: Date.now() - t0, exitCode: e.exitCode, error: { code: e.code, message: e.message } };
  }
}

function nextHints(r: BatchRecord, failures: BatchRun[], opts: JobRunManyOptions): NextHint[] {
  const next: NextHint[] = [{ command: `dispatch job batch-inspect --batch-id ${r.batchId}`, description: 'every run of the batch with its status' }];
  const failed = failures.find((f) => f.runId)?.runId;
  if (failed) {
    next.push({ command: `dispatch job inspect --run-id ${failed}`, description: 'what the first failed run sent and received' });
    next.push({ command: `dispatch job assert --run-id ${failed}`, description: 'check the first failed run against the job assertions' });
  } else if (r.runIds[0]) {
    next.push({ command: `dispatch job assert --run-id ${r.runIds[0]}`, description: 'verify a run of the batch offline' });
  }
  if (r.outcome.exitCode === 3) {
    next.unshift({ command: caseCommand('run-many', opts.case, opts.set, ` --count ${r.count} --concurrency ${r.concurrency}`), description: 'retry: the failures were transient' });
  }
  return next;
}

function describeFailure(r: BatchRecord, first: BatchRun | undefined): string {
  const head = `${r.counts.SUCCESS} of ${r.count} runs succeeded (${r.counts.FAILED} failed, ${r.counts.INTERRUPTED} interrupted, ${r.notStarted} not started)`;
  return first?.error ? `${head}; first failure: run #${first.index} ${first.error.code}: ${first.error.message}` : `${head}.`;
}

export default (opts: OptionsOf<'job run-many'>, x: RunExtras) => jobRunMany(opts, x);
