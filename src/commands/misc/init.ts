import fs from 'node:fs/promises';
import path from 'node:path';
import type { OptionsOf } from '../../cli/command-options.js';
import { packageRoot } from '../../agent/skill.js';
import { DispatchError, usageError } from '../../errors.js';
import type { CommandResult } from '../../output/envelope.js';
import { listFilesRecursive } from '../../util/list-files.js';
import { resolveBase } from '../context.js';

/** What `dispatch init` copies from the package: the example jobs, the example module, the env example. */
const EXAMPLES = ['jobs', 'modules/jsonplaceholder', '.envrc.example'];

/**
 * Copies the examples the quick start uses into the working folder, so a user who installed the
 * package where they cannot write (a global install owned by root) can follow it from their own
 * folder. It never replaces a file: when any would be, nothing is written and the clashes are named.
 */
export async function init(opts: { cwd?: string }): Promise<CommandResult> {
  const base = resolveBase(opts);
  const from = packageRoot();
  if (!from) throw new DispatchError({ code: 'PACKAGE_NOT_FOUND', exitCode: 1, message: 'The dispatchkit package folder (with its examples) was not found next to the running CLI.' });
  const files: string[] = [];
  for (const item of EXAMPLES) {
    const src = path.join(from, item);
    const stat = await fs.stat(src).catch(() => undefined);
    if (!stat) continue;
    if (stat.isFile()) files.push(item);
    else for (const f of await listFilesRecursive(src)) files.push(`${item}/${f}`);
  }
  const clashes = [];
  for (const f of files) if (await fs.lstat(path.join(base.cwd, f)).catch(() => undefined)) clashes.push(f);
  if (clashes.length) {
    throw usageError(
      'INIT_EXISTS',
      `dispatch init would replace ${clashes.length} file(s) in ${base.cwd}: ${clashes.slice(0, 5).join(', ')}${clashes.length > 5 ? ', ...' : ''}. Nothing was written.`,
      {
        hint: 'Run it in an empty folder, or move those files away first.',
        details: { clashes },
      },
    );
  }
  for (const f of files) {
    await fs.mkdir(path.dirname(path.join(base.cwd, f)), { recursive: true });
    await fs.copyFile(path.join(from, f), path.join(base.cwd, f), fs.constants.COPYFILE_EXCL);
  }
  return {
    status: 'SUCCESS',
    exitCode: 0,
    data: { cwd: base.cwd, from, files },
    next: [
      { command: 'dispatch job run --case jobs/flow-sleep.job.case.json', description: 'run the offline example job' },
      { command: 'dispatch job cases', description: 'the job files now in this folder' },
      { command: 'dispatch doctor', description: 'check this folder, its modules and the env vars its jobs read' },
    ],
    view: (e, c) => `${c.green('initialised')} ${String(e.cwd)} ${c.dim(`(${files.length} files from ${from})`)}\n${files.map((f) => `  ${f}`).join('\n')}\n`,
  };
}

export default (opts: OptionsOf<'init'>) => init(opts);
