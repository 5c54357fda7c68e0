import type { OptionsOf } from '../../cli/command-options.js';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { DispatchError } from '../../errors.js';
import { readBundle } from '../../modules/bundle.js';
import { checkExitCode, checkModuleDir } from '../../modules/check-module.js';
import { readManifest } from '../../modules/manifest.js';
import type { Colors } from '../../output/colors.js';
import type { CommandResult, Envelope } from '../../output/envelope.js';
import { statePaths } from '../../state/paths.js';
import { writeTreeAtomically } from '../../util/zip.js';
import { homeOf, resolveBase } from '../context.js';

/**
 * Installs a bundle into $DISPATCH_HOME/modules/<name>. The bundle is unpacked into a hidden
 * staging folder (the loader skips dot folders), loaded and checked there, and only then swapped
 * into place, so a bad bundle never touches the installed copy.
 */
export async function moduleInstall(opts: { cwd?: string; bundle: string }): Promise<CommandResult> {
  const base = resolveBase(opts);
  const home = homeOf(base);
  const entries = await readBundle(opts.bundle, base.cwd);
  const modulesDir = statePaths(home).modules;
  const staging = path.join(modulesDir, `.staging-${randomBytes(6).toString('hex')}`);
  try {
    await writeTreeAtomically(staging, entries);
    const check = await checkModuleDir(staging, { cwd: base.cwd, root: base.root, home, env: base.env });
    // Shipped jobs may need modules or env of another machine: only module problems refuse the bundle.
    const fatal = check.errors.filter((e) => !e.file.startsWith('jobs/'));
    if (fatal.length > 0 || !check.manifest) {
      const first = fatal[0];
      throw new DispatchError({
        code: 'BUNDLE_INVALID',
        exitCode: checkExitCode(fatal) === 4 ? 2 : checkExitCode(fatal),
        message: `Bundle ${opts.bundle} is not a valid module (${fatal.length} problem(s); first in ${first.file}: ${first.message}); nothing was installed.`,
        hint: first.hint ?? 'Re-pack it with `dispatch module pack` from a folder that `dispatch module validate` accepts.',
        details: { errors: fatal },
      });
    }
    const { name, version } = check.manifest;
    const dest = path.join(modulesDir, name);
    const previous = await readManifest(dest).then(
      (m) => m.manifest.version,
      () => undefined,
    );
    await writeTreeAtomically(dest, entries, { overwrite: true });
    const jobWarnings = [...check.errors.filter((e) => e.file.startsWith('jobs/')), ...check.warnings];
    return {
      status: 'SUCCESS',
      exitCode: 0,
      data: {
        module: { name, version },
        path: dest,
        layer: 'user',
        files: entries.map((e) => e.path).sort(),
        ...(previous ? { replaced: { version: previous } } : {}),
        actions: check.actions,
        warnings: jobWarnings,
      },
      next: [
        { command: `dispatch module inspect ${name}`, description: 'see the installed actions and shipped jobs' },
        { command: 'dispatch module list', description: 'see which layer serves each action' },
      ],
      view: (env: Envelope, c: Colors) =>
        `${c.green('installed')} ${c.bold(name)} ${version} ${c.dim(`→ ${dest}`)}\n${previous ? `  ${c.dim(`replaced ${previous}`)}\n` : ''}${(env.warnings as Array<{ file: string; message: string }>).map((w) => `  ${c.yellow('!')} ${w.file} ${w.message}\n`).join('')}`,
    };
  } finally {
    await fs.rm(staging, { recursive: true, force: true }).catch(() => undefined);
  }
}

export default (opts: OptionsOf<'module install'>) => moduleInstall(opts);
