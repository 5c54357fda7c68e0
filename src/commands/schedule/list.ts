import type { OptionsOf } from '../../cli/command-options.js';
import { ok, type CommandResult } from '../../output/envelope.js';
import { readSchedules, type Schedule } from '../../schedule/store.js';
import { homeOf, resolveBase } from '../context.js';
import { scheduleLine } from './view.js';

export default async function scheduleList(opts: OptionsOf<'schedule list'>): Promise<CommandResult> {
  const schedules = await readSchedules(homeOf(resolveBase(opts)));
  const failing = schedules.filter((s) => s.failures > 0);
  return {
    ...ok({ schedules, count: schedules.length }, [
      ...(failing[0]?.lastRun?.runId ? [{ command: `dispatch job inspect --run-id ${failing[0].lastRun.runId}`, description: `the last failed run of ${failing[0].name}` }] : []),
      { command: 'dispatch daemon status', description: 'whether the daemon that fires them runs' },
    ]),
    view: (e, c) => {
      const list = (e.schedules as Schedule[]).map((s) => scheduleLine(s, c));
      return `${list.length ? list.join('\n') : c.dim('no schedules (dispatch schedule add --case <file> --every 5m)')}\n`;
    },
  };
}
