import type { OptionsOf } from '../../cli/command-options.js';
import { caseCommand } from '../../output/next-hints.js';
import type { Colors } from '../../output/colors.js';
import type { CommandResult, Envelope } from '../../output/envelope.js';
import { findJobCases, type JobCaseEntry } from '../../runs/cases.js';
import { homeOf, resolveBase } from '../context.js';

export interface JobCasesOptions {
  cwd?: string;
}

/** Lists job files by name and kind; nothing is validated or imported, so it is fast and never fails on a bad file. */
export async function jobCases(opts: JobCasesOptions): Promise<CommandResult> {
  const base = resolveBase(opts);
  const cases = await findJobCases(base.root, homeOf(base));
  const first = cases.find((c) => !c.parseError);
  const next = first
    ? [
        { command: caseCommand('validate', first.path), description: 'check a job before running it' },
        { command: caseCommand('run', first.path), description: 'run it' },
      ]
    : [{ command: 'dispatch module list', description: 'modules available (their jobs/ folders are searched)' }];
  return { status: 'SUCCESS', exitCode: 0, data: { count: cases.length, cases }, next, view: casesView };
}

function casesView(e: Envelope, c: Colors): string {
  const cases = (e.cases as JobCaseEntry[] | undefined) ?? [];
  if (cases.length === 0) return `${c.dim('no job files in ./jobs or in any module jobs/ folder')}\n`;
  const lines = cases.map((j) => {
    const where = j.module ? `${j.module} (${j.layer})` : j.layer;
    const what = j.parseError ? c.red(`unreadable: ${j.parseError}`) : c.bold(j.jobType ?? '');
    return `${c.cyan(j.kind.padEnd(4))} ${j.path}  ${what} ${c.dim(where)}`;
  });
  return lines.join('\n') + '\n';
}

export default (opts: OptionsOf<'job cases'>) => jobCases(opts);
