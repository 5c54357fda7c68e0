import type { OptionsOf } from '../../cli/command-options.js';
import path from 'node:path';
import { notFoundError, usageError } from '../../errors.js';
import { loadModuleFromDir } from '../../modules/loader.js';
import type { Colors } from '../../output/colors.js';
import type { CommandResult } from '../../output/envelope.js';
import { readRuntimeOverrides, writeRuntimeOverrides } from '../../state/runtime-overrides.js';
import { homeOf, resolveBase } from '../context.js';
import { checkActionName, checkModuleName, findAction, shown } from './_shared.js';

/**
 * Registers `module.action` to be served by the module folder at --path (default: the working
 * directory) in runtime-overrides.json. The folder must load and define that action, and the action
 * must exist in some layer, so a typo cannot silently add a new action.
 */
export async function moduleOverrideAdd(opts: { cwd?: string; module: string; action: string; path?: string }): Promise<CommandResult> {
  const base = resolveBase(opts);
  const home = homeOf(base);
  const module = checkModuleName(opts.module, '--module');
  // Accept --action get-post and --action jsonplaceholder.get-post alike.
  const bare = opts.action?.startsWith(`${module}.`) ? opts.action.slice(module.length + 1) : opts.action;
  const { name, action } = checkActionName(`${module}.${bare}`, '--action');
  const dir = path.resolve(base.cwd, opts.path ?? '.');

  const current = await findAction(base, name, module);
  let served;
  try {
    served = await loadModuleFromDir(dir, 'override');
  } catch (err) {
    const e = err as Error & { exitCode?: number; hint?: string };
    const missing = e.exitCode === 4;
    const make = missing ? notFoundError : usageError;
    throw make('OVERRIDE_INVALID', `The override folder ${shown(base, dir)} cannot be loaded: ${e.message}`, {
      hint: missing ? 'Point --path at a module folder; `dispatch module override init` creates one.' : 'Fix it; `dispatch module validate --path` lists every problem.',
      next: [
        missing
          ? { command: `dispatch module override init --from ${name} --out overrides/${module}-${action}`, description: 'scaffold an override module' }
          : { command: `dispatch module validate --path ${shown(base, dir)}`, description: 'list the problems of the override module' },
      ],
    });
  }
  if (!served?.definition.actions[action]) {
    throw usageError('OVERRIDE_ACTION_MISSING', `${shown(base, dir)} (module "${served?.name}") does not define an action "${action}".`, {
      hint: `Its actions: ${Object.keys(served?.definition.actions ?? {}).join(', ') || 'none'}. The override must define "${action}" under the same name.`,
    });
  }
  const overrides = await readRuntimeOverrides(home);
  const previous = overrides.find((o) => o.module === module && o.action === action);
  const entry = { module, action, path: dir, addedAt: new Date().toISOString() };
  await writeRuntimeOverrides(home, [...overrides.filter((o) => o !== previous), entry]);
  const data = {
    override: { name, ...entry },
    replaced: previous ? { path: previous.path } : undefined,
    previousResolution: { layer: current.layer, module: current.module, version: current.version, path: shown(base, current.path) },
    resolution: { layer: 'override', module: served.name, version: served.version, path: dir },
  };
  return {
    status: 'SUCCESS',
    exitCode: 0,
    data,
    next: [
      { command: 'dispatch runtime show', description: 'list overrides and the effective resolution' },
      { command: `dispatch runtime unset --action ${name}`, description: 'remove this override again' },
    ],
    view: (_env, c: Colors) =>
      `${c.green('override')} ${c.bold(name)} ${c.dim(`→ ${dir}`)} ${c.dim(`(was ${current.layer} ${current.version})`)}\n${previous ? `  ${c.dim(`replaced ${previous.path}`)}\n` : ''}`,
  };
}

export default (opts: OptionsOf<'module override add'>) => moduleOverrideAdd(opts);
