import type { OptionsOf } from '../../cli/command-options.js';
import fs from 'node:fs/promises';
import path from 'node:path';
import { usageError, type NextHint } from '../../errors.js';
import { moduleFiles } from '../../modules/scaffold.js';
import type { Colors } from '../../output/colors.js';
import type { CommandResult, Envelope } from '../../output/envelope.js';
import { statePaths } from '../../state/paths.js';
import { writeTreeAtomically } from '../../util/zip.js';
import { homeOf, resolveBase, type BaseOptions } from '../context.js';
import { checkModuleName, shown } from './_shared.js';

/** Scaffolds module.json + index.mjs that validate and run as generated. */
export async function moduleInit(opts: { cwd?: string; name: string; out: string }): Promise<CommandResult> {
  const base = resolveBase(opts);
  const name = checkModuleName(opts.name);
  const out = path.resolve(base.cwd, opts.out);
  await writeScaffold(out, moduleFiles(name), opts.out);
  const dir = shown(base, out);
  const discovered = inLayer(base, out);
  const next: NextHint[] = [
    { command: `dispatch module validate --path ${dir}`, description: 'check the new module' },
    discovered
      ? { command: `dispatch schema action --name ${name}.echo --print`, description: 'input and exports of the sample action' }
      : { command: `dispatch module pack --path ${dir} --out ${name}.dpmod.zip`, description: 'bundle it (it is outside ./modules, so jobs do not see it yet)' },
  ];
  return {
    status: 'SUCCESS',
    exitCode: 0,
    data: { module: { name, version: '0.1.0', entry: 'index.mjs' }, path: dir, files: ['module.json', 'index.mjs'], actions: [`${name}.echo`], discovered },
    next,
    view: (env: Envelope, c: Colors) =>
      `${c.green('created')} ${c.bold(name)} ${c.dim(String(env.path))}\n  module.json\n  index.mjs   ${c.dim(`action ${name}.echo`)}\n${discovered ? '' : `  ${c.yellow('!')} not under ./modules: jobs only see it once it is moved there or installed\n`}`,
  };
}

/** Writes a scaffold into a new (or empty) folder; never overwrites anything. */
export async function writeScaffold(out: string, files: Array<{ path: string; data: string }>, label: string): Promise<void> {
  const existing = await fs.readdir(out).catch((err: NodeJS.ErrnoException) => (err.code === 'ENOENT' ? undefined : err.code === 'ENOTDIR' ? ['(a file)'] : Promise.reject(err)));
  if (existing && existing.length > 0) {
    throw usageError('ALREADY_EXISTS', `${label} already exists and is not empty; nothing was written.`, {
      hint: 'Choose a new folder for --out, or remove the existing one.',
      details: { path: out },
    });
  }
  if (existing) await fs.rmdir(out);
  await writeTreeAtomically(
    out,
    files.map((f) => ({ path: f.path, data: new TextEncoder().encode(f.data) })),
  );
}

/** True when the folder sits directly in the repo or user module layer. */
function inLayer(base: BaseOptions, dir: string): boolean {
  const parent = path.dirname(dir);
  return parent === path.join(base.root, 'modules') || parent === statePaths(homeOf(base)).modules;
}

export default (opts: OptionsOf<'module init'>) => moduleInit(opts);
