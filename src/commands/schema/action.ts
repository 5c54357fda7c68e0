import type { OptionsOf } from '../../cli/command-options.js';
import { describeAction } from '../../modules/describe.js';
import type { Colors } from '../../output/colors.js';
import type { CommandResult, Envelope } from '../../output/envelope.js';
import { resolveBase } from '../context.js';
import { checkActionName, findAction, layerTag, shown } from '../module/_shared.js';

/**
 * Input, declared exports and credential schema of one action, as JSON Schema. With --print the
 * human output is the raw document `{input, exports?, credentials?}` (like `schema case --print`).
 */
export async function schemaAction(opts: { cwd?: string; name?: string; print?: boolean }): Promise<CommandResult> {
  const base = resolveBase(opts);
  const { name, module } = checkActionName(opts.name, '--name');
  const resolved = await findAction(base, name, module);
  const d = describeAction(resolved);
  const data = {
    action: name,
    description: d.description,
    servedBy: { ...d.servedBy, path: shown(base, resolved.path) },
    credentialRequired: d.credentialRequired,
    schema: d.schema,
  };
  return {
    status: 'SUCCESS',
    exitCode: 0,
    data,
    next: [{ command: `dispatch module inspect ${module}`, description: 'the other actions and shipped jobs of this module' }],
    view,
  };
}

function view(env: Envelope, c: Colors): string {
  const s = env.servedBy as { module: string; version: string; layer: string; path: string };
  return [
    `${c.bold(String(env.action))}  ${layerTag(c, s.layer)} ${s.module} ${s.version} ${c.dim(s.path)}`,
    `  ${c.dim(String(env.description ?? ''))}`,
    JSON.stringify(env.schema, null, 2),
    '',
  ].join('\n');
}

export default (opts: OptionsOf<'schema action'>) => schemaAction(opts);
