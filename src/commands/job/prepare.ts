import { registerJobSecrets } from '../../job/register-secrets.js';
import { usageError, DispatchError, type NextHint } from '../../errors.js';
import { loadJobFile, type LoadedJobFile } from '../../job/load.js';
import type { Job } from '../../job/schema.js';
import { RUN_NAME } from '../../job/schema.js';
import { FORBIDDEN_SEGMENTS } from '../../util/key-path.js';
import { validateJob, type ValidationResult } from '../../job/validate.js';
import type { Problem } from '../../job/problems.js';
import { findFillJob } from './fill-job.js';
import { loadRegistry } from '../../modules/loader.js';
import type { Registry } from '../../modules/registry.js';
import { readActionDefaults, type ActionDefaults } from '../../state/defaults.js';
import { homeOf, type BaseOptions } from '../context.js';

export interface PreparedJob {
  file: LoadedJobFile;
  job: Job;
  registry: Registry;
  validation: ValidationResult;
  defaults: ActionDefaults;
  home: string;
}

/** Loads, resolves modules for, and validates a job file; `job` is set only when it is valid. */
export async function loadAndValidate(base: BaseOptions, casePath: string, opts: { setNames?: string[]; replay?: boolean; file?: LoadedJobFile } = {}) {
  const file = opts.file ?? (await loadJobFile(casePath, base.cwd));
  const home = homeOf(base);
  const [registry, defaults] = await Promise.all([loadRegistry({ cwd: base.root, home, only: modulesNamedIn(file.raw) }), readActionDefaults(home)]);
  // Before validation can print anything about the job: its secrets, and the names never to mask.
  registerJobSecrets(file.raw, base.env, registry);
  const validation = validateJob(file.raw, { kind: file.kind, registry, env: base.env, defaults, setNames: opts.setNames, replay: opts.replay, sourceText: file.text, cwd: base.cwd });
  if (validation.job && !opts.replay) validation.warnings.push(...(await missingFillJobs(validation.job, base.root, home)));
  return { file, registry, defaults, validation, home };
}

/**
 * A declared fill job that no module layer has: only a warning, since the run needs it only when
 * the memory key is missing (and --resolve-deps then fails naming it), but validate should say so.
 */
async function missingFillJobs(job: Job, cwd: string, home: string): Promise<Problem[]> {
  const out: Problem[] = [];
  const deps = job.dependencies?.memory ?? [];
  for (const [i, dep] of deps.entries()) {
    if (!dep.fill) continue;
    const { found, searched } = await findFillJob(cwd, home, dep.fill.module, dep.fill.job);
    if (found) continue;
    out.push({
      path: `$.dependencies.memory[${i}].fill`,
      code: 'FILL_JOB_NOT_FOUND',
      message: `Fill job ${dep.fill.module}/${dep.fill.job} is not in any module layer; --resolve-deps could not fill ${dep.namespace}/${dep.key}.`,
      hint: `Looked for: ${searched.length ? searched.join(', ') : `a module named ${dep.fill.module} (none is installed)`}.`,
      exitCode: 0,
    });
  }
  return out;
}

/** Like loadAndValidate, but an invalid job throws JOB_INVALID carrying every problem. */
export async function prepareJob(base: BaseOptions, casePath: string, opts: { setNames?: string[]; replay?: boolean; file?: LoadedJobFile } = {}): Promise<PreparedJob> {
  const r = await loadAndValidate(base, casePath, opts);
  if (!r.validation.job) throw invalidJobError(casePath, r.validation);
  return { ...r, job: r.validation.job };
}

export function invalidJobError(casePath: string, v: ValidationResult): DispatchError {
  const first = v.errors[0];
  return new DispatchError({
    code: 'JOB_INVALID',
    exitCode: v.exitCode === 0 ? 2 : v.exitCode,
    message: `${casePath} is invalid: ${v.errors.length} problem(s); first at ${first.path}: ${first.message}`,
    hint: first.hint ?? 'Fix the problems listed in error.details.errors, then validate again.',
    details: { errors: v.errors, warnings: v.warnings },
    // Every problem is already in details.errors: point at what helps fix them, never at a
    // command that would only repeat this answer.
    next: [...fixHints(v), ...moduleDependencyHints(v)],
  });
}

function fixHints(v: ValidationResult): NextHint[] {
  const codes = new Set(v.errors.map((e) => e.code));
  const hints: NextHint[] = [];
  if (['ENV_MISSING', 'CREDENTIAL_ENV_MISSING'].some((c) => codes.has(c))) hints.push({ command: 'dispatch doctor', description: 'list the env vars your jobs need that are unset' });
  if (codes.has('UNKNOWN_ACTION')) hints.push({ command: 'dispatch module list', description: 'see every module and action available' });
  if (['SCHEMA', 'UNKNOWN_KEY'].some((c) => codes.has(c))) hints.push({ command: 'dispatch schema case --print', description: 'the JSON Schema of a job file' });
  return hints;
}

/** next[] for unmet dependencies.modules: what is installed, and how to install a bundle. */
function moduleDependencyHints(v: ValidationResult): Array<{ command: string; description: string }> {
  if (!v.errors.some((e) => e.code === 'MODULE_NOT_FOUND' || e.code === 'MODULE_VERSION')) return [];
  return [
    { command: 'dispatch module list', description: 'see installed modules and their versions' },
    { command: 'dispatch module install --bundle <module.dpmod.zip>', description: 'install a module (or a matching version) into the user layer' },
  ];
}

/** Module names the job mentions, so only those modules are imported (a cheap scan of raw JSON). */
function modulesNamedIn(raw: unknown): Set<string> {
  const names = new Set<string>();
  const r = raw as { scenario?: { steps?: unknown }; dependencies?: { modules?: unknown } } | null;
  const steps = Array.isArray(r?.scenario?.steps) ? r.scenario.steps : [];
  for (const s of steps as Array<{ action?: unknown; payload?: { action?: unknown } }>) {
    for (const a of [s?.action, s?.payload?.action]) if (typeof a === 'string' && a.includes('.')) names.add(a.split('.')[0]);
  }
  const deps = Array.isArray(r?.dependencies?.modules) ? r.dependencies.modules : [];
  for (const d of deps as Array<{ name?: unknown }>) if (typeof d?.name === 'string') names.add(d.name);
  return names;
}

/** Parses `--set name=value` pairs; values are JSON when they parse as JSON, else strings. */
export function parseSetValues(pairs: string[] = []): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    const name = eq === -1 ? pair : pair.slice(0, eq);
    if (eq === -1 || !RUN_NAME.test(name) || FORBIDDEN_SEGMENTS.has(name)) {
      throw usageError('BAD_SET', `--set "${pair}" is not name=value with a valid run name.`, { hint: 'Example: --set userId=1 --set title="hello"' });
    }
    Object.defineProperty(out, name, { value: parseSetValue(pair.slice(eq + 1)), enumerable: true, writable: true, configurable: true });
  }
  return out;
}

/** A `--set` value (or a CSV cell): its JSON value when it is JSON, else the text. */
export function parseSetValue(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** A name a run value may have (`run.<name>`): not one that reaches Object.prototype. */
export const isRunValueName = (name: string) => RUN_NAME.test(name) && !FORBIDDEN_SEGMENTS.has(name);
