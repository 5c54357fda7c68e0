import type { OptionsOf } from '../../cli/command-options.js';
import path from 'node:path';
import { usageError } from '../../errors.js';
import type { CommandResult } from '../../output/envelope.js';
import { exportRun } from '../../runs/archive.js';
import { exportBatch } from '../../runs/batch-archive.js';
import { readBatch } from '../../runs/batch.js';
import { resolveRunDir } from '../../runs/store.js';
import { outputRootOf, resolveBase } from '../context.js';

export interface JobExportOptions {
  cwd?: string;
  runId?: string;
  batchId?: string;
  out?: string;
}

/**
 * Offline: packs a run folder into a zip that `job import` restores byte for byte, or a batch
 * (its record and every run it names) into a zip that `job merge` reads, as CI shards hand over.
 */
export async function jobExport(opts: JobExportOptions): Promise<CommandResult> {
  const base = resolveBase(opts);
  if (!opts.out) throw usageError('MISSING_OUT', 'job export needs --out <zip>.', { hint: 'Example: dispatch job export --run-id latest --out run.zip' });
  if (opts.runId !== undefined && opts.batchId !== undefined) {
    throw usageError('BAD_OPTION', 'Pass --run-id or --batch-id, not both.', { hint: '--batch-id packs a batch with all its runs; --run-id one run.' });
  }
  if (opts.runId === undefined && opts.batchId === undefined) {
    throw usageError('MISSING_RUN_ID', 'job export needs --run-id <id> or --batch-id <id>.', { hint: 'Example: dispatch job export --run-id latest --out run.zip' });
  }
  const outputRoot = outputRootOf(base);
  const out = path.resolve(base.cwd, opts.out);
  if (opts.batchId !== undefined) {
    const { batchId, batchPath, record } = await readBatch(outputRoot, opts.batchId);
    const { runs, files, bytes } = await exportBatch(outputRoot, batchPath, record, out);
    return {
      status: 'SUCCESS',
      exitCode: 0,
      data: { batchId, batchPath, out, bytes, runs, files },
      next: [{ command: `dispatch job merge ${opts.out}`, description: "on the machine that gathers the shards, with the other shards' archives after it: one merged batch" }],
      view: (e, c) => `${c.green('exported')} batch ${String(e.batchId)} ${c.dim(`(${runs} run(s), ${files} files, ${bytes} bytes)`)}\n${c.dim('archive:')} ${out}\n`,
    };
  }
  const { runId, runDir } = await resolveRunDir(outputRoot, opts.runId);
  const { files, bytes } = await exportRun(runId, runDir, out);
  return {
    status: 'SUCCESS',
    exitCode: 0,
    data: { runId, runDir, out, bytes, files },
    // No `job import` here: in this environment it would only answer RUN_EXISTS. The archive is
    // for another machine or run output folder, where `dispatch job import --file <zip>` restores it.
    next: [],
    view: (e, c) => `${c.green('exported')} run ${String(e.runId)} ${c.dim(`(${files.length} files, ${bytes} bytes)`)}\n${c.dim('archive:')} ${out}\n`,
  };
}

export default (opts: OptionsOf<'job export'>) => jobExport(opts);
