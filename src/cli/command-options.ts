import { z } from 'zod';

/*
 * The options of every command, once, as zod objects: the CLI derives its flags from them
 * (`runId` is `--run-id <id>`), MCP tools advertise them as input schemas, and the CLI, the SDK
 * and MCP all check a call against them, so one mistake gets one error code everywhere.
 *
 * Handlers import only the types from here (OptionsOf), and this file imports no handler: the
 * command table (commands.ts) joins the two without an import cycle.
 */

/** What a value flag shows in help and completion: `<path>` completes files, the rest is text. */
interface FlagMeta {
  /** The placeholder after the flag, without brackets: `path` in `--case <path>`. */
  value?: string;
  /** A presentation flag of the CLI (`--print`): not an input of programs (SDK, MCP). */
  cliOnly?: boolean;
  /** A closed set of values, for completion. */
  choices?: string[];
}

/**
 * Flag facts live in their own registry, not in zod's global one: that one feeds the JSON Schemas
 * MCP tools advertise, which should carry only standard keywords.
 */
export const flagMeta = z.registry<FlagMeta>();
const mark = <T extends z.ZodType>(schema: T, meta: FlagMeta): T => {
  flagMeta.add(schema, meta);
  return schema;
};

// Option builders. The description is the one text CLI help, completion and MCP all show.
const text = (value: string, description: string, choices?: string[]) => mark(z.string().min(1).describe(description), { value, ...(choices ? { choices } : {}) });
const list = (value: string, description: string) => mark(z.array(z.string()).describe(description), { value });
const flag = (description: string) => z.boolean().describe(description);
/** A count: programs may pass a number, the CLI passes the flag's text; the handler checks its range. */
const whole = (value: string, description: string) => mark(z.union([z.number().int(), z.string()]).describe(description), { value });
const runId = (required = false) => text('id', `run id, or "latest" for the newest run${required ? '' : ' (the default)'}`, ['latest']);
const print = mark(flag('print the schema document itself (human output)'), { cliOnly: true });

const timeout = text('duration', 'stop a run that takes longer ("30s", "5m"): it ends FAILED with RUN_TIMEOUT (exit 3) and a complete record');

const envFile = list('path', 'read env vars from a file of KEY=value lines, repeatable; a variable already set is never replaced');

const verbose = mark(flag('print every HTTP exchange to stderr as it happens (headers redacted, bodies previewed); stdout is unchanged'), { cliOnly: true });

const reporter = list('name[=path]', 'write a report when done: junit, html or json (the envelope), to the path or under <run output>/reports/; repeatable');

const shard = text('i/n', 'run only slice i of n (indexes whose remainder by n is i-1), for a CI matrix');

const redis = text('url', 'run on dispatch workers through this Redis (redis:// or rediss://) instead of here; records are gathered back');
const queue = text('name', 'queue name on that Redis (default "dispatch")');
const resume = text('batchId', 're-attach to a batch sent with --redis that was interrupted: gather what finished, send what was not sent (same case, count and data)');

const cwd = text('dir', 'working directory: relative paths resolve against it, and the project root (modules/, jobs/, run-output/) is searched for from it upwards');
const caseFile = text('path', 'job file (*.job.case.json or *.job.seed.json)');
const set = list('name=value', 'run value as name=value, repeatable (parsed as JSON when it is JSON, else kept as text)');

/** Every command takes --cwd; the builder adds it so no entry can forget it. */
const options = <S extends z.ZodRawShape>(shape: S) => z.strictObject({ ...shape, cwd: cwd.optional() });

