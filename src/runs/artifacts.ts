import { z } from 'zod';

/*
 * The shape of every file in a run folder, once. The recorder writes values of these types and
 * every reader (assert, inspect, readable, dump, report, replay, import, list) gets them parsed
 * by these schemas (src/runs/record.ts), so a field means the same thing on both sides.
 *
 * Objects are loose: a field a later version adds survives a read by this one (dump and export
 * pass it on), and fields the run did not produce are optional. What every reader relies on is
 * required, and a record without it is RUN_RECORD_CORRUPT naming the file and the field.
 */

const Json = z.record(z.string(), z.unknown());

/** An error as records keep it: the envelope's error plus its exit class. */
export const ErrorRecordSchema = z.looseObject({
  code: z.string(),
  message: z.string(),
  exitCode: z.number().int().optional(),
  hint: z.string().optional(),
  details: Json.optional(),
});

/**
 * A run's status. The recorder writes RUNNING, then SUCCESS, FAILED or INTERRUPTED; ABANDONED is
 * what a reader calls a RUNNING run whose process is gone (src/runs/record.ts).
 */
const RunStatusSchema = z.enum(['RUNNING', 'SUCCESS', 'FAILED', 'INTERRUPTED', 'ABANDONED']);

/** One step in summary.json. */
export const StepSummarySchema = z.looseObject({
  id: z.string(),
  action: z.string(),
  status: z.string(),
  durationMs: z.number(),
  error: ErrorRecordSchema.optional(),
});

/** summary.json: RUNNING with pid and host from the first moment, replaced whole when the run ends. */
export const SummarySchema = z.looseObject({
  runId: z.string().optional(),
  jobType: z.string().optional(),
  status: RunStatusSchema,
  casePath: z.string().optional(),
  caseKind: z.enum(['case', 'seed']).optional(),
  startedAt: z.string().optional(),
  finishedAt: z.string().optional(),
  durationMs: z.number().optional(),
  steps: z.array(StepSummarySchema),
  /** Final run values (inputs, --set values, captures). */
  run: Json.optional(),
  error: ErrorRecordSchema.optional(),
  pid: z.number().int().optional(),
  host: z.string().optional(),
});

/** meta.json: how the run was started. */
export const MetaSchema = z.looseObject({
  cliVersion: z.string().optional(),
  argv: z.array(z.string()).optional(),
  cwd: z.string().optional(),
  batchId: z.string().optional(),
  batchIndex: z.number().int().optional(),
  replayOf: z.string().optional(),
  casePath: z.string().optional(),
  caseKind: z.enum(['case', 'seed']).optional(),
});

/** module_resolution.json: which layer served each action the job names. */
export const ModuleResolutionSchema = z.looseObject({
  actions: z
    .record(z.string(), z.looseObject({ module: z.string().optional(), version: z.string().optional(), layer: z.string().optional(), path: z.string().optional(), unresolved: z.boolean().optional() }))
    .optional(),
});

/** One line of steps.jsonl: a finished step with what it was given and what it returned. */
export const StepRecordSchema = z.looseObject({
  index: z.number().int().optional(),
  id: z.string(),
  action: z.string(),
  startedAt: z.string().optional(),
  finishedAt: z.string().optional(),
  durationMs: z.number().optional(),
  status: z.string().optional(),
  payload: z.unknown().optional(),
  response: z.unknown().optional(),
  exports: Json.optional(),
  detail: z.unknown().optional(),
  error: ErrorRecordSchema.optional(),
  /** With a step retry: every attempt, the last one included. */
  attempts: z.array(z.looseObject({ attempt: z.number().int(), startedAt: z.string(), durationMs: z.number(), status: z.string(), error: ErrorRecordSchema.optional() })).optional(),
});

const Headers = z.record(z.string(), z.string());

/** One line of http.jsonl: a request and its answer (or the error instead of one). */
export const HttpRecordSchema = z.looseObject({
  ts: z.string().optional(),
  method: z.string(),
  url: z.string(),
  status: z.number().int().optional(),
  durationMs: z.number().optional(),
  request: z.looseObject({ headers: Headers.optional(), body: z.unknown().optional() }).optional(),
  response: z.looseObject({ headers: Headers.optional(), body: z.unknown().optional(), bodyOmitted: z.looseObject({ bytes: z.number(), sha256: z.string() }).optional() }).optional(),
  error: z.looseObject({ code: z.string(), message: z.string() }).optional(),
  stepId: z.string().optional(),
});

export type ErrorRecordRead = z.infer<typeof ErrorRecordSchema>;
export type RunSummary = z.infer<typeof SummarySchema>;
export type StepSummaryRead = z.infer<typeof StepSummarySchema>;
export type RunMeta = z.infer<typeof MetaSchema>;
export type ModuleResolution = z.infer<typeof ModuleResolutionSchema>;
export type StepRecord = z.infer<typeof StepRecordSchema>;
export type HttpRecord = z.infer<typeof HttpRecordSchema>;

/** The first problem zod found, as "field: what is wrong" for a RUN_RECORD_CORRUPT message. */
export function firstProblem(error: z.ZodError): string {
  const i = error.issues[0];
  const where = i.path.length ? i.path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('') : '';
  return where ? `field ${where.replace(/^\./, '')}: ${i.message}` : i.message;
}
