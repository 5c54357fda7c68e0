import type { OptionsOf } from '../../cli/command-options.js';
import fs from 'node:fs/promises';
import path from 'node:path';
import { DispatchError, isDispatchError, usageError } from '../../errors.js';
import type { RunExtras } from '../../cli/types.js';
import { runJob } from '../../engine/run-job.js';
import { parseJobJson, type LoadedJobFile } from '../../job/load.js';
import { BUILTIN_RUN_NAMES } from '../../job/validate.js';
import type { Colors } from '../../output/colors.js';
import type { CommandResult, Envelope } from '../../output/envelope.js';
import { redactor } from '../../output/redact.js';
import { answerFromRecord, compareRecords, divergedError, type Divergence, type ReplayState } from '../../runs/replay.js';
import { readRunRecord } from '../../runs/record.js';
import { readRecordedRun, resolveRunDir, type RecordedRun } from '../../runs/store.js';
import { CLI_VERSION } from '../../version.js';
import { outputRootOf, resolveBase } from '../context.js';
import { prepareJob } from './prepare.js';
import { ensureWritable } from '../../job/execute.js';

export interface JobReplayOptions {
  cwd?: string;
  runId?: string;
}

type Obj = Record<string, unknown>;

/**
 * Re-runs a recorded run's resolved job with every step answered from its steps.jsonl: no handler
 * runs, so no network, memory or module side effects. The replay is a run of its own
 * (`job-replay` id, meta.replayOf); it succeeds when it reproduces the record, failures included.
 */
export async function jobReplay(opts: JobReplayOptions, x: Pick<RunExtras, 'signal' | 'onEvent' | 'argv'>): Promise<CommandResult> {
  const base = resolveBase(opts);
  const outputRoot = outputRootOf(base);
  const { runId, runDir } = await resolveRunDir(outputRoot, opts.runId);
  // A step missing from steps.jsonl is reported as a divergence at that step, so partial records are let through here.
  const recorded = await readRecordedRun(runId, runDir, { partialSteps: true });
  if (recorded.steps.length === 0 && recorded.summary.status !== 'SUCCESS') {
    throw usageError('REPLAY_NOTHING_RECORDED', `Run ${runId} stopped before its first step, so there is nothing to replay.`, {
      hint: 'Fix what the run error names and run the job again.',
      next: [{ command: `dispatch job inspect --run-id ${runId}`, description: 'see why the run stopped' }],
    });
  }
  const file = await resolvedJobFile(runDir, recorded);
  const { setValues, runValues } = startingValues(recorded);
  const prepared = await prepareJob(base, file.path, { replay: true, file, setNames: Object.keys(setValues) }).catch((err) => {
    throw isDispatchError(err) && err.code === 'JOB_INVALID' ? notReplayable(runId, err) : err;
  });
  await ensureWritable(outputRoot);

  const state: ReplayState = {};
  const stop = new AbortController();
  const interruptedBetweenSteps = recorded.summary.status === 'INTERRUPTED';
  const outcome = await runJob({
    job: prepared.job,
    kind: file.kind,
    casePath: String(recorded.summary.casePath ?? recorded.meta.casePath ?? file.path),
    inputText: file.text,
    registry: prepared.registry,
    env: base.env,
    home: prepared.home,
    outputRoot,
    redactor,
    command: 'job-replay',
    // The recorded payloads already carry the defaults they were sent with.
    defaults: {},
    setValues,
    runValues,
    signal: AbortSignal.any([x.signal, stop.signal]),
    onEvent: x.onEvent,
    answer: answerFromRecord(recorded.steps, state, interruptedBetweenSteps ? () => stop.abort() : undefined),
    meta: { cliVersion: CLI_VERSION, argv: x.argv, cwd: base.cwd, replayOf: runId },
  });

  const data: Obj = {
    runId: outcome.runId,
    runDir: outcome.runDir,
    replayOf: runId,
    jobType: outcome.jobType,
    recordedStatus: recorded.summary.status,
    replayStatus: outcome.status,
    durationMs: outcome.durationMs,
    steps: outcome.steps,
  };
  // Only a replay the signal actually stopped is INTERRUPTED: one that finished just before the
  // signal arrived is recorded as finished, and the envelope must agree with that record.
  if (x.signal.aborted && outcome.status === 'INTERRUPTED') {
    return {
      status: 'INTERRUPTED',
      exitCode: 3,
      data: { ...data, reproduced: false },
      error: outcome.error ?? new DispatchError({ code: 'INTERRUPTED', exitCode: 3, message: 'The replay was interrupted by a signal before it finished.' }),
      next: [{ command: `dispatch job replay --run-id ${runId}`, description: 'replay again; nothing was lost' }],
    };
  }
  // The replay's own record, read like any other (src/runs/artifacts.ts), to compare with the original.
  const replayed = await readRunRecord(outcome.runId, outcome.runDir);
  const divergence = state.divergence ?? compareRecords(recorded, replayed);
  if (!divergence) {
    return {
      status: 'SUCCESS',
      exitCode: 0,
      data: { ...data, reproduced: true },
      view: replayView,
      next: [{ command: `dispatch job inspect --run-id ${outcome.runId}`, description: 'see the replayed run' }],
    };
  }
  const at = divergence.stepId ? ` --step ${divergence.stepId}` : '';
  return {
    status: 'FAILED',
    exitCode: 2,
    data: { ...data, reproduced: false, divergence },
    error: divergedError(divergence),
    view: replayView,
    next: [
      { command: `dispatch job inspect --run-id ${runId}${at}`, description: 'what the original run recorded' },
      { command: `dispatch job inspect --run-id ${outcome.runId}${at}`, description: 'what the replay did' },
    ],
  };
}

