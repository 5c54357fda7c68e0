import fs from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { isDispatchError, notFoundError, usageError, type ExitCode } from '../errors.js';
import { batchesDir } from '../state/paths.js';
import { writeJsonFileAtomic } from '../state/json-file.js';
import { redactor } from '../output/redact.js';
import { newRunId } from './run-id.js';
import { readJson } from './store.js';
import { byString } from '../util/compare.js';

/** `YYYYMMDD-HHMMSS-batch-<7 hex>` (UTC), the run id format with `batch` as its command segment. */
const BATCH_ID_PATTERN = /^\d{8}-\d{6}-batch-[0-9a-f]{7}$/;

export const newBatchId = (now = new Date()) => newRunId('batch', now);
export const isBatchId = (value: string) => BATCH_ID_PATTERN.test(value);

export type BatchRunStatus = 'SUCCESS' | 'FAILED' | 'INTERRUPTED';

/** One run of a batch, as the batch record lists it (index order). */
export interface BatchRun {
  index: number;
  /** null when the run could not even be recorded. */
  runId: string | null;
  status: BatchRunStatus;
  durationMs: number;
  exitCode: ExitCode;
  error?: { code: string; message: string };
  /** A suite case: its job file and job type (a run-many batch has one of each, on the record). */
  casePath?: string;
  jobType?: string;
  /** A suite case: how many of its assertions held and did not (the expected status counts as one). */
  assertions?: { passed: number; failed: number };
}

export interface Durations {
  p50: number;
  p95: number;
  min: number;
  max: number;
}

/** `<run output>/batches/<batchId>.json`. */
export interface BatchRecord {
  batchId: string;
  /** `suite` for job test (one run per job file); absent for run-many (runs of one job). */
  kind?: 'suite';
  /** run-many: the job file. A suite: the paths it was given, space-separated. */
  casePath: string;
  jobType: string;
  count: number;
  concurrency: number;
  startedAt: string;
  finishedAt: string;
  durationMs: number;
  outcome: { status: BatchRunStatus; exitCode: ExitCode };
  counts: Record<BatchRunStatus, number>;
  notStarted: number;
  runIds: string[];
  runs: BatchRun[];
  durations: Durations;
  /** run-many --data: the file and how many rows it had. */
  data?: { file: string; rows: number };
  /** --shard i/n: which slice of a batch of batchCount runs (or suite of batchCount cases) this record holds. */
  shard?: { index: number; total: number; batchCount: number };
  /** job test --fail-fast stopped starting cases after a failure. */
  failFast?: boolean;
  /** job merge: the batches this one gathers. */
  mergedFrom?: string[];
}

/** Nearest-rank percentiles; all zeros for an empty list. */
export function durationStats(values: number[]): Durations {
  if (values.length === 0) return { p50: 0, p95: 0, min: 0, max: 0 };
  const sorted = [...values].sort((a, b) => a - b);
  const rank = (p: number) => sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)];
  return { p50: rank(50), p95: rank(95), min: sorted[0], max: sorted[sorted.length - 1] };
}

// Most severe first: a bug, then a wrong job, then a missing thing, then a retryable blip.
const SEVERITY: ExitCode[] = [1, 2, 4, 3];

// A suite's order (DESIGN.md section 16): a bug, then what the job files or the API got wrong,
// then what a retry may fix, then what is missing.
export const SUITE_SEVERITY: ExitCode[] = [1, 2, 3, 4];

/** The exit class a batch reports: 0 when every code is 0, else the most severe one present. */
export function worstExitCode(codes: Iterable<ExitCode>, order: ExitCode[] = SEVERITY): ExitCode {
  const seen = new Set(codes);
  return order.find((c) => seen.has(c)) ?? 0;
}

export async function writeBatchRecord(outputRoot: string, record: BatchRecord): Promise<string> {
  const file = path.join(batchesDir(outputRoot), `${record.batchId}.json`);
  try {
    // Run errors are copied in here: redact like every other artifact, or batch-inspect would
    // print a secret that the run's own summary.json hides.
    await writeJsonFileAtomic(file, redactor.redact(record));
  } catch (err) {
    throw usageError('RUN_OUTPUT_UNWRITABLE', `Cannot write the batch record ${file}: ${(err as Error).message}.`, {
      hint: 'Make the run output folder writable, or point DISPATCH_RUN_OUTPUT at a writable folder.',
    });
  }
  return file;
}

