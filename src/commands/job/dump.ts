import type { OptionsOf } from '../../cli/command-options.js';
import path from 'node:path';
import type { CommandResult } from '../../output/envelope.js';
import { readRunDump } from '../../runs/dump.js';
import { writeOutFile } from '../../runs/out-file.js';
import { resolveRunDir } from '../../runs/store.js';
import { outputRootOf, resolveBase } from '../context.js';

export interface JobDumpOptions {
  cwd?: string;
  runId?: string;
  out?: string;
}

/**
 * Offline: every artifact of a run as one JSON document. Without --out the document's parts sit
 * beside the envelope keys (and human mode prints the document alone, ready to redirect).
 */
export async function jobDump(opts: JobDumpOptions): Promise<CommandResult> {
  const base = resolveBase(opts);
  const { runId, runDir } = await resolveRunDir(outputRootOf(base), opts.runId ?? 'latest');
  const dump = await readRunDump(runId, runDir);
  if (opts.out) {
    const out = path.resolve(base.cwd, opts.out);
    const bytes = await writeOutFile(out, `${JSON.stringify(dump, null, 2)}\n`, { unwritableCode: 'DUMP_UNWRITABLE', what: 'the dump', outputRoot: path.dirname(runDir) });
    return {
      status: 'SUCCESS',
      exitCode: 0,
      data: { runId, runDir, out, bytes },
      next: [{ command: `dispatch job readable --run-id ${runId}`, description: 'read the run as a narrative' }],
      view: (e, c) => `${c.green('wrote')} ${String(e.out)} ${c.dim(`(${e.bytes} bytes, run ${e.runId})`)}\n`,
    };
  }
  return {
    status: 'SUCCESS',
    exitCode: 0,
    data: { runDir, ...dump },
    next: [],
    // From the envelope, which the printer has redacted as data, not from `dump` itself.
    view: (e) => `${JSON.stringify(Object.fromEntries(Object.keys(dump).map((k) => [k, e[k]])), null, 2)}\n`,
  };
}

export default (opts: OptionsOf<'job dump'>) => jobDump(opts);
