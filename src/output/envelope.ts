import { DispatchError, type ExitCode, type NextHint } from '../errors.js';
import { CLI_VERSION } from '../version.js';
import type { Colors } from './colors.js';

export type Status = 'SUCCESS' | 'FAILED' | 'ERROR' | 'INTERRUPTED';

/** What every handler returns: data plus the verdict; the entry turns it into output and an exit code. */
export interface CommandResult {
  status: Status;
  exitCode: ExitCode;
  /** Command-specific fields, placed beside the envelope keys. */
  data?: Record<string, unknown>;
  next?: NextHint[];
  error?: DispatchError;
  /** Human view of this result (pure: returns text); the printer falls back to a generic view. */
  view?: (env: Envelope, c: Colors) => string;
}

export interface Envelope {
  cliVersion: string;
  command: string;
  status: Status;
  exitCode: ExitCode;
  next: NextHint[];
  error?: { code: string; message: string; hint?: string; details?: Record<string, unknown> };
  [field: string]: unknown;
}

const RESERVED = new Set(['cliVersion', 'command', 'status', 'exitCode', 'next', 'error']);

export function ok(data: Record<string, unknown> = {}, next: NextHint[] = []): CommandResult {
  return { status: 'SUCCESS', exitCode: 0, data, next };
}

export function toEnvelope(command: string, result: CommandResult): Envelope {
  const env = { cliVersion: CLI_VERSION, command, status: result.status, exitCode: result.exitCode } as Envelope;
  for (const [k, v] of Object.entries(result.data ?? {})) if (!RESERVED.has(k) && v !== undefined) env[k] = v;
  env.next = dedupeNext([...(result.next ?? []), ...(result.error?.next ?? [])]);
  if (result.error) env.error = result.error.toJSON();
  return env;
}

/** A thrown error becomes an ERROR envelope with the error's exit class. */
export function errorResult(err: DispatchError, data?: Record<string, unknown>): CommandResult {
  return { status: 'ERROR', exitCode: err.exitCode, data, error: err, next: [] };
}

function dedupeNext(hints: NextHint[]): NextHint[] {
  const seen = new Set<string>();
  return hints.filter((h) => (seen.has(h.command) ? false : (seen.add(h.command), true)));
}
