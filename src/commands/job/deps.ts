import { existsSync } from 'node:fs';
import path from 'node:path';
import { DispatchError, notFoundError, usageError, type NextHint } from '../../errors.js';
import type { RunEventListener } from '../../engine/events.js';
import { interpolate } from '../../engine/interpolate.js';
import type { Job } from '../../job/schema.js';
import type { CommandResult } from '../../output/envelope.js';
import { statePaths } from '../../state/paths.js';
import { shQuote } from '../../agent/shell-quote.js';
import { caseCommand } from '../../output/next-hints.js';
import { shown as displayPath } from '../module/_shared.js';
import type { BaseOptions } from '../context.js';
import { findFillJob, fillNotFound, type FillJobFile } from './fill-job.js';
import { prepareJob, type PreparedJob } from './prepare.js';

type MemoryDep = NonNullable<NonNullable<Job['dependencies']>['memory']>[number];

/** One fill run, as recorded in the main run's meta.json (`fills`). */
interface FillRecord {
  namespace: string;
  key: string;
  module: string;
  job: string;
  casePath: string;
  runId: string;
  status: string;
}

interface DepsContext {
  /** The main job's --case value, used in next[] commands. */
  casePath: string;
  resolve?: boolean;
  /** The main job's --set pairs, repeated in the --resolve-deps command. */
  set?: string[];
  outputRoot: string;
  signal?: AbortSignal;
  onEvent?: RunEventListener;
  argv?: string[];
}

/** Either the fills that ran (possibly none), or the result to return instead of running the job. */
type DepsOutcome = { fills: FillRecord[] } | { result: CommandResult };

/** Memory dependencies the store does not hold, with `${env.*}` resolved. */
export async function missingMemoryDeps(base: BaseOptions, job: Job, home: string): Promise<MemoryDep[]> {
  const declared = job.dependencies?.memory ?? [];
  if (declared.length === 0) return [];
  const deps = interpolate(declared, { env: base.env, run: {}, steps: {} }, '$.dependencies.memory') as MemoryDep[];
  // Loaded only for a job that declares memory dependencies (most jobs declare none).
  const { createMemoryStore } = await import('../../state/memory-store.js');
  const store = createMemoryStore(statePaths(home).memory);
  const missing: MemoryDep[] = [];
  for (const [i, dep] of deps.entries()) {
    try {
      if (!(await store.get(dep.namespace, dep.key)).found) missing.push(dep);
    } catch (err) {
      if (err instanceof DispatchError && err.exitCode === 2)
        throw new DispatchError({ code: err.code, exitCode: 2, message: `$.dependencies.memory[${i}]: ${err.message}`, hint: err.hint, details: err.details });
      throw err;
    }
  }
  return missing;
}

/**
 * Checks `dependencies.memory` before any step runs. Without --resolve-deps a missing key is exit 4
 * naming the commands that fill it; with it, each fill job runs once as its own recorded run
 * (its own dependencies first), then the keys are checked again.
 */
export async function ensureMemoryDeps(base: BaseOptions, p: PreparedJob, ctx: DepsContext, chain: string[] = []): Promise<DepsOutcome> {
  const missing = await missingMemoryDeps(base, p.job, p.home);
  if (missing.length === 0) return { fills: [] };
  const plan = await planFills(base, p.home, missing);
  if (!ctx.resolve) throw missingError(base, ctx, missing, plan, p.home);
  const unfillable = missing.filter((d) => !d.fill);
  if (unfillable.length) throw missingError(base, ctx, unfillable, plan, p.home);
  for (const f of plan.values()) if (!f.found) throw fillNotFound(f.module, f.job, f.searched);

  const fills: FillRecord[] = [];
  for (const [id, f] of plan) {
    if (chain.includes(id)) {
      throw usageError('MEMORY_DEPENDENCY_CYCLE', `Fill jobs depend on each other in a cycle: ${[...chain, id].join(' -> ')}.`, {
        hint: 'A fill job may not need memory that only it (or a job it needs) can fill.',
      });
    }
    const file = f.found!;
    const shown = displayPath(base, file.path);
    const fillJob = await prepareJob(base, file.path);
    const nested = await ensureMemoryDeps(base, fillJob, { ...ctx, casePath: shown, set: undefined }, [...chain, id]);
    if ('result' in nested) return nested;
    const deps = missing.filter((d) => d.fill && depId(d.fill) === id);
    // Loaded here: `job validate` shares this file and never executes (the run path's code stays out of its start-up).
    const { executePrepared } = await import('../../job/execute.js');
    const outcome = await executePrepared(base, fillJob, {
      casePath: shown,
      outputRoot: ctx.outputRoot,
      signal: ctx.signal,
      onEvent: ctx.onEvent,
      argv: ctx.argv,
      meta: { fillFor: { casePath: ctx.casePath, memory: deps.map(({ namespace, key }) => ({ namespace, key })) }, ...(nested.fills.length ? { fills: nested.fills } : {}) },
    });
    for (const d of deps) fills.push({ namespace: d.namespace, key: d.key, module: file.module, job: file.job, casePath: shown, runId: outcome.runId, status: outcome.status });
    if (outcome.status !== 'SUCCESS') return { result: fillFailed(ctx, file, shown, outcome, fills) };
  }

  const still = await missingMemoryDeps(base, p.job, p.home);
  if (still.length) {
    const byKey = (d: MemoryDep) => fills.find((f) => f.namespace === d.namespace && f.key === d.key);
    throw notFoundError('MEMORY_DEPENDENCY_UNFILLED', `The fill job(s) ran but did not store ${still.map(label).join(', ')}.`, {
      hint: 'The fill job must memory.store exactly the namespace and key the dependency names; check its steps.',
      details: { missing: still, fills },
      next: still.flatMap((d) => (byKey(d) ? [{ command: `dispatch job inspect --run-id ${byKey(d)!.runId}`, description: `see what fill job ${byKey(d)!.job} stored` }] : [])),
    });
  }
  return { fills };
}

