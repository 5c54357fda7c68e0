import { evaluateRules, type RuleResult } from '../engine/conditions.js';
import { RuleSchema, type Rule } from '../job/schema.js';
import type { RecordedRun } from './store.js';

/** The document assertions read: `$.status`, `$.run.x`, `$.steps.<id>.response...`. */
export function assertionDocument(run: RecordedRun): Record<string, unknown> {
  const steps: Record<string, unknown> = {};
  for (const s of run.steps) {
    Object.defineProperty(steps, String(s.id), {
      value: { status: s.status, response: s.response ?? null, exports: s.exports ?? {}, error: s.error ?? null, durationMs: s.durationMs },
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return { status: run.summary.status, jobType: run.summary.jobType, run: run.summary.run ?? {}, steps, error: run.summary.error ?? null };
}

export interface AssertOutcome {
  pass: boolean;
  expectedStatus: string;
  actualStatus: string;
  results: RuleResult[];
}

/** Evaluates the recorded job's assertions plus the expected run status, with the shared rule evaluator. */
export function assertRun(run: RecordedRun, expectedStatus = 'SUCCESS'): AssertOutcome {
  const rules = recordedAssertions(run.inputJob);
  const doc = assertionDocument(run);
  const statusRule: Rule = { path: '$.status', op: 'eq', value: expectedStatus };
  const { results } = evaluateRules(doc, [statusRule, ...rules], 'ALL');
  return { pass: results.every((r) => r.pass), expectedStatus, actualStatus: String(run.summary.status), results };
}

function recordedAssertions(job: unknown): Rule[] {
  const list = (job as { assertions?: unknown } | undefined)?.assertions;
  if (!Array.isArray(list)) return [];
  return list.flatMap((r) => {
    const parsed = RuleSchema.safeParse(r);
    return parsed.success ? [parsed.data] : [];
  });
}
