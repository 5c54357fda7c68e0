import type { Colors } from './colors.js';
import type { Envelope } from './envelope.js';
import { ms, problemLine, reportLines, statusWord, warningLines } from './human.js';

type Renderer = (env: Envelope, c: Colors) => string;

interface StepLine {
  id: string;
  action: string;
  status: string;
  durationMs?: number;
  error?: { code: string; message: string };
}

/** Human view of a recorded run (`job run`); errors thrown before a run get the generic view. */
export const jobRunView: Renderer = (e, c) => {
  // Finished steps were printed live, one line each; the steps that never ran get theirs here.
  const skipped = ((e.steps as Array<{ id?: unknown; action?: unknown; status?: unknown }> | undefined) ?? []).filter((s) => s?.status === 'SKIPPED');
  const lines = skipped.map((s) => `  ${c.dim('-')} ${c.bold(String(s.id))} ${c.dim(String(s.action ?? ''))} ${c.dim('skipped: an earlier step stopped the run')}`);
  lines.push(`${statusWord(e.status, c)} ${c.bold(String(e.jobType ?? ''))} ${c.dim(`run ${e.runId ?? ''}`)} ${c.dim(ms(e.durationMs))}`);
  lines.push(...warningLines(e.warnings, c));
  if (e.runDir) lines.push(`${c.dim('record:')} ${e.runDir}`);
  lines.push(...reportLines(e.reports, c));
  return lines.join('\n') + '\n';
};

/** Human view of `job validate`: verdict, then each problem with its path and hint. */
export const jobValidateView: Renderer = (e, c) => {
  const lines: string[] = [];
  const n = (e.steps as unknown[] | undefined)?.length ?? 0;
  if (e.status === 'SUCCESS') lines.push(`${c.green('valid')} ${c.bold(String(e.jobType))} ${c.dim(`(${e.kind}, ${n} step${n === 1 ? '' : 's'})`)}`);
  else lines.push(`${c.red('invalid')} ${String(e.casePath ?? '')}`);
  for (const p of (e.errors as Array<{ path: string; message: string; hint?: string }> | undefined) ?? []) lines.push(problemLine(p, c));
  lines.push(...warningLines(e.warnings, c));
  return lines.join('\n') + '\n';
};

/** Human view of `job assert`: one line per rule. */
export const jobAssertView: Renderer = (e, c) => {
  const lines = [`${statusWord(e.status, c)} ${c.dim(`assert run ${e.runId ?? ''}`)}`];
  for (const r of (e.results as Array<{ pass: boolean; message: string }> | undefined) ?? []) lines.push(`  ${r.pass ? c.green('✓') : c.red('✗')} ${r.message}`);
  return lines.join('\n') + '\n';
};

/** One line per finished step, printed live during `job run`. */
export function stepLine(s: StepLine, c: Colors): string {
  const mark = s.status === 'SUCCESS' ? c.green('✓') : s.status === 'SKIPPED' ? c.dim('-') : s.status === 'INTERRUPTED' ? c.yellow('!') : c.red('✗');
  const tail = s.error ? `  ${c.red(`${s.error.code}: ${s.error.message}`)}` : '';
  return `  ${mark} ${c.bold(s.id)} ${c.dim(s.action)} ${c.dim(ms(s.durationMs))}${tail}\n`;
}
