import { usageError } from '../errors.js';
import { getAtPath, parseKeyPath } from '../util/key-path.js';
import { queryJsonPath } from './jsonpath.js';
import { parseTemplate, type Expr, type Ref } from './template.js';

/** What references can read while a run executes. */
export interface Scope {
  env: Record<string, string | undefined>;
  run: Record<string, unknown>;
  steps: Record<string, { response: unknown; exports?: Record<string, unknown> }>;
}

/** Max nesting walked when interpolating; deeper payloads were refused at load time already. */
const MAX_DEPTH = 200;

/**
 * Interpolates every string inside `value` (keys untouched) and returns a new value.
 * `where` names the location for error messages, e.g. `scenario.steps[2].payload`.
 */
export function interpolate(value: unknown, scope: Scope, where: string): unknown {
  return walk(value, scope, where, 0);
}

function walk(value: unknown, scope: Scope, where: string, depth: number): unknown {
  if (typeof value === 'string') return interpolateString(value, scope, where);
  if (value === null || typeof value !== 'object') return value;
  if (depth > MAX_DEPTH) throw usageError('TOO_DEEP', `${where} is nested more than ${MAX_DEPTH} levels.`);
  if (Array.isArray(value)) return value.map((v, i) => walk(v, scope, `${where}[${i}]`, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    Object.defineProperty(out, k, { value: walk(v, scope, `${where}.${k}`, depth + 1), enumerable: true, writable: true, configurable: true });
  }
  return out;
}

export function interpolateString(input: string, scope: Scope, where: string): unknown {
  const template = parseTemplate(input);
  if (!template) return input;
  if (template.whole) return evaluate(template.parts[0] as Expr, scope, where);
  let out = '';
  for (const part of template.parts) {
    if (typeof part === 'string') out += part;
    else out += stringify(evaluate(part, scope, where), where);
  }
  return out;
}

function stringify(v: unknown, where: string): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean' || v === null) return String(v);
  try {
    return JSON.stringify(v);
  } catch {
    // JSON.stringify recurses: a response nested thousands of levels deep cannot become text.
    throw usageError('VALUE_TOO_DEEP', `A value interpolated into the string at ${where} is nested too deeply to write as text.`, {
      hint: 'Interpolate a path to the part you need (e.g. ${step.<id>.response.id}), not the whole value.',
    });
  }
}

function evaluate(part: Expr, scope: Scope, where: string): unknown {
  const value = lookup(part.ref, scope);
  if (value === undefined) {
    throw usageError('REFERENCE_UNRESOLVED', `\${${part.expr}} at ${where} resolved to nothing.`, {
      hint: hintFor(part.ref),
      details: { expression: part.expr, location: where },
    });
  }
  return value;
}

function lookup(ref: Ref, scope: Scope): unknown {
  switch (ref.kind) {
    case 'env': {
      const v = own(scope.env, ref.name);
      // Like the shell's ${X:-y}: with a fallback, empty counts as unset; without one, empty is a value.
      if (ref.fallback !== undefined) return v ? v : ref.fallback;
      return v;
    }
    case 'run':
      return readPath(own(scope.run, ref.name), ref.path);
    case 'step': {
      const step = own(scope.steps, ref.id);
      if (!step) return undefined;
      return readPath(ref.field === 'response' ? step.response : step.exports, ref.path);
    }
    case 'jsonpath': {
      const step = own(scope.steps, ref.id);
      if (!step) return undefined;
      const matches = queryJsonPath(step.response, ref.path);
      return ref.all ? matches : matches[0];
    }
  }
}

/** Own properties only: `${env.constructor}` or `${run.__proto__}` must not reach Object.prototype. */
function own<T>(record: Record<string, T>, key: string): T | undefined {
  return Object.hasOwn(record, key) ? record[key] : undefined;
}

function readPath(root: unknown, path: string | undefined): unknown {
  if (path === undefined) return root;
  const normalised = path.startsWith('[') ? path.replace(/^\[(\d+)\]/, '$1') : path;
  const res = getAtPath(root, parseKeyPath(normalised, 'reference path'));
  return res.found ? res.value : undefined;
}

function hintFor(ref: Ref): string {
  switch (ref.kind) {
    case 'env':
      return `Set ${ref.name} in the environment (or .envrc), or give a fallback: \${env.${ref.name}:-value}.`;
    case 'run':
      if (ref.name === 'batchId') return 'run.batchId is set only by dispatch job run-many; give it with --set batchId=value for a single run.';
      return `Produce run.${ref.name} with a capture on an earlier step or declare it under inputs (or pass --set ${ref.name}=value).`;
    case 'step':
    case 'jsonpath':
      return `Check that step "${ref.id}" ran earlier and that its ${ref.kind === 'step' ? ref.field : 'response'} contains that path (dispatch job inspect shows it).`;
  }
}
