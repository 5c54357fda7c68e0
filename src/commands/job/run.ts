import type { OptionsOf } from '../../cli/command-options.js';
import type { RunEventListener } from '../../engine/events.js';
import type { CommandResult } from '../../output/envelope.js';
import type { RunExtras } from '../../cli/types.js';
import { ensureWritable, executePrepared } from '../../job/execute.js';
import { outputRootOf, resolveBase } from '../context.js';
import { parseSetValues, prepareJob } from './prepare.js';
import { ensureMemoryDeps } from './deps.js';
import { runResult } from './run-result.js';
import { parseReporters, withReports } from './reporters.js';
import { runTimeoutMs } from './run-timeout.js';
import { withRunTimeout } from '../../util/sleep.js';

export interface JobRunOptions {
  cwd?: string;
  case: string;
  set?: string[];
  resolveDeps?: boolean;
  timeout?: string;
  reporter?: string[];
  signal?: AbortSignal;
  onEvent?: RunEventListener;
  argv?: string[];
}

export async function jobRun(opts: JobRunOptions): Promise<CommandResult> {
  const base = resolveBase(opts);
  runTimeoutMs(opts.timeout); // a bad --timeout or --reporter is refused before anything runs
  const specs = parseReporters(opts.reporter);
  const setValues = parseSetValues(opts.set);
  const prepared = await prepareJob(base, opts.case, { setNames: Object.keys(setValues) });
  const outputRoot = outputRootOf(base);
  await ensureWritable(outputRoot);
  const deps = await ensureMemoryDeps(base, prepared, { casePath: opts.case, resolve: opts.resolveDeps, set: opts.set, outputRoot, signal: opts.signal, onEvent: opts.onEvent, argv: opts.argv });
  if ('result' in deps) return deps.result;
  const fills = deps.fills.length ? { fills: deps.fills } : undefined;
  const outcome = await withRunTimeout(opts.signal ?? new AbortController().signal, runTimeoutMs(opts.timeout), (signal) =>
    executePrepared(base, prepared, { casePath: opts.case, setValues, signal, onEvent: opts.onEvent, argv: opts.argv, outputRoot, meta: fills }),
  );
  const result = runResult(outcome, opts.case, outputRoot, opts.set);
  // What job validate would warn about (an unused --set name, run.batchId outside run-many...)
  // matters just as much when the job is run directly.
  const warnings = prepared.validation.warnings;
  const full = { ...result, data: { ...result.data, ...(warnings.length ? { warnings } : {}), ...fills } };
  return withReports(full, { base, outputRoot, command: 'job run', specs, target: outcome.recordError ? undefined : { runId: outcome.runId } });
}

export default (opts: OptionsOf<'job run'>, x: RunExtras) => jobRun({ ...opts, signal: x.signal, onEvent: listeners(x.onEvent, x.verbose), argv: x.argv });

function listeners(a: RunEventListener | undefined, b: RunEventListener | undefined): RunEventListener | undefined {
  return a && b ? (e) => (a(e), b(e)) : (a ?? b);
}
