import type { z } from 'zod';
import type { Registry } from '../modules/registry.js';
import { didYouMean, type Problems } from './problems.js';
import { reportSchemaIssues } from './schema-issues.js';
import { hasInterpolation } from './validate-rules.js';

/**
 * Checks a payload against an action's schema with any `${...}` left in place (defaults merged
 * beneath, as at run time). Issues at or under an interpolated value wait for the run; the rest
 * (unknown keys, wrong literal values, missing required keys) are reported now.
 */
export function checkPayloadSchema(schema: z.ZodType, payload: unknown, prefix: Array<string | number>, problems: Problems, registry: Registry): void {
  const res = schema.safeParse(payload ?? {});
  if (res.success) return;
  const dynamic = dynamicPaths(payload ?? {});
  const issues = dynamic.at.size === 0 ? res.error.issues : settledIssues(res.error.issues, dynamic, []);
  if (issues.length > 0) reportSchemaIssues(problems, schema, issues, { prefix, root: payload ?? {}, hint: actionNameHint(registry) });
}

type Segs = ReadonlyArray<PropertyKey>;

/** Where the `${...}` strings are (`at`) and every object or array that holds one (`above`), by path key. */
interface DynamicPaths {
  at: Set<string>;
  above: Set<string>;
}

const keyOf = (path: Segs) => path.map(String).join('\u0000');

/** Issues not caused by an interpolated value; `base` is where the issues' paths start. */
function settledIssues(issues: z.core.$ZodIssue[], dynamic: DynamicPaths, base: Segs): z.core.$ZodIssue[] {
  const out: z.core.$ZodIssue[] = [];
  for (const issue of issues) {
    const at = [...base, ...issue.path];
    if (at.some((_, n) => dynamic.at.has(keyOf(at.slice(0, n + 1))))) continue; // at or under a ${...} value
    const above = dynamic.above.has(keyOf(at));
    if (above && issue.code === 'custom') continue; // a refine may read the interpolated value
    if (above && issue.code === 'invalid_union') {
      // The union may match once the value is known: keep it only if every branch still fails.
      const branches = issue.errors.map((branch) => settledIssues(branch, dynamic, at));
      // No branches listed (a discriminator that did not match) says nothing about why: wait too.
      if (branches.length === 0 || branches.some((b) => b.length === 0)) continue;
      out.push({ ...issue, errors: branches } as z.core.$ZodIssue);
      continue;
    }
    out.push(issue);
  }
  return out;
}

function dynamicPaths(value: unknown, at: Array<string | number> = [], out: DynamicPaths = { at: new Set(), above: new Set() }, depth = 0): DynamicPaths {
  if (typeof value === 'string') {
    if (!hasInterpolation(value)) return out;
    out.at.add(keyOf(at));
    for (let n = 0; n < at.length; n++) out.above.add(keyOf(at.slice(0, n)));
  } else if (value !== null && typeof value === 'object' && depth <= 80) {
    if (Array.isArray(value)) value.forEach((v, i) => dynamicPaths(v, [...at, i], out, depth + 1));
    else for (const [k, v] of Object.entries(value)) dynamicPaths(v, [...at, k], out, depth + 1);
  }
  return out;
}

/** "Did you mean" for an action name a schema refused (e.g. "flowsleep" for flow.sleep). */
export function actionNameHint(registry: Registry) {
  return (path: PropertyKey[], input: unknown): string | undefined => {
    if (path[path.length - 1] !== 'action' || typeof input !== 'string') return undefined;
    const guess = didYouMean(input, registry.actions.keys());
    return guess ? `Did you mean "${guess}"? Actions are named module.action.` : 'Actions are named module.action; dispatch module list shows them.';
  };
}
