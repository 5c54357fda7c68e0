import { isDeepStrictEqual } from 'node:util';
import type { Rule } from '../job/schema.js';
import { oneLine } from '../errors.js';
import { resolvePath } from './resolve-path.js';

export interface RuleResult {
  path: string;
  op: Rule['op'];
  expected?: unknown;
  actual?: unknown;
  pass: boolean;
  message: string;
}

interface RuleSetResult {
  pass: boolean;
  mode: 'ALL' | 'ANY';
  results: RuleResult[];
}

/** The one rule evaluator: flow.poll conditions/failWhen and job assertions all use it. */
export function evaluateRules(doc: unknown, rules: Rule[], mode: 'ALL' | 'ANY' = 'ALL'): RuleSetResult {
  const results = rules.map((rule) => evaluateRule(doc, rule));
  const pass = mode === 'ALL' ? results.every((r) => r.pass) : results.some((r) => r.pass);
  return { pass, mode, results };
}

function evaluateRule(doc: unknown, rule: Rule): RuleResult {
  const lookup = resolvePath(doc, rule.path);
  const actual = lookup.value;
  const base = { path: rule.path, op: rule.op, expected: rule.value, actual };
  const pass = check(rule, lookup.found, actual);
  return { ...base, pass, message: oneLine(describe(rule, lookup.found, actual, pass)) };
}

function check(rule: Rule, found: boolean, actual: unknown): boolean {
  const v = rule.value;
  switch (rule.op) {
    case 'exists':
      return found && actual !== undefined;
    case 'absent':
      return !found || actual === undefined;
    case 'eq':
      return found && isDeepStrictEqual(actual, v);
    case 'neq':
      return !found || !isDeepStrictEqual(actual, v);
    case 'gt':
    case 'gte':
    case 'lt':
    case 'lte':
      return found && compare(rule.op, actual, v);
    case 'in':
      return found && Array.isArray(v) && v.some((x) => isDeepStrictEqual(x, actual));
    case 'contains':
      if (typeof actual === 'string') return typeof v === 'string' && actual.includes(v);
      if (Array.isArray(actual)) return actual.some((x) => isDeepStrictEqual(x, v));
      if (actual && typeof actual === 'object' && typeof v === 'string') return Object.prototype.hasOwnProperty.call(actual, v);
      return false;
    case 'matches':
      if (!found || typeof v !== 'string') return false;
      try {
        return safeRegex(v)?.test(stringOf(actual)) === true;
      } catch {
        return false; // a pattern the engine cannot run never holds
      }
  }
}

function compare(op: 'gt' | 'gte' | 'lt' | 'lte', a: unknown, b: unknown): boolean {
  const bothNumbers = typeof a === 'number' && typeof b === 'number';
  const bothStrings = typeof a === 'string' && typeof b === 'string';
  if (!bothNumbers && !bothStrings) return false;
  const x = a as number | string;
  const y = b as number | string;
  return op === 'gt' ? x > y : op === 'gte' ? x >= y : op === 'lt' ? x < y : x <= y;
}

/**
 * A quantified group that itself contains a quantifier, like (a+)+ or (\w*\s?)*: the shape
 * that makes a backtracking engine take exponential time on a near-miss. JavaScript regexes
 * cannot be interrupted, so such patterns are refused instead of run.
 */
const NESTED_QUANTIFIER = /\((?:[^()\\]|\\.)*(?:[+*]|\{\d+,\d*\})(?:[^()\\]|\\.)*\)(?:[+*]|\{\d+,\d*\})/;

export function regexProblem(source: string): string | undefined {
  // Quoted and cut: a pattern may be huge or hold line breaks, and messages stay one short line.
  const shown = JSON.stringify(source.length > 60 ? `${source.slice(0, 60)}…` : source);
  try {
    // V8 compiles lazily: some limits ("too large") only surface on the first match attempt.
    new RegExp(source).test('');
  } catch (err) {
    const reason = (err as Error).message.replace(/^Invalid regular expression: \/[\s\S]*\/[a-z]*: /, '');
    return `${shown} is not a valid regular expression (${reason})`;
  }
  if (NESTED_QUANTIFIER.test(source)) return `${shown} nests quantifiers (like (a+)+), which can take exponential time`;
  return undefined;
}

function safeRegex(source: string): RegExp | null {
  return regexProblem(source) ? null : new RegExp(source);
}

function stringOf(v: unknown): string {
  return typeof v === 'string' ? v : (JSON.stringify(v) ?? '');
}

function describe(rule: Rule, found: boolean, actual: unknown, pass: boolean): string {
  const shown = found ? short(actual) : 'nothing';
  const expected = rule.op === 'exists' || rule.op === 'absent' ? '' : ` ${short(rule.value)}`;
  if (rule.op === 'matches' && typeof rule.value === 'string' && regexProblem(rule.value)) {
    return `${rule.path} matches: ${regexProblem(rule.value)}`;
  }
  return `${rule.path} ${rule.op}${expected}: ${pass ? 'held' : 'did not hold'} (found ${shown})`;
}

function short(v: unknown): string {
  const s = v === undefined ? 'undefined' : JSON.stringify(v);
  return s.length > 80 ? `${s.slice(0, 80)}…` : s;
}
