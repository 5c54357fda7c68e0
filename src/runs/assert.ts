import path from 'node:path';
import { evaluateRules, type RuleResult } from '../engine/conditions.js';
import { RuleSchema, type Rule } from '../job/schema.js';
import { REDACTED } from '../output/redact.js';
import { recordCorrupt } from './record.js';
import type { RecordedRun } from './store.js';
import { httpFact } from '../engine/http-facts.js';

type Obj = Record<string, unknown>;

/**
 * The document assertions read: `$.status`, `$.run.x`, `$.steps.<id>.response...`. Every step of
 * the job is there, in job order: a step that never ran has status SKIPPED (as in summary.json),
 * a null response and error and empty exports.
 */
function assertionDocument(run: RecordedRun): Record<string, unknown> {
  const steps: Obj = {};
  const records = new Map(run.steps.map((s) => [s.id, s]));
  const put = (id: string, value: Obj) => Object.defineProperty(steps, id, { value, enumerable: true, writable: true, configurable: true });
  for (const st of run.summary.steps) {
    const rec = records.get(st.id);
    const http = run.http.filter((h) => h.stepId === st.id).map(httpFact);
    put(st.id, { status: st.status, response: rec?.response ?? null, exports: rec?.exports ?? {}, error: rec?.error ?? st.error ?? null, durationMs: st.durationMs, http });
  }
  return { status: run.summary.status, jobType: run.summary.jobType, run: run.summary.run ?? {}, steps, error: run.summary.error ?? null };
}

interface AssertOutcome {
  pass: boolean;
  expectedStatus: string;
  actualStatus: string;
  results: RuleResult[];
}

/** Evaluates the recorded job's assertions plus the expected run status, with the shared rule evaluator. */
export function assertRun(run: RecordedRun, expectedStatus = 'SUCCESS'): AssertOutcome {
  const rules = recordedAssertions(run);
  const doc = assertionDocument(run);
  const statusRule: Rule = { path: '$.status', op: 'eq', value: expectedStatus };
  const results = evaluateRules(doc, [statusRule, ...rules], 'ALL').results.map(uncheckableSecret);
  return { pass: results.every((r) => r.pass), expectedStatus, actualStatus: run.summary.status, results };
}

/**
 * The recorded job's rules. A rule that does not parse is an error, never dropped: a CI gate that
 * silently checks fewer rules than the job names passes by accident.
 */
function recordedAssertions(run: RecordedRun): Rule[] {
  const file = path.join(run.runDir, 'job.case.input.json');
  const list = run.inputJob.assertions;
  if (list === undefined) return [];
  if (!Array.isArray(list)) throw recordCorrupt(run.runId, file, '"assertions" is not a list of rules');
  return list.map((r, i) => {
    const parsed = RuleSchema.safeParse(r);
    if (parsed.success) return parsed.data;
    const issue = parsed.error.issues[0];
    const where = issue.path.length ? ` at ${issue.path.join('.')}` : '';
    throw recordCorrupt(run.runId, file, `assertion [${i}] is not a valid rule (${issue.message}${where})`);
  });
}

// Only whether a value is there can be checked on a redacted record, and `contains` on an object
// asks about a key, not a value.
const PRESENCE_OPS = new Set<Rule['op']>(['exists', 'absent']);

/**
 * Secrets are written as [REDACTED], in the record and in the recorded job's own rules alike, so
 * `eq "[REDACTED]"` would hold against any secret. A comparison that meets the marker on either
 * side cannot be decided offline, so it does not hold, and says why.
 */
function uncheckableSecret(r: RuleResult): RuleResult {
  if (PRESENCE_OPS.has(r.op)) return r;
  const keyLookup = r.op === 'contains' && r.actual !== null && typeof r.actual === 'object' && !Array.isArray(r.actual);
  if (!holdsRedacted(r.expected) && (keyLookup || !holdsRedacted(r.actual))) return r;
  return { ...r, pass: false, message: `${r.path} ${r.op}: cannot be checked offline: it compares a secret, and secrets are not kept in the run record (they are written as ${REDACTED})` };
}

function holdsRedacted(v: unknown, depth = 0): boolean {
  if (typeof v === 'string') return v.includes(REDACTED);
  if (v === null || typeof v !== 'object' || depth > 64) return false;
  return Object.values(v as Obj).some((x) => holdsRedacted(x, depth + 1));
}
