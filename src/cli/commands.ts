import type { CommandResult } from '../output/envelope.js';
import type { CommandName, OptionsOf } from './command-options.js';
import type { RunExtras } from './types.js';

/** A command's handler: checked options in, data out (the entry prints it). */
export type HandlerOf<C extends CommandName> = (opts: OptionsOf<C>, extras: RunExtras) => Promise<CommandResult>;

/** How a command is offered to agents over MCP (absent: CLI only). */
export interface ToolFacts {
  /** What the tool returns, for a model choosing tools: more than the one-line CLI summary. */
  description: string;
  /** Writes files (MCP readOnlyHint false). */
  writes?: boolean;
  /** Talks to services outside this machine (MCP openWorldHint). */
  network?: boolean;
  /** Loads the project's and user's modules, which runs their code: never read-only. */
  loadsModules?: boolean;
}

/** One row of the table: everything the CLI, MCP, the SDK, completion and the docs check know about a command. */
export interface CommandSpec<C extends CommandName = CommandName> {
  name: C;
  /** One line for `--help` and completion. */
  summary: string;
  /** The option that is given as a positional argument (`dispatch module inspect <name>`). */
  positional?: keyof OptionsOf<C> & string;
  /** Usage line for help, when the flags alone do not say it (alternatives). */
  usage?: string;
  /** Runs jobs: SIGINT/SIGTERM interrupt the run (which still writes its record) and steps stream to stderr. */
  runsJobs?: boolean;
  /** Imported only when the command runs, so a command pays for its own code alone. */
  load: () => Promise<{ default: HandlerOf<C> }>;
  tool?: ToolFacts;
}

const command = <C extends CommandName>(spec: CommandSpec<C>) => spec;

/** The groups the CLI nests commands under, with their help line. */
export const GROUPS: Record<string, string> = {
  job: 'validate, run and examine jobs and their recorded runs',
  module: 'discover, author, pack and install modules',
  'module override': 'serve one action from another module folder',
  runtime: 'runtime overrides',
  defaults: 'per-action default payloads',
  memory: 'durable namespaced state',
  schema: 'JSON Schemas of job cases and actions',
  schedule: 'recurring and one-shot job runs (fired by the daemon)',
  daemon: 'the process that fires schedules',
};

/**
 * Every command, declared once. The order is the order of `--help` and of the MCP tool list.
 * MCP tool descriptions say what comes back; every tool answers with the envelope
 * `dispatch <command> --json` prints, so the CLI docs apply word for word.
 */
