import type { RunEvent, RunEventListener } from '../engine/events.js';
import { colorsFor, type Colors } from './colors.js';
import type { Envelope } from './envelope.js';
import { renderHuman } from './human.js';
import { redactor } from './redact.js';
import { stepLine } from './renderers.js';
import { writeStdout } from './stdio.js';
import { safeData, safeRendered, safeText } from './terminal-safe.js';

/** The one place output is written: JSON (one document on stdout) or human text; always redacted. */
export function printEnvelope(env: Envelope, json: boolean, opts: Record<string, unknown> = {}, view?: (env: Envelope, c: Colors) => string): void {
  if (json) {
    writeStdout(`${redactor.redactText(stringify(env))}\n`);
    return;
  }
  // Raw documents (schemas, dumps) print as-is so they can be redirected into files.
  if (env.status === 'SUCCESS' && opts.print && env.schema !== undefined) {
    writeStdout(`${redactor.redactText(JSON.stringify(env.schema, null, 2))}\n`);
    return;
  }
  const { out, err } = renderHuman(safeData(env), colorsFor(process.stdout), view);
  if (out) writeStdout(redactor.redactText(safeRendered(out)));
  if (err) process.stderr.write(redactor.redactText(safeRendered(err)));
}

/** A value nested deeper than JSON.stringify can recurse (a hostile response) is printed cut short. */
function stringify(env: Envelope): string {
  try {
    return JSON.stringify(env, null, 2);
  } catch {
    return JSON.stringify(redactor.redact(env), null, 2);
  }
}

/** Human-mode live progress for job runs: a header, then one line per finished step. */
export function progressListener(): RunEventListener {
  const c = colorsFor(process.stdout);
  return (e: RunEvent) => {
    if (e.type === 'run:start') writeStdout(redactor.redactText(`${c.bold('▶')} ${c.bold(safeText(e.jobType))} ${c.dim(`${e.stepCount} step(s), run ${e.runId}`)}\n`));
    else if (e.type === 'step:end') writeStdout(redactor.redactText(safeRendered(stepLine(safeData(e), c))));
  };
}
