import semver from 'semver';
import { MEMORY_WRITE_ACTIONS } from '../modules/builtin/memory.js';
import type { Registry } from '../modules/registry.js';
import type { ActionDefaults } from '../state/defaults.js';
import type { z } from 'zod';
import { AssertionsSchema, CredentialsSchema, DependenciesSchema, HttpConfigSchema, InputsSchema, JobSchema, StepSchema, type Job, type JobKind } from './schema.js';
import { Problems, type Problem } from './problems.js';
import { reportSchemaIssues } from './schema-issues.js';
import { checkSteps } from './validate-steps.js';
import { checkReferences, type RefScope } from './validate-refs.js';
import { checkHttp, type ResolvedHttp } from './validate-http.js';
import { checkRule } from './validate-rules.js';

export interface ValidateOptions {
  kind: JobKind;
  registry: Registry;
  env: Record<string, string | undefined>;
  defaults?: ActionDefaults;
  /** Names given with `job run --set`. */
  setNames?: string[];
  /** Replay: actions are answered from the record, so env and credentials need not be present. */
  replay?: boolean;
}

export interface ValidationResult {
  job?: Job;
  errors: Problem[];
  warnings: Problem[];
  exitCode: 0 | 2 | 4 | 1 | 3;
  /** `http` with env/inputs references resolved (undefined when it could not be). */
  http?: ResolvedHttp;
}

/** run.* names every run has (run-many sets real values; a single run has index 0). */
export const BUILTIN_RUN_NAMES = ['index', 'batchId'];

/** Validates a parsed job file, reporting every problem at once with its JSON path. */
export function validateJob(raw: unknown, opts: ValidateOptions): ValidationResult {
  const problems = new Problems();
  const parsed = JobSchema.safeParse(raw);
  let job: Job;
  let rawStepIds: Array<string | undefined> | undefined;
  if (parsed.success) job = parsed.data;
  else {
    reportSchemaIssues(problems, JobSchema, parsed.error.issues);
    // Keep going on the parts that do parse, so one pass reports every problem.
    ({ job, rawStepIds } = salvage(raw));
  }
  const env = opts.env;
  const inputNames = new Set([...Object.keys(job.inputs ?? {}), ...(opts.setNames ?? []), ...BUILTIN_RUN_NAMES]);
  const stepIds = new Set((rawStepIds ?? job.scenario.steps.map((s) => s?.id)).filter((id): id is string => typeof id === 'string'));
  const base: RefScope = { env, runNames: inputNames, earlierSteps: new Set(), allSteps: stepIds, allow: { run: false, step: false }, skipEnv: opts.replay };

  checkReferences(job.inputs ?? {}, '$.inputs', base, problems);
  checkReferences(job.http ?? {}, '$.http', { ...base, allow: { run: true, step: false } }, problems);
  checkReferences(job.dependencies ?? {}, '$.dependencies', base, problems);
  const http = opts.replay ? undefined : checkHttp(job, env, problems);
  checkDependencies(job, opts.registry, http, problems);
  checkSteps(job, { ...opts, inputNames, stepIds, rawStepIds, problems, memoryWriteActions: MEMORY_WRITE_ACTIONS });
  missingDependencyIsNotFound(job, opts.registry, problems);
  (job.assertions ?? []).forEach((rule, i) => checkRule(rule, `$.assertions[${i}]`, problems));
  return finish(problems, parsed.success ? job : undefined, http);
}

/**
 * The parsable parts of a job that failed its schema: each top-level block and each step on its
 * own. Steps that do not parse leave a hole (undefined) so later steps keep their indexes.
 */
