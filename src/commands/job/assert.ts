import type { OptionsOf } from '../../cli/command-options.js';
import { DispatchError, toDispatchError, usageError, type NextHint } from '../../errors.js';
import type { Colors } from '../../output/colors.js';
import { readBatch } from '../../runs/batch.js';
import type { CommandResult } from '../../output/envelope.js';
import { assertRun } from '../../runs/assert.js';
import { readRecordedRun, resolveRunDir } from '../../runs/store.js';
import { outputRootOf, resolveBase } from '../context.js';
import { jobAssertView } from '../../output/renderers.js';

export interface JobAssertOptions {
  cwd?: string;
  runId?: string;
  batchId?: string;
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
  if (opts.batchId !== undefined) {
    if (opts.runId !== undefined) throw usageError('BAD_OPTION', 'Give --run-id or --batch-id, not both.', { hint: 'dispatch job assert --batch-id latest asserts every run of the newest batch.' });
    return assertBatch(outputRootOf(base), opts.batchId, expected);
  }
  const { runId, runDir } = await resolveRunDir(outputRootOf(base), opts.runId ?? 'latest');
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
  return assertionFailed(
    data,
    `${data.failed} assertion(s) did not hold; first: ${firstFail.message}.`,
    'Inspect the run to see what came back, then fix the job or the service.',
    [inspect],
    jobAssertView,
  );
}

/** The FAILED result of a gate that did not hold, for one run or a batch alike. */
function assertionFailed(data: Record<string, unknown>, message: string, hint: string, next: NextHint[], view: CommandResult['view']): CommandResult {
  return { status: 'FAILED', exitCode: 2, data, error: new DispatchError({ code: 'ASSERTION_FAILED', exitCode: 2, message, hint }), next, view };
}

export default (opts: OptionsOf<'job assert'>) => jobAssert(opts);

/** One run of a batch as `job assert --batch-id` reports it. */
interface BatchRunAssert {
  index: number;
  runId: string | null;
  actualStatus?: string;
  passed: number;
  failed: number;
  /** Why the run could not be asserted (no record, a damaged one): it counts as failed. */
  error?: { code: string; message: string };
  /** The rules that did not hold. */
  failures?: Array<{ path: string; op: string; message: string }>;
}

/**
 * Every run of a batch against its job's assertions and the expected status: a CI gate over a
 * run-many (or a suite) in one command. It passes only when every run passes; a run without a
 * record, or with a damaged one, fails the gate (it never passes for having less to check).
 */
async function assertBatch(outputRoot: string, which: string, expected: string): Promise<CommandResult> {
  const { batchId, batchPath, record } = await readBatch(outputRoot, which);
  const runs: BatchRunAssert[] = [];
  for (const r of record.runs) {
    if (!r.runId) {
      runs.push({ index: r.index, runId: null, passed: 0, failed: 1, error: r.error ?? { code: 'RUN_NOT_RECORDED', message: 'The run left no record.' } });
      continue;
    }
    try {
      const { runDir } = await resolveRunDir(outputRoot, r.runId);
      const outcome = assertRun(await readRecordedRun(r.runId, runDir), expected);
      const failedRules = outcome.results.filter((x) => !x.pass);
      runs.push({
        index: r.index,
        runId: r.runId,
        actualStatus: outcome.actualStatus,
        passed: outcome.results.length - failedRules.length,
        failed: failedRules.length,
        ...(failedRules.length ? { failures: failedRules.map((x) => ({ path: x.path, op: x.op, message: x.message })) } : {}),
      });
    } catch (err) {
      const e = toDispatchError(err);
      runs.push({ index: r.index, runId: r.runId, passed: 0, failed: 1, error: { code: e.code, message: e.message } });
    }
  }
  const failedRuns = runs.filter((r) => r.failed > 0);
  const data = {
    batchId,
    batchPath,
    jobType: record.jobType,
    expectedStatus: expected,
    runs,
    passedRuns: runs.length - failedRuns.length,
    failedRuns: failedRuns.length,
    notStarted: record.notStarted,
  };
  if (failedRuns.length === 0 && record.notStarted === 0) {
    return { status: 'SUCCESS', exitCode: 0, data, view: batchAssertView, next: [{ command: `dispatch job batch-inspect --batch-id ${batchId}`, description: 'the batch: counts and durations' }] };
  }
  const first = failedRuns[0];
  const why = first ? (first.error ? `${first.error.code}: ${first.error.message}` : (first.failures?.[0]?.message ?? 'assertions did not hold')) : `${record.notStarted} run(s) never started`;
  const message = `${failedRuns.length} of ${runs.length} run(s) of batch ${batchId} failed their assertions${record.notStarted ? ` and ${record.notStarted} never started` : ''}; first: ${first ? `run ${first.runId ?? `#${first.index}`}: ${why}` : why}.`;
  const next = first?.runId
    ? [{ command: `dispatch job assert --run-id ${first.runId}`, description: 'the failing run, rule by rule' }]
    : [{ command: `dispatch job batch-inspect --batch-id ${batchId}`, description: 'the batch and its failures' }];
  return assertionFailed(data, message, 'Inspect a failing run to see what came back.', next, batchAssertView);
}

function batchAssertView(e: Record<string, unknown>, c: Colors): string {
  const runs = (e.runs ?? []) as BatchRunAssert[];
  const lines = runs.map((r) => {
    const mark = r.failed ? c.red('✗') : c.green('✓');
    const what = r.error ? `${r.error.code}: ${r.error.message}` : `${r.passed} held${r.failed ? `, ${r.failed} did not` : ''}`;
    return `  ${mark} #${r.index} ${r.runId ?? '(no record)'} ${c.dim(what)}`;
  });
  return `${c.bold(`batch ${String(e.batchId)}`)} ${c.dim(`${String(e.passedRuns)} passed, ${String(e.failedRuns)} failed`)}\n${lines.join('\n')}\n`;
}
