import type { ReportCase, ReportModel, ReportProblem } from './report-model.js';
import type { Redactor } from '../output/redact.js';

/** One step as a JUnit testcase; `outcome` picks the child element (none when passed). */
interface JunitCase {
  name: string;
  classname: string;
  durationMs: number;
  outcome: 'passed' | 'failure' | 'error' | 'skipped';
  message?: string;
  type?: string;
  text?: string;
}

/** One run as a JUnit testsuite. */
interface JunitSuite {
  name: string;
  startedAt?: string;
  durationMs: number;
  properties: Record<string, string>;
  cases: JunitCase[];
}

interface JunitTotals {
  suites: number;
  tests: number;
  failures: number;
  errors: number;
  skipped: number;
}

/**
 * A case of the report as a testsuite: a testcase per step, then a testcase per assertion (the
 * expected status first). A failed step whose error is an input or not-found class (exit 2/4:
 * the API or the job did not hold) is a <failure>; a transient, internal or interrupted one
 * (exit 1/3) is an <error>; steps that never ran are <skipped/>. A run error no step owns (inputs
 * that did not resolve, a record that cannot be read) gets a "(run)" case.
 */
function suiteOfCase(c: ReportCase, model: ReportModel): JunitSuite {
  const name = c.name;
  const properties: Record<string, string> = {};
  if (c.runId) properties.runId = c.runId;
  properties.runStatus = c.runStatus;
  if (c.casePath) properties.casePath = c.casePath;
  if (model.kind !== 'run') Object.assign(properties, { batchId: model.id, batchIndex: String(c.index ?? 0) });
  if (c.runId) properties.inspect = `dispatch job inspect --run-id ${c.runId}`;
  const cases: JunitCase[] = c.steps.map((s) => {
    const base = { name: s.id, classname: name, durationMs: s.durationMs };
    if (s.status === 'SUCCESS') return { ...base, outcome: 'passed' };
    if (s.status === 'SKIPPED') return { ...base, outcome: 'skipped', message: 'not run: an earlier step failed or the run stopped' };
    return { ...base, ...problem(s.error, s.status, `action: ${s.action}`) };
  });
  const owned = c.steps.some((s) => s.status === 'FAILED' || s.status === 'INTERRUPTED');
  if (c.error && !owned) cases.push({ name: '(run)', classname: name, durationMs: 0, ...problem(c.error, c.runStatus.startsWith('NOT_') ? 'ERROR' : c.runStatus) });
  for (const a of c.assertions) {
    const title = `assert ${a.path} ${a.op}${a.expected === undefined ? '' : ` ${JSON.stringify(a.expected)}`}`;
    const base = { name: title, classname: `${name}.assertions`, durationMs: 0 };
    cases.push(
      a.pass ? { ...base, outcome: 'passed' } : { ...base, outcome: 'failure', type: 'ASSERTION_FAILED', message: a.message, text: `${a.message}\nactual: ${JSON.stringify(a.actual) ?? 'undefined'}` },
    );
  }
  if (c.assertionError) cases.push({ name: '(assertions)', classname: `${name}.assertions`, durationMs: 0, ...problem(c.assertionError, 'ERROR') });
  return { name, ...(c.startedAt ? { startedAt: c.startedAt } : {}), durationMs: c.durationMs, properties, cases };
}

function problem(err: ReportProblem | undefined, status: string, head?: string): Pick<JunitCase, 'outcome' | 'message' | 'type' | 'text'> {
  const code = err?.code ?? status;
  const message = err?.message ?? `step ended ${status}`;
  const exitCode = err?.exitCode;
  const outcome = status === 'FAILED' && (exitCode === 2 || exitCode === 4) ? 'failure' : 'error';
  const lines = [...(head ? [head] : []), `status: ${status}`, `code: ${code}`, ...(exitCode !== undefined ? [`exit code: ${exitCode}`] : []), `message: ${message}`];
  if (err?.hint !== undefined) lines.push(`hint: ${err.hint}`);
  if (err?.details !== undefined) lines.push(`details: ${JSON.stringify(err.details, null, 2)}`);
  return { outcome, type: code, message, text: lines.join('\n') };
}