function salvage(raw: unknown): { job: Job; rawStepIds: Array<string | undefined> } {
  const r = (raw !== null && typeof raw === 'object' && !Array.isArray(raw) ? raw : {}) as Record<string, unknown>;
  const pick = <T>(schema: z.ZodType<T>, v: unknown): T | undefined => {
    const p = schema.safeParse(v);
    return p.success ? p.data : undefined;
  };
  const scenario = r.scenario as { steps?: unknown } | undefined;
  const rawSteps: unknown[] = Array.isArray(scenario?.steps) ? scenario.steps : [];
  const job = {
    schemaVersion: 1,
    jobType: 'invalid',
    http: pick(HttpConfigSchema, r.http),
    credentials: pick(CredentialsSchema, r.credentials),
    dependencies: pick(DependenciesSchema, r.dependencies),
    inputs: pick(InputsSchema, r.inputs),
    scenario: { steps: rawSteps.map((s) => pick(StepSchema, s)) },
    assertions: pick(AssertionsSchema, r.assertions),
  } as unknown as Job;
  const rawStepIds = rawSteps.map((s) => {
    const id = (s as { id?: unknown } | null)?.id;
    return typeof id === 'string' ? id : undefined;
  });
  return { job, rawStepIds };
}

function finish(problems: Problems, job?: Job, http?: ValidationResult['http']): ValidationResult {
  const exitCode = problems.exitCode();
  return { job: exitCode === 0 ? job : undefined, errors: problems.errors, warnings: problems.warnings, exitCode, http };
}

function missingDependencyIsNotFound(job: Job, registry: Registry, problems: Problems): void {
  const missing = new Set((job.dependencies?.modules ?? []).map((d) => d.name).filter((n) => !registry.findModule(n)));
  if (missing.size === 0) return;
  for (const p of problems.errors) {
    const m = /^\$\.scenario\.steps\[(\d+)\]\.(payload\.)?action$/.exec(p.path);
    const step = m ? job.scenario.steps[Number(m[1])] : undefined;
    const action = m?.[2] ? (step?.payload as { action?: unknown } | undefined)?.action : step?.action;
    if (p.code === 'UNKNOWN_ACTION' && typeof action === 'string' && missing.has(action.split('.')[0])) p.exitCode = 4;
  }
}

/** The module copies (version, layer) that serve the job's actions of module `name`. */
function servingCopies(job: Job, registry: Registry, name: string): Array<{ version: string; layer: string }> {
  const out = new Map<string, { version: string; layer: string }>();
  for (const step of job.scenario.steps) {
    if (!step) continue;
    const inner = step.action === 'flow.poll' ? (step.payload as { action?: unknown } | undefined)?.action : undefined;
    for (const action of [step.action, inner]) {
      const a = typeof action === 'string' ? registry.get(action) : undefined;
      if (a && a.module === name) out.set(`${a.layer}:${a.version}`, { version: a.version, layer: a.layer });
    }
  }
  return [...out.values()];
}

function checkDependencies(job: Job, registry: Registry, _http: unknown, problems: Problems): void {
  (job.dependencies?.modules ?? []).forEach((dep, i) => {
    const where = `$.dependencies.modules[${i}]`;
    const mod = registry.findModule(dep.name);
    if (!mod) {
      const failed = registry.errorFor(dep.name);
      problems.error(where, 'MODULE_NOT_FOUND', `The job depends on module "${dep.name}", which is not installed.`, failed ? `It failed to load: ${failed.reason}` : `Install it (dispatch module install --bundle <file>) or add it under ./modules; dispatch module list shows what is available.`, 4);
      return;
    }
    if (dep.version) {
      if (!semver.validRange(dep.version)) {
        problems.error(`${where}.version`, 'MODULE_VERSION_RANGE', `"${dep.version}" is not a semver range.`, 'Use a range such as ^0.2.0 or >=1.0.0 <2.');
      } else {
        // Actions resolve per action, so every copy that serves one of this job's actions must fit,
        // not just the top layer's (a user copy may override only some actions).
        const serving = servingCopies(job, registry, dep.name);
        const copies = serving.length > 0 ? serving : [{ version: mod.version, layer: mod.layer }];
        const outside = copies.find((c) => !semver.satisfies(c.version, dep.version!, { includePrerelease: true }));
        if (outside) {
          problems.error(`${where}.version`, 'MODULE_VERSION', `Module "${dep.name}" is version ${outside.version} (${outside.layer} layer), outside the required range ${dep.version}.`, `Install a version matching ${dep.version}, or relax the range.`);
        }
      }
    }
  });
}

