import type { z } from 'zod';
import { programOptions } from '../cli/check-options.js';
import type { CommandName } from '../cli/command-options.js';
import type { CommandSpec } from '../cli/commands.js';

/** One MCP tool: a row of the command table that has `tool` facts. */
export interface ToolSpec {
  /** The command words joined by "_" ("job run-many" -> "job_run_many"). */
  name: string;
  command: CommandName;
  description: string;
  /** Reads local files only, writes nothing (MCP readOnlyHint). */
  readOnly: boolean;
  /** Talks to services outside this machine (MCP openWorldHint). */
  network: boolean;
  /** The options object programs may pass (the CLI's without its presentation flags). */
  input: z.ZodObject;
  spec: CommandSpec;
}

// A project's modules are code: loading one runs its top-level code with the user's rights
// (docs/security.md). A tool that loads them cannot promise to be read-only, and says so.
const RUNS_MODULES = " Loads the project's and user's modules, which runs their code.";

const toolName = (command: string) => command.replace(/[ -]/g, '_');

/**
 * The commands an agent drives over MCP, in table order: the rows with tool facts. The table is
 * handed in (RunExtras.commands) because `dispatch mcp` is itself one of its rows.
 */
export const toolsOf = (commands: readonly CommandSpec[]): ToolSpec[] =>
  commands.flatMap((c) => {
    const t = c.tool;
    if (!t) return [];
    return [
      {
        name: toolName(c.name),
        command: c.name,
        description: t.loadsModules ? `${t.description}${RUNS_MODULES}` : t.description,
        readOnly: !t.loadsModules && !t.writes,
        network: t.network === true,
        input: programOptions(c.name),
        spec: c,
      },
    ];
  });
