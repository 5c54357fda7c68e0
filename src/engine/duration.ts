import { usageError } from '../errors.js';

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** Parses "250ms", "1s", "2m", "1.5s" or a number of milliseconds. */
export function parseDuration(input: unknown, what = 'duration'): number {
  if (typeof input === 'number') {
    if (Number.isFinite(input) && input >= 0) return input;
  } else if (typeof input === 'string') {
    const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h)?\s*$/.exec(input);
    if (m) return Math.round(Number(m[1]) * UNITS[m[2] ?? 'ms']);
  }
  throw usageError('INVALID_DURATION', `The ${what} ${JSON.stringify(input)} is not a duration.`, {
    hint: 'Use "250ms", "1s", "2m" or a number of milliseconds.',
  });
}
