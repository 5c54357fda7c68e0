import type { ErrorRecordRead, RunSummary } from './artifacts.js';
import type { Redactor } from '../output/redact.js';

/** One step as a JUnit testcase; `outcome` picks the child element (none when passed). */
export interface JunitCase {
  name: string;
  classname: string;
  durationMs: number;
  outcome: 'passed' | 'failure' | 'error' | 'skipped';
  message?: string;
  type?: string;
  text?: string;
}

/** One run as a JUnit testsuite. */
export interface JunitSuite {
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
 * A recorded run (its summary.json) as a testsuite: one testcase per step. A failed step whose
 * error is an input or not-found class (exit 2/4: the API or the job did not hold) is a
 * <failure>; a transient, internal or interrupted one (exit 1/3) is an <error>; steps that never
 * ran are <skipped/>. A run error no step owns (e.g. inputs that did not resolve) gets a "(run)" case.
 */
export function suiteFromRun(summary: RunSummary, name: string, properties: Record<string, string>): JunitSuite {
  const steps = summary.steps;
  const cases: JunitCase[] = steps.map((s) => {
    const base = { name: s.id, classname: name, durationMs: s.durationMs };
    if (s.status === 'SUCCESS') return { ...base, outcome: 'passed' };
    if (s.status === 'SKIPPED') return { ...base, outcome: 'skipped', message: 'not run: an earlier step failed or the run stopped' };
    return { ...base, ...problem(s.error, s.status, `action: ${s.action}`) };
  });
  const runError = summary.error;
  const owned = steps.some((s) => s.status === 'FAILED' || s.status === 'INTERRUPTED');
  if (runError && !owned) cases.push({ name: '(run)', classname: name, durationMs: 0, ...problem(runError, summary.status) });
  return { name, startedAt: summary.startedAt, durationMs: summary.durationMs ?? 0, properties, cases };
}

/** A run that left no record (a batch entry without a run id) as a suite with one error. */
export function unrecordedSuite(name: string, error: { code: string; message: string } | undefined, properties: Record<string, string>): JunitSuite {
  const err = error ?? { code: 'RUN_NOT_RECORDED', message: 'The run left no record.' };
  return { name, durationMs: 0, properties, cases: [{ name: '(run)', classname: name, durationMs: 0, outcome: 'error', type: err.code, message: err.message, text: `${err.code}: ${err.message}` }] };
}

function problem(err: ErrorRecordRead | undefined, status: string, head?: string): Pick<JunitCase, 'outcome' | 'message' | 'type' | 'text'> {
  const code = err?.code ?? status;
  const message = err?.message ?? `step ended ${status}`;
  const exitCode = err?.exitCode;
  const outcome = status === 'FAILED' && (exitCode === 2 || exitCode === 4) ? 'failure' : 'error';
  const lines = [...(head ? [head] : []), `status: ${status}`, `code: ${code}`, ...(exitCode !== undefined ? [`exit code: ${exitCode}`] : []), `message: ${message}`];
  if (err?.hint !== undefined) lines.push(`hint: ${err.hint}`);
  if (err?.details !== undefined) lines.push(`details: ${JSON.stringify(err.details, null, 2)}`);
  return { outcome, type: code, message, text: lines.join('\n') };
}

export function totalsOf(suites: JunitSuite[]): JunitTotals {
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
export function renderJunit(name: string, suites: JunitSuite[], durationMs: number, redactor: Redactor): string {
  const t = totalsOf(suites);
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
