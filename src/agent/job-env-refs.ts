import fs from 'node:fs/promises';
import path from 'node:path';
import { parseTemplate } from '../engine/template.js';
import { jobKindOf } from '../job/load.js';

/** Env vars one job file needs: `${env.NAME}` without a fallback, and credential `fromEnv` names. */
interface JobEnvRefs {
  file: string;
  env: string[];
  /** Credential env vars: an empty value counts as missing for these, as in `job validate`. */
  credentialEnv: string[];
  error?: string;
}

/** The repo's job files: ./jobs/* and ./modules/<name>/jobs/*, sorted for a stable report. */
export async function repoJobFiles(cwd: string): Promise<string[]> {
  const dirs = [path.join(cwd, 'jobs')];
  const mods = await fs.readdir(path.join(cwd, 'modules'), { withFileTypes: true }).catch(() => []);
  for (const m of mods) if (m.isDirectory() && !m.name.startsWith('.')) dirs.push(path.join(cwd, 'modules', m.name, 'jobs'));
  const files: string[] = [];
  for (const dir of dirs) {
    const entries = await fs.readdir(dir, { withFileTypes: true }).catch(() => []);
    for (const e of entries) if (e.isFile() && jobKindOf(e.name)) files.push(path.join(dir, e.name));
  }
  return files.sort();
}

export async function envRefsOf(file: string): Promise<JobEnvRefs> {
  let raw: unknown;
  try {
    raw = JSON.parse(await fs.readFile(file, 'utf8'));
  } catch (err) {
    return { file, env: [], credentialEnv: [], error: (err as Error).message };
  }
  const names = new Set<string>();
  const secrets = new Set<string>();
  const job = (raw ?? {}) as { http?: unknown; inputs?: unknown; credentials?: unknown; scenario?: { steps?: unknown } };
  // Only the parts interpolation applies to; a `${` in a description is just text.
  const steps = Array.isArray(job.scenario?.steps) ? (job.scenario.steps as Array<{ payload?: unknown }>) : [];
  for (const value of [job.http, job.inputs, ...steps.map((s) => s?.payload)]) collectEnv(value, names, 0);
  if (job.credentials && typeof job.credentials === 'object') {
    for (const profile of Object.values(job.credentials as Record<string, { fromEnv?: unknown }>)) {
      const from = profile?.fromEnv;
      if (from && typeof from === 'object') for (const v of Object.values(from)) if (typeof v === 'string') secrets.add(v);
    }
  }
  return { file, env: [...names].sort(), credentialEnv: [...secrets].sort() };
}

function collectEnv(value: unknown, names: Set<string>, depth: number): void {
  if (depth > 64) return;
  if (typeof value === 'string') {
    let tpl;
    try {
      tpl = parseTemplate(value);
    } catch {
      return; // a syntax error is `job validate`'s to report
    }
    for (const part of tpl?.parts ?? []) if (typeof part !== 'string' && part.ref.kind === 'env' && part.ref.fallback === undefined) names.add(part.ref.name);
    return;
  }
  if (value && typeof value === 'object') for (const v of Object.values(value)) collectEnv(v, names, depth + 1);
}
