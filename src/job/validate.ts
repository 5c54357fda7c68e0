import { semver } from '../util/semver.js';
import { MEMORY_WRITE_ACTIONS } from '../modules/builtin/memory.js';
import type { Registry } from '../modules/registry.js';
import type { ActionDefaults } from '../state/defaults.js';
import { JobSchema, type Job, type JobKind } from './schema.js';
import { didYouMean, Problems, type Problem } from './problems.js';
import { salvage } from './salvage.js';
import { findDuplicateKeys } from './duplicate-keys.js';
import { reportSchemaIssues } from './schema-issues.js';
import { checkSteps } from './validate-steps.js';
import { actionNameHint } from './validate-payload.js';
import { checkReferences, type RefScope, type RefTracking } from './validate-refs.js';
import { checkHttp, type ResolvedHttp } from './validate-http.js';
import { assertedName, checkAssertion } from './validate-rules.js';

interface ValidateOptions {
  kind: JobKind;
  registry: Registry;
  env: Record<string, string | undefined>;
  defaults?: ActionDefaults;
  /** Names given with `job run --set`. */
  setNames?: string[];
  /** Replay: actions are answered from the record, so env and credentials need not be present. */
  replay?: boolean;
  /** The file's text, for findings JSON.parse hides (a key written twice). */
  sourceText?: string;
  /** Working folder: http.tls file paths are relative to it. */
  cwd?: string;
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
  // Paths of the parts that failed their schema: checks that need a whole part stay quiet there.
  const broken = new Set<string>();
  let job: Job;
  if (parsed.success) job = parsed.data;
  else {
    reportSchemaIssues(problems, JobSchema, parsed.error.issues, { root: raw, hint: actionNameHint(opts.registry) });
    // Keep going on the parts that do parse, so one pass reports every problem.
    job = salvageJob(raw, broken);
  }
  const rawStepIds = stepIdsAsWritten(raw);
  const env = opts.env;
  const declared = new Set([...Object.keys(job.inputs ?? {}), ...(opts.setNames ?? [])]);
  const inputNames = new Set([...declared, ...BUILTIN_RUN_NAMES]);
  const track: RefTracking = { used: new Set(), declared, warned: new Set() };
  const stepIds = new Set(rawStepIds.filter((id): id is string => typeof id === 'string'));
  const base: RefScope = {
    env,
    runNames: inputNames,
    earlierSteps: new Set(),
    allSteps: stepIds,
    allow: { run: false, step: false },
    skipEnv: opts.replay,
    track,
    runNamesUncertain: broken.has('$.inputs'),
  };

  checkReferences(job.inputs ?? {}, '$.inputs', base, problems);
  checkReferences(job.http ?? {}, '$.http', { ...base, allow: { run: true, step: false }, beforeSteps: true }, problems);
  checkReferences(job.dependencies ?? {}, '$.dependencies', base, problems);
  const http = opts.replay ? undefined : checkHttp(job, env, problems, broken, opts.cwd);
  checkDependencies(job, opts.registry, http, problems);
  checkSteps(job, { ...opts, inputNames, stepIds, rawStepIds, problems, memoryWriteActions: MEMORY_WRITE_ACTIONS, broken, track });
  missingDependencyIsNotFound(job, opts.registry, problems);
  // Step ids are certain only when the steps are a list and every step was read with its id.
  const rawSteps = (raw as { scenario?: { steps?: unknown } } | null)?.scenario?.steps;
  const assertable = Array.isArray(rawSteps) && rawStepIds.every((id) => id !== undefined) ? stepIds : undefined;
  (job.assertions ?? []).forEach((rule, i) => checkAssertion(rule, `$.assertions[${i}]`, problems, assertable));
  if (!opts.replay) unusedSetNames(job, opts.setNames ?? [], track, problems);
  if (opts.sourceText !== undefined) warnDuplicateKeys(opts.sourceText, problems);
  return finish(problems, parsed.success ? job : undefined, http);
}

/**
 * The parsable parts of a job that failed its schema, field by field (see salvage.ts). Steps keep
 * their indexes; a step that is not an object at all is a hole (undefined).
 */
