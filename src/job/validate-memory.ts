import { isDispatchError } from '../errors.js';
import { validateNamespace } from '../state/memory-store.js';
import { parseKeyPath } from '../util/key-path.js';
import type { Problems } from './problems.js';
import type { Job } from './schema.js';
import { hasInterpolation } from './validate-rules.js';

/**
 * Literal memory namespaces and keys are checked before anything runs, so a job that would write
 * outside the memory folder or into a prototype key fails validation (exit 2) with its path.
 * Interpolated values are checked by the store when the step runs.
 */
export function checkMemoryPayload(action: string, payload: unknown, at: string, problems: Problems): void {
  if (!action.startsWith('memory.') || payload === null || typeof payload !== 'object') return;
  const p = payload as { namespace?: unknown; key?: unknown };
  checkLiteral(p.namespace, `${at}.namespace`, problems, (v) => validateNamespace(v));
  checkLiteral(p.key, `${at}.key`, problems, (v) => parseKeyPath(v, 'memory key'));
}

/** The same checks for `dependencies.memory[]`. */
export function checkMemoryDependencies(job: Job, problems: Problems): void {
  (job.dependencies?.memory ?? []).forEach((d, i) => {
    const at = `$.dependencies.memory[${i}]`;
    checkLiteral(d.namespace, `${at}.namespace`, problems, (v) => validateNamespace(v));
    checkLiteral(d.key, `${at}.key`, problems, (v) => parseKeyPath(v, 'memory key'));
  });
}

function checkLiteral(value: unknown, where: string, problems: Problems, check: (v: string) => unknown): void {
  if (typeof value !== 'string' || hasInterpolation(value)) return; // wrong types are schema errors
  try {
    check(value);
  } catch (err) {
    if (!isDispatchError(err)) throw err;
    problems.error(where, err.code, err.message, err.hint);
  }
}
