import type { RunEventListener } from '../engine/events.js';
import type { Handler, RunExtras } from '../cli/types.js';
import type { z } from 'zod';
import { optionSchemas } from '../cli/option-schemas.js';
import { toDispatchError, usageError } from '../errors.js';
import { errorResult, toEnvelope, type CommandResult, type Envelope } from '../output/envelope.js';
import { checkCwd, withCwd } from '../output/next-hints.js';
import { redactor } from '../output/redact.js';

/** How a program (the SDK, the MCP server) runs one command handler in-process. */
export interface InvokeOptions {
  signal?: AbortSignal;
  onEvent?: RunEventListener;
  /** Recorded as meta.argv of runs; defaults to the equivalent command line. */
  argv?: string[];
}

/**
 * Runs a command's handler exactly as the CLI entry does and returns the envelope `--json` would
 * print: same fields, same next[], errors turned into ERROR envelopes, secrets redacted the same
 * way (the printer redacts the JSON text, so this does too).
 */
export async function invokeHandler(command: string, load: () => Promise<{ default: Handler }>, opts: Record<string, unknown>, o: InvokeOptions = {}): Promise<Envelope> {
  const extras: RunExtras = { signal: o.signal ?? new AbortController().signal, argv: o.argv ?? commandLine(command, opts), json: true };
  if (o.onEvent) extras.onEvent = o.onEvent;
  let result: CommandResult;
  try {
    checkOptions(command, opts);
    checkCwd(opts.cwd);
    result = await (await load()).default(opts, extras);
  } catch (err) {
    const e = toDispatchError(err);
    if (e.exitCode === 1 && process.env.DISPATCH_DEBUG === '1') process.stderr.write(`${(err as Error)?.stack ?? String(err)}\n`);
    result = errorResult(e);
  }
  // The same next[] as the CLI prints: commands keep the folder they were run in.
  const env = withCwd(toEnvelope(command, result), opts.cwd);
  return redactor.redact(env);
}

/** The CLI invocation equivalent to `opts` (what meta.argv records for a run started by a program). */
function commandLine(command: string, opts: Record<string, unknown>): string[] {
  const argv = ['dispatch', ...command.split(' ')];
  if (command === 'module inspect' && typeof opts.name === 'string') argv.push(opts.name);
  for (const [key, value] of Object.entries(opts)) {
    if (value === undefined || value === false || key === 'env' || key === '_args' || (command === 'module inspect' && key === 'name')) continue;
    const flag = `--${key.replace(/[A-Z]/g, (m) => `-${m.toLowerCase()}`)}`;
    if (value === true) argv.push(flag);
    else if (Array.isArray(value)) for (const v of value) argv.push(flag, String(v));
    else argv.push(flag, String(value));
  }
  return argv;
}

/**
 * Programs pass plain objects, so the flag checks commander does for the CLI happen here, with
 * the same zod option schemas: a missing or mistyped option is a usage error (exit 2), not a crash.
 */
function checkOptions(command: string, opts: Record<string, unknown>): void {
  const schema = optionSchemas[command as keyof typeof optionSchemas] as z.ZodType | undefined;
  if (!schema) return;
  const { env: _env, _args: _positional, ...flags } = opts;
  const clean = Object.fromEntries(Object.entries(flags).filter(([, v]) => v !== undefined));
  const res = schema.safeParse(clean);
  if (res.success) return;
  const problems = res.error.issues.map((i) => `${i.path.join('.') || 'options'}: ${i.message}`);
  throw usageError('BAD_OPTIONS', `Invalid options for ${command}: ${problems.join('; ')}.`, { hint: `See the ${command} section of docs/integrations.md for the options it takes.` });
}
