import type { OptionsOf } from '../../cli/command-options.js';
import type { Colors } from '../../output/colors.js';
import type { CommandResult, Envelope } from '../../output/envelope.js';
import { readActionDefaults } from '../../state/defaults.js';
import { statePaths } from '../../state/paths.js';
import { homeOf, resolveBase } from '../context.js';
import { checkActionName, findAction } from '../module/_shared.js';

/** Per-action default payloads; with --action, one action's (set: false when it has none). */
export async function defaultsShow(opts: { cwd?: string; action?: string }): Promise<CommandResult> {
  const base = resolveBase(opts);
  const home = homeOf(base);
  const all = await readActionDefaults(home);
  const file = statePaths(home).actionDefaults;
  if (opts.action !== undefined) {
    const { name, module } = checkActionName(opts.action);
    const value = Object.hasOwn(all, name) ? all[name] : undefined;
    // Stored defaults are shown even if their action is gone; otherwise a typo must not read as
    // "no defaults yet" and suggest setting some for an action that does not exist.
    if (value === undefined) {
      await findAction(base, name, module);
    }
    return {
      status: 'SUCCESS',
      exitCode: 0,
      data: { file, action: name, set: value !== undefined, defaults: value ?? null },
      next: value
        ? [{ command: `dispatch defaults unset --action ${name}`, description: 'remove these defaults' }]
        : [{ command: `dispatch defaults set --action ${name} --file <defaults.json>`, description: 'set defaults for this action' }],
      view: (env: Envelope, c: Colors) => (env.set ? `${c.bold(name)}\n${JSON.stringify(env.defaults, null, 2)}\n` : `${c.dim(`no defaults for ${name}`)}\n`),
    };
  }
  const actions = Object.keys(all).sort();
  return {
    status: 'SUCCESS',
    exitCode: 0,
    data: { file, count: actions.length, defaults: Object.fromEntries(actions.map((a) => [a, all[a]])) },
    next: actions.length ? [] : [{ command: 'dispatch defaults set --action <module.action> --file <defaults.json>', description: 'set defaults for an action' }],
    view: (env: Envelope, c: Colors) =>
      actions.length ? actions.map((a) => `${c.bold(a)} ${JSON.stringify((env.defaults as Record<string, unknown>)[a])}`).join('\n') + '\n' : `${c.dim('no action defaults')}\n`,
  };
}

export default (opts: OptionsOf<'defaults show'>) => defaultsShow(opts);
