import type { OptionsOf } from '../../cli/command-options.js';
import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { DispatchError, usageError } from '../../errors.js';
import { collectPackFiles } from '../../modules/bundle.js';
import { checkExitCode, checkModuleDir } from '../../modules/check-module.js';
import type { Colors } from '../../output/colors.js';
import type { CommandResult, Envelope } from '../../output/envelope.js';
import { writeFileAtomic } from '../../util/atomic-write.js';
import { createZip } from '../../util/zip.js';
import { homeOf, resolveBase } from '../context.js';
import { shown } from './_shared.js';

/** Validates a module folder, then zips its runtime files into a bundle (written atomically). */
export async function modulePack(opts: { cwd?: string; path: string; out: string }): Promise<CommandResult> {
  const base = resolveBase(opts);
  const out = path.resolve(base.cwd, opts.out);
  const check = await checkModuleDir(opts.path, { cwd: base.cwd, root: base.root, home: homeOf(base), env: base.env });
  const dir = shown(base, check.dir);
  if (check.errors.length > 0 || !check.manifest) {
    const first = check.errors[0];
    throw new DispatchError({
      code: 'MODULE_INVALID',
      exitCode: checkExitCode(check.errors),
      message: `Refusing to pack ${dir}: ${check.errors.length} problem(s); first in ${first.file}${first.path ? ` ${first.path}` : ''}: ${first.message}`,
      hint: 'Fix the module first; nothing was written.',
      details: { errors: check.errors },
      next: [{ command: `dispatch module validate --path ${dir}`, description: 'list every problem' }],
    });
  }
  const files = await collectPackFiles(check.dir, check.manifest, [out]);
  const zip = createZip(await Promise.all(files.map(async (f) => ({ path: f.path, data: new Uint8Array(await fs.readFile(f.abs)) }))));
  await writeBundle(out, zip, opts.out);
  const { name, version } = check.manifest;
  const bundle = shown(base, out);
  return {
    status: 'SUCCESS',
    exitCode: 0,
    data: {
      bundle,
      module: { name, version },
      files: files.map((f) => f.path),
      bytes: zip.length,
      sha256: createHash('sha256').update(zip).digest('hex'),
      warnings: check.warnings,
    },
    next: [{ command: `dispatch module install --bundle ${bundle}`, description: 'install it into the user layer' }],
    view: (env: Envelope, c: Colors) =>
      `${c.green('packed')} ${c.bold(name)} ${version} → ${bundle} ${c.dim(`(${(env.files as string[]).length} files, ${zip.length} bytes)`)}\n${(env.files as string[]).map((f) => `  ${f}`).join('\n')}\n`,
  };
}

async function writeBundle(file: string, data: Uint8Array, label: string): Promise<void> {
  try {
    await writeFileAtomic(file, data);
  } catch (err) {
    throw usageError('BUNDLE_UNWRITABLE', `Cannot write ${label}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}.`, {
      hint: 'Choose a writable --out path (e.g. payments.dpmod.zip).',
    });
  }
}

export default (opts: OptionsOf<'module pack'>) => modulePack(opts);
