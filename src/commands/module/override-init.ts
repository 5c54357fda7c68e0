import type { OptionsOf } from '../../cli/command-options.js';
import path from 'node:path';
import { actionSchemas } from '../../modules/describe.js';
import { overrideFiles } from '../../modules/scaffold.js';
import type { Colors } from '../../output/colors.js';
import type { CommandResult } from '../../output/envelope.js';
import { resolveBase } from '../context.js';
import { writeScaffold } from './init.js';
import { checkActionName, findAction, shown } from './_shared.js';

/**
 * Scaffolds a module that serves one existing action, carrying its schemas over so the jobs
 * that use the action keep validating. It does not register it: `module override add` does.
 */
export async function moduleOverrideInit(opts: { cwd?: string; from: string; out: string }): Promise<CommandResult> {
  const base = resolveBase(opts);
  const { name, module, action } = checkActionName(opts.from, '--from');
  const target = await findAction(base, name, module);
  const { schemas } = actionSchemas(target.definition);
  const out = path.resolve(base.cwd, opts.out);
  await writeScaffold(out, overrideFiles({ module, action, version: target.version, description: target.definition.description }, schemas), opts.out);
  const dir = shown(base, out);
  return {
    status: 'SUCCESS',
    exitCode: 0,
    data: {
      from: { action: name, module, version: target.version, layer: target.layer },
      module: { name: `${module}-override`, version: '0.1.0', entry: 'index.mjs' },
      path: dir,
      files: ['module.json', 'index.mjs'],
    },
    next: [
      { command: `dispatch module override add --module ${module} --action ${action} --path ${dir}`, description: 'serve the action from this folder' },
      { command: `dispatch module validate --path ${dir}`, description: 'check the override module' },
    ],
    view: (_env, c: Colors) => `${c.green('created')} override of ${c.bold(name)} ${c.dim(`→ ${dir}`)}\n  module.json\n  index.mjs\n`,
  };
}

export default (opts: OptionsOf<'module override init'>) => moduleOverrideInit(opts);
