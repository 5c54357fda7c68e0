import { usageError } from '../errors.js';

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** The written forms of a duration: "250ms", "1s", "2m", "1.5h", or plain milliseconds. */
export const DURATION_PATTERN = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h)?\s*$/;

/**
 * The longest wait Node's timers can express (2^31-1 ms, about 24.8 days). Longer delays
 * overflow: setTimeout warns and fires after 1 ms, so a sleep would not sleep and a poll would
 * hammer its server. Every duration field is capped here, in the schemas and at run time.
 */
export const MAX_TIMER_MS = 2_147_483_647;
export const TIMER_LIMIT_TEXT = `at most ${MAX_TIMER_MS} ms (about 24.8 days), the longest wait Node timers support`;

/** Milliseconds a written duration stands for, or undefined when it is not a duration. */
export function durationMs(input: unknown): number | undefined {
  if (typeof input === 'number') return Number.isFinite(input) && input >= 0 ? input : undefined;
  if (typeof input !== 'string') return undefined;
  const m = DURATION_PATTERN.exec(input);
  return m ? Math.round(Number(m[1]) * UNITS[m[2] ?? 'ms']) : undefined;
}

/** Parses "250ms", "1s", "2m", "1.5s" or a number of milliseconds, within the timer limit. */
export function parseDuration(input: unknown, what = 'duration'): number {
  const ms = durationMs(input);
  if (ms === undefined) {
    throw usageError('INVALID_DURATION', `The ${what} ${JSON.stringify(input)} is not a duration.`, {
      hint: 'Use "250ms", "1s", "2m" or a number of milliseconds.',
    });
  }
  if (ms > MAX_TIMER_MS) {
    throw usageError('DURATION_TOO_LONG', `The ${what} ${JSON.stringify(input)} is ${ms} ms; it must be ${TIMER_LIMIT_TEXT}.`, {
      hint: 'Use a shorter duration, or split a longer wait across steps.',
    });
  }
  return ms;
}
