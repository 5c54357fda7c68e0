import type { z } from 'zod';
import { getAtPath } from '../util/key-path.js';
import { didYouMean, jsonPathOf, type Problems } from './problems.js';
import { RULE_OP_ALIASES } from './schema.js';

interface IssueOptions {
  /** Path segments in front of every issue path (where the parsed value sits in the job). */
  prefix?: PropertyKey[];
  /** The value that was parsed: lets messages name what was written (did-you-mean on enums). */
  root?: unknown;
  /** Extra hint for a value the schema refused (e.g. an action name close to a known one). */
  hint?: (path: PropertyKey[], input: unknown) => string | undefined;
}

/** Reports zod issues as problems, adding "did you mean" for unknown keys and values near a known one. */
export function reportSchemaIssues(problems: Problems, schema: z.ZodType, issues: z.core.$ZodIssue[], opts: IssueOptions = {}): void {
  const prefix = opts.prefix ?? [];
  // A typo'd key ("duraton") also leaves its real key missing: one problem, with the did-you-mean,
  // says both, so the "missing" one is dropped.
  const guessed = new Set<string>();
  const typos: Array<{ where: PropertyKey[]; key: string; guess?: string; known?: string[] }> = [];
  for (const issue of issues) {
    if (issue.code !== 'unrecognized_keys') continue;
    const known = knownKeysAt(schema, issue.path);
    for (const key of issue.keys) {
      const guess = known ? didYouMean(key, known) : undefined;
      if (guess) guessed.add(jsonPathOf([...issue.path, guess]));
      typos.push({ where: [...prefix, ...issue.path, key], key, guess, known });
    }
  }
  for (const issue of issues) {
    if (issue.code === 'unrecognized_keys') continue;
    const input = inputAt(opts.root, issue.path);
    const missing = input === undefined && (issue.code === 'invalid_type' || issue.code === 'invalid_union');
    if (missing && guessed.has(jsonPathOf(issue.path))) continue;
    const where = jsonPathOf([...prefix, ...issue.path]);
    if (missing) {
      const key = issue.path[issue.path.length - 1];
      // A schema's own message (e.g. flow.sleep's duration) knows best what to write there.
      const custom = issue.code === 'invalid_union' && issue.message !== 'Invalid input' ? issue.message : undefined;
      const expected = issue.code === 'invalid_type' ? ` (expected ${issue.expected})` : '';
      problems.error(where, 'SCHEMA', custom ?? `${key === undefined ? 'A value' : `"${String(key)}"`} is required${expected}.`);
      continue;
    }
    if (issue.code === 'invalid_union' && Array.isArray(issue.errors) && issue.errors.length > 0) {
      const first = (issue.errors as z.core.$ZodIssue[][]).reduce((a, b) => (b.length < a.length ? b : a));
      if (first.length > 0) {
        reportSchemaIssues(
          problems,
          schema,
          first.map((i) => ({ ...i, path: [...issue.path, ...i.path] })),
          opts,
        );
        continue;
      }
    }
    if (issue.code === 'invalid_key') {
      // zod says only "Invalid key in record": name the key, the rule and its pattern.
      const inner = issue.issues[0] as { message?: string; pattern?: string } | undefined;
      const rule = inner?.message && inner.message !== 'Invalid input' ? `: ${inner.message}` : '';
      const pattern = inner?.pattern ? ` (pattern ${inner.pattern.replace(/^\/|\/$/g, '')})` : '';
      problems.error(where, 'SCHEMA', `Invalid name ${JSON.stringify(String(issue.path[issue.path.length - 1]))}${rule}${pattern}.`);
      continue;
    }
    let hint: string | undefined;
    if (issue.code === 'invalid_value' && typeof input === 'string') {
      const values = issue.values.map(String);
      const alias = Object.hasOwn(RULE_OP_ALIASES, input.toLowerCase()) ? RULE_OP_ALIASES[input.toLowerCase()] : undefined;
      const guess = alias && values.includes(alias) ? alias : didYouMean(input, values);
      hint = guess ? `Did you mean "${guess}"?` : undefined;
    }
    hint ??= opts.hint?.(issue.path, input);
    problems.error(where, 'SCHEMA', issue.message, hint);
  }
  for (const t of typos) {
    const hint = t.guess ? `Did you mean "${t.guess}"?` : t.known ? `Allowed keys here: ${t.known.join(', ')}.` : undefined;
    problems.error(jsonPathOf(t.where), 'UNKNOWN_KEY', `Unknown key "${t.key}".`, hint);
  }
}

function inputAt(root: unknown, path: PropertyKey[]): unknown {
  if (root === undefined) return null; // unknown: never read as "missing"
  const found = getAtPath(
    root,
    path.map((s) => (typeof s === 'number' ? s : String(s))),
  );
  return found.found ? found.value : undefined;
}

/** Walks the zod schema along a data path to list the keys a strict object allows there. */
function knownKeysAt(schema: z.ZodType, path: ReadonlyArray<PropertyKey>): string[] | undefined {
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
