import { isDispatchError } from '../errors.js';
import { validateNamespace } from '../state/memory-names.js';
import { parseKeyPath } from '../util/key-path.js';
import type { Problems } from './problems.js';
import type { Job } from './schema.js';
import { hasInterpolation } from './validate-rules.js';
import { parseTemplate } from '../engine/template.js';
import { interpolateString } from '../engine/interpolate.js';

/**
 * Literal memory namespaces and keys are checked before anything runs, so a job that would write
 * outside the memory folder or into a prototype key fails validation (exit 2) with its path.
 * Values built only from ${env.*} are resolved and checked too; values that read run or step
 * data are checked by the store when the step runs.
 */
export function checkMemoryPayload(action: string, payload: unknown, at: string, problems: Problems, env: Env = {}): void {
  if (!action.startsWith('memory.') || payload === null || typeof payload !== 'object') return;
  const p = payload as { namespace?: unknown; key?: unknown };
  checkLiteral(p.namespace, `${at}.namespace`, problems, env, (v) => validateNamespace(v));
  checkLiteral(p.key, `${at}.key`, problems, env, (v) => parseKeyPath(v, 'memory key'));
}

/** The same checks for `dependencies.memory[]`. */
export function checkMemoryDependencies(job: Job, problems: Problems, env: Env = {}): void {
  (job.dependencies?.memory ?? []).forEach((d, i) => {
    if (!d) return; // an entry that failed its schema (salvaged as a hole)
    const at = `$.dependencies.memory[${i}]`;
    checkLiteral(d.namespace, `${at}.namespace`, problems, env, (v) => validateNamespace(v));
    checkLiteral(d.key, `${at}.key`, problems, env, (v) => parseKeyPath(v, 'memory key'));
  });
}

type Env = Record<string, string | undefined>;

function checkLiteral(value: unknown, where: string, problems: Problems, env: Env, check: (v: string) => unknown): void {
  if (typeof value !== 'string') return; // wrong types are schema errors
  const resolved = hasInterpolation(value) ? envOnly(value, env) : value;
  if (resolved === undefined) return;
  try {
    check(resolved);
  } catch (err) {
    if (!isDispatchError(err)) throw err;
    problems.error(where, err.code, err.message, err.hint);
  }
}

/** The value of a template that reads only ${env.*} (and resolves), else undefined. */
function envOnly(value: string, env: Env): string | undefined {
  try {
    const t = parseTemplate(value);
    if (!t || t.parts.some((p) => typeof p !== 'string' && p.ref.kind !== 'env')) return undefined;
    const v = interpolateString(value, { env, run: {}, steps: {} }, '$');
    return typeof v === 'string' ? v : undefined;
  } catch {
    return undefined; // unset env vars and syntax errors are reported by the reference checks
  }
}
