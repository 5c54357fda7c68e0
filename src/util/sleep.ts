import { DispatchError, EXIT } from '../errors.js';

/** Sleeps `ms`, rejecting with an INTERRUPTED error as soon as `signal` aborts. */
export function abortableSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(interrupted());
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(interrupted());
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

export function interrupted(): DispatchError {
  return new DispatchError({ code: 'INTERRUPTED', exitCode: EXIT.TRANSIENT, message: 'The run was interrupted (SIGINT/SIGTERM).', hint: 'Re-run the job; nothing was lost.' });
}

/** Abort reason the entry uses when nothing is left to wait for but a handler has not settled. */
export const STALLED_REASON = 'dispatch:stalled';
