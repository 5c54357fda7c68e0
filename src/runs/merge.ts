import { usageError, type ExitCode } from '../errors.js';
import { byString } from '../util/compare.js';
import { durationStats, SUITE_SEVERITY, worstExitCode, type BatchRecord, type BatchRun } from './batch.js';

/** What the merge found missing or doubled, for the command to say. */
export interface MergeFindings {
  /** Shards of an i/n matrix that no source holds. */
  missingShards: number[];
  /** Indexes that more than one source ran. */
  duplicateIndexes: number[];
}

/** A run (or suite case) passed: it succeeded, and for a suite every assertion held. */
export const runPassed = (r: BatchRun) => r.status === 'SUCCESS' && r.exitCode === 0 && (r.assertions?.failed ?? 0) === 0;

/**
 * One batch from the shards of a CI matrix (or any batches of the same job or of suites): the runs
 * in index order, counts and durations over all of them, and a verdict that counts a shard no
 * source holds as cases that never started.
 */
export function mergeBatches(records: BatchRecord[], batchId: string): { record: BatchRecord; findings: MergeFindings } {
  const suite = records[0].kind === 'suite';
  if (records.some((r) => (r.kind === 'suite') !== suite)) {
    throw usageError('MERGE_MIXED', 'The sources mix job test suites with run-many batches; merge one kind at a time.', { hint: 'Merge the shards of one job test (or of one run-many) together.' });
  }
  const jobTypes = [...new Set(records.map((r) => r.jobType))];
  if (!suite && jobTypes.length > 1) {
    throw usageError('MERGE_MIXED', `The sources are batches of different jobs (${jobTypes.join(', ')}); a merged batch is runs of one job.`, { hint: 'Merge the shards of one run-many at a time.' });
  }
  const runs = records.flatMap((r) => r.runs).sort((a, b) => a.index - b.index || byString(a.runId ?? '', b.runId ?? ''));
  const seen = new Set<number>();
  const duplicateIndexes = [...new Set(runs.filter((r) => seen.has(r.index) || (seen.add(r.index), false)).map((r) => r.index))];

  // Shards of one matrix agree on n and on the size of the whole; then the whole is the count.
  const shards = records.map((r) => r.shard);
  const matrix = shards.every((s) => s && s.total === shards[0]!.total && s.batchCount === shards[0]!.batchCount) ? shards[0] : undefined;
  const present = new Set(shards.map((s) => s?.index));
  const missingShards = matrix ? Array.from({ length: matrix.total }, (_, i) => i + 1).filter((i) => !present.has(i)) : [];
  const count = matrix ? matrix.batchCount : records.reduce((n, r) => n + r.count, 0);
  const notStarted = Math.max(0, count - new Set(runs.map((r) => r.index)).size);

  const counts = { SUCCESS: 0, FAILED: 0, INTERRUPTED: 0 };
  for (const r of runs) counts[r.status]++;
  const failing = runs.filter((r) => !runPassed(r));
  const passed = failing.length === 0 && notStarted === 0;
  const exitCode: ExitCode = passed
    ? 0
    : worstExitCode(
        failing.map((r) => r.exitCode),
        suite ? SUITE_SEVERITY : undefined,
      ) || 3;
  const interrupted = records.some((r) => r.outcome.status === 'INTERRUPTED');
  const started = Math.min(...records.map((r) => Date.parse(r.startedAt)));
  const finished = Math.max(...records.map((r) => Date.parse(r.finishedAt)));
  const record: BatchRecord = {
    batchId,
    ...(suite ? { kind: 'suite' as const } : {}),
    casePath: [...new Set(records.map((r) => r.casePath))].join(' '),
    jobType: suite ? 'suite' : jobTypes[0],
    count,
    concurrency: records.reduce((n, r) => n + r.concurrency, 0),
    startedAt: new Date(started).toISOString(),
    finishedAt: new Date(finished).toISOString(),
    durationMs: Math.max(0, finished - started),
    outcome: { status: passed ? 'SUCCESS' : interrupted ? 'INTERRUPTED' : 'FAILED', exitCode },
    counts,
    notStarted,
    runIds: runs.flatMap((r) => (r.runId ? [r.runId] : [])),
    runs,
    durations: durationStats(runs.map((r) => r.durationMs)),
    mergedFrom: records.map((r) => r.batchId).sort(byString),
  };
  return { record, findings: { missingShards, duplicateIndexes } };
}
