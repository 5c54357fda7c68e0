import { caseCommand } from '../../output/next-hints.js';
import type { CommandResult } from '../../output/envelope.js';
import { resolveBase } from '../context.js';
import { invalidJobError, loadAndValidate, parseSetValues } from './prepare.js';
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
  const data = { casePath: opts.case, kind: file.kind, jobType: typeof raw?.jobType === 'string' ? raw.jobType : undefined, valid: !!validation.job, steps, errors: validation.errors, warnings: validation.warnings };
  if (validation.job) {
    return { status: 'SUCCESS', exitCode: 0, data, view: jobValidateView, next: [{ command: caseCommand('run', opts.case, opts.set), description: 'run the job' }] };
  }
  return { status: 'FAILED', exitCode: validation.exitCode === 0 ? 2 : validation.exitCode, data, error: invalidJobError(opts.case, validation), next: [], view: jobValidateView };
}

export default (opts: Record<string, unknown>) => jobValidate(opts as unknown as JobValidateOptions);
