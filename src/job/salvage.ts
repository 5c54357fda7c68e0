import type { z } from 'zod';
import { isPlainObject } from '../util/merge.js';
import { jsonPathOf } from './problems.js';

/**
 * What survives of a value that failed its schema, field by field and entry by entry, so one
 * mistake in a step or section does not hide the rest of it from the other checks.
 *
 * - Objects keep every known field that parses on its own (unknown keys are dropped: the schema
 *   already reported them).
 * - Records keep every key, even one whose value does not parse (its value is then undefined):
 *   a profile or capture that is named but broken still exists, so nothing that refers to it gets
 *   a false "not defined" error.
 * - Arrays keep their indexes; an element that does not salvage is a hole (undefined).
 * - `broken` collects the JSON path of every part that did not parse, so checks that depend on a
 *   whole part (a credential profile's fields, a required http path) can stay quiet about it.
 */
export function salvage(schema: z.ZodType, raw: unknown, broken: Set<string>, at: Array<string | number> = []): unknown {
  const whole = schema.safeParse(raw);
  if (whole.success) return whole.data;
  const def = (unwrap(schema) as { def?: Record<string, unknown> }).def;
  if (def?.type === 'object' && isPlainObject(raw)) {
    const out: Record<string, unknown> = {};
    for (const [key, field] of Object.entries(def.shape as Record<string, z.ZodType>)) {
      const v = salvage(field, Object.hasOwn(raw, key) ? raw[key] : undefined, broken, [...at, key]);
      if (v !== undefined) define(out, key, v);
    }
    return out;
  }
  if (def?.type === 'record' && isPlainObject(raw)) {
    const out: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(raw)) define(out, key, salvage(def.valueType as z.ZodType, value, broken, [...at, key]));
    return out;
  }
  if (def?.type === 'array' && Array.isArray(raw)) return raw.map((v, i) => salvage(def.element as z.ZodType, v, broken, [...at, i]));
  broken.add(jsonPathOf(at));
  return undefined;
}

/** True when the part at `path`, or anything inside it, failed its schema. */
export function isBroken(broken: ReadonlySet<string>, path: string): boolean {
  for (const b of broken) if (b === path || b.startsWith(`${path}.`) || b.startsWith(`${path}[`)) return true;
  return false;
}

function unwrap(s: unknown): unknown {
  let cur = s as { def?: { type?: string; innerType?: unknown } };
  while (cur?.def && ['optional', 'default', 'prefault', 'nullable'].includes(cur.def.type ?? '')) cur = cur.def.innerType as typeof cur;
  return cur;
}

function define(obj: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
}
