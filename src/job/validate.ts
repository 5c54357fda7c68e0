import semver from 'semver';
import { isDispatchError } from '../errors.js';
import { checkJsonPathSyntax } from '../engine/jsonpath.js';
import { regexProblem } from '../engine/conditions.js';
import { interpolate } from '../engine/interpolate.js';
import { parseTemplate } from '../engine/template.js';
import { MEMORY_WRITE_ACTIONS } from '../modules/builtin/memory.js';
import type { Registry } from '../modules/registry.js';
import type { ActionDefaults } from '../state/defaults.js';
import { getAtPath, parseKeyPath } from '../util/key-path.js';
import type { z } from 'zod';
import { AssertionsSchema, CredentialsSchema, DependenciesSchema, HttpConfigSchema, InputsSchema, JobSchema, StepSchema, type Job, type JobKind, type Rule } from './schema.js';
import { jsonPathOf, Problems, type Problem } from './problems.js';
import { reportSchemaIssues } from './schema-issues.js';
import { checkSteps } from './validate-steps.js';
import { checkReferences, type RefScope } from './validate-refs.js';

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
  http?: { baseUrl?: string; defaultHeaders?: Record<string, string>; timeoutMs?: number };
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

/** Resolves `http` against env and inputs and checks what it resolves to. */
function checkHttp(job: Job, env: Record<string, string | undefined>, problems: Problems): ValidationResult['http'] {
  if (!job.http) {
    checkRequiredHttp(job, {}, problems);
    return undefined;
  }
  // Resolve field by field: one unset env var must not hide problems in the others.
  let inputs: Record<string, unknown> = {};
  try {
    inputs = interpolate(job.inputs ?? {}, { env, run: {}, steps: {} }, '$.inputs') as Record<string, unknown>;
  } catch {
    /* reported per reference */
  }
  const scope = { env, run: { ...inputs, index: 0 }, steps: {} };
  const tryResolve = (v: unknown, where: string) => {
    try {
      return interpolate(v, scope, where);
    } catch (err) {
      if (!isDispatchError(err)) throw err;
      return undefined; // missing env vars were already reported per reference
    }
  };
  const resolved: Record<string, unknown> = {};
  if (job.http.baseUrl !== undefined) resolved.baseUrl = tryResolve(job.http.baseUrl, '$.http.baseUrl');
  if (job.http.timeoutMs !== undefined) resolved.timeoutMs = tryResolve(job.http.timeoutMs, '$.http.timeoutMs');
  if (job.http.defaultHeaders !== undefined) {
    const headers: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(job.http.defaultHeaders)) {
      const r = tryResolve(v, `$.http.defaultHeaders.${k}`);
      if (r !== undefined) headers[k] = r;
    }
    resolved.defaultHeaders = headers;
  }
  const out: NonNullable<ValidationResult['http']> = {};
  if (resolved.baseUrl !== undefined) {
    const url = String(resolved.baseUrl);
    if (!/^https?:\/\//i.test(url) || !URL.canParse(url)) {
      problems.error('$.http.baseUrl', 'HTTP_CONFIG', `http.baseUrl resolves to "${url}", which is not an absolute http(s) URL.`, 'Use a value like https://api.example.com (check the env var it reads).');
    } else out.baseUrl = url;
  }
  if (resolved.defaultHeaders !== undefined) {
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(resolved.defaultHeaders as Record<string, unknown>)) {
      if (!/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(name)) problems.error(jsonPathOf(['http', 'defaultHeaders', name]), 'HTTP_CONFIG', `"${name}" is not a valid header name.`);
      else if (typeof value !== 'string' || /[\r\n\0]/.test(value)) problems.error(jsonPathOf(['http', 'defaultHeaders', name]), 'HTTP_CONFIG', `Header ${name} must resolve to a single-line string.`);
      else headers[name.toLowerCase()] = value;
    }
    out.defaultHeaders = headers;
  }
  if (resolved.timeoutMs !== undefined) {
    const n = Number(resolved.timeoutMs);
    if (!Number.isInteger(n) || n <= 0) problems.error('$.http.timeoutMs', 'HTTP_CONFIG', `http.timeoutMs resolves to ${JSON.stringify(resolved.timeoutMs)}; it must be a positive whole number of milliseconds.`);
    else out.timeoutMs = n;
  }
  // Header names are case-insensitive: required paths read the lowercased headers.
  checkRequiredHttp(job, out.defaultHeaders ? { ...resolved, defaultHeaders: out.defaultHeaders } : resolved, problems);
  return out;
}

