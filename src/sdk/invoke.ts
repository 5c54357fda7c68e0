import type { RunEventListener } from '../engine/events.js';
import type { RunExtras } from '../cli/types.js';
import { readyOptions } from '../cli/ready-options.js';
import type { CommandSpec } from '../cli/commands.js';
import { flagName } from '../cli/flags.js';
import { toDispatchError } from '../errors.js';
import { errorResult, toEnvelope, type CommandResult, type Envelope } from '../output/envelope.js';
import { withCwd } from '../output/next-hints.js';
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
 * way. It takes the command's row of the table rather than the table itself, so the MCP server
 * (a command in that table) can use it without an import cycle. The options are checked against the command's zod object first, as the CLI checks its
 * flags, so a mistake is the same USAGE error on every surface.
 */
export async function invokeCommand(spec: CommandSpec, opts: Record<string, unknown>, o: InvokeOptions = {}): Promise<Envelope> {
  const command = spec.name;
  const extras: RunExtras = { signal: o.signal ?? new AbortController().signal, argv: o.argv ?? commandLine(spec, opts), json: true };
  if (o.onEvent) extras.onEvent = o.onEvent;
  let result: CommandResult;
  try {
    const checked = readyOptions(command, opts, 'program');
    const handler = (await spec.load()).default as (opts: unknown, extras: RunExtras) => Promise<CommandResult>;
    result = await handler(checked, extras);
  } catch (err) {
    const e = toDispatchError(err);
    if (e.exitCode === 1 && process.env.DISPATCH_DEBUG === '1') process.stderr.write(`${(err as Error)?.stack ?? String(err)}\n`);
    result = errorResult(e);
  }
  // The same next[] as the CLI prints: commands keep the folder they were run in.
  const env = withCwd(toEnvelope(command, result), typeof opts.cwd === 'string' ? opts.cwd : undefined);
  return redactor.redact(env);
}

/** The CLI invocation equivalent to `opts` (what meta.argv records for a run started by a program). */
function commandLine(spec: CommandSpec, opts: Record<string, unknown>): string[] {
  const argv = ['dispatch', ...spec.name.split(' ')];
  const positional = spec.positional;
  if (positional && typeof opts[positional] === 'string') argv.push(opts[positional] as string);
  // A list positional (job test's paths) goes after `--`, so a path that starts with "-" stays a path.
  const rest = positional && Array.isArray(opts[positional]) ? (opts[positional] as string[]) : [];
  for (const [key, value] of Object.entries(opts)) {
    if (value === undefined || value === false || key === 'env' || key === positional) continue;
    const flag = flagName(key);
    if (value === true) argv.push(flag);
    else if (Array.isArray(value)) for (const v of value) argv.push(flag, String(v));
    else argv.push(flag, String(value));
  }
  if (rest.length) argv.push('--', ...rest);
  return argv;
}
