import { usageError } from '../errors.js';

const NAMESPACE_RE = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;
const NAMESPACE_MAX = 128;

/** A memory namespace as a file name can hold it; anything else is INVALID_NAMESPACE (exit 2). */
export function validateNamespace(namespace: unknown): string {
  const shown = typeof namespace === 'string' ? JSON.stringify(namespace.length > 80 ? `${namespace.slice(0, 80)}…` : namespace) : String(namespace);
  if (typeof namespace !== 'string' || namespace.length === 0 || namespace.length > NAMESPACE_MAX || !NAMESPACE_RE.test(namespace) || namespace.includes('..')) {
    throw usageError('INVALID_NAMESPACE', `Invalid memory namespace ${shown}.`, {
      hint: `Namespaces start with a letter or digit, then use only letters, digits, ".", "_" or "-" (no "/", "\\" or ".."), at most ${NAMESPACE_MAX} characters; e.g. "crm-users".`,
      details: { namespace },
    });
  }
  return namespace;
}