function checkRequiredHttp(job: Job, resolved: Record<string, unknown>, problems: Problems): void {
  (job.dependencies?.http?.required ?? []).forEach((p, i) => {
    const where = `$.dependencies.http.required[${i}]`;
    let found: { found: boolean; value?: unknown };
    try {
      const segments = parseKeyPath(p, 'required http path');
      if (segments[0] === 'defaultHeaders' && typeof segments[1] === 'string') segments[1] = segments[1].toLowerCase();
      found = getAtPath(resolved, segments);
    } catch (err) {
      if (!isDispatchError(err)) throw err;
      problems.error(where, err.code, err.message, err.hint);
      return;
    }
    if (!found.found || found.value === '' || found.value === null || found.value === undefined) {
      problems.error(where, 'HTTP_REQUIRED_MISSING', `The job requires http.${p}, but it is missing or empty.`, `Set http.${p} in the job (usually from \${env.*}) and make sure the env var it reads is set.`);
    }
  });
}

/** A step calling a declared dependency that is not installed fails for the same reason: not found (exit 4), not a typo. */
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
      } else if (!semver.satisfies(mod.version, dep.version, { includePrerelease: true })) {
        problems.error(`${where}.version`, 'MODULE_VERSION', `Module "${dep.name}" is version ${mod.version} (${mod.layer} layer), outside the required range ${dep.version}.`, `Install a version matching ${dep.version}, or relax the range.`);
      }
    }
  });
}

const OPS_WITH_VALUE = new Set(['eq', 'neq', 'gt', 'gte', 'lt', 'lte', 'in', 'contains', 'matches']);

/** A rule that cannot hold as written is a job error, not a silent "did not hold" later. */
export function checkRule(rule: Rule, where: string, problems: Problems): void {
  checkRulePath(rule.path, `${where}.path`, problems);
  const v = rule.value;
  if (OPS_WITH_VALUE.has(rule.op) && v === undefined) {
    problems.error(`${where}.value`, 'RULE_VALUE_MISSING', `Rule op "${rule.op}" needs a value to compare with.`, `Add "value", or use op "exists"/"absent".`);
  } else if (rule.op === 'in' && !Array.isArray(v)) {
    problems.error(`${where}.value`, 'RULE_VALUE_TYPE', 'Rule op "in" needs an array of allowed values.', 'Example: {"op": "in", "value": ["ready", "done"]}.');
  } else if (['gt', 'gte', 'lt', 'lte'].includes(rule.op) && typeof v !== 'number' && typeof v !== 'string') {
    problems.error(`${where}.value`, 'RULE_VALUE_TYPE', `Rule op "${rule.op}" compares numbers or strings, not ${JSON.stringify(v)}.`);
  } else if (rule.op === 'matches') {
    const problem = typeof v === 'string' ? regexProblem(v) : 'the value must be a regular expression string';
    if (problem) problems.error(`${where}.value`, 'RULE_REGEX', `Rule op "matches": ${problem}.`, 'Use a plain pattern such as ^ready$; nested quantifiers like (a+)+ are refused.');
  }
}

export function checkRulePath(path: string, where: string, problems: Problems): void {
  try {
    if (path.startsWith('$')) checkJsonPathSyntax(path);
    else parseKeyPath(path, 'rule path');
  } catch (err) {
    if (!isDispatchError(err)) throw err;
    problems.error(where, err.code, err.message, err.hint);
  }
}

/** True when any string inside holds `${...}` (escapes `$${` excluded). */
export function hasInterpolation(value: unknown, depth = 0): boolean {
  if (typeof value === 'string') {
    try {
      const t = parseTemplate(value);
      return t !== null && t.parts.some((p) => typeof p !== 'string');
    } catch {
      return true;
    }
  }
  if (value === null || typeof value !== 'object' || depth > 80) return false;
  return Object.values(value).some((v) => hasInterpolation(v, depth + 1));
}
