import fs from 'node:fs/promises';
import type { OptionsOf } from '../../cli/command-options.js';
import { ok, type CommandResult } from '../../output/envelope.js';
import { daemonPaths, runningDaemon, type DaemonState } from '../../schedule/daemon.js';
import { readSchedules } from '../../schedule/store.js';
import { homeOf, resolveBase } from '../context.js';

/** `daemon status`: whether it runs (pid), its last tick, the next due schedule and schedules failing now. */
export default async function daemonStatus(opts: OptionsOf<'daemon status'>): Promise<CommandResult> {
  const home = homeOf(resolveBase(opts));
  const pid = await runningDaemon(home);
  const state = JSON.parse(await fs.readFile(daemonPaths(home).state, 'utf8').catch(() => '{}')) as Partial<DaemonState>;
  const schedules = await readSchedules(home);
  const due = schedules.filter((s) => !s.paused && !s.done && s.nextDue).sort((a, b) => Date.parse(a.nextDue!) - Date.parse(b.nextDue!))[0];
  const recentFailures = schedules
    .filter((s) => s.failures > 0)
    .map((s) => ({ id: s.id, name: s.name, failures: s.failures, ...(s.backoffUntil ? { backoffUntil: s.backoffUntil } : {}), lastRun: s.lastRun }));
  const data = {
    running: pid !== undefined,
    ...(pid ? { pid } : {}),
    ...(state.startedAt && pid ? { startedAt: state.startedAt } : {}),
    ...(state.lastTick ? { lastTick: state.lastTick } : {}),
    ...(due ? { nextDue: { id: due.id, name: due.name, at: due.nextDue } } : {}),
    schedules: schedules.length,
    recentFailures,
    log: daemonPaths(home).log,
  };
  return {
    ...ok(data, pid ? [{ command: 'dispatch schedule list', description: 'every schedule' }] : [{ command: 'dispatch daemon start', description: 'start it: schedules fire only while it runs' }]),
    view: (_e, c) =>
      [
        pid ? `${c.green('running')} daemon ${pid} ${c.dim(`last tick ${state.lastTick ?? '-'}`)}` : c.yellow('not running'),
        due ? `next: ${due.id} ${due.name} at ${due.nextDue}` : c.dim('nothing due'),
        ...recentFailures.map((f) => c.red(`failing: ${f.id} ${f.name}, ${f.failures} in a row${f.lastRun?.error ? `: ${f.lastRun.error.code}: ${f.lastRun.error.message}` : ''}`)),
        c.dim(`log: ${data.log}`),
      ].join('\n') + '\n',
  };
}
