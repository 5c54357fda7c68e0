import { DispatchError, EXIT } from '../errors.js';

/** Sleeps `ms`, rejecting with an INTERRUPTED error as soon as `signal` aborts. */
export function abortableSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(stopError(signal));
    // Zero yields to the event loop once: a 0 ms timer is clamped to 1 ms (20 zero sleeps took 20+ ms).
    if (ms <= 0) return void setImmediate(() => (signal?.aborted ? reject(stopError(signal)) : resolve()));
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(stopError(signal));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

export function interrupted(): DispatchError {
  return new DispatchError({ code: 'INTERRUPTED', exitCode: EXIT.TRANSIENT, message: 'The run was interrupted (SIGINT/SIGTERM).', hint: 'Re-run the job; nothing was lost.' });
}

/** Abort reason of a run stopped by `--timeout` (see runTimeoutSignal). */
export class RunTimeout {
  constructor(readonly ms: number) {}
}

/**
 * Runs `work` with the command's signal, also aborted after `ms` with a RunTimeout reason. A run stopped this way
 * ends FAILED with RUN_TIMEOUT (exit 3) and a complete record, not INTERRUPTED.
 */
export async function withRunTimeout<T>(signal: AbortSignal, ms: number | undefined, work: (signal: AbortSignal) => Promise<T>): Promise<T> {
  if (ms === undefined) return work(signal);
  const c = new AbortController();
  const timer = setTimeout(() => c.abort(new RunTimeout(ms)), ms);
  const onAbort = () => c.abort(signal.reason);
  if (signal.aborted) onAbort();
  else signal.addEventListener('abort', onAbort, { once: true });
  try {
    return await work(c.signal);
  } finally {
    // A long-lived process (dispatch mcp) keeps no timer or listener of a finished run.
    clearTimeout(timer);
    signal.removeEventListener('abort', onAbort);
  }
}

/** Why an aborted run stopped: its --timeout, or an interruption. */
export function stopError(signal: AbortSignal | undefined): DispatchError {
  const reason = signal?.reason;
  if (reason instanceof RunTimeout) {
    return new DispatchError({
      code: 'RUN_TIMEOUT',
      exitCode: EXIT.TRANSIENT,
      message: `The run did not finish within its --timeout of ${reason.ms} ms.`,
      hint: 'Raise --timeout, or look at the step that was running (dispatch job inspect) to see what took the time.',
    });
  }
  return interrupted();
}

/** Abort reason the entry uses when nothing is left to wait for but a handler has not settled. */
export const STALLED_REASON = 'dispatch:stalled';
