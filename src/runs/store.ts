import fs from 'node:fs/promises';
import path from 'node:path';
import { notFoundError, usageError } from '../errors.js';
import { isRunId } from './run-id.js';
import { byString } from '../util/compare.js';

export interface RunListing {
  runId: string;
  runDir: string;
  summary: Record<string, unknown>;
}

const listHint = [{ command: 'dispatch job list', description: 'list recorded runs' }];

/** Finished run folders under the output root (temp folders and batches are not runs). */
export async function listRunIds(outputRoot: string): Promise<string[]> {
  let names: string[];
  try {
    names = await fs.readdir(outputRoot);
  } catch {
    return [];
  }
  return names.filter(isRunId);
}

/** Runs newest first by start time (ids sort by second; startedAt breaks ties within a second). */
export async function listRuns(outputRoot: string, limit = Infinity): Promise<RunListing[]> {
  const ids = (await listRunIds(outputRoot)).sort().reverse();
  const out: RunListing[] = [];
  // Read a little more than asked so same-second runs can be ordered by their exact start.
  for (const runId of ids.slice(0, Number.isFinite(limit) ? limit + 20 : undefined)) {
    const summary = await readJson(path.join(outputRoot, runId, 'summary.json')).catch(() => undefined);
    if (summary) out.push({ runId, runDir: path.join(outputRoot, runId), summary: summary as Record<string, unknown> });
  }
  out.sort((a, b) => byString(String(b.summary.startedAt ?? ''), String(a.summary.startedAt ?? '')) || byString(b.runId, a.runId));
  return out.slice(0, Number.isFinite(limit) ? limit : undefined);
}

/** Resolves `latest` or a run id to its folder; unknown ids exit 4 with a hint to list runs. */
export async function resolveRunDir(outputRoot: string, runId: string | undefined): Promise<{ runId: string; runDir: string }> {
  if (!runId) throw usageError('MISSING_RUN_ID', 'A run id is required.', { hint: 'Pass --run-id <id> or --run-id latest.', next: listHint });
  if (runId === 'latest') {
    const [newest] = await listRuns(outputRoot, 1);
    if (!newest) throw notFoundError('RUN_NOT_FOUND', `No runs recorded under ${outputRoot}.`, { hint: 'Run a job first: dispatch job run --case <file>.', next: listHint });
    return { runId: newest.runId, runDir: newest.runDir };
  }
  if (!isRunId(runId)) {
    throw notFoundError('RUN_NOT_FOUND', `"${runId}" is not a run id (expected YYYYMMDD-HHMMSS-<command>-<7 hex>).`, { hint: 'dispatch job list shows recorded run ids.', next: listHint });
  }
  const runDir = path.join(outputRoot, runId);
  try {
    await fs.access(path.join(runDir, 'summary.json'));
  } catch {
    throw notFoundError('RUN_NOT_FOUND', `Run ${runId} is not recorded under ${outputRoot}.`, { hint: 'Check the id, or set DISPATCH_RUN_OUTPUT to the folder holding the run.', next: listHint });
  }
  return { runId, runDir };
}

export interface RecordedRun {
  runId: string;
  runDir: string;
  summary: Record<string, unknown>;
  steps: Array<Record<string, unknown>>;
  meta: Record<string, unknown>;
  inputJob: unknown;
  resolvedJob: unknown;
}

/** Reads the artifacts offline commands need. */
export async function readRecordedRun(runId: string, runDir: string): Promise<RecordedRun> {
  const [summary, steps, meta, inputJob, resolvedJob] = await Promise.all([
    readJson(path.join(runDir, 'summary.json')),
    readJsonl(path.join(runDir, 'steps.jsonl')),
    readJson(path.join(runDir, 'meta.json')).catch(() => ({})),
    readJson(path.join(runDir, 'job.case.input.json')).catch(() => undefined),
    readJson(path.join(runDir, 'job.case.resolved.json')).catch(() => undefined),
  ]);
  return { runId, runDir, summary: summary as Record<string, unknown>, steps, meta: meta as Record<string, unknown>, inputJob, resolvedJob };
}

export async function readJson(file: string): Promise<unknown> {
  const text = await fs.readFile(file, 'utf8');
  try {
    return JSON.parse(text);
  } catch (err) {
    throw usageError('RUN_RECORD_CORRUPT', `${file} is not valid JSON: ${(err as Error).message}.`);
  }
}

export async function readJsonl(file: string): Promise<Array<Record<string, unknown>>> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch {
    return [];
  }
  return text
    .split('\n')
    .filter((l) => l.trim())
    .map((l, i) => {
      try {
        return JSON.parse(l) as Record<string, unknown>;
      } catch {
        throw usageError('RUN_RECORD_CORRUPT', `${file} line ${i + 1} is not valid JSON.`);
      }
    });
}
