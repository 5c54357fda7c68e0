import { regexProblem } from '../engine/conditions.js';
import { checkJsonPathSyntax } from '../engine/jsonpath.js';
import { parseTemplate } from '../engine/template.js';
import { isDispatchError } from '../errors.js';
import { parseKeyPath } from '../util/key-path.js';
import { didYouMean, type Problems } from './problems.js';
import type { Rule } from './schema.js';

const OPS_WITH_VALUE = new Set(['eq', 'neq', 'gt', 'gte', 'lt', 'lte', 'in', 'contains', 'matches']);

/**
 * A rule that cannot hold as written is a job error, not a silent "did not hold" later.
 * `rule` may be partial (salvaged from a rule that failed its schema): only what is there is checked.
 * `interpolated`: the value is resolved before use (flow.poll rules live in the step payload), so a
 * `${...}` value is checked once it has a value, at run time, not here.
 */
export function checkRule(rule: Partial<Rule> | undefined, where: string, problems: Problems, interpolated = true): void {
  if (!rule) return;
  if (typeof rule.path === 'string') checkRulePath(rule.path, `${where}.path`, problems);
  const v = rule.value;
  if (rule.op === undefined) return;
  if (!OPS_WITH_VALUE.has(rule.op)) {
    if (v !== undefined) problems.warn(`${where}.value`, 'RULE_VALUE_IGNORED', `Rule op "${rule.op}" takes no value; ${short(v)} is ignored.`, `Remove "value", or use op "eq" to compare with it.`);
    return;
  }
  if (v === undefined) {
    problems.error(`${where}.value`, 'RULE_VALUE_MISSING', `Rule op "${rule.op}" needs a value to compare with.`, `Add "value", or use op "exists"/"absent".`);
    return;
  }
  if (hasInterpolation(v)) {
    if (!interpolated) {
      problems.warn(
        `${where}.value`,
        'ASSERTION_NOT_INTERPOLATED',
        `Assertions are not interpolated: ${short(v)} is compared as literal text.`,
        'Assertions read the recorded run: point the path at the value instead (e.g. $.run.<name>), or write the expected value literally.',
      );
    } else return; // poll rules: resolved with the payload, checked by the rule evaluator at run time
  }
  if (rule.op === 'in' && !Array.isArray(v)) {
    problems.error(`${where}.value`, 'RULE_VALUE_TYPE', 'Rule op "in" needs an array of allowed values.', 'Example: {"op": "in", "value": ["ready", "done"]}.');
  } else if (['gt', 'gte', 'lt', 'lte'].includes(rule.op) && typeof v !== 'number' && typeof v !== 'string') {
    problems.error(`${where}.value`, 'RULE_VALUE_TYPE', `Rule op "${rule.op}" compares numbers or strings, not ${JSON.stringify(v)}.`);
  } else if (rule.op === 'matches') {
    const problem = typeof v === 'string' ? regexProblem(v) : 'the value must be a regular expression string';
    if (problem) problems.error(`${where}.value`, 'RULE_REGEX', `Rule op "matches": ${problem}.`, 'Use a plain pattern such as ^ready$; nested quantifiers like (a+)+ are refused.');
  }
}

/**
 * An assertion reads the recorded run ({status, run, steps}); one naming a step the job does not
 * have can never hold. `stepIds` is undefined when the steps could not all be read.
 */
export function checkAssertion(rule: Partial<Rule> | undefined, where: string, problems: Problems, stepIds: Set<string> | undefined): void {
  checkRule(rule, where, problems, false);
  if (!rule || typeof rule.path !== 'string' || !stepIds) return;
  const id = assertedName(rule.path, 'steps');
  if (id === undefined || stepIds.has(id)) return;
  const guess = didYouMean(id, stepIds);
  problems.error(
    `${where}.path`,
    'ASSERTION_STEP_UNKNOWN',
    `Assertion path ${rule.path} reads step "${id}", which the job does not have.`,
    guess ? `Did you mean "${guess}"?` : `The job's steps: ${[...stepIds].join(', ') || 'none'}.`,
  );
}

/** The name under `root` an assertion path reads: `$.steps.<id>`, `$.steps['<id>']`, dotted `steps.<id>` (or run). */
export function assertedName(path: string, root: 'steps' | 'run'): string | undefined {
  if (path.startsWith('$')) {
    const head = new RegExp(`^\\$(?:\\.${root}|\\[\\s*(['"])${root}\\1\\s*\\])(?:\\.([A-Za-z0-9_-]+)|\\[\\s*'([^']*)'\\s*\\]|\\[\\s*"([^"]*)"\\s*\\])`);
    const m = head.exec(path);
    return m ? (m[2] ?? m[3] ?? m[4]) : undefined;
  }
  try {
    const segments = parseKeyPath(path, 'rule path');
    return segments[0] === root && typeof segments[1] === 'string' ? segments[1] : undefined;
  } catch {
    return undefined; // reported by checkRulePath
  }
}

function short(v: unknown): string {
  const s = JSON.stringify(v) ?? String(v);
  return s.length > 60 ? `${s.slice(0, 60)}…` : s;
}

export function checkRulePath(path: string, where: string, problems: Problems): void {
  try {
    if (path.startsWith('$')) checkJsonPathSyntax(path);
    else parseKeyPath(path, 'rule path');
  } catch (err) {
    if (!isDispatchError(err)) throw err;
    problems.error(where, err.code, err.message, err.hint);
  }
}

/** True when any string inside holds `${...}` (escapes `$${` excluded). */
export function hasInterpolation(value: unknown, depth = 0): boolean {
  if (typeof value === 'string') {
    try {
      const t = parseTemplate(value);
      return t !== null && t.parts.some((p) => typeof p !== 'string');
    } catch {
      return true;
    }
  }
  if (value === null || typeof value !== 'object' || depth > 80) return false;
  return Object.values(value).some((v) => hasInterpolation(v, depth + 1));
}