/** Resolves `latest` or a batch id to its record; unknown or malformed ids exit 4. */
export async function readBatch(outputRoot: string, batchId: string | undefined): Promise<{ batchId: string; batchPath: string; record: BatchRecord }> {
  const dir = batchesDir(outputRoot);
  // Empty is a mistake (an unset shell variable), not a request for the latest batch: same as --run-id "".
  if (batchId === '') throw usageError('MISSING_BATCH_ID', 'A batch id is required.', { hint: 'Pass --batch-id <id> or --batch-id latest.' });
  const latest = await latestBatchId(dir);
  const id = batchId === undefined || batchId === 'latest' ? latest : batchId;
  // There is no command that lists batches: point at the newest one when there is one, else at
  // the job files a batch can be run from.
  const next = latest
    ? [{ command: 'dispatch job batch-inspect --batch-id latest', description: 'the newest recorded batch' }]
    : [{ command: 'dispatch job cases', description: 'job files to run as a batch with dispatch job run-many' }];
  if (!id) {
    throw notFoundError('BATCH_NOT_FOUND', `No batches recorded under ${dir}.`, { hint: 'Run one first: dispatch job run-many --case <file> --count <n>.', next });
  }
  if (!isBatchId(id)) {
    throw notFoundError('BATCH_NOT_FOUND', `"${id}" is not a batch id (expected YYYYMMDD-HHMMSS-batch-<7 hex>).`, { hint: 'Use the batchId printed by job run-many, or --batch-id latest.', next });
  }
  const batchPath = path.join(dir, `${id}.json`);
  try {
    await fs.access(batchPath);
  } catch {
    throw notFoundError('BATCH_NOT_FOUND', `Batch ${id} is not recorded under ${dir}.`, { hint: 'Check the id, or set DISPATCH_RUN_OUTPUT to the folder holding the batch.', next });
  }
  const value = await readJson(batchPath).catch((err: unknown) => {
    throw isDispatchError(err) && err.code === 'RUN_RECORD_CORRUPT' ? corruptBatch(`${batchPath} is not valid JSON`) : err;
  });
  return { batchId: id, batchPath, record: checkBatchRecord(value, batchPath) };
}

function corruptBatch(message: string) {
  return usageError('BATCH_RECORD_CORRUPT', `${message}.`, {
    hint: 'The file was edited or cut short. Restore it, or run the batch again with dispatch job run-many.',
  });
}

// What the readers of a batch record rely on; a hand-edited or truncated record is refused with
// the first field that is wrong, instead of producing an empty or misleading report.
const status = z.enum(['SUCCESS', 'FAILED', 'INTERRUPTED']);
const batchRecordShape = z.object({
  batchId: z.string(),
  kind: z.literal('suite').optional(),
  casePath: z.string(),
  jobType: z.string(),
  count: z.number(),
  concurrency: z.number(),
  startedAt: z.string(),
  finishedAt: z.string(),
  durationMs: z.number(),
  outcome: z.object({ status, exitCode: z.number() }),
  counts: z.object({ SUCCESS: z.number(), FAILED: z.number(), INTERRUPTED: z.number() }),
  notStarted: z.number(),
  runIds: z.array(z.string()),
  runs: z.array(
    z.object({
      index: z.number(),
      runId: z.string().nullable(),
      status,
      durationMs: z.number(),
      exitCode: z.number(),
      error: z.object({ code: z.string(), message: z.string() }).optional(),
      casePath: z.string().optional(),
      jobType: z.string().optional(),
      assertions: z.object({ passed: z.number(), failed: z.number() }).optional(),
    }),
  ),
  durations: z.object({ p50: z.number(), p95: z.number(), min: z.number(), max: z.number() }),
  data: z.object({ file: z.string(), rows: z.number() }).optional(),
  shard: z.object({ index: z.number(), total: z.number(), batchCount: z.number() }).optional(),
  failFast: z.boolean().optional(),
  mergedFrom: z.array(z.string()).optional(),
});

/** A batch record read from elsewhere (an archive, another run output): BATCH_RECORD_CORRUPT when it is not one. */
export function checkBatchRecord(value: unknown, file: string): BatchRecord {
  const parsed = batchRecordShape.safeParse(value);
  if (parsed.success) return parsed.data as BatchRecord;
  const issue = parsed.error.issues[0];
  const where = ['$', ...issue.path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`))].join('');
  throw corruptBatch(`${file} is not a batch record: ${where}: ${issue.message}`);
}

/** Newest batch by id; ids only order by second, so same-second batches are ordered by startedAt. */
async function latestBatchId(dir: string): Promise<string | undefined> {
  let names: string[];
  try {
    names = await fs.readdir(dir);
  } catch {
    return undefined;
  }
  const ids = names
    .filter((n) => n.endsWith('.json'))
    .map((n) => n.slice(0, -5))
    .filter(isBatchId)
    .sort()
    .reverse();
  if (ids.length === 0) return undefined;
  const sameSecond = ids.filter((id) => id.slice(0, 15) === ids[0].slice(0, 15));
  if (sameSecond.length === 1) return ids[0];
  const started = await Promise.all(sameSecond.map(async (id) => ({ id, at: String(((await readJson(path.join(dir, `${id}.json`)).catch(() => ({}))) as { startedAt?: unknown }).startedAt ?? '') })));
  started.sort((a, b) => byString(b.at, a.at) || byString(b.id, a.id));
  return started[0].id;
}