interface PlannedFill {
  module: string;
  job: string;
  found?: FillJobFile;
  searched: string[];
}

async function planFills(base: BaseOptions, home: string, missing: MemoryDep[]): Promise<Map<string, PlannedFill>> {
  const plan = new Map<string, PlannedFill>();
  for (const d of missing) {
    if (!d.fill || plan.has(depId(d.fill))) continue;
    const { found, searched } = await findFillJob(base.root, home, d.fill.module, d.fill.job);
    plan.set(depId(d.fill), { module: d.fill.module, job: d.fill.job, found, searched });
  }
  return plan;
}

/**
 * What a job whose memory dependencies are missing can do next: `job run` refuses with these, and
 * `job validate` warns with them, so both name the same commands.
 */
export async function missingDepsNext(base: BaseOptions, ctx: Pick<DepsContext, 'casePath' | 'set'>, missing: MemoryDep[], home: string): Promise<NextHint[]> {
  return depsNext(base, ctx, missing, await planFills(base, home, missing), home);
}

function depsNext(base: BaseOptions, ctx: Pick<DepsContext, 'casePath' | 'set'>, missing: MemoryDep[], plan: Map<string, PlannedFill>, home: string): NextHint[] {
  const next: NextHint[] = [];
  if (missing.some((d) => d.fill)) next.push({ command: caseCommand('run', ctx.casePath, ctx.set, ' --resolve-deps'), description: 'run the fill jobs first, then this job' });
  for (const f of plan.values()) {
    if (f.found) next.push({ command: caseCommand('run', displayPath(base, f.found.path)), description: `run fill job ${f.module}/${f.job} on its own` });
    else next.push({ command: `dispatch module inspect ${f.module}`, description: `fill job ${f.job} was not found: see the jobs module ${f.module} ships` });
  }
  // Inspecting a namespace that does not exist yet only answers "not found": list them instead.
  const namespaces = [...new Set(missing.map((d) => d.namespace))];
  for (const ns of namespaces.filter((n) => existsSync(path.join(statePaths(home).memory, `${n}.json`))))
    next.push({ command: `dispatch memory inspect --namespace ${ns}`, description: `see what namespace ${ns} holds` });
  if (namespaces.some((n) => !existsSync(path.join(statePaths(home).memory, `${n}.json`)))) next.push({ command: 'dispatch memory list', description: 'the namespaces that exist so far' });
  return next;
}

function missingError(base: BaseOptions, ctx: DepsContext, missing: MemoryDep[], plan: Map<string, PlannedFill>, home: string): DispatchError {
  const next = depsNext(base, ctx, missing, plan, home);
  const noFill = missing.filter((d) => !d.fill);
  return notFoundError('MEMORY_DEPENDENCY_MISSING', `Memory the job depends on is missing: ${missing.map(label).join(', ')}.`, {
    hint: noFill.length
      ? `${noFill.map(label).join(', ')} declare(s) no fill job: run a seed job that stores it, or add "fill": {"module", "job"} to the dependency.`
      : `Fill it first: dispatch job run --case ${shQuote(ctx.casePath)} --resolve-deps runs the fill jobs and then the job, or run the fill jobs yourself (next[] has both).`,
    details: { missing: missing.map((d) => ({ ...d, ...(d.fill && plan.get(depId(d.fill))?.found ? { fillCasePath: plan.get(depId(d.fill))!.found!.path } : {}) })) },
    next,
  });
}

function fillFailed(ctx: DepsContext, file: FillJobFile, shown: string, outcome: { runId: string; status: string; error?: DispatchError }, fills: FillRecord[]): CommandResult {
  const exitCode = outcome.error?.exitCode ?? 1;
  const error = new DispatchError({
    code: 'MEMORY_FILL_FAILED',
    exitCode,
    message: `Fill job ${file.module}/${file.job} ${outcome.status === 'INTERRUPTED' ? 'was interrupted' : 'failed'} (run ${outcome.runId})${outcome.error ? `: ${outcome.error.message.replace(/\.$/, '')}` : ''}; the main job did not run.`,
    hint: 'Fix the fill run first; dispatch job inspect shows what each of its steps sent and received.',
    details: { fillRunId: outcome.runId, fillCasePath: file.path, ...(outcome.error ? { cause: outcome.error.toJSON() } : {}) },
  });
  const next: NextHint[] = [
    { command: `dispatch job inspect --run-id ${outcome.runId}`, description: 'see what the fill run did' },
    { command: `dispatch job readable --run-id ${outcome.runId}`, description: 'read the fill run as a narrative' },
  ];
  if (exitCode === 3) next.unshift({ command: caseCommand('run', ctx.casePath, ctx.set, ' --resolve-deps'), description: 'retry: the fill failure was transient' });
  else next.push({ command: caseCommand('run', shown), description: 'run the fill job on its own' });
  return { status: outcome.status === 'INTERRUPTED' ? 'INTERRUPTED' : 'FAILED', exitCode, error, data: { fills }, next };
}

const depId = (f: { module: string; job: string }) => `${f.module}/${f.job}`;
export const label = (d: MemoryDep) => `${d.namespace}:${d.key}`;
