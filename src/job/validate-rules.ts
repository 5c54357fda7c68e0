import { regexProblem } from '../engine/conditions.js';
import { checkJsonPathSyntax } from '../engine/jsonpath.js';
import { parseTemplate } from '../engine/template.js';
import { isDispatchError } from '../errors.js';
import { parseKeyPath } from '../util/key-path.js';
import type { Problems } from './problems.js';
import type { Rule } from './schema.js';

const OPS_WITH_VALUE = new Set(['eq', 'neq', 'gt', 'gte', 'lt', 'lte', 'in', 'contains', 'matches']);

/** A rule that cannot hold as written is a job error, not a silent "did not hold" later. */
export function checkRule(rule: Rule, where: string, problems: Problems): void {
  checkRulePath(rule.path, `${where}.path`, problems);
  const v = rule.value;
  if (OPS_WITH_VALUE.has(rule.op) && v === undefined) {
    problems.error(`${where}.value`, 'RULE_VALUE_MISSING', `Rule op "${rule.op}" needs a value to compare with.`, `Add "value", or use op "exists"/"absent".`);
  } else if (rule.op === 'in' && !Array.isArray(v)) {
    problems.error(`${where}.value`, 'RULE_VALUE_TYPE', 'Rule op "in" needs an array of allowed values.', 'Example: {"op": "in", "value": ["ready", "done"]}.');
  } else if (['gt', 'gte', 'lt', 'lte'].includes(rule.op) && typeof v !== 'number' && typeof v !== 'string') {
    problems.error(`${where}.value`, 'RULE_VALUE_TYPE', `Rule op "${rule.op}" compares numbers or strings, not ${JSON.stringify(v)}.`);
  } else if (rule.op === 'matches') {
    const problem = typeof v === 'string' ? regexProblem(v) : 'the value must be a regular expression string';
    if (problem) problems.error(`${where}.value`, 'RULE_REGEX', `Rule op "matches": ${problem}.`, 'Use a plain pattern such as ^ready$; nested quantifiers like (a+)+ are refused.');
  }
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
