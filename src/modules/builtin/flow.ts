import { z } from 'zod';
import { DispatchError, EXIT, isDispatchError, usageError } from '../../errors.js';
import { evaluateRules } from '../../engine/conditions.js';
import { parseDuration } from '../../engine/duration.js';
import { resolvePath } from '../../engine/resolve-path.js';
import { abortableSleep } from '../../util/sleep.js';
import { ACTION_NAME, DurationSchema, RuleSetSchema, timerMs } from '../../job/schema.js';
import { defineAction, defineModule } from '../define.js';
import type { ActionContext } from '../types.js';
import { lazyAction } from './lazy-action.js';

const sleep = defineAction({
  description: 'Pause the run for a fixed duration ("250ms", "1s", "2m" or milliseconds)',
  schema: z.strictObject({
    duration: DurationSchema,
  }),
  async handler(ctx, payload) {
    const ms = parseDuration(payload.duration);
    await abortableSleep(ms, ctx.signal);
    return { response: { sleptMs: ms } };
  },
});

// The timer fields are bounded by timerMs() (see MAX_TIMER_MS) here, so the same rule holds at
// validation and at run time, where every payload, interpolated ones too, is parsed again.
// Built on first use (lazyAction): most runs poll nothing.
const buildPollSchema = () =>
  z.strictObject({
    action: z.string().regex(ACTION_NAME, 'the inner action is named module.action'),
    payload: z.unknown().optional(),
    intervalMs: timerMs().nonnegative().default(1000),
    maxDurationMs: timerMs().positive().default(30_000),
    conditions: RuleSetSchema,
    failWhen: RuleSetSchema.optional(),
    store: z.record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_-]*$/), z.string().min(1)).optional(),
  });
type PollPayload = z.infer<ReturnType<typeof buildPollSchema>>;

const poll = lazyAction(
  {
    description: 'Call another action until its response meets conditions, fails a failWhen rule, or time runs out',
    exports: z.object({ attempts: z.number(), elapsedMs: z.number() }).catchall(z.unknown()),
    handler: runPoll,
  },
  buildPollSchema,
);
/** The flow.poll payload schema, for validation's field-by-field checks: the action's own, built once. */
export const pollPayloadSchema = () => poll.schema;

async function runPoll(ctx: ActionContext, p: PollPayload) {
  const started = Date.now();
  let attempts = 0;
  let lastResponse: unknown;
  let lastError: DispatchError | undefined;
  for (;;) {
    attempts++;
    const elapsed = () => Date.now() - started;
    try {
      const result = await ctx.invoke(p.action, p.payload ?? {}, { attempt: attempts });
      lastResponse = result.response;
      lastError = undefined;
      if (p.failWhen && evaluateRules(lastResponse, p.failWhen.rules, p.failWhen.mode).pass) {
        ctx.log.info(`poll attempt ${attempts}: failWhen held after ${elapsed()}ms`);
        throw usageError('POLL_FAIL_WHEN', `flow.poll stopped: failWhen held on attempt ${attempts} of ${p.action}.`, {
          hint: 'The polled resource reached a failure state; inspect the last response.',
          details: { attempts, elapsedMs: elapsed(), lastResponse },
        });
      }
      const verdict = evaluateRules(lastResponse, p.conditions.rules, p.conditions.mode);
      ctx.log.info(`poll attempt ${attempts}: conditions ${verdict.pass ? 'held' : 'not yet met'} (${elapsed()}ms)`);
      if (verdict.pass) {
        const exports: Record<string, unknown> = {};
        for (const [name, path] of Object.entries(p.store ?? {})) {
          // Like a capture: a path that finds nothing fails the step rather than storing a
          // silent null a later step would trip over. A value that is null is stored as null.
          const got = resolvePath(lastResponse, path);
          if (!got.found || got.value === undefined) {
            throw usageError('STORE_EMPTY', `flow.poll store.${name} <- ${path} found nothing in the last response of ${p.action} (attempt ${attempts}).`, {
              hint: `The conditions held but the response has no ${path}; fix the store path, or add a condition that it exists.`,
              details: { attempts, elapsedMs: elapsed(), lastResponse },
            });
          }
          Object.defineProperty(exports, name, { value: got.value, enumerable: true, writable: true, configurable: true });
        }
        return { response: lastResponse, exports: { ...exports, attempts, elapsedMs: elapsed() } };
      }
    } catch (err) {
      if (!isDispatchError(err) || err.exitCode !== EXIT.TRANSIENT || ctx.signal.aborted) throw err;
      // Transient inner failures (network, 5xx, timeouts) are what polling waits out.
      lastError = err;
      ctx.log.warn(`poll attempt ${attempts}: transient ${err.code}: ${err.message}`);
    }
    if (elapsed() + p.intervalMs > p.maxDurationMs) {
      throw new DispatchError({
        code: 'POLL_TIMEOUT',
        exitCode: EXIT.TRANSIENT,
        message: `flow.poll gave up after ${attempts} attempts in ${elapsed()}ms: conditions on ${p.action} never held.`,
        hint: 'Raise maxDurationMs or check the conditions against the last response (dispatch job inspect).',
        details: { attempts, elapsedMs: elapsed(), lastResponse, ...(lastError ? { lastError: lastError.toJSON() } : {}) },
      });
    }
    await abortableSleep(p.intervalMs, ctx.signal);
  }
}

export const flowModule = defineModule({
  name: 'flow',
  version: '1.0.0',
  description: 'Control-flow primitives: sleep and poll',
  actions: { sleep, poll },
});
