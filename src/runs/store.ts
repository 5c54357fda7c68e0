import type { RunSummary } from './artifacts.js';
import fs from 'node:fs/promises';
import path from 'node:path';
import { DispatchError, notFoundError, usageError } from '../errors.js';
import { isRunId } from './run-id.js';
import { byString } from '../util/compare.js';
import { probeRun, readRunRecord, type ReadRecordOptions, type RunRecord } from './record.js';

/** A run folder as `job list` sees it: a readable summary, or the error that stops it being read. */
interface RunListing {
  runId: string;
  runDir: string;
  /** startedAt from summary.json, else the second in the run id (a broken run still has a place in time). */
  at: string;
  summary?: RunSummary;
  error?: DispatchError;
}

interface RunScan {
  /** Every run folder under the output root. */
  total: number;
  /** Readable runs, newest first, at most `limit`. */
  runs: Array<RunListing & { summary: RunSummary }>;
  /** Run folders met on the way whose record cannot be read, newest first. */
  broken: RunListing[];
  /** The newest run folder of all, readable or not. */
  newest?: RunListing;
  /** Older run folders exist beyond what was read. */
  more: boolean;
}

const listHint = [{ command: 'dispatch job list', description: 'list recorded runs' }];

/** Finished run folders under the output root (temp folders and batches are not runs). */
async function listRunIds(outputRoot: string): Promise<string[]> {
  let names: string[];
  try {
    names = await fs.readdir(outputRoot);
  } catch {
    return [];
  }
  return names.filter(isRunId);
}

/**
 * Leftover `.tmp-*` folders in the output root: runs of versions before 0.2 were written there and
 * renamed into place, so a crash mid-write left one. Nothing reads them; `job list` and `doctor`
 * name them so they can be looked at or removed.
 */
export async function leftoverTempFolders(outputRoot: string): Promise<string[]> {
  const names = await fs.readdir(outputRoot).catch(() => [] as string[]);
  return names
    .filter((n) => n.startsWith('.tmp-'))
    .sort()
    .map((n) => path.join(outputRoot, n));
}

/**
 * Runs newest first. An id only tells the second a run started, and the text after it
 * (`job-run-many-…` vs `job-run-<hex>`) says nothing about order, so folders are read a whole
 * second at a time, newest second first, until `limit` readable runs are in hand; then the
 * runs read are ordered by their exact startedAt.
 */
export async function scanRuns(outputRoot: string, limit = Infinity): Promise<RunScan> {
  const ids = (await listRunIds(outputRoot)).sort((a, b) => byString(b.slice(0, 15), a.slice(0, 15)) || byString(b, a));
  const read: RunListing[] = [];
  let readable = 0;
  let i = 0;
  while (i < ids.length && readable < limit) {
    const second = ids[i].slice(0, 15);
    const group: string[] = [];
    while (i < ids.length && ids[i].slice(0, 15) === second) group.push(ids[i++]);
    for (const listing of await Promise.all(group.map((id) => readListing(outputRoot, id)))) {
      read.push(listing);
      if (listing.summary) readable++;
    }
  }
  read.sort((a, b) => byString(b.at, a.at) || byString(b.runId, a.runId));
  const runs = read.filter((r): r is RunListing & { summary: RunSummary } => r.summary !== undefined);
  return { total: ids.length, runs: runs.slice(0, limit), broken: read.filter((r) => !r.summary), newest: read[0], more: i < ids.length || runs.length > limit };
}

async function readListing(outputRoot: string, runId: string): Promise<RunListing> {
  const runDir = path.join(outputRoot, runId);
  const probe = await probeRun(runId, runDir);
  const fromId = `${runId.slice(0, 4)}-${runId.slice(4, 6)}-${runId.slice(6, 8)}T${runId.slice(9, 11)}:${runId.slice(11, 13)}:${runId.slice(13, 15)}.000Z`;
  if ('error' in probe) return { runId, runDir, at: fromId, error: probe.error };
  const started = probe.summary.startedAt;
  return { runId, runDir, at: started ?? fromId, summary: probe.summary };
}

/**
 * Resolves `latest` or a run id to its folder; unknown ids exit 4 with a hint to list runs.
 * `latest` is the newest run folder even when its record is damaged: the command reading it then
 * says so, instead of quietly answering about an older run.
 */
export async function resolveRunDir(outputRoot: string, runId: string | undefined): Promise<{ runId: string; runDir: string }> {
  if (!runId) throw usageError('MISSING_RUN_ID', 'A run id is required.', { hint: 'Pass --run-id <id> or --run-id latest.', next: listHint });
  if (runId === 'latest') {
    const { newest } = await scanRuns(outputRoot, 1);
    if (!newest) throw notFoundError('RUN_NOT_FOUND', `No runs recorded under ${outputRoot}.`, { hint: 'Run a job first: dispatch job run --case <file>.', next: listHint });
    return { runId: newest.runId, runDir: newest.runDir };
  }
  if (!isRunId(runId)) {
    throw notFoundError('RUN_NOT_FOUND', `"${runId}" is not a run id (expected YYYYMMDD-HHMMSS-<command>-<7 hex>).`, { hint: 'dispatch job list shows recorded run ids.', next: listHint });
  }
  const runDir = path.join(outputRoot, runId);
  // The folder decides whether the run exists; a folder with files missing is a damaged record (exit 2), not an unknown id.
  const isDir = await fs.stat(runDir).then(
    (s) => s.isDirectory(),
    () => false,
  );
  if (!isDir) {
    throw notFoundError('RUN_NOT_FOUND', `Run ${runId} is not recorded under ${outputRoot}.`, { hint: 'Check the id, or set DISPATCH_RUN_OUTPUT to the folder holding the run.', next: listHint });
  }
  return { runId, runDir };
}

/** What assert and replay read: the whole checked record plus its folder. */
export interface RecordedRun extends RunRecord {
  runDir: string;
}

/** Reads the artifacts offline commands need; a damaged record is RUN_RECORD_CORRUPT. */
export async function readRecordedRun(runId: string, runDir: string, opts?: ReadRecordOptions): Promise<RecordedRun> {
  const run = await readRunRecord(runId, runDir, opts);
  if (run.summary.status === 'ABANDONED') {
    throw usageError('RUN_ABANDONED', `Run ${runId} never finished: its process ended while the run was in progress (${run.steps.length} step(s) recorded), so there is no result to check.`, {
      hint: `dispatch job inspect --run-id ${runId} shows the steps it recorded; run the job again for a result.`,
      details: { runId, recordedSteps: run.steps.length },
      next: [{ command: `dispatch job inspect --run-id ${runId}`, description: 'the steps the run recorded before it stopped' }],
    });
  }
  if (run.summary.status === 'RUNNING') {
    throw new DispatchError({
      code: 'RUN_IN_PROGRESS',
      exitCode: 3,
      message: `Run ${runId} is still in progress (pid ${String(run.summary.pid)}); it has no result yet.`,
      hint: 'Wait for it to finish, then ask again.',
      details: { runId, pid: run.summary.pid },
    });
  }
  return { ...run, runDir };
}

const CORRUPT_HINT = 'The file was changed or cut short after it was written: restore it, or run the job again.';

export async function readJson(file: string): Promise<unknown> {
  const text = await fs.readFile(file, 'utf8');
  try {
    return JSON.parse(text);
  } catch (err) {
    throw usageError('RUN_RECORD_CORRUPT', `${file} is not valid JSON: ${(err as Error).message}.`, { hint: CORRUPT_HINT, details: { file } });
  }
}
