import fs from 'node:fs/promises';
import path from 'node:path';
import { isDispatchError, toDispatchError } from '../errors.js';
import { registerJobSecrets } from '../job/register-secrets.js';
import { redactor } from '../output/redact.js';
import type { ErrorRecordRead } from './artifacts.js';
import { assertRun } from './assert.js';
import type { BatchRecord } from './batch.js';
import { readRecordedRun, type RecordedRun } from './store.js';

/*
 * What every report shows, built once from the records on disk: JUnit, the HTML page and the JSON
 * report are three renderings of this model, so they never disagree about a verdict. It is built
 * offline (job report) and right after a run (--reporter) by the same code.
 */

/** An error as a report shows it. */
export type ReportProblem = Pick<ErrorRecordRead, 'code' | 'message' | 'exitCode' | 'hint' | 'details'>;

export interface ReportHttp {
  method: string;
  url: string;
  status?: number;
  /** Milliseconds from the run's start to the request, when recorded. */
  startMs?: number;
  durationMs: number;
  error?: { code: string; message: string };
}

export interface ReportStep {
  id: string;
  action: string;
  status: string;
  /** Milliseconds from the run's start, when recorded (steps that never ran have none). */
  startMs?: number;
  durationMs: number;
  /** With a step retry: how many attempts it took. */
  attempts?: number;
  error?: ReportProblem;
  http: ReportHttp[];
}

export interface ReportAssertion {
  path: string;
  op: string;
  expected?: unknown;
  actual?: unknown;
  pass: boolean;
  message: string;
}

/** One run: a case of a suite, a run of a batch, or the run a run report is about. */
export interface ReportCase {
  name: string;
  casePath?: string;
  jobType?: string;
  runId: string | null;
  /** Its index in the batch or suite. */
  index?: number;
  /** SUCCESS, FAILED, INTERRUPTED; NOT_RUN when the job never ran (it did not validate), NOT_RECORDED when its record is missing or unreadable. */
  runStatus: string;
  /** The run succeeded and every assertion held. */
  passed: boolean;
  startedAt?: string;
  durationMs: number;
  /** The run's error, or why the run has no readable record. */
  error?: ReportProblem;
  steps: ReportStep[];
  /** The expected status first, then the job's own assertions. */
  assertions: ReportAssertion[];
  /** Why the assertions could not be evaluated (a rule in the record that does not parse). */
  assertionError?: ReportProblem;
}

export interface ReportTotals {
  cases: number;
  passedCases: number;
  failedCases: number;
  steps: number;
  failedSteps: number;
  assertions: number;
  failedAssertions: number;
}

export interface ReportModel {
  report: 'dispatch';
  version: 1;
  kind: 'run' | 'batch' | 'suite';
  /** The run id or the batch id. */
  id: string;
  title: string;
  startedAt?: string;
  durationMs: number;
  /** True when every case passed (and every case of a batch started). */
  passed: boolean;
  notStarted: number;
  totals: ReportTotals;
  cases: ReportCase[];
}

type CaseFacts = Pick<ReportCase, 'name' | 'casePath' | 'index'>;

/** One recorded run as a case, with its assertions evaluated from the record (as job assert does). */
function caseOfRun(run: RecordedRun, facts: CaseFacts, env: Record<string, string | undefined>): ReportCase {
  // Records are redacted when written; the secrets this process knows are registered again, so one
  // that slipped into an older record still never reaches a report, and the job's names are kept.
  registerJobSecrets(run.inputJob, env);
  const s = run.summary;
  const t0 = Date.parse(s.startedAt ?? '');
  const offset = (iso: string | undefined) => {
    const t = Date.parse(iso ?? '');
    return Number.isFinite(t) && Number.isFinite(t0) ? Math.max(0, t - t0) : undefined;
  };
  const records = new Map(run.steps.map((r) => [r.id, r]));
  const steps: ReportStep[] = s.steps.map((st) => {
    const rec = records.get(st.id);
    const http = run.http
      .filter((h) => h.stepId === st.id)
      .map((h) => ({
        method: h.method,
        url: h.url,
        ...(h.status !== undefined ? { status: h.status } : {}),
        ...opt('startMs', offset(h.ts)),
        durationMs: h.durationMs ?? 0,
        ...(h.error ? { error: h.error } : {}),
      }));
    const error = st.error ?? rec?.error;
    return {
      id: st.id,
      action: st.action,
      status: st.status,
      ...opt('startMs', offset(rec?.startedAt)),
      durationMs: st.durationMs,
      ...(rec?.attempts && rec.attempts.length > 1 ? { attempts: rec.attempts.length } : {}),
      ...(error ? { error: problem(error) } : {}),
      http,
    };
  });
  let assertions: ReportAssertion[] = [];
  let assertionError: ReportProblem | undefined;
  try {
    assertions = assertRun(run).results.map((r) => ({ path: r.path, op: r.op, expected: r.expected, actual: r.actual, pass: r.pass, message: r.message }));
  } catch (err) {
    assertionError = problem(toDispatchError(err).toJSON());
  }
  const passed = s.status === 'SUCCESS' && !assertionError && assertions.every((a) => a.pass);
  return {
    ...facts,
    ...(s.jobType ? { jobType: s.jobType } : {}),
    ...(facts.casePath === undefined && s.casePath ? { casePath: s.casePath } : {}),
    runId: run.runId,
    runStatus: s.status,
    passed,
    ...(s.startedAt ? { startedAt: s.startedAt } : {}),
    durationMs: s.durationMs ?? 0,
    ...(s.error ? { error: problem(s.error) } : {}),
    steps,
    assertions,
    ...(assertionError ? { assertionError } : {}),
  };
}

