import { usageError } from '../../errors.js';
import type { CommandResult } from '../../output/envelope.js';
import type { BaseOptions } from '../context.js';

/*
 * --reporter: the specs are checked before a command runs anything; the code that builds and
 * renders reports (src/commands/job/report-writer.ts) loads only when a report is asked for, so
 * a plain job run never pays for it.
 */

export const REPORT_FORMATS = ['junit', 'html', 'json'] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

/** `--reporter junit=out/junit.xml`: a format and where to write it (default: under <run output>/reports/). */
export interface ReporterSpec {
  format: ReportFormat;
  path?: string;
}

/** A report that was written. */
export interface WrittenReport {
  format: ReportFormat;
  path: string;
  bytes: number;
}

/** Checked before anything runs, so a typo does not cost a whole suite. */
export function parseReporters(list: string[] | undefined): ReporterSpec[] {
  return (list ?? []).map((text) => {
    const eq = text.indexOf('=');
    const format = (eq < 0 ? text : text.slice(0, eq)).trim().toLowerCase();
    const file = eq < 0 ? undefined : text.slice(eq + 1).trim();
    if (!(REPORT_FORMATS as readonly string[]).includes(format)) {
      throw usageError('BAD_OPTION', `--reporter ${JSON.stringify(text)}: the format must be one of ${REPORT_FORMATS.join(', ')}.`, {
        hint: 'Example: --reporter junit=reports/junit.xml --reporter html',
      });
    }
    if (file === '')
      throw usageError('BAD_OPTION', `--reporter ${JSON.stringify(text)} names no file after "=".`, {
        hint: `Example: --reporter ${format}=reports/${format === 'junit' ? 'junit.xml' : `report.${format}`}`,
      });
    return { format: format as ReportFormat, ...(file ? { path: file } : {}) };
  });
}

/** Context of the reports a command writes once its records are on disk. */
export interface ReportContext {
  base: BaseOptions;
  outputRoot: string;
  /** The command whose envelope the json reporter writes. */
  command: string;
  specs: ReporterSpec[];
  target: { runId: string } | { batchId: string } | undefined;
}

/** The result with the --reporter files written (see report-writer.ts); unchanged when none were asked for. */
export async function withReports(result: CommandResult, ctx: ReportContext): Promise<CommandResult> {
  if (ctx.specs.length === 0 || !ctx.target) return result;
  const { writeReports } = await import('./report-writer.js');
  return writeReports(result, { ...ctx, target: ctx.target });
}
