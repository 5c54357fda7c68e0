import { caseCommand } from '../../output/next-hints.js';
import fs from 'node:fs/promises';
import path from 'node:path';
import { DispatchError, usageError, type NextHint } from '../../errors.js';
import type { RunEventListener } from '../../engine/events.js';
import { runJob, type RunOutcome } from '../../engine/run-job.js';
import type { CommandResult } from '../../output/envelope.js';
import type { RunExtras } from '../../cli/types.js';
import { redactor } from '../../output/redact.js';
import { CLI_VERSION } from '../../version.js';
import { outputRootOf, resolveBase, type BaseOptions } from '../context.js';
import { parseSetValues, prepareJob, type PreparedJob } from './prepare.js';
import { ensureMemoryDeps } from './deps.js';
import { jobRunView } from '../../output/renderers.js';

export interface JobRunOptions {
  cwd?: string;
  case: string;
  set?: string[];
  resolveDeps?: boolean;
  signal?: AbortSignal;
  onEvent?: RunEventListener;
  argv?: string[];
}

export async function jobRun(opts: JobRunOptions): Promise<CommandResult> {
  const base = resolveBase(opts);
  const setValues = parseSetValues(opts.set);
  const prepared = await prepareJob(base, opts.case, { setNames: Object.keys(setValues) });
  const outputRoot = outputRootOf(base);
  await ensureWritable(outputRoot);
  const deps = await ensureMemoryDeps(base, prepared, { casePath: opts.case, resolve: opts.resolveDeps, set: opts.set, outputRoot, signal: opts.signal, onEvent: opts.onEvent, argv: opts.argv });
  if ('result' in deps) return deps.result;
  const fills = deps.fills.length ? { fills: deps.fills } : undefined;
  const outcome = await executePrepared(base, prepared, { casePath: opts.case, setValues, signal: opts.signal, onEvent: opts.onEvent, argv: opts.argv, outputRoot, meta: fills });
  const result = runResult(outcome, opts.case, outputRoot, opts.set);
  // What job validate would warn about (an unused --set name, run.batchId outside run-many...)
  // matters just as much when the job is run directly.
  const warnings = prepared.validation.warnings;
  return { ...result, data: { ...result.data, ...(warnings.length ? { warnings } : {}), ...fills } };
}

export interface ExecuteOptions {
  casePath: string;
  outputRoot: string;
  setValues?: Record<string, unknown>;
  runValues?: Record<string, unknown>;
  signal?: AbortSignal;
  onEvent?: RunEventListener;
  argv?: string[];
  meta?: Record<string, unknown>;
  /** Run id command segment (job-run when absent). */
  command?: string;
}

export function executePrepared(base: BaseOptions, p: PreparedJob, o: ExecuteOptions): Promise<RunOutcome> {
  return runJob({
    job: p.job,
    kind: p.file.kind,
    casePath: path.relative(base.cwd, p.file.path) || p.file.path,
    inputText: p.file.text,
    registry: p.registry,
    env: base.env,
    home: p.home,
    outputRoot: o.outputRoot,
    redactor,
    http: p.validation.http,
    defaults: p.defaults,
    setValues: o.setValues,
    runValues: o.runValues,
    signal: o.signal,
    onEvent: o.onEvent,
    meta: { cliVersion: CLI_VERSION, argv: o.argv ?? [], cwd: base.cwd, ...o.meta },
    command: o.command,
  });
}

export function runResult(outcome: RunOutcome, casePath: string, outputRoot: string, set?: string[]): CommandResult {
  const data = {
    jobType: outcome.jobType,
    runId: outcome.runId,
    runDir: outcome.runDir,
    moduleResolutionPath: path.join(outcome.runDir, 'module_resolution.json'),
    summaryPath: path.join(outcome.runDir, 'summary.json'),
    durationMs: outcome.durationMs,
    steps: outcome.steps,
    run: outcome.run,
  };
  void outputRoot;
  const id = outcome.runId;
  if (outcome.recordError) {
    // The steps ran (and may have written to an API): say which, and that the record is partial.
    return { status: 'ERROR', exitCode: outcome.recordError.exitCode, data: { ...data, runStatus: outcome.status }, error: outcome.recordError, next: [{ command: `dispatch job inspect --run-id ${id}`, description: 'what the partial record kept' }], view: jobRunView };
  }
  if (outcome.status === 'SUCCESS') {
    return { status: 'SUCCESS', exitCode: 0, data, view: jobRunView, next: [{ command: `dispatch job assert --run-id ${id}`, description: 'verify outcomes offline' }] };
  }
  const next: NextHint[] = [
    { command: `dispatch job inspect --run-id ${id}`, description: 'see what each step sent and received' },
    { command: `dispatch job readable --run-id ${id}`, description: 'read the run as a narrative' },
  ];
  let error = outcome.error;
  if (error?.exitCode === 3 && outcome.writes?.length) {
    // The failure itself is transient, but steps before it changed things: a re-run repeats them.
    const what = [...new Set(outcome.writes.map((w) => `${w.stepId} (${w.method}${w.url ? ` ${w.url}` : ''})`))].join(', ');
    error = new DispatchError({ ...error.toJSON(), exitCode: error.exitCode, hint: `Steps that already wrote: ${what}. A re-run sends them again: check what they changed before retrying, or make them idempotent.`, details: { ...error.details, wroteBefore: outcome.writes } });
    next.push({ command: caseCommand('run', casePath, set), description: `re-run only if repeating ${outcome.writes.length} write(s) is safe: ${what}` });
  } else if (error?.exitCode === 3) next.unshift({ command: caseCommand('run', casePath, set), description: 'retry: the failure was transient' });
  return { status: outcome.status === 'INTERRUPTED' ? 'INTERRUPTED' : 'FAILED', exitCode: outcome.error?.exitCode ?? 1, data, error, next, view: jobRunView };
}

/** Fails before any step runs when the run record could not be written. */
export async function ensureWritable(dir: string): Promise<void> {
  try {
    await fs.mkdir(dir, { recursive: true });
    await fs.access(dir, fs.constants.W_OK);
  } catch (err) {
    throw usageError('RUN_OUTPUT_UNWRITABLE', `The run output folder ${dir} is not writable (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}).`, {
      hint: 'Make it writable, or set DISPATCH_RUN_OUTPUT to a writable folder.',
    });
  }
}

export default (opts: Record<string, unknown>, x: RunExtras) => jobRun({ ...(opts as unknown as JobRunOptions), signal: x.signal, onEvent: x.onEvent, argv: x.argv });
