import type { OptionsOf } from '../../cli/command-options.js';
import path from 'node:path';
import { notFoundError } from '../../errors.js';
import type { Colors } from '../../output/colors.js';
import type { CommandResult, Envelope } from '../../output/envelope.js';
import { ms, statusWord } from '../../output/human.js';
import { stepLine } from '../../output/renderers.js';
import type { StepSummaryRead } from '../../runs/artifacts.js';
import { readRunDump, type RunDump } from '../../runs/dump.js';
import { excerpt, nextSteps, stepDefinitions } from '../../runs/readable.js';
import { RUN_ARTIFACTS } from '../../runs/record.js';
import { resolveRunDir } from '../../runs/store.js';
import { outputRootOf, resolveBase } from '../context.js';

export interface JobInspectOptions {
  cwd?: string;
  runId?: string;
  step?: string;
}

type Obj = Record<string, unknown>;

/** Offline: a recorded run at a glance, or everything about one of its steps. */
export async function jobInspect(opts: JobInspectOptions): Promise<CommandResult> {
  const base = resolveBase(opts);
  const { runId, runDir } = await resolveRunDir(outputRootOf(base), opts.runId ?? 'latest');
  const d = await readRunDump(runId, runDir);
  const steps = d.summary.steps;
  if (opts.step !== undefined) return inspectStep(d, runDir, steps, String(opts.step));
  const failed = steps.find((s) => s.status === 'FAILED' || s.status === 'INTERRUPTED');
  const s = d.summary;
  const data = {
    runId,
    runDir,
    jobType: s.jobType,
    runStatus: s.status,
    casePath: s.casePath,
    caseKind: s.caseKind,
    startedAt: s.startedAt,
    finishedAt: s.finishedAt,
    durationMs: s.durationMs,
    steps: steps.map((st, i) => ({ n: i + 1, ...st, httpCalls: d.http.filter((h) => h.stepId === st.id).length })),
    run: s.run ?? {},
    runError: s.error,
    replayOf: d.meta?.replayOf,
    batchId: d.meta?.batchId,
    paths: Object.fromEntries(RUN_ARTIFACTS.map((f) => [f, path.join(runDir, f)])),
  };
  // A run that failed before any step has no step to point at: nextSteps would name this very
  // command again, so the narrative takes its place.
  const self = `dispatch job inspect --run-id ${runId}`;
  const next = nextSteps(runId, s.status, failed).map((n) =>
    n.command === self ? { command: `dispatch job readable --run-id ${runId}`, description: 'the run as a narrative, with what failed and why' } : n,
  );
  return { status: 'SUCCESS', exitCode: 0, data, next, view: runView };
}

/** `--step` is a step id first (ids may be digits), else a 1-based step number. */
function inspectStep(d: RunDump, runDir: string, steps: StepSummaryRead[], which: string): CommandResult {
  let index = steps.findIndex((s) => s.id === which);
  if (index < 0 && /^\d+$/.test(which)) index = Number(which) - 1;
  const st = steps[index];
  if (!st) {
    throw notFoundError('STEP_NOT_FOUND', `Run ${d.runId} has no step "${which}".`, {
      hint: `Use a step id (${steps.map((s) => s.id).join(', ') || 'none recorded'}) or a number from 1 to ${steps.length}.`,
      details: { steps: steps.map((s) => s.id) },
      next: [{ command: `dispatch job inspect --run-id ${d.runId}`, description: 'list the steps of the run' }],
    });
  }
  const id = st.id;
  const rec = d.steps.find((r) => r.id === id);
  const def = stepDefinitions(d.resolvedJob).get(id);
  const written = { ...(def?.description ? { description: def.description } : {}), ...(def?.capture ? { capture: def.capture } : {}) };
  const step = rec ? { n: index + 1, ...rec, ...written } : { n: index + 1, index, id, action: st.action, status: st.status, durationMs: 0, payload: def?.payload, payloadResolved: false, ...written };
  const data = { runId: d.runId, runDir, runStatus: d.summary.status, step, http: d.http.filter((h) => h.stepId === id) };
  const next = [
    { command: `dispatch job inspect --run-id ${d.runId}`, description: 'back to the whole run' },
    { command: `dispatch job readable --run-id ${d.runId}`, description: 'read the run as a narrative' },
  ];
  return { status: 'SUCCESS', exitCode: 0, data, next, view: stepView };
}

function runView(e: Envelope, c: Colors): string {
  const lines = [`${statusWord(String(e.runStatus), c)} ${c.bold(String(e.jobType ?? ''))} ${c.dim(`run ${String(e.runId)}`)} ${c.dim(ms(e.durationMs))}`];
  lines.push(`${c.dim('case:')} ${String(e.casePath ?? '?')} ${c.dim(`(${String(e.caseKind ?? '?')})`)}  ${c.dim('started:')} ${String(e.startedAt ?? '?')}`);
  if (e.replayOf) lines.push(`${c.dim('replay of:')} ${String(e.replayOf)}`);
  if (e.batchId) lines.push(`${c.dim('batch:')} ${String(e.batchId)}`);
  lines.push('');
  for (const s of e.steps as Array<Obj & { id: string; action: string; status: string }>) lines.push(stepLine(s, c).trimEnd() + (s.httpCalls ? c.dim(`  (${s.httpCalls} http)`) : ''));
  const run = Object.entries((e.run ?? {}) as Obj);
  if (run.length) lines.push('', c.dim('run values:'), ...run.map(([k, v]) => `  ${k} = ${oneLine(v, 120)}`));
  const err = e.runError as Obj | undefined;
  if (err) lines.push('', `${c.red('failed:')} [${String(err.code)}] ${String(err.message)}`, ...(err.hint ? [`  ${c.yellow('hint')} ${String(err.hint)}`] : []));
  lines.push('', `${c.dim('record:')} ${String(e.runDir)}`);
  return `${lines.join('\n')}\n`;
}

function stepView(e: Envelope, c: Colors): string {
  const s = e.step as Obj;
  const lines = [`${statusWord(String(s.status), c)} ${c.bold(`step ${String(s.n)} ${String(s.id)}`)} ${c.dim(String(s.action))} ${c.dim(ms(s.durationMs))} ${c.dim(`run ${String(e.runId)}`)}`];
  if (s.description) lines.push(String(s.description));
  const block = (label: string, v: unknown) => lines.push('', c.dim(`${label}:`), excerpt(v, 2000));
  block(s.payloadResolved === false ? 'payload (not resolved: the step did not run)' : 'payload', s.payload ?? {});
  if (s.response !== undefined) block('response', s.response);
  if (s.exports && Object.keys(s.exports as Obj).length) block('exports', s.exports);
  const err = s.error as Obj | undefined;
  if (err) lines.push('', `${c.red('error:')} [${String(err.code)}] ${String(err.message)}`, ...(err.hint ? [`  ${c.yellow('hint')} ${String(err.hint)}`] : []));
  const http = e.http as Obj[];
  if (http.length)
    lines.push('', c.dim('http:'), ...http.map((h) => `  ${String(h.method)} ${String(h.url)} -> ${String(h.status ?? (h.error as Obj | undefined)?.code ?? '?')} ${c.dim(ms(h.durationMs))}`));
  return `${lines.join('\n')}\n`;
}

const oneLine = (v: unknown, max: number) => excerpt(v, max).replace(/\n\s*/g, ' ');

export default (opts: OptionsOf<'job inspect'>) => jobInspect(opts);
