import type { Envelope } from '../output/envelope.js';
import type {
  AssertRunEnvelope,
  AssertRunOptions,
  LoadRunEnvelope,
  LoadRunOptions,
  RunJobEnvelope,
  RunJobOptions,
  SdkBaseOptions,
  SetValues,
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
  const env = await invokeHandler('job validate', () => import('../commands/job/validate.js'), { ...base(opts), case: opts.case, set: setPairs(opts.set) });
  return env as unknown as ValidateJobEnvelope;
}

/** `dispatch job run --case <file>`: runs the job and records it; the envelope names the run. */
export async function runJob(opts: RunJobOptions = {} as RunJobOptions): Promise<RunJobEnvelope> {
  const handlerOpts = { ...base(opts), case: opts.case, set: setPairs(opts.set), resolveDeps: opts.resolveDeps };
  const env = await invokeHandler('job run', () => import('../commands/job/run.js'), handlerOpts, { signal: opts.signal, onEvent: opts.onEvent });
  return env as unknown as RunJobEnvelope;
}

/** `dispatch job assert --run-id <id>`: the job's assertions evaluated offline on a recorded run. */
export async function assertRun(opts: AssertRunOptions = {}): Promise<AssertRunEnvelope> {
  const env = await invokeHandler('job assert', () => import('../commands/job/assert.js'), { ...base(opts), runId: opts.runId ?? 'latest', expectStatus: opts.expectStatus ?? 'SUCCESS' });
  return env as unknown as AssertRunEnvelope;
}

/** `dispatch job dump --run-id <id>`: every artifact of a recorded run in one object. */
export async function loadRun(opts: LoadRunOptions = {}): Promise<LoadRunEnvelope> {
  const env = await invokeHandler('job dump', () => import('../commands/job/dump.js'), { ...base(opts), runId: opts.runId ?? 'latest' });
  return env as unknown as LoadRunEnvelope;
}

/** Loaded on first call: a module importing dispatchkit for defineAction never builds the option schemas. */
const invokeHandler: typeof import('./invoke.js').invokeHandler = async (...args) => (await import('./invoke.js')).invokeHandler(...args);

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
