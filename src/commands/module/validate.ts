import type { OptionsOf } from '../../cli/command-options.js';
import { DispatchError } from '../../errors.js';
import { checkExitCode, checkModuleDir, type ModuleFinding } from '../../modules/check-module.js';
import type { Colors } from '../../output/colors.js';
import type { CommandResult, Envelope } from '../../output/envelope.js';
import { homeOf, resolveBase } from '../context.js';
import { shown } from './_shared.js';

/** Loads a module folder and checks manifest, names, schemas and every shipped job, all at once. */
export async function moduleValidate(opts: { cwd?: string; path: string }): Promise<CommandResult> {
  const base = resolveBase(opts);
  const check = await checkModuleDir(opts.path, { cwd: base.cwd, root: base.root, home: homeOf(base), env: base.env });
  const dir = shown(base, check.dir);
  const data = {
    path: dir,
    valid: check.errors.length === 0,
    ...(check.manifest ? { module: { name: check.manifest.name, version: check.manifest.version, entry: check.manifest.entry } } : {}),
    actions: check.actions,
    jobs: check.jobs,
    errors: check.errors,
    warnings: check.warnings,
  };
  if (check.errors.length === 0) {
    const name = check.manifest!.name;
    return {
      status: 'SUCCESS',
      exitCode: 0,
      data,
      next: [
        { command: `dispatch module pack --path ${dir} --out ${name}.dpmod.zip`, description: 'bundle the module for installation' },
        { command: `dispatch module inspect ${name}`, description: 'see actions and schemas as the loader resolves them' },
      ],
      view,
    };
  }
  const first = check.errors[0];
  const error = new DispatchError({
    code: 'MODULE_INVALID',
    exitCode: checkExitCode(check.errors),
    message: `${dir} has ${check.errors.length} problem(s); first in ${where(first)}: ${first.message}`,
    hint: first.hint ?? 'Fix the problems listed in errors[], then validate again.',
    details: { errors: check.errors },
  });
  return { status: 'FAILED', exitCode: error.exitCode, data, error, next: [{ command: `dispatch module validate --path ${dir}`, description: 'validate again after fixing' }], view };
}

const where = (f: ModuleFinding) => (f.path ? `${f.file} ${f.path}` : f.file);

function view(env: Envelope, c: Colors): string {
  const m = env.module as { name: string; version: string } | undefined;
  const lines = [env.valid ? `${c.green('valid')} ${c.bold(m?.name ?? '')} ${m?.version ?? ''} ${c.dim(String(env.path))}` : `${c.red('invalid')} ${String(env.path)}`];
  const actions = env.actions as string[];
  if (actions.length) lines.push(`  ${c.dim('actions')} ${actions.join(', ')}`);
  for (const j of env.jobs as Array<{ file: string; kind: string; valid: boolean }>) lines.push(`  ${j.valid ? c.green('✓') : c.red('✗')} ${j.file}`);
  for (const f of env.errors as ModuleFinding[]) lines.push(`  ${c.red('✗')} ${c.cyan(where(f))} ${f.message}${f.hint ? `\n      ${c.dim(f.hint)}` : ''}`);
  for (const f of env.warnings as ModuleFinding[]) lines.push(`  ${c.yellow('!')} ${c.cyan(where(f))} ${f.message}`);
  return `${lines.join('\n')}\n`;
}

export default (opts: OptionsOf<'module validate'>) => moduleValidate(opts);
