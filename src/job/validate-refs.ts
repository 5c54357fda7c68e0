import { checkJsonPathSyntax } from '../engine/jsonpath.js';
import { parseTemplate, type Ref } from '../engine/template.js';
import { isDispatchError } from '../errors.js';
import { didYouMean, type Problems } from './problems.js';
import { parseKeyPath } from '../util/key-path.js';
import { isSensitiveEnvName } from '../output/redact.js';

/** What a location in the job may reference, and what exists at that point. */
export interface RefScope {
  env: Record<string, string | undefined>;
  /** run.* names available here (inputs, --set, earlier captures, built-ins). */
  runNames: Set<string>;
  /** Step ids that ran before this location. */
  earlierSteps: ReadonlySet<string>;
  allSteps: Set<string>;
  allow: { run: boolean; step: boolean };
  /** Replay answers from the record: env values are not needed. */
  skipEnv?: boolean;
  /** Resolved before any step runs (http): only inputs and --set can feed run.* here. */
  beforeSteps?: boolean;
  /** A section that could declare run names is broken: an unknown name may be one of its own. */
  runNamesUncertain?: boolean;
  /** Shared across the whole job: which run names are read, and which notes were given once. */
  track?: RefTracking;
}

export interface RefTracking {
  /** run.* names read by some reference. */
  used: Set<string>;
  /** Names given by inputs or --set (they override the batch-only built-ins). */
  declared: Set<string>;
  /** Batch-only names already warned about (once per job, not per use). */
  warned: Set<string>;
}

/** run.* names only `job run-many` sets: a single run has run.index 0 and no run.batchId. */
const BATCH_ONLY: Record<string, string> = {
  batchId: 'run.batchId is set only under dispatch job run-many: a single job run fails on it (REFERENCE_UNRESOLVED).',
  index: 'run.index is set only under dispatch job run-many: a single job run always has run.index 0.',
};

const MAX_WALK_DEPTH = 80;

/** Checks every `${...}` inside `value`; reports problems at their JSON path. Returns true if any were found. */
export function checkReferences(value: unknown, where: string, scope: RefScope, problems: Problems, depth = 0): boolean {
  if (typeof value === 'string') return checkString(value, where, scope, problems);
  if (value === null || typeof value !== 'object' || depth > MAX_WALK_DEPTH) return false;
  let any = false;
  if (Array.isArray(value)) {
    value.forEach((v, i) => {
      any = checkReferences(v, `${where}[${i}]`, scope, problems, depth + 1) || any;
    });
    return any;
  }
  for (const [k, v] of Object.entries(value)) {
    any = checkReferences(v, /^[A-Za-z_$][\w$]*$/.test(k) ? `${where}.${k}` : `${where}[${JSON.stringify(k)}]`, scope, problems, depth + 1) || any;
  }
  return any;
}

function checkString(s: string, where: string, scope: RefScope, problems: Problems): boolean {
  let template;
  try {
    template = parseTemplate(s);
  } catch (err) {
    if (!isDispatchError(err)) throw err;
    problems.error(where, err.code, err.message, err.hint);
    return true;
  }
  if (!template) return false;
  for (const part of template.parts) {
    if (typeof part !== 'string') checkRef(part.ref, part.expr, where, scope, problems);
  }
  return true;
}

function checkRef(ref: Ref, expr: string, where: string, scope: RefScope, problems: Problems): void {
  const shown = `\${${expr.length > 80 ? `${expr.slice(0, 80)}…` : expr}}`;
  if (ref.kind === 'env') {
    if (!scope.skipEnv && ref.fallback === undefined && (!Object.hasOwn(scope.env, ref.name) || scope.env[ref.name] === undefined)) {
      problems.error(
        where,
        'ENV_MISSING',
        `${shown} needs environment variable ${ref.name}, which is not set.`,
        `Set ${ref.name} (e.g. in .envrc or CI), or give a fallback: \${env.${ref.name}:-value}.`,
      );
    }
    // Its value is masked at run time all the same (DESIGN 14), but a secret read through ${env.*}
    // lands in payloads and headers that the record keeps: credentials is the place for it.
    if (isSensitiveEnvName(ref.name) && scope.track && !scope.track.warned.has(`env:${ref.name}`)) {
      scope.track.warned.add(`env:${ref.name}`);
      problems.warn(
        where,
        'SECRET_ENV_OUTSIDE_CREDENTIALS',
        `${shown} reads ${ref.name}, whose name says it holds a secret, outside credentials.`,
        `Bind it through a credentials profile ("credentials": {"<profile>": {"fromEnv": {"<field>": "${ref.name}"}}}) and a step's "credential"; dispatch masks its value in records either way.`,
      );
    }
    return;
  }
  if ((ref.kind === 'run' || ref.kind === 'step') && ref.path !== undefined) {
    try {
      parseKeyPath(ref.path.startsWith('[') ? ref.path.replace(/^\[(\d+)\]/, '$1') : ref.path, 'reference path');
    } catch (err) {
      if (!isDispatchError(err)) throw err;
      problems.error(where, err.code, `${shown}: ${err.message}`, err.hint);
      return;
    }
  }
  if (ref.kind === 'run') {
    scope.track?.used.add(ref.name);
    if (!scope.allow.run) {
      problems.error(where, 'REFERENCE_NOT_ALLOWED', `${shown} cannot be used here: only \${env.*} is available at this point.`);
    } else if (!scope.runNames.has(ref.name)) {
      if (scope.runNamesUncertain) return;
      const guess = didYouMean(ref.name, scope.runNames);
      const fix = scope.beforeSteps
        ? `http is resolved before any step runs, so captures cannot feed it: declare ${ref.name} under inputs or pass --set ${ref.name}=value.`
        : `Capture it on an earlier step ("capture": {"${ref.name}": "response.id"}), declare it under inputs, or pass --set ${ref.name}=value.`;
      const from = scope.beforeSteps ? 'no input or --set value' : 'no earlier capture or input';
      problems.error(where, 'RUN_UNKNOWN', `${shown} reads run.${ref.name}, which ${from} produces.`, guess ? `Did you mean run.${guess}?` : fix);
    } else if (Object.hasOwn(BATCH_ONLY, ref.name) && scope.track && !scope.track.declared.has(ref.name) && !scope.track.warned.has(ref.name)) {
      scope.track.warned.add(ref.name);
      problems.warn(where, 'RUN_BATCH_ONLY', BATCH_ONLY[ref.name], `Run it with dispatch job run-many, or pass --set ${ref.name}=value for a single run.`);
    }
    return;
  }
  if (!scope.allow.step) {
    problems.error(where, 'REFERENCE_NOT_ALLOWED', `${shown} cannot be used here: step results exist only inside scenario steps.`);
    return;
  }
  if (!scope.earlierSteps.has(ref.id)) {
    if (scope.allSteps.has(ref.id)) {
      problems.error(where, 'STEP_NOT_YET', `${shown} reads step "${ref.id}", which has not run at this point.`, 'A step can only read steps listed before it.');
    } else {
      const guess = didYouMean(ref.id, scope.allSteps);
      problems.error(where, 'STEP_UNKNOWN', `${shown} reads step "${ref.id}", which does not exist.`, guess ? `Did you mean "${guess}"?` : undefined);
    }
  }
  if (ref.kind === 'jsonpath') {
    try {
      checkJsonPathSyntax(ref.path);
    } catch (err) {
      if (!isDispatchError(err)) throw err;
      problems.error(where, err.code, err.message, err.hint);
    }
  }
}
