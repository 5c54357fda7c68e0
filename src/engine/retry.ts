import { parseDuration } from './duration.js';
import type { DispatchError } from '../errors.js';
import type { Step } from '../job/schema.js';

/** A step's retry, with the defaults filled in (docs/http.md, "Retries"). */
export interface RetryPolicy {
  attempts: number;
  delayMs: number;
  backoff: number;
  maxDelayMs: number;
  on: Array<'transient' | number>;
}

const DEFAULT_DELAY_MS = 500;
const DEFAULT_BACKOFF = 2;
const DEFAULT_MAX_DELAY_MS = 30_000;

// Exit class 3 codes that are not the request's bad luck: retrying would not change them.
const NOT_RETRIED = new Set(['INTERRUPTED', 'RUN_TIMEOUT', 'STALLED']);

export function retryPolicy(retry: Step['retry']): RetryPolicy | undefined {
  if (!retry || retry.attempts <= 1) return undefined;
  return {
    attempts: retry.attempts,
    delayMs: retry.delay === undefined ? DEFAULT_DELAY_MS : parseDuration(retry.delay, 'retry delay'),
    backoff: retry.backoff ?? DEFAULT_BACKOFF,
    maxDelayMs: retry.maxDelay === undefined ? DEFAULT_MAX_DELAY_MS : parseDuration(retry.maxDelay, 'retry maxDelay'),
    on: retry.on ?? ['transient'],
  };
}

/** Whether a failed attempt is worth another: a transient error, or an HTTP status the step lists. */
export function shouldRetry(err: DispatchError, policy: RetryPolicy): boolean {
  if (NOT_RETRIED.has(err.code)) return false;
  if (policy.on.includes('transient') && err.exitCode === 3) return true;
  const status = (err.details as { status?: unknown } | undefined)?.status;
  return typeof status === 'number' && policy.on.includes(status);
}

/** The wait after failed attempt n (1-based): delay, delay*backoff, ... capped at maxDelay. */
export function retryDelay(policy: RetryPolicy, attempt: number): number {
  return Math.min(policy.maxDelayMs, Math.round(policy.delayMs * policy.backoff ** (attempt - 1)));
}
