import type { RunEvent, RunEventListener } from '../engine/events.js';
import { colorsFor, type Colors } from './colors.js';
import type { Envelope } from './envelope.js';
import { renderHuman } from './human.js';
import { redactor } from './redact.js';
import { stepLine } from './renderers.js';
import { writeStdout } from './stdio.js';
import { safeData, safeRendered, safeText } from './terminal-safe.js';

/**
 * The one place output is written: JSON (one document on stdout) or human text; always redacted.
 * Data is redacted before it is serialised, never the serialised text, so a secret that looks like
 * a number or holds JSON syntax cannot break the document (DESIGN 14).
 */
export function printEnvelope(env: Envelope, json: boolean, opts: Record<string, unknown> = {}, view?: (env: Envelope, c: Colors) => string): void {
  const safe = redactor.redact(env);
  if (json) {
    writeStdout(`${JSON.stringify(safe, null, 2)}\n`);
    return;
  }
  // Raw documents (schemas, dumps) print as-is so they can be redirected into files.
  if (safe.status === 'SUCCESS' && opts.print && safe.schema !== undefined) {
    writeStdout(`${JSON.stringify(safe.schema, null, 2)}\n`);
    return;
  }
  // A view may print values it holds itself: its text is redacted as text too.
  const { out, err } = renderHuman(safeData(safe), colorsFor(process.stdout), view);
  if (out) writeStdout(redactor.redactText(safeRendered(out)));
  if (err) process.stderr.write(redactor.redactText(safeRendered(err)));
}

/** Human-mode live progress for job runs: a header, then one line per finished step. */
export function progressListener(): RunEventListener {
  const c = colorsFor(process.stdout);
  return (e: RunEvent) => {
    if (e.type === 'run:start') writeStdout(redactor.redactText(`${c.bold('▶')} ${c.bold(safeText(e.jobType))} ${c.dim(`${e.stepCount} step(s), run ${e.runId}`)}\n`));
    else if (e.type === 'step:end') writeStdout(redactor.redactText(safeRendered(stepLine(safeData(e), c))));
  };
}
