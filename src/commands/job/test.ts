import type { OptionsOf } from '../../cli/command-options.js';
import type { RunExtras } from '../../cli/types.js';
import { DispatchError, toDispatchError, type ExitCode, type NextHint } from '../../errors.js';
import { ensureWritable } from '../../job/execute.js';
import type { CommandResult } from '../../output/envelope.js';
import { createProgress } from '../../output/progress.js';
import { assertRun } from '../../runs/assert.js';
import { durationStats, newBatchId, SUITE_SEVERITY, worstExitCode, writeBatchRecord, type BatchRecord, type BatchRun } from '../../runs/batch.js';
import { readRecordedRun } from '../../runs/store.js';
import { outputRootOf, resolveBase, type BaseOptions } from '../context.js';
import { executeInBatch, parseShard, positiveInt, runPool } from './batch-options.js';
import { ensureMemoryDeps } from './deps.js';
import { parseSetValues, prepareJob } from './prepare.js';
import { parseReporters, withReports } from './reporters.js';
import { runTimeoutMs } from './run-timeout.js';
import { findTestCases } from './test-cases.js';
import path from 'node:path';
import { checkRedisUrl, DEFAULT_QUEUE } from '../../remote/connection.js';
import { runRemoteBatch, type RunToSend } from '../../remote/producer.js';
import { resumeId } from './batch-options.js';
import { suiteView, type SuiteCase } from './test-view.js';

const MAX_CONCURRENCY = 64;
// Failures the envelope details per case; the suite record keeps the counts.
const SHOWN_RULES = 5;

/**
 * `job test`: every job case found runs once, its assertions are evaluated from its record right
 * after the run, and the suite is one batch record (kind `suite`) that job report, job assert
 * --batch-id and job merge read like any batch.
 */
export async function jobTest(opts: OptionsOf<'job test'>, x: RunExtras): Promise<CommandResult> {
  // Every option is checked before the first case runs: a typo must not cost a whole suite.
  const specs = parseReporters(opts.reporter);
  const shard = parseShard(opts.shard);
  const timeoutMs = runTimeoutMs(opts.timeout);
  const concurrency = positiveInt(opts.concurrency ?? 4, '--concurrency', MAX_CONCURRENCY);
  const setValues = parseSetValues(opts.set);
  const redisUrl = opts.redis === undefined ? undefined : checkRedisUrl(opts.redis);
  const batchId = resumeId(opts.resume, redisUrl) ?? newBatchId();
  const base = resolveBase(opts);
  const all = await findTestCases(base, opts.paths);
  // Cases are sorted by path, so every shard of a CI matrix agrees on the slices.
  const indexes = all.map((_, i) => i).filter((i) => !shard || i % shard.total === shard.index - 1);
  const outputRoot = outputRootOf(base);
  await ensureWritable(outputRoot);

  const started = Date.now();
  const progress = createProgress(indexes.length, x.progress, 'cases');
  const ctx: CaseContext = { base, x, outputRoot, batchId, setValues, timeoutMs };
  let results: Array<SuiteCase | undefined>;
  if (redisUrl) {
    progress.done();
    results = await remoteSuite(
      ctx,
      redisUrl,
      opts.queue ?? DEFAULT_QUEUE,
      indexes.map((i) => ({ casePath: all[i], index: i })),
    );
  } else
    try {
      results = await runPool(
        indexes.length,
        concurrency,
        x.signal,
        async (slot, signal) => {
          const c = await runCase(ctx, all[indexes[slot]], indexes[slot], signal);
          progress.tick(c.passed ? 'SUCCESS' : c.runStatus === 'INTERRUPTED' ? 'INTERRUPTED' : 'FAILED');
          return c;
        },
        (c) => opts.failFast === true && !c.passed,
      );
    } finally {
      progress.done();
    }
  const finished = Date.now();
  const cases = results.filter((c): c is SuiteCase => c !== undefined);
  const record = suiteRecord({ opts, batchId, started, finished, cases, planned: indexes.length, concurrency, shard, total: all.length, interrupted: x.signal.aborted });
  const batchPath = await writeBatchRecord(outputRoot, record);

  const failed = cases.filter((c) => !c.passed);
  const data = {
    batchId,
    batchPath,
    kind: 'suite',
    count: indexes.length,
    passed: cases.length - failed.length,
    failed: failed.length,
    notStarted: record.notStarted,
    durationMs: record.durationMs,
    ...(record.shard ? { shard: record.shard } : {}),
    cases,
  };
  const result: CommandResult = { status: record.outcome.status, exitCode: record.outcome.exitCode, data, next: nextHints(batchId, failed), view: suiteView };
  if (record.outcome.status !== 'SUCCESS') {
    const first = failed[0];
    result.error = new DispatchError({
      code: record.outcome.status === 'INTERRUPTED' ? 'SUITE_INTERRUPTED' : 'SUITE_FAILED',
      exitCode: record.outcome.exitCode,
      message: `${failed.length} of ${indexes.length} case(s) failed${record.notStarted ? `, ${record.notStarted} not started` : ''}${first ? `; first: ${first.casePath}: ${first.reason ?? first.runStatus}` : ''}.`,
      hint: first?.runId ? `dispatch job inspect --run-id ${first.runId} shows what the first failing case sent and received.` : 'Fix the job files named above and run the suite again.',
    });
  }
  return withReports(result, { base, outputRoot, command: 'job test', specs, target: { batchId } });
}

