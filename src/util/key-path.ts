import { usageError } from '../errors.js';

/** Segments that would reach Object.prototype if used as keys; refused everywhere. */
export const FORBIDDEN_SEGMENTS = new Set(['__proto__', 'constructor', 'prototype']);

type PathSegment = string | number;

/**
 * Parses a dotted path with optional indexes: `a.b[0].c`, `items.2.name`. Numeric segments after
 * `[` are indexes; bare numeric dotted segments stay strings (they may be object keys) and are
 * treated as indexes only when the value being read is an array.
 * Throws a usage error (exit 2) on empty segments or prototype keys.
 */
export function parseKeyPath(input: string, what = 'path'): PathSegment[] {
  if (typeof input !== 'string' || input.length === 0) {
    throw usageError('INVALID_PATH', `The ${what} is empty.`, { hint: 'Use a dotted path such as users.user-1.name.' });
  }
  const segments: PathSegment[] = [];
  for (const part of input.split('.')) {
    const m = /^([^[\]]*)((?:\[\d+\])*)$/.exec(part);
    if (!m) {
      throw usageError('INVALID_PATH', `The ${what} "${truncate(input)}" has a bad index in "${truncate(part, 40)}".`, {
        hint: 'Indexes are whole numbers in brackets, e.g. items[0].name.',
      });
    }
    if (m[1]) segments.push(m[1]);
    else if (!m[2]) {
      throw usageError('INVALID_PATH', `The ${what} "${truncate(input)}" has an empty segment.`, {
        hint: 'Separate keys with single dots, e.g. users.user-1.',
      });
    }
    for (const idx of m[2].matchAll(/\[(\d+)\]/g)) segments.push(Number(idx[1]));
  }
  for (const seg of segments) {
    if (typeof seg === 'string' && FORBIDDEN_SEGMENTS.has(seg)) {
      throw usageError('FORBIDDEN_KEY', `The ${what} "${truncate(input)}" uses the reserved key "${seg}".`, {
        hint: '__proto__, constructor and prototype cannot be used as keys.',
      });
    }
  }
  return segments;
}

/** Reads a parsed path from a value; `found` distinguishes a stored undefined/null from absence. */
export function getAtPath(root: unknown, segments: PathSegment[]): { found: boolean; value?: unknown } {
  let cur: unknown = root;
  for (const seg of segments) {
    if (cur === null || typeof cur !== 'object') return { found: false };
    if (Array.isArray(cur)) {
      const idx = typeof seg === 'number' ? seg : /^\d+$/.test(seg) ? Number(seg) : NaN;
      if (Number.isNaN(idx) || idx >= cur.length) {
        if (seg === 'length') return { found: true, value: cur.length };
        return { found: false };
      }
      cur = cur[idx];
    } else {
      const key = String(seg);
      if (!Object.prototype.hasOwnProperty.call(cur, key)) return { found: false };
      cur = (cur as Record<string, unknown>)[key];
    }
  }
  return { found: true, value: cur };
}

/** Sets a value at a path, creating plain objects on the way. Returns the (mutated) root. */
export function setAtPath(root: Record<string, unknown>, segments: PathSegment[], value: unknown): Record<string, unknown> {
  let cur: Record<string, unknown> = root;
  for (let i = 0; i < segments.length - 1; i++) {
    const key = String(segments[i]);
    const next = Object.prototype.hasOwnProperty.call(cur, key) ? cur[key] : undefined;
    if (next === null || typeof next !== 'object' || Array.isArray(next)) {
      const fresh: Record<string, unknown> = {};
      defineOwn(cur, key, fresh);
      cur = fresh;
    } else {
      cur = next as Record<string, unknown>;
    }
  }
  defineOwn(cur, String(segments[segments.length - 1]), value);
  return root;
}

/** Deletes the value at a path; returns whether something was removed. */
export function deleteAtPath(root: Record<string, unknown>, segments: PathSegment[]): boolean {
  const parent = getAtPath(root, segments.slice(0, -1));
  if (!parent.found || parent.value === null || typeof parent.value !== 'object') return false;
  const key = String(segments[segments.length - 1]);
  const obj = parent.value as Record<string, unknown>;
  if (!Object.prototype.hasOwnProperty.call(obj, key)) return false;
  delete obj[key];
  return true;
}

function defineOwn(obj: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
}

function truncate(s: string, n = 80): string {
  return s.length > n ? `${s.slice(0, n)}…` : s;
}
