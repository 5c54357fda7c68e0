import type { RuleResult } from '../engine/conditions.js';
import type { ErrorRecord, RunEventListener } from '../engine/events.js';
import type { StepSummary } from '../engine/run-job.js';
import type { ExitCode, NextHint } from '../errors.js';
import type { Problem } from '../job/problems.js';
import type { RunDump } from '../runs/dump.js';

export type { ErrorRecord, RuleResult, StepSummary, Problem, RunDump };
export type { RunEvent, RunEventListener } from '../engine/events.js';

export type EnvelopeStatus = 'SUCCESS' | 'FAILED' | 'ERROR' | 'INTERRUPTED';

/** The keys every envelope has: what `dispatch <command> --json` prints. */
export interface EnvelopeBase<C extends string = string> {
  cliVersion: string;
  command: C;
  status: EnvelopeStatus;
  exitCode: ExitCode;
  /** Literal commands to run next. */
  next: NextHint[];
  error?: { code: string; message: string; hint?: string; details?: Record<string, unknown> };
}

/**
 * A command's envelope. On SUCCESS every command field is there; otherwise the command may have
 * stopped before producing some of them (an ERROR envelope usually has none), so they are optional.
 */
export type CommandEnvelope<C extends string, F> = (EnvelopeBase<C> & { status: 'SUCCESS' } & F) | (EnvelopeBase<C> & { status: 'FAILED' | 'ERROR' | 'INTERRUPTED' } & Partial<F>);

/** Where a call runs: `cwd` is the working folder (repo layer, relative paths); `env` is merged over process.env. */
export interface SdkBaseOptions {
  cwd?: string;
  env?: Record<string, string | undefined>;
}

/** Run values for `set`: an object (values keep their JSON type) or `name=value` strings as on the command line. */
export type SetValues = Record<string, unknown> | string[];

export interface ValidateJobOptions extends SdkBaseOptions {
  /** Job file path. */
  case: string;
  /** Names of run values the job will be given (only their names matter to validation). */
  set?: SetValues;
}

export interface RunJobOptions extends SdkBaseOptions {
  case: string;
  set?: SetValues;
  /** Run the fill jobs of missing memory dependencies first. */
  resolveDeps?: boolean;
  /** Stop the run after this long ("30s", "5m"): FAILED with RUN_TIMEOUT, exit 3. */
  timeout?: string;
  /** Env files (KEY=value lines) that fill env vars not already set, for this call only. */
  envFile?: string[];
  /** Aborting interrupts the run, which still writes its record. */
  signal?: AbortSignal;
  /** Every engine event of the run, as it happens. */
  onEvent?: RunEventListener;
}

export interface TestJobsOptions extends SdkBaseOptions {
  /** Job files, folders or globs; default: the project's jobs/ folder. */
  paths?: string[];
  /** Cases at once (default 4). */
  concurrency?: number;
  /** Start no new case after the first failure. */
  failFast?: boolean;
  /** "i/n": run only that slice of the sorted cases. */
  shard?: string;
  /** Reports to write when done: "junit", "html", "json", each optionally "=<path>". */
  reporter?: string[];
  set?: SetValues;
  /** Each run's time limit ("30s", "5m"). */
  timeout?: string;
  envFile?: string[];
  /** Aborting interrupts the cases in flight; the suite record is still written. */
  signal?: AbortSignal;
}

export interface AssertRunOptions extends SdkBaseOptions {
  /** Run id or "latest" (default). */
  runId?: string;
  /** SUCCESS (default), FAILED or INTERRUPTED. */
  expectStatus?: string;
}

export interface LoadRunOptions extends SdkBaseOptions {
  /** Run id or "latest" (default). */
  runId?: string;
}

export interface ValidateJobFields {
  casePath: string;
  kind: 'case' | 'seed';
  jobType?: string;
  valid: boolean;
  steps: Array<{ id: unknown; action: unknown; module?: string; layer?: string }>;
  errors: Problem[];
  warnings: Problem[];
}

export interface RunJobFields {
  jobType: string;
  runId: string;
  runDir: string;
  moduleResolutionPath: string;
  summaryPath: string;
  durationMs: number;
  steps: StepSummary[];
  /** Final run values (inputs, --set values and captures). */
  run: Record<string, unknown>;
  /** Fill runs started by resolveDeps. */
  fills?: Array<{ namespace: string; key: string; module: string; job: string; casePath: string; runId: string; status: string }>;
}

export interface AssertRunFields {
  runId: string;
  runDir: string;
  jobType: string;
  expectedStatus: string;
  actualStatus: string;
  passed: number;
  failed: number;
  results: RuleResult[];
}

/** Every artifact of the run (what `dispatch job dump --json` prints). */
export type LoadRunFields = RunDump & { runDir: string };

/** One case of a suite (`cases[]` of job test). */
export interface TestCaseResult {
  index: number;
  casePath: string;
  jobType?: string;
  /** null when the job never ran (it did not validate, or memory it needs is missing). */
  runId: string | null;
  runStatus: string;
  passed: boolean;
  exitCode: number;
  durationMs: number;
  assertions?: { passed: number; failed: number };
  reason?: string;
  error?: { code: string; message: string };
  failedStep?: string;
  failedRules?: Array<{ path: string; op: string; message: string }>;
  /** Failed rules beyond those listed. */
  moreRules?: number;
}

export interface TestJobsFields {
  batchId: string;
  batchPath: string;
  kind: 'suite';
  count: number;
  passed: number;
  failed: number;
  notStarted: number;
  durationMs: number;
  cases: TestCaseResult[];
  reports?: Array<{ format: string; path: string; bytes: number }>;
}

export type ValidateJobEnvelope = CommandEnvelope<'job validate', ValidateJobFields>;
export type RunJobEnvelope = CommandEnvelope<'job run', RunJobFields>;
export type AssertRunEnvelope = CommandEnvelope<'job assert', AssertRunFields>;
export type LoadRunEnvelope = CommandEnvelope<'job dump', LoadRunFields>;
export type TestJobsEnvelope = CommandEnvelope<'job test', TestJobsFields>;
