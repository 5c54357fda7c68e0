import path from 'node:path';
import { toDispatchError } from '../../errors.js';
import { redactor } from '../../output/redact.js';
import { toEnvelope, type CommandResult } from '../../output/envelope.js';
import { readBatch } from '../../runs/batch.js';
import { renderHtml } from '../../runs/html-report.js';
import { renderJunit } from '../../runs/junit.js';
import { writeOutFile } from '../../runs/out-file.js';
import { batchReportModel, runReportModel, type ReportModel } from '../../runs/report-model.js';
import { resolveRunDir } from '../../runs/store.js';
import type { BaseOptions } from '../context.js';
import type { ReportContext, ReportFormat, ReporterSpec, WrittenReport } from './reporters.js';

const EXTENSION: Record<ReportFormat, string> = { junit: 'junit.xml', html: 'html', json: 'json' };

/** The report model of a recorded run or batch (job report and the reporters both read it from disk). */
export async function reportModelOf(base: BaseOptions, outputRoot: string, target: { runId: string } | { batchId: string }): Promise<ReportModel & { recordPath: string }> {
  if ('batchId' in target) {
    const { batchPath, record } = await readBatch(outputRoot, target.batchId);
    return { ...(await batchReportModel(outputRoot, record, base.env)), recordPath: batchPath };
  }
  const { runId, runDir } = await resolveRunDir(outputRoot, target.runId);
  return { ...(await runReportModel(runId, runDir, base.env)), recordPath: runDir };
}

/** junit and html render the model; json is the model itself, as `job report --format json` gives it. */
export function renderReport(format: ReportFormat, model: ReportModel): string {
  if (format === 'junit') return renderJunit(model, redactor);
  if (format === 'html') return renderHtml(model);
  const { recordPath: _omit, ...doc } = model as ReportModel & { recordPath?: string };
  return `${JSON.stringify(doc, null, 2)}\n`;
}

/**
 * Writes the --reporter files of job test, run and run-many once the records are on disk. `json`
 * there is the command's own envelope (what --json prints), so a CI step can log the human output
 * and keep the machine one; junit and html render the recorded run or batch. A report that cannot
 * be written turns a successful result into that error (exit 2), keeping the run's fields, because a CI
 * job that publishes no report must not look green.
 */
export async function writeReports(result: CommandResult, ctx: ReportContext & { target: { runId: string } | { batchId: string } }): Promise<CommandResult> {
  const id = 'runId' in ctx.target ? ctx.target.runId : ctx.target.batchId;
  const reports: WrittenReport[] = [];
  try {
    let model: ReportModel | undefined;
    for (const spec of ctx.specs.filter((s) => s.format !== 'json')) {
      model ??= await reportModelOf(ctx.base, ctx.outputRoot, ctx.target);
      reports.push(await writeReport(ctx, spec, id, renderReport(spec.format, model)));
    }
    for (const spec of ctx.specs.filter((s) => s.format === 'json')) {
      const file = reportPath(ctx, spec, id);
      const withPaths: CommandResult = { ...result, data: { ...result.data, reports: [...reports, { format: 'json', path: file }] } };
      const text = `${JSON.stringify(redactor.redact(toEnvelope(ctx.command, withPaths)), null, 2)}\n`;
      reports.push(await writeReport(ctx, spec, id, text));
    }
  } catch (err) {
    const e = toDispatchError(err);
    // A failed run already fails the command; its error stays the one reported, the report's is beside it.
    if (result.status !== 'SUCCESS') return { ...result, data: { ...result.data, reports, reportError: e.toJSON() } };
    return { ...result, status: 'ERROR', exitCode: e.exitCode, data: { ...result.data, reports }, error: e };
  }
  return { ...result, data: { ...result.data, reports } };
}

function reportPath(ctx: { base: BaseOptions; outputRoot: string }, spec: ReporterSpec, id: string): string {
  return spec.path ? path.resolve(ctx.base.cwd, spec.path) : path.join(ctx.outputRoot, 'reports', `${id}.${EXTENSION[spec.format]}`);
}

async function writeReport(ctx: { base: BaseOptions; outputRoot: string }, spec: ReporterSpec, id: string, text: string): Promise<WrittenReport> {
  const file = reportPath(ctx, spec, id);
  const bytes = await writeOutFile(file, text, { unwritableCode: 'REPORT_UNWRITABLE', what: `the ${spec.format} report`, outputRoot: ctx.outputRoot });
  return { format: spec.format, path: file, bytes };
}
