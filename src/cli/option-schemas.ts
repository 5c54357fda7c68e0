import { z } from 'zod';
import type { JobAssertOptions } from '../commands/job/assert.js';
import type { BatchInspectOptions } from '../commands/job/batch-inspect.js';
import type { JobCasesOptions } from '../commands/job/cases.js';
import type { JobDumpOptions } from '../commands/job/dump.js';
import type { JobInspectOptions } from '../commands/job/inspect.js';
import type { JobLatestOptions } from '../commands/job/latest.js';
import type { JobListOptions } from '../commands/job/list.js';
import type { JobReadableOptions } from '../commands/job/readable.js';
import type { JobReplayOptions } from '../commands/job/replay.js';
import type { JobReportOptions } from '../commands/job/report.js';
import type { JobRunManyOptions } from '../commands/job/run-many.js';
import type { JobRunOptions } from '../commands/job/run.js';
import type { JobValidateOptions } from '../commands/job/validate.js';
import type { memoryInspect } from '../commands/memory/inspect.js';
import type { memoryList } from '../commands/memory/list.js';
import type { doctor } from '../commands/misc/doctor.js';
import type { moduleInspect } from '../commands/module/inspect.js';
import type { moduleList } from '../commands/module/list.js';
import type { schemaAction } from '../commands/schema/action.js';
import type { schemaCase } from '../commands/schema/case.js';

/**
 * The options of the commands that programs drive (MCP tools, the SDK), as zod objects. Keys,
 * required-ness and defaults mirror the commander flags in job.ts / other.ts (a test compares
 * them), and the type checks at the bottom tie each schema to its handler's options type, so a
 * flag added to a handler and forgotten here fails `tsc`.
 */
const cwd = z.string().optional().describe('working directory: the repo layer (./modules, ./jobs) and relative paths resolve against it');
const caseFile = z.string().min(1).describe('job file (*.job.case.json or *.job.seed.json)');
const set = z.array(z.string()).optional().describe('run values as name=value (the value is parsed as JSON when it is JSON, else kept as text)');
const runIdOr = (what: string) => z.string().min(1).describe(`run id, or "latest" for the newest run${what}`);
const whole = (what: string) => z.union([z.number().int(), z.string()]).describe(what);

export const optionSchemas = {
  'job validate': z.strictObject({ case: caseFile, set, cwd }),
  'job run': z.strictObject({ case: caseFile, set, resolveDeps: z.boolean().optional().describe('run the fill jobs of missing memory dependencies first'), cwd }),
  'job run-many': z.strictObject({ case: caseFile, count: whole('number of runs').default('1'), concurrency: whole('runs at once').default('1'), set, cwd }),
  'job assert': z.strictObject({
    runId: runIdOr('').default('latest'),
    expectStatus: z.string().describe('expected run status: SUCCESS, FAILED or INTERRUPTED').default('SUCCESS'),
    cwd,
  }),
  'job inspect': z.strictObject({ runId: runIdOr('').default('latest'), step: z.string().optional().describe('one step: its id, or its 1-based number'), cwd }),
  'job readable': z.strictObject({ runId: runIdOr('').default('latest'), cwd }),
  'job dump': z.strictObject({ runId: runIdOr('').default('latest'), out: z.string().optional().describe('write the document to this file'), cwd }),
  'job replay': z.strictObject({ runId: runIdOr(' (required)'), cwd }),
  'job list': z.strictObject({ limit: whole('how many runs, newest first').default('20'), cwd }),
  'job latest': z.strictObject({ cwd }),
  'job cases': z.strictObject({ cwd }),
  'job batch-inspect': z.strictObject({ batchId: z.string().min(1).describe('batch id, or "latest"').default('latest'), cwd }),
  'job report': z.strictObject({
    runId: z.string().min(1).optional().describe('run id or "latest" (the default when no batch id is given)'),
    batchId: z.string().min(1).optional().describe('batch id or "latest": one testsuite per run of the batch'),
    format: z.string().describe('report format; only "junit"').default('junit'),
    out: z.string().optional().describe('write the report to this file instead of returning it'),
    cwd,
  }),
  'module list': z.strictObject({ cwd }),
  'module inspect': z.strictObject({ name: z.string().min(1).describe('module name'), cwd }),
  'schema case': z.strictObject({ cwd }),
  'schema action': z.strictObject({ name: z.string().min(1).describe('action as module.action'), cwd }),
  'memory list': z.strictObject({ cwd }),
  'memory inspect': z.strictObject({ namespace: z.string().min(1).describe('memory namespace'), cwd }),
  doctor: z.strictObject({ cwd }),
} as const;

export type OptionCommand = keyof typeof optionSchemas;
export type OptionsOf<C extends OptionCommand> = z.input<(typeof optionSchemas)[C]>;

// Handler-side keys that are not flags: wiring passed by the entry, or the positional array.
type NotFlags = 'signal' | 'onEvent' | 'argv' | '_args' | 'print';
/** True when the parsed schema is a valid options object for the handler and names all its flags. */
type Matches<C extends OptionCommand, O> =
  z.output<(typeof optionSchemas)[C]> extends O ? ([Exclude<keyof O, keyof z.output<(typeof optionSchemas)[C]> | NotFlags>] extends [never] ? true : false) : false;
type First<F> = F extends (opts: infer O, ...rest: never[]) => unknown ? O : never;

export const optionSchemaTypeChecks: Record<OptionCommand, true> = {
  'job validate': true as Matches<'job validate', JobValidateOptions>,
  'job run': true as Matches<'job run', JobRunOptions>,
  'job run-many': true as Matches<'job run-many', JobRunManyOptions>,
  'job assert': true as Matches<'job assert', JobAssertOptions>,
  'job inspect': true as Matches<'job inspect', JobInspectOptions>,
  'job readable': true as Matches<'job readable', JobReadableOptions>,
  'job dump': true as Matches<'job dump', JobDumpOptions>,
  'job replay': true as Matches<'job replay', JobReplayOptions>,
  'job list': true as Matches<'job list', JobListOptions>,
  'job latest': true as Matches<'job latest', JobLatestOptions>,
  'job cases': true as Matches<'job cases', JobCasesOptions>,
  'job batch-inspect': true as Matches<'job batch-inspect', BatchInspectOptions>,
  'job report': true as Matches<'job report', JobReportOptions>,
  'module list': true as Matches<'module list', First<typeof moduleList>>,
  'module inspect': true as Matches<'module inspect', First<typeof moduleInspect>>,
  // Takes no options of its own; --cwd is accepted like on every command.
  'schema case': true as Matches<'schema case', First<typeof schemaCase> & { cwd?: string }>,
  'schema action': true as Matches<'schema action', First<typeof schemaAction>>,
  'memory list': true as Matches<'memory list', First<typeof memoryList>>,
  'memory inspect': true as Matches<'memory inspect', First<typeof memoryInspect>>,
  doctor: true as Matches<'doctor', First<typeof doctor>>,
};
