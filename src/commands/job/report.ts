import type { OptionsOf } from '../../cli/command-options.js';
import path from 'node:path';
import { usageError, type NextHint } from '../../errors.js';
import type { CommandResult } from '../../output/envelope.js';
import { junitTotals } from '../../runs/junit.js';
import { writeOutFile } from '../../runs/out-file.js';
import type { ReportModel } from '../../runs/report-model.js';
import { outputRootOf, resolveBase } from '../context.js';
import { REPORT_FORMATS, type ReportFormat } from './reporters.js';
import { renderReport, reportModelOf } from './report-writer.js';

export interface JobReportOptions {
  cwd?: string;
  runId?: string;
  batchId?: string;
  format?: string;
  out?: string;
}

type Obj = Record<string, unknown>;

/**
 * Offline: a recorded run, run-many batch or job test suite as a JUnit XML, HTML or JSON report.
 * The command succeeds when it can write the report; the verdict is in the counts (`passed`), so
 * a pipeline can publish the report of a failed run.
 */
export async function jobReport(opts: JobReportOptions): Promise<CommandResult> {
  const format = (opts.format ?? 'junit').toLowerCase() as ReportFormat;
  if (!REPORT_FORMATS.includes(format)) {
    throw usageError('BAD_OPTION', `--format must be one of ${REPORT_FORMATS.join(', ')}, not "${opts.format}".`, {
      hint: 'Example: dispatch job report --run-id latest --format html --out report.html',
    });
  }
  if (opts.runId !== undefined && opts.batchId !== undefined) {
    throw usageError('BAD_OPTION', 'Pass --run-id or --batch-id, not both.', { hint: '--batch-id reports every run of a batch or suite; --run-id one run.' });
  }
  const base = resolveBase(opts);
  const outputRoot = outputRootOf(base);
  // An empty --batch-id is an error (as an empty --run-id is), not a quiet fallback to the latest run.
  const model = await reportModelOf(base, outputRoot, opts.batchId !== undefined ? { batchId: opts.batchId } : { runId: opts.runId ?? 'latest' });
  const text = renderReport(format, model);
  const ids: Obj = model.kind === 'run' ? { runId: model.id, runDir: model.recordPath } : { batchId: model.id, batchPath: model.recordPath };
  const data: Obj = { format, kind: model.kind, ...ids, passed: model.passed, totals: model.totals, ...(format === 'junit' ? junitTotals(model) : {}) };
  const next = nextHints(model);
  if (opts.out) {
    const out = path.resolve(base.cwd, opts.out);
    const bytes = await writeOutFile(out, text, { unwritableCode: 'REPORT_UNWRITABLE', what: 'the report', outputRoot });
    return {
      status: 'SUCCESS',
      exitCode: 0,
      data: { ...data, out, bytes },
      next,
      view: (e, c) => {
        const t = e.totals as ReportModel['totals'];
        return `${c.green('wrote')} ${String(e.out)} ${c.dim(`(${t.cases} case(s): ${t.failedCases} failed; ${t.failedAssertions} of ${t.assertions} assertion(s) did not hold)`)}\n`;
      },
    };
  }
  // Human mode prints the report alone so it can be redirected into a file (hence no next[] either).
  const field = format === 'junit' ? 'xml' : format === 'html' ? 'html' : 'report';
  return { status: 'SUCCESS', exitCode: 0, data: { ...data, [field]: format === 'json' ? JSON.parse(text) : text }, next: [], view: () => text };
}

function nextHints(model: ReportModel): NextHint[] {
  const failed = model.cases.find((c) => !c.passed && c.runId)?.runId;
  if (failed) return [{ command: `dispatch job inspect --run-id ${failed}`, description: 'what the first failing run sent and received' }];
  if (model.kind !== 'run') return [{ command: `dispatch job batch-inspect --batch-id ${model.id}`, description: 'the batch with its counts and durations' }];
  return [{ command: `dispatch job assert --run-id ${model.id}`, description: 'check the job assertions on the run' }];
}

export default (opts: OptionsOf<'job report'>) => jobReport(opts);
