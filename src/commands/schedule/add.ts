import { randomBytes } from 'node:crypto';
import path from 'node:path';
import type { OptionsOf } from '../../cli/command-options.js';
import { usageError } from '../../errors.js';
import { ok, type CommandResult } from '../../output/envelope.js';
import { updateSchedules, type Schedule, type ScheduleKind } from '../../schedule/store.js';
import { firstDue, intervalMs } from '../../schedule/timing.js';
import { homeOf, resolveBase } from '../context.js';
import { parseSetValues, prepareJob } from '../job/prepare.js';
import { scheduleLine } from './view.js';

/** `schedule add`: checks the job and the timing now (exit 2 for either), then stores the schedule. */
export default async function scheduleAdd(opts: OptionsOf<'schedule add'>): Promise<CommandResult> {
  const given = (['cron', 'every', 'at', 'in'] as const).filter((k) => opts[k] !== undefined);
  if (given.length !== 1) {
    throw usageError(
      'SCHEDULE_TIMING_MISSING',
      given.length ? `Give one of --cron, --every, --at, --in, not ${given.map((g) => `--${g}`).join(' and ')}.` : 'When should it run? Give --cron, --every, --at or --in.',
      {
        hint: 'Examples: --cron "0 6 * * *", --every 5m, --at 2026-12-24T09:00:00Z, --in 30m',
      },
    );
  }
  if (opts.tz !== undefined && opts.cron === undefined) throw usageError('BAD_OPTION', '--tz applies to --cron only.', { hint: '--at takes a zone in the time itself (…Z or +01:00).' });
  const base = resolveBase(opts);
  const setValues = parseSetValues(opts.set);
  // The job must be valid now; the daemon checks it again at every fire (env may change).
  const prepared = await prepareJob(base, opts.case, { setNames: Object.keys(setValues) });
  const now = new Date();
  let kind: ScheduleKind;
  let spec: string;
  if (opts.cron !== undefined) [kind, spec] = ['cron', opts.cron];
  else if (opts.every !== undefined) [kind, spec] = ['every', opts.every];
  else if (opts.at !== undefined) [kind, spec] = ['at', opts.at];
  else [kind, spec] = ['at', new Date(now.getTime() + intervalMs(opts.in!)).toISOString()];
  const due = await firstDue(kind, spec, opts.tz, now);
  const schedule: Schedule = {
    id: `sch-${randomBytes(4).toString('hex').slice(0, 7)}`,
    name: opts.name ?? prepared.job.jobType,
    casePath: prepared.file.path,
    cwd: base.cwd,
    set: opts.set ?? [],
    kind,
    spec,
    ...(opts.tz ? { timezone: opts.tz } : {}),
    createdAt: now.toISOString(),
    paused: false,
    nextDue: due.toISOString(),
    failures: 0,
  };
  await updateSchedules(homeOf(base), (list) => {
    if (list.some((s) => s.name === schedule.name)) {
      throw usageError('SCHEDULE_NAME_TAKEN', `A schedule is already named ${JSON.stringify(schedule.name)}.`, { hint: 'Give another --name, or remove the old one first.' });
    }
    list.push(schedule);
  });
  return {
    ...ok({ schedule, casePath: path.relative(base.cwd, schedule.casePath) || schedule.casePath }, [
      { command: 'dispatch daemon ensure', description: 'start the daemon that fires schedules, unless it runs' },
      { command: 'dispatch schedule list', description: 'every schedule with its next time' },
    ]),
    view: (e, c) => `${c.green('scheduled')} ${scheduleLine(schedule, c)}\n`,
  };
}
