import type { Handler } from '../cli/types.js';
import { optionSchemas, type OptionCommand } from '../cli/option-schemas.js';

/** One MCP tool: a CLI command, its option schema and its handler. */
export interface ToolSpec {
  /** The command words joined by "_" ("job run-many" -> "job_run_many"). */
  name: string;
  command: OptionCommand;
  description: string;
  load: () => Promise<{ default: Handler }>;
  /** Reads local files only, writes nothing (MCP readOnlyHint). */
  readOnly: boolean;
  /** Talks to services outside this machine (MCP openWorldHint). */
  network?: boolean;
}

// A project's modules are code: loading one runs its top-level code with the user's rights
// (docs/security.md). A tool that loads them cannot promise to be read-only, and says so.
const RUNS_MODULES = " Loads the project's and user's modules, which runs their code.";

const spec = (command: OptionCommand, description: string, load: ToolSpec['load'], flags: { readOnly?: boolean; network?: boolean; loadsModules?: boolean } = {}): ToolSpec => ({
  name: toolName(command),
  command,
  description: flags.loadsModules ? `${description}${RUNS_MODULES}` : description,
  load,
  readOnly: flags.loadsModules ? false : (flags.readOnly ?? true),
  ...(flags.network ? { network: true } : {}),
});

const toolName = (command: string) => command.replace(/[ -]/g, '_');

/**
 * The commands an agent drives over MCP. Descriptions say what comes back; every tool answers
 * with the envelope `dispatch <command> --json` prints, so the CLI docs apply word for word.
 */
export const TOOLS: ToolSpec[] = [
  spec('job validate', 'Check a job file without running it: every problem with its JSON path, at once.', () => import('../commands/job/validate.js'), { loadsModules: true }),
  spec('job run', 'Run a job and record it. Returns runId, per-step results and next[] (usually job_assert).', () => import('../commands/job/run.js'), {
    readOnly: false,
    network: true,
    loadsModules: true,
  }),
  spec('job run-many', 'Run a job count times, concurrency at once, as a batch with its own batchId and duration percentiles.', () => import('../commands/job/run-many.js'), {
    readOnly: false,
    network: true,
    loadsModules: true,
  }),
  spec('job assert', "Evaluate the job's assertions on a recorded run, offline. FAILED (exit 2) when one does not hold.", () => import('../commands/job/assert.js')),
  spec('job inspect', 'A recorded run at a glance, or one step (step: id or number) with its payload, response and HTTP calls.', () => import('../commands/job/inspect.js')),
  spec('job readable', 'A recorded run as a Markdown narrative (field "markdown").', () => import('../commands/job/readable.js')),
  spec('job replay', 'Re-run a recorded run offline, every step answered from its record; SUCCESS when it reproduces the record.', () => import('../commands/job/replay.js'), {
    readOnly: false,
    loadsModules: true,
  }),
  spec('job list', 'Recorded runs, newest first.', () => import('../commands/job/list.js')),
  spec('job latest', 'The newest recorded run and the paths of its artifacts.', () => import('../commands/job/latest.js')),
  spec('job cases', 'Job files in ./jobs and in the jobs/ folders of every module layer.', () => import('../commands/job/cases.js')),
  spec('job batch-inspect', 'A run-many batch: counts by status, run ids, failures and durations.', () => import('../commands/job/batch-inspect.js')),
  spec('job report', 'A recorded run (runId) or batch (batchId) as a JUnit XML report: field "xml", or written to out.', () => import('../commands/job/report.js'), { readOnly: false }),
  spec('module list', 'Modules and actions in every layer, with the layer serving each action.', () => import('../commands/module/list.js'), { loadsModules: true }),
  spec('module inspect', "A module's actions with the JSON Schemas of their input, exports and credentials, and its shipped jobs.", () => import('../commands/module/inspect.js'), {
    loadsModules: true,
  }),
  spec('schema case', 'JSON Schema of a job case file (field "schema").', () => import('../commands/schema/case.js')),
  spec('schema action', 'JSON Schemas of one action: input, exports and credentials (field "schema").', () => import('../commands/schema/action.js'), { loadsModules: true }),
  spec('memory list', 'Memory namespaces with key counts and sizes.', () => import('../commands/memory/list.js')),
  spec('memory inspect', 'The contents of one memory namespace.', () => import('../commands/memory/inspect.js')),
  spec('doctor', 'Check node, the state and output folders, module loading and the env vars the jobs reference; each check has a fix.', () => import('../commands/misc/doctor.js'), {
    loadsModules: true,
  }),
];

export const inputSchemaOf = (t: ToolSpec) => optionSchemas[t.command];