/** The testsuites/tests/failures/errors/skipped counts of the JUnit rendering of a report. */
export function junitTotals(model: ReportModel): JunitTotals {
  return totalsOf(model.cases.map((c) => suiteOfCase(c, model)));
}

function totalsOf(suites: JunitSuite[]): JunitTotals {
  const t: JunitTotals = { suites: suites.length, tests: 0, failures: 0, errors: 0, skipped: 0 };
  for (const c of suites.flatMap((s) => s.cases)) {
    t.tests++;
    if (c.outcome === 'failure') t.failures++;
    else if (c.outcome === 'error') t.errors++;
    else if (c.outcome === 'skipped') t.skipped++;
  }
  return t;
}

/**
 * The XML document, in the shape of the widely read JUnit schema (Jenkins junit-10.xsd): times in
 * seconds with 3 decimals, timestamps in UTC without a zone, children in schema order. Every
 * string goes through the redactor (the artifacts it reads are already redacted; this also
 * catches secrets the current process knows of).
 */
export function renderJunit(model: ReportModel, redactor: Redactor): string {
  const suites = model.cases.map((c) => suiteOfCase(c, model));
  const t = totalsOf(suites);
  const name = model.kind === 'run' ? `dispatch ${model.cases[0]?.name ?? model.id}` : `dispatch ${model.kind} ${model.id}`;
  const durationMs = model.durationMs;
  const text = (v: string) => escapeXml(redactor.redactText(v));
  const attrs = (a: Record<string, string | number | undefined>) =>
    Object.entries(a)
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => ` ${k}="${text(String(v))}"`)
      .join('');
  const out = ['<?xml version="1.0" encoding="UTF-8"?>', `<testsuites${attrs({ name, tests: t.tests, failures: t.failures, errors: t.errors, time: seconds(durationMs) })}>`];
  suites.forEach((s, id) => {
    const st = totalsOf([s]);
    out.push(
      `  <testsuite${attrs({ name: s.name, tests: st.tests, failures: st.failures, errors: st.errors, skipped: st.skipped, time: seconds(s.durationMs), timestamp: timestamp(s.startedAt), id })}>`,
    );
    const props = Object.entries(s.properties);
    if (props.length) out.push('    <properties>', ...props.map(([k, v]) => `      <property${attrs({ name: k, value: v })}/>`), '    </properties>');
    for (const c of s.cases) {
      const open = `    <testcase${attrs({ name: c.name, classname: c.classname, time: seconds(c.durationMs) })}`;
      if (c.outcome === 'passed') out.push(`${open}/>`);
      else if (c.outcome === 'skipped') out.push(`${open}>`, `      <skipped${attrs({ message: c.message })}/>`, '    </testcase>');
      else out.push(`${open}>`, `      <${c.outcome}${attrs({ message: oneLine(c.message ?? ''), type: c.type })}>${text(c.text ?? '')}</${c.outcome}>`, '    </testcase>');
    }
    out.push('  </testsuite>');
  });
  out.push('</testsuites>', '');
  return out.join('\n');
}

const seconds = (ms: number) => (Math.max(0, ms) / 1000).toFixed(3);
const oneLine = (s: string) => s.replace(/\s*\n\s*/g, ' ');

/** `2024-05-01T12:00:00`: the zone-less form the strictest JUnit schemas accept (always UTC here). */
function timestamp(iso: string | undefined): string | undefined {
  const d = iso ? new Date(iso) : undefined;
  return d && !Number.isNaN(d.getTime()) ? d.toISOString().slice(0, 19) : undefined;
}

/** Escapes markup and drops characters XML 1.0 cannot carry (control characters, lone surrogates). */
function escapeXml(s: string): string {
  return s
    .replace(/[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu, '\uFFFD')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}
