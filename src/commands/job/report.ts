import type { OptionsOf } from '../../cli/command-options.js';
import { registerJobSecrets } from '../../job/register-secrets.js';
import fs from 'node:fs/promises';
import path from 'node:path';
import { isDispatchError, usageError, type NextHint } from '../../errors.js';
import type { CommandResult } from '../../output/envelope.js';
import { redactor } from '../../output/redact.js';
import { readBatch } from '../../runs/batch.js';
import { renderJunit, suiteFromRun, totalsOf, unrecordedSuite, type JunitSuite } from '../../runs/junit.js';
import { writeOutFile } from '../../runs/out-file.js';
import { readRunRecord, type RunRecord } from '../../runs/record.js';
import { resolveRunDir } from '../../runs/store.js';
import { outputRootOf, resolveBase, type BaseOptions } from '../context.js';

export interface JobReportOptions {
  cwd?: string;
  runId?: string;
  batchId?: string;
  format?: string;
  out?: string;
}

type Obj = Record<string, unknown>;
const FORMATS = ['junit'];

/**
 * Offline: a recorded run (or every run of a batch) as a JUnit XML report for CI. The command
 * succeeds when it can write the report; the verdict is in the counts, so a pipeline can publish
 * the report of a failed run.
 */
export async function jobReport(opts: JobReportOptions): Promise<CommandResult> {
  const format = (opts.format ?? 'junit').toLowerCase();
  if (!FORMATS.includes(format)) {
    throw usageError('BAD_OPTION', `--format must be one of ${FORMATS.join(', ')}, not "${opts.format}".`, { hint: 'Example: dispatch job report --run-id latest --format junit' });
  }
  if (opts.runId !== undefined && opts.batchId !== undefined) {
    throw usageError('BAD_OPTION', 'Pass --run-id or --batch-id, not both.', { hint: '--batch-id reports every run of a batch; --run-id one run.' });
  }
  const base = resolveBase(opts);
  const outputRoot = outputRootOf(base);
  // An empty --batch-id is an error (as an empty --run-id is), not a quiet fallback to the latest run.
  const built = opts.batchId !== undefined ? await batchReport(base, outputRoot, opts.batchId) : await runReport(base, outputRoot, opts.runId ?? 'latest');
  const xml = renderJunit(built.name, built.suites, built.durationMs, redactor);
  const totals = totalsOf(built.suites);
  const data: Obj = { format, ...built.ids, ...totals };
  const next = nextHints(built.suites, built.ids);
  if (opts.out) {
    const out = path.resolve(base.cwd, opts.out);
    const bytes = await writeOutFile(out, xml, { unwritableCode: 'REPORT_UNWRITABLE', what: 'the report', outputRoot });
    return {
      status: 'SUCCESS',
      exitCode: 0,
      data: { ...data, out, bytes },
      next,
      view: (e, c) => `${c.green('wrote')} ${String(e.out)} ${c.dim(`(${e.tests} test(s): ${e.failures} failure(s), ${e.errors} error(s), ${e.skipped} skipped)`)}\n`,
    };
  }
  // Human mode prints the XML alone so it can be redirected into a file (hence no next[] either).
  return { status: 'SUCCESS', exitCode: 0, data: { ...data, xml }, next: [], view: () => xml };
}

interface Built {
  name: string;
  suites: JunitSuite[];
  durationMs: number;
  ids: Obj;
}

async function runReport(base: BaseOptions, outputRoot: string, which: string): Promise<Built> {
  const { runId, runDir } = await resolveRunDir(outputRoot, which);
  const suite = recordedSuite(base, await readRunRecord(runId, runDir), undefined);
  return { name: `dispatch ${suite.name}`, suites: [suite], durationMs: suite.durationMs, ids: { runId, runDir } };
}

async function batchReport(base: BaseOptions, outputRoot: string, which: string): Promise<Built> {
  const { batchId, batchPath, record } = await readBatch(outputRoot, which);
  const suites: JunitSuite[] = [];
  for (const r of record.runs ?? []) {
    const name = `${record.jobType} #${r.index}`;
    const props = { batchId, batchIndex: String(r.index), ...(r.runId ? { runId: r.runId } : {}) };
    if (!r.runId) {
      suites.push(unrecordedSuite(name, r.error, props));
      continue;
    }
    const runDir = path.join(outputRoot, r.runId);
    // One damaged or missing run does not hide the others: it becomes an <error> case naming why.
    const recorded = await fs.stat(runDir).then(
      (st) => st.isDirectory(),
      () => false,
    );
    const run = recorded
      ? await readRunRecord(r.runId, runDir).catch((err: unknown) => (isDispatchError(err) && err.code === 'RUN_RECORD_CORRUPT' ? { code: err.code, message: err.message } : Promise.reject(err)))
      : { code: 'RUN_NOT_FOUND', message: `Run ${r.runId} is not recorded under ${outputRoot}.` };
    suites.push('summary' in run ? recordedSuite(base, run, { name, batchId, index: r.index }) : unrecordedSuite(name, run, props));
  }
  return { name: `dispatch batch ${batchId}`, suites, durationMs: Number(record.durationMs) || 0, ids: { batchId, batchPath } };
}

function recordedSuite(base: BaseOptions, run: RunRecord, batch: { name: string; batchId: string; index: number } | undefined): JunitSuite {
  // The artifacts were redacted when written; the secrets this process can see are registered
  // again, so one that slipped into an older record still never reaches CI, and the job's names
  // are protected so the report keeps them.
  registerJobSecrets(run.inputJob, base.env);
  const summary = redactor.redact(run.summary);
  const name = batch?.name ?? String(summary.jobType ?? run.runId);
  const props: Record<string, string> = { runId: run.runId, runStatus: String(summary.status) };
  if (typeof summary.casePath === 'string') props.casePath = summary.casePath;
  if (batch) Object.assign(props, { batchId: batch.batchId, batchIndex: String(batch.index) });
  props.inspect = `dispatch job inspect --run-id ${run.runId}`;
  return suiteFromRun(summary, name, props);
}

function nextHints(suites: JunitSuite[], ids: Obj): NextHint[] {
  const failed = suites.find((s) => s.cases.some((c) => c.outcome === 'failure' || c.outcome === 'error'))?.properties.runId;
  if (failed) return [{ command: `dispatch job inspect --run-id ${failed}`, description: 'what the first failing run sent and received' }];
  if (ids.batchId) return [{ command: `dispatch job batch-inspect --batch-id ${String(ids.batchId)}`, description: 'the batch with its counts and durations' }];
  return [{ command: `dispatch job assert --run-id ${String(ids.runId)}`, description: 'check the job assertions on the run' }];
}

export default (opts: OptionsOf<'job report'>) => jobReport(opts);
