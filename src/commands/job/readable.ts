import type { OptionsOf } from '../../cli/command-options.js';
import type { CommandResult } from '../../output/envelope.js';
import { readRunDump } from '../../runs/dump.js';
import { renderReadable } from '../../runs/readable.js';
import { resolveRunDir } from '../../runs/store.js';
import { outputRootOf, resolveBase } from '../context.js';

export interface JobReadableOptions {
  cwd?: string;
  runId?: string;
}

/**
 * Offline: the run as Markdown. Human mode prints the Markdown alone (so it can be redirected
 * into a file), which is why next[] stays empty: the narrative ends with its own next steps.
 */
export async function jobReadable(opts: JobReadableOptions): Promise<CommandResult> {
  const base = resolveBase(opts);
  const { runId, runDir } = await resolveRunDir(outputRootOf(base), opts.runId ?? 'latest');
  const dump = await readRunDump(runId, runDir);
  const markdown = renderReadable(dump);
  return {
    status: 'SUCCESS',
    exitCode: 0,
    data: { runId, runDir, jobType: dump.summary.jobType, runStatus: dump.summary.status, markdown },
    next: [],
    view: () => markdown,
  };
}

export default (opts: OptionsOf<'job readable'>) => jobReadable(opts);
