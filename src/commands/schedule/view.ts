import type { Colors } from '../../output/colors.js';
import type { Schedule } from '../../schedule/store.js';

/** One schedule on one line: id, name, timing, next time or state, last run. */
export function scheduleLine(s: Schedule, c: Colors): string {
  const timing = s.kind === 'cron' ? `cron "${s.spec}"${s.timezone ? ` ${s.timezone}` : ''}` : s.kind === 'every' ? `every ${s.spec}` : `at ${s.spec}`;
  const state = s.paused ? c.yellow('paused') : s.done ? c.dim('done') : `next ${s.nextDue ?? '-'}`;
  const last = s.lastRun ? ` · last ${s.lastRun.status === 'SUCCESS' ? c.green(s.lastRun.status) : c.red(s.lastRun.status)} ${s.lastRun.at}` : '';
  const failing = s.failures ? c.red(` · ${s.failures} failure(s) in a row${s.lastRun?.error ? `: ${s.lastRun.error.code}: ${s.lastRun.error.message}` : ''}`) : '';
  return `${c.bold(s.id)} ${s.name} ${c.dim(timing)} · ${state}${last}${failing}`;
}