function replayView(e: Envelope, c: Colors): string {
  const head = e.reproduced ? c.green(c.bold('REPRODUCED')) : c.red(c.bold('DIVERGED'));
  const lines = [`${head} ${c.bold(String(e.jobType))} ${c.dim(`replay ${String(e.runId)} of ${String(e.replayOf)}`)}`];
  lines.push(`${c.dim('recorded:')} ${String(e.recordedStatus)}  ${c.dim('replayed:')} ${String(e.replayStatus)}  ${c.dim('(answered from the record, no network)')}`);
  const d = e.divergence as Divergence | undefined;
  if (d) lines.push(`${c.dim('first divergence:')} ${d.stepId === null ? 'run' : `step ${d.stepId}`}, ${d.field}`, `  ${c.dim('recorded')} ${d.recorded}`, `  ${c.dim('replayed')} ${d.replayed}`);
  return `${lines.join('\n')}\n`;
}

/** The recorded resolved job, loaded as a job file of the original kind (it is not on disk under a job name). */
async function resolvedJobFile(runDir: string, run: RecordedRun): Promise<LoadedJobFile> {
  const file = path.join(runDir, 'job.case.resolved.json');
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch {
    throw usageError('RUN_RECORD_CORRUPT', `Run ${run.runId} has no job.case.resolved.json, so it cannot be replayed.`, {
      hint: 'Replay needs a complete run folder; export/import keeps every file.',
    });
  }
  const kind = (run.meta.caseKind ?? run.summary.caseKind) === 'seed' ? 'seed' : 'case';
  return { path: file, kind, text, raw: parseJobJson(text, `${run.runId}/job.case.resolved.json`) };
}

/**
 * Run values the original started with: its built-in values (index, batchId) and every value no
 * step captured (inputs and --set values), so the replay's final run values can be compared whole.
 */
function startingValues(run: RecordedRun): { setValues: Obj; runValues: Obj } {
  const captured = new Set<string>();
  const steps = (run.resolvedJob as { scenario?: { steps?: Array<{ capture?: Obj }> } } | undefined)?.scenario?.steps ?? [];
  for (const s of steps) for (const name of Object.keys(s?.capture ?? {})) captured.add(name);
  const setValues: Obj = {};
  const runValues: Obj = {};
  for (const [k, v] of Object.entries(run.summary.run ?? {})) {
    if (BUILTIN_RUN_NAMES.includes(k)) runValues[k] = v;
    else if (!captured.has(k)) Object.defineProperty(setValues, k, { value: v, enumerable: true, writable: true, configurable: true });
  }
  return { setValues, runValues };
}

function notReplayable(runId: string, err: DispatchError): DispatchError {
  return new DispatchError({
    code: 'REPLAY_JOB_INVALID',
    exitCode: err.exitCode,
    message: `The recorded job of run ${runId} does not validate against the modules installed now: ${err.message.replace(/^.*? is invalid: /, '')}`,
    hint: 'Replay never calls handlers, but it checks every action and payload; install the modules the run used (see its module_resolution.json).',
    details: err.details,
    next: [{ command: `dispatch job inspect --run-id ${runId}`, description: 'see the recorded run' }],
  });
}

export default (opts: OptionsOf<'job replay'>, x: RunExtras) => jobReplay(opts, x);
