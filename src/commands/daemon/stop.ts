import type { OptionsOf } from '../../cli/command-options.js';
import { ok, type CommandResult } from '../../output/envelope.js';
import { homeOf, resolveBase } from '../context.js';
import { stopDaemon } from './control.js';

export default async function daemonStop(opts: OptionsOf<'daemon stop'>): Promise<CommandResult> {
  const r = await stopDaemon(homeOf(resolveBase(opts)));
  return {
    ...ok({ ...r, running: false }, [{ command: 'dispatch daemon start', description: 'start it again' }]),
    view: (_e, c) => (r.stopped ? `${c.green('stopped')} daemon ${r.pid}\n` : `${c.dim('not running')}\n`),
  };
}
