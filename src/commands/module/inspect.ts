import type { OptionsOf } from '../../cli/command-options.js';
import { caseCommand } from '../../output/next-hints.js';
import { notFoundError, usageError } from '../../errors.js';
import { didYouMean } from '../../job/problems.js';
import { actionsOfModule, describeAction, listShippedJobs } from '../../modules/describe.js';
import type { Colors } from '../../output/colors.js';
import type { CommandResult, Envelope } from '../../output/envelope.js';
import { resolveBase, type BaseOptions } from '../context.js';
import { checkModuleName, layerTag, registryFor, schemaLine, shown } from './_shared.js';

/** A module's actions with JSON Schemas of input, exports and credentials, and its shipped jobs. */
export async function moduleInspect(opts: { cwd?: string; name?: string }): Promise<CommandResult> {
  const base = resolveBase(opts);
  const name = checkModuleName(opts.name, 'module');
  const registry = await registryFor(base, new Set([name]));
  const mod = registry.findModule(name);
  if (!mod) throw await missingModule(base, name, registry.errorFor(name));
  const actions = actionsOfModule(registry, name).map((a) => {
    const d = describeAction(a);
    return { ...d, servedBy: { ...d.servedBy, path: shown(base, a.path) } };
  });
  const { jobs } = mod.layer === 'builtin' ? { jobs: [] } : await listShippedJobs(mod.dir);
  const layers = registry.modules.filter((m) => m.name === name).map((m) => ({ layer: m.layer, version: m.version, path: shown(base, m.dir) }));
  const data = {
    module: { name, version: mod.version, layer: mod.layer, path: shown(base, mod.dir), ...(mod.description ? { description: mod.description } : {}) },
    layers,
    actions,
    jobs: jobs.map((j) => ({ id: j.id, kind: j.kind, file: j.file, path: shown(base, j.path) })),
  };
  const next = [];
  if (actions[0]) next.push({ command: `dispatch schema action --name ${actions[0].name} --print`, description: 'JSON Schema of one action' });
  if (data.jobs[0]) next.push({ command: caseCommand('validate', data.jobs[0].path), description: 'validate a shipped job' });
  if (mod.layer !== 'builtin') next.push({ command: `dispatch module validate --path ${shown(base, mod.dir)}`, description: 'check the module and every shipped job' });
  return { status: 'SUCCESS', exitCode: 0, data, next, view };
}

async function missingModule(base: BaseOptions, name: string, failed?: { path: string; reason: string; layer: string }) {
  if (failed) {
    return usageError('MODULE_LOAD_FAILED', `Module "${name}" (${failed.layer} layer) failed to load: ${failed.reason}`, {
      hint: 'Fix the module; `dispatch module validate --path` lists every problem.',
      details: { module: name, layer: failed.layer, path: failed.path, reason: failed.reason },
      next: [{ command: `dispatch module validate --path ${shown(base, failed.path)}`, description: 'list the problems of this module' }],
    });
  }
  const all = await registryFor(base);
  const guess = didYouMean(name, new Set([...all.modules.map((m) => m.name), ...all.errors.flatMap((e) => (e.module ? [e.module] : []))]));
  return notFoundError('MODULE_NOT_FOUND', `No module named "${name}" in the builtin, repo (./modules) or user ($DISPATCH_HOME/modules) layers.`, {
    hint: guess ? `Did you mean "${guess}"?` : 'Install a bundle with `dispatch module install --bundle <file>`, or run from the repo that holds it (--cwd).',
    details: { module: name },
    next: [{ command: 'dispatch module list', description: 'list modules in every layer' }],
  });
}

function view(env: Envelope, c: Colors): string {
  const m = env.module as { name: string; version: string; layer: string; path: string; description?: string };
  const actions = env.actions as Array<ReturnType<typeof describeAction>>;
  const jobs = env.jobs as Array<{ kind: string; path: string }>;
  const lines = [`${c.bold(m.name)} ${m.version}  ${layerTag(c, m.layer)}  ${c.dim(m.path)}`];
  if (m.description) lines.push(`  ${m.description}`);
  for (const l of env.layers as Array<{ layer: string; version: string; path: string }>) {
    if (l.path !== m.path && l.layer !== 'override') lines.push(`  ${c.dim(`also in ${l.layer}: ${l.version} ${l.path} (shadowed)`)}`);
  }
  lines.push('', c.bold(`actions (${actions.length})`));
  for (const a of actions) {
    const from = a.servedBy.layer === m.layer ? '' : `  ${layerTag(c, a.servedBy.layer)} ${c.dim(a.servedBy.path)}`;
    lines.push(`  ${c.bold(a.name)}${from}  ${c.dim(a.description)}`);
    lines.push(`    ${c.dim('input')}    ${schemaLine(a.schema.input)}`);
    if (a.schema.exports) lines.push(`    ${c.dim('exports')}  ${schemaLine(a.schema.exports)}`);
    if (a.schema.credentials) lines.push(`    ${c.dim('credential')} ${schemaLine(a.schema.credentials)}`);
  }
  lines.push('', c.bold(`jobs (${jobs.length})`));
  for (const j of jobs) lines.push(`  ${c.dim(j.kind.padEnd(4))}  ${j.path}`);
  return `${lines.join('\n')}\n`;
}

export default (opts: OptionsOf<'module inspect'>) => moduleInspect(opts);