interface CaseContext {
  base: BaseOptions;
  x: RunExtras;
  outputRoot: string;
  batchId: string;
  setValues: Record<string, unknown>;
  timeoutMs?: number;
}

/** One case: load and check the job, run it, evaluate its assertions. A problem at any stage fails this case only. */
async function runCase(ctx: CaseContext, casePath: string, index: number, signal: AbortSignal): Promise<SuiteCase> {
  const t0 = Date.now();
  let jobType: string | undefined;
  try {
    const prepared = await prepareJob(ctx.base, casePath, { setNames: Object.keys(ctx.setValues) });
    jobType = prepared.job.jobType;
    await ensureMemoryDeps(ctx.base, prepared, { casePath, resolve: false, outputRoot: ctx.outputRoot });
    // As in run-many, so a job written for batches runs in a suite too: the suite's id, the case's index.
    const outcome = await executeInBatch(ctx.base, prepared, {
      casePath,
      outputRoot: ctx.outputRoot,
      batchId: ctx.batchId,
      index,
      setValues: ctx.setValues,
      timeoutMs: ctx.timeoutMs,
      signal,
      x: ctx.x,
      command: 'job-test',
    });
    const base = { index, casePath, jobType, runId: outcome.runId, runStatus: outcome.status, durationMs: outcome.durationMs };
    if (outcome.recordError) return failedCase(base, outcome.recordError);
    const e = outcome.error;
    return await assessCase(ctx.outputRoot, base, e ? { code: e.code, message: e.message, exitCode: e.exitCode } : undefined);
  } catch (err) {
    return failedCase({ index, casePath, ...(jobType ? { jobType } : {}), runId: null, runStatus: 'NOT_RUN', durationMs: Date.now() - t0 }, toDispatchError(err));
  }
}

/**
 * A recorded case against its assertions, read back from the record exactly as job assert will
 * read them later (the same for a run done here and one gathered from a worker).
 */
async function assessCase(
  outputRoot: string,
  base: Pick<SuiteCase, 'index' | 'casePath' | 'jobType' | 'runId' | 'runStatus' | 'durationMs'> & { runId: string },
  runError: { code: string; message: string; exitCode: number } | undefined,
): Promise<SuiteCase> {
  const run = await readRecordedRun(base.runId, path.join(outputRoot, base.runId));
  const results = assertRun(run).results;
  const broken = results.filter((r) => !r.pass);
  const assertions = { passed: results.length - broken.length, failed: broken.length };
  const failedStep = run.summary.steps.find((s) => s.status === 'FAILED' || s.status === 'INTERRUPTED');
  const passed = base.runStatus === 'SUCCESS' && broken.length === 0;
  const exitCode = (passed ? 0 : runError ? runError.exitCode : 2) as ExitCode;
  // The expected-status rule restates a run error that is already shown.
  const rules = shownRules(broken, runError);
  const reason = runError ? `${runError.code}: ${runError.message}` : broken.length ? broken[0].message : undefined;
  return {
    ...base,
    jobType: base.jobType ?? run.summary.jobType,
    passed,
    exitCode,
    assertions,
    ...(reason ? { reason } : {}),
    ...(runError ? { error: { code: runError.code, message: runError.message } } : {}),
    ...(failedStep ? { failedStep: failedStep.id } : {}),
    ...(rules.length ? { failedRules: rules.slice(0, SHOWN_RULES).map((r) => ({ path: r.path, op: r.op, message: r.message })) } : {}),
    ...(rules.length > SHOWN_RULES ? { moreRules: rules.length - SHOWN_RULES } : {}),
  };
}

/**
 * --redis: every case that loads here is sent to the workers (checked as for a replay: env and
 * credentials are the workers'), and each gathered record is assessed here. A case that does not
 * load fails without being sent.
 */
