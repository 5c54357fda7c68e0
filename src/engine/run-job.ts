import { httpFact } from './http-facts.js';
import type { ResolvedHttp } from '../job/validate-http.js';
import { retryDelay, retryPolicy, shouldRetry, type RetryPolicy } from './retry.js';
import { credentialHeader } from '../http/credential-apply.js';
import type { RunMeta, StepRecord } from '../runs/artifacts.js';
import { DispatchError, EXIT, toDispatchError, usageError } from '../errors.js';
import { lazyTransport } from '../http/lazy.js';
import type { Job, JobKind } from '../job/schema.js';
import { MEMORY_WRITE_ACTIONS } from '../modules/builtin/memory.js';
import type { Registry } from '../modules/registry.js';
import type { ActionContext, ActionResult, MemoryAccess } from '../modules/types.js';
import { isSensitiveHeader, type Redactor } from '../output/redact.js';
import { RunRecorder, runningMarks } from '../runs/recorder.js';
import { RUN_ENV } from '../modules/run-env.js';
import { installFaultTrap } from './fault-trap.js';
import { newRunId } from '../runs/run-id.js';
import type { ActionDefaults } from '../state/defaults.js';
import { lazyMemory } from '../state/lazy-memory.js';
import type { ErrorRecord, RunEvent, RunEventListener, RunStatus, StepStatus } from './events.js';
import { interpolate, type Scope } from './interpolate.js';
import { resolvePath } from './resolve-path.js';
import { callHandler, parsePayload, withDefaults } from './step-exec.js';
import { buildResolvedJob, moduleResolutionFor } from './run-record.js';
import { abortableSleep, stopError } from '../util/sleep.js';

/** Answers a step from somewhere other than its handler (replay answers from steps.jsonl). */
export type StepAnswerer = (step: { id: string; index: number; action: string }, payload: unknown) => Promise<ActionResult>;

interface RunJobOptions {
  job: Job;
  kind: JobKind;
  casePath: string;
  inputText: string;
  registry: Registry;
  env: Record<string, string | undefined>;
  home: string;
  outputRoot: string;
  redactor: Redactor;
  /** Run id command segment: job-run, job-replay. */
  command?: string;
  http?: ResolvedHttp;
  /** Working folder: http.tls paths are relative to it. */
  cwd?: string;
  defaults?: ActionDefaults;
  /** `--set name=value` values; they override inputs. */
  setValues?: Record<string, unknown>;
  /** Built-in run values (index, batchId). */
  runValues?: Record<string, unknown>;
  signal?: AbortSignal;
  onEvent?: RunEventListener;
  meta?: RunMeta;
  answer?: StepAnswerer;
  memory?: MemoryAccess;
}

export type StepSummary = {
  id: string;
  action: string;
  status: StepStatus;
  durationMs: number;
  error?: ErrorRecord;
};

export interface RunOutcome {
  runId: string;
  runDir: string;
  jobType: string;
  status: RunStatus;
  startedAt: string;
  finishedAt: string;
  durationMs: number;
  steps: StepSummary[];
  run: Record<string, unknown>;
  error?: DispatchError;
  /** The record could not be completed (a full disk): the run happened, its record is partial. */
  recordError?: DispatchError;
  /** What steps that succeeded changed (non-GET requests that got an answer, memory writes). */
  writes?: StepWrite[];
}