/** A run without a readable record: a case that failed for that reason. */
function caseWithoutRecord(facts: CaseFacts, runId: string | null, error: ReportProblem, durationMs = 0): ReportCase {
  return { ...facts, runId, runStatus: runId ? 'NOT_RECORDED' : 'NOT_RUN', passed: false, durationMs, error, steps: [], assertions: [] };
}

const RECORD_PROBLEMS = new Set(['RUN_NOT_FOUND', 'RUN_RECORD_CORRUPT', 'RUN_ABANDONED', 'RUN_IN_PROGRESS']);

/** Reads one run of a batch; a missing or damaged one becomes a failed case naming why, so it cannot hide the others. */
async function readCase(outputRoot: string, runId: string, facts: CaseFacts, env: Record<string, string | undefined>): Promise<ReportCase> {
  const runDir = path.join(outputRoot, runId);
  const isDir = await fs.stat(runDir).then(
    (st) => st.isDirectory(),
    () => false,
  );
  if (!isDir) return caseWithoutRecord(facts, runId, { code: 'RUN_NOT_FOUND', message: `Run ${runId} is not recorded under ${outputRoot}.` });
  try {
    return caseOfRun(await readRecordedRun(runId, runDir), facts, env);
  } catch (err) {
    if (isDispatchError(err) && RECORD_PROBLEMS.has(err.code)) return caseWithoutRecord(facts, runId, { code: err.code, message: err.message });
    throw err;
  }
}

/** The report of one run (its record must be readable: a single-run report has nothing else to show). */
export async function runReportModel(runId: string, runDir: string, env: Record<string, string | undefined>): Promise<ReportModel> {
  const run = await readRecordedRun(runId, runDir);
  const c = caseOfRun(run, { name: run.summary.jobType ?? runId }, env);
  return finish({ kind: 'run', id: runId, title: `${c.name} (run ${runId})`, startedAt: c.startedAt, durationMs: c.durationMs, notStarted: 0, cases: [c] });
}

/** The report of a run-many batch or a job test suite: one case per run, in index order. */
export async function batchReportModel(outputRoot: string, record: BatchRecord, env: Record<string, string | undefined>): Promise<ReportModel> {
  const suite = record.kind === 'suite';
  const cases: ReportCase[] = [];
  for (const r of record.runs) {
    const facts: CaseFacts = { name: suite ? (r.casePath ?? `case #${r.index}`) : `${record.jobType} #${r.index}`, index: r.index, ...(r.casePath ? { casePath: r.casePath } : {}) };
    const error = r.error ?? { code: 'RUN_NOT_RECORDED', message: 'The run left no record.' };
    cases.push(r.runId ? await readCase(outputRoot, r.runId, facts, env) : caseWithoutRecord(facts, null, error, r.durationMs));
  }
  const title = suite ? `suite ${record.casePath} (batch ${record.batchId})` : `${record.jobType} x${record.count} (batch ${record.batchId})`;
  return finish({ kind: suite ? 'suite' : 'batch', id: record.batchId, title, startedAt: record.startedAt, durationMs: record.durationMs, notStarted: record.notStarted, cases });
}

function finish(m: Omit<ReportModel, 'report' | 'version' | 'passed' | 'totals'>): ReportModel {
  const totals: ReportTotals = { cases: 0, passedCases: 0, failedCases: 0, steps: 0, failedSteps: 0, assertions: 0, failedAssertions: 0 };
  for (const c of m.cases) {
    totals.cases++;
    if (c.passed) totals.passedCases++;
    else totals.failedCases++;
    totals.steps += c.steps.length;
    totals.failedSteps += c.steps.filter((s) => s.status === 'FAILED' || s.status === 'INTERRUPTED').length;
    totals.assertions += c.assertions.length;
    totals.failedAssertions += c.assertions.filter((a) => !a.pass).length;
  }
  const model: ReportModel = { report: 'dispatch', version: 1, ...m, passed: totals.failedCases === 0 && m.notStarted === 0, totals };
  // The one place a report's values pass before any rendering: every format is redacted alike.
  return redactor.redact(model);
}

function problem(e: ReportProblem): ReportProblem {
  return {
    code: e.code,
    message: e.message,
    ...(e.exitCode !== undefined ? { exitCode: e.exitCode } : {}),
    ...(e.hint !== undefined ? { hint: e.hint } : {}),
    ...(e.details !== undefined ? { details: e.details } : {}),
  };
}

const opt = <K extends string>(key: K, value: number | undefined) => (value === undefined ? {} : ({ [key]: value } as Record<K, number>));
