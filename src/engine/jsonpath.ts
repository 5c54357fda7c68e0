import { JSONPath } from 'jsonpath-plus';
import { usageError } from '../errors.js';

/**
 * The only JSONPath entry point. Script evaluation is disabled (eval: false), so filter
 * expressions such as `[?(...)]` are refused instead of executed.
 */
export function queryJsonPath(json: unknown, path: string): unknown[] {
  checkJsonPathSyntax(path);
  try {
    const out = JSONPath({ path, json: json as object, wrap: true, eval: false });
    return Array.isArray(out) ? out : [];
  } catch (err) {
    throw jsonPathError(path, err instanceof Error ? err.message : String(err));
  }
}

/** Catches what jsonpath-plus silently accepts (`$[` matches the root) so typos surface early. */
export function checkJsonPathSyntax(path: string): void {
  if (typeof path !== 'string' || !path.startsWith('$')) {
    throw jsonPathError(path, 'a JSONPath starts with $');
  }
  if (path.length > 2000) throw jsonPathError(path, 'the expression is longer than 2000 characters');
  // jsonpath-plus also reads a quoted name starting with ( or ?( as script: refuse that form too.
  if (/\[\s*\?/.test(path) || /\[\s*['"]\s*\??\(/.test(path) || /\(\s*[^)]*\)/.test(path.replace(/'[^']*'|"[^"]*"/g, ''))) {
    throw jsonPathError(path, 'filter and script expressions are disabled');
  }
  let depth = 0;
  let quote: string | null = null;
  for (const ch of path) {
    if (quote) {
      if (ch === quote) quote = null;
    } else if (ch === "'" || ch === '"') quote = ch;
    else if (ch === '[') depth++;
    else if (ch === ']') {
      depth--;
      if (depth < 0) throw jsonPathError(path, 'a "]" has no matching "["');
    }
  }
  if (quote) throw jsonPathError(path, 'a quoted name is not closed');
  if (depth !== 0) throw jsonPathError(path, 'a "[" is not closed');
}

function jsonPathError(path: string, reason: string) {
  const shown = typeof path === 'string' && path.length > 120 ? `${path.slice(0, 120)}…` : path;
  return usageError('JSONPATH_INVALID', `Invalid JSONPath "${shown}": ${reason.replace(/\.+$/, '')}.`, {
    hint: 'Use plain paths such as $.items[0].id, $.items[*].id or $..id; filters ([?(...)]) are not evaluated.',
  });
}
