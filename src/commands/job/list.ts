import type { OptionsOf } from '../../cli/command-options.js';
import { usageError } from '../../errors.js';
import type { Colors } from '../../output/colors.js';
import type { CommandResult, Envelope } from '../../output/envelope.js';
import { ms, statusWord } from '../../output/human.js';
import { leftoverTempFolders, scanRuns } from '../../runs/store.js';
import { outputRootOf, resolveBase } from '../context.js';

export const MAX_LIMIT = 10_000;

export interface JobListOptions {
  cwd?: string;
  limit?: string | number;
}

/** One line of `job list`: enough to pick a run without opening its folder. */
export interface RunListEntry {
  runId: string;
  jobType: unknown;
  status: unknown;
  startedAt: unknown;
  durationMs: unknown;
  casePath: unknown;
  runDir: string;
  errorCode?: string;
}

/** A run folder whose record cannot be read: listed apart, with what is wrong, never hidden. */
export interface BrokenRunEntry {
  runId: string;
  runDir: string;
  code: string;
  problem: string;
}

/** Runs newest first (unfinished ones as RUNNING or ABANDONED); leftover .tmp-* folders are named in warnings. */
export async function jobList(opts: JobListOptions): Promise<CommandResult> {
  const limit = parseLimit(opts.limit ?? 20);
  const base = resolveBase(opts);
  const outputRoot = outputRootOf(base);
  const scan = await scanRuns(outputRoot, limit);
  const runs: RunListEntry[] = scan.runs.map(({ runId, runDir, summary: s }) => {
    const code = s.error?.code;
    return { runId, jobType: s.jobType, status: s.status, startedAt: s.startedAt, durationMs: s.durationMs, casePath: s.casePath, runDir, ...(code !== undefined ? { errorCode: code } : {}) };
  });
  const broken: BrokenRunEntry[] = scan.broken.map((b) => ({ runId: b.runId, runDir: b.runDir, code: b.error!.code, problem: b.error!.message }));
  const warnings = broken.length
    ? [
        {
          code: 'RUN_RECORD_CORRUPT',
          message: `${broken.length} run folder(s) cannot be read and are not listed as runs: ${broken.map((b) => b.runId).join(', ')}.`,
          hint: 'See broken[] for what is wrong with each; restore the files or move the folders away.',
        },
      ]
    : [];
  const leftovers = await leftoverTempFolders(outputRoot);
  if (leftovers.length) {
    warnings.push({
      code: 'RUN_TEMP_LEFTOVER',
      message: `${leftovers.length} unfinished temporary folder(s) in the run output: ${leftovers.join(', ')}.`,
      hint: 'They hold runs an older version was still writing when it stopped; nothing reads them. Look inside, then remove them (rm -r).',
    });
  }
  const newest = runs[0]?.runId;
  const unfinished = runs[0] && (runs[0].status === 'ABANDONED' || runs[0].status === 'RUNNING');
  const next = unfinished
    ? [{ command: `dispatch job inspect --run-id ${newest}`, description: `the newest run is ${String(runs[0].status)}: see the steps it recorded` }]
    : newest
      ? [
          { command: `dispatch job inspect --run-id ${newest}`, description: 'open the newest run' },
          { command: `dispatch job assert --run-id ${newest}`, description: 'verify the newest run offline' },
        ]
      : [{ command: 'dispatch job cases', description: 'find a job file to run' }];
  // `more`: older run folders were not read at all, so only a larger --limit can show them.
  return { status: 'SUCCESS', exitCode: 0, data: { outputRoot, total: scan.total, count: runs.length, limit, more: scan.more, runs, broken, warnings }, next, view: listView };
}

function parseLimit(value: string | number): number {
  const text = String(value).trim();
  const n = Number(text);
  if (!/^\d+$/.test(text) || n < 1 || n > MAX_LIMIT) {
    throw usageError('BAD_OPTION', `--limit must be a whole number from 1 to ${MAX_LIMIT}, got "${value}".`, { hint: 'Example: dispatch job list --limit 5' });
  }
  return n;
}

function listView(e: Envelope, c: Colors): string {
  const runs = (e.runs as RunListEntry[] | undefined) ?? [];
  const broken = (e.broken as BrokenRunEntry[] | undefined) ?? [];
  if (runs.length === 0 && broken.length === 0 && !(e.warnings as unknown[] | undefined)?.length) return `${c.dim(`no runs recorded under ${String(e.outputRoot)}`)}\n`;
  const lines = runs.map((r) => {
    const tail = r.errorCode ? `  ${c.red(r.errorCode)}` : '';
    return `${statusWord(String(r.status), c)} ${r.runId}  ${c.bold(String(r.jobType ?? ''))} ${c.dim(ms(r.durationMs))}${tail}`;
  });
  for (const b of broken) lines.push(`${c.yellow('BROKEN')} ${b.runId}  ${c.dim(b.problem)}`);
  for (const w of (e.warnings as Array<{ code: string; message: string }> | undefined) ?? []) if (w.code === 'RUN_TEMP_LEFTOVER') lines.push(`${c.yellow('!')} ${w.message}`);
  if (e.more) lines.push(c.dim(`showing ${runs.length} of ${String(e.total)} run folder(s); --limit <n> shows more`));
  return lines.join('\n') + '\n';
}

export default (opts: OptionsOf<'job list'>) => jobList(opts);
