import type { OptionsOf } from '../../cli/command-options.js';
import { notFoundError, usageError } from '../../errors.js';
import type { Colors } from '../../output/colors.js';
import type { CommandResult, Envelope } from '../../output/envelope.js';
import { readRuntimeOverrides, writeRuntimeOverrides } from '../../state/runtime-overrides.js';
import { homeOf, resolveBase } from '../context.js';
import { checkActionName } from '../module/_shared.js';

/** Removes one runtime override (--action module.action) or all of them (--all). */
export async function runtimeUnset(opts: { cwd?: string; action?: string; all?: boolean }): Promise<CommandResult> {
  const base = resolveBase(opts);
  const home = homeOf(base);
  if (!opts.all === !opts.action) {
    throw usageError('UNSET_TARGET', opts.all ? 'Pass either --action or --all, not both.' : 'Say which override to remove: --action <module.action>, or --all.', {
      hint: 'dispatch runtime show lists the current overrides.',
      next: [{ command: 'dispatch runtime show', description: 'list overrides' }],
    });
  }
  const overrides = await readRuntimeOverrides(home);
  let removed = overrides;
  if (opts.action) {
    const { name } = checkActionName(opts.action);
    removed = overrides.filter((o) => `${o.module}.${o.action}` === name);
    if (removed.length === 0) {
      throw notFoundError('OVERRIDE_NOT_FOUND', `No runtime override for ${name}.`, {
        hint: overrides.length ? `Overrides exist for: ${overrides.map((o) => `${o.module}.${o.action}`).join(', ')}.` : 'There are no runtime overrides.',
        next: [{ command: 'dispatch runtime show', description: 'list overrides' }],
      });
    }
  }
  const kept = overrides.filter((o) => !removed.includes(o));
  if (removed.length > 0) await writeRuntimeOverrides(home, kept);
  const names = removed.map((o) => `${o.module}.${o.action}`);
  return {
    status: 'SUCCESS',
    exitCode: 0,
    data: { removed: removed.map((o) => ({ name: `${o.module}.${o.action}`, ...o })), remaining: kept.length },
    next: [{ command: 'dispatch runtime show', description: 'see the effective resolution now' }],
    view: (_env: Envelope, c: Colors) => (names.length ? `${c.green('removed')} ${names.join(', ')}\n` : `${c.dim('no runtime overrides to remove')}\n`),
  };
}

export default (opts: OptionsOf<'runtime unset'>) => runtimeUnset(opts);
