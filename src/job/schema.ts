import { applyFields, CredentialApplySchema, describeApply } from '../http/credential-apply.js';
import { z } from 'zod';
import { DURATION_PATTERN, durationMs, MAX_TIMER_MS, TIMER_LIMIT_TEXT } from '../engine/duration.js';

/**
 * The job case schema: the single source of truth for types, validation and the printed JSON
 * Schema (`dispatch schema case --print`). Objects are strict so typos are reported, not ignored.
 */

const STEP_ID = /^[A-Za-z0-9_-]+$/;
export const ACTION_NAME = /^[A-Za-z0-9][A-Za-z0-9_-]*\.[A-Za-z0-9][A-Za-z0-9_-]*$/;
export const RUN_NAME = /^[A-Za-z_][A-Za-z0-9_-]*$/;
export const MODULE_NAME = /^[A-Za-z0-9][A-Za-z0-9_-]*$/;

/** Milliseconds handed to a timer: one rule for every such field (see MAX_TIMER_MS). */
export const timerMs = () => z.number().int().max(MAX_TIMER_MS, `must be ${TIMER_LIMIT_TEXT}`);

/** A written duration ("250ms", "2s", "1m") or milliseconds, within the timer limit. */
export const DurationSchema = z.union(
  [
    z.number().nonnegative().max(MAX_TIMER_MS, `must be ${TIMER_LIMIT_TEXT}`),
    z
      .string()
      .regex(DURATION_PATTERN, 'use "250ms", "1s", "2m" or a number of ms')
      .refine((s) => (durationMs(s) ?? 0) <= MAX_TIMER_MS, `must be ${TIMER_LIMIT_TEXT}`),
  ],
  { error: (issue) => (issue.input === undefined ? 'duration is required (e.g. "500ms", "2s" or a number of ms)' : undefined) },
);

/** Per-step retry (DESIGN 15): how often, how long between tries, and on which failures. */
export const RetrySchema = z
  .strictObject({
    attempts: z.number().int().min(1).max(20).describe('tries in all, the first one included (at most 20)'),
    delay: DurationSchema.optional().describe('wait before the second try (default "500ms")'),
    backoff: z.number().min(1).max(10).optional().describe('each wait is the previous one times this (default 2)'),
    maxDelay: DurationSchema.optional().describe('longest wait between tries (default "30s")'),
    on: z
      .array(z.union([z.literal('transient'), z.number().int().min(100).max(599)]))
      .min(1)
      .optional()
      .describe('what is retried: "transient" (exit class 3: timeouts, network errors, 408/425/429/5xx) and HTTP statuses; default ["transient"]'),
  })
  .describe('Retry the step when it fails with a listed class or status; every attempt is recorded');

export const RULE_OPS = ['eq', 'neq', 'gt', 'gte', 'lt', 'lte', 'in', 'contains', 'matches', 'exists', 'absent'] as const;

/** Names people reach for out of habit (other test tools, operators), mapped to the op meant. */
export const RULE_OP_ALIASES: Record<string, (typeof RULE_OPS)[number]> = {
  equals: 'eq',
  equal: 'eq',
  '=': 'eq',
  '==': 'eq',
  '===': 'eq',
  is: 'eq',
  notequals: 'neq',
  not_equals: 'neq',
  ne: 'neq',
  '!=': 'neq',
  '!==': 'neq',
  not: 'neq',
  greaterthan: 'gt',
  '>': 'gt',
  '>=': 'gte',
  lessthan: 'lt',
  '<': 'lt',
  '<=': 'lte',
  oneof: 'in',
  includes: 'contains',
  has: 'contains',
  match: 'matches',
  regex: 'matches',
  exist: 'exists',
  defined: 'exists',
  missing: 'absent',
  notexists: 'absent',
  undefined: 'absent',
};

export const RuleSchema = z
  .strictObject({
    path: z.string().min(1).describe('JSONPath ($.a.b) or dotted path into the document under test'),
    op: z.enum(RULE_OPS),
    value: z.unknown().optional(),
  })
  .describe('One condition on a document');

export const RuleSetSchema = z.strictObject({
  mode: z.enum(['ALL', 'ANY']).default('ALL'),
  rules: z.array(RuleSchema).min(1),
});

