import { constants as fsConstants } from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { z } from 'zod';
import { usageError, type DispatchError } from '../errors.js';
import {
  firstProblem,
  HttpRecordSchema,
  MetaSchema,
  ModuleResolutionSchema,
  StepRecordSchema,
  SummarySchema,
  type HttpRecord,
  type ModuleResolution,
  type RunMeta,
  type RunSummary,
  type StepRecord,
} from './artifacts.js';

type Obj = Record<string, unknown>;

/**
 * The files the recorder writes into every run folder, on success, failure and interruption
 * alike (the folder is renamed into place whole). One missing means the record was damaged.
 */
export const RUN_ARTIFACTS = ['summary.json', 'activity.log', 'job.case.input.json', 'job.case.resolved.json', 'meta.json', 'module_resolution.json', 'steps.jsonl', 'http.jsonl'] as const;

/** Every artifact of one run, parsed (what `job dump` prints and every offline command reads). */
export interface RunRecord {
  runId: string;
  summary: RunSummary;
  meta: RunMeta;
  moduleResolution: ModuleResolution;
  /** The job file as read (secrets redacted). */
  inputJob: Obj;
  resolvedJob: Obj;
  steps: StepRecord[];
  http: HttpRecord[];
  /** activity.log, one entry per line. */
  activity: string[];
}

/** A run folder that cannot be trusted: exit 2, naming the file, with a way out. */
export function recordCorrupt(runId: string, file: string, problem: string): DispatchError {
  return usageError('RUN_RECORD_CORRUPT', `Run ${runId} cannot be read: ${file} ${problem}.`, {
    hint: `The run folder was changed after it was recorded. Restore ${path.basename(file)} (for example from a \`dispatch job export\` archive of the run) or run the job again; move the folder away to stop seeing it.`,
    details: { runId, file },
    next: [{ command: 'dispatch job list', description: 'the other recorded runs, and every run folder that cannot be read' }],
  });
}

/**
 * Reads and checks the whole record. Commands that answer questions about a run (assert, inspect,
 * readable, dump, report, replay) all read through here, so a damaged record is one clear error
 * everywhere instead of an empty section in one command and a pass in another.
 */
export interface ReadRecordOptions {
  /**
   * Let steps.jsonl lack some steps that ran (never all of them). Only replay asks for this: it
   * compares step by step and reports such a gap as its own divergence, at the step.
   */
  partialSteps?: boolean;
}

export async function readRunRecord(runId: string, runDir: string, opts: ReadRecordOptions = {}): Promise<RunRecord> {
  const texts = await Promise.all(RUN_ARTIFACTS.map((name) => readArtifact(runId, path.join(runDir, name))));
  const text = (name: (typeof RUN_ARTIFACTS)[number]) => texts[RUN_ARTIFACTS.indexOf(name)];
  const at = (name: string) => path.join(runDir, name);
  const summary = readSummary(runId, at('summary.json'), text('summary.json'));
  // An unfinished run (in progress, or its process died) may end in a cut line; its summary does
  // not list steps yet, so steps.jsonl is all there is.
  const unfinished = isUnfinished(summary);
  const steps = parseLines(runId, at('steps.jsonl'), text('steps.jsonl'), StepRecordSchema, unfinished);
  if (!unfinished) checkStepRecords(runId, at('steps.jsonl'), summary, steps, opts.partialSteps === true);
  // The summary of an unfinished run lists no steps yet: the ones it recorded stand in.
  else summary.steps = steps.map((r) => ({ id: r.id, action: r.action, status: r.status ?? 'FAILED', durationMs: r.durationMs ?? 0, ...(r.error ? { error: r.error } : {}) }));
  const activity = text('activity.log')
    .split('\n')
    .filter((l) => l !== '');
  if (activity.length === 0) throw recordCorrupt(runId, at('activity.log'), 'is empty');
  return {
    runId,
    summary,
    meta: parseArtifact(runId, at('meta.json'), text('meta.json'), MetaSchema),
    moduleResolution: parseArtifact(runId, at('module_resolution.json'), text('module_resolution.json'), ModuleResolutionSchema),
    inputJob: parseObject(runId, at('job.case.input.json'), text('job.case.input.json')),
    resolvedJob: parseObject(runId, at('job.case.resolved.json'), text('job.case.resolved.json')),
    steps,
    http: parseLines(runId, at('http.jsonl'), text('http.jsonl'), HttpRecordSchema, unfinished),
    activity,
  };
}

/**
 * The cheap check `job list` and `latest` make per folder: every artifact present and a readable
 * summary.json. The full check happens when a command reads the run.
 */
