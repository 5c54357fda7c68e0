import { durationMs, MAX_TIMER_MS, TIMER_LIMIT_TEXT } from '../../engine/duration.js';
import { usageError } from '../../errors.js';

/** `--timeout` as milliseconds: a written duration ("30s", "5m") or a number of ms, above 0. */
export function runTimeoutMs(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const ms = durationMs(/^\d+$/.test(text) ? Number(text) : text);
  if (ms === undefined || ms <= 0 || ms > MAX_TIMER_MS) {
    throw usageError('BAD_OPTION', `--timeout ${JSON.stringify(text)} is not a duration above 0 and ${TIMER_LIMIT_TEXT}.`, {
      hint: 'Examples: --timeout 30s, --timeout 5m, --timeout 1500 (milliseconds).',
    });
  }
  return ms;
}
