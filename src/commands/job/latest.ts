import type { OptionsOf } from '../../cli/command-options.js';
import path from 'node:path';
import { notFoundError } from '../../errors.js';
import type { Colors } from '../../output/colors.js';
import type { CommandResult, Envelope } from '../../output/envelope.js';
import { ms, statusWord } from '../../output/human.js';
import { scanRuns } from '../../runs/store.js';
import { outputRootOf, resolveBase } from '../context.js';

export interface JobLatestOptions {
  cwd?: string;
}

const ARTIFACTS = {
  summary: 'summary.json',
  activityLog: 'activity.log',
  steps: 'steps.jsonl',
  http: 'http.jsonl',
  meta: 'meta.json',
  moduleResolution: 'module_resolution.json',
  inputJob: 'job.case.input.json',
  resolvedJob: 'job.case.resolved.json',
} as const;

/** The newest finished run. Its status is `runStatus`: `status` is this command's own verdict. */
export async function jobLatest(opts: JobLatestOptions): Promise<CommandResult> {
  const outputRoot = outputRootOf(resolveBase(opts));
  const { newest } = await scanRuns(outputRoot, 1);
  if (!newest) {
    throw notFoundError('RUN_NOT_FOUND', `No runs recorded under ${outputRoot}.`, {
      hint: 'Run a job first (dispatch job run --case <file>), or set DISPATCH_RUN_OUTPUT to the folder holding your runs.',
      next: [
        { command: 'dispatch job list', description: 'list recorded runs' },
        { command: 'dispatch job cases', description: 'find a job file to run' },
      ],
    });
  }
  // A damaged newest run is reported, not skipped for an older one an agent would then mistake for it.
  if (!newest.summary) throw newest.error!;
  const { runId, runDir, summary: s } = newest;
  const paths = Object.fromEntries(Object.entries(ARTIFACTS).map(([k, f]) => [k, path.join(runDir, f)]));
  const data = { runId, runDir, jobType: s.jobType, runStatus: s.status, startedAt: s.startedAt, finishedAt: s.finishedAt, durationMs: s.durationMs, casePath: s.casePath, paths, summary: s };
  const next = [
    { command: `dispatch job inspect --run-id ${runId}`, description: 'what each step sent and received' },
    { command: `dispatch job assert --run-id ${runId}`, description: 'verify the run offline' },
    { command: `dispatch job readable --run-id ${runId}`, description: 'read the run as a narrative' },
  ];
  return { status: 'SUCCESS', exitCode: 0, data, next, view: latestView };
}

function latestView(e: Envelope, c: Colors): string {
  const steps = ((e.summary as { steps?: Array<{ id: string; status: string; durationMs?: number }> } | undefined)?.steps ?? []).map(
    (st) => `  ${st.status === 'SUCCESS' ? c.green('✓') : st.status === 'SKIPPED' ? c.dim('-') : c.red('✗')} ${st.id} ${c.dim(ms(st.durationMs))}`,
  );
  const err = (e.summary as { error?: { code: string; message: string } } | undefined)?.error;
  const lines = [`${statusWord(String(e.runStatus), c)} ${c.bold(String(e.jobType ?? ''))} ${c.dim(`run ${String(e.runId)}`)} ${c.dim(ms(e.durationMs))}`, ...steps];
  if (err) lines.push(`  ${c.red(`${err.code}: ${err.message}`)}`);
  lines.push(`${c.dim('record:')} ${String(e.runDir)}`);
  return lines.join('\n') + '\n';
}

export default (opts: OptionsOf<'job latest'>) => jobLatest(opts);
