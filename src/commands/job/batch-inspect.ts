import type { OptionsOf } from '../../cli/command-options.js';
import type { NextHint } from '../../errors.js';
import type { Colors } from '../../output/colors.js';
import type { CommandResult, Envelope } from '../../output/envelope.js';
import { ms, reportLines, statusWord, warningLines } from '../../output/human.js';
import { readBatch, type BatchRecord, type BatchRun } from '../../runs/batch.js';
import { outputRootOf, resolveBase } from '../context.js';

export interface BatchInspectOptions {
  cwd?: string;
  batchId?: string;
}

/** Reads a batch record; the command succeeds when it can read it, the batch's verdict is in `outcome`. */
export async function jobBatchInspect(opts: BatchInspectOptions): Promise<CommandResult> {
  const base = resolveBase(opts);
  const { batchId, batchPath, record } = await readBatch(outputRootOf(base), opts.batchId);
  const next: NextHint[] = [];
  const failed = (record.runs ?? []).find((r) => r.status !== 'SUCCESS' && r.runId)?.runId;
  if (failed) next.push({ command: `dispatch job inspect --run-id ${failed}`, description: 'what the first failed run sent and received' });
  const first = record.runIds?.[0];
  if (first && !failed) next.push({ command: `dispatch job assert --run-id ${first}`, description: 'verify a run of the batch offline' });
  next.push({ command: 'dispatch job list', description: 'recorded runs, newest first' });
  return { status: 'SUCCESS', exitCode: 0, data: { ...record, batchId, batchPath }, next, view: batchView };
}

const SHOWN_FAILURES = 10;

/** Human view shared by run-many (status on the envelope) and batch-inspect (status in `outcome`). */
export function batchView(e: Envelope, c: Colors): string {
  const r = e as unknown as Partial<BatchRecord> & Envelope & { batchPath?: string; failures?: BatchRun[] };
  const status = r.outcome?.status ?? e.status;
  const counts = r.counts ?? { SUCCESS: 0, FAILED: 0, INTERRUPTED: 0 };
  const lines = [`${statusWord(status, c)} ${c.bold(`batch ${r.batchId ?? ''}`)} ${c.dim(`${r.jobType ?? ''}, ${r.count ?? 0} run(s) at concurrency ${r.concurrency ?? 0} in ${ms(r.durationMs)}`)}`];
  const tally = [c.green(`✓ ${counts.SUCCESS} succeeded`)];
  if (counts.FAILED) tally.push(c.red(`✗ ${counts.FAILED} failed`));
  if (counts.INTERRUPTED) tally.push(c.yellow(`! ${counts.INTERRUPTED} interrupted`));
  if (r.notStarted) tally.push(c.dim(`- ${r.notStarted} not started`));
  lines.push(`  ${tally.join('  ')}`);
  const d = r.durations;
  if (d) lines.push(`  ${c.dim('durations')} p50 ${ms(d.p50)}  p95 ${ms(d.p95)}  ${c.dim(`(min ${ms(d.min)}, max ${ms(d.max)})`)}`);
  lines.push(...warningLines(e.warnings, c));
  const failures = r.failures ?? (r.runs ?? []).filter((x) => x.status !== 'SUCCESS');
  for (const f of failures.slice(0, SHOWN_FAILURES)) {
    const why = f.error ? c.red(`${f.error.code}: ${f.error.message}`) : f.status;
    lines.push(`  ${c.red('✗')} #${f.index} ${c.dim(f.runId ?? '(not recorded)')} ${why}`);
  }
  const unshown = counts.FAILED + counts.INTERRUPTED - Math.min(failures.length, SHOWN_FAILURES);
  if (unshown > 0) lines.push(c.dim(`  … ${unshown} more`));
  if (r.batchPath) lines.push(`${c.dim('record:')} ${r.batchPath}`);
  lines.push(...reportLines(e.reports, c));
  return lines.join('\n') + '\n';
}

export default (opts: OptionsOf<'job batch-inspect'>) => jobBatchInspect(opts);
