import type { z } from 'zod';
import { didYouMean, jsonPathOf, type Problems } from './problems.js';

/** Reports zod issues as problems, adding "did you mean" for unknown keys near a known one. */
export function reportSchemaIssues(problems: Problems, schema: z.ZodType, issues: z.core.$ZodIssue[], prefix: PropertyKey[] = []): void {
  for (const issue of issues) {
    const where = [...prefix, ...issue.path];
    if (issue.code === 'unrecognized_keys') {
      const known = knownKeysAt(schema, issue.path);
      for (const key of issue.keys) {
        const guess = known ? didYouMean(key, known) : undefined;
        problems.error(
          jsonPathOf([...where, key]),
          'UNKNOWN_KEY',
          `Unknown key "${key}".`,
          guess ? `Did you mean "${guess}"?` : known ? `Allowed keys here: ${known.join(', ')}.` : undefined,
        );
      }
      continue;
    }
    if (issue.code === 'invalid_union' && 'errors' in issue && Array.isArray(issue.errors) && issue.errors.length > 0) {
      const first = (issue.errors as z.core.$ZodIssue[][]).reduce((a, b) => (b.length < a.length ? b : a));
      if (first.length > 0) {
        reportSchemaIssues(problems, schema, first.map((i) => ({ ...i, path: [...issue.path, ...i.path] })), prefix);
        continue;
      }
    }
    problems.error(jsonPathOf(where), 'SCHEMA', issue.message);
  }
}

/** Walks the zod schema along a data path to list the keys a strict object allows there. */
export function knownKeysAt(schema: z.ZodType, path: ReadonlyArray<PropertyKey>): string[] | undefined {
  let cur: unknown = schema;
  for (const seg of path) {
    cur = unwrap(cur);
    const def = (cur as { def?: Record<string, unknown> }).def;
    if (!def) return undefined;
    if (def.type === 'object') cur = (def.shape as Record<string, unknown>)[String(seg)];
    else if (def.type === 'array') cur = def.element;
    else if (def.type === 'record') cur = def.valueType;
    else return undefined;
    if (!cur) return undefined;
  }
  const def = (unwrap(cur) as { def?: { type?: string; shape?: Record<string, unknown> } }).def;
  return def?.type === 'object' && def.shape ? Object.keys(def.shape) : undefined;
}

function unwrap(s: unknown): unknown {
  let cur = s as { def?: { type?: string; innerType?: unknown } };
  while (cur?.def && (cur.def.type === 'optional' || cur.def.type === 'default' || cur.def.type === 'nullable' || cur.def.type === 'pipe')) {
    cur = (cur.def.innerType ?? (cur.def as { in?: unknown }).in) as typeof cur;
  }
  return cur;
}
