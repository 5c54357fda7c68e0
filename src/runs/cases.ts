import fs from 'node:fs/promises';
import path from 'node:path';
import { jobKindOf, MAX_JOB_BYTES } from '../job/load.js';
import type { JobKind } from '../job/schema.js';
import { listModuleDirs } from '../modules/loader.js';
import { readManifest } from '../modules/manifest.js';
import { statePaths } from '../state/paths.js';
import { listFilesRecursive } from '../util/list-files.js';

/** A job file found on disk; `path` is what to pass to `--case`. */
export interface JobCaseEntry {
  kind: JobKind;
  path: string;
  layer: 'repo' | 'user';
  /** The module shipping the job; absent for ./jobs. */
  module?: string;
  jobType?: string;
  description?: string;
  /** Why the file could not be read as JSON (it is still listed: it is a job file by name). */
  parseError?: string;
}

interface Source {
  dir: string;
  layer: 'repo' | 'user';
  module?: string;
}

/** Job files in ./jobs, then in every repo module's jobs/, then in every user module's jobs/. */
export async function findJobCases(cwd: string, home: string): Promise<JobCaseEntry[]> {
  const sources: Source[] = [{ dir: path.join(cwd, 'jobs'), layer: 'repo' }];
  for (const [layer, root] of [
    ['repo', path.join(cwd, 'modules')],
    ['user', statePaths(home).modules],
  ] as const) {
    for (const dir of await listModuleDirs(root)) {
      const name = await moduleName(dir);
      if (name) sources.push({ dir: path.join(dir, 'jobs'), layer, module: name });
    }
  }
  const out: JobCaseEntry[] = [];
  for (const src of sources) {
    const files = await listFilesRecursive(src.dir).catch(() => [] as string[]);
    for (const rel of files) {
      const abs = path.join(src.dir, rel);
      const kind = jobKindOf(abs);
      if (!kind) continue;
      out.push({ kind, path: displayPath(cwd, abs), layer: src.layer, ...(src.module ? { module: src.module } : {}), ...(await peek(abs)) });
    }
  }
  return out;
}

/** The module's name from module.json, its folder name when the manifest is broken, nothing when absent. */
async function moduleName(dir: string): Promise<string | undefined> {
  try {
    await fs.access(path.join(dir, 'module.json'));
  } catch {
    return undefined; // not a module folder; the loader ignores it too
  }
  try {
    return (await readManifest(dir)).manifest.name;
  } catch {
    return path.basename(dir);
  }
}

/** jobType and description, read without validating: listing must stay cheap and never fail. */
async function peek(file: string): Promise<Pick<JobCaseEntry, 'jobType' | 'description' | 'parseError'>> {
  try {
    const stat = await fs.stat(file);
    if (stat.size > MAX_JOB_BYTES) return { parseError: `larger than ${MAX_JOB_BYTES} bytes` };
    const raw = JSON.parse((await fs.readFile(file, 'utf8')).replace(/^\uFEFF/, '')) as { jobType?: unknown; description?: unknown } | null;
    return {
      ...(typeof raw?.jobType === 'string' ? { jobType: raw.jobType } : {}),
      ...(typeof raw?.description === 'string' ? { description: raw.description } : {}),
    };
  } catch (err) {
    return { parseError: (err as Error).message };
  }
}

/** `abs` relative to cwd with forward slashes when it is inside cwd, else absolute: what to pass to --case. */
export function displayPath(cwd: string, abs: string): string {
  const rel = path.relative(cwd, abs);
  return rel && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel.split(path.sep).join('/') : abs;
}
