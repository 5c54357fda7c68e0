import type { OptionsOf } from '../../cli/command-options.js';
import { notFoundError } from '../../errors.js';
import type { Colors } from '../../output/colors.js';
import type { CommandResult } from '../../output/envelope.js';
import { readActionDefaults, writeActionDefaults } from '../../state/defaults.js';
import { homeOf, resolveBase } from '../context.js';
import { checkActionName } from '../module/_shared.js';

/** Removes the default payload of one action. */
export async function defaultsUnset(opts: { cwd?: string; action: string }): Promise<CommandResult> {
  const base = resolveBase(opts);
  const home = homeOf(base);
  const { name } = checkActionName(opts.action);
  const all = await readActionDefaults(home);
  if (!Object.hasOwn(all, name)) {
    throw notFoundError('DEFAULTS_NOT_FOUND', `No defaults are set for ${name}.`, {
      hint: Object.keys(all).length ? `Defaults exist for: ${Object.keys(all).sort().join(', ')}.` : 'No action has defaults.',
      next: [{ command: 'dispatch defaults show', description: 'list every action default' }],
    });
  }
  const removed = all[name];
  delete all[name];
  await writeActionDefaults(home, all);
  return {
    status: 'SUCCESS',
    exitCode: 0,
    data: { action: name, removed },
    next: [{ command: 'dispatch defaults show', description: 'list the remaining defaults' }],
    view: (_env, c: Colors) => `${c.green('removed')} defaults of ${c.bold(name)}\n`,
  };
}

export default (opts: OptionsOf<'defaults unset'>) => defaultsUnset(opts);