export interface StepWrite {
  stepId: string;
  /** HTTP method, or the memory action. */
  method: string;
  url?: string;
  status?: number;
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** Executes a validated job step by step and writes its run record (success, failure or interruption). */
export async function runJob(o: RunJobOptions): Promise<RunOutcome> {
  const runId = newRunId(o.command ?? 'job-run');
  const recorder = new RunRecorder(o.outputRoot, runId, o.redactor);
  const emit = (e: RunEvent) => {
    recorder.onEvent(e);
    o.onEvent?.(e);
  };
  const signal = o.signal ?? new AbortController().signal;
  registerSecrets(o);
  const started = Date.now();
  const startedAt = new Date(started).toISOString();
  const steps = o.job.scenario.steps;
  emit({ type: 'run:start', ts: startedAt, runId, jobType: o.job.jobType, stepCount: steps.length });
  const meta = { runId, cliVersion: o.meta?.cliVersion, node: process.version, platform: `${process.platform}-${process.arch}`, casePath: o.casePath, caseKind: o.kind, startedAt, ...o.meta };
  // The folder exists, with a RUNNING summary, before the first step can send anything.
  await recorder.start({
    summary: { runId, jobType: o.job.jobType, ...runningMarks(), casePath: o.casePath, caseKind: o.kind, startedAt, steps: [] },
    inputText: o.inputText,
    job: o.job,
    meta,
    moduleResolution: moduleResolutionFor(o.job, o.registry),
  });
  const trap = installFaultTrap();

  const scope: Scope = { env: o.env, run: { index: 0, ...o.runValues }, steps: {} };
  const summaries: StepSummary[] = [];
  const records: StepRecord[] = [];
  const resolvedPayloads = new Map<number, unknown>();
  let currentStep: string | undefined;
  const writes: StepWrite[] = [];
  // HTTP facts per step, for captures (`http[0].headers.location`), as assertions read them from the record.
  const stepHttp = new Map<string, Array<ReturnType<typeof httpFact>>>();
  const http = lazyTransport({
    ...o.http,
    proxyEnv: proxyEnv(o.env),
    ...(o.cwd ? { cwd: o.cwd } : {}),
    signal,
    redact: (v) => o.redactor.redact(v),
    onExchange: (exchange) => {
      // A request that may have changed something on the server: a re-run would send it again.
      if (currentStep) {
        const facts = stepHttp.get(currentStep) ?? [];
        facts.push(httpFact(exchange));
        stepHttp.set(currentStep, facts);
      }
      if (currentStep && !SAFE_METHODS.has(exchange.method) && exchange.status !== undefined) writes.push({ stepId: currentStep, method: exchange.method, url: exchange.url, status: exchange.status });
      emit({ type: 'http', ts: exchange.ts, exchange: { ...exchange, ...(currentStep ? { stepId: currentStep } : {}) } });
    },
  });
  const memory = o.memory ?? lazyMemory(o.home);
  let failure: DispatchError | undefined;
  let resolvedInputs: Record<string, unknown> = {};

  try {
    resolvedInputs = interpolate(o.job.inputs ?? {}, scope, '$.inputs') as Record<string, unknown>;
    // Batch values (run.index, run.batchId) are facts about this run: inputs cannot override them.
    Object.assign(scope.run, resolvedInputs, o.setValues, o.runValues);
  } catch (err) {
    failure = toDispatchError(err);
  }

  for (let index = 0; index < steps.length && !failure; index++) {
    const step = steps[index];
    if (signal.aborted) {
      failure = stopError(signal);
      break;
    }
    currentStep = step.id;
    const t0 = Date.now();
    const startTs = new Date(t0).toISOString();
    emit({ type: 'step:start', ts: startTs, id: step.id, index, action: step.action });
    const record: StepRecord = { index, id: step.id, action: step.action, startedAt: startTs };
    try {
      const where = `$.scenario.steps[${index}].payload`;
      const payload = interpolate(withDefaults(o.defaults?.[step.action], step.payload), scope, where);
      resolvedPayloads.set(index, payload);
      record.payload = payload;
      if (trap.caught) throw trap.caught; // a fault between steps fails the next one
      const attempt = () =>
        o.answer ? o.answer({ id: step.id, index, action: step.action }, payload) : Promise.race([execute(o, step, index, payload, scope, { signal, http, memory, emit }), trap.fault]);
      // A replay answers from the record, where the attempts already happened.
      const policy = o.answer ? undefined : retryPolicy(step.retry);
      const result = policy ? await withRetries(attempt, policy, record, step.id, signal, emit) : await attempt();
      checkJsonable(result, step.action);
      scope.steps[step.id] = { response: result.response, exports: result.exports ?? {} };
      Object.assign(record, { response: result.response, exports: result.exports ?? {}, ...(result.detail ? { detail: result.detail } : {}) });
      for (const [name, path] of Object.entries(step.capture ?? {})) {
        const got = resolvePath({ response: result.response, exports: result.exports ?? {}, http: stepHttp.get(step.id) ?? [] }, path);
        if (!got.found || got.value === undefined) {
          throw usageError('CAPTURE_EMPTY', `Capture run.${name} <- ${path} found nothing in step "${step.id}".`, {
            hint: `dispatch job inspect --run-id ${runId} --step ${step.id} shows what the step returned.`,
          });
        }
        scope.run[name] = got.value;
      }
      finishStep('SUCCESS');
    } catch (err) {
      failure = toDispatchError(err);
      record.error = errorRecord(failure);
      finishStep(failure.code === 'INTERRUPTED' ? 'INTERRUPTED' : 'FAILED', record.error as ErrorRecord);
    }

    function finishStep(status: StepStatus, error?: ErrorRecord) {
      const durationMs = Date.now() - t0;
      Object.assign(record, { status, finishedAt: new Date().toISOString(), durationMs });
      records.push(record);
      recorder.appendStep(record);
      summaries.push({ id: step.id, action: step.action, status, durationMs, ...(error ? { error } : {}) });
      emit({ type: 'step:end', ts: new Date().toISOString(), id: step.id, index, action: step.action, status, durationMs, ...(error ? { error } : {}) });
    }
  }
  currentStep = undefined;
  for (let i = summaries.length; i < steps.length; i++) summaries.push({ id: steps[i].id, action: steps[i].action, status: 'SKIPPED', durationMs: 0 });

  const status: RunStatus = !failure ? 'SUCCESS' : failure.code === 'INTERRUPTED' ? 'INTERRUPTED' : 'FAILED';
  const finished = Date.now();
  const finishedAt = new Date(finished).toISOString();
  const error = failure ? errorRecord(failure) : undefined;
  emit({ type: 'run:end', ts: finishedAt, runId, status, durationMs: finished - started, ...(error ? { error } : {}) });

  const summary = {
    runId,
    jobType: o.job.jobType,
    status,
    casePath: o.casePath,
    caseKind: o.kind,
    startedAt,
    finishedAt,
    durationMs: finished - started,
    steps: summaries,
    run: scope.run,
    ...(error ? { error } : {}),
  };
  trap.release();
  let recordError: DispatchError | undefined;
  try {
    await recorder.finish({ summary, resolvedJob: buildResolvedJob(o.job, { http: o.http, inputs: resolvedInputs, payloads: resolvedPayloads }) });
  } catch (err) {
    recordError = toDispatchError(err);
  }
  const runDir = recorder.runDir;
  // Writes of the steps that succeeded: what a re-run would repeat.
  const done = new Set(summaries.filter((st) => st.status === 'SUCCESS').map((st) => st.id));
  for (const st of steps) if (done.has(st.id) && MEMORY_WRITE_ACTIONS.has(st.action)) writes.push({ stepId: st.id, method: st.action });
  const wrote = writes.filter((w) => done.has(w.stepId));
  return {
    runId,
    runDir,
    jobType: o.job.jobType,
    status,
    startedAt,
    finishedAt,
    durationMs: finished - started,
    steps: summaries,
    run: scope.run,
    error: failure ?? recordError,
    ...(recordError ? { recordError } : {}),
    ...(wrote.length ? { writes: wrote } : {}),
  };
}

/**
 * A result must survive JSON (the record is JSON): a BigInt, a cycle or a function in it is the
 * module's mistake, reported as such instead of failing the record write later.
 */
function checkJsonable(result: ActionResult, action: string): void {
  try {
    JSON.stringify({ response: result.response, exports: result.exports });
  } catch (err) {
    // Too deep to stringify (RangeError) is fine: the record cuts such a value short.
    if (!(err instanceof TypeError)) return;
    throw new DispatchError({
      code: 'ACTION_RESULT_NOT_JSON',
      exitCode: EXIT.INTERNAL,
      message: `Action ${action} returned a result JSON cannot hold: ${(err as Error).message}.`,
      hint: 'Return plain JSON data: convert BigInt to a string or number, and drop cycles and functions.',
    });
  }
}

interface ExecDeps {
  signal: AbortSignal;
  http: ActionContext['http'];
  memory: MemoryAccess;
  emit: (e: RunEvent) => void;
}

async function execute(o: RunJobOptions, step: Job['scenario']['steps'][number], index: number, payload: unknown, scope: Scope, d: ExecDeps): Promise<ActionResult> {
  const action = o.registry.get(step.action);
  if (!action) throw usageError('UNKNOWN_ACTION', `Unknown action "${step.action}".`, { hint: 'dispatch module list shows the actions available.' });
  const credential = step.credential ? credentialValues(o, step.credential) : undefined;
  const apply = step.credential ? o.job.credentials?.[step.credential]?.apply : undefined;
  const stepSignal = new AbortController();
  // The step's requests end with it (a timeoutMs aborts the one in flight, which is recorded), and a
  // profile that says how it applies is carried by every one of them (DESIGN 15).
  const header = apply && credential ? credentialHeader(apply, credential) : undefined;
  const http = d.http.withDefaults({ signal: stepSignal.signal, ...(header ? { headers: { [header.name]: header.value }, secretHeaders: [header.name] } : {}) });
  const log = (level: 'info' | 'warn') => (message: string) => d.emit({ type: 'step:log', ts: new Date().toISOString(), id: step.id, level, message: String(message) });
  const ctx: ActionContext = {
    http,
    credential,
    memory: d.memory,
    log: { info: log('info'), warn: log('warn') },
    signal: stepSignal.signal,
    run: Object.freeze({ ...scope.run }),
    step: { id: step.id, index, action: step.action },
    // For built-ins that start programs reading it (src/modules/run-env.ts); a symbol, so it is
    // never serialised and modules do not see it as part of their API.
    ...{ [RUN_ENV]: o.env },
    async invoke(name, innerPayload) {
      // Second line of defence behind validation: a case job never writes memory, however the
      // inner action name was reached.
      if (o.kind === 'case' && MEMORY_WRITE_ACTIONS.has(name)) {
        throw usageError('MEMORY_WRITE_IN_CASE', `${name} writes memory, which a *.job.case.json job may not do (step "${step.id}").`, { hint: 'Move memory writes into a *.job.seed.json job.' });
      }
      const inner = o.registry.get(name);
      if (!inner) throw usageError('UNKNOWN_ACTION', `Unknown action "${name}".`, { hint: 'dispatch module list shows the actions available.' });
      const merged = withDefaults(o.defaults?.[name], innerPayload);
      const parsed = parsePayload(inner, merged, `$.scenario.steps[${index}].payload.payload`);
      return callHandler(inner, { ...ctx, step: { ...ctx.step, action: name } }, parsed, { runSignal: d.signal, stepSignal, timeoutMs: undefined });
    },
  };
  const parsed = parsePayload(action, payload, `$.scenario.steps[${index}].payload`);
  return callHandler(action, ctx, parsed, { runSignal: d.signal, stepSignal, timeoutMs: step.timeoutMs });
}

/**
 * Runs a step's attempts until one succeeds, the failure is not one the step retries, or the
 * attempts are spent; each is kept in the step record's `attempts` (its HTTP calls are in
 * http.jsonl like any other). The waits end early, as INTERRUPTED, when the run is interrupted.
 */
async function withRetries(attempt: () => Promise<ActionResult>, policy: RetryPolicy, record: StepRecord, stepId: string, signal: AbortSignal, emit: (e: RunEvent) => void): Promise<ActionResult> {
  const attempts: NonNullable<StepRecord['attempts']> = [];
  record.attempts = attempts;
  for (let n = 1; ; n++) {
    const started = Date.now();
    const startedAt = new Date(started).toISOString();
    try {
      const result = await attempt();
      attempts.push({ attempt: n, startedAt, durationMs: Date.now() - started, status: 'SUCCESS' });
      return result;
    } catch (err) {
      const e = toDispatchError(err);
      attempts.push({ attempt: n, startedAt, durationMs: Date.now() - started, status: 'FAILED', error: errorRecord(e) });
      if (n >= policy.attempts || signal.aborted || !shouldRetry(e, policy)) throw err;
      const wait = retryDelay(policy, n);
      emit({ type: 'step:log', ts: new Date().toISOString(), id: stepId, level: 'warn', message: `attempt ${n} of ${policy.attempts} failed (${e.code}); retrying in ${wait}ms` });
      await abortableSleep(wait, signal);
    }
  }
}

function credentialValues(o: RunJobOptions, name: string): Record<string, string> {
  const profile = o.job.credentials?.[name];
  const out: Record<string, string> = {};
  for (const [field, envVar] of Object.entries(profile?.fromEnv ?? {})) {
    const v = o.env[envVar];
    if (v !== undefined) out[field] = v;
  }
  return out;
}

/**
 * A sensitive default header's value (and the token after "Bearer "/"Basic ") is a secret wherever
 * it turns up. Credential values, and env vars named like secrets, were registered when the job was
 * read (src/job/register-secrets.ts).
 */
function registerSecrets(o: RunJobOptions): void {
  // A proxy's password (http.proxy or the proxy env vars) never reaches a record. Its user name is
  // a name, not a secret: masking it would rewrite every path and id that happens to contain it.
  for (const proxy of [o.http?.proxy, ...Object.values(proxyEnv(o.env))]) {
    if (!proxy || !URL.canParse(proxy)) continue;
    const u = new URL(proxy);
    if (u.password) [u.password, decodeURIComponent(u.password)].forEach((v) => o.redactor.addSecret(v));
    if (u.username && u.password) o.redactor.addPair(decodeURIComponent(u.username), decodeURIComponent(u.password));
  }
  for (const [name, value] of Object.entries(o.http?.defaultHeaders ?? {})) {
    if (isSensitiveHeader(name)) [value, value.trim().split(/\s+/).pop()].forEach((v) => o.redactor.addSecret(v));
  }
}

/** HTTP_PROXY, HTTPS_PROXY and NO_PROXY as the run's environment has them, upper or lower case. */
function proxyEnv(env: Record<string, string | undefined>): { httpProxy?: string; httpsProxy?: string; noProxy?: string } {
  const get = (name: string) => env[name] || env[name.toLowerCase()] || undefined;
  const out = { httpProxy: get('HTTP_PROXY'), httpsProxy: get('HTTPS_PROXY'), noProxy: get('NO_PROXY') };
  return Object.fromEntries(Object.entries(out).filter(([, v]) => v !== undefined));
}

function errorRecord(err: DispatchError): ErrorRecord {
  return { code: err.code, message: err.message, exitCode: err.exitCode, ...(err.hint ? { hint: err.hint } : {}), ...(err.details ? { details: err.details } : {}) };
}
