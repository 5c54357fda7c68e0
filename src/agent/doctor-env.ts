import { caseCommand } from '../output/next-hints.js';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { Check } from './doctor-checks.js';
import { envRefsOf, repoJobFiles } from './job-env-refs.js';

/** Job files that do not parse, and env vars the parsable ones need but the environment lacks. */
export async function checkJobEnv(cwd: string, env: Record<string, string | undefined>): Promise<Check[]> {
  const refs = await Promise.all((await repoJobFiles(cwd)).map(envRefsOf));
  const rel = (f: string) => path.relative(cwd, f) || f;
  const broken = refs.filter((r) => r.error);
  const missing = new Map<string, string[]>();
  const note = (name: string, file: string) => {
    const files = missing.get(name) ?? [];
    if (!files.includes(file)) missing.set(name, [...files, file]);
  };
  for (const r of refs) {
    for (const name of r.env) if (env[name] === undefined) note(name, rel(r.file));
    for (const name of r.credentialEnv) if (env[name] === undefined || env[name] === '') note(name, rel(r.file));
  }

  const checks: Check[] = [];
  checks.push(
    broken.length === 0
      ? {
          name: 'job files',
          status: 'ok',
          message: refs.length ? `${refs.length} job file(s) in ./jobs and ./modules/*/jobs parse.` : 'No job files in ./jobs or ./modules/*/jobs.',
          details: { count: refs.length },
        }
      : {
          name: 'job files',
          status: 'warn',
          message: `${broken.length} job file(s) are not valid JSON: ${broken.map((b) => rel(b.file)).join(', ')}.`,
          fix: 'Validate each one to see the exact problem and where it is.',
          next: broken.map((b) => ({ command: caseCommand('validate', rel(b.file)), description: 'show what is wrong with this job file' })),
          details: { count: refs.length, broken: broken.map((b) => ({ file: rel(b.file), error: b.error })) },
        },
  );
  if (missing.size === 0) {
    const total = new Set(refs.flatMap((r) => [...r.env, ...r.credentialEnv])).size;
    checks.push({
      name: 'env vars',
      status: 'ok',
      message: total ? `All ${total} env var(s) the repo's jobs reference are set.` : "The repo's jobs reference no env vars without a fallback.",
      details: { missing: {} },
    });
    return checks;
  }
  const names = [...missing.keys()].sort();
  const canCopy = (await exists(path.join(cwd, '.envrc.example'))) && !(await exists(path.join(cwd, '.envrc')));
  checks.push({
    name: 'env vars',
    status: 'warn',
    message: `${names.length} env var(s) referenced by the repo's jobs are not set: ${names.join(', ')}. Jobs that use them fail validation.`,
    fix: canCopy
      ? 'Copy .envrc.example to .envrc, fill in the values and run `direnv allow`, or export them.'
      : 'Export them (or add them to .envrc), or give the references a fallback: ${env.NAME:-value}.',
    next: [
      ...(canCopy ? [{ command: 'cp .envrc.example .envrc && direnv allow', description: 'create your local .envrc (then edit its values)' }] : []),
      { command: `export ${names.map((n) => `${n}=<value>`).join(' ')}`, description: 'set the missing variables in this shell' },
    ],
    details: { missing: Object.fromEntries(names.map((n) => [n, missing.get(n)])) },
  });
  return checks;
}

const exists = (p: string) =>
  fs.stat(p).then(
    () => true,
    () => false,
  );
