import { resolvePath } from '../engine/resolve-path.js';
import type { ErrorRecordRead, HttpRecord, StepRecord, StepSummaryRead } from './artifacts.js';
import type { RunDump } from './dump.js';

type Obj = Record<string, unknown>;

/** Longest JSON excerpt a narrative shows per value; the full value is one `job inspect` away. */
const EXCERPT_CHARS = 600;

const EXIT_MEANING: Record<number, string> = {
  1: 'internal error in dispatch or a module',
  2: 'input or usage problem: fix the job or the data, do not just retry',
  3: 'transient problem: retrying is safe',
  4: 'something was not found',
};

/** Compact JSON of a value, cut to `max` characters with a note of how much was left out. */
export function excerpt(value: unknown, max = EXCERPT_CHARS): string {
  const text = value === undefined ? 'undefined' : (JSON.stringify(value, null, 2) ?? String(value));
  return text.length <= max ? text : `${text.slice(0, max)}\n… (${text.length - max} more characters)`;
}

/** A fenced block that survives content holding backticks of its own. */
function fence(text: string, lang = 'json'): string {
  const longest = Math.max(2, ...[...text.matchAll(/`+/g)].map((m) => m[0].length));
  const ticks = '`'.repeat(longest + 1);
  return `${ticks}${lang}\n${text}\n${ticks}`;
}

const code = (s: unknown) => `\`${String(s).replace(/`/g, "'")}\``;
const duration = (n: unknown) => (Number.isFinite(Number(n)) ? (Number(n) < 1000 ? `${Math.round(Number(n))} ms` : `${(Number(n) / 1000).toFixed(2)} s`) : '');

/** The recorded run as a Markdown narrative a person reads top to bottom. */
export function renderReadable(d: RunDump): string {
  const s = d.summary;
  const steps = s.steps;
  const records = new Map(d.steps.map((r) => [r.id, r]));
  const defs = stepDefinitions(d.resolvedJob);
  const failed = steps.find((st) => st.status === 'FAILED' || st.status === 'INTERRUPTED');
  const ok = steps.filter((st) => st.status === 'SUCCESS').length;
  const out: string[] = [`# ${String(s.jobType ?? 'job')}: ${String(s.status)}`, ''];

  let intro = `Run ${code(d.runId)} of ${code(s.casePath ?? d.meta?.casePath ?? 'an unnamed job')} started ${String(s.startedAt ?? '?')} and took ${duration(s.durationMs)}. ${ok} of ${steps.length} step(s) succeeded`;
  intro += failed ? `; step ${code(failed.id)} ${String(failed.status).toLowerCase()}.` : '.';
  if (d.meta?.replayOf) intro += ` It replays run ${code(d.meta.replayOf)} from its record, without network.`;
  if (d.meta?.batchId) intro += ` It belongs to batch ${code(d.meta.batchId)}.`;
  out.push(intro, '', '## Steps', '');

  steps.forEach((st, i) => {
    const id = st.id;
    const rec = records.get(id);
    const def = defs.get(id);
    out.push(`### ${i + 1}. ${id} (${code(st.action)}): ${st.status}${st.status === 'SKIPPED' ? '' : `, ${duration(st.durationMs)}`}`, '');
    if (def?.description) out.push(String(def.description), '');
    if (st.status === 'SKIPPED' || !rec) {
      out.push('Not run: an earlier step stopped the job.', '');
      return;
    }
    out.push('Sent:', '', fence(excerpt(rec.payload ?? {})), '');
    if (rec.response !== undefined) out.push('Got back:', '', fence(excerpt(rec.response)), '');
    if (rec.exports && Object.keys(rec.exports).length > 0) out.push(`Exports: ${code(excerpt(rec.exports, 200).replace(/\n\s*/g, ' '))}`, '');
    const captures = capturedValues(def?.capture, rec);
    if (captures.length > 0) out.push('Captured:', '', ...captures.map(([name, v]) => `- ${code(`run.${name}`)} = ${code(excerpt(v, 200).replace(/\n\s*/g, ' '))}`), '');
    const calls = d.http.filter((h) => h.stepId === id);
    if (calls.length > 0) out.push('HTTP:', '', ...calls.map(httpLine), '');
    if (rec.error) out.push(...errorLines(rec.error), '');
  });

  const run = s.run ?? {};
  if (Object.keys(run).length > 0) {
    out.push('## Run values', '', '| name | value |', '| --- | --- |');
    for (const [k, v] of Object.entries(run)) out.push(`| ${k} | ${code(excerpt(v, 120).replace(/\n\s*/g, ' ').replace(/\|/g, '\\|'))} |`);
    out.push('');
  }

  const err = s.error ?? failed?.error;
  if (err) {
    out.push('## What failed', '');
    const where = failed ? `Step ${code(failed.id)} (${code(failed.action)})` : 'The run, before any step,';
    out.push(`${where} failed with ${code(err.code)}: ${err.message}`, '');
    const meaning = err.exitCode === undefined ? undefined : EXIT_MEANING[err.exitCode];
    if (meaning) out.push(`Exit class ${String(err.exitCode)}: ${meaning}.`, '');
    if (err.hint) out.push(`Hint: ${err.hint}`, '');
  }

  out.push('## Next steps', '');
  for (const n of nextSteps(d.runId, s.status, failed)) out.push(`- ${code(n.command)}: ${n.description}`);
  return `${out.join('\n')}\n`;
}

export function nextSteps(runId: string, status: string, failed?: StepSummaryRead): Array<{ command: string; description: string }> {
  if (status === 'SUCCESS') {
    return [
      { command: `dispatch job assert --run-id ${runId}`, description: 'check the job assertions on this record' },
      { command: `dispatch job replay --run-id ${runId}`, description: 'reproduce the run offline from its record' },
    ];
  }
  return [
    { command: `dispatch job inspect --run-id ${runId}${failed ? ` --step ${failed.id}` : ''}`, description: 'see exactly what the failing step sent and received' },
    { command: `dispatch job dump --run-id ${runId}`, description: 'every artifact of the run in one JSON document' },
  ];
}

function errorLines(e: ErrorRecordRead): string[] {
  const lines = [`Error ${code(e.code)}: ${e.message}`];
  if (e.hint) lines.push('', `Hint: ${e.hint}`);
  return lines;
}

function httpLine(h: HttpRecord): string {
  const result = h.status !== undefined ? String(h.status) : (h.error?.code ?? 'no response');
  return `- ${h.method} ${h.url} → ${result} (${duration(h.durationMs)})`;
}

function capturedValues(capture: unknown, rec: StepRecord): Array<[string, unknown]> {
  if (!capture || typeof capture !== 'object' || rec.status !== 'SUCCESS') return [];
  const root = { response: rec.response, exports: rec.exports ?? {} };
  return Object.entries(capture as Record<string, string>).flatMap(([name, p]) => {
    try {
      const got = resolvePath(root, String(p));
      return got.found ? [[name, got.value] as [string, unknown]] : [];
    } catch {
      return [];
    }
  });
}

/** Step definitions of the resolved job by id (descriptions and capture maps). */
export function stepDefinitions(job: unknown): Map<string, Obj> {
  const list = (job as { scenario?: { steps?: unknown } } | null)?.scenario?.steps;
  return new Map((Array.isArray(list) ? (list as Obj[]) : []).map((s) => [String(s.id), s]));
}