// Each command's options are built the first time they are asked for: a command builds its own
// (and what it shares), not the zod objects of every other command (docs/performance.md).
const DEFINITIONS = {
  'job validate': () => options({ case: caseFile, set: set.optional(), envFile: envFile.optional() }),
  'job run': () =>
    options({
      case: caseFile,
      set: set.optional(),
      resolveDeps: flag('run the fill jobs of missing memory dependencies first').optional(),
      timeout: timeout.optional(),
      envFile: envFile.optional(),
      verbose: verbose.optional(),
      reporter: reporter.optional(),
    }),
  'job run-many': () =>
    options({
      case: caseFile,
      count: whole('n', 'number of runs (default 1, or the number of --data rows)').optional(),
      concurrency: whole('n', 'runs at once').default('1'),
      set: set.optional(),
      timeout: timeout.optional().describe('stop each run that takes longer ("30s"): it ends FAILED with RUN_TIMEOUT (exit 3)'),
      envFile: envFile.optional(),
      verbose: verbose.optional(),
      data: text('path', "one run per row of a CSV (header row), JSON array or JSONL file, the row's fields as run values").optional(),
      shard: shard.optional(),
      reporter: reporter.optional(),
      redis: redis.optional(),
      queue: queue.optional(),
      resume: resume.optional(),
    }),
  'job test': () =>
    options({
      paths: list('path', 'job files, folders (every *.job.case.json under them) or quoted globs; default: the jobs/ folder').optional(),
      concurrency: whole('n', 'cases at once').default('4'),
      failFast: flag('start no new case after the first one fails').optional(),
      shard: shard.optional(),
      reporter: reporter.optional(),
      set: set.optional(),
      timeout: timeout.optional().describe('stop each run that takes longer ("30s"): it ends FAILED with RUN_TIMEOUT (exit 3)'),
      envFile: envFile.optional(),
      verbose: verbose.optional(),
      redis: redis.optional(),
      queue: queue.optional(),
      resume: resume.optional(),
    }),
  'job assert': () =>
    options({
      runId: runId().optional(),
      batchId: text('id', 'batch id or "latest": assert every run of a run-many batch instead of one run', ['latest']).optional(),
      expectStatus: text('status', 'expected run status: SUCCESS, FAILED or INTERRUPTED', ['SUCCESS', 'FAILED', 'INTERRUPTED']).default('SUCCESS'),
    }),
  'job inspect': () => options({ runId: runId().default('latest'), step: text('n|id', 'one step: its id, or its 1-based number').optional() }),
  'job readable': () => options({ runId: runId().default('latest') }),
  'job dump': () => options({ runId: runId().default('latest'), out: text('path', 'write the document to this file').optional() }),
  'job replay': () => options({ runId: runId(true), envFile: envFile.optional() }),
  'job list': () => options({ limit: whole('n', 'how many runs, newest first').default('20') }),
  'job latest': () => options({}),
  'job cases': () => options({}),
  'job export': () =>
    options({
      runId: runId().optional().describe('run id or "latest": one run'),
      batchId: text('id', 'batch id or "latest": the batch record and every run it names, for job merge on another machine', ['latest']).optional(),
      out: text('path', 'zip file to write'),
    }),
  'job import': () => options({ file: text('path', 'run zip to unpack into the run output folder') }),
  'job merge': () =>
    options({
      sources: list('path', 'run output folders or batch archives (job export --batch-id) holding the shards').min(1),
      reporter: reporter.optional(),
    }),
  'job batch-inspect': () => options({ batchId: text('id', 'batch id, or "latest"', ['latest']).default('latest') }),
  'job report': () =>
    options({
      runId: runId().optional().describe('run id or "latest" (the default when no batch id is given)'),
      batchId: text('id', 'batch id or "latest": a run-many batch or a job test suite, one testsuite per run', ['latest']).optional(),
      format: text('format', 'junit (XML), html (one self-contained page) or json (the report document)', ['junit', 'html', 'json']).default('junit'),
      out: text('path', 'write the report to this file instead of returning it').optional(),
    }),
  'module list': () => options({}),
  'module inspect': () => options({ name: text('name', 'module name') }),
  'module validate': () => options({ path: text('dir', 'module folder') }),
  'module init': () => options({ name: text('name', 'module name'), out: text('dir', 'folder to create') }),
  'module pack': () => options({ path: text('dir', 'module folder'), out: text('file', 'bundle file to write (.dpmod.zip)') }),
  'module install': () => options({ bundle: text('file', 'bundle file (.dpmod.zip)') }),
  'module uninstall': () => options({ name: text('name', 'module name') }),
  'module override init': () => options({ from: text('module.action', 'action to override'), out: text('dir', 'folder to create') }),
  'module override add': () =>
    options({
      module: text('module', 'module name'),
      action: text('action', 'action name'),
      path: text('dir', 'override module folder').optional(),
    }),
  'runtime show': () => options({}),
  'runtime unset': () => options({ action: text('module.action', 'one override').optional(), all: flag('every override').optional() }),
  'defaults show': () => options({ action: text('module.action', 'one action').optional() }),
  'defaults set': () => options({ action: text('module.action', 'action'), file: text('path', 'JSON object file') }),
  'defaults unset': () => options({ action: text('module.action', 'action') }),
  'memory list': () => options({}),
  'memory inspect': () => options({ namespace: text('name', 'memory namespace') }),
  'schema case': () => options({ print: print.optional() }),
  'schema action': () => options({ name: text('module.action', 'action as module.action'), print: print.optional() }),
  doctor: () => options({ envFile: envFile.optional() }),
  init: () => options({}),
  'self-check': () => options({}),
  'skill-version': () => options({ check: text('path', 'compare a copy of SKILL.md').optional() }),
  completion: () => options({ shell: text('shell', 'bash, zsh or fish', ['bash', 'zsh', 'fish']) }),
  send: () =>
    options({
      to: text('target', 'tmux target: session:window.pane (dispatch targets lists them)'),
      prompt: text('text', 'the prompt (or --file, or pipe it in)').optional(),
      file: text('path', 'read the prompt from this file').optional(),
      mode: text('mode', 'auto (paste long or multi-line text, type the rest), paste or literal', ['auto', 'paste', 'literal']).optional(),
      typeOnly: flag('type the prompt without pressing Enter').optional(),
    }),
  capture: () => options({ to: text('target', 'tmux target: session:window.pane'), lines: whole('n', 'how many of the last lines (at most 2000)').default('200') }),
  targets: () => options({}),
  'schedule add': () =>
    options({
      case: caseFile,
      cron: text('expr', 'five cron fields, e.g. "*/15 * * * *"').optional(),
      every: text('duration', 'an interval, e.g. "5m", "1h"').optional(),
      at: text('time', 'once, at this ISO time').optional(),
      in: text('duration', 'once, after this long, e.g. "30m"').optional(),
      tz: text('zone', "time zone of --cron, e.g. Europe/Berlin (default: this machine's)").optional(),
      set: set.optional(),
      name: text('name', 'a name to refer to it by (default: the job type)').optional(),
    }),
  'schedule list': () => options({}),
  'schedule pause': () => options({ id: text('id', 'schedule id or name') }),
  'schedule resume': () => options({ id: text('id', 'schedule id or name') }),
  'schedule remove': () => options({ id: text('id', 'schedule id or name') }),
  'daemon start': () => options({}),
  'daemon stop': () => options({}),
  'daemon status': () => options({}),
  'daemon ensure': () => options({}),
  'daemon run': () => options({}),
  'daemon service': () => options({}),
  mcp: () => options({}),
  worker: () =>
    options({
      redis: text('url', 'Redis to take runs from (redis:// or rediss://)'),
      queue: queue.optional(),
      concurrency: whole('n', 'runs at once').default('4'),
    }),
} as const;

type Definitions = typeof DEFINITIONS;

/** Every command's options object, by command name, each built on first access. */
export const COMMAND_OPTIONS = lazyRecord(DEFINITIONS);

function lazyRecord<D extends Record<string, () => unknown>>(defs: D): { readonly [K in keyof D]: ReturnType<D[K]> } {
  const out = {} as { [K in keyof D]: ReturnType<D[K]> };
  for (const key of Object.keys(defs) as Array<keyof D>) {
    Object.defineProperty(out, key, {
      enumerable: true,
      configurable: true,
      get() {
        const value = defs[key]();
        Object.defineProperty(out, key, { value, enumerable: true });
        return value;
      },
    });
  }
  return out;
}

export type CommandName = keyof Definitions;

/**
 * What a handler receives: the checked options (defaults applied) and, from programs, the
 * environment to use instead of process.env (src/commands/context.ts).
 */
export type OptionsOf<C extends CommandName> = z.output<ReturnType<Definitions[C]>> & { env?: Record<string, string | undefined> };
