import path from 'node:path';
import { DispatchError, type NextHint } from '../../errors.js';
import type { RunOutcome } from '../../engine/run-job.js';
import type { CommandResult } from '../../output/envelope.js';
import { caseCommand } from '../../output/next-hints.js';
import { jobRunView } from '../../output/renderers.js';

/** The envelope of one recorded run (job run, self-check): status, exit class and next[]. */
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
    return {
      status: 'ERROR',
      exitCode: outcome.recordError.exitCode,
      data: { ...data, runStatus: outcome.status },
      error: outcome.recordError,
      next: [{ command: `dispatch job inspect --run-id ${id}`, description: 'what the partial record kept' }],
      view: jobRunView,
    };
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
    error = new DispatchError({
      ...error.toJSON(),
      exitCode: error.exitCode,
      hint: `Steps that already wrote: ${what}. A re-run sends them again: check what they changed before retrying, or make them idempotent.`,
      details: { ...error.details, wroteBefore: outcome.writes },
    });
    next.push({ command: caseCommand('run', casePath, set), description: `re-run only if repeating ${outcome.writes.length} write(s) is safe: ${what}` });
  } else if (error?.exitCode === 3) next.unshift({ command: caseCommand('run', casePath, set), description: 'retry: the failure was transient' });
  return { status: outcome.status === 'INTERRUPTED' ? 'INTERRUPTED' : 'FAILED', exitCode: outcome.error?.exitCode ?? 1, data, error, next, view: jobRunView };
}
