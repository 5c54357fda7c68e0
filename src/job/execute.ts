import { accessSync, constants, mkdirSync } from 'node:fs';
import path from 'node:path';
import { usageError } from '../errors.js';
import type { RunEventListener } from '../engine/events.js';
import { runJob, type RunOutcome } from '../engine/run-job.js';
import { redactor } from '../output/redact.js';
import { CLI_VERSION } from '../version.js';
import type { BaseOptions } from '../commands/context.js';
import type { PreparedJob } from '../commands/job/prepare.js';

// The job executor: runs a prepared (loaded, validated) job and records it. Every command that runs
// jobs (job run, run-many, fill jobs of --resolve-deps, self-check) goes through here, so none of
// them imports another command's handler.

interface ExecuteOptions {
  casePath: string;
  outputRoot: string;
  setValues?: Record<string, unknown>;
  runValues?: Record<string, unknown>;
  signal?: AbortSignal;
  onEvent?: RunEventListener;
  argv?: string[];
  meta?: Record<string, unknown>;
  /** Run id command segment (job-run when absent). */
  command?: string;
}

export function executePrepared(base: BaseOptions, p: PreparedJob, o: ExecuteOptions): Promise<RunOutcome> {
  return runJob({
    job: p.job,
    kind: p.file.kind,
    casePath: path.relative(base.cwd, p.file.path) || p.file.path,
    inputText: p.file.text,
    registry: p.registry,
    env: base.env,
    home: p.home,
    outputRoot: o.outputRoot,
    redactor,
    http: p.validation.http,
    cwd: base.cwd,
    defaults: p.defaults,
    setValues: o.setValues,
    runValues: o.runValues,
    signal: o.signal,
    onEvent: o.onEvent,
    meta: { cliVersion: CLI_VERSION, argv: o.argv ?? [], cwd: base.cwd, ...o.meta },
    command: o.command,
  });
}

/** Fails before any step runs when the run record could not be written. */
export async function ensureWritable(dir: string): Promise<void> {
  try {
    mkdirSync(dir, { recursive: true });
    accessSync(dir, constants.W_OK);
  } catch (err) {
    throw usageError('RUN_OUTPUT_UNWRITABLE', `The run output folder ${dir} is not writable (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}).`, {
      hint: 'Make it writable, or set DISPATCH_RUN_OUTPUT to a writable folder.',
    });
  }
}
