import type { Colors } from './colors.js';
import type { Envelope } from './envelope.js';

/** Human text for an envelope: the result's own view when it has one, else a generic view. */
export function renderHuman(env: Envelope, c: Colors, view?: (env: Envelope, c: Colors) => string): { out: string; err: string } {
  const body = view ? view(env, c) : generic(env, c);
  let err = '';
  if (env.error) {
    err += `${c.red(c.bold('error'))} ${c.dim(`[${env.error.code}]`)} ${env.error.message}\n`;
    if (env.error.hint) err += `  ${c.yellow('hint')} ${env.error.hint}\n`;
    // A command refused an invalid job (job run, run-many, replay): every problem, as job validate
    // lists them, since human mode has no error.details to read.
    if (env.status === 'ERROR') err += problemLines(env.error.details?.errors, c);
    const stack = env.error.details?.stack;
    if (typeof stack === 'string') err += `${c.dim(stack)}\n`;
  }
  let next = '';
  if (env.next.length > 0) {
    next += `${c.dim('next:')}\n`;
    for (const n of env.next) next += `  ${c.cyan(n.command)}  ${c.dim(`# ${n.description}`)}\n`;
  }
  // A command that could not do its work has no output: all of it goes to stderr (DESIGN §3), so
  // `dispatch job report > junit.xml` never leaves an error message in the file.
  if (env.status === 'ERROR') return { out: '', err: joinBlocks(body, err, next) };
  return { out: joinBlocks(body, next), err };
}

const MAX_PROBLEMS = 30;

/** The warnings a job's validation gave, one line each (job validate, job run, run-many). */
/** The --reporter files a command wrote, one line each. */
export function reportLines(reports: unknown, c: Colors): string[] {
  return ((reports ?? []) as Array<{ format?: unknown; path?: unknown }>).map((r) => `${c.dim(`${String(r.format)} report:`)} ${String(r.path)}`);
}

export function warningLines(warnings: unknown, c: Colors): string[] {
  return ((warnings as Array<{ path?: unknown; message?: unknown }> | undefined) ?? []).map((w) => `  ${c.yellow('!')} ${c.cyan(String(w.path ?? ''))} ${String(w.message ?? '')}`);
}

/** One validation problem: path, message, and its hint on the next line (job validate uses it too). */
export function problemLine(p: { path?: unknown; message?: unknown; hint?: unknown }, c: Colors): string {
  return `  ${c.red('✗')} ${c.cyan(String(p.path ?? ''))} ${String(p.message ?? '')}${typeof p.hint === 'string' ? `\n      ${c.dim(p.hint)}` : ''}`;
}

function problemLines(errors: unknown, c: Colors): string {
  if (!Array.isArray(errors) || errors.length < 2) return '';
  const lines = errors.slice(0, MAX_PROBLEMS).map((e: { path?: unknown; message?: unknown; hint?: unknown }) => problemLine(e, c));
  if (errors.length > MAX_PROBLEMS) lines.push(c.dim(`  … and ${errors.length - MAX_PROBLEMS} more (--json lists them all)`));
  return `${lines.join('\n')}\n`;
}

/** Blocks separated by one blank line. */
function joinBlocks(...blocks: string[]): string {
  return blocks.filter(Boolean).reduce((acc, b) => (acc ? `${acc}${acc.endsWith('\n\n') ? '' : '\n'}${b}` : b), '');
}

const SKIP = new Set(['cliVersion', 'command', 'status', 'exitCode', 'next', 'error']);

function generic(env: Envelope, c: Colors): string {
  const lines: string[] = [];
  if (env.status !== 'SUCCESS' || !env.error) lines.push(`${statusWord(env.status, c)} ${c.bold(env.command)}`);
  for (const [k, v] of Object.entries(env)) {
    if (SKIP.has(k) || v === undefined) continue;
    if (v !== null && typeof v === 'object') {
      const text = JSON.stringify(v, null, 2);
      lines.push(`${c.dim(`${k}:`)} ${text.length > 2000 ? `${text.slice(0, 2000)}…` : text}`);
    } else lines.push(`${c.dim(`${k}:`)} ${String(v)}`);
  }
  return lines.join('\n') + '\n';
}

export function statusWord(status: string, c: Colors): string {
  if (status === 'SUCCESS') return c.green(c.bold('SUCCESS'));
  if (status === 'FAILED') return c.red(c.bold('FAILED'));
  if (status === 'INTERRUPTED') return c.yellow(c.bold('INTERRUPTED'));
  return c.red(c.bold(status));
}

export function ms(n: unknown): string {
  const v = Number(n);
  if (!Number.isFinite(v)) return '';
  return v < 1000 ? `${Math.round(v)}ms` : `${(v / 1000).toFixed(2)}s`;
}
