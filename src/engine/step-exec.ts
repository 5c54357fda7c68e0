import type { z } from 'zod';
import { DispatchError, EXIT, toDispatchError, usageError } from '../errors.js';
import type { ResolvedAction } from '../modules/registry.js';
import type { ActionContext, ActionResult } from '../modules/types.js';
import { stopError, STALLED_REASON } from '../util/sleep.js';
import { deepMerge } from '../util/merge.js';
import { jsonPathOf } from '../job/problems.js';

/** Validates a payload against an action's schema at run time (after interpolation). */
export function parsePayload(action: ResolvedAction, payload: unknown, where: string): unknown {
  const res = (action.definition.schema as z.ZodType).safeParse(payload ?? {});
  if (res.success) return res.data;
  const problems = res.error.issues.map((i) => `${jsonPathOf(i.path).replace(/^\$/, where)}: ${i.message}`);
  throw usageError('PAYLOAD_INVALID', `The payload of ${action.name} is invalid: ${problems.join('; ')}.`, {
    hint: `dispatch schema action --name ${action.name} --print shows what it accepts.`,
    details: { problems },
  });
}

export function withDefaults(defaults: Record<string, unknown> | undefined, payload: unknown): unknown {
  return defaults ? deepMerge(defaults, payload ?? {}) : payload;
}

/** Runs a handler, racing it against interruption and the step timeout; normalises its result. */
export async function callHandler(
  action: ResolvedAction,
  ctx: ActionContext,
  payload: unknown,
  opts: { runSignal: AbortSignal; stepSignal: AbortController; timeoutMs?: number },
): Promise<ActionResult> {
  checkCredential(action, ctx);
  let timer: NodeJS.Timeout | undefined;
  let onAbort: (() => void) | undefined;
  let interruptedNow = false;
  const guards = new Promise<never>((_, reject) => {
    onAbort = () => {
      interruptedNow = true;
      opts.stepSignal.abort();
      if (opts.runSignal.reason === STALLED_REASON) {
        reject(
          new DispatchError({
            code: 'HANDLER_STALLED',
            exitCode: EXIT.INTERNAL,
            message: `Action ${action.name} (step ${ctx.step.id}) returned a promise that can never settle: nothing was left to wait for.`,
            hint: 'Fix the module handler so it always resolves or throws; a step timeoutMs also bounds it.',
          }),
        );
      } else reject(stopError(opts.runSignal));
    };
    if (opts.runSignal.aborted) onAbort();
    else opts.runSignal.addEventListener('abort', onAbort, { once: true });
    if (opts.timeoutMs) {
      timer = setTimeout(() => {
        opts.stepSignal.abort();
        reject(
          new DispatchError({
            code: 'STEP_TIMEOUT',
            exitCode: EXIT.TRANSIENT,
            message: `Step ${ctx.step.id} (${action.name}) did not finish within ${opts.timeoutMs}ms.`,
            hint: 'Raise the step timeoutMs, or check the service it calls.',
          }),
        );
      }, opts.timeoutMs);
    }
  });
  const work = Promise.resolve().then(() => action.definition.handler(ctx, payload));
  try {
    const result = await Promise.race([work, guards]);
    return normaliseResult(result, action.name);
  } catch (err) {
    // The process exits soon after an interruption: let the handler see its aborted signal and
    // finish a write it has started (a memory file, its lock), so nothing is left half-written.
    // If it completes, its effect happened: the step is recorded as it ended, and the run stops
    // before the next step.
    if (interruptedNow) {
      const settled = await settle(work, SETTLE_MS);
      if (settled.done && opts.runSignal.reason !== STALLED_REASON) return normaliseResult(settled.value, action.name);
    }
    throw toDispatchError(err);
  } finally {
    if (timer) clearTimeout(timer);
    if (onAbort) opts.runSignal.removeEventListener('abort', onAbort);
  }
}

/**
 * An action that declares credentialSchema must get a credential that fits it. Validation checks
 * the binding; this is the run-time line behind it (a flow.poll inner action, a module calling
 * ctx.invoke), so a handler never destructures a missing credential into an internal error.
 * Field names only: the message never echoes a value.
 */
function checkCredential(action: ResolvedAction, ctx: ActionContext): void {
  const schema = action.definition.credentialSchema as z.ZodType | undefined;
  if (!schema) return;
  if (ctx.credential === undefined) {
    throw usageError('CREDENTIAL_REQUIRED', `Action ${action.name} needs a credential, but step "${ctx.step.id}" binds none.`, {
      hint: 'Add "credential": "<profile>" to the step (for flow.poll, to the poll step) and define the profile under credentials with fromEnv.',
    });
  }
  const res = schema.safeParse(ctx.credential);
  if (!res.success) {
    const fields = [...new Set(res.error.issues.map((i) => i.path.join('.') || 'profile'))];
    throw usageError('CREDENTIAL_INVALID', `The credential of step "${ctx.step.id}" does not fit ${action.name}: ${fields.join(', ')} missing or invalid.`, {
      hint: `dispatch schema action --name ${action.name} --print shows the credential fields it expects.`,
    });
  }
}

/** Upper bound on waiting for an interrupted handler; one that ignores its signal is abandoned. */
const SETTLE_MS = 2_000;

/** Waits up to `ms` for `work`; `done` only when it resolved (a rejection or the limit is not done). */
function settle(work: Promise<unknown>, ms: number): Promise<{ done: boolean; value?: unknown }> {
  let timer: NodeJS.Timeout | undefined;
  const limit = new Promise<{ done: false }>((resolve) => (timer = setTimeout(() => resolve({ done: false }), ms)));
  const outcome = work.then(
    (value) => ({ done: true, value }),
    () => ({ done: false }),
  );
  return Promise.race([outcome, limit]).finally(() => clearTimeout(timer));
}

function normaliseResult(result: unknown, name: string): ActionResult {
  if (result === undefined || result === null) return { response: null };
  if (typeof result !== 'object' || !('response' in result)) {
    throw new DispatchError({
      code: 'ACTION_RESULT_INVALID',
      exitCode: EXIT.INTERNAL,
      message: `Action ${name} returned ${typeof result === 'object' ? 'an object without "response"' : typeof result}; handlers return {response, exports?, detail?}.`,
      hint: 'Fix the module handler (see MODULE_AUTHORING.md).',
    });
  }
  const r = result as ActionResult;
  if (r.exports !== undefined && (r.exports === null || typeof r.exports !== 'object' || Array.isArray(r.exports))) {
    throw new DispatchError({ code: 'ACTION_RESULT_INVALID', exitCode: EXIT.INTERNAL, message: `Action ${name} returned exports that are not an object.` });
  }
  return { response: r.response === undefined ? null : r.response, ...(r.exports ? { exports: r.exports } : {}), ...(typeof r.detail === 'string' ? { detail: r.detail } : {}) };
}
