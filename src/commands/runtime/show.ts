import type { OptionsOf } from '../../cli/command-options.js';
import type { NextHint } from '../../errors.js';
import type { Colors } from '../../output/colors.js';
import type { CommandResult, Envelope } from '../../output/envelope.js';
import { statePaths } from '../../state/paths.js';
import { readRuntimeOverrides } from '../../state/runtime-overrides.js';
import { homeOf, resolveBase } from '../context.js';
import { layerTag, registryFor, shown } from '../module/_shared.js';
import { byString } from '../../util/compare.js';

interface ShownOverride {
  name: string;
  module: string;
  action: string;
  path: string;
  addedAt?: string;
  active: boolean;
  error?: string;
}

/** Runtime overrides from runtime-overrides.json, whether each one loads, and who serves every action. */
export async function runtimeShow(opts: { cwd?: string }): Promise<CommandResult> {
  const base = resolveBase(opts);
  const home = homeOf(base);
  const [overrides, registry] = await Promise.all([readRuntimeOverrides(home), registryFor(base)]);
  const list: ShownOverride[] = overrides.map((o) => {
    const name = `${o.module}.${o.action}`;
    const served = registry.get(name);
    const failed = registry.errors.find((e) => e.layer === 'override' && e.path === o.path && e.module === o.module);
    return { name, ...o, active: served?.layer === 'override' && served.path === o.path, ...(failed ? { error: failed.reason } : {}) };
  });
  const resolution: Record<string, unknown> = {};
  for (const a of [...registry.actions.values()].sort((x, y) => byString(x.name, y.name))) {
    resolution[a.name] = { module: a.module, version: a.version, layer: a.layer, path: shown(base, a.path) };
  }
  const next: NextHint[] = list.filter((o) => o.error).map((o) => ({ command: `dispatch runtime unset --action ${o.name}`, description: 'this override fails to load' }));
  if (list.length) next.push({ command: 'dispatch runtime unset --all', description: 'remove every override' });
  else next.push({ command: 'dispatch module override init --from <module.action> --out <dir>', description: 'scaffold an override for one action' });
  return { status: 'SUCCESS', exitCode: 0, data: { file: statePaths(home).runtimeOverrides, overrides: list, resolution }, next, view };
}

function view(env: Envelope, c: Colors): string {
  const list = env.overrides as ShownOverride[];
  const lines = [list.length ? c.bold(`${list.length} override(s)`) : c.dim('no runtime overrides')];
  for (const o of list) {
    lines.push(`  ${o.active ? c.green('✓') : c.red('✗')} ${c.bold(o.name)} ${c.dim(`→ ${o.path}`)}`);
    if (o.error) lines.push(`    ${c.red(o.error)}`);
  }
  lines.push('', c.bold('resolution'));
  for (const [name, r] of Object.entries(env.resolution as Record<string, { layer: string; version: string; path: string }>)) {
    lines.push(`  ${name.padEnd(32)} ${layerTag(c, r.layer)} ${r.version} ${c.dim(r.path)}`);
  }
  return `${lines.join('\n')}\n`;
}

export default (opts: OptionsOf<'runtime show'>) => runtimeShow(opts);
