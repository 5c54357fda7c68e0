import { parseDuration } from '../engine/duration.js';
import { usageError } from '../errors.js';
import type { Schedule, ScheduleKind } from './store.js';

/** The first time a schedule is due, checked: a bad cron, interval or time is a usage error (exit 2). */
export async function firstDue(kind: ScheduleKind, spec: string, timezone: string | undefined, now: Date): Promise<Date> {
  if (kind === 'cron') return (await cronNext(spec, timezone, now)) ?? never(spec);
  if (kind === 'every') return new Date(now.getTime() + intervalMs(spec));
  const at = new Date(spec);
  if (Number.isNaN(at.getTime())) throw usageError('SCHEDULE_TIME_INVALID', `--at ${JSON.stringify(spec)} is not a time.`, { hint: 'Use an ISO time, e.g. 2026-12-24T09:00:00Z (or --in 30m).' });
  if (at.getTime() <= now.getTime()) throw usageError('SCHEDULE_TIME_PAST', `--at ${spec} is in the past.`, { hint: 'Give a future time, or --in <duration>.' });
  return at;
}

/**
 * When a schedule is due after it fired (or was found overdue) at `now`: computed from now, so fires
 * missed while the daemon was stopped run once, not once per missed slot. A one-shot has none.
 */
export async function nextAfter(s: Schedule, now: Date): Promise<Date | undefined> {
  if (s.kind === 'cron') return cronNext(s.spec, s.timezone, now);
  if (s.kind === 'every') return new Date(now.getTime() + intervalMs(s.spec));
  return undefined;
}

export function intervalMs(spec: string): number {
  const ms = parseDuration(spec, '--every');
  if (ms < 1000) throw usageError('SCHEDULE_INTERVAL_INVALID', `--every ${spec} is shorter than one second.`, { hint: 'Example: --every 5m' });
  return ms;
}

async function cronNext(spec: string, timezone: string | undefined, now: Date): Promise<Date | undefined> {
  const { Cron } = await import('../vendor/cron.js');
  let cron: InstanceType<typeof Cron>;
  try {
    cron = new Cron(spec, { paused: true, ...(timezone ? { timezone } : {}) });
  } catch (err) {
    throw usageError('SCHEDULE_CRON_INVALID', `--cron ${JSON.stringify(spec)}: ${(err as Error).message}`, {
      hint: 'Five fields: minute hour day-of-month month day-of-week, e.g. "*/15 * * * *" or "0 6 * * 1-5"; --tz Europe/Berlin for a time zone.',
    });
  }
  return cron.nextRun(now) ?? undefined;
}

function never(spec: string): never {
  throw usageError('SCHEDULE_CRON_INVALID', `--cron ${JSON.stringify(spec)} never fires.`, { hint: 'Check the fields (a 31st of February never comes).' });
}
