import type { OptionsOf } from '../../cli/command-options.js';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { notFoundError, type NextHint } from '../../errors.js';
import { listModuleDirs } from '../../modules/loader.js';
import { readManifest } from '../../modules/manifest.js';
import type { Colors } from '../../output/colors.js';
import type { CommandResult } from '../../output/envelope.js';
import { statePaths } from '../../state/paths.js';
import { readRuntimeOverrides } from '../../state/runtime-overrides.js';
import { homeOf, resolveBase } from '../context.js';
import { checkModuleName, registryFor, shown } from './_shared.js';

/** Removes a module from the user layer ($DISPATCH_HOME/modules); repo modules are never touched. */
export async function moduleUninstall(opts: { cwd?: string; name: string }): Promise<CommandResult> {
  const base = resolveBase(opts);
  const name = checkModuleName(opts.name);
  const home = homeOf(base);
  const dir = await findUserModule(statePaths(home).modules, name);
  if (!dir) {
    throw notFoundError('MODULE_NOT_INSTALLED', `No module named "${name}" is installed in the user layer (${statePaths(home).modules}).`, {
      hint: 'uninstall only removes installed bundles; repo modules under ./modules are plain folders you delete yourself.',
      details: { module: name },
      next: [{ command: 'dispatch module list', description: 'see which layer each module comes from' }],
    });
  }
  const version = await readManifest(dir).then(
    (m) => m.manifest.version,
    () => undefined,
  );
  // Rename first so a concurrent loader sees the module either whole or gone, never half-deleted.
  const doomed = path.join(path.dirname(dir), `.removing-${path.basename(dir)}-${randomBytes(4).toString('hex')}`);
  await fs.rename(dir, doomed);
  await fs.rm(doomed, { recursive: true, force: true });

  const registry = await registryFor(base, new Set([name]));
  const fallback = registry.findModule(name);
  const overrides = (await readRuntimeOverrides(home)).filter((o) => path.resolve(o.path).startsWith(dir + path.sep) || path.resolve(o.path) === dir);
  const next: NextHint[] = overrides.map((o) => ({ command: `dispatch runtime unset --action ${o.module}.${o.action}`, description: 'this override pointed into the removed module' }));
  next.push({ command: 'dispatch module list', description: 'see what serves its actions now' });
  return {
    status: 'SUCCESS',
    exitCode: 0,
    data: {
      module: { name, ...(version ? { version } : {}) },
      path: dir,
      removed: true,
      ...(fallback ? { nowServedBy: { layer: fallback.layer, version: fallback.version, path: shown(base, fallback.dir) } } : {}),
    },
    next,
    view: (_env, c: Colors) =>
      `${c.green('removed')} ${c.bold(name)}${version ? ` ${version}` : ''} ${c.dim(dir)}\n${fallback ? `  ${c.dim(`now served by the ${fallback.layer} layer (${fallback.version})`)}\n` : ''}`,
  };
}

/** The user-layer folder whose module.json names `name` (its folder name is the usual match). */
async function findUserModule(layerDir: string, name: string): Promise<string | undefined> {
  const direct = path.join(layerDir, name);
  const dirs = await listModuleDirs(layerDir);
  if (dirs.includes(direct)) return direct;
  for (const d of dirs) {
    const m = await readManifest(d).catch(() => undefined);
    if (m?.manifest.name === name) return d;
  }
  return undefined;
}

export default (opts: OptionsOf<'module uninstall'>) => moduleUninstall(opts);