function salvageJob(raw: unknown, broken: Set<string>): Job {
  const partial = (salvage(JobSchema, raw, broken) ?? {}) as Partial<Job>;
  const steps = Array.isArray(partial.scenario?.steps) ? partial.scenario.steps : [];
  return { ...partial, schemaVersion: 1, jobType: 'invalid', scenario: { steps } } as Job;
}

function stepIdsAsWritten(raw: unknown): Array<string | undefined> {
  const steps = (raw as { scenario?: { steps?: unknown } } | null)?.scenario?.steps;
  return (Array.isArray(steps) ? steps : []).map((s) => {
    const id = (s as { id?: unknown } | null)?.id;
    return typeof id === 'string' ? id : undefined;
  });
}

/** A --set name the job never reads is most likely a typo: the run would silently ignore it. */
function unusedSetNames(job: Job, setNames: string[], track: RefTracking, problems: Problems): void {
  const asserted = new Set((job.assertions ?? []).map((r) => (typeof r?.path === 'string' ? assertedName(r.path, 'run') : undefined)));
  for (const name of setNames) {
    if (track.used.has(name) || Object.hasOwn(job.inputs ?? {}, name) || asserted.has(name)) continue;
    const guess = didYouMean(name, [...track.used, ...Object.keys(job.inputs ?? {})]);
    problems.warn(
      '$',
      'SET_UNUSED',
      `--set ${name} is not read by this job: nothing refers to \${run.${name}}.`,
      guess ? `Did you mean --set ${guess}=...?` : 'Check the name against the ${run.<name>} references of the job.',
    );
  }
}

function warnDuplicateKeys(text: string, problems: Problems): void {
  for (const d of findDuplicateKeys(text)) {
    problems.warn(d.path, 'DUPLICATE_KEY', `${d.path} is written more than once (again on line ${d.line}); JSON keeps only the last value.`, 'Remove the copy you do not mean, or merge the two.');
  }
}

function finish(problems: Problems, job?: Job, http?: ValidationResult['http']): ValidationResult {
  const exitCode = problems.exitCode();
  return { job: exitCode === 0 ? job : undefined, errors: problems.errors, warnings: problems.warnings, exitCode, http };
}

function missingDependencyIsNotFound(job: Job, registry: Registry, problems: Problems): void {
  const missing = new Set((job.dependencies?.modules ?? []).map((d) => d?.name).filter((n): n is string => typeof n === 'string' && !registry.findModule(n)));
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
    if (typeof dep?.name !== 'string') return; // broken entry: a schema error already
    const where = `$.dependencies.modules[${i}]`;
    const mod = registry.findModule(dep.name);
    if (!mod) {
      const failed = registry.errorFor(dep.name);
      problems.error(
        where,
        'MODULE_NOT_FOUND',
        `The job depends on module "${dep.name}", which is not installed.`,
        failed ? `It failed to load: ${failed.reason}` : `Install it (dispatch module install --bundle <file>) or add it under ./modules; dispatch module list shows what is available.`,
        4,
      );
      return;
    }
    if (dep.version) {
      if (!semver().validRange(dep.version)) {
        problems.error(`${where}.version`, 'MODULE_VERSION_RANGE', `"${dep.version}" is not a semver range.`, 'Use a range such as ^0.2.0 or >=1.0.0 <2.');
      } else {
        // Actions resolve per action, so every copy that serves one of this job's actions must fit,
        // not just the top layer's (a user copy may override only some actions).
        const serving = servingCopies(job, registry, dep.name);
        const copies = serving.length > 0 ? serving : [{ version: mod.version, layer: mod.layer }];
        const outside = copies.find((c) => !semver().satisfies(c.version, dep.version!, { includePrerelease: true }));
        if (outside) {
          problems.error(
            `${where}.version`,
            'MODULE_VERSION',
            `Module "${dep.name}" is version ${outside.version} (${outside.layer} layer), outside the required range ${dep.version}.`,
            `Install a version matching ${dep.version}, or relax the range.`,
          );
        }
      }
    }
  });
}
