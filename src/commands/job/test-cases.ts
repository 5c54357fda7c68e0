import fs from 'node:fs/promises';
import path from 'node:path';
import { notFoundError, usageError } from '../../errors.js';
import { jobKindOf } from '../../job/load.js';
import { displayPath } from '../../runs/cases.js';
import { byString } from '../../util/compare.js';
import { listFilesRecursive } from '../../util/list-files.js';
import type { BaseOptions } from '../context.js';

/** Folders a search never enters: dependencies and version control hold no job of this project. */
const SKIPPED_DIRS = ['node_modules', '.git'];

/**
 * The job files `job test` runs, each once, sorted by path (the order shards slice). An argument is
 * a job file (a case or a seed, as named), a folder (every *.job.case.json under it: seeds are
 * templates that need inputs, so a folder search leaves them out) or a glob, quoted so the shell
 * leaves it alone (`'jobs/**\/*smoke*'`). No argument: the project's jobs/ folder.
 */
export async function findTestCases(base: BaseOptions, args: string[] | undefined): Promise<string[]> {
  const given = args?.length ? args : [path.join(base.root, 'jobs')];
  const found = new Map<string, string>();
  for (const arg of given) {
    for (const abs of await casesOf(base, arg, !args?.length)) found.set(abs, displayPath(base.cwd, abs));
  }
  return [...found.values()].sort(byString);
}

async function casesOf(base: BaseOptions, arg: string, isDefault: boolean): Promise<string[]> {
  if (arg.trim() === '') throw usageError('BAD_OPTION', 'An empty path was given to job test.', { hint: 'Pass job files, folders or quoted globs, or nothing to run ./jobs.' });
  const abs = path.resolve(base.cwd, arg);
  const stat = await fs.stat(abs).catch(() => undefined);
  if (stat?.isDirectory()) {
    const files = (await listFilesRecursive(abs).catch(() => [] as string[])).filter((rel) => !rel.split('/').some((seg) => SKIPPED_DIRS.includes(seg)));
    const cases = files.filter((rel) => jobKindOf(rel) === 'case').map((rel) => path.join(abs, rel));
    if (cases.length === 0) {
      throw notFoundError('NO_JOB_CASES', `No job cases (*.job.case.json) under ${isDefault ? `the project's jobs folder ${abs}` : arg}.`, {
        hint: 'Pass job files, folders or quoted globs, for example: dispatch job test jobs/smoke',
        next: [{ command: 'dispatch job cases', description: 'the job files this project has' }],
      });
    }
    return cases;
  }
  if (stat?.isFile()) {
    if (!jobKindOf(abs)) {
      throw usageError('NOT_A_JOB_FILE', `${arg} is not a job file: job test runs *.job.case.json and *.job.seed.json files.`, {
        hint: 'Rename it to <name>.job.case.json, or pass the folder holding the job files.',
      });
    }
    return [abs];
  }
  // Loaded only when a path does not exist as given (src/vendor/glob.ts).
  const { glob, isDynamicPattern } = await import('../../vendor/glob.js');
  if (isDynamicPattern(arg)) {
    const matches = await glob(arg, { cwd: base.cwd, absolute: true, onlyFiles: true, dot: false, ignore: SKIPPED_DIRS.map((d) => `**/${d}/**`) });
    const cases = matches.filter((m) => jobKindOf(m) !== null).map((m) => path.resolve(m));
    if (cases.length === 0) {
      throw notFoundError('NO_JOB_CASES', `The pattern ${arg} matches no job file (*.job.case.json or *.job.seed.json) under ${base.cwd}.`, {
        hint: 'Check the pattern; it is matched against paths relative to the working directory.',
        next: [{ command: 'dispatch job cases', description: 'the job files this project has' }],
      });
    }
    return cases;
  }
  throw notFoundError('CASE_NOT_FOUND', `${isDefault ? `The project has no jobs folder (${abs})` : `No such job file or folder: ${arg}`}.`, {
    hint: isDefault ? 'Pass job files or folders to run, or create jobs/ with dispatch init.' : 'Check the path; it resolves against the working directory.',
    next: [{ command: 'dispatch job cases', description: 'the job files this project has' }],
  });
}
