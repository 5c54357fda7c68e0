import { checkCwd } from '../output/next-hints.js';
import { checkOptions, type Surface } from './check-options.js';
import type { CommandName, OptionsOf } from './command-options.js';
import { applyEnvFiles } from './env-file.js';

/**
 * What every surface (the CLI entry, the SDK, MCP) does with a command's options before its
 * handler runs, in one place: check them against the table, check --cwd, then fill the
 * environment from --env-file.
 */
export function readyOptions<C extends CommandName>(command: C, opts: Record<string, unknown>, surface: Surface): OptionsOf<C> {
  const checked = checkOptions(command, opts, surface);
  checkCwd(checked.cwd);
  return applyEnvFiles(checked);
}
