import type { OptionsOf } from '../../cli/command-options.js';
import { checkDirenv, checkLeftoverTemp, checkNode, checkWritable, type Check } from '../../agent/doctor-checks.js';
import { leftoverTempFolders } from '../../runs/store.js';
import { checkJobEnv } from '../../agent/doctor-env.js';
import { checkModules } from '../../agent/doctor-modules.js';
import { DispatchError, type NextHint } from '../../errors.js';
import type { Colors } from '../../output/colors.js';
import type { CommandResult, Envelope } from '../../output/envelope.js';
import { homeOf, outputRootOf, resolveBase } from '../context.js';
import { findProjectRoot } from '../../state/project-root.js';

/** Checks the install and this folder; warnings leave it usable, any failure makes it FAILED. */
export async function doctor(opts: { cwd?: string }): Promise<CommandResult> {
  const base = resolveBase(opts);
  const home = homeOf(base);
  const checks: Check[] = [
    await checkNode(),
    await checkWritable('state home', home, 'DISPATCH_HOME'),
    await checkWritable('run output', outputRootOf(base), 'DISPATCH_RUN_OUTPUT'),
    await checkLeftoverTemp(outputRootOf(base), await leftoverTempFolders(outputRootOf(base))),
    checkProjectRoot(base.cwd),
    ...(await checkModules(base.root, home)),
    ...(await checkJobEnv(base.root, base.env)),
    await checkDirenv(base.root, base.env),
  ];
  const count = (s: Check['status']) => checks.filter((c) => c.status === s).length;
  const counts = { ok: count('ok'), warn: count('warn'), fail: count('fail') };
  const fixes: NextHint[] = [...checks.filter((c) => c.status === 'fail'), ...checks.filter((c) => c.status === 'warn')].flatMap((c) => c.next ?? []);
  const data = { cwd: base.cwd, projectRoot: base.root, home, outputRoot: outputRootOf(base), counts, checks };
  if (counts.fail === 0) {
    return { status: 'SUCCESS', exitCode: 0, data, next: [...fixes, { command: 'dispatch self-check', description: 'prove the install runs a job end to end (offline)' }], view };
  }
  const failed = checks.filter((c) => c.status === 'fail');
  const error = new DispatchError({
    code: 'DOCTOR_FAILED',
    exitCode: 2,
    message: `${failed.length} check(s) failed: ${failed.map((c) => c.name).join(', ')}. First: ${failed[0].message}`,
    hint: failed[0].fix ?? 'Fix the failing checks, then run dispatch doctor again.',
  });
  return { status: 'FAILED', exitCode: 2, data, error, next: [...fixes, { command: 'dispatch doctor', description: 'check again after fixing' }], view };
}

/** Where the project was found from the working folder, and where the search looked. */
function checkProjectRoot(cwd: string): Check {
  const p = findProjectRoot(cwd);
  if (!p.found) {
    return {
      name: 'project root',
      status: 'warn',
      message: `no folder from ${cwd} up has modules/, jobs/ or package.json; using ${cwd} (looked in ${p.looked.length} folders)`,
      fix: 'Run dispatch from your project folder, or create jobs/ or modules/ there.',
      details: { root: p.root, looked: p.looked },
    };
  }
  const where = p.root === cwd ? p.root : `${p.root} (found from ${cwd})`;
  return { name: 'project root', status: 'ok', message: where, details: { root: p.root, looked: p.looked } };
}

function view(env: Envelope, c: Colors): string {
  const checks = (env.checks ?? []) as Check[];
  const mark = { ok: c.green('✓'), warn: c.yellow('!'), fail: c.red('✗') };
  const width = Math.max(...checks.map((k) => k.name.length));
  const lines = checks.map((k) => {
    const line = `  ${mark[k.status]} ${k.name.padEnd(width)}  ${k.status === 'ok' ? c.dim(k.message) : k.message}`;
    return k.fix && k.status !== 'ok' ? `${line}\n${' '.repeat(width + 6)}${c.yellow('fix:')} ${k.fix}` : line;
  });
  const counts = env.counts as { ok: number; warn: number; fail: number };
  const head = `${c.bold('dispatch doctor')} ${c.dim(`${counts.ok} ok, ${counts.warn} warn, ${counts.fail} fail`)}`;
  return `${head}\n${lines.join('\n')}\n`;
}

export default (opts: OptionsOf<'doctor'>) => doctor(opts);
