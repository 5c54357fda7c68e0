import type { OptionsOf } from '../../cli/command-options.js';
import path from 'node:path';
import { usageError } from '../../errors.js';
import type { CommandResult } from '../../output/envelope.js';
import { exportRun } from '../../runs/archive.js';
import { resolveRunDir } from '../../runs/store.js';
import { outputRootOf, resolveBase } from '../context.js';

export interface JobExportOptions {
  cwd?: string;
  runId?: string;
  out?: string;
}

/** Offline: packs a run folder into a zip that `job import` restores byte for byte. */
export async function jobExport(opts: JobExportOptions): Promise<CommandResult> {
  const base = resolveBase(opts);
  if (!opts.out) throw usageError('MISSING_OUT', 'job export needs --out <zip>.', { hint: 'Example: dispatch job export --run-id latest --out run.zip' });
  const { runId, runDir } = await resolveRunDir(outputRootOf(base), opts.runId);
  const out = path.resolve(base.cwd, opts.out);
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