export async function probeRun(runId: string, runDir: string): Promise<{ summary: RunSummary } | { error: DispatchError }> {
  try {
    const file = path.join(runDir, 'summary.json');
    const summary = readSummary(runId, file, await readArtifact(runId, file));
    const names = new Set(await fs.readdir(runDir));
    const missing = RUN_ARTIFACTS.find((n) => !names.has(n));
    return missing ? { error: recordCorrupt(runId, path.join(runDir, missing), 'is missing') } : { summary };
  } catch (err) {
    return { error: (err as DispatchError).code === 'RUN_RECORD_CORRUPT' ? (err as DispatchError) : recordCorrupt(runId, runDir, `cannot be read (${(err as Error).message})`) };
  }
}

async function readArtifact(runId: string, file: string): Promise<string> {
  try {
    // O_NOFOLLOW: a record never holds links, and following one would print (dump) or export any
    // file the link points at.
    const handle = await fs.open(file, fsConstants.O_RDONLY | fsConstants.O_NOFOLLOW);
    try {
      return await handle.readFile('utf8');
    } finally {
      await handle.close();
    }
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ELOOP') throw recordCorrupt(runId, file, 'is a symbolic link, which a run record never holds');
    if (code === 'ENOENT') throw recordCorrupt(runId, file, 'is missing');
    if (code === 'EISDIR') throw recordCorrupt(runId, file, 'is a folder, not a file');
    throw err; // permissions and the like: the environment's problem, reported as such
  }
}

function parseObject(runId: string, file: string, text: string): Obj {
  if (text.trim() === '') throw recordCorrupt(runId, file, 'is empty');
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw recordCorrupt(runId, file, `is not valid JSON (${(err as Error).message})`);
  }
  if (!isObject(value)) throw recordCorrupt(runId, file, 'does not hold a JSON object');
  return value;
}

/** summary.json, checked for what every reader needs, with the live status of a RUNNING run. */
function readSummary(runId: string, file: string, text: string): RunSummary {
  const raw = checkSummary(runId, file, parseObject(runId, file, text));
  return withLiveStatus(check(runId, file, SummarySchema, raw));
}

function parseArtifact<S extends z.ZodType>(runId: string, file: string, text: string, schema: S): z.infer<S> {
  return check(runId, file, schema, parseObject(runId, file, text));
}

function check<S extends z.ZodType>(runId: string, file: string, schema: S, value: unknown, line?: number): z.infer<S> {
  const r = schema.safeParse(value);
  if (!r.success) throw recordCorrupt(runId, file, `${line === undefined ? '' : `line ${line} `}does not match its format (${firstProblem(r.error)})`);
  return r.data;
}

function parseLines<S extends z.ZodType>(runId: string, file: string, text: string, schema: S, cutLastLine = false): Array<z.infer<S>> {
  const out: Array<z.infer<S>> = [];
  const lines = text.split('\n');
  lines.forEach((line, i) => {
    if (!line.trim()) return;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      // A process killed mid-write leaves its last line without its newline: not damage.
      if (cutLastLine && i === lines.length - 1) return;
      throw recordCorrupt(runId, file, `line ${i + 1} is not valid JSON`);
    }
    if (!isObject(value)) throw recordCorrupt(runId, file, `line ${i + 1} is not a JSON object`);
    out.push(check(runId, file, schema, value, i + 1));
  });
  return out;
}

function checkSummary(runId: string, file: string, summary: Obj): Obj {
  if (typeof summary.status !== 'string') throw recordCorrupt(runId, file, 'has no run status');
  if (!Array.isArray(summary.steps) || !summary.steps.every((s) => isObject(s) && typeof s.id === 'string')) {
    throw recordCorrupt(runId, file, 'has no list of steps');
  }
  return summary;
}

/** A step the summary says ran has its record in steps.jsonl; an empty or cut file shows up here. */
function checkStepRecords(runId: string, file: string, summary: RunSummary, records: StepRecord[], partial: boolean): void {
  if (partial && records.length > 0) return;
  const recorded = new Set(records.map((r) => r.id));
  for (const s of summary.steps) {
    if (s.status === 'SKIPPED' || recorded.has(s.id)) continue;
    const what = records.length === 0 ? 'is empty' : `has no record of step "${String(s.id)}"`;
    throw recordCorrupt(runId, file, `${what}, but summary.json says step "${String(s.id)}" ran (${String(s.status)})`);
  }
}

/**
 * A summary that still says RUNNING belongs to a run in progress, or to one whose process is gone
 * (killed, crashed, power lost): that one is ABANDONED. Only a process on this host can be checked;
 * a run recorded on another host keeps RUNNING (docs/run-records.md).
 */
function withLiveStatus(summary: RunSummary): RunSummary {
  if (summary.status !== 'RUNNING') return summary;
  const pid = Number(summary.pid);
  const here = summary.host === undefined || summary.host === os.hostname();
  if (!here || !Number.isInteger(pid) || pid <= 0) return summary;
  return processAlive(pid) ? summary : { ...summary, status: 'ABANDONED' };
}

function isUnfinished(summary: RunSummary): boolean {
  return summary.status === 'RUNNING' || summary.status === 'ABANDONED';
}

function processAlive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM'; // alive, someone else's
  }
}

function isObject(v: unknown): v is Obj {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}