export const StepSchema = z.strictObject({
  id: z
    .string()
    .regex(STEP_ID, 'step ids use letters, digits, "_" and "-"')
    // Step ids become keys of the run's step table: these three would reach Object.prototype.
    .regex(/^(?!(?:__proto__|constructor|prototype)$)/, 'step ids __proto__, constructor and prototype are reserved')
    .max(128),
  action: z.string().regex(ACTION_NAME, 'actions are namespaced as module.action'),
  description: z.string().optional(),
  payload: z.unknown().optional().describe('Intent fields for the action; ${...} interpolation applies'),
  capture: z
    .record(z.string().regex(RUN_NAME, 'run names use letters, digits, "_" and "-"'), z.string().min(1))
    .optional()
    .describe('run.<name> <- path into {response, exports} (dotted, or JSONPath starting with $)'),
  credential: z.string().min(1).optional().describe('Name of a credentials profile bound to this step'),
  timeoutMs: timerMs().positive().optional(),
  retry: RetrySchema.optional(),
});

const HttpConfigSchema = z.strictObject({
  baseUrl: z.string().optional(),
  defaultHeaders: z.record(z.string(), z.string()).optional(),
  timeoutMs: z.union([timerMs().positive(), z.string()]).optional(),
  maxResponseBytes: z.union([z.number().int().positive(), z.string()]).optional().describe('Largest response body accepted, counted after decompression (default 50 MiB)'),
  proxy: z.string().optional().describe('Proxy for every request of the job (http://host:port); wins over HTTP_PROXY/HTTPS_PROXY'),
  tls: z
    .strictObject({
      ca: z.string().optional().describe('CA certificate (PEM file, or PEM text) trusted besides the system ones'),
      cert: z.string().optional().describe('client certificate (PEM file or text), with key'),
      key: z.string().optional().describe('client key (PEM file or text), with cert'),
      insecureSkipVerify: z.union([z.boolean(), z.string()]).optional().describe('accept any server certificate: for local test servers only'),
    })
    .optional(),
});

const CredentialProfileSchema = z
  .strictObject({
    fromEnv: z.record(z.string().min(1), z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'env var names use letters, digits and "_"')),
    apply: CredentialApplySchema.optional().describe('how every request of a step bound to this profile carries it: "bearer" (token), "basic" (username, password) or {"header": name} (value)'),
  })
  .superRefine((p, ctx) => {
    if (!p.apply) return;
    const missing = applyFields(p.apply).filter((f) => !Object.hasOwn(p.fromEnv, f));
    if (missing.length) ctx.addIssue({ code: 'custom', path: ['fromEnv'], message: `apply ${describeApply(p.apply)} needs the field(s) ${missing.join(', ')} in fromEnv` });
  });

const DependenciesSchema = z.strictObject({
  modules: z.array(z.strictObject({ name: z.string().regex(MODULE_NAME), version: z.string().optional() })).optional(),
  memory: z
    .array(
      z.strictObject({
        namespace: z.string().min(1),
        key: z.string().min(1),
        fill: z.strictObject({ module: z.string().regex(MODULE_NAME), job: z.string().min(1) }).optional(),
      }),
    )
    .optional(),
  http: z.strictObject({ required: z.array(z.string().min(1)) }).optional(),
});

const CredentialsSchema = z.record(z.string().regex(RUN_NAME, 'profile names use letters, digits, "_" and "-"'), CredentialProfileSchema);
const InputsSchema = z.record(z.string().regex(RUN_NAME, 'input names use letters, digits, "_" and "-" and start with a letter or "_"'), z.unknown());
const AssertionsSchema = z.array(RuleSchema);

export const JobSchema = z.strictObject({
  $schema: z.string().optional(),
  schemaVersion: z.literal(1),
  jobType: z.string().min(1).max(200),
  description: z.string().optional(),
  http: HttpConfigSchema.optional(),
  credentials: CredentialsSchema.optional(),
  dependencies: DependenciesSchema.optional(),
  inputs: InputsSchema.optional(),
  scenario: z.strictObject({ steps: z.array(StepSchema).min(1, 'a job needs at least one step') }),
  assertions: AssertionsSchema.optional(),
});

export type Job = z.infer<typeof JobSchema>;
export type Step = z.infer<typeof StepSchema>;
export type Rule = z.infer<typeof RuleSchema>;
type RuleSet = z.infer<typeof RuleSetSchema>;
export type JobKind = 'case' | 'seed';
