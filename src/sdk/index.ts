import type { CommandName } from '../cli/command-options.js';
import type { CommandSpec } from '../cli/commands.js';
import type { Envelope } from '../output/envelope.js';
import type { InvokeOptions } from './invoke.js';
import type {
  AssertRunEnvelope,
  AssertRunOptions,
  LoadRunEnvelope,
  LoadRunOptions,
  RunJobEnvelope,
  RunJobOptions,
  SdkBaseOptions,
  SetValues,
  TestJobsEnvelope,
  TestJobsOptions,
  ValidateJobEnvelope,
  ValidateJobOptions,
} from './types.js';

/*
 * The programmatic API: each function runs the same handler as its CLI command, in this process,
 * and resolves to the envelope `--json` would print. They never throw for a command's failure
 * (that is an ERROR or FAILED envelope, with the exit code the CLI would use); handlers load
 * lazily, so a module that imports dispatchkit for defineAction pays nothing for them.
 */

/** `dispatch job validate --case <file>`: every problem of a job file, with its JSON path. */
export async function validateJob(opts: ValidateJobOptions = {} as ValidateJobOptions): Promise<ValidateJobEnvelope> {
  const env = await invoke('job validate', { ...base(opts), case: opts.case, set: setPairs(opts.set) });
  return env as unknown as ValidateJobEnvelope;
}

/** `dispatch job run --case <file>`: runs the job and records it; the envelope names the run. */
export async function runJob(opts: RunJobOptions = {} as RunJobOptions): Promise<RunJobEnvelope> {
  const handlerOpts = { ...base(opts), case: opts.case, set: setPairs(opts.set), resolveDeps: opts.resolveDeps, timeout: opts.timeout, envFile: opts.envFile };
  const env = await invoke('job run', handlerOpts, { signal: opts.signal, onEvent: opts.onEvent });
  return env as unknown as RunJobEnvelope;
}

/** `dispatch job test [paths...]`: every job case found runs once and is checked against its assertions, as one suite. */
export async function testJobs(opts: TestJobsOptions = {}): Promise<TestJobsEnvelope> {
  const handlerOpts = {
    ...base(opts),
    paths: opts.paths,
    concurrency: opts.concurrency,
    failFast: opts.failFast,
    shard: opts.shard,
    reporter: opts.reporter,
    set: setPairs(opts.set),
    timeout: opts.timeout,
    envFile: opts.envFile,
  };
  const env = await invoke('job test', handlerOpts, { signal: opts.signal });
  return env as unknown as TestJobsEnvelope;
}

/** `dispatch job assert --run-id <id>`: the job's assertions evaluated offline on a recorded run. */
export async function assertRun(opts: AssertRunOptions = {}): Promise<AssertRunEnvelope> {
  const env = await invoke('job assert', { ...base(opts), runId: opts.runId, expectStatus: opts.expectStatus });
  return env as unknown as AssertRunEnvelope;
}

/** `dispatch job dump --run-id <id>`: every artifact of a recorded run in one object. */
export async function loadRun(opts: LoadRunOptions = {}): Promise<LoadRunEnvelope> {
  const env = await invoke('job dump', { ...base(opts), runId: opts.runId });
  return env as unknown as LoadRunEnvelope;
}

/**
 * Each function is a row of the command table (src/cli/commands.ts) called in-process: loaded on
 * first call, so a module importing dispatchkit for defineAction never builds the option schemas.
 */
async function invoke(command: CommandName, opts: Record<string, unknown>, o?: InvokeOptions): Promise<Envelope> {
  const [{ invokeCommand }, { commandSpec }] = await Promise.all([import('./invoke.js'), import('../cli/commands.js')]);
  return invokeCommand(commandSpec(command) as CommandSpec, opts, o);
}

function base(opts: SdkBaseOptions): Record<string, unknown> {
  return { cwd: opts?.cwd, env: { ...process.env, ...opts?.env } };
}

/** Object values become `name=<JSON>` pairs, which the handler parses back to the same value. */
function setPairs(set: SetValues | undefined): string[] | undefined {
  if (set === undefined) return undefined;
  if (Array.isArray(set)) return set.map(String);
  return Object.entries(set).map(([name, value]) => `${name}=${JSON.stringify(value)}`);
}

export type { Envelope };
export type * from './types.js';