export const COMMANDS = [
  command({
    name: 'job validate',
    summary: 'check a job file without running it',
    load: () => import('../commands/job/validate.js'),
    tool: { description: 'Check a job file without running it: every problem with its JSON path, at once.', loadsModules: true },
  }),
  command({
    name: 'job run',
    summary: 'run a job and record it',
    runsJobs: true,
    load: () => import('../commands/job/run.js'),
    tool: { description: 'Run a job and record it. Returns runId, per-step results and next[] (usually job_assert).', writes: true, network: true, loadsModules: true },
  }),
  command({
    name: 'job run-many',
    summary: 'run a job N times concurrently as a batch',
    runsJobs: true,
    load: () => import('../commands/job/run-many.js'),
    tool: {
      description: 'Run a job count times, concurrency at once, as a batch with its own batchId and duration percentiles.',
      writes: true,
      network: true,
      loadsModules: true,
    },
  }),
  command({
    name: 'job test',
    summary: 'run every job case of folders, files or globs and check their assertions (a CI suite)',
    positional: 'paths',
    usage: '[paths...] [--concurrency <n>] [--fail-fast] [--shard <i/n>] [--reporter <name[=path]>...] [--json]',
    runsJobs: true,
    load: () => import('../commands/job/test.js'),
    tool: {
      description: "Run every job case found (files, folders, globs; default jobs/) and evaluate each job's assertions right after its run, as one suite batch. SUCCESS only when every case passed.",
      writes: true,
      network: true,
      loadsModules: true,
    },
  }),
  command({
    name: 'job assert',
    summary: 'evaluate the job assertions on a recorded run (offline)',
    load: () => import('../commands/job/assert.js'),
    tool: { description: "Evaluate the job's assertions on a recorded run, offline. FAILED (exit 2) when one does not hold." },
  }),
  command({
    name: 'job inspect',
    summary: 'show a recorded run or one of its steps',
    load: () => import('../commands/job/inspect.js'),
    tool: { description: 'A recorded run at a glance, or one step (step: id or number) with its payload, response and HTTP calls.' },
  }),
  command({
    name: 'job readable',
    summary: 'a recorded run as a Markdown narrative',
    load: () => import('../commands/job/readable.js'),
    tool: { description: 'A recorded run as a Markdown narrative (field "markdown").' },
  }),
  command({ name: 'job dump', summary: 'all artifacts of a run as one JSON document', load: () => import('../commands/job/dump.js') }),
  command({
    name: 'job replay',
    summary: 're-run a recorded run offline from its record',
    runsJobs: true,
    load: () => import('../commands/job/replay.js'),
    tool: { description: 'Re-run a recorded run offline, every step answered from its record; SUCCESS when it reproduces the record.', writes: true, loadsModules: true },
  }),
  command({ name: 'job list', summary: 'recorded runs, newest first', load: () => import('../commands/job/list.js'), tool: { description: 'Recorded runs, newest first.' } }),
  command({
    name: 'job latest',
    summary: 'the most recent run',
    load: () => import('../commands/job/latest.js'),
    tool: { description: 'The newest recorded run and the paths of its artifacts.' },
  }),
  command({
    name: 'job cases',
    summary: 'job files in ./jobs and module layers',
    load: () => import('../commands/job/cases.js'),
    tool: { description: 'Job files in ./jobs and in the jobs/ folders of every module layer.' },
  }),
  command({
    name: 'job export',
    summary: 'pack a run, or a batch with its runs, into a zip',
    usage: '(--run-id <id> | --batch-id <id>) --out <path> [--json]',
    load: () => import('../commands/job/export.js'),
  }),
  command({ name: 'job import', summary: 'unpack a run zip into the run output folder', load: () => import('../commands/job/import.js') }),
  command({
    name: 'job merge',
    summary: 'gather the batches of CI shards (run output folders or batch archives) into one batch here',
    positional: 'sources',
    load: () => import('../commands/job/merge.js'),
    tool: {
      description: "Import the runs and batch records of CI shards (run output folders or job export --batch-id archives) into this run output as one merged batch; its verdict is the merged batch's.",
      writes: true,
    },
  }),
  command({
    name: 'job batch-inspect',
    summary: 'show a run-many batch',
    load: () => import('../commands/job/batch-inspect.js'),
    tool: { description: 'A run-many batch: counts by status, run ids, failures and durations.' },
  }),
  command({
    name: 'job report',
    summary: 'a recorded run, batch or suite as a JUnit, HTML or JSON report (offline)',
    load: () => import('../commands/job/report.js'),
    tool: {
      description:
        'A recorded run (runId), batch or suite (batchId) as a report: JUnit XML (field "xml"), one self-contained HTML page (field "html") or the JSON report (field "report"); or written to out.',
      writes: true,
    },
  }),
  command({
    name: 'module list',
    summary: 'modules and actions in every layer',
    load: () => import('../commands/module/list.js'),
    tool: { description: 'Modules and actions in every layer, with the layer serving each action.', loadsModules: true },
  }),
  command({
    name: 'module inspect',
    summary: 'actions, schemas and shipped jobs of a module',
    positional: 'name',
    load: () => import('../commands/module/inspect.js'),
    tool: { description: "A module's actions with the JSON Schemas of their input, exports and credentials, and its shipped jobs.", loadsModules: true },
  }),
  command({ name: 'module validate', summary: 'load a module folder and validate it and its jobs', load: () => import('../commands/module/validate.js') }),
  command({ name: 'module init', summary: 'scaffold a new module', load: () => import('../commands/module/init.js') }),
  command({ name: 'module pack', summary: 'zip a module into a bundle', load: () => import('../commands/module/pack.js') }),
  command({ name: 'module install', summary: 'install a bundle into the user layer', load: () => import('../commands/module/install.js') }),
  command({ name: 'module uninstall', summary: 'remove a module from the user layer', load: () => import('../commands/module/uninstall.js') }),
  command({ name: 'module override init', summary: 'scaffold an override module for one action', load: () => import('../commands/module/override-init.js') }),
  command({ name: 'module override add', summary: 'register a runtime override', load: () => import('../commands/module/override-add.js') }),
  command({ name: 'runtime show', summary: 'overrides and the effective resolution', load: () => import('../commands/runtime/show.js') }),
  command({
    name: 'runtime unset',
    summary: 'remove overrides: one with --action, or every one with --all',
    usage: '(--action <module.action> | --all) [--json]',
    load: () => import('../commands/runtime/unset.js'),
  }),
  command({ name: 'defaults show', summary: 'show defaults', load: () => import('../commands/defaults/show.js') }),
  command({ name: 'defaults set', summary: 'set defaults for an action from a JSON file', load: () => import('../commands/defaults/set.js') }),
  command({ name: 'defaults unset', summary: 'remove defaults for an action', load: () => import('../commands/defaults/unset.js') }),
  command({
    name: 'memory list',
    summary: 'namespaces with key counts and sizes',
    load: () => import('../commands/memory/list.js'),
    tool: { description: 'Memory namespaces with key counts and sizes.' },
  }),
  command({
    name: 'memory inspect',
    summary: 'contents of one namespace',
    load: () => import('../commands/memory/inspect.js'),
    tool: { description: 'The contents of one memory namespace.' },
  }),
  command({
    name: 'schema case',
    summary: 'JSON Schema of a job case file',
    load: () => import('../commands/schema/case.js'),
    tool: { description: 'JSON Schema of a job case file (field "schema").' },
  }),
  command({
    name: 'schema action',
    summary: 'input, exports and credential schema of an action',
    load: () => import('../commands/schema/action.js'),
    tool: { description: 'JSON Schemas of one action: input, exports and credentials (field "schema").', loadsModules: true },
  }),
  command({
    name: 'doctor',
    summary: 'check node, folders, modules and env vars',
    load: () => import('../commands/misc/doctor.js'),
    tool: {
      description: 'Check node, the state and output folders, module loading and the env vars the jobs reference; each check has a fix.',
      loadsModules: true,
    },
  }),
  command({ name: 'init', summary: 'copy the example jobs and module into this folder (never replaces a file)', load: () => import('../commands/misc/init.js') }),
  command({ name: 'self-check', summary: 'offline smoke test in temporary folders', runsJobs: true, load: () => import('../commands/misc/self-check.js') }),
  command({ name: 'skill-version', summary: 'version of SKILL.md and of the CLI', load: () => import('../commands/misc/skill-version.js') }),
  command({ name: 'completion', summary: 'shell completion script', positional: 'shell', load: () => import('../commands/misc/completion.js') }),
  command({
    name: 'schedule add',
    summary: 'run a job on a cron expression, every interval, or once (--at / --in)',
    usage: '--case <path> (--cron <expr> | --every <duration> | --at <time> | --in <duration>) [--tz <zone>] [--set <name=value>] [--name <name>] [--json]',
    load: () => import('../commands/schedule/add.js'),
    tool: { description: 'Schedule a job: cron (5 fields, optional tz), every (interval), at (ISO time) or in (duration). The daemon fires it as a recorded run.', writes: true, loadsModules: true },
  }),
  command({
    name: 'schedule list',
    summary: 'schedules with their next time, last run and failures',
    load: () => import('../commands/schedule/list.js'),
    tool: { description: 'Every schedule: next due time, paused, last run (id, status, error) and failures in a row.' },
  }),
  command({
    name: 'schedule pause',
    summary: 'stop firing a schedule until it is resumed',
    positional: 'id',
    load: () => import('../commands/schedule/pause.js'),
    tool: { description: 'Pause a schedule (by id or name): the daemon skips it until resumed.', writes: true },
  }),
  command({ name: 'schedule resume', summary: 'fire a paused schedule again', positional: 'id', load: () => import('../commands/schedule/resume.js') }),
  command({ name: 'schedule remove', summary: 'delete a schedule', positional: 'id', load: () => import('../commands/schedule/remove.js') }),
  command({ name: 'daemon start', summary: 'start the daemon in the background (one per DISPATCH_HOME)', load: () => import('../commands/daemon/start.js') }),
  command({ name: 'daemon stop', summary: 'stop the daemon after the runs in progress', load: () => import('../commands/daemon/stop.js') }),
  command({ name: 'daemon status', summary: 'pid, last tick, next due schedule, recent failures', load: () => import('../commands/daemon/status.js') }),
  command({ name: 'daemon ensure', summary: 'start the daemon unless it is running', load: () => import('../commands/daemon/ensure.js') }),
  command({ name: 'daemon run', summary: 'run the daemon in the foreground (what start runs; for service managers)', runsJobs: true, load: () => import('../commands/daemon/run.js') }),
  command({ name: 'daemon service', summary: 'a systemd user unit and a launchd plist that run the daemon at login', load: () => import('../commands/daemon/service.js') }),
  command({
    name: 'send',
    summary: 'type a prompt into an agent in a tmux pane and submit it (a recorded run)',
    runsJobs: true,
    load: () => import('../commands/misc/send.js'),
    tool: {
      description:
        'Send a prompt to a coding agent in a tmux pane (to: session:window.pane): pasted as one piece, submitted, confirmed by the composer clearing. Shell panes are refused. Recorded as a run.',
      writes: true,
    },
  }),
  command({
    name: 'capture',
    summary: 'the last lines of a tmux pane, stripped and redacted (a recorded run)',
    runsJobs: true,
    load: () => import('../commands/misc/capture.js'),
    tool: { description: 'The last lines of a tmux pane (to, lines up to 2000): terminal sequences stripped, secrets redacted; field response.text.', writes: true },
  }),
  command({
    name: 'targets',
    summary: 'tmux panes and what each holds: agent, shell or unknown (a recorded run)',
    runsJobs: true,
    load: () => import('../commands/misc/targets.js'),
    tool: { description: 'tmux panes with their kind (agent and which, shell, unknown), composer state and why; field response.targets.', writes: true },
  }),
  command({
    name: 'worker',
    summary: 'take runs from a Redis queue (run-many/job test --redis) and send their records back',
    runsJobs: true,
    load: () => import('../commands/misc/worker.js'),
  }),
  command({ name: 'mcp', summary: 'serve the commands as MCP tools over stdio (for agent hosts)', load: () => import('../commands/misc/mcp.js') }),
];

const byName = new Map<string, CommandSpec>(COMMANDS.map((c) => [c.name, c as unknown as CommandSpec]));

/** The table row of a command, or undefined for a name that is not one. */
export function commandSpec(name: string): CommandSpec | undefined {
  return byName.get(name);
}

// Every option object has a row, and every row an option object: a command added to one and not
// the other fails `tsc` here.
type Declared = (typeof COMMANDS)[number]['name'];
const everyCommandDeclared: [Exclude<CommandName, Declared>] extends [never] ? true : never = true;
void everyCommandDeclared;
