import { isDispatchError, usageError } from '../errors.js';
import { checkJsonPathSyntax } from './jsonpath.js';

/** A parsed `${...}` reference. */
export type Ref =
  | { kind: 'env'; name: string; fallback?: string }
  | { kind: 'run'; name: string; path?: string }
  | { kind: 'step'; id: string; field: 'response' | 'exports'; path?: string }
  | { kind: 'jsonpath'; id: string; path: string; all: boolean };

export interface Expr {
  expr: string;
  ref: Ref;
}

type Part = string | Expr;

interface Template {
  parts: Part[];
  /** The string is exactly one `${...}`: the value keeps its JSON type. */
  whole: boolean;
}

const ENV_RE = /^env\.([A-Za-z_][A-Za-z0-9_]*)(?::-([\s\S]*))?$/;
const RUN_RE = /^run\.([A-Za-z_][A-Za-z0-9_-]*)(?:\.(.+)|(\[.+))?$/;
const STEP_RE = /^step\.([A-Za-z0-9_-]+)\.(response|exports)(?:\.(.+)|(\[.+))?$/;
const JSONPATH_RE = /^(jsonpath|jsonpathAll)\(\s*step:([A-Za-z0-9_-]+)\s*,\s*(\$[\s\S]*?)\s*\)$/;

/** Returns null when the string holds no interpolation at all (the common, fast case). */
export function parseTemplate(input: string): Template | null {
  if (!input.includes('${')) return null;
  const parts: Part[] = [];
  let text = '';
  let i = 0;
  while (i < input.length) {
    if (input.startsWith('$${', i)) {
      text += '${';
      i += 3;
      continue;
    }
    if (input.startsWith('${', i)) {
      const end = findClose(input, i + 2);
      if (end === -1) {
        // An unbalanced bracket inside jsonpath(...) swallows the closing "}": the JSONPath is the
        // mistake, so say that rather than "unterminated".
        badJsonPathInside(input.slice(i + 2));
        throw usageError('INTERPOLATION_SYNTAX', `Unterminated "\${" at position ${i} in ${preview(input)}.`, {
          hint: 'Close the reference with "}", or write "$${" for a literal "${".',
        });
      }
      if (text) parts.push(text);
      text = '';
      const expr = input.slice(i + 2, end).trim();
      parts.push({ expr, ref: parseRef(expr) });
      i = end + 1;
      continue;
    }
    text += input[i];
    i++;
  }
  if (text) parts.push(text);
  return { parts, whole: parts.length === 1 && typeof parts[0] !== 'string' };
}

/** Finds the `}` that closes a reference, skipping quoted text and bracketed JSONPath parts. */
function findClose(s: string, from: number): number {
  let depth = 0;
  let quote: string | null = null;
  for (let j = from; j < s.length; j++) {
    const ch = s[j];
    if (quote) {
      if (ch === quote) quote = null;
      continue;
    }
    if ((ch === "'" || ch === '"') && depth > 0) quote = ch;
    else if (ch === '(' || ch === '[') depth++;
    else if ((ch === ')' || ch === ']') && depth > 0) depth--;
    else if (ch === '}' && depth === 0) return j;
  }
  return -1;
}

function parseRef(expr: string): Ref {
  let m = ENV_RE.exec(expr);
  if (m) return m[2] === undefined ? { kind: 'env', name: m[1] } : { kind: 'env', name: m[1], fallback: m[2] };
  m = RUN_RE.exec(expr);
  if (m) return withPath({ kind: 'run', name: m[1] }, m[2] ?? m[3]);
  m = STEP_RE.exec(expr);
  if (m) return withPath({ kind: 'step', id: m[1], field: m[2] as 'response' | 'exports' }, m[3] ?? m[4]);
  m = JSONPATH_RE.exec(expr);
  if (m) return { kind: 'jsonpath', id: m[2], path: m[3], all: m[1] === 'jsonpathAll' };
  throw usageError('INTERPOLATION_SYNTAX', `Unknown reference "\${${clip(expr, 60)}}".`, { hint: unknownRefHint(expr) });
}

const FORMS = '${env.NAME}, ${env.NAME:-fallback}, ${run.name}, ${step.<id>.response.<path>}, ${step.<id>.exports.<path>}, ${jsonpath(step:<id>, $.path)} or ${jsonpathAll(step:<id>, $.path)}';

/** A hint aimed at the near miss the reference most likely is. */
function unknownRefHint(expr: string): string {
  const step = /^steps?\.([A-Za-z0-9_-]+)(?:\.([^.[]+))?([\s\S]*)$/.exec(expr);
  if (step) {
    const [, id, field, rest] = step;
    if (field === 'response' || field === 'exports') return `Step references start with "step." (singular): \${step.${id}.${field}${clip(rest, 40)}}.`;
    const path = field ? `.${field}${rest}` : '';
    return `A step reference names the part it reads, response or exports: \${step.${id}.response${clip(path, 40)}} or \${step.${id}.exports${clip(path, 40)}}.`;
  }
  if (/^run\.?$/.test(expr)) return 'Name the run value: ${run.<name>} (from inputs, --set or a capture).';
  if (/^env\.?$/.test(expr)) return 'Name the variable: ${env.NAME} or ${env.NAME:-fallback}.';
  if (/^env\./.test(expr)) return 'Environment variable names use letters, digits and "_" (and do not start with a digit): ${env.NAME}.';
  return `Use ${FORMS}.`;
}

/**
 * Throws when `rest` (after "${") is a jsonpath(...) reference whose JSONPath is malformed. The
 * code stays INTERPOLATION_SYNTAX (the template is what cannot be read); the message is the JSONPath's.
 */
function badJsonPathInside(rest: string): void {
  const close = rest.indexOf(')}');
  if (close === -1) return;
  const m = JSONPATH_RE.exec(rest.slice(0, close + 1).trim());
  if (!m) return;
  try {
    checkJsonPathSyntax(m[3]);
  } catch (err) {
    if (!isDispatchError(err)) throw err;
    throw usageError('INTERPOLATION_SYNTAX', `\${${clip(rest.slice(0, close + 1), 80)}}: ${err.message}`, { hint: err.hint });
  }
}

function withPath<T extends Ref>(ref: T, path: string | undefined): T {
  return path === undefined ? ref : { ...ref, path };
}

function preview(s: string, n = 80): string {
  return JSON.stringify(clip(s, n));
}

/** Cut for a one-line message; quoting is the caller's (line breaks are escaped by oneLine). */
function clip(s: string, n = 80): string {
  return s.length > n ? `${s.slice(0, n)}…` : s;
}
