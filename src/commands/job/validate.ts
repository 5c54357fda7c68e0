import type { OptionsOf } from '../../cli/command-options.js';
import { caseCommand } from '../../output/next-hints.js';
import type { CommandResult } from '../../output/envelope.js';
import { resolveBase } from '../context.js';
import { label, missingDepsNext, missingMemoryDeps } from './deps.js';
import { invalidJobError, loadAndValidate, parseSetValues } from './prepare.js';
import { homeOf } from '../context.js';
import { jobValidateView } from '../../output/renderers.js';

export interface JobValidateOptions {
  cwd?: string;
  case: string;
  set?: string[];
}

export async function jobValidate(opts: JobValidateOptions): Promise<CommandResult> {
  const base = resolveBase(opts);
  // Same parser as job run, so a --set that run would refuse fails validation too.
  const setNames = Object.keys(parseSetValues(opts.set));
  const { file, registry, validation } = await loadAndValidate(base, opts.case, { setNames });
  const raw = file.raw as { jobType?: unknown; scenario?: { steps?: Array<{ id?: unknown; action?: unknown }> } };
  const steps = (Array.isArray(raw?.scenario?.steps) ? raw.scenario.steps : []).map((s) => {
    const a = typeof s?.action === 'string' ? registry.get(s.action) : undefined;
    return { id: s?.id, action: s?.action, ...(a ? { module: a.module, layer: a.layer } : {}) };
  });
  const data = {
    casePath: opts.case,
    kind: file.kind,
    jobType: typeof raw?.jobType === 'string' ? raw.jobType : undefined,
    valid: !!validation.job,
    steps,
    errors: validation.errors,
    warnings: validation.warnings,
  };
  if (validation.job) {
    const next = [{ command: caseCommand('run', opts.case, opts.set), description: 'run the job' }];
    // Memory is state, not part of the file: a missing key is a warning here and exit 4 at run time.
    const missing = await missingMemoryDeps(base, validation.job, homeOf(base));
    if (missing.length > 0) {
      const declared = validation.job.dependencies?.memory ?? [];
      for (const dep of missing) {
        const i = declared.findIndex((d) => d.key === dep.key && (d.namespace === dep.namespace || d.namespace.includes('${')));
        data.warnings.push({
          path: `$.dependencies.memory[${Math.max(i, 0)}]`,
          code: 'MEMORY_DEPENDENCY_MISSING',
          message: `Memory ${label(dep)} is not stored yet: job run stops with exit 4 until it is.`,
          hint: dep.fill ? `dispatch job run --resolve-deps runs fill job ${dep.fill.module}/${dep.fill.job} first.` : 'Run a seed job that stores it first.',
          exitCode: 0,
        });
      }
      next.unshift(...(await missingDepsNext(base, { casePath: opts.case, set: opts.set }, missing, homeOf(base))));
    }
    return { status: 'SUCCESS', exitCode: 0, data, view: jobValidateView, next };
  }
  return { status: 'FAILED', exitCode: validation.exitCode === 0 ? 2 : validation.exitCode, data, error: invalidJobError(opts.case, validation), next: [], view: jobValidateView };
}

export default (opts: OptionsOf<'job validate'>) => jobValidate(opts);
