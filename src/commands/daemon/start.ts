import type { OptionsOf } from '../../cli/command-options.js';
import { ok, type CommandResult } from '../../output/envelope.js';
import { homeOf, resolveBase } from '../context.js';
import { startDaemon } from './control.js';

/** `daemon start` and `daemon ensure`: the same idempotent start; they differ only in their words. */
export async function ensureDaemon(opts: { cwd?: string; env?: Record<string, string | undefined> }, verb: 'start' | 'ensure'): Promise<CommandResult> {
  const base = resolveBase(opts);
  const { pid, started } = await startDaemon(homeOf(base), base.env);
  return {
    ...ok({ pid, started, running: true }, [{ command: 'dispatch daemon status', description: 'its last tick, the next due schedule and recent failures' }]),
    view: (_e, c) => `${started ? c.green('started') : c.dim(verb === 'ensure' ? 'already running:' : 'already running, not started again:')} daemon ${pid}\n`,
  };
}

export default (opts: OptionsOf<'daemon start'>) => ensureDaemon(opts, 'start');
