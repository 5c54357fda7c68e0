import type { RunEvent, RunEventListener } from '../engine/events.js';
import type { HttpExchange } from '../http/types.js';
import { colorsFor, type Colors } from './colors.js';
import { isSensitiveHeader, REDACTED, redactor } from './redact.js';
import { safeText } from './terminal-safe.js';

/** Longest body shown per request or response; the record keeps all of it. */
const PREVIEW_CHARS = 400;

/**
 * `--verbose` on commands that run jobs: every HTTP exchange on stderr as it completes, in the
 * spirit of `curl -v` / `hurl --verbose` (`>` what was sent, `<` what came back). Stdout is left
 * alone, so `--json` still prints one document. Headers that carry credentials are masked by name,
 * everything else goes through the redactor, and control characters are made visible.
 */
export function verboseListener(out: NodeJS.WritableStream = process.stderr): RunEventListener {
  const c = colorsFor(out as { isTTY?: boolean });
  return (e: RunEvent) => {
    if (e.type !== 'http') return;
    out.write(redactor.redactText(render(e.exchange, c)));
  };
}

function render(x: HttpExchange, c: Colors): string {
  const lines = [c.bold(`> ${x.method} ${safeText(x.url)}${x.stepId ? c.dim(`  (step ${safeText(x.stepId)})`) : ''}`)];
  lines.push(...headerLines('>', x.request.headers));
  if (x.request.body !== undefined) lines.push(`> ${preview(x.request.body)}`);
  if (x.status !== undefined) lines.push(c.bold(`< ${x.status} ${c.dim(`(${x.durationMs} ms)`)}`));
  else lines.push(c.red(`< no answer: ${x.error?.code ?? 'error'}: ${safeText(x.error?.message ?? '')} ${c.dim(`(${x.durationMs} ms)`)}`));
  lines.push(...headerLines('<', x.response?.headers ?? {}));
  if (x.response?.bodyOmitted) lines.push(`< (body of ${x.response.bodyOmitted.bytes} bytes, not kept twice)`);
  else if (x.response && x.response.body !== undefined && x.response.body !== null) lines.push(`< ${preview(x.response.body)}`);
  return `${lines.join('\n')}\n\n`;
}

function headerLines(mark: string, headers: Record<string, string>): string[] {
  return Object.entries(headers).map(([name, value]) => `${mark} ${safeText(name)}: ${isSensitiveHeader(name) ? REDACTED : safeText(value)}`);
}

function preview(body: unknown): string {
  const text = typeof body === 'string' ? body : (JSON.stringify(body) ?? String(body));
  const shown = safeText(text.length > PREVIEW_CHARS ? `${text.slice(0, PREVIEW_CHARS)}… (${text.length - PREVIEW_CHARS} more characters)` : text);
  return shown.replace(/\n/g, ' ');
}
