import type { OptionsOf } from '../../cli/command-options.js';
import { DispatchError, usageError } from '../../errors.js';
import type { CommandResult } from '../../output/envelope.js';
import { assertRun } from '../../runs/assert.js';
import { readRecordedRun, resolveRunDir } from '../../runs/store.js';
import { outputRootOf, resolveBase } from '../context.js';
import { jobAssertView } from '../../output/renderers.js';

export interface JobAssertOptions {
  cwd?: string;
  runId?: string;
  expectStatus?: string;
}

const STATUSES = ['SUCCESS', 'FAILED', 'INTERRUPTED'];

/** Offline: evaluates the recorded job's assertions against the run's artifacts. */
export async function jobAssert(opts: JobAssertOptions): Promise<CommandResult> {
  const base = resolveBase(opts);
  const expected = (opts.expectStatus ?? 'SUCCESS').toUpperCase();
  if (!STATUSES.includes(expected)) {
    throw usageError('BAD_OPTION', `--expect-status must be one of ${STATUSES.join(', ')}, not "${opts.expectStatus}".`, {
      hint: 'Example: dispatch job assert --run-id latest --expect-status FAILED',
    });
  }
  const { runId, runDir } = await resolveRunDir(outputRootOf(base), opts.runId);
  // A record that is damaged (a job file missing, a rule that does not parse) is RUN_RECORD_CORRUPT:
  // a gate must never pass because there was less to check.
  const run = await readRecordedRun(runId, runDir);
  const outcome = assertRun(run, expected);
  const data = {
    runId,
    runDir,
    jobType: run.summary.jobType,
    expectedStatus: expected,
    actualStatus: outcome.actualStatus,
    passed: outcome.results.filter((r) => r.pass).length,
    failed: outcome.results.filter((r) => !r.pass).length,
    results: outcome.results,
  };
  const inspect = { command: `dispatch job inspect --run-id ${runId}`, description: 'see each step and its response' };
  if (outcome.pass) return { status: 'SUCCESS', exitCode: 0, data, view: jobAssertView, next: [{ command: `dispatch job readable --run-id ${runId}`, description: 'read the run as a narrative' }] };
  const firstFail = outcome.results.find((r) => !r.pass)!;
  return {
    status: 'FAILED',
    exitCode: 2,
    data,
    error: new DispatchError({
      code: 'ASSERTION_FAILED',
      exitCode: 2,
      message: `${data.failed} assertion(s) did not hold; first: ${firstFail.message}.`,
      hint: 'Inspect the run to see what came back, then fix the job or the service.',
    }),
    next: [inspect],
    view: jobAssertView,
  };
}

export default (opts: OptionsOf<'job assert'>) => jobAssert(opts);