async function remoteSuite(ctx: CaseContext, redis: URL, queueName: string, cases: Array<{ casePath: string; index: number }>): Promise<Array<SuiteCase | undefined>> {
  const out: Array<SuiteCase | undefined> = new Array(cases.length).fill(undefined);
  const send: Array<RunToSend & { slot: number; jobType: string }> = [];
  for (const [slot, c] of cases.entries()) {
    try {
      const prepared = await prepareJob(ctx.base, c.casePath, { setNames: Object.keys(ctx.setValues), replay: true });
      send.push({
        slot,
        index: c.index,
        casePath: c.casePath,
        jobType: prepared.job.jobType,
        jobText: prepared.file.text,
        registry: prepared.registry,
        setValues: ctx.setValues,
        runValues: { index: c.index, batchId: ctx.batchId },
      });
    } catch (err) {
      out[slot] = failedCase({ index: c.index, casePath: c.casePath, runId: null, runStatus: 'NOT_RUN', durationMs: 0 }, toDispatchError(err));
    }
  }
  const runs = await runRemoteBatch({
    redis,
    queue: queueName,
    batchId: ctx.batchId,
    command: 'job-test',
    runs: send,
    ...(ctx.timeoutMs !== undefined ? { timeoutMs: ctx.timeoutMs } : {}),
    outputRoot: ctx.outputRoot,
    signal: ctx.x.signal,
    ...(ctx.x.progress ? { progress: ctx.x.progress } : {}),
  });
  for (const [i, r] of runs.entries()) {
    const s = send[i];
    if (!r) continue; // interrupted before it came back: not started, as far as this record knows
    const base = { index: s.index, casePath: s.casePath, jobType: s.jobType, runStatus: r.runId ? r.status : 'NOT_RUN', durationMs: r.durationMs };
    const error = r.error ? { ...r.error, exitCode: r.exitCode } : undefined;
    try {
      out[s.slot] = r.runId
        ? await assessCase(ctx.outputRoot, { ...base, runId: r.runId }, error)
        : failedCase(
            { ...base, runId: null },
            toDispatchError(Object.assign(new DispatchError({ code: r.error?.code ?? 'WORKER_FAILED', exitCode: r.exitCode, message: r.error?.message ?? 'the worker reported no result' }))),
          );
    } catch (err) {
      out[s.slot] = failedCase({ ...base, runId: r.runId }, toDispatchError(err));
    }
  }
  return out;
}

const shownRules = <T extends { path: string }>(broken: T[], runError: unknown): T[] => broken.filter((r) => !(runError && r.path === '$.status'));

function failedCase(base: Pick<SuiteCase, 'index' | 'casePath' | 'jobType' | 'runId' | 'runStatus' | 'durationMs'>, e: DispatchError): SuiteCase {
  return { ...base, passed: false, exitCode: e.exitCode, reason: `${e.code}: ${e.message}`, error: { code: e.code, message: e.message } };
}

interface SuiteFacts {
  opts: OptionsOf<'job test'>;
  batchId: string;
  started: number;
  finished: number;
  cases: SuiteCase[];
  planned: number;
  concurrency: number;
  shard?: { index: number; total: number };
  total: number;
  /** The command was interrupted (SIGINT/SIGTERM, or MCP cancel). */
  interrupted: boolean;
}

function suiteRecord(f: SuiteFacts): BatchRecord {
  const counts = { SUCCESS: 0, FAILED: 0, INTERRUPTED: 0 };
  const runs: BatchRun[] = f.cases.map((c) => {
    const status = c.runStatus === 'SUCCESS' || c.runStatus === 'INTERRUPTED' ? c.runStatus : 'FAILED';
    counts[status]++;
    return {
      index: c.index,
      runId: c.runId,
      status,
      durationMs: c.durationMs,
      exitCode: c.exitCode,
      casePath: c.casePath,
      ...(c.jobType ? { jobType: c.jobType } : {}),
      ...(c.assertions ? { assertions: c.assertions } : {}),
      ...(c.error ? { error: c.error } : !c.passed && c.reason ? { error: { code: 'ASSERTION_FAILED', message: c.reason } } : {}),
    };
  });
  const failedCodes = new Set(f.cases.filter((c) => !c.passed).map((c) => c.exitCode));
  const notStarted = f.planned - f.cases.length;
  const allPassed = failedCodes.size === 0 && notStarted === 0;
  const exitCode: ExitCode = allPassed ? 0 : worstExitCode(failedCodes, SUITE_SEVERITY) || 3;
  return {
    batchId: f.batchId,
    kind: 'suite',
    casePath: f.opts.paths?.join(' ') || 'jobs',
    jobType: 'suite',
    count: f.planned,
    concurrency: f.concurrency,
    startedAt: new Date(f.started).toISOString(),
    finishedAt: new Date(f.finished).toISOString(),
    durationMs: f.finished - f.started,
    outcome: { status: allPassed ? 'SUCCESS' : f.interrupted ? 'INTERRUPTED' : 'FAILED', exitCode },
    counts,
    notStarted,
    runIds: runs.flatMap((r) => (r.runId ? [r.runId] : [])),
    runs,
    durations: durationStats(runs.map((r) => r.durationMs)),
    ...(f.shard ? { shard: { ...f.shard, batchCount: f.total } } : {}),
    ...(f.opts.failFast ? { failFast: true } : {}),
  };
}

function nextHints(batchId: string, failed: SuiteCase[]): NextHint[] {
  const first = failed.find((c) => c.runId);
  const next: NextHint[] = [];
  if (first?.runId) next.push({ command: `dispatch job inspect --run-id ${first.runId}`, description: `what ${first.casePath} sent and received` });
  next.push({ command: `dispatch job report --batch-id ${batchId} --format html --out report.html`, description: 'the suite as one HTML page' });
  next.push({ command: `dispatch job assert --batch-id ${batchId}`, description: 'check the suite again later, offline' });
  return next;
}

export default (opts: OptionsOf<'job test'>, x: RunExtras) => jobTest(opts, x);
