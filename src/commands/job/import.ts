import type { OptionsOf } from '../../cli/command-options.js';
import path from 'node:path';
import { usageError } from '../../errors.js';
import type { CommandResult } from '../../output/envelope.js';
import { importRun } from '../../runs/archive.js';
import { outputRootOf, resolveBase } from '../context.js';

export interface JobImportOptions {
  cwd?: string;
  file?: string;
}

/** Offline: restores an exported run into the run output folder, refusing anything unsafe. */
export async function jobImport(opts: JobImportOptions): Promise<CommandResult> {
  const base = resolveBase(opts);
  if (!opts.file) throw usageError('MISSING_FILE', 'job import needs --file <zip>.', { hint: 'Example: dispatch job import --file run.zip' });
  const file = path.resolve(base.cwd, opts.file);
  const { runId, runDir, files, summary } = await importRun(file, outputRootOf(base));
  return {
    status: 'SUCCESS',
    exitCode: 0,
    data: { runId, runDir, file, files, jobType: summary.jobType, runStatus: summary.status },
    next: [
      { command: `dispatch job inspect --run-id ${runId}`, description: 'see the imported run' },
      { command: `dispatch job replay --run-id ${runId}`, description: 'reproduce it offline' },
    ],
    view: (e, c) => `${c.green('imported')} run ${String(e.runId)} ${c.dim(`(${files.length} files, ${String(e.jobType ?? '')} ${String(e.runStatus ?? '')})`)}\n${c.dim('record:')} ${runDir}\n`,
  };
}

export default (opts: OptionsOf<'job import'>) => jobImport(opts);
