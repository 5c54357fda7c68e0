import type { OptionsOf } from '../../cli/command-options.js';
import type { NextHint } from '../../errors.js';
import type { Colors } from '../../output/colors.js';
import type { CommandResult, Envelope } from '../../output/envelope.js';
import { resolveBase } from '../context.js';
import { layerTag, registryFor, shown } from './_shared.js';
import { byString } from '../../util/compare.js';

interface ListedModule {
  name: string;
  version: string;
  layer: string;
  path: string;
  description?: string;
  actions: string[];
  /** Actions of this copy that a later layer serves instead. */
  shadowed: string[];
}

/** Every module in every layer, the action each layer serves, and the modules that failed to load. */
export async function moduleList(opts: { cwd?: string }): Promise<CommandResult> {
  const base = resolveBase(opts);
  const registry = await registryFor(base);
  const modules: ListedModule[] = registry.modules.map((m) => {
    const own = Object.keys(m.definition.actions).sort();
    const serving = own.filter((a) => {
      const r = registry.get(`${m.name}.${a}`);
      return r && r.layer === m.layer && r.path === m.dir;
    });
    // An override folder registers one action; its other actions are not part of the module.
    const actions = m.layer === 'override' ? serving : own;
    return {
      name: m.name,
      version: m.version,
      layer: m.layer,
      path: shown(base, m.dir),
      ...(m.description ? { description: m.description } : {}),
      actions,
      shadowed: actions.filter((a) => !serving.includes(a)),
    };
  });
  const actions = [...registry.actions.values()]
    .sort((a, b) => byString(a.name, b.name))
    .map((a) => ({ name: a.name, module: a.module, version: a.version, layer: a.layer, path: shown(base, a.path) }));
  const errors = registry.errors.map((e) => ({ ...e, path: shown(base, e.path) }));
  const next: NextHint[] = errors.length
    ? errors
        .filter((e) => e.layer !== 'override')
        .slice(0, 1)
        .map((e) => ({ command: `dispatch module validate --path ${e.path}`, description: `see why ${e.module ?? 'the module'} fails to load` }))
    : [];
  const first = modules.find((m) => m.layer !== 'builtin') ?? modules[0];
  if (first) next.push({ command: `dispatch module inspect ${first.name}`, description: 'actions, schemas and shipped jobs of a module' });
  if (!modules.some((m) => m.layer === 'repo' || m.layer === 'user')) next.push({ command: 'dispatch module init --name my-module --out modules/my-module', description: 'scaffold a repo module' });
  return { status: 'SUCCESS', exitCode: 0, data: { modules, actions, errors }, next, view };
}

function view(env: Envelope, c: Colors): string {
  const modules = env.modules as ListedModule[];
  const errors = env.errors as Array<{ layer: string; path: string; module?: string; reason: string }>;
  const lines = [`${c.bold(`${modules.length} module(s)`)}, ${(env.actions as unknown[]).length} action(s)`];
  for (const m of modules) {
    lines.push(`  ${c.bold(m.name)} ${m.version}  ${layerTag(c, m.layer)}  ${c.dim(m.path)}`);
    if (m.description) lines.push(`    ${c.dim(m.description)}`);
    const acts = m.actions.map((a) => (m.shadowed.includes(a) ? c.dim(`${a} (shadowed)`) : a));
    if (acts.length) lines.push(`    ${acts.join(', ')}`);
  }
  if (errors.length) {
    lines.push('', c.red(c.bold(`${errors.length} module(s) failed to load`)));
    for (const e of errors) lines.push(`  ${c.red('✗')} ${c.bold(e.module ?? '?')} ${layerTag(c, e.layer)} ${c.dim(e.path)}`, `    ${e.reason}`);
  }
  return `${lines.join('\n')}\n`;
}

export default (opts: OptionsOf<'module list'>) => moduleList(opts);
