import { checkJsonPathSyntax } from '../engine/jsonpath.js';
import { parseTemplate, type Ref } from '../engine/template.js';
import { isDispatchError } from '../errors.js';
import { didYouMean, type Problems } from './problems.js';
import { parseKeyPath } from '../util/key-path.js';

/** What a location in the job may reference, and what exists at that point. */
export interface RefScope {
  env: Record<string, string | undefined>;
  /** run.* names available here (inputs, --set, earlier captures, built-ins). */
  runNames: Set<string>;
  /** Step ids that ran before this location. */
  earlierSteps: Set<string>;
  allSteps: Set<string>;
  allow: { run: boolean; step: boolean };
  /** Replay answers from the record: env values are not needed. */
  skipEnv?: boolean;
}

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
      problems.error(where, 'ENV_MISSING', `${shown} needs environment variable ${ref.name}, which is not set.`, `Set ${ref.name} (e.g. in .envrc or CI), or give a fallback: \${env.${ref.name}:-value}.`);
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
    if (!scope.allow.run) {
      problems.error(where, 'REFERENCE_NOT_ALLOWED', `${shown} cannot be used here: only \${env.*} is available at this point.`);
    } else if (!scope.runNames.has(ref.name)) {
      const guess = didYouMean(ref.name, scope.runNames);
      problems.error(where, 'RUN_UNKNOWN', `${shown} reads run.${ref.name}, which no earlier capture or input produces.`, guess ? `Did you mean run.${guess}?` : `Capture it on an earlier step ("capture": {"${ref.name}": "response.id"}), declare it under inputs, or pass --set ${ref.name}=value.`);
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
