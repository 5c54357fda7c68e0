import type { Colors } from './colors.js';
import type { Envelope } from './envelope.js';

/** Human text for an envelope: the result's own view when it has one, else a generic view. */
export function renderHuman(env: Envelope, c: Colors, view?: (env: Envelope, c: Colors) => string): { out: string; err: string } {
  let out = view ? view(env, c) : generic(env, c);
  let err = '';
  if (env.error) {
    err += `${c.red(c.bold('error'))} ${c.dim(`[${env.error.code}]`)} ${env.error.message}\n`;
    if (env.error.hint) err += `  ${c.yellow('hint')} ${env.error.hint}\n`;
    const stack = env.error.details?.stack;
    if (typeof stack === 'string') err += `${c.dim(stack)}\n`;
  }
  if (env.next.length > 0) {
    out += `${out && !out.endsWith('\n\n') ? '\n' : ''}${c.dim('next:')}\n`;
    for (const n of env.next) out += `  ${c.cyan(n.command)}  ${c.dim(`# ${n.description}`)}\n`;
  }
  return { out, err };
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
