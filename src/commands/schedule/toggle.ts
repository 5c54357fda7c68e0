import { ok, type CommandResult } from '../../output/envelope.js';
import { findSchedule, updateSchedules } from '../../schedule/store.js';
import { homeOf, resolveBase } from '../context.js';
import { scheduleLine } from './view.js';

/** pause, resume and remove: one change to one schedule, under the schedules lock. */
export async function changeSchedule(opts: { cwd?: string; env?: Record<string, string | undefined>; id: string }, change: 'pause' | 'resume' | 'remove'): Promise<CommandResult> {
  const schedule = await updateSchedules(homeOf(resolveBase(opts)), (list) => {
    const s = findSchedule(list, opts.id);
    if (change === 'remove') list.splice(list.indexOf(s), 1);
    else s.paused = change === 'pause';
    return s;
  });
  const word = { pause: 'paused', resume: 'resumed', remove: 'removed' }[change];
  return { ...ok({ schedule, [word]: true }, [{ command: 'dispatch schedule list', description: 'every schedule' }]), view: (_e, c) => `${c.green(word)} ${scheduleLine(schedule, c)}\n` };
}
