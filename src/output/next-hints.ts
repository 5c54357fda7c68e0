import { statSync } from 'node:fs';
import { shQuote } from '../agent/shell-quote.js';
import { DispatchError } from '../errors.js';
import type { Envelope } from './envelope.js';

/*
 * next[] names literal commands (DESIGN §3): run as printed, in the same folder, they must do
 * what their description says. These helpers build the few command lines that repeat what the
 * user ran, so paths are quoted and every --set value is kept, in one place.
 */

/** `dispatch job <verb> --case <path> [--set ...]`, quoted for POSIX shells. */
export function caseCommand(verb: 'run' | 'validate' | 'run-many', casePath: string, set: readonly string[] = [], extra = ''): string {
  const sets = set.map((s) => ` --set ${shQuote(s)}`).join('');
  return `dispatch job ${verb} --case ${shQuote(casePath)}${sets}${extra}`;
}

/** Adds the --cwd the command was given to every dispatch command in next[]. */
export function withCwd(env: Envelope, cwd: unknown): Envelope {
  if (typeof cwd !== 'string') return env;
  const flag = ` --cwd ${shQuote(cwd)}`;
  env.next = env.next.map((n) => (n.command.startsWith('dispatch ') && !n.command.includes(' --cwd ') ? { ...n, command: n.command + flag } : n));
  return env;
}

/** `--cwd` (or the `cwd` option of a program or MCP call) must name an existing folder. */
export function checkCwd(cwd: unknown): void {
  if (typeof cwd !== 'string') return;
  let isDir = false;
  try {
    isDir = statSync(cwd).isDirectory();
  } catch {
    /* reported below */
  }
  if (!isDir) {
    throw new DispatchError({
      code: 'CWD_NOT_FOUND',
      exitCode: 2,
      message: `--cwd ${cwd} is not a directory.`,
      hint: 'Pass the folder that holds ./jobs and ./modules, or leave --cwd out to use the current directory.',
    });
  }
}
